"""The all-convolutional twin of ``shapes_convnet``: every max pool replaced by a learned stride-2 convolution.

Springenberg et al. (2015, "Striving for simplicity: the all convolutional net")
replace each pooling layer by a convolution with the pool's window and stride,
as many output channels as input channels, followed by a ReLU.  Our reference
net pools 2x2 windows at stride 2, so its twin downsamples with 2x2
convolutions at stride 2.  Everything else (layers, data, initialisation,
optimiser, epochs, learning rate) is ``shapes_convnet``'s: ``RECIPE`` is a
copy of its recipe and ``train`` runs the same steps.  ``python -m
cs231n_lib.gradients --compare-allconv`` trains both over several seeds
(notebook 07 prints the result).
"""
from __future__ import annotations

import numpy as np

from ..nets import SequentialNet
from . import shapes_convnet as _twin
from . import adam_solver, test_accuracy, training_record

DESCRIPTION = ("all-convolutional twin of shapes_convnet (each 2x2 max pool replaced by a 2x2 convolution "
               "of stride 2 and its ReLU), trained by the same recipe; notebook 07")
DATASET = _twin.DATASET


def _all_conv(layers):
    """The twin's layers: each ``pool`` of ``layers`` becomes a conv of the same window and stride
    (as many filters as the channels coming in) followed by a ReLU."""
    out, channels = [], 3
    for name, spec in layers:
        if spec["kind"] == "pool":
            k = name[len("pool"):]
            out.append((f"down{k}", {"kind": "conv", "num_filters": channels, "filter_size": spec["size"],
                                     "stride": spec.get("stride") or spec["size"], "pad": 0}))
            out.append((f"relu_down{k}", {"kind": "relu"}))
            continue
        if spec["kind"] == "conv":
            channels = spec["num_filters"]
        out.append((name, dict(spec)))
    return out


LAYERS = _all_conv(_twin.LAYERS)
INPUT_MEAN = _twin.INPUT_MEAN
RECIPE = dict(_twin.RECIPE)
QUICK = dict(_twin.QUICK)
MIN_TEST_ACCURACY = 0.95


def build(seed=0, dtype=np.float32):
    """A freshly initialised all-conv net for (3, 32, 32) shapes images in [0, 1], 10 classes."""
    return SequentialNet(LAYERS, input_dim=(3, 32, 32), seed=seed, dtype=dtype, input_mean=INPUT_MEAN,
                         input_convention="unit")


test_split = _twin.test_split


def train(settings, progress=True, build_fn=None, timer=None):
    """``shapes_convnet``'s recipe (Adam, learning rate decayed every epoch, the best validation epoch kept).

    ``build_fn`` (default :func:`build`) makes the untrained net: with
    ``shapes_convnet.build`` this trains the max-pooling net by the very same
    steps (a test checks it gives ``shapes_convnet.train``'s bytes).  ``timer``, a
    dict, receives the training loop's wall-clock and CPU seconds
    (``"wall_seconds"``, ``"cpu_seconds"``), data generation excluded; it is not
    part of the returned info, so a retrain writes the same bytes every time.
    """
    import time

    from ..data import load_shapes

    data = load_shapes(num_train=settings["num_train"], num_val=settings["num_val"],
                       num_test=settings["num_test"], seed=settings["seed"])
    net = (build_fn or build)(seed=settings["seed"])
    solver = adam_solver(net, data, settings, progress)
    wall, cpu = time.perf_counter(), time.process_time()
    solver.train()
    if timer is not None:
        timer["wall_seconds"] = time.perf_counter() - wall
        timer["cpu_seconds"] = time.process_time() - cpu
    X_test, y_test = test_split(settings)
    test_acc = test_accuracy(net, X_test, y_test)
    return net, {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
                 "training": training_record(solver)}
