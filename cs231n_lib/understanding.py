"""Understanding and visualizing ConvNets (notebook 06): what a trained net responds to.

Plain functions on arrays and nets (any model of :mod:`cs231n_lib.nets`:
``net.loss(X)`` gives class scores).

* :func:`occlusion_map` -- Zeiler and Fergus's occlusion experiment: the
  probability of the right class as a grey square slides over the image.
"""
from __future__ import annotations

import numpy as np

from .arithmetic import pool_output_size

__all__ = ["softmax", "occlusion_map"]


def softmax(scores):
    """Row-wise softmax of class scores (N, C) -> probabilities (N, C), computed stably."""
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _occlusion_inputs(net, x, label, fill):
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x is one image of shape (C, H, W); got x.shape={x.shape}. For image n of a batch pass X[n].")
    label = int(label)
    num_classes = getattr(net, "num_classes", None)
    if num_classes is not None and not 0 <= label < num_classes:
        raise ValueError(f"label {label} is not a class of this net (0..{num_classes - 1}).")
    fill = np.asarray(fill, dtype=x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)
    if fill.ndim == 1:
        if fill.shape[0] != x.shape[0]:
            raise ValueError(f"fill has {fill.shape[0]} values but the image has {x.shape[0]} channels.")
        fill = fill[:, None, None]
    elif fill.ndim != 0:
        raise ValueError(f"fill is one number or one number per channel (C,), got shape {fill.shape}.")
    return x, label, fill


def occlusion_map(net, x, label, size=8, stride=2, fill=0.5, batch_size=256):
    """Probability of class ``label`` while a ``size`` x ``size`` patch of ``fill`` covers each position.

    Parameters
    ----------
    net : a model whose ``loss(X)`` returns class scores (N, num_classes).
    x : (C, H, W), one image (in the net's input convention).
    label : the class whose probability is mapped (usually the true one).
    size, stride : the patch's side and the step between positions, in pixels.
        The patch stays inside the image, so the map has
        ``H' = (H - size)/stride + 1`` rows (which must be a whole number).
    fill : the patch's value: one number, or one per channel (C,).
    batch_size : occluded images scored per forward pass.

    Returns
    -------
    (H', W') float64 array: entry (i, j) is the probability of ``label`` with
    rows ``i*stride .. i*stride+size-1`` and the same columns covered.
    """
    x, label, fill = _occlusion_inputs(net, x, label, fill)
    C, H, W = x.shape
    H_out, W_out = pool_output_size((H, W), size, stride)
    positions = [(i * stride, j * stride) for i in range(H_out) for j in range(W_out)]
    probs = np.empty(len(positions))
    for start in range(0, len(positions), batch_size):
        chunk = positions[start:start + batch_size]
        batch = np.repeat(x[None], len(chunk), axis=0)
        for k, (top, left) in enumerate(chunk):
            batch[k, :, top:top + size, left:left + size] = fill
        probs[start:start + len(chunk)] = softmax(net.loss(batch))[:, label]
    return probs.reshape(H_out, W_out)
