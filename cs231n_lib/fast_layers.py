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
