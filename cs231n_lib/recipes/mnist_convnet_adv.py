"""mnist_convnet's twin trained with the adversarial objective of Goodfellow et al. (2015), section 6."""
from __future__ import annotations

import numpy as np

from .mnist_convnet import RECIPE as PLAIN_RECIPE
from .mnist_convnet import build, shifted_copies
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = ("mnist_convnet's architecture, data and optimizer, trained on alpha * J(x) + (1 - alpha) * J(x + eps * "
               "sign(grad_x J)) (Goodfellow et al. 2015, sec. 6): notebook 08's adversarially trained net")
DATASET = "MNIST (cs231n_lib.data.load_mnist: 5,000 real digits padded to 32x32, grey repeated in 3 channels)"
# Everything as in mnist_convnet (same seed, digits, shifted copies, epochs, Adam), plus the
# paper's alpha and eps.  The FGSM examples of each minibatch are made against the current
# weights, clipped to [0, 1], and give every channel the same change (the digit stays grey).
RECIPE = dict(PLAIN_RECIPE, alpha=0.5, eps=0.25)
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "shifted_copies": 1, "num_epochs": 1}
MIN_TEST_ACCURACY = 0.97


def _data(settings):
    from ..data import load_mnist

    return load_mnist(num_train=settings["num_train"], num_val=settings["num_val"],
                      num_test=settings["num_test"], seed=settings["seed"])


def test_split(settings):
    """The recipe's test digits and labels (never trained on): mnist_convnet's test split."""
    d = _data(settings)
    return d["X_test"], d["y_test"]


def train(settings, progress=True):
    """Adam on the adversarial objective; the epoch with the best clean validation accuracy is kept."""
    from ..adversarial import AdversarialObjective, evaluate, fgsm

    data = _data(settings)
    data["X_train"], data["y_train"] = shifted_copies(data["X_train"], data["y_train"], settings["shifted_copies"],
                                                      settings["max_shift"], settings["seed"] + 1)
    net = build(seed=settings["seed"], reg=settings["reg"])
    objective = AdversarialObjective(net, alpha=settings["alpha"], eps=settings["eps"], clip=(0, 1),
                                     tie_channels=True)
    solver = adam_solver(objective, data, settings, progress)
    solver.train()
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    X_adv = fgsm(net, X_test, y_test, settings["eps"], clip=(0, 1), tie_channels=True)
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver),
                 "fgsm_test_error": float(evaluate(net, X_adv, y_test).error),
                 "final_loss": float(np.mean(solver.loss_history[-20:]))}
