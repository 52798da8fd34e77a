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

__all__ = []


# ---- pooling ----
# Three pooling layers, each a forward/backward pair with CS231n's
# ``pool_param = {'pool_height': HH, 'pool_width': WW, 'stride': S}``.
# Window (i, j) of the output covers rows i*S .. i*S+HH-1 and columns
# j*S .. j*S+WW-1 of the input; pooling is never padded.
from ._pool_checks import (  # noqa: E402
    check_dout as _pool_check_dout,
    pool_input as _pool_input,
    pool_setup as _pool_setup,
)

__all__ += [
    "max_pool_forward_naive", "max_pool_backward_naive",
    "avg_pool_forward_naive", "avg_pool_backward_naive",
    "l2_pool_forward_naive", "l2_pool_backward_naive",
]


def max_pool_forward_naive(x, pool_param):
    """Forward pass of max pooling, one window at a time.

    Every depth slice is pooled on its own: each output number is the largest
    input number in its ``pool_height x pool_width`` window.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
        Input.  Integers are converted to float64; not modified.
    pool_param : dict
        ``'pool_height'``, ``'pool_width'``: window size; ``'stride'``: step
        between windows (the same along height and width).

    Returns
    -------
    out : array of shape (N, C, H_out, W_out)
        ``H_out = (H - pool_height)/stride + 1``, likewise ``W_out``.
    cache : tuple ``(x, pool_param, switches)``
        ``switches`` is an int array of shape (N, C, H_out, W_out): the
        position of the maximum inside each window, counted row by row
        (``row * pool_width + col``).  When a window holds several equal
        maxima, the switch is the first of them in that row-by-row order.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D, ``pool_param`` lacks a key, or the windows do not
        tile the input (the message shows ``(W - F)/S + 1`` with the numbers).
    """
    x = _pool_input(x)
    N, C, H, W = x.shape
    HH, WW, S, H_out, W_out = _pool_setup(x.shape, pool_param)
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    switches = np.empty((N, C, H_out, W_out), dtype=np.intp)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + HH, j * S:j * S + WW]
                    k = int(np.argmax(window))  # first maximum, row by row
                    switches[n, c, i, j] = k
                    out[n, c, i, j] = window[k // WW, k % WW]
    return out, (x, pool_param, switches)


def max_pool_backward_naive(dout, cache):
    """Backward pass of max pooling: route each gradient to its window's maximum.

    The derivative of ``max(a, b, ...)`` is 1 for the largest input and 0 for
    the others, so ``dout[n, c, i, j]`` goes, whole, to the one input the
    forward pass picked (its switch) and every other input of the window gets
    nothing.  Ties: the gradient is *not* shared; it all goes to the first
    maximum in row-by-row order, the one recorded in the switches (as in
    PyTorch).  Where windows overlap (stride < window) an input can be the
    maximum of several windows and then receives the sum of their gradients.

    Parameters
    ----------
    dout : array of shape (N, C, H_out, W_out)
        Upstream gradient.
    cache : tuple ``(x, pool_param, switches)`` from the forward pass
        (naive or fast: both store the same cache).

    Returns
    -------
    dx : array of shape (N, C, H, W), the dtype of ``x``
    """
    x, pool_param, switches = cache
    HH, WW, S, H_out, W_out = setup = _pool_setup(x.shape, pool_param)
    dout = _pool_check_dout(dout, x.shape, setup)
    N, C = x.shape[:2]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    k = switches[n, c, i, j]
                    dx[n, c, i * S + k // WW, j * S + k % WW] += dout[n, c, i, j]
    return dx


def avg_pool_forward_naive(x, pool_param):
    """Forward pass of average pooling: the mean of every window.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width', 'stride'

    Returns
    -------
    out : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param)``

    Raises ValueError like :func:`max_pool_forward_naive`.
    """
    x = _pool_input(x)
    N, C, H, W = x.shape
    HH, WW, S, H_out, W_out = _pool_setup(x.shape, pool_param)
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.mean(x[n, c, i * S:i * S + HH, j * S:j * S + WW])
    return out, (x, pool_param)


def avg_pool_backward_naive(dout, cache):
    """Backward pass of average pooling: every input of a window gets ``dout / (HH*WW)``.

    Parameters
    ----------
    dout : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param)`` from the forward pass

    Returns
    -------
    dx : array of shape (N, C, H, W); overlapping windows add up.
    """
    x, pool_param = cache
    HH, WW, S, H_out, W_out = setup = _pool_setup(x.shape, pool_param)
    dout = _pool_check_dout(dout, x.shape, setup)
    N, C = x.shape[:2]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    dx[n, c, i * S:i * S + HH, j * S:j * S + WW] += dout[n, c, i, j] / (HH * WW)
    return dx


def l2_pool_forward_naive(x, pool_param):
    """Forward pass of L2-norm pooling: ``sqrt(sum of squares)`` of every window.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    pool_param : dict with 'pool_height', 'pool_width', 'stride'

    Returns
    -------
    out : array of shape (N, C, H_out, W_out), never negative
    cache : tuple ``(x, pool_param, out)``

    Raises ValueError like :func:`max_pool_forward_naive`.
    """
    x = _pool_input(x)
    N, C, H, W = x.shape
    HH, WW, S, H_out, W_out = _pool_setup(x.shape, pool_param)
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + HH, j * S:j * S + WW]
                    out[n, c, i, j] = np.sqrt(np.sum(window * window))
    return out, (x, pool_param, out)


def l2_pool_backward_naive(dout, cache):
    """Backward pass of L2-norm pooling.

    ``d/dx_k sqrt(sum x^2) = x_k / sqrt(sum x^2)``: each input of a window
    gets ``dout * x_k / out``.  A window of zeros has no derivative there
    (the norm has a corner at 0); its inputs get 0, the smallest subgradient.

    Parameters
    ----------
    dout : array of shape (N, C, H_out, W_out)
    cache : tuple ``(x, pool_param, out)`` from the forward pass

    Returns
    -------
    dx : array of shape (N, C, H, W); overlapping windows add up.
    """
    x, pool_param, out = cache
    HH, WW, S, H_out, W_out = setup = _pool_setup(x.shape, pool_param)
    dout = _pool_check_dout(dout, x.shape, setup)
    N, C = x.shape[:2]
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    if out[n, c, i, j] == 0:
                        continue
                    window = x[n, c, i * S:i * S + HH, j * S:j * S + WW]
                    dx[n, c, i * S:i * S + HH, j * S:j * S + WW] += (
                        dout[n, c, i, j] * window / out[n, c, i, j]
                    )
    return dx
