"""mnist_convnet's recipe without weight decay (reg = 0): notebook 06 compares its filters."""
from __future__ import annotations

import numpy as np

from . import mnist_convnet

DESCRIPTION = ("mnist_convnet trained without L2 regularization (reg = 0), everything else the same: "
               "notebook 06 compares its first-layer filters with the regularized net's")
DATASET = mnist_convnet.DATASET
LAYERS = mnist_convnet.LAYERS
INPUT_MEAN = mnist_convnet.INPUT_MEAN
RECIPE = dict(mnist_convnet.RECIPE, reg=0.0)
QUICK = mnist_convnet.QUICK
MIN_TEST_ACCURACY = 0.97


def build(seed=0, dtype=np.float32, reg=RECIPE["reg"]):
    """A freshly initialised net, the architecture of ``mnist_convnet``, without regularization."""
    return mnist_convnet.build(seed=seed, dtype=dtype, reg=reg)


def test_split(settings):
    """The recipe's test digits and labels (never trained on)."""
    return mnist_convnet.test_split(settings)


def train(settings, progress=True, checkpoint_name=None):
    """mnist_convnet's training (Adam on the digits and shifted copies) with ``settings["reg"]`` = 0."""
    return mnist_convnet.train(settings, progress=progress, checkpoint_name=checkpoint_name)
