"""Inverted dropout: ``dropout_forward`` and ``dropout_backward`` (p is the probability of KEEPING
a unit, as in CS231n).

The masks come from the student's own generator, so the forward pass is checked by what every
right mask shows: the kept fraction is p, kept units are x / p, 'test' mode returns x, one seed
gives one mask, x's dtype is kept.  The backward pass is checked against the student's own mask
(out / x of their forward pass) in 'train' mode, and against dout itself in 'test' mode, whatever
their forward pass did there (its own line says so).
"""
from __future__ import annotations

import numpy as np

from ._base import _at, _call, _compare, _crash_findings, _Outcome, _quarters, _result, _Setting, _value, register
from .report import CheckResult

# ------------------------------------------------------------------ dropout
_DROPOUT_CASES = ((0.3, 71), (0.75, 72))  # (keep probability p, seed)
_DROPOUT_SWAPPED = "train/test mode swapped: 'train' mode drops units, 'test' mode passes x through unchanged"


def _dropout_x(shape=(400, 500), dtype=np.float64):
    return _quarters(np.random.default_rng(7), shape).astype(dtype)   # no zeros: a 0 in out is a dropped unit


@register("dropout_forward", "forward pass of inverted dropout (p = probability of keeping)")
def _check_dropout_forward(functions) -> CheckResult:
    """Dropout draws random masks from the student's own generator, so it is checked by what any
    right mask shows: the kept fraction is p, kept units are x / p, 'test' mode returns x, and the
    same seed gives the same mask."""
    forward = functions["dropout_forward"]
    name = "dropout_forward"
    x = _dropout_x()
    findings, measured, crashes = [], [], []
    setting = lambda text: _Setting(text, text, None)  # noqa: E731

    def out_of(param, xin=x):
        here = setting(f"{param['mode']!r} mode, p = {param['p']}")
        _at(here)
        result, err = _call(forward, xin.copy(), dict(param), reads=("x", None))
        _at(None)
        if err is not None:
            crashes.append((here, err))
            return None
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            findings.append("return the pair (out, cache), as CS231n's API does")
            return None
        said = []
        out = _value(result[0], "out", said, float64=xin.dtype == np.float64)
        findings.extend(said)
        if out is None or out.shape != xin.shape:
            findings.append(f"out must have the shape of x, {xin.shape}; got {None if out is None else out.shape}")
            return None
        return out

    train_seen = []
    for p, seed in _DROPOUT_CASES:
        out = out_of({"mode": "train", "p": p, "seed": seed})
        if out is None:
            continue
        kept = out != 0
        frac = float(kept.mean())
        ratio = out[kept] / x[kept] if kept.any() else np.array([np.nan])
        scale = float(np.median(ratio))
        train_seen.append((p, frac, scale, bool(np.allclose(ratio, scale))))
    test = out_of({"mode": "test", "p": 0.3, "seed": 1})
    test_drops = test is not None and float(np.mean(test == 0)) > 0.05
    problems = []
    for p, frac, scale, uniform in train_seen:
        where = f"(in 'train' mode with p = {p}: kept {frac:.3f} of the units, kept units times {scale:.4g})"
        if frac == 1.0 and test_drops:
            problems.append((_DROPOUT_SWAPPED, where))
            continue
        keeps_one_minus_p = abs(frac - (1 - p)) < 0.01 and abs(frac - p) >= 0.01
        # keeping 1 - p and dividing by 1 - p is one mistake; keeping 1 - p and dividing by p one too
        right_scales = (1 / p, 1 / (1 - p)) if keeps_one_minus_p else (1 / p,)
        if keeps_one_minus_p:
            problems.append(("dropout keeping 1 - p: p is the probability of KEEPING a unit, "
                             "mask = (np.random.rand(*x.shape) < p) / p", where))
        elif abs(frac - p) >= 0.01:
            problems.append(("the kept fraction is not p: keep each unit with probability p, "
                             "np.random.rand(*x.shape) < p", where))
        if not uniform:
            problems.append(("kept units are scaled unevenly: each kept unit is x / p", where))
        elif abs(scale - 1.0) < 1e-9:
            problems.append(("not inverted: divide the kept units by p in 'train' mode, mask = (np.random.rand("
                             "*x.shape) < p) / p, so that 'test' mode can return x as it is", where))
        elif abs(scale - p) < 1e-9:
            problems.append(("kept units multiplied by p: inverted dropout divides them by p", where))
        elif abs(scale - 1 / (1 - p)) < 1e-9 and not keeps_one_minus_p:
            problems.append(("kept units divided by 1 - p: divide by p, the probability of keeping", where))
        elif all(abs(scale - right) >= 1e-9 for right in right_scales):
            problems.append((f"kept units times {scale:.4g}: inverted dropout divides them by p", where))
    if test is not None and not np.array_equal(test, x) and not any(t == _DROPOUT_SWAPPED for t, _ in problems):
        if np.allclose(test, x * 0.3):
            problems.append(("'test' mode multiplies by p: inverted dropout scaled the kept units in training "
                             "already, so 'test' mode returns x unchanged", "(in 'test' mode with p = 0.3)"))
        else:
            problems.append(("'test' mode changes x: it returns x unchanged", "(in 'test' mode with p = 0.3)"))
    # the seed: the same seed gives the same mask, another seed another mask
    a = out_of({"mode": "train", "p": 0.5, "seed": 3}, x[:50])
    b = out_of({"mode": "train", "p": 0.5, "seed": 3}, x[:50])
    c = out_of({"mode": "train", "p": 0.5, "seed": 4}, x[:50])
    if a is not None and b is not None and c is not None and np.any(a == 0):
        if not np.array_equal(a != 0, b != 0) or np.array_equal(a != 0, c != 0):
            problems.append(("the seed is ignored: with dropout_param['seed'] given, call np.random.seed(seed) "
                             "before drawing the mask, so that two calls drop the same units (gradient checks "
                             "need that)", "(two calls with seed 3, one with seed 4)"))
    result, err = _call(forward, x[:20].astype(np.float32), {"mode": "train", "p": 0.5, "seed": 3})
    if err is None and isinstance(result, (tuple, list)) and len(result) == 2:
        dtype = np.asarray(result[0]).dtype
        if dtype != np.float32:
            problems.append((f"out is {dtype} for a float32 x: keep x's dtype, out.astype(x.dtype, copy=False)",
                             "(x of dtype float32)"))
    shown = set()
    for text, where in problems:
        if text not in shown:
            shown.add(text)
            findings.append(f"{text} {where}")
    findings = list(dict.fromkeys(findings)) + _crash_findings(crashes)
    if train_seen:
        measured.append("kept fractions " + ", ".join(f"{frac:.3f} at p = {p}" for p, frac, _, _ in train_seen)
                        + f" ({x.size:,} units each; within 0.01 of p counts as p); kept units times "
                        + ", ".join(f"{scale:.4g}" for _, _, scale, _ in train_seen))
    return _result(name, findings, measured)


def _dropout_setting(part, p, mode, seed):
    def make():
        return _dropout_x((40, 30)), {"mode": mode, "p": p, "seed": seed}
    return _Setting(part, f"x (40, 30), mode {mode!r}, p = {p}, seed {seed}", make)


_DROPOUT_BACKWARD_SETTINGS = [_dropout_setting("'train' mode", 0.3, "train", 91),
                              _dropout_setting("'train' mode, most units kept", 0.8, "train", 92),
                              _dropout_setting("'test' mode", 0.3, "test", 93)]


@register("dropout_backward", "backward pass of inverted dropout", uses=("dropout_forward",))
def _check_dropout_backward(functions) -> CheckResult:
    """With the student's own mask: dx must be dout times what multiplied x (out / x)."""
    backward, forward = functions["dropout_backward"], functions.get("dropout_forward")

    def run_one(s):
        x, param = s.make()
        notes = []
        dout = _quarters(np.random.default_rng(5), x.shape)
        if forward is None:
            notes.append("not checked: dropout_backward reads the cache of your dropout_forward, which was not given")
            return _Outcome({}, {"dx": dout}, {}, notes, None)
        result, err = _call(forward, x.copy(), dict(param))
        out = None if err is not None or not (isinstance(result, (tuple, list)) and len(result) == 2) \
            else _value(result[0], "out", [])
        if out is None or out.shape != x.shape:
            notes.append("not checked where your dropout_forward fails (see its own line): the backward pass "
                         "reads its cache")
            return _Outcome({}, {"dx": dout}, {}, notes, None)
        cache = result[1]
        if param["mode"] == "train" and isinstance(cache, (tuple, list)) and len(cache) == 2 and cache[1] is None:
            notes.append("your dropout_forward returns the mask None in its cache (dropout_param, mask) in 'train' "
                         "mode, and dropout_backward reads it: store the mask in the variable mask")
            return _Outcome({}, {"dx": dout}, {}, notes, None)
        mask = out / x          # 0 or 1/p where your forward pass kept the unit
        p = param["p"]
        train = param["mode"] == "train"
        # 'test' mode passes dout through, whatever the forward pass did there (its own line says so)
        want = dout * mask if train else dout
        models = {"dx": [
            ("dx not divided by p: multiply dout by the same mask as the forward pass (0 or 1/p)",
             lambda: dout * (mask != 0) if train else None),
            ("the mask ignored: in 'train' mode only the kept units pass the gradient, dx = dout * mask",
             lambda: dout if train else None),
            ("dx multiplied by p: multiply dout by the forward pass's mask (0 or 1/p)",
             lambda: dout * (mask != 0) * p if train else None),
        ]}
        result, err = _call(backward, dout.copy(), result[1], reads=("dout", None))
        got = {} if err is not None else {"dx": _value(result, "dx", notes)}
        return _Outcome(got, {"dx": want}, models, notes, err)

    return _compare("dropout_backward", _DROPOUT_BACKWARD_SETTINGS, run_one)


