"""The normalization layers: batch norm (``batchnorm_forward``, ``batchnorm_backward``,
``batchnorm_backward_alt``), layer norm, spatial batch norm and spatial group norm.

Forward passes are compared in 'train' and 'test' mode, with and without running averages given,
and ``bn_param`` is read after every call (the running averages must be stored back into it).
A backward pass runs on the cache of the student's own forward pass (the assignment leaves the
cache to the student); where that forward pass differs, the report says so instead of blaming the
backward pass.
"""
from __future__ import annotations

import functools

import numpy as np

from ._base import (_call, _compare, _copy_param, _normal, _Outcome, _same, _Setting, _unpack, _value, _array,
                    register)
from .report import CheckResult

# ------------------------------------------------------------------ batch and layer normalization
_SWAPPED = ("train/test mode swapped: 'train' mode normalizes with the batch's mean and variance (and updates "
            "the running averages), 'test' mode with the running averages")
_TEST_BATCH = ("'test' mode normalizes with the batch's own mean and variance: it must use the running averages "
               "(at test time the output of one example must not depend on the others in its batch)")
_NOT_UPDATED = ("running averages not updated: in 'train' mode, running_mean = momentum * running_mean + "
                "(1 - momentum) * sample_mean (likewise running_var), stored back into bn_param")
_MOMENTUM = ("momentum the wrong way round: running = momentum * running + (1 - momentum) * sample "
             "(momentum weighs the old average)")
_TEST_UPDATES = "running averages updated in 'test' mode too: 'test' mode only reads them"
_DDOF = ("variance with N - 1 (ddof=1): CS231n's normalization layers divide by the number of values, "
         "np.var(x, axis=0)")
_DDOF_RUNNING = ("running_var averages the variance with N - 1 (ddof=1): CS231n's averages the variance that "
                 "normalized the batch, np.var(x, axis=0) (PyTorch's uses N - 1 there)")


def _one_ddof_finding(result):
    """N - 1 in the normalization usually goes into running_var too: one finding for both."""
    if any(f.startswith(_DDOF) for f in result.findings):
        result.findings = [f for f in result.findings if not f.startswith(_DDOF_RUNNING)]
    return result
_CONSTANTS = ("mean and variance treated as constants: dout * gamma / sqrt(var + eps) is the gradient of "
              "'test' mode; in 'train' mode the batch's mean and variance depend on x too")


def _standardize_backward(dxh, xh, var, eps, axes):
    """Gradient through x_hat = (x - mean) / sqrt(var + eps), statistics over ``axes`` (closed form)."""
    mean = lambda a: a.mean(axis=axes, keepdims=True)  # noqa: E731
    return (dxh - mean(dxh) - xh * mean(dxh * xh)) / np.sqrt(var + eps)


def _bn_forward_models(x, gamma, beta, param, stats_axis=0):
    """The right (out, running_mean, running_var) of batch norm on x (N, D) (or layer norm, with
    ``stats_axis=1``, where there are no running averages) and the typical mistakes."""
    train = param.get("mode", "train") == "train"
    eps, mom = param.get("eps", 1e-5), param.get("momentum", 0.9)
    D = x.shape[1]
    rm0 = np.array(param.get("running_mean", np.zeros(D)), dtype=np.float64)   # copies: a layer updates in place
    rv0 = np.array(param.get("running_var", np.zeros(D)), dtype=np.float64)
    m, v = x.mean(axis=stats_axis, keepdims=True), x.var(axis=stats_axis, keepdims=True)
    mean, var = (m, v) if train or stats_axis == 1 else (rm0, rv0)
    scale = lambda xh: gamma * xh + beta  # noqa: E731
    out = scale((x - mean) / np.sqrt(var + eps))
    other = 1 - stats_axis
    batch = train or stats_axis == 1   # the statistics come from x (not from the running averages)
    models = [
        (_DDOF, lambda: scale((x - m) / np.sqrt(x.var(axis=stats_axis, ddof=1, keepdims=True) + eps)) if batch else None),
        ("eps outside the square root: divide by np.sqrt(var + eps)",
         lambda: scale((x - m) / (np.sqrt(v) + eps)) if batch else None),
        ("eps forgotten: divide by np.sqrt(var + eps)", lambda: scale((x - m) / np.sqrt(v)) if batch else None),
        ("divided by the variance: divide by the standard deviation, np.sqrt(var + eps)",
         lambda: scale((x - m) / (v + eps)) if batch else None),
        ("statistics over the wrong axis: batch norm takes each feature's mean and variance over the batch "
         "(axis 0), layer norm each example's over its features (axis 1)",
         lambda: scale((x - x.mean(axis=other, keepdims=True)) / np.sqrt(x.var(axis=other, keepdims=True) + eps))
         if batch else None),
        ("gamma and beta swapped: out = gamma * x_hat + beta", lambda: beta * (x - mean) / np.sqrt(var + eps) + gamma),
    ]
    if stats_axis == 1:
        return {"out": out}, {"out": models}
    upd = lambda r, sample: mom * r + (1 - mom) * sample  # noqa: E731
    m1, v1 = m[0], v[0]
    want = {"out": out, "running_mean": upd(rm0, m1) if train else rm0, "running_var": upd(rv0, v1) if train else rv0}
    models.insert(0, (_SWAPPED, lambda: scale((x - rm0) / np.sqrt(rv0 + eps)) if train
                      else scale((x - m) / np.sqrt(v + eps))))
    models.insert(1, (_TEST_BATCH, lambda: None if train else scale((x - m) / np.sqrt(v + eps))))
    running = {}
    for key, r0, sample in (("running_mean", rm0, m1), ("running_var", rv0, v1)):
        right = want[key]
        running[key] = [
            (_NOT_UPDATED, lambda r0=r0: r0),
            (_SWAPPED, lambda r0=r0, sample=sample: r0 if train else upd(r0, sample)),
            (_MOMENTUM, lambda r0=r0, sample=sample: (1 - mom) * r0 + mom * sample if train else r0),
            (_TEST_UPDATES, lambda r0=r0, sample=sample, right=right: right if train else upd(r0, sample)),
        ]
    running["running_var"] += [
        ("running_var averages the standard deviation: average the variance",
         lambda: upd(rv0, np.sqrt(v1)) if train else rv0),
        (_DDOF_RUNNING, lambda: upd(rv0, x.var(axis=0, ddof=1)) if train else rv0),
    ]
    return want, {"out": models, **running}


def _bn_backward_models(dout, x, gamma, eps, stats_axis=0):
    """The right (dx, dgamma, dbeta) of batch norm (``stats_axis=0``) or layer norm (1) in
    'train' mode on x (N, D), and the typical mistakes."""
    N, D = x.shape
    m, v = x.mean(axis=stats_axis, keepdims=True), x.var(axis=stats_axis, keepdims=True)
    xh = (x - m) / np.sqrt(v + eps)
    dxh = dout * gamma
    dx = _standardize_backward(dxh, xh, v, eps, stats_axis)
    mean = lambda a: a.mean(axis=stats_axis, keepdims=True)  # noqa: E731
    std = np.sqrt(v + eps)
    other = 1 - stats_axis
    M = x.shape[stats_axis]
    want = {"dx": dx, "dgamma": (dout * xh).sum(axis=0), "dbeta": dout.sum(axis=0)}
    models = {
        "dx": [(_CONSTANTS, lambda: dxh / std),
               ("the path through the variance missing: var = mean((x - mu)**2) depends on x too",
                lambda: (dxh - mean(dxh)) / std),
               ("the path through the mean missing: mu = mean(x) depends on x too",
                lambda: (dxh - xh * mean(dxh * xh)) / std),
               ("gamma forgotten in dx: the gradient reaching x_hat is dout * gamma",
                lambda: _standardize_backward(dout, xh, v, eps, stats_axis)),
               ("the sums of dx over the wrong axis: they run over the axis the mean and variance were taken "
                "on (batch norm: the batch, axis 0; layer norm: the features, axis 1)",
                lambda: (M * dxh - dxh.sum(axis=other, keepdims=True)
                         - xh * (dxh * xh).sum(axis=other, keepdims=True)) / (M * std))],
        "dgamma": [("dgamma summed over the wrong axis: one gamma per feature, sum over the batch, axis=0",
                    lambda: (dout * xh).sum(axis=1) if N == D else None),
                   ("dgamma = sum(dout * x): multiply by x_hat, the normalized input", lambda: (dout * x).sum(axis=0)),
                   ("dgamma averaged: sum over the batch", lambda: (dout * xh).mean(axis=0)),
                   ("dgamma and dbeta swapped", lambda: dout.sum(axis=0))],
        "dbeta": [("dbeta summed over the wrong axis: one beta per feature, sum over the batch, axis=0",
                   lambda: dout.sum(axis=1) if N == D else None),
                  ("dbeta averaged: sum over the batch", lambda: dout.mean(axis=0)),
                  ("dgamma and dbeta swapped", lambda: (dout * xh).sum(axis=0))],
    }
    return want, models


def _norm_hints(N, D):
    return {(q, (N,)): f"{q} summed over the wrong axis: one {q[1:]} per feature, sum over the batch, axis=0"
            for q in ("dgamma", "dbeta")}


def _bn_setting(part, N, D, seed, mode="train", scale=2.0, **extra):
    def make():
        rng = np.random.default_rng(seed)
        x = _normal(rng, (N, D), scale, 1.0)
        gamma, beta = _normal(rng, (D,), 1.0, 1.0), _normal(rng, (D,))
        param = {"mode": mode}
        if "momentum" in extra:
            param["momentum"] = extra["momentum"]
        if "eps" in extra:
            param["eps"] = extra["eps"]
        if extra.get("running") or mode == "test":
            param["running_mean"] = _normal(rng, (D,), 0.5, 1.0)
            param["running_var"] = rng.uniform(0.5, 3.0, size=D)
        return x, gamma, beta, param
    text = f"x ({N}, {D}), mode {mode!r}" + "".join(f", {k} {v}" for k, v in extra.items() if k != "running")
    if extra.get("running"):
        text += ", running averages given"
    return _Setting(part, text, make, _norm_hints(N, D))


_BN_SETTINGS = [
    _bn_setting("'train' mode", 4, 3, 51),
    _bn_setting("'train' mode, several calls' running averages", 6, 5, 52, momentum=0.7, running=True),
    _bn_setting("'train' mode, a larger eps", 5, 4, 53, scale=0.05, eps=1e-2),
    _bn_setting("as many features as examples", 5, 5, 54),
    _bn_setting("'test' mode", 5, 4, 55, mode="test", eps=1e-3),
]
_BN_BACKWARD_SETTINGS = [s for s in _BN_SETTINGS if "'test'" not in s.part] + [
    _bn_setting("a larger batch", 10, 3, 56)]


def _norm_forward_check(forward, layer_norm=False):
    """``run_one`` of batch norm (running averages compared too) or layer norm forward on (N, D) inputs."""
    from ..layers import batchnorm_forward, layernorm_forward

    if layer_norm:
        call = lambda x, g, b, param: forward(x, g, b, {"eps": param.get("eps", 1e-5)})  # noqa: E731
    else:
        call = forward

    def run_one(s):
        x, gamma, beta, param = s.make()
        notes = []
        want, models = _bn_forward_models(x, gamma, beta, param, stats_axis=1 if layer_norm else 0)
        ours = layernorm_forward(x, gamma, beta, {"eps": param.get("eps", 1e-5)}) if layer_norm \
            else batchnorm_forward(x, gamma, beta, _copy_param(param))
        want["out"] = ours[0]
        theirs = _copy_param(param)
        result, err = _call(call, x.copy(), gamma.copy(), beta.copy(), theirs, reads=("x", "gamma", "beta"))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _value(parts[0], "out", notes)
            if not layer_norm:
                D = x.shape[1]
                for key in ("running_mean", "running_var"):
                    # a key never stored back reads as CS231n's default, zeros, on the next call
                    got[key] = _value(theirs.get(key, np.zeros(D)), key, notes)
        return _Outcome(got, want, models, notes, err)

    return run_one


@register("batchnorm_forward", "forward pass of batch normalization (modes and running averages)")
def _check_batchnorm_forward(functions) -> CheckResult:
    return _one_ddof_finding(
        _compare("batchnorm_forward", _BN_SETTINGS, _norm_forward_check(functions["batchnorm_forward"])))


def _norm_backward_on_their_cache(name, forward_name, forward, backward, args, dout, out, want, models, notes):
    """Run the student's ``backward`` on the cache of the student's ``forward(*args)`` (their caches
    are theirs to define) and compare the three gradients (dx, dgamma, dbeta) with ``want``.
    ``out`` is our forward output, to say when a wrong cache comes from a wrong forward pass."""
    if forward is None:
        notes.append(f"not checked: {name} reads the cache of your {forward_name}, which was not given")
        return _Outcome({}, want, models, notes, None)
    result, err = _call(forward, *args)
    if err is not None or not (isinstance(result, (tuple, list)) and len(result) == 2):
        notes.append(f"not checked where your {forward_name} fails: {name} reads its cache")
        return _Outcome({}, want, models, notes, None)
    if not _same(_array(result[0]), out):
        notes.append(f"your {forward_name} gives another output here (see its own line), and its cache "
                     "carries that difference: fix the forward pass first")
    elif result[1] is None:
        notes.append(f"your {forward_name} returns the cache None, and {name} reads it: store in cache what the "
                     "backward pass needs (the starter's stub leaves it None)")
    if result[1] is None:
        return _Outcome({}, want, models, notes, None)
    result, err = _call(backward, dout.copy(), result[1], reads=("dout", None))
    got = {}
    parts = None if err is not None else _unpack(result, 3, "the three gradients (dx, dgamma, dbeta)", notes)
    if parts is not None:
        got = {q: _value(p, q, notes) for q, p in zip(("dx", "dgamma", "dbeta"), parts)}
    return _Outcome(got, want, models, notes, err)


def _bn_backward_check(functions, name, forward_name, settings, layer_norm=False):
    from ..layers import batchnorm_backward, batchnorm_forward, layernorm_backward, layernorm_forward

    backward, forward = functions[name], functions.get(forward_name)

    def run_one(s):
        x, gamma, beta, param = s.make()
        param = {"mode": "train", "eps": param.get("eps", 1e-5)} if not layer_norm else {"eps": param.get("eps", 1e-5)}
        notes = []
        dout = _normal(np.random.default_rng(x.size), x.shape)
        if layer_norm:
            out, cache = layernorm_forward(x, gamma, beta, dict(param))
            want = dict(zip(("dx", "dgamma", "dbeta"), layernorm_backward(dout, cache)))
        else:
            out, cache = batchnorm_forward(x, gamma, beta, dict(param))
            want = dict(zip(("dx", "dgamma", "dbeta"), batchnorm_backward(dout, cache)))
        _, models = _bn_backward_models(dout, x, gamma, param["eps"], stats_axis=1 if layer_norm else 0)
        return _norm_backward_on_their_cache(name, forward_name, forward, backward,
                                             (x.copy(), gamma.copy(), beta.copy(), dict(param)), dout, out, want,
                                             models, notes)

    return _compare(name, settings, run_one)


@register("batchnorm_backward", "backward pass of batch normalization ('train' mode)", uses=("batchnorm_forward",))
def _check_batchnorm_backward(functions) -> CheckResult:
    return _bn_backward_check(functions, "batchnorm_backward", "batchnorm_forward", _BN_BACKWARD_SETTINGS)


@register("batchnorm_backward_alt", "backward pass of batch normalization, simplified ('train' mode)",
          uses=("batchnorm_forward",))
def _check_batchnorm_backward_alt(functions) -> CheckResult:
    return _bn_backward_check(functions, "batchnorm_backward_alt", "batchnorm_forward", _BN_BACKWARD_SETTINGS)


_LN_SETTINGS = [
    _bn_setting("rows (N, D)", 4, 5, 61),
    _bn_setting("more examples than features", 7, 3, 62),
    _bn_setting("a larger eps", 5, 4, 63, scale=0.05, eps=1e-2),
    _bn_setting("as many features as examples", 5, 5, 64),
]


@register("layernorm_forward", "forward pass of layer normalization")
def _check_layernorm_forward(functions) -> CheckResult:
    return _compare("layernorm_forward", _LN_SETTINGS,
                    _norm_forward_check(functions["layernorm_forward"], layer_norm=True))


@register("layernorm_backward", "backward pass of layer normalization", uses=("layernorm_forward",))
def _check_layernorm_backward(functions) -> CheckResult:
    return _bn_backward_check(functions, "layernorm_backward", "layernorm_forward", _LN_SETTINGS, layer_norm=True)


# ------------------------------------------------------------------ spatial batch norm and group norm
def _to_rows(x):
    """(N, C, H, W) -> (N*H*W, C): one column per channel (how spatial batch norm reuses batch norm)."""
    N, C, H, W = x.shape
    return x.transpose(0, 2, 3, 1).reshape(-1, C)


def _from_rows(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


_PER_POSITION = ("statistics of every channel and position over the batch only (axis 0): spatial batch norm "
                 "takes each channel's over the batch and all positions, axes (0, 2, 3), one number per channel")
_NO_TRANSPOSE = ("x.reshape(-1, C) without moving the channels last: each column then mixes channels and "
                 "positions; transpose first, x.transpose(0, 2, 3, 1).reshape(-1, C), and back at the end")


def _spatial_setting(part, shape, seed, mode="train", **extra):
    N, C, H, W = shape

    def make():
        rng = np.random.default_rng(seed)
        x = _normal(rng, shape, 2.0, 1.0) + np.arange(C)[None, :, None, None]  # channels differ in mean
        gamma, beta = _normal(rng, (C,), 1.0, 1.0), _normal(rng, (C,))
        param = {"mode": mode, **{k: v for k, v in extra.items() if k != "running"}}
        if extra.get("running") or mode == "test":
            param["running_mean"] = _normal(rng, (C,), 0.5, 1.0)
            param["running_var"] = rng.uniform(0.5, 3.0, size=C)
        return x, gamma, beta, param
    text = f"x {shape}, mode {mode!r}" + "".join(f", {k} {v}" for k, v in extra.items() if k != "running")
    if extra.get("running"):
        text += ", running averages given"
    hints = {(q, (C, H, W)): _PER_POSITION for q in ("running_mean", "running_var")}
    hints.update({(q, (1, C, 1, 1)): "gradients of gamma and beta with shape (1, C, 1, 1): spatial batch norm's "
                                     "gamma and beta are (C,), and so are dgamma and dbeta" for q in ("dgamma", "dbeta")})
    return _Setting(part, text, make, hints)


_SPATIAL_SETTINGS = [
    _spatial_setting("'train' mode", (2, 3, 4, 5), 71),
    _spatial_setting("'train' mode, running averages given", (3, 2, 2, 4), 72, momentum=0.7, running=True),
    _spatial_setting("more channels", (2, 5, 3, 3), 73),
    _spatial_setting("'test' mode", (2, 3, 3, 2), 74, mode="test"),
]


@register("spatial_batchnorm_forward", "forward pass of spatial batch normalization")
def _check_spatial_batchnorm_forward(functions) -> CheckResult:
    from ..layers import spatial_batchnorm_forward as ours

    forward = functions["spatial_batchnorm_forward"]

    def run_one(s):
        x, gamma, beta, param = s.make()
        notes = []
        N, C, H, W = x.shape
        want, models = _bn_forward_models(_to_rows(x), gamma, beta, param)
        want["out"] = ours(x, gamma, beta, _copy_param(param))[0]
        models["out"] = [(text, lambda f=f: None if f() is None else _from_rows(f(), x.shape))
                         for text, f in models["out"]]
        wrong_want, _ = _bn_forward_models(x.reshape(-1, C), gamma, beta, param)
        models["out"].insert(0, (_NO_TRANSPOSE, lambda: wrong_want["out"].reshape(x.shape)))
        for key in ("running_mean", "running_var"):
            models[key].insert(0, (_NO_TRANSPOSE, lambda key=key: wrong_want[key]))
        train = param["mode"] == "train"
        eps = param.get("eps", 1e-5)
        g4, b4 = gamma[None, :, None, None], beta[None, :, None, None]
        models["out"].append(
            (_PER_POSITION, lambda: g4 * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + b4 if train else None))
        theirs = _copy_param(param)
        result, err = _call(forward, x.copy(), gamma.copy(), beta.copy(), theirs, reads=("x", "gamma", "beta"))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _value(parts[0], "out", notes)
            for key in ("running_mean", "running_var"):
                got[key] = _value(theirs.get(key, np.zeros(C)), key, notes)
        return _Outcome(got, want, models, notes, err)

    return _one_ddof_finding(_compare("spatial_batchnorm_forward", _SPATIAL_SETTINGS, run_one))


@register("spatial_batchnorm_backward", "backward pass of spatial batch normalization ('train' mode)",
          uses=("spatial_batchnorm_forward",))
def _check_spatial_batchnorm_backward(functions) -> CheckResult:
    from ..layers import spatial_batchnorm_backward, spatial_batchnorm_forward

    backward, forward = functions["spatial_batchnorm_backward"], functions.get("spatial_batchnorm_forward")

    def run_one(s):
        x, gamma, beta, param = s.make()
        param = {"mode": "train", "eps": param.get("eps", 1e-5)}
        notes = []
        C = x.shape[1]
        dout = _normal(np.random.default_rng(x.size), x.shape)
        out, cache = spatial_batchnorm_forward(x, gamma, beta, dict(param))
        want = dict(zip(("dx", "dgamma", "dbeta"), spatial_batchnorm_backward(dout, cache)))
        _, rows = _bn_backward_models(_to_rows(dout), _to_rows(x), gamma, param["eps"])
        models = {"dx": [(t, lambda f=f: None if f() is None else _from_rows(f(), x.shape)) for t, f in rows["dx"]],
                  "dgamma": rows["dgamma"], "dbeta": rows["dbeta"]}
        wrong, _ = _bn_backward_models(dout.reshape(-1, C), x.reshape(-1, C), gamma, param["eps"])
        xr = _to_rows(x)
        xh = (xr - xr.mean(axis=0)) / np.sqrt(xr.var(axis=0) + param["eps"])
        dr = dout.reshape(-1, C)                   # dout without the transpose, the cache's x_hat right
        mixed = {"dx": _standardize_backward(dr * gamma, xh, xr.var(axis=0), param["eps"], 0),
                 "dgamma": (dr * xh).sum(axis=0), "dbeta": dr.sum(axis=0)}
        for q in ("dx", "dgamma", "dbeta"):
            models[q][:0] = [(_NO_TRANSPOSE, lambda q=q: wrong[q].reshape(x.shape) if q == "dx" else wrong[q]),
                             (_NO_TRANSPOSE, lambda q=q: mixed[q].reshape(x.shape) if q == "dx" else mixed[q])]
        return _norm_backward_on_their_cache("spatial_batchnorm_backward", "spatial_batchnorm_forward", forward, backward,
                                             (x.copy(), gamma.copy(), beta.copy(), dict(param)), dout, out, want, models, notes)

    return _compare("spatial_batchnorm_backward", _SPATIAL_SETTINGS[:3], run_one)


_GROUPS_INTERLEAVED = ("groups made of every G-th channel: group g holds the C/G neighbouring channels "
                       "g*C/G .. (g+1)*C/G - 1, x.reshape(N, G, C // G, H, W)")


def _gn_parts(x, G, eps, grouping="right"):
    """x_hat (N, C, H, W), and the pieces its backward pass needs, for one way of grouping."""
    N, C, H, W = x.shape
    if grouping == "interleaved":
        xg, axes = x.reshape(N, C // G, G, H, W), (1, 3, 4)
    elif grouping == "batch":
        xg, axes = x.reshape(N, G, C // G, H, W), (0, 2, 3, 4)
    else:
        groups = {"right": G, "all channels": 1, "each channel": C}[grouping]
        xg, axes = x.reshape(N, groups, C // groups, H, W), (2, 3, 4)
    m, v = xg.mean(axis=axes, keepdims=True), xg.var(axis=axes, keepdims=True)
    xh = (xg - m) / np.sqrt(v + eps)
    return xh.reshape(x.shape), (xg.shape, xh, v, axes)


def _gn_backward(dout, gamma, x, G, eps, grouping="right", constants=False):
    xh4, (gshape, xh, v, axes) = _gn_parts(x, G, eps, grouping)
    dxh = (dout * gamma).reshape(gshape)
    if constants:
        return (dxh / np.sqrt(v + eps)).reshape(x.shape)
    return _standardize_backward(dxh, xh, v, eps, axes).reshape(x.shape)


def _gn_setting(part, shape, G, seed, eps=1e-5):
    N, C, H, W = shape

    def make():
        rng = np.random.default_rng(seed)
        x = _normal(rng, shape, 2.0, 1.0) + np.arange(C)[None, :, None, None]
        gamma, beta = _normal(rng, (1, C, 1, 1), 1.0, 1.0), _normal(rng, (1, C, 1, 1))
        return x, gamma, beta, G, {"eps": eps}
    hints = {(q, (C,)): "gradients of gamma and beta with shape (C,): group norm's gamma and beta are (1, C, 1, 1), "
                        "and so are dgamma and dbeta (sum with keepdims=True)" for q in ("dgamma", "dbeta")}
    return _Setting(part, f"x {shape}, G = {G}" + (f", eps {eps}" if eps != 1e-5 else ""), make, hints)


_GN_SETTINGS = [
    _gn_setting("two groups", (2, 6, 3, 3), 2, 81),
    _gn_setting("three groups", (2, 6, 4, 4), 3, 82),
    _gn_setting("non-square images", (3, 4, 2, 5), 2, 83),
    _gn_setting("one group (layer norm of each image)", (2, 4, 3, 3), 1, 84),
    _gn_setting("a larger eps", (2, 4, 2, 2), 2, 85, eps=1e-1),
]


@register("spatial_groupnorm_forward", "forward pass of group normalization")
def _check_spatial_groupnorm_forward(functions) -> CheckResult:
    from ..layers import spatial_groupnorm_forward as ours

    forward = functions["spatial_groupnorm_forward"]

    def run_one(s):
        x, gamma, beta, G, param = s.make()
        notes = []
        eps = param["eps"]
        scale = lambda grouping: gamma * _gn_parts(x, G, eps, grouping)[0] + beta  # noqa: E731
        N, C, H, W = x.shape
        xg = x.reshape(N, G, C // G, H, W)
        m, v = xg.mean(axis=(2, 3, 4), keepdims=True), xg.var(axis=(2, 3, 4), keepdims=True)
        models = {"out": [
            (_GROUPS_INTERLEAVED, lambda: scale("interleaved")),
            ("G ignored: all channels of an image normalized together (that is G = 1)", lambda: scale("all channels")),
            ("every channel normalized alone (that is G = C, instance norm)", lambda: scale("each channel")),
            ("statistics over the batch too: group norm normalizes each image on its own", lambda: scale("batch")),
            ("variance with N - 1 (ddof=1): normalization divides by the number of values",
             lambda: gamma * ((xg - m) / np.sqrt(xg.var(axis=(2, 3, 4), ddof=1, keepdims=True) + eps)).reshape(x.shape)
             + beta),
            ("eps outside the square root: divide by np.sqrt(var + eps)",
             lambda: gamma * ((xg - m) / (np.sqrt(v) + eps)).reshape(x.shape) + beta),
            ("gamma and beta swapped: out = gamma * x_hat + beta", lambda: beta * _gn_parts(x, G, eps)[0] + gamma),
        ]}
        result, err = _call(forward, x.copy(), gamma.copy(), beta.copy(), G, dict(param), reads=("x", "gamma", "beta"))
        got = {}
        parts = None if err is not None else _unpack(result, 2, "the pair (out, cache)", notes)
        if parts is not None:
            got["out"] = _value(parts[0], "out", notes)
        return _Outcome(got, {"out": ours(x, gamma, beta, G, dict(param))[0]}, models, notes, err)

    return _compare("spatial_groupnorm_forward", _GN_SETTINGS, run_one)


@register("spatial_groupnorm_backward", "backward pass of group normalization", uses=("spatial_groupnorm_forward",))
def _check_spatial_groupnorm_backward(functions) -> CheckResult:
    from ..layers import spatial_groupnorm_backward, spatial_groupnorm_forward

    backward, forward = functions["spatial_groupnorm_backward"], functions.get("spatial_groupnorm_forward")

    def run_one(s):
        x, gamma, beta, G, param = s.make()
        eps = param["eps"]
        notes = []
        dout = _normal(np.random.default_rng(x.size), x.shape)
        out, cache = spatial_groupnorm_forward(x, gamma, beta, G, dict(param))
        want = dict(zip(("dx", "dgamma", "dbeta"), spatial_groupnorm_backward(dout, cache)))
        xh = _gn_parts(x, G, eps)[0]
        ref = functools.partial(_gn_backward, dout, gamma, x, G, eps)
        models = {
            "dx": [(_CONSTANTS, lambda: ref(constants=True)),
                   (_GROUPS_INTERLEAVED, lambda: ref(grouping="interleaved")),
                   ("G ignored: all channels of an image normalized together (that is G = 1)",
                    lambda: ref(grouping="all channels")),
                   ("gamma forgotten in dx: the gradient reaching x_hat is dout * gamma",
                    lambda: _gn_backward(dout, np.ones_like(gamma), x, G, eps))],
            "dgamma": [("dgamma = sum(dout * x): multiply by x_hat, the normalized input",
                        lambda: (dout * x).sum(axis=(0, 2, 3), keepdims=True)),
                       ("dgamma summed over the images only: sum over the images and positions, axes (0, 2, 3)",
                        lambda: (dout * xh).sum(axis=0, keepdims=True) if x.shape[2:] == (1, 1) else None),
                       ("dgamma and dbeta swapped", lambda: dout.sum(axis=(0, 2, 3), keepdims=True))],
            "dbeta": [("dgamma and dbeta swapped", lambda: (dout * xh).sum(axis=(0, 2, 3), keepdims=True))],
        }
        return _norm_backward_on_their_cache("spatial_groupnorm_backward", "spatial_groupnorm_forward", forward, backward,
                                             (x.copy(), gamma.copy(), beta.copy(), G, dict(param)), dout, out, want, models, notes)

    return _compare("spatial_groupnorm_backward", _GN_SETTINGS, run_one)


