"""cs231n_lib.check on the rest of assignment 2: every layer, the losses, the fast layers, the
classifiers, and ``python -m cs231n_lib.check PATH`` on an assignment folder.

Each deliberately broken function in tests/student_layers.py and tests/student_nets.py (one
mistake each, written as a student would, never with cs231n_lib's code) must get its own
diagnosis and only that one; the right ones, written differently from the library (the
computation graph, transposes that reuse batch norm, np.random for dropout), pass; so do the
library's own functions.  Exceptions in the student's code are reported, never raised.
"""
import inspect
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import student_convs as SC
import student_layers as S
import student_nets as SN
import student_optim as SO
from cs231n_lib import check, fast_layers, layers, nets, optim

ALL_MISTAKES = [(name, mistake) for name, mistakes in S.MISTAKES.items() for mistake in mistakes]


@pytest.mark.parametrize("name", list(S.MISTAKES))
def test_right_student_functions_pass(name):
    result = check.run(**S.functions(name))[name]
    assert result.passed, result.lines()


@pytest.mark.parametrize("name, mistake", ALL_MISTAKES, ids=[f"{n}: {m}" for n, m in ALL_MISTAKES])
def test_each_broken_function_gets_its_own_diagnosis(name, mistake):
    result = check.run(**S.functions(name, mistake))[name]
    assert result.status == "failed"
    assert len(result.findings) == 1, "\n".join(result.findings)
    assert S.MISTAKES[name][mistake] in result.findings[0], result.findings[0]


@pytest.mark.parametrize("name", [n for n, m in S.MISTAKES.items() if len(m) > 1])
def test_diagnoses_differ_from_mistake_to_mistake(name):
    found = {m: check.run(**S.functions(name, m))[name].findings[0].split(" (")[0] for m in S.MISTAKES[name]}
    assert len(set(found.values())) == len(found), found


def test_the_listed_bugs_of_the_issue_are_among_the_fixtures():
    """train/test mode swapped, dropout keeping 1 - p, running averages not updated, a gradient summed
    over the wrong axis (padding, flipped kernels and strides are tests/test_check.py's)."""
    words = {w for mistakes in S.MISTAKES.values() for w in mistakes.values()}
    for listed in ("train/test mode swapped", "dropout keeping 1 - p", "running averages not updated",
                   "summed over the wrong axis"):
        assert any(listed in w for w in words), listed


def test_the_librarys_own_functions_pass_with_their_measured_errors():
    report = check.run(layers, **{name: getattr(fast_layers, name) for name in
                                  ("conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast",
                                   "max_pool_backward_fast")},
                       **{name: getattr(optim, name) for name in SO.MAKERS},
                       FullyConnectedNet=nets.FullyConnectedNet, ThreeLayerConvNet=nets.ThreeLayerConvNet)
    assert report.passed, str(report)
    names = [r.name for r in report.results]
    assert names == list(check.CHECKS)
    text = str(report)
    assert "True" not in text and "False" not in text
    assert "largest relative errors where the shapes agree: out 0, running_mean 0, running_var 0" in text


OPTIM_MISTAKES = [(rule, mistake) for rule, mistakes in SO.MISTAKES.items() for mistake in mistakes]


@pytest.mark.parametrize("rule", list(SO.MAKERS))
def test_right_update_rules_pass(rule):
    result = check.run(**{rule: SO.MAKERS[rule]()})[rule]
    assert result.passed, result.lines()
    assert result.provided == (rule == "sgd")   # the starter gives sgd whole


@pytest.mark.parametrize("rule, mistake", OPTIM_MISTAKES, ids=[f"{r}: {m}" for r, m in OPTIM_MISTAKES])
def test_each_broken_update_rule_gets_its_own_diagnosis(rule, mistake):
    result = check.run(**{rule: SO.MAKERS[rule](mistake)})[rule]
    assert result.status == "failed" and len(result.findings) == 1, result.findings
    assert SO.MISTAKES[rule][mistake] in result.findings[0], result.findings[0]


def test_the_update_rules_checks_reproduce_the_assignments_published_answers():
    """The setting 'the assignment's test' gives the inputs of the assignment's own optimizer tests; the
    reference it compares with (cs231n_lib.optim) gives their published answers (tests/test_optim.py
    holds the numbers), so a rule that passes the checker passes the assignment's test."""
    from cs231n_lib.check import optim as O

    for rule in ("sgd_momentum", "rmsprop", "adam"):
        setting = O._settings(rule)[0]
        assert setting.part == "the assignment's test"
        d = setting.make()
        assert np.array_equal(d["w"], np.linspace(-0.4, 0.6, num=20).reshape(4, 5))
        assert np.array_equal(d["dws"][0], np.linspace(-0.6, 0.4, num=20).reshape(4, 5))
    want = O._play("sgd_momentum", optim.sgd_momentum, O._settings("sgd_momentum")[0])
    assert abs(want["next_w"][0, 0] - 0.1406) < 1e-12 and abs(want["config['velocity']"][3, 4] - 0.8096) < 1e-12
    want = O._play("adam", optim.adam, O._settings("adam")[0])
    assert abs(want["next_w"][0, 0] - -0.40094747) < 1e-8 and want["config['t']"] == 6


@pytest.mark.parametrize("cls, maker, mistakes", [
    ("FullyConnectedNet", SN.fc_net, SN.FC_MISTAKES), ("ThreeLayerConvNet", SN.cnn, SN.CNN_MISTAKES)])
def test_student_nets(cls, maker, mistakes):
    assert check.run(**{cls: maker()})[cls].passed
    for mistake, words in mistakes.items():
        result = check.run(**{cls: maker(mistake)})[cls]
        assert result.status == "failed" and len(result.findings) == 1, (mistake, result.findings)
        assert words in result.findings[0], (mistake, result.findings[0])


def test_a_crash_is_reported_with_the_students_line_and_never_raised():
    def batchnorm_forward(x, gamma, beta, bn_param):
        if bn_param["mode"] == "test":
            raise ValueError('Invalid forward batchnorm mode "test"')
        return S.batchnorm_forward()(x, gamma, beta, bn_param)

    result = check.run(batchnorm_forward=batchnorm_forward)["batchnorm_forward"]
    assert result.status == "failed" and len(result.findings) == 1
    assert "ValueError: Invalid forward batchnorm mode" in result.findings[0]
    assert "raise ValueError" in result.findings[0] and "'test' mode" in result.findings[0]

    def dropout_forward(x, dropout_param):
        exit(1)   # even this is caught
    assert "SystemExit" in str(check.run(dropout_forward=dropout_forward))


def test_an_unwritten_stub_is_named_as_such():
    def affine_forward(x, w, b):
        out = None
        cache = (x, w, b)
        return out, cache
    result = check.run(affine_forward=affine_forward)["affine_forward"]
    assert result.status == "failed" and "out is None" in result.findings[0] and "not written yet" in result.findings[0]
    result = check.run(conv_forward_naive=lambda x, w, b, conv_param: (None, None))["conv_forward_naive"]
    assert result.status == "failed" and "out is None" in result.findings[0]


def test_a_backward_pass_without_its_forward_is_not_silently_passed():
    result = check.run(batchnorm_backward=S.batchnorm_backward())["batchnorm_backward"]
    assert not result.passed and "not checked" in result.findings[0]


def test_the_student_code_cannot_change_numpys_global_random_state():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    check.run(dropout_forward=S.dropout_forward())
    assert np.random.rand() == expected


def test_hostile_code_never_reaches_the_caller():
    """What a notebook that calls check.run sees: each hostile function on its own line, and the
    notebook's process alive, with numpy as it was."""
    import os as _os

    def relu_forward(x):
        while True:
            pass

    def relu_backward(dout, cache):
        _os._exit(0)

    def affine_forward(x, w, b):
        np.maximum = np.minimum
        np.seterr(all="raise")
        np.set_printoptions(precision=1)
        np.random.seed(0)
        return S.affine_forward()(x, w, b)

    maximum, err, printoptions = np.maximum, np.geterr(), np.get_printoptions()
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    report = check.run(relu_forward=relu_forward, relu_backward=relu_backward, affine_forward=affine_forward,
                       time_limit=1)
    assert np.maximum is maximum and np.geterr() == err and np.get_printoptions() == printoptions
    assert np.random.rand() == expected
    lines = report.summary().splitlines()
    found = report["affine_forward"].findings
    assert lines[0].startswith("[differs] affine_forward: your code ") and len(found) == 3, found
    for words in ("replaced np.maximum", "changed numpy's error handling", "changed numpy's print options"):
        assert sum(f.startswith(f"your code {words}") for f in found) == 1, words
    assert lines[1].startswith("[stopped] relu_forward: your code did not return within 1 s (an endless loop?)")
    assert lines[2].startswith("[stopped] relu_backward: your code ended the Python process (exit status 0)")
    assert not report.passed


def test_code_that_the_time_limit_cannot_interrupt_is_killed(monkeypatch):
    """A loop that catches the time limit's exception too: the child is killed once the time limit
    and the grace have passed, and the line says so."""
    from cs231n_lib.check import sandbox

    def relu_forward(x):
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass

    monkeypatch.setattr(sandbox, "GRACE", 0.5)
    result = check.run(relu_forward=relu_forward, time_limit=1)["relu_forward"]
    assert result.status == "stopped"
    assert result.findings == [
        "your code did not return within 1 s while running your relu_forward, in the setting 'rows': x (3, 4): the "
        "time limit could not interrupt it (it was stuck in compiled code, or in a loop that catches every "
        "exception)"]


def test_without_child_processes_the_checks_run_here_and_say_so(monkeypatch, tmp_path):
    """Where there is no os.fork (Windows) the checks run in the caller's process: the same verdicts,
    numpy put back after every call, and a note that says there was no time limit."""
    from cs231n_lib.check import sandbox

    root = _assignment(tmp_path)
    isolated = check.run(root, only=["batchnorm_forward", "relu_forward", "conv_forward_fast", "FullyConnectedNet"])
    monkeypatch.setattr(sandbox, "can_isolate", lambda: False)
    here = check.run(root, only=["batchnorm_forward", "relu_forward", "conv_forward_fast", "FullyConnectedNet"])
    assert [r.line() for r in here.results] == [r.line() for r in isolated.results]
    assert here.header == isolated.header and here.problems == isolated.problems
    assert here.notes == ["this system has no child processes (os.fork), so your code ran inside this process, "
                          "without a time limit"]
    assert not any(k == "cs231n" or k.startswith("cs231n.") for k in sys.modules)


def test_one_line_per_function():
    report = check.run(batchnorm_forward=S.batchnorm_forward("mode swapped"), affine_forward=S.affine_forward())
    lines = report.summary().splitlines()
    assert lines == ["[same as cs231n_lib] affine_forward",
                     lines[1]] and lines[1].startswith("[differs] batchnorm_forward: train/test mode swapped")


# ---------------------------------------------------------------- an assignment folder
def _module_source(*makers):
    """Source of a student module: the factories' code, each name bound to its (mistake) version."""
    parts = ["import numpy as np\n"]
    for maker, mistake, name in makers:
        parts.append(textwrap.dedent(inspect.getsource(maker)))
        parts.append(f"{name} = {maker.__name__}({mistake!r})\n")
    return "\n".join(parts)


def _assignment(tmp_path, cnn_source=None):
    """A folder laid out as CS231n's assignment 2, with a few deliberate mistakes."""
    root = tmp_path / "assignment2"
    pkg = root / "cs231n"
    (pkg / "classifiers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "classifiers" / "__init__.py").write_text("")
    (pkg / "im2col.py").write_text("import numpy as np\n")
    (pkg / "data_utils.py").write_text("raise RuntimeError('the checker must not import data_utils')\n")
    (pkg / "solver.py").write_text("raise RuntimeError('the checker must not import solver')\n")
    (root / "BatchNormalization.ipynb").write_text("this notebook must not run")
    makers = [(S.affine_forward, None, "affine_forward"), (S.affine_backward, None, "affine_backward"),
              (S.relu_forward, None, "relu_forward"), (S.relu_backward, None, "relu_backward"),
              (S.softmax_loss, None, "softmax_loss"),
              (S.batchnorm_forward, "mode swapped", "batchnorm_forward"),
              (S.batchnorm_backward, None, "batchnorm_backward"),
              (S.layernorm_forward, None, "layernorm_forward"), (S.layernorm_backward, None, "layernorm_backward"),
              (S.dropout_forward, "keeps 1 - p", "dropout_forward"), (S.dropout_backward, None, "dropout_backward"),
              (SC.forward, None, "conv_forward_naive"), (SC.backward, None, "conv_backward_naive"),
              (S.max_pool_forward, None, "max_pool_forward_naive"), (S.max_pool_backward, None, "max_pool_backward_naive")]
    (pkg / "layers.py").write_text(_module_source(*makers))
    (pkg / "fast_layers.py").write_text(textwrap.dedent('''\
        import numpy as np
        try:
            from cs231n.im2col_cython import col2im_cython, im2col_cython
        except ImportError:
            print("=========== You can safely ignore the message below if this is Assignment 1 ===========")
            print("\\tYou will need to compile a Cython extension for a portion of this assignment.")
        from cs231n.im2col import *

        def conv_forward_fast(x, w, b, conv_param):
            cols = im2col_cython(x, w.shape[2], w.shape[3], conv_param["pad"], conv_param["stride"])
            return cols, None
        '''))
    fc = ("import numpy as np\nfrom ..layers import *\n\n" + textwrap.dedent(inspect.getsource(SN.fc_net))
          + "\nFullyConnectedNet = fc_net('reg without half')\n")
    (pkg / "classifiers" / "fc_net.py").write_text(fc)
    (pkg / "classifiers" / "cnn.py").write_text(cnn_source or "from ..layers import *\n\nclass ThreeLayerConvNet(:\n")
    return root


def _cli(path, *options):
    run = subprocess.run([sys.executable, "-m", "cs231n_lib.check", str(path), *options],
                         capture_output=True, text=True, timeout=300)
    return run.returncode, run.stdout, run.stderr


def test_the_command_checks_an_assignment_folder_one_line_per_function(tmp_path):
    root = _assignment(tmp_path)
    code, out, err = _cli(root)
    assert code == 1, (out, err)
    lines = out.splitlines()
    # which files were imported, with what; the one that could not be, and why
    assert lines[0] == (f"{root}: checked cs231n/layers.py (15 functions), cs231n/classifiers/fc_net.py "
                        "(FullyConnectedNet), and the course's cs231n/fast_layers.py (1 function, checked in the "
                        "settings the assignment uses)")
    body = [line for line in lines[1:-1] if line.startswith("[")]
    problems = [line for line in body if line.startswith("[problem]")]
    assert len(problems) == 1 and "could not import cs231n/classifiers/cnn.py: SyntaxError" in problems[0]
    verdicts = {line.split("] ", 1)[1].split(":")[0]: line for line in body if not line.startswith("[problem]")}
    assert len(verdicts) == len(body) - len(problems)   # one line per function
    for same in ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss",
                 "layernorm_forward", "layernorm_backward", "conv_forward_naive", "conv_backward_naive",
                 "max_pool_forward_naive", "max_pool_backward_naive", "dropout_backward"):
        assert verdicts[same] == f"[same as cs231n_lib] {same}", verdicts[same]
    assert "train/test mode swapped" in verdicts["batchnorm_forward"]
    assert "dropout keeping 1 - p" in verdicts["dropout_forward"]
    # the net runs on the student's own layers: the swapped batch norm (no cache in 'train' mode) breaks it
    assert "TypeError" in verdicts["FullyConnectedNet"] and "[+1 more finding]" in verdicts["FullyConnectedNet"]
    code, details, _ = _cli(root, "--only", "FullyConnectedNet", "--details")
    assert "regularization without the factor 0.5" in details
    # the course's fast layer, without its Cython extension: not the student's fault, not a failure
    assert verdicts["conv_forward_fast"].startswith("[provided, not built] conv_forward_fast")
    assert "NameError" in verdicts["conv_forward_fast"] and "build_ext --inplace" in verdicts["conv_forward_fast"]
    # batchnorm_backward reads the swapped forward pass's cache: it says so
    assert "fix the forward pass first" in verdicts["batchnorm_backward"]
    # what is not there is said, and nothing of the course's is counted as the student's
    assert next(line for line in lines if line.startswith("not found: ")).startswith(
        "not found: conv_backward_fast, svm_loss, max_pool_forward_fast")
    assert lines[-1] == ("12 of 16 functions the same as cs231n_lib; the course's own functions: 1 not built; "
                         "--details shows every finding")


def test_the_command_passes_a_right_folder_and_reads_a_file_or_the_cs231n_folder(tmp_path):
    root = _assignment(tmp_path, cnn_source="from ..layers import *\n")
    (root / "cs231n" / "fast_layers.py").unlink()
    (root / "cs231n" / "classifiers" / "fc_net.py").unlink()
    layers_py = root / "cs231n" / "layers.py"
    layers_py.write_text(layers_py.read_text().replace("batchnorm_forward('mode swapped')", "batchnorm_forward(None)")
                         .replace("dropout_forward('keeps 1 - p')", "dropout_forward(None)"))
    code, out, _ = _cli(root)
    assert code == 0, out
    assert out.splitlines()[-1] == "15 of 15 functions the same as cs231n_lib"
    assert "[problem]" not in out
    assert "not imported: cs231n/classifiers/cnn.py (it defines none of the functions checked)" in out
    code, out2, _ = _cli(root / "cs231n")
    assert code == 0 and out2.splitlines()[1:] == out.splitlines()[1:]
    code, out3, _ = _cli(layers_py, "--only", "batchnorm_forward", "--details")
    assert code == 0 and "[same as cs231n_lib] batchnorm_forward (forward pass of batch normalization" in out3
    assert "largest relative errors where the shapes agree: out 0" in out3 or "out < 1e-" in out3


def test_the_command_refuses_what_it_cannot_read(tmp_path):
    code, _, err = _cli(tmp_path / "nowhere")
    assert code == 2 and "does not exist" in err
    (tmp_path / "empty").mkdir()
    code, _, err = _cli(tmp_path / "empty")
    assert code == 2 and "found no layers.py" in err
    rel = tmp_path / "fc_net.py"
    rel.write_text("from ..layers import *\n")
    code, out, _ = _cli(rel)
    assert code == 2 and "relative import" in out and "give the folder that holds cs231n/" in out


def test_loading_leaves_sys_path_and_sys_modules_as_they_were(tmp_path):
    root = _assignment(tmp_path)
    path_before = list(sys.path)
    sentinel = type(sys)("cs231n")
    sys.modules["cs231n"] = sentinel     # e.g. the student's notebook imported its own package
    try:
        found = check.load_assignment(root)
        assert sys.path == path_before and sys.modules["cs231n"] is sentinel
        assert not any(k.startswith("cs231n.") for k in sys.modules)
        assert "batchnorm_forward" in found.functions and "FullyConnectedNet" in found.functions
        # their classifiers import the layers from their own package, not from ours
        report = check.run(root)
        assert "train/test mode swapped" in report["batchnorm_forward"].findings[0]
    finally:
        del sys.modules["cs231n"]
