"""The training loop: CS231n's ``Solver``, with a progress bar and a seed.

A Solver trains a *model* -- any object with

* ``model.params``: a dict from parameter names to arrays, and
* ``model.loss(X, y=None)``: scores when ``y`` is None, else ``(loss, grads)``
  with ``grads`` a dict like ``params``.  A parameter missing from ``grads``
  is frozen: the Solver leaves it untouched.

on a data dict with ``X_train, y_train, X_val, y_val`` (the layout of
:mod:`cs231n_lib.data`)::

    solver = Solver(model, data, update_rule="adam",
                    optim_config={"learning_rate": 1e-3},
                    num_epochs=5, batch_size=50, seed=0)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history

After ``train()``, ``model.params`` holds the parameters that had the best
validation accuracy (``solver.best_params``, ``solver.best_val_acc``).

Differences from CS231n's Solver, all additions: ``seed`` makes the
minibatches and accuracy subsamples reproducible; ``progress`` shows a tqdm
bar (``tqdm.auto``: a widget in Jupyter, text elsewhere); ``update_rule`` may
be a callable; checkpoints are ``.npz`` files (no pickles); unknown keyword
arguments raise ``ValueError`` instead of being ignored.
"""
from __future__ import annotations

import numpy as np

from . import optim

KWARGS = {
    "update_rule": "sgd",
    "optim_config": None,
    "lr_decay": 1.0,
    "batch_size": 100,
    "num_epochs": 10,
    "num_train_samples": 1000,
    "num_val_samples": None,
    "checkpoint_name": None,
    "print_every": 10,
    "verbose": True,
    # additions
    "seed": 0,
    "progress": True,
}


class Solver:
    """Minibatch training of a model with an update rule of :mod:`cs231n_lib.optim`.

    Parameters
    ----------
    model : object with ``params`` (dict name -> array) and ``loss(X, y=None)``.
    data : dict with ``X_train`` (N_train, ...), ``y_train`` (N_train,),
        ``X_val`` (N_val, ...), ``y_val`` (N_val,).
    update_rule : str ('sgd', 'sgd_momentum', 'rmsprop', 'adam') or callable.
    optim_config : dict of hyperparameters given to the update rule (each
        parameter gets its own copy, which also holds its state).
    lr_decay : the learning rate is multiplied by this after every epoch.
    batch_size : examples per minibatch.
    num_epochs : passes over the training set.
    num_train_samples : training examples used to measure training accuracy
        (None: all).
    num_val_samples : validation examples used to measure validation
        accuracy (None: all).
    checkpoint_name : if given, ``{checkpoint_name}_epoch_{epoch}.npz`` is
        written after every epoch.
    print_every : with ``verbose``, the training loss is printed every this
        many iterations.
    verbose : print progress lines (the one exception to "the library never prints").
    seed : seed of the ``numpy.random.default_rng`` that draws minibatches.
    progress : show a tqdm progress bar while training.
    """

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(KWARGS))
        if unknown:
            raise ValueError(
                f"Solver got unknown keyword argument(s) {unknown}; "
                f"the accepted ones are {sorted(KWARGS)}."
            )
        settings = dict(KWARGS, **kwargs)
        self.model = model
        if not hasattr(model, "params") or not hasattr(model, "loss"):
            raise ValueError("model must have a `params` dict and a `loss(X, y=None)` method.")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise ValueError(f"data lacks {missing}; it needs X_train, y_train, X_val and y_val.")
        for split in ("train", "val"):
            X, y = data[f"X_{split}"], data[f"y_{split}"]
            if len(X) != len(y):
                raise ValueError(
                    f"X_{split}.shape={np.shape(X)} and y_{split}.shape={np.shape(y)} "
                    "must have the same number of examples."
                )
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]

        rule = settings["update_rule"]
        if isinstance(rule, str):
            if rule not in optim.RULES:
                raise ValueError(f"update_rule {rule!r} is not one of {sorted(optim.RULES)}.")
            rule = optim.RULES[rule]
        elif not callable(rule):
            raise ValueError("update_rule must be a name from cs231n_lib.optim or a callable.")
        self.update_rule = rule
        self.optim_config = dict(settings["optim_config"] or {})
        self.lr_decay = float(settings["lr_decay"])
        self.batch_size = int(settings["batch_size"])
        self.num_epochs = int(settings["num_epochs"])
        self.num_train_samples = settings["num_train_samples"]
        self.num_val_samples = settings["num_val_samples"]
        self.checkpoint_name = settings["checkpoint_name"]
        self.print_every = int(settings["print_every"])
        self.verbose = bool(settings["verbose"])
        self.seed = settings["seed"]
        self.progress = bool(settings["progress"])
        self._bar = None
        if self.batch_size < 1 or self.num_epochs < 0:
            raise ValueError(
                f"batch_size must be >= 1 and num_epochs >= 0, got {self.batch_size} and {self.num_epochs}."
            )
        self._reset()

    def _reset(self):
        """Histories, best parameters, the random generator and one optimizer config per parameter."""
        self.epoch = 0
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.rng = np.random.default_rng(self.seed)
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _say(self, text):
        if self.verbose:
            if self._bar is not None:
                self._bar.write(text)
            else:
                print(text)

    def _step(self):
        """One minibatch: loss, gradients, and an update of every parameter that has a gradient."""
        num_train = len(self.X_train)
        idx = self.rng.choice(num_train, min(self.batch_size, num_train), replace=False)
        loss, grads = self.model.loss(self.X_train[idx], self.y_train[idx])
        self.loss_history.append(float(loss))
        for name, w in self.model.params.items():
            if name not in grads:
                continue  # frozen
            config = self.optim_configs.setdefault(name, dict(self.optim_config))
            next_w, next_config = self.update_rule(w, grads[name], config)
            self.model.params[name] = np.asarray(next_w, dtype=w.dtype)
            self.optim_configs[name] = next_config

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of ``X`` classified as ``y`` (a float); on a random subset of ``num_samples`` if given."""
        N = len(X)
        if num_samples is not None and N > num_samples:
            idx = self.rng.choice(N, num_samples, replace=False)
            X, y = X[idx], y[idx]
            N = num_samples
        preds = []
        for start in range(0, N, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            preds.append(np.argmax(scores, axis=1))
        if N == 0:
            return 0.0
        return float(np.mean(np.concatenate(preds) == np.asarray(y)))

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        arrays = {f"param_{k}": v for k, v in self.model.params.items()}
        np.savez(
            f"{self.checkpoint_name}_epoch_{self.epoch}.npz",
            epoch=self.epoch,
            batch_size=self.batch_size,
            lr_decay=self.lr_decay,
            loss_history=np.asarray(self.loss_history),
            train_acc_history=np.asarray(self.train_acc_history),
            val_acc_history=np.asarray(self.val_acc_history),
            **arrays,
        )

    def train(self):
        """Run ``num_epochs`` epochs; return ``self`` (so ``Solver(...).train()`` chains)."""
        num_train = len(self.X_train)
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch
        self._bar = None
        if self.progress and num_iterations:
            from .progress import progress_bar  # tqdm.auto; a saved notebook shows its final state

            self._bar = progress_bar(total=num_iterations, desc="training", unit="it")
        try:
            for t in range(num_iterations):
                self._step()
                if self._bar is not None:
                    self._bar.update(1)
                    self._bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}", refresh=False)
                if t % self.print_every == 0:
                    self._say(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")
                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    for config in self.optim_configs.values():
                        if "learning_rate" in config:
                            config["learning_rate"] *= self.lr_decay
                first, last = t == 0, t == num_iterations - 1
                if first or last or epoch_end:
                    train_acc = self.check_accuracy(self.X_train, self.y_train, self.num_train_samples)
                    val_acc = self.check_accuracy(self.X_val, self.y_val, self.num_val_samples)
                    self.train_acc_history.append(train_acc)
                    self.val_acc_history.append(val_acc)
                    self._save_checkpoint()
                    self._say(
                        f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}"
                    )
                    if self._bar is not None:
                        self._bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}", val_acc=f"{val_acc:.3f}")
                    if val_acc > self.best_val_acc or not self.best_params:
                        self.best_val_acc = val_acc
                        self.best_params = {k: v.copy() for k, v in self.model.params.items()}
        finally:
            if self._bar is not None:
                self._bar.close()
            self._bar = None
        if self.best_params:
            self.model.params.update({k: v.copy() for k, v in self.best_params.items()})
        return self


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape} must match.")
    out = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(out, (y_true, y_pred), 1)
    return out
