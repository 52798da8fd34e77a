"""Notebook 04 (architectures): receptive field size, an FC layer as a convolution, score grids.

Each checker compares the student's answers with models of the typical mistakes
and names the one that explains them; right answers written differently (other
recurrences, numpy integers, whole floats, float32 arrays) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import (Feedback, _allclose, _explain_wrong, _Findings, _number, _run, _same_number,
                    _shown, _whole, attempt)

__all__ = ["check_receptive_field_size", "check_fc_as_conv", "check_score_grid"]


def _rf_truth(layers):
    """Receptive field of a stack of (F, S) layers, by following index ranges."""
    lo, hi = 0, 0  # the input pixels one top unit reaches, walking down the stack
    for F, S in reversed(layers):
        lo, hi = lo * S, hi * S + F - 1
    return hi - lo + 1


def _rf_with(layers, weight):
    """1 + sum over layers l of (F_l - 1) * weight(l)."""
    return 1 + sum((F - 1) * weight(layers, l) for l, (F, _) in enumerate(layers))


def _product(values):
    out = 1
    for v in values:
        out *= v
    return out


_RF_MISTAKES = [
    ("You added F - 1 per layer, as if no layer had a stride: above a stride-2 layer, neighbouring "
     "units are 2 input pixels apart, so a layer's extra F - 1 units cover more than F - 1 pixels (the "
     "exercise's hint; section 6).", lambda ls: _rf_with(ls, lambda ls, l: 1)),
    ("A layer's own stride does not widen its own field: multiply by the strides of the layers "
     "below it only.", lambda ls: _rf_with(ls, lambda ls, l: _product(S for _, S in ls[:l + 1]))),
    ("Multiply by the product of *all* the strides below, not only the stride of the layer just "
     "below.", lambda ls: _rf_with(ls, lambda ls, l: ls[l - 1][1] if l else 1)),
    ("Multiply by the strides below each layer, not by the layer's own stride.",
     lambda ls: _rf_with(ls, lambda ls, l: ls[l][1])),
    ("The list starts at the input: layers[0] is the first layer the image meets.",
     lambda ls: _rf_truth(list(reversed(ls)))),
    ("Off by one, one pixel too few: a single pixel has a field of 1, so start from r = 1.",
     lambda ls: _rf_truth(ls) - 1),
    ("Off by one, one pixel too many: before any layer, a unit is one pixel, whose field is 1.",
     lambda ls: _rf_truth(ls) + 1),
    ("Fields overlap: neighbouring windows share pixels, so a layer widens the field by fewer than F, "
     "not by F.",
     lambda ls: sum(F for F, _ in ls)),
]


def check_receptive_field_size(receptive_field_size: Callable) -> Feedback:
    """Check ``receptive_field_size(layers)``: the receptive field (in input pixels)
    of one unit on top of a stack of layers given as ``[(F, S), ...]``, input first.

    Conventions (stated in notebook 04): a whole number (int, numpy integer or whole
    float); no padding or dilation (they do not change the size of the field).
    """
    cases = [
        [(3, 1)], [(3, 1)] * 2, [(3, 1)] * 3, [(7, 1)], [(2, 2)], [(3, 1), (2, 2)],
        [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)], [(11, 4), (3, 2), (5, 1)],
        [(3, 2), (3, 2), (3, 2)], [(1, 1)], [(5, 3), (3, 1), (2, 2)],
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, layers in enumerate(cases):
            want = _rf_truth(layers)
            truths.append(want)
            got, err = attempt(receptive_field_size, list(layers))
            call = f"receptive_field_size({layers})"
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            value = _whole(got)
            if value is None:
                found.add("Return a whole number of pixels.", f"{call} returned {_shown(got)}")
                continue
            answers[-1] = value
            if value != want:
                wrong.append((i, f"{call} = {value}"))
        models = [(why, lambda i, f=f: f(cases[i])) for why, f in _RF_MISTAKES]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: a == b,
                       "This field matches none of the usual mistakes: follow one unit of the top layer "
                       "down [(3, 2), (3, 1)] by hand (which input pixels does it reach?) and compare with "
                       "your function on it.")
        return found

    return _run("receptive_field_size(layers)", body)


def check_fc_as_conv(fc_as_conv: Callable) -> Feedback:
    """Check ``fc_as_conv(w, C, H, W)``: affine weights ``w`` of shape (C*H*W, M) rearranged
    into conv filters of shape (M, C, H, W), so that the conv on the volume equals the FC layer.

    Conventions (stated in notebook 04): the FC layer reads its input as
    ``x.reshape(N, -1)`` of an NCHW volume; return an array of shape (M, C, H, W),
    any float dtype.
    """
    import numpy as np

    rng = np.random.default_rng(4)
    cases = [(2, 3, 4, 5), (1, 2, 2, 3), (3, 1, 1, 2), (4, 2, 3, 1), (2, 2, 3, 2)]

    def mistakes(w, C, H, W, M):
        return [
            ("w is (D, M), one column per neuron: reshaping it directly mixes filters, since a "
             "reshape reads w row by row.", lambda: w.reshape(M, C, H, W)),
            ("You read each column as (H, W, C): x.reshape(N, -1) of an NCHW volume runs over the "
             "channel slowest and the width fastest.",
             lambda: w.T.reshape(M, H, W, C).transpose(0, 3, 1, 2) if (H, W) != (1, 1) else None),
            ("Height and width are swapped: in x.reshape(N, -1) of an NCHW volume the width runs "
             "fastest.",
             lambda: w.T.reshape(M, C, W, H).transpose(0, 1, 3, 2) if H != W else None),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (C, H, W, M) in enumerate(cases):
            w = rng.standard_normal((C * H * W, M))
            want = np.stack([w[:, m].reshape(C, H, W) for m in range(M)])
            truths.append(want)
            models_of.append(mistakes(w, C, H, W, M))
            label = f"fc_as_conv(w of shape {w.shape}, C={C}, H={H}, W={W})"
            got, err = attempt(fc_as_conv, w.copy(), C, H, W)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{label} raised {err}")
                continue
            try:
                got = np.asarray(got, dtype=float)
            except (TypeError, ValueError):
                found.add("Return an array of numbers.", f"{label} returned {_shown(got)}")
                continue
            if got.shape != want.shape:
                if got.shape == (M, C * H * W):
                    why = ("Each row is one flat filter, but a conv filter is a volume as big as the input: "
                           "the exercise asks for shape (M, C, H, W).")
                else:
                    why = "Conv filters have shape (M, C, H, W): one filter per FC neuron, as big as the volume."
                found.add(why, f"{label} returned shape {got.shape}; the filters have shape {want.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                wrong.append((i, label))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]())
                  for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models,
                       lambda a, b: a is not None and b is not None and _allclose(a, b),
                       "Some weights are in the wrong place and none of the usual mistakes explains it: "
                       "take a tiny case (C = 1, H = 1, W = 2, M = 2) and check by hand that a conv with "
                       "your filters gives the affine layer's output.")
        return found

    return _run("fc_as_conv(w, C, H, W)", body)


def check_score_grid(score_grid: Callable) -> Feedback:
    """Check ``score_grid(image_size, net_input, total_stride)``: how many class-score vectors
    per axis a converted net gives on a larger image.

    Conventions (stated in notebook 04): a whole number (int, numpy integer or whole
    float); every case divides evenly.
    """
    cases = [(384, 224, 32, 6), (224, 224, 32, 1), (256, 224, 32, 2), (22, 10, 4, 4),
             (18, 10, 4, 3), (416, 224, 16, 13), (40, 16, 8, 4)]
    mistakes = [
        ("You forgot the + 1: the crop at offset 0 counts too.", lambda i, n, s: (i - n) / s),
        ("image_size / total_stride is the size of the last conv volume, not the number of crops; "
         "the converted FC filter is itself several positions wide.", lambda i, n, s: i / s),
        ("Divide by the total stride: the converted net steps total_stride pixels between crops.",
         lambda i, n, s: i - n + 1),
        ("That counts how many times the net's input fits side by side; the crops overlap, "
         "total_stride pixels apart.", lambda i, n, s: i // n),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for k, (image, net, stride, want) in enumerate(cases):
            truths.append(want)
            call = f"score_grid({image}, {net}, {stride})"
            got, err = attempt(score_grid, image, net, stride)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return a number.", f"{call} returned {_shown(got)}")
                continue
            answers[-1] = value
            if abs(value - want) > 1e-9:
                wrong.append((k, f"{call} = {_shown(got)}"))
        models = [(why, lambda k, f=f: f(*cases[k][:3])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, _same_number,
                       "This count matches none of the usual mistakes: for a net built for 8 pixels with "
                       "total stride 2, on a 12-pixel image, list by hand where a crop can start, and "
                       "compare with your function on it.")
        return found

    return _run("score_grid(image_size, net_input, total_stride)", body)
