"""Notebook 02 (the conv layer and im2col): one-image convolution, im2col size, 1-D backward pass."""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _as_float_array, _run, attempt

__all__ = ["check_conv2d_single", "check_im2col_size", "check_conv1d_backward"]

def _reference_conv2d(x, w, b, stride, pad):
    """One image, one filter, cross-correlation: written independently of cs231n_lib.layers."""
    import numpy as np

    xp = np.pad(x, pad)
    HH, WW = w.shape
    H_out = (xp.shape[0] - HH) // stride + 1
    W_out = (xp.shape[1] - WW) // stride + 1
    out = np.empty((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[i, j] = np.sum(xp[i * stride:i * stride + HH, j * stride:j * stride + WW] * w) + b
    return out


def check_conv2d_single(conv2d: Callable) -> Feedback:
    """Check ``conv2d(x, w, b, stride, pad)``: one (H, W) image, one (HH, WW) filter, a scalar bias.

    It must return the (H_out, W_out) cross-correlation of the zero-padded
    image with the filter, plus the bias.
    """
    import numpy as np

    rng = np.random.default_rng(231)
    cases = [
        (rng.standard_normal((5, 5)), rng.standard_normal((3, 3)), 0.5, 1, 0),
        (rng.standard_normal((5, 5)), rng.standard_normal((3, 3)), -1.0, 1, 1),
        (rng.standard_normal((7, 7)), rng.standard_normal((3, 3)), 0.25, 2, 0),
        (rng.standard_normal((6, 8)), rng.standard_normal((2, 4)), 2.0, 2, 1),
    ]

    def body():
        problems = []
        for x, w, b, s, p in cases:
            want = _reference_conv2d(x, w, b, s, p)
            label = f"conv2d(x {x.shape}, w {w.shape}, b={b}, stride={s}, pad={p})"
            got, err = attempt(conv2d, x.copy(), w.copy(), b, s, p)
            if err:
                problems.append(f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != want.shape:
                shape = None if got is None else got.shape
                why = f"expected shape {want.shape}, got {shape}"
                if got is not None and p and got.shape == _reference_conv2d(x, w, b, s, 0).shape:
                    why += ": did you forget the zero padding?"
                elif got is not None and s > 1 and got.shape == _reference_conv2d(x, w, b, 1, p).shape:
                    why += ": did you forget to step by the stride?"
                elif got is not None and got.shape == want.shape[::-1]:
                    why += ": rows and columns are swapped"
                problems.append(f"{label}: {why}")
                continue
            if np.allclose(got, want):
                continue
            if np.allclose(got, _reference_conv2d(x, w[::-1, ::-1], b, s, p)):
                why = ("you flipped the filter (that is the textbook 'convolution'); conv layers "
                       "compute cross-correlation: multiply x[i*S + a, j*S + c] by w[a, c]")
            elif np.allclose(got, want - b):
                why = "you forgot to add the bias b"
            elif np.allclose(got + b, want - b) or np.allclose(got, want + b * (w.size - 1)):
                why = "add the bias once per output, not once per filter tap"
            else:
                why = f"expected {np.round(want, 3).tolist()}, got {np.round(got, 3).tolist()}"
            problems.append(f"{label}: {why}")
        return problems

    return _run("conv2d(x, w, b, stride, pad)", body)


def check_im2col_size(im2col_size: Callable) -> Feedback:
    """Check ``im2col_size(C, H, W, F, S, P)``: the (rows, columns) of X_col for one image."""
    cases = [(3, 227, 227, 11, 4, 0), (3, 32, 32, 5, 1, 2), (64, 56, 56, 3, 1, 1),
             (1, 5, 5, 3, 1, 0), (16, 28, 20, 5, 1, 0)]

    def body():
        problems = []
        for C, H, W, F, S, P in cases:
            Ho, Wo = (H - F + 2 * P) // S + 1, (W - F + 2 * P) // S + 1
            want = (F * F * C, Ho * Wo)
            label = f"im2col_size(C={C}, H={H}, W={W}, F={F}, S={S}, P={P})"
            got, err = attempt(im2col_size, C, H, W, F, S, P)
            if err:
                problems.append(f"{label} raised {err}; expected {want}")
                continue
            try:
                got = tuple(int(v) for v in got)
            except (TypeError, ValueError):
                problems.append(f"{label} returned {got!r}; return a pair (rows, columns)")
                continue
            if got == want:
                continue
            if got == want[::-1]:
                why = "rows and columns are swapped: a column holds one window (F*F*C values)"
            elif len(got) == 2 and got[0] == F * F and want[0] != F * F:
                why = f"a window goes through all C = {C} channels: F*F*C rows"
            elif len(got) == 2 and got[1] == H * W and want[1] != H * W:
                why = "there is one column per output position, (H_out * W_out), not per input pixel"
            elif len(got) == 2 and got[1] == Ho:
                why = "the windows form an H_out x W_out grid: multiply the two"
            else:
                why = f"expected {want}"
            problems.append(f"{label} returned {got}: {why}")
        return problems

    return _run("im2col_size(C, H, W, F, S, P)", body)


def check_conv1d_backward(conv1d_backward: Callable) -> Feedback:
    """Check ``conv1d_backward(dout, w)``: dx of ``y[i] = sum_k w[k] * x[i + k]`` (no padding, stride 1)."""
    import numpy as np

    rng = np.random.default_rng(7)
    cases = [(rng.standard_normal(6), rng.standard_normal(3)),
             (np.array([1.0, 0.0, 0.0]), np.array([1.0, 2.0, 3.0])),
             (rng.standard_normal(4), rng.standard_normal(5))]

    def body():
        problems = []
        for dout, w in cases:
            want = np.zeros(len(dout) + len(w) - 1)
            for i in range(len(dout)):          # y[i] used x[i + k] with weight w[k]
                for k in range(len(w)):
                    want[i + k] += dout[i] * w[k]
            label = f"conv1d_backward(dout of length {len(dout)}, w of length {len(w)})"
            got, err = attempt(conv1d_backward, dout.copy(), w.copy())
            if err:
                problems.append(f"{label} raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != want.shape:
                shape = None if got is None else got.shape
                problems.append(
                    f"{label}: expected a gradient of length {len(want)} (the length of x = "
                    f"len(dout) + len(w) - 1), got shape {shape}: use a 'full' convolution"
                )
                continue
            if np.allclose(got, want):
                continue
            if np.allclose(got, np.correlate(dout, w, "full") if len(dout) >= len(w)
                           else np.correlate(w, dout, "full")[::-1]):
                why = "the filter must be flipped: dx is a convolution of dout with w, not a correlation"
            else:
                why = f"expected {np.round(want, 3).tolist()}, got {np.round(got, 3).tolist()}"
            problems.append(f"{label}: {why}")
        return problems

    return _run("conv1d_backward(dout, w)", body)
