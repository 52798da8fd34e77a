"""Notebook 04 (architectures): receptive field size, an FC layer as a convolution, score grids."""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _close, _run, attempt

__all__ = ["check_receptive_field_size", "check_fc_as_conv", "check_score_grid"]

def _rf_truth(layers):
    """Receptive field of a stack of (F, S) layers, by following index ranges."""
    lo, hi = 0, 0  # the input pixels one top unit reaches, walking down the stack
    for F, S in reversed(layers):
        lo, hi = lo * S, hi * S + F - 1
    return hi - lo + 1


def check_receptive_field_size(receptive_field_size: Callable) -> Feedback:
    """Check ``receptive_field_size(layers)``: the receptive field (in input pixels)
    of one unit on top of a stack of layers given as ``[(F, S), ...]``, input first."""
    cases = [
        [(3, 1)], [(3, 1)] * 2, [(3, 1)] * 3, [(7, 1)], [(2, 2)], [(3, 1), (2, 2)],
        [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)], [(11, 4), (3, 2), (5, 1)],
        [(3, 2), (3, 2), (3, 2)], [(1, 1)],
    ]

    def body():
        problems = []
        for layers in cases:
            want = _rf_truth(layers)
            got, err = attempt(receptive_field_size, list(layers))
            if err:
                problems.append(f"receptive_field_size({layers}) raised {err}; expected {want}")
                continue
            if _close(got, want):
                continue
            no_stride = 1 + sum(F - 1 for F, _ in layers)
            with_own_stride, jump = 1, 1
            for F, S in layers:
                jump *= S
                with_own_stride += (F - 1) * jump
            why = f"expected {want}"
            if _close(got, no_stride) and no_stride != want:
                why = ("each layer adds (F - 1) times the product of the strides of the layers "
                       f"*below* it, not just F - 1 (you get {no_stride})")
            elif _close(got, with_own_stride) and with_own_stride != want:
                why = ("a layer's own stride does not widen its own field: multiply by the "
                       "strides of the layers below it only")
            elif _close(got, want - 1):
                why = "off by one: a single pixel has a field of 1, so start from r = 1"
            elif _close(got, sum(F for F, _ in layers)):
                why = "fields overlap: the layers add F - 1 each, not F"
            problems.append(f"receptive_field_size({layers}) = {got!r}: {why}")
        return problems

    return _run("receptive_field_size(layers)", body)


def check_fc_as_conv(fc_as_conv: Callable) -> Feedback:
    """Check ``fc_as_conv(w, C, H, W)``: affine weights ``w`` of shape (C*H*W, M) rearranged
    into conv filters of shape (M, C, H, W), so that the conv on the volume equals the FC layer."""
    import numpy as np

    rng = np.random.default_rng(4)
    cases = [(2, 3, 4, 5), (1, 2, 2, 3), (3, 1, 1, 2), (4, 2, 3, 1)]

    def body():
        problems = []
        for C, H, W, M in cases:
            w = rng.standard_normal((C * H * W, M))
            want = np.stack([w[:, m].reshape(C, H, W) for m in range(M)])
            got, err = attempt(fc_as_conv, w.copy(), C, H, W)
            if err:
                problems.append(f"fc_as_conv(w {w.shape}, C={C}, H={H}, W={W}) raised {err}")
                continue
            got = np.asarray(got)
            if got.shape != want.shape:
                problems.append(
                    f"for C={C}, H={H}, W={W}, M={M} the filters have shape {got.shape}; "
                    f"conv filters are (M, C, H, W) = {want.shape}")
                continue
            if np.array_equal(got, want):
                continue
            why = "some weights are in the wrong place"
            if got.size == w.size and np.array_equal(got.ravel(), w.ravel()):
                why = ("w is (D, M): reshaping it directly mixes filters; transpose it first "
                       "(w.T) so that each row is one filter")
            elif np.array_equal(got, w.T.reshape(M, H, W, C).transpose(0, 3, 1, 2)) \
                    and (H, W) != (1, 1):
                why = ("x.reshape(N, -1) of an NCHW volume puts the channel first: read each "
                       "column as (C, H, W), not (H, W, C)")
            problems.append(f"for C={C}, H={H}, W={W}, M={M}: {why}")
        return problems

    return _run("fc_as_conv(w, C, H, W)", body)


def check_score_grid(score_grid: Callable) -> Feedback:
    """Check ``score_grid(image_size, net_input, total_stride)``: how many class-score vectors
    per axis a converted net gives on a larger image."""
    cases = [(384, 224, 32, 6), (224, 224, 32, 1), (256, 224, 32, 2), (22, 10, 4, 4),
             (18, 10, 4, 3), (416, 224, 16, 13)]

    def body():
        problems = []
        for image, net, stride, want in cases:
            got, err = attempt(score_grid, image, net, stride)
            if err:
                problems.append(f"score_grid({image}, {net}, {stride}) raised {err}; expected {want}")
            elif _close(got, want):
                continue
            elif _close(got, want - 1):
                problems.append(f"score_grid({image}, {net}, {stride}) = {got}: you forgot the + 1 "
                                "(the crop at offset 0 counts too)")
            elif _close(got, image / stride):
                problems.append(f"score_grid({image}, {net}, {stride}) = {got}: {image}/{stride} is the "
                                "size of the last conv volume, not the number of crops; the "
                                "converted FC filter is itself several positions wide")
            elif _close(got, (image - net) / stride):
                problems.append(f"score_grid({image}, {net}, {stride}) = {got}: add 1 for the first crop")
            else:
                problems.append(f"score_grid({image}, {net}, {stride}) = {got!r}, expected {want}")
        return problems

    return _run("score_grid(image_size, net_input, total_stride)", body)
