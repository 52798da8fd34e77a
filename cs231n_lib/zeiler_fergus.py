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

import json
import os
import pathlib
import platform
import sys
import tempfile
import zipfile
from typing import NamedTuple

import numpy as np

from . import __version__

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
    # files
    "CHECKPOINTS_FILE", "FIRST_LAYER_JSON", "FIRST_LAYER_NPZ", "EVOLUTION_NET", "FIRST_LAYER_NETS",
    "FIRST_LAYER_SEEDS", "Checkpoints", "load_checkpoints", "write_checkpoints", "run_first_layer",
    "write_first_layer", "load_first_layer",
]


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
    from .nets import sha256_of

    path = pathlib.Path(path)
    pin = path.with_suffix(".sha256")
    if not path.exists() or not pin.exists():
        raise FileNotFoundError(f"{path if not path.exists() else pin} is not there: restore it with "
                                f"`git checkout -- data/zeiler_fergus/` or rebuild it with `{rebuild}`.")
    expected, actual = pin.read_text(encoding="utf-8").split()[0], sha256_of(path)
    if actual != expected:
        raise ValueError(f"{path.name} does not match its checksum (sha256 {actual}, {pin.name} pins {expected}): "
                         f"it was changed or damaged. Restore it with `git checkout -- data/zeiler_fergus/` or "
                         f"rebuild it with `{rebuild}`.")
    return path


def _read_npz(path, rebuild):
    with np.load(_verified(path, rebuild), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files if key != "meta"}
        meta = json.loads(str(archive["meta"]))
    return arrays, meta


def _refuse_overwrite(paths, force):
    existing = [str(p) for p in paths if pathlib.Path(p).exists()]
    if existing and not force:
        raise FileExistsError(f"{', '.join(existing)} already exist(s): this command does not overwrite shipped "
                              "results. Pass --force to replace them, or --out DIR to write elsewhere.")


def _machine():
    """What the runs ran on: CPU, cores, Python, numpy and its BLAS."""
    info = {"machine": platform.machine(), "system": platform.system(), "cpu_count": os.cpu_count(),
            "python": platform.python_version(), "numpy": np.__version__}
    try:
        from threadpoolctl import threadpool_info

        blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if blas:
            info["blas"] = {k: blas[0].get(k) for k in ("internal_api", "version", "architecture")}
    except Exception:  # the record is still useful without it
        pass
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), None)
        if model:
            info["cpu_model"] = model
    except OSError:
        pass
    return info


def _load_average():
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


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
    from .data import make_shapes
    from .understanding import softmax

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
    import hashlib

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
    load_before = _load_average()
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
                           "load_average_after": _load_average()}
                    _write_npz(done, {"W": W, "b": b, **{f"params/{k}": v for k, v in net.params.items()}}, run)
                runs.append(run)
                arrays[f"{name}/seed{seed}/W"], arrays[f"{name}/seed{seed}/b"] = W, b
                if report is not None:
                    report(f"{name} seed {seed}: test accuracy {run['test_accuracy']:.3f}, "
                           f"{run['wall_seconds']:.0f} s")
    record = {"what": "an AlexNet-like first stage (8x8 filters, stride 4) against a ZF-like one (6x6 filters, "
                      "stride 2, then a 2x2 max pool), the same recipe, one run per seed and net",
              "nets": list(FIRST_LAYER_NETS), "recipe": recipe, "seeds": seeds, "library_version": __version__,
              "machine": _machine(), "load_average_before": load_before, "load_average_after": _load_average(),
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

    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.zeiler_fergus",
        description="Notebook 10's runs that take too long for a notebook (one BLAS thread, deterministic on one "
                    "machine). They refuse to overwrite shipped files unless --force is given.")
    parser.add_argument("--checkpoints", action="store_true",
                        help=f"train the zoo recipe {EVOLUTION_NET} and write its checkpoints")
    parser.add_argument("--first-layer", action="store_true",
                        help="train the AlexNet-like and the ZF-like net over --seeds")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(FIRST_LAYER_SEEDS))
    parser.add_argument("--quick", action="store_true", help="the recipes' tiny QUICK settings (to try the pipeline)")
    parser.add_argument("--out", default=str(ZF_DIR), help="folder to write to (default: the repository's "
                                                           "data/zeiler_fergus/)")
    parser.add_argument("--force", action="store_true", help="replace files that exist")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if not (args.checkpoints or args.first_layer):
        parser.error("say what to run: --checkpoints and/or --first-layer")
    out = pathlib.Path(args.out)
    if args.checkpoints:
        from threadpoolctl import threadpool_limits

        from .pretrained import recipe

        path = out / CHECKPOINTS_FILE.name
        try:
            _refuse_overwrite([path], args.force)
        except FileExistsError as err:
            parser.error(str(err))
        module = recipe(EVOLUTION_NET)
        settings = dict(module.RECIPE, **(module.QUICK if args.quick else {}))
        start = time.perf_counter()
        saved = {}
        with threadpool_limits(limits=1, user_api="blas"):
            _, info = module.train(settings, progress=not args.quiet, keep=saved)
        digest = write_checkpoints(saved, info, settings, path)
        print(f"{EVOLUTION_NET}: {len(saved)} checkpoints in {time.perf_counter() - start:.0f} s (load average "
              f"{_load_average()}); wrote {path} (sha256 {digest})")
    if args.first_layer:
        from .pretrained import recipe

        json_path, npz_path = out / FIRST_LAYER_JSON.name, out / FIRST_LAYER_NPZ.name
        try:
            _refuse_overwrite([json_path, npz_path], args.force)
        except FileExistsError as err:
            parser.error(str(err))
        start = time.perf_counter()
        record, arrays = run_first_layer(args.seeds, recipe(FIRST_LAYER_NETS[0]).QUICK if args.quick else None,
                                         progress=not args.quiet, report=print)
        digests = write_first_layer(record, arrays, json_path, npz_path)
        print(f"first layer: {len(record['runs'])} runs in {time.perf_counter() - start:.0f} s; wrote {json_path} "
              f"(sha256 {digests[0]}) and {npz_path} (sha256 {digests[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
