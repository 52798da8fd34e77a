"""The shapes renderer as it was before it took transform parameters: a verbatim copy of
``cs231n_lib/data.py`` lines 69-252 at commit a4b1c1d (main, 2026-12-05), for
tests/test_shapes_transforms.py, which checks that the library still renders every image of the
data set byte for byte as this copy does.  Do not edit it: it is the reference."""
import numpy as np

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


def _balanced_labels(n, k, seed, split):
    """Positions 0..k-1 for n images: block b (images b*k .. b*k + k - 1) is a permutation of
    range(k) drawn from its own stream, ``SeedSequence([seed, split, b], spawn_key=(1,))``
    (the spawn key keeps it apart from the images' streams ``[seed, split, i]``)."""
    blocks = [np.random.default_rng(np.random.SeedSequence([int(seed), int(split), b], spawn_key=(1,))).permutation(k)
              for b in range(-(-n // k))]
    return np.concatenate(blocks)[:n] if blocks else np.zeros(0, dtype=np.int64)


def make_shapes(n, seed=0, size=32, split=0, classes=None):
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
    labels = _balanced_labels(n, len(classes), seed, split)
    X = np.empty((n, 3, size, size), dtype=np.float32)
    y = np.empty(n, dtype=np.int64)
    masks = np.zeros((n, size, size), dtype=bool)
    boxes = np.zeros((n, 4), dtype=np.int64)
    for i in range(n):
        rng = np.random.default_rng([int(seed), int(split), i])
        label = classes[int(labels[i])]
        img, mask = _render_one(rng, label, size)
        X[i] = img.transpose(2, 0, 1)
        y[i] = label
        masks[i] = mask
        rows, cols = np.nonzero(mask)
        if rows.size:
            boxes[i] = (rows.min(), cols.min(), rows.max() + 1, cols.max() + 1)
    return {"X": X, "y": y, "masks": masks, "boxes": boxes}

