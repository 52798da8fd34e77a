"""Notebook 06 (visualizing what ConvNets learn): a unit's receptive-field box, the occlusion loop,
dead units.

Each checker compares the student's answers with models of the typical mistakes and
names the one that explains them; right answers written differently (tuples, lists or
arrays, numpy integers, float32 maps, 0/1 masks) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _allclose, _explain_wrong, _Findings, _run, _shown, _whole, attempt

__all__ = ["check_receptive_field_box", "check_occlusion", "check_dead_units"]


# ------------------------------------------------------------------ the receptive-field box
def _box(layers, row, col, pad=True, inclusive=False, top_stride_only=False, plain_growth=False,
         plain_padding=False):
    """The input box (top, left, bottom, right; exclusive ends) of unit (row, col) on top of
    ``layers`` = [(F, S, P), ...] (input first); the switches model the typical mistakes.

    Going up the stack, each layer widens the field by (F - 1) and shifts its start by P,
    both counted in its own input's pixels, i.e. times the product of the strides below it.
    """
    size, shift, below = 1, 0, 1
    for F, S, P in layers:
        size += (F - 1) * (1 if plain_growth else below)
        shift += P * (1 if plain_padding else below)
        below *= S
    step = layers[-1][1] if top_stride_only else below
    shift = shift if pad else 0
    top, left = row * step - shift, col * step - shift
    extent = size - (1 if inclusive else 0)
    return (top, left, top + extent, left + extent)


_BOX_MISTAKES = [
    ("Padding shifts the field: every layer's P zeros come before pixel 0, so subtract P (times the strides "
     "of the layers below it) from the start.", lambda ls, r, c: _box(ls, r, c, pad=False)),
    ("bottom and right are exclusive (one past the last pixel, as in Python slices): add 1 to the last row "
     "and column the unit sees.", lambda ls, r, c: _box(ls, r, c, inclusive=True)),
    ("Rows and columns are swapped: row goes with top/bottom, column with left/right.",
     lambda ls, r, c: _box(ls, c, r)),
    ("Return (top, left, bottom, right), in that order.",
     lambda ls, r, c: (lambda b: (b[0], b[2], b[1], b[3]))(_box(ls, r, c))),
    ("Neighbouring units of the top layer are the product of *all* the strides apart, not only the "
     "stride of the top layer.", lambda ls, r, c: _box(ls, r, c, top_stride_only=True)),
    ("A layer above a stride sees input pixels further apart, so its F - 1 extra units cover more of the "
     "input: the field is not 1 + sum(F - 1).", lambda ls, r, c: _box(ls, r, c, plain_growth=True)),
    ("A layer's padding P counts in that layer's input pixels: multiply it by the strides of the layers "
     "below it before subtracting.", lambda ls, r, c: _box(ls, r, c, plain_padding=True)),
]


def check_receptive_field_box(receptive_field_box: Callable) -> Feedback:
    """Check ``receptive_field_box(layers, row, col)``: the input pixels seen by the unit at
    (row, col) of the top layer of ``layers`` = [(F, S, P), ...], input side first.

    Conventions (stated in notebook 06): return ``(top, left, bottom, right)`` with bottom
    and right exclusive (one past the last pixel, as the shapes' boxes); the box may start
    before 0 or end past the image (those pixels are padding); whole numbers.
    """
    cases = [
        ([(3, 1, 1)], 0, 0), ([(3, 1, 1)] * 2, 4, 2), ([(3, 1, 0), (2, 2, 0)], 1, 3),
        ([(3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)], 2, 5),
        ([(3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)], 1, 3),
        ([(5, 1, 2), (2, 2, 0), (5, 1, 2), (2, 2, 0)], 0, 6), ([(3, 2, 1), (3, 2, 1)], 3, 1),
        ([(7, 2, 3), (3, 2, 1), (3, 1, 1)], 5, 2),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (layers, row, col) in enumerate(cases):
            want = _box(layers, row, col)
            truths.append(want)
            call = f"receptive_field_box({layers}, row={row}, col={col})"
            got, err = attempt(receptive_field_box, [tuple(layer) for layer in layers], row, col)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            try:
                values = tuple(_whole(v) for v in got)
            except TypeError:
                values = ()
            if len(values) != 4 or any(v is None for v in values):
                found.add("Return four whole numbers (top, left, bottom, right).", f"{call} returned {_shown(got)}")
                continue
            answers[-1] = values
            if values != want:
                wrong.append((i, f"{call} = {values}"))
        models = [(why, lambda i, f=f: f(*cases[i])) for why, f in _BOX_MISTAKES]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: tuple(a) == tuple(b),
                       "This box matches none of the usual mistakes: walk down [(3, 2, 1)] by hand for unit "
                       "(1, 1) (which pixels of the padded input does its window cover, counted from the "
                       "image's pixel 0?) and compare with your function on it.")
        return found

    return _run("receptive_field_box(layers, row, col)", body)


# ------------------------------------------------------------------ the occlusion loop
def _tiny_net():
    """A small float64 net on 10x14 images: non-square, so swapped axes show."""
    from ..nets import SequentialNet, affine, conv, pool, relu

    return SequentialNet([("conv", conv(4, 3)), ("relu", relu()), ("pool", pool(2)), ("fc", affine(5))],
                         input_dim=(3, 10, 14), weight_scale=0.6, dtype="float64", seed=3)


def _occlusion_model(net, x, label, size, stride, fill, copy=True, probabilities=True, top_class=False,
                     fill_zero=False, step=None):
    """The occlusion map, loop by loop, with switches for the typical mistakes."""
    import numpy as np

    from ..understanding import softmax

    C, H, W = x.shape
    step_ = stride if step is None else step
    rows, cols = (H - size) // stride + 1, (W - size) // stride + 1
    target = int(np.argmax(net.loss(x[None])[0])) if top_class else label
    out = np.zeros((rows, cols))
    work = x.copy()
    for i in range(rows):
        for j in range(cols):
            img = x.copy() if copy else work
            img[:, i * step_:i * step_ + size, j * step_:j * step_ + size] = 0.0 if fill_zero else fill
            scores = net.loss(img[None])
            out[i, j] = (softmax(scores) if probabilities else scores)[0, target]
    return out


def check_occlusion(occlusion: Callable) -> Feedback:
    """Check ``occlusion(net, x, label, size, stride, fill)``: the probability of class ``label``
    with a ``size`` x ``size`` patch of value ``fill`` at every position of ``x`` (C, H, W).

    Conventions (stated in notebook 06): positions ``i*stride``, ``j*stride`` from 0 to
    ``H - size`` (the patch stays inside the image), so the map is
    ``((H - size)//stride + 1, (W - size)//stride + 1)``, row i first; the softmax
    probability (not the score); any float dtype.
    """
    import numpy as np

    from ..understanding import occlusion_map

    net = _tiny_net()
    rng = np.random.default_rng(6)
    x = rng.random((3, 10, 14))
    predicted = int(np.argmax(net.loss(x[None])[0]))
    others = [c for c in range(5) if c != predicted]
    cases = [(others[0], 4, 2, 0.5), (others[1], 3, 1, 0.0), (predicted, 2, 4, 1.0), (others[2], 6, 4, 0.5)]

    mistakes = [
        ("Return the probability of the class (the softmax of the scores), not its score.",
         lambda c: _occlusion_model(net, x, *c, probabilities=False)),
        ("Occlude a fresh copy of the image at each position: the patches of earlier positions are still there.",
         lambda c: _occlusion_model(net, x, *c, copy=False)),
        ("Map the probability of `label`, the class asked for, not of the class the net predicts.",
         lambda c: _occlusion_model(net, x, *c, top_class=True)),
        ("Paint the patch with `fill`, not with zeros.", lambda c: _occlusion_model(net, x, *c, fill_zero=True)),
        ("Position (i, j) puts the patch's corner at (i*stride, j*stride), not at (i, j).",
         lambda c: _occlusion_model(net, x, *c, step=1)),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (label, size, stride, fill) in enumerate(cases):
            want = occlusion_map(net, x, label, size=size, stride=stride, fill=fill)
            truths.append(want)
            call = f"occlusion(net, x, label={label}, size={size}, stride={stride}, fill={fill}) on a 10x14 image"
            got, err = attempt(occlusion, net, x.copy(), label, size, stride, fill)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            try:
                arr = np.asarray(got, dtype=float)
            except (TypeError, ValueError):
                found.add("Return the map as an array of shape (H', W').", f"{call} returned {_shown(got)}")
                continue
            if arr.shape == want.T.shape and arr.shape != want.shape:
                found.add("The map has rows for positions down the image (i, the first axis) and columns "
                          "for positions across (j): yours is transposed.", f"{call}: shape {arr.shape}; the map has "
                          f"shape {want.shape}")
                continue
            if arr.shape == (want.shape[0] - 1, want.shape[1] - 1):
                found.add("The last position is missing: the patch's corner goes from 0 to H - size inclusive, "
                          "so there are (H - size)//stride + 1 positions per column.",
                          f"{call}: shape {arr.shape}; the map has shape {want.shape}")
                continue
            if arr.shape != want.shape:
                found.add("The map has one entry per position: ((H - size)//stride + 1, (W - size)//stride + 1).",
                          f"{call}: shape {arr.shape}; the map has shape {want.shape}")
                continue
            answers[-1] = arr
            if not _allclose(arr, want):
                worst = float(np.max(np.abs(arr - want)))
                wrong.append((i, f"{call}: off by up to {worst:.3g}"))
        models = [(why, lambda i, f=f: f(cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: _allclose(np.asarray(a), np.asarray(b)),
                       "Some entries are off in a way none of the usual mistakes explains: work out entry "
                       "(0, 0) alone (one occluded copy of x through the net) and compare it with your "
                       "map's.")
        return found

    return _run("occlusion(net, x, label, size, stride, fill)", body)


# ------------------------------------------------------------------ dead units
def check_dead_units(dead_units: Callable) -> Feedback:
    """Check ``dead_units(acts)``: which units of a ReLU layer are zero on every image.

    Conventions (stated in notebook 06): ``acts`` is (N, C, H, W) (or (N, M) for a fully
    connected layer); return a mask of C (or M) entries, True (or 1) for a unit whose
    activation is exactly 0 for every image and every position.
    """
    import numpy as np

    rng = np.random.default_rng(8)

    def relu_acts(shape, dead=(), once=(), weak=(), sparse=()):
        a = np.maximum(rng.standard_normal(shape), 0).astype(np.float32)
        a[:, list(dead)] = 0
        for c in once:  # zero everywhere except one position of one image
            a[:, c] = 0
            a[(len(a) - 1, c) + (0,) * (a.ndim - 2)] = 0.7
        for c in weak:  # alive, but small
            a[:, c] = rng.uniform(1e-4, 5e-3, a[:, c].shape)
        for c in sparse:  # mostly zero: sparse, not dead
            keep = rng.random(a[:, c].shape) < 0.05
            a[:, c] = np.where(keep, 1.3, 0.0)
        return a

    cases = [relu_acts((6, 5, 4, 4), dead=(1, 3), once=(0,), weak=(4,)),
             relu_acts((8, 7, 3, 3), dead=(6,), sparse=(2, 5), once=(0,)),
             relu_acts((10, 9), dead=(0, 8), weak=(3,), sparse=(5,)),
             relu_acts((4, 6, 5, 5), dead=(), once=(1, 2), weak=(5,))]

    def axes(a):
        return (0,) + tuple(range(2, a.ndim))

    mistakes = [
        ("A unit is dead when it is zero on *every* image and position, not on some of them (np.any).",
         lambda a: np.any(a == 0, axis=axes(a))),
        ("Reduce over the images too: one answer per unit, shape (C,), not one per image and unit.",
         lambda a: np.all(a == 0, axis=tuple(range(2, a.ndim))) if a.ndim > 2 else None),
        ("Reduce over the images and positions (axes 0, 2, 3) and keep the channels (axis 1).",
         lambda a: np.all(a == 0, axis=(0, 1)) if a.ndim > 2 else np.all(a == 0, axis=1)),
        ("Return the mask (one True/False per unit); np.sum(mask) counts the dead units.",
         lambda a: int(np.all(a == 0, axis=axes(a)).sum())),
        ("A unit with small but positive activations is alive: test for exactly zero.",
         lambda a: a.max(axis=axes(a)) < 1e-2),
        ("A sparse unit (mostly zero) is not dead: dead means zero everywhere.",
         lambda a: np.mean(a == 0, axis=axes(a)) > 0.5),
        ("That is the mask of the *live* units: True should mark the dead ones.",
         lambda a: ~np.all(a == 0, axis=axes(a))),
    ]

    def as_mask(value):
        arr = np.asarray(value)
        if arr.dtype == bool:
            return arr
        if arr.dtype.kind in "iuf" and arr.size and np.all((arr == 0) | (arr == 1)):
            return arr.astype(bool)
        return arr

    def same(a, b):
        a, b = as_mask(a), as_mask(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.all(a == b))

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, acts in enumerate(cases):
            want = np.all(acts == 0, axis=axes(acts))
            truths.append(want)
            call = f"dead_units(acts of shape {acts.shape})"
            got, err = attempt(dead_units, acts.copy())
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            try:
                mask = as_mask(got)
            except Exception:
                found.add("Return a mask: an array of True/False, one per unit.", f"{call} returned {_shown(got)}")
                continue
            answers[-1] = got
            if not same(mask, want):
                wrong.append((i, f"{call} returned {_shown(got)}"))
        models = [(why, lambda i, f=f: f(cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, same,
                       "This mask matches none of the usual mistakes: make up acts of shape (2, 3, 1, 1) with "
                       "one channel zero everywhere and check that your function marks that channel and no "
                       "other.")
        return found

    return _run("dead_units(acts)", body)
