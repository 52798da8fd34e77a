"""Checkpoints of one training run, kept while the zoo's Solver trains (notebook 10).

The zoo trains through :func:`cs231n_lib.recipes.adam_solver`, whose Solver sees a *model*: anything
with ``params`` and ``loss(X, y=None)``.  :class:`Checkpointing` is such a model around a net: it
shares the net's ``params`` dict (so the Solver's updates land in the net) and, each time the
Solver calls ``loss``, it first copies the parameters if the number of updates done so far is one
of the listed ones.  At the start of any ``loss`` call the updates done are exactly the number of
earlier training calls (``y`` given): every training call is followed by one update before the
next call, and the accuracy checks (``y`` None) come after an update.  Watching changes nothing in
the training: the same numbers are computed in the same order.
"""
from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["Checkpointing", "params_sha256"]


def params_sha256(params):
    """sha256 of a parameter dict (names, dtypes, shapes and bytes, in name order): equal digests, equal weights."""
    h = hashlib.sha256()
    for key in sorted(params):
        value = np.ascontiguousarray(params[key])
        h.update(f"{key}:{value.dtype.str}:{value.shape};".encode())
        h.update(value.tobytes())
    return h.hexdigest()


class Checkpointing:
    """``net`` as the Solver's model, keeping a copy of its parameters after each of ``after_updates`` updates.

    after_updates : increasing whole numbers (0 is the untrained net).
    ``saved`` maps each number reached to ``{param name: array copy}``; :meth:`missing`
    lists the ones the training never reached.
    """

    def __init__(self, net, after_updates):
        wanted = [int(u) for u in after_updates]
        if not wanted or wanted != sorted(set(wanted)) or wanted[0] < 0:
            raise ValueError(f"after_updates must be increasing whole numbers from 0 up, got {list(after_updates)}.")
        self.net = net
        self.params = net.params            # the same dict: the Solver's updates go into the net
        self.state = getattr(net, "state", {})
        self.input_convention = getattr(net, "input_convention", None)
        self.num_classes = getattr(net, "num_classes", None)
        self.after_updates = wanted
        self.updates = 0                    # training calls so far = updates done before this call
        self.saved = {}

    def _keep(self):
        if self.updates in self.after_updates and self.updates not in self.saved:
            self.saved[self.updates] = {k: np.array(v, copy=True) for k, v in self.params.items()}

    def loss(self, X, y=None):
        self._keep()
        if y is not None:
            self.updates += 1
        return self.net.loss(X, y)

    def missing(self):
        """The listed numbers of updates the training did not reach."""
        return [u for u in self.after_updates if u not in self.saved]
