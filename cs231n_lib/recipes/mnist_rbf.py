"""An RBF network on real MNIST digits: Gaussian units around k-means prototypes, a softmax on top."""
from __future__ import annotations

import numpy as np

from .. import adversarial  # noqa: F401  (defines the "rbf" layer kind, which load_net needs to rebuild this net)
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = ("RBF network on real MNIST digits: 200 Gaussian units around k-means prototypes (20 per class, "
               "frozen) and a softmax classifier on top: notebook 08's RBF net")
DATASET = "MNIST (cs231n_lib.data.load_mnist(channels=1): 5,000 real digits padded to 32x32, one grey channel)"
# The width follows a rule (adversarial.rbf_gamma: gamma = 1 / (2 sigma^2), sigma^2 the mean squared
# distance from a training digit to its nearest prototype).  The number of prototypes and the learning
# rate had the best validation accuracy among per_class in {5, 10, 20} x learning_rate in {1e-2, 3e-2}
# (val 0.898; the others 0.80-0.878).
RECIPE = {"seed": 0, "num_train": 4000, "num_val": 500, "num_test": 500, "per_class": 20, "num_epochs": 20,
          "batch_size": 50, "learning_rate": 3e-2, "lr_decay": 0.95, "reg": 0.0}
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "per_class": 2, "num_epochs": 1}
MIN_TEST_ACCURACY = 0.88


def build(seed=0, dtype=np.float32, per_class=RECIPE["per_class"], gamma=1.0, reg=RECIPE["reg"]):
    """An RBF net for (1, 32, 32) digits in [0, 1] with ``10 * per_class`` Gaussian units at random
    places (``train`` puts them on k-means prototypes) and a fresh affine layer on top."""
    from ..adversarial import rbf_net

    centres = np.random.default_rng(seed).random((10 * per_class, 32 * 32))
    return rbf_net(centres, gamma, input_dim=(1, 32, 32), num_classes=10, reg=reg, seed=seed, dtype=dtype)


def _data(settings):
    from ..data import load_mnist

    return load_mnist(num_train=settings["num_train"], num_val=settings["num_val"],
                      num_test=settings["num_test"], seed=settings["seed"], channels=1)


def test_split(settings):
    """The recipe's test digits and labels (never trained on): mnist_convnet's, in one channel."""
    d = _data(settings)
    return d["X_test"], d["y_test"]


def train(settings, progress=True):
    """k-means prototypes of each class of the training digits, the width rule, then Adam on the
    affine layer (the prototypes stay fixed); the epoch with the best validation accuracy is kept."""
    from ..adversarial import kmeans_prototypes, rbf_gamma, rbf_net

    data = _data(settings)
    centres, _ = kmeans_prototypes(data["X_train"], data["y_train"], settings["per_class"], seed=settings["seed"])
    gamma = rbf_gamma(data["X_train"], centres)
    net = rbf_net(centres, gamma, input_dim=(1, 32, 32), num_classes=10, reg=settings["reg"], seed=settings["seed"])
    solver = adam_solver(net, data, settings, progress)
    solver.train()
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver), "gamma": gamma}
