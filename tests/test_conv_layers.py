"""Convolution layers: naive, im2col and fast agree with each other and with scipy.

The independent route is ``scipy.signal``: the forward pass is a sum over
channels of 2-D cross-correlations with the dilated filter, sub-sampled by
the stride; dx is a *full convolution* (flipped filters) of the stride-
upsampled dout with the dilated filters; dw is a cross-correlation of the
padded input with the upsampled dout.  Gradients are also checked
numerically, and against CS231n's published numbers.
"""
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import signal

from cs231n_lib import fast_layers, layers
from cs231n_lib.gradient_check import eval_numerical_gradient_array, rel_error

FORWARDS = {
    "naive": (layers.conv_forward_naive, layers.conv_backward_naive),
    "im2col": (fast_layers.conv_forward_im2col, fast_layers.conv_backward_im2col),
    "fast": (fast_layers.conv_forward_fast, fast_layers.conv_backward_fast),
}


def _fast_forced(chunk_bytes, nhwc_min_channels):
    """The fast layer with its chunk size and memory-order switch set, so that every test
    also runs the routes the small test arrays would not take by themselves."""
    def forced(fn):
        def call(*args):
            with mock.patch.object(fast_layers, "_CHUNK_BYTES", chunk_bytes), \
                    mock.patch.object(fast_layers, "_NHWC_MIN_CHANNELS", nhwc_min_channels):
                return fn(*args)
        return call
    return forced(fast_layers.conv_forward_fast), forced(fast_layers.conv_backward_fast)


FORWARDS["fast, NCHW, one image per chunk"] = _fast_forced(1, 10**9)
FORWARDS["fast, NHWC, whole batch"] = _fast_forced(10**12, 1)
FORWARDS["fast, NHWC, one image per chunk"] = _fast_forced(1, 1)
IMPLS = list(FORWARDS)


# ------------------------------------------------------------ independent route
def _dilate_filter(w2d, d):
    """Insert d - 1 zeros between the taps of a 2-D filter."""
    HH, WW = w2d.shape
    out = np.zeros((d * (HH - 1) + 1, d * (WW - 1) + 1))
    out[::d, ::d] = w2d
    return out


def scipy_conv(x, w, b, stride, pad, dil):
    """Forward, dx, dw given dout: everything through scipy.signal, no im2col, no loops over pixels."""
    N, C = x.shape[:2]
    F = w.shape[0]
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = []
    for n in range(N):
        maps = []
        for f in range(F):
            full = sum(
                signal.correlate2d(x_pad[n, c], _dilate_filter(w[f, c], dil), mode="valid")
                for c in range(C)
            )
            maps.append(full[::stride, ::stride] + b[f])
        out.append(maps)
    return np.array(out)


def scipy_backward(dout, x, w, stride, pad, dil):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    span_h, span_w = dil * (HH - 1) + 1, dil * (WW - 1) + 1
    # dout placed back on the stride-1 grid of window positions (zeros elsewhere)
    up = np.zeros((N, F, x_pad.shape[2] - span_h + 1, x_pad.shape[3] - span_w + 1))
    up[:, :, ::stride, ::stride] = dout
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for n in range(N):
        for c in range(C):
            for f in range(F):
                # the backward pass is a convolution with the spatially flipped filter
                dx_pad[n, c] += signal.convolve2d(up[n, f], _dilate_filter(w[f, c], dil), mode="full")
                dw[f, c] += signal.correlate2d(x_pad[n, c], up[n, f], mode="valid")[::dil, ::dil]
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, dout.sum(axis=(0, 2, 3))


@st.composite
def conv_cases(draw):
    """A random valid geometry (built from the output size, so it always tiles)."""
    N = draw(st.integers(1, 2))
    C = draw(st.integers(1, 3))
    F = draw(st.integers(1, 3))
    HH = draw(st.integers(1, 4))
    WW = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 3))
    dil = draw(st.integers(1, 3))
    pad = draw(st.integers(0, 2))
    H_out = draw(st.integers(1, 4))
    W_out = draw(st.integers(1, 4))
    H = (H_out - 1) * stride + dil * (HH - 1) + 1 - 2 * pad
    W = (W_out - 1) * stride + dil * (WW - 1) + 1 - 2 * pad
    H += 0 if H >= 1 else stride * (-(-(1 - H) // stride))   # grow by whole strides until H >= 1
    W += 0 if W >= 1 else stride * (-(-(1 - W) // stride))
    seed = draw(st.integers(0, 2**16))
    return (N, C, H, W), (F, C, HH, WW), stride, pad, dil, seed


def _arrays(x_shape, w_shape, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, b, rng


# ------------------------------------------------------------------- CS231n
def _cs231n_inputs():
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x = np.linspace(-0.1, 0.5, num=np.prod(x_shape)).reshape(x_shape)
    w = np.linspace(-0.2, 0.3, num=np.prod(w_shape)).reshape(w_shape)
    b = np.linspace(-0.1, 0.2, num=3)
    return x, w, b


@pytest.mark.parametrize("impl", IMPLS)
def test_cs231n_forward_check(impl):
    x, w, b = _cs231n_inputs()
    out, _ = FORWARDS[impl][0](x, w, b, {"stride": 2, "pad": 1})
    correct = np.array([[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]])
    assert out.shape == (2, 3, 2, 2)
    assert rel_error(out[0, 0], correct) < 1e-7
    # and the whole output matches the independent route
    assert rel_error(out, scipy_conv(x, w, b, 2, 1, 1)) < 1e-12


# --------------------------------------------------------- property tests
@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_forward_and_backward_agree_with_scipy(case):
    x_shape, w_shape, stride, pad, dil, seed = case
    x, w, b, rng = _arrays(x_shape, w_shape, seed)
    param = {"stride": stride, "pad": pad, "dilation": dil}
    ref = scipy_conv(x, w, b, stride, pad, dil)
    dout = rng.standard_normal(ref.shape)
    ref_grads = scipy_backward(dout, x, w, stride, pad, dil)
    for impl in IMPLS:
        forward, backward = FORWARDS[impl]
        out, cache = forward(x, w, b, param)
        assert out.shape == ref.shape, impl
        np.testing.assert_allclose(out, ref, rtol=1e-10, atol=1e-12, err_msg=impl)
        for name, got, want in zip(("dx", "dw", "db"), backward(dout, cache), ref_grads):
            assert got.shape == want.shape, (impl, name)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"{impl} {name}")


@settings(max_examples=15, deadline=None)
@given(conv_cases())
def test_float32_stays_float32_and_matches_float64(case):
    x_shape, w_shape, stride, pad, dil, seed = case
    x, w, b, rng = _arrays(x_shape, w_shape, seed)
    param = {"stride": stride, "pad": pad, "dilation": dil}
    ref = scipy_conv(x, w, b, stride, pad, dil)
    dout = rng.standard_normal(ref.shape)
    ref_grads = scipy_backward(dout, x, w, stride, pad, dil)
    x32, w32, b32, d32 = (a.astype(np.float32) for a in (x, w, b, dout))
    for impl in IMPLS:
        forward, backward = FORWARDS[impl]
        out, cache = forward(x32, w32, b32, param)
        assert out.dtype == np.float32, impl
        np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4, err_msg=impl)
        for got, want in zip(backward(d32, cache), ref_grads):
            assert got.dtype == np.float32, impl
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=impl)


# ------------------------------------------------------------ gradient checks
GRAD_CASES = [
    ((2, 3, 5, 5), (2, 3, 3, 3), {"stride": 1, "pad": 1}),              # CS231n's own check
    ((1, 2, 7, 6), (3, 2, 3, 2), {"stride": 2, "pad": 1}),
    ((2, 2, 7, 7), (2, 2, 3, 3), {"stride": 1, "pad": 2, "dilation": 2}),
    ((1, 1, 10, 10), (2, 1, 2, 3), {"stride": 3, "pad": 0, "dilation": 3}),
]


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("x_shape, w_shape, param", GRAD_CASES)
def test_numerical_gradients(impl, x_shape, w_shape, param):
    forward, backward = FORWARDS[impl]
    x, w, b, rng = _arrays(x_shape, w_shape, 7)
    out, cache = forward(x, w, b, param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: forward(v, w, b, param)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda v: forward(x, v, b, param)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda v: forward(x, w, v, param)[0], b, dout)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dw, dw_num) < 1e-7
    assert rel_error(db, db_num) < 1e-7


def test_a_wrong_backward_fails_the_gradient_check():
    """The check above can fail: a backward pass with an unflipped filter is caught."""
    x, w, b, rng = _arrays((1, 1, 5, 5), (1, 1, 3, 3), 3)
    param = {"stride": 1, "pad": 1}
    out, cache = layers.conv_forward_naive(x, w, b, param)
    dout = rng.standard_normal(out.shape)
    wrong_cache = (x, w[:, :, ::-1, ::-1], b, param)
    dx_wrong = layers.conv_backward_naive(dout, wrong_cache)[0]
    dx_num = eval_numerical_gradient_array(lambda v: layers.conv_forward_naive(v, w, b, param)[0], x, dout)
    assert rel_error(dx_wrong, dx_num) > 1e-2


# ------------------------------------------------------------ API details
@pytest.mark.parametrize("impl", IMPLS)
def test_inputs_are_not_modified(impl):
    forward, backward = FORWARDS[impl]
    x, w, b, rng = _arrays((2, 2, 5, 5), (3, 2, 3, 3), 1)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = forward(x, w, b, {"stride": 2, "pad": 1})
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    backward(dout, cache)
    for a, c in zip((x, w, b, dout), copies + [dout_copy]):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("impl", IMPLS)
def test_one_by_one_convolution_is_a_matrix_multiply_over_depth(impl):
    x, w, b, _ = _arrays((2, 5, 4, 3), (7, 5, 1, 1), 2)
    out, _ = FORWARDS[impl][0](x, w, b, {"stride": 1, "pad": 0})
    expected = np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x) + b[None, :, None, None]
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("impl", IMPLS)
def test_integer_inputs_give_float64(impl):
    x = np.arange(16).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=int)
    out, _ = FORWARDS[impl][0](x, w, np.zeros(1, dtype=int), {"stride": 2, "pad": 0})
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, 0], [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]])


# ------------------------------------------------------------ bad input
GOOD_X, GOOD_W, GOOD_B = np.zeros((2, 3, 5, 5)), np.zeros((4, 3, 3, 3)), np.zeros(4)
BAD_INPUTS = [
    # (x, w, b, conv_param, words that must appear in the message)
    (np.zeros((2, 3, 5, 5)), np.zeros((4, 2, 3, 3)), GOOD_B, {"stride": 1, "pad": 0},
     ["(2, 3, 5, 5)", "(4, 2, 3, 3)", "channel"]),
    (np.zeros((3, 5, 5)), GOOD_W, GOOD_B, {"stride": 1, "pad": 0}, ["x.shape=(3, 5, 5)", "(N, C, H, W)"]),
    (GOOD_X, np.zeros((3, 3, 3)), GOOD_B, {"stride": 1, "pad": 0}, ["w.shape=(3, 3, 3)", "(F, C, HH, WW)"]),
    (GOOD_X, GOOD_W, np.zeros(3), {"stride": 1, "pad": 0}, ["b.shape=(3,)", "(4, 3, 3, 3)"]),
    (np.zeros((2, 3, 6, 5)), GOOD_W, GOOD_B, {"stride": 2, "pad": 0},
     ["(6 - 3 + 2*0)/2 + 1 = 2.5", "height", "(2, 3, 6, 5)"]),
    (GOOD_X, GOOD_W, GOOD_B, {"stride": 1, "pad": 0, "dilation": 3}, ["F_eff", "does not fit"]),
    (GOOD_X, GOOD_W, GOOD_B, {"stride": 1}, ["missing", "pad"]),
    (GOOD_X, GOOD_W, GOOD_B, {"stride": 1, "pad": 0, "dilatation": 2}, ["unknown", "dilatation"]),
    (GOOD_X, GOOD_W, GOOD_B, {"stride": 0, "pad": 0}, ["S must be positive"]),
    (GOOD_X, GOOD_W, GOOD_B, {"stride": 1.5, "pad": 0}, ["integer"]),
]


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("x, w, b, param, words", BAD_INPUTS)
def test_bad_input_raises_a_helpful_value_error(impl, x, w, b, param, words):
    with pytest.raises(ValueError) as info:
        FORWARDS[impl][0](x, w, b, param)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("impl", IMPLS)
def test_wrong_dout_shape_names_both_shapes(impl):
    forward, backward = FORWARDS[impl]
    out, cache = forward(GOOD_X, GOOD_W, GOOD_B, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match=r"\(2, 4, 4, 4\).*\(2, 4, 5, 5\)"):
        backward(np.zeros((2, 4, 4, 4)), cache)


def test_fast_layers_can_be_interleaved():
    """Two same-shaped layers: forward A, forward B, backward B, backward A (as in a net).

    The fast path reuses scratch arrays between calls; its caches must not depend on them.
    """
    param = {"stride": 1, "pad": 1}
    xa, wa, ba, rng = _arrays((2, 3, 6, 6), (3, 3, 3, 3), 11)
    xb, wb, bb, _ = _arrays((2, 3, 6, 6), (3, 3, 3, 3), 12)
    out_a, cache_a = fast_layers.conv_forward_fast(xa, wa, ba, param)
    out_b, cache_b = fast_layers.conv_forward_fast(xb, wb, bb, param)
    dout = rng.standard_normal(out_a.shape)
    grads_b = fast_layers.conv_backward_fast(dout, cache_b)
    grads_a = fast_layers.conv_backward_fast(dout, cache_a)
    for (x, w, b), out, grads in (((xa, wa, ba), out_a, grads_a), ((xb, wb, bb), out_b, grads_b)):
        ref_out, ref_cache = layers.conv_forward_naive(x, w, b, param)
        np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-12)
        for got, want in zip(grads, layers.conv_backward_naive(dout, ref_cache)):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    fast_layers.release_workspace()
    out_again, _ = fast_layers.conv_forward_fast(xa, wa, ba, param)
    np.testing.assert_array_equal(out_again, out_a)
