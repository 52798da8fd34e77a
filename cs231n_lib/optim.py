"""First-order update rules with CS231n's API.

Every rule is ``next_w, config = rule(w, dw, config=None)``:

* ``w`` -- array of any shape, the current weights;
* ``dw`` -- array of the same shape, the gradient of the loss with respect to ``w``;
* ``config`` -- a dict of hyperparameters and of the rule's state (velocity,
  moving averages, step count).  Missing entries get their defaults; the
  state is stored back in the same dict, so pass it again at the next step.

The rules do not modify ``w`` in place.
"""
from __future__ import annotations

import difflib

import numpy as np

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam", "RULES", "HYPERPARAMETERS", "STATE", "check_config"]

# Every rule's hyperparameters with their defaults, and the names of the state it keeps in config.
HYPERPARAMETERS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
STATE = {"sgd": (), "sgd_momentum": ("velocity",), "rmsprop": ("cache",), "adam": ("m", "v", "t")}
# Names from other libraries and papers that people type for ours.
_ALIASES = {"lr": "learning_rate", "learningrate": "learning_rate", "alpha": "learning_rate",
            "mu": "momentum", "beta": "momentum", "eps": "epsilon", "rho": "decay_rate", "decay": "decay_rate",
            "beta_1": "beta1", "beta_2": "beta2", "betas": "beta1 and beta2"}


def check_config(rule, config, state=True, name="config"):
    """Refuse keys of ``config`` that the update rule ``rule`` (a name in ``RULES``) does not read.

    ``state=False`` also refuses the rule's state keys (the Solver keeps those per
    parameter itself).  The ValueError, which calls the dict ``name``, lists the
    accepted keys with their defaults and suggests the likely intended name
    (``lr`` -> ``learning_rate``).
    """
    accepted = dict(HYPERPARAMETERS[rule])
    allowed = set(accepted) | (set(STATE[rule]) if state else set())
    unknown = [k for k in config if k not in allowed]
    if not unknown:
        return
    hints = []
    for k in unknown:
        if k in STATE[rule]:
            hints.append(f"{k!r} is {rule}'s state, which the Solver keeps for every parameter itself: leave it out.")
            continue
        guess = _ALIASES.get(str(k).lower()) or next(iter(difflib.get_close_matches(str(k), list(accepted), n=1)), None)
        if guess:
            hints.append(f"For {k!r}, did you mean {guess!r}?")
    listed = ", ".join(f"{k} (default {v:g})" for k, v in accepted.items())
    state_text = f", and its state {', '.join(STATE[rule])}" if state and STATE[rule] else ""
    raise ValueError(
        f"{name} has unknown key(s) {unknown} for update rule {rule!r}, which accepts {listed}{state_text}."
        + "".join(" " + h for h in hints)
    )


def _check(w, dw, config, rule):
    w, dw = np.asarray(w), np.asarray(dw)
    if w.shape != dw.shape:
        raise ValueError(f"the gradient must have the shape of the weights: w.shape={w.shape}, dw.shape={dw.shape}.")
    if config is None:
        config = {}
    elif not isinstance(config, dict):
        raise ValueError(f"config must be a dict (or None), got {type(config).__name__}.")
    check_config(rule, config)
    for key, value in HYPERPARAMETERS[rule].items():
        config.setdefault(key, value)
    return w, dw, config


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: ``w - learning_rate * dw``.

    config: ``learning_rate`` (default 1e-2).
    """
    w, dw, config = _check(w, dw, config, "sgd")
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: ``v = momentum * v - learning_rate * dw``; ``w + v``.

    config: ``learning_rate`` (1e-2), ``momentum`` (0.9; 0 is plain SGD),
    ``velocity`` (state, an array like ``w``, starts at zeros).
    """
    w, dw, config = _check(w, dw, config, "sgd_momentum")
    v = config.get("velocity")
    if v is None:
        v = np.zeros_like(w)
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w, dw, config=None):
    """RMSProp: a per-weight step scaled by a moving average of squared gradients.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2``;
    ``w - learning_rate * dw / (sqrt(cache) + epsilon)``.

    config: ``learning_rate`` (1e-2), ``decay_rate`` (0.99), ``epsilon`` (1e-8),
    ``cache`` (state, starts at zeros).
    """
    w, dw, config = _check(w, dw, config, "rmsprop")
    cache = config.get("cache")
    if cache is None:
        cache = np.zeros_like(w)
    cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw * dw
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w, dw, config=None):
    """Adam: momentum on the gradient and RMSProp scaling, both bias-corrected.

    With ``t`` incremented first (so the first step uses t = 1)::

        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw**2
        w - learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + epsilon)

    config: ``learning_rate`` (1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
    ``epsilon`` (1e-8), and the state ``m``, ``v`` (zeros) and ``t`` (0).
    """
    w, dw, config = _check(w, dw, config, "adam")
    config.setdefault("t", 0)
    m = config.get("m")
    v = config.get("v")
    if m is None:
        m = np.zeros_like(w)
    if v is None:
        v = np.zeros_like(w)
    t = config["t"] + 1
    b1, b2 = config["beta1"], config["beta2"]
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw * dw
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    config.update(m=m, v=v, t=t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


RULES = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}
