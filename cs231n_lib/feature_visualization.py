"""Feature visualization by optimization (notebook 06): the input that drives one unit, channel or
direction of a layer hardest.

The other half of "images that maximally activate a neuron" (Olah, Mordvintsev and Schubert,
Feature Visualization, Distill 2017): instead of searching a data set for the images a unit likes,
climb the gradient of the unit's activation with respect to the input, from a random start, as
notebook 07's class model climbs a class score.  Left alone the climb finds high-frequency noise
that drives the unit but looks like nothing, so two regularizers keep the image natural: a
*smoothness prior*, here total variation, subtracted from the objective, and *jitter*, a random
shift of the image before each step (the picture must work wherever it sits).

* :func:`layer_objective` -- what is climbed: one unit at a position, a channel's mean over the
  positions, or a direction in channel space (a weighted sum of the channels);
* :func:`visualize` -- the climb from several random starts at once; :class:`FeatureVisualization`
  holds the images, the objective at every step and the settings;
* :func:`start_agreement` -- how alike the images from different starts came out.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["layer_objective", "FeatureVisualization", "visualize", "start_agreement"]


def _direction(net, layer, unit):
    """(C,) float64 weights over the layer's channels (or units): one-hot for an index, the given vector."""
    if layer not in getattr(net, "layers", {}):
        raise ValueError(f"no layer named {layer!r}; the layers are {list(net.names)}.")
    C = net.shapes[layer][0]
    d = np.asarray(unit)
    if d.ndim == 0:
        if isinstance(unit, (bool, np.bool_)) or d.dtype.kind not in "iu" or not 0 <= int(unit) < C:
            raise ValueError(f"unit must be a channel index 0..{C - 1} of {layer!r} or a direction of {C} numbers; "
                             f"got {unit!r}.")
        out = np.zeros(C)
        out[int(unit)] = 1.0
        return out
    d = d.astype(np.float64).reshape(-1)
    if d.shape != (C,) or not np.isfinite(d).all() or not np.any(d):
        raise ValueError(f"a direction in {layer!r} has {C} finite numbers, not all zero; got shape {np.shape(unit)}.")
    return d


def _position(net, layer, position):
    shape = net.shapes[layer]
    if position is None:
        return None
    if len(shape) == 1:
        raise ValueError(f"{layer!r} is a flat layer {shape}: it has no positions; leave position=None.")
    i, j = (int(v) for v in position)
    if not (0 <= i < shape[1] and 0 <= j < shape[2]):
        raise ValueError(f"position {(i, j)} is outside {layer!r}'s {shape[1]}x{shape[2]} grid.")
    return i, j


def layer_objective(net, X, layer, unit, position=None, gradient=True):
    """The activation term a(x) of every image and its gradient: ``(values (N,), grads (N, C, H, W))``
    (grads None with ``gradient=False``: a forward pass only).

    unit : a channel (or unit) index, or a direction d in channel space.  For a conv, ReLU or pool
    layer, a(x) = sum_c d[c] * act[c, i, j] at ``position`` (i, j), or, with ``position=None``, the
    same averaged over every position of the map (Olah et al.'s channel objective); for a flat
    layer, a(x) = d . act.  One forward and one backward pass for the whole batch.
    """
    d = _direction(net, layer, unit)
    pos = _position(net, layer, position)
    X = np.asarray(X)
    acts = net.activations(X, layer)
    shape = acts.shape
    if len(shape) == 2:
        dout = np.broadcast_to(d, shape)
    elif pos is None:
        dout = np.broadcast_to(d[None, :, None, None] / (shape[2] * shape[3]), shape)
    else:
        dout = np.zeros(shape)
        dout[:, :, pos[0], pos[1]] = d
    values = np.sum(np.asarray(acts, dtype=np.float64) * dout, axis=tuple(range(1, len(shape))))
    if not gradient:
        return values, None
    grads = net.backward_from(X, layer, np.ascontiguousarray(dout, dtype=net.dtype))
    return values, np.asarray(grads, dtype=np.float64)


class FeatureVisualization(NamedTuple):
    """The result of :func:`visualize`.

    layer, direction, position : what was climbed (direction (C,), one-hot for a unit).
    images : (S, C, H, W) the final image of each start, in [0, 1].
    steps : (R,) the step counts at which the objective was recorded (0, record_every, ..., steps).
    objective : (R, S) J(x) after those steps: a(x) averaged over every shift the jitter can make,
        over ``scale``, minus tv * TV(x) / n.
    activation : (S,) the final images' activation averaged over the shifts (J's first term, times scale).
    settings : the arguments used.
    """

    layer: str
    direction: np.ndarray
    position: tuple
    images: np.ndarray
    steps: np.ndarray
    objective: np.ndarray
    activation: np.ndarray
    settings: dict


def _tv(images):
    """TV^2 of each image (S,) and its gradient, :func:`cs231n_lib.gradients.total_variation` per image."""
    from .gradients import total_variation

    values, grads = np.zeros(len(images)), np.zeros_like(images, dtype=np.float64)
    for k, image in enumerate(images):
        values[k], grads[k] = total_variation(image, 2)
    return values, grads


def visualize(net, layer, unit, position=None, starts=3, steps=150, step_size=0.02, tv=1.0, jitter=1, scale=1.0,
              init_std=0.1, seed=0, record_every=10):
    """Climb J(x) = E_shift[a(shift(x))] / scale - tv * TV(x) / n from ``starts`` random images at once.

    a(x) is :func:`layer_objective` (a unit at ``position``, a channel's mean, or a direction), and
    E_shift its mean over the (2 jitter + 1)^2 shifts of the image by whole pixels in [-jitter,
    jitter] along each axis (``np.roll``): the image must drive the unit wherever it sits, Olah et
    al.'s transformation robustness.  ``scale`` puts a(x) in useful units (e.g. the spread of the
    unit's responses over a data set).  TV is the total variation with beta = 2
    (:func:`cs231n_lib.gradients.total_variation`), the smoothness prior; n the number of pixel values.

    Each start is the net's blank image m (its ``input_mean``, 0 without one) plus Gaussian noise of
    ``init_std``, clipped to [0, 1], from ``numpy.random.default_rng(seed)``.  Each step draws one
    shift, takes the gradient of a(shift(x)) / scale - tv * TV(x) / n (one sample of the expectation,
    shifted back), steps by ``step_size`` in root mean square per pixel value (``x + step_size * g /
    rms(g)``, each image by its own g) and clips to [0, 1].  J itself is recorded every
    ``record_every`` steps and after the last.  Returns :class:`FeatureVisualization`.
    """
    d = _direction(net, layer, unit)
    pos = _position(net, layer, position)
    for name, value, low in (("starts", starts, 1), ("steps", steps, 0), ("jitter", jitter, 0),
                             ("record_every", record_every, 1)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}.")
    for name, value in (("step_size", step_size), ("scale", scale)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a number > 0, got {value!r}.")
    if not (np.isfinite(tv) and tv >= 0 and np.isfinite(init_std) and init_std >= 0):
        raise ValueError(f"tv and init_std must be numbers >= 0, got tv={tv!r}, init_std={init_std!r}.")
    rng = np.random.default_rng(seed)
    mean = getattr(net, "input_mean", None)
    mean = 0.0 if mean is None else np.asarray(mean, dtype=np.float64)
    shape = (int(starts),) + tuple(net.input_dim)
    x = np.clip(np.broadcast_to(mean, shape) + init_std * rng.standard_normal(shape), 0, 1)
    n = int(np.prod(net.input_dim))
    shifts = [(a, b) for a in range(-jitter, jitter + 1) for b in range(-jitter, jitter + 1)]

    def shifted_activation(images):
        """a of each image averaged over every shift the jitter can make (one forward pass)."""
        batch = np.concatenate([np.roll(images, s, axis=(2, 3)) for s in shifts])
        a = layer_objective(net, batch.astype(net.dtype), layer, d, pos, gradient=False)[0]
        return a.reshape(len(shifts), len(images)).mean(axis=0)

    def objective(images):
        return shifted_activation(images) / scale - tv * _tv(images)[0] / n

    recorded, history = [0], [objective(x)]
    for t in range(1, int(steps) + 1):
        dy, dx = (int(v) for v in rng.integers(-jitter, jitter + 1, size=2))
        _, grad = layer_objective(net, np.roll(x, (dy, dx), axis=(2, 3)).astype(net.dtype), layer, d, pos)
        g = np.roll(grad, (-dy, -dx), axis=(2, 3)) / scale - tv * _tv(x)[1] / n
        rms = np.sqrt(np.mean(g * g, axis=(1, 2, 3), keepdims=True))
        x = np.clip(x + step_size * g / np.maximum(rms, 1e-12), 0, 1)
        if t % record_every == 0 or t == steps:
            recorded.append(t)
            history.append(objective(x))
    a = shifted_activation(x)
    settings = {"starts": int(starts), "steps": int(steps), "step_size": step_size, "tv": tv, "jitter": int(jitter),
                "scale": float(scale), "init_std": init_std, "seed": seed, "record_every": int(record_every)}
    return FeatureVisualization(layer, d, pos, x, np.array(recorded), np.array(history), a, settings)


def start_agreement(images, centre=0.5):
    """How alike the images from different starts are: the mean correlation over every pair of
    images (S, C, H, W) of their deviations from ``centre`` (the blank image), in [-1, 1]; 1 for
    images that are the same up to contrast."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim < 2 or len(images) < 2:
        raise ValueError(f"start_agreement needs at least two images, got shape {images.shape}.")
    v = (images - centre).reshape(len(images), -1)
    v = v - v.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(v, axis=1)
    pairs = [(a, b) for a in range(len(v)) for b in range(a + 1, len(v))]
    return float(np.mean([v[a] @ v[b] / (norms[a] * norms[b]) for a, b in pairs]))
