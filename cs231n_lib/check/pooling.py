"""Max pooling: ``max_pool_forward_naive`` and ``max_pool_backward_naive`` (the student's), and the
course's ``max_pool_forward_fast`` and ``max_pool_backward_fast`` (fast_layers.py).

The settings hold distinct values (no ties), except one, 'ties in a window', for the backward
pass: a window whose maximum appears several times.  The assignment does not fix what a backward
pass does there (its checks use random inputs, which have no ties): the course's fast layer shares
dout evenly among the tied maxima, ``np.argmax`` gives it all to the first.  Any rule that gives
the tied maxima dout in total (a subgradient of the max) passes; giving every tied maximum the
whole dout (the mask ``x == max``) is a remark, not a failure: harmless after a ReLU, where ties
are zeros whose gradient the ReLU drops, but not a gradient of the max.

The course's fast layers are checked in the settings the assignment uses: square windows as wide
as their stride that tile the image (its ``max_pool_forward_fast`` reshapes there; elsewhere it
falls back on ``max_pool_forward_im2col``, which in the 2026 starter calls an ``im2col`` that
``im2col.py`` does not define).
"""
from __future__ import annotations

import functools

import numpy as np

from ._base import _cache_from, _call, _compare, _Outcome, _quarters, _Setting, _unpack, _value, register
from .report import CheckResult


def _pool_setting(part, x_shape, ph, pw, stride, seed, ties=False):
    N, C, H, W = x_shape

    def make():
        rng = np.random.default_rng(seed)
        if ties:   # three values only: most windows hold their maximum twice or more
            x = rng.integers(-1, 2, size=x_shape) / 2.0
        else:      # distinct values: no ties
            x = (rng.permutation(N * C * H * W).reshape(x_shape) - N * C * H * W / 2) / 4
        return x, {"pool_height": ph, "pool_width": pw, "stride": stride}
    H_out = (H - ph) // stride + 1
    hints = {("out", (N, C, H - ph + 1, W - pw + 1)): "stride ignored in the output size: "
                                                     "H_out = (H - pool_height) // stride + 1",
             ("out", (N, C, H_out, (W - ph) // stride + 1)): "pool_height used for the width too: "
                                                             "W_out = (W - pool_width) // stride + 1"}
    text = f"x {x_shape}, pool {ph}x{pw}, stride {stride}" + (", values -0.5, 0 and 0.5 only" if ties else "")
    return _Setting(part, text, make, hints)


_POOL_SETTINGS = [
    _pool_setting("one channel", (1, 1, 4, 4), 2, 2, 2, 41),
    _pool_setting("channels and images", (2, 3, 4, 4), 2, 2, 2, 42),
    _pool_setting("non-square images", (2, 1, 4, 8), 2, 2, 2, 43),
    _pool_setting("non-square windows", (1, 2, 4, 6), 2, 3, 1, 44),
    _pool_setting("windows that overlap", (1, 2, 5, 5), 3, 3, 2, 45),
]
_TIES = _pool_setting("ties in a window", (2, 2, 4, 4), 2, 2, 2, 46, ties=True)
# The course's fast layers, in the settings the assignment uses: square windows, stride = window, tiling.
_FAST_POOL_SETTINGS = [s for s in _POOL_SETTINGS if s.part in ("one channel", "channels and images",
                                                                  "non-square images")] + [
    _pool_setting("3x3 windows, stride 3", (1, 2, 6, 9), 3, 3, 3, 47)]

_TIE_REMARK = ("with tied maxima in a window, every tied input gets the whole dout (the mask x == max), so the "
               "window passes on its gradient once per tie: not a gradient of the max, though harmless after a "
               "ReLU (there the ties are zeros, whose gradient the ReLU drops). The assignment does not test ties "
               "and fixes no rule for them; a gradient gives the tied maxima dout in total: all of it to the "
               "first (np.argmax), or shared evenly (the course's fast layer)")


def _pool_reference(x, ph, pw, stride, step=None, reduce=np.max):
    step = step or stride
    N, C, H, W = x.shape
    H_out, W_out = (H - ph) // stride + 1, (W - pw) // stride + 1
    out = np.empty((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = reduce(x[:, :, i * step:i * step + ph, j * step:j * step + pw], axis=(2, 3))
    return out


def _pool_backward_reference(dout, x, ph, pw, stride, rule="max", step=None, assign=False):
    step = step or stride
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * step, i * step + ph), slice(j * step, j * step + pw)
            window = x[:, :, rows, cols]
            g = dout[:, :, i, j][:, :, None, None]
            if rule == "max":
                part = (window == window.max(axis=(2, 3), keepdims=True)) * g
            elif rule == "all":
                part = np.ones_like(window) * g
            else:  # "mean"
                part = np.ones_like(window) * g / (ph * pw)
            if assign:
                dx[:, :, rows, cols] = np.where(part != 0, part, dx[:, :, rows, cols])
            else:
                dx[:, :, rows, cols] += part
    return dx


def _tie_rule(dx, x, dout, ph, pw, S):
    """How a backward pass treated ties, on windows that do not overlap: 'gradient' when each window
    passes dout only to its maxima and in total, 'every maximum' when each tied maximum got the whole
    dout, '' otherwise."""
    gradient = every = True
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * S, i * S + ph), slice(j * S, j * S + pw)
            window, part = x[:, :, rows, cols], dx[:, :, rows, cols]
            top = window == window.max(axis=(2, 3), keepdims=True)
            g = dout[:, :, i, j]
            if np.any(part[~top] != 0):
                return ""
            gradient &= bool(np.allclose(part.sum(axis=(2, 3)), g, rtol=1e-9, atol=1e-12))
            every &= bool(np.allclose(part, top * g[:, :, None, None], rtol=1e-9, atol=1e-12))
    return "gradient" if gradient else "every maximum" if every else ""


def _pool_check_forward(functions, name, settings):
    from ..layers import max_pool_forward_naive as ours

    forward = functions[name]

    def run_one(s):
        x, param = s.make()
        notes = []
        ph, pw, S = param["pool_height"], param["pool_width"], param["stride"]
        H_out, W_out = (x.shape[2] - ph) // S + 1, (x.shape[3] - pw) // S + 1
        ref = functools.partial(_pool_reference, x, ph, pw, S)

        def no_stride():
            return _pool_reference(x, ph, pw, S, step=1)[:, :, :H_out, :W_out]
        models = {"out": [
            ("stride ignored in the window position: window (i, j) starts at row i*stride and column j*stride",
             no_stride),
            ("pool_height used for the width too: the window is pool_height x pool_width",
             lambda: _pool_reference(x, ph, ph, S)[:, :, :, :W_out] if ph < pw else None),
            ("average pooling: take the maximum of each window", lambda: ref(reduce=np.mean)),
            ("the minimum of each window: max pooling takes the maximum", lambda: ref(reduce=np.min)),
            ("output rows and columns swapped", lambda: ref().transpose(0, 1, 3, 2) if H_out == W_out else None),
        ]}
        result, err = _call(forward, x.copy(), dict(param), reads=("x", None))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _value(parts[0], "out", notes)
        return _Outcome(got, {"out": ours(x, param)[0]}, models, notes, err)

    return _compare(name, settings, run_one)


def _pool_check_backward(functions, name, forward_name, fixed_cache, settings):
    from ..layers import max_pool_backward_naive, max_pool_forward_naive

    backward, forward = functions[name], functions.get(forward_name)

    def run_one(s):
        x, param = s.make()
        notes = []
        ph, pw, S = param["pool_height"], param["pool_width"], param["stride"]
        out, our_cache = max_pool_forward_naive(x, param)
        dout = _quarters(np.random.default_rng(x.size), out.shape)
        want = max_pool_backward_naive(dout, our_cache)   # ties: all to the first maximum
        cache = _cache_from(forward, (x, param), notes, forward_name) if forward else None
        if cache is None and fixed_cache:
            cache = (x, dict(param))   # CS231n's cache of the naive layer
        ref = functools.partial(_pool_backward_reference, dout, x, ph, pw, S)
        models = {"dx": [
            ("the gradient goes to every position of the window: only the maximum gets dout[n, c, i, j]",
             lambda: ref(rule="all")),
            ("the gradient spread evenly over the window (average pooling's backward pass): only the maximum "
             "gets it", lambda: ref(rule="mean")),
            ("stride ignored in dx: the gradient of output (i, j) goes to the window at (i*stride, j*stride)",
             lambda: ref(step=1)),
            ("dx assigned (=) where windows overlap: a position that is the maximum of several windows "
             "collects the gradient of each, so add (+=)", lambda: ref(assign=True)),
        ]} if s is not _TIES else {}   # with ties the mistakes depend on the rule for ties: not modelled
        if cache is None:
            notes.append(f"not checked where your {forward_name} fails or is missing: {name} reads its cache")
            return _Outcome({}, {"dx": want}, models, notes, None)
        result, err = _call(backward, dout.copy(), cache, reads=("dout", None))
        got = {} if err is not None else {"dx": _value(result, "dx", notes)}
        remarks = []
        dx = got.get("dx")
        if s is _TIES and dx is not None and dx.shape == x.shape:
            rule = _tie_rule(dx, x, dout, ph, pw, S)
            if rule:            # a rule the assignment allows: the student's answer is the right one
                want = dx
            if rule == "every maximum":
                remarks.append(_TIE_REMARK)
        return _Outcome(got, {"dx": want}, models, notes, err, remarks)

    return _compare(name, settings, run_one)


@register("max_pool_forward_naive", "forward pass of max pooling")
def _check_max_pool_forward(functions) -> CheckResult:
    return _pool_check_forward(functions, "max_pool_forward_naive", _POOL_SETTINGS)


@register("max_pool_backward_naive", "backward pass of max pooling", uses=("max_pool_forward_naive",))
def _check_max_pool_backward(functions) -> CheckResult:
    return _pool_check_backward(functions, "max_pool_backward_naive", "max_pool_forward_naive", True,
                                _POOL_SETTINGS + [_TIES])


_FAST = ("the course's fast_layers.py, checked in the settings the assignment uses: square windows as wide as "
         "their stride, tiling the image")


def _fallback_remark(result, function):
    """Say which settings the course's fast pooling was not checked in, and why it could not be."""
    scope = getattr(function, "__globals__", {})
    if "max_pool_forward_im2col" in scope and "im2col" not in scope:
        result.remarks.append("checked only where windows are square, as wide as their stride and tile the image "
                              "(as in the assignment): elsewhere the course's max_pool_forward_fast falls back on "
                              "max_pool_forward_im2col, which calls an im2col that your im2col.py does not define "
                              "(the 2026 starter's does not either)")
    return result


@register("max_pool_forward_fast", "fast forward pass of max pooling (fast_layers.py)", provided=_FAST)
def _check_max_pool_forward_fast(functions) -> CheckResult:
    return _fallback_remark(_pool_check_forward(functions, "max_pool_forward_fast", _FAST_POOL_SETTINGS),
                            functions["max_pool_forward_fast"])


@register("max_pool_backward_fast", "fast backward pass of max pooling (fast_layers.py)",
          uses=("max_pool_forward_fast",), provided=_FAST)
def _check_max_pool_backward_fast(functions) -> CheckResult:
    return _pool_check_backward(functions, "max_pool_backward_fast", "max_pool_forward_fast", False,
                                _FAST_POOL_SETTINGS + [_TIES])
