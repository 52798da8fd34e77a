"""Zeiler and Fergus (2014) measured on the shapes (notebook 10): invariance layer by layer, features
through training, and the first-layer fix that turned AlexNet into ZF Net.

M. D. Zeiler and R. Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014
(arXiv:1311.2901).  Three of its findings, on nets small enough to train here:

1. **Invariance** (their section 4, Fig. 5): images translated, scaled and rotated by known amounts
   (:func:`cs231n_lib.data.make_shapes` renders the transformed object, not a resampled image),
   the distance between each layer's feature vectors of the original and the transformed image,
   and the true class's probability.  :func:`invariance_curves`.
2. **Feature evolution** (section 4, Fig. 4): the images that drive a unit hardest at checkpoints of
   one training run (the zoo's ``shapes_convnet_evolution`` recipe keeps them), and how much of the
   top-k image set of each unit stays when training goes on.  :func:`load_checkpoints`,
   :func:`top_k_sets`, :func:`top_k_overlap`, :func:`settled_at`.
3. **The first layer** (section 4.1): an AlexNet-like first stage (8x8 filters at stride 4) against a
   ZF-like one (6x6 at stride 2, then a 2x2 pool), trained by one recipe over several seeds
   (``python -m cs231n_lib.zeiler_fergus --first-layer``): their filters, how many are dead or
   mostly high-frequency, and how much of their energy lies above what their stride can sample
   (:func:`aliased_fraction`).

:data:`PAPER` holds the paper's numbers and findings, with where they stand in it.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import sys
import tempfile
import zipfile
from typing import NamedTuple

import numpy as np

from . import __version__, contract, outputs
from .data import make_shapes
from .understanding import softmax

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
ZF_DIR = DATA_DIR / "zeiler_fergus"
CHECKPOINTS_FILE = ZF_DIR / "checkpoints.npz"
FIRST_LAYER_JSON = ZF_DIR / "first_layer.json"
FIRST_LAYER_NPZ = ZF_DIR / "first_layer_filters.npz"
EVOLUTION_NET = "shapes_convnet_evolution"
FIRST_LAYER_NETS = ("shapes_alexnet_like", "shapes_zf_like")
FIRST_LAYER_SEEDS = tuple(range(8))

__all__ = [
    "PAPER", "PaperFinding",
    # 1. invariance
    "TRANSFORMS", "PIXELS", "transform_settings", "render_transformed", "feature_vectors", "mean_pair_distance",
    "Invariance", "invariance_curves", "first_step_share",
    # 2. evolution
    "unit_maxima", "top_k_sets", "top_k_overlap", "layer_overlaps", "settled_at", "Evolution", "evolution",
    "layer_activations_all",
    # 3. the first layer
    "filter_power", "energy_above", "band_profile", "aliased_fraction", "high_frequency_share", "first_stage",
    "dead_filters", "SHIFT_TEST", "shift_consistency",
    # files
    "CHECKPOINTS_FILE", "FIRST_LAYER_JSON", "FIRST_LAYER_NPZ", "EVOLUTION_NET", "FIRST_LAYER_NETS",
    "FIRST_LAYER_SEEDS", "Checkpoints", "load_checkpoints", "write_checkpoints", "run_first_layer",
    "write_first_layer", "load_first_layer",
]


# ------------------------------------------------------------------ the paper
class PaperFinding(NamedTuple):
    """One finding of Zeiler and Fergus (2014): ``value`` (a number, a tuple, or None for a finding in
    words), where it stands in the paper, and what it says, in our words."""

    value: object
    where: str
    what: str


PAPER = {
    "invariance_layers": PaperFinding(
        None, "sec. 4, Fig. 5", "small transformations change the first layer's feature vector a lot and the top "
                                "feature layer's (layer 7) much less"),
    "invariance_quasi_linear": PaperFinding(
        None, "sec. 4, Fig. 5", "at the top feature layer the change grows about linearly with the translation "
                                "and the scaling"),
    "output_stable": PaperFinding(None, "sec. 4, Fig. 5", "the output is stable under translation and scaling"),
    "rotation": PaperFinding(None, "sec. 4, Fig. 5", "the output is not invariant to rotation, except for "
                                                     "objects with rotational symmetry"),
    "figure5_images": PaperFinding(5, "Fig. 5", "example images transformed"),
    "figure4_epochs": PaperFinding((1, 2, 5, 10, 20, 30, 40, 64), "Fig. 4", "epochs at which the features are "
                                                                             "shown"),
    "lower_layers": PaperFinding(None, "sec. 4", "the lower layers converge within a few epochs"),
    "upper_layers_epochs": PaperFinding((40, 50), "sec. 4", "the upper layers develop only after 40-50 epochs"),
    "alexnet_first_layer": PaperFinding((11, 4), "sec. 4.1", "AlexNet's first layer: 11x11 filters at stride 4"),
    "zf_first_layer": PaperFinding((7, 2), "sec. 4.1", "ZF Net's first layer: 7x7 filters at stride 2"),
    "alexnet_filters": PaperFinding(None, "sec. 4.1, Fig. 6", "AlexNet's first-layer filters mix very high and very "
                                                              "low frequencies, with little in between, and some "
                                                              "are dead"),
    "aliasing": PaperFinding(None, "sec. 4.1, Fig. 6", "AlexNet's second-layer features show aliasing caused by "
                                                       "the stride of 4 in the first layer"),
    "alexnet_replication_top1": PaperFinding(40.5, "Table 2", "top-1 validation error (%) of their replication "
                                                              "of AlexNet, one net"),
    "zf_net_top1": PaperFinding(38.4, "Table 2", "top-1 validation error (%) of their net of Fig. 3 (ZF Net), one "
                                                 "net; besides the 7x7 stride-2 first layer it strides 2 in its second "
                                                 "layer (sec. 5.1) and connects layers 3-5 densely, where AlexNet split "
                                                 "them over two GPUs (sec. 3)"),
}


# ------------------------------------------------------------------ 1. invariance, layer by layer
TRANSFORMS = {
    "translation": {"amounts": [-8, -6, -4, -2, -1, 0, 1, 2, 4, 6, 8], "unit": "pixels down",
                    "what": "the object moved vertically"},
    "scale": {"amounts": [0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4], "unit": "times its radius",
              "what": "the object grown or shrunk about its centre"},
    "rotation": {"amounts": [0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 360], "unit": "degrees",
                 "what": "the object turned clockwise about its centre"},
}
_IDENTITY = {"translation": 0, "scale": 1.0, "rotation": 0}


def transform_settings(kind, amount):
    """The keyword arguments of :func:`~cs231n_lib.data.make_shapes` for ``amount`` of transform ``kind``:
    'translation' (pixels down), 'scale' (times the radius) or 'rotation' (degrees clockwise)."""
    if kind == "translation":
        return {"shift": (float(amount), 0.0)}
    if kind == "scale":
        return {"scale": float(amount)}
    if kind == "rotation":
        return {"rotation": float(amount)}
    raise ValueError(f"kind must be one of {sorted(TRANSFORMS)}, got {kind!r}.")


def render_transformed(n, kind, amount, seed=0, split=2, classes=None):
    """The first ``n`` shapes of ``seed`` and ``split`` with their objects transformed by ``amount`` of
    ``kind`` (rendered, not resampled): :func:`~cs231n_lib.data.make_shapes`'s dict."""
    return make_shapes(n, seed=seed, split=split, classes=classes, **transform_settings(kind, amount))


PIXELS = "pixels"   # the "layer" that is the image itself: the baseline every layer is compared with


def feature_vectors(net, X, layers, batch_size=250):
    """Each layer's output for every image, flattened: ``{layer: (N, D) float64}``, plus ``"scores"``
    (N, num_classes), from one forward pass per batch.  The layer ``"pixels"`` is the image itself."""
    X = contract.check_images(net, X, who="feature_vectors")
    acts = layer_activations_all(net, X, [name for name in layers if name != PIXELS], batch_size)
    out = {name: value.reshape(len(value), -1).astype(np.float64) for name, value in acts.items()}
    if PIXELS in layers:
        out[PIXELS] = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    return out


def mean_pair_distance(F):
    """The mean Euclidean distance between the feature vectors of two different images of ``F`` (N, D),
    over all N (N - 1) / 2 pairs: the scale a layer's distances are divided by."""
    F = np.asarray(F, dtype=np.float64)
    N = len(F)
    if N < 2:
        raise ValueError(f"the mean distance between two different images needs at least 2 images, got {N}.")
    sq = np.sum(F * F, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * F @ F.T, 0)
    iu = np.triu_indices(N, 1)
    return float(np.mean(np.sqrt(d2[iu])))


class Invariance(NamedTuple):
    """What :func:`invariance_curves` measured for one transform.

    kind, amounts : the transform and its A amounts.
    layers : the layers measured.
    distance : ``{layer: (A, N)}``, the Euclidean distance between the feature vectors of each
        image and of its transformed version, divided by ``scale[layer]``.
    raw : ``{layer: (A, N)}``, the same distances undivided.
    scale : ``{layer: float}``, the mean distance between two different untransformed images.
    probability : (A, N), the probability the net gives each transformed image's true class.
    labels : (N,) the true classes.
    object_pixels : (A, N) int, the pixels of each object inside the frame (its mask).
    """

    kind: str
    amounts: np.ndarray
    layers: list
    distance: dict
    raw: dict
    scale: dict
    probability: np.ndarray
    labels: np.ndarray
    object_pixels: np.ndarray


def _relu_layers(net):
    return [name for name in net.names if net.layers[name].kind == "relu"]


def _checked_layers(net, kind, layers):
    if kind not in TRANSFORMS:
        raise ValueError(f"kind must be one of {sorted(TRANSFORMS)}, got {kind!r}.")
    layers = _relu_layers(net) if layers is None else list(layers)
    for name in layers:
        if name not in net.layers and name != PIXELS:
            raise ValueError(f"no layer named {name!r}; the layers are {net.names} (and {PIXELS!r}, the image).")
    return layers


def invariance_curves(net, kind, amounts=None, n=100, layers=None, seed=0, split=2, classes=None):
    """Zeiler and Fergus's Fig. 5 on the shapes: how much each layer's features and the true class's
    probability change when the object is transformed by known amounts.

    The first ``n`` images of ``seed``/``split`` are rendered at every amount (the untransformed
    amount too: its distances are exactly 0, as the image is the same, byte for byte).  For image i
    and layer l the distance is ``||f_l(T x_i) - f_l(x_i)|| / s_l``, where ``s_l`` is the mean
    distance between the features of two different untransformed images (:func:`mean_pair_distance`):
    1 means "as far as another image of the data set".

    layers : default every ReLU layer of the net (the output of each learned layer); ``"pixels"``
        is the image itself, the baseline.
    Returns an :class:`Invariance`.
    """
    layers = _checked_layers(net, kind, layers)
    amounts = np.asarray(TRANSFORMS[kind]["amounts"] if amounts is None else amounts, dtype=np.float64)
    base = make_shapes(n, seed=seed, split=split, classes=classes)
    F0 = feature_vectors(net, base["X"], layers)
    scale = {name: mean_pair_distance(F0[name]) for name in layers}     # two different images, per layer
    raw = {name: np.zeros((len(amounts), n)) for name in layers}
    prob = np.zeros((len(amounts), n))
    pixels = np.zeros((len(amounts), n), dtype=np.int64)
    for a, amount in enumerate(amounts):
        moved = render_transformed(n, kind, amount, seed, split, classes)
        F = feature_vectors(net, moved["X"], layers)
        for name in layers:
            raw[name][a] = np.linalg.norm(F[name] - F0[name], axis=1)
        prob[a] = softmax(F["scores"])[np.arange(n), base["y"]]
        pixels[a] = moved["masks"].reshape(n, -1).sum(axis=1)
    distance = {name: raw[name] / scale[name] for name in layers}
    return Invariance(kind, amounts, layers, distance, raw, scale, prob, base["y"], pixels)


def first_step_share(result, layer):
    """How early a layer's change comes: its mean distance at the smallest amount of the transform
    divided by its mean distance at the largest, averaged over the two directions (smaller and larger
    than the identity).  A layer whose distance grows in proportion to the amount scores the ratio of
    the amounts (1/8 for translations of 1 and 8 pixels); one that jumps at once scores near 1.  For
    rotations the largest amount is the half turn (180 degrees), the farthest from the start."""
    amounts = np.asarray(result.amounts, dtype=np.float64)
    mean = np.asarray(result.distance[layer], dtype=np.float64).mean(axis=1)
    if result.kind == "rotation":
        turned = np.flatnonzero(np.mod(amounts, 360) != 0)
        small = turned[np.argmin(np.minimum(np.mod(amounts[turned], 360), 360 - np.mod(amounts[turned], 360)))]
        far = turned[np.argmin(np.abs(np.mod(amounts[turned], 360) - 180))]
        return float(mean[small] / mean[far])
    centre = _IDENTITY[result.kind]
    shares = []
    for side in (amounts < centre, amounts > centre):
        idx = np.flatnonzero(side)
        if len(idx) < 2:
            continue
        order = idx[np.argsort(np.abs(amounts[idx] - centre))]
        shares.append(mean[order[0]] / mean[order[-1]])
    if not shares:
        raise ValueError("first_step_share needs at least two amounts on one side of the identity.")
    return float(np.mean(shares))


# ------------------------------------------------------------------ 2. features through training
def unit_maxima(acts):
    """Each unit's strongest response on each image: (N, C, H, W) -> the maximum over positions (N, C);
    (N, M) activations of a flat layer are returned as they are."""
    acts = np.asarray(acts)
    if acts.ndim == 4:
        return acts.reshape(acts.shape[0], acts.shape[1], -1).max(axis=2)
    if acts.ndim == 2:
        return acts
    raise ValueError(f"activations must be (N, C, H, W) or (N, M), got shape {acts.shape}.")


def top_k_sets(responses, k=9):
    """The ``k`` images that drive each unit hardest: (N, C) responses -> (C, k) image indices, strongest
    first (ties in the order of the images), and (C,) bool: whether the unit's k-th strongest
    response is above 0 (if not, the set is partly an arbitrary choice among zeros)."""
    responses = np.asarray(responses)
    N = responses.shape[0]
    k = int(k)
    if not 1 <= k <= N:
        raise ValueError(f"k must be between 1 and the number of images ({N}), got {k}.")
    order = np.argsort(-responses, axis=0, kind="stable")[:k].T
    kth = np.take_along_axis(responses, order[:, -1][None, :], axis=0)[0]
    return order, kth > 0


def top_k_overlap(sets_a, sets_b):
    """The share of each unit's top-k images two checkpoints agree on: (C, k) and (C, k) -> (C,) in [0, 1].
    Two random k-sets out of N images share k/N of their images on average."""
    sets_a, sets_b = np.asarray(sets_a), np.asarray(sets_b)
    if sets_a.shape != sets_b.shape or sets_a.ndim != 2:
        raise ValueError(f"need two (C, k) arrays of the same shape, got {sets_a.shape} and {sets_b.shape}.")
    k = sets_a.shape[1]
    return np.array([len(np.intersect1d(a, b)) / k for a, b in zip(sets_a, sets_b)])


def _mean_overlap(sets_a, sets_b):
    """The mean of :func:`top_k_overlap` over the units, from whole counts: the images the two (C, k)
    sets share, summed over the units, divided by C * k.  (The mean of the C fractions can miss by one
    rounding: 63 shared images of 14 units' top nine give 0.49999999999999994 that way, and exactly 0.5
    this way, which matters where a share is compared with a threshold such as one half.)"""
    sets_a, sets_b = np.asarray(sets_a), np.asarray(sets_b)
    if len(sets_a) == 0:
        return np.nan
    shared = sum(len(np.intersect1d(a, b)) for a, b in zip(sets_a, sets_b))
    return int(shared) / (len(sets_a) * sets_a.shape[1])


def layer_overlaps(sets, alive):
    """For one layer, from each checkpoint's top-k sets (a list of (C, k)) and alive masks (a list of (C,)):
    the mean overlap between consecutive checkpoints (K - 1,) and with the last checkpoint (K,), over
    the units alive at both checkpoints compared, and how many units that was at each step.  Each mean
    is computed from whole counts (shared images over units times k), so that it is exact where it
    can be: a step that keeps half of the images is 0.5, not a hair below."""
    K = len(sets)
    consecutive = np.zeros(K - 1)
    counted = np.zeros(K - 1, dtype=np.int64)
    with_last = np.zeros(K)
    for i in range(K - 1):
        both = alive[i] & alive[i + 1]
        counted[i] = int(both.sum())
        consecutive[i] = _mean_overlap(sets[i][both], sets[i + 1][both])
    for i in range(K):
        both = alive[i] & alive[-1]
        with_last[i] = _mean_overlap(sets[i][both], sets[-1][both])
    return consecutive, with_last, counted


def settled_at(consecutive, after_updates, threshold=0.5):
    """The first checkpoint from which every later step keeps at least ``threshold`` of the top-k sets:
    the number of updates ``after_updates[i]`` for the smallest i with ``consecutive[j] >= threshold``
    for every j >= i, or None if the last step does not."""
    consecutive = np.asarray(consecutive, dtype=np.float64)
    if len(after_updates) != len(consecutive) + 1:
        raise ValueError("after_updates lists the checkpoints: one more than the steps between them.")
    i = len(consecutive)
    while i > 0 and consecutive[i - 1] >= threshold:
        i -= 1
    return None if i == len(consecutive) else int(after_updates[i])


class Evolution(NamedTuple):
    """What :func:`evolution` measured at every checkpoint of a training run.

    after_updates : (K,) the checkpoints' numbers of updates.
    layers : the layers measured.
    responses : ``{layer: list of K arrays (N, C)}``, each unit's strongest response on each image.
    accuracy : (K,) the fraction of the images each checkpoint labels right.
    units : ``{layer: list of unit indices}``, the units whose patches were cut.
    patches : ``{layer: [[patch (3, h, w) at each checkpoint] for each unit]}``, the receptive field, in the
        image that drives the unit hardest, around the position where it responds most.
    """

    after_updates: list
    layers: list
    responses: dict
    accuracy: np.ndarray
    units: dict
    patches: dict


def evolution(checkpoints, X, y, layers, units_per_layer=2, seed=0, batch_size=250):
    """Zeiler and Fergus's Fig. 4 on a :class:`Checkpoints` run: each unit's responses at every checkpoint,
    and for ``units_per_layer`` units of each layer drawn at random (``seed``) among those that respond to
    at least one image at the last checkpoint, its strongest patch at every checkpoint."""
    from .understanding import crop, max_activating

    K = len(checkpoints.after_updates)
    rng = np.random.default_rng(seed)
    final = checkpoints.net(K - 1)
    X = contract.check_images(final, X, who="evolution")
    y = contract.check_labels(y, len(X), final.num_classes, who="evolution")
    last = layer_activations_all(final, X, layers, batch_size)
    units = {}
    for layer in layers:
        alive = np.flatnonzero(unit_maxima(last[layer]).max(axis=0) > 0)
        units[layer] = sorted(int(u) for u in rng.choice(alive, size=min(units_per_layer, len(alive)), replace=False))
    responses = {layer: [] for layer in layers}
    patches = {layer: [[] for _ in units[layer]] for layer in layers}
    accuracy = np.zeros(K)
    for k in range(K):
        net = checkpoints.net(k)
        acts = last if k == K - 1 else layer_activations_all(net, X, layers, batch_size)
        for layer in layers:
            responses[layer].append(unit_maxima(acts[layer]))
            for slot, unit in enumerate(units[layer]):
                best = max_activating(net, X, layer, unit, k=1, acts=acts[layer])
                patches[layer][slot].append(crop(X[int(best.indices[0])], best.boxes[0]))
        accuracy[k] = np.mean(acts["scores"].argmax(axis=1) == y)
    return Evolution(list(checkpoints.after_updates), list(layers), responses, accuracy, units, patches)


def layer_activations_all(net, X, layers, batch_size=250):
    """``{layer: (N, ...)}`` for every layer of ``layers`` and ``"scores"`` (N, num_classes), one forward
    pass per batch of ``batch_size`` images."""
    X = contract.check_images(net, X, who="layer_activations_all")
    names = list(layers) + [net.names[-1]]
    parts = {name: [] for name in names}
    for i in range(0, len(X), int(batch_size)):
        acts = net.activations(X[i:i + int(batch_size)], names)
        for name in names:
            parts[name].append(acts[name])
    out = {name: np.concatenate(parts[name]) for name in layers}
    out["scores"] = np.concatenate(parts[net.names[-1]])
    return out


# ------------------------------------------------------------------ 3. the first layer
def filter_power(W, size=32):
    """The power spectrum of each filter, its channels summed: (F, C, HH, WW) -> (F, size, size), the
    filter zero-padded to ``size`` x ``size`` and Fourier transformed, frequencies in the order of
    ``numpy.fft.fftfreq(size)`` (cycles per pixel, from -0.5 to 0.5)."""
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 4:
        raise ValueError(f"W must be filters (F, C, HH, WW), got shape {W.shape}.")
    if size < max(W.shape[2:]):
        raise ValueError(f"size ({size}) must be at least the filter size {W.shape[2:]}.")
    spectrum = np.fft.fft2(W, s=(size, size), axes=(2, 3))
    return (np.abs(spectrum) ** 2).sum(axis=1)


def energy_above(W, cutoff, size=32):
    """The share of each filter's energy at frequencies above ``cutoff`` cycles per pixel in either
    direction (``max(|fx|, |fy|) > cutoff``): (F,) in [0, 1]; 0 for an all-zero filter."""
    power = filter_power(W, size)
    f = np.abs(np.fft.fftfreq(size))
    above = np.maximum(f[:, None], f[None, :]) > cutoff + 1e-12
    total = power.sum(axis=(1, 2))
    high = power[:, above].sum(axis=1)
    return np.where(total > 0, high / np.where(total > 0, total, 1), 0.0)


def band_profile(W, size=32):
    """How the filters' energy spreads over frequency: the share of the total energy of all the filters
    ``W`` (F, C, HH, WW) at each band ``max(|fx|, |fy|) = k / size`` cycles per pixel, k = 0 .. size / 2.
    Returns ``(frequencies (size // 2 + 1,), shares (size // 2 + 1,))``; the shares sum to 1."""
    power = filter_power(W, size).sum(axis=0)
    k = np.abs(np.fft.fftfreq(size) * size).round().astype(int)
    band = np.maximum(k[:, None], k[None, :])
    shares = np.bincount(band.ravel(), weights=power.ravel(), minlength=size // 2 + 1)
    total = shares.sum()
    return np.arange(size // 2 + 1) / size, shares / (total if total > 0 else 1.0)


def aliased_fraction(W, stride, size=32):
    """The share of each filter's energy a convolution of ``stride`` cannot sample: above the Nyquist
    frequency of its output grid, ``1 / (2 * stride)`` cycles per pixel (Shannon: a grid of spacing S
    holds frequencies up to 1/(2S); finer detail folds back as a coarser pattern, aliasing)."""
    if int(stride) < 1:
        raise ValueError(f"stride must be a whole number >= 1, got {stride}.")
    return energy_above(W, 1.0 / (2 * int(stride)), size)


def high_frequency_share(W, cutoff=0.25, size=32):
    """The fraction of filters with more than half their energy above ``cutoff`` cycles per pixel."""
    return float(np.mean(energy_above(W, cutoff, size) > 0.5))


def first_stage(name, W, b, X, layer=None, batch_size=250):
    """The first stage of the zoo net ``name`` (``shapes_alexnet_like`` or ``shapes_zf_like``) with
    first-layer filters ``W`` and biases ``b``, run on images ``X``: the output of ``layer``
    (default: the last layer of the stage, ``relu1`` or ``pool1``)."""
    from .pretrained import recipe

    if name not in FIRST_LAYER_NETS:
        raise ValueError(f"name must be one of {FIRST_LAYER_NETS}, got {name!r}.")
    net = recipe(name).build()
    if net.params["conv1.W"].shape != np.shape(W) or net.params["conv1.b"].shape != np.shape(b):
        raise ValueError(f"{name}'s first layer has W {net.params['conv1.W'].shape} and b "
                         f"{net.params['conv1.b'].shape}; got {np.shape(W)} and {np.shape(b)}.")
    net.params["conv1.W"], net.params["conv1.b"] = np.asarray(W, net.dtype), np.asarray(b, net.dtype)
    X = contract.check_images(net, X, who="first_stage")
    layer = layer or ("pool1" if "pool1" in net.layers else "relu1")
    from .understanding import layer_activations

    return layer_activations(net, X, layer, batch_size)


def dead_filters(name, W, b, X):
    """Which first-layer filters of ``name`` never fire on the images ``X``: their ReLU output is 0 at
    every position of every image.  (F,) bool."""
    acts = first_stage(name, W, b, X, layer="relu1")
    return np.all(acts == 0, axis=(0, 2, 3))


# ------------------------------------------------------------------ files written once, read by the notebook
def _write_npz(path, arrays, meta):
    """Write ``arrays`` and ``meta`` (JSON text) to ``path`` as an .npz with fixed timestamps (the same
    numbers give the same bytes) and its sha256 to ``path`` with suffix .sha256; returns the digest."""
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


def _verified(path, rebuild):
    """``path`` after its sha256 check (FileNotFoundError / ValueError naming ``rebuild`` otherwise)."""
    return outputs.verified(path, f"`{rebuild}`", restore="data/zeiler_fergus/")


def _read_npz(path, rebuild):
    with np.load(_verified(path, rebuild), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files if key != "meta"}
        meta = json.loads(str(archive["meta"]))
    return arrays, meta


# ------------------------------------------------------------------ checkpoints of one training run
class Checkpoints(NamedTuple):
    """The checkpoints of the zoo's ``shapes_convnet_evolution`` run (:func:`load_checkpoints`).

    after_updates : list of int, the number of minibatch updates behind each checkpoint (0: untrained).
    params : list of ``{param name: array}``, one per checkpoint, in that order.
    updates_per_epoch : int.
    meta : the recipe's settings, the digests, the library version.
    """

    after_updates: list
    params: list
    updates_per_epoch: int
    meta: dict

    @property
    def epochs(self):
        """Each checkpoint's training time in epochs (floats)."""
        return [u / self.updates_per_epoch for u in self.after_updates]

    def net(self, k):
        """The net of checkpoint ``k`` (an index into ``after_updates``)."""
        from .pretrained import recipe

        net = recipe(self.meta["recipe_name"]).build(seed=self.meta["settings"]["seed"])
        for key, value in self.params[k].items():
            net.params[key] = value.copy()
        return net


def write_checkpoints(saved, info, settings, path=CHECKPOINTS_FILE, name=EVOLUTION_NET):
    """Write the checkpoints ``saved`` (``{updates: {param: array}}``, from the recipe's ``train(..., keep=)``)
    with ``info["checkpoints"]`` and ``settings`` to ``path``; returns its sha256."""
    record = info["checkpoints"]
    after = [int(u) for u in record["after_updates"]]
    if sorted(saved) != after:
        raise ValueError(f"the checkpoints kept ({sorted(saved)}) are not the ones the run lists ({after}).")
    arrays = {f"after_{u:06d}/{key}": value for u in after for key, value in saved[u].items()}
    meta = {"recipe_name": name, "settings": settings, "after_updates": after,
            "updates_per_epoch": int(record["updates_per_epoch"]), "params_sha256": record["params_sha256"],
            "test_accuracy_of_kept_net": info["test_accuracy"], "library_version": __version__}
    return _write_npz(path, arrays, meta)


def load_checkpoints(path=CHECKPOINTS_FILE):
    """The shipped checkpoints, checked against their sha256 (and each against its digest): :class:`Checkpoints`."""
    from .recipes._checkpoints import params_sha256

    arrays, meta = _read_npz(path, "python -m cs231n_lib.zeiler_fergus --checkpoints")
    params = []
    for u, digest in zip(meta["after_updates"], meta["params_sha256"]):
        prefix = f"after_{u:06d}/"
        p = {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
        if params_sha256(p) != digest:
            raise ValueError(f"{pathlib.Path(path).name}: the checkpoint after {u} updates does not match its digest.")
        params.append(p)
    return Checkpoints(list(meta["after_updates"]), params, int(meta["updates_per_epoch"]), meta)


# ------------------------------------------------------------------ the first-layer comparison over seeds
SHIFT_TEST = {"num_images": 500, "shifts": [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1], [0, 2], [0, 3]]}


def shift_consistency(net, seed, num_images=500, shifts=SHIFT_TEST["shifts"], split=2):
    """How steady a net's answer is when each test object moves by less than the first stage's stride.

    The first ``num_images`` test images of ``seed`` (split 2) are rendered with their object moved
    by every ``(rows, columns)`` of ``shifts`` (the first must be (0, 0)).  Returns a dict:
    ``consistency``, the fraction of images the net gives the same label at every shift, and
    ``probability_range``, the mean over images of the largest minus the smallest probability of the
    true class across the shifts.
    """
    if [int(v) for v in shifts[0]] != [0, 0]:
        raise ValueError(f"the first shift must be (0, 0), the image itself; got {shifts[0]}.")
    labels, probs = [], []
    for dy, dx in shifts:
        d = make_shapes(num_images, seed=seed, split=split, shift=(dy, dx))
        scores = np.concatenate([net.loss(d["X"][i:i + 250]) for i in range(0, num_images, 250)])
        labels.append(np.argmax(scores, axis=1))
        probs.append(softmax(scores.astype(np.float64))[np.arange(num_images), d["y"]])
    labels, probs = np.array(labels), np.array(probs)
    return {"consistency": float(np.mean(np.all(labels == labels[0], axis=0))),
            "probability_range": float(np.mean(probs.max(axis=0) - probs.min(axis=0))),
            "num_images": int(num_images), "shifts": [[int(a), int(b)] for a, b in shifts]}


def _run_dir(work, recipe, seeds):
    key = json.dumps({"recipe": recipe, "seeds": list(seeds), "version": __version__}, sort_keys=True)
    return pathlib.Path(work) / f"first_layer_{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def run_first_layer(seeds=FIRST_LAYER_SEEDS, overrides=None, progress=False, work=None, report=None):
    """Train ``shapes_alexnet_like`` and ``shapes_zf_like`` by their common recipe, once per seed.

    One BLAS thread; the two nets alternate seed by seed, so that a busy machine slows both alike.
    A seed sets the data set, the initial weights and the minibatches.  Each finished run is kept
    in ``work`` (default: a folder in the system's temporary directory), so an interrupted
    command resumes where it stopped.  ``report(text)`` is told about each run.

    Returns ``(record, arrays)``: the JSON-ready record (recipe, seeds, library version, machine,
    load average, per run the test and best validation accuracy, the seconds and the digest of the
    trained weights) and the first layer of every trained net, ``{"<net>/seed<k>/W": (F, C, HH, WW),
    ".../b": (F,)}``.
    """
    from threadpoolctl import threadpool_limits

    from .pretrained import recipe as zoo_recipe
    from .recipes._checkpoints import params_sha256

    modules = {name: zoo_recipe(name) for name in FIRST_LAYER_NETS}
    base = dict(modules[FIRST_LAYER_NETS[0]].RECIPE)
    if any(m.RECIPE != base for m in modules.values()):
        raise ValueError("the two first-layer nets must share one recipe")
    unknown = sorted(set(overrides or {}) - set(base))
    if unknown:
        raise ValueError(f"the recipe has no setting(s) {unknown}; its settings are {sorted(base)}.")
    recipe = dict(base, **(overrides or {}))
    seeds = [int(s) for s in seeds]
    if len(set(seeds)) != len(seeds) or not seeds:
        raise ValueError(f"seeds must be distinct and at least one, got {seeds}.")
    folder = _run_dir(work or tempfile.gettempdir(), recipe, seeds)
    folder.mkdir(parents=True, exist_ok=True)
    load_before = outputs.load_average()
    runs, arrays = [], {}
    with threadpool_limits(limits=1, user_api="blas"):
        for seed in seeds:
            for name in FIRST_LAYER_NETS:
                done = folder / f"{name}_seed{seed}.npz"
                if done.exists():
                    with np.load(done, allow_pickle=False) as archive:
                        run = json.loads(str(archive["meta"]))
                        W, b = archive["W"], archive["b"]
                else:
                    settings = dict(recipe, seed=seed)
                    timer = {}
                    net, info = modules[name].train(settings, progress=progress, timer=timer)
                    W, b = net.params["conv1.W"], net.params["conv1.b"]
                    n_shift = min(SHIFT_TEST["num_images"], settings["num_test"])
                    run = {"net": name, "seed": seed, "test_accuracy": info["test_accuracy"],
                           "best_val_accuracy": info["best_val_accuracy"], "num_test": settings["num_test"],
                           "wall_seconds": timer["wall_seconds"], "cpu_seconds": timer["cpu_seconds"],
                           "params_sha256": params_sha256(net.params),
                           "shift": shift_consistency(net, seed, n_shift, SHIFT_TEST["shifts"]),
                           "load_average_after": outputs.load_average()}
                    _write_npz(done, {"W": W, "b": b, **{f"params/{k}": v for k, v in net.params.items()}}, run)
                runs.append(run)
                arrays[f"{name}/seed{seed}/W"], arrays[f"{name}/seed{seed}/b"] = W, b
                if report is not None:
                    report(f"{name} seed {seed}: test accuracy {run['test_accuracy']:.3f}, "
                           f"{run['wall_seconds']:.0f} s")
    record = {"what": "an AlexNet-like first stage (8x8 filters, stride 4) against a ZF-like one (6x6 filters, "
                      "stride 2, then a 2x2 max pool), the same recipe, one run per seed and net",
              "nets": list(FIRST_LAYER_NETS), "recipe": recipe, "seeds": seeds, "library_version": __version__,
              "machine": outputs.machine_info(), "load_average_before": load_before, "load_average_after": outputs.load_average(),
              "runs": runs}
    return record, arrays


def write_first_layer(record, arrays, json_path=FIRST_LAYER_JSON, npz_path=FIRST_LAYER_NPZ):
    """Write the record as JSON and the filters as .npz, each with its .sha256; returns the two digests.

    The .npz's metadata records the JSON's run digests, so the two files belong together."""
    from .nets import sha256_of

    json_path = pathlib.Path(json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digest = sha256_of(json_path)
    json_path.with_suffix(".sha256").write_text(f"{digest}  {json_path.name}\n", encoding="utf-8")
    meta = {"runs": [{"net": r["net"], "seed": r["seed"], "params_sha256": r["params_sha256"]}
                     for r in record["runs"]], "library_version": __version__}
    return digest, _write_npz(npz_path, arrays, meta)


def load_first_layer(json_path=FIRST_LAYER_JSON, npz_path=FIRST_LAYER_NPZ):
    """The shipped comparison, both files checked against their sha256: ``(record, arrays)`` as
    :func:`run_first_layer` returns them."""
    rebuild = "python -m cs231n_lib.zeiler_fergus --first-layer --force"
    record = json.loads(_verified(json_path, rebuild).read_text(encoding="utf-8"))
    arrays, meta = _read_npz(npz_path, rebuild)
    mine = [{"net": r["net"], "seed": r["seed"], "params_sha256": r["params_sha256"]} for r in record["runs"]]
    if meta["runs"] != mine:
        raise ValueError(f"{pathlib.Path(npz_path).name} holds the filters of other runs than "
                         f"{pathlib.Path(json_path).name} lists: rebuild both with `{rebuild}`.")
    return record, arrays


# ------------------------------------------------------------------ the command line
def main(argv=None):
    import argparse
    import time

    from .outputs import add_force_option, kept_note, output_path, output_paths

    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.zeiler_fergus",
        description="Notebook 10's runs that take too long for a notebook (one BLAS thread, deterministic on one "
                    "machine). A file that exists is not replaced: the new one goes to NAME.new.EXT next to it, "
                    "unless --force.")
    parser.add_argument("--checkpoints", action="store_true",
                        help=f"train the zoo recipe {EVOLUTION_NET} and write its checkpoints")
    parser.add_argument("--first-layer", action="store_true",
                        help="train the AlexNet-like and the ZF-like net over --seeds")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(FIRST_LAYER_SEEDS))
    parser.add_argument("--quick", action="store_true", help="the recipes' tiny QUICK settings (to try the pipeline)")
    parser.add_argument("--out", default=str(ZF_DIR), help="folder to write to (default: the repository's "
                                                           "data/zeiler_fergus/)")
    add_force_option(parser, "files")
    parser.add_argument("--work", default=None, help="folder that keeps each finished first-layer run, so that an "
                                                     "interrupted command resumes (default: the system's temporary "
                                                     "folder)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if not (args.checkpoints or args.first_layer):
        parser.error("say what to run: --checkpoints and/or --first-layer")
    out = pathlib.Path(args.out)
    if args.checkpoints:
        from threadpoolctl import threadpool_limits

        from .pretrained import recipe

        target = out / CHECKPOINTS_FILE.name
        path = output_path(target, args.force)     # a file that exists is replaced only with --force
        module = recipe(EVOLUTION_NET)
        settings = dict(module.RECIPE, **(module.QUICK if args.quick else {}))
        start = time.perf_counter()
        saved = {}
        with threadpool_limits(limits=1, user_api="blas"):
            _, info = module.train(settings, progress=not args.quiet, keep=saved)
        digest = write_checkpoints(saved, info, settings, path)
        print(f"{EVOLUTION_NET}: {len(saved)} checkpoints in {time.perf_counter() - start:.0f} s (load average "
              f"{outputs.load_average()}); wrote {path} (sha256 {digest})")
        if path != target:
            print(kept_note(target, path))
    if args.first_layer:
        from .pretrained import recipe

        targets = [out / FIRST_LAYER_JSON.name, out / FIRST_LAYER_NPZ.name]
        json_path, npz_path = output_paths(targets, args.force)   # replaced only with --force
        start = time.perf_counter()
        record, arrays = run_first_layer(args.seeds, recipe(FIRST_LAYER_NETS[0]).QUICK if args.quick else None,
                                         progress=not args.quiet, work=args.work, report=print)
        digests = write_first_layer(record, arrays, json_path, npz_path)
        print(f"first layer: {len(record['runs'])} runs in {time.perf_counter() - start:.0f} s; wrote {json_path} "
              f"(sha256 {digests[0]}) and {npz_path} (sha256 {digests[1]})")
        if json_path != targets[0]:
            print(kept_note(targets[0], json_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
