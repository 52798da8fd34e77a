"""Shipped weights: the reference ConvNet trained on the shapes data set, with a checksum.

``load_pretrained()`` returns a :class:`~cs231n_lib.nets.SequentialNet` with
the weights in ``data/shapes_convnet.npz``, after checking the file's sha256
against ``data/shapes_convnet.sha256``.  The file holds plain arrays (the
parameters) and the architecture as JSON text, and is read with
``allow_pickle=False``: loading it runs no code.

Rebuild both files with::

    python -m cs231n_lib.pretrained --retrain

(16,000 images, 8 epochs: minutes on 2 cores; see ``python -m cs231n_lib.pretrained --help``).
The run is deterministic: on one machine it writes the same bytes every time.
Eight epochs of float32 training magnify rounding differences, though, so
another CPU (whose BLAS picks other matrix-multiply kernels, e.g. AVX2 or
AVX-512) or a change in the order in which a layer adds its terms gives
other bytes: a net of the same accuracy (98.0 to 98.2 % on the test split
in the retrains seen so far), with its own checksum.  The shipped file is in
the first file format of :func:`~cs231n_lib.nets.save_net`; a retrain writes
the current one, which also records the input convention ("unit"), so its
bytes differ from the shipped file's even where the weights are the same.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

# save_net, load_net and sha256_of live in nets (they save any net); imported here as before.
from .nets import SequentialNet, load_net, save_net, sha256_of

__all__ = ["load_pretrained", "reference_net", "train_reference", "save_net", "load_net", "sha256_of",
           "NAME", "DATA_DIR", "REFERENCE_LAYERS", "INPUT_MEAN", "INPUT_CONVENTION", "RECIPE"]

NAME = "shapes_convnet"
DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"

# The reference net: two conv-relu-pool stages and a classifier.
REFERENCE_LAYERS = [
    ("conv1", {"kind": "conv", "num_filters": 16, "filter_size": 3}),
    ("relu1", {"kind": "relu"}),
    ("pool1", {"kind": "pool", "size": 2}),
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
# The net centres its inputs itself: it is fed images in [0, 1] (the "unit" input convention).
INPUT_MEAN = 0.5
INPUT_CONVENTION = "unit"
# How the shipped weights were trained (the defaults of --retrain).
RECIPE = {"seed": 0, "num_train": 16000, "num_val": 500, "num_test": 1000, "num_epochs": 8,
          "batch_size": 50, "learning_rate": 3e-3, "lr_decay": 0.85}


def reference_net(seed=0, dtype=np.float32):
    """A freshly initialised reference net for (3, 32, 32) shapes images, 10 classes."""
    return SequentialNet(REFERENCE_LAYERS, input_dim=(3, 32, 32), seed=seed, dtype=dtype, input_mean=INPUT_MEAN,
                         input_convention=INPUT_CONVENTION)


def load_pretrained(name=NAME, verify=True):
    """The shipped reference net (a SequentialNet), verified against its sha256 file."""
    path = DATA_DIR / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist: rebuild it with `python -m cs231n_lib.pretrained --retrain`."
        )
    net = load_net(path, verify=verify)
    if net.input_convention is None:
        # The shipped file predates input conventions (and its bytes are pinned): it reads [0, 1] images.
        net.input_convention = INPUT_CONVENTION
    return net


def train_reference(num_train=RECIPE["num_train"], num_val=RECIPE["num_val"], num_test=RECIPE["num_test"],
                    num_epochs=RECIPE["num_epochs"], batch_size=RECIPE["batch_size"],
                    learning_rate=RECIPE["learning_rate"], lr_decay=RECIPE["lr_decay"], seed=RECIPE["seed"],
                    progress=True, verbose=False):
    """Train the reference net on shapes from scratch, deterministically.

    Returns ``(net, solver, data, test_accuracy)``.
    """
    from .data import load_shapes
    from .solver import Solver

    data = load_shapes(num_train=num_train, num_val=num_val, num_test=num_test, seed=seed)
    net = reference_net(seed=seed)
    solver = Solver(net, data, update_rule="adam", optim_config={"learning_rate": learning_rate},
                    lr_decay=lr_decay, num_epochs=num_epochs, batch_size=batch_size,
                    num_train_samples=1000, seed=seed, verbose=verbose, progress=progress)
    solver.train()
    test_acc = float(np.mean(net.predict(data["X_test"]) == data["y_test"]))
    return net, solver, data, test_acc


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.pretrained",
        description="Rebuild the shipped reference ConvNet weights (data/shapes_convnet.npz and .sha256).",
    )
    parser.add_argument("--retrain", action="store_true", help="train from scratch and write the files")
    parser.add_argument("--out", default=str(DATA_DIR), help="folder to write to (default: the repository's data/)")
    parser.add_argument("--num-train", type=int, default=RECIPE["num_train"])
    parser.add_argument("--epochs", type=int, default=RECIPE["num_epochs"])
    parser.add_argument("--num-val", type=int, default=RECIPE["num_val"])
    parser.add_argument("--num-test", type=int, default=RECIPE["num_test"])
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if not args.retrain:
        net = load_pretrained()
        print(f"{NAME}: checksum OK; recorded test accuracy {net.meta.get('test_accuracy')}")
        return 0
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    # One BLAS thread: sums in a fixed order, so the file comes out byte-identical on any
    # machine (the shipped one was made this way); more threads change the last bits.
    with threadpool_limits(limits=1, user_api="blas"):
        net, solver, data, test_acc = train_reference(num_train=args.num_train, num_epochs=args.epochs,
                                                      num_val=args.num_val, num_test=args.num_test,
                                                      progress=not args.quiet)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    extra = {"test_accuracy": test_acc, "best_val_accuracy": float(solver.best_val_acc),
             "num_train": args.num_train, "num_epochs": args.epochs}
    digest = save_net(net, out / f"{NAME}.npz", extra=extra)
    print(f"test accuracy {test_acc:.3f}; best validation accuracy {solver.best_val_acc:.3f}; "
          f"{time.perf_counter() - start:.0f} s")
    print(f"wrote {out / (NAME + '.npz')} (sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
