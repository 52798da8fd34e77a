"""Data sets for training ConvNets, offline by default.

Every loader returns CS231n's dictionary layout::

    {"X_train": (N_train, 3, 32, 32) float32, "y_train": (N_train,) int64,
     "X_val": ..., "y_val": ..., "X_test": ..., "y_test": ...,
     "class_names": [str, ...]}

Images are NCHW float32 with values in [0, 1] (``subtract_mean=True``
subtracts the training set's mean image and stores it as ``"mean_image"``).

* :func:`make_shapes` / :func:`load_shapes` -- procedural coloured shapes on
  textured backgrounds, any number, deterministic by seed, with each
  object's mask and bounding box;
* :func:`load_digits` -- scikit-learn's 8x8 handwritten digits, resized to 32x32x3;
* :func:`load_faces` -- scikit-image's face / non-face subset (LFW), resized;
* :func:`load_photos` -- 32x32 crops of scikit-image's sample photographs,
  labelled by photograph;
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

__all__ = [
    "SHAPE_CLASSES",
    "make_shapes",
    "load_shapes",
    "load_digits",
    "load_faces",
    "load_photos",
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


def _render_one(rng, label, size):
    """One (size, size, 3) image in [0, 1] and its object mask (size, size)."""
    big = size * _SUPER
    kind = SHAPE_CLASSES[label]
    radius = rng.uniform(0.28, 0.40) * big
    margin = radius * 1.05
    cx, cy = rng.uniform(margin, big - margin, size=2)
    theta = rng.uniform(0, 2 * np.pi)
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


def make_shapes(n, seed=0, size=32, split=0, classes=None):
    """Render ``n`` images of coloured shapes on textured backgrounds.

    Image i is drawn from ``numpy.random.default_rng([seed, split, i])``, so
    it does not depend on ``n``: asking for more images extends the set.
    Labels cycle through the classes in a seeded random order.

    Parameters
    ----------
    n : number of images.
    seed : the data set's seed.
    size : height and width in pixels (32 for the CIFAR-like layout).
    split : an integer that makes independent sets from one seed (0, 1, 2
        for train, validation, test in :func:`load_shapes`).
    classes : list of class indices to draw from (default: all of SHAPE_CLASSES).

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
    X = np.empty((n, 3, size, size), dtype=np.float32)
    y = np.empty(n, dtype=np.int64)
    masks = np.zeros((n, size, size), dtype=bool)
    boxes = np.zeros((n, 4), dtype=np.int64)
    for i in range(n):
        rng = np.random.default_rng([int(seed), int(split), i])
        label = classes[int(rng.integers(len(classes)))]
        img, mask = _render_one(rng, label, size)
        X[i] = img.transpose(2, 0, 1)
        y[i] = label
        masks[i] = mask
        rows, cols = np.nonzero(mask)
        if rows.size:
            boxes[i] = (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)
    return {"X": X, "y": y, "masks": masks, "boxes": boxes}


def _finish(data, class_names, subtract_mean):
    if subtract_mean:
        mean = data["X_train"].mean(axis=0)
        for split in ("train", "val", "test"):
            data[f"X_{split}"] = (data[f"X_{split}"] - mean).astype(np.float32)
        data["mean_image"] = mean.astype(np.float32)
    data["class_names"] = list(class_names)
    return data


def load_shapes(num_train=2000, num_val=500, num_test=500, seed=0, size=32, subtract_mean=False):
    """The shapes data set in CS231n's layout, plus ``masks_*`` and ``boxes_*`` for each split.

    The three splits are rendered from independent random streams of ``seed``.
    """
    data = {}
    for split_id, (split, n) in enumerate((("train", num_train), ("val", num_val), ("test", num_test))):
        part = make_shapes(n, seed=seed, size=size, split=split_id)
        data[f"X_{split}"], data[f"y_{split}"] = part["X"], part["y"]
        data[f"masks_{split}"], data[f"boxes_{split}"] = part["masks"], part["boxes"]
    return _finish(data, SHAPE_CLASSES, subtract_mean)


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


def load_digits(num_val=200, num_test=300, seed=0, size=32, subtract_mean=False):
    """scikit-learn's 1797 handwritten digits (8x8, 0..16) resized to (3, size, size) in [0, 1].

    Classes "0".."9"; the rest after validation and test is the training set.
    """
    from sklearn.datasets import load_digits as _sk_digits

    digits = _sk_digits()
    X = _resize_batch(digits.images / 16.0, size)
    y = digits.target.astype(np.int64)
    return _finish(_split(X, y, num_val, num_test, seed), [str(d) for d in range(10)], subtract_mean)


def load_faces(num_val=30, num_test=40, seed=0, size=32, subtract_mean=False):
    """scikit-image's ``lfw_subset``: 100 faces and 100 non-faces (25x25 grey), resized.

    Classes ``["non-face", "face"]``.
    """
    from skimage import data as skdata

    images = skdata.lfw_subset()
    y = np.r_[np.ones(100, dtype=np.int64), np.zeros(100, dtype=np.int64)]
    X = _resize_batch(images, size)
    return _finish(_split(X, y, num_val, num_test, seed), ["non-face", "face"], subtract_mean)


PHOTOS = ["astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "camera", "coins", "brick"]


def load_photos(per_class=120, num_val=80, num_test=160, seed=0, size=32, subtract_mean=False):
    """Random 32x32 crops of scikit-image's bundled photographs, labelled by photograph.

    Each photograph (see ``PHOTOS``) is scaled so its short side is 128
    pixels, and ``per_class`` crops are cut at seeded random positions.
    """
    from skimage import data as skdata
    from skimage.transform import rescale

    rng = np.random.default_rng(seed)
    crops, labels = [], []
    for label, name in enumerate(PHOTOS):
        img = np.asarray(getattr(skdata, name)(), dtype=np.float64) / 255.0
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        img = rescale(img, 128 / min(img.shape[:2]), order=1, anti_aliasing=True, channel_axis=2)
        H, W = img.shape[:2]
        for _ in range(per_class):
            top, left = int(rng.integers(H - size + 1)), int(rng.integers(W - size + 1))
            crops.append(img[top:top + size, left:left + size].transpose(2, 0, 1))
            labels.append(label)
    X = np.clip(np.stack(crops), 0, 1).astype(np.float32)
    y = np.asarray(labels, dtype=np.int64)
    return _finish(_split(X, y, num_val, num_test, seed + 1), PHOTOS, subtract_mean)


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


def _verify(path, expected):
    """Raise ValueError unless the file's digest equals ``expected`` ('sha256:<hex>' or 'md5:<hex>')."""
    algorithm, _, want = expected.partition(":")
    if algorithm not in ("sha256", "md5") or not want:
        raise ValueError(f"a pinned hash is 'sha256:<hex>' or 'md5:<hex>', got {expected!r}.")
    got = file_hash(path, algorithm)
    if got != want.lower():
        raise ValueError(
            f"{path}: {algorithm} is {got}, expected {want}. The file is corrupt, truncated or not the "
            "CIFAR-10 python batch it claims to be; it was NOT unpickled. Download it again "
            "(download_cifar10()) and check you pointed at the cifar-10-batches-py folder."
        )


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


def load_cifar10(path=None, num_train=49000, num_val=1000, num_test=1000, subtract_mean=True,
                 hashes=None):
    """CIFAR-10 from the standard python batches, in CS231n's layout (as its ``get_CIFAR10_data``).

    Parameters
    ----------
    path : the ``cifar-10-batches-py`` folder or its parent; default the
        environment variable ``CIFAR10_DIR``.
    num_train, num_val : the first ``num_train`` training images train; the
        ``num_val`` after them validate.
    num_test : the first images of ``test_batch``.
    subtract_mean : subtract the training mean image.
    hashes : dict file name -> 'sha256:<hex>' or 'md5:<hex>'; default
        :data:`CIFAR10_FILE_HASHES`.  Every file is checked before it is
        unpickled, and a file without a pinned hash is refused.

    Returns the data dict; images (N, 3, 32, 32) float32 in [0, 1].
    """
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
    scale = np.float32(1 / 255)
    data = {
        "X_train": X_all[:num_train].astype(np.float32) * scale, "y_train": y_all[:num_train],
        "X_val": X_all[num_train:num_train + num_val].astype(np.float32) * scale,
        "y_val": y_all[num_train:num_train + num_val],
        "X_test": X_test[:num_test].astype(np.float32) * scale, "y_test": y_test[:num_test],
    }
    return _finish(data, CIFAR10_CLASSES, subtract_mean)


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
