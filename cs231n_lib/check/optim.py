"""The update rules of optim.py: ``sgd`` (the course's), ``sgd_momentum``, ``rmsprop`` and ``adam``.

Every rule is ``next_w, config = rule(w, dw, config=None)``.  Four settings: the assignment's own
test (its inputs, whose published answers cs231n_lib.optim reproduces; the state is read from the
dict passed in, as the assignment's test reads it), the defaults (``config=None``), three steps the
Solver's way (each step given the config the last one returned), and other hyperparameters (a
large epsilon, so that where it goes shows).  The typical mistakes are written out as rules of
their own: momentum's sign, RMSProp without its ``(1 - decay_rate)``, Adam without its bias
correction or with ``t`` incremented after its use (or never), the state not stored back, and the
config not updated in place (the state returned in a new dict, which the Solver would take, but the
assignment's test reads the dict it passed).  ``w`` may be updated in place (the starter allows
it); ``dw`` changed in place is a remark.
"""
from __future__ import annotations

import numpy as np

from ._base import _call, _compare, _Outcome, _Setting, _stub_note, _value, register
from .report import CheckResult

_STATE = {"sgd": (), "sgd_momentum": ("velocity",), "rmsprop": ("cache",), "adam": ("m", "v", "t")}
_W = np.linspace(-0.4, 0.6, num=20).reshape(4, 5)     # the assignment's test
_DW = np.linspace(-0.6, 0.4, num=20).reshape(4, 5)


def _ramp(a, b):
    return np.linspace(a, b, num=20).reshape(4, 5)


# the assignment's tests: learning rate and state given (sgd has no test there: the same inputs)
_PUBLISHED = {"sgd": {"learning_rate": 1e-2},
              "sgd_momentum": {"learning_rate": 1e-3, "velocity": (0.6, 0.9)},
              "rmsprop": {"learning_rate": 1e-2, "cache": (0.6, 0.9)},
              "adam": {"learning_rate": 1e-2, "m": (0.6, 0.9), "v": (0.7, 0.5), "t": 5}}
_OTHER = {"sgd": {"learning_rate": 0.3},
          "sgd_momentum": {"learning_rate": 0.05, "momentum": 0.5},
          "rmsprop": {"learning_rate": 0.05, "decay_rate": 0.9, "epsilon": 0.1},
          "adam": {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.9, "epsilon": 0.1, "t": 2}}
_STEPS_RATE = {"sgd": 0.1, "sgd_momentum": 0.1, "rmsprop": 0.01, "adam": 0.01}


def _settings(rule):
    """The four settings of ``rule``: make() -> dict(w, dws, config, read), where ``read`` says whether
    the state is read from the dict passed in ('passed') or from the one returned ('returned')."""
    def published():
        config = {k: _ramp(*v) if isinstance(v, tuple) else v for k, v in _PUBLISHED[rule].items()}
        return {"w": _W.copy(), "dws": [_DW.copy()], "config": config, "read": "passed"}

    def defaults():
        rng = np.random.default_rng(81)
        return {"w": rng.standard_normal((3, 4)), "dws": [rng.standard_normal((3, 4))], "config": None,
                "read": "returned"}

    def steps():
        rng = np.random.default_rng(82)
        return {"w": rng.standard_normal((2, 3)), "dws": [rng.standard_normal((2, 3)) for _ in range(3)],
                "config": {"learning_rate": _STEPS_RATE[rule]}, "read": "returned"}

    def other():
        rng = np.random.default_rng(83)
        config = dict(_OTHER[rule])
        for key in _STATE[rule]:
            if key in ("cache", "v"):
                config[key] = rng.uniform(0.1, 2.0, size=5)
            elif key != "t":
                config[key] = rng.standard_normal(5)
        return {"w": rng.standard_normal(5), "dws": [rng.standard_normal(5)], "config": config, "read": "passed"}

    published_text = ", ".join(f"{k} {v if not isinstance(v, tuple) else f'np.linspace({v[0]}, {v[1]})'}"
                               for k, v in _PUBLISHED[rule].items())
    return [
        _Setting("the assignment's test", f"w np.linspace(-0.4, 0.6) (4, 5), dw np.linspace(-0.6, 0.4), "
                 f"config {{{published_text}}}", published),
        _Setting("the defaults", "w (3, 4), config=None", defaults),
        _Setting("three steps, the Solver's way", f"w (2, 3), three gradients, learning_rate "
                 f"{_STEPS_RATE[rule]}, each step given the config the last one returned", steps),
        _Setting("other hyperparameters", "w (5,), config " + ", ".join(f"{k} {v}" for k, v in _OTHER[rule].items())
                 + (", state given" if _STATE[rule] else ""), other),
    ]


def _play(rule_name, rule, setting):
    """Run a right or mistaken rule (our own code) through ``setting``: {quantity: value}."""
    d = setting.make()
    w, config = d["w"], d["config"]
    passed = config
    for dw in d["dws"]:
        w, config = rule(w.copy(), dw.copy(), config)
    source = passed if d["read"] == "passed" else config
    return {"next_w": w, **{f"config[{k!r}]": source.get(k) for k in _STATE[rule_name]}}


def _defaults(config, rule):
    config = {} if config is None else config
    for key, value in {"sgd": {"learning_rate": 1e-2}, "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
                       "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
                       "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
                                "t": 0}}[rule].items():
        config.setdefault(key, value)
    return config


# ------------------------------------------------------------------ the mistakes, as rules of their own
def _momentum(mistake):
    def rule(w, dw, config=None):
        config = _defaults(config, "sgd_momentum")
        lr, mu = config["learning_rate"], config["momentum"]
        v_old = config.get("velocity", np.zeros_like(w))
        v = mu * v_old - lr * dw
        if mistake == "sign":
            next_w = w - v
        elif mistake == "plus":
            v = mu * v_old + lr * dw
            next_w = w + v
        elif mistake == "old velocity":
            next_w = w + v_old
        elif mistake == "rate on velocity":
            v = mu * v_old - dw
            next_w = w + lr * v
        elif mistake == "no rate":
            v = mu * v_old - dw
            next_w = w + v
        else:   # "not stored"
            next_w, v = w + v, v_old
        config["velocity"] = v
        return next_w, config
    return rule


_MOMENTUM_MISTAKES = [
    ("sign", "momentum's sign: v = momentum * v - learning_rate * dw, then next_w = w + v (the velocity already "
             "points downhill)"),
    ("plus", "the gradient added to the velocity: v = momentum * v - learning_rate * dw (minus: the step goes "
             "down the gradient), then next_w = w + v"),
    ("old velocity", "the step uses the old velocity: update v first, v = momentum * v - learning_rate * dw, "
                     "then next_w = w + v"),
    ("no rate", "the learning rate missing: v = momentum * v - learning_rate * dw, then next_w = w + v"),
    ("rate on velocity", "learning rate applied to the velocity instead of the gradient: "
                         "v = momentum * v - learning_rate * dw, next_w = w + v"),
    ("not stored", "velocity not updated: assign the new velocity to v (the starter stores v into "
                   "config['velocity'] at the end)"),
]


def _rmsprop(mistake):
    def rule(w, dw, config=None):
        config = _defaults(config, "rmsprop")
        lr, d, eps = config["learning_rate"], config["decay_rate"], config["epsilon"]
        old = config.get("cache", np.zeros_like(w))
        cache = d * old + (1 - d) * dw ** 2
        step_cache = cache
        if mistake == "no 1 - decay":
            cache = step_cache = d * old + dw ** 2
        elif mistake == "decay swapped":
            cache = step_cache = (1 - d) * old + d * dw ** 2
        elif mistake == "old cache":
            step_cache = old
        elif mistake == "not stored":
            cache = old
        if mistake == "eps inside":
            next_w = w - lr * dw / np.sqrt(step_cache + eps)
        elif mistake == "no sqrt":
            next_w = w - lr * dw / (step_cache + eps)
        else:
            with np.errstate(all="ignore"):
                next_w = w - lr * dw / (np.sqrt(step_cache) + eps)
        config["cache"] = cache
        return next_w, config
    return rule


_RMSPROP_MISTAKES = [
    ("no 1 - decay", "RMSProp's (1 - decay_rate) missing: cache = decay_rate * cache + (1 - decay_rate) * dw**2 "
                     "(the new squared gradient weighs 1 - decay_rate)"),
    ("decay swapped", "decay_rate the wrong way round: cache = decay_rate * cache + (1 - decay_rate) * dw**2 "
                      "(decay_rate weighs the old cache)"),
    ("eps inside", "epsilon inside the square root: next_w = w - learning_rate * dw / (np.sqrt(cache) + epsilon)"),
    ("no sqrt", "the square root missing: divide by np.sqrt(cache) + epsilon, the root mean square of the "
                "gradients"),
    ("old cache", "the step uses the old cache: update cache first, then divide by its square root"),
    ("not stored", "cache not updated: store the new cache in config['cache']"),
]


def _adam(mistake):
    def rule(w, dw, config=None):
        config = _defaults(config, "adam")
        lr, b1, b2, eps = config["learning_rate"], config["beta1"], config["beta2"], config["epsilon"]
        m0, v0 = config.get("m", np.zeros_like(w)), config.get("v", np.zeros_like(w))
        t = config["t"] if mistake in ("t after use", "t never") else config["t"] + 1
        m = b1 * m0 + (1 - b1) * dw if mistake != "no 1 - beta" else b1 * m0 + dw
        v = b2 * v0 + (1 - b2) * dw ** 2 if mistake != "no 1 - beta" else b2 * v0 + dw ** 2
        with np.errstate(all="ignore"):
            m_hat = m if mistake in ("no bias correction", "only v corrected") else m / (1 - b1 ** t)
            v_hat = v if mistake in ("no bias correction", "only m corrected") else v / (1 - b2 ** t)
            root = np.sqrt(v_hat + eps) if mistake == "eps inside" else np.sqrt(v_hat) + eps
            next_w = w - lr * m_hat / root
        if mistake == "t after use":
            t += 1
        if mistake != "t not stored" and mistake != "t never":
            config["t"] = t
        if mistake != "m v not stored":
            config["m"], config["v"] = m, v
        return next_w, config
    return rule


_T_AFTER = ("t incremented after its use: increment config['t'] first, then correct the bias with the new t "
            "(the starter's note: modify t before using it)")
_T_NEVER = "t never incremented: config['t'] += 1 at every step, before the bias correction"
_ADAM_MISTAKES = [
    ("no bias correction", "Adam's bias correction missing: divide m by (1 - beta1**t) and v by (1 - beta2**t) "
                           "before the step"),
    ("only m corrected", "the bias correction of v missing: v_hat = v / (1 - beta2**t)"),
    ("only v corrected", "the bias correction of m missing: m_hat = m / (1 - beta1**t)"),
    ("t after use", _T_AFTER),
    ("t never", _T_NEVER),
    ("t not stored", "the new t not stored: config['t'] must count the steps (increment it in config, not in a "
                     "local copy)"),
    ("eps inside", "epsilon inside the square root: divide by np.sqrt(v_hat) + epsilon"),
    ("no 1 - beta", "the moving averages without their (1 - beta): m = beta1 * m + (1 - beta1) * dw, "
                    "v = beta2 * v + (1 - beta2) * dw**2"),
    ("m v not stored", "m and v not updated: store the new moving averages in config['m'] and config['v']"),
]


def _sgd(mistake):
    def rule(w, dw, config=None):
        config = _defaults(config, "sgd")
        return w + config["learning_rate"] * dw, config
    return rule


_MISTAKES = {"sgd": (_sgd, [("uphill", "the step goes up the gradient: next_w = w - learning_rate * dw")]),
             "sgd_momentum": (_momentum, _MOMENTUM_MISTAKES), "rmsprop": (_rmsprop, _RMSPROP_MISTAKES),
             "adam": (_adam, _ADAM_MISTAKES)}


# ------------------------------------------------------------------ the check
def _check_rule(name, functions) -> CheckResult:
    from .. import optim as ours

    rule = functions[name]
    make_mistake, mistakes = _MISTAKES[name]

    def run_one(s):
        want = _play(name, getattr(ours, name), s)
        models = {q: [] for q in want}
        for key, text in mistakes:
            outcome = {}

            def result(q, key=key, outcome=outcome):
                if not outcome:
                    outcome.update(_play(name, make_mistake(key), s))
                return outcome[q]
            for q in want:
                models[q].append((text, lambda q=q, result=result: result(q)))
        notes = []
        d = s.make()
        w, config = d["w"], d["config"]
        passed = config
        for dw in d["dws"]:
            value, err = _call(rule, w.copy(), dw.copy(), config, reads=(None, "dw", None))
            if err is not None:
                return _Outcome({}, want, models, notes, err)
            if not (isinstance(value, (tuple, list)) and len(value) == 2):
                notes.append("return the pair (next_w, config), as CS231n's API does")
                return _Outcome({}, want, models, notes)
            w, returned = value
            if w is None:
                notes.append(_stub_note("next_w"))
                return _Outcome({}, want, models, notes)
            if not isinstance(returned, dict):
                notes.append("return the config dict as the second value (the Solver passes it to the next step)")
                return _Outcome({}, want, models, notes)
            config = returned
        got = {"next_w": _value(w, "next_w", notes)}
        source = passed if d["read"] == "passed" else config
        if d["read"] == "passed" and config is not passed:
            state = [f"config[{k!r}]" for k in _STATE[name]]
            theirs = {q: _value(config.get(q[8:-2]), q, []) for q in state}
            if any(not _equal(_value(passed.get(q[8:-2]), q, []), want[q]) for q in state) \
                    and all(_equal(theirs[q], want[q]) for q in state):
                notes.append("config not updated in place: your rule returns a new dict, but the assignment's "
                             "test reads the state from the dict it passed in; store the state into that dict "
                             "(config['...'] = ...) and return it")
                source = config
        for key in _STATE[name]:
            q = f"config[{key!r}]"
            if key not in source:
                notes.append(f"{q} missing after the step: store the rule's state in config")
                got[q] = None
            else:
                got[q] = _value(source[key], q, notes)
        return _Outcome(got, want, models, notes)

    result = _compare(name, _settings(name), run_one,
                      nonfinite="NaN or inf: at t = 0 the bias correction 1 - beta**t is 0; increment config['t'] "
                                "first" if name == "adam" else None)
    if any(f.startswith((_T_AFTER, _T_NEVER)) for f in result.findings):   # the NaN at t = 0 is the same mistake
        result.findings = [f for f in result.findings if not f.startswith("NaN or inf: at t = 0")]
    return result


def _equal(a, b):
    return a is not None and b is not None and np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-9, atol=0)


_TITLES = {"sgd": "vanilla stochastic gradient descent (optim.py)", "sgd_momentum": "SGD with momentum (optim.py)",
           "rmsprop": "RMSProp (optim.py)", "adam": "Adam (optim.py)"}


@register("sgd", _TITLES["sgd"], provided="the course's sgd of optim.py (the starter gives it whole)")
def _check_sgd(functions) -> CheckResult:
    return _check_rule("sgd", functions)


@register("sgd_momentum", _TITLES["sgd_momentum"])
def _check_sgd_momentum(functions) -> CheckResult:
    return _check_rule("sgd_momentum", functions)


@register("rmsprop", _TITLES["rmsprop"])
def _check_rmsprop(functions) -> CheckResult:
    return _check_rule("rmsprop", functions)


@register("adam", _TITLES["adam"])
def _check_adam(functions) -> CheckResult:
    return _check_rule("adam", functions)
