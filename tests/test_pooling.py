"""Pooling layers: naive loops, the fast routes and an independent route agree.

The independent route is numpy's ``sliding_window_view`` (which our code does
not use) reduced with max / mean / L2 norm; gradients are checked against
central differences (``cs231n_lib.gradient_check``) of that route, in float64,
on inputs with no ties.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from cs231n_lib import fast_layers, layers
from cs231n_lib.gradient_check import eval_numerical_gradient_array, rel_error

KINDS = ("max", "avg", "l2")
REDUCE = {
    "max": lambda w: w.max(axis=(-2, -1)),
    "avg": lambda w: w.mean(axis=(-2, -1)),
    "l2": lambda w: np.sqrt((w ** 2).sum(axis=(-2, -1))),
}


def naive(kind):
    return (getattr(layers, f"{kind}_pool_forward_naive"),
            getattr(layers, f"{kind}_pool_backward_naive"))


def fast(kind):
    return (getattr(fast_layers, f"{kind}_pool_forward_fast"),
            getattr(fast_layers, f"{kind}_pool_backward_fast"))


def pool_param(hh, ww, s):
    return {"pool_height": hh, "pool_width": ww, "stride": s}


def reference_pool(x, kind, hh, ww, s):
    """Independent forward pass: every window from sliding_window_view, then reduce."""
    windows = sliding_window_view(x, (hh, ww), axis=(2, 3))[:, :, ::s, ::s]
    return REDUCE[kind](windows)


def distinct_values(rng, shape):
    """Continuous random values at least 0.09 apart: no ties, no near-ties for max pooling."""
    size = int(np.prod(shape))
    return ((rng.permutation(size) * 0.1 + rng.uniform(0, 0.01, size)) - 0.05 * size).reshape(shape)


@st.composite
def geometries(draw, tiling=False):
    """A valid (x shape, hh, ww, s): built from the output size so it always tiles."""
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 2))
    if tiling:
        s = draw(st.integers(1, 3))
        hh = ww = s
    else:
        hh = draw(st.integers(1, 3))
        ww = draw(st.integers(1, 3))
        s = draw(st.integers(1, 3))
    h_out = draw(st.integers(1, 3))
    w_out = draw(st.integers(1, 3))
    shape = (n, c, (h_out - 1) * s + hh, (w_out - 1) * s + ww)
    seed = draw(st.integers(0, 2**31 - 1))
    return shape, hh, ww, s, seed


# ------------------------------------------------------------ known values
def test_cs231n_max_pool_forward_check():
    x = np.linspace(-0.3, 0.4, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    want = np.array([[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]])
    for forward in (layers.max_pool_forward_naive, fast_layers.max_pool_forward_fast):
        out, _ = forward(x, pool_param(2, 2, 2))
        assert out.shape == (2, 3, 2, 2)
        assert rel_error(out[0, 0], want) < 1e-7


def test_hand_example_all_three_kinds():
    x = np.array([[1., 1., 2., 4.], [5., 6., 7., 8.], [3., 2., 1., 0.], [1., 2., 3., 4.]])[None, None]
    pp = pool_param(2, 2, 2)
    want = {
        "max": [[6, 8], [3, 4]],
        "avg": [[13 / 4, 21 / 4], [8 / 4, 8 / 4]],
        "l2": [[np.sqrt(1 + 1 + 25 + 36), np.sqrt(4 + 16 + 49 + 64)],
               [np.sqrt(9 + 4 + 1 + 4), np.sqrt(1 + 0 + 9 + 16)]],
    }
    for kind in KINDS:
        for forward, _ in (naive(kind), fast(kind)):
            out, _ = forward(x, pp)
            np.testing.assert_allclose(out[0, 0], want[kind], rtol=1e-12)


def test_max_pool_backward_hand_example_routes_to_the_argmax():
    x = np.array([[1., 1., 2., 4.], [5., 6., 7., 8.], [3., 2., 1., 0.], [1., 2., 3., 4.]])[None, None]
    dout = np.array([[10., 20.], [30., 40.]])[None, None]
    want = np.zeros((4, 4))
    want[1, 1], want[1, 3], want[2, 0], want[3, 3] = 10, 20, 30, 40
    for forward, backward in (naive("max"), fast("max")):
        out, cache = forward(x, pool_param(2, 2, 2))
        np.testing.assert_array_equal(cache[2][0, 0], [[3, 3], [0, 3]])
        np.testing.assert_array_equal(backward(dout, cache)[0, 0], want)


def test_pooling_224x224x64_to_112x112x64():
    x = np.zeros((1, 64, 224, 224), dtype=np.float32)
    out, _ = fast_layers.max_pool_forward_fast(x, pool_param(2, 2, 2))
    assert out.shape == (1, 64, 112, 112)
    assert out.size * 4 == x.size


# ------------------------------------------------------------ properties
@settings(max_examples=30, deadline=None)
@given(geometries())
def test_forward_naive_fast_and_reference_agree(geometry):
    shape, hh, ww, s, seed = geometry
    x = np.random.default_rng(seed).standard_normal(shape)
    pp = pool_param(hh, ww, s)
    for kind in KINDS:
        want = reference_pool(x, kind, hh, ww, s)
        out_naive, _ = naive(kind)[0](x, pp)
        out_fast, _ = fast(kind)[0](x, pp, method="windows")
        np.testing.assert_allclose(out_naive, want, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(out_fast, want, rtol=1e-12, atol=1e-14)
        if hh == ww == s:
            out_reshape, _ = fast(kind)[0](x, pp, method="reshape")
            np.testing.assert_allclose(out_reshape, want, rtol=1e-12, atol=1e-14)


@settings(max_examples=20, deadline=None)
@given(geometries())
def test_backward_matches_numerical_gradient(geometry):
    shape, hh, ww, s, seed = geometry
    rng = np.random.default_rng(seed)
    pp = pool_param(hh, ww, s)
    for kind in KINDS:
        x = distinct_values(rng, shape) if kind == "max" else rng.standard_normal(shape)
        out, cache = naive(kind)[0](x, pp)
        dout = rng.standard_normal(out.shape)
        num = eval_numerical_gradient_array(lambda z: reference_pool(z, kind, hh, ww, s), x.copy(), dout)
        dx_naive = naive(kind)[1](dout, cache)
        _, cache_fast = fast(kind)[0](x, pp, method="windows")
        dx_fast = fast(kind)[1](dout, cache_fast, method="windows")
        assert rel_error(dx_naive, num) < 1e-7, kind
        assert rel_error(dx_fast, num) < 1e-7, kind


@settings(max_examples=20, deadline=None)
@given(geometries(tiling=True))
def test_reshape_route_matches_windows_route_forward_and_backward(geometry):
    shape, hh, ww, s, seed = geometry
    rng = np.random.default_rng(seed)
    pp = pool_param(hh, ww, s)
    x = rng.standard_normal(shape)
    assert fast_layers.pool_method(shape, pp) == "reshape"
    for kind in KINDS:
        forward, backward = fast(kind)
        out_r, cache_r = forward(x, pp, method="reshape")
        out_w, cache_w = forward(x, pp, method="windows")
        dout = rng.standard_normal(out_r.shape)
        np.testing.assert_allclose(out_r, out_w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(backward(dout, cache_r, method="reshape"),
                                   backward(dout, cache_w, method="windows"), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(backward(dout, cache_r, method="reshape"),
                                   naive(kind)[1](dout, cache_r), rtol=1e-12, atol=1e-14)


@settings(max_examples=20, deadline=None)
@given(geometries())
def test_caches_are_interchangeable_between_naive_and_fast(geometry):
    shape, hh, ww, s, seed = geometry
    rng = np.random.default_rng(seed)
    pp = pool_param(hh, ww, s)
    x = rng.standard_normal(shape)
    for kind in KINDS:
        _, cache_n = naive(kind)[0](x, pp)
        _, cache_f = fast(kind)[0](x, pp)
        assert len(cache_n) == len(cache_f)
        dout = rng.standard_normal(cache_n[0].shape[:2] + reference_pool(x, kind, hh, ww, s).shape[2:])
        np.testing.assert_allclose(naive(kind)[1](dout, cache_f), fast(kind)[1](dout, cache_n),
                                   rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------ ties
@pytest.mark.parametrize("method", [None, "windows"])
def test_ties_send_the_whole_gradient_to_the_first_maximum(method):
    # Window 0: all four equal; window 1: maxima at positions 1 and 2 (row by row).
    x = np.array([[5., 5., 0., 9.], [5., 5., 9., 1.]])[None, None]
    dout = np.array([[2., 3.]])[None, None]
    pp = pool_param(2, 2, 2)
    want = np.array([[2., 0., 0., 3.], [0., 0., 0., 0.]])
    _, cache_n = layers.max_pool_forward_naive(x, pp)
    _, cache_f = fast_layers.max_pool_forward_fast(x, pp, method=method)
    np.testing.assert_array_equal(cache_n[2], cache_f[2])
    np.testing.assert_array_equal(layers.max_pool_backward_naive(dout, cache_n)[0, 0], want)
    np.testing.assert_array_equal(
        fast_layers.max_pool_backward_fast(dout, cache_f, method=method)[0, 0], want)


def test_overlapping_windows_add_their_gradients():
    # 3x3 windows at stride 2 on a 5x5 input: the centre pixel (the maximum)
    # is in all four windows, so it collects all four gradients.
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0
    dout = np.array([[1., 2.], [3., 4.]])[None, None]
    for forward, backward in (naive("max"), fast("max")):
        _, cache = forward(x, pool_param(3, 3, 2))
        dx = backward(dout, cache)
        assert dx[0, 0, 2, 2] == 10.0
        assert np.count_nonzero(dx) == 1


def test_l2_pool_of_a_zero_window_passes_no_gradient():
    x = np.zeros((1, 1, 2, 4))
    x[0, 0, 0, 2:] = [3.0, 4.0]
    dout = np.ones((1, 1, 1, 2))
    for forward, backward in (naive("l2"), fast("l2")):
        out, cache = forward(x, pool_param(2, 2, 2))
        np.testing.assert_array_equal(out[0, 0], [[0.0, 5.0]])
        dx = backward(dout, cache)
        assert np.all(np.isfinite(dx))
        np.testing.assert_allclose(dx[0, 0], [[0, 0, 0.6, 0.8], [0, 0, 0, 0]])


# ------------------------------------------------------------ dtypes
@pytest.mark.parametrize("kind", KINDS)
def test_float32_stays_float32_and_integers_become_float64(kind):
    rng = np.random.default_rng(0)
    x32 = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    for forward, backward in (naive(kind), fast(kind)):
        out, cache = forward(x32, pool_param(3, 3, 3))
        assert out.dtype == np.float32
        assert backward(np.ones(out.shape, np.float32), cache).dtype == np.float32
        out_int, _ = forward(np.arange(36).reshape(1, 1, 6, 6), pool_param(2, 2, 2))
        assert out_int.dtype == np.float64


# ------------------------------------------------------------ errors
ALL_FORWARDS = [f for kind in KINDS for f in (naive(kind)[0], fast(kind)[0])]


@pytest.mark.parametrize("forward", ALL_FORWARDS, ids=lambda f: f.__name__)
def test_invalid_geometry_raises_the_formula(forward):
    with pytest.raises(ValueError, match=r"\(5 - 2\)/2 \+ 1 = 2\.5 is not an integer"):
        forward(np.zeros((1, 1, 5, 5)), pool_param(2, 2, 2))
    with pytest.raises(ValueError, match=r"\(16 - 3\)/2 \+ 1 = 7\.5"):
        forward(np.zeros((1, 1, 16, 16)), pool_param(3, 3, 2))
    with pytest.raises(ValueError, match="does not fit"):
        forward(np.zeros((1, 1, 2, 2)), pool_param(3, 3, 1))


@pytest.mark.parametrize("forward", ALL_FORWARDS, ids=lambda f: f.__name__)
def test_bad_inputs_raise_valueerror_naming_the_problem(forward):
    with pytest.raises(ValueError, match=r"x.shape=\(4, 4\)"):
        forward(np.zeros((4, 4)), pool_param(2, 2, 2))
    with pytest.raises(ValueError, match="missing \\['stride'\\]"):
        forward(np.zeros((1, 1, 4, 4)), {"pool_height": 2, "pool_width": 2})
    with pytest.raises(ValueError, match="unknown key"):
        forward(np.zeros((1, 1, 4, 4)), {**pool_param(2, 2, 2), "pad": 1})
    with pytest.raises(ValueError, match=r"pool_param\['stride'\] must be positive, got 0"):
        forward(np.zeros((1, 1, 4, 4)), pool_param(2, 2, 0))
    with pytest.raises(ValueError, match=r"pool_param\['pool_height'\] must be an integer, got 2.0"):
        forward(np.zeros((1, 1, 4, 4)), pool_param(2.0, 2, 2))
    with pytest.raises(ValueError, match="real numbers"):
        forward(np.zeros((1, 1, 4, 4), dtype=complex), pool_param(2, 2, 2))


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_dout_shape_names_both_shapes(kind):
    x = np.zeros((2, 3, 4, 4))
    for forward, backward in (naive(kind), fast(kind)):
        _, cache = forward(x, pool_param(2, 2, 2))
        with pytest.raises(ValueError, match=r"dout.shape=\(2, 3, 4, 4\).*\(2, 3, 2, 2\)"):
            backward(np.zeros((2, 3, 4, 4)), cache)


def test_pool_method_chooses_and_refuses_reshape_for_overlap():
    assert fast_layers.pool_method((1, 1, 4, 4), pool_param(2, 2, 2)) == "reshape"
    assert fast_layers.pool_method((1, 1, 5, 5), pool_param(3, 3, 2)) == "windows"
    assert fast_layers.pool_method((1, 1, 5, 5), pool_param(1, 1, 2)) == "windows"
    with pytest.raises(ValueError, match="tile the input exactly"):
        fast_layers.max_pool_forward_fast(np.zeros((1, 1, 5, 5)), pool_param(3, 3, 2), method="reshape")
    with pytest.raises(ValueError, match="method must be"):
        fast_layers.max_pool_forward_fast(np.zeros((1, 1, 4, 4)), pool_param(2, 2, 2), method="im2col")


def test_the_gradient_check_catches_a_wrong_backward_pass():
    """The harness can fail: a max-pool backward that spreads dout over the window is caught."""
    rng = np.random.default_rng(1)
    x = distinct_values(rng, (1, 2, 4, 4))
    dout = rng.standard_normal((1, 2, 2, 2))
    num = eval_numerical_gradient_array(lambda z: reference_pool(z, "max", 2, 2, 2), x.copy(), dout)
    _, cache = layers.avg_pool_forward_naive(x, pool_param(2, 2, 2))
    spread = layers.avg_pool_backward_naive(dout, cache) * 4
    assert rel_error(spread, num) > 0.5
    _, cache = layers.max_pool_forward_naive(x, pool_param(2, 2, 2))
    assert rel_error(layers.max_pool_backward_naive(dout, cache), num) < 1e-7
