"""cs231n_lib.check on the real 2026 starter of assignment 2, with a correct solution written into its
stubs (tests/fixtures/assignment2_2026, see its README): it passes with exit status 0; each typical
mistake written into a copy gets its own diagnosis; hostile code written into a copy (an endless
loop, sys.exit, os._exit, a segmentation fault, numpy's functions or settings changed) is reported
on its function's line and nothing else changes; the untouched stubs are reported as not written.
"""
import hashlib
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

from cs231n_lib import check

FIXTURE = pathlib.Path(__file__).resolve().parent / "fixtures" / "assignment2_2026"

# sha256 of the starter's files (assignments/2026/assignment2.zip at cs231n.github.io 3d84654)
UNCHANGED = {
    "cs231n/__init__.py": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "cs231n/fast_layers.py": "9951b2cf02afb471e5c59a1f8990a055bb205ab135b39af96a5c538297440528",
    "cs231n/im2col.py": "ffec08e8f1ed125f786afb6423b2cb265d2a4bfa5f61992a3ef18f50974ee6e1",
    "cs231n/layer_utils.py": "e1e00c9e2ebaa6ef0bd0cb1a1e95f9f0acf5878f655e5bd3bd1ba274d866b89c",
}
# sha256 of the starter's files with the lines between each TODO banner and its END OF YOUR CODE
# banner removed (the blank line or `pass` there), computed from the starter
STUBS = {
    "cs231n/layers.py": "c50eb36a0c126a77a065043079c28c3f51134a4534f5715b26f284134f555799",
    "cs231n/optim.py": "edd6c20cc0bf56464457db74801f99fb3f483891f9e48505675a08bd42cc009b",
    "cs231n/classifiers/fc_net.py": "64c61b0a59e060d249ce76206c814a9302f0988ee31599286cb506432a38234d",
    "cs231n/classifiers/cnn.py": "6c1304521d6abbbeca84adcae2f2ed44f19f2efe33f0aa76a18836ef715981f5",
}


def _blocks_replaced(text, by=None):
    """``text`` with the lines between each stub's TODO banner and its END OF YOUR CODE banner
    replaced by ``by`` (a line, with the block's indentation) or removed (None)."""
    lines = text.split("\n")
    for n in reversed([n for n, line in enumerate(lines) if "END OF YOUR CODE" in line]):
        top = n - 1
        j = top - 1
        while set(lines[j].strip()) != {"#"}:
            j -= 1
        indent = lines[top][:len(lines[top]) - len(lines[top].lstrip())]
        lines[j + 1:top] = [] if by is None else [indent + by]
    return "\n".join(lines)


def _sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _copy(tmp_path):
    root = tmp_path / "assignment2"
    shutil.copytree(FIXTURE, root)
    return root


def _edit(root, rel, old, new):
    path = root / "cs231n" / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _cli(path, *options):
    run = subprocess.run([sys.executable, "-m", "cs231n_lib.check", str(path), *options],
                         capture_output=True, text=True, timeout=600)
    return run.returncode, run.stdout, run.stderr


def test_the_fixture_is_the_starter_with_solutions_in_its_stubs():
    for rel, sha in UNCHANGED.items():
        assert hashlib.sha256((FIXTURE / rel).read_bytes()).hexdigest() == sha, rel
    for rel, sha in STUBS.items():
        text = (FIXTURE / rel).read_text(encoding="utf-8")
        assert _sha(_blocks_replaced(text)) == sha, rel
        assert _blocks_replaced(text) != text, f"{rel} has no solution written into it"


def test_a_correct_solution_in_the_2026_starter_passes():
    code, out, err = _cli(FIXTURE)
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == (f"{FIXTURE}: checked cs231n/layers.py (20 functions), cs231n/optim.py (4 functions), "
                        "cs231n/classifiers/cnn.py (ThreeLayerConvNet), cs231n/classifiers/fc_net.py "
                        "(FullyConnectedNet), and the course's cs231n/fast_layers.py (4 functions, checked in the "
                        "settings the assignment uses)")
    # the file that imports torch (here: one that raises) is named and not imported
    assert lines[1] == "not imported: cs231n/classifiers/rnn_pytorch.py (it defines none of the functions checked)"
    assert not any(line.startswith(("[problem]", "[differs]", "[stopped]", "[not checked]")) for line in lines), out
    verdicts = {line.split("] ", 1)[1].split(":")[0].split(";")[0]: line for line in lines if line.startswith("[")}
    ours = [name for name in check.CHECKS if name not in ("svm_loss",) and not check.CHECKS[name].provided]
    for name in ours:
        assert verdicts[name].startswith(f"[same as cs231n_lib] {name}"), verdicts[name]
    # the course's own functions: marked as such, never blamed for the starter's gaps
    for name in ("conv_forward_fast", "max_pool_forward_fast", "max_pool_backward_fast", "sgd"):
        assert verdicts[name].startswith(f"[provided, same as cs231n_lib] {name}"), verdicts[name]
    assert verdicts["conv_backward_fast"].startswith("[provided, not built] conv_backward_fast: the course's fast "
                                                     "layers need their Cython extension, which is not built")
    assert "python setup.py build_ext --inplace" in verdicts["conv_backward_fast"]
    assert "an im2col that your im2col.py does not define" in verdicts["max_pool_forward_fast"]
    # the net built on the course's fast layers is checked all the same, and says how
    assert "numpy stand-in for col2im_6d_cython" in verdicts["ThreeLayerConvNet"]
    assert "not found: svm_loss (none of the files above defines it)" in lines
    assert lines[-1] == "25 of 25 functions the same as cs231n_lib; the course's own functions: 4 the same, 1 not built"


def test_the_stand_in_for_the_missing_cython_is_the_gradient_of_the_courses_fast_conv(tmp_path):
    """The course's conv_backward_fast with the stand-in gives cs231n_lib's gradients (an independent
    route: the library's naive loops), in the settings of the conv checks."""
    import importlib

    from cs231n_lib import layers
    from cs231n_lib.check import assignment
    from cs231n_lib.check.conv import _CONV_CASES
    from cs231n_lib.gradient_check import rel_error

    sys.path.insert(0, str(FIXTURE))
    saved = {k: v for k, v in sys.modules.items() if k == "cs231n" or k.startswith("cs231n.")}
    for key in saved:
        del sys.modules[key]
    try:
        fast = importlib.import_module("cs231n.fast_layers")
        assert not hasattr(fast, "col2im_6d_cython")
        fast.col2im_6d_cython = assignment._col2im_6d
        for k, case in enumerate(_CONV_CASES):
            x, w, b, param = case.arrays(seed=k)
            out, cache = fast.conv_forward_fast(x, w, b, param)
            dout = x.sum() * 0 + __import__("numpy").random.default_rng(k).standard_normal(out.shape)
            for got, want in zip(fast.conv_backward_fast(dout, cache),
                                 layers.conv_backward_naive(dout, layers.conv_forward_naive(x, w, b, param)[1])):
                assert rel_error(got, want) < 1e-12, case.part
    finally:
        sys.path.remove(str(FIXTURE))
        for key in [k for k in sys.modules if k == "cs231n" or k.startswith("cs231n.")]:
            del sys.modules[key]
        sys.modules.update(saved)


# ---------------------------------------------------------------- typical mistakes, written into a copy
MISTAKES = [
    # (id, file, the line as written, the mistake, the function, words of its one finding)
    ("softmax overflow", "layers.py", "shifted = x - np.max(x, axis=1, keepdims=True)", "shifted = x",
     "softmax_loss", "np.exp overflows"),
    ("momentum reversed", "layers.py",
     "running_mean = momentum * running_mean + (1 - momentum) * sample_mean\n"
     "        running_var = momentum * running_var + (1 - momentum) * sample_var",
     "running_mean = (1 - momentum) * running_mean + momentum * sample_mean\n"
     "        running_var = (1 - momentum) * running_var + momentum * sample_var",
     "batchnorm_forward", "momentum the wrong way round"),
    ("eps outside the square root", "layers.py", "std = np.sqrt(sample_var + eps)", "std = np.sqrt(sample_var) + eps",
     "batchnorm_forward", "eps outside the square root"),
    ("test mode with batch statistics", "layers.py", "x_hat = (x - running_mean) / np.sqrt(running_var + eps)",
     "x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)",
     "batchnorm_forward", "'test' mode normalizes with the batch's own mean and variance"),
    ("dropout keeping 1 - p", "layers.py", "mask = (np.random.rand(*x.shape) < p) / p",
     "mask = (np.random.rand(*x.shape) > p) / p", "dropout_forward", "dropout keeping 1 - p"),
    ("dropout not inverted", "layers.py", "mask = (np.random.rand(*x.shape) < p) / p",
     "mask = np.random.rand(*x.shape) < p", "dropout_forward", "not inverted"),
    ("momentum's sign", "optim.py", "next_w = w + v", "next_w = w - v", "sgd_momentum", "momentum's sign"),
    ("config not updated in place", "optim.py", "next_w = w + v", "next_w = w + v\n    config = dict(config)",
     "sgd_momentum", "config not updated in place"),
    ("RMSProp without (1 - decay_rate)", "optim.py", "(1 - decay) * dw**2", "dw**2",
     "rmsprop", "RMSProp's (1 - decay_rate) missing"),
    ("Adam without bias correction", "optim.py",
     "m_hat = config[\"m\"] / (1 - beta1**t)\nv_hat = config[\"v\"] / (1 - beta2**t)".replace("\n", "\n    "),
     "m_hat = config[\"m\"]\nv_hat = config[\"v\"]".replace("\n", "\n    "),
     "adam", "Adam's bias correction missing"),
    ("Adam's t incremented after its use", "optim.py", "config[\"t\"] += 1\n    t = config[\"t\"]",
     "t = config[\"t\"]\n    config[\"t\"] += 1", "adam", "t incremented after its use"),
    ("regularization of the last layer missing from the loss", "classifiers/fc_net.py",
     "for i in range(1, L + 1):\n            W = self.params", "for i in range(1, L):\n            W = self.params",
     "FullyConnectedNet", "regularization of W3 missing from the loss"),
    ("regularization missing from one gradient", "classifiers/fc_net.py",
     "grads[f\"W{L}\"] = dW + self.reg * self.params[f\"W{L}\"]", "grads[f\"W{L}\"] = dW",
     "FullyConnectedNet", "regularization missing from grads['W3']"),
    ("float32 where float64 is due", "layers.py", "out = x.reshape(N, -1).dot(w) + b",
     "out = (x.reshape(N, -1).dot(w) + b).astype(np.float32)", "affine_forward",
     "out is float32 although the inputs are float64"),
    ("a list where an array is due", "layers.py", "out = np.maximum(0, x)", "out = np.maximum(0, x).tolist()",
     "relu_forward", "out is a Python list, not a numpy array"),
    ("input changed in place", "layers.py", "x_hat = (x - mean) / std\n", "x -= mean\n    x_hat = x / std\n",
     "layernorm_forward", "your layernorm_forward changed its input x in place"),
    ("batch norm's cache left None", "layers.py", "cache = (x_hat, gamma, std)\n        running_mean",
     "running_mean", "batchnorm_backward", "your batchnorm_forward returns the cache None"),
    ("dropout's mask left None", "layers.py", "mask = (np.random.rand(*x.shape) < p) / p\n        out = x * mask",
     "out = x * (np.random.rand(*x.shape) < p) / p", "dropout_backward", "returns the mask None in its cache"),
    ("momentum without the learning rate", "optim.py", "v = config[\"momentum\"] * v - config[\"learning_rate\"] * dw",
     "v = config[\"momentum\"] * v - dw", "sgd_momentum", "the learning rate missing"),
]


@pytest.mark.parametrize("rel, old, new, name, words", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_each_typical_mistake_in_the_starter_gets_its_own_diagnosis(tmp_path, rel, old, new, name, words):
    root = _copy(tmp_path)
    _edit(root, rel, old, new)
    report = check.run(root, only=[name])
    result = report[name]
    assert result.status == "failed" and len(result.findings) == 1, result.lines()
    assert words in result.findings[0], result.findings[0]
    assert not report.problems


def test_a_dropout_bug_in_test_mode_is_not_blamed_on_the_backward_pass(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "layers.py", "    out = x\n", "    out = x * p\n")
    report = check.run(root, only=["dropout_forward", "dropout_backward"])
    assert "'test' mode multiplies by p" in report["dropout_forward"].findings[0]
    assert report["dropout_backward"].passed, report["dropout_backward"].lines()


def test_remarks_that_do_not_fail_a_function(tmp_path):
    """Ties in max pooling given to every tied maximum, and dout changed in place: remarks, not failures
    (the assignment does not test them, and its own code is not hurt by them)."""
    root = _copy(tmp_path)
    _edit(root, "layers.py",
          "a, e = np.unravel_index(np.argmax(window), window.shape)\n"
          "                    dx[n, c, i * stride + a, j * stride + e] += dout[n, c, i, j]",
          "rows = slice(i * stride, i * stride + ph)\n"
          "                    cols = slice(j * stride, j * stride + pw)\n"
          "                    dx[n, c, rows, cols] += (window == window.max()) * dout[n, c, i, j]")
    _edit(root, "layers.py", "dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout")
    report = check.run(root, only=["max_pool_backward_naive", "relu_backward"])
    pool, relu = report["max_pool_backward_naive"], report["relu_backward"]
    assert pool.passed and len(pool.remarks) == 1 and "every tied input gets the whole dout" in pool.remarks[0]
    assert relu.passed and len(relu.remarks) == 1 and "changes dout, the gradient it was given, in place" in \
        relu.remarks[0]
    assert report.passed
    assert "[same as cs231n_lib] relu_backward; note: your relu_backward changes dout" in report.summary()


# ---------------------------------------------------------------- hostile code, written into a copy
HOSTILE = [
    # (file, the line as written, the hostile version, the function, words of its line); functions that
    # neither net calls, so that every other line stays the same
    ("layers.py", "window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]",
     "while True:\n                pass", "max_pool_forward_naive",
     "[stopped] max_pool_forward_naive: your code did not return within 5 s (an endless loop?) while running your "
     "max_pool_forward_naive, in the setting 'one channel': x (1, 1, 4, 4), pool 2x2, stride 2 (in "
     "max_pool_forward_naive, line"),
    ("layers.py", "x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode=\"constant\")\n    out = ",
     "import os\n    os._exit(0)\n    out = ", "conv_forward_naive",
     "[stopped] conv_forward_naive: your code ended the Python process (exit status 0) instead of returning "
     "while running your conv_forward_naive, in the setting 'one image, one channel, one filter, no bias'"),
    ("layers.py", "dxc += 2 * xc * dvar / N", "import sys\n    sys.exit(0)", "batchnorm_backward",
     "[differs] batchnorm_backward: your code raised SystemExit: 0 (in batchnorm_backward, line"),
    ("layers.py", "dx = dx.reshape(N, C, H, W)", "import ctypes\n    ctypes.string_at(0)", "spatial_groupnorm_backward",
     "[stopped] spatial_groupnorm_backward: your code crashed the Python process with signal 11 (SIGSEGV)"),
    ("layers.py", "dx = dx_pad[:, :, pad:pad + H, pad:pad + W]",
     "dx = dx_pad[:, :, pad:pad + H, pad:pad + W]\n    np.maximum = np.minimum", "conv_backward_naive",
     "[differs] conv_backward_naive: your code replaced np.maximum, for every later computation"),
    ("layers.py", "x_rows = x.transpose(0, 2, 3, 1).reshape(-1, C)",
     "np.seterr(all='raise')\n    x_rows = x.transpose(0, 2, 3, 1).reshape(-1, C)", "spatial_batchnorm_forward",
     "[differs] spatial_batchnorm_forward: your code changed numpy's error handling (np.seterr: "),
]


def test_hostile_code_is_reported_on_its_functions_line(tmp_path):
    """All of them at once, from the command line (a time limit of 5 s: the other functions need far
    less, even on a busy machine)."""
    root = _copy(tmp_path)
    for rel, old, new, _, _ in HOSTILE:
        _edit(root, rel, old, new)
    _edit(root, "layers.py", "import numpy as np\n", "import numpy as np\nnp.set_printoptions(precision=2)\n")
    code, out, err = _cli(root, "--time-limit", "5")
    assert code == 1, out + err
    lines = out.splitlines()
    for _, _, _, name, words in HOSTILE:
        line = next(line for line in lines if line.split("] ", 1)[-1].startswith(name))
        assert line.startswith(words), line
    assert ("[problem] cs231n/layers.py, when imported, changed numpy's print options (np.set_printoptions) for "
            "every later computation in the process") in out
    # every other function of the student is still checked, and the same (the backward passes whose
    # forward pass stopped read CS231n's cache instead)
    hostile = {h[3] for h in HOSTILE}
    for name in check.CHECKS:
        if name in hostile or check.CHECKS[name].provided or name == "svm_loss":
            continue
        line = next(line for line in lines if line.split("] ", 1)[-1].startswith(name))
        assert line.startswith(f"[same as cs231n_lib] {name}"), line
    assert lines[-1].startswith("19 of 25 functions the same as cs231n_lib"), lines[-1]


def test_a_file_that_ends_the_process_when_imported_is_a_problem_not_an_exit(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "optim.py", "import numpy as np\n", "import numpy as np\nimport os\nos._exit(0)\n")
    code, out, _ = _cli(root, "--only", "adam", "affine_forward")
    assert code == 1
    assert ("[problem] cs231n/optim.py: your code ended the Python process (exit status 0) instead of returning "
            "while running the import of your cs231n/optim.py") in out
    assert "[same as cs231n_lib] affine_forward" in out and "adam" in out.splitlines()[-2]


def test_the_untouched_starter_is_reported_as_not_written(tmp_path):
    """The stubs as the course ships them: every function of the student's is 'not written yet' or
    raises on the starter's own lines, nothing stops, the course's functions are not blamed."""
    root = _copy(tmp_path)
    for rel in STUBS:
        path = root / rel
        path.write_text(_blocks_replaced(path.read_text(encoding="utf-8"), by="pass"), encoding="utf-8")
    code, out, err = _cli(root)
    assert code == 1, out + err
    lines = out.splitlines()
    assert not any(line.startswith(("[stopped]", "[not checked]", "[problem]")) for line in lines), out
    assert re.search(r"\[differs\] affine_forward: out is None \(or not numbers\): not written yet", out)
    assert re.search(r"\[differs\] sgd_momentum: next_w is None \(or not numbers\): not written yet", out)
    for name in ("conv_forward_fast", "max_pool_forward_fast", "sgd"):
        assert f"[provided, same as cs231n_lib] {name}" in out, name
    assert lines[-1].startswith("0 of 25 functions the same as cs231n_lib"), lines[-1]


def test_the_readmes_example_lines_are_what_the_command_prints(tmp_path):
    readme = (FIXTURE.parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"it\nprints \(among its other lines\):\n\n```\n(.*?)\n```", readme, re.S)
    assert block, "the README's example of the command's output is gone"
    root = _copy(tmp_path)
    _edit(root, "layers.py", MISTAKES[1][2], MISTAKES[1][3])    # batch norm's momentum the wrong way round
    _edit(root, "layers.py", MISTAKES[4][2], MISTAKES[4][3])    # dropout keeping 1 - p
    _edit(root, "optim.py", MISTAKES[9][2], MISTAKES[9][3])     # Adam without its bias correction
    run = subprocess.run([sys.executable, "-m", "cs231n_lib.check", "assignment2"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 1
    for line in block.group(1).splitlines():
        assert line in run.stdout.splitlines(), line


def test_a_folder_with_only_the_courses_code_has_nothing_of_the_students_to_check(tmp_path):
    root = _copy(tmp_path)
    for rel in ("layers.py", "optim.py", "classifiers"):
        path = root / "cs231n" / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    code, out, _ = _cli(root)
    assert code == 2, out
    assert out.splitlines()[-1] == "no function of yours found; the course's own functions: 3 the same, 1 not built"
