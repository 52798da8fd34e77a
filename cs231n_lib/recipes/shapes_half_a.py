"""Half A of the shapes: a ConvNet trained on five of the ten shapes classes (notebook 09's source net)."""
from __future__ import annotations

import numpy as np

from ._halves import MIN_TEST_ACCURACY, QUICK, build_half, half_test_split, train_half

__all__ = ["DESCRIPTION", "DATASET", "CLASSES", "RECIPE", "QUICK", "MIN_TEST_ACCURACY", "build", "test_split",
           "train"]

CLASSES = [0, 1, 2, 3, 4]
DESCRIPTION = ("notebook 09's source net for transfer learning: the shapes reference net (three 3x3 "
               "conv-relu-pool stages) trained on half A of the shapes classes")
DATASET = "shapes half A: disc, square, triangle, cross, ring (cs231n_lib.data.make_shapes, 32x32 RGB, 5 classes)"
RECIPE = {"seed": 0, "data_seed": 0, "classes": CLASSES, "num_train": 4000, "num_val": 500, "num_test": 1000,
          "num_epochs": 6, "batch_size": 50, "learning_rate": 3e-3, "lr_decay": 0.85}


def build(seed=0, dtype=np.float32):
    """A freshly initialised net for (3, 32, 32) shapes images in [0, 1], 5 classes."""
    return build_half(len(CLASSES), seed=seed, dtype=dtype)


def test_split(settings):
    """The recipe's test images and labels 0..4 (split 2 of the data seed: never trained on)."""
    return half_test_split(settings)


def train(settings, progress=True):
    """Adam, learning rate decayed every epoch, the best validation epoch kept (as shapes_convnet)."""
    return train_half(settings, progress)
