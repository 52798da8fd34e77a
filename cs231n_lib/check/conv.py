"""The conv layers: ``conv_forward_naive`` and ``conv_backward_naive`` (the student's), and the
course's ``conv_forward_fast`` and ``conv_backward_fast`` (fast_layers.py).

Nine settings, each switching on one more part of the layer (bias, padding, stride, channels,
several filters and images, non-square images and filters, windows that do not overlap), on
multiples of 1/4 so that a right layer matches to the last bit; the typical mistakes (a flipped
kernel, padding on one side, the stride forgotten, channels mixed up, dx not cropped, dw averaged,
...) are computed by references written apart from cs231n_lib.layers.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Tuple

import numpy as np

from ._base import (_absorb, _at, _call, _crash_findings, _first_of, _magnitude, _quarters, _result, _same,
                    _stub_note, _Trial, _value, register)
from .report import CheckResult

# ------------------------------------------------------------------ convolution: the settings
@dataclasses.dataclass(frozen=True)
class _ConvCase:
    """One setting of the conv checks; ``part`` names what it switches on."""

    part: str
    x_shape: Tuple[int, int, int, int]
    w_shape: Tuple[int, int, int, int]
    stride: int
    pad: int
    bias: bool = True

    def arrays(self, seed):
        """x, w, b and conv_param of this setting: multiples of 1/4 between -2 and 2, so that
        every product and sum is exact in float64 whatever its order (a right layer then
        matches to the last bit on every machine), yet not whole numbers (an output stored in
        an integer array shows)."""
        rng = np.random.default_rng(seed)
        x, w = _quarters(rng, self.x_shape), _quarters(rng, self.w_shape)
        b = _quarters(rng, (self.w_shape[0],)) if self.bias else np.zeros(self.w_shape[0])
        return x, w, b, {"stride": self.stride, "pad": self.pad}

    @property
    def out_shape(self):
        N, _, H, W = self.x_shape
        F, _, HH, WW = self.w_shape
        return (N, F, (H - HH + 2 * self.pad) // self.stride + 1, (W - WW + 2 * self.pad) // self.stride + 1)

    def describe(self):
        return f"x {self.x_shape}, w {self.w_shape}, stride {self.stride}, pad {self.pad}"

    def shape_mistake(self, name, got):
        """Name the mistake behind a wrong shape of ``name`` ('out', 'dx', 'dw', 'db')."""
        got = tuple(got)
        N, C, H, W = self.x_shape
        F, _, HH, WW = self.w_shape
        S, P = self.stride, self.pad
        size = lambda h, f, s, p2: (h - f + p2) // s + 1  # noqa: E731
        want = self.out_shape
        named = {
            "out": [
                ((N, F, size(H, HH, 1, 2 * P), size(W, WW, 1, 2 * P)),
                 "stride ignored in the output size: H_out = (H - HH + 2*pad)//stride + 1"),
                ((N, F, size(H, HH, S, 2 * P), size(W, HH, S, 2 * P)),
                 "filter height used for the width too: W_out comes from WW = w.shape[3]"),
                ((N, C) + want[2:], "one output channel per input channel: out has F channels, one per filter"),
            ],
            "dx": [((N, C, H + 2 * P, W + 2 * P),
                    "dx still has the padding: return dx_pad[:, :, pad:pad + H, pad:pad + W], the "
                    "gradient of the unpadded x")],
            "dw": [((C, F, HH, WW), "dw has filters and channels swapped: it has the shape of w, (F, C, HH, WW)")],
            "db": [((N,), "db summed over the wrong axes: one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)"),
                   ((), "db is one number: there is one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)")],
        }[name]
        for shape, finding in named:
            if got == shape:
                return finding
        expected = {"out": want, "dx": self.x_shape, "dw": self.w_shape, "db": (F,)}[name]
        return f"{name} has shape {got}, expected {tuple(expected)}"


# Each setting switches on one more part of the layer, so the first setting that
# fails names the part (bias, padding, stride, channels, ...).
_CONV_CASES = [
    _ConvCase("one image, one channel, one filter, no bias", (1, 1, 5, 5), (1, 1, 3, 3), 1, 0, bias=False),
    _ConvCase("bias", (1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
    _ConvCase("padding", (1, 1, 5, 5), (1, 1, 3, 3), 1, 1),
    _ConvCase("stride", (1, 1, 7, 7), (1, 1, 3, 3), 2, 0),
    _ConvCase("several channels", (1, 3, 5, 5), (1, 3, 3, 3), 1, 1),
    _ConvCase("several filters and images", (2, 3, 5, 5), (3, 3, 3, 3), 1, 1),
    _ConvCase("non-square images", (2, 2, 6, 8), (2, 2, 3, 3), 1, 1),
    _ConvCase("non-square filters", (2, 3, 7, 9), (4, 3, 3, 5), 2, 1),
    _ConvCase("windows that do not overlap", (1, 2, 6, 6), (1, 2, 3, 3), 3, 0),
]


# ------------------------------------------------------------------ convolution: forward
def _conv_reference(x, w, b, stride, pad, *, flip=False, pads=None, step=None, bias_times=1,
                     channels="all", out_hw=None, window=None):
    """Cross-correlation with one part changed, written independently of cs231n_lib.layers.

    pads : ((top, bottom), (left, right)) zeros, default (pad, pad) on each axis
    step : pixels between neighbouring windows, default ``stride``
    channels : 'all', or 'first' (only channel 0 is read)
    out_hw : the output size, default the one the padding and stride give
    window : (HH, WW) of the window read, default the filter's (a smaller one crops the filter)
    """
    if flip:
        w = w[:, :, ::-1, ::-1]
    if channels == "first":
        x, w = x[:, :1], w[:, :1]
    HH, WW = window or w.shape[2:]
    w = w[:, :, :HH, :WW]
    pads = pads or ((pad, pad), (pad, pad))
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    step = step or stride
    H_out, W_out = out_hw or ((xp.shape[2] - HH) // stride + 1, (xp.shape[3] - WW) // stride + 1)
    out = np.empty((x.shape[0], w.shape[0], H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            patch = xp[:, :, i * step:i * step + HH, j * step:j * step + WW]
            out[:, :, i, j] = np.einsum("nchw,fchw->nf", patch, w)
    return out + bias_times * b[None, :, None, None]


def _forward_mistakes(x, w, b, stride, pad):
    """The typical wrong forward passes on one setting: [(finding, thunk of their output)].

    A thunk returns None where the mistake is undefined (the student's code would crash)."""
    F, C, HH, WW = w.shape
    H_out = (x.shape[2] - HH + 2 * pad) // stride + 1
    W_out = (x.shape[3] - WW + 2 * pad) // stride + 1
    P2 = 2 * pad
    ref = functools.partial(_conv_reference, x, w, b, stride, pad)
    return [
        ("kernel flipped: conv layers compute a cross-correlation, out[n, f, i, j] = sum of "
         "x_pad[n, c, i*S + a, j*S + b] * w[f, c, a, b]; you flipped w in space (the textbook "
         "convolution)", lambda: ref(flip=True)),
        ("bias missing: add b[f] to every output of filter f", lambda: ref(bias_times=0)),
        ("bias added twice: add b[f] once per output", lambda: ref(bias_times=2)),
        ("bias added once per filter tap: add b[f] once per output, after the sum",
         lambda: ref(bias_times=C * HH * WW)),
        ("bias added once per channel: add b[f] once per output, after summing over the channels",
         lambda: ref(bias_times=C)),
        ("padding missing: pad x with pad zeros on each side (np.pad) before sliding the filter; "
         "H_out = (H - HH + 2*pad)//stride + 1 counts the padded image", lambda: ref(pads=((0, 0), (0, 0)))),
        ("padding on one side only: you put all 2*pad zeros after the image (bottom and right); "
         "np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) pads both sides",
         lambda: ref(pads=((0, P2), (0, P2)))),
        ("padding on one side only: you put all 2*pad zeros before the image (top and left)",
         lambda: ref(pads=((P2, 0), (P2, 0)))),
        ("padding on one side only: the padded image is H + 2*pad high, with pad zeros on each side",
         lambda: ref(pads=((0, pad), (0, pad)))),
        ("stride ignored in the window position: window (i, j) starts at row i*stride and column "
         "j*stride, yours at (i, j)", lambda: ref(step=1, out_hw=(H_out, W_out))),
        ("channels mixed up: each filter reads all C channels of its window (x[n, :, ...] * w[f]) "
         "and sums them; yours reads channel 0 only", lambda: ref(channels="first")),
        ("channels mixed up: w is (F, C, HH, WW); you used w[c, f], filters and channels swapped",
         lambda: _conv_reference(x, w.transpose(1, 0, 2, 3), b, stride, pad) if F == C else None),
        ("filter rows and columns swapped: multiply x_pad[n, c, i*S + a, j*S + b] by w[f, c, a, b], "
         "not w[f, c, b, a]",
         lambda: _conv_reference(x, w.transpose(0, 1, 3, 2), b, stride, pad) if HH == WW else None),
        ("filter height used for the width too: the window is HH x WW, WW = w.shape[3]",
         lambda: ref(window=(HH, HH)) if HH <= WW else None),
        ("output rows and columns swapped: out[n, f, i, j] has i along the height",
         lambda: ref().transpose(0, 1, 3, 2)),
        ("axes 0 and 1 swapped: out is (N, F, H_out, W_out), images first",
         lambda: ref().transpose(1, 0, 2, 3)),
        ("filters last: out is (N, F, H_out, W_out), NCHW like x", lambda: ref().transpose(0, 2, 3, 1)),
    ]


@register("conv_forward_naive", "forward pass of a convolutional layer")
def _check_conv_forward(functions, name="conv_forward_naive") -> CheckResult:
    from ..layers import conv_forward_naive as ours

    forward = functions[name]
    notes, crashes, trial = [], [], _Trial("out")
    for k, case in enumerate(_CONV_CASES):
        _at(case)
        x, w, b, param = case.arrays(seed=231 + k)
        want, _ = ours(x, w, b, param)
        models = _forward_mistakes(x, w, b, param["stride"], param["pad"])
        result, err = _call(forward, x.copy(), w.copy(), b.copy(), dict(param), reads=("x", "w", "b"))
        if err is not None:
            crashes.append((case, err))
            trial.add(case, None, want, models)
            continue
        said = []
        if isinstance(result, tuple) and len(result) == 2:
            out = _value(result[0], "out", said)
        else:
            said.append("return the pair (out, cache), as CS231n's API does")
            out = _value(result, "out", said)
        if out is None:
            said.append(_stub_note("out"))
        notes += [(text, case) for text in said]
        trial.add(case, out, want, models)
    _at(None)
    explained, worst = trial.explain()
    shaped = [(g, w) for g, w in zip(trial.got, trial.want) if g is not None and g.shape == w.shape]
    if shaped and all(np.array_equal(g, np.round(g)) for g, _ in shaped) \
            and not all(np.array_equal(w, np.round(w)) for _, w in shaped):
        first = next(c for c, g, w in zip(trial.cases, trial.got, trial.want)
                     if g is not None and g.shape == w.shape and not _same(g, w))
        explained = [("out holds whole numbers only: an array made with an integer dtype (np.zeros_like of "
                      "an integer array, or dtype=int) cuts every value; create out with a float dtype",
                      f"first in the setting {first.part!r}: {first.describe()}")]
    explained = _absorb(explained, crashes, [trial])
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})"
                for text, case in _first_of(notes)]
    findings += _crash_findings(crashes) + [f"{text} ({example})" for text, example in explained]
    measured = []
    if worst is not None:
        shaped = sum(g is not None and g.shape == w.shape for g, w in zip(trial.got, trial.want))
        measured.append(f"{len(_CONV_CASES)} settings (float64); largest relative error of out over the "
                        f"{shaped} with the right shape: "
                        + ("0 (the same numbers)" if worst == 0 else _magnitude(worst)))
    return _result(name, findings, measured)


# ------------------------------------------------------------------ convolution: backward
def _backward_reference(dout, x, w, stride, pad, *, step=None, flip=False):
    """(dx_pad, dw, db) of the cross-correlation, by scattering each output's gradient,
    written independently of cs231n_lib.layers; ``step`` and ``flip`` as in the forward."""
    if flip:
        w = w[:, :, ::-1, ::-1]
    step = step or stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(xp)
    dw = np.zeros_like(w)
    F, _, HH, WW = w.shape
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * step, i * step + HH), slice(j * step, j * step + WW)
            g = dout[:, :, i, j]                                    # (N, F)
            dx_pad[:, :, rows, cols] += np.einsum("nf,fchw->nchw", g, w)
            dw += np.einsum("nf,nchw->fchw", g, xp[:, :, rows, cols])
    return dx_pad, dw, dout.sum(axis=(0, 2, 3))


def _backward_mistakes(dout, x, w, stride, pad):
    """The right (dx, dw, db) and the typical wrong ones: models per gradient, as
    [(finding, thunk)] (a thunk gives None where the mistake is undefined)."""
    N = x.shape[0]
    H, W = x.shape[2:]
    P2 = 2 * pad
    ref = functools.partial(_backward_reference, dout, x, w, stride, pad)
    dx_pad, dw, db = ref()
    crop = (slice(None), slice(None), slice(pad, pad + H), slice(pad, pad + W))
    dx_models = [
        ("dx still has the padding: return dx_pad[:, :, pad:pad + H, pad:pad + W], the gradient of "
         "the unpadded x", lambda: dx_pad),
        ("dx cut from the wrong corner of dx_pad: drop pad rows and columns on *each* side, "
         "dx_pad[:, :, pad:pad + H, pad:pad + W]", lambda: dx_pad[:, :, :H, :W]),
        ("dx cut from the wrong corner of dx_pad: drop pad rows and columns on *each* side, "
         "dx_pad[:, :, pad:pad + H, pad:pad + W]", lambda: dx_pad[:, :, P2:P2 + H, P2:P2 + W]),
        ("dx computed with the filter flipped: in the loops, dx_pad[window] += dout[n, f, i, j] * w[f] "
         "with w as it is (the flip appears only when the whole sum is written as a textbook convolution)",
         lambda: ref(flip=True)[0][crop]),
        ("stride ignored in dx: the gradient of output (i, j) goes back to the window at "
         "(i*stride, j*stride)", lambda: ref(step=1)[0][crop]),
    ]
    dw_models = [
        ("dw averaged over the batch: the loss adds the images' contributions, so sum them "
         "(no division by N)", lambda: dw / N),
        ("dw from the first image only: sum dw over all N images",
         lambda: _backward_reference(dout[:1], x[:1], w, stride, pad)[1]),
        ("dw flipped in space: dw[f] += dout[n, f, i, j] * window, with the window as it is",
         lambda: dw[:, :, ::-1, ::-1]),
        ("stride ignored in dw: the window of output (i, j) starts at (i*stride, j*stride)",
         lambda: ref(step=1)[1]),
        ("dw has filters and channels swapped: it has the shape of w, (F, C, HH, WW)",
         lambda: dw.transpose(1, 0, 2, 3)),
    ]
    db_models = [
        ("db summed over the wrong axes: one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)",
         lambda: dout.sum(axis=(1, 2, 3))),
        ("db is one number: there is one bias per filter, dout.sum(axis=(0, 2, 3)) has shape (F,)",
         lambda: dout.sum()),
        ("db averaged: sum dout over the images and positions, dout.sum(axis=(0, 2, 3))",
         lambda: dout.mean(axis=(0, 2, 3))),
        ("db from the first image only: sum over the batch too, dout.sum(axis=(0, 2, 3))",
         lambda: dout[0].sum(axis=(1, 2))),
    ]
    return (dx_pad[crop], dw, db), dx_models, dw_models, db_models


_OVERLAP = ("dx is right where windows do not overlap and wrong where they do: an input pixel read "
            "by several windows collects the gradient of each, so add (+=) into dx_pad instead of "
            "assigning (=)")


@register("conv_backward_naive", "backward pass of a convolutional layer",
          uses=("conv_forward_naive",))
def _check_conv_backward(functions, name="conv_backward_naive", forward_name="conv_forward_naive") -> CheckResult:
    backward = functions[name]
    forward = functions.get(forward_name)
    fixed_cache = name == "conv_backward_naive"  # CS231n fixes the naive cache (x, w, b, conv_param) only
    notes, crashes = [], []
    trials = {name: _Trial(name) for name in ("dx", "dw", "db")}
    for k, case in enumerate(_CONV_CASES):
        _at(case)
        x, w, b, param = case.arrays(seed=731 + k)
        dout = _quarters(np.random.default_rng(k), case.out_shape)
        wants, *models = _backward_mistakes(dout, x, w, param["stride"], param["pad"])
        cache = (x, w, b, dict(param))
        if forward is not None:
            result, err = _call(forward, x.copy(), w.copy(), b.copy(), dict(param))
            if err is None and isinstance(result, tuple) and len(result) == 2:
                cache = result[1]
            elif fixed_cache:
                notes.append((f"your {forward_name} failed here, so CS231n's cache (x, w, b, "
                              "conv_param) was used instead of yours", case))
            else:
                cache = None
        if cache is None or (forward is None and not fixed_cache):
            notes.append((f"not checked where your {forward_name} fails or is missing: {name} reads its cache", case))
            for (q, trial), want, model in zip(trials.items(), wants, models):
                trial.add(case, None, want, model)
            continue
        result, err = _call(backward, dout.copy(), cache, reads=("dout", None))
        if err is not None:
            crashes.append((case, err))
        elif not (isinstance(result, (tuple, list)) and len(result) == 3):
            notes.append(("return the three gradients (dx, dw, db)", case))
            result = None
        said = []
        for (q, trial), want, model in zip(trials.items(), wants, models):
            got = None if result is None or err is not None else _value(result[list(trials).index(q)], q, said)
            if got is None and result is not None and err is None:
                said.append(_stub_note(q))
            trial.add(case, got, want, model)
        notes += [(text, case) for text in said]
    _at(None)
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})"
                for text, case in _first_of(notes)]
    findings += _crash_findings(crashes)
    measured = []
    errors = []
    for q, trial in trials.items():
        explained, worst = trial.explain()
        if explained and q == "dx" and explained[0][0].startswith("dx differs"):
            alone = [i for i, c in enumerate(trial.cases) if c.part == "windows that do not overlap"]
            if alone and trial.got[alone[0]] is not None and _same(trial.got[alone[0]], trial.want[alone[0]]):
                explained = [(_OVERLAP, explained[0][1])]
        findings += [f"{text} ({example})" for text, example in explained]
        if worst is not None:
            errors.append(f"{q} {_magnitude(worst)}")
    if errors:
        measured.append(f"{len(_CONV_CASES)} settings (float64); largest relative errors where the shapes "
                        f"agree: {', '.join(errors)}")
    return _result(name, findings, measured)


# ------------------------------------------------------------------ the course's fast layers
_FAST = ("the course's fast_layers.py; every setting above is one the course's own fast layers handle "
         "(their windows tile the padded image exactly)")


@register("conv_forward_fast", "fast forward pass of a convolutional layer (fast_layers.py)", provided=_FAST)
def _check_conv_forward_fast(functions) -> CheckResult:
    return _check_conv_forward(functions, name="conv_forward_fast")


@register("conv_backward_fast", "fast backward pass of a convolutional layer (fast_layers.py)",
          uses=("conv_forward_fast",), provided=_FAST)
def _check_conv_backward_fast(functions) -> CheckResult:
    return _check_conv_backward(functions, name="conv_backward_fast", forward_name="conv_forward_fast")


