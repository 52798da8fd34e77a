"""cs231n_lib.check: a student's own 4-D conv layers compared with the library's.

Each deliberately broken conv in tests/student_convs.py (one mistake each, written as
a student would) must get its own diagnosis, and only that one; right answers written
differently (loops, one einsum, a cache of their own making) pass; exceptions in the
student's code are reported with their line, never raised.
"""
import re

import numpy as np
import pytest

import student_convs as S
from cs231n_lib import check, layers
from cs231n_lib.check import conv as C
from cs231n_lib.gradient_check import eval_numerical_gradient_array, rel_error


def test_the_references_agree_with_the_library_and_with_numerical_gradients():
    """The check's own references (written apart from cs231n_lib.layers) are right."""
    rng = np.random.default_rng(0)
    for case in C._CONV_CASES:
        x, w, b, param = case.arrays(seed=1)
        out, cache = layers.conv_forward_naive(x, w, b, param)
        ref = C._conv_reference(x, w, b, param["stride"], param["pad"])
        assert rel_error(out, ref) < 1e-12
        dout = rng.standard_normal(out.shape)
        dx_pad, dw, db = C._backward_reference(dout, x, w, param["stride"], param["pad"])
        p = param["pad"]
        dx = dx_pad[:, :, p:p + x.shape[2], p:p + x.shape[3]]
        f = lambda v: layers.conv_forward_naive(v, w, b, param)[0]  # noqa: E731
        assert rel_error(dx, eval_numerical_gradient_array(f, x.copy(), dout)) < 1e-6
        g = lambda v: layers.conv_forward_naive(x, v, b, param)[0]  # noqa: E731
        assert rel_error(dw, eval_numerical_gradient_array(g, w.copy(), dout)) < 1e-6
        assert rel_error(db, dout.sum(axis=(0, 2, 3))) < 1e-12


@pytest.mark.parametrize("forward", [layers.conv_forward_naive, S.forward(), S.forward_vectorised],
                         ids=["library", "student loops", "student einsum"])
def test_right_forward_passes(forward):
    report = check.conv_forward(forward)
    assert report.passed, report
    assert "[same as cs231n_lib] conv_forward_naive" in str(report)


@pytest.mark.parametrize("backward, forward", [
    (layers.conv_backward_naive, layers.conv_forward_naive),
    (S.backward(), None),                             # CS231n's cache (x, w, b, conv_param)
    (S.backward(), S.forward()),
    (S.backward_for_vectorised, S.forward_vectorised),  # a cache of the student's own making
], ids=["library", "student, no forward", "student", "student, own cache"])
def test_right_backward_passes(backward, forward):
    report = check.conv_backward(backward, forward)
    assert report.passed, report


@pytest.mark.parametrize("mistake", S.FORWARD_MISTAKES)
def test_each_broken_forward_gets_its_own_diagnosis(mistake):
    result = check.conv_forward(S.forward(mistake))["conv_forward_naive"]
    assert result.status == "failed"
    assert len(result.findings) == 1, "\n".join(result.findings)
    assert S.FORWARD_MISTAKES[mistake] in result.findings[0], result.findings[0]


@pytest.mark.parametrize("mistake", S.BACKWARD_MISTAKES)
def test_each_broken_backward_gets_its_own_diagnosis(mistake):
    result = check.conv_backward(S.backward(mistake), S.forward())["conv_backward_naive"]
    assert result.status == "failed"
    assert len(result.findings) == 1, "\n".join(result.findings)
    assert S.BACKWARD_MISTAKES[mistake] in result.findings[0], result.findings[0]


def test_diagnoses_differ_from_mistake_to_mistake():
    forward = {m: check.conv_forward(S.forward(m))["conv_forward_naive"].findings[0].split(" (")[0]
               for m in S.FORWARD_MISTAKES}
    backward = {m: check.conv_backward(S.backward(m), S.forward())["conv_backward_naive"].findings[0].split(" (")[0]
                for m in S.BACKWARD_MISTAKES}
    for found in (forward, backward):
        assert len(set(found.values())) == len(found), found


def test_a_crash_is_reported_with_the_students_line_and_never_raised():
    def conv_forward_naive(x, w, b, conv_param):
        N = x.shape[0]
        return x[N + 5], None
    report = check.conv_forward(conv_forward_naive)
    assert not report.passed
    text = str(report)
    assert "IndexError" in text and "`return x[N + 5], None`" in text

    def conv_backward_naive(dout, cache):
        raise RuntimeError("not finished")
    assert "RuntimeError: not finished" in str(check.conv_backward(conv_backward_naive))


def test_a_broken_forward_does_not_break_the_backward_check():
    report = check.conv_backward(S.backward(), S.forward("crashes with several filters"))
    result = report["conv_backward_naive"]
    # the student's cache is used where the forward pass works, CS231n's cache elsewhere
    assert result.status == "failed"
    assert any("CS231n's cache" in f for f in result.findings)


def test_the_report_shows_measured_errors_not_booleans():
    text = str(check.run(conv_forward_naive=layers.conv_forward_naive,
                         conv_backward_naive=layers.conv_backward_naive))
    assert "True" not in text and "False" not in text
    assert "largest relative error of out over the 9 with the right shape: 0 (the same numbers)" in text
    # the settings hold multiples of 1/4, so every sum is exact: a right layer matches to the last bit
    assert "agree: dx 0, dw 0, db 0" in text, text


def test_run_reads_a_module_a_dict_and_a_file(tmp_path):
    assert check.run(layers).passed
    assert [r.name for r in check.run({"conv_forward_naive": S.forward()}).results] == ["conv_forward_naive"]
    path = tmp_path / "my_layers.py"
    path.write_text(
        "import numpy as np\n"
        "def conv_forward_naive(x, w, b, conv_param):\n"
        "    p = conv_param['pad']\n"
        "    out = np.zeros((1,))\n"
        "    return out, None\n")
    result = check.run(str(path))["conv_forward_naive"]
    assert result.status == "failed" and "out has shape (1,)" in result.findings[0]
    assert "No function to check" in str(check.run({}))
    with pytest.raises(ValueError, match="no check for"):
        check.run(conv_forwrad_naive=S.forward())


def test_the_registry_can_grow():
    """A new check is one decorated function (what the next layers will do)."""
    @check.register("double", "a function that doubles")
    def _double(functions):
        ok = functions["double"](2) == 4
        return check.CheckResult("double", "a function that doubles", "passed" if ok else "failed",
                                 [] if ok else ["2 should give 4"])
    try:
        assert check.run(double=lambda v: 2 * v).passed
        assert "2 should give 4" in str(check.run(double=lambda v: v + 1))
    finally:
        del check.CHECKS["double"]


def test_the_readmes_example_report_is_what_check_prints():
    import pathlib

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"A forward pass that pads only after the image, for instance, gets\n\n```\n(.*?)\n```",
                      readme, re.S)
    assert block, "the README's example of a report is gone"
    report = str(check.conv_forward(S.forward("padding after")))
    for line in block.group(1).splitlines():
        assert line in report.splitlines(), line
