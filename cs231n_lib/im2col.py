"""im2col and col2im: a convolution turned into one matrix multiply.

``im2col`` copies every receptive field (window) of the padded input into
one column of a matrix.  With the filters stretched into rows,
``w.reshape(F, -1) @ im2col(x, ...)`` computes every filter at every
position in a single matrix multiply.  ``col2im`` is its exact adjoint
(transpose): it adds every column back onto the pixels it came from, so a
pixel that appears in several windows collects several contributions.  That
is precisely what the backward pass of a convolution needs.

Layout (used by :mod:`cs231n_lib.fast_layers`):

* rows are ordered ``(c, kh, kw)``, the order of ``w.reshape(F, -1)``, so
  there are ``C * HH * WW`` of them;
* columns are ordered ``(n, i, j)``: image, output row, output column, so
  there are ``N * H_out * W_out`` of them.

numpy only: the windows are read through strided views, one slice per
filter tap, never through Python loops over pixels.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_array, conv_setup

__all__ = ["im2col", "col2im", "im2col_shape"]


def _setup(x_shape, HH, WW, stride, pad, dilation):
    """Check the geometry (through ``arithmetic``) and return the output size."""
    N, C = x_shape[:2]
    param = {"stride": stride, "pad": pad, "dilation": dilation}
    return conv_setup(x_shape, (1, C, HH, WW), param)


def _tap_slices(kh, kw, setup):
    """Slices of the padded input that filter tap (kh, kw) reads at every output position."""
    s, d = setup.stride, setup.dilation
    top, left = kh * d, kw * d
    return (
        slice(top, top + s * (setup.H_out - 1) + 1, s),
        slice(left, left + s * (setup.W_out - 1) + 1, s),
    )


def im2col_shape(x_shape, HH, WW, stride=1, pad=0, dilation=1):
    """Shape of ``im2col(x, HH, WW, ...)``: ``(C*HH*WW, N*H_out*W_out)``."""
    setup = _setup(tuple(x_shape), HH, WW, stride, pad, dilation)
    N, C = x_shape[:2]
    return (C * HH * WW, N * setup.H_out * setup.W_out)


def im2col(x, HH, WW, stride=1, pad=0, dilation=1):
    """Stretch every HH x WW receptive field of ``x`` into a column.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
        Input.  Not modified.
    HH, WW : int
        Filter height and width.
    stride, pad, dilation : int
        As in ``conv_param``: step between windows, zeros on each side,
        spacing of the filter taps (1 = ordinary filter).

    Returns
    -------
    cols : array of shape (C*HH*WW, N*H_out*W_out), same dtype as ``x``
        ``cols[(c*HH + kh)*WW + kw, (n*H_out + i)*W_out + j]`` is
        ``x_pad[n, c, i*stride + kh*dilation, j*stride + kw*dilation]``.

    Raises
    ------
    ValueError
        Wrong rank, or a geometry whose output size is not an integer.
    """
    x = as_array(x, "x", 4, "(N, C, H, W)")
    setup = _setup(x.shape, HH, WW, stride, pad, dilation)
    N, C, H, W = x.shape
    p = setup.pad
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
    cols = np.empty((C, HH, WW, N, setup.H_out, setup.W_out), dtype=x.dtype)
    for kh in range(HH):
        for kw in range(WW):
            rows, columns = _tap_slices(kh, kw, setup)
            # (N, C, H_out, W_out) view -> (C, N, H_out, W_out) in the output
            cols[:, kh, kw] = x_pad[:, :, rows, columns].transpose(1, 0, 2, 3)
    return cols.reshape(C * HH * WW, N * setup.H_out * setup.W_out)


def col2im(cols, x_shape, HH, WW, stride=1, pad=0, dilation=1):
    """Add every column back onto the input pixels it was copied from.

    The adjoint of :func:`im2col`: for all ``x`` and ``y`` of the right
    shapes, ``sum(im2col(x) * y) == sum(x * col2im(y))``.  A pixel that sits
    in k windows receives the sum of its k entries (it is *not* an inverse:
    ``col2im(im2col(x))`` is x times the number of windows per pixel).

    Parameters
    ----------
    cols : array of shape (C*HH*WW, N*H_out*W_out)
        Columns, laid out as :func:`im2col` returns them.
    x_shape : tuple (N, C, H, W)
        Shape of the input the columns came from.
    HH, WW, stride, pad, dilation : int
        The settings that were given to :func:`im2col`.

    Returns
    -------
    x : array of shape (N, C, H, W), same dtype as ``cols``
        Padding positions are dropped (they were zeros, not inputs).
    """
    x_shape = tuple(int(v) for v in x_shape)
    if len(x_shape) != 4:
        raise ValueError(f"x_shape must be (N, C, H, W), got {x_shape}.")
    setup = _setup(x_shape, HH, WW, stride, pad, dilation)
    N, C, H, W = x_shape
    expected = (C * HH * WW, N * setup.H_out * setup.W_out)
    cols = np.asarray(cols)
    if cols.shape != expected:
        raise ValueError(
            f"cols.shape={cols.shape} does not match x_shape={x_shape} with a "
            f"{HH}x{WW} filter (stride={stride}, pad={pad}, dilation={dilation}): "
            f"im2col would give {expected}."
        )
    if not np.issubdtype(cols.dtype, np.floating):
        cols = cols.astype(np.float64)
    p = setup.pad
    x_pad = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    blocks = cols.reshape(C, HH, WW, N, setup.H_out, setup.W_out)
    for kh in range(HH):
        for kw in range(WW):
            rows, columns = _tap_slices(kh, kw, setup)
            # within one tap the windows never hit the same pixel twice, so += is exact
            x_pad[:, :, rows, columns] += blocks[:, kh, kw].transpose(1, 0, 2, 3)
    return x_pad[:, :, p:p + H, p:p + W].copy() if p else x_pad
