"""Notebook 03 (pooling): 2x2 max pooling, its backward pass, average-pooling weights."""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _as_float_array, _run, attempt

__all__ = ["check_max_pool_2x2", "check_max_pool_window_backward", "check_avg_pool_weights"]

def _blocks_2x2(x):
    """(H/2, W/2, 4): the four numbers of every 2x2 block, row by row."""
    H, W = x.shape
    return x.reshape(H // 2, 2, W // 2, 2).transpose(0, 2, 1, 3).reshape(H // 2, W // 2, 4)


def check_max_pool_2x2(max_pool_2x2: Callable) -> Feedback:
    """Check ``max_pool_2x2(x)``: 2x2 max pooling at stride 2 of one (H, W) depth slice."""
    import numpy as np

    rng = np.random.default_rng(30)
    cases = [np.array([[1., 1., 2., 4.], [5., 6., 7., 8.], [3., 2., 1., 0.], [1., 2., 3., 4.]]),
             rng.standard_normal((6, 8)), rng.standard_normal((2, 2)), -rng.random((4, 10))]

    def body():
        problems = []
        for x in cases:
            blocks = _blocks_2x2(x)
            want = blocks.max(axis=-1)
            got, err = attempt(max_pool_2x2, x.copy())
            shape = f"a {x.shape[0]}x{x.shape[1]} input"
            if err:
                problems.append(f"on {shape} it raised {err}")
                continue
            got = _as_float_array(got)
            if got is None:
                problems.append(f"on {shape} it returned something that is not an array of numbers")
                continue
            if got.shape != want.shape:
                why = f"expected shape {want.shape}: (W - 2)/2 + 1 = W/2 along each axis"
                if got.shape == (x.shape[0] - 1, x.shape[1] - 1):
                    why += "; you slid the window one pixel at a time (stride 1), use stride 2"
                elif got.shape == want.shape[::-1]:
                    why += "; rows and columns are swapped"
                problems.append(f"on {shape} it returned shape {got.shape}: {why}")
                continue
            if np.allclose(got, want):
                continue
            guesses = [
                (blocks.mean(axis=-1), "that is the average of each window; take the maximum"),
                (blocks[..., 0], "that is the top-left number of each window (plain subsampling); take the maximum of all four"),
                (blocks.min(axis=-1), "that is the minimum of each window"),
                (np.abs(blocks).max(axis=-1), "that is the largest absolute value; negative numbers stay negative"),
                (np.sqrt((blocks ** 2).sum(axis=-1)), "that is L2-norm pooling; take the maximum"),
            ]
            why = next((text for guess, text in guesses if np.allclose(got, guess)),
                       f"expected {np.round(want, 3).tolist()}" if want.size <= 8 else "the values differ")
            problems.append(f"on {shape} the values are wrong: {why}")
        return problems

    return _run("max_pool_2x2(x)", body)


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

    def body():
        problems = []
        for window, dout in cases:
            k = int(np.argmax(window))
            want = np.zeros_like(window)
            want.flat[k] = dout
            got, err = attempt(window_backward, window.copy(), dout)
            label = f"window {window.tolist()}, dout={dout:g}"
            if err:
                problems.append(f"{label}: raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != window.shape:
                problems.append(f"{label}: return an array shaped like the window {window.shape}")
                continue
            if np.allclose(got, want):
                continue
            ties = window == window.max()
            guesses = [
                (np.full_like(window, dout / window.size),
                 "you spread dout evenly: that is average pooling's gradient; max passes it only to the maximum"),
                (np.full_like(window, dout), "every entry got dout; only the maximum should"),
                (np.where(ties, dout, 0.0),
                 "with a tie you gave dout to every maximum, so the gradient counts twice; give it to the first one only"),
                (np.where(ties, dout / ties.sum(), 0.0),
                 "you split dout among the tied maxima; the library gives all of it to the first one, row by row"),
                (np.where(window == window.min(), dout, 0.0), "you routed dout to the minimum"),
                (np.where(ties, 1.0, 0.0), "the switch is right, but multiply by dout (the chain rule)"),
                (want * window.max(), "multiply dout by 1, not by the maximum value"),
            ]
            why = next((text for guess, text in guesses if np.allclose(got, guess)),
                       f"expected {want.tolist()}")
            problems.append(f"{label}: got {got.tolist()}: {why}")
        return problems

    return _run("window_backward(window, dout)", body)


def check_avg_pool_weights(avg_pool_weights: Callable) -> Feedback:
    """Check ``avg_pool_weights(C, F)``: conv weights of shape (C, C, F, F) that, used with
    stride F, no padding and zero bias, compute F x F average pooling of every channel."""
    import numpy as np

    cases = [(1, 2), (3, 2), (2, 3), (4, 1)]
    rng = np.random.default_rng(31)

    def body():
        problems = []
        for C, F in cases:
            want = np.zeros((C, C, F, F))
            for c in range(C):
                want[c, c] = 1.0 / (F * F)
            got, err = attempt(avg_pool_weights, C, F)
            label = f"avg_pool_weights(C={C}, F={F})"
            if err:
                problems.append(f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != (C, C, F, F):
                shape = None if got is None else got.shape
                problems.append(
                    f"{label} returned shape {shape}; a conv layer's weights are (F_out, C_in, HH, WW) "
                    f"= ({C}, {C}, {F}, {F}): one filter per output channel, each {C} deep")
                continue
            # Behaviour: a stride-F convolution with these weights vs average pooling.
            x = rng.standard_normal((2, C, 2 * F, 3 * F))
            blocks = x.reshape(2, C, 2, F, 3, F)
            pooled = blocks.mean(axis=(3, 5))
            conv = np.einsum("nciajb,dcab->ndij", blocks, got)
            if np.allclose(conv, pooled):
                continue
            guesses = [
                (np.full((C, C, F, F), 1.0 / (F * F)),
                 "every filter reads every channel, so each output adds up the averages of all channels; "
                 "filter c must be 1/F^2 on channel c and 0 on the others"),
                (want * F * F, "the weights sum to F*F: that is sum pooling; divide by F*F"),
                (want * F, "dividing by F averages along one axis only; a window has F*F numbers"),
                (want / C, "divide by F*F only; the channels are kept apart, not averaged"),
                (np.full((C, C, F, F), 1.0 / (C * F * F)), "that averages over the channels too; keep them apart"),
            ]
            why = next((text for guess, text in guesses if np.allclose(got, guess)),
                       "the convolution does not match average pooling")
            problems.append(f"{label}: {why}")
        return problems

    return _run("avg_pool_weights(C, F)", body)
