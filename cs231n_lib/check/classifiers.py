"""The classifiers: ``FullyConnectedNet`` (fc_net.py) and ``ThreeLayerConvNet`` (cnn.py).

Each is built with small settings and given the library's weights (the student's initialisation is
random), then compared on the loss, every gradient and the test-mode scores; with dropout (whose
masks come from the student's own generator) the gradients are compared with the numerical
gradient of the student's own loss.  Regularization is modelled weight by weight, so a weight left
out of the loss, or out of its gradient, is named.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..gradient_check import rel_error
from ._base import _array, _call, _compare, _magnitude, _normal, _Outcome, _same, _Setting, _unpack, _value, register
from .report import CheckResult

# ------------------------------------------------------------------ the classifiers (fc_net.py, cnn.py)
def _net_setting(part, kwargs, N, seed):
    def make():
        rng = np.random.default_rng(seed)
        dim = kwargs.get("input_dim", 5)
        shape = (N,) + (tuple(dim) if isinstance(dim, (tuple, list)) else (dim,))
        return dict(kwargs), _normal(rng, shape), rng.integers(kwargs["num_classes"], size=N)
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return _Setting(part, f"({args}), {N} examples", make)


_FC_SETTINGS = [
    _net_setting("one hidden layer", {"hidden_dims": [6], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5}, 7, 1),
    _net_setting("three hidden layers", {"hidden_dims": [6, 4, 5], "input_dim": 5, "num_classes": 3,
                                         "weight_scale": 0.5}, 7, 2),
    _net_setting("regularization", {"hidden_dims": [6, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                                    "reg": 0.7}, 6, 3),
    _net_setting("batch norm", {"hidden_dims": [6, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                                "normalization": "batchnorm", "reg": 0.3}, 8, 4),
    _net_setting("layer norm", {"hidden_dims": [5, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                                "normalization": "layernorm", "reg": 0.3}, 6, 5),
    _net_setting("dropout", {"hidden_dims": [6, 4], "input_dim": 5, "num_classes": 3, "weight_scale": 0.5,
                             "dropout_keep_ratio": 0.6, "seed": 3, "reg": 0.1}, 6, 6),
]
_CNN_SETTINGS = [
    _net_setting("a small net", {"input_dim": (3, 8, 8), "num_filters": 3, "filter_size": 3, "hidden_dim": 7,
                                 "num_classes": 4, "weight_scale": 0.1}, 3, 7),
    _net_setting("regularization", {"input_dim": (3, 8, 8), "num_filters": 3, "filter_size": 3, "hidden_dim": 7,
                                    "num_classes": 4, "weight_scale": 0.1, "reg": 0.5}, 3, 8),
    _net_setting("5x5 filters", {"input_dim": (2, 6, 6), "num_filters": 2, "filter_size": 5, "hidden_dim": 5,
                                 "num_classes": 3, "weight_scale": 0.1, "reg": 0.1}, 2, 9),
]
_REG_HALF = ("regularization without the factor 0.5: the loss adds 0.5 * reg * sum(W**2) over the weights, "
             "whose gradient is reg * W")
_REG_OTHERS = ("regularization of the biases (and gammas, betas) too: only the weights W1, W2, ... are "
               "regularized")
_GRAD_REG_MISSING = "regularization missing from grads["


def _and(names):
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _numerical_grads(loss_fn, params, h=1e-5):
    """Centred differences of ``loss_fn()`` for every array in ``params`` (changed in place and put back)."""
    out = {}
    for key, value in params.items():
        grad = np.zeros(np.shape(value))
        flat = value.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + h
            plus = loss_fn()
            flat[i] = old - h
            minus = loss_fn()
            flat[i] = old
            grad.reshape(-1)[i] = (plus - minus) / (2 * h)
        out[key] = grad
    return out


_BATCHNORM_AT_TEST = ("the test-mode scores, loss(X), differ only where the net has batch norm, whose 'test' mode "
                      "normalizes with the running averages: see your batchnorm_forward's own line, and pass each "
                      "layer its own self.bn_params[i]")
_DROPOUT_AT_TEST = ("loss(X) drops units: without y the net runs in 'test' mode, dropout_param['mode'] = 'test' "
                    "(your test-mode scores differ only where the net has dropout)")


def _net_check(name, settings, ours_cls, takes_seed):
    cls = None
    scores_differ = {}   # setting part -> whether the test-mode scores differ from the library's

    def run_one(s):
        kw, X, y = s.make()
        notes = []
        ours = ours_cls(**dict(kw, seed=kw.get("seed", 0)) if takes_seed else kw, dtype=np.float64,
                        **({} if takes_seed else {"seed": 0}))
        keys = sorted(ours.params)
        rng = np.random.default_rng(len(X))
        for k in keys:   # biases, gammas and betas away from 0 and 1: no ReLU sits exactly at its kink
            if not k.startswith("W"):
                ours.params[k] = ours.params[k] + 0.1 * rng.standard_normal(ours.params[k].shape)
        empty = _Outcome({}, {}, {}, notes, None)
        theirs, err = _call(cls, **kw, dtype=np.float64)
        if err is not None:
            return _Outcome({}, {"scores": np.zeros(1)}, {}, notes, err)
        params = getattr(theirs, "params", None)
        if not isinstance(params, dict):
            notes.append("the net has no dict `params`: CS231n's nets keep their weights in self.params")
            return empty
        missing, extra = sorted(set(keys) - set(params)), sorted(set(params) - set(keys))
        if missing or extra:
            notes.append("params has the wrong names: " + "; ".join(
                part for part in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "")
                if part) + f" (the assignment names them {', '.join(keys)})")
            return empty
        shapes = [f"params[{k!r}] is {np.shape(params[k])}, expected {ours.params[k].shape}"
                  for k in keys if np.shape(params[k]) != ours.params[k].shape]
        if shapes:
            notes.append("; ".join(shapes))
            return empty
        for k in keys:   # the library's weights, in the dtype the student's net chose for them
            theirs_dtype = np.asarray(params[k]).dtype
            params[k] = ours.params[k].astype(theirs_dtype if theirs_dtype.kind == "f" else np.float64)
        reg = float(kw.get("reg", 0.0))
        weights = [k for k in keys if k.startswith("W")]
        loss_ours, grads_ours = ours.loss(X, y)
        scores_ours = ours.loss(X)
        want = {"scores (test mode)": scores_ours}
        models = {"scores (test mode)": [("scores through a ReLU: the last affine layer gives the scores as they are",
                                          lambda: np.maximum(scores_ours, 0))]}
        got = {}
        dropout = kw.get("dropout_keep_ratio", 1) != 1
        if not dropout:
            square = {k: 0.5 * reg * float(np.sum(ours.params[k] ** 2)) for k in keys}
            half = sum(square[k] for k in weights)
            rest = sum(square[k] for k in keys if k not in weights)
            want["loss"] = loss_ours
            models["loss"] = [
                (_REG_HALF, lambda: loss_ours + half if reg else None),
                ("regularization missing from the loss: add 0.5 * reg * np.sum(W * W) for every weight W "
                 f"({', '.join(weights)})", lambda: loss_ours - half if reg else None)]
            for size in range(1, len(weights)):   # some weights left out of the loss: name them
                for left_out in itertools.combinations(weights, size):
                    models["loss"].append((
                        f"regularization of {_and(left_out)} missing from the loss: add 0.5 * reg * np.sum(W * W) "
                        f"for every weight W ({', '.join(weights)})",
                        lambda left_out=left_out: loss_ours - sum(square[k] for k in left_out) if reg else None))
            models["loss"].append((_REG_OTHERS, lambda: loss_ours + rest if reg else None))
            for k in keys:
                g, p = grads_ours[k], ours.params[k]
                want[f"grads[{k!r}]"] = g
                if k in weights:
                    models[f"grads[{k!r}]"] = [
                        (_REG_HALF, lambda g=g, p=p: g + reg * p if reg else None),
                        (f"{_GRAD_REG_MISSING}{k!r}]: add reg * {k}, the gradient of 0.5 * reg * np.sum({k} * {k})",
                         lambda g=g, p=p: g - reg * p if reg else None)]
                else:
                    models[f"grads[{k!r}]"] = [(_REG_OTHERS, lambda g=g, p=p: g + reg * p if reg else None)]
        result, err = _call(theirs.loss, X.copy(), y.copy(), reads=("X", "y"))
        if err is not None:
            return _Outcome({}, want, models, notes, err)
        parts = _unpack(result, 2, "the pair (loss, grads) from loss(X, y)", notes)
        if parts is None:
            return _Outcome({}, want, models, notes, None)
        loss, grads = parts
        notes += _precision_notes({"the loss": loss, **(grads if isinstance(grads, dict) else {})})
        if not isinstance(grads, dict) or sorted(grads) != keys:
            notes.append(f"grads must have the keys of params, {keys}; got "
                         f"{sorted(grads) if isinstance(grads, dict) else type(grads).__name__}")
            grads = {}
        if dropout:
            # the masks come from your own generator: compare with the numerical gradient of your own loss
            again, err2 = _call(theirs.loss, X.copy(), y.copy())
            if err2 is None and isinstance(again, (tuple, list)) and float(again[0]) != float(loss):
                notes.append("with dropout_param['seed'] set, loss(X, y) must give the same loss on every call "
                             "(the same mask): the gradient check relies on it")
            else:
                plain = ours_cls(**dict(kw, dropout_keep_ratio=1), dtype=np.float64)
                plain.params = {k: v.copy() for k, v in ours.params.items()}
                if abs(float(plain.loss(X, y)[0]) - float(loss)) < 1e-12:
                    notes.append("loss(X, y) drops no unit: in 'train' mode apply dropout after every ReLU")
                numeric, err3 = _call(_numerical_grads, lambda: float(theirs.loss(X, y)[0]), params)
                off = {k: rel_error(numeric[k], _array(grads[k])) for k in grads
                       if err3 is None and _array(grads[k]) is not None and np.shape(grads[k]) == numeric[k].shape}
                off = {k: e for k, e in off.items() if not e < 1e-6}   # centred differences: ~1e-8 when right
                if off:
                    notes.append("with dropout, " + ", ".join(f"grads[{k!r}]" for k in off) + " disagree with the "
                                 "numerical gradient of your own loss(X, y) (relative error up to "
                                 f"{_magnitude(max(off.values()))}): the backward pass of dropout, or of the "
                                 "layers around it")
        else:
            got["loss"] = _value(loss, "the loss", notes, float64=False)
            got.update({f"grads[{k!r}]": _value(grads[k], f"grads[{k!r}]", notes, float64=False) for k in grads})
        scores, err = _call(theirs.loss, X.copy())
        if err is not None:
            return _Outcome(got, want, models, notes, err)
        again, _ = _call(theirs.loss, X.copy())
        if again is not None and not np.array_equal(_array(scores), _array(again)):
            notes.append("loss(X) gives other scores on every call: without y the net runs in 'test' mode "
                         "(no dropout, batch norm with its running averages)")
        notes += _precision_notes({"the scores": scores})
        got["scores (test mode)"] = _value(scores, "the scores", notes, float64=False)
        scores_differ[s.part] = not _same(got["scores (test mode)"], scores_ours)
        return _Outcome(got, want, models, notes, None)

    def check(functions):
        nonlocal cls
        cls = functions[name]
        scores_differ.clear()
        result = _compare(name, settings, run_one)
        findings = _merge_regularization_findings(_merge_gradient_findings(result.findings))
        for part, text in (("dropout", _DROPOUT_AT_TEST), ("batch norm", _BATCHNORM_AT_TEST)):
            if scores_differ.get(part) and not any(v for k, v in scores_differ.items() if k != part):
                findings = [f"{text} (first in the setting {part!r})" if f.startswith("scores (test mode) differs")
                            else f for f in findings]
        others = [f for f in findings if not f.startswith("with dropout, ")]
        if others:   # the numerical check with dropout then fails for the same reason
            findings = others
        if any(_LOW_PRECISION in f for f in findings):   # then the values differ at that precision: one cause
            findings = [f for f in findings if " differs in " not in f and " differ from the library's" not in f]
        result.findings = findings
        result.status = "failed" if findings else result.status
        return result
    return check


_LOW_PRECISION = "although the net was built with dtype=np.float64"


def _precision_notes(values):
    """One note when a net built with dtype=np.float64 returns values of a lower precision."""
    low = [v.dtype for v in values.values() if isinstance(v, (np.ndarray, np.generic))
           and v.dtype in (np.float32, np.float16)]
    if not low:
        return []
    return [f"your net computes in {low[0]} (its loss, gradients or scores) {_LOW_PRECISION} (as a gradient "
            "check needs): compute in self.dtype (the starter's __init__ ends by casting every parameter to it)"]


def _merge_regularization_findings(findings):
    """Several "regularization missing from grads['W1']" lines become one naming every such weight."""
    lines = [f for f in findings if f.startswith(_GRAD_REG_MISSING)]
    if len(lines) < 2:
        return findings
    names = [f[len(_GRAD_REG_MISSING):].split("]")[0].strip("'") for f in lines]
    example = lines[0][lines[0].rindex(" (first in"):]
    merged = (f"regularization missing from the gradients of {_and(names)}: add reg * W to grads['W'] for each of "
              f"them, the gradient of 0.5 * reg * np.sum(W * W){example}")
    out = [f for f in findings if f not in lines]
    out.insert(findings.index(lines[0]), merged)
    return out


def _merge_gradient_findings(findings):
    """Several "grads['W1'] differs in ..." lines become one line naming every such gradient."""
    plain = [f for f in findings if f.startswith("grads[") and " differs in " in f]
    if len(plain) < 2:
        return findings
    names = [f.split(" differs")[0] for f in plain]
    example = plain[0][plain[0].index("(largest difference"):]
    merged = (f"{', '.join(names)} differ from the library's while the other gradients agree: look at the "
              f"backward pass of those layers {example}")
    out = [f for f in findings if f not in plain]
    out.insert(findings.index(plain[0]) if plain[0] in findings else len(out), merged)
    return out


@register("FullyConnectedNet", "the fully connected net of fc_net.py (loss, gradients and test-mode scores)")
def _check_fully_connected_net(functions) -> CheckResult:
    from ..nets import FullyConnectedNet

    return _net_check("FullyConnectedNet", _FC_SETTINGS, FullyConnectedNet, takes_seed=True)(functions)


@register("ThreeLayerConvNet", "the three-layer ConvNet of cnn.py (loss, gradients and scores)")
def _check_three_layer_convnet(functions) -> CheckResult:
    from ..nets import ThreeLayerConvNet

    return _net_check("ThreeLayerConvNet", _CNN_SETTINGS, ThreeLayerConvNet, takes_seed=False)(functions)


