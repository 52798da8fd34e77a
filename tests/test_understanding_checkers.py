"""The right and wrong answers to the exercises of notebook 06, written by hand the way
students write them, and the tests only these exercises need (the exercise text states every
convention its checker enforces).  tests/test_checkers.py adds EXERCISES to its own table and runs
the tests every checker must pass on it: the untouched stub is "not implemented yet", right answers
written differently pass, each typical mistake gets its own diagnosis once, a crash names the line
of the student's code, and every checker of the package is in the table.
"""
import json
import pathlib

import numpy as np
import pytest

from cs231n_lib import arithmetic, exercises as E
from cs231n_lib.understanding import softmax
from giveaways_lib import shifted

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = "06_visualizing_convnets.ipynb"



# ------------------------------------------------------------------ receptive-field box
def box_walking_down(layers, row, col):
    """Follow the first and last pixel of the unit down the stack."""
    def span(x):
        first, last = x, x
        for F, S, P in reversed(layers):
            first, last = first * S - P, last * S - P + F - 1
        return first, last + 1
    top, bottom = span(row)
    left, right = span(col)
    return (top, left, bottom, right)


def box_from_the_library(layers, row, col):
    rf = arithmetic.receptive_field([("conv", F, 1, S, P) for F, S, P in layers])[-1]
    top, last = rf.span(row)
    left, last_col = rf.span(col)
    return [np.int64(top), np.int64(left), np.int64(last + 1), np.int64(last_col + 1)]


def box_with_effective_numbers(layers, row, col):
    r, S, P = 1, 1, 0
    for F, s, p in layers:
        r, P, S = r + (F - 1) * S, P + p * S, S * s
    return np.array([row * S - P, col * S - P, row * S - P + r, col * S - P + r], dtype=float)


def box_inclusive(layers, row, col):
    t, l, b, r = box_walking_down(layers, row, col)
    return (t, l, b - 1, r - 1)


def box_without_padding(layers, row, col):
    return box_walking_down([(F, S, 0) for F, S, _ in layers], row, col)


def box_plain_padding(layers, row, col):
    t, l, b, r = box_walking_down([(F, S, 0) for F, S, _ in layers], row, col)
    P = sum(p for _, _, p in layers)
    return (t - P, l - P, b - P, r - P)


def box_top_stride(layers, row, col):
    t0, l0, b0, r0 = box_walking_down(layers, 0, 0)
    S = layers[-1][1]
    return (t0 + row * S, l0 + col * S, b0 + row * S, r0 + col * S)


def box_plain_growth(layers, row, col):
    t, l, _, _ = box_walking_down(layers, row, col)
    r = 1 + sum(F - 1 for F, _, _ in layers)
    return (t, l, t + r, l + r)


# ------------------------------------------------------------------ occlusion
def occlusion_loop(net, x, label, size, stride, fill):
    C, H, W = x.shape
    out = np.zeros(((H - size) // stride + 1, (W - size) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            img = x.copy()
            img[:, i * stride:i * stride + size, j * stride:j * stride + size] = fill
            out[i, j] = softmax(net.loss(img[None]))[0, label]
    return out


def occlusion_batched(net, x, label, size, stride, fill):
    C, H, W = x.shape
    tops = range(0, H - size + 1, stride)
    lefts = range(0, W - size + 1, stride)
    batch = np.repeat(x[None], len(tops) * len(lefts), axis=0).astype(np.float32)
    for k, (t, l) in enumerate((t, l) for t in tops for l in lefts):
        batch[k, :, t:t + size, l:l + size] = fill
    scores = net.loss(batch)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    return (p[:, label] / p.sum(axis=1)).reshape(len(tops), len(lefts)).astype(np.float32)


def occlusion_as_lists(net, x, label, size, stride, fill):
    return occlusion_loop(net, x, label, size, stride, fill).tolist()


def occlusion_scores(net, x, label, size, stride, fill):
    C, H, W = x.shape
    out = np.zeros(((H - size) // stride + 1, (W - size) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            img = x.copy()
            img[:, i * stride:i * stride + size, j * stride:j * stride + size] = fill
            out[i, j] = net.loss(img[None])[0, label]
    return out


def occlusion_no_copy(net, x, label, size, stride, fill):
    C, H, W = x.shape
    out = np.zeros(((H - size) // stride + 1, (W - size) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            x[:, i * stride:i * stride + size, j * stride:j * stride + size] = fill
            out[i, j] = softmax(net.loss(x[None]))[0, label]
    return out


def occlusion_predicted(net, x, label, size, stride, fill):
    top = int(np.argmax(net.loss(x[None])[0]))
    return occlusion_loop(net, x, top, size, stride, fill)


def occlusion_black(net, x, label, size, stride, fill):
    return occlusion_loop(net, x, label, size, stride, 0.0)


def occlusion_steps_of_one(net, x, label, size, stride, fill):
    C, H, W = x.shape
    out = np.zeros(((H - size) // stride + 1, (W - size) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            img = x.copy()
            img[:, i:i + size, j:j + size] = fill
            out[i, j] = softmax(net.loss(img[None]))[0, label]
    return out


def occlusion_short(net, x, label, size, stride, fill):
    C, H, W = x.shape
    out = np.zeros(((H - size) // stride, (W - size) // stride))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            img = x.copy()
            img[:, i * stride:i * stride + size, j * stride:j * stride + size] = fill
            out[i, j] = softmax(net.loss(img[None]))[0, label]
    return out


# ------------------------------------------------------------------ dead units
def axes_of(a):
    return (0,) + tuple(range(2, a.ndim))


def dead_by_loop(acts):
    return [bool(np.all(acts[:, c] == 0)) for c in range(acts.shape[1])]


EXERCISES = {
    "receptive_field_box": dict(
        checker=E.check_receptive_field_box,
        solution=dict(text=["x*S - P .. x*S - P + F - 1", "x*S - P"],
                      unmatched=shifted(box_walking_down, 1000)),
        right=[box_walking_down, box_from_the_library, box_with_effective_numbers],
        wrong=[
            (box_without_padding, "Padding shifts the field"),
            (box_inclusive, "exclusive"),
            (lambda ls, r, c: box_walking_down(ls, c, r), "Rows and columns are swapped"),
            (lambda ls, r, c: (lambda b: (b[0], b[2], b[1], b[3]))(box_walking_down(ls, r, c)), "in that order"),
            (box_top_stride, "product of *all* the strides"),
            (box_plain_growth, "1 + sum(F - 1)"),
            (box_plain_padding, "multiply it by the strides"),
            (lambda ls, r, c: (1, 2, 3), "four whole numbers"),
        ]),
    "occlusion": dict(
        checker=E.check_occlusion,
        solution=dict(text=["softmax(scores)[label]", "copy x, paint the patch"],
                      unmatched=shifted(occlusion_loop, 0.01)),
        right=[occlusion_loop, occlusion_batched, occlusion_as_lists],
        wrong=[
            (occlusion_scores, "not its score"),
            (occlusion_no_copy, "fresh copy"),
            (occlusion_predicted, "not of the class the net predicts"),
            (occlusion_black, "not with zeros"),
            (occlusion_steps_of_one, "not at (i, j)"),
            (lambda *args: occlusion_loop(*args).T, "transposed"),
            (occlusion_short, "last position is missing"),
            (lambda *args: occlusion_loop(*args)[:, :1], "one entry per position"),
        ]),
    "dead_units": dict(
        checker=E.check_dead_units,
        solution=dict(text=["np.all(acts == 0", "np.all(a == 0", "axis=(0, 2, 3))"],
                      unmatched=lambda a: np.all(a == 0, axis=axes_of(a)) ^ (np.arange(a.shape[1]) == 1)),
        right=[lambda a: np.all(a == 0, axis=axes_of(a)),
               dead_by_loop,
               lambda a: (a.max(axis=axes_of(a)) == 0).astype(int),
               lambda a: np.swapaxes(a, 0, 1).reshape(a.shape[1], -1).sum(axis=1) == 0],
        wrong=[
            (lambda a: np.any(a == 0, axis=axes_of(a)), "(np.any)"),
            (lambda a: np.all(a == 0, axis=tuple(range(2, a.ndim))) if a.ndim > 2 else np.all(a == 0, axis=0),
             "one answer per unit"),
            (lambda a: np.all(a == 0, axis=(0, 1)) if a.ndim > 2 else np.all(a == 0, axis=1), "keep the channels"),
            (lambda a: int(np.all(a == 0, axis=axes_of(a)).sum()), "counts the dead units"),
            (lambda a: a.max(axis=axes_of(a)) < 1e-2, "small but positive"),
            (lambda a: np.mean(a == 0, axis=axes_of(a)) > 0.5, "sparse unit"),
            (lambda a: ~np.all(a == 0, axis=axes_of(a)), "*live* units"),
        ]),
}

def test_the_checkers_box_is_the_receptive_field_of_the_arithmetic_module():
    """The checker's own truth, against arithmetic.receptive_field on every case it uses."""
    from cs231n_lib.exercises import understanding as U

    for layers, row, col in [([(3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)], 2, 5), ([(7, 2, 3), (3, 2, 1)], 5, 2)]:
        assert U._box(layers, row, col) == tuple(int(v) for v in box_from_the_library(layers, row, col))


def exercise_text(function):
    cells = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text(encoding="utf-8"))["cells"]
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(f"def {function}("):
            text = next("".join(cells[j]["source"]) for j in range(k - 1, -1, -1)
                        if cells[j]["cell_type"] == "markdown")
            return " ".join(text.split())
    raise AssertionError(f"no exercise defines {function} in {NOTEBOOK}")


CONVENTIONS = [
    ("receptive_field_box", ["input side first", "(top, left, bottom, right)", "exclusive", "before 0",
                             "whole numbers"]),
    ("occlusion", ["i*stride", "H - size", "((H - size)//stride + 1, (W - size)//stride + 1)", "softmax",
                   "not the score"]),
    ("dead_units", ["(N, C, H, W)", "(N, M)", "True", "every image and every position", "mask"]),
]


@pytest.mark.parametrize("function, phrases", CONVENTIONS, ids=[c[0] for c in CONVENTIONS])
def test_the_exercise_text_states_the_checkers_conventions(function, phrases):
    text = exercise_text(function)
    missing = [p for p in phrases if p not in text]
    assert not missing, f"the text of {function} does not say {missing}:\n{text}"
