"""What the two first-layer nets of notebook 10 share: everything but their first stage.

Zeiler and Fergus (2014, section 4.1) found AlexNet's first layer (11x11 filters at stride 4)
wanting and replaced it by 7x7 filters at stride 2 (ZF Net; the next layer then strides 2 to keep
the maps' sizes).  Scaled to our 32x32 images, both first stages here take the image to an 8x8 grid
of 32 channels whose units see 8x8 pixels:

* ``shapes_alexnet_like``: one convolution of 8x8 filters at stride 4 (pad 2), then a ReLU;
* ``shapes_zf_like``: a convolution of 6x6 filters at stride 2 (pad 2), a ReLU and a 2x2 max pool
  (ZF Net's 7x7 stride-2 convolution and 3x3 stride-2 pool also see 7 + 2 * 2 = 11 pixels, AlexNet's
  filter size).

Everything after the first stage, the data, the initialisation and the training (Adam through
:func:`~cs231n_lib.recipes.adam_solver`) are the same.  ``python -m cs231n_lib.zeiler_fergus
--first-layer`` trains both over several seeds.
"""
from __future__ import annotations

import numpy as np

from ..nets import SequentialNet
from . import adam_solver, test_accuracy, training_record

__all__ = ["FIRST_STAGES", "REST", "INPUT_MEAN", "RECIPE", "QUICK", "MIN_TEST_ACCURACY", "DATASET", "layers",
           "build_net", "test_split", "train_net"]

FIRST_STAGES = {
    "alexnet_like": [("conv1", {"kind": "conv", "num_filters": 32, "filter_size": 8, "stride": 4, "pad": 2}),
                     ("relu1", {"kind": "relu"})],
    "zf_like": [("conv1", {"kind": "conv", "num_filters": 32, "filter_size": 6, "stride": 2, "pad": 2}),
                ("relu1", {"kind": "relu"}),
                ("pool1", {"kind": "pool", "size": 2})],
}
REST = [
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
INPUT_MEAN = 0.5     # the nets centre their inputs themselves: they are fed images in [0, 1]
DATASET = "shapes (cs231n_lib.data.load_shapes, 32x32 RGB, 10 classes)"
# shapes_convnet's optimiser, learning rate and decay, on half its images for 5 epochs (800 updates)
RECIPE = {"seed": 0, "num_train": 8000, "num_val": 500, "num_test": 1000, "num_epochs": 5, "batch_size": 50,
          "learning_rate": 3e-3, "lr_decay": 0.85}
QUICK = {"num_train": 100, "num_val": 20, "num_test": 20, "num_epochs": 1}
# seed 0 reached 0.896 (AlexNet-like) and 0.860 (ZF-like): a floor that catches a broken retrain
MIN_TEST_ACCURACY = 0.8


def layers(stage):
    """The layers of the net whose first stage is ``stage`` ('alexnet_like' or 'zf_like')."""
    if stage not in FIRST_STAGES:
        raise ValueError(f"stage must be one of {sorted(FIRST_STAGES)}, got {stage!r}.")
    return FIRST_STAGES[stage] + REST


def build_net(stage, seed=0, dtype=np.float32):
    """A freshly initialised net for (3, 32, 32) shapes images in [0, 1], 10 classes."""
    return SequentialNet(layers(stage), input_dim=(3, 32, 32), seed=seed, dtype=dtype, input_mean=INPUT_MEAN,
                         input_convention="unit")


def test_split(settings):
    """The recipe's test images and labels (split 2 of the seed: never trained on)."""
    from ..data import load_shapes

    d = load_shapes(num_train=0, num_val=0, num_test=settings["num_test"], seed=settings["seed"])
    return d["X_test"], d["y_test"]


def train_net(stage, settings, progress=True, timer=None):
    """Adam with a learning rate decayed every epoch; the best validation epoch's parameters are kept.

    A seed sets the data set (its three splits), the initial weights and the minibatches.
    ``timer``, a dict, receives the training loop's wall-clock and CPU seconds.
    """
    import time

    from ..data import load_shapes

    data = load_shapes(num_train=settings["num_train"], num_val=settings["num_val"],
                       num_test=settings["num_test"], seed=settings["seed"])
    net = build_net(stage, seed=settings["seed"])
    solver = adam_solver(net, data, settings, progress)
    wall, cpu = time.perf_counter(), time.process_time()
    solver.train()
    if timer is not None:
        timer["wall_seconds"] = time.perf_counter() - wall
        timer["cpu_seconds"] = time.process_time() - cpu
    return net, {"test_accuracy": test_accuracy(net, data["X_test"], data["y_test"]),
                 "best_val_accuracy": float(solver.best_val_acc), "training": training_record(solver)}
