"""Vectorised layers: the same API and results as :mod:`cs231n_lib.layers`, fast.

numpy only (no Cython, no compiled extension).  float32 inputs stay
float32 all the way (the matrix multiplies run in single precision), and
float64 inputs stay float64.
"""
from __future__ import annotations

import threading

import numpy as np

from ._checks import check_conv_inputs, check_dout, result_dtype
from ._checks import check_pool_dout as _pool_check_dout
from ._checks import pool_input as _pool_input
from ._checks import pool_setup as _pool_setup
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


# The fast path builds the columns of a few images at a time (a "chunk"),
# multiplies them at once, and moves on: the columns of one chunk fit in a
# core's L2 cache, so they are still there when the matrix multiply reads
# them.  Columns for the whole batch (what conv_forward_im2col builds) are
# written out to memory and read back; on the benchmark layers the chunked
# forward pass is 1.3 to 2 times faster than that (benchmarks/README.md).
_CHUNK_BYTES = 1 << 20

# The columns are copied out of the padded input in one strided copy per
# chunk.  numpy copies fastest when the innermost run of the copy is long:
# in NCHW order that run is one row of a window's output (W_out values at
# stride 1, a single value at stride 2); in NHWC order it is one row of a
# window with all its channels (WW*C values).  NHWC costs a transposition of
# the input and of the output, which only pays when the channels are many.
_NHWC_MIN_CHANNELS = 16


def _layout(C):
    """'nhwc' or 'nchw': the memory order in which the fast path reads windows of C channels."""
    return "nhwc" if C >= _NHWC_MIN_CHANNELS else "nchw"


def _chunks(N, bytes_per_image, budget):
    """Yield ``(n0, n1)``: consecutive runs of images whose columns take about ``budget`` bytes."""
    step = max(1, min(N, budget // max(1, bytes_per_image)))
    for n0 in range(0, N, step):
        yield n0, min(N, n0 + step)


def _spatial_axes(layout):
    return (2, 3) if layout == "nchw" else (1, 2)


def _padded(x, pad, layout):
    """x (N, C, H, W) zero-padded into a scratch array in ``layout`` order.

    Returns (N, C, H+2p, W+2p) for 'nchw' and (N, H+2p, W+2p, C) for 'nhwc'.
    """
    if layout == "nhwc":
        x = x.transpose(0, 2, 3, 1)
    axes = _spatial_axes(layout)
    shape = list(x.shape)
    for a in axes:
        shape[a] += 2 * pad
    xp = _workspace("x_pad", tuple(shape), x.dtype)
    inner = [slice(None)] * 4
    for a in axes:
        if pad:
            edge = [slice(None)] * 4
            edge[a] = slice(0, pad)
            xp[tuple(edge)] = 0
            edge[a] = slice(shape[a] - pad, None)
            xp[tuple(edge)] = 0
        inner[a] = slice(pad, shape[a] - pad)
    xp[tuple(inner)] = x
    return xp


def _unpadded(xp, pad, layout):
    """The inverse of :func:`_padded`: a fresh (N, C, H, W) array."""
    inner = [slice(None)] * 4
    for a in _spatial_axes(layout):
        inner[a] = slice(pad, xp.shape[a] - pad)
    core = xp[tuple(inner)]
    if layout == "nhwc":
        core = core.transpose(0, 3, 1, 2)
    out = np.empty(core.shape, dtype=xp.dtype)
    out[...] = core
    return out


def _windows(xp, n0, n1, HH, WW, setup, layout):
    """A read-only strided view of every filter window of images n0:n1 (no copy).

    'nchw': shape (m, C, HH, WW, H_out, W_out), the im2col order of one image;
    'nhwc': shape (m, H_out, W_out, HH, WW, C), one window per output position.
    """
    s, d = setup.stride, setup.dilation
    part = xp[n0:n1]
    if layout == "nchw":
        sn, sc, sh, sw = part.strides
        shape = (n1 - n0, part.shape[1], HH, WW, setup.H_out, setup.W_out)
        strides = (sn, sc, d * sh, d * sw, s * sh, s * sw)
    else:
        sn, sh, sw, sc = part.strides
        shape = (n1 - n0, setup.H_out, setup.W_out, HH, WW, part.shape[3])
        strides = (sn, s * sh, s * sw, d * sh, d * sw, sc)
    return np.lib.stride_tricks.as_strided(part, shape, strides, writeable=False)


def _columns(xp, n0, n1, HH, WW, setup, layout, ones):
    """The columns of images n0:n1 in a scratch array, with a row of ones if ``ones``.

    'nchw': (m, K[+1], H_out*W_out), K ordered (C, HH, WW);
    'nhwc': (m*H_out*W_out, K[+1]), K ordered (HH, WW, C).
    """
    win = _windows(xp, n0, n1, HH, WW, setup, layout)
    m, P = n1 - n0, setup.H_out * setup.W_out
    K = win[0].size // P
    shape = (m, K + ones, P) if layout == "nchw" else (m * P, K + ones)
    cols = _workspace("cols", shape, xp.dtype)
    # the reshape only splits axes, so it is a view of cols, never a copy
    cols[:, :K].reshape(win.shape)[...] = win
    if ones:
        cols[:, K] = 1
    return cols


def _taps(HH, WW, stride, dilation, H_out, W_out):
    """Yield ``(kh, kw, slice_h, slice_w)`` for every tap (kh, kw) of an HH x WW window.

    ``x[..., slice_h, slice_w]`` (spatial axes of a padded input) is then the
    (H_out, W_out) grid of pixels that tap reads, one per window position.
    Used by the convolution's backward pass and by the pooling 'windows' route.
    """
    s, d = stride, dilation
    for kh in range(HH):
        for kw in range(WW):
            yield (kh, kw, slice(kh * d, kh * d + s * (H_out - 1) + 1, s),
                   slice(kw * d, kw * d + s * (W_out - 1) + 1, s))


def conv_forward_fast(x, w, b, conv_param):
    """The fastest numpy convolution we have: im2col and BLAS, a few images at a time.

    The input is zero-padded once.  Then, for a chunk of images at a time
    (about 1 MB of columns, so that they stay in the CPU cache), one strided
    copy builds their columns, with an extra row of ones, and one BLAS call
    multiplies them by the filters with the biases as an extra column:
    ``[w_row | b] @ [cols; 1]``.  With few channels the columns are laid out
    as in :func:`cs231n_lib.im2col.im2col` and the product comes out in
    NCHW order; with many (16 or more) the input is read in NHWC order,
    which makes the copy run over long contiguous stretches, and the product
    is transposed back.  Everything stays in the input's precision (float32
    stays float32).  Scratch arrays are reused from call to call (see
    :func:`release_workspace`); the backward pass rebuilds the columns from
    ``x`` instead of keeping them, as Caffe does.

    Parameters and returns as :func:`conv_forward_im2col`; the cache is
    ``(x, w, b, conv_param)``.
    """
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    dtype = result_dtype(x, w, b)
    x, w, b = x.astype(dtype, copy=False), w.astype(dtype, copy=False), b.astype(dtype, copy=False)
    N = x.shape[0]
    F, C, HH, WW = w.shape
    K, P = C * HH * WW, setup.H_out * setup.W_out
    layout = _layout(C)
    xp = _padded(x, setup.pad, layout)
    out = np.empty((N, F, P), dtype=dtype)
    if layout == "nchw":
        w_ext = np.empty((F, K + 1), dtype=dtype)          # [w_row | b]
        w_ext[:, :K] = w.reshape(F, K)
        w_ext[:, K] = b
    else:
        w_ext = np.empty((K + 1, F), dtype=dtype)          # [w_row | b].T, K ordered (HH, WW, C)
        w_ext[:K].reshape(HH, WW, C, F)[...] = w.transpose(2, 3, 1, 0)
        w_ext[K] = b
    for n0, n1 in _chunks(N, (K + 1) * P * out.itemsize, _CHUNK_BYTES):
        cols = _columns(xp, n0, n1, HH, WW, setup, layout, ones=True)
        if layout == "nchw":
            np.matmul(w_ext, cols, out=out[n0:n1])        # (F, K+1) @ (m, K+1, P) -> (m, F, P)
        else:
            rows = _workspace("rows", (n1 - n0, P, F), dtype)
            np.matmul(cols, w_ext, out=rows.reshape(-1, F))
            out[n0:n1] = rows.transpose(0, 2, 1)
    return out.reshape(N, F, setup.H_out, setup.W_out), (x, w, b, conv_param)


def conv_backward_fast(dout, cache):
    """Backward pass of :func:`conv_forward_fast`, chunk by chunk as the forward pass.

    For each chunk of images the columns are rebuilt from ``x``; then
    ``dw += dout_rows @ cols.T`` and the column gradient
    ``w_row.T @ dout_rows`` are one matrix multiply each, and the column
    gradient is added back onto the padded input one filter tap at a time:
    a strided slice per tap, exact and fast, instead of a scattered
    ``np.add.at``.  ``db`` sums dout over everything but the filter axis.

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
    K, P = C * HH * WW, setup.H_out * setup.W_out
    dout = check_dout(dout, (N, F, setup.H_out, setup.W_out))
    dtype = result_dtype(x, w, b, dout)
    dout = dout.astype(dtype, copy=False)
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    layout = _layout(C)
    xp = _padded(x, setup.pad, layout)
    dx_pad = _workspace("dx_pad", xp.shape, dtype)
    dx_pad.fill(0)
    d_rows = dout.reshape(N, F, P)
    db = d_rows.sum(axis=(0, 2))
    if layout == "nchw":
        w_row = w.reshape(F, K)
        dw = np.zeros((F, K), dtype=dtype)
    else:
        w_row = np.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(F, K)   # K ordered (HH, WW, C)
        dw = np.zeros((K, F), dtype=dtype)
    taps = list(_taps(HH, WW, setup.stride, setup.dilation, setup.H_out, setup.W_out))
    # Chunks four times as big as the forward pass's: fewer rounds of the
    # per-tap Python loop below; measured faster on the benchmark layers.
    for n0, n1 in _chunks(N, K * P * dout.itemsize, 4 * _CHUNK_BYTES):
        m = n1 - n0
        cols = _columns(xp, n0, n1, HH, WW, setup, layout, ones=False)
        if layout == "nchw":                                   # cols (m, K, P)
            d = d_rows[n0:n1]                                  # (m, F, P)
            dw += np.matmul(d, cols.transpose(0, 2, 1)).sum(axis=0)
            np.matmul(w_row.T, d, out=cols)                    # cols now holds dcols
            dcols = cols.reshape(m, C, HH, WW, setup.H_out, setup.W_out)
            for kh, kw, sh, sw in taps:
                # one tap never reads a pixel twice, so adding its whole slice is exact
                dx_pad[n0:n1, :, sh, sw] += dcols[:, :, kh, kw]
        else:                                                  # cols (m*P, K)
            d = _workspace("dout_rows", (m, P, F), dtype)
            d[...] = d_rows[n0:n1].transpose(0, 2, 1)
            d = d.reshape(m * P, F)
            dw += cols.T @ d
            np.matmul(d, w_row, out=cols)
            dcols = cols.reshape(m, setup.H_out, setup.W_out, HH, WW, C)
            for kh, kw, sh, sw in taps:
                dx_pad[n0:n1, sh, sw, :] += dcols[:, :, :, kh, kw]
    if layout == "nchw":
        dw = dw.reshape(F, C, HH, WW)
    else:
        dw = np.ascontiguousarray(dw.reshape(HH, WW, C, F).transpose(3, 2, 0, 1))
    return _unpadded(dx_pad, setup.pad, layout), dw, db.astype(dtype, copy=False)


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
    for k, (p, q, slice_h, slice_w) in enumerate(_taps(HH, WW, S, 1, H_out, W_out)):
        yield k, p, q, slice_h, slice_w


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
