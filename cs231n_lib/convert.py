"""Converting fully connected layers into convolutions (notebook 04).

An FC layer and a CONV layer both compute dot products plus a bias; they differ
only in which inputs each neuron sees and whether weights are shared.  So an FC
layer that looks at a whole ``C x H x W`` volume *is* a convolution with ``M``
filters of size ``H x W``, no padding, stride 1, and every following FC layer is
a ``1x1`` convolution.  Run on a larger image, the converted network slides
over it and returns a grid of class scores in one pass.

This module only rearranges weights (numpy reshapes, checked shapes); it runs
no layer.  Feed its output to any CS231n-style ``conv_forward`` (for example
``cs231n_lib.layers.conv_forward_naive`` or ``cs231n_lib.fast_layers.conv_forward_fast``).

Conventions (CS231n's): an affine layer takes ``x`` of shape ``(N, C, H, W)``,
flattens each example with ``x.reshape(N, -1)`` (C-order, so input ``(c, h, w)``
is column ``c*H*W + h*W + w``), and computes ``x @ w + b`` with ``w`` of shape
``(D, M)``, ``D = C*H*W``.  Conv filters have shape ``(M, C, HH, WW)``.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

import numpy as np

from . import arithmetic

__all__ = ["fc_to_conv", "fc_stack_to_conv", "score_map_size"]


def fc_to_conv(w, b, input_shape) -> Tuple[np.ndarray, np.ndarray, dict]:
    """Turn an affine layer on a ``C x H x W`` volume into the equivalent convolution.

    Parameters
    ----------
    w : array of shape (D, M), D = C*H*W
        The affine weights (CS231n layout: ``out = x.reshape(N, D) @ w + b``).
    b : array of shape (M,)
    input_shape : (C, H, W)
        The volume the affine layer looks at (use (M_prev, 1, 1) for an FC layer
        that follows another one).

    Returns
    -------
    w_conv : array of shape (M, C, H, W)
        ``M`` filters as large as the whole input volume.
    b_conv : array of shape (M,)
    conv_param : dict
        ``{'stride': 1, 'pad': 0}``.

    On the ``C x H x W`` input the convolution gives an ``(N, M, 1, 1)`` output
    equal to the affine output; on a larger input it gives one score vector per
    position, ``(H' - H) + 1`` by ``(W' - W) + 1`` of them.

    Raises
    ------
    ValueError
        If ``w`` does not have ``C*H*W`` rows or ``b`` does not match its columns.
    """
    w = np.asarray(w)
    b = np.asarray(b)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), got {input_shape!r}.")
    C, H, W = (arithmetic.as_int(v, name, 1) for v, name in zip(input_shape, "CHW"))
    if w.ndim != 2:
        raise ValueError(f"Affine weights must have shape (D, M), got shape {w.shape}.")
    D, M = w.shape
    if D != C * H * W:
        raise ValueError(
            f"Affine weights of shape {w.shape} have D = {D} rows, but an input volume "
            f"(C, H, W) = {(C, H, W)} has C*H*W = {C}*{H}*{W} = {C * H * W} values."
        )
    if b.shape != (M,):
        raise ValueError(f"Bias shape {b.shape} does not match the {M} columns of w {w.shape}: "
                         f"expected ({M},).")
    # Column m of w, read in x.reshape(N, -1) order, is filter m laid out as (C, H, W).
    w_conv = np.ascontiguousarray(w.T.reshape(M, C, H, W))
    return w_conv, b.copy(), {"stride": 1, "pad": 0}


def fc_stack_to_conv(layers: Sequence[Tuple[np.ndarray, np.ndarray]], input_shape
                     ) -> List[Tuple[np.ndarray, np.ndarray, dict]]:
    """Convert a chain of affine layers ``[(w1, b1), (w2, b2), ...]``.

    The first looks at ``input_shape`` = (C, H, W) and becomes an ``H x W``
    convolution; each later one looks at the previous layer's ``M`` outputs and
    becomes a ``1x1`` convolution.  Returns a list of ``(w_conv, b_conv, conv_param)``.
    """
    converted, shape = [], tuple(input_shape)
    for i, (w, b) in enumerate(layers):
        try:
            w_conv, b_conv, param = fc_to_conv(w, b, shape)
        except ValueError as err:
            raise ValueError(f"FC layer {i + 1}: {err}") from None
        converted.append((w_conv, b_conv, param))
        shape = (w_conv.shape[0], 1, 1)
    return converted


def score_map_size(image_size: int, net_input: int, total_stride: int) -> int:
    """Positions per axis of the score grid a converted net gives on a larger image.

    A net built for ``net_input`` pixels whose last volume before the FC layers
    is ``net_input / total_stride`` wide, run on ``image_size`` pixels, gives
    ``(image_size - net_input) / total_stride + 1`` score vectors per axis: the
    crops at offsets ``0, total_stride, 2*total_stride, ...``.  Raises the
    arithmetic ValueError when the crops do not tile the image.

    >>> score_map_size(384, 224, 32)
    6
    """
    try:
        return arithmetic.pool_output_size(image_size, net_input, total_stride)
    except ValueError as err:
        raise ValueError(
            f"Crops of {net_input} pixels taken every {total_stride} pixels do not tile a "
            f"{image_size}-pixel image (the same arithmetic as a pooling window): {err}"
        ) from None
