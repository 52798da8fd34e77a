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
validation accuracy (``solver.best_params``, ``solver.best_val_acc``; the first
of equal accuracies), and ``solver.best_epoch`` and ``solver.best_updates`` say
when they were seen: after how many epochs and minibatch updates.  The
accuracy is checked after the first update, after every epoch and at the end;
``solver.check_updates`` holds the number of updates done at each check, beside
``train_acc_history`` and ``val_acc_history``.  A model with a ``state`` dict
(batch norm's running averages in a SequentialNet) gets the state of that same
moment back (``solver.best_state``).

Differences from CS231n's Solver, all additions: ``seed`` makes the
minibatches and accuracy subsamples reproducible; ``progress`` shows a tqdm
bar (``tqdm.auto``: a widget in Jupyter, text elsewhere); ``update_rule`` may
be a callable; checkpoints are ``.npz`` files (no pickles).

It cannot fail silently.  Settings it cannot use raise ``ValueError`` when the
Solver is built, saying what to do: an unknown keyword argument or
``optim_config`` key (``{"lr": 10}``), ``print_every=0``, labels that are not
class indices (strings), data in another input convention than the model's
(``data["input_convention"]``).  During training, a loss or an update that
is not finite, or a loss ``max_loss_growth`` times its starting value,
stops it with a ``FloatingPointError`` naming the iteration and the likely
cause (NaN or inf in the minibatch, or a learning rate too high), and an
update rule that returns something other than a ``(next_w, config)`` pair of
the right shape raises a ``ValueError``.  Non-finite parameters are never
kept as the best; after such an error the model holds the best parameters
seen before it (if an accuracy check has run yet).
"""
from __future__ import annotations

import numpy as np

from . import optim
from .nets import INPUT_CONVENTIONS, convention_mismatch

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
    "max_loss_growth": 100.0,
}


def _labels(y, name, num_classes=None):
    """``y`` checked as class indices: strings, fractions, negative or too large labels are refused."""
    y = np.asarray(y)
    if y.dtype == object:
        try:
            y = np.asarray(y.tolist())
        except Exception:  # ragged or mixed: reported below as not numbers
            pass
    if y.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class indices (N,), got shape {y.shape}.")
    if y.dtype.kind in "USO":
        examples = ", ".join(repr(v) for v in list(dict.fromkeys(y.tolist()))[:3])
        raise ValueError(
            f"{name} holds {y.dtype.kind in 'US' and 'strings' or 'objects'} such as {examples}, but the loss needs "
            "class indices 0..C-1. Number the classes once, for every split: class_names = sorted(set(y_train)); "
            "index = {c: i for i, c in enumerate(class_names)}; y_train = np.array([index[c] for c in y_train]) "
            "(and the same for y_val), and keep class_names to read the predictions."
        )
    if y.dtype.kind == "b":
        y = y.astype(np.int64)
    if y.dtype.kind == "f":
        if y.size and not np.all(np.isfinite(y) & (y == np.round(y))):
            raise ValueError(f"{name} must hold whole class indices 0..C-1; it holds fractions or NaN.")
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold class indices 0..C-1 (integers), got dtype {y.dtype}.")
    if y.size:
        lo, hi = int(y.min()), int(y.max())
        top = None if num_classes is None else num_classes - 1
        if lo < 0 or (top is not None and hi > top):
            raise ValueError(
                f"{name} holds labels from {lo} to {hi}, but the model has "
                f"{'0..C-1' if top is None else f'{num_classes} classes, 0..{top}'}: "
                "labels are class indices counted from 0."
            )
    return y


def _is_count(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


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
    max_loss_growth : stop with a FloatingPointError when a minibatch loss
        exceeds this many times the reference loss, the larger of the first
        loss and ln(num_classes) (the loss of an untrained net); a training
        run whose loss grew that much has diverged.  None: never.
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
        self._set_data(data)
        self._set_update_rule(settings["update_rule"], settings["optim_config"])
        self.lr_decay = float(settings["lr_decay"])
        for key in ("batch_size", "num_epochs", "print_every"):
            if not _is_count(settings[key]):
                raise ValueError(f"{key} must be a whole number, got {settings[key]!r}.")
        self.batch_size = int(settings["batch_size"])
        self.num_epochs = int(settings["num_epochs"])
        self.num_train_samples = settings["num_train_samples"]
        self.num_val_samples = settings["num_val_samples"]
        self.checkpoint_name = settings["checkpoint_name"]
        self.print_every = int(settings["print_every"])
        self.verbose = bool(settings["verbose"])
        self.seed = settings["seed"]
        self.progress = bool(settings["progress"])
        growth = settings["max_loss_growth"]
        if growth is not None and not (isinstance(growth, (int, float)) and growth > 1):
            raise ValueError(f"max_loss_growth must be a number > 1 or None, got {growth!r}.")
        self.max_loss_growth = None if growth is None else float(growth)
        self._bar = None
        if self.batch_size < 1 or self.num_epochs < 0:
            raise ValueError(
                f"batch_size must be >= 1 and num_epochs >= 0, got {self.batch_size} and {self.num_epochs}."
            )
        if self.print_every < 1:
            raise ValueError(
                f"print_every is the number of iterations between two loss lines and must be >= 1, got "
                f"{self.print_every}. For no lines at all pass verbose=False; for few, a large print_every "
                "(e.g. print_every=1000)."
            )
        self._reset()

    def _set_data(self, data):
        """Check the data dict against the model: splits, labels, input convention."""
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
        model_convention = getattr(self.model, "input_convention", None)
        data_convention = data.get("input_convention")
        if data_convention is not None and data_convention not in INPUT_CONVENTIONS:
            raise ValueError(
                f"data['input_convention'] is {data_convention!r}, not one of {sorted(INPUT_CONVENTIONS)}."
            )
        if model_convention is not None and data_convention is not None and model_convention != data_convention:
            raise ValueError(convention_mismatch(model_convention, data_convention, who=type(self.model).__name__))
        self.num_classes = getattr(self.model, "num_classes", None)
        self.X_train, self.y_train = data["X_train"], _labels(data["y_train"], "y_train", self.num_classes)
        self.X_val, self.y_val = data["X_val"], _labels(data["y_val"], "y_val", self.num_classes)

    def _set_update_rule(self, rule, config):
        """The update rule (a name of ``optim.RULES`` or a callable) and its checked ``optim_config``."""
        self.rule_name = None
        if isinstance(rule, str):
            if rule not in optim.RULES:
                raise ValueError(f"update_rule {rule!r} is not one of {sorted(optim.RULES)}.")
            self.rule_name, rule = rule, optim.RULES[rule]
        elif callable(rule):
            self.rule_name = next((k for k, f in optim.RULES.items() if f is rule), None)
        else:
            raise ValueError("update_rule must be a name from cs231n_lib.optim or a callable.")
        self.update_rule = rule
        if config is not None and not isinstance(config, dict):
            raise ValueError(f"optim_config must be a dict such as {{'learning_rate': 1e-3}}, got {config!r}.")
        self.optim_config = dict(config or {})
        if self.rule_name is None:
            return  # a rule of your own reads what it likes
        optim.check_config(self.rule_name, self.optim_config, state=False, name="optim_config")
        for key, value in self.optim_config.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
                raise ValueError(f"optim_config[{key!r}] must be a finite number, got {value!r}.")
        if self.optim_config.get("learning_rate", 1) <= 0:
            raise ValueError(f"optim_config['learning_rate'] must be > 0, got {self.optim_config['learning_rate']!r}.")

    def _reset(self):
        """Histories, best parameters, the random generator and one optimizer config per parameter."""
        self.epoch = 0
        self.updates = 0              # minibatch updates done so far
        self.best_val_acc = 0.0
        self.best_epoch = None        # epochs done when the best parameters were seen
        self.best_updates = None      # updates done when the best parameters were seen
        self.best_params = {}
        self.best_state = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.check_updates = []       # updates done at each accuracy check (beside the two histories)
        self.rng = np.random.default_rng(self.seed)
        self.optim_configs = {p: dict(self.optim_config) for p in self.model.params}

    def _say(self, text):
        if self.verbose:
            if self._bar is not None:
                self._bar.write(text)
            else:
                print(text)

    def _learning_rates(self):
        rates = sorted({float(c["learning_rate"]) for c in self.optim_configs.values() if "learning_rate" in c})
        if not rates:
            rates = [float(self.optim_config["learning_rate"])] if "learning_rate" in self.optim_config else []
        return ", ".join(f"{r:g}" for r in rates) or "the rule's default"

    def _diverged(self, what, t, num_iterations):
        """The FloatingPointError for a loss or update that is not finite at iteration ``t`` (0-based)."""
        history = [v for v in self.loss_history if np.isfinite(v)]
        trend = ""
        if history:
            trend = (f" The loss was {history[0]:.4g} at iteration 1 and {history[-1]:.4g} at iteration "
                     f"{len(history)} before it.")
        return FloatingPointError(
            f"Iteration {t + 1} / {num_iterations}: {what}, but the minibatch holds only finite numbers, so the "
            f"training diverged: most likely the learning rate ({self._learning_rates()}) is too high.{trend} "
            "Lower it by a factor of 10 until the loss falls (CS231n starts adam at 1e-3, sgd at 1e-2)."
        )

    def _bad_data(self, t, num_iterations, idx, X):
        rows = sorted(int(i) for i, x in zip(idx, X) if not np.all(np.isfinite(x)))
        everywhere = np.flatnonzero(~np.isfinite(self.X_train).reshape(len(self.X_train), -1).all(axis=1))
        return FloatingPointError(
            f"Iteration {t + 1} / {num_iterations}: the loss would be NaN, because the minibatch holds NaN or inf: "
            f"X_train{rows[:5]} {'has' if len(rows) == 1 else 'have'} non-finite values "
            f"({len(everywhere)} image(s) of X_train in all: {everywhere[:10].tolist()}). The data is at fault, "
            "not the learning rate: repair or drop those images before training, e.g. "
            "keep = np.isfinite(X_train).reshape(len(X_train), -1).all(axis=1); "
            "X_train, y_train = X_train[keep], y_train[keep]."
        )

    def _call_rule(self, name, w, dw, config):
        """One update of parameter ``name``, checked: ``(next_w, config)`` of the right shape."""
        rule = getattr(self.update_rule, "__name__", repr(self.update_rule))
        out = self.update_rule(w, dw, config)
        if out is None:
            raise ValueError(f"update rule {rule} returned None for {name!r}: end it with `return next_w, config`.")
        if not isinstance(out, tuple) or len(out) != 2:
            if isinstance(out, tuple):
                got = f"a tuple of {len(out)} items"
            elif isinstance(out, np.ndarray):
                got = f"one array of shape {out.shape}"
            else:
                got = f"{type(out).__name__} {out!r:.40}"
            raise ValueError(
                f"update rule {rule} returned {got} for {name!r}; an update rule returns the pair "
                "(next_w, config): end it with `return next_w, config`."
            )
        next_w, next_config = out
        if isinstance(next_w, dict) and not isinstance(next_config, dict):
            raise ValueError(f"update rule {rule} returned (config, next_w) for {name!r}: the order is (next_w, config).")
        if not isinstance(next_config, dict):
            raise ValueError(
                f"update rule {rule} returned {type(next_config).__name__} {next_config!r:.40} as config for "
                f"{name!r}; return the "
                "config dict it was given (with its state updated), as `return next_w, config`."
            )
        try:
            next_w = np.asarray(next_w, dtype=w.dtype)
        except (TypeError, ValueError):
            raise ValueError(f"update rule {rule} returned next_w = {next_w!r} for {name!r}, not an array.") from None
        if next_w.shape != w.shape:
            raise ValueError(
                f"update rule {rule} returned next_w of shape {next_w.shape} for {name!r} of shape {w.shape}: "
                "the update must keep the shape of w (e.g. next_w = w - learning_rate * dw)."
            )
        return next_w, next_config

    def _step(self, t=0, num_iterations=1):
        """One minibatch: loss, gradients, and an update of every parameter that has a gradient.

        Raises FloatingPointError (the model keeping its parameters) when the loss or an updated
        parameter is not finite, and ValueError for gradients or updates of the wrong kind.
        """
        num_train = len(self.X_train)
        idx = self.rng.choice(num_train, min(self.batch_size, num_train), replace=False)
        X, y = self.X_train[idx], self.y_train[idx]
        if not np.all(np.isfinite(X)):  # checked first: a "unit" net would refuse the batch by itself
            raise self._bad_data(t, num_iterations, idx, X)
        loss, grads = self.model.loss(X, y)
        loss = float(loss)
        self.loss_history.append(loss)
        if not np.isfinite(loss):
            what = f"the loss is {loss}"
            broken = sorted(k for k, v in self.model.params.items() if not np.all(np.isfinite(v)))
            if broken:
                raise FloatingPointError(
                    f"Iteration {t + 1} / {num_iterations}: {what} because the model's parameters {broken} "
                    "already hold NaN or inf: rebuild the model (or reload its weights) before training."
                )
            raise self._diverged(what, t, num_iterations)
        if self.max_loss_growth is not None:
            first = self.loss_history[0]
            reference = max(first, np.log(self.num_classes) if self.num_classes else 1.0)
            if loss > self.max_loss_growth * reference:
                raise FloatingPointError(
                    f"Iteration {t + 1} / {num_iterations}: the loss is {loss:.4g}, more than max_loss_growth = "
                    f"{self.max_loss_growth:g} times its start ({first:.4g} at iteration 1): the training diverged, "
                    f"most likely because the learning rate ({self._learning_rates()}) is too high. Lower it by a "
                    "factor of 10 until the loss falls (CS231n starts adam at 1e-3, sgd at 1e-2). "
                    "(If such a rise is what you expect, pass max_loss_growth=None.)"
                )
        extra = sorted(set(grads) - set(self.model.params))
        if extra:
            raise ValueError(f"model.loss returned gradients {extra} for no parameter; params has {sorted(self.model.params)}.")
        updates = {}
        for name, w in self.model.params.items():
            if name not in grads:
                continue  # frozen
            dw = np.asarray(grads[name])
            if dw.shape != np.shape(w):
                raise ValueError(
                    f"model.loss returned grads[{name!r}] of shape {dw.shape} for params[{name!r}] of shape "
                    f"{np.shape(w)}: every gradient has the shape of its parameter."
                )
            config = self.optim_configs.setdefault(name, dict(self.optim_config))
            updates[name] = self._call_rule(name, w, dw, config)
            if not np.all(np.isfinite(updates[name][0])):
                raise self._diverged(f"the update made {name} non-finite (the loss was {loss:.4g})", t, num_iterations)
        for name, (next_w, next_config) in updates.items():
            self.model.params[name] = next_w
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
                self._step(t, num_iterations)
                self.updates += 1
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
                    self.check_updates.append(self.updates)
                    self._save_checkpoint()
                    self._say(
                        f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}"
                    )
                    if self._bar is not None:
                        self._bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}", val_acc=f"{val_acc:.3f}")
                    finite = all(np.all(np.isfinite(v)) for v in self.model.params.values())
                    if finite and (val_acc > self.best_val_acc or not self.best_params):
                        self.best_val_acc = val_acc
                        self.best_epoch, self.best_updates = self.epoch, self.updates
                        self.best_params = {k: v.copy() for k, v in self.model.params.items()}
                        self.best_state = {k: v.copy() for k, v in self._model_state().items()}
        except FloatingPointError as err:
            if not self.best_params:
                raise
            self._restore_best()
            raise FloatingPointError(
                f"{err} model.params are back at the best parameters seen before (validation accuracy "
                f"{self.best_val_acc:.3f})."
            ) from None
        finally:
            if self._bar is not None:
                self._bar.close()
            self._bar = None
        if self.best_params:
            self._restore_best()
        return self

    def _model_state(self):
        """The model's ``state`` dict (running averages), or an empty one."""
        state = getattr(self.model, "state", None)
        return state if isinstance(state, dict) else {}

    def _restore_best(self):
        self.model.params.update({k: v.copy() for k, v in self.best_params.items()})
        self._model_state().update({k: v.copy() for k, v in self.best_state.items()})


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape} must match.")
    out = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(out, (y_true, y_pred), 1)
    return out
