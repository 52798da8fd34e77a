"""The layers of assignment 1 that assignment 2 reuses: ``affine_forward/backward``,
``relu_forward/backward``, and the losses ``softmax_loss`` and ``svm_loss``."""
from __future__ import annotations

import numpy as np

from ._base import _cache_from, _call, _compare, _normal, _Outcome, _quarters, _Setting, _unpack, _value, register
from .report import CheckResult

# ------------------------------------------------------------------ affine
def _affine_setting(part, x_shape, M, seed, crash_hint=None):
    D = int(np.prod(x_shape[1:]))
    N = x_shape[0]

    def make():
        rng = np.random.default_rng(seed)
        return _quarters(rng, x_shape), _quarters(rng, (D, M)), _quarters(rng, (M,))
    hints = {("dx", (N, D)): "dx is flattened: it has the shape of x, (N, d_1, ..., d_k); reshape it, "
                             "(dout @ w.T).reshape(x.shape)",
             ("dw", (M, D)): "dw transposed: it has the shape of w, (D, M), x_flat.T @ dout",
             ("db", (N,)): "db summed over the wrong axis: one bias per output, dout.sum(axis=0) has shape (M,)",
             ("db", ()): "db is one number: there is one bias per output, dout.sum(axis=0)"}
    return _Setting(part, f"x {x_shape}, w ({D}, {M}), b ({M},)", make, hints, crash_hint)


_AFFINE_SETTINGS = [
    _affine_setting("rows (N, D)", (2, 4), 3, 11),
    _affine_setting("images, flattened to rows", (3, 2, 3, 2), 5, 12,
                    crash_hint="x has more than two axes here: flatten every example to a row first, "
                               "x.reshape(x.shape[0], -1)"),
    _affine_setting("as many outputs as inputs (D = M)", (4, 3), 3, 13),
    _affine_setting("one example", (1, 2, 2), 2, 14),
]


@register("affine_forward", "forward pass of an affine (fully connected) layer")
def _check_affine_forward(functions) -> CheckResult:
    from ..layers import affine_forward as ours

    forward = functions["affine_forward"]

    def run_one(s):
        x, w, b = s.make()
        notes = []
        result, err = _call(forward, x.copy(), w.copy(), b.copy(), reads=("x", "w", "b"))
        N = x.shape[0]
        xf = x.reshape(N, -1)
        square = w.shape[0] == w.shape[1]
        models = {"out": [
            ("bias missing: out = x_flat @ w + b", lambda: xf @ w),
            ("bias added twice: add b once", lambda: xf @ w + 2 * b),
            ("w transposed: out = x_flat @ w, with w of shape (D, M)", lambda: xf @ w.T + b if square else None),
            ("x flattened across examples: x.reshape(N, -1) keeps each example in its own row; "
             "x.reshape(-1, N).T mixes examples", lambda: x.reshape(-1, N).T @ w + b),
        ]}
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _value(parts[0], "out", notes)
        return _Outcome(got, {"out": ours(x, w, b)[0]}, models, notes, err)

    return _compare("affine_forward", _AFFINE_SETTINGS, run_one)


@register("affine_backward", "backward pass of an affine layer", uses=("affine_forward",))
def _check_affine_backward(functions) -> CheckResult:
    from ..layers import affine_backward as ours

    backward, forward = functions["affine_backward"], functions.get("affine_forward")

    def run_one(s):
        x, w, b = s.make()
        notes = []
        N = x.shape[0]
        dout = _quarters(np.random.default_rng(N * 7 + w.shape[1]), (N, w.shape[1]))
        cache = _cache_from(forward, (x, w, b), notes, "affine_forward") if forward else None
        if cache is None:
            cache = (x, w, b)   # CS231n's cache
        xf = x.reshape(N, -1)
        dx, dw, db = ours(dout, (x, w, b))
        square = w.shape[0] == w.shape[1]
        models = {
            "dx": [("dx = dout @ w: the gradient goes back through w transposed, dout @ w.T",
                    lambda: (dout @ w).reshape(x.shape) if square else None),
                   ("dx averaged over the batch: each example's dx is its own, no division by N",
                    lambda: dx / N)],
            "dw": [("dw averaged over the batch: the loss adds the examples' contributions, so sum them "
                    "(no division by N)", lambda: dw / N),
                   ("dw transposed: dw = x_flat.T @ dout has the shape of w, (D, M)",
                    lambda: (dout.T @ xf) if square else None),
                   ("dw from the first example only: x_flat.T @ dout sums over all N", lambda: np.outer(xf[0], dout[0]))],
            "db": [("db averaged: sum dout over the examples, dout.sum(axis=0)", lambda: dout.mean(axis=0)),
                   ("db summed over the wrong axis: one bias per output, dout.sum(axis=0)",
                    lambda: dout.sum(axis=1) if dout.shape[0] == dout.shape[1] else None)],
        }
        result, err = _call(backward, dout.copy(), cache, reads=("dout", None))
        got = {}
        parts = None if err is not None else _unpack(result, 3, "the three gradients (dx, dw, db)", notes)
        if parts is not None:
            got = {q: _value(v, q, notes) for q, v in zip(("dx", "dw", "db"), parts)}
        return _Outcome(got, {"dx": dx, "dw": dw, "db": db}, models, notes, err)

    return _compare("affine_backward", _AFFINE_SETTINGS, run_one)


# ------------------------------------------------------------------ relu
def _relu_setting(part, shape, seed, zeros=False):
    def make():
        x = _quarters(np.random.default_rng(seed), shape)
        if zeros:
            x.flat[::3] = 0.0
        return (x,)
    return _Setting(part, f"x {shape}" + (", every third number 0" if zeros else ""), make)


_RELU_SETTINGS = [_relu_setting("rows", (3, 4), 21), _relu_setting("images", (2, 3, 4, 4), 22),
                  _relu_setting("zeros in x", (4, 6), 23, zeros=True)]


@register("relu_forward", "forward pass of a ReLU")
def _check_relu_forward(functions) -> CheckResult:
    forward = functions["relu_forward"]

    def run_one(s):
        (x,) = s.make()
        notes = []
        copy = x.copy()
        result, err = _call(forward, copy, reads=("x",))
        models = {"out": [
            ("leaky: negative inputs kept as 0.01 * x; the ReLU sets them to 0, np.maximum(0, x)",
             lambda: np.where(x > 0, x, 0.01 * x)),
            ("the mask returned: out = np.maximum(0, x) holds the values, not x > 0", lambda: (x > 0) * 1.0),
            ("np.minimum(0, x): the ReLU keeps the positive part, np.maximum(0, x)", lambda: np.minimum(0, x)),
            ("x returned unchanged: out = np.maximum(0, x)", lambda: x),
            ("np.abs(x): negative inputs become 0, not positive", lambda: np.abs(x)),
        ]}
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _value(parts[0], "out", notes)
        return _Outcome(got, {"out": np.maximum(0, x)}, models, notes, err)

    return _compare("relu_forward", _RELU_SETTINGS, run_one)


@register("relu_backward", "backward pass of a ReLU", uses=("relu_forward",))
def _check_relu_backward(functions) -> CheckResult:
    backward, forward = functions["relu_backward"], functions.get("relu_forward")

    def run_one(s):
        (x,) = s.make()
        x[x == 0] = 0.25  # at x == 0 either 0 or dout is a valid subgradient: not compared
        notes = []
        dout = _quarters(np.random.default_rng(x.size), x.shape)
        cache = _cache_from(forward, (x,), notes, "relu_forward") if forward else None
        if cache is None:
            cache = x
        models = {"dx": [
            ("dx = dout everywhere: the gradient flows only where x > 0, dx = dout * (x > 0)", lambda: dout),
            ("dx is the mask alone: multiply it by dout, dx = dout * (x > 0)", lambda: (x > 0) * 1.0),
            ("the mask taken from dout (dout > 0): it comes from the forward input x, dout * (x > 0)",
             lambda: dout * (dout > 0)),
            ("the mask's sign flipped: the gradient flows where x > 0", lambda: dout * (x < 0)),
            ("dout multiplied by the ReLU's output: multiply by the mask (x > 0), which is 0 or 1",
             lambda: dout * np.maximum(0, x)),
        ]}
        result, err = _call(backward, dout.copy(), cache, reads=("dout", None))
        got = {} if err is not None else {"dx": _value(result, "dx", notes)}
        return _Outcome(got, {"dx": dout * (x > 0)}, models, notes, err)

    return _compare("relu_backward", _RELU_SETTINGS, run_one)


# ------------------------------------------------------------------ losses
def _loss_setting(part, N, C, seed, scale=1.0, shift=0.0):
    def make():
        rng = np.random.default_rng(seed)
        return _normal(rng, (N, C), scale, shift), rng.integers(C, size=N)
    text = f"x ({N}, {C})" + (f", scores near {shift:g}" if shift else "") + f", y ({N},)"
    return _Setting(part, text, make,
                    hints={("dx", (C, N)): "dx transposed: it has the shape of the scores, (N, C)"})


_SOFTMAX_SETTINGS = [_loss_setting("one example", 1, 3, 31), _loss_setting("a batch", 5, 4, 32),
                     _loss_setting("ten classes", 8, 10, 33, 2.0),
                     _loss_setting("large scores", 4, 5, 34, 1.0, 1000.0)]
_SVM_SETTINGS = _SOFTMAX_SETTINGS[:3] + [_loss_setting("large scores", 4, 5, 35, 50.0)]


def _softmax_parts(x, y, axis=1):
    """Probabilities (each row shifted by its maximum, normalized along ``axis``) and the mean
    -log p of the correct classes."""
    with np.errstate(all="ignore"):
        z = x - x.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=axis, keepdims=True)
        return p, float(-np.mean(np.log(p[np.arange(x.shape[0]), y])))


@register("softmax_loss", "softmax loss and its gradient")
def _check_softmax_loss(functions) -> CheckResult:
    from ..layers import softmax_loss as ours

    loss_fn = functions["softmax_loss"]

    def run_one(s):
        x, y = s.make()
        notes = []
        N = x.shape[0]
        loss, dx = ours(x, y)
        p, _ = _softmax_parts(x, y)
        onehot = np.zeros_like(x)
        onehot[np.arange(N), y] = 1

        def wrong_axis():
            q, value = _softmax_parts(x, y, axis=0)
            return value, (q - onehot) / N
        models = {
            "loss": [("loss summed over the examples: it is their mean, divide by N", lambda: loss * N),
                     ("log base 10: the loss uses the natural logarithm, np.log", lambda: loss / np.log(10)),
                     ("loss without its minus sign: -log(p) is positive", lambda: -loss),
                     ("probabilities normalized over the examples (axis 0): each row's scores sum over "
                      "the classes, axis=1", lambda: wrong_axis()[0])],
            "dx": [("dx not divided by N: the loss is a mean over the examples", lambda: dx * N),
                   ("dx misses the -1 at the correct class: dx = (p - one_hot(y)) / N", lambda: p / N),
                   ("dx has the wrong sign: dx = (p - one_hot(y)) / N", lambda: -dx),
                   ("probabilities normalized over the examples (axis 0): each row's scores sum over "
                    "the classes, axis=1", lambda: wrong_axis()[1])],
        }
        result, err = _call(loss_fn, x.copy(), y.copy(), reads=("x", "y"))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (loss, dx)", notes)
        if parts is not None:
            got = {"loss": _value(parts[0], "loss", notes), "dx": _value(parts[1], "dx", notes)}
        return _Outcome(got, {"loss": loss, "dx": dx}, models, notes, err)

    return _compare("softmax_loss", _SOFTMAX_SETTINGS, run_one,
                    nonfinite="NaN or inf for large scores: np.exp overflows; subtract each row's maximum "
                              "first, x - x.max(axis=1, keepdims=True) (the probabilities do not change)")


@register("svm_loss", "multiclass SVM loss and its gradient")
def _check_svm_loss(functions) -> CheckResult:
    from ..layers import svm_loss as ours

    loss_fn = functions["svm_loss"]

    def run_one(s):
        x, y = s.make()
        notes = []
        N = x.shape[0]
        loss, dx = ours(x, y)
        margins = np.maximum(0, x - x[np.arange(N), y][:, None] + 1)
        margins[np.arange(N), y] = 0
        positive = (margins > 0) * 1.0
        no_correct = positive / N
        minus_one = positive.copy()
        minus_one[np.arange(N), y] = -(positive.sum(axis=1) > 0).astype(float)
        models = {
            "loss": [("the correct class counted in the sum: skip j == y[i] (it adds max(0, 1) = 1 per example)",
                      lambda: loss + 1),
                     ("loss summed over the examples: it is their mean, divide by N", lambda: loss * N)],
            "dx": [("dx not divided by N: the loss is a mean over the examples", lambda: dx * N),
                   ("the correct class's gradient missing: dx[i, y[i]] = -(number of positive margins of example i)",
                    lambda: no_correct),
                   ("dx[i, y[i]] = -1: it is minus the number of classes with a positive margin",
                    lambda: minus_one / N)],
        }
        result, err = _call(loss_fn, x.copy(), y.copy(), reads=("x", "y"))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (loss, dx)", notes)
        if parts is not None:
            got = {"loss": _value(parts[0], "loss", notes), "dx": _value(parts[1], "dx", notes)}
        return _Outcome(got, {"loss": loss, "dx": dx}, models, notes, err)

    return _compare("svm_loss", _SVM_SETTINGS, run_one)


