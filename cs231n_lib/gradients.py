"""Looking through the gradient (notebook 07): what a trained ConvNet's gradients say about its input.

Plain functions on arrays and the nets of :mod:`cs231n_lib.nets` (a
:class:`~cs231n_lib.nets.SequentialNet`: ``net.backward_from(X, layer, dout,
relu_rule=...)`` gives any layer's gradient with respect to the image).

* :func:`saliency_map` -- Simonyan et al. 2013: the absolute gradient of the
  class score, maxed over the colour channels.
* :func:`attribution_maps` -- the same for the guided (Springenberg et al.
  2014) and deconvnet (Zeiler and Fergus 2013) rules, and
  :func:`occlusion_attribution` -- the occlusion experiment as a per-pixel map.
* :func:`mass_inside`, :func:`pointing_hits`, :func:`score_maps` -- scores of a
  map against an object mask (the shapes data set ships the masks).
* :func:`randomized_copy`, :func:`rank_correlation`, :func:`cascading_randomization`
  -- the sanity check of Adebayo et al. 2018.
* :func:`class_model` -- Simonyan et al.'s class model visualization (gradient
  ascent on a class score, with jitter and blur).
* :func:`alpha_norm`, :func:`total_variation`, :func:`invert` -- Mahendran and
  Vedaldi's inversion of a layer's code.
* :func:`compare_allconv` -- max pooling against the all-convolutional twin
  over several seeds (``python -m cs231n_lib.gradients --compare-allconv``).
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import sys
from typing import NamedTuple

import numpy as np

from . import __version__, contract, outputs

__all__ = [
    # maps
    "METHODS", "class_score_gradient", "saliency_map", "attribution_maps", "occlusion_attribution",
    "kinks_crossed",
    # scores against the object masks
    "mass_inside", "pointing_hits", "grow_masks", "ScoreRow", "EDGE_ROW", "RANDOM_ROW", "score_maps",
    # the sanity check
    "copy_net", "randomized_copy", "rank_correlation", "edge_map", "Cascade", "cascading_randomization",
    # class models
    "gaussian_blur", "ClassModel", "class_model",
    # inversion
    "alpha_norm", "total_variation", "Inversion", "invert", "invert_layers",
    # the all-convolutional net
    "ALLCONV_JSON", "params_digest", "parameter_count", "compare_allconv", "summarize_runs",
    "write_allconv_comparison", "load_allconv_comparison",
]

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
ALLCONV_JSON = DATA_DIR / "allconv_comparison.json"


# ------------------------------------------------------------------ input checks
def _batch(net, X, y=None, name="X", who=None, values="pixels"):
    """X as a float array (N, *net.input_dim), and y as int labels (N,) of the net's classes (one
    label for every image when y is one number): :func:`cs231n_lib.contract.check_images` and
    :func:`~cs231n_lib.contract.check_labels`."""
    X = contract.check_images(net, X, name=name, who=who, values=values)
    if y is None:
        return X, None
    return X, contract.check_labels(y, len(X), net.num_classes, who=who, broadcast=True)


def _check_layer(net, name):
    if name not in getattr(net, "layers", {}):
        raise ValueError(f"no layer named {name!r}; the layers are {list(net.names)}.")


def _score_layer(net):
    """The layer whose output is the unnormalised class scores: the last one."""
    return net.names[-1]


# ------------------------------------------------------------------ saliency, guided backprop, deconvnet
METHODS = {
    "gradient": "the gradient of the class score (Simonyan et al. 2013)",
    "guided": "guided backpropagation (Springenberg et al. 2014)",
    "deconvnet": "the deconvnet rule (Zeiler and Fergus 2013)",
    "occlusion": "occlusion: the drop of the class probability under a grey patch (Zeiler and Fergus 2013)",
}
_RULE_OF = {"gradient": "backprop", "guided": "guided", "deconvnet": "deconvnet"}


def class_score_gradient(net, X, y, relu_rule="backprop"):
    """d S_y(X) / dX for every image: the gradient of its unnormalised score for class ``y[n]``.

    X : (N, C, H, W) images in the net's convention; y : (N,) class labels.
    relu_rule : what each ReLU sends back (``"backprop"``, ``"guided"``,
        ``"deconvnet"``; see :meth:`~cs231n_lib.nets.SequentialNet.backward_from`).
    Returns (N, C, H, W), signed, in the net's dtype.  The images do not
    interact: row n of the one-hot ``dout`` selects image n's own score.
    """
    X = contract.check_images(net, X, who="class_score_gradient")
    y = contract.check_labels(y, len(X), net.num_classes, who="class_score_gradient", broadcast=True)
    dout = np.zeros((len(X), net.num_classes), dtype=net.dtype)
    dout[np.arange(len(X)), y] = 1
    return net.backward_from(X, _score_layer(net), dout, relu_rule=relu_rule)


def saliency_map(net, X, y, relu_rule="backprop"):
    """Simonyan et al.'s image-specific class saliency: ``max_c |d S_y / d X[c, i, j]|``.

    X : (N, C, H, W); y : (N,) the class whose score is explained (usually the
    true or the predicted one).  Returns (N, H, W) float64, >= 0: the largest
    absolute gradient over the colour channels at each pixel, as in CS231n's
    assignment.  ``relu_rule="guided"`` or ``"deconvnet"`` gives the same
    reduction of the guided or deconvnet signal.
    """
    X = contract.check_images(net, X, who="saliency_map")
    y = contract.check_labels(y, len(X), net.num_classes, who="saliency_map", broadcast=True)
    grad = class_score_gradient(net, X, y, relu_rule)
    return np.abs(grad).max(axis=1).astype(np.float64)


def occlusion_attribution(net, x, label, size=8, stride=4, fill=None):
    """Zeiler and Fergus's occlusion experiment as a per-pixel map (H, W).

    For every position of a ``size`` x ``size`` patch of ``fill`` (default the grey
    of the net's input convention, :func:`cs231n_lib.contract.grey`: 0.5 on [0, 1]
    images; :func:`cs231n_lib.understanding.occlusion_map`), the drop of the
    probability of ``label`` below its value on the intact image, kept when
    positive (a patch that raises the probability is no evidence *for* the
    class); each pixel gets the mean drop of the patches that cover it (0 if
    none does).  Returns float64 (H, W), >= 0.
    """
    from .understanding import occlusion_map, softmax

    x = contract.check_images(net, x, name="x", who="occlusion_attribution", one=True)
    label = int(contract.check_labels(label, 1, net.num_classes, name="label", who="occlusion_attribution",
                                      broadcast=True)[0])
    fill = contract.grey(net, "occlusion_attribution") if fill is None else fill
    probs = occlusion_map(net, x, label, size=size, stride=stride, fill=fill)
    base = float(softmax(net.loss(x[None]))[0, int(label)])
    drop = np.maximum(base - probs, 0.0)
    H, W = x.shape[1:]
    total, cover = np.zeros((H, W)), np.zeros((H, W))
    for i in range(drop.shape[0]):
        for j in range(drop.shape[1]):
            total[i * stride:i * stride + size, j * stride:j * stride + size] += drop[i, j]
            cover[i * stride:i * stride + size, j * stride:j * stride + size] += 1
    return np.divide(total, cover, out=np.zeros_like(total), where=cover > 0)


def attribution_maps(net, X, y, method, **occlusion):
    """(N, H, W) maps >= 0 of one ``method`` of ``METHODS`` for the images X and classes y.

    ``"gradient"``, ``"guided"`` and ``"deconvnet"`` are :func:`saliency_map`
    with that ReLU rule; ``"occlusion"`` is :func:`occlusion_attribution` per
    image (keyword arguments ``size``, ``stride``, ``fill`` go to it).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}.")
    X, y = _batch(net, X, y, who="attribution_maps")
    if method == "occlusion":
        return np.stack([occlusion_attribution(net, X[n], y[n], **occlusion) for n in range(len(X))])
    if occlusion:
        raise ValueError(f"{sorted(occlusion)} only apply to method='occlusion'.")
    return saliency_map(net, X, y, relu_rule=_RULE_OF[method])


# ------------------------------------------------------------------ scoring against the object masks
def _maps_masks(maps, masks):
    maps = np.asarray(maps, dtype=np.float64)
    masks = np.asarray(masks)
    if maps.ndim == 2:
        maps, masks = maps[None], masks[None]
    if maps.shape != masks.shape or maps.ndim != 3:
        raise ValueError(f"maps and masks must both have shape (N, H, W); got {maps.shape} and {masks.shape}.")
    if masks.dtype != bool:
        if not np.isin(masks, (0, 1)).all():
            raise ValueError("masks must be boolean (True on the object's pixels), or 0/1.")
        masks = masks.astype(bool)
    if not np.isfinite(maps).all() or (maps < 0).any():
        raise ValueError("maps must be finite and >= 0 (take np.abs of a signed gradient first).")
    return maps, masks


def mass_inside(maps, masks):
    """Fraction of each map's total mass that lies on its object: ``sum(map * mask) / sum(map)``.

    maps : (N, H, W) >= 0; masks : (N, H, W) bool.  Returns (N,) float64 in
    [0, 1].  A map with no mass at all (all zeros) is scored as a uniform map:
    the mask's area fraction, what a map that knows nothing gets on average.
    """
    maps, masks = _maps_masks(maps, masks)
    total = maps.sum(axis=(1, 2))
    inside = (maps * masks).sum(axis=(1, 2))
    area = masks.mean(axis=(1, 2))
    return np.where(total > 0, inside / np.where(total > 0, total, 1), area)


def pointing_hits(maps, masks):
    """The pointing game: does each map's maximum fall on the object?  (N,) floats in [0, 1].

    1 when the maximum is inside the mask, 0 when outside.  Ties share the
    point: with k pixels at the maximum, the hit is the fraction of them
    inside (so a constant map scores the mask's area fraction).
    """
    maps, masks = _maps_masks(maps, masks)
    top = maps == maps.max(axis=(1, 2), keepdims=True)
    return (top & masks).sum(axis=(1, 2)) / top.sum(axis=(1, 2))


def grow_masks(masks, pixels=1):
    """The masks (N, H, W) grown by ``pixels``: every pixel within that many steps up, down, left or
    right of the object joins it (a city-block distance).  The pointing game of Zhang et al. (2016)
    forgives a miss by a few pixels in the same way (they allow 15 pixels on photographs)."""
    masks = np.asarray(masks, dtype=bool)
    if isinstance(pixels, (bool, np.bool_)) or not isinstance(pixels, (int, np.integer)) or pixels < 0:
        raise ValueError(f"pixels must be a whole number >= 0, got {pixels!r}.")
    grown = masks.copy()
    for _ in range(pixels):
        step = grown.copy()
        step[..., 1:, :] |= grown[..., :-1, :]
        step[..., :-1, :] |= grown[..., 1:, :]
        step[..., :, 1:] |= grown[..., :, :-1]
        step[..., :, :-1] |= grown[..., :, 1:]
        grown = step
    return grown


class ScoreRow(NamedTuple):
    """One row of :func:`score_maps`: means over the images and their standard errors."""

    method: str
    mass_inside: float
    mass_inside_se: float
    pointing: float
    pointing_se: float
    images: int
    baseline: bool = False   # a row that needs no net: the edge map, the random map


def _mean_se(values):
    values = np.asarray(values, dtype=np.float64)
    se = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    return float(values.mean()), se


EDGE_ROW = "edge map (no net)"
RANDOM_ROW = "random map (mask area)"


def score_maps(maps_by_method, masks, images=None):
    """The scoring table: one :class:`ScoreRow` per method, then the rows of the baselines.

    maps_by_method : ``{name: (N, H, W) maps}`` for the same N images;
    masks : (N, H, W) bool.  Each row holds the mean fraction of mass inside
    the mask and the mean pointing-game hit, with standard errors.
    images : optional (N, C, H, W), the images themselves: then a row
    ``"edge map (no net)"`` scores their :func:`edge_map`, a map that knows
    nothing of any net and hugs every outline in the image.
    The last row, ``"random map (mask area)"``, is the mean area fraction of
    the masks: what a map spread at random over the image scores in both
    columns.  Baseline rows have ``baseline=True``.
    """
    rows = []
    for name, maps in maps_by_method.items():
        maps, m = _maps_masks(maps, masks)
        rows.append(ScoreRow(name, *_mean_se(mass_inside(maps, m)), *_mean_se(pointing_hits(maps, m)), len(maps)))
    if images is not None:
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[0] != np.shape(masks)[0] or images.shape[2:] != np.shape(masks)[1:]:
            raise ValueError(f"images must have shape (N, C, H, W) with the masks' N, H, W {np.shape(masks)}; "
                             f"got {images.shape}.")
        edges, m = _maps_masks(edge_map(images), masks)
        rows.append(ScoreRow(EDGE_ROW, *_mean_se(mass_inside(edges, m)), *_mean_se(pointing_hits(edges, m)),
                             len(edges), True))
    area = np.asarray(masks, dtype=bool).mean(axis=(1, 2))
    rows.append(ScoreRow(RANDOM_ROW, *_mean_se(area), *_mean_se(area), len(area), True))
    return rows


def kinks_crossed(net, x0, x1):
    """How many kinks of a ReLU net lie between two images: ``{layer: count}`` for every ReLU and max pool.

    x0, x1 : (C, H, W) two images.  A ReLU counts the units whose input
    changes sign (on in one image, off in the other); a max pool counts the
    windows whose largest entry (the switch) moves.  Between two images with
    no kink crossed, the net is one linear function: its class scores change
    by exactly the gradient times the step.  ``x0`` is an image of the net's
    convention; ``x1`` may leave its pixel range (a step from ``x0``).
    """
    x0 = contract.check_images(net, x0, name="x0", who="kinks_crossed", one=True)
    x1 = contract.check_images(net, x1, name="x1", who="kinks_crossed", one=True, values="scale")
    X = np.stack([x0, x1])
    acts = net.activations(X)
    counts = {}
    for k, name in enumerate(net.names):
        layer = net.layers[name]
        if layer.kind not in ("relu", "pool"):
            continue
        a = X if k == 0 else acts[net.names[k - 1]]
        if layer.kind == "relu":
            counts[name] = int(np.sum((a[0] > 0) != (a[1] > 0)))
            continue
        s, t = layer.size, layer.stride
        out_h, out_w = net.shapes[name][1:]
        moved = 0
        for i in range(out_h):
            for j in range(out_w):
                win = a[:, :, i * t:i * t + s, j * t:j * t + s].reshape(2, a.shape[1], -1)
                moved += int(np.sum(win[0].argmax(axis=1) != win[1].argmax(axis=1)))
        counts[name] = moved
    return counts


# ------------------------------------------------------------------ the sanity check (Adebayo et al. 2018)
def copy_net(net, dtype=None):
    """A new net of the same class and layers with copies of ``net``'s weights, in ``dtype``
    (default: the net's own; ``np.float64`` for gradient checks and reproducible optimisation)."""
    spec = net.spec()
    if dtype is not None:
        spec["dtype"] = np.dtype(dtype).name
    new = type(net)(**spec)
    for key, value in net.params.items():
        new.params[key] = np.array(value, dtype=new.params[key].dtype, copy=True)
    new.frozen = set(getattr(net, "frozen", ()))
    new.meta = dict(getattr(net, "meta", {}))
    return new


def randomized_copy(net, layers, seed=0):
    """A copy of ``net`` whose named ``layers`` have fresh random weights, drawn as a new net's are.

    Each layer's ``W`` is re-drawn by the layer's own initialiser (He:
    ``sqrt(2 / fan_in) * N(0, 1)``) from ``numpy.random.default_rng(seed)``,
    its ``b`` set to zero; every other layer keeps its trained weights.  ``net``
    is not changed.
    """
    layers = [layers] if isinstance(layers, str) else list(layers)
    new = copy_net(net)
    rng = np.random.default_rng(seed)
    for name in layers:
        _check_layer(net, name)
        if not net.param_keys[name]:
            raise ValueError(f"layer {name!r} has no weights to randomize; layers with weights: "
                             f"{[n for n in net.names if net.param_keys[n]]}.")
        index = net.names.index(name)
        in_shape = tuple(net.input_dim) if index == 0 else net.shapes[net.names[index - 1]]
        fresh = net.layers[name].init_params(in_shape, rng, None, net.dtype)
        for k, key in net.param_keys[name].items():
            new.params[key] = fresh[k]
    return new


def _average_ranks(v):
    """Ranks 0..n-1 of the entries of the 1-D array v, tied entries sharing their mean rank."""
    order = np.argsort(v, kind="mergesort")
    ordered = v[order]
    starts = np.r_[0, np.flatnonzero(np.diff(ordered)) + 1]
    ends = np.r_[starts[1:], len(v)]
    ranks = np.empty(len(v))
    ranks[order] = np.repeat((starts + ends - 1) / 2.0, ends - starts)
    return ranks


def rank_correlation(a, b):
    """Spearman's rank correlation of two maps (the Pearson correlation of their pixels' ranks).

    a, b : two maps of one shape (H, W), which give a float; or two batches
    (N, H, W), which give (N,) correlations, one per pair of maps.  Tied values
    share their mean rank.  A map whose values are all equal has no ranking:
    its correlation is NaN.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the maps must have the same shape, got {a.shape} and {b.shape}.")
    if a.ndim == 3:
        return np.array([rank_correlation(p, q) for p, q in zip(a, b)])
    ra, rb = _average_ranks(a.ravel()), _average_ranks(b.ravel())
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else float("nan")


def edge_map(X):
    """The gradient magnitude of each image, maxed over channels: (N, H, W).

    Central differences (zero at the border rows and columns): what an edge
    detector, which knows no net, highlights.
    """
    X = np.asarray(X, dtype=np.float64)
    dy, dx = np.zeros_like(X), np.zeros_like(X)
    dy[..., 1:-1, :] = (X[..., 2:, :] - X[..., :-2, :]) / 2
    dx[..., :, 1:-1] = (X[..., :, 2:] - X[..., :, :-2]) / 2
    return np.sqrt(dx * dx + dy * dy).max(axis=1)


class Cascade(NamedTuple):
    """The result of :func:`cascading_randomization`.

    stages : names: ``"trained"``, then each layer with weights from the top,
        stage k having that layer and every layer above it randomized.
    correlation : ``{method: (stages,) mean rank correlation with the trained
        net's maps}`` (NaN maps left out of the mean).
    edge_correlation : ``{method: (stages,) mean rank correlation with the
        images' edge maps}``.
    maps : ``{method: (stages, H, W)}`` the maps of the first image, to look at.
    undefined : ``{method: (stages,) number of maps without a ranking}`` (constant maps).
    """

    stages: list
    correlation: dict
    edge_correlation: dict
    maps: dict
    undefined: dict


def cascading_randomization(net, X, y, methods=("gradient", "guided", "occlusion"), seed=0, **occlusion):
    """Adebayo et al.'s model randomization test, cascading from the top layer down.

    The maps of each method are computed for the trained net, then again
    after re-drawing the weights of the top layer, then of the top two, ...,
    down to every layer (:func:`randomized_copy`, one fresh seed per layer).
    For every stage, each map's Spearman rank correlation with the trained
    net's map of the same image is averaged over the images, and so is its
    rank correlation with the image's :func:`edge_map`.  A method whose maps
    stay correlated with the trained ones while the net becomes random is
    showing the image, not what the net learned.  Returns a :class:`Cascade`.
    """
    X, y = _batch(net, X, y, who="cascading_randomization")
    weighted = [name for name in net.names if net.param_keys[name]]
    stages = ["trained"] + weighted[::-1]
    edges = edge_map(X)
    original, correlation, edge_corr, maps, undefined = {}, {}, {}, {}, {}
    for k, stage in enumerate(stages):
        current = net if k == 0 else randomized_copy(net, weighted[::-1][:k], seed=seed)
        for method in methods:
            extra = occlusion if method == "occlusion" else {}
            m = attribution_maps(current, X, y, method, **extra)
            if k == 0:
                original[method] = m
            rho = rank_correlation(original[method], m)
            rho_edge = rank_correlation(edges, m)
            correlation.setdefault(method, []).append(float(np.nanmean(rho)) if np.isfinite(rho).any() else float("nan"))
            edge_corr.setdefault(method, []).append(
                float(np.nanmean(rho_edge)) if np.isfinite(rho_edge).any() else float("nan"))
            undefined.setdefault(method, []).append(int(np.sum(~np.isfinite(rho))))
            maps.setdefault(method, []).append(m[0])
    as_array = lambda d: {key: np.array(value) for key, value in d.items()}  # noqa: E731
    return Cascade(stages, as_array(correlation), as_array(edge_corr), as_array(maps), as_array(undefined))


# ------------------------------------------------------------------ class model visualization (Simonyan et al.)
def gaussian_blur(X, sigma, truncate=3.0):
    """Blur the last two axes of ``X`` (..., H, W) with a Gaussian of standard deviation ``sigma`` pixels.

    The kernel reaches ``int(truncate * sigma + 0.5)`` pixels each way and is
    normalised to sum 1; the image is mirrored at its edges (scipy.ndimage's
    ``mode="reflect"``), so a constant image stays constant.  ``sigma <= 0``
    returns a copy.
    """
    X = np.asarray(X)
    out = np.array(X, dtype=X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64, copy=True)
    sigma = float(sigma)
    if sigma <= 0:
        return out
    radius = int(truncate * sigma + 0.5)
    taps = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (taps / sigma) ** 2)
    kernel /= kernel.sum()
    for axis in (-2, -1):
        n = out.shape[axis]
        if radius >= n:
            raise ValueError(f"a blur of sigma {sigma} reaches {radius} pixels, more than the image's {n}.")
        pad = [(0, 0)] * out.ndim
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, mode="symmetric")
        acc = np.zeros_like(out)
        for k, weight in enumerate(kernel):
            acc += weight * np.take(padded, np.arange(k, k + n), axis=axis)
        out = acc
    return out


class ClassModel(NamedTuple):
    """The result of :func:`class_model`.

    classes : (K,) the classes, one image each.
    images : (K, C, H, W) the final images, in [0, 1].
    scores : (K,) each image's unnormalised score for its class.
    probabilities : (K, num_classes) the net's softmax over the classes, per image.
    snapshots : (S, K, C, H, W) the images after 0, keep_every, 2 * keep_every, ... steps.
    snapshot_steps : (S,) the step counts of the snapshots.
    settings : the arguments used.
    """

    classes: np.ndarray
    images: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray
    snapshots: np.ndarray
    snapshot_steps: np.ndarray
    settings: dict


def _net_mean(net):
    mean = getattr(net, "input_mean", None)
    return 0.0 if mean is None else np.asarray(mean, dtype=np.float64)


def class_model(net, classes=None, steps=100, reg=None, step_size=None, jitter=2, blur_every=10, blur_sigma=0.5,
                init="blank", grey=False, seed=0, keep_every=0):
    """Simonyan et al.'s class model: an image that maximises ``S_c(I) - reg * ||I - m||^2``.

    Gradient ascent from a blank image (every pixel the net's input mean m, a
    grey 0.5 for our nets: the "zero image" of a net that subtracts its mean,
    0 for a net without one) or from ``init="noise"`` (m plus Gaussian noise of
    0.1 times the scale of the net's input convention), one image per class, all
    in one batch.  Each step

    1. shifts the image by a random whole number of pixels in
       [-jitter, jitter] along each axis (``np.roll``: what leaves one edge
       comes back at the other) and back after the step;
    2. moves it along the gradient of ``S_c(I) - reg * ||I - m||^2``, scaled
       so that the step's root mean square per pixel is ``step_size``;
    3. clips it to the pixel range of the net's input convention
       (:func:`cs231n_lib.contract.pixel_range`; [0, 1] for our nets), the range of real images;
    4. every ``blur_every`` steps (0: never), blurs it with a Gaussian of
       ``blur_sigma`` pixels;
    5. with ``grey=True``, sets every channel to the mean of the channels (for a
       net trained on grey images repeated in its colour channels, as
       ``mnist_convnet``: the image stays one it could have seen).

    Jitter and blur are the regularizers of Yosinski et al. 2015 that
    CS231n's assignment uses; ``reg`` is Simonyan's L2 penalty.  Their defaults
    come from the scale s of the net's input convention (1 for images in
    [0, 1], 255 for CS231n's 0..255 scale): ``step_size = 0.02 * s`` and
    ``reg = 1e-3 / s**2`` (the penalty's pull against the score's gradient is
    then the same at every scale).  A net without a convention needs both
    given, or its ``input_convention`` set.

    A class whose image cannot move -- its score has a gradient of exactly 0
    at the blank image, as in an untrained net with zero biases, whose ReLUs
    are all off there -- raises a ValueError that says so, instead of
    returning the blank image.

    Returns a :class:`ClassModel`.  ``keep_every`` > 0 also keeps the images
    every that many steps (for the explorer).
    """
    # None: from the net's input convention, reg 1e-3 and step_size 0.02 for images in [0, 1]
    classes, reg, step_size = _class_model_checks(net, classes, steps, reg, step_size, jitter, blur_every,
                                                  keep_every, init)
    low, high = contract.pixel_range(net, "class_model")           # [0, 1] for images in [0, 1]
    rng = np.random.default_rng(seed)
    mean = _net_mean(net)
    X = np.broadcast_to(mean, (len(classes),) + tuple(net.input_dim)).astype(net.dtype)
    if init == "noise":
        X = np.clip(X + 0.1 * contract.scale(net) * rng.standard_normal(X.shape), low, high).astype(net.dtype)
    kept = [X.copy()] if keep_every else []
    for t in range(1, steps + 1):
        dy, dx = (int(v) for v in rng.integers(-jitter, jitter + 1, size=2))
        Xj = np.roll(X, (dy, dx), axis=(2, 3))                        # jitter
        grad = class_score_gradient(net, Xj, classes).astype(np.float64)
        grad -= 2 * reg * (Xj - mean)                                  # the L2 penalty's gradient
        rms = np.sqrt(np.mean(grad * grad, axis=(1, 2, 3), keepdims=True))
        Xj = Xj + step_size * grad / np.maximum(rms, 1e-12)            # a step of RMS step_size
        X = np.clip(np.roll(Xj, (-dy, -dx), axis=(2, 3)), low, high)  # undo the jitter, stay a real image
        if blur_every and t % blur_every == 0:
            X = gaussian_blur(X, blur_sigma)
        if grey:
            X = np.broadcast_to(X.mean(axis=1, keepdims=True), X.shape)
        X = X.astype(net.dtype)
        if keep_every and t % keep_every == 0:
            kept.append(X.copy())
    settings = {"steps": steps, "reg": reg, "step_size": step_size, "jitter": jitter, "blur_every": blur_every,
                "blur_sigma": blur_sigma, "init": init, "grey": grey, "seed": seed}
    return _class_model_result(net, classes, X, kept, keep_every, settings)


def _class_model_checks(net, classes, steps, reg, step_size, jitter, blur_every, keep_every, init):
    """``(classes, reg, step_size)`` for :func:`class_model`: the classes as an int array, ``reg`` and
    ``step_size`` from the net's input convention where None, or a ValueError for any argument it
    cannot use."""
    who = "class_model"
    classes = np.arange(net.num_classes) if classes is None else np.atleast_1d(np.asarray(classes))
    if classes.dtype.kind not in "iu" or classes.ndim != 1 or len(classes) == 0:
        raise ValueError(f"classes must be a list of class indices, got {classes!r}.")
    classes = contract.check_labels(classes, len(classes), net.num_classes, name="classes", who=who)
    for name, value in (("steps", steps), ("jitter", jitter), ("blur_every", blur_every), ("keep_every", keep_every)):
        contract.check_count(value, name, who=who)
    if init not in ("blank", "noise"):
        raise ValueError(f"init must be 'blank' or 'noise', got {init!r}.")
    if step_size is None:
        step_size = 0.02 * contract.scale(net, who, "step_size=...")
    step_size = contract.check_amount(step_size, net, "step_size", who=who, positive=True,
                                      what="the root mean square of one step per pixel")
    if reg is None:
        reg = 1e-3 / contract.scale(net, who, "reg=...") ** 2
    reg = contract.check_amount(reg, None, "reg", who=who, what="the weight of the L2 penalty")
    return classes, reg, step_size


def _class_model_result(net, classes, X, kept, keep_every, settings):
    from .understanding import softmax

    blank = np.broadcast_to(_net_mean(net), X.shape).astype(X.dtype)
    stuck = [k for k in range(len(classes)) if settings["steps"] and np.array_equal(X[k], blank[k])]
    if stuck:
        grad = class_score_gradient(net, blank[stuck], classes[stuck])
        probs = softmax(net.loss(blank[:1]))[0]
        raise ValueError(
            f"class_model: the image of class(es) {classes[stuck].tolist()} never moved from the blank start: the "
            f"gradient of the score there is {'exactly 0' if not np.any(grad) else 'too small to move it'}, and the "
            f"net gives the blank image the probabilities {np.round(probs, 3).tolist()}"
            f"{' (uniform)' if np.ptp(probs) < 1e-6 else ''}. In an untrained net with zero biases every ReLU is off "
            "on the blank image (all zeros once centred), so gradient ascent cannot start. Train the net first, or "
            "start from noise: init='noise'.")
    scores = net.loss(X)
    flat = np.ptp(softmax(scores), axis=1) < 1e-4
    if np.any(flat):
        raise ValueError(
            f"class_model: the net gives every class the same probability (1/{net.num_classes}, to 4 decimals) at the "
            f"image made for class(es) {classes[flat].tolist()}: its scores do not tell the classes apart there, so "
            "the image shows nothing of the class. An untrained net (tiny weights) does this: train it first.")
    shape = (len(classes),) + tuple(net.input_dim)
    snapshots = np.array(kept) if kept else np.zeros((0,) + shape, dtype=net.dtype)
    steps = np.arange(len(kept), dtype=np.int64) * max(keep_every, 1)
    return ClassModel(classes, X, scores[np.arange(len(classes)), classes].astype(np.float64), softmax(scores),
                      snapshots, steps, settings)


# ------------------------------------------------------------------ inverting representations (Mahendran and Vedaldi)
def alpha_norm(x, alpha=6, center=0.0):
    """Mahendran and Vedaldi's alpha-norm regularizer ``sum |x - center|^alpha`` and its gradient.

    x : any array; alpha : > 1 (they use 6: it keeps the pixels in a bounded
    range and barely acts inside it).  Returns ``(value, grad)``, the value a
    float and the gradient ``alpha * |x - c|^(alpha - 1) * sign(x - c)`` of x's shape.
    """
    if not alpha > 1:
        raise ValueError(f"alpha must be > 1 (the gradient of |x|^alpha is then defined at 0), got {alpha}.")
    d = np.asarray(x, dtype=np.float64) - center
    a = np.abs(d)
    return float(np.sum(a ** alpha)), alpha * a ** (alpha - 1) * np.sign(d)


def total_variation(x, beta=2):
    """The total-variation regularizer ``TV^beta(x) = sum_ij ((x[i, j+1] - x[i, j])^2 + (x[i+1, j] - x[i, j])^2)^(beta/2)``
    and its gradient.

    x : (..., H, W); the sum also runs over any leading axes (channels,
    images).  The differences past the last column and the last row are 0 (the
    image repeated at its edge, as in Mahendran and Vedaldi's code).
    beta : > 0; they use 2 for CNNs (1 leaves "spikes").  Where both
    differences are 0 and beta < 2, the gradient is taken as 0.
    Returns ``(value, grad)``: a float and an array of x's shape.
    """
    if not beta > 0:
        raise ValueError(f"beta must be > 0, got {beta}.")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 2:
        raise ValueError(f"x must have at least two axes (..., H, W), got shape {x.shape}.")
    dx = np.zeros_like(x)
    dy = np.zeros_like(x)
    dx[..., :, :-1] = x[..., :, 1:] - x[..., :, :-1]
    dy[..., :-1, :] = x[..., 1:, :] - x[..., :-1, :]
    s = dx * dx + dy * dy
    value = float(np.sum(s ** (beta / 2)))
    if beta == 2:
        w = np.full_like(s, 2.0)
    else:
        w = np.where(s > 0, beta * np.where(s > 0, s, 1) ** (beta / 2 - 1), 0.0)
    gx, gy = w * dx, w * dy
    grad = -(gx + gy)
    grad[..., :, 1:] += gx[..., :, :-1]
    grad[..., 1:, :] += gy[..., :-1, :]
    return value, grad


class Inversion(NamedTuple):
    """The result of :func:`invert`.

    layer : the layer whose code was inverted.
    image : (C, H, W) the reconstruction (not clipped).
    objective : (steps + 1,) the objective at the start and after every step.
    feature_error : ``||phi(x*) - phi_0|| / ||phi_0||``, the code's relative
        error at the end (the square root of the objective's first term).
    image_error : ``||x* - x|| / ||x - m||``: how far the reconstruction lies
        from the original, relative to the original's own distance from the
        blank image m (1 = as far as a uniform grey image).
    settings : the arguments used.
    """

    layer: str
    image: np.ndarray
    objective: np.ndarray
    feature_error: float
    image_error: float
    settings: dict


def _regularizers(images, mean, alpha, beta, lambda_alpha, lambda_tv, bound):
    """Per image of ``images`` (L, C, H, W): the regularizers' value (L,) and gradient, as :func:`invert` weighs them."""
    n = images[0].size
    values, grads = np.zeros(len(images)), np.zeros_like(images)
    for k, image in enumerate(images):
        a_value, a_grad = alpha_norm(image, alpha, mean)
        t_value, t_grad = total_variation(image, beta)
        tv_norm = n * (2 * bound) ** beta        # n for images in [0, 1] (B = 0.5)
        values[k] = lambda_alpha * a_value / (n * bound ** alpha) + lambda_tv * t_value / tv_norm
        grads[k] = lambda_alpha * a_grad / (n * bound ** alpha) + lambda_tv * t_grad / tv_norm
    return values, grads


def invert_layers(net, x, layers=None, steps=150, learning_rate=None, alpha=6, beta=2, lambda_alpha=1.0,
                  lambda_tv=2.0, seed=0, init_std=None, bound=None):
    """Reconstruct an image from its code at each of ``layers`` (Mahendran and Vedaldi 2015).

    For each layer, minimises over images x (C, H, W)

        ||phi(x) - phi_0||^2 / ||phi_0||^2
          + lambda_alpha * sum |(x - m) / B|^alpha / N
          + lambda_tv * TV^beta(x) / (N * (2 B)^beta)

    where phi is the layer's code, phi_0 the code of the given image, m the
    net's input mean (the blank image), B = ``bound``, half the pixel range of the
    net's input convention (0.5 for images in [0, 1]: a pixel at the edge of
    [0, 1] costs 1 / N), N = C * H * W the number of pixel values (so the weights do
    not depend on the image size), :func:`alpha_norm` with ``alpha`` = 6 and
    :func:`total_variation` with ``beta`` = 2 as in their code.  The data term
    is theirs; the scaling of the regularizers is ours (for images in [0, 1]
    the TV term's divisor is N).  Each reconstruction starts from m plus
    Gaussian noise of ``init_std`` (the same noise for every layer) and takes
    ``steps`` steps of Adam (``learning_rate``, its defaults otherwise), in
    float64 on a copy of the net.  ``learning_rate``, ``init_std`` and ``bound``
    default to 0.05, 0.05 and 0.5 times the scale of the net's input convention
    (1 for [0, 1], 255 for CS231n's 0..255), and Adam's epsilon is
    ``1e-8 / (2 B)`` (its default 1e-8 on [0, 1]; the gradient is 255 times
    smaller on the 0..255 scale), so a net of either scale is inverted alike.
    (For a mean-subtracted convention the image is the centred one, so TV
    measures the edges of x - m: the net does not know its mean image m.)  The layers are solved side by
    side as one batch (:meth:`~cs231n_lib.nets.SequentialNet.backward_from_layers`);
    they do not interact.

    x : (C, H, W) the image whose codes are inverted; layers : names (default:
    every layer of the net).  Returns a list of :class:`Inversion`, one per layer.
    """
    from .optim import adam

    who = "invert_layers"
    x = np.asarray(contract.check_images(net, x, name="x", who=who, one=True), dtype=np.float64)
    if learning_rate is None or init_std is None or bound is None:
        s = contract.scale(net, who, "learning_rate=..., init_std=... and bound=...")
        learning_rate = 0.05 * s if learning_rate is None else learning_rate
        init_std = 0.05 * s if init_std is None else init_std
        bound = 0.5 * s if bound is None else bound
    learning_rate = contract.check_amount(learning_rate, net, "learning_rate", who=who, positive=True,
                                          what="Adam's step per pixel")
    init_std = contract.check_amount(init_std, None, "init_std", who=who, what="the noise of the start")
    bound = contract.check_amount(bound, net, "bound", who=who, positive=True, what="half the pixel range")
    layers = list(net.names if layers is None else ([layers] if isinstance(layers, str) else layers))
    for layer in layers:
        _check_layer(net, layer)
    if len(set(layers)) != len(layers):
        raise ValueError(f"each layer once, please: got {layers}.")
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}.")
    if not alpha > 1 or not beta > 0:
        raise ValueError(f"alpha must be > 1 and beta > 0, got alpha={alpha}, beta={beta}.")
    work = net if np.dtype(net.dtype) == np.float64 else copy_net(net, np.float64)
    targets = work.activations(x[None], layers)
    targets = {layer: targets[layer][0] for layer in layers}
    empty = [layer for layer in layers if not np.any(targets[layer])]
    if empty:
        raise ValueError(f"the code of this image at {empty} is all zeros: there is nothing to invert there.")
    norms = {layer: float(np.sum(targets[layer] ** 2)) for layer in layers}
    L = len(layers)
    mean = _net_mean(work)
    noise = np.random.default_rng(seed).standard_normal(x.shape)
    current = np.repeat((np.broadcast_to(mean, x.shape) + init_std * noise)[None], L, axis=0)
    losses = np.zeros(L)

    def douts(acts):
        out = {}
        for k, layer in enumerate(layers):
            diff = acts[layer][k] - targets[layer]
            losses[k] = float(np.sum(diff * diff)) / norms[layer]
            d = np.zeros_like(acts[layer])
            d[k] = (2.0 / norms[layer]) * diff
            out[layer] = d
        return out

    config = {"learning_rate": learning_rate, "epsilon": 1e-8 / (2 * bound)}   # Adam's 1e-8 on [0, 1] images
    history = []
    for _ in range(steps + 1):
        _, grad = work.backward_from_layers(current, layers, douts)
        reg_values, reg_grads = _regularizers(current, mean, alpha, beta, lambda_alpha, lambda_tv, bound)
        history.append(losses + reg_values)
        if len(history) > steps:
            break
        current, config = adam(current, grad + reg_grads, config)
    history = np.array(history)
    settings = {"steps": steps, "learning_rate": learning_rate, "alpha": alpha, "beta": beta,
                "lambda_alpha": lambda_alpha, "lambda_tv": lambda_tv, "seed": seed, "init_std": init_std,
                "bound": bound}
    base = float(np.linalg.norm(x - mean))
    return [Inversion(layer, current[k], history[:, k], float(np.sqrt(losses[k])),
                      float(np.linalg.norm(current[k] - x) / base), dict(settings))
            for k, layer in enumerate(layers)]


def invert(net, x, layer, **settings):
    """:func:`invert_layers` for one layer: the :class:`Inversion` of ``x``'s code at ``layer``."""
    return invert_layers(net, x, [layer], **settings)[0]


# ------------------------------------------------------------------ the all-convolutional net, measured
def params_digest(net):
    """sha256 of a net's parameters (names, shapes, dtypes and bytes, in name order): equal digests,
    equal weights."""
    h = hashlib.sha256()
    for key in sorted(net.params):
        value = np.ascontiguousarray(net.params[key])
        h.update(f"{key}:{value.dtype.str}:{value.shape};".encode())
        h.update(value.tobytes())
    return h.hexdigest()


def parameter_count(net):
    """Number of trainable numbers in a net (weights and biases)."""
    return int(sum(int(np.asarray(v).size) for v in net.params.values()))


NETS = ("shapes_convnet", "shapes_allconv")


def summarize_runs(runs):
    """Per net: test accuracy mean, sample standard deviation (ddof=1), min and max over its
    seeds, the parameter count and the mean seconds per epoch (wall clock and CPU)."""
    summary = {}
    for name in dict.fromkeys(run["net"] for run in runs):
        mine = [run for run in runs if run["net"] == name]
        acc = np.array([run["test_accuracy"] for run in mine], dtype=float)
        summary[name] = {
            "seeds": [run["seed"] for run in mine],
            "test_accuracy_mean": float(acc.mean()),
            "test_accuracy_std": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0,
            "test_accuracy_min": float(acc.min()),
            "test_accuracy_max": float(acc.max()),
            "parameters": mine[0]["parameters"],
            "wall_seconds_per_epoch": float(np.mean([run["wall_seconds_per_epoch"] for run in mine])),
            "cpu_seconds_per_epoch": float(np.mean([run["cpu_seconds_per_epoch"] for run in mine])),
        }
    return summary


def compare_allconv(seeds=(0, 1, 2), overrides=None, progress=False):
    """Train ``shapes_convnet`` and its all-conv twin ``shapes_allconv`` by the same recipe, once per seed.

    Both nets go through ``recipes.shapes_allconv.train`` (only the untrained
    net differs), one BLAS thread, the two nets alternating so that a busy
    machine slows both alike.  A seed changes the data set (its training,
    validation and test images) and the initial weights.

    Returns a JSON-ready dict: the recipe, the seeds, the library version, the
    machine and its load average, one record per run (test accuracy, best
    validation accuracy, parameters, seconds per epoch, the digest of the
    trained weights) and :func:`summarize_runs`.
    """
    from threadpoolctl import threadpool_limits

    from .recipes import shapes_allconv, shapes_convnet

    builds = {"shapes_convnet": shapes_convnet.build, "shapes_allconv": shapes_allconv.build}
    recipe = dict(shapes_allconv.RECIPE, **(overrides or {}))
    seeds = [int(s) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must differ, got {seeds}.")
    load_before = outputs.load_average()
    runs = []
    with threadpool_limits(limits=1, user_api="blas"):
        for seed in seeds:
            for name in NETS:
                settings = dict(recipe, seed=seed)
                timer = {}
                net, info = shapes_allconv.train(settings, progress=progress, build_fn=builds[name], timer=timer)
                epochs = settings["num_epochs"]
                runs.append({"net": name, "seed": seed, "test_accuracy": info["test_accuracy"],
                             "best_val_accuracy": info["best_val_accuracy"], "num_test": settings["num_test"],
                             "parameters": parameter_count(net),
                             "wall_seconds_per_epoch": timer["wall_seconds"] / epochs,
                             "cpu_seconds_per_epoch": timer["cpu_seconds"] / epochs,
                             "params_sha256": params_digest(net)})
    return {"what": "shapes_convnet (2x2 max pools) against shapes_allconv (2x2 convolutions of stride 2), "
                    "same recipe, one run per seed and net",
            "recipe": recipe, "seeds": seeds, "library_version": __version__, "machine": outputs.machine_info(),
            "load_average_before": load_before, "load_average_after": outputs.load_average(),
            "runs": runs, "summary": summarize_runs(runs)}


def write_allconv_comparison(record, path=ALLCONV_JSON):
    """Write ``record`` as JSON to ``path`` and its sha256 to ``path`` with suffix .sha256; returns the digest."""
    path = pathlib.Path(path)
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def load_allconv_comparison(path=ALLCONV_JSON):
    """The shipped comparison written by ``python -m cs231n_lib.gradients --compare-allconv``,
    checked against its sha256 first."""
    return outputs.load_verified_json(path, "`python -m cs231n_lib.gradients --compare-allconv` (about half an hour "
                                            "on one core)")


def main(argv=None):
    import argparse

    from .outputs import add_force_option, kept_note, output_path

    parser = argparse.ArgumentParser(prog="python -m cs231n_lib.gradients",
                                     description="Measurements of notebook 07 that take too long for a notebook.")
    parser.add_argument("--compare-allconv", action="store_true",
                        help="train shapes_convnet and shapes_allconv by the same recipe over several seeds")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="the recipe's tiny QUICK settings (to try it)")
    parser.add_argument("--out", default=str(ALLCONV_JSON), help="JSON file to write")
    add_force_option(parser)
    args = parser.parse_args(argv)
    if not args.compare_allconv:
        parser.print_help()
        return 0
    from .recipes import shapes_allconv

    record = compare_allconv(args.seeds, overrides=shapes_allconv.QUICK if args.quick else None,
                             progress=False)
    target = pathlib.Path(args.out)
    out = output_path(target, args.force)          # a file that exists is replaced only with --force
    write_allconv_comparison(record, out)
    for name, row in record["summary"].items():
        print(f"{name}: test accuracy {row['test_accuracy_mean']:.4f} +- {row['test_accuracy_std']:.4f} "
              f"over seeds {row['seeds']}; {row['parameters']} parameters; "
              f"{row['cpu_seconds_per_epoch']:.1f} CPU s per epoch")
    print(f"wrote {out}")
    if out != target:
        print(kept_note(target, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
