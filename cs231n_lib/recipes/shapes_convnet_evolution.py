"""``shapes_convnet``'s training run watched: its parameters kept at ten moments of training (notebook 10).

Zeiler and Fergus (2014, Fig. 4) follow the strongest activations of a few units of each layer
through training, at epochs 1, 2, 5, 10, 20, 30, 40 and 64.  This recipe is ``shapes_convnet``'s
(same architecture, data, seed, optimiser, epochs and learning rate: the same steps), trained
through :func:`~cs231n_lib.recipes.adam_solver` with the net seen through
:class:`~cs231n_lib.recipes._checkpoints.Checkpointing`, which copies the parameters after each
number of updates in ``checkpoint_updates`` (0, 10, 20, 40, ..., 2,560: every doubling, from the
untrained net to the last update of epoch 8).  The zoo file holds the net the recipe keeps (the best
validation epoch's) and records each checkpoint's digest; the checkpoints themselves are
``data/zeiler_fergus/checkpoints.npz``, written by ``python -m cs231n_lib.zeiler_fergus --checkpoints``
from the same ``train`` (``keep=`` receives them).
"""
from __future__ import annotations

from . import adam_solver, shapes_convnet, test_accuracy, training_record
from ._checkpoints import Checkpointing, params_sha256

DESCRIPTION = ("notebook 10's watched training run: shapes_convnet's architecture and recipe, its parameters "
               "kept after 0, 10, 20, 40, ..., 2,560 updates (data/zeiler_fergus/checkpoints.npz)")
DATASET = shapes_convnet.DATASET
LAYERS = shapes_convnet.LAYERS
INPUT_MEAN = shapes_convnet.INPUT_MEAN
RECIPE = dict(shapes_convnet.RECIPE, checkpoint_updates=[0, 10, 20, 40, 80, 160, 320, 640, 1280, 2560])
QUICK = dict(shapes_convnet.QUICK, checkpoint_updates=[0, 1, 2])
MIN_TEST_ACCURACY = shapes_convnet.MIN_TEST_ACCURACY
build = shapes_convnet.build
test_split = shapes_convnet.test_split


def train(settings, progress=True, keep=None):
    """``shapes_convnet``'s recipe, its parameters copied after each of ``settings["checkpoint_updates"]`` updates.

    keep : a dict that receives the checkpoints, ``{updates: {param name: array}}`` (None: only
        their digests are recorded, in ``info["checkpoints"]``).
    Returns ``(net, info)``; the net holds the best validation epoch's parameters, as every zoo net.
    """
    from ..data import load_shapes

    data = load_shapes(num_train=settings["num_train"], num_val=settings["num_val"],
                       num_test=settings["num_test"], seed=settings["seed"])
    net = build(seed=settings["seed"])
    watched = Checkpointing(net, settings["checkpoint_updates"])
    solver = adam_solver(watched, data, settings, progress)
    solver.train()
    if watched.missing():
        raise ValueError(f"checkpoint_updates {watched.missing()} lie beyond the {watched.updates} updates this "
                         "recipe runs: list only numbers up to num_epochs * (num_train // batch_size).")
    X_test, y_test = test_split(settings)
    after = watched.after_updates
    info = {"test_accuracy": test_accuracy(net, X_test, y_test), "best_val_accuracy": float(solver.best_val_acc),
            "training": training_record(solver),
            "checkpoints": {"after_updates": after,
                            "updates_per_epoch": max(settings["num_train"] // settings["batch_size"], 1),
                            "params_sha256": [params_sha256(watched.saved[u]) for u in after],
                            "val_accuracy_at_epochs": [float(a) for a in solver.val_acc_history]}}
    if keep is not None:
        keep.update(watched.saved)
    return net, info
