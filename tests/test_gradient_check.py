"""gradient_check: numerical gradients against closed forms, and rel_error."""
import numpy as np
import pytest

from cs231n_lib.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)


def test_rel_error_matches_its_definition():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == pytest.approx(0.5)   # |3-1|/(3+1)
    assert rel_error(0.0, 0.0) == 0.0                              # the 1e-8 floor avoids 0/0
    assert rel_error(0.0, 1e-9) == pytest.approx(1e-9 / 1e-8)
    assert isinstance(rel_error(np.float32(1), np.float32(2)), float)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        rel_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_closed_forms():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    before = x.copy()
    grad = eval_numerical_gradient(lambda v: np.sum(v ** 3), x, verbose=False)
    # for a cubic the centred difference is exactly 3x^2 + h^2 (up to rounding)
    np.testing.assert_allclose(grad - 3 * x ** 2, 1e-10, atol=2e-10)
    assert rel_error(grad, 3 * x ** 2) < 1e-7
    np.testing.assert_array_equal(x, before)          # every nudge is undone
    grad = eval_numerical_gradient(lambda v: np.sum(np.sin(v)), x, verbose=False)
    assert rel_error(grad, np.cos(x)) < 1e-8


def test_verbose_prints_every_index(capsys):
    eval_numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1.0, 2.0]))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("(0,)")


def test_numerical_gradient_array_is_the_backward_pass():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3))
    df = rng.standard_normal((3, 2))
    # f(x) = x.T * 2: the backward pass of a transpose-and-scale is df.T * 2
    grad = eval_numerical_gradient_array(lambda v: 2 * v.T, x, df)
    assert rel_error(grad, 2 * df.T) < 1e-9
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        eval_numerical_gradient_array(lambda v: 2 * v.T, x, df.T)


def test_grad_check_sparse_passes_a_right_and_catches_a_wrong_gradient(capsys):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 5))
    f = lambda v: np.sum(v ** 2)  # noqa: E731
    good = grad_check_sparse(f, x, 2 * x, num_checks=5)
    assert len(good) == 5 and max(r[3] for r in good) < 1e-8
    assert "relative error" in capsys.readouterr().out
    bad = grad_check_sparse(f, x, x, num_checks=5, verbose=False)   # off by a factor 2
    assert min(r[3] for r in bad) == pytest.approx(1 / 3, rel=1e-6)
    assert capsys.readouterr().out == ""
    # deterministic: the same seed checks the same entries
    assert [r[0] for r in good] == [r[0] for r in grad_check_sparse(f, x, 2 * x, 5, verbose=False)]


def test_non_float_input_is_rejected():
    with pytest.raises(ValueError, match="floating-point"):
        eval_numerical_gradient(np.sum, np.arange(3), verbose=False)
    with pytest.raises(ValueError, match="analytic_grad.shape"):
        grad_check_sparse(np.sum, np.zeros(3), np.zeros(4))
