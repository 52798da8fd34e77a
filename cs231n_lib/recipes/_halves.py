"""What the two half-shapes nets share (notebook 09): the data of one half of the shapes
classes, the architecture and the training.

Yosinski et al. (2014) split ImageNet's classes into two halves A and B and trained one
net on each; transfer learning then copies layers of the A net into a net for B.  Here
the halves are the shapes classes 0-4 and 5-9 of :data:`cs231n_lib.data.SHAPE_CLASSES`;
:mod:`.shapes_half_a` and :mod:`.shapes_half_b` are the two zoo entries, the same recipe
with another ``classes`` setting.
"""
from __future__ import annotations

import numpy as np

from ..nets import SequentialNet
from . import adam_solver, shapes_convnet, test_accuracy, training_record

__all__ = ["LAYERS", "INPUT_MEAN", "QUICK", "MIN_TEST_ACCURACY", "load_half", "build_half", "half_test_split",
           "train_half"]

# The reference net of notebook 05 (shapes_convnet); build_half gives it a head of the half's classes.
LAYERS = shapes_convnet.LAYERS
INPUT_MEAN = shapes_convnet.INPUT_MEAN  # the net centres its inputs itself: it is fed images in [0, 1]
QUICK = dict(shapes_convnet.QUICK)
MIN_TEST_ACCURACY = 0.9


def load_half(classes, num_train=0, num_val=0, num_test=0, seed=0):
    """Shapes of the given classes only, in CS231n's layout, labelled 0..K-1 in the order of ``classes``.

    Split k (0, 1, 2 for train, validation, test) is ``make_shapes(n, seed, split=k,
    classes=classes)``: the splits share no image, and each is class-balanced.
    ``class_names`` are the shapes' names; ``classes`` is kept as ``data["classes"]``.
    """
    from ..data import SHAPE_CLASSES, make_shapes

    classes = [int(c) for c in classes]
    lookup = np.full(len(SHAPE_CLASSES), -1, dtype=np.int64)
    lookup[classes] = np.arange(len(classes))
    data = {}
    for split_id, (split, n) in enumerate((("train", num_train), ("val", num_val), ("test", num_test))):
        part = make_shapes(n, seed=seed, split=split_id, classes=classes)
        data[f"X_{split}"], data[f"y_{split}"] = part["X"], lookup[part["y"]]
    data["class_names"] = [SHAPE_CLASSES[c] for c in classes]
    data["classes"] = classes
    data["input_convention"] = "unit"
    return data


def build_half(num_classes=5, seed=0, dtype=np.float32):
    """A freshly initialised net for (3, 32, 32) shapes images in [0, 1], ``num_classes`` scores."""
    layers = LAYERS[:-1] + [("fc2", {"kind": "affine", "out_dim": int(num_classes)})]
    return SequentialNet(layers, input_dim=(3, 32, 32), seed=seed, dtype=dtype, input_mean=INPUT_MEAN,
                         input_convention="unit")


def half_test_split(settings):
    """The recipe's test images and labels (split 2 of ``data_seed``: never trained on)."""
    d = load_half(settings["classes"], num_test=settings["num_test"], seed=settings["data_seed"])
    return d["X_test"], d["y_test"]


def train_half(settings, progress=True):
    """Adam with a learning rate decayed every epoch; the parameters of the best validation epoch are kept."""
    data = load_half(settings["classes"], settings["num_train"], settings["num_val"], settings["num_test"],
                     seed=settings["data_seed"])
    net = build_half(len(settings["classes"]), seed=settings["seed"])
    solver = adam_solver(net, data, settings, progress)
    solver.train()
    test_acc = test_accuracy(net, data["X_test"], data["y_test"])
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver),
                 "class_names": data["class_names"], "classes": data["classes"]}
