"""The model zoo: trained nets shipped with the repository, each rebuilt by its recipe.

::

    from cs231n_lib import pretrained
    pretrained.available()                        # one line per net
    net = pretrained.load_pretrained("mnist_convnet")

    python -m cs231n_lib.pretrained               # the same list, in a terminal
    python -m cs231n_lib.pretrained --retrain mnist_convnet    # to mnist_convnet.new.npz; --force replaces it

Every net lives in ``data/zoo/<name>.npz`` next to ``<name>.sha256``;
``load_pretrained`` checks the checksum before it reads anything, and the
file holds plain arrays and JSON text (read with ``allow_pickle=False``), so
loading it runs no code.  The file also records how the net was made: the
data set, the architecture, the recipe's settings, the test accuracy, the
library version and the training record (``net.meta["training"]``, see
:func:`cs231n_lib.recipes.training_record`): the recipe runs ``num_epochs``
epochs but keeps the weights of the best validation epoch, so the file says
which epoch that was and after how many minibatch updates (``kept_epoch``,
``kept_updates``).  "Trained for N updates" reads ``kept_updates``.

A net's recipe is a module ``cs231n_lib/recipes/<name>.py`` (see
:mod:`cs231n_lib.recipes` for what it defines).  ``--retrain NAME`` trains
it from scratch with one BLAS thread, so the sums run in a fixed order and
the same machine writes the same bytes every time.  Another CPU (whose BLAS
picks other matrix-multiply kernels, e.g. AVX2 or AVX-512) gives a net of the
same quality with other bytes and its own checksum: float32 training
magnifies last-bit differences.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import pkgutil
import sys
import time
from typing import NamedTuple

import numpy as np

from . import __version__
# save_net, load_net and sha256_of live in nets (they save any net); re-exported here.
from .nets import load_net, save_net, sha256_of
from .outputs import add_force_option, kept_note, output_path

__all__ = ["ZOO_DIR", "ZooEntry", "available", "load_pretrained", "recipe", "retrain", "sha256_of",
           "training_record", "rewrite_meta", "architecture_text", "load_net", "save_net"]

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
ZOO_DIR = DATA_DIR / "zoo"
DEFAULT = "shapes_convnet"


def _recipe_names():
    from . import recipes

    return sorted(m.name for m in pkgutil.iter_modules(recipes.__path__) if not m.name.startswith("_"))


def recipe(name):
    """The recipe module of the zoo entry ``name`` (ValueError listing the zoo if there is none)."""
    names = _recipe_names()
    if name not in names:
        raise ValueError(
            f"the model zoo has no net named {name!r}; it has {', '.join(names)} "
            "(pretrained.available() describes each)."
        )
    return importlib.import_module(f"{__package__}.recipes.{name}")


def architecture_text(net):
    """A net's layers in the notes' notation, e.g. ``CONV5-16 RELU POOL2 ... FC-10``."""
    words = []
    for name, d in zip(net.names, net.layer_dims()):
        if d.kind == "pointwise":   # batch norm, dropout, LRN: the layer's own label (BATCHNORM, LRN5, ...)
            words.append(net.layers[name].dims.name)
        elif d.kind == "conv":
            words.append(f"CONV{d.F}-{d.K}" + (f"/S{d.S}" if d.S != 1 else ""))
        elif d.kind == "pool":
            words.append(f"POOL{d.F}" + (f"/S{d.S}" if d.S != d.F else ""))
        elif d.kind == "fc":
            words.append(f"FC-{d.K}")
        else:
            words.append(d.kind.upper())
    return " ".join(words)


class ZooEntry(NamedTuple):
    """One shipped net, as :func:`available` lists it.

    ``kept_epoch`` and ``kept_updates``: the epoch (of ``num_epochs``) and the number of minibatch
    updates (of ``updates``) behind the weights the file keeps, those of the best validation
    accuracy; None for a file without a training record.
    """

    name: str
    dataset: str
    architecture: str
    test_accuracy: float
    sha256: str
    description: str
    kept_epoch: int | None = None
    num_epochs: int | None = None
    kept_updates: int | None = None
    updates: int | None = None

    def __str__(self):
        kept = ("" if self.kept_updates is None else
                f"kept epoch {self.kept_epoch} of {self.num_epochs} ({self.kept_updates:,} of {self.updates:,} "
                "updates); ")
        return (f"{self.name}: {self.dataset}; {self.architecture}; "
                f"test accuracy {100 * self.test_accuracy:.1f}%; {kept}sha256 {self.sha256[:16]}...")


class _Listing(list):
    """A list of ZooEntry that a notebook shows one line per net."""

    def __repr__(self):
        return "\n".join(str(entry) for entry in self) or "(no net is shipped)"


def _read_meta(path):
    with np.load(path, allow_pickle=False) as archive:
        return json.loads(str(archive["meta"]))


def available():
    """The shipped nets: a list of :class:`ZooEntry` (name, data set, architecture, test
    accuracy, sha256, description), shown one line per net.  A recipe whose file is not
    shipped is left out."""
    entries = _Listing()
    for name in _recipe_names():
        path = ZOO_DIR / f"{name}.npz"
        pin = path.with_suffix(".sha256")
        if not path.exists() or not pin.exists():
            continue
        extra = _read_meta(path).get("extra", {})
        record = extra.get("training") or {}
        entries.append(ZooEntry(name, extra.get("dataset", "?"), extra.get("architecture", "?"),
                                float(extra.get("test_accuracy", float("nan"))),
                                pin.read_text(encoding="utf-8").split()[0], extra.get("description", ""),
                                record.get("kept_epoch"), record.get("num_epochs"), record.get("kept_updates"),
                                record.get("updates")))
    return entries


def training_record(net):
    """The training record of a zoo net (a net from :func:`load_pretrained`, or its name).

    A dict (see :func:`cs231n_lib.recipes.training_record`): ``kept_epoch`` and ``kept_updates``
    say after how many epochs and minibatch updates the kept weights were saved, ``num_epochs``
    and ``updates`` what the recipe ran, ``val_accuracy`` the validation accuracy at each check
    (``checks_after_updates``).  Raises ValueError for a file written without one.
    """
    if isinstance(net, str):
        recipe(net)
        meta = _read_meta(ZOO_DIR / f"{net}.npz").get("extra", {})
        name = net
    else:
        meta = getattr(net, "meta", None) or {}
        name = meta.get("name", type(net).__name__)
    if "training" not in meta:
        raise ValueError(f"{name} has no training record (kept epoch and updates) in its metadata: it was not "
                         f"saved by a recipe of this version; `python -m cs231n_lib.pretrained --retrain {name}` "
                         "writes one.")
    return dict(meta["training"])


def load_pretrained(name=DEFAULT, verify=True):
    """The zoo's net ``name``, checked against its sha256 first.

    Unknown names raise ValueError listing the zoo; a recipe whose file is
    missing raises FileNotFoundError with the command that rebuilds it.
    ``net.meta`` holds what the file records (data set, recipe, test accuracy, ...).
    """
    recipe(name)  # unknown name: lists the zoo
    path = ZOO_DIR / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is not there: restore it with `git checkout -- data/zoo/` or rebuild it with "
            f"`python -m cs231n_lib.pretrained --retrain {name}`."
        )
    try:
        return load_net(path, verify=verify)
    except ValueError as err:
        raise ValueError(f"{err} To rebuild it: `python -m cs231n_lib.pretrained --retrain {name}`.") from None


def _arrays_bytes(path):
    """{member: raw bytes} of every array of a saved net but its metadata (the weights and state)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist() if info.filename != "meta.npy"}


def rewrite_meta(name, extra, out=ZOO_DIR):
    """Replace the metadata (``net.meta``) of the zoo's file ``<out>/<name>.npz`` and keep its weights.

    The file is rewritten with the same arrays, byte for byte (checked before the file is
    replaced: a ValueError otherwise), and its ``.sha256`` is rewritten, since the metadata is
    part of the file.  Used to add what a file did not record when it was saved (its training
    record).  Returns the new sha256.
    """
    import os
    import tempfile

    recipe(name)
    path = pathlib.Path(out) / f"{name}.npz"
    net = load_net(path)
    before = _arrays_bytes(path)
    fd, tmp = tempfile.mkstemp(suffix=".npz", dir=path.parent)
    os.close(fd)
    tmp = pathlib.Path(tmp)
    try:
        save_net(net, tmp, extra=extra)
        if _arrays_bytes(tmp) != before:
            raise ValueError(f"rewriting {path.name}'s metadata would change its arrays; left it as it was.")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_suffix(".sha256").unlink(missing_ok=True)
    digest = sha256_of(path)
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def retrain(name, out=ZOO_DIR, overrides=None, progress=True, force=False):
    """Train the zoo's net ``name`` from scratch by its recipe and write ``<out>/<name>.npz`` and ``.sha256``.

    ``overrides`` replaces some of the recipe's settings (the tests use the
    recipe's ``QUICK`` settings).  Runs with one BLAS thread (deterministic on
    one machine).  A file that exists (a shipped net) is replaced only with
    ``force``: otherwise the net goes to ``<name>.new.npz`` beside it
    (:func:`cs231n_lib.outputs.output_path`).  Returns ``(path, sha256, meta)``.
    """
    from threadpoolctl import threadpool_limits

    module = recipe(name)
    settings = dict(module.RECIPE, **(overrides or {}))
    unknown = sorted(set(overrides or {}) - set(module.RECIPE))
    if unknown:
        raise ValueError(f"{name}'s recipe has no setting(s) {unknown}; its settings are {sorted(module.RECIPE)}.")
    with threadpool_limits(limits=1, user_api="blas"):
        net, info = module.train(settings, progress=progress)
    meta = {"name": name, "description": module.DESCRIPTION, "dataset": module.DATASET,
            "architecture": architecture_text(net), "recipe": settings,
            "library_version": __version__, **info}
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = output_path(out / f"{name}.npz", force)
    digest = save_net(net, path, extra=meta)
    return path, digest, meta


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.pretrained",
        description="List the model zoo, or rebuild nets from their recipes (data/zoo/NAME.npz and .sha256).",
    )
    parser.add_argument("--retrain", nargs="+", metavar="NAME",
                        help="train these nets from scratch ('all' for every recipe) and write their files")
    parser.add_argument("--out", default=str(ZOO_DIR), help="folder to write to (default: the repository's data/zoo/)")
    parser.add_argument("--quick", action="store_true",
                        help="use each recipe's tiny QUICK settings (to try the pipeline, not to ship)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_force_option(parser, "a net's file")
    args = parser.parse_args(argv)
    if not args.retrain:
        print(repr(available()))
        print("recipes:", ", ".join(_recipe_names()))
        return 0
    names = _recipe_names() if args.retrain == ["all"] else args.retrain
    for name in names:
        module = recipe(name)
        start = time.perf_counter()
        path, digest, meta = retrain(name, args.out, overrides=module.QUICK if args.quick else None,
                                     progress=not args.quiet, force=args.force)
        record = meta.get("training", {})
        kept = (f"; kept epoch {record['kept_epoch']} of {record['num_epochs']} ({record['kept_updates']:,} of "
                f"{record['updates']:,} updates)") if record else ""
        print(f"{name}: test accuracy {meta['test_accuracy']:.4f}{kept}; {time.perf_counter() - start:.0f} s")
        print(f"wrote {path} (sha256 {digest})")
        if path.name != f"{name}.npz":
            print(kept_note(pathlib.Path(args.out) / f"{name}.npz", path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
