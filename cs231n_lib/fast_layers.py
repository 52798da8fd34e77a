"""Vectorised layers: the same API and results as :mod:`cs231n_lib.layers`, fast.

numpy only (no Cython, no compiled extension).  float32 inputs stay
float32 all the way (the matrix multiplies run in single precision), and
float64 inputs stay float64.
"""
from __future__ import annotations

import threading

import numpy as np

from ._checks import check_conv_inputs, check_dout, result_dtype
from .im2col import col2im, im2col

__all__ = [
    "conv_forward_im2col",
    "conv_backward_im2col",
    "conv_forward_fast",
    "conv_backward_fast",
    "release_workspace",
]


# ---- convolution ----
def conv_forward_im2col(x, w, b, conv_param):
    """Convolution as im2col followed by one matrix multiply.

    ``cols = im2col(x)`` has one column per output position (N*H_out*W_out
    of them) holding the C*HH*WW input values under the filter there; the
    filters stretched into rows, ``w_row`` (F, C*HH*WW), times ``cols`` give
    every output at once.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    w : array of shape (F, C, HH, WW)
    b : array of shape (F,)
    conv_param : dict with ``'stride'``, ``'pad'`` and optionally ``'dilation'``

    Returns
    -------
    out : array of shape (N, F, H_out, W_out)
    cache : tuple ``(x, w, b, conv_param, cols)`` for :func:`conv_backward_im2col`

    Raises
    ------
    ValueError
        As :func:`cs231n_lib.layers.conv_forward_naive`.
    """
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    dtype = result_dtype(x, w, b)
    x, w, b = x.astype(dtype, copy=False), w.astype(dtype, copy=False), b.astype(dtype, copy=False)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    cols = im2col(x, HH, WW, setup.stride, setup.pad, setup.dilation)   # (C*HH*WW, N*H_out*W_out)
    out_rows = w.reshape(F, -1) @ cols + b[:, None]                    # (F, N*H_out*W_out)
    out = out_rows.reshape(F, N, setup.H_out, setup.W_out).transpose(1, 0, 2, 3)
    cache = (x, w, b, conv_param, cols)
    return np.ascontiguousarray(out), cache


def conv_backward_im2col(dout, cache):
    """Backward pass of :func:`conv_forward_im2col`.

    With ``dout_rows`` = dout arranged as (F, N*H_out*W_out):
    ``db`` sums dout over everything but the filter axis,
    ``dw = dout_rows @ cols.T`` and ``dx = col2im(w_row.T @ dout_rows)``.

    Parameters
    ----------
    dout : array of shape (N, F, H_out, W_out)
    cache : tuple from :func:`conv_forward_im2col`

    Returns
    -------
    dx : (N, C, H, W), dw : (F, C, HH, WW), db : (F,)
    """
    x, w, b, conv_param, cols = cache
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    dout = check_dout(dout, (N, F, setup.H_out, setup.W_out))
    dtype = result_dtype(x, w, b, dout)
    dout = dout.astype(dtype, copy=False)
    dout_rows = dout.transpose(1, 0, 2, 3).reshape(F, -1)   # (F, N*H_out*W_out)
    db = dout_rows.sum(axis=1)
    dw = (dout_rows @ cols.T).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ dout_rows                   # (C*HH*WW, N*H_out*W_out)
    dx = col2im(dcols, x.shape, HH, WW, setup.stride, setup.pad, setup.dilation)
    return dx, dw.astype(dtype, copy=False), db.astype(dtype, copy=False)


# Scratch arrays of the fast path, reused from call to call (one set per thread).
# Big temporary arrays that are allocated and freed on every call cost page
# faults each time; Caffe keeps its column buffer for the same reason.  Only
# temporaries live here: outputs, gradients and caches are always fresh arrays.
_SCRATCH = threading.local()


def _workspace(name, shape, dtype):
    """A reusable scratch array of ``shape`` (contents undefined), grown when needed."""
    pool = _SCRATCH.__dict__.setdefault("pool", {})
    size = int(np.prod(shape))
    key = (name, np.dtype(dtype))
    buf = pool.get(key)
    if buf is None or buf.size < size:
        buf = pool[key] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(shape)


def release_workspace():
    """Free the scratch arrays the fast layers keep between calls (in this thread)."""
    _SCRATCH.__dict__.pop("pool", None)


def _im2col_cnhw(x, HH, WW, setup, scratch=False):
    """im2col with the same layout as :func:`cs231n_lib.im2col.im2col`, built faster.

    The input is padded once in (C, N, H, W) order, so that every filter tap
    is a single strided slice copied into a contiguous block of the output
    without a transposition.  With ``scratch=True`` the padded input and the
    columns live in reusable scratch arrays (valid until the next call).
    """
    N, C, H, W = x.shape
    p, s, d = setup.pad, setup.stride, setup.dilation
    Ho, Wo = setup.H_out, setup.W_out
    pad_shape, cols_shape = (C, N, H + 2 * p, W + 2 * p), (C, HH, WW, N, Ho, Wo)
    if scratch:
        x_pad = _workspace("x_pad", pad_shape, x.dtype)
        cols = _workspace("cols", cols_shape, x.dtype)
    else:
        x_pad, cols = np.empty(pad_shape, dtype=x.dtype), np.empty(cols_shape, dtype=x.dtype)
    if p:
        x_pad[:, :, :p] = 0
        x_pad[:, :, H + p:] = 0
        x_pad[:, :, :, :p] = 0
        x_pad[:, :, :, W + p:] = 0
    x_pad[:, :, p:p + H, p:p + W] = x.transpose(1, 0, 2, 3)
    for kh in range(HH):
        for kw in range(WW):
            cols[:, kh, kw] = x_pad[:, :, kh * d:kh * d + s * (Ho - 1) + 1:s,
                                    kw * d:kw * d + s * (Wo - 1) + 1:s]
    return cols.reshape(C * HH * WW, N * Ho * Wo)


def _col2im_cnhw(dcols, x_shape, HH, WW, setup, scratch=False):
    """The adjoint of :func:`_im2col_cnhw`: returns dx of shape (N, C, H, W) (a fresh array)."""
    N, C, H, W = x_shape
    p, s, d = setup.pad, setup.stride, setup.dilation
    Ho, Wo = setup.H_out, setup.W_out
    pad_shape = (C, N, H + 2 * p, W + 2 * p)
    dx_pad = _workspace("dx_pad", pad_shape, dcols.dtype) if scratch else np.empty(pad_shape, dcols.dtype)
    dx_pad.fill(0)
    blocks = dcols.reshape(C, HH, WW, N, Ho, Wo)
    for kh in range(HH):
        for kw in range(WW):
            # one tap never reads a pixel twice, so adding its whole slice is exact
            dx_pad[:, :, kh * d:kh * d + s * (Ho - 1) + 1:s,
                   kw * d:kw * d + s * (Wo - 1) + 1:s] += blocks[:, kh, kw]
    dx = np.empty((N, C, H, W), dtype=dcols.dtype)
    dx[...] = dx_pad[:, :, p:p + H, p:p + W].transpose(1, 0, 2, 3)
    return dx


def conv_forward_fast(x, w, b, conv_param):
    """The fastest numpy convolution we have: im2col and BLAS, in the input's precision.

    The input is padded once in channel-first (C, N, H, W) order, so that
    the columns are built with one contiguous strided copy per filter tap;
    they are multiplied by ``w_row`` (F, C*HH*WW) in a single BLAS call in
    the input's own precision (float32 stays float32).  The padded input,
    the columns and the product live in scratch arrays
    that are reused from call to call (see :func:`release_workspace`); the
    backward pass rebuilds the columns from ``x`` instead of keeping them,
    as Caffe does.

    Parameters and returns as :func:`conv_forward_im2col`; the cache is
    ``(x, w, b, conv_param)``.
    """
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    dtype = result_dtype(x, w, b)
    x, w, b = x.astype(dtype, copy=False), w.astype(dtype, copy=False), b.astype(dtype, copy=False)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    Ho, Wo = setup.H_out, setup.W_out
    cols = _im2col_cnhw(x, HH, WW, setup, scratch=True)          # (C*HH*WW, N*Ho*Wo)
    # One big GEMM, not one per image: with several BLAS threads, many small
    # multiplies spend their time synchronising the threads.
    out_rows = _workspace("rows", (F, N * Ho * Wo), dtype)
    np.matmul(w.reshape(F, -1), cols, out=out_rows)              # (F, N*Ho*Wo)
    out = np.empty((N, F, Ho, Wo), dtype=dtype)
    # reorder to NCHW and add the bias in the same pass
    np.add(out_rows.reshape(F, N, Ho * Wo).transpose(1, 0, 2), b[None, :, None],
           out=out.reshape(N, F, Ho * Wo))
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_fast(dout, cache):
    """Backward pass of :func:`conv_forward_fast`.

    With ``dout_rows`` = dout arranged as (F, N*H_out*W_out): ``db`` sums
    it, ``dw = dout_rows @ cols.T`` and the column gradient
    ``w_row.T @ dout_rows`` are one matrix multiply each, and the column
    gradient is added back onto the (channel-first, padded) input one
    filter tap at a time: a strided slice per tap, exact and fast, instead
    of a scattered ``np.add.at``.

    Parameters
    ----------
    dout : array of shape (N, F, H_out, W_out)
    cache : tuple from :func:`conv_forward_fast`

    Returns
    -------
    dx : (N, C, H, W), dw : (F, C, HH, WW), db : (F,)
    """
    x, w, b, conv_param = cache[:4]
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    Ho, Wo = setup.H_out, setup.W_out
    dout = check_dout(dout, (N, F, Ho, Wo))
    dtype = result_dtype(x, w, b, dout)
    dout = dout.astype(dtype, copy=False)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    dout_rows = _workspace("dout_rows", (F, N * Ho * Wo), dtype)
    dout_rows.reshape(F, N, Ho, Wo)[...] = dout.transpose(1, 0, 2, 3)
    db = dout_rows.sum(axis=1)
    cols = _im2col_cnhw(x, HH, WW, setup, scratch=True)
    dw = (dout_rows @ cols.T).reshape(w.shape)
    dcols = _workspace("cols", cols.shape, dtype)                 # the columns are no longer needed
    np.matmul(w.reshape(F, -1).T, dout_rows, out=dcols)          # (C*HH*WW, N*Ho*Wo)
    dx = _col2im_cnhw(dcols, x.shape, HH, WW, setup, scratch=True)
    return dx, dw, db


# ---- pooling ----
# Two routes, chosen automatically (or with ``method=``):
#
# * 'reshape' -- when the windows tile the input without overlap or gaps
#   (pool_height == stride and pool_width == stride),
#   x.reshape(N, C, H_out, HH, W_out, WW) is a free view in which every
#   window is a small sub-block; the backward pass writes each input once.
# * 'windows' -- any window and stride (overlapping F=3, S=2, or gaps when
#   stride > window): element (p, q) of every window is the strided slice
#   x[:, :, p::S, q::S] (cut to the output size); overlapping windows add
#   their gradients.
#
# Either way the Python loop runs over the HH*WW positions *inside* a window
# (4 for 2x2, 9 for 3x3), each step a vectorised operation on the whole
# batch; it never loops over the data.
from ._pool_checks import (  # noqa: E402
    check_dout as _pool_check_dout,
    pool_input as _pool_input,
    pool_setup as _pool_setup,
)

__all__ += [
    "max_pool_forward_fast", "max_pool_backward_fast",
    "avg_pool_forward_fast", "avg_pool_backward_fast",
    "l2_pool_forward_fast", "l2_pool_backward_fast",
    "pool_method",
]

_POOL_METHODS = ("reshape", "windows")


def pool_method(x_shape, pool_param, method=None):
    """Which route the fast pooling functions take: 'reshape' or 'windows'.

    ``method=None`` picks 'reshape' when the windows tile the input with no
    overlap and no gaps (window height and width both equal the stride),
    else 'windows'.  Asking for 'reshape' on overlapping windows raises
    ValueError.  Raises the geometry error of ``pool_output_size`` too.
    """
    HH, WW, S, _, _ = _pool_setup(tuple(x_shape), pool_param)
    tiles = HH == S and WW == S
    if method is None:
        return "reshape" if tiles else "windows"
    if method not in _POOL_METHODS:
        raise ValueError(f"method must be None, 'reshape' or 'windows', got {method!r}.")
    if method == "reshape" and not tiles:
        raise ValueError(
            f"The 'reshape' route needs windows that tile the input exactly "
            f"(pool_height == pool_width == stride), got a {HH}x{WW} window at stride {S}; "
            "use method='windows' or None."
        )
    return method


def _window_slices(setup):
    """Yield ``(k, p, q, slice_h, slice_w)`` for every position (p, q) inside a window.

    ``x[:, :, slice_h, slice_w]`` is then the (N, C, H_out, W_out) array of
    the k-th element (row by row) of every window.
    """
    HH, WW, S, H_out, W_out = setup
    for p in range(HH):
        for q in range(WW):
            yield (p * WW + q, p, q,
                   slice(p, p + S * (H_out - 1) + 1, S), slice(q, q + S * (W_out - 1) + 1, S))


def _blocks(x, setup):
    """The free view (N, C, H_out, HH, W_out, WW) of ``x`` for the 'reshape' route."""
    HH, WW, S, H_out, W_out = setup
    N, C = x.shape[:2]
    return x.reshape(N, C, H_out, HH, W_out, WW)


def _pieces(x, setup, route):
    """``pieces(k)``: the (N, C, H_out, W_out) view of element k (row by row) of every window.

    On the 'reshape' route it is a sub-block index of the free reshape; on
    the 'windows' route a strided slice.  Both are views: nothing is copied.
    """
    WW = setup[1]
    if route == "reshape":
        blocks = _blocks(np.ascontiguousarray(x), setup)
        return lambda k: blocks[:, :, :, k // WW, :, k % WW]
    slices = [(sh, sw) for _, _, _, sh, sw in _window_slices(setup)]
    return lambda k: x[:, :, slices[k][0], slices[k][1]]


def _max_and_switches(x, setup, pieces):
    """Window maxima and switches from ``pieces(k)``, the k-th element of every window.

    The switches are the smallest unsigned integer type that holds
    ``HH*WW - 1`` (uint8 for any window up to 16x16): less memory to write.
    """
    HH, WW = setup[:2]
    out = np.array(pieces(0), copy=True)
    for k in range(1, HH * WW):
        np.maximum(out, pieces(k), out=out)
    # The switch is the first k (row by row) whose element equals the maximum:
    # `found` marks windows whose switch is already known, so later equal
    # values (ties) are ignored.
    switches = np.zeros(out.shape, dtype=np.min_scalar_type(HH * WW - 1))
    found = np.zeros(out.shape, dtype=bool)
    hit = np.empty(out.shape, dtype=bool)
    for k in range(HH * WW):
        np.equal(pieces(k), out, out=hit)
        hit &= ~found
        found |= hit
        if k:
            switches += hit.astype(switches.dtype) * switches.dtype.type(k)
    return out, switches


def max_pool_forward_fast(x, pool_param, method=None):
    """Vectorised max pooling; same result and cache as ``layers.max_pool_forward_naive``.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width', 'stride'
    method : None, 'reshape' or 'windows'
        The route (see :func:`pool_method`); None chooses.

    Returns
    -------
    out : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param, switches)``
        ``switches`` (N, C, H_out, W_out), unsigned integers (uint8 for
        windows of up to 256 numbers), holds the row-by-row index
        ``p * pool_width + q`` of each window's maximum.  Ties go to the
        *first* maximum in that order, on both routes, exactly as in the
        naive version (and in PyTorch): the gradient is never shared.
    """
    x = _pool_input(x)
    setup = _pool_setup(x.shape, pool_param)
    route = pool_method(x.shape, pool_param, method)
    out, switches = _max_and_switches(x, setup, _pieces(x, setup, route))
    return out, (x, pool_param, switches)


def max_pool_backward_fast(dout, cache, method=None):
    """Vectorised backward pass of max pooling (gradient routed through the switches).

    ``dout[n, c, i, j]`` goes whole to the input the switch points to; ties
    are not shared (the first maximum in row-by-row order takes it all), and
    overlapping windows add their gradients.  Accepts the cache of the naive
    or the fast forward pass.

    The 'reshape' route writes every input once (each belongs to exactly one
    window); the 'windows' route turns each switch into the flat index of its
    input in ``x`` and adds all gradients in one ``np.bincount`` (a
    scatter-add, so overlapping windows sum).

    Parameters
    ----------
    dout : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param, switches)``
    method : None, 'reshape' or 'windows'

    Returns
    -------
    dx : array of shape (N, C, H, W), the dtype of ``x``
    """
    x, pool_param, switches = cache
    setup = _pool_setup(x.shape, pool_param)
    dout = _pool_check_dout(dout, x.shape, setup)
    route = pool_method(x.shape, pool_param, method)
    HH, WW, S, H_out, W_out = setup
    N, C, H, W = x.shape
    if route == "reshape":
        dx = np.zeros_like(x)
        blocks = _blocks(dx, setup)  # a view: writing into it writes dx
        for k in range(HH * WW):
            np.copyto(blocks[:, :, :, k // WW, :, k % WW], dout, where=switches == k)
        return dx
    # Flat index in x of the top-left corner of every window, plus the switch's
    # offset inside the window (a lookup table: row k // WW, column k % WW).
    corner = (np.arange(N * C).reshape(N, C, 1, 1) * (H * W)
              + (np.arange(H_out) * S * W).reshape(1, 1, H_out, 1)
              + (np.arange(W_out) * S).reshape(1, 1, 1, W_out))
    k = np.arange(HH * WW)
    target = corner + ((k // WW) * W + k % WW)[switches]
    dx = np.bincount(target.ravel(), weights=dout.ravel().astype(np.float64),
                     minlength=x.size)
    return dx.reshape(x.shape).astype(x.dtype, copy=False)


def avg_pool_forward_fast(x, pool_param, method=None):
    """Vectorised average pooling; same result and cache as ``layers.avg_pool_forward_naive``.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width', 'stride'
    method : None, 'reshape' or 'windows'

    Returns
    -------
    out : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param)``
    """
    x = _pool_input(x)
    setup = _pool_setup(x.shape, pool_param)
    route = pool_method(x.shape, pool_param, method)
    HH, WW = setup[:2]
    pieces = _pieces(x, setup, route)
    out = np.array(pieces(0), copy=True)
    for k in range(1, HH * WW):
        out += pieces(k)
    out /= HH * WW
    return out, (x, pool_param)


def avg_pool_backward_fast(dout, cache, method=None):
    """Vectorised backward pass of average pooling: each input gets ``dout / (HH*WW)`` per window.

    Parameters
    ----------
    dout : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param)``
    method : None, 'reshape' or 'windows'

    Returns
    -------
    dx : array of shape (N, C, H, W)
    """
    x, pool_param = cache
    setup = _pool_setup(x.shape, pool_param)
    dout = _pool_check_dout(dout, x.shape, setup)
    route = pool_method(x.shape, pool_param, method)
    HH, WW = setup[:2]
    share = (dout / (HH * WW)).astype(x.dtype, copy=False)
    dx = np.zeros_like(x)
    if route == "reshape":
        _blocks(dx, setup)[...] = share[:, :, :, None, :, None]
        return dx
    for _, _, _, sh, sw in _window_slices(setup):
        dx[:, :, sh, sw] += share
    return dx


def l2_pool_forward_fast(x, pool_param, method=None):
    """Vectorised L2-norm pooling; same result and cache as ``layers.l2_pool_forward_naive``.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width', 'stride'
    method : None, 'reshape' or 'windows'

    Returns
    -------
    out : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param, out)``
    """
    x = _pool_input(x)
    setup = _pool_setup(x.shape, pool_param)
    route = pool_method(x.shape, pool_param, method)
    HH, WW = setup[:2]
    pieces = _pieces(x, setup, route)
    out = np.square(pieces(0))
    for k in range(1, HH * WW):
        out += np.square(pieces(k))
    np.sqrt(out, out=out)
    return out, (x, pool_param, out)


def l2_pool_backward_fast(dout, cache, method=None):
    """Vectorised backward pass of L2-norm pooling: ``dx_k += dout * x_k / out`` per window.

    A window of zeros (out == 0) passes no gradient, as in the naive version.

    Parameters
    ----------
    dout : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param, out)``
    method : None, 'reshape' or 'windows'

    Returns
    -------
    dx : array of shape (N, C, H, W)
    """
    x, pool_param, out = cache
    setup = _pool_setup(x.shape, pool_param)
    dout = _pool_check_dout(dout, x.shape, setup)
    route = pool_method(x.shape, pool_param, method)
    scale = np.zeros(out.shape, dtype=np.result_type(x.dtype, out.dtype))
    np.divide(dout, out, out=scale, where=out != 0)
    dx = np.zeros_like(x)
    if route == "reshape":
        blocks = _blocks(np.ascontiguousarray(x), setup)
        _blocks(dx, setup)[...] = blocks * scale[:, :, :, None, :, None]
        return dx
    for _, _, _, sh, sw in _window_slices(setup):
        dx[:, :, sh, sw] += x[:, :, sh, sw] * scale
    return dx
