"""Transfer learning (notebook 09): reuse a pretrained ConvNet, and measure when each way pays.

The notes give three ways to reuse a net trained on one data set for another:
its CNN codes as fixed features for a linear classifier, fine-tuning some or
all of its layers, and starting from released checkpoints (our model zoo).  They
choose between them by two things: the new data set's size and its similarity
to the original.  This module puts those rules of thumb to a measured test.

The pieces, plain functions on nets and arrays:

* :func:`cnn_codes` -- a layer's activations, one row per image;
* :func:`linear_classifier` -- scikit-learn's logistic regression or linear SVM
  (after standardising each feature), what strategies (a) and (b) fit on codes;
* :func:`fit` -- minibatch Adam with one learning rate per layer (frozen layers
  stay as they are; the frozen bottom of a net is run once, not every step);
* :func:`fresh_net`, :func:`transfer_net` -- a randomly initialised copy of an
  architecture, and one whose first n weight layers are copied from another net;
* :func:`run_strategy` -- strategies (a) to (e) on one training and test set;
* :func:`score_map` -- a 32x32 net run on larger images, its FC layers
  converted to convolutions (:mod:`cs231n_lib.convert`, notebook 04).

Four experiments, each a command that writes JSON to ``data/`` (with a sha256
next to it) and records its recipe, the library version and the machine::

    python -m cs231n_lib.transfer --grid       # data/transfer_grid.json: the 2x2 grid, strategies (a)-(e)
    python -m cs231n_lib.transfer --layers     # data/transfer_layers.json: Yosinski et al. 2014 at our scale
    python -m cs231n_lib.transfer --lr-sweep   # data/transfer_lr_sweep.json: fine-tuning learning rates
    python -m cs231n_lib.transfer --split-lr   # data/transfer_split_lr.json: (d)'s split rates vs one rate

A file that exists already (a shipped one) is never replaced: the new results go to
``NAME.new.json`` beside it, unless ``--force``.

Each runs with one BLAS thread: the same machine gives the same numbers every
time, which a test checks by re-running the cheapest grid cell.
"""
from __future__ import annotations

import argparse
import copy
import json
import pathlib
import sys
import time

import numpy as np

from . import __version__, contract
from .nets import SequentialNet, affine, sha256_of
from .outputs import add_force_option, kept_note, output_path
from .recipes._halves import load_half

__all__ = [
    "STRATEGIES", "NOTES_RULES", "SIZES", "SIMILARITIES", "GRID_RECIPE", "LAYERS_RECIPE", "LR_SWEEP_RECIPE",
    "QUICK", "PAPER", "DATA_DIR", "load_half", "cnn_codes", "linear_classifier", "fit", "accuracy", "fresh_net",
    "transfer_net", "weight_layers", "strategy_net", "cell_data", "codes_baselines", "run_strategy", "run_cell",
    "run_grid", "summarize", "seed_values", "directional", "verdicts", "grid_table", "layer_data", "layer_job",
    "run_layers", "layer_summary", "VARIANTS", "lr_data", "lr_job", "run_lr_sweep", "SPLIT_LR_VARIANTS",
    "SPLIT_LR_NAMES", "SPLIT_LR_RECIPE", "split_lr_rates", "split_lr_job", "run_split_lr", "split_lr_comparisons",
    "split_lr_table", "score_map", "machine", "same_machine", "write_results", "output_path", "load_results", "main",
]

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"

# --------------------------------------------------------------------------- the grid
STRATEGIES = {
    "a": "logistic regression on the top CNN codes",
    "b": "linear SVM on an earlier layer's codes",
    "c": "new head trained, convolutions frozen",
    "d": "fine-tune everything, smaller learning rate",
    "e": "train from scratch",
}
SIZES = ("small", "large")
SIMILARITIES = ("similar", "different")
# The notes' four rules of thumb (CS231n, "Transfer Learning", "When and how to fine-tune?"):
# the strategy each advises, and why.  Rule 4 first grants that a large data set can afford
# training from scratch, (e), then advises against it: "However, in practice it is very often
# still beneficial to initialize with weights from a pretrained model. In this case, we would have
# enough data and confidence to fine-tune through the entire network": (d).  (The grid file of
# data/transfer_grid.json was run when this table read (e) there; its runs do not depend on it,
# and its "notes_rules" field records that older reading: use this table.)
NOTES_RULES = {
    ("small", "similar"): ("a", "too little data to fine-tune without overfitting; the top codes are "
                                "relevant to similar data: a linear classifier on the CNN codes"),
    ("large", "similar"): ("d", "enough data not to overfit: fine-tune through the full network"),
    ("small", "different"): ("b", "too little data to fine-tune, and the top codes are specific to the "
                                  "original classes: a linear SVM on activations from earlier in the network"),
    ("large", "different"): ("d", "enough data to afford training from scratch, (e), but in practice "
                                  "initialising from the pretrained weights is very often still better: "
                                  "fine-tune through the entire network"),
}
GRID_RECIPE = {
    "source": "shapes_half_a",            # the zoo net all strategies start from
    "top_layer": "relu4",                 # (a): the ReLU'd codes just below the classifier
    "earlier_layer": "pool2",             # (b): the output of the second of three conv stages
    "frozen_layers": ["conv1", "conv2", "conv3"],   # (c)
    "similar": {"data": "shapes", "classes": [5, 6, 7, 8, 9], "data_seed": 1, "test_per_class": 200},
    "different": {"data": "mnist", "mnist_seed": 0, "test_per_class": 100},
    "per_class": {"small": 10, "large": 400},   # 400 = MNIST's 500 per class minus the 100 tested
    "seeds": {"small": [0, 1, 2, 3, 4], "large": [0, 1, 2]},
    "epochs": {"small": 100, "large": 10},   # enough for every trained strategy to fit a small set
    "batch_size": {"small": 10, "large": 50},
    "learning_rate": 1e-3,                # Adam, new layers and nets trained from scratch
    "head_weight_scale": 1e-3,            # a new head starts small: the first loss is ln(C)
    "finetune_factor": 0.1,               # pretrained layers that train get learning_rate * this
    "logistic_C": 1.0,
    "svm_C": 1.0,
}
# Tiny settings that run in seconds: for trying the pipeline and for the tests.
QUICK = {
    "grid": {"per_class": {"small": 2, "large": 4}, "seeds": {"small": [0, 1], "large": [0]},
             "epochs": {"small": 1, "large": 1}, "batch_size": {"small": 5, "large": 10},
             "similar": {"data": "shapes", "classes": [5, 6, 7, 8, 9], "data_seed": 1, "test_per_class": 4},
             "different": {"data": "mnist", "mnist_seed": 0, "test_per_class": 4}},
    "layers": {"num_train": 50, "num_test": 20, "num_epochs": 1, "seeds": [1]},
    "lr_sweep": {"rates": [1e-3, 1e-1], "seeds": [0], "per_class": 10, "test_per_class": 4},
}


def _merge(base, overrides):
    out = copy.deepcopy(base)
    unknown = sorted(set(overrides or {}) - set(base))
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; the recipe's settings are {sorted(base)}.")
    out.update(copy.deepcopy(overrides or {}))
    return out


# --------------------------------------------------------------------------- codes and classifiers
def cnn_codes(net, X, layer=None, batch_size=250):
    """The activations of ``layer`` for every image of ``X``, one flattened row per image.

    X : (N, C, H, W) images in the net's input convention.
    layer : a layer name; default the layer just below the classifier (for our nets
        the ReLU after the hidden FC layer: the notes' "CNN codes").
    Returns a float array (N, D), D = the number of values in the layer's output.
    """
    X = contract.check_images(net, X, who="cnn_codes")
    layer = net.names[-2] if layer is None else layer
    if layer not in net.layers:
        raise ValueError(f"no layer named {layer!r}; the net's layers are {net.names}.")
    N = len(X)
    codes = np.zeros((N, int(np.prod(net.shapes[layer]))), dtype=net.dtype)
    for start in range(0, N, batch_size):  # a few hundred images at a time keeps the memory small
        batch = X[start:start + batch_size]
        codes[start:start + len(batch)] = net.activations(batch, layer).reshape(len(batch), -1)
    return codes


def _check_layer(net, name):
    if name not in net.layers:
        raise ValueError(f"no layer named {name!r}; the net's layers are {net.names}.")


def linear_classifier(kind="logistic", C=1.0, seed=0):
    """A scikit-learn linear classifier for CNN codes: each feature standardised, then
    logistic regression (``kind="logistic"``) or a linear SVM (``kind="svm"``).

    Call ``.fit(codes, y)`` and ``.predict(codes)`` (or ``.score(codes, y)``) on it.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    if kind == "logistic":
        model = LogisticRegression(C=C, max_iter=5000)
    elif kind == "svm":
        model = LinearSVC(C=C, dual=True, max_iter=50000, random_state=seed)
    else:
        raise ValueError(f"kind must be 'logistic' or 'svm', got {kind!r}.")
    return make_pipeline(StandardScaler(), model)


def accuracy(net, X, y, batch_size=250):
    """Fraction of the images ``X`` that ``net`` classifies as ``y`` (a float)."""
    X = contract.check_images(net, X, who="accuracy")
    y = contract.check_labels(y, len(X), net.num_classes, who="accuracy")
    return float(np.mean(net.predict(X, batch_size=batch_size) == y))


# --------------------------------------------------------------------------- nets
def weight_layers(net):
    """The names of the layers with weights, bottom to top (e.g. conv1, conv2, conv3, fc1, fc2)."""
    return [name for name in net.names if net.param_keys[name]]


def fresh_net(net, num_classes, seed=0, head_name=None, head_weight_scale=None):
    """A randomly initialised net with ``net``'s architecture and a new ``num_classes`` classifier.

    Every layer but the last is rebuilt from its spec; the last becomes
    ``affine(num_classes)`` (named ``head_name``, default the last layer's name).
    Weights are drawn from ``numpy.random.default_rng(seed)`` with He's scale; with
    ``head_weight_scale`` the classifier's weights are drawn again as
    ``head_weight_scale * N(0, 1)`` (from ``default_rng([seed, 1])``).
    """
    head_name = net.names[-1] if head_name is None else head_name
    layers = [(name, net.layers[name].spec()) for name in net.names[:-1]] + [(head_name, affine(num_classes))]
    mean = None if net.input_mean is None else np.array(net.input_mean, copy=True)
    new = SequentialNet(layers, input_dim=net.input_dim, reg=net.reg, dtype=net.dtype, seed=seed,
                        input_mean=mean, input_convention=net.input_convention)
    if head_weight_scale is not None:
        key = new.param_keys[head_name]["W"]
        rng = np.random.default_rng([int(seed), 1])
        new.params[key] = (head_weight_scale * rng.standard_normal(new.params[key].shape)).astype(new.dtype)
    return new


def transfer_net(source, n, num_classes, seed=0, freeze=False, head_weight_scale=None):
    """A net for ``num_classes`` whose first ``n`` weight layers are copies of ``source``'s.

    The other weight layers are drawn fresh from ``seed`` (as :func:`fresh_net`);
    ``freeze=True`` freezes the copied ones (Yosinski et al.'s AnB; fine-tuned, AnB+).
    """
    if not 0 <= n < len(weight_layers(source)):
        raise ValueError(f"n must be 0..{len(weight_layers(source)) - 1} (the classifier is never copied), got {n}.")
    net = fresh_net(source, num_classes, seed=seed, head_weight_scale=head_weight_scale)
    names = weight_layers(source)[:n]
    for name in names:
        for key in source.param_keys[name].values():
            net.params[key] = source.params[key].copy()
    if freeze and names:
        net.freeze(*names)
    return net


def _frozen_bottom(net):
    """The last layer of the longest bottom run of frozen or parameter-free layers (None if none).

    Everything up to it is a fixed function of the input while the net trains.
    """
    cut = None
    for name in net.names[:-1]:
        if net.param_keys[name] and name not in net.frozen:
            break
        cut = name
    # a net that is parameter-free at the bottom but trains its first weight layer: nothing to save
    if cut is not None and not any(net.param_keys[n] for n in net.names[:net.names.index(cut) + 1]):
        return None
    return cut


def _top_net(net, cut):
    """The layers above ``cut`` as a SequentialNet reading ``cut``'s output; parameters copied."""
    names = net.names[net.names.index(cut) + 1:]
    top = SequentialNet([(name, net.layers[name].spec()) for name in names], input_dim=net.shapes[cut],
                        reg=net.reg, dtype=net.dtype, param_keys={name: dict(net.param_keys[name]) for name in names})
    for name in names:
        for key in net.param_keys[name].values():
            top.params[key] = net.params[key].copy()
    top.frozen = {name for name in names if name in net.frozen}
    return top


def fit(net, X, y, *, epochs, batch_size, learning_rate, lr_decay=1.0, seed=0, layer_rates=None,
        cache_frozen=True):
    """Train ``net`` on ``(X, y)`` with minibatch Adam for a fixed number of epochs.

    Each epoch visits the images in a new random order (``default_rng(seed)``),
    ``len(X) // batch_size`` minibatches (a last, smaller remainder is left out).
    Every layer learns at ``learning_rate`` unless ``layer_rates`` ({layer name: rate})
    says otherwise; every rate is multiplied by ``lr_decay`` after each epoch.  Frozen
    layers (``net.freeze``) get no gradients and are never changed.  With
    ``cache_frozen`` the frozen bottom of the net is run once over ``X`` and only the
    layers above it train on the result: the same computation, done once.
    The final parameters are kept (no validation set picks an epoch).

    Returns the list of minibatch losses.  Raises FloatingPointError on a loss that
    is not finite (the learning rate is too high).
    """
    X = contract.check_images(net, X, who="fit")
    y = contract.check_labels(y, len(X), net.num_classes, who="fit")
    N = len(X)
    batch_size = min(contract.check_count(batch_size, "batch_size", 1, "fit"), N)
    rates = dict(layer_rates or {})
    for name in rates:
        _check_layer(net, name)
    model, inputs = net, X
    cut = _frozen_bottom(net) if cache_frozen else None
    if cut is not None:
        model, inputs = _top_net(net, cut), cnn_codes(net, X, cut).reshape((N,) + net.shapes[cut])
    from .optim import adam

    configs = {}
    for name in model.names:
        for key in model.param_keys[name].values():
            configs[key] = {"learning_rate": float(rates.get(name, learning_rate))}
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(int(epochs)):
        order = rng.permutation(N)
        for start in range(0, N - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = model.loss(inputs[idx], y[idx])
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"the loss became {loss} after {len(losses)} minibatches: the learning rate is too high.")
            losses.append(float(loss))
            for key, grad in grads.items():
                model.params[key], configs[key] = adam(model.params[key], grad, configs[key])
        for config in configs.values():
            config["learning_rate"] *= lr_decay
    if model is not net:
        for name in model.names:
            for key in model.param_keys[name].values():
                net.params[key] = model.params[key]
    return losses


# --------------------------------------------------------------------------- the strategies
def strategy_net(source, strategy, num_classes, seed, recipe=None):
    """The net that strategy (c), (d) or (e) trains, and its per-layer learning rates.

    (c) ``source`` with a new head, the conv layers frozen, the hidden FC layer fine-tuned;
    (d) ``source`` with a new head, every layer trained, the pretrained ones at the smaller rate;
    (e) ``source``'s architecture, freshly initialised.
    Returns ``(net, layer_rates)``; new layers learn at ``recipe["learning_rate"]``.
    """
    recipe = GRID_RECIPE if recipe is None else recipe
    lr, small = recipe["learning_rate"], recipe["learning_rate"] * recipe["finetune_factor"]
    if strategy == "e":
        return fresh_net(source, num_classes, seed=seed, head_name="head",
                         head_weight_scale=recipe["head_weight_scale"]), {}
    if strategy not in ("c", "d"):
        raise ValueError(f"strategy_net builds the nets of (c), (d) and (e); got {strategy!r}.")
    net = source.with_new_head(num_classes, seed=seed, weight_scale=recipe["head_weight_scale"])
    if strategy == "c":
        net.freeze(*recipe["frozen_layers"])
    pretrained = [name for name in weight_layers(net) if name != "head" and name not in net.frozen]
    return net, {name: small for name in pretrained} | {"head": lr}


def _mnist_pool(recipe):
    from .data import load_mnist

    diff = recipe["different"]
    per_class = recipe["per_class"]["large"]
    return load_mnist(num_train=10 * per_class, num_val=0, num_test=10 * diff["test_per_class"],
                      seed=diff["mnist_seed"])


def _small_similar_train(seed, recipe):
    """The training images of the small similar cell for one seed: split ``100 + seed`` of the data seed."""
    from .data import make_shapes

    sim = recipe["similar"]
    classes = sim["classes"]
    part = make_shapes(len(classes) * recipe["per_class"]["small"], seed=sim["data_seed"], split=100 + int(seed),
                       classes=classes)
    lookup = {c: i for i, c in enumerate(classes)}
    return part["X"], np.array([lookup[int(v)] for v in part["y"]], dtype=np.int64)


def cell_data(similarity, size, seed, recipe=None):
    """Training and test images of one grid cell for one seed.

    similar: shapes of the classes the source net never saw (``recipe["similar"]``);
    small training sets are split ``100 + seed`` of the data seed (a new draw per seed),
    the large one split 0, the test set split 2.  different: real MNIST digits; the
    large training set is ``per_class["large"]`` digits of each class, a small one a
    seeded draw of ``per_class["small"]`` per class from it, the test digits disjoint.
    Returns ``dict(X_train, y_train, X_test, y_test, class_names)``.
    """
    recipe = GRID_RECIPE if recipe is None else recipe
    if similarity not in SIMILARITIES or size not in SIZES:
        raise ValueError(f"a grid cell is (similarity in {SIMILARITIES}, size in {SIZES}), got ({similarity!r}, {size!r}).")
    per_class = recipe["per_class"][size]
    if similarity == "similar":
        from .data import SHAPE_CLASSES, make_shapes

        sim = recipe["similar"]
        classes, K = sim["classes"], len(sim["classes"])
        if size == "large":
            d = load_half(classes, num_train=K * per_class, num_test=K * sim["test_per_class"], seed=sim["data_seed"])
        else:
            d = load_half(classes, num_test=K * sim["test_per_class"], seed=sim["data_seed"])
            d["X_train"], d["y_train"] = _small_similar_train(seed, recipe)
        names = [SHAPE_CLASSES[c] for c in classes]
    else:
        d = _mnist_pool(recipe)
        if size == "small":
            rng = np.random.default_rng([int(seed), 1])
            idx = np.concatenate([rng.choice(np.flatnonzero(d["y_train"] == c), per_class, replace=False)
                                  for c in range(10)])
            idx = rng.permutation(idx)
            d["X_train"], d["y_train"] = d["X_train"][idx], d["y_train"][idx]
        names = d["class_names"]
    return {"X_train": d["X_train"], "y_train": d["y_train"], "X_test": d["X_test"], "y_test": d["y_test"],
            "class_names": list(names)}


def run_strategy(strategy, source, data, seed, size, recipe=None):
    """Test accuracy of one strategy, trained on ``data["X_train"]``, measured on ``data["X_test"]``.

    (a) logistic regression on ``recipe["top_layer"]``'s codes; (b) a linear SVM on
    ``recipe["earlier_layer"]``'s codes; (c), (d), (e) as :func:`strategy_net`, trained
    by :func:`fit` for ``recipe["epochs"][size]`` epochs of minibatches of
    ``recipe["batch_size"][size]``.  Returns ``(test accuracy, training accuracy)``.
    """
    recipe = GRID_RECIPE if recipe is None else recipe
    num_classes = len(data["class_names"])
    if strategy in ("a", "b"):
        layer = recipe["top_layer"] if strategy == "a" else recipe["earlier_layer"]
        kind, C = ("logistic", recipe["logistic_C"]) if strategy == "a" else ("svm", recipe["svm_C"])
        clf = linear_classifier(kind, C=C, seed=seed)
        codes = cnn_codes(source, data["X_train"], layer)
        clf.fit(codes, data["y_train"])
        train = float(np.mean(clf.predict(codes) == data["y_train"]))
        return float(np.mean(clf.predict(cnn_codes(source, data["X_test"], layer)) == data["y_test"])), train
    net, rates = strategy_net(source, strategy, num_classes, seed, recipe)
    fit(net, data["X_train"], data["y_train"], epochs=recipe["epochs"][size], batch_size=recipe["batch_size"][size],
        learning_rate=recipe["learning_rate"], layer_rates=rates, seed=seed)
    return accuracy(net, data["X_test"], data["y_test"]), accuracy(net, data["X_train"], data["y_train"])


def codes_baselines(source, seeds, recipe=None):
    """Strategy (a) of the small similar cell against two baselines, on the same training images.

    For each seed (the grid's draw of the training images), logistic regression
    (:func:`linear_classifier`) on three kinds of features: the source net's CNN codes
    (``recipe["top_layer"]``, strategy (a)); the same layer of a net with the source's
    architecture and random weights (:func:`fresh_net` with that seed: what the architecture alone
    gives); and the raw pixels.  Returns ``{"CNN codes": [...], "random net's codes": [...],
    "pixels": [...]}``, test accuracies in the order of ``seeds``.
    """
    recipe = GRID_RECIPE if recipe is None else recipe
    layer = recipe["top_layer"]
    test = cell_data("similar", "small", seeds[0], recipe)
    X_test, y_test, K = test["X_test"], test["y_test"], len(test["class_names"])
    test_codes = cnn_codes(source, X_test, layer)
    out = {"CNN codes": [], "random net's codes": [], "pixels": []}
    for seed in seeds:
        X, y = _small_similar_train(seed, recipe)
        random_net = fresh_net(source, K, seed=seed)
        features = {"CNN codes": (cnn_codes(source, X, layer), test_codes),
                    "random net's codes": (cnn_codes(random_net, X, layer), cnn_codes(random_net, X_test, layer)),
                    "pixels": (X.reshape(len(X), -1), X_test.reshape(len(X_test), -1))}
        for name, (train, test_features) in features.items():
            clf = linear_classifier("logistic", C=recipe["logistic_C"], seed=seed).fit(train, y)
            out[name].append(float(np.mean(clf.predict(test_features) == y_test)))
    return out


def _source(recipe):
    from .pretrained import load_pretrained

    return load_pretrained(recipe["source"])


def run_cell(similarity, size, seed, strategies="abcde", recipe=None, source=None):
    """``{strategy: test accuracy}`` of one grid cell and seed (what ``--grid`` stores for it).

    Run it with one BLAS thread (``threadpoolctl.threadpool_limits(1, "blas")``), as the grid
    was, to get the stored numbers exactly on the machine that made them."""
    recipe = GRID_RECIPE if recipe is None else recipe
    source = _source(recipe) if source is None else source
    data = cell_data(similarity, size, seed, recipe)
    return {s: run_strategy(s, source, data, seed, size, recipe)[0] for s in strategies}


def summarize(values):
    """``{"mean", "std", "n"}`` of a list of accuracies; std with ddof=1 (0 for one value)."""
    values = np.asarray(values, dtype=np.float64)
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return {"mean": float(np.mean(values)), "std": std, "n": int(len(values))}


def run_grid(recipe=None, progress=True):
    """Every cell, strategy and seed of the grid; returns the JSON-ready results."""
    from threadpoolctl import threadpool_limits

    recipe = GRID_RECIPE if recipe is None else recipe
    cells = [(sim, size) for size in SIZES for sim in SIMILARITIES]
    total = sum(len(recipe["seeds"][size]) for _, size in cells) * len(STRATEGIES)
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(total=total, desc="grid", unit="run")
    start, cpu_start = time.perf_counter(), time.process_time()
    out_cells = []
    with threadpool_limits(limits=1, user_api="blas"):
        source = _source(recipe)
        for sim, size in cells:
            runs = []
            for seed in recipe["seeds"][size]:
                data = cell_data(sim, size, seed, recipe)
                for strategy in STRATEGIES:
                    t0 = time.process_time()
                    acc, train_acc = run_strategy(strategy, source, data, seed, size, recipe)
                    runs.append({"strategy": strategy, "seed": int(seed), "test_accuracy": acc,
                                 "train_accuracy": train_acc, "cpu_seconds": round(time.process_time() - t0, 2)})
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(cell=f"{size}/{sim}", refresh=False)
            summary = {s: summarize([r["test_accuracy"] for r in runs if r["strategy"] == s]) for s in STRATEGIES}
            out_cells.append({
                "similarity": sim, "size": size, "num_classes": len(data["class_names"]),
                "class_names": data["class_names"], "train_per_class": recipe["per_class"][size],
                "num_train": int(len(data["X_train"])), "num_test": int(len(data["X_test"])),
                "runs": runs, "summary": summary,
            })
    if bar is not None:
        bar.close()
    return {"experiment": "grid", "recipe": recipe, "strategies": STRATEGIES,
            "notes_rules": {f"{size}/{sim}": rule[0] for (size, sim), rule in NOTES_RULES.items()},
            "source_net": _source_record(recipe["source"]), "cells": out_cells,
            "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu_start, 1)}


def seed_values(runs, **match):
    """The test accuracies of the runs whose fields equal ``match`` (e.g. ``strategy="a"``), ordered by
    seed, and those seeds: ``(accuracies, seeds)``, ready for a paired comparison by seed."""
    chosen = sorted((r["seed"], r["test_accuracy"]) for r in runs if all(r.get(k) == v for k, v in match.items()))
    if not chosen:
        raise ValueError(f"no run has {match}.")
    if len({seed for seed, _ in chosen}) != len(chosen):
        raise ValueError(f"several runs with {match} share a seed: narrow the match.")
    return [acc for _, acc in chosen], [seed for seed, _ in chosen]


def directional(a, b, names, alpha=0.05):
    """Paired comparison of ``a``, predicted in advance to be better, with ``b`` (same seeds, same order).

    The prediction fixes a direction, so "a beats b" is tested one-sided (``alternative="greater"``:
    with 5 seeds p can reach 1/32 = 0.031, with 3 seeds 1/8 = 0.125).  When ``b`` comes out ahead
    on average, nobody predicted that direction: "b beats a" is then held to the two-sided test
    (smallest p 0.0625 with 5 seeds, 0.25 with 3).  Returns the :class:`cs231n_lib.stats.Paired`
    whose names start with the setting that is ahead.
    """
    from .stats import paired

    if np.mean(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) >= 0:
        return paired(a, b, names, alpha=alpha, alternative="greater")
    return paired(b, a, names[::-1], alpha=alpha)


def verdicts(results, rules=None, alpha=0.05):
    """For each cell of a grid result: the notes' strategy compared with every other one, seed by seed.

    rules : ``{(size, similarity): letter}``; default :data:`NOTES_RULES`' letters.
    Each comparison is :func:`directional`: the notes' rule predicts that its strategy is the
    better one, so that direction is tested one-sided; an alternative that comes out ahead is
    held to the two-sided test.  Returns a list of dicts, one per cell: ``size``, ``similarity``,
    ``rule`` (a letter), ``mean`` and ``std`` of the rule's test accuracies, ``n`` (seeds), and
    ``comparisons``: ``{other letter: Paired}`` in the order a to e.
    """
    rules = {key: rule[0] for key, rule in NOTES_RULES.items()} if rules is None else rules
    rows = []
    for cell in results["cells"]:
        size, sim = cell["size"], cell["similarity"]
        rule = rules[(size, sim)]
        ours, seeds = seed_values(cell["runs"], strategy=rule)
        comparisons = {}
        for other in results["strategies"]:
            if other == rule:
                continue
            theirs, other_seeds = seed_values(cell["runs"], strategy=other)
            if other_seeds != seeds:
                raise ValueError(f"{size}, {sim}: ({rule}) ran seeds {seeds}, ({other}) {other_seeds}: "
                                 "a paired comparison needs the same seeds")
            comparisons[other] = directional(ours, theirs, (f"({rule})", f"({other})"), alpha=alpha)
        summary = summarize(ours)
        rows.append({"size": size, "similarity": sim, "rule": rule, "mean": summary["mean"], "std": summary["std"],
                     "n": summary["n"], "comparisons": comparisons})
    return rows


def grid_table(results):
    """The grid as text, one line per cell and strategy: test accuracy as mean +- standard
    deviation over the seeds, their number, and the mean training accuracy."""
    lines = [f"{'cell':<17} {'strategy':<50} {'test accuracy':>15} {'seeds':>5} {'train':>6}"]
    for cell in results["cells"]:
        for s, what in results["strategies"].items():
            summary = cell["summary"][s]
            train = np.mean([r["train_accuracy"] for r in cell["runs"] if r["strategy"] == s])
            lines.append(f"{cell['size'] + ', ' + cell['similarity']:<17} ({s}) {what:<46} "
                         f"{summary['mean']:>7.3f} +- {summary['std']:.3f} {summary['n']:>5} {train:>6.2f}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- Yosinski et al. 2014
# What the paper reports for its fine-tuned transfer nets AnB+ (Yosinski, Clune, Bengio and Lipson,
# "How transferable are features in deep neural networks?", NIPS 2014, Table 1): the mean boost in
# top-1 accuracy over baseB, averaged over the layers n of each range (their n = 1..7).
PAPER = {
    "source": "Yosinski et al. 2014, Table 1 (AnB+ over baseB, ImageNet halves, 8-layer net)",
    "anb_plus_boost": {"1-7": 0.016, "3-7": 0.018, "5-7": 0.021},
    "shape": "AnB (transferred, frozen) falls as n grows; AnB+ (transferred, fine-tuned) ends above baseB",
}
LAYERS_RECIPE = {"source_a": "shapes_half_a", "source_b": "shapes_half_b", "seeds": [1, 2, 3],
                 "num_train": 4000, "num_test": 1000, "num_epochs": 6, "batch_size": 50,
                 "learning_rate": 3e-3, "lr_decay": 0.85, "head_weight_scale": 1e-3}
VARIANTS = ("AnB", "AnB+", "BnB", "BnB+")


def layer_data(recipe=None):
    """``(nets, data)`` of the layer experiment: the zoo nets ``{"A": ..., "B": ...}`` and half B's
    training and test images, those of the half-B zoo net (its data seed, splits 0 and 2)."""
    from .pretrained import load_pretrained

    recipe = LAYERS_RECIPE if recipe is None else recipe
    nets = {"A": load_pretrained(recipe["source_a"]), "B": load_pretrained(recipe["source_b"])}
    zoo_b = nets["B"].meta["recipe"]
    data = load_half(zoo_b["classes"], num_train=recipe["num_train"], num_test=recipe["num_test"],
                     seed=zoo_b["data_seed"])
    return nets, data


def layer_job(variant, n, seed, recipe=None, nets=None, data=None):
    """Test accuracy of one net of the layer experiment: ``variant`` is ``"baseB"`` (n = 0,
    trained from scratch), ``"AnB"`` / ``"BnB"`` (the first n weight layers copied from the A /
    B net and frozen) or ``"AnB+"`` / ``"BnB+"`` (copied and fine-tuned); the rest is drawn
    fresh from ``seed`` and everything that trains learns by :func:`fit` with the recipe's
    epochs, batches, learning rate and decay (every trained layer at the same rate).
    Run it with one BLAS thread to get the stored number exactly."""
    recipe = LAYERS_RECIPE if recipe is None else recipe
    if nets is None or data is None:
        nets, data = layer_data(recipe)
    source = nets["A" if variant.startswith("A") else "B"]
    net = transfer_net(source, n, len(data["class_names"]), seed=seed, freeze=not variant.endswith("+"),
                       head_weight_scale=recipe["head_weight_scale"])
    fit(net, data["X_train"], data["y_train"], epochs=recipe["num_epochs"], batch_size=recipe["batch_size"],
        learning_rate=recipe["learning_rate"], lr_decay=recipe["lr_decay"], seed=seed)
    return accuracy(net, data["X_test"], data["y_test"])


def run_layers(recipe=None, progress=True):
    """Yosinski et al.'s experiment at our scale: copy the first n weight layers of the half-A
    (AnB) or half-B (BnB) zoo net into a net for half B, frozen or fine-tuned (+), retrain the
    rest on half B, and compare with nets trained on half B from scratch (n = 0, baseB).
    Every (variant, n, seed) is one :func:`layer_job`.
    """
    from threadpoolctl import threadpool_limits

    recipe = LAYERS_RECIPE if recipe is None else recipe
    start, cpu_start = time.perf_counter(), time.process_time()
    with threadpool_limits(limits=1, user_api="blas"):
        nets, data = layer_data(recipe)
        depth = len(weight_layers(nets["A"])) - 1  # n = 1 .. depth (the classifier is never copied)
        jobs = [("baseB", 0, seed) for seed in recipe["seeds"]]
        jobs += [(variant, n, seed) for n in range(1, depth + 1) for variant in VARIANTS for seed in recipe["seeds"]]
        bar = None
        if progress:
            from .progress import progress_bar

            bar = progress_bar(total=len(jobs), desc="layers", unit="run")
        runs = []
        for variant, n, seed in jobs:
            t0 = time.process_time()
            acc = layer_job(variant, n, seed, recipe, nets, data)
            runs.append({"variant": variant, "n": n, "seed": int(seed), "test_accuracy": acc,
                         "cpu_seconds": round(time.process_time() - t0, 2)})
            if bar is not None:
                bar.update(1)
                bar.set_postfix(run=f"{variant} n={n}", refresh=False)
        if bar is not None:
            bar.close()
    return {"experiment": "layers", "recipe": recipe, "layers": weight_layers(nets["A"])[:depth],
            "source_nets": {k: _source_record(recipe[f"source_{k.lower()}"]) for k in ("A", "B")},
            "paper": PAPER, "runs": runs, "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu_start, 1)}


def layer_summary(results):
    """``{variant: {n: summary}}`` with ``"baseB"`` at n = 0, from :func:`run_layers`' results."""
    out = {}
    for run in results["runs"]:
        out.setdefault(run["variant"], {}).setdefault(run["n"], []).append(run["test_accuracy"])
    return {v: {n: summarize(vals) for n, vals in sorted(per_n.items())} for v, per_n in out.items()}


# --------------------------------------------------------------------------- learning rates
LR_SWEEP_RECIPE = {"source": "shapes_half_a", "classes": [5, 6, 7, 8, 9], "data_seed": 1, "per_class": 400,
                   "test_per_class": 200, "rates": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], "seeds": [0, 1, 2],
                   "epochs": 1, "batch_size": 50, "head_weight_scale": 1e-3}


def _relative_change(before, after, net):
    """``||W_after - W_before|| / ||W_before||`` of every weight layer below the classifier (None if not finite)."""
    out = {}
    for name in weight_layers(net)[:-1]:
        key = net.param_keys[name]["W"]
        w0, w1 = before[key].astype(np.float64), after[key].astype(np.float64)
        change = float(np.linalg.norm(w1 - w0) / np.linalg.norm(w0))
        out[name] = change if np.isfinite(change) else None
    return out


def lr_data(recipe=None):
    """``(source, data)`` of the learning-rate sweep: the source net and half B's images."""
    recipe = LR_SWEEP_RECIPE if recipe is None else recipe
    K = len(recipe["classes"])
    data = load_half(recipe["classes"], num_train=K * recipe["per_class"], num_test=K * recipe["test_per_class"],
                     seed=recipe["data_seed"])
    return _source(recipe), data


def lr_job(rate, seed, start_from, recipe=None, source=None, data=None):
    """One run of the learning-rate sweep: a net for half B that starts from the source net with
    a new head (``start_from="pretrained"``) or from scratch (``"scratch"``), trained by
    :func:`fit` for the recipe's epochs with every layer at ``rate``.

    Returns ``{"learning_rate", "seed", "start", "test_accuracy", "diverged"}`` and, from the
    pretrained net, ``"relative_change"``: ``||W_after - W_before|| / ||W_before||`` of every
    pretrained weight layer.  A loss that is not finite ends the run: ``diverged`` True,
    ``test_accuracy`` None.
    """
    recipe = LR_SWEEP_RECIPE if recipe is None else recipe
    if source is None or data is None:
        source, data = lr_data(recipe)
    K = len(data["class_names"])
    ws = recipe["head_weight_scale"]
    net = (source.with_new_head(K, seed=seed, weight_scale=ws) if start_from == "pretrained"
           else fresh_net(source, K, seed=seed, head_name="head", head_weight_scale=ws))
    before = {k: v.copy() for k, v in net.params.items()}
    record = {"learning_rate": rate, "seed": int(seed), "start": start_from}
    try:
        fit(net, data["X_train"], data["y_train"], epochs=recipe["epochs"], batch_size=recipe["batch_size"],
            learning_rate=rate, seed=seed)
        record["test_accuracy"] = accuracy(net, data["X_test"], data["y_test"])
        record["diverged"] = False
    except FloatingPointError:
        record["test_accuracy"], record["diverged"] = None, True
    if start_from == "pretrained":
        record["relative_change"] = _relative_change(before, net.params, net)
    return record


def run_lr_sweep(recipe=None, progress=True):
    """Fine-tune the source net on half B (new head, every layer at one learning rate) for one
    epoch, at each rate of the sweep; and train the same architecture from scratch alike.
    Every (rate, seed, start) is one :func:`lr_job`.
    """
    from threadpoolctl import threadpool_limits

    recipe = LR_SWEEP_RECIPE if recipe is None else recipe
    start, cpu_start = time.perf_counter(), time.process_time()
    runs = []
    with threadpool_limits(limits=1, user_api="blas"):
        source, data = lr_data(recipe)
        jobs = [(rate, seed, start_from) for rate in recipe["rates"] for seed in recipe["seeds"]
                for start_from in ("pretrained", "scratch")]
        bar = None
        if progress:
            from .progress import progress_bar

            bar = progress_bar(total=len(jobs), desc="learning rates", unit="run")
        for rate, seed, start_from in jobs:
            runs.append(lr_job(rate, seed, start_from, recipe, source, data))
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
    return {"experiment": "lr_sweep", "recipe": recipe, "source_net": _source_record(recipe["source"]),
            "runs": runs, "seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu_start, 1)}


# --------------------------------------------------------------------------- one rate or two
# The notes' practical advice: a smaller learning rate for the pretrained layers that are fine-tuned
# than for the new, randomly initialised classifier.  Strategy (d) of the grid does that (the head at
# learning_rate, the pretrained layers at learning_rate * finetune_factor).  The control: the same
# fine-tuning, the same cells, seeds, epochs and minibatches, with one rate for every layer, either
# the head's or the pretrained layers'.
SPLIT_LR_VARIANTS = {
    "split": "new head at the grid's rate, pretrained layers at a tenth of it (strategy (d))",
    "one rate, the head's": "every layer at the new head's rate",
    "one rate, the pretrained layers'": "every layer at the pretrained layers' smaller rate",
}
# how the verdicts name them ("X beats Y on ...")
SPLIT_LR_NAMES = {"split": "the split", "one rate, the head's": "every layer at the head's rate",
                  "one rate, the pretrained layers'": "every layer at the small rate"}
SPLIT_LR_RECIPE = {key: GRID_RECIPE[key] for key in (
    "source", "similar", "different", "per_class", "seeds", "epochs", "batch_size", "learning_rate",
    "head_weight_scale", "finetune_factor")}
SPLIT_LR_RECIPE["cells"] = [[size, sim] for size in SIZES for sim in SIMILARITIES]
SPLIT_LR_RECIPE["variants"] = list(SPLIT_LR_VARIANTS)
QUICK["split_lr"] = {key: QUICK["grid"][key] for key in ("per_class", "seeds", "epochs", "batch_size",
                                                          "similar", "different")}


def split_lr_rates(rates, variant, recipe=None):
    """The per-layer learning rates of one variant, from strategy (d)'s split ``rates``."""
    recipe = SPLIT_LR_RECIPE if recipe is None else recipe
    lr, small = recipe["learning_rate"], recipe["learning_rate"] * recipe["finetune_factor"]
    if variant == "split":
        return dict(rates)
    if variant == "one rate, the head's":
        return {name: lr for name in rates}
    if variant == "one rate, the pretrained layers'":
        return {name: small for name in rates}
    raise ValueError(f"variant must be one of {list(SPLIT_LR_VARIANTS)}, got {variant!r}.")


def split_lr_job(similarity, size, seed, variant, recipe=None, source=None, data=None):
    """One run of the control: strategy (d)'s net for one grid cell and seed, trained by :func:`fit`
    with the grid's epochs and minibatches and the learning rates of ``variant``.

    Returns ``{"similarity", "size", "seed", "variant", "test_accuracy", "train_accuracy",
    "relative_change"}``, the last ``||W_after - W_before|| / ||W_before||`` of every pretrained
    weight layer.  ``variant="split"`` is strategy (d) itself: the same number as the grid's (d)
    on the machine that ran the grid.
    """
    recipe = SPLIT_LR_RECIPE if recipe is None else recipe
    source = _source(recipe) if source is None else source
    data = cell_data(similarity, size, seed, recipe) if data is None else data
    net, rates = strategy_net(source, "d", len(data["class_names"]), seed, recipe)
    layer_rates = split_lr_rates(rates, variant, recipe)
    before = {k: v.copy() for k, v in net.params.items()}
    fit(net, data["X_train"], data["y_train"], epochs=recipe["epochs"][size], batch_size=recipe["batch_size"][size],
        learning_rate=recipe["learning_rate"], layer_rates=layer_rates, seed=seed)
    return {"similarity": similarity, "size": size, "seed": int(seed), "variant": variant,
            "test_accuracy": accuracy(net, data["X_test"], data["y_test"]),
            "train_accuracy": accuracy(net, data["X_train"], data["y_train"]),
            "relative_change": _relative_change(before, net.params, net)}


def run_split_lr(recipe=None, progress=True):
    """The control of the notes' split learning rates: every (cell, seed, variant) is one
    :func:`split_lr_job`; the variants of one cell and seed share their data, initial weights
    and minibatch order, so they compare seed by seed."""
    from threadpoolctl import threadpool_limits

    recipe = SPLIT_LR_RECIPE if recipe is None else recipe
    jobs = [(sim, size, seed, variant) for size, sim in recipe["cells"] for seed in recipe["seeds"][size]
            for variant in recipe["variants"]]
    bar = None
    if progress:
        from .progress import progress_bar

        bar = progress_bar(total=len(jobs), desc="one rate or two", unit="run")
    start, cpu_start = time.perf_counter(), time.process_time()
    runs, data, key = [], None, None
    with threadpool_limits(limits=1, user_api="blas"):
        source = _source(recipe)
        for sim, size, seed, variant in jobs:
            if key != (sim, size, seed):
                key, data = (sim, size, seed), cell_data(sim, size, seed, recipe)
            t0 = time.process_time()
            record = split_lr_job(sim, size, seed, variant, recipe, source, data)
            runs.append(dict(record, cpu_seconds=round(time.process_time() - t0, 2)))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(cell=f"{size}/{sim}", refresh=False)
    if bar is not None:
        bar.close()
    return {"experiment": "split_lr", "recipe": recipe, "variants": SPLIT_LR_VARIANTS,
            "source_net": _source_record(recipe["source"]), "runs": runs,
            "seconds": round(time.perf_counter() - start, 1), "cpu_seconds": round(time.process_time() - cpu_start, 1)}


def split_lr_comparisons(results, alpha=0.05):
    """For each cell of the control: split rates against each one-rate variant, seed by seed.

    The notes predict that the split rates do better, so that direction is tested one-sided and an
    opposite result two-sided (:func:`directional`); the verdicts name the variants as
    :data:`SPLIT_LR_NAMES` does.  Returns a list of dicts, one per cell:
    ``size``, ``similarity``, ``n`` (seeds) and ``comparisons``: ``{variant: Paired}``.
    """
    rows = []
    for size, sim in results["recipe"]["cells"]:
        runs = [r for r in results["runs"] if (r["size"], r["similarity"]) == (size, sim)]
        split, seeds = seed_values(runs, variant="split")
        comparisons = {}
        for variant in results["recipe"]["variants"]:
            if variant == "split":
                continue
            other, other_seeds = seed_values(runs, variant=variant)
            if other_seeds != seeds:
                raise ValueError(f"{size}, {sim}: the variants ran different seeds ({seeds} and {other_seeds})")
            comparisons[variant] = directional(split, other, (SPLIT_LR_NAMES["split"], SPLIT_LR_NAMES[variant]),
                                               alpha=alpha)
        rows.append({"size": size, "similarity": sim, "n": len(seeds), "comparisons": comparisons})
    return rows


def split_lr_table(results):
    """The control as text, one line per cell and variant: test accuracy as mean +- standard
    deviation over the seeds, the mean training accuracy, and how far conv1 and fc1 moved
    (``||W_after - W_before|| / ||W_before||``, mean over the seeds, in percent)."""
    lines = [f"{'cell':<17} {'variant':<33} {'test accuracy':>15} {'train':>6} {'conv1 moved':>12} {'fc1 moved':>10}"]
    for size, sim in results["recipe"]["cells"]:
        for variant in results["recipe"]["variants"]:
            runs = [r for r in results["runs"] if (r["size"], r["similarity"], r["variant"]) == (size, sim, variant)]
            test = summarize([r["test_accuracy"] for r in runs])
            train = np.mean([r["train_accuracy"] for r in runs])
            moved = {name: 100 * np.mean([r["relative_change"][name] for r in runs]) for name in ("conv1", "fc1")}
            lines.append(f"{size + ', ' + sim:<17} {variant:<33} {test['mean']:>7.3f} +- {test['std']:.3f} "
                         f"{train:>6.2f} {moved['conv1']:>10.3g} % {moved['fc1']:>8.3g} %")
    return "\n".join(lines)


# --------------------------------------------------------------------------- larger images
def score_map(net, X):
    """Class scores of every 32x32 (``net.input_dim``) window of larger images, in one pass.

    The conv, ReLU and pool layers run on the whole image (their forward pass does
    not care about its size); every affine layer becomes a convolution
    (:func:`cs231n_lib.convert.fc_stack_to_conv`): the first one with a filter as large
    as the volume it used to see, the others 1x1.  X : (N, C, H, W) with H, W at least
    the net's input size.  Returns (N, num_classes, H', W'): entry [n, :, i, j] scores
    the window whose top-left corner is (i * S, j * S), S the net's total stride.
    """
    from .convert import fc_stack_to_conv
    from .fast_layers import conv_forward_fast

    X = contract.check_images(net, X, who="score_map", at_least=True).astype(net.dtype, copy=False)
    first_fc = next(name for name in net.names if isinstance(net.layers[name], affine))
    below = net.names[:net.names.index(first_fc)]
    x = X - net.input_mean if net.input_mean is not None else X
    for name in below:
        params = {k: net.params[key] for k, key in net.param_keys[name].items()}
        x, _ = net.layers[name].forward(x, params)
    fcs = [name for name in net.names[len(below):] if isinstance(net.layers[name], affine)]
    convs = fc_stack_to_conv([(net.params[net.param_keys[n]["W"]], net.params[net.param_keys[n]["b"]]) for n in fcs],
                             net.shapes[below[-1]])
    converted = dict(zip(fcs, convs))
    for name in net.names[len(below):]:
        if name in converted:
            w, b, param = converted[name]
            x, _ = conv_forward_fast(x, w, b, param)
        else:  # a ReLU between FC layers works elementwise, whatever the shape
            x, _ = net.layers[name].forward(x, {})
    return x


# --------------------------------------------------------------------------- results files
def machine():
    """What the numbers depend on: the CPU, its BLAS (which picks the matrix-multiply kernels) and
    the numerical libraries' versions."""
    import platform

    from threadpoolctl import threadpool_info

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    try:
        import sklearn

        sklearn_version = sklearn.__version__
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        sklearn_version = None
    blas = sorted({(d.get("internal_api"), d.get("version"), d.get("architecture"))
                   for d in threadpool_info() if d.get("user_api") == "blas"}, key=str)
    return {"cpu": cpu, "arch": platform.machine(), "system": platform.system(),
            "python": platform.python_version(), "numpy": np.__version__, "scikit-learn": sklearn_version,
            "blas": [list(b) for b in blas]}


_FINGERPRINT = ("cpu", "arch", "numpy", "scikit-learn", "blas")


def same_machine(record, now=None):
    """True when ``record`` (a results file's ``machine``) names this CPU, BLAS and library versions:
    then a re-run must give the stored numbers exactly."""
    now = machine() if now is None else now
    return all(record.get(k) == now.get(k) for k in _FINGERPRINT)


def _source_record(name):
    from .pretrained import ZOO_DIR

    path = ZOO_DIR / f"{name}.npz"
    return {"name": name, "sha256": sha256_of(path)}


def write_results(results, path):
    """Write ``results`` (plus library version and machine) as JSON to ``path`` and its sha256 next to it."""
    path = pathlib.Path(path)
    record = dict(results, library_version=__version__, machine=machine())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digest = sha256_of(path)
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


RESULT_FILES = {"grid": "transfer_grid.json", "layers": "transfer_layers.json", "lr_sweep": "transfer_lr_sweep.json",
                "split_lr": "transfer_split_lr.json"}


def load_results(name, directory=None):
    """The stored results of experiment ``name`` ('grid', 'layers', 'lr_sweep' or 'split_lr'), checked
    against their sha256."""
    if name not in RESULT_FILES:
        raise ValueError(f"name must be one of {sorted(RESULT_FILES)}, got {name!r}.")
    path = (DATA_DIR if directory is None else pathlib.Path(directory)) / RESULT_FILES[name]
    flag = "--" + name.replace("_", "-")
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: restore it with `git checkout -- data/` or rebuild it "
                                f"with `python -m cs231n_lib.transfer {flag}`.")
    pin = path.with_suffix(".sha256")
    expected = pin.read_text(encoding="utf-8").split()[0] if pin.exists() else None
    if expected != sha256_of(path):
        raise ValueError(f"{path.name} does not match {pin.name}: the file was changed or damaged. Restore it "
                         f"with `git checkout -- data/` or rebuild it with `python -m cs231n_lib.transfer {flag}`.")
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.transfer",
        description="Notebook 09's experiments: write data/transfer_*.json (one BLAS thread, deterministic "
                    "on one machine). A file that exists is not replaced: the new results go to "
                    "NAME.new.json next to it, unless --force.")
    parser.add_argument("--grid", action="store_true", help="the 2x2 grid of strategies (a)-(e)")
    parser.add_argument("--layers", action="store_true", help="Yosinski et al.'s layer-transfer experiment")
    parser.add_argument("--lr-sweep", action="store_true", help="fine-tuning learning rates")
    parser.add_argument("--split-lr", action="store_true",
                        help="the control of the split learning rates: strategy (d) with one rate for every layer")
    parser.add_argument("--out", default=str(DATA_DIR), help="folder to write to (default: the repository's data/)")
    add_force_option(parser)
    parser.add_argument("--quick", action="store_true", help="tiny settings, to try the pipeline (not to ship)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    flags = (("grid", args.grid), ("layers", args.layers), ("lr_sweep", args.lr_sweep), ("split_lr", args.split_lr))
    chosen = [name for name, on in flags if on]
    if not chosen:
        parser.error("say which experiment to run: --grid, --layers, --lr-sweep and/or --split-lr")
    runners = {"grid": (run_grid, GRID_RECIPE), "layers": (run_layers, LAYERS_RECIPE),
               "lr_sweep": (run_lr_sweep, LR_SWEEP_RECIPE), "split_lr": (run_split_lr, SPLIT_LR_RECIPE)}
    for name in chosen:
        runner, base = runners[name]
        recipe = _merge(base, QUICK[name]) if args.quick else base
        results = runner(recipe, progress=not args.quiet)
        target = pathlib.Path(args.out) / RESULT_FILES[name]
        path = output_path(target, force=args.force)
        digest = write_results(results, path)
        print(f"{name}: {results['seconds']:.0f} s ({results['cpu_seconds']:.0f} s of CPU); wrote {path} "
              f"(sha256 {digest})")
        if path != target:
            print(kept_note(target, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
