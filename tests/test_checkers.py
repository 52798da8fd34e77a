"""The exercise checkers of the notebooks, tried as a new user would.

For every exercise: the untouched stub is "not implemented yet"; right answers
written differently (numpy integers, whole floats, lists, tuples, float32, other
loop orders, other formulas) pass; each typical wrong answer gets its own
diagnosis (the fragment listed next to it, different from every other mistake's),
printed once however many cases show it; a crash names the line of the
student's code; no feedback gives the solution away (``solution``: its text, and
a wrong answer no mistake explains, which reads the fallback; tests/giveaways_lib.py
says what a giveaway is). The exercise text in each notebook states every
convention the checker enforces (last test).

The right and wrong answers below are written by hand, the way students write
them, not derived from the checkers.
"""
import copy
import functools
import json
import math
import pathlib

import numpy as np
import pytest
from scipy import signal

from cs231n_lib import arithmetic, exercises as E, fast_layers, layers
from cs231n_lib.optim import sgd_momentum

import test_transfer_checkers
from giveaways_lib import arrays_of, giveaways, inputs_of, shifted, spy
import test_understanding_checkers
import test_zeiler_fergus_checkers

ROOT = pathlib.Path(__file__).resolve().parent.parent


def stub(*args):
    raise NotImplementedError


def must_raise(*args):
    raise ValueError("not a whole number")


# ------------------------------------------------------------------ notebook 01
def strict(formula):
    """An output_size that raises ValueError exactly when it should, but returns ``formula``."""
    def output_size(W, F, S, P):
        if (W - F + 2 * P) % S:
            raise ValueError("the filters do not tile the input")
        return formula(W, F, S, P)
    return output_size


def size_with_divmod(W, F, S, P):
    steps, rest = divmod(W - F + 2 * P, S)
    if rest:
        raise ValueError(f"{W - F + 2 * P} is not divisible by {S}")
    return np.int64(steps + 1)  # a numpy integer is an integer


def size_via_float(W, F, S, P):
    out = (W - F + 2 * P) / S + 1
    if out != int(out):
        raise ValueError(f"output size {out} is not an integer")
    return int(out)


class GeometryError(ValueError):
    pass


def size_custom_error(W, F, S, P):
    if (W - F + 2 * P) % S != 0:
        raise GeometryError("does not fit")
    return (W - F + 2 * P) // S + 1


def size_check_without_padding(W, F, S, P):
    if (W - F) % S:
        raise ValueError("does not fit")
    return (W - F + 2 * P) // S + 1


def size_with_assert(W, F, S, P):
    assert (W - F + 2 * P) % S == 0, "does not fit"
    return (W - F + 2 * P) // S + 1


def strides_by_pairs(W, F, P):
    span = W - F + 2 * P
    if span == 0:
        return [1]
    small = [d for d in range(1, int(math.isqrt(span)) + 1) if span % d == 0]
    return sorted(set(small + [span // d for d in small]))


# ------------------------------------------------------------------ notebook 02
def conv2d_scipy(x, w, b, stride, pad):
    return signal.correlate2d(np.pad(np.asarray(x, float), pad), w, "valid")[::stride, ::stride] + b


def conv2d_loops_columns_first(x, w, b, stride, pad):
    xp = np.pad(np.asarray(x, dtype=np.float64), ((pad, pad), (pad, pad)))
    HH, WW = w.shape
    H_out, W_out = (xp.shape[0] - HH) // stride + 1, (xp.shape[1] - WW) // stride + 1
    out = np.zeros((H_out, W_out))
    for j in range(W_out):
        for i in range(H_out):
            for a in range(HH):
                for c in range(WW):
                    out[i, j] += xp[i * stride + a, j * stride + c] * w[a, c]
            out[i, j] += b
    return out


def conv2d_float32_lists(x, w, b, stride, pad):
    return conv2d_scipy(x, w, b, stride, pad).astype(np.float32).tolist()


def conv2d_int_output(x, w, b, stride, pad):
    xp = np.pad(x, pad)
    HH, WW = w.shape
    out = np.zeros(((xp.shape[0] - HH) // stride + 1, (xp.shape[1] - WW) // stride + 1), dtype=xp.dtype)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(xp[i * stride:i * stride + HH, j * stride:j * stride + WW] * w) + b
    return out


def conv2d_windows_not_strided(x, w, b, stride, pad):
    xp = np.pad(np.asarray(x, float), pad)
    full = signal.correlate2d(xp, w, "valid")
    H_out, W_out = (xp.shape[0] - w.shape[0]) // stride + 1, (xp.shape[1] - w.shape[1]) // stride + 1
    return full[:H_out, :W_out] + b


def conv2d_pad_after(x, w, b, stride, pad):
    xp = np.pad(np.asarray(x, float), ((0, 2 * pad), (0, 2 * pad)))
    return signal.correlate2d(xp, w, "valid")[::stride, ::stride] + b


def conv2d_pad_once(x, w, b, stride, pad):
    xp = np.pad(np.asarray(x, float), ((0, pad), (0, pad)))
    return signal.correlate2d(xp, w, "valid")[::stride, ::stride] + b


def conv1d_loops(dout, w):
    dx = np.zeros(len(dout) + len(w) - 1)
    for i in range(len(dout)):
        for k in range(len(w)):
            dx[i + k] += dout[i] * w[k]
    return dx


def conv1d_overwrite(dout, w):
    dx = np.zeros(len(dout) + len(w) - 1)
    for i in range(len(dout)):
        for k in range(len(w)):
            dx[i + k] = dout[i] * w[k]
    return dx


# ------------------------------------------------------------------ notebook 03
def pool_loops(x):
    H, W = x.shape
    out = np.empty((H // 2, W // 2))
    for i in range(H // 2):
        for j in range(W // 2):
            out[i, j] = x[2 * i:2 * i + 2, 2 * j:2 * j + 2].max()
    return out


def pool_maximum(x):
    return np.maximum(np.maximum(x[::2, ::2], x[1::2, ::2]), np.maximum(x[::2, 1::2], x[1::2, 1::2]))


def pool_reshape(x):
    H, W = x.shape
    return x.reshape(H // 2, 2, W // 2, 2).max(axis=(1, 3))


def pool_library(x):
    out, _ = fast_layers.max_pool_forward_fast(x[None, None], {"pool_height": 2, "pool_width": 2, "stride": 2})
    return out[0, 0]


def backward_argmax(window, dout):
    g = np.zeros_like(window)
    g.flat[np.argmax(window)] = dout
    return g


def backward_unravel(window, dout):
    g = np.zeros(window.shape, dtype=np.float32)
    g[np.unravel_index(np.argmax(window), window.shape)] = dout
    return g.tolist()


def backward_last_tie(window, dout):
    flat = window.ravel()
    g = np.zeros(window.size)
    g[window.size - 1 - np.argmax(flat[::-1])] = dout
    return g.reshape(window.shape)


def diagonal_weights(C, F):
    w = np.zeros((C, C, F, F))
    for c in range(C):
        w[c, c] = 1.0 / (F * F)
    return w


# ------------------------------------------------------------------ notebook 04
def rf_top_down(layers):
    r = 1
    for F, S in reversed(layers):
        r = S * r + (F - S)
    return r


def rf_bottom_up(layers):
    r, jump = 1, 1
    for F, S in layers:
        r += (F - 1) * jump
        jump *= S
    return np.int64(r)


def rf_own_stride(layers):
    r, jump = 1, 1
    for F, S in layers:
        jump *= S
        r += (F - 1) * jump
    return r


def rf_previous_stride_only(layers):
    r, prev = 1, 1
    for F, S in layers:
        r += (F - 1) * prev
        prev = S
    return r


def momentum_in_place(w, dw, v, learning_rate, momentum):
    v *= momentum
    v -= learning_rate * dw
    w += v
    return w, v


def momentum_library(w, dw, v, learning_rate, momentum):
    next_w, config = sgd_momentum(w, dw, {"learning_rate": learning_rate, "momentum": momentum,
                                          "velocity": v})
    return next_w, config["velocity"]


# ------------------------------------------------------------------ notebook 08
def fgsm_step_in_place(x, grad, eps):
    x += eps * np.sign(grad)
    np.clip(x, 0, 1, out=x)
    return x


def fgsm_step_by_pixels(x, grad, eps):
    out = np.array(x, dtype=np.float32, copy=True)
    flat, g = out.reshape(-1), np.asarray(grad).reshape(-1)
    for i in range(flat.size):
        step = eps if g[i] > 0 else (-eps if g[i] < 0 else 0.0)
        flat[i] = min(1.0, max(0.0, flat[i] + step))
    return out


def project_by_pixels(x_adv, x, eps):
    out = np.array(x_adv, dtype=np.float64, copy=True)
    for idx in np.ndindex(out.shape):
        out[idx] = min(max(out[idx], x[idx] - eps, 0.0), x[idx] + eps, 1.0)
    return out


def project_other_order(x_adv, x, eps):
    return np.clip(np.clip(x_adv, 0, 1), x - eps, x + eps)     # the two boxes in the other order: the same


def confidence_by_loop(probs, y):
    values = [max(row) for row, label in zip(probs.tolist(), y.tolist()) if row.index(max(row)) != label]
    return sum(values) / len(values)


EXERCISES = {
    "output_size": dict(
        checker=E.check_output_size,
        solution=dict(text=["(W - F + 2P)/S + 1", "(W - F + 2*P)/S + 1", "(W - F + 2*P)//S + 1",
                            "(W - F + 2*P) % S"],
                      unmatched=shifted(arithmetic.conv_output_size, 1000)),
        right=[lambda W, F, S, P: arithmetic.conv_output_size(W, F, S, P), size_with_divmod,
               size_via_float, size_custom_error],
        wrong=[
            (strict(lambda W, F, S, P: (W - F + 2 * P) // S), "forgot the + 1"),
            (strict(lambda W, F, S, P: (W - F + P) // S + 1), "use 2*P, not P"),
            (strict(lambda W, F, S, P: (W - F) // S + 1), "forgot the zero-padding"),
            (strict(lambda W, F, S, P: W - F + 2 * P + 1), "forgot to divide by the stride"),
            (strict(lambda W, F, S, P: (W - F + 2 * P) * S + 1), "do not multiply"),
            (strict(lambda W, F, S, P: (W + F + 2 * P) // S + 1), "do not add it"),
            (strict(lambda W, F, S, P: (W - F + 2 * P) // S + 2), "add 2 after dividing"),
            (strict(lambda W, F, S, P: (W - F + 1 + 2 * P) // S + 1), "not W - F + 1"),
            (strict(lambda W, F, S, P: (W - F + 2 * P) / S + 1), "not a float"),
            (lambda W, F, S, P: (W - F + 2 * P) // S + 1, "instead of returning a number"),
            (size_with_assert, "an assert or another exception does not count"),
            (size_check_without_padding, "forgets the padding"),
            (strict(lambda W, F, S, P: str((W - F + 2 * P) // S + 1)), "Return a number"),
        ]),
    "valid_strides": dict(
        checker=E.check_valid_strides,
        solution=dict(text=["divides W - F + 2P", "divide W - F + 2P", "(W - F + 2P) % S", "(W - F + 2*P) % s"],
                      unmatched=shifted(strides_by_pairs, 1000)),
        right=[lambda W, F, P: arithmetic.valid_strides(W, F, P), strides_by_pairs,
               lambda W, F, P: tuple(strides_by_pairs(W, F, P)),
               lambda W, F, P: np.array(strides_by_pairs(W, F, P)),
               lambda W, F, P: (s for s in range(1, max(W - F + 2 * P, 1) + 1)
                                if max(W - F + 2 * P, 1) % s == 0)],
        wrong=[
            (lambda W, F, P: [s for s in range(1, W - F + 1) if (W - F) % s == 0] if W > F else [1],
             "You forgot the padding"),
            (lambda W, F, P: [s for s in range(1, W - F + P + 1) if (W - F + P) % s == 0] if W - F + P else [1],
             "P zeros before the input and P after it"),
            (lambda W, F, P: [s for s in range(1, W - F + 2 * P) if (W - F + 2 * P) % s == 0] or [1],
             "The largest valid stride is missing"),
            (lambda W, F, P: list(range(1, W - F + 2 * P + 1)) or [1], "Not every stride fits"),
            (lambda W, F, P: sorted(strides_by_pairs(W, F, P), reverse=True), "increasing order"),
            (lambda W, F, P: [s for s in range(1, W - F + 2 * P + 1) if (W - F + 2 * P) % s == 0],
             "return [1], as the exercise says"),
            (lambda W, F, P: sorted((W - F + 2 * P) // s + 1 for s in strides_by_pairs(W, F, P)),
             "Those are the output sizes"),
            (lambda W, F, P: 3, "Return a list of integers"),
        ]),
    "param_count": dict(
        checker=E.check_param_count,
        solution=dict(text=["F*F*D_in*K + K", "K * (F*F*D_in + 1)", "(F*F*D_in + 1) * K", "F*F*D*K + K",
                            "F*F*D_in weights and one bias per filter"],
                      unmatched=shifted(lambda F, D, K: F * F * D * K + K, 1000)),
        right=[lambda F, D, K: arithmetic.conv_param_count(F, D, K).total,
               lambda F, D, K: np.int64(F) * F * D * K + K,
               lambda F, D, K: (F * F * D + 1) * K,
               lambda F, D, K: float(F * F * D * K + K)],
        wrong=[
            (lambda F, D, K: F * F * D * K, "Add the biases"),
            (lambda F, D, K: F * F * K + K, "full input depth"),
            (lambda F, D, K: 2 * F * F * D * K, "not one per weight"),
            (lambda F, D, K: F * F * D * K + F * F * D, "not one per filter tap"),
            (lambda F, D, K: F * D * K + K, "F*F, not F"),
            (lambda F, D, K: F * F * D + 1, "That is one filter"),
            (lambda F, D, K: F * F * D * K + 1, "+ K, not + 1"),
            (lambda F, D, K: F * F * D * K + D * K, "a bias per input channel"),
            (lambda F, D, K: arithmetic.conv_param_count(F, D, K), "ParamCount"),
        ]),
    "conv2d": dict(
        checker=E.check_conv2d_single,
        solution=dict(text=["x[i*S + a, j*S + b] * w[a, b]", "x[i*S + a, j*S + b] by w[a, b]",
                            "x_padded[i*S + a, j*S + b]", "[i*stride + a, j*stride + b]", "i*stride:i*stride + HH",
                            "(H - HH + 2*pad)//stride + 1"],
                      unmatched=shifted(conv2d_scipy, 0.123)),
        right=[conv2d_scipy, conv2d_loops_columns_first, conv2d_float32_lists],
        wrong=[
            (lambda x, w, b, s, p: conv2d_scipy(x, w[::-1, ::-1], b, s, p), "flipped the filter"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w, 0, s, p), "forgot to add the bias"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w, b, s, p) + b, "once, not twice"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w, 0, s, p) + b * w.size, "not once per filter tap"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w, b, s, 0), "size without padding"),
            (conv2d_pad_once, "H + 2*pad high, not H + pad"),
            (conv2d_pad_after, "all 2*pad zeros after the image"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w, b, 1, p), "You forgot the stride"),
            (conv2d_windows_not_strided, "starts at row i*S"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w, b, s, p).T, "the output is (H_out, W_out)"),
            (lambda x, w, b, s, p: conv2d_scipy(x, w.T, b, s, p), "meets w[b, a]"),
            (conv2d_int_output, "holds integers"),
        ]),
    "im2col_size": dict(
        checker=E.check_im2col_size,
        solution=dict(text=["(F*F*C, H_out*W_out)", "rows = F*F*C", "F*F*C rows", "(H - F + 2P)//S + 1",
                            "(H - F + 2*P)//S + 1"],
                      unmatched=shifted(lambda C, H, W, F, S, P: (F * F * C, ((H - F + 2 * P) // S + 1)
                                                                   * ((W - F + 2 * P) // S + 1)), 1000)),
        right=[lambda C, H, W, F, S, P: (F * F * C, ((H - F + 2 * P) // S + 1) * ((W - F + 2 * P) // S + 1)),
               lambda C, H, W, F, S, P: np.array([F * F * C, ((H - F + 2 * P) / S + 1) * ((W - F + 2 * P) / S + 1)]),
               lambda C, H, W, F, S, P: [np.int64(C * F * F), arithmetic.conv_output_size(H, F, S, P)
                                         * arithmetic.conv_output_size(W, F, S, P)]],
        wrong=[
            (lambda C, H, W, F, S, P: (((H - F + 2 * P) // S + 1) * ((W - F + 2 * P) // S + 1), F * F * C),
             "Rows and columns are swapped"),
            (lambda C, H, W, F, S, P: (F * F, ((H - F + 2 * P) // S + 1) * ((W - F + 2 * P) // S + 1)),
             "all C channels"),
            (lambda C, H, W, F, S, P: (F * F * C, H * W), "not per input pixel"),
            (lambda C, H, W, F, S, P: (F * F * C, (H - F + 2 * P) // S + 1), "multiply the two"),
            (lambda C, H, W, F, S, P: (F * F * C, ((H - F + 2 * P) // S + 1) ** 2), "Height and width differ"),
            (lambda C, H, W, F, S, P: (F * F * C, ((H - F) // S + 1) * ((W - F) // S + 1)), "forgot the padding"),
            (lambda C, H, W, F, S, P: (F * F * C, (H - F + 2 * P + 1) * (W - F + 2 * P + 1)), "forgot the stride"),
            (lambda *a: "big", "pair of whole numbers"),
        ]),
    "conv1d_backward": dict(
        checker=E.check_conv1d_backward,
        solution=dict(text=["np.convolve", "dout[j - k] * w[k]", "'full' convolution", "dx[i + k] += dout[i] * w[k]"],
                      unmatched=shifted(conv1d_loops, 0.5)),
        right=[lambda d, w: np.convolve(d, w, "full"), lambda d, w: np.convolve(w, d).tolist(), conv1d_loops,
               lambda d, w: np.correlate(np.pad(d, len(w) - 1), w[::-1], "valid")],
        wrong=[
            (lambda d, w: np.correlate(np.pad(d, len(w) - 1), w, "valid"), "The filter must be flipped"),
            (conv1d_overwrite, "do not overwrite them"),
            (lambda d, w: np.convolve(d, w, "valid"), "every x[j] gets a gradient"),
        ]),
    "max_pool_2x2": dict(
        checker=E.check_max_pool_2x2,
        solution=dict(text=["reshape(H//2, 2, W//2, 2)", "max(axis=(1, 3))", "axes 1 and 3",
                            "the largest of the four numbers of its 2x2 window"],
                      unmatched=shifted(pool_loops, 0.5)),
        right=[pool_loops, pool_maximum, pool_reshape, pool_library, lambda x: pool_loops(x).tolist()],
        wrong=[
            (lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).mean(axis=(1, 3)), "the average"),
            (lambda x: x[::2, ::2], "top-left"),
            (lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).min(axis=(1, 3)), "the minimum"),
            (lambda x: np.abs(x).reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)),
             "absolute value"),
            (lambda x: np.sqrt((x ** 2).reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).sum(axis=(1, 3))),
             "L2-norm pooling"),
            (lambda x: x.reshape(x.shape[0] // 2, x.shape[1] // 2, 2, 2).max(axis=(2, 3)), "reshape(H//2, W//2, 2, 2)"),
            (lambda x: pool_reshape(x).T, "Rows and columns are swapped"),
            (lambda x: np.maximum(np.maximum(x[:-1, :-1], x[1:, :-1]), np.maximum(x[:-1, 1:], x[1:, 1:])),
             "stride 1"),
            (lambda x: pool_library(x)[None, None], "drop the N and C axes"),
            (lambda x: x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=1), "one axis of the window"),
        ]),
    "window_backward": dict(
        checker=E.check_max_pool_window_backward,
        solution=dict(text=["flat[np.argmax(window)] = dout", "np.argmax(window)", "the whole of dout goes to the"],
                      unmatched=shifted(backward_argmax, 0.5)),
        right=[backward_argmax, backward_unravel],
        wrong=[
            (lambda w, d: np.full_like(w, d / w.size), "average pooling's gradient"),
            (lambda w, d: np.full_like(w, d), "Every entry got dout"),
            (lambda w, d: np.where(w == w.max(), d, 0.0), "counts twice"),
            (lambda w, d: np.where(w == w.max(), d / (w == w.max()).sum(), 0.0), "split dout"),
            (backward_last_tie, "not the last"),
            (lambda w, d: np.where(w == w.min(), d, 0.0), "to the minimum"),
            (lambda w, d: backward_argmax(w, 1.0), "chain rule"),
            (lambda w, d: backward_argmax(w, d) * w.max(), "not by the maximum value"),
            (lambda w, d: np.zeros(3), "shaped like the window"),
        ]),
    "avg_pool_weights": dict(
        checker=E.check_avg_pool_weights,
        solution=dict(text=["1/F^2 on channel c", "w[c, c] = 1 / (F * F)", "1.0 / (F * F)", "np.eye(C)"],
                      unmatched=shifted(diagonal_weights, 0.01)),
        right=[diagonal_weights,
               lambda C, F: np.einsum("cd,ab->cdab", np.eye(C), np.full((F, F), 1 / F ** 2)).astype(np.float32),
               lambda C, F: (np.eye(C)[:, :, None, None] * np.ones((F, F)) / (F * F)).tolist()],
        wrong=[
            (lambda C, F: np.full((C, C, F, F), 1.0 / (F * F)), "every channel"),
            (lambda C, F: diagonal_weights(C, F) * F * F, "sum pooling"),
            (lambda C, F: diagonal_weights(C, F) * F, "one axis only"),
            (lambda C, F: np.ones((F, F)) / F ** 2, "(F_out, C_in, HH, WW)"),
            (lambda C, F: diagonal_weights(C, F) / C, "divided by C as well"),
            (lambda C, F: np.full((C, C, F, F), 1.0 / (C * F * F)), "over the channels too"),
        ]),
    "receptive_field_size": dict(
        checker=E.check_receptive_field_size,
        solution=dict(text=["r = 1 + sum", "(F - 1) * (product of the strides",
                            "(F - 1) times the product of the strides"],
                      unmatched=shifted(rf_top_down, 1000)),
        right=[rf_top_down, rf_bottom_up,
               lambda ls: float(arithmetic.receptive_field([("conv", F, 1, S) for F, S in ls])[-1].size)],
        wrong=[
            (lambda ls: 1 + sum(F - 1 for F, _ in ls), "as if no layer had a stride"),
            (rf_own_stride, "own stride does not widen"),
            (rf_previous_stride_only, "not only the stride of the layer just below"),
            (lambda ls: 1 + sum((F - 1) * S for F, S in ls), "not by the layer's own stride"),
            (lambda ls: rf_top_down(list(reversed(ls))), "The list starts at the input"),
            (lambda ls: rf_top_down(ls) - 1, "one pixel too few"),
            (lambda ls: sum(F for F, _ in ls), "fewer than F, not by F."),
            (lambda ls: rf_top_down(ls) + 0.5, "whole number"),
        ]),
    "fc_as_conv": dict(
        checker=E.check_fc_as_conv,
        solution=dict(text=["w.T.reshape", "column m of w, read as (C, H, W)", "transpose it first (w.T)",
                            "read each column as (C, H, W)"],
                      unmatched=shifted(lambda w, C, H, W: w.T.reshape(-1, C, H, W), 0.5)),
        right=[lambda w, C, H, W: w.T.reshape(-1, C, H, W),
               lambda w, C, H, W: np.moveaxis(w.reshape(C, H, W, -1), -1, 0).astype(np.float32),
               lambda w, C, H, W: np.stack([w[:, m].reshape(C, H, W) for m in range(w.shape[1])])],
        wrong=[
            (lambda w, C, H, W: w.reshape(-1, C, H, W), "reads w row by row"),
            (lambda w, C, H, W: w.T.reshape(-1, H, W, C).transpose(0, 3, 1, 2), "You read each column as (H, W, C)"),
            (lambda w, C, H, W: w.T.reshape(-1, C, W, H).transpose(0, 1, 3, 2), "Height and width are swapped"),
            (lambda w, C, H, W: w.T, "a conv filter is a volume"),
            (lambda w, C, H, W: w.T.reshape(-1, H, W, C), "one filter per FC neuron"),
        ]),
    "score_grid": dict(
        checker=E.check_score_grid,
        solution=dict(text=["(image_size - net_input)/total_stride + 1", "(image_size - net_input)//total_stride + 1"],
                      unmatched=shifted(lambda i, n, s: (i - n) // s + 1, 1000)),
        right=[lambda i, n, s: (i - n) // s + 1, lambda i, n, s: (i - n) / s + 1,
               lambda i, n, s: np.int64(len(range(0, i - n + 1, s)))],
        wrong=[
            (lambda i, n, s: (i - n) // s, "forgot the + 1"),
            (lambda i, n, s: i // s, "last conv volume"),
            (lambda i, n, s: i - n + 1, "Divide by the total stride"),
            (lambda i, n, s: i // n, "fits side by side"),
            (lambda i, n, s: "six", "Return a number"),
        ]),
    "initial_loss": dict(
        checker=E.check_initial_loss,
        solution=dict(text=["-ln(1/C)", "ln(C)", "log(1/C)", "np.log(C)", "math.log(C)"],
                      unmatched=shifted(math.log, 0.1234)),
        right=[lambda C: math.log(C), lambda C: -np.log(1 / C), lambda C: np.log(np.float32(C)),
               lambda C: np.array([np.log(C)])],
        wrong=[
            (lambda C: 1 / C, "probability of each class"),
            (lambda C: -math.log(C), "Mind the sign"),
            (lambda C: math.log10(C), "not log10"),
            (lambda C: math.log2(C), "not log2"),
            (lambda C: 1 - 1 / C, "error rate of guessing"),
            (lambda C: math.log(C - 1), "not ln(C - 1)"),
            (lambda C: "ln C", "Return one number"),
        ]),
    "momentum_step": dict(
        checker=E.check_momentum_step,
        solution=dict(text=["momentum * v - learning_rate * dw", "w + next_v", "mu * v - lr * dw", "v = momentum * v",
                            "then w + v"],
                      unmatched=shifted(momentum_library, 0.5)),
        right=[momentum_library, momentum_in_place,
               lambda w, dw, v, lr, mu: [(w + mu * v - lr * dw).astype(np.float32), list(mu * v - lr * dw)]],
        wrong=[
            (lambda w, dw, v, lr, mu: (mu * v - lr * dw, w + mu * v - lr * dw), "velocity first"),
            (lambda w, dw, v, lr, mu: (w - lr * dw, mu * v - lr * dw), "plain SGD"),
            (lambda w, dw, v, lr, mu: (w + v, mu * v - lr * dw), "old velocity"),
            (lambda w, dw, v, lr, mu: (w + mu * v + lr * dw, mu * v + lr * dw), "uphill"),
            (lambda w, dw, v, lr, mu: (w + v - lr * dw, v - lr * dw), "must decay"),
            (lambda w, dw, v, lr, mu: (w + lr * v - mu * dw, lr * v - mu * dw), "not the other way round"),
            (lambda w, dw, v, lr, mu: w, "the pair"),
        ]),
    "accuracy": dict(
        checker=E.check_accuracy,
        solution=dict(text=["argmax(scores, axis=1) == y", "mean of (argmax of each row == y)", "argmax(1) == y"],
                      unmatched=shifted(lambda s, y: float(np.mean(np.argmax(s, axis=1) == y)), 0.01)),
        right=[lambda s, y: float(np.mean(np.argmax(s, axis=1) == y)),
               lambda s, y: (s.argmax(1) == y).sum() / len(y),
               lambda s, y: np.float32(np.mean([int(np.argmax(row) == t) for row, t in zip(s, y)]))],
        wrong=[
            (lambda s, y: int(np.sum(np.argmax(s, axis=1) == y)), "number of correct rows"),
            (lambda s, y: 100 * float(np.mean(np.argmax(s, axis=1) == y)), "percentage"),
            # two symptoms, two lines: it crashes on rectangular scores (shapes (C,) and (N,)
            # do not broadcast) and gives a wrong number on square ones
            (lambda s, y: float(np.mean(np.argmax(s, axis=0) == y)), "axis=1", 2),
            (lambda s, y: float(np.mean(np.argmax(s, axis=1) != y)), "error rate"),
            (lambda s, y: float(np.mean(np.max(s, axis=1) == y)), "not the highest score itself"),
            (lambda s, y: np.argmax(s, axis=1) == y, "one number"),
        ]),
    # notebook 08
    "fgsm_step": dict(
        checker=E.check_fgsm_step,
        solution=dict(text=["x + eps * sign(grad)", "x + eps * np.sign(grad)", "clip(x + eps", "x + eta"],
                      unmatched=shifted(lambda x, g, e: np.clip(x + e * np.sign(g), 0, 1), 0.1)),
        right=[lambda x, g, e: np.clip(x + e * np.sign(g), 0, 1),
               lambda x, g, e: np.minimum(1.0, np.maximum(0.0, x + e * np.sign(g))),
               fgsm_step_in_place, fgsm_step_by_pixels],
        wrong=[
            (lambda x, g, e: np.clip(x - e * np.sign(g), 0, 1), "steps down the loss"),
            (lambda x, g, e: np.clip(x + e * g, 0, 1), "in proportion to its gradient"),
            (lambda x, g, e: np.clip(x + e * g / np.abs(g).max(), 0, 1), "rescales the gradient"),
            (lambda x, g, e: np.clip(x + e * g / np.linalg.norm(g), 0, 1), "normalizes the gradient to length 1"),
            (lambda x, g, e: np.clip(x + e * (g > 0), 0, 1), "(grad > 0) is 0 or 1"),
            (lambda x, g, e: np.clip(x + e * ((g >= 0) * 2 - 1), 0, 1), "np.sign(0) is 0"),
            (lambda x, g, e: x + e * np.sign(g), "Clip the result to the pixel range"),
            (lambda x, g, e: np.clip(x + e * np.sign(g), -1, 1), "not [-1, 1]"),
            (lambda x, g, e: x + np.clip(e * np.sign(g), 0, 1), "clipped the perturbation"),
            (lambda x, g, e: e * np.sign(g), "You returned the perturbation eta = eps * sign(grad);"),
            (lambda x, g, e: np.clip(e * np.sign(g), 0, 1), "You returned the perturbation eta = eps * sign(grad),"),
            (lambda x, g, e: np.clip(x + e * np.sign(g), 0, 1).ravel(), "x's shape"),
        ]),
    "pgd_project": dict(
        checker=E.check_pgd_project,
        solution=dict(text=["[max(x - eps, 0), min(x + eps, 1)]", "np.maximum(x - eps, 0)",
                            "x + delta, with delta clipped"],
                      unmatched=shifted(project_by_pixels, 0.1)),
        right=[lambda a, x, e: np.clip(a, np.maximum(x - e, 0), np.minimum(x + e, 1)),
               lambda a, x, e: x + np.clip(np.clip(a, 0, 1) - x, -e, e), project_by_pixels, project_other_order,
               lambda a, x, e: np.minimum(np.minimum(np.maximum(np.maximum(a, x - e), 0), x + e), 1).astype(np.float32)],
        wrong=[
            (lambda a, x, e: np.clip(a, 0, 1), "forgets the budget"),
            (lambda a, x, e: np.clip(a, x - e, x + e), "forgets the pixel range"),
            (lambda a, x, e: a, "unchanged"),
            (lambda a, x, e: x, "You returned the digit x"),
            (lambda a, x, e: np.clip(a, np.maximum(x - e, 0), np.minimum(x + e, 1)) - x, "You returned the perturbation"),
            (lambda a, x, e: np.clip(a, np.maximum(x - e, 0), np.minimum(x + e, 1)).ravel(), "x's shape"),
        ]),
    "linear_bound": dict(
        checker=E.check_linear_bound,
        solution=dict(text=["eps * sum(|w_i|)", "eps * np.sum(np.abs(w))", "eps times the L1 norm", "eps * ||w||_1",
                            "eps * |w_i| from each"],
                      unmatched=shifted(lambda w, e: e * np.abs(w).sum(), 0.5)),
        right=[lambda w, e: e * np.abs(w).sum(), lambda w, e: np.linalg.norm(np.ravel(w), 1) * e,
               lambda w, e: float(np.ravel(w) @ (e * np.sign(np.ravel(w)))),
               lambda w, e: sum(abs(float(v)) for v in np.ravel(w)) * e,
               lambda w, e: np.float32(e) * np.abs(w.astype(np.float32)).sum()],
        wrong=[
            (lambda w, e: e * np.sum(w), "Negative weights count too"),
            (lambda w, e: e * np.linalg.norm(np.ravel(w)), "That is eps times the L2 norm"),
            (lambda w, e: e * np.abs(w).mean() * np.sqrt(w.size), "typical change for random signs"),
            (lambda w, e: e * np.abs(w).mean(), "You averaged"),
            (lambda w, e: e * w.size * np.abs(w).max(), "counts the largest weight n times"),
            (lambda w, e: np.abs(w).sum(), "Multiply by eps"),
            (lambda w, e: e * e * np.abs(w).sum(), "not squared"),
            (lambda w, e: e * np.abs(w), "not one per input"),
        ]),
    "confidence_on_mistakes": dict(
        checker=E.check_confidence_on_mistakes,
        solution=dict(text=["probs[i].max()", "argmax(probs[i]) != y[i]", "max(axis=1)[p.argmax(axis=1) != y]"],
                      unmatched=shifted(confidence_by_loop, 0.01)),
        right=[lambda p, y: p.max(axis=1)[p.argmax(axis=1) != y].mean(), confidence_by_loop,
               lambda p, y: float(np.mean(p[np.flatnonzero(p.argmax(1) != y), p.argmax(1)[p.argmax(1) != y]]))],
        wrong=[
            (lambda p, y: p.max(axis=1).mean(), "averaged over every example"),
            (lambda p, y: p[np.arange(len(y)), y][p.argmax(axis=1) != y].mean(), "probability of the right class"),
            (lambda p, y: p.max(axis=1)[p.argmax(axis=1) == y].mean(), "averaged over the right answers"),
            (lambda p, y: np.mean(p.argmax(axis=1) != y), "fraction of mistakes"),
            (lambda p, y: 100 * p.max(axis=1)[p.argmax(axis=1) != y].mean(), "not a percentage"),
            (lambda p, y: p.max(axis=1)[p.argmax(axis=1) != y].sum(), "the sum of their confidences"),
            (lambda p, y: p.max(axis=1)[p.argmax(axis=1) != y].sum() / len(y), "not by the number of examples"),
            (lambda p, y: "high", "Return one number"),
        ]),
}


# ------------------------------------------------------------------ notebook 07
def guided_loops(dout, x):
    out = np.zeros(np.shape(x))
    for idx in np.ndindex(np.shape(x)):
        if x[idx] > 0 and dout[idx] > 0:
            out[idx] = dout[idx]
    return out


def tv2_loops(x):
    H, W = x.shape
    value, grad = 0.0, np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            if j + 1 < W:
                d = x[i, j + 1] - x[i, j]
                value += d * d
                grad[i, j + 1] += 2 * d
                grad[i, j] -= 2 * d
            if i + 1 < H:
                d = x[i + 1, j] - x[i, j]
                value += d * d
                grad[i + 1, j] += 2 * d
                grad[i, j] -= 2 * d
    return value, grad


def tv2_diffs(x, wrap=False, scale=1.0, horizontal=True, vertical=True, own_only=False, ends_only=False, mean=False):
    """tv2 by np.diff / padding, with switches for the typical mistakes."""
    if wrap:
        dx, dy = np.roll(x, -1, axis=1) - x, np.roll(x, -1, axis=0) - x
    else:
        dx = np.pad(np.diff(x, axis=1), ((0, 0), (0, 1)))
        dy = np.pad(np.diff(x, axis=0), ((0, 1), (0, 0)))
    dx, dy = dx * horizontal, dy * vertical
    value = float(np.sum(dx ** 2 + dy ** 2))
    grad = -2 * (dx + dy)
    if ends_only:
        grad = np.zeros_like(grad)
    if not own_only:
        grad = grad + 2 * np.roll(dx, 1, axis=1) + 2 * np.roll(dy, 1, axis=0)
    if mean:
        return value / x.size, grad / x.size
    return value, scale * grad


def tv1_loops(x):
    """TV with beta = 1 (a root over each pixel's two squared differences) and its gradient, by loops."""
    H, W = x.shape
    value, grad = 0.0, np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            dx = x[i, j + 1] - x[i, j] if j + 1 < W else 0.0
            dy = x[i + 1, j] - x[i, j] if i + 1 < H else 0.0
            r = math.sqrt(dx * dx + dy * dy)
            value += r
            if r > 0:
                if j + 1 < W:
                    grad[i, j + 1] += dx / r
                if i + 1 < H:
                    grad[i + 1, j] += dy / r
                grad[i, j] -= (dx + dy) / r
    return value, grad


def tv2_square_of_sum(x):
    """(dx + dy)^2 per pixel instead of dx^2 + dy^2, and the gradient of that, by loops."""
    H, W = x.shape
    value, grad = 0.0, np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            neighbours = [(i, j + 1)] * (j + 1 < W) + [(i + 1, j)] * (i + 1 < H)
            s = sum(x[n] - x[i, j] for n in neighbours)
            value += s * s
            for n in neighbours:
                grad[n] += 2 * s
            grad[i, j] -= 2 * s * len(neighbours)
    return value, grad


EXERCISES.update({
    "guided_relu_backward": dict(
        checker=E.check_guided_relu_backward,
        solution=dict(text=["dout * ((x > 0) & (dout > 0))", "where x > 0 and dout > 0, unchanged",
                            "(x > 0) & (dout > 0)", "multiply by (dout > 0)", "multiply by (x > 0)",
                            "multiply it by dout", "np.maximum(dout, 0) * (x > 0)"],
                      unmatched=shifted(guided_loops, 0.5)),
        right=[lambda dout, x: dout * ((x > 0) & (dout > 0)),
               lambda dout, x: np.where((x > 0) & (dout > 0), dout, 0),
               lambda dout, x: np.maximum(dout, 0) * (x > 0),
               guided_loops,
               lambda dout, x: (np.clip(dout, 0, None) * np.greater(x, 0)).astype(np.float32).tolist()],
        wrong=[
            (lambda dout, x: dout * (x > 0), "plain ReLU backward pass"),
            (lambda dout, x: dout * (dout > 0), "deconvnet rule"),
            (lambda dout, x: dout * ((x > 0) | (dout > 0)), "*or* dout > 0"),
            (lambda dout, x: ((x > 0) & (dout > 0)).astype(float), "mask of where"),
            (lambda dout, x: np.maximum(dout, 0) * np.maximum(x, 0), "the ReLU's output"),
            (lambda dout, x: dout * ((x >= 0) & (dout > 0)), "strictly"),
            (lambda dout, x: np.abs(dout) * (x > 0), "no abs"),
            (lambda x, dout: dout * ((x > 0) & (dout > 0)), "arguments are swapped"),
            (lambda dout, x: (dout * ((x > 0) & (dout > 0))).ravel(), "shape of x"),
        ]),
    "tv2": dict(
        checker=E.check_tv2,
        solution=dict(text=["-2 dx[i, j] - 2 dy[i, j] + 2 dx[i, j-1] + 2 dy[i-1, j]",
                            "of (right neighbour - pixel)^2 + (lower neighbour - pixel)^2",
                            "-2 dx[i, j] - 2 dy[i, j]", "2 dx[i, j-1]", "2 dy[i-1, j]", "-2 dx - 2 dy",
                            "-2 * (dx + dy)", "dx^2 + dy^2"],
                      unmatched=shifted(tv2_loops, 0.5)),
        right=[tv2_loops, lambda x: tv2_diffs(x),
               lambda x: list(tv2_diffs(x.astype(np.float32))),
               lambda x: (np.float64(tv2_diffs(x)[0]), tv2_diffs(x)[1].tolist())],
        wrong=[
            (lambda x: tv2_diffs(x, wrap=True), "differences wrap around", 2),
            (lambda x: tv2_diffs(x, scale=0.5), "half what it should be", 2),
            (lambda x: tv2_diffs(x, scale=-1.0), "wrong sign", 2),
            (lambda x: tv2_diffs(x, own_only=True), "start of a difference", 2),
            (lambda x: tv2_diffs(x, vertical=False), "horizontal differences", 2),
            (lambda x: tv2_diffs(x, horizontal=False), "vertical differences", 2),
            (lambda x: tv2_diffs(x, ends_only=True), "end of a difference", 2),
            (tv1_loops, "beta = 1", 2),
            (tv2_square_of_sum, "squared the sum", 2),
            (lambda x: tv2_diffs(x, mean=True), "mean over the pixels; TV is the sum", 2),
            (lambda x: tv2_diffs(x)[0], "Return the pair"),
            (lambda x: tv2_diffs(x)[::-1], "the value, must be one number", 2),
        ]),
    "mass_inside": dict(
        checker=E.check_mass_inside,
        solution=dict(text=["sum(saliency * mask) / sum(saliency)", "np.sum(saliency * mask)", "/ np.sum(saliency)",
                            "sum inside / sum overall", "s[m].sum() / s.sum()"],
                      unmatched=shifted(lambda s, m: float(np.sum(s * m) / np.sum(s)), 0.01)),
        right=[lambda s, m: float(np.sum(s * m) / np.sum(s)),
               lambda s, m: s[m].sum() / s.sum(),
               lambda s, m: np.float32(sum(v for v, k in zip(s.ravel(), m.ravel()) if k) / s.sum()),
               lambda s, m: np.array([np.dot(s.ravel(), m.ravel()) / s.sum()])],
        wrong=[
            (lambda s, m: float(np.sum(s * m)), "not its fraction"),
            (lambda s, m: float(np.mean(m)), "area fraction"),
            (lambda s, m: 1 - float(np.sum(s * m) / np.sum(s)), "*outside*"),
            (lambda s, m: float(np.sum(s * m) / np.sum(m)), "number of pixels in the mask"),
            (lambda s, m: float(np.mean(s[m]) / np.mean(s)), "mean of the map inside"),
            (lambda s, m: float(np.max(s[m]) / np.max(s)), "largest values"),
            (lambda s, m: 100 * float(np.sum(s * m) / np.sum(s)), "percentage"),
            (lambda s, m: s * m / s.sum(), "Return one number"),
        ]),
})

# ------------------------------------------------------------------ notebook 07: the assignment's three loops
def saliency_one_hot(X, y, model):
    scores = model.loss(X)
    dscores = np.zeros_like(scores)
    dscores[np.arange(len(X)), y] = 1
    dX = model.backward_from(X, model.names[-1], dscores)
    return np.abs(dX).max(axis=1)


def saliency_per_image(X, y, model):
    maps = []
    for i in range(len(X)):
        _, g = model.input_gradient(X[i:i + 1], model.names[-1], unit=(int(y[i]),))
        maps.append(np.max(np.abs(g[0]), axis=0))
    return np.stack(maps).astype(np.float32).tolist()


def saliency_numerical(X, y, model, h=1e-6):
    X = np.array(X, dtype=np.float64)
    grad = np.zeros_like(X)
    for n in range(len(X)):
        for idx in np.ndindex(X.shape[1:]):
            plus, minus = X[n:n + 1].copy(), X[n:n + 1].copy()
            plus[(0,) + idx] += h
            minus[(0,) + idx] -= h
            grad[(n,) + idx] = (model.loss(plus)[0, y[n]] - model.loss(minus)[0, y[n]]) / (2 * h)
    return np.maximum.reduce(np.abs(grad), axis=1)


def saliency_with(X, y, model, dscores=None, reduce=lambda g: np.abs(g).max(axis=1)):
    """A student's saliency map with one piece changed: the dscores sent back, or the reduction."""
    scores = model.loss(X)
    if dscores is None:
        dscores = np.eye(scores.shape[1])[y]
    elif callable(dscores):
        dscores = dscores(scores, y)
    return reduce(model.backward_from(X, model.names[-1], dscores))


def softmax_rows(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def dprob(scores, y):
    """d p_y / d scores: p_y * (onehot - p)."""
    p = softmax_rows(scores)
    onehot = np.eye(scores.shape[1])[y]
    return p[np.arange(len(y)), y][:, None] * (onehot - p)


def dloss(scores, y):
    """d (-log p_y) / d scores = p - onehot, as softmax_loss sends back (without the 1/N)."""
    return softmax_rows(scores) - np.eye(scores.shape[1])[y]


def fooling_while(X, target_y, model):
    X_fooling = X.copy()
    learning_rate = 0.1
    steps = 0
    while np.argmax(model.loss(X_fooling)[0]) != target_y and steps < 100:
        dscores = np.zeros((1, model.num_classes))
        dscores[0, target_y] = 1
        g = model.backward_from(X_fooling, model.names[-1], dscores)
        X_fooling = X_fooling + learning_rate * g / np.linalg.norm(g)
        steps += 1
    return X_fooling


def fooling_for(X, target_y, model):
    X_fooling = np.array(X, dtype=np.float64)
    for _ in range(100):
        if model.loss(X_fooling).argmax() == target_y:
            break
        _, g = model.input_gradient(X_fooling, model.names[-1], unit=(target_y,))
        X_fooling += 0.1 * g / np.sqrt(np.sum(g ** 2))
    return X_fooling


def fooling_check_after(X, target_y, model):
    X_fooling = X.astype(np.float32)          # float32 all the way: the same image to float32 rounding
    for _ in range(100):
        _, g = model.input_gradient(X_fooling, model.names[-1], unit=(target_y,))
        X_fooling = (X_fooling + 0.1 * g / np.sqrt(np.sum(g * g))).astype(np.float32)
        if model.loss(X_fooling).argmax() == target_y:
            break
    return X_fooling


def fooling_with(X, target_y, model, step=None, stop=True, clip=False, in_place=False, squeeze=False):
    """A student's fooling loop with one piece changed: the step taken from the score gradient g and the
    scores, whether it stops when fooled, clips, or works on X itself."""
    X_fooling = X if in_place else X.copy()
    for _ in range(100):
        scores = model.loss(X_fooling)
        if stop and scores.argmax() == target_y:
            break
        dscores = np.zeros_like(scores)
        dscores[0, target_y] = 1
        g = model.backward_from(X_fooling, model.names[-1], dscores)
        X_fooling += step(g, scores) if step else 0.1 * g / np.linalg.norm(g)
        if clip:
            np.clip(X_fooling, 0, 1, out=X_fooling)
    return X_fooling[0] if squeeze else X_fooling


def fooling_log_probability(X, target_y, model):
    X_fooling = X.copy()
    for _ in range(100):
        scores = model.loss(X_fooling)
        if scores.argmax() == target_y:
            break
        dscores = -dloss(scores, [target_y])          # up the log-probability: down the loss
        g = model.backward_from(X_fooling, model.names[-1], dscores)
        X_fooling = X_fooling + 0.1 * g / np.linalg.norm(g)
    return X_fooling


def jitter_slices(X, ox, oy):
    """The assignment's jitter, written with slices: ox along the width, oy along the height."""
    if ox:
        X = np.concatenate([X[:, :, :, -ox:], X[:, :, :, :-ox]], axis=3)
    if oy:
        X = np.concatenate([X[:, :, -oy:], X[:, :, :-oy]], axis=2)
    return X


def visualization_step(img, model, target_y, l2_reg, learning_rate, ox, oy, *, undo=True, twice=False, swap=False,
                       reg_sign=-1.0, mean=None, factor=2.0, ascend=True, normalize="rms", grad_at_original=False,
                       clip=True, log_probability=False, in_place=False, squeeze=False):
    """A student's update step with one piece changed (the switches name the typical mistakes)."""
    if swap:
        ox, oy = oy, ox
    m = model.input_mean if mean is None else mean
    I = np.roll(img, (oy, ox), axis=(2, 3))
    at = img if grad_at_original else I
    scores = model.loss(at)
    dscores = -dloss(scores, [target_y]) if log_probability else np.eye(model.num_classes)[[target_y]]
    g = model.backward_from(at, model.names[-1], dscores) + reg_sign * factor * l2_reg * (I - m)
    size = {"rms": np.sqrt(np.mean(g ** 2)), "l2": np.linalg.norm(g), None: 1.0}[normalize]
    I = I + (1 if ascend else -1) * learning_rate * g / size
    if undo:
        I = np.roll(I, (oy, ox) if twice else (-oy, -ox), axis=(2, 3))
    if clip:
        I = np.clip(I, 0, 1)
    if in_place:
        img[...] = I
        return img
    return I[0] if squeeze else I


def visualization_slices(img, model, target_y, l2_reg, learning_rate, ox, oy):
    I = jitter_slices(img.astype(np.float32), ox, oy).astype(np.float64)
    _, g = model.input_gradient(I, model.names[-1], unit=(target_y,))
    g = g - 2 * l2_reg * (I - 0.5)
    I = I + learning_rate * g / (np.linalg.norm(g) / np.sqrt(g.size))
    I = jitter_slices(I, -ox, -oy)
    return np.minimum(np.maximum(I, 0.0), 1.0)


EXERCISES.update({
    "compute_saliency_maps": dict(
        checker=E.check_compute_saliency_maps,
        solution=dict(text=["its absolute value, then the maximum over the channels", "np.abs(dX).max(axis=1)",
                            "np.abs(g).max(axis=1)", "abs first, then the maximum",
                            "largest absolute value over the channels", "one-hot row"],
                      unmatched=shifted(saliency_one_hot, 0.5)),
        right=[saliency_one_hot, saliency_per_image, saliency_numerical,
               lambda X, y, model: list(saliency_with(X, y, model, reduce=lambda g: np.max(np.abs(g), axis=1)))],
        wrong=[
            (lambda X, y, m: saliency_with(X, y, m, dscores=dprob), "softmax probability p_y"),
            (lambda X, y, m: saliency_with(X, y, m, dscores=dloss), "softmax loss (or of log p_y)"),
            (lambda X, y, m: saliency_with(X, y, m, dscores=lambda s, y: layers.softmax_loss(s, y)[1]),
             "batch's mean softmax loss"),
            (lambda X, y, m: saliency_with(X, y, m, reduce=lambda g: g.max(axis=1)), "*absolute* value"),
            (lambda X, y, m: saliency_with(X, y, m, reduce=lambda g: np.abs(g.max(axis=1))), "maximum over the channels first"),
            (lambda X, y, m: saliency_with(X, y, m, reduce=lambda g: np.abs(g).sum(axis=1)), "added up the channels"),
            (lambda X, y, m: saliency_with(X, y, m, reduce=lambda g: np.abs(g).mean(axis=1)), "averaged the channels"),
            (lambda X, y, m: saliency_with(X, y, m, reduce=lambda g: np.abs(g.sum(axis=1))), "absolute value of the channels' sum"),
            (lambda X, y, m: saliency_with(X, y, m, dscores=lambda s, y: np.eye(s.shape[1])[s.argmax(axis=1)]),
             "class the net predicts"),
            (lambda X, y, m: saliency_with(X, y, m, dscores=lambda s, y: np.ones_like(s)), "every class's score"),
            (lambda X, y, m: saliency_with(X, y, m, reduce=np.abs), "shape (N, H, W)"),
        ]),
    "make_fooling_image": dict(
        checker=E.check_make_fooling_image,
        solution=dict(text=["learning_rate * g / ||g||", "g / ||g||_2", "np.sqrt(np.sum(g ** 2))",
                            "g / np.linalg.norm(g)", "X_fooling = X.copy()", "divide the gradient by its L2 norm"],
                      unmatched=shifted(fooling_while, 0.05)),
        right=[fooling_while, fooling_for, fooling_check_after,
               lambda X, t, m: fooling_with(X, t, m).tolist()],
        wrong=[
            (lambda X, t, m: fooling_with(X, t, m, step=lambda g, s: 0.1 * g), "not normalized"),
            (lambda X, t, m: fooling_with(X, t, m, step=lambda g, s: -0.1 * g / np.linalg.norm(g)), "*down*"),
            (fooling_log_probability, "softmax probability (or the log-probability"),
            (lambda X, t, m: fooling_with(X, t, m, stop=False), "kept going"),
            (lambda X, t, m: fooling_with(X, t, m, step=lambda g, s: 0.1 * np.sign(g)), "fast gradient sign"),
            (lambda X, t, m: fooling_with(X, t, m, step=lambda g, s: 0.1 * g / np.abs(g).max()), "largest absolute entry"),
            (lambda X, t, m: fooling_with(X, t, m, step=lambda g, s: 0.1 * g / np.sum(g ** 2)), "sum of its squares"),
            (lambda X, t, m: fooling_with(X, t, m, clip=True), "No clipping"),
            (lambda X, t, m: fooling_with(X, t, m, in_place=True), "changed X in place"),
            (lambda X, t, m: fooling_with(X, t, m, squeeze=True), "X's shape (1, 3, H, W)"),
        ]),
    "class_visualization_update_step": dict(
        checker=E.check_class_visualization_update_step,
        solution=dict(text=["g = d s_y / dI - 2 * l2_reg * (I - m)", "I + learning_rate * g / rms(g)",
                            "learning_rate * g / rms(g), roll back", "2 * l2_reg * (I - m)",
                            "np.sqrt(np.mean(g ** 2))", "g / rms(g)", "np.roll(img, (oy, ox), axis=(2, 3))",
                            "roll the image back by (-oy, -ox)", "divide g by its root mean square"],
                      unmatched=shifted(visualization_step, 0.01)),
        right=[visualization_step, visualization_slices,
               lambda *a: visualization_step(*a).astype(np.float32)],
        wrong=[
            (lambda *a: visualization_step(*a, undo=False), "did not undo the jitter"),
            (lambda *a: visualization_step(*a, twice=True), "same way twice"),
            (lambda *a: visualization_step(*a, swap=True), "ox shifts along the width"),
            (lambda *a: visualization_step(*a, reg_sign=+1.0), "wrong sign"),
            (lambda *a: visualization_step(*a, mean=0.0), "towards 0 (black)"),
            (lambda *a: visualization_step(*a, factor=1.0), "mind the factor 2"),
            (lambda *a: visualization_step(*a, factor=0.0), "no L2 penalty"),
            (lambda *a: visualization_step(*a, ascend=False), "goes down the objective"),
            (lambda *a: visualization_step(*a, normalize=None), "step is not normalized"),
            (lambda *a: visualization_step(*a, normalize="l2"), "by its L2 norm"),
            (lambda *a: visualization_step(*a, grad_at_original=True), "before the jitter"),
            (lambda *a: visualization_step(*a, clip=False), "Clip the result"),
            (lambda *a: visualization_step(*a, log_probability=True), "log-probability"),
            (lambda *a: visualization_step(*a, in_place=True), "changed img in place"),
            (lambda *a: visualization_step(*a, squeeze=True), "img's shape (1, 3, H, W)"),
        ]),
})

def test_the_three_loops_are_checked_against_the_librarys_own_functions():
    """The checkers' answers are the library's: saliency_map and fooling_image are called by the checkers
    themselves; the update step is class_model's step, shown here by running class_model for two steps
    (the first from the blank image, the second jittered by the generator's second draw)."""
    from cs231n_lib import gradients
    from cs231n_lib.exercises import gradients as checkers

    net = checkers._test_net()
    net.input_convention = "unit"            # class_model clips to the convention's pixel range, [0, 1]
    for seed, target, jitter in ((0, 1, 2), (3, 2, 3)):
        made = gradients.class_model(net, classes=[target], steps=2, reg=0.3, step_size=0.05, jitter=jitter,
                                     blur_every=0, seed=seed)
        draws = np.random.default_rng(seed).integers(-jitter, jitter + 1, size=(2, 2))   # (dy, dx) per step
        image = np.full((1, 3, 8, 8), 0.5)
        for dy, dx in draws:
            image = visualization_step(image, net, target, 0.3, 0.05, int(dx), int(dy))
        assert np.any(draws[1] != 0) and np.allclose(made.images, image, rtol=1e-5, atol=1e-6)


# Notebooks 06, 09 and 10 keep their exercises' answers in their own test files (with the tests only
# they need); the tests below run on them too.
for _topic in (test_understanding_checkers, test_transfer_checkers, test_zeiler_fergus_checkers):
    assert not set(_topic.EXERCISES) & set(EXERCISES), "two exercises of one name"
    EXERCISES.update(_topic.EXERCISES)

RIGHT = [(name, k, f) for name, ex in EXERCISES.items() for k, f in enumerate(ex["right"])]
WRONG = [(name, entry[1], entry[0], entry[2] if len(entry) > 2 else 1)
         for name, ex in EXERCISES.items() for entry in ex["wrong"]]


@pytest.mark.parametrize("name", EXERCISES)
def test_an_untouched_stub_is_not_implemented_yet(name):
    checker = EXERCISES[name]["checker"]
    for untouched in (stub, lambda *a: None):
        feedback = checker(untouched)
        assert feedback.status == "not implemented" and not feedback.passed
        assert "not implemented yet" in repr(feedback)


@pytest.mark.parametrize("name, k, answer", RIGHT, ids=[f"{n}-right{k}" for n, k, _ in RIGHT])
def test_right_answers_written_differently_pass(name, k, answer):
    feedback = EXERCISES[name]["checker"](answer)
    assert feedback.passed, repr(feedback)
    assert "well done" in repr(feedback)


@pytest.mark.parametrize("name, fragment, answer, lines", WRONG, ids=[f"{n}: {f}" for n, f, _, _ in WRONG])
def test_each_typical_mistake_gets_its_diagnosis_once(name, fragment, answer, lines):
    feedback = EXERCISES[name]["checker"](answer)
    assert feedback.status == "failed", repr(feedback)
    assert len(feedback.details) == lines, f"one problem, one line:\n{feedback!r}"
    assert len(set(feedback.details)) == len(feedback.details)
    assert any(fragment in line for line in feedback.details), repr(feedback)


@pytest.mark.parametrize("name", EXERCISES)
def test_every_mistake_of_an_exercise_has_its_own_diagnosis(name):
    """No two typical mistakes of one exercise get the same explanation."""
    diagnoses = {}
    for answer, fragment, *_ in EXERCISES[name]["wrong"]:
        line = next(d for d in EXERCISES[name]["checker"](answer).details if fragment in d)
        diagnosis = line.split(" For example:")[0]
        assert diagnosis not in diagnoses, f"{fragment!r} and {diagnoses[diagnosis]!r} read the same"
        diagnoses[diagnosis] = fragment


def crashing_student_code(*args):
    scale = 0
    return 1 / scale


@pytest.mark.parametrize("name", EXERCISES)
def test_a_crash_is_reported_with_the_line_of_the_students_code(name):
    feedback = EXERCISES[name]["checker"](crashing_student_code)
    assert feedback.status == "failed"
    assert len(feedback.details) == 1  # every case crashed the same way: said once
    assert "ZeroDivisionError" in feedback.details[0] and "`return 1 / scale`" in feedback.details[0]


def test_two_mistakes_are_two_lines():
    def two(W, F, S, P):  # forgets the + 1, and rounds instead of raising
        return (W - F + 2 * P) // S
    feedback = E.check_output_size(two)
    assert len(feedback.details) == 2
    assert "forgot the + 1" in feedback.details[0] and "raise ValueError" in feedback.details[1]


# ---------------------------------------------- no feedback gives the solution away
# Every fallback says so; notes_strategy has none: each wrong letter in each case has its own diagnosis.
FALLBACK = "none of the usual mistakes"
EVERY_ANSWER_NAMED = {"notes_strategy"}


@functools.lru_cache(maxsize=None)
def checked_cases(name):
    """The right answers of every case the checker tries, and the inputs of those cases.

    The checker calls the table's first right answer (through a spy, which records the arguments);
    every right answer of the table, all written by hand, then computes its value on those arguments."""
    ex = EXERCISES[name]
    calls = []
    assert ex["checker"](spy(ex["right"][0], calls)).passed
    expected = []
    for right in ex["right"]:
        for args, _ in calls:
            try:
                expected.append(right(*copy.deepcopy(args)))
            except ValueError:  # a case whose right answer is to refuse (output_size)
                continue
    inputs = [x for args, _ in calls for x in inputs_of(args)]
    return expected, inputs


def feedback_and_own_values(name, answer):
    """The checker's feedback on ``answer``, and the values ``answer`` returned to it."""
    calls = []
    feedback = EXERCISES[name]["checker"](spy(answer, calls))
    return feedback, [value for _, value in calls]


def printed(value):
    """A right answer as checkers used to print it after 'expected'."""
    if isinstance(value, str):
        return f"({value})"
    arr = arrays_of(value)[0]
    if arr.size == 1:
        return str(int(arr[0])) if float(arr[0]).is_integer() else f"{arr[0]:.4f}"
    if all(float(v).is_integer() for v in arr):
        return str(tuple(int(v) for v in arr))
    return str([float(f"{v:.4g}") for v in arr])


@pytest.mark.parametrize("name", EXERCISES)
def test_no_feedback_gives_the_solution_away(name):
    """Neither a typical mistake's diagnosis, nor the fallback (read by a wrong answer no mistake explains),
    nor a crash's report shows the solution's text or the expected value of a checked case."""
    ex = EXERCISES[name]
    solution = ex["solution"]
    expected, inputs = checked_cases(name)
    answers = [(f"the mistake {fragment!r}", answer) for answer, fragment, *_ in ex["wrong"]]
    answers += [("the unmatched wrong answer", solution["unmatched"]), ("a crash", crashing_student_code)]
    leaks, read = [], {}
    for label, answer in answers:
        feedback, own = feedback_and_own_values(name, answer)
        assert feedback.status == "failed", f"{label}: {feedback!r}"
        read[label] = feedback
        for line in feedback.details:
            leaks += [f"{label} gives away {what}:\n    {line}"
                      for what in giveaways(line, solution["text"], expected, own, inputs)]
    assert not leaks, "\n".join(leaks)
    unmatched = read["the unmatched wrong answer"]
    assert name in EVERY_ANSWER_NAMED or any(FALLBACK in line for line in unmatched.details), \
        f"the unmatched wrong answer does not read the fallback:\n{unmatched!r}"


@pytest.mark.parametrize("name", EXERCISES)
def test_the_rule_catches_each_exercises_solution(name):
    """The rule above can fail on every exercise: a line holding a fragment of the solution's text, or the
    first case's expected value printed as the checkers used to print it, is caught."""
    solution = EXERCISES[name]["solution"]
    expected, inputs = checked_cases(name)
    _, own = feedback_and_own_values(name, solution["unmatched"])
    assert solution["text"], f"say what the solution of {name} looks like"
    for fragment in solution["text"]:
        assert giveaways(f"Not yet: {fragment.upper()}.", solution["text"], [], own, inputs), fragment
    line = f"Not yet. For example: the first case returned something else; the answer is {printed(expected[0])}"
    caught = [what for what in giveaways(line, [], expected, own, inputs) if "expected value" in what or "letter" in what]
    assert caught, line


def test_every_exercise_says_what_its_solution_looks_like():
    missing = [name for name, ex in EXERCISES.items() if not {"text", "unmatched"} <= set(ex.get("solution", {}))]
    assert not missing, f"add solution=dict(text=[...], unmatched=...) to {missing}"


# ---------------------------------------------- the conventions are in the exercise text
def exercise_text(notebook, function):
    """The markdown cell just before the code cell whose stub defines ``function``."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    for k, cell in enumerate(cells):
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(f"def {function}("):
            text = next("".join(cells[j]["source"]) for j in range(k - 1, -1, -1)
                        if cells[j]["cell_type"] == "markdown")
            return " ".join(text.split())  # line breaks do not matter
    raise AssertionError(f"no exercise defines {function} in {notebook}")


CONVENTIONS = [
    ("01_conv_arithmetic.ipynb", "output_size", ["integer", "numpy integer", "5.0", "ValueError"]),
    ("01_conv_arithmetic.ipynb", "valid_strides", ["increasing order", "[1]", "integers"]),
    ("01_conv_arithmetic.ipynb", "param_count", ["weights and biases", "whole float"]),
    ("02_conv_layer_im2col.ipynb", "conv2d", ["cross-correlation", "do not flip", "every side",
                                              "i*stride", "once per output", "integers", "float"]),
    ("02_conv_layer_im2col.ipynb", "im2col_size", ["(rows, columns)", "rows first", "one column per window"]),
    ("02_conv_layer_im2col.ipynb", "conv1d_backward", ["len(dout) + len(w) - 1"]),
    ("03_pooling.ipynb", "max_pool_2x2", ["(H/2, W/2)", "2-D"]),
    ("03_pooling.ipynb", "window_backward", ["first", "row by row"]),
    ("03_pooling.ipynb", "avg_pool_weights", ["(C, C, F, F)", "stride `F`"]),
    ("04_architectures.ipynb", "receptive_field_size", ["input side first", "whole number"]),
    ("04_architectures.ipynb", "fc_as_conv", ["x.reshape(N, -1)", "(M, C, H, W)"]),
    ("04_architectures.ipynb", "score_grid", ["whole number", "divides evenly"]),
    ("05_training_a_convnet.ipynb", "initial_loss", ["natural logarithm"]),
    ("05_training_a_convnet.ipynb", "momentum_step", ["(next_w, next_v)", "in that order", "in place"]),
    ("05_training_a_convnet.ipynb", "accuracy", ["between 0 and 1", "not a percentage"]),
    ("08_adversarial_examples.ipynb", "fgsm_step", ["clipped to the pixel range [0, 1]", "exactly 0"]),
    ("08_adversarial_examples.ipynb", "linear_bound", ["at most `eps`", "one number", "any shape"]),
    ("08_adversarial_examples.ipynb", "pgd_project", ["`[max(x - eps, 0), min(x + eps, 1)]`", "x's shape"]),
    ("08_adversarial_examples.ipynb", "confidence_on_mistakes", ["gets wrong", "its own answer",
                                                                  "between 0 and 1", "at least one mistake"]),
    ("07_looking_through_the_gradient.ipynb", "guided_relu_backward",
     ["incoming gradient first", "strictly", "`x`'s shape"]),
    ("07_looking_through_the_gradient.ipynb", "tv2", ["(value, grad)", "(H, W)", "no wrap-around", "x's shape"]),
    ("07_looking_through_the_gradient.ipynb", "mass_inside", ["one number", "between 0 and 1", "boolean"]),
    ("07_looking_through_the_gradient.ipynb", "compute_saliency_maps",
     ["model.loss(X)", "model.backward_from(X, model.names[-1], dscores)", "(N, H, W)", "unnormalized score",
      "not the softmax probability, not the loss", "absolute value", "maximum over the 3 channels"]),
    ("07_looking_through_the_gradient.ipynb", "make_fooling_image",
     ["(1, 3, H, W)", "copy of X", "Before each step", "learning_rate * g / ||g||_2", "over all of g's entries",
      "`learning_rate = 0.1`", "at most 100 steps", "do not clip", "X's shape"]),
    ("07_looking_through_the_gradient.ipynb", "class_visualization_update_step",
     ["np.roll(img, (oy, ox), axis=(2, 3))", "new array", "leave img unchanged", "`model.input_mean`",
      "s(I) - l2_reg * ||I - m||²", "sqrt(mean(g²))", "roll back by (-oy, -ox)", "clip to [0, 1]"]),
]


@pytest.mark.parametrize("notebook, function, phrases", CONVENTIONS, ids=[c[1] for c in CONVENTIONS])
def test_the_exercise_text_states_the_checkers_conventions(notebook, function, phrases):
    text = exercise_text(notebook, function)
    missing = [p for p in phrases if p not in text]
    assert not missing, f"the text of {function} in {notebook} does not say {missing}:\n{text}"


def test_every_checker_is_in_the_table():
    checkers = {getattr(E, name) for name in E.__all__ if name.startswith("check_")}
    assert checkers == {ex["checker"] for ex in EXERCISES.values()}
