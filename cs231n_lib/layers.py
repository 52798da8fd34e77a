"""Reference layers written as plain loops, with CS231n's API.

Every layer is a pair of functions::

    out, cache = <layer>_forward(x, ...)
    dx, ... = <layer>_backward(dout, cache)

Arrays are NCHW (batch, channels, height, width); filters are
(F, C, HH, WW); convolution is cross-correlation (the filter is not
flipped), as in CS231n and every deep-learning framework.  These versions
favour readability over speed: ``fast_layers`` has the vectorised twins,
with the same signatures and the same results.

Bad input raises ``ValueError`` naming the shapes involved; invalid
geometry raises the formula error of :mod:`cs231n_lib.arithmetic`.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_conv_inputs, check_dout, result_dtype

__all__ = ["conv_forward_naive", "conv_backward_naive"]


# ---- convolution ----
def conv_forward_naive(x, w, b, conv_param):
    """Forward pass of a convolutional layer, as four nested loops.

    Each filter is slid over the zero-padded input; at every position the
    output is the dot product of the filter with the input window under it,
    plus the filter's bias (cross-correlation: the filter is not flipped).

    Parameters
    ----------
    x : array of shape (N, C, H, W)
        Input: N images with C channels of H x W pixels.  Not modified.
    w : array of shape (F, C, HH, WW)
        F filters, each C deep and HH x WW in space.
    b : array of shape (F,)
        One bias per filter.
    conv_param : dict
        ``'stride'``: step in pixels between neighbouring windows;
        ``'pad'``: zeros added on each side of the height and width axes;
        ``'dilation'`` (optional, default 1): spacing of the filter taps
        (1 is an ordinary filter; the course notes call it "dilation 0").

    Returns
    -------
    out : array of shape (N, F, H_out, W_out)
        ``H_out = (H - HH_eff + 2*pad) / stride + 1`` with
        ``HH_eff = HH + (HH - 1)*(dilation - 1)``, and likewise ``W_out``.
        float32 inputs give float32 output; otherwise float64.
    cache : tuple
        ``(x, w, b, conv_param)`` for :func:`conv_backward_naive`.

    Raises
    ------
    ValueError
        Wrong ranks, a channel or bias mismatch (the message shows the
        shapes), or a geometry whose output size is not an integer (the
        message shows the formula with the numbers filled in).
    """
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    stride, pad, dil, H_out, W_out = setup
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    span_h = dil * (HH - 1) + 1  # pixels one window covers, with its gaps
    span_w = dil * (WW - 1) + 1

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # a new array
    out = np.zeros((N, F, H_out, W_out), dtype=result_dtype(x, w, b))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    window = x_pad[n, :, top:top + span_h:dil, left:left + span_w:dil]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """Backward pass of :func:`conv_forward_naive`, as the same four loops.

    Every output ``out[n, f, i, j]`` was ``sum(window * w[f]) + b[f]``, so
    its upstream gradient flows back to the window (times ``w[f]``), to the
    filter (times the window) and to the bias (times one).  Windows overlap,
    so the contributions are added up.

    Parameters
    ----------
    dout : array of shape (N, F, H_out, W_out)
        Upstream gradient of the loss with respect to ``out``.
    cache : tuple
        ``(x, w, b, conv_param)`` as returned by :func:`conv_forward_naive`.

    Returns
    -------
    dx : array of shape (N, C, H, W)
        Gradient with respect to ``x``.
    dw : array of shape (F, C, HH, WW)
        Gradient with respect to ``w``.
    db : array of shape (F,)
        Gradient with respect to ``b``.
    """
    x, w, b, conv_param = cache
    x, w, b, setup = check_conv_inputs(x, w, b, conv_param)
    stride, pad, dil, H_out, W_out = setup
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    dout = check_dout(dout, (N, F, H_out, W_out))
    span_h = dil * (HH - 1) + 1
    span_w = dil * (WW - 1) + 1
    dtype = result_dtype(x, w, b, dout)

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros(x_pad.shape, dtype=dtype)
    dw = np.zeros(w.shape, dtype=dtype)
    db = np.zeros(b.shape, dtype=dtype)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    top, left = i * stride, j * stride
                    rows = slice(top, top + span_h, dil)
                    cols = slice(left, left + span_w, dil)
                    g = dout[n, f, i, j]
                    dx_pad[n, :, rows, cols] += g * w[f]
                    dw[f] += g * x_pad[n, :, rows, cols]
                    db[f] += g
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W].copy()
    return dx, dw, db
