"""Notebook 02 (the conv layer and im2col): one-image convolution, im2col size, 1-D backward pass.

Words as notebook 01 defines them: a conv layer computes a *cross-correlation*
(``out[i, j] = sum_ab x[i*S + a, j*S + b] * w[a, b]``, the filter not flipped);
a *convolution* in the textbook sense flips the filter first.
"""
from __future__ import annotations

from typing import Callable

from ._base import (Feedback, _allclose, _as_float_array, _explain_wrong, _Findings, _run, _shown,
                    _whole, attempt)

__all__ = ["check_conv2d_single", "check_im2col_size", "check_conv1d_backward"]


def _correlate(xp, w, stride, H_out=None, W_out=None):
    """Cross-correlation of a padded (H, W) image with an (HH, WW) filter, windows at
    ``i*stride``: written independently of cs231n_lib.layers."""
    import numpy as np

    HH, WW = w.shape
    H_out = (xp.shape[0] - HH) // stride + 1 if H_out is None else H_out
    W_out = (xp.shape[1] - WW) // stride + 1 if W_out is None else W_out
    out = np.empty((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[i, j] = np.sum(xp[i * stride:i * stride + HH, j * stride:j * stride + WW] * w)
    return out


def _reference_conv2d(x, w, b, stride, pad):
    """One image, one filter, cross-correlation plus bias."""
    import numpy as np

    return _correlate(np.pad(np.asarray(x, dtype=float), pad), w, stride) + b


_SWAPPED = "Rows and columns are swapped: the output is (H_out, W_out), rows first."
_FILTER_SWAPPED = ("The filter's rows and columns are swapped: the window's row a, column b meets w[b, a] in "
                   "your code; keep the filter as it is, rows with rows.")


def _conv2d_mistakes(x, w, b, s, p):
    """(diagnosis, output) of the typical wrong conv2d answers on one case."""
    import numpy as np

    x = np.asarray(x, dtype=float)
    want = _reference_conv2d(x, w, b, s, p)
    H_out, W_out = want.shape
    models = [
        ("You flipped the filter: that is the textbook convolution. A conv layer computes the "
         "cross-correlation, with the filter as it is (notebook 01, 'Convolution or cross-correlation?').",
         lambda: _reference_conv2d(x, w[::-1, ::-1], b, s, p)),
        ("You forgot to add the bias b.", lambda: want - b),
        ("Add the bias once per output, not once per filter tap.", lambda: want + b * (w.size - 1)),
        ("Add the bias once, not twice.", lambda: want + b),
        ("The window of output (i, j) starts at row i*S and column j*S: your windows move one "
         "pixel at a time although the output has the strided size.",
         lambda: _correlate(np.pad(x, p), w, 1, H_out, W_out) + b if s > 1 else None),
        ("Padding goes on both sides: you put all 2*pad zeros after the image.",
         lambda: _correlate(np.pad(x, ((0, 2 * p), (0, 2 * p))), w, s) + b if p else None),
        ("Padding goes on both sides: you put all 2*pad zeros before the image.",
         lambda: _correlate(np.pad(x, ((2 * p, 0), (2 * p, 0))), w, s) + b if p else None),
        (_FILTER_SWAPPED,
         lambda: _reference_conv2d(x, w.T, b, s, p) if w.shape[0] == w.shape[1] else None),
        (_SWAPPED, lambda: want.T if want.shape[0] == want.shape[1] else None),
        ("Your output array holds integers, so every value was cut to a whole number: create it "
         "with a float dtype (np.zeros(..., dtype=float)), whatever the dtype of x.",
         lambda: np.trunc(want)),
    ]
    return want, models


def _conv2d_cases():
    import numpy as np

    rng = np.random.default_rng(231)
    pixels = rng.integers(0, 256, size=(6, 7))  # an integer image, as photographs are
    return [
        (rng.standard_normal((5, 5)), rng.standard_normal((3, 3)), 0.5, 1, 0),
        (rng.standard_normal((5, 6)), rng.standard_normal((3, 3)), -1.0, 1, 1),
        (rng.standard_normal((7, 9)), rng.standard_normal((3, 3)), 0.25, 2, 0),
        (rng.standard_normal((9, 7)), rng.standard_normal((3, 5)), 2.0, 2, 1),
        (pixels, rng.standard_normal((2, 2)) / 100, 0.3, 1, 0),
        (rng.standard_normal((6, 6)).astype(np.float32), rng.standard_normal((3, 3)).astype(np.float32),
         0.5, 1, 1),
    ]


def check_conv2d_single(conv2d: Callable) -> Feedback:
    """Check ``conv2d(x, w, b, stride, pad)``: one (H, W) image, one (HH, WW) filter, a number b.

    Conventions (stated in notebook 02): zero-pad ``pad`` pixels on every side,
    slide the filter as it is (cross-correlation, no flip) with windows at
    ``i*stride``, add ``b`` once per output, return an (H_out, W_out) array of
    floats (any float dtype; a list of lists also passes).  ``x`` may hold
    integers (pixel values).
    """
    cases = _conv2d_cases()

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        shapes, want_shapes, wrong_shapes = [], [], []
        for i, (x, w, b, s, p) in enumerate(cases):
            want, models = _conv2d_mistakes(x, w, b, s, p)
            truths.append(want)
            want_shapes.append(want.shape)
            models_of.append(models)
            label = (f"conv2d(x of shape {x.shape}{' (integers)' if x.dtype.kind == 'i' else ''}, "
                     f"w of shape {w.shape}, b={b}, stride={s}, pad={p})")
            got, err = attempt(conv2d, x.copy(), w.copy(), b, s, p)
            answers.append(None)
            shapes.append(None)
            if err:
                found.add("Your code raised an exception.", f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.ndim != 2:
                found.add("Return a 2-D array of shape (H_out, W_out).",
                          f"{label} returned {_shown(got)}")
                continue
            shapes[-1] = got.shape
            if got.shape != want.shape:
                wrong_shapes.append((i, f"{label} returned shape {got.shape}, the conv layer's output has "
                                        f"shape {want.shape}"))
                continue
            answers[-1] = got
            if not _allclose(got, want):
                wrong.append((i, f"{label}: got {_preview(got)}"))
        shape_models = [(why, lambda i, f=f: f(*cases[i])) for why, f in _SHAPE_MISTAKES]
        _explain_wrong(found, wrong_shapes, shapes, want_shapes, shape_models, lambda a, b: a == b,
                       "The output shape matches none of the usual mistakes: along each axis it is the "
                       "output size of notebook 01's formula, with HH (or WW) as the filter size.")
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]())
                  for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models, _same_array,
                       "Some values differ and none of the usual mistakes explains them: work out out[0, 0] "
                       "of a tiny case by hand (a 3x3 image, a 2x2 filter, stride 1, no padding), as in "
                       "the worked example of the notes, and compare with your function on it.")
        return found

    return _run("conv2d(x, w, b, stride, pad)", body)


def _same_array(a, b):
    return a is not None and b is not None and _allclose(a, b)


def _preview(arr):
    import numpy as np

    flat = [f"{v:.3g}" for v in np.asarray(arr, dtype=float).ravel()[:4]]
    return "[" + ", ".join(flat) + (", ...]" if np.size(arr) > 4 else "]")


def _out_shape(x, w, s, pad_total, swap_filter=False):
    (H, W), (HH, WW) = x.shape, w.shape
    if swap_filter:
        HH, WW = WW, HH
    return ((H - HH + pad_total) // s + 1, (W - WW + pad_total) // s + 1)


# Typical mistakes seen in the output shape: (diagnosis, shape of case (x, w, b, s, p) or None).
_SHAPE_MISTAKES = [
    ("Your output has the size without padding: zero-pad the image by pad on every side first.",
     lambda x, w, b, s, p: _out_shape(x, w, s, 0) if p else None),
    ("Padding goes on both sides: the padded image is H + 2*pad high, not H + pad.",
     lambda x, w, b, s, p: _out_shape(x, w, s, p) if p else None),
    ("You forgot the stride: there is one window every stride pixels, so the output is about stride "
     "times smaller along each axis.",
     lambda x, w, b, s, p: _out_shape(x, w, 1, 2 * p) if s > 1 else None),
    (_SWAPPED, lambda x, w, b, s, p: _out_shape(x, w, s, 2 * p)[::-1]),
    (_FILTER_SWAPPED, lambda x, w, b, s, p: _out_shape(x, w, s, 2 * p, swap_filter=True)),
    ("Off by one: your output has one row and one column too many; count the filter's positions "
     "along one axis of a small case by hand.",
     lambda x, w, b, s, p: tuple(n + 1 for n in _out_shape(x, w, s, 2 * p))),
    ("Off by one: your output has one row and one column too few; the filter's first position counts "
     "too.",
     lambda x, w, b, s, p: tuple(n - 1 for n in _out_shape(x, w, s, 2 * p))),
]


def check_im2col_size(im2col_size: Callable) -> Feedback:
    """Check ``im2col_size(C, H, W, F, S, P)``: the (rows, columns) of X_col for one image.

    Conventions (stated in notebook 02): a pair of whole numbers (tuple, list or
    array), rows first: one row per number of a window (``F*F*C``), one column per
    output position (``H_out*W_out``).
    """
    cases = [(3, 227, 227, 11, 4, 0), (3, 32, 32, 5, 1, 2), (64, 56, 56, 3, 1, 1),
             (1, 5, 5, 3, 1, 0), (16, 28, 20, 5, 1, 0), (2, 9, 7, 3, 2, 1)]

    def outs(C, H, W, F, S, P):
        return (H - F + 2 * P) // S + 1, (W - F + 2 * P) // S + 1

    def truth(C, H, W, F, S, P):
        Ho, Wo = outs(C, H, W, F, S, P)
        return (F * F * C, Ho * Wo)

    mistakes = [
        ("Rows and columns are swapped: X_col has one column per window, and a column holds the "
         "numbers of one window.", lambda *a: truth(*a)[::-1]),
        ("A window goes through all C channels: its column holds the numbers of every channel.",
         lambda C, H, W, F, S, P: (F * F, truth(C, H, W, F, S, P)[1])),
        ("There is one column per window, that is per output position, not per input pixel.",
         lambda C, H, W, F, S, P: (F * F * C, H * W)),
        ("The windows form an H_out x W_out grid: multiply the two.",
         lambda C, H, W, F, S, P: (F * F * C, outs(C, H, W, F, S, P)[0])),
        ("Height and width differ: compute H_out from H and W_out from W.",
         lambda C, H, W, F, S, P: (F * F * C, outs(C, H, W, F, S, P)[0] ** 2)),
        ("You forgot the padding in H_out and W_out.",
         lambda C, H, W, F, S, P: (F * F * C, outs(C, H, W, F, S, 0)[0] * outs(C, H, W, F, S, 0)[1])),
        ("You forgot the stride in H_out and W_out.",
         lambda C, H, W, F, S, P: (F * F * C, outs(C, H, W, F, 1, P)[0] * outs(C, H, W, F, 1, P)[1])),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, case in enumerate(cases):
            C, H, W, F, S, P = case
            want = truth(*case)
            truths.append(want)
            label = f"im2col_size(C={C}, H={H}, W={W}, F={F}, S={S}, P={P})"
            got, err = attempt(im2col_size, *case)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{label} raised {err}")
                continue
            try:
                pair = tuple(_whole(v) for v in got)
            except TypeError:
                pair = (None,)
            if len(pair) != 2 or None in pair:
                found.add("Return a pair of whole numbers (rows, columns).", f"{label} returned {_shown(got)}")
                continue
            answers[-1] = pair
            if pair != want:
                wrong.append((i, f"{label} returned {pair}"))
        models = [(why, lambda i, f=f: f(*cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: tuple(a) == tuple(b),
                       "This shape matches none of the usual mistakes: draw X_col for a tiny case by hand "
                       "(one channel, a 3x3 image, 2x2 filters, stride 1, no padding: how many windows, "
                       "how many numbers in each?) and compare with your function on it.")
        return found

    return _run("im2col_size(C, H, W, F, S, P)", body)


def check_conv1d_backward(conv1d_backward: Callable) -> Feedback:
    """Check ``conv1d_backward(dout, w)``: dx of ``y[i] = sum_k w[k] * x[i + k]`` (no padding,
    stride 1).

    Conventions (stated in notebook 02): return dx as a 1-D array (or list) of length
    ``len(dout) + len(w) - 1``, the length of x.
    """
    import numpy as np

    rng = np.random.default_rng(7)
    cases = [(rng.standard_normal(6), rng.standard_normal(3)),
             (np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0])),
             (rng.standard_normal(4), rng.standard_normal(5)),
             (rng.standard_normal(5).astype(np.float32), rng.standard_normal(2).astype(np.float32))]

    def truth(dout, w):
        dx = np.zeros(len(dout) + len(w) - 1)
        for i in range(len(dout)):          # y[i] used x[i + k] with weight w[k]
            for k in range(len(w)):
                dx[i + k] += dout[i] * w[k]
        return dx

    def overwrite(dout, w, outer):
        """dx[i + k] = ... (assigned, not added): the last contribution wins."""
        dx = np.zeros(len(dout) + len(w) - 1)
        pairs = ([(i, k) for i in range(len(dout)) for k in range(len(w))] if outer == "i"
                 else [(i, k) for k in range(len(w)) for i in range(len(dout))])
        for i, k in pairs:
            dx[i + k] = dout[i] * w[k]
        return dx

    def correlate_full(dout, w):
        dout, w = np.asarray(dout, float), np.asarray(w, float)
        padded = np.pad(dout, len(w) - 1)
        return np.array([np.dot(padded[j:j + len(w)], w) for j in range(len(dout) + len(w) - 1)])

    mistakes = [
        ("The filter must be flipped: you slid w over dout as it is, but in the backward pass the "
         "weights meet dout in the reverse order (the section 'The backward pass: a textbook "
         "convolution').",
         lambda d, w: correlate_full(d, w)),
        ("x[j] is used by several outputs: add their contributions (+=), do not overwrite them (=).",
         lambda d, w: overwrite(d, w, "i")),
        ("x[j] is used by several outputs: add their contributions (+=), do not overwrite them (=).",
         lambda d, w: overwrite(d, w, "k")),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (dout, w) in enumerate(cases):
            want = truth(dout, w)
            truths.append(want)
            label = f"conv1d_backward(dout of length {len(dout)}, w of length {len(w)})"
            got, err = attempt(conv1d_backward, dout.copy(), w.copy())
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != want.shape:
                shape = None if got is None else got.shape
                found.add("dx has the length of x, len(dout) + len(w) - 1: every x[j] gets a gradient, "
                          "also the ones near the ends that fewer outputs used.",
                          f"{label} returned shape {shape}, x has length {len(want)}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                wrong.append((i, f"{label}: got {_preview(got)}"))
        models = [(why, lambda i, f=f: f(*cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, _same_array,
                       "Some values differ and none of the usual mistakes explains them: write y out for "
                       "len(x) = 3 and len(w) = 2 by hand, read off which outputs use each x[j] and with "
                       "which weight, and compare with your function on that case.")
        return found

    return _run("conv1d_backward(dout, w)", body)
