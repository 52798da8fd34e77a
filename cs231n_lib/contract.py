"""The input contract: what every public function that takes images or labels checks, in one place.

Every net may know its *input convention*, the scale of the images it reads (``net.input_convention``,
a key of :data:`INPUT_CONVENTIONS`): ``"unit"`` (values in [0, 1], nothing subtracted: every loader's
default and every net of the model zoo), ``"unit-centred"`` ([0, 1] minus the training mean image) or
``"cs231n"`` (0..255 minus the training mean image, as CS231n's ``get_CIFAR10_data``).  The analysis
functions (``gradients``, ``understanding``, ``adversarial``, ``transfer``) call

* :func:`check_images` -- a batch (N, C, H, W) or one image (C, H, W) for a net: float dtype
  (uint8, integers, booleans and objects refused with the conversion to use), NCHW (channels-last
  detected), one image where a batch is due and the other way round, no empty batch, finite, the
  net's number of channels and size, and values in the net's convention (0..255 pixels and
  mean-subtracted images named as such, with the fix);
* :func:`check_labels` -- integer class indices 0..num_classes-1, one per image, not one-hot;
* :func:`check_amount` -- an eps-like amount (the largest change of one pixel, a step) against the
  convention's scale: ``eps=25`` on [0, 1] images looks like a percent;

and take their defaults from the convention: :func:`pixel_range` (what a clip keeps; :func:`clip_range` reads a ``clip`` argument), :func:`grey`
(the fill of an occluding patch) and :func:`scale` (1 or 255, what step sizes are measured in).

Nothing is clipped or rescaled here: a check returns its input (as an ndarray) or raises a
``ValueError`` that says what arrived, what the net reads and how to convert.  The one conversion is
explicit, :func:`as_images` (0..255 pixels into a net's convention).  A net without a convention
(``input_convention=None``, as CS231n's nets) has its values left unchecked, and a default that
depends on the convention asks for one.

This module imports nothing of ``cs231n_lib``: ``nets`` and every module above it use it.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["INPUT_CONVENTIONS", "Convention", "CONVENTIONS", "convention_of", "check_convention",
           "convention_mismatch", "check_images", "check_labels", "check_amount", "check_count", "pixel_range",
           "clip_range", "grey", "scale", "as_images", "check_unit_range", "check_batch"]

# The scales an image batch can come in.  A data dict names its own in data["input_convention"].
INPUT_CONVENTIONS = {
    "unit": "values in [0, 1], nothing subtracted",
    "unit-centred": "values in [0, 1] minus the training set's mean image (data['mean_image'])",
    "cs231n": "pixel values 0..255 minus the training set's mean image (data['mean_image']), as in CS231n",
}


class Convention(NamedTuple):
    """What an input convention fixes.

    name : its key in :data:`INPUT_CONVENTIONS`; text : what it means.
    scale : the size of the whole pixel range (1, or 255 for 0..255 pixels): what eps-like amounts
        and step sizes are measured against.
    centred : the training mean image is subtracted.
    low, high : the range a value can take: [0, 1] for ``"unit"``; for a centred convention
        [-scale, scale], the widest range of a pixel minus a mean (each pixel's own range is
        [-m, scale - m] for its mean m, which the net does not know).
    grey : the neutral value, what an occluding patch is filled with: 0.5 (mid-grey) in
        ``"unit"``, 0 (the training mean image) in a centred convention.
    """

    name: str
    text: str
    scale: float
    centred: bool
    low: float
    high: float
    grey: float


CONVENTIONS = {
    "unit": Convention("unit", INPUT_CONVENTIONS["unit"], 1.0, False, 0.0, 1.0, 0.5),
    "unit-centred": Convention("unit-centred", INPUT_CONVENTIONS["unit-centred"], 1.0, True, -1.0, 1.0, 0.0),
    "cs231n": Convention("cs231n", INPUT_CONVENTIONS["cs231n"], 255.0, True, -255.0, 255.0, 0.0),
}

# How to turn data of one convention into another, given data["mean_image"] (in the data's own
# scale) or the mean m of the training images: used in the error messages.
_TRAIN_MEAN = " with m = data['X_train'].mean(axis=0) computed once, before any split is converted"
_CONVERSIONS = {
    ("unit-centred", "unit"): "X + data['mean_image']",
    ("cs231n", "unit"): "(X + data['mean_image']) / 255",
    ("unit", "unit-centred"): "X - m" + _TRAIN_MEAN,
    ("cs231n", "unit-centred"): "X / 255",
    ("unit", "cs231n"): "255 * (X - m)" + _TRAIN_MEAN,
    ("unit-centred", "cs231n"): "255 * X",
}
# The options of cs231n_lib.data's loaders that give each convention.
_LOADER_OPTIONS = {
    "unit": "scale='unit' and subtract_mean=False, their defaults",
    "unit-centred": "subtract_mean=True",
    "cs231n": "scale='cs231n'",
}
# A batch may leave its convention's range by this fraction of the scale (an unclipped
# perturbation of a few hundredths is still an image): [-0.1, 1.1] for "unit".
_MARGIN = 0.1
_UNIT_MARGIN = _MARGIN
# values="scale": a batch whose largest |value| exceeds this many times the scale cannot be
# images of the convention, however perturbed or noisy (0..255 pixels given to a [0, 1] net).
_SCALE_FACTOR = 20


def _prefix(who):
    return f"{who}: " if who else ""


# ------------------------------------------------------------------ conventions
def check_convention(convention):
    """``convention`` if it is None (no check) or a key of :data:`INPUT_CONVENTIONS`, else a ValueError."""
    if convention is not None and convention not in INPUT_CONVENTIONS:
        raise ValueError(
            f"input_convention must be None (no check) or one of {sorted(INPUT_CONVENTIONS)}, got {convention!r}."
        )
    return convention


def convention_of(net):
    """The :class:`Convention` of ``net`` (a net, a convention's name or a Convention), or None if it has none."""
    if isinstance(net, Convention):
        return net
    name = net if isinstance(net, str) or net is None else getattr(net, "input_convention", None)
    return None if name is None else CONVENTIONS[check_convention(name)]


def convention_mismatch(model_convention, data_convention, who="The model"):
    """The message for data in ``data_convention`` given to a model in ``model_convention``."""
    convert = _CONVERSIONS.get((data_convention, model_convention))
    how = f" or convert each split: X -> {convert}" if convert else ""
    return (
        f"{who} reads images in the {model_convention!r} convention ({INPUT_CONVENTIONS[model_convention]}), "
        f"but data['input_convention'] is {data_convention!r} ({INPUT_CONVENTIONS[data_convention]}). "
        f"Load the data again in the {model_convention!r} convention (the loaders of cs231n_lib.data with "
        f"{_LOADER_OPTIONS[model_convention]}){how}."
    )


def _needs_convention(net, what, param, who):
    return ValueError(
        f"{_prefix(who)}this net does not say which input convention it reads (its input_convention is None), "
        f"so {what} cannot be chosen for it. Say it once: net.input_convention = 'unit' for images in [0, 1] "
        f"(the loaders' default) or 'cs231n' for 0..255 pixels minus the mean image (scale='cs231n'); "
        f"data['input_convention'] names the one your data is in. Or pass {param} yourself."
    )


def _known(net, what, param, who):
    conv = convention_of(net)
    if conv is None:
        raise _needs_convention(net, what, param, who)
    return conv


def pixel_range(net, who=None, param="clip=(low, high)"):
    """``(low, high)``: the range a value of ``net``'s input convention can take (what a clip keeps).

    (0, 1) for ``"unit"``; for a centred convention the widest range of a pixel minus its mean,
    (-1, 1) or (-255, 255) (each pixel's exact range is [-m, scale - m] for its mean m: pass
    that yourself where it matters).  A net without a convention raises, naming the fix.
    """
    conv = _known(net, "the pixel range", param, who)
    return conv.low, conv.high


def grey(net, who=None, param="fill=<the value of a grey pixel>"):
    """The neutral value of ``net``'s convention, an occluding patch's fill: 0.5 in ``"unit"``,
    0 (the training mean image) in a centred convention."""
    return _known(net, "the grey of an occluding patch", param, who).grey


def scale(net, who=None, param="the step size"):
    """The size of the whole pixel range of ``net``'s convention: 1, or 255 for ``"cs231n"``."""
    return _known(net, "the scale of a step", param, who).scale


# ------------------------------------------------------------------ images
_NOT_IMAGES = {"b": "booleans (a mask?)", "O": "Python objects (a ragged list?)", "U": "strings", "S": "bytes",
               "c": "complex numbers", "M": "dates", "m": "time spans", "V": "records"}


def _as_array(X, name, who):
    try:
        return np.asarray(X)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{_prefix(who)}{name} must be an array of images (N, C, H, W): {err}. "
                         "Stack equal-sized images with np.stack.") from None


def _conversion(conv, name):
    """How to turn 0..255 pixels held in ``name`` into ``conv``."""
    if conv is None or conv.name == "unit":
        return f"{name}.astype(np.float32) / 255"
    if conv.name == "unit-centred":
        return f"{name}.astype(np.float32) / 255 - m (m: the training mean image in [0, 1], data['mean_image'])"
    return f"{name}.astype(np.float32) - m (m: the training mean image of 0..255 pixels, data['mean_image'])"


def _convention_words(conv):
    if conv is None:
        return "float images"
    return f"float images in the {conv.name!r} convention ({conv.text})"


def _check_dtype(X, conv, name, who):
    kind = X.dtype.kind
    if kind == "f":
        return
    if kind in "iu":
        lo, hi = (int(X.min()), int(X.max())) if X.size else (0, 0)
        pixels = "0..255 pixels" if X.dtype == np.uint8 or (lo >= 0 and hi > 1) else "whole numbers"
        helper = "" if conv is None else f", or cs231n_lib.contract.as_images({name}, net) (which does exactly that)"
        raise ValueError(
            f"{_prefix(who)}{name} holds {X.dtype} values ({lo}..{hi}, {pixels}), but this net reads "
            f"{_convention_words(conv)}. Nothing is converted for you: convert them with {_conversion(conv, name)}"
            f"{helper}."
        )
    what = _NOT_IMAGES.get(kind, f"dtype {X.dtype}")
    raise ValueError(f"{_prefix(who)}{name} holds {what} (dtype {X.dtype}), not images: this net reads "
                     f"{_convention_words(conv)}, an array (N, C, H, W) of float32 or float64.")


def _dims(net):
    return tuple(int(d) for d in np.atleast_1d(net.input_dim).tolist())


def _fmt(shape):
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _layout(X, dims, one, name, who, at_least=False):
    """Check X's shape against the net's input shape ``dims``; raise a ValueError with the fix."""
    want = dims if one else ("N",) + dims
    p = _prefix(who)
    if len(dims) == 1:  # a net that flattens its input (CS231n's integer input_dim)
        per = X.shape if one else X.shape[1:]
        if (X.ndim >= 1 if one else X.ndim >= 2) and int(np.prod(per)) == dims[0]:
            return
        raise ValueError(f"{p}{name} must hold {dims[0]} numbers per image "
                         f"({'one image' if one else '(N, ...)'}), got {name}.shape={X.shape}.")
    C, H, W = dims if len(dims) == 3 else (None, None, None)
    body = X.shape if one else X.shape[1:]
    if len(body) == len(dims) and (tuple(body) == dims or (at_least and C is not None and body[0] == C
                                                           and body[1] >= H and body[2] >= W)):
        return
    hint = ""
    if C is not None:
        if one and X.ndim == 4 and tuple(X.shape[1:]) == dims:
            hint = (f" It is a batch of {X.shape[0]} image(s) (N, C, H, W); this function takes one image "
                    f"(C, H, W): pass {name}[n] for image n.")
        elif not one and X.ndim == 3 and tuple(X.shape) == dims:
            hint = f" It is one image (C, H, W); pass a batch: {name}[None] is a batch of one."
        elif len(body) == 3 and tuple(body) == (H, W, C) and C != H:
            fix = f"{name}.transpose(2, 0, 1)" if one else f"{name}.transpose(0, 3, 1, 2)"
            hint = (f" It looks channels-last ({'H, W, C' if one else 'N, H, W, C'}); cs231n_lib is NCHW, as "
                    f"CS231n: convert it with {fix}.")
        elif C == 1 and len(body) == 2 and tuple(body) == (H, W):
            fix = f"{name}[None]" if one else f"{name}[:, None]"
            hint = f" The channel axis is missing: {fix} adds it."
        elif len(body) == 3 and tuple(body[1:]) == (H, W) and body[0] != C:
            if C == 3 and body[0] == 1:
                fix = f" For grey images repeat the channel: np.repeat({name}, 3, axis={0 if one else 1})."
            elif C == 1 and body[0] == 3:
                fix = (f" For colour images average the channels: {name}.mean(axis={0 if one else 1}, keepdims=True)"
                       f" (or give the net grey images, e.g. adversarial.grey_input for a net of grey digits).")
            else:
                fix = ""
            hint = f" The net reads {C} channel(s), {name} has {body[0]}.{fix}"
        elif len(body) == 3 and body[0] == C and at_least:
            hint = f" The images must be at least {H}x{W}, the net's input size."
        elif len(body) == 3 and body[0] == C:
            hint = f" The net reads {H}x{W} images; {name}'s are {body[1]}x{body[2]}: crop or resize them."
    size = "at least " if at_least else ""
    raise ValueError(f"{p}this net reads {'one image' if one else 'a batch of images'} of shape "
                     f"{size}{_fmt(want)}, got {name}.shape={X.shape}.{hint}")


def _range_problem(lo, hi, conv, input_mean, name, who, values, subject=None):
    """None if values from ``lo`` to ``hi`` suit ``conv``; else the error's text."""
    s = conv.scale
    if values == "scale":  # only a wrong scale: the values may be perturbed or noise
        big = max(abs(lo), abs(hi))
        if s == 1 and big > _SCALE_FACTOR:
            return (f"{_prefix(who)}this net reads images in the {conv.name!r} convention ({conv.text}), but {name} "
                    f"holds values from {lo:.3g} to {hi:.3g}: no perturbation or noise of that scale explains them; "
                    f"they look like 0..255 pixels. Divide 0..255 pixels by 255 (for data in the 'cs231n' "
                    f"convention: (X + data['mean_image']) / 255), or load the data again in the {conv.name!r} "
                    f"convention (the loaders of cs231n_lib.data with {_LOADER_OPTIONS[conv.name]}).")
        if s > 1 and 0 < big <= 1.5:
            return _unit_for_cs231n(lo, hi, conv, name, who)
        return None
    margin = _MARGIN * s
    if conv.name == "unit":
        if lo >= -margin and hi <= 1 + margin:
            return None
        own = ""
        if input_mean is not None:
            m = np.asarray(input_mean)
            own = (f"; the net subtracts its own input_mean {float(m):g}" if m.size == 1
                   else "; the net subtracts its own input_mean image")
        scale_hint = ("" if subject else "; where a function scores perturbed images or noise on purpose, pass "
                      "it values='scale'")
        if max(hi, -lo) > _SCALE_FACTOR:
            looks = ("0..255 pixels minus a mean image (the 'cs231n' convention)" if lo < -margin
                     else "0..255 pixels")
            fix = ("Divide 0..255 pixels by 255; for data in the 'cs231n' convention use "
                   "(X + data['mean_image']) / 255")
        elif lo < -margin and hi <= 1 + margin:
            looks = "images with the mean image subtracted (the 'unit-centred' convention)"
            fix = "Add the mean image back: X + data['mean_image']"
        elif lo < -margin:
            looks = "images pushed out of [0, 1] on both sides (an unclipped perturbation, or noise)"
            fix = f"Clip them into [0, 1] with np.clip(X, 0, 1){scale_hint}"
        else:
            looks = "images pushed above 1 (by a perturbation, or scaled otherwise)"
            fix = f"Clip them into [0, 1] with np.clip(X, 0, 1) or rescale them{scale_hint}"
        subject = subject or f"{_prefix(who)}this net"
        return (f"{subject} reads images in the 'unit' convention (values in [0, 1], nothing "
                f"subtracted{own}), but {'this batch' if name == 'X' else name} holds values from {lo:.3g} to "
                f"{hi:.3g}: it looks like {looks}. {fix}, or load the data again in the 'unit' convention "
                f"(the loaders of cs231n_lib.data with {_LOADER_OPTIONS['unit']}).")
    # centred conventions: each pixel lies in [-m, scale - m]
    head = (f"{_prefix(who)}this net reads images in the {conv.name!r} convention ({conv.text}), but {name} holds "
            f"values from {lo:.3g} to {hi:.3g}")
    if s == 1 and hi > 2:
        return (f"{head}: they look like 0..255 pixels. Divide by 255 and subtract the mean image: X / 255 - "
                f"data['mean_image'] for the mean of [0, 1] images, or load the data with "
                f"{_LOADER_OPTIONS[conv.name]}.")
    if s > 1 and 0 < max(abs(lo), abs(hi)) <= 1.5:
        return _unit_for_cs231n(lo, hi, conv, name, who)
    if lo >= 0 and hi > _MARGIN * s:
        fix = ("X - data['mean_image'] with the mean of the training images in [0, 1]" if s == 1 else
               "X - m with m the mean image of the 0..255 training images (data['mean_image'] of a dict loaded "
               "with scale='cs231n')")
        return (f"{head}: not one value below 0, so the mean image has not been subtracted. Subtract it: {fix}, "
                f"or load the data with {_LOADER_OPTIONS[conv.name]}.")
    if lo < -(1 + _MARGIN) * s or hi > (1 + _MARGIN) * s:
        return (f"{head}: more than the whole pixel range ({s:g}) away from the mean. Check how the images were "
                f"scaled; load the data with {_LOADER_OPTIONS[conv.name]}.")
    return None


def _unit_for_cs231n(lo, hi, conv, name, who):
    return (f"{_prefix(who)}this net reads images in the {conv.name!r} convention ({conv.text}), but {name} holds "
            f"values from {lo:.3g} to {hi:.3g}: they look like images in [0, 1] (the 'unit' or 'unit-centred' "
            f"convention). Convert: 255 * (X - m) for [0, 1] images with m their training mean image, or 255 * X "
            f"for 'unit-centred' ones; or load the data with {_LOADER_OPTIONS[conv.name]}.")


def check_unit_range(X, name, input_mean):
    """Refuse a batch that is clearly not in [0, 1], for a net in the "unit" convention.

    ``name`` names the net (or function) in the message.  Kept for :mod:`cs231n_lib.nets`
    (``SequentialNet.loss``): :func:`check_images` does this and more.
    """
    X = np.asarray(X)
    if X.size == 0:
        return
    lo, hi = float(np.min(X)), float(np.max(X))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        bad = int(np.sum(~np.isfinite(X)))
        raise ValueError(
            f"{name}: this batch holds {bad} NaN or infinite value(s); a class score of such an image means "
            "nothing. Find them with np.argwhere(~np.isfinite(X)) and repair or drop those images."
        )
    problem = _range_problem(lo, hi, CONVENTIONS["unit"], input_mean, "X", None, "pixels", subject=name)
    if problem:
        raise ValueError(problem)


def check_batch(X, input_dim, name, flatten=False, convention=None):
    """X as an array of shape (N, *input_dim); with ``flatten``, any (N, ...) of the same size per example.

    The nets' own check (``SequentialNet``, ``TwoLayerNet``): the shape, with channels-last named;
    ``name`` names the net.  Booleans, strings and objects are refused.  A net with an input
    ``convention`` also refuses integers (0..255 pixels, with their conversion); one without takes
    any numbers, as CS231n's nets do.
    """
    try:
        X = np.asarray(X)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{name} expects an array X: {err}") from None
    if X.dtype.kind not in "fiu":
        what = _NOT_IMAGES.get(X.dtype.kind, f"dtype {X.dtype}")
        raise ValueError(f"{name}: X holds {what} (dtype {X.dtype}); it expects numbers, e.g. float32 images.")
    if convention is not None:
        _check_dtype(X, convention_of(convention), "X", name)
    if flatten and X.ndim >= 2 and int(np.prod(X.shape[1:])) == int(np.prod(input_dim)):
        return X
    if X.ndim != len(input_dim) + 1 or tuple(X.shape[1:]) != tuple(input_dim):
        hint = ""
        if X.ndim == 4 and len(input_dim) == 3 and tuple(X.shape[1:]) == (input_dim[1], input_dim[2], input_dim[0]):
            hint = " X looks channels-last (N, H, W, C): convert it with X.transpose(0, 3, 1, 2)."
        elif X.ndim == len(input_dim) and tuple(X.shape) == tuple(input_dim):
            hint = " X is one image: X[None] is a batch of one."
        raise ValueError(
            f"{name} expects X of shape (N, {', '.join(map(str, input_dim))}), got X.shape={X.shape}.{hint}"
        )
    return X


def check_images(net, X, *, name="X", who=None, one=False, values="pixels", empty=False, at_least=False):
    """``X`` checked against ``net`` (its ``input_dim`` and ``input_convention``); returns it as an ndarray.

    Parameters
    ----------
    net : the model the images are for.
    X : a batch (N, C, H, W), or with ``one=True`` one image (C, H, W).
    name, who : the argument's and the calling function's names, for the messages.
    values : what the values must be: ``"pixels"`` (images of the net's convention, up to a
        margin of 0.1 of its scale: [-0.1, 1.1] for ``"unit"``), ``"scale"`` (only the scale:
        perturbed images and noise pass, 0..255 pixels given to a [0, 1] net do not) or
        ``"any"`` (no check of the values).  A net without a convention checks no values.
    empty : accept an empty batch (N = 0); refused by default, where it is a mistake
        (an empty selection), never something to compute.
    at_least : the images may be larger than the net's input (H, W at least its own).

    Checked, each with a ValueError that names the fix: the dtype (float; uint8 and other
    integers refused with the conversion to their convention, see :func:`as_images`), the layout
    (NCHW; channels-last, a missing channel axis, one image for a batch and a batch for one
    image detected), the number of channels and the size, finiteness, and the values.
    Float images are returned as they are (no copy, no conversion).
    """
    if values not in ("pixels", "scale", "any"):
        raise ValueError(f"{_prefix(who)}values must be 'pixels' (images of the net's convention), 'scale' (perturbed "
                         f"images and noise: only the scale is checked) or 'any', got {values!r}.")
    conv = convention_of(net)
    X = _as_array(X, name, who)
    _check_dtype(X, conv, name, who)
    _layout(X, _dims(net), one, name, who, at_least)
    if not one and X.shape[0] == 0 and not empty:
        raise ValueError(f"{_prefix(who)}{name} holds no image (shape {X.shape}): an empty selection? Check the "
                         f"mask or index that made it; there is nothing to compute on.")
    if X.size == 0:
        return X
    lo, hi = float(np.min(X)), float(np.max(X))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        bad = ~np.isfinite(X)
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{_prefix(who)}{name} holds {int(bad.sum())} NaN or infinite value(s) (the first at "
                         f"{name}[{', '.join(map(str, first))}]); nothing computed on them means anything. Find "
                         f"them with np.argwhere(~np.isfinite({name})) and repair or drop those images.")
    if conv is not None and values != "any":
        problem = _range_problem(lo, hi, conv, getattr(net, "input_mean", None), name, who, values)
        if problem:
            raise ValueError(problem)
    return X


def as_images(X, net, mean_image=None, channels_last=False):
    """0..255 pixels (uint8 or whole numbers) as float images of ``net``'s convention: the explicit conversion.

    ``"unit"``: ``X / 255``; ``"unit-centred"``: ``X / 255 - mean_image`` (the training mean image in
    [0, 1]); ``"cs231n"``: ``X - mean_image`` (the mean of the 0..255 training images).
    ``channels_last=True`` also turns (N, H, W, C) into (N, C, H, W).  Returns float32
    (float64 for a float64 net).
    """
    conv = _known(net, "the conversion", "net", "as_images")
    X = _as_array(X, "X", "as_images")
    if X.dtype.kind not in "iuf":
        _check_dtype(X, conv, "X", "as_images")
    if X.size and (float(X.min()) < 0 or float(X.max()) > 255):
        raise ValueError(f"as_images converts 0..255 pixels; X holds values from {X.min()} to {X.max()}.")
    if channels_last:
        if X.ndim not in (3, 4):
            raise ValueError(f"channels_last needs (H, W, C) or (N, H, W, C), got X.shape={X.shape}.")
        X = np.moveaxis(X, -1, -3)
    dtype = np.float64 if np.dtype(getattr(net, "dtype", np.float32)) == np.float64 else np.float32
    out = X.astype(dtype) / dtype(255) if conv.scale == 1 else X.astype(dtype)
    if conv.centred:
        if mean_image is None:
            raise ValueError(f"as_images: the {conv.name!r} convention subtracts the training mean image: pass "
                             f"mean_image=data['mean_image'] (in the convention's own scale).")
        out = out - np.asarray(mean_image, dtype=dtype)
    return out


# ------------------------------------------------------------------ labels and amounts
def check_labels(y, n, num_classes, *, name="y", who=None, broadcast=False):
    """``y`` as int64 class indices (n,), each in 0..num_classes-1, or a ValueError naming the fix.

    Refused: booleans, fractions, one-hot rows (N, num_classes) (their ``argmax(axis=1)`` is meant),
    a count other than one per image, indices out of range.  Whole-valued floats are refused too,
    with their conversion (nothing is converted for you).  ``broadcast``: one index (a scalar)
    stands for every image.  ``num_classes=None`` (labels of points, no net): any index >= 0.
    """
    p = _prefix(who)
    if y is None:
        raise ValueError(f"{p}{name} is missing: give one class index per image, {n} in all.")
    try:
        arr = np.asarray(y)
    except Exception as err:
        raise ValueError(f"{p}{name} must be class indices: {err}") from None
    top = "" if num_classes is None else f" 0..{num_classes - 1}"
    if arr.dtype.kind == "b":
        raise ValueError(f"{p}{name} holds booleans; class indices are integers{top} "
                         f"(for a two-class problem: {name}.astype(int)).")
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{p}{name} must hold integer class indices{top}, got dtype {arr.dtype}.")
    if arr.ndim == 2 and n and arr.shape[0] == n and arr.shape[1] > 1 and arr.shape[1] == (num_classes or arr.shape[1]) \
            and np.all((arr == 0) | (arr == 1)) and np.all(arr.sum(axis=1) == 1):
        raise ValueError(f"{p}{name} looks one-hot, shape {arr.shape} (one row per image, one column per class); "
                         f"pass the class indices: {name}.argmax(axis=1).")
    if arr.ndim == 0 and broadcast:
        arr = np.full(n, arr)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{p}{name} must hold one class index per image: shape ({n},) for {n} image(s), got "
                         f"{name}.shape={arr.shape}.")
    if arr.dtype.kind == "f":
        whole = bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))
        fix = f" Convert them: {name}.astype(np.int64)." if whole else ""
        raise ValueError(f"{p}{name} holds {arr.dtype} values; class indices are integers{top}.{fix}")
    if arr.size and num_classes is None and int(arr.min()) < 0:
        raise ValueError(f"{p}{name} must hold class indices >= 0; got {int(arr.min())}.")
    if arr.size and num_classes is not None:
        bad = (arr < 0) | (arr >= num_classes)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            hint = ""
            if int(arr.min()) == 1 and int(arr.max()) == num_classes:
                hint = f" They look 1-based: {name} - 1."
            raise ValueError(f"{p}{name} must hold classes of this net, indices 0..{num_classes - 1}; {int(bad.sum())} "
                             f"do not (the first, {name}[{i}] = {int(arr[i])}).{hint}")
    return arr.astype(np.int64)


def _number(value, name, who):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{_prefix(who)}{name} must be one number, got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{_prefix(who)}{name} must be finite, got {value}.")
    return value


def check_amount(value, net=None, name="eps", *, who=None, what="the largest change of one pixel",
                 positive=False, limit=1.0):
    """An eps-like amount (``what``) as a float >= 0 (> 0 with ``positive``), checked against the
    scale of ``net``'s convention.

    An amount larger than ``limit`` times the whole pixel range is refused (``eps=25`` on [0, 1]
    images: a percent? 25 grey levels?), and on the 0..255 scale of ``"cs231n"`` an amount below one
    grey level too (``eps=0.25`` there is a quarter of a grey level: a fraction of the range was
    meant).  A net without a convention checks only the sign.
    """
    p = _prefix(who)
    value = _number(value, name, who)
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{p}{name} is {what}, a number {'> 0' if positive else '>= 0'}; got {value:g}.")
    conv = convention_of(net)
    if conv is None or value == 0:
        return value
    top = limit * conv.scale
    if value > top:
        if conv.scale == 1:
            reading = (f" If you meant a percent (as the explorers' sliders show), pass {name}={value / 100:g}; "
                       f"if you meant {value:g} grey levels of 255, pass {name}={value / 255:.4g}.")
        else:
            reading = f" If you meant {value:g} percent of the range, pass {name}={255 * value / 100:g}."
        raise ValueError(f"{p}{name}={value:g} is {what} on images in the {conv.name!r} convention ({conv.text}), "
                         f"where the whole pixel range is {conv.scale:g}: {value / conv.scale:.3g} times "
                         f"{'it' if limit == 1 else 'that'}.{reading}")
    if conv.scale > 1 and value < 1:
        raise ValueError(f"{p}{name}={value:g} is {what} on images in the {conv.name!r} convention ({conv.text}): "
                         f"less than one grey level of 255. A fraction of the pixel range ({value:g} of [0, 1]) is "
                         f"{name}={value * 255:g} on this scale.")
    return value


def check_count(value, name, low=0, who=None):
    """``value`` as a Python int >= ``low``, or a ValueError (booleans and fractions refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise ValueError(f"{_prefix(who)}{name} must be a whole number >= {low}, got {value!r}.")
    return int(value)


def clip_range(clip, net, who=None):
    """The clip of a perturbed image: ``"pixels"`` (the pixel range of ``net``'s convention, see
    :func:`pixel_range`), None (no clipping) or ``(low, high)``; returns None or two floats."""
    if clip is None:
        return None
    if isinstance(clip, str):
        if clip != "pixels":
            raise ValueError(f"{_prefix(who)}clip is 'pixels' (the pixel range of the net's input convention), "
                             f"None (no clipping) or (low, high); got {clip!r}.")
        return pixel_range(net, who)
    try:
        lo, hi = (float(v) for v in clip)
    except (TypeError, ValueError):
        raise ValueError(f"{_prefix(who)}clip is 'pixels' (the pixel range of the net's input convention), None (no "
                         f"clipping) or the pixel range (low, high), e.g. (0, 1); got {clip!r}.") from None
    if not lo < hi:
        raise ValueError(f"{_prefix(who)}clip=(low, high) needs low < high, got {clip!r}.")
    return lo, hi
