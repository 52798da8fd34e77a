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
  ``test_accuracy`` (a float) and any other number worth recording.

``python -m cs231n_lib.pretrained --retrain <name>`` runs ``train`` with one
BLAS thread and writes ``data/zoo/<name>.npz``.  A new zoo entry is a new
module here plus its two files in ``data/zoo/``; nothing else changes.
"""


def adam_solver(model, data, settings, progress=True):
    """The zoo's training loop, untrained: Adam at ``settings["learning_rate"]`` decayed by
    ``settings["lr_decay"]`` every epoch, ``num_epochs`` epochs of ``batch_size`` images, the
    parameters of the best validation epoch kept, shuffled by ``settings["seed"]``.

    ``model`` is a net (or anything with ``loss(X, y)`` and ``params``); ``data`` the Solver's dict
    (``X_train``, ``y_train``, ``X_val``, ``y_val``).  Returns the :class:`~cs231n_lib.solver.Solver`;
    call ``.train()`` on it.
    """
    from ..solver import Solver

    return Solver(model, data, update_rule="adam", optim_config={"learning_rate": settings["learning_rate"]},
                  lr_decay=settings["lr_decay"], num_epochs=settings["num_epochs"],
                  batch_size=settings["batch_size"], num_train_samples=1000, seed=settings["seed"],
                  verbose=False, progress=progress)


def test_accuracy(net, X, y):
    """Fraction of ``X`` (N, C, H, W) that ``net`` labels as ``y`` (N,), as a Python float."""
    import numpy as np

    return float(np.mean(net.predict(X) == y))
