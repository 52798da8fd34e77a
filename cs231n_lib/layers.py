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
from ._checks import check_pool_dout as _pool_check_dout
from ._checks import pool_input as _pool_input
from ._checks import pool_setup as _pool_setup

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


# ---- pooling ----
# Three pooling layers, each a forward/backward pair with CS231n's
# ``pool_param = {'pool_height': HH, 'pool_width': WW, 'stride': S}``.
# Window (i, j) of the output covers rows i*S .. i*S+HH-1 and columns
# j*S .. j*S+WW-1 of the input; pooling is never padded.

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


# ---- affine, relu, losses ----
__all__ += ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss", "svm_loss"]


def _float_array(x, name):
    """``x`` as a floating ndarray (integers become float64); ValueError otherwise."""
    try:
        arr = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{name} must be an array: {err}") from None
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        arr = arr.astype(np.float64)
    elif not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    return arr


def affine_forward(x, w, b):
    """Forward pass of a fully connected (affine) layer: ``out = x_flat @ w + b``.

    Parameters
    ----------
    x : array of shape (N, d_1, ..., d_k)
        N examples; each is flattened to a row of D = d_1 * ... * d_k numbers.
    w : array of shape (D, M)
        Weights: one column per output unit.
    b : array of shape (M,)
        Biases.

    Returns
    -------
    out : array of shape (N, M)
    cache : tuple ``(x, w, b)`` for :func:`affine_backward`.

    Raises
    ------
    ValueError
        When ``w`` is not (D, M) with D matching the flattened ``x``, or ``b``
        is not (M,); the message shows the shapes.
    """
    x, w, b = _float_array(x, "x"), _float_array(w, "w"), _float_array(b, "b")
    if x.ndim < 1 or w.ndim != 2 or b.ndim != 1:
        raise ValueError(
            f"affine_forward expects x (N, d_1, ..., d_k), w (D, M) and b (M,); "
            f"got x.shape={x.shape}, w.shape={w.shape}, b.shape={b.shape}."
        )
    N = x.shape[0]
    D = int(np.prod(x.shape[1:], dtype=np.int64))
    if w.shape[0] != D:
        raise ValueError(
            f"x.shape={x.shape} flattens to rows of D = {D} numbers, but w.shape={w.shape} "
            f"expects D = {w.shape[0]}."
        )
    if b.shape[0] != w.shape[1]:
        raise ValueError(f"b.shape={b.shape} must be (M,) = ({w.shape[1]},) to match w.shape={w.shape}.")
    out = x.reshape(N, D) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of :func:`affine_forward`.

    Parameters
    ----------
    dout : array of shape (N, M)
        Upstream gradient.
    cache : tuple ``(x, w, b)`` from the forward pass.

    Returns
    -------
    dx : array of shape (N, d_1, ..., d_k)
    dw : array of shape (D, M)
    db : array of shape (M,)
    """
    x, w, b = cache
    dout = _float_array(dout, "dout")
    N = x.shape[0]
    if dout.shape != (N, w.shape[1]):
        raise ValueError(
            f"dout.shape={dout.shape} must equal the forward output shape {(N, w.shape[1])}."
        )
    x_flat = x.reshape(N, -1)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_flat.T @ dout
    db = dout.sum(axis=0)
    return dx, dw, db


def relu_forward(x):
    """Forward pass of a rectified linear unit: ``out = max(0, x)``, elementwise.

    Parameters
    ----------
    x : array of any shape

    Returns
    -------
    out : array of the same shape as ``x``
    cache : ``x``, for :func:`relu_backward`.
    """
    x = _float_array(x, "x")
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    """Backward pass of :func:`relu_forward`: the gradient flows where ``x > 0``.

    Parameters
    ----------
    dout : array of the shape of ``x``
    cache : ``x`` from the forward pass.

    Returns
    -------
    dx : array of the shape of ``x``
    """
    x = cache
    dout = _float_array(dout, "dout")
    if dout.shape != x.shape:
        raise ValueError(f"dout.shape={dout.shape} must equal x.shape={x.shape}.")
    return dout * (x > 0)


# Two variants of the ReLU backward pass that the visualisation techniques use in place of
# the true gradient.  Neither is a derivative of anything: they are rules for what to send
# back.  A net selects one per call (``SequentialNet.backward_from(..., relu_rule="guided")``).
__all__ += ["relu_backward_guided", "relu_backward_deconvnet"]


def relu_backward_guided(dout, cache):
    """Guided backpropagation through a ReLU (Springenberg et al., 2014).

    The gradient passes only where the forward input was positive (as in
    :func:`relu_backward`) *and* the incoming gradient is positive:
    ``dx = dout * (x > 0) * (dout > 0)``.  Back-propagated through a whole
    net, this keeps only the evidence *for* a unit, which gives sharper
    pictures than the plain gradient.

    Parameters
    ----------
    dout : array of the shape of ``x``
    cache : ``x`` from :func:`relu_forward`.

    Returns
    -------
    dx : array of the shape of ``x``, never negative.
    """
    x = cache
    dout = _float_array(dout, "dout")
    if dout.shape != x.shape:
        raise ValueError(f"dout.shape={dout.shape} must equal x.shape={x.shape}.")
    return dout * ((x > 0) & (dout > 0))


def relu_backward_deconvnet(dout, cache):
    """The "deconvnet" rule through a ReLU (Zeiler and Fergus, 2014).

    The signal going down passes through a ReLU of its own: only where the
    incoming gradient is positive, whatever the forward input was:
    ``dx = dout * (dout > 0)`` (``x`` is not used, only its shape checked).

    Parameters
    ----------
    dout : array of the shape of ``x``
    cache : ``x`` from :func:`relu_forward`.

    Returns
    -------
    dx : array of the shape of ``x``, never negative.
    """
    x = cache
    dout = _float_array(dout, "dout")
    if dout.shape != x.shape:
        raise ValueError(f"dout.shape={dout.shape} must equal x.shape={x.shape}.")
    return dout * (dout > 0)


def _check_scores_labels(x, y, name):
    x = _float_array(x, "x")
    if x.ndim != 2:
        raise ValueError(f"{name} expects scores x of shape (N, C), got x.shape={x.shape}.")
    y = np.asarray(y)
    if y.shape != (x.shape[0],):
        raise ValueError(
            f"{name} expects labels y of shape (N,) = ({x.shape[0]},) for x.shape={x.shape}; "
            f"got y.shape={y.shape}."
        )
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(f"{name}: labels y must be integers, got dtype {y.dtype}.")
        y = y.astype(np.int64)
    y = y.astype(np.int64, copy=False)
    if y.size and (y.min() < 0 or y.max() >= x.shape[1]):
        raise ValueError(
            f"{name}: labels must lie in 0..C-1 = 0..{x.shape[1] - 1} for x.shape={x.shape}; "
            f"got labels from {int(y.min())} to {int(y.max())}."
        )
    return x, y


def softmax_loss(x, y):
    """Softmax (cross-entropy) loss and its gradient.

    ``loss = mean_i( -log( exp(x[i, y_i]) / sum_j exp(x[i, j]) ) )``, computed
    after subtracting each row's maximum so that ``exp`` cannot overflow.

    Parameters
    ----------
    x : array of shape (N, C)
        Class scores: ``x[i, j]`` is the score of class j for example i.
    y : int array of shape (N,)
        Correct labels, ``0 <= y[i] < C``.

    Returns
    -------
    loss : float
    dx : array of shape (N, C), the gradient of ``loss`` with respect to ``x``.
    """
    x, y = _check_scores_labels(x, y, "softmax_loss")
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(N), y].mean())
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, and its gradient.

    ``loss = mean_i( sum_{j != y_i} max(0, x[i, j] - x[i, y_i] + 1) )``.

    Parameters
    ----------
    x : array of shape (N, C)
        Class scores.
    y : int array of shape (N,)
        Correct labels, ``0 <= y[i] < C``.

    Returns
    -------
    loss : float
    dx : array of shape (N, C), the gradient of ``loss`` with respect to ``x``.
    """
    x, y = _check_scores_labels(x, y, "svm_loss")
    N = x.shape[0]
    correct = x[np.arange(N), y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[np.arange(N), y] = 0
    loss = float(margins.sum() / N)
    positive = (margins > 0).astype(x.dtype)
    dx = positive
    dx[np.arange(N), y] -= positive.sum(axis=1)
    dx /= N
    return loss, dx
