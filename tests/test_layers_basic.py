"""affine, relu, softmax and SVM losses: analytic gradients against centred differences, losses against closed forms."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n_lib.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n_lib.layers import (
    affine_backward,
    affine_forward,
    relu_backward,
    relu_backward_deconvnet,
    relu_backward_guided,
    relu_forward,
    softmax_loss,
    svm_loss,
)


def test_affine_forward_matches_cs231n_published_values():
    # CS231n assignment 2 check: x, w, b from linspace; expected output published with the assignment.
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * np.prod(input_shape)
    weight_size = output_dim * np.prod(input_shape)
    x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    out, _ = affine_forward(x, w, b)
    correct = np.array([[1.49834967, 1.70660132, 1.91485297],
                        [3.25553199, 3.5141327, 3.77273342]])
    assert rel_error(out, correct) < 1e-8


def test_affine_forward_equals_explicit_loops():
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((3, 2, 2)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    out, _ = affine_forward(x, w, b)
    flat = x.reshape(3, 4)
    for i in range(3):
        for j in range(5):
            assert out[i, j] == pytest.approx(sum(flat[i, k] * w[k, j] for k in range(4)) + b[j])


def test_affine_backward_numerical():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: affine_forward(v, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: affine_forward(x, v, b)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda v: affine_forward(x, w, v)[0], b, dout)) < 1e-8


@pytest.mark.parametrize("xs, ws, bs, words", [
    ((2, 3, 4), (10, 5), (5,), "D = 12"),
    ((2, 12), (12, 5), (4,), "b.shape=(4,)"),
    ((2, 12), (12,), (5,), "w.shape=(12,)"),
])
def test_affine_shape_errors_name_both_shapes(xs, ws, bs, words):
    with pytest.raises(ValueError) as err:
        affine_forward(np.zeros(xs), np.zeros(ws), np.zeros(bs))
    assert words in str(err.value)
    assert str(xs) in str(err.value) or str(ws) in str(err.value)


def test_affine_backward_refuses_wrong_dout():
    _, cache = affine_forward(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(2, 4\)"):
        affine_backward(np.zeros((2, 5)), cache)


def test_relu_forward_and_backward():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    out, cache = relu_forward(x)
    assert np.array_equal(out, np.where(x > 0, x, 0))
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 1e-3] = 0.1  # keep away from the kink for the numerical gradient
    dout = rng.standard_normal((4, 5))
    _, cache = relu_forward(x)
    num = eval_numerical_gradient_array(lambda v: relu_forward(v)[0], x, dout)
    assert rel_error(relu_backward(dout, cache), num) < 1e-9
    with pytest.raises(ValueError, match="x.shape"):
        relu_backward(np.zeros((5, 4)), cache)


def test_guided_and_deconvnet_relu_rules_on_a_hand_worked_example():
    # forward input x and incoming gradient dout, element by element:
    x = np.array([[-1.0, 2.0, 0.5], [3.0, -2.0, 0.0]])
    dout = np.array([[1.0, -1.0, 2.0], [-3.0, 4.0, 5.0]])
    _, cache = relu_forward(x)
    # backprop: pass where x > 0                    -> [[0, -1, 2], [-3, 0, 0]]
    assert np.array_equal(relu_backward(dout, cache), [[0, -1, 2], [-3, 0, 0]])
    # guided (Springenberg et al.): x > 0 and dout > 0 -> only the 2 at (0, 2) survives
    assert np.array_equal(relu_backward_guided(dout, cache), [[0, 0, 2], [0, 0, 0]])
    # deconvnet (Zeiler & Fergus): dout > 0, whatever x was
    assert np.array_equal(relu_backward_deconvnet(dout, cache), [[1, 0, 2], [0, 4, 5]])
    for rule in (relu_backward_guided, relu_backward_deconvnet):
        with pytest.raises(ValueError, match="x.shape"):
            rule(np.zeros((3, 2)), cache)


def test_softmax_loss_closed_forms():
    # equal scores: every class has probability 1/C, loss = ln C
    loss, dx = softmax_loss(np.zeros((7, 10)), np.arange(7))
    assert loss == pytest.approx(math.log(10))
    # one example, two classes: loss = ln(1 + e^{-(s_y - s_other)})
    loss, _ = softmax_loss(np.array([[2.0, -1.0]]), np.array([0]))
    assert loss == pytest.approx(math.log1p(math.exp(-3.0)))
    # huge scores do not overflow
    loss, dx = softmax_loss(np.array([[1000.0, 0.0]]), np.array([1]))
    assert loss == pytest.approx(1000.0) and np.all(np.isfinite(dx))


def test_softmax_and_svm_gradients_numerical():
    rng = np.random.default_rng(4)
    x = 0.01 * rng.standard_normal((20, 6))
    y = rng.integers(6, size=20)
    for fn, tol in ((softmax_loss, 1e-7), (svm_loss, 1e-7)):
        _, dx = fn(x, y)
        num = eval_numerical_gradient(lambda v: fn(v, y)[0], x.copy(), verbose=False)
        assert rel_error(dx, num) < tol, fn.__name__


def test_svm_loss_closed_form():
    x = np.array([[3.0, 1.0, 2.5], [0.0, 0.0, 0.0]])
    y = np.array([0, 2])
    # example 0: margins max(0, 1-3+1)=0, max(0, 2.5-3+1)=0.5; example 1: 1 + 1
    loss, _ = svm_loss(x, y)
    assert loss == pytest.approx((0.5 + 2.0) / 2)


@pytest.mark.parametrize("fn", [softmax_loss, svm_loss])
def test_losses_refuse_bad_labels(fn):
    with pytest.raises(ValueError, match=r"y.shape=\(3,\)"):
        fn(np.zeros((4, 3)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="0..2"):
        fn(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        fn(np.zeros(3), np.zeros(3, dtype=int))


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 60.0))
def test_softmax_gradient_in_float32_has_the_signs_of_float64_even_when_saturated(seed, margin):
    """p_y rounds to 1 in float32 for a confident example; the true-class entry must not become 0.

    The float64 gradient is the reference: every entry's sign agrees, and the float32 entries
    are within float32 rounding of it (relative to each row's largest entry)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6, 10))
    y = rng.integers(0, 10, size=6)
    x[np.arange(6), y] += margin                  # from unsure (0) to far beyond float32's 1 - 2**-24
    _, d64 = softmax_loss(x, y)
    _, d32 = softmax_loss(x.astype(np.float32), y)
    assert d32.dtype == np.float32
    np.testing.assert_array_equal(np.sign(d32), np.sign(d64))
    scale = np.abs(d64).max(axis=1, keepdims=True)
    assert np.all(np.abs(d32 - d64) <= 1e-5 * scale)


def test_softmax_gradient_of_a_saturated_example_by_hand():
    """Scores (40, 0, 0): p = (1 - 2e, e, e) with e = exp(-40); the gradient is (-2e, e, e) exactly."""
    x = np.array([[40.0, 0.0, 0.0]], dtype=np.float32)
    _, dx = softmax_loss(x, np.array([0]))
    e = np.exp(-40.0)
    np.testing.assert_allclose(dx[0], [-2 * e, e, e], rtol=1e-6)
