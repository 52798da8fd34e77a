"""Recipes of the model zoo: one module per shipped net (see :mod:`cs231n_lib.pretrained`).

A recipe module ``<name>.py`` defines

* ``DESCRIPTION`` -- one sentence: what the net is for;
* ``DATASET`` -- the data set it was trained on, in words;
* ``RECIPE`` -- a dict of every setting ``train`` reads (seed, sizes,
  epochs, learning rate, ...); it is stored in the shipped file;
* ``QUICK`` -- overrides of ``RECIPE`` that train in a second or two (the
  tests rebuild every recipe with them, twice, and compare the bytes);
* ``MIN_TEST_ACCURACY`` -- what the shipped net must reach (a test holds it);
* ``build(seed=0, dtype=np.float32)`` -- the untrained net;
* ``test_split(settings)`` -- ``(X_test, y_test)`` the accuracy is measured on;
* ``train(settings, progress=True)`` -- trains ``build(settings["seed"])``
  and returns ``(net, info)``, where ``info`` holds at least
  ``test_accuracy`` (a float), ``best_val_accuracy`` and ``training``
  (:func:`training_record` of its Solver: which epoch's weights were kept,
  after how many updates), and any other number worth recording.

``python -m cs231n_lib.pretrained --retrain <name>`` runs ``train`` with one
BLAS thread and writes ``data/zoo/<name>.npz``.  A new zoo entry is a new
module here plus its two files in ``data/zoo/``; nothing else changes.
"""


def adam_solver(model, data, settings, progress=True, checkpoint_name=None):
    """The zoo's training loop, untrained: Adam at ``settings["learning_rate"]`` decayed by
    ``settings["lr_decay"]`` every epoch, ``num_epochs`` epochs of ``batch_size`` images, the
    parameters of the best validation epoch kept, shuffled by ``settings["seed"]``.

    ``model`` is a net (or anything with ``loss(X, y)`` and ``params``); ``data`` the Solver's dict
    (``X_train``, ``y_train``, ``X_val``, ``y_val``).  ``checkpoint_name``: write the parameters at
    every accuracy check to ``{checkpoint_name}_epoch_{epoch}.npz`` (the Solver's checkpoints; they
    change nothing in the training).  Returns the :class:`~cs231n_lib.solver.Solver`; call
    ``.train()`` on it, then :func:`training_record` says which epoch's parameters it kept.
    """
    from ..solver import Solver

    return Solver(model, data, update_rule="adam", optim_config={"learning_rate": settings["learning_rate"]},
                  lr_decay=settings["lr_decay"], num_epochs=settings["num_epochs"],
                  batch_size=settings["batch_size"], num_train_samples=1000, seed=settings["seed"],
                  verbose=False, progress=progress, checkpoint_name=checkpoint_name)


def test_accuracy(net, X, y):
    """Fraction of ``X`` (N, C, H, W) that ``net`` labels as ``y`` (N,), as a Python float."""
    import numpy as np

    return float(np.mean(net.predict(X) == y))


def training_record(solver):
    """What a trained Solver kept, as plain values for a zoo file's metadata (``meta["training"]``).

    The zoo keeps the parameters of the best validation accuracy, not the last ones, so "trained
    for N updates" should read ``kept_updates`` here, not ``num_epochs`` times ``updates_per_epoch``::

        {"kept_by": "best validation accuracy (the first of equals)",
         "num_epochs": 6, "updates_per_epoch": 320, "updates": 1920,     # what the recipe ran
         "kept_epoch": 5, "kept_updates": 1600,                          # what the weights are
         "checks_after_updates": [1, 320, ..., 1920],                    # when accuracy was checked
         "val_accuracy": [...], "train_accuracy": [...]}                 # what it was (train: 1,000 sampled)

    ``kept_epoch`` is 0 when the best check was the one after the first update.
    """
    if solver.best_updates is None:
        raise ValueError("the Solver has kept no parameters yet: call solver.train() first.")
    num_train = len(solver.X_train)
    return {"kept_by": "best validation accuracy (the first of equals)",
            "num_epochs": int(solver.num_epochs),
            "updates_per_epoch": int(max(num_train // solver.batch_size, 1)),
            "updates": int(solver.updates),
            "kept_epoch": int(solver.best_epoch),
            "kept_updates": int(solver.best_updates),
            "checks_after_updates": [int(u) for u in solver.check_updates],
            "val_accuracy": [float(a) for a in solver.val_acc_history],
            "train_accuracy": [float(a) for a in solver.train_acc_history]}
