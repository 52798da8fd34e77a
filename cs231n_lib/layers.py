"""Reference layers written as plain loops, with CS231n's API.

Every layer is a pair of functions::

    out, cache = <layer>_forward(x, ...)
    dx, ... = <layer>_backward(dout, cache)

Arrays are NCHW (batch, channels, height, width); filters are
(F, C, HH, WW); convolution is cross-correlation (the filter is not
flipped), as in CS231n and every deep-learning framework.  These versions
favour readability over speed: ``fast_layers`` has the vectorised twins,
with the same signatures and the same results.  The affine, normalization
and dropout layers (assignment 2's batch, layer, spatial batch and group norm)
are whole-array numpy expressions: there is no loop worth writing out.

Bad input raises ``ValueError`` naming the shapes involved; invalid
geometry raises the formula error of :mod:`cs231n_lib.arithmetic`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import check_conv_inputs, check_dout, check_param_dict, real_number, result_dtype
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
    after subtracting each row's maximum so that ``exp`` cannot overflow. The gradient's
    true-class entry ``p_y - 1`` is computed as ``-sum_{k != y} p_k``, without cancellation:
    in float32 a confident example's ``p_y`` rounds to 1 and ``p_y - 1`` would be 0.

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
    rows = np.arange(N)
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[rows, y].mean())
    dx = np.exp(log_probs)
    # The true class's entry is p_y - 1. For a confident example p_y rounds to exactly 1 in
    # float32 and p_y - 1 to 0, while the other entries keep their ~1e-9: the gradient would lose
    # its largest term. 1 - p_y is the sum of the other probabilities, so write it as that.
    dx[rows, y] = 0
    dx[rows, y] = -dx.sum(axis=1)
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


# ---- normalization and dropout ----
# CS231n assignment 2's batch, layer, spatial batch and group normalization,
# and inverted dropout, with the assignment's signatures.  Every normalization
# is the same two steps on different axes:
#
#     x_hat = (x - mean) / sqrt(var + eps)      mean and var over some axes
#     out   = gamma * x_hat + beta              one gamma and beta per feature / channel
#
# batch norm: (N, D), statistics of every feature over the batch (axis 0);
# layer norm: (N, D), statistics of every example over its features (axis 1);
# spatial batch norm: (N, C, H, W), of every channel over the batch and the image;
# group norm: (N, C, H, W), of every group of C/G channels of one image.

__all__ += [
    "NormCache",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
    "layernorm_forward", "layernorm_backward",
    "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "spatial_groupnorm_forward", "spatial_groupnorm_backward",
    "dropout_forward", "dropout_backward",
]

_BN_KEYS = ("mode", "eps", "momentum", "running_mean", "running_var")
_LN_KEYS = ("eps", "mode")  # 'mode' is accepted and ignored: layer and group norm act alike in both
_DROPOUT_KEYS = ("p", "mode", "seed")


class NormCache(NamedTuple):
    """The cache of a normalization layer: a tuple, with names.

    ``mean`` and ``var`` are the statistics that normalized ``x`` (the batch's
    in 'train' mode, the running ones in 'test' mode), shaped to broadcast
    against ``x_hat`` (group norm keeps ``x_hat`` as (N, G, C/G, H, W)).
    """

    layer: str           # the forward function that made it
    x: np.ndarray        # the input
    x_hat: np.ndarray    # (x - mean) / sqrt(var + eps)
    mean: np.ndarray
    var: np.ndarray
    gamma: np.ndarray    # scale, as given
    beta: np.ndarray     # shift, as given
    eps: float
    mode: str            # 'train': mean and var depend on x; 'test': they are constants


def _eps(param, name):
    """``param['eps']`` (default 1e-5) as a positive float."""
    eps = real_number(param.get("eps", 1e-5), f"{name}['eps']")
    if eps <= 0:
        raise ValueError(f"{name}['eps'] must be positive (it keeps sqrt(var + eps) away from 0), got {eps}.")
    return eps


def _norm_input(x, ndim, layout, layer):
    """``x`` as a floating array of rank ``ndim`` with no empty axis."""
    x = _float_array(x, "x")
    if x.ndim != ndim:
        raise ValueError(
            f"{layer} expects x of shape {layout}, got x.shape={x.shape} ({x.ndim} dimensions)."
        )
    if 0 in x.shape:
        raise ValueError(f"{layer} got an empty input, x.shape={x.shape}.")
    return x


def _scale_shift(gamma, beta, shape, layout, x, layer):
    """gamma and beta as float arrays of exactly ``shape``, or a ValueError with all shapes."""
    gamma, beta = _float_array(gamma, "gamma"), _float_array(beta, "beta")
    for name, arr in (("gamma", gamma), ("beta", beta)):
        if arr.shape != tuple(shape):
            hint = ""
            if arr.size == int(np.prod(shape)):
                hint = f" (same numbers, other shape: use {name}.reshape{tuple(shape)})"
            raise ValueError(
                f"{layer}: {name} must have shape {layout} = {tuple(shape)} for x.shape={x.shape}, "
                f"got {name}.shape={arr.shape}{hint}."
            )
    return gamma, beta


def _bn_settings(bn_param, D, dtype, count, layer, layout="(D,)", name="bn_param"):
    """Check a batch-norm ``bn_param``; fill in missing running statistics (zeros, as CS231n).

    Returns ``(mode, eps, momentum)``.  Existing ``running_mean`` and
    ``running_var`` must have shape ``layout`` = (D,); integer ones are stored
    back as float arrays.  ``count`` is how many numbers each statistic is
    taken over: 'train' mode needs at least 2.  Nothing is stored on an error.
    """
    check_param_dict(bn_param, name, _BN_KEYS, ("mode",), "{'mode': 'train', 'eps': 1e-5, 'momentum': 0.9}")
    eps = _eps(bn_param, name)
    mode = bn_param["mode"]
    momentum = real_number(bn_param.get("momentum", 0.9), f"{name}['momentum']")
    if not 0 <= momentum <= 1:
        raise ValueError(
            f"{name}['momentum'] must lie in [0, 1] (running = momentum * running + "
            f"(1 - momentum) * sample), got {momentum}."
        )
    if mode == "train" and count < 2:
        what = "examples" if layout == "(D,)" else "numbers per channel (N*H*W)"
        raise ValueError(
            f"{layer} in 'train' mode needs at least 2 {what}, got 1: the variance of one number "
            "is 0 and the output would be just beta."
        )
    if mode == "test" and not ("running_mean" in bn_param and "running_var" in bn_param):
        raise ValueError(
            f"{name} has mode 'test' but no running_mean / running_var: test mode normalizes with the "
            "running averages that 'train' mode keeps, so run the layer in 'train' mode first "
            f"(or put your own running_mean and running_var of shape {layout} = ({D},) into it)."
        )
    checked = {}
    for key in ("running_mean", "running_var"):
        if key not in bn_param:
            checked[key] = np.zeros(D, dtype=dtype)
            continue
        value = bn_param[key]
        arr = _float_array(value, f"{name}['{key}']")
        if arr.shape != (D,):
            raise ValueError(
                f"{name}['{key}'] must have shape {layout} = ({D},), one number per "
                f"{'channel' if layout == '(C,)' else 'feature'}, got shape {arr.shape}."
            )
        if key == "running_var" and np.any(arr < 0):
            raise ValueError(f"{name}['running_var'] holds negative variances: {arr[arr < 0][:5]}.")
        if arr is not value:
            checked[key] = arr
    bn_param.update(checked)
    return mode, eps, momentum


def _update_running(bn_param, key, sample, momentum):
    """``bn_param[key] = momentum * bn_param[key] + (1 - momentum) * sample``, in place where possible."""
    old = bn_param[key]
    new = momentum * old + (1 - momentum) * sample
    if old.flags.writeable:
        old[...] = new  # the caller's array itself changes (its dtype is kept)
    else:
        bn_param[key] = new


def _standardize(x, axes, eps):
    """``x_hat = (x - mean) / sqrt(var + eps)`` with mean and (biased) var over ``axes``."""
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return x_hat, mean, var


def _standardize_backward(dx_hat, x_hat, var, eps, axes, mode):
    """Gradient through :func:`_standardize`, in the closed form.

    With ``s = sqrt(var + eps)``::

        dx = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / s

    (means over ``axes``).  In 'test' mode mean and var are constants and
    ``dx = dx_hat / s``.
    """
    inv_std = 1.0 / np.sqrt(var + eps)
    if mode == "test":
        return dx_hat * inv_std
    return inv_std * (
        dx_hat
        - dx_hat.mean(axis=axes, keepdims=True)
        - x_hat * (dx_hat * x_hat).mean(axis=axes, keepdims=True)
    )


def _norm_cache(cache, layer, backward):
    """The NormCache of ``layer``, or a ValueError saying where a wrong cache came from."""
    if not isinstance(cache, NormCache):
        raise ValueError(
            f"{backward} needs the cache returned by {layer}, got a {type(cache).__name__}."
        )
    if cache.layer != layer:
        raise ValueError(
            f"{backward} got a cache made by {cache.layer}; pass it to that layer's backward function, "
            f"or use the cache of {layer}."
        )
    return cache


def _norm_dout(dout, x_shape):
    """``dout`` as a float array of the forward output's shape, or a ValueError with both shapes."""
    dout = _float_array(dout, "dout")
    if dout.shape != tuple(x_shape):
        raise ValueError(f"dout.shape={dout.shape} must equal the forward output shape {tuple(x_shape)}.")
    return dout


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization: every feature normalized over the batch.

    'train' mode uses the batch's mean and (biased, 1/N) variance of every
    feature and updates the running averages in ``bn_param``::

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var  = momentum * running_var  + (1 - momentum) * sample_var

    (the arrays in ``bn_param`` are updated in place; missing ones start as
    zeros, as in CS231n).  'test' mode normalizes with the running averages.

    Parameters
    ----------
    x : array of shape (N, D)
    gamma : array of shape (D,), scale
    beta : array of shape (D,), shift
    bn_param : dict
        ``'mode'``: 'train' or 'test' (required); ``'eps'`` (default 1e-5);
        ``'momentum'`` (default 0.9); ``'running_mean'``, ``'running_var'``:
        arrays of shape (D,).

    Returns
    -------
    out : array of shape (N, D), ``gamma * (x - mean) / sqrt(var + eps) + beta``
    cache : :class:`NormCache` for :func:`batchnorm_backward` or :func:`batchnorm_backward_alt`

    Raises
    ------
    ValueError
        x not (N, D), gamma or beta not (D,), a missing or unknown key, a mode
        other than 'train'/'test', eps <= 0, momentum outside [0, 1], running
        statistics of the wrong shape, 'test' mode without running statistics,
        or 'train' mode with a single example (its variance is 0).
    """
    x = _norm_input(x, 2, "(N, D)", "batchnorm_forward")
    gamma, beta = _scale_shift(gamma, beta, x.shape[1:], "(D,)", x, "batchnorm_forward")
    mode, eps, momentum = _bn_settings(bn_param, x.shape[1], x.dtype, x.shape[0], "batchnorm_forward")
    if mode == "train":
        x_hat, mean, var = _standardize(x, 0, eps)
        _update_running(bn_param, "running_mean", mean[0], momentum)
        _update_running(bn_param, "running_var", var[0], momentum)
    else:
        mean = bn_param["running_mean"][None, :].copy()  # later training must not change this cache
        var = bn_param["running_var"][None, :].copy()
        x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma * x_hat + beta
    dtype = result_dtype(x, gamma, beta)
    cache = NormCache("batchnorm_forward", x, x_hat, mean, var, gamma, beta, eps, mode)
    return out.astype(dtype, copy=False), cache


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization, node by node through its computation graph.

    Forward, written as a graph of small steps (means over the batch, N rows)::

        mu = mean(x);  xc = x - mu;  var = mean(xc**2);  std = sqrt(var + eps)
        x_hat = xc / std;  out = gamma * x_hat + beta

    ``xc`` feeds two nodes (``x_hat`` and ``var``) and ``x`` two (``xc`` and
    ``mu``): their gradients add up.  :func:`batchnorm_backward_alt` gives the
    same numbers in one closed-form line.

    Parameters
    ----------
    dout : array of shape (N, D), upstream gradient
    cache : :class:`NormCache` from :func:`batchnorm_forward` (either mode)

    Returns
    -------
    dx : array of shape (N, D)
    dgamma : array of shape (D,)
    dbeta : array of shape (D,)
    """
    cache = _norm_cache(cache, "batchnorm_forward", "batchnorm_backward")
    x, x_hat, mu, var, gamma, eps = cache.x, cache.x_hat, cache.mean, cache.var, cache.gamma, cache.eps
    dout = _norm_dout(dout, x.shape)
    N = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    std = np.sqrt(var + eps)
    if cache.mode == "test":  # mu and var are constants: only the x_hat node
        return dx_hat / std, dgamma, dbeta
    xc = x - mu
    dxc = dx_hat / std                                 # x_hat = xc / std, through xc
    dstd = -np.sum(dx_hat * xc, axis=0) / std ** 2     # ... and through std
    dvar = dstd / (2 * std)                            # std = sqrt(var + eps)
    dxc = dxc + 2 * xc * dvar / N                      # var = mean(xc ** 2)
    dmu = -np.sum(dxc, axis=0)                         # xc = x - mu
    dx = dxc + dmu / N                                 # mu = mean(x)
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalization in its simplified closed form.

    Working the graph of :func:`batchnorm_backward` out on paper, with
    ``s = sqrt(var + eps)`` and N examples, the gradient of every input needs
    only ``dbeta = sum(dout)`` and ``dgamma = sum(dout * x_hat)`` (sums over
    the batch), which the parameters need anyway::

        dx = gamma / (N * s) * (N * dout - dbeta - x_hat * dgamma)

    Same inputs, cache and outputs as :func:`batchnorm_backward`.
    """
    cache = _norm_cache(cache, "batchnorm_forward", "batchnorm_backward_alt")
    dout = _norm_dout(dout, cache.x.shape)
    x_hat, gamma = cache.x_hat, cache.gamma
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    scale = gamma / np.sqrt(cache.var + cache.eps)
    if cache.mode == "test":  # mean and var are constants
        return dout * scale, dgamma, dbeta
    dx = scale / N * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass of layer normalization: every example normalized over its own features.

    The same in 'train' and 'test' mode; no running averages.

    Parameters
    ----------
    x : array of shape (N, D)
    gamma : array of shape (D,), scale (one per feature, as in batch norm)
    beta : array of shape (D,), shift
    ln_param : dict
        ``'eps'`` (default 1e-5).  A ``'mode'`` key is accepted and ignored.

    Returns
    -------
    out : array of shape (N, D)
    cache : :class:`NormCache` for :func:`layernorm_backward`

    Raises
    ------
    ValueError
        x not (N, D), gamma or beta not (D,), an unknown key, eps <= 0.
    """
    x = _norm_input(x, 2, "(N, D)", "layernorm_forward")
    gamma, beta = _scale_shift(gamma, beta, x.shape[1:], "(D,)", x, "layernorm_forward")
    check_param_dict(ln_param, "ln_param", _LN_KEYS, (), "{'eps': 1e-5}")
    eps = _eps(ln_param, "ln_param")
    x_hat, mean, var = _standardize(x, 1, eps)
    out = gamma * x_hat + beta
    cache = NormCache("layernorm_forward", x, x_hat, mean, var, gamma, beta, eps, "train")
    return out.astype(result_dtype(x, gamma, beta), copy=False), cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization (batch norm's closed form, along the features).

    Parameters
    ----------
    dout : array of shape (N, D)
    cache : :class:`NormCache` from :func:`layernorm_forward`

    Returns
    -------
    dx : array of shape (N, D)
    dgamma : array of shape (D,)
    dbeta : array of shape (D,)
    """
    cache = _norm_cache(cache, "layernorm_forward", "layernorm_backward")
    dout = _norm_dout(dout, cache.x.shape)
    dbeta = dout.sum(axis=0)
    dgamma = (dout * cache.x_hat).sum(axis=0)
    dx = _standardize_backward(dout * cache.gamma, cache.x_hat, cache.var, cache.eps, 1, "train")
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of spatial batch normalization: every channel normalized over the batch and the image.

    Batch norm for conv layers: each of the C channels has one mean and one
    variance, taken over all N*H*W numbers of that channel.  Modes and running
    averages as in :func:`batchnorm_forward`, with one number per channel.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    gamma : array of shape (C,), scale
    beta : array of shape (C,), shift
    bn_param : dict, as for :func:`batchnorm_forward`; running statistics of shape (C,)

    Returns
    -------
    out : array of shape (N, C, H, W)
    cache : :class:`NormCache` for :func:`spatial_batchnorm_backward`

    Raises
    ------
    ValueError
        As :func:`batchnorm_forward`, for x not (N, C, H, W), gamma or beta not (C,),
        or 'train' mode with a single number per channel (N*H*W = 1).
    """
    x = _norm_input(x, 4, "(N, C, H, W)", "spatial_batchnorm_forward")
    N, C, H, W = x.shape
    gamma, beta = _scale_shift(gamma, beta, (C,), "(C,)", x, "spatial_batchnorm_forward")
    mode, eps, momentum = _bn_settings(bn_param, C, x.dtype, N * H * W, "spatial_batchnorm_forward", "(C,)")
    if mode == "train":
        x_hat, mean, var = _standardize(x, (0, 2, 3), eps)
        _update_running(bn_param, "running_mean", mean.reshape(C), momentum)
        _update_running(bn_param, "running_var", var.reshape(C), momentum)
    else:
        mean = bn_param["running_mean"].reshape(1, C, 1, 1).copy()
        var = bn_param["running_var"].reshape(1, C, 1, 1).copy()
        x_hat = (x - mean) / np.sqrt(var + eps)
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    cache = NormCache("spatial_batchnorm_forward", x, x_hat, mean, var, gamma, beta, eps, mode)
    return out.astype(result_dtype(x, gamma, beta), copy=False), cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization.

    Parameters
    ----------
    dout : array of shape (N, C, H, W)
    cache : :class:`NormCache` from :func:`spatial_batchnorm_forward`

    Returns
    -------
    dx : array of shape (N, C, H, W)
    dgamma : array of shape (C,)
    dbeta : array of shape (C,)
    """
    cache = _norm_cache(cache, "spatial_batchnorm_forward", "spatial_batchnorm_backward")
    dout = _norm_dout(dout, cache.x.shape)
    C = cache.x.shape[1]
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * cache.x_hat).sum(axis=(0, 2, 3))
    dx_hat = dout * cache.gamma.reshape(1, C, 1, 1)
    dx = _standardize_backward(dx_hat, cache.x_hat, cache.var, cache.eps, (0, 2, 3), cache.mode)
    return dx, dgamma, dbeta


def _check_groups(G, C):
    if isinstance(G, (bool, np.bool_)) or not isinstance(G, (int, np.integer)):
        raise ValueError(f"G, the number of groups, must be an integer, got {G!r} ({type(G).__name__}).")
    G = int(G)
    if G < 1 or C % G:
        divisors = [d for d in range(1, C + 1) if C % d == 0]
        raise ValueError(
            f"G={G} groups must divide the C={C} channels into equal groups; "
            f"the divisors of {C} are {divisors}."
        )
    return G


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Forward pass of group normalization: every group of C/G channels of one image normalized on its own.

    The channels are split into G contiguous groups (channels ``g*C/G`` to
    ``(g+1)*C/G - 1``); each group of each image has one mean and one
    variance, over its C/G*H*W numbers.  G = 1 is layer norm over a whole image,
    G = C is instance norm.  The same in 'train' and 'test' mode.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    gamma : array of shape (1, C, 1, 1), scale (one per channel)
    beta : array of shape (1, C, 1, 1), shift
    G : int, the number of groups; it divides C
    gn_param : dict
        ``'eps'`` (default 1e-5).  A ``'mode'`` key is accepted and ignored.

    Returns
    -------
    out : array of shape (N, C, H, W)
    cache : :class:`NormCache` for :func:`spatial_groupnorm_backward`
        (its ``x_hat``, ``mean`` and ``var`` are shaped (N, G, C/G, H, W) and (N, G, 1, 1, 1))

    Raises
    ------
    ValueError
        x not (N, C, H, W), gamma or beta not (1, C, 1, 1), G not dividing C,
        an unknown key, eps <= 0.
    """
    x = _norm_input(x, 4, "(N, C, H, W)", "spatial_groupnorm_forward")
    N, C, H, W = x.shape
    gamma, beta = _scale_shift(gamma, beta, (1, C, 1, 1), "(1, C, 1, 1)", x, "spatial_groupnorm_forward")
    G = _check_groups(G, C)
    check_param_dict(gn_param, "gn_param", _LN_KEYS, (), "{'eps': 1e-5}")
    eps = _eps(gn_param, "gn_param")
    x_hat, mean, var = _standardize(x.reshape(N, G, C // G, H, W), (2, 3, 4), eps)
    out = gamma * x_hat.reshape(N, C, H, W) + beta
    cache = NormCache("spatial_groupnorm_forward", x, x_hat, mean, var, gamma, beta, eps, "train")
    return out.astype(result_dtype(x, gamma, beta), copy=False), cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of group normalization.

    Parameters
    ----------
    dout : array of shape (N, C, H, W)
    cache : :class:`NormCache` from :func:`spatial_groupnorm_forward`

    Returns
    -------
    dx : array of shape (N, C, H, W)
    dgamma : array of shape (1, C, 1, 1)
    dbeta : array of shape (1, C, 1, 1)
    """
    cache = _norm_cache(cache, "spatial_groupnorm_forward", "spatial_groupnorm_backward")
    dout = _norm_dout(dout, cache.x.shape)
    x_hat = cache.x_hat.reshape(cache.x.shape)
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
    dx_hat = (dout * cache.gamma).reshape(cache.x_hat.shape)
    dx = _standardize_backward(dx_hat, cache.x_hat, cache.var, cache.eps, (2, 3, 4), "train")
    return dx.reshape(cache.x.shape), dgamma, dbeta


def _dropout_settings(dropout_param):
    """``(p, mode, seed)`` from a CS231n ``dropout_param``, checked."""
    check_param_dict(dropout_param, "dropout_param", _DROPOUT_KEYS, ("p", "mode"),
                      "{'mode': 'train', 'p': 0.5}")
    p = real_number(dropout_param["p"], "dropout_param['p']")
    if not 0 < p <= 1:
        raise ValueError(
            f"dropout_param['p'] is the probability of KEEPING a unit and must lie in (0, 1], got {p}"
            + (" (to drop 25% of the units, keep p = 0.75)" if p > 1 else "") + "."
        )
    seed = dropout_param.get("seed")
    if seed is not None and not isinstance(seed, np.random.Generator):
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(
                "dropout_param['seed'] must be a non-negative integer (the same mask on every call) "
                f"or a numpy.random.Generator (a new mask on every call), got {seed!r}."
            )
    return p, dropout_param["mode"], seed


def dropout_forward(x, dropout_param):
    """Forward pass of inverted dropout: keep each unit with probability p, scaled by 1/p.

    In 'train' mode every number of ``x`` is kept with probability ``p`` and
    divided by ``p``, or set to 0, so the expected output equals ``x``; 'test'
    mode returns ``x`` unchanged (a copy).  ``p`` is the probability of
    *keeping*, as in CS231n, not of dropping.

    Parameters
    ----------
    x : array of any shape
    dropout_param : dict
        ``'p'``: keep probability in (0, 1]; ``'mode'``: 'train' or 'test';
        ``'seed'`` (optional): an integer gives the same mask on every call
        (what a gradient check needs), a ``numpy.random.Generator`` draws a new
        mask from it on every call (reproducible training); without it the
        mask comes from fresh entropy.  Masks come from
        ``numpy.random.default_rng(seed)``, not from numpy's global generator
        that CS231n's code seeds, so they differ from a student's for the same
        seed; their statistics agree.

    Returns
    -------
    out : array of the shape and dtype of ``x``
    cache : tuple ``(dropout_param, mask)``: a copy of the dict and, in 'train'
        mode, the array that multiplied ``x`` (``0`` or ``1/p``); None in 'test' mode.

    Raises
    ------
    ValueError
        A missing or unknown key, p outside (0, 1], a mode other than
        'train'/'test', a seed that is not a non-negative integer or a Generator.
    """
    x = _float_array(x, "x")
    p, mode, seed = _dropout_settings(dropout_param)
    if mode == "train":
        rng = np.random.default_rng(seed)
        mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)
        out = x * mask
    else:
        mask = None
        out = x.copy()
    return out, (dict(dropout_param), mask)


def dropout_backward(dout, cache):
    """Backward pass of inverted dropout: the gradient flows through the kept units, times 1/p.

    Parameters
    ----------
    dout : array of the shape of ``x``
    cache : tuple ``(dropout_param, mask)`` from :func:`dropout_forward`

    Returns
    -------
    dx : array of the shape of ``x``: ``dout * mask`` in 'train' mode, ``dout`` in 'test' mode.
    """
    try:
        dropout_param, mask = cache
        mode = dropout_param["mode"]
    except (TypeError, ValueError, KeyError):
        raise ValueError("dropout_backward needs the cache (dropout_param, mask) returned by dropout_forward.") from None
    dout = _float_array(dout, "dout")
    if mode == "test":
        return dout.copy()
    if mask is None or dout.shape != mask.shape:
        raise ValueError(
            f"dout.shape={dout.shape} must equal the shape of the forward output "
            f"{None if mask is None else mask.shape}."
        )
    return dout * mask


# ---- local response normalization (AlexNet) ----
# Krizhevsky, Sutskever and Hinton (2012), section 3.3: every activation is divided by a
# function of the squares of its neighbours along the depth, at the same position,
#
#     b[c] = a[c] / (k + alpha * sum_{j = max(0, c - n//2)}^{min(C - 1, c + n//2)} a[j]**2) ** beta
#
# with k = 2, n = 5, alpha = 1e-4, beta = 0.75 in the paper.  Caffe and PyTorch
# (LocalResponseNorm) divide alpha by n; the paper does not, nor does TensorFlow's
# tf.nn.local_response_normalization (depth_radius = n // 2), nor this layer.
__all__ += ["LRN_ALEXNET", "lrn_settings", "lrn_forward", "lrn_backward"]

LRN_ALEXNET = {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75}
"""AlexNet's settings of local response normalization (Krizhevsky et al. 2012, section 3.3)."""
_LRN_KEYS = ("k", "n", "alpha", "beta", "mode")  # 'mode' is accepted and ignored: LRN acts alike in both


def lrn_settings(lrn_param):
    """``(k, n, alpha, beta)`` from an ``lrn_param`` dict (missing keys: AlexNet's values)."""
    check_param_dict(lrn_param, "lrn_param", _LRN_KEYS, (), "{'k': 2, 'n': 5, 'alpha': 1e-4, 'beta': 0.75}")
    k = real_number(lrn_param.get("k", LRN_ALEXNET["k"]), "lrn_param['k']")
    alpha = real_number(lrn_param.get("alpha", LRN_ALEXNET["alpha"]), "lrn_param['alpha']")
    beta = real_number(lrn_param.get("beta", LRN_ALEXNET["beta"]), "lrn_param['beta']")
    n = lrn_param.get("n", LRN_ALEXNET["n"])
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1 or n % 2 == 0:
        raise ValueError(
            f"lrn_param['n'] is how many neighbouring channels are summed, the channel itself in the middle: "
            f"an odd positive integer (AlexNet: 5), got {n!r}."
        )
    if k <= 0 or alpha < 0 or beta < 0:
        raise ValueError(
            f"lrn_param needs k > 0 (it keeps the denominator positive), alpha >= 0 and beta >= 0; "
            f"got k={k}, alpha={alpha}, beta={beta}."
        )
    return k, int(n), alpha, beta


def _channel_window_sum(v, half):
    """``s[:, c] = v[:, c - half] + ... + v[:, c + half]`` (channels outside 0..C-1 count as 0)."""
    C = v.shape[1]
    s = np.zeros_like(v)
    for offset in range(-half, half + 1):
        lo, hi = max(0, -offset), min(C, C - offset)   # channels c with c + offset inside 0..C-1
        if lo < hi:
            s[:, lo:hi] += v[:, lo + offset:hi + offset]
    return s


def lrn_forward(x, lrn_param):
    """Forward pass of local response normalization across channels (AlexNet's, section 3.3).

    ``out[:, c] = x[:, c] / d[:, c] ** beta`` with the denominator base
    ``d[:, c] = k + alpha * (sum of x[:, j]**2 over the n channels j centred on c)``;
    near the first and last channels the window is cut (fewer than n terms).
    No parameters are learned; the layer acts alike in 'train' and 'test' mode.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    lrn_param : dict
        ``'k'`` (default 2), ``'n'`` (odd, default 5), ``'alpha'`` (default 1e-4),
        ``'beta'`` (default 0.75): AlexNet's values, :data:`LRN_ALEXNET`.  The sum is
        multiplied by ``alpha`` itself, as in the paper and in TensorFlow's
        ``tf.nn.local_response_normalization`` (with ``depth_radius = n // 2``); for Caffe's
        or PyTorch's ``LocalResponseNorm(size=n, alpha=a)`` pass ``alpha = a / n``.  A
        ``'mode'`` key is accepted and ignored.

    Returns
    -------
    out : array of shape (N, C, H, W)
    cache : tuple ``(x, d, (k, n, alpha, beta))`` for :func:`lrn_backward`

    Raises
    ------
    ValueError
        x not (N, C, H, W), an unknown key, n even or < 1, k <= 0, alpha or beta < 0.
    """
    x = _norm_input(x, 4, "(N, C, H, W)", "lrn_forward")
    k, n, alpha, beta = lrn_settings(lrn_param)
    d = k + alpha * _channel_window_sum(x * x, n // 2)
    out = x * d ** (-beta)
    return out, (x, d, (k, n, alpha, beta))


def lrn_backward(dout, cache):
    """Backward pass of :func:`lrn_forward`.

    With ``d`` the denominator base and ``W(c)`` the window of channel c (W is
    symmetric: j in W(c) exactly when c in W(j))::

        dx[:, j] = dout[:, j] * d[:, j]**-beta
                   - 2 * alpha * beta * x[:, j] * sum_{c in W(j)} dout[:, c] * x[:, c] * d[:, c]**(-beta - 1)

    Parameters
    ----------
    dout : array of shape (N, C, H, W)
    cache : tuple ``(x, d, settings)`` from :func:`lrn_forward`

    Returns
    -------
    dx : array of shape (N, C, H, W)
    """
    try:
        x, d, (k, n, alpha, beta) = cache
    except (TypeError, ValueError):
        raise ValueError("lrn_backward needs the cache (x, d, settings) returned by lrn_forward.") from None
    dout = _norm_dout(dout, x.shape)
    through_sum = _channel_window_sum(dout * x * d ** (-beta - 1), n // 2)
    return dout * d ** (-beta) - 2 * alpha * beta * x * through_sum
