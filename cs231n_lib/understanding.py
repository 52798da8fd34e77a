"""Understanding and visualizing ConvNets (notebook 06): what a trained net responds to.

Plain functions on arrays and nets (:class:`cs231n_lib.nets.SequentialNet`; the
occlusion functions take any model whose ``loss(X)`` gives class scores).  Each
turns a claim of the CS231n notes' page "Visualizing what ConvNets learn"
(``understanding-cnn``) into a number:

* activations -- :func:`sparsity` (the fraction of zeros per layer),
  :func:`dead_filters` (units that are zero on every image) and
  :func:`watch_training` (both, measured along a short training run);
* filters -- :func:`filter_roughness` (0 for a constant filter, about 1 for white noise),
  and the shipped filter experiment (:func:`load_filters_training`, written by
  ``python -m cs231n_lib.understanding --filters``): mnist_convnet's recipe with and
  without regularization over seeds, its first-layer filters after every epoch;
* images that maximally activate a unit -- :func:`max_activating` (the top-k
  images, their activations and the receptive-field box of the winning position),
  :func:`unit_responses` and :func:`top_k_purity` (for units and for random
  directions of the same layer);
* CNN codes -- :func:`codes`, :func:`knn_accuracy`, :func:`tsne_embedding`,
  :func:`thumbnail_grid`, :func:`class_spread`, :func:`centroid_distances`,
  and the shipped t-SNE embeddings (:func:`load_tsne`, written by
  ``python -m cs231n_lib.understanding --tsne``);
* occlusion -- :func:`occlusion_map` (Zeiler and Fergus's experiment: the
  probability of the right class as a grey square slides over the image),
  :func:`occlusion_maps` (many images at once), :func:`minimum_centres` and
  :func:`minimum_inside_object` (does the map's lowest point fall on the object?),
  :func:`position_inside_fraction` (how often a random position would).
"""
from __future__ import annotations

import json
import pathlib
from typing import NamedTuple, Optional

import numpy as np

from . import contract
from .arithmetic import pool_output_size, receptive_field

__all__ = ["softmax", "occlusion_map", "occlusion_maps", "minimum_centres", "minimum_inside_object",
           "position_inside_fraction", "layer_activations", "sparsity", "dead_filters", "TrainingWatch",
           "watch_training",
           "filter_roughness", "unit_responses", "MaxActivating", "max_activating", "receptive_field_boxes",
           "crop", "patches", "random_directions", "top_k_purity", "direction_purities", "codes", "knn_accuracy",
           "tsne_embedding", "thumbnail_grid", "class_spread", "centroid_distances",
           "TSNE_FILE", "TSNE_SETTINGS", "compute_tsne", "save_tsne", "load_tsne",
           "FILTERS_FILE", "FILTERS_SETTINGS", "compute_filters_training", "save_filters_training",
           "load_filters_training"]

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"


def softmax(scores):
    """Row-wise softmax of class scores (N, C) -> probabilities (N, C), computed stably."""
    scores = np.asarray(scores, dtype=np.float64)
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


# ------------------------------------------------------------------ occlusion
def _check_fill(fill, x):
    fill = np.asarray(fill, dtype=x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64)
    if fill.ndim == 3 and fill.shape[1:] == (1, 1):  # already one value per channel, (C, 1, 1)
        fill = fill[:, 0, 0]
    if fill.ndim == 1:
        if fill.shape[0] != x.shape[-3]:
            raise ValueError(f"fill has {fill.shape[0]} values but the image has {x.shape[-3]} channels.")
        fill = fill[:, None, None]
    elif fill.ndim != 0:
        raise ValueError(f"fill is one number or one number per channel (C,), got shape {fill.shape}.")
    return fill


def _check_label(net, label, who="occlusion_map"):
    return int(contract.check_labels(label, 1, net.num_classes, name="label", who=who, broadcast=True)[0])


def _occlusion_inputs(net, x, label, fill):
    x = contract.check_images(net, x, name="x", who="occlusion_map", one=True)
    fill = contract.grey(net, "occlusion_map") if fill is None else fill
    return x, _check_label(net, label), _check_fill(fill, x)


def occlusion_map(net, x, label, size=8, stride=2, fill=None, batch_size=256):
    """Probability of class ``label`` while a ``size`` x ``size`` patch of ``fill`` covers each position.

    Parameters
    ----------
    net : a model whose ``loss(X)`` returns class scores (N, num_classes).
    x : (C, H, W), one image (in the net's input convention).
    label : the class whose probability is mapped (usually the true one).
    size, stride : the patch's side and the step between positions, in pixels.
        The patch stays inside the image, so the map has
        ``H' = (H - size)/stride + 1`` rows (which must be a whole number).
    fill : the patch's value: one number, or one per channel (C,); default the grey of
        the net's input convention (:func:`cs231n_lib.contract.grey`): 0.5 for images
        in [0, 1], 0 (the training mean image) for a mean-subtracted convention.
    batch_size : occluded images scored per forward pass.

    Returns
    -------
    (H', W') float64 array: entry (i, j) is the probability of ``label`` with
    rows ``i*stride .. i*stride+size-1`` and the same columns covered.
    """
    x, label, fill = _occlusion_inputs(net, x, label, fill)
    return occlusion_maps(net, x[None], [label], size=size, stride=stride, fill=fill, batch_size=batch_size)[0]


def _patch_masks(H, W, size, stride):
    """Boolean masks (P, H, W) of every patch position, row by row, and the map's shape."""
    H_out, W_out = pool_output_size((H, W), size, stride)
    masks = np.zeros((H_out * W_out, H, W), dtype=bool)
    for p in range(H_out * W_out):
        top, left = (p // W_out) * stride, (p % W_out) * stride
        masks[p, top:top + size, left:left + size] = True
    return masks, (H_out, W_out)


def occlusion_maps(net, X, labels, size=8, stride=2, fill=None, batch_size=256):
    """:func:`occlusion_map` of every image of ``X`` (N, C, H, W) for its class ``labels[n]``.

    The occluded copies of all images are scored ``batch_size`` at a time (a
    forward pass on 256 images costs far less than 256 passes on one), which
    is what makes a measurement over hundreds of images affordable.
    Returns (N, H', W') float64.
    """
    X = contract.check_images(net, X, who="occlusion_maps")
    labels = contract.check_labels(labels, len(X), net.num_classes, name="labels", who="occlusion_maps")
    fill = contract.grey(net, "occlusion_maps") if fill is None else fill   # grey: 0.5 for images in [0, 1]
    fill = _check_fill(fill, X)
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    N, C, H, W = X.shape
    masks, (H_out, W_out) = _patch_masks(H, W, int(size), int(stride))
    P = len(masks)
    probs = np.empty(N * P)
    for start in range(0, N * P, batch_size):
        idx = np.arange(start, min(start + batch_size, N * P))
        image, position = idx // P, idx % P
        batch = np.where(masks[position][:, None], fill, X[image]).astype(X.dtype, copy=False)
        probs[idx] = softmax(net.loss(batch))[np.arange(len(idx)), labels[image]]
    return probs.reshape(N, H_out, W_out)


def minimum_centres(maps, size, stride):
    """Where each occlusion map is lowest: the centre of the patch there, in pixels.

    maps : (N, H', W') (or one (H', W') map) from :func:`occlusion_maps`, made with
        this ``size`` and ``stride``.  Ties go to the first position, row by row.
    Returns (N, 2) float64 ``(row, column)``: ``(i*stride + (size-1)/2, j*stride + (size-1)/2)``
    for the lowest entry (i, j); a half means the centre falls between two pixels.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim == 2:
        maps = maps[None]
    if maps.ndim != 3:
        raise ValueError(f"maps is (N, H', W') or one (H', W') map; got shape {maps.shape}.")
    flat = maps.reshape(len(maps), -1).argmin(axis=1)
    i, j = np.divmod(flat, maps.shape[2])
    half = (int(size) - 1) / 2
    return np.stack([i * int(stride) + half, j * int(stride) + half], axis=1)


def minimum_inside_object(maps, masks, size, stride):
    """For each image: does the centre of the patch at the map's lowest point lie on the object?

    maps : (N, H', W') from :func:`occlusion_maps` with this ``size`` and ``stride``.
    masks : (N, H, W) bool, the object's pixels (``data["masks_test"]`` of the shapes).
    The centre is one pixel for an odd ``size`` and falls between the 2 x 2
    middle pixels for an even one; it counts as inside when at least half of
    those pixels belong to the object.
    Returns (N,) bool; its mean is the rate the notebook reports.
    """
    masks = np.asarray(masks, dtype=bool)
    centres = minimum_centres(maps, size, stride)
    if masks.ndim != 3 or len(masks) != len(centres):
        raise ValueError(f"masks must be (N, H, W) with one mask per map; got {masks.shape} for {len(centres)} maps.")
    return np.array([_centre_inside(mask, r, c) for mask, (r, c) in zip(masks, centres)], dtype=bool)


def _centre_inside(mask, r, c):
    """At least half of the 1 or 2 x 2 pixels around the point (r, c) are on the object."""
    rows = slice(int(np.floor(r)), int(np.ceil(r)) + 1)
    cols = slice(int(np.floor(c)), int(np.ceil(c)) + 1)
    return bool(mask[rows, cols].mean() >= 0.5)


def position_inside_fraction(masks, size, stride):
    """For each mask (N, H, W): the share of patch positions whose centre is on the object, by the
    rule of :func:`minimum_inside_object`.  Its mean is how often a position picked at random
    would count as "inside": the baseline for the occlusion measurement.  Returns (N,) float64."""
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim != 3:
        raise ValueError(f"masks must be (N, H, W); got shape {masks.shape}.")
    H_out, W_out = pool_output_size(masks.shape[1:], int(size), int(stride))
    half = (int(size) - 1) / 2
    centres = [(i * stride + half, j * stride + half) for i in range(H_out) for j in range(W_out)]
    return np.array([np.mean([_centre_inside(mask, r, c) for r, c in centres]) for mask in masks])


# ------------------------------------------------------------------ activations
def _layer_kind(net, layer):
    if not hasattr(net, "layers") or layer not in net.layers:
        names = getattr(net, "names", None)
        raise ValueError(f"no layer named {layer!r}; the layers are {names}.")
    return net.layers[layer].kind


def layer_activations(net, X, layer, batch_size=250):
    """The output of ``layer`` for every image of ``X``, computed ``batch_size`` images at a time.

    Returns (N, *net.shapes[layer]) in the net's dtype; for a list of layers, a dict
    ``{layer: array}`` from one forward pass per batch.
    """
    layers = [layer] if isinstance(layer, str) else list(layer)
    for name in layers:
        _layer_kind(net, name)
    X = contract.check_images(net, X, who="layer_activations")
    parts = {name: [] for name in layers}
    for i in range(0, len(X), int(batch_size)):
        acts = net.activations(X[i:i + int(batch_size)], layers)
        for name in layers:
            parts[name].append(acts[name])
    out = {name: (np.concatenate(parts[name]) if parts[name] else
                  np.zeros((0,) + tuple(net.shapes[name]), dtype=net.dtype)) for name in layers}
    return out[layer] if isinstance(layer, str) else out


def _relu_layers(net):
    return [name for name in net.names if net.layers[name].kind == "relu"]


def sparsity(net, X, layers=None, batch_size=250):
    """The fraction of activations that are exactly zero, per layer: ``{layer: float}``.

    layers : names of layers (default: every ReLU layer of the net), measured on all of ``X``.
    """
    X = contract.check_images(net, X, who="sparsity")
    layers = _relu_layers(net) if layers is None else list(layers)
    acts = layer_activations(net, X, layers, batch_size)
    return {name: float(np.mean(acts[name] == 0)) for name in layers}


def dead_filters(net, X, layer, batch_size=250, acts=None):
    """Which units of ``layer`` are zero on every image of ``X``: a bool mask, one entry per channel.

    layer : a ReLU layer, or a pooling layer after one.  A channel of a
        (C, H, W) output is dead when its whole map is zero on every image;
        a unit of a flat (M,) output when it is zero on every image.
    acts : the layer's activations on X, if already computed (N, ...).
    Returns (C,) or (M,) bool.  ``mask.sum()`` counts the dead units.
    """
    kind = _layer_kind(net, layer)
    if kind in ("conv", "affine"):
        after = net.names[net.names.index(layer) + 1:]
        relu = next((n for n in after if net.layers[n].kind == "relu"), None)
        hint = f" (here {relu!r})" if relu else ""
        raise ValueError(
            f"{layer!r} is a {kind} layer: its outputs are negative wherever the ReLU after it makes them zero, "
            f"so they are never all exactly zero. Ask for the ReLU layer that follows it{hint}."
        )
    if acts is None:
        acts = layer_activations(net, X, layer, batch_size)
    if len(acts) == 0:
        raise ValueError("X holds no image: a unit is dead only if it is zero on every image of a data set.")
    axes = (0,) + tuple(range(2, acts.ndim))
    return np.all(acts == 0, axis=axes)


class TrainingWatch(NamedTuple):
    """What :func:`watch_training` measured.

    iterations : list of update counts at which the net was measured (0 first).
    sparsity, dead : ``{layer: list}``, the fraction of zero activations and the
        number of dead units of each layer at those counts.
    loss_history : the minibatch loss of every update.
    """

    iterations: list
    sparsity: dict
    dead: dict
    loss_history: list


def watch_training(net, X, y, probe, iterations=60, every=10, learning_rate=1e-3, update_rule="adam",
                   batch_size=50, seed=0, layers=None):
    """Train ``net`` with minibatches and measure its activations on ``probe`` every ``every`` updates.

    A short training loop (the Solver's, without its epochs and accuracy checks)
    that looks at the net as it learns: after 0, ``every``, ``2*every``, ...
    updates it records each layer's :func:`sparsity` and :func:`dead_filters`
    count on the images ``probe``.  ``net`` is trained in place.

    Parameters
    ----------
    X, y : training images (N, C, H, W) and labels (N,).
    probe : images (M, C, H, W) the activations are measured on.
    iterations, every : updates in all, and between two measurements.
    learning_rate, update_rule : a rule of :mod:`cs231n_lib.optim` ('sgd', 'sgd_momentum',
        'rmsprop', 'adam') and its learning rate.
    batch_size, seed : minibatches drawn without replacement from ``default_rng(seed)``.
    layers : layers to measure (default: every ReLU layer).

    Returns a :class:`TrainingWatch`.  Raises FloatingPointError if the loss stops being finite.
    """
    from . import optim

    X = contract.check_images(net, X, who="watch_training")
    y = contract.check_labels(y, len(X), net.num_classes, who="watch_training")
    probe = contract.check_images(net, probe, name="probe", who="watch_training")
    if update_rule not in optim.RULES:
        raise ValueError(f"update_rule must be one of {sorted(optim.RULES)}, got {update_rule!r}.")
    iterations, every = int(iterations), int(every)
    if iterations < 0 or every < 1:
        raise ValueError(f"need iterations >= 0 and every >= 1, got {iterations} and {every}.")
    layers = _relu_layers(net) if layers is None else list(layers)
    rule = optim.RULES[update_rule]
    configs = {key: {"learning_rate": float(learning_rate)} for key in net.params}
    rng = np.random.default_rng(seed)
    watch = TrainingWatch([], {name: [] for name in layers}, {name: [] for name in layers}, [])

    def measure(t):
        watch.iterations.append(t)
        acts = net.activations(probe, layers)
        for name in layers:
            a = acts[name]
            watch.sparsity[name].append(float(np.mean(a == 0)))
            watch.dead[name].append(int(np.sum(np.all(a == 0, axis=(0,) + tuple(range(2, a.ndim))))))

    measure(0)
    for t in range(1, iterations + 1):
        idx = rng.choice(len(X), min(batch_size, len(X)), replace=False)
        loss, grads = net.loss(X[idx], y[idx])
        if not np.isfinite(loss):
            raise FloatingPointError(f"update {t}: the loss is {loss}; the learning rate {learning_rate:g} "
                                     "is too high.")
        watch.loss_history.append(float(loss))
        for key, grad in grads.items():
            net.params[key], configs[key] = rule(net.params[key], grad, configs[key])
        if t % every == 0:
            measure(t)
    return watch


# ------------------------------------------------------------------ filters
def filter_roughness(W):
    """How noisy each filter is: neighbouring-weight differences against the weights' size.

    For a filter w (all its channels), with the mean taken over every pair of
    horizontally or vertically neighbouring weights of one channel::

        roughness = mean((w_p - w_q)**2) / (2 * mean(w**2))

    0 for a constant filter, about 1 for white noise (independent weights: the
    expected squared difference is twice the expected square), 2 for a
    checkerboard of +-1; smooth filters score well below 1.

    W : (F, C, HH, WW) filters (or (F, HH, WW)).  Returns (F,) float64.
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim == 3:
        W = W[:, None]
    if W.ndim != 4 or min(W.shape[2:]) < 1 or max(W.shape[2:]) < 2:
        raise ValueError(f"W must be filters (F, C, HH, WW) with at least two weights per row or column; "
                         f"got {W.shape}.")
    dh = np.diff(W, axis=3)
    dv = np.diff(W, axis=2)
    pairs = dh[0].size + dv[0].size
    diff = ((dh ** 2).sum(axis=(1, 2, 3)) + (dv ** 2).sum(axis=(1, 2, 3))) / pairs
    power = np.mean(W ** 2, axis=(1, 2, 3))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(power > 0, diff / (2 * np.where(power > 0, power, 1)), 0.0)


# ------------------------------------------------------------------ maximally activating images
def unit_responses(acts, unit):
    """How strongly each image drives one unit (or direction) of a layer.

    acts : (N, C, H, W) activations of a conv/ReLU/pool layer, or (N, M) of a flat one.
    unit : a channel index c, or a direction d of C (or M) numbers: the response is then
        ``sum_c d[c] * acts[:, c]`` (a rotated axis of the same space).
    Returns ``(values, positions)``: values (N,) float64 is the largest response over the
    positions of the map, positions (N, 2) int the (row, column) where it is (the first
    such position, row by row), or None for a flat layer.
    """
    acts = np.asarray(acts)
    if acts.ndim not in (2, 4):
        raise ValueError(f"acts must be (N, C, H, W) or (N, M); got shape {acts.shape}.")
    C = acts.shape[1]
    direction = np.asarray(unit)
    if direction.ndim == 0:
        c = int(unit)
        if not 0 <= c < C:
            raise ValueError(f"unit {c} is not a channel of this layer (0..{C - 1}).")
        resp = acts[:, c].astype(np.float64)
    else:
        direction = direction.astype(np.float64).reshape(-1)
        if direction.shape != (C,):
            raise ValueError(f"a direction needs one number per channel ({C}), got {direction.size}.")
        resp = np.tensordot(direction, acts.astype(np.float64), axes=([0], [1]))
    if resp.ndim == 1:
        return resp, None
    flat = resp.reshape(len(resp), -1)
    best = flat.argmax(axis=1)
    positions = np.stack(np.divmod(best, resp.shape[2]), axis=1)
    return flat[np.arange(len(flat)), best], positions


def receptive_field_boxes(net, layer, positions):
    """The input pixels that units of ``layer`` at ``positions`` see, as boxes.

    positions : (K, 2) (row, column) of units in the layer's output map, or None
        for a flat layer (its units see the whole input: position (0, 0)).
    Returns (K, 4) int ``(top, left, bottom, right)``, bottom and right exclusive
    (as the shapes' ``boxes``), from :func:`cs231n_lib.arithmetic.receptive_field`:
    a unit at row i sees rows ``i*S - P`` to ``i*S - P + r - 1``.  A box may reach
    past the image: that part is padding.
    """
    row = next((r for r in receptive_field(net) if r.name == layer), None)
    if row is None:
        raise ValueError(f"no layer named {layer!r}; the layers are {getattr(net, 'names', None)}.")
    positions = np.zeros((1, 2), dtype=int) if positions is None else np.asarray(positions, dtype=int).reshape(-1, 2)
    boxes = []
    for i, j in positions:
        top, last_row = row.span(int(i))
        left, last_col = row.span(int(j))
        boxes.append((top, left, last_row + 1, last_col + 1))
    return np.array(boxes, dtype=int).reshape(-1, 4)


class MaxActivating(NamedTuple):
    """The images of a data set that drive one unit hardest (:func:`max_activating`).

    indices : (k,) positions in X, strongest first.
    values : (k,) float64, the unit's largest activation on each of them.
    positions : (k, 2) (row, column) of that activation in the layer's map, or None for a flat layer.
    boxes : (k, 4) ``(top, left, bottom, right)`` of the receptive field of that position,
        in input pixels, bottom and right exclusive; it may reach past the image (padding).
    """

    indices: np.ndarray
    values: np.ndarray
    positions: Optional[np.ndarray]
    boxes: np.ndarray


def max_activating(net, X, layer, unit, k=9, batch_size=250, acts=None):
    """The ``k`` images of ``X`` that activate ``unit`` of ``layer`` most, as the notes' POOL5 figure shows them.

    For a conv, ReLU or pool layer, ``unit`` is a channel (or a direction in
    channel space, see :func:`unit_responses`), and an image's activation is the
    largest value of that channel's map; its position gives the receptive field
    the patch is cut from.  Ties keep the order of ``X``.

    acts : the layer's activations on X, if already computed (N, ...).
    Returns a :class:`MaxActivating`.
    """
    if acts is None:
        X = contract.check_images(net, X, who="max_activating")
    k = contract.check_count(k, "k", 1, "max_activating")
    if acts is None:
        acts = layer_activations(net, X, layer, batch_size)
    if not 1 <= k <= len(acts):
        raise ValueError(f"k must be between 1 and the number of images ({len(acts)}), got {k}.")
    values, positions = unit_responses(acts, unit)
    order = np.argsort(-values, kind="stable")[:k]
    if positions is None:  # a flat layer: every unit sees the whole input
        return MaxActivating(order, values[order], None, np.repeat(receptive_field_boxes(net, layer, None), k, axis=0))
    return MaxActivating(order, values[order], positions[order], receptive_field_boxes(net, layer, positions[order]))


def crop(image, box, fill=0.5):
    """The pixels of ``image`` (C, H, W) inside ``box`` (top, left, bottom, right; exclusive ends),
    with ``fill`` where the box reaches past the image (the padding a unit sees).
    Returns (C, bottom - top, right - left)."""
    image = np.asarray(image)
    top, left, bottom, right = (int(v) for v in box)
    C, H, W = image.shape
    out = np.full((C, bottom - top, right - left), fill, dtype=image.dtype)
    r0, r1, c0, c1 = max(top, 0), min(bottom, H), max(left, 0), min(right, W)
    if r0 < r1 and c0 < c1:
        out[:, r0 - top:r1 - top, c0 - left:c1 - left] = image[:, r0:r1, c0:c1]
    return out


def patches(images, result, fill=0.5):
    """The receptive fields of a :class:`MaxActivating` cut out of ``images`` (N, C, H, W), strongest
    first: (k, C, h, w), ``fill`` where a field reaches past the image."""
    return np.stack([crop(images[int(n)], box, fill) for n, box in zip(result.indices, result.boxes)])


def random_directions(dim, count, seed=0):
    """``count`` random unit vectors in ``dim`` dimensions (Gaussian, normalised): (count, dim)."""
    d = np.random.default_rng(seed).standard_normal((int(count), int(dim)))
    return d / np.linalg.norm(d, axis=1, keepdims=True)


def top_k_purity(values, labels, k=9):
    """The share of the ``k`` highest ``values`` whose label is their most common label (1/k .. 1)."""
    values = np.asarray(values)
    labels = contract.check_labels(labels, len(values), None, name="labels", who="top_k_purity")
    top = np.argsort(-values, kind="stable")[:int(k)]
    return float(np.bincount(labels[top]).max() / len(top))


def chance_purity(labels, k=9):
    """The expected :func:`top_k_purity` of ``k`` images drawn at random (without replacement)
    from a set with these ``labels``: the baseline for a direction's purity.

    Exact, not sampled: the draw's class counts follow the multivariate hypergeometric
    distribution, and the expectation of their largest count is summed class by class over
    (images drawn so far, largest count so far).  Returns a float in [1/k, 1].
    """
    from math import comb

    n = np.shape(labels)[0] if np.ndim(labels) else 1
    labels = contract.check_labels(labels, n, None, name="labels", who="chance_purity")
    k = int(k)
    if not 1 <= k <= len(labels):
        raise ValueError(f"k must be between 1 and the number of images ({len(labels)}), got {k}.")
    ways = {(0, 0): 1}                       # (drawn so far, largest count so far) -> number of draws
    for count in np.bincount(labels):
        step = {}
        for (drawn, largest), w in ways.items():
            for j in range(min(int(count), k - drawn) + 1):
                key = (drawn + j, max(largest, j))
                step[key] = step.get(key, 0) + w * comb(int(count), j)
        ways = step
    total = sum(w * largest for (drawn, largest), w in ways.items() if drawn == k)
    return float(total / (k * comb(len(labels), k)))


def direction_purities(acts, labels, directions, k=9):
    """:func:`top_k_purity` of the top-``k`` images of each direction (a row of ``directions``, or a
    channel index) of a layer's activations ``acts``.  Returns (D,) float64."""
    return np.array([top_k_purity(unit_responses(acts, d)[0], labels, k) for d in directions])


# ------------------------------------------------------------------ CNN codes and t-SNE
def codes(net, X, layer=None, batch_size=250):
    """CNN codes: the activations of ``layer`` (default: the last ReLU, the layer right before
    the classifier) for every image, flattened: (N, D) float32."""
    X = contract.check_images(net, X, who="codes")
    if layer is None:
        layer = _relu_layers(net)[-1]
    acts = layer_activations(net, X, layer, batch_size)
    return acts.reshape(len(acts), -1)


def _points(Z, who):
    """Points (codes, embeddings) as a finite float64 array (N, D), one row per image."""
    try:
        Z = np.asarray(Z, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{who}: Z must be numbers, one row per image (N, D): {err}") from None
    if Z.ndim < 2 or len(Z) == 0:
        raise ValueError(f"{who}: Z must hold one row per image, (N, D) with N >= 1; got shape {Z.shape}.")
    Z = Z.reshape(len(Z), -1)
    if not np.all(np.isfinite(Z)):
        raise ValueError(f"{who}: Z holds {int(np.sum(~np.isfinite(Z)))} NaN or infinite value(s); find them with "
                         "np.argwhere(~np.isfinite(Z)).")
    return Z


def knn_accuracy(Z, y, k=5):
    """Leave-one-out k-nearest-neighbour accuracy of the points ``Z`` (N, D) with labels ``y`` (N,).

    Each point is classified by the majority label of its ``k`` nearest other
    points (Euclidean distance; a tie between labels goes to the smallest label,
    a tie in distance to the earlier point).  Returns a float in [0, 1]: how
    often a point's neighbourhood says its class.
    """
    Z = _points(Z, "knn_accuracy")
    y = contract.check_labels(y, len(Z), None, who="knn_accuracy")
    k = contract.check_count(k, "k", 1, "knn_accuracy")
    if len(y) != len(Z) or not 1 <= k < len(Z):
        raise ValueError(f"need one label per point and 1 <= k < N; got {len(Z)} points, {len(y)} labels, k={k}.")
    sq = np.sum(Z ** 2, axis=1)
    dist = sq[:, None] + sq[None, :] - 2 * Z @ Z.T
    np.fill_diagonal(dist, np.inf)
    nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
    votes = np.zeros((len(Z), int(y.max()) + 1))
    np.add.at(votes, (np.repeat(np.arange(len(Z)), k), y[nearest].ravel()), 1)
    return float(np.mean(votes.argmax(axis=1) == y))


def tsne_embedding(Z, perplexity=30.0, seed=0, max_iter=1000):
    """scikit-learn's t-SNE of the rows of ``Z`` (N, D) into 2-D: (N, 2) float64.

    PCA initialisation, the automatic learning rate, ``random_state=seed``.
    """
    import inspect

    from sklearn.manifold import TSNE

    iterations = "max_iter" if "max_iter" in inspect.signature(TSNE).parameters else "n_iter"
    tsne = TSNE(n_components=2, perplexity=float(perplexity), init="pca", learning_rate="auto",
                random_state=int(seed), **{iterations: int(max_iter)})
    return tsne.fit_transform(_points(Z, "tsne_embedding")).astype(np.float64)


def thumbnail_grid(embedding, cells=16):
    """Karpathy's t-SNE grid: one image per occupied cell of a ``cells`` x ``cells`` grid laid over
    the embedding (the point nearest the cell's centre).

    Returns (cells, cells) int: the index of the image shown in each cell, -1 where
    no point falls; row 0 is the top (largest second coordinate).
    """
    E = np.asarray(embedding, dtype=np.float64)
    lo, hi = E.min(axis=0), E.max(axis=0)
    u = (E - lo) / np.where(hi > lo, hi - lo, 1) * cells
    col = np.minimum(u[:, 0].astype(int), cells - 1)
    row = cells - 1 - np.minimum(u[:, 1].astype(int), cells - 1)
    centre = np.stack([col + 0.5, (cells - 1 - row) + 0.5], axis=1)
    dist = np.sum((u - centre) ** 2, axis=1)
    grid = np.full((cells, cells), -1, dtype=int)
    best = np.full((cells, cells), np.inf)
    for n in np.argsort(dist, kind="stable"):
        if best[row[n], col[n]] == np.inf:
            grid[row[n], col[n]], best[row[n], col[n]] = n, dist[n]
    return grid


def class_spread(Z, y):
    """Each class's size: the mean distance of its points to their centroid, (num_classes,)."""
    Z = _points(Z, "class_spread")
    y = contract.check_labels(y, len(Z), None, who="class_spread")
    return np.array([np.linalg.norm(Z[y == c] - Z[y == c].mean(axis=0), axis=1).mean()
                     for c in range(int(y.max()) + 1)])


def centroid_distances(Z, y):
    """Distances between the class centroids, (num_classes, num_classes)."""
    Z = _points(Z, "centroid_distances")
    y = contract.check_labels(y, len(Z), None, who="centroid_distances")
    cent = np.stack([Z[y == c].mean(axis=0) for c in range(int(y.max()) + 1)])
    return np.linalg.norm(cent[:, None] - cent[None], axis=2)


# The shipped embeddings: CNN codes and raw pixels of the shapes test images, two perplexities.
TSNE_FILE = DATA_DIR / "understanding" / "tsne_shapes.npz"
TSNE_SETTINGS = {"net": "shapes_convnet", "layer": "relu4", "num_test": 1000, "seed": 0,
                 "perplexities": [5, 30], "max_iter": 1000, "tsne_seed": 0}


def compute_tsne(settings=TSNE_SETTINGS):
    """The embeddings of ``TSNE_SETTINGS``: t-SNE of the CNN codes and of the raw pixels of the
    shapes test images, at each perplexity.  Returns ``(arrays, meta)`` for :func:`save_tsne`;
    ``meta["seconds"]`` holds the CPU and wall-clock seconds of each embedding (scikit-learn's
    t-SNE on 1,000 points, four times), ``meta["load_average"]`` the machine's load before."""
    import os
    import platform
    import time

    import sklearn

    from . import __version__
    from .data import load_shapes
    from .pretrained import ZOO_DIR, load_pretrained, sha256_of

    net = load_pretrained(settings["net"])
    d = load_shapes(num_train=0, num_val=0, num_test=settings["num_test"], seed=settings["seed"])
    X, y = d["X_test"], d["y_test"]
    inputs = {"codes": codes(net, X, settings["layer"]), "pixels": X.reshape(len(X), -1)}
    arrays, seconds, load = {"labels": y}, {}, os.getloadavg()
    for space, Z in inputs.items():
        arrays[f"{space}_sum"] = np.array([float(np.sum(Z, dtype=np.float64)),
                                           float(np.sum(np.asarray(Z, np.float64) ** 2))])
        for p in settings["perplexities"]:
            wall, cpu = time.perf_counter(), time.process_time()
            arrays[f"{space}_p{p}"] = tsne_embedding(Z, p, settings["tsne_seed"], settings["max_iter"])
            seconds[f"{space}_p{p}"] = {"cpu": round(time.process_time() - cpu, 2),
                                        "wall": round(time.perf_counter() - wall, 2)}
    meta = {"settings": settings, "net_sha256": sha256_of(ZOO_DIR / f"{settings['net']}.npz"),
            "library_version": __version__, "sklearn_version": sklearn.__version__,
            "numpy_version": np.__version__, "machine": f"{platform.machine()} {_cpu_model()}".strip(),
            "python": platform.python_version(), "seconds": seconds,
            "load_average": [round(x, 2) for x in load]}
    return arrays, meta


def save_tsne(arrays, meta, path=TSNE_FILE):
    """Write the embeddings and their metadata to ``path`` (.npz, no pickles) and its sha256 next to it."""
    import zipfile

    from .nets import sha256_of

    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    items = {"meta": np.array(json.dumps(meta, sort_keys=True)), **arrays}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for key in sorted(items):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.asarray(items[key]), allow_pickle=False)
    digest = sha256_of(path)
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def load_tsne(path=TSNE_FILE):
    """The shipped embeddings, checked against their sha256: ``(arrays, meta)``.

    ``arrays`` holds ``labels`` (N,), ``codes_p5``, ``codes_p30``, ``pixels_p5``, ``pixels_p30``
    (N, 2 each) and the sums of the inputs they were made from; ``meta`` the settings and versions.
    """
    path = pathlib.Path(path)
    if not path.exists() or not path.with_suffix(".sha256").exists():
        raise FileNotFoundError(f"{path} or its .sha256 is missing: restore it with `git checkout -- data/` or "
                                "rebuild it with `python -m cs231n_lib.understanding --tsne`.")
    return _load_pinned(path, "--tsne")


def _load_pinned(path, option):
    """``(arrays, meta)`` of a result file written by :func:`save_tsne`, after checking its sha256."""
    from .nets import sha256_of

    if sha256_of(path) != path.with_suffix(".sha256").read_text(encoding="utf-8").split()[0]:
        raise ValueError(f"{path.name} does not match its checksum; rebuild it with "
                         f"`python -m cs231n_lib.understanding {option}` or restore it with `git checkout -- data/`.")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files if key != "meta"}
        meta = json.loads(str(archive["meta"]))
    return arrays, meta


# Notebook 06's filter experiment: mnist_convnet's recipe with and without L2 regularization, over
# seeds, with the first-layer filters and the size of every weight matrix after every epoch, so that
# the two are compared after equal numbers of updates (the zoo keeps each net's best validation epoch,
# which need not be the same epoch for both).
FILTERS_FILE = DATA_DIR / "understanding" / "filters_training.npz"
FILTERS_SETTINGS = {"recipes": ["mnist_convnet", "mnist_convnet_noreg"], "seeds": [0, 1, 2, 3, 4],
                    "layer": "conv1", "overrides": {}}


def _load_checkpoint(path):
    with np.load(path, allow_pickle=False) as archive:
        return {key[len("param_"):]: archive[key] for key in archive.files if key.startswith("param_")}


def compute_filters_training(settings=FILTERS_SETTINGS, progress=False):
    """Train every recipe of ``settings["recipes"]`` once per seed by the zoo's own ``train`` (with
    ``settings["overrides"]`` on top of its RECIPE) and keep, at each of the Solver's accuracy checks
    (after the first update and after every epoch), the filters of ``settings["layer"]`` and the
    Frobenius norm of every weight matrix.  One BLAS thread.  Returns ``(arrays, meta)`` for
    :func:`save_filters_training`:

    * ``filters`` (R, S, K, F, C, HH, WW) float32: recipe r, seed s, check k;
    * ``start`` (S, F, C, HH, WW): the untrained filters of each seed (the same for every recipe);
    * ``norms`` (R, S, K, P) float64: the norm of each weight matrix (``meta["weights"]``, P names);
    * ``val_accuracy`` (R, S, K); ``test_accuracy``, ``kept_epoch``, ``kept_updates``,
      ``cpu_seconds`` (R, S); ``checks_after_updates`` (K,).
    """
    import os
    import platform
    import tempfile
    import time

    from threadpoolctl import threadpool_limits

    from . import __version__, pretrained

    names, seeds, layer = list(settings["recipes"]), [int(s) for s in settings["seeds"]], settings["layer"]
    modules = [pretrained.recipe(name) for name in names]
    filters, norms, val, test, kept_epoch, kept_updates, cpu = [], [], [], [], [], [], []
    weights, checks, recipes_used = None, None, {}
    load_before = os.getloadavg()
    start = np.stack([modules[0].build(seed=seed).params[f"{layer}.W"] for seed in seeds])
    for name, module in zip(names, modules):
        rows = [[], [], [], [], [], [], []]
        for i, seed in enumerate(seeds):
            run = {**module.RECIPE, **settings["overrides"], "seed": seed}
            recipes_used[name] = {k: v for k, v in run.items() if k != "seed"}
            if not np.array_equal(module.build(seed=seed).params[f"{layer}.W"], start[i]):
                raise ValueError(f"{name} starts from other {layer} weights than {names[0]} for seed {seed}")
            with tempfile.TemporaryDirectory() as tmp, threadpool_limits(limits=1, user_api="blas"):
                t0 = time.process_time()
                net, info = module.train(run, progress=progress, checkpoint_name=os.path.join(tmp, "run"))
                seconds = time.process_time() - t0
                record = info["training"]
                params = [_load_checkpoint(os.path.join(tmp, f"run_epoch_{e}.npz"))
                          for e in range(record["num_epochs"] + 1)]
            kept = params[record["kept_epoch"]]
            if not all(np.array_equal(kept[k], net.params[k]) for k in net.params):
                raise AssertionError(f"{name}, seed {seed}: the checkpoint of the kept epoch is not the kept net")
            weights = weights or sorted(k for k in net.params if k.endswith(".W"))
            checks = checks or record["checks_after_updates"]
            rows[0].append(np.stack([p[f"{layer}.W"] for p in params]))
            rows[1].append([[float(np.linalg.norm(p[k].astype(np.float64))) for k in weights] for p in params])
            rows[2].append(record["val_accuracy"])
            rows[3].append(info["test_accuracy"])
            rows[4].append(record["kept_epoch"])
            rows[5].append(record["kept_updates"])
            rows[6].append(seconds)
        for store, row in zip((filters, norms, val, test, kept_epoch, kept_updates, cpu), rows):
            store.append(row)
    arrays = {"filters": np.asarray(filters, dtype=np.float32), "start": np.asarray(start, dtype=np.float32),
              "norms": np.asarray(norms, dtype=np.float64), "val_accuracy": np.asarray(val, dtype=np.float64),
              "test_accuracy": np.asarray(test, dtype=np.float64), "kept_epoch": np.asarray(kept_epoch, np.int64),
              "kept_updates": np.asarray(kept_updates, np.int64), "cpu_seconds": np.asarray(cpu, np.float64),
              "checks_after_updates": np.asarray(checks, np.int64)}
    meta = {"settings": settings, "recipes": recipes_used, "weights": weights, "library_version": __version__,
            "numpy_version": np.__version__, "python": platform.python_version(),
            "machine": f"{platform.machine()} {_cpu_model()}".strip(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()]}
    return arrays, meta


def _cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor()


def save_filters_training(arrays, meta, path=FILTERS_FILE):
    """Write the filter experiment to ``path`` (.npz, no pickles) and its sha256 next to it."""
    return save_tsne(arrays, meta, path)


def load_filters_training(path=FILTERS_FILE):
    """The shipped filter experiment (see :func:`compute_filters_training`), checked against its
    sha256: ``(arrays, meta)``."""
    path = pathlib.Path(path)
    if not path.exists() or not path.with_suffix(".sha256").exists():
        raise FileNotFoundError(f"{path} or its .sha256 is missing: restore it with `git checkout -- data/` or "
                                "rebuild it with `python -m cs231n_lib.understanding --filters`.")
    return _load_pinned(path, "--filters")


def main(argv=None):
    import argparse
    import time

    from threadpoolctl import threadpool_limits

    from .outputs import add_force_option, kept_note, output_path

    parser = argparse.ArgumentParser(prog="python -m cs231n_lib.understanding",
                                     description="Rebuild notebook 06's shipped result files.")
    parser.add_argument("--tsne", action="store_true", help=f"recompute {TSNE_FILE.name} (about a minute)")
    parser.add_argument("--filters", action="store_true",
                        help=f"recompute {FILTERS_FILE.name}: mnist_convnet's recipe with and without "
                             "regularization over 5 seeds (about 20 CPU minutes)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--out", default=str(TSNE_FILE.parent), help="folder to write to (default: the "
                                                                      "repository's data/understanding/)")
    add_force_option(parser)
    args = parser.parse_args(argv)
    if not (args.tsne or args.filters):
        parser.print_help()
        return 0
    if args.tsne:
        start = time.perf_counter()
        with threadpool_limits(limits=1):
            arrays, meta = compute_tsne()
        target = pathlib.Path(args.out) / TSNE_FILE.name
        path = output_path(target, args.force)     # a file that exists is replaced only with --force
        digest = save_tsne(arrays, meta, path)
        print(f"wrote {path} (sha256 {digest}) in {time.perf_counter() - start:.0f} s")
        if path != target:
            print(kept_note(target, path))
    if args.filters:
        start = time.perf_counter()
        arrays, meta = compute_filters_training(progress=not args.quiet)
        target = pathlib.Path(args.out) / FILTERS_FILE.name
        path = output_path(target, args.force)
        digest = save_filters_training(arrays, meta, path)
        print(f"wrote {path} (sha256 {digest}) in {time.perf_counter() - start:.0f} s")
        if path != target:
            print(kept_note(target, path))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
