"""Notebook 03 (pooling): 2x2 max pooling, its backward pass, average-pooling weights.

Each checker compares the student's answer with the typical wrong answers of the
exercise (a model of each mistake) and names the one that explains it; right
answers written differently (loops, reshapes, lists, float32) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _allclose, _as_float_array, _explain_wrong, _Findings, _run, attempt

__all__ = ["check_max_pool_2x2", "check_max_pool_window_backward", "check_avg_pool_weights"]

def _blocks_2x2(x):
    """(H/2, W/2, 4): the four numbers of every 2x2 block, row by row."""
    H, W = x.shape
    return x.reshape(H // 2, 2, W // 2, 2).transpose(0, 2, 1, 3).reshape(H // 2, W // 2, 4)


def check_max_pool_2x2(max_pool_2x2: Callable) -> Feedback:
    """Check ``max_pool_2x2(x)``: 2x2 max pooling at stride 2 of one (H, W) depth slice.

    Conventions (stated in notebook 03): ``x`` is 2-D with even H and W; return a
    2-D array (or list of lists) of shape (H/2, W/2), any float dtype.
    """
    import numpy as np

    rng = np.random.default_rng(30)
    cases = [np.array([[1., 1., 2., 4.], [5., 6., 7., 8.], [3., 2., 1., 0.], [1., 2., 3., 4.]]),
             rng.standard_normal((6, 8)), rng.standard_normal((2, 2)), -rng.random((4, 10)),
             rng.standard_normal((4, 4)).astype(np.float32)]

    def mistakes(x):
        blocks = _blocks_2x2(x)
        H, W = x.shape
        return [
            ("That is the average of each window; take the maximum.", lambda: blocks.mean(axis=-1)),
            ("That is the top-left number of each window (plain subsampling); take the maximum of "
             "all four.", lambda: blocks[..., 0]),
            ("That is the minimum of each window; take the maximum.", lambda: blocks.min(axis=-1)),
            ("That is the largest absolute value; negative numbers stay negative.",
             lambda: np.abs(blocks).max(axis=-1)),
            ("That is L2-norm pooling; take the maximum.", lambda: np.sqrt((blocks ** 2).sum(axis=-1))),
            ("x.reshape(H//2, W//2, 2, 2) does not cut 2x2 windows: its groups of four are four "
             "neighbours along a row. A reshape keeps the order of the numbers, so split each axis of x "
             "into (block, position in the block), in the order the axes come.",
             lambda: x.reshape(H // 2, W // 2, 2, 2).max(axis=(2, 3))),
            ("Rows and columns are swapped: the output is (H/2, W/2), rows first.",
             lambda: blocks.max(axis=-1).T if H == W else None),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, x in enumerate(cases):
            want = _blocks_2x2(x.astype(float)).max(axis=-1)
            truths.append(want)
            models_of.append(mistakes(x.astype(float)))
            got, err = attempt(max_pool_2x2, x.copy())
            label = f"a {x.shape[0]}x{x.shape[1]} input"
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"on {label} it raised {err}")
                continue
            got = _as_float_array(got)
            if got is None:
                found.add("Return an array of numbers.", f"on {label} it returned something else")
                continue
            if got.shape != want.shape:
                if got.shape == (1, 1) + want.shape:
                    why = "Return a 2-D array: drop the N and C axes ([0, 0]) the layer API adds."
                elif got.shape == (x.shape[0] - 1, x.shape[1] - 1):
                    why = "You slid the window one pixel at a time (stride 1); use stride 2."
                elif got.shape == want.shape[::-1]:
                    why = "Rows and columns are swapped: the output is (H/2, W/2), rows first."
                elif got.ndim == 3 or sorted(got.shape) == sorted(want.shape + (2,)):
                    why = ("You took the maximum along one axis of the window only: the window is "
                           "2x2, so take it along both of the window's axes.")
                else:
                    why = "The output has shape (H/2, W/2): (W - 2)/2 + 1 = W/2 along each axis."
                found.add(why, f"on {label} it returned shape {got.shape}; the output has shape {want.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                shown = f"got {np.round(got, 3).tolist()}" if want.size <= 4 else "the values differ"
                wrong.append((i, f"on {label} {shown}"))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]())
                  for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models, _same,
                       "These values match none of the usual mistakes: pool a 2x4 array you write by "
                       "hand (two windows) and compare with your function on it.")
        return found

    return _run("max_pool_2x2(x)", body)


def _same(a, b):
    return a is not None and b is not None and _allclose(a, b)


def check_max_pool_window_backward(window_backward: Callable) -> Feedback:
    """Check ``window_backward(window, dout)``: the gradient of ``max(window)`` times ``dout``.

    The whole of ``dout`` goes to the maximum; with ties, to the first
    maximum in row-by-row order (as in the library); every other entry gets 0.
    """
    import numpy as np

    cases = [
        (np.array([[1., 3.], [2., 0.]]), 5.0),
        (np.array([[0.5, -1.0, 2.0], [4.0, 0.0, 1.0], [3.0, 3.5, -2.0]]), -2.0),
        (np.array([[-3., -1.], [-2., -4.]]), 1.5),
        (np.array([[7., 1.], [2., 7.]]), 2.0),  # a tie
    ]

    def mistakes(window, dout):
        want = np.zeros_like(window)
        want.flat[int(np.argmax(window))] = dout
        ties = window == window.max()
        last = np.zeros_like(window)
        last.flat[window.size - 1 - int(np.argmax(window.ravel()[::-1]))] = dout
        return [
            ("You spread dout evenly: that is average pooling's gradient; max passes it only to "
             "the maximum.", lambda: np.full_like(window, dout / window.size)),
            ("Every entry got dout; only the maximum should.", lambda: np.full_like(window, dout)),
            ("With a tie you gave dout to every maximum, so the gradient counts twice; give it to "
             "the first one only (row by row).", lambda: np.where(ties, dout, 0.0)),
            ("You split dout among the tied maxima; the library gives all of it to the first one, "
             "row by row.", lambda: np.where(ties, dout / ties.sum(), 0.0)),
            ("With a tie, dout goes to the *first* maximum in row-by-row order, not the last.",
             lambda: last),
            ("You routed dout to the minimum.", lambda: np.where(window == window.min(), dout, 0.0)),
            ("The switch is right, but multiply by dout (the chain rule).",
             lambda: np.where(np.arange(window.size).reshape(window.shape) == int(np.argmax(window)),
                              1.0, 0.0)),
            ("Multiply dout by 1, not by the maximum value.", lambda: want * window.max()),
            ("Rows and columns are swapped: the gradient has the window's shape and layout.",
             lambda: want.T),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (window, dout) in enumerate(cases):
            k = int(np.argmax(window))
            want = np.zeros_like(window)
            want.flat[k] = dout
            truths.append(want)
            models_of.append(mistakes(window, dout))
            got, err = attempt(window_backward, window.copy(), dout)
            label = f"window {window.tolist()}, dout={dout:g}"
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{label}: raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != window.shape:
                found.add("Return an array shaped like the window.",
                          f"{label}: got shape {None if got is None else got.shape}; the window has shape {window.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                wrong.append((i, f"{label}: got {got.tolist()}"))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]())
                  for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models, _same,
                       "This gradient matches none of the usual mistakes: for the window [[4, 1], [0, 2]], "
                       "nudge each entry by a little and see which nudge changes max(window) (section 6), "
                       "then compare with your function on it.")
        return found

    return _run("window_backward(window, dout)", body)


def check_avg_pool_weights(avg_pool_weights: Callable) -> Feedback:
    """Check ``avg_pool_weights(C, F)``: conv weights of shape (C, C, F, F) that, used with
    stride F, no padding and zero bias, compute F x F average pooling of every channel."""
    import numpy as np

    cases = [(1, 2), (3, 2), (2, 3), (4, 1)]
    rng = np.random.default_rng(31)

    def body():
        found = _Findings()
        for C, F in cases:
            want = np.zeros((C, C, F, F))
            for c in range(C):
                want[c, c] = 1.0 / (F * F)
            got, err = attempt(avg_pool_weights, C, F)
            label = f"avg_pool_weights(C={C}, F={F})"
            if err:
                found.add("Your code raised an exception.", f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != (C, C, F, F):
                found.add("A conv layer's weights have shape (F_out, C_in, HH, WW), here "
                          "(C, C, F, F): one filter per output channel, each C deep.",
                          f"{label} returned shape {None if got is None else got.shape}, not "
                          f"{(C, C, F, F)}")
                continue
            # Behaviour: a stride-F convolution with these weights vs average pooling.
            x = rng.standard_normal((2, C, 2 * F, 3 * F))
            blocks = x.reshape(2, C, 2, F, 3, F)
            pooled = blocks.mean(axis=(3, 5))
            conv = np.einsum("nciajb,dcab->ndij", blocks, got)
            if _allclose(conv, pooled):
                continue
            guesses = [
                (np.full((C, C, F, F), 1.0 / (F * F)),
                 "Every filter reads every channel, so each output adds up the averages of all "
                 "channels; output channel c should see input channel c only."),
                (want * F * F, "The weights of a window sum to F*F: that is sum pooling; the weights of an "
                               "average sum to 1."),
                (want * F, "Dividing by F averages along one axis only; a window has F*F numbers."),
                (want / C, "You divided by C as well: the channels are kept apart, not averaged."),
                (np.full((C, C, F, F), 1.0 / (C * F * F)),
                 "That averages over the channels too; keep them apart."),
            ]
            why = next((text for guess, text in guesses if _allclose(got, guess)),
                       "The convolution with these weights does not compute average pooling, and none of the "
                       "usual mistakes explains it: try C = 1, F = 2 on a 2x2 image by hand first.")
            found.add(why, label)
        return found

    return _run("avg_pool_weights(C, F)", body)
