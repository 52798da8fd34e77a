"""The reference ConvNet on the shapes data set: three conv-relu-pool stages and a classifier."""
from __future__ import annotations

import numpy as np

from ..nets import SequentialNet
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = "the reference ConvNet of notebook 05: three 3x3 conv-relu-pool stages, 10 shapes classes"
DATASET = "shapes (cs231n_lib.data.load_shapes, 32x32 RGB, 10 classes)"
LAYERS = [
    ("conv1", {"kind": "conv", "num_filters": 16, "filter_size": 3}),
    ("relu1", {"kind": "relu"}),
    ("pool1", {"kind": "pool", "size": 2}),
    ("conv2", {"kind": "conv", "num_filters": 32, "filter_size": 3}),
    ("relu2", {"kind": "relu"}),
    ("pool2", {"kind": "pool", "size": 2}),
    ("conv3", {"kind": "conv", "num_filters": 32, "filter_size": 3}),
    ("relu3", {"kind": "relu"}),
    ("pool3", {"kind": "pool", "size": 2}),
    ("fc1", {"kind": "affine", "out_dim": 64}),
    ("relu4", {"kind": "relu"}),
    ("fc2", {"kind": "affine", "out_dim": 10}),
]
# The net centres its inputs itself: it is fed images in [0, 1].
INPUT_MEAN = 0.5
RECIPE = {"seed": 0, "num_train": 16000, "num_val": 500, "num_test": 1000, "num_epochs": 8,
          "batch_size": 50, "learning_rate": 3e-3, "lr_decay": 0.85}
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "num_epochs": 1}
MIN_TEST_ACCURACY = 0.95


def build(seed=0, dtype=np.float32):
    """A freshly initialised reference net for (3, 32, 32) shapes images in [0, 1], 10 classes."""
    return SequentialNet(LAYERS, input_dim=(3, 32, 32), seed=seed, dtype=dtype, input_mean=INPUT_MEAN,
                         input_convention="unit")


def test_split(settings):
    """The recipe's test images and labels (split 2 of the seed: never trained on)."""
    from ..data import load_shapes

    d = load_shapes(num_train=0, num_val=0, num_test=settings["num_test"], seed=settings["seed"])
    return d["X_test"], d["y_test"]


def train(settings, progress=True):
    """Adam with a learning rate decayed every epoch; the parameters of the best validation epoch are kept."""
    from ..data import load_shapes

    data = load_shapes(num_train=settings["num_train"], num_val=settings["num_val"],
                       num_test=settings["num_test"], seed=settings["seed"])
    net = build(seed=settings["seed"])
    solver = adam_solver(net, data, settings, progress)
    solver.train()
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver)}
