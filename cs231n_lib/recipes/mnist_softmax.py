"""A shallow softmax classifier (one affine layer) on real MNIST digits: notebook 08's linear model."""
from __future__ import annotations

import numpy as np

from ..nets import SequentialNet
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = ("shallow softmax classifier (one affine layer, 1,024 grey pixels -> 10 scores) on real MNIST digits: "
               "the linear model of notebook 08")
DATASET = "MNIST (cs231n_lib.data.load_mnist(channels=1): 5,000 real digits padded to 32x32, one grey channel)"
LAYERS = [("fc", {"kind": "affine", "out_dim": 10})]
# The learning rate and weight penalty had the best validation accuracy among
# learning_rate in {1e-3, 3e-3} x reg in {0, 1e-3, 1e-2} (val 0.908; the others 0.892-0.906).
RECIPE = {"seed": 0, "num_train": 4000, "num_val": 500, "num_test": 500, "num_epochs": 20, "batch_size": 50,
          "learning_rate": 3e-3, "lr_decay": 0.95, "reg": 0.0}
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "num_epochs": 1}
MIN_TEST_ACCURACY = 0.88


def build(seed=0, dtype=np.float32, reg=RECIPE["reg"]):
    """A freshly initialised softmax classifier for (1, 32, 32) digits in [0, 1], 10 classes."""
    return SequentialNet(LAYERS, input_dim=(1, 32, 32), seed=seed, dtype=dtype, input_convention="unit", reg=reg)


def _data(settings):
    from ..data import load_mnist

    return load_mnist(num_train=settings["num_train"], num_val=settings["num_val"],
                      num_test=settings["num_test"], seed=settings["seed"], channels=1)


def test_split(settings):
    """The recipe's test digits and labels (never trained on): mnist_convnet's, in one channel."""
    d = _data(settings)
    return d["X_test"], d["y_test"]


def train(settings, progress=True):
    """Adam on the softmax loss; the epoch with the best validation accuracy is kept."""

    data = _data(settings)
    net = build(seed=settings["seed"], reg=settings["reg"])
    solver = adam_solver(net, data, settings, progress)
    solver.train()
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver)}
