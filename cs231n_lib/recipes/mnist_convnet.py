"""A LeNet-like ConvNet on real MNIST digits, with 5x5 first-layer filters worth looking at."""
from __future__ import annotations

import numpy as np

from ..nets import SequentialNet
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = ("LeNet-like ConvNet on real MNIST digits: 5x5 first-layer filters (notebook 06 draws them), "
               "used by notebooks 06-09")
DATASET = "MNIST (cs231n_lib.data.load_mnist: 5,000 real digits padded to 32x32, grey repeated in 3 channels)"
LAYERS = [
    ("conv1", {"kind": "conv", "num_filters": 16, "filter_size": 5}),
    ("relu1", {"kind": "relu"}),
    ("pool1", {"kind": "pool", "size": 2}),
    ("conv2", {"kind": "conv", "num_filters": 32, "filter_size": 5}),
    ("relu2", {"kind": "relu"}),
    ("pool2", {"kind": "pool", "size": 2}),
    ("fc1", {"kind": "affine", "out_dim": 128}),
    ("relu3", {"kind": "relu"}),
    ("fc2", {"kind": "affine", "out_dim": 10}),
]
INPUT_MEAN = 0.5
# 4,000 training digits and three copies of each shifted by up to 2 pixels (the
# 32x32 canvas leaves room): the shifts are what take the test accuracy past 98%.
RECIPE = {"seed": 0, "num_train": 4000, "num_val": 500, "num_test": 500, "shifted_copies": 3, "max_shift": 2,
          "num_epochs": 6, "batch_size": 50, "learning_rate": 1e-3, "lr_decay": 0.9, "reg": 5e-4}
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "shifted_copies": 1, "num_epochs": 1}
MIN_TEST_ACCURACY = 0.97


def build(seed=0, dtype=np.float32, reg=RECIPE["reg"]):
    """A freshly initialised net for (3, 32, 32) MNIST digits in [0, 1], 10 classes."""
    return SequentialNet(LAYERS, input_dim=(3, 32, 32), seed=seed, dtype=dtype, input_mean=INPUT_MEAN,
                         input_convention="unit", reg=reg)


def _data(settings):
    from ..data import load_mnist

    return load_mnist(num_train=settings["num_train"], num_val=settings["num_val"],
                      num_test=settings["num_test"], seed=settings["seed"])


def test_split(settings):
    """The recipe's test digits and labels (never trained on)."""
    d = _data(settings)
    return d["X_test"], d["y_test"]


def shifted_copies(X, y, copies, max_shift, seed):
    """``X`` (N, C, H, W) followed by ``copies`` copies of it, each image moved by a random
    whole number of pixels in [-max_shift, max_shift] along each axis (what leaves one
    edge comes back at the other; MNIST's padded border is zero there).  Returns ``(X', y')``."""
    rng = np.random.default_rng(seed)
    Xs, ys = [X], [y]
    for _ in range(int(copies)):
        shifts = rng.integers(-max_shift, max_shift + 1, size=(len(X), 2))
        Xs.append(np.stack([np.roll(img, (int(dy), int(dx)), axis=(1, 2)) for img, (dy, dx) in zip(X, shifts)]))
        ys.append(y)
    return np.concatenate(Xs), np.concatenate(ys)


def train(settings, progress=True, checkpoint_name=None):
    """Adam on the training digits and their shifted copies; the best validation epoch is kept.

    ``checkpoint_name``: also write the parameters at every accuracy check (see
    :func:`cs231n_lib.recipes.adam_solver`; notebook 06's filter experiment reads them)."""

    data = _data(settings)
    data["X_train"], data["y_train"] = shifted_copies(data["X_train"], data["y_train"], settings["shifted_copies"],
                                                      settings["max_shift"], settings["seed"] + 1)
    net = build(seed=settings["seed"], reg=settings["reg"])
    solver = adam_solver(net, data, settings, progress, checkpoint_name)
    solver.train()
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver)}
