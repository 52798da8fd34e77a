"""The AlexNet-like first layer on the shapes (notebook 10); see :mod:`._first_layer`."""
from __future__ import annotations

import numpy as np

from ._first_layer import DATASET, MIN_TEST_ACCURACY, QUICK, RECIPE, build_net, layers, test_split, train_net

__all__ = ["DESCRIPTION", "DATASET", "LAYERS", "RECIPE", "QUICK", "MIN_TEST_ACCURACY", "build", "test_split",
           "train"]

STAGE = "alexnet_like"
DESCRIPTION = ("notebook 10: AlexNet-like first stage (32 filters of 8x8 at stride 4) on the shapes, "
               "then two 3x3 conv-relu-pool stages")
LAYERS = layers(STAGE)


def build(seed=0, dtype=np.float32):
    """A freshly initialised net for (3, 32, 32) shapes images in [0, 1], 10 classes."""
    return build_net(STAGE, seed=seed, dtype=dtype)


def train(settings, progress=True, timer=None):
    """Adam, learning rate decayed every epoch, the best validation epoch kept (:func:`._first_layer.train_net`)."""
    return train_net(STAGE, settings, progress, timer)
