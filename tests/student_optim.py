"""The update rules of optim.py written the way CS231n students write them: right ones (in the
starter's shape: defaults by setdefault, the state read from config and stored back, ``w`` updated
in place where the starter allows it), and broken ones with one deliberate mistake each (fixtures
for tests/test_check_assignment.py).  ``MISTAKES[rule]`` maps each mistake to words of the one
finding it must get.  Written independently of cs231n_lib.optim.
"""
import numpy as np


def sgd(mistake=None):
    def sgd(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-2)
        if mistake == "uphill":
            w += config["learning_rate"] * dw
        else:
            w -= config["learning_rate"] * dw     # in place, as the starter's own sgd
        return w, config
    return sgd


def sgd_momentum(mistake=None):
    def sgd_momentum(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-2)
        config.setdefault("momentum", 0.9)
        v = config.get("velocity", np.zeros_like(w))
        lr, mu = config["learning_rate"], config["momentum"]
        if mistake == "sign":
            v = mu * v - lr * dw
            next_w = w - v
        elif mistake == "old velocity":
            next_w = w + v
            v = mu * v - lr * dw
        elif mistake == "not stored":
            new_v = mu * v - lr * dw
            next_w = w + new_v
        elif mistake == "new dict":
            v = mu * v - lr * dw
            next_w = w + v
            config = dict(config)
        else:
            v = mu * v - lr * dw
            next_w = w + v
        config["velocity"] = v
        return next_w, config
    return sgd_momentum


def rmsprop(mistake=None):
    def rmsprop(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-2)
        config.setdefault("decay_rate", 0.99)
        config.setdefault("epsilon", 1e-8)
        config.setdefault("cache", np.zeros_like(w))
        decay, eps = config["decay_rate"], config["epsilon"]
        if mistake == "no 1 - decay":
            config["cache"] = decay * config["cache"] + dw * dw
        else:
            config["cache"] = decay * config["cache"] + (1 - decay) * dw * dw
        if mistake == "eps inside":
            next_w = w - config["learning_rate"] * dw / np.sqrt(config["cache"] + eps)
        else:
            next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + eps)
        return next_w, config
    return rmsprop


def adam(mistake=None):
    def adam(w, dw, config=None):
        if config is None:
            config = {}
        config.setdefault("learning_rate", 1e-3)
        config.setdefault("beta1", 0.9)
        config.setdefault("beta2", 0.999)
        config.setdefault("epsilon", 1e-8)
        config.setdefault("m", np.zeros_like(w))
        config.setdefault("v", np.zeros_like(w))
        config.setdefault("t", 0)
        b1, b2 = config["beta1"], config["beta2"]
        if mistake != "t after use":
            config["t"] += 1
        t = config["t"]
        config["m"] = b1 * config["m"] + (1 - b1) * dw
        config["v"] = b2 * config["v"] + (1 - b2) * (dw ** 2)
        if mistake == "no bias correction":
            m_hat, v_hat = config["m"], config["v"]
        else:
            m_hat = config["m"] / (1 - b1 ** t)
            v_hat = config["v"] / (1 - b2 ** t)
        next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
        if mistake == "t after use":
            config["t"] += 1
        return next_w, config
    return adam


MISTAKES = {
    "sgd": {"uphill": "the step goes up the gradient"},
    "sgd_momentum": {"sign": "momentum's sign", "old velocity": "the step uses the old velocity",
                     "not stored": "velocity not updated", "new dict": "config not updated in place"},
    "rmsprop": {"no 1 - decay": "RMSProp's (1 - decay_rate) missing", "eps inside": "epsilon inside the square root"},
    "adam": {"no bias correction": "Adam's bias correction missing", "t after use": "t incremented after its use"},
}
MAKERS = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}
