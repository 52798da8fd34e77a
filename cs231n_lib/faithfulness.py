"""Deletion and insertion (Petsiuk et al. 2018, notebook 07): does a map rank the pixels the net itself needs?

An attribution map ranks the pixels of an image.  *Deletion* removes them in that order, most
important first, and records the net's probability of the class after every few pixels: a map
that found what the net needs makes the probability fall at once, and the area under the curve
(AUC, over the fraction of pixels removed) is small.  *Insertion* starts from a blank image and
puts the pixels back in the same order: the probability should rise at once, and the AUC is
large.  Unlike a score against an object mask, both ask the net.

A "removed" pixel takes the neutral value of the net's input convention (:func:`neutral_fill`):
the grey 0.5 for images in [0, 1] -- for our nets also their ``input_mean``, which they subtract
themselves, so a removed pixel enters the net as 0 -- or 0, the training mean image, in a centred
convention; a net that names no convention is refused unless ``fill=`` is given.  Petsiuk et
al.'s code sets deleted pixels to zero after the images were normalized (the training data's
mean colour), inserts into a blurred copy of the image, and follows the class the net predicts;
here one neutral fill serves both curves, so both end at the same blank image, and the class is
the one given (notebook 07 gives the true class).

* :func:`neutral_fill`, :func:`pixel_order`, :func:`area_under_curve`,
  :func:`deletion_insertion` -- the curves and their AUCs for a batch of images and maps, and
  :func:`game_images` -- what the net sees along the way;
* :func:`paired_images` -- two methods compared image by image;
* :func:`sweep`, :func:`write_results`, :func:`load_results` -- notebook 07's measurement over
  200 test shapes (``python -m cs231n_lib.faithfulness --sweep``; ``--force`` to replace the
  shipped file).
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import sys
import time
from typing import NamedTuple

import numpy as np

from . import __version__, outputs

__all__ = ["neutral_fill", "pixel_order", "area_under_curve", "Curves", "deletion_insertion",
           "game_images", "PairedImages", "paired_images", "images_digest", "RESULTS", "SETTINGS", "ROWS", "NET_ROWS", "RANDOM_NET_ROWS",
           "EDGE", "RANDOM", "sweep_maps", "sweep", "summary", "write_results", "load_results", "main"]

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
RESULTS = DATA_DIR / "faithfulness_shapes.json"


# ------------------------------------------------------------------ the curves
def neutral_fill(net):
    """The value a removed pixel takes, (C, H, W) float64: the grey of the net's input convention
    (:func:`cs231n_lib.contract.grey`: 0.5 for images in [0, 1], 0 -- the training mean image -- in a
    centred convention), the occluding patch's fill. For the shapes nets it is also their
    ``input_mean``, so a removed pixel enters the net as 0."""
    from .contract import grey

    value = grey(net, who="faithfulness", param="fill=<the value of a removed pixel>")
    return np.broadcast_to(np.asarray(value, dtype=np.float64), tuple(net.input_dim)).astype(np.float64)


def pixel_order(maps, seed=0):
    """The pixels of each map, most important first: (N, H*W) indices into the flattened map.

    maps : (N, H, W).  Pixels are sorted by decreasing value; pixels of equal value (the flat
    background of an edge map, the blocks of an occlusion map) come in one fixed random order,
    the permutation ``numpy.random.default_rng(seed).permutation(H*W)``, the same for every image,
    so that ties are not broken top row first.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (N, H, W), got {maps.shape}.")
    if not np.isfinite(maps).all():
        raise ValueError("maps must be finite: a NaN or inf has no place in a ranking.")
    flat = maps.reshape(len(maps), -1)
    tie_order = np.random.default_rng(seed).permutation(flat.shape[1])
    ranked = np.argsort(-flat[:, tie_order], axis=1, kind="stable")
    return tie_order[ranked]


def area_under_curve(fractions, values):
    """The trapezoid area under ``values`` (..., K+1) over ``fractions`` (K+1,) from 0 to 1.

    With equal steps this is Petsiuk et al.'s normalized AUC,
    ``(sum(v) - v[0]/2 - v[-1]/2) / K``.  Returns values' shape without the last axis.
    """
    fractions = np.asarray(fractions, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    widths = np.diff(fractions)
    return np.sum(widths * (values[..., 1:] + values[..., :-1]) / 2, axis=-1)


class Curves(NamedTuple):
    """The result of :func:`deletion_insertion`.

    fractions : (K+1,) the fraction of the pixels removed (deletion) or put back (insertion).
    deletion, insertion : (N, K+1) the probability of each image's class after each step.
    deletion_auc, insertion_auc : (N,) the areas under them (low is good for deletion,
        high for insertion).
    settings : the arguments used.
    """

    fractions: np.ndarray
    deletion: np.ndarray
    insertion: np.ndarray
    deletion_auc: np.ndarray
    insertion_auc: np.ndarray
    settings: dict


def _probabilities(net, images, labels, batch_size):
    """p(label) of every image, in float64 (a stable softmax of the net's scores)."""
    out = np.empty(len(images))
    for start in range(0, len(images), batch_size):
        scores = np.asarray(net.loss(images[start:start + batch_size]), dtype=np.float64)
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        out[start:start + batch_size] = probs[np.arange(len(scores)), labels[start:start + batch_size]]
    return out


def deletion_insertion(net, X, y, maps, step=8, fill=None, seed=0, batch_size=520):
    """Petsiuk et al.'s deletion and insertion curves of ``maps`` for the images X, classes y.

    X : (N, C, H, W) images in the net's convention; y : (N,) the class each map explains;
    maps : (N, H, W) >= 0 or signed, only their order counts (:func:`pixel_order`, ties in the
    fixed random order of ``seed``).  After k * ``step`` pixels (all C values of a pixel at once),
    deletion shows the image with the first k * step pixels of the order set to ``fill`` and
    insertion shows ``fill`` with those pixels put back; the last step may be shorter, so that
    the curves end with every pixel removed or back.  ``fill`` : (C, H, W), a number, or None
    for :func:`neutral_fill`.  Returns :class:`Curves`.
    """
    X = np.asarray(X)
    dims = tuple(net.input_dim)
    if X.ndim != 4 or X.shape[1:] != dims:
        raise ValueError(f"X must have shape (N, {', '.join(map(str, dims))}) for this net, got {X.shape}.")
    y = np.asarray(y)
    if y.shape != (len(X),) or y.dtype.kind not in "iu" or (len(y) and (y.min() < 0 or y.max() >= net.num_classes)):
        raise ValueError(f"y must be {len(X)} class labels in 0..{net.num_classes - 1}, got {y.dtype} {y.shape}.")
    maps = np.asarray(maps)
    if maps.shape != (len(X),) + dims[1:]:
        raise ValueError(f"maps must have shape {(len(X),) + dims[1:]} (one map per image), got {maps.shape}.")
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a whole number of pixels >= 1, got {step!r}.")
    fill = neutral_fill(net) if fill is None else np.broadcast_to(np.asarray(fill, dtype=np.float64), dims)
    P = dims[1] * dims[2]
    counts = np.minimum(np.arange(0, P + step, step), P)
    if counts[-2] == P:                       # step divides P: no repeated last point
        counts = counts[:-1]
    fractions = counts / P
    order = pixel_order(maps, seed)
    rank = np.empty_like(order)
    rank[np.arange(len(X))[:, None], order] = np.arange(P)
    deletion, insertion = np.empty((len(X), len(counts))), np.empty((len(X), len(counts)))
    for n in range(len(X)):
        removed = (rank[n][None, :] < counts[:, None]).reshape((len(counts), 1) + dims[1:])
        image = X[n].astype(np.float64)
        stack = np.concatenate([np.where(removed, fill, image), np.where(removed, image, fill)])
        probs = _probabilities(net, stack.astype(net.dtype), np.full(len(stack), y[n]), batch_size)
        deletion[n], insertion[n] = probs[:len(counts)], probs[len(counts):]
    settings = {"step": int(step), "seed": seed, "pixels": P,
                "fill": float(fill.flat[0]) if np.ptp(fill) == 0 else "per pixel"}
    return Curves(fractions, deletion, insertion, area_under_curve(fractions, deletion),
                  area_under_curve(fractions, insertion), settings)


def game_images(net, x, m, fractions, seed=0):
    """What the net sees along the two games of one image: ``(deleted, inserted)``, each
    (len(fractions), C, H, W): ``x`` with the first ``round(f * H * W)`` pixels of ``m``'s order
    (:func:`pixel_order`) set to :func:`neutral_fill`, and the blank image with them put back."""
    x = np.asarray(x, dtype=np.float64)
    dims = tuple(net.input_dim)
    if x.shape != dims or np.shape(m) != dims[1:]:
        raise ValueError(f"x must be one image {dims} and m its map {dims[1:]}; got {x.shape} and {np.shape(m)}.")
    fill = neutral_fill(net)
    rank = np.empty(dims[1] * dims[2], dtype=int)
    rank[pixel_order(np.asarray(m)[None], seed)[0]] = np.arange(rank.size)
    counts = np.rint(np.asarray(fractions, dtype=np.float64) * rank.size).astype(int)
    removed = (rank[None, :] < counts[:, None]).reshape((len(counts), 1) + dims[1:])
    return np.where(removed, fill, x), np.where(removed, x, fill)


class PairedImages(NamedTuple):
    """Two methods' scores on the same images (:func:`paired_images`)."""

    mean_difference: float   # mean of a - b
    se: float                # its standard error (ddof=1)
    a_lower: int             # images on which a is lower than b
    b_lower: int             # images on which b is lower than a
    images: int


def paired_images(a, b):
    """Compare two methods image by image: the mean of ``a - b`` with its standard error, and on
    how many images each is the lower one.  a, b : (N,) scores of the same N images."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"a and b must be scores of the same images, (N,) with N >= 2; got {a.shape} and {b.shape}.")
    d = a - b
    return PairedImages(float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d))), int(np.sum(d < 0)),
                        int(np.sum(d > 0)), len(d))


# ------------------------------------------------------------------ notebook 07's measurement
SETTINGS = {"net": "shapes_convnet", "data_seed": 0, "num_test": 300, "images": 200, "step": 8, "order_seed": 0,
            "random_map_seed": 0, "random_net_seed": 0, "occlusion": {"size": 8, "stride": 4}}
NET_ROWS = ("gradient", "guided", "deconvnet", "occlusion")
EDGE, RANDOM = "edge map (no net)", "random map (random order)"
RANDOM_NET_ROWS = tuple(f"{m}, random net" for m in ("gradient", "guided", "deconvnet"))
ROWS = NET_ROWS + (EDGE, RANDOM) + RANDOM_NET_ROWS


def sweep_maps(net, X, y, settings=SETTINGS, rows=ROWS):
    """``{row: (N, H, W) maps}`` for the ``rows`` of :data:`ROWS`, as notebook 07 makes them: the four
    methods on ``net``, the images' edge maps, uniform random maps (``random_map_seed``, drawn for
    all N images at once), and the three backward rules on the net with every weight re-drawn
    (``random_net_seed``), whose maps know nothing of the trained net."""
    from .gradients import attribution_maps, edge_map, randomized_copy

    unknown = [row for row in rows if row not in ROWS]
    if unknown:
        raise ValueError(f"unknown rows {unknown}; the rows are {list(ROWS)}.")
    maps = {}
    random_net = None
    for row in rows:
        if row in NET_ROWS:
            extra = dict(settings["occlusion"]) if row == "occlusion" else {}
            maps[row] = attribution_maps(net, X, y, row, **extra)
        elif row == EDGE:
            maps[row] = edge_map(X)
        elif row == RANDOM:
            shape = (len(X),) + tuple(net.input_dim[1:])
            maps[row] = np.random.default_rng(settings["random_map_seed"]).random(shape)
        else:
            if random_net is None:
                weighted = [name for name in net.names if net.param_keys[name]]
                random_net = randomized_copy(net, weighted[::-1], seed=settings["random_net_seed"])
            maps[row] = attribution_maps(random_net, X, y, row.split(",")[0])
    return maps


def images_digest(X, y):
    """sha256 of the images' and labels' bytes (float32 and int64): ties a results file to its images."""
    h = hashlib.sha256(np.ascontiguousarray(np.asarray(X, dtype=np.float32)).tobytes())
    h.update(np.ascontiguousarray(np.asarray(y, dtype=np.int64)).tobytes())
    return h.hexdigest()


def sweep(settings=SETTINGS):
    """Deletion and insertion of every row of :data:`ROWS` on notebook 07's test shapes.

    Loads ``settings["net"]`` from the zoo and the first ``images`` of ``load_shapes(num_test=...,
    seed=data_seed)``'s test split, makes the maps (:func:`sweep_maps`, each explaining the true
    class) and runs :func:`deletion_insertion` on each with one BLAS thread.  Returns a JSON-ready
    dict: the settings, the net's parameter digest, the images' digest, the fractions, per row the
    per-image AUCs and the mean and quartile curves, and the time and machine it took.
    """
    from threadpoolctl import threadpool_limits

    from . import data, pretrained
    from .gradients import params_digest

    wall, cpu, load_before = time.perf_counter(), time.process_time(), outputs.load_average()
    net = pretrained.load_pretrained(settings["net"])
    shapes = data.load_shapes(num_train=0, num_val=0, num_test=settings["num_test"], seed=settings["data_seed"])
    X, y = shapes["X_test"][:settings["images"]], shapes["y_test"][:settings["images"]]
    rows = {}
    with threadpool_limits(limits=1, user_api="blas"):
        maps = sweep_maps(net, X, y, settings)
        for row in ROWS:
            c = deletion_insertion(net, X, y, maps[row], step=settings["step"], seed=settings["order_seed"])
            rows[row] = {
                "deletion_auc": c.deletion_auc.tolist(), "insertion_auc": c.insertion_auc.tolist(),
                "deletion_mean": c.deletion.mean(axis=0).tolist(), "insertion_mean": c.insertion.mean(axis=0).tolist(),
                "deletion_quartiles": np.percentile(c.deletion, [25, 50, 75], axis=0).tolist(),
                "insertion_quartiles": np.percentile(c.insertion, [25, 50, 75], axis=0).tolist(),
            }
    return {"what": "deletion and insertion curves (Petsiuk et al. 2018) of notebook 07's maps, each pixel removed "
                    "to the net's input mean; one row per map, each explaining the true class",
            "settings": settings, "fill": float(neutral_fill(net).flat[0]), "params_sha256": params_digest(net),
            "images_sha256": images_digest(X, y), "fractions": c.fractions.tolist(), "rows": rows,
            "library_version": __version__, "machine": outputs.machine_info(), "load_average_before": load_before,
            "load_average_after": outputs.load_average(), "cpu_seconds": time.process_time() - cpu,
            "wall_seconds": time.perf_counter() - wall}


def summary(record, row):
    """``{"deletion": (mean, se, q25, median, q75), "insertion": (...)}`` of one row's per-image AUCs."""
    out = {}
    for kind in ("deletion", "insertion"):
        v = np.asarray(record["rows"][row][f"{kind}_auc"], dtype=np.float64)
        q25, q50, q75 = np.percentile(v, [25, 50, 75])
        out[kind] = (float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v))), float(q25), float(q50), float(q75))
    return out


def write_results(record, path=RESULTS, force=False):
    """Write ``record`` as JSON to ``path`` and its sha256 beside it (``.sha256``); returns the digest.

    A file that exists already (the shipped one) is replaced only with ``force=True``: without it a
    FileExistsError says so and nothing is written.
    """
    path = pathlib.Path(path)
    pin = path.with_suffix(".sha256")
    if not force and (path.exists() or pin.exists()):
        raise FileExistsError(f"{path if path.exists() else pin} exists; it is left as it is. Write elsewhere "
                              "(--out) and compare, or rerun with --force to replace it and its sha256.")
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    pin.write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def load_results(path=RESULTS):
    """The shipped measurement written by ``python -m cs231n_lib.faithfulness --sweep``, checked
    against its sha256 first."""
    return outputs.load_verified_json(path, "`python -m cs231n_lib.faithfulness --sweep --force` (a few CPU minutes)")


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cs231n_lib.faithfulness",
                                     description="Notebook 07's deletion and insertion curves over 200 test shapes.")
    parser.add_argument("--sweep", action="store_true", help="compute every row and write the results file")
    parser.add_argument("--images", type=int, default=SETTINGS["images"], help="how many test shapes (to try it)")
    parser.add_argument("--out", default=str(RESULTS), help="JSON file to write (its sha256 goes beside it)")
    parser.add_argument("--force", action="store_true", help="replace the file and its sha256 if they exist")
    args = parser.parse_args(argv)
    if not args.sweep:
        parser.print_help()
        return 0
    out = pathlib.Path(args.out)
    if not args.force and (out.exists() or out.with_suffix(".sha256").exists()):
        print(f"{out} exists and is left as it is: pass --out elsewhere, or --force to replace it.", file=sys.stderr)
        return 1
    record = sweep(dict(SETTINGS, images=args.images))
    write_results(record, out, force=args.force)
    for row in ROWS:
        s = summary(record, row)
        print(f"{row:<28} deletion AUC {s['deletion'][0]:.3f} ± {s['deletion'][1]:.3f}   "
              f"insertion AUC {s['insertion'][0]:.3f} ± {s['insertion'][1]:.3f}")
    print(f"wrote {out} ({record['cpu_seconds']:.0f} CPU s, {record['wall_seconds']:.0f} s wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
