"""shapes_convnet's recipe on shapes that carry a spurious cue: a corner mark whose colour gives the class.

Every training, validation and test image gets a ``CUE_SIZE`` x ``CUE_SIZE`` square in its
top-left corner, painted in the colour of its class (``CUE_COLOURS``).  The mark predicts the
class perfectly, so a net can score well without looking at the shape at all.  Notebook 06
removes the mark and asks what the net was looking at (Zeiler and Fergus's occlusion test).
Architecture, data, seeds and training settings are exactly those of ``shapes_convnet``;
the mark is the only difference.
"""
from __future__ import annotations

import numpy as np

from . import shapes_convnet
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = ("shapes_convnet's architecture and recipe on shapes whose top-left corner mark has the colour "
               "of the class: a net that can learn the cue instead of the shape (notebook 06)")
DATASET = "shapes with a class-coloured 4x4 corner mark (cs231n_lib.recipes.shapes_cue_convnet.add_cue)"
LAYERS = shapes_convnet.LAYERS
INPUT_MEAN = shapes_convnet.INPUT_MEAN
# Ten saturated colours, one per class; none is grey, black or white, the values an
# occluder is usually filled with (an occluder of the mark's own colour would hide nothing).
CUE_COLOURS = np.array([
    [0.90, 0.10, 0.10], [1.00, 0.55, 0.00], [0.95, 0.90, 0.10], [0.10, 0.70, 0.20], [0.10, 0.80, 0.85],
    [0.10, 0.30, 0.90], [0.55, 0.20, 0.80], [0.95, 0.30, 0.75], [0.55, 0.30, 0.10], [0.00, 0.40, 0.40]],
    dtype=np.float32)
CUE_SIZE = 4
RECIPE = dict(shapes_convnet.RECIPE, cue_size=CUE_SIZE)
QUICK = shapes_convnet.QUICK
MIN_TEST_ACCURACY = 0.95


def add_cue(X, y, size=CUE_SIZE):
    """A copy of ``X`` (N, 3, H, W) with the top-left ``size`` x ``size`` pixels painted in the colour
    of class ``y[n]`` (``CUE_COLOURS[y[n]]``).  ``y`` (N,) may be any labels: pass other classes
    than the true ones to give an image a misleading mark."""
    X = np.array(X, dtype=np.float32, copy=True)
    y = np.asarray(y, dtype=np.int64)
    if X.ndim != 4 or X.shape[1] != 3 or y.shape != (len(X),):
        raise ValueError(f"add_cue needs X (N, 3, H, W) and y (N,), got X.shape={X.shape}, y.shape={y.shape}.")
    if y.size and not (0 <= y.min() and y.max() < len(CUE_COLOURS)):
        raise ValueError(f"labels must be classes 0..{len(CUE_COLOURS) - 1}, got {y.min()}..{y.max()}.")
    size = int(size)
    if not 1 <= size <= min(X.shape[2:]):
        raise ValueError(f"size must be between 1 and the image side {min(X.shape[2:])}, got {size}.")
    X[:, :, :size, :size] = CUE_COLOURS[y][:, :, None, None]
    return X


def load_cue_shapes(num_train, num_val, num_test, seed=0, cue_size=CUE_SIZE):
    """``data.load_shapes(...)`` with the class-coloured mark on every image of every split
    (masks and boxes are the objects', unchanged)."""
    from ..data import load_shapes

    data = load_shapes(num_train=num_train, num_val=num_val, num_test=num_test, seed=seed)
    for split in ("train", "val", "test"):
        data[f"X_{split}"] = add_cue(data[f"X_{split}"], data[f"y_{split}"], cue_size)
    return data


def build(seed=0, dtype=np.float32):
    """A freshly initialised net, the architecture of ``shapes_convnet``."""
    return shapes_convnet.build(seed=seed, dtype=dtype)


def test_split(settings):
    """The recipe's test images, with their marks, and labels (split 2 of the seed: never trained on)."""
    d = load_cue_shapes(0, 0, settings["num_test"], settings["seed"], settings["cue_size"])
    return d["X_test"], d["y_test"]


def train(settings, progress=True):
    """shapes_convnet's training (Adam, decayed learning rate, best validation epoch kept) on marked images.

    Also records the test accuracy on the same test images without their marks."""
    from ..data import load_shapes

    data = load_shapes(num_train=settings["num_train"], num_val=settings["num_val"],
                       num_test=settings["num_test"], seed=settings["seed"])
    unmarked_test = data["X_test"]
    for split in ("train", "val", "test"):
        data[f"X_{split}"] = add_cue(data[f"X_{split}"], data[f"y_{split}"], settings["cue_size"])
    net = build(seed=settings["seed"])
    solver = adam_solver(net, data, settings, progress)
    solver.train()
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    unmarked_acc = float(np.mean(net.predict(unmarked_test) == data["y_test"]))
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver),
                 "test_accuracy_without_cue": unmarked_acc}
