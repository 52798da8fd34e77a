"""im2col / col2im: entries by definition, the adjoint identity, duplication counts."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cs231n_lib import fast_layers
from cs231n_lib._checks import conv_setup
from cs231n_lib.im2col import col2im, im2col, im2col_shape


@st.composite
def geometries(draw):
    N, C = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    HH, WW = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride, pad, dil = draw(st.integers(1, 3)), draw(st.integers(0, 2)), draw(st.integers(1, 3))
    H_out, W_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    H = (H_out - 1) * stride + dil * (HH - 1) + 1 - 2 * pad
    W = (W_out - 1) * stride + dil * (WW - 1) + 1 - 2 * pad
    H += 0 if H >= 1 else stride * (-(-(1 - H) // stride))
    W += 0 if W >= 1 else stride * (-(-(1 - W) // stride))
    return (N, C, H, W), HH, WW, stride, pad, dil, draw(st.integers(0, 2**16))


def _by_definition(x, HH, WW, stride, pad, dil):
    """cols[(c*HH + kh)*WW + kw, (n*Ho + i)*Wo + j] = x_pad[n, c, i*S + kh*d, j*S + kw*d], element by element."""
    N, C, H, W = x.shape
    Ho = (H + 2 * pad - dil * (HH - 1) - 1) // stride + 1
    Wo = (W + 2 * pad - dil * (WW - 1) - 1) // stride + 1
    cols = np.zeros((C * HH * WW, N * Ho * Wo))
    for n in range(N):
        for c in range(C):
            for kh in range(HH):
                for kw in range(WW):
                    for i in range(Ho):
                        for j in range(Wo):
                            r, s = i * stride + kh * dil - pad, j * stride + kw * dil - pad
                            inside = 0 <= r < H and 0 <= s < W
                            cols[(c * HH + kh) * WW + kw, (n * Ho + i) * Wo + j] = x[n, c, r, s] if inside else 0.0
    return cols


@settings(max_examples=40, deadline=None)
@given(geometries())
def test_im2col_entries_match_the_definition(case):
    x_shape, HH, WW, stride, pad, dil, seed = case
    x = np.random.default_rng(seed).standard_normal(x_shape)
    cols = im2col(x, HH, WW, stride, pad, dil)
    assert cols.shape == im2col_shape(x_shape, HH, WW, stride, pad, dil)
    np.testing.assert_array_equal(cols, _by_definition(x, HH, WW, stride, pad, dil))
    # the fast layer's own column builder gives the same numbers, in either memory order
    N, C = x_shape[:2]
    setup = conv_setup(x_shape, (1, C, HH, WW), {"stride": stride, "pad": pad, "dilation": dil})
    K, P = C * HH * WW, setup.H_out * setup.W_out
    for layout in ("nchw", "nhwc"):
        x_pad = fast_layers._padded(x, pad, layout)
        fast = fast_layers._columns(x_pad, 0, N, HH, WW, setup, layout, ones=True)
        if layout == "nchw":                     # (N, K + 1, P), K ordered (C, HH, WW)
            body, ones = fast[:, :K].transpose(1, 0, 2).reshape(K, N * P), fast[:, K]
        else:                                    # (N * P, K + 1), K ordered (HH, WW, C)
            body = fast[:, :K].reshape(N * P, HH, WW, C).transpose(3, 1, 2, 0).reshape(K, N * P)
            ones = fast[:, K]
        np.testing.assert_array_equal(body, cols, err_msg=layout)
        np.testing.assert_array_equal(ones, 1, err_msg=layout)


@settings(max_examples=40, deadline=None)
@given(geometries())
def test_col2im_is_the_adjoint_of_im2col(case):
    x_shape, HH, WW, stride, pad, dil, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    y = rng.standard_normal(im2col_shape(x_shape, HH, WW, stride, pad, dil))
    lhs = np.sum(im2col(x, HH, WW, stride, pad, dil) * y)
    back = col2im(y, x_shape, HH, WW, stride, pad, dil)
    assert back.shape == x_shape
    assert abs(lhs - np.sum(x * back)) <= 1e-10 * (1 + abs(lhs))


def test_col2im_of_ones_counts_the_windows_over_each_pixel():
    """A 3x3 filter at stride 1 on a 5x5 input: the centre sits in 9 windows, a corner in 1."""
    counts = col2im(np.ones((9, 9)), (1, 1, 5, 5), 3, 3, stride=1, pad=0)[0, 0]
    expected = np.array([[1, 2, 3, 2, 1], [2, 4, 6, 4, 2], [3, 6, 9, 6, 3], [2, 4, 6, 4, 2], [1, 2, 3, 2, 1]])
    np.testing.assert_array_equal(counts, expected)


def test_alexnet_sizes_from_the_notes():
    """227x227x3 input, 11x11 filters at stride 4: X_col is 363 x 3025."""
    assert im2col_shape((1, 3, 227, 227), 11, 11, stride=4, pad=0) == (363, 3025)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.ones((1, 2, 4, 4), dtype=dtype)
    cols = im2col(x, 2, 2, 2, 0)
    assert cols.dtype == dtype
    assert col2im(cols, x.shape, 2, 2, 2, 0).dtype == dtype


def test_bad_geometry_and_shapes_raise_value_error():
    with pytest.raises(ValueError, match=r"\(6 - 3 \+ 2\*0\)/2 \+ 1 = 2.5"):
        im2col(np.zeros((1, 1, 6, 6)), 3, 3, stride=2, pad=0)
    with pytest.raises(ValueError, match="x.shape=\\(6, 6\\)"):
        im2col(np.zeros((6, 6)), 3, 3)
    with pytest.raises(ValueError, match=r"cols.shape=\(9, 8\).*\(9, 9\)"):
        col2im(np.zeros((9, 8)), (1, 1, 5, 5), 3, 3)
    with pytest.raises(ValueError, match="x_shape"):
        col2im(np.zeros((9, 9)), (5, 5), 3, 3)
