"""mnist_convnet's architecture trained by defensive distillation (Papernot et al. 2016) at T = 100."""
from __future__ import annotations

import numpy as np

from .mnist_convnet import RECIPE as PLAIN_RECIPE
from .mnist_convnet import build, shifted_copies
from . import adam_solver, test_accuracy

DESCRIPTION = ("mnist_convnet's architecture and data, trained by defensive distillation (Papernot et al. 2016): a "
               "first net trained with its softmax at temperature T, then this net on the first one's "
               "probabilities at T, used at T = 1: notebook 08's distilled net")
DATASET = "MNIST (cs231n_lib.data.load_mnist: 5,000 real digits padded to 32x32, grey repeated in 3 channels)"
# Papernot et al.'s procedure with their MNIST temperature, T = 100, on mnist_convnet's digits,
# shifted copies and optimizer, for 3 epochs instead of 6 (twice): (1) a first net (another seed) trained on the labels with
# softmax(z / T); (2) this net trained on the first one's softmax(z / T) of the same training
# images; (3) used with T = 1, i.e. its logits z as they are.
RECIPE = dict(PLAIN_RECIPE, temperature=100.0, teacher_seed=1, num_epochs=3)
# What the shipped file cost to make (`--retrain`, one BLAS thread, on a 2-core machine shared with
# other jobs at a load average of about 9): two trainings of half mnist_convnet's.  The time is not
# written into the file (it would change its bytes from run to run); the shipped file, made before
# that was noticed, still records training_seconds.
COST = {"wall_seconds": 1305, "cpu_seconds": 121, "load_average": 9}
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "shifted_copies": 1, "num_epochs": 1}
MIN_TEST_ACCURACY = 0.95


def _data(settings):
    from ..data import load_mnist

    return load_mnist(num_train=settings["num_train"], num_val=settings["num_val"],
                      num_test=settings["num_test"], seed=settings["seed"])


def test_split(settings):
    """The recipe's test digits and labels (never trained on): mnist_convnet's test split."""
    d = _data(settings)
    return d["X_test"], d["y_test"]


def train(settings, progress=True):
    """The teacher at temperature T on the labels, then this net at T on the teacher's probabilities."""
    from ..adversarial import TemperatureObjective, scores

    data = _data(settings)
    data["X_train"], data["y_train"] = shifted_copies(data["X_train"], data["y_train"], settings["shifted_copies"],
                                                      settings["max_shift"], settings["seed"] + 1)
    T = settings["temperature"]
    teacher = build(seed=settings["teacher_seed"], reg=settings["reg"])
    adam_solver(TemperatureObjective(teacher, T), data, dict(settings, seed=settings["teacher_seed"]),
                progress).train()
    net = build(seed=settings["seed"], reg=settings["reg"])
    solver = adam_solver(TemperatureObjective(net, T, teacher=teacher), data, settings, progress)
    solver.train()
    X_test, y_test = test_split(settings)
    z = scores(net, X_test)
    top2 = np.sort(z, axis=1)[:, -2:]
    return net, {"test_accuracy": test_accuracy(net, X_test, y_test),
                 "teacher_test_accuracy": test_accuracy(teacher, X_test, y_test),
                 "best_val_accuracy": float(solver.best_val_acc),
                 "median_logit_gap": float(np.median(top2[:, 1] - top2[:, 0]))}
