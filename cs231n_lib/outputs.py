"""Where a command writes: never over a file that exists, unless told ``--force``.

Every ``python -m cs231n_lib.X`` that writes results or weights (``transfer``, ``gradients``,
``normalization``, ``understanding``, ``pretrained --retrain``) sends what it writes through
:func:`output_path`: a file that exists already (a shipped one, with its sha256) is left as it
is and the new one goes to ``NAME.new.EXT`` beside it (``NAME.new2.EXT``, ... if that exists
too), unless the command was given ``--force``.  :func:`add_force_option` adds the option and
:func:`kept_note` is the line a command prints when it wrote elsewhere.  :func:`verified` and
:func:`load_verified_json` read a shipped result back after its sha256 check; :func:`machine_info`
and :func:`load_average` are what a result records about the run that wrote it.

Imports nothing of ``cs231n_lib``.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import platform

__all__ = ["output_path", "output_paths", "add_force_option", "kept_note", "verified", "load_verified_json",
           "machine_info", "load_average"]


def verified(path, rebuild, restore="data/"):
    """``path`` (a pathlib.Path) once its sha256 matches the one pinned in ``NAME.sha256`` beside it.

    A missing file or pin raises FileNotFoundError, a mismatch ValueError; both say how to
    restore the file (``git checkout -- {restore}``) or rebuild it (``rebuild``, the command)."""
    path = pathlib.Path(path)
    pin = path.with_suffix(".sha256")
    if not path.exists() or not pin.exists():
        raise FileNotFoundError(f"{path if not path.exists() else pin} is not there: restore it with "
                                f"`git checkout -- {restore}` or rebuild it with {rebuild}.")
    expected = pin.read_text(encoding="utf-8").split()[0]
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise ValueError(f"{path.name} does not match its checksum (sha256 {actual}, {pin.name} pins {expected}): "
                         f"it was changed or damaged. Restore it with `git checkout -- {restore}` or rebuild it "
                         f"with {rebuild}.")
    return path


def load_verified_json(path, rebuild, restore="data/"):
    """The JSON at ``path`` after :func:`verified`."""
    return json.loads(verified(path, rebuild, restore).read_text(encoding="utf-8"))


def machine_info():
    """What a run ran on: machine, processor, system, cores, Python, numpy and its BLAS, CPU model."""
    import numpy as np

    info = {"machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "system": platform.system(), "cpu_count": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__}
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


def load_average():
    """The 1, 5 and 15 minute load averages, rounded to 0.01, or None where the system has none."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def output_path(path, force=False):
    """Where a command writes ``path``: ``path`` itself if it does not exist yet or ``force`` is
    set, else the first free ``NAME.new.EXT``, ``NAME.new2.EXT``, ... next to it, so that a
    shipped result file and its sha256 are never replaced by accident."""
    path = pathlib.Path(path)
    if force or not path.exists():
        return path
    stem, k = path.name[: -len(path.suffix)] if path.suffix else path.name, 1
    while True:
        candidate = path.with_name(f"{stem}.new{k if k > 1 else ''}{path.suffix}")
        if not candidate.exists():
            return candidate
        k += 1


def output_paths(paths, force=False):
    """:func:`output_path` for files written together (results and their arrays): the paths
    themselves if none exists or ``force``, else each with the same first ``.newK`` that is free
    for all of them."""
    paths = [pathlib.Path(p) for p in paths]
    if force or not any(p.exists() for p in paths):
        return paths
    k = 1
    while True:
        tag = f".new{k if k > 1 else ''}"
        out = [p.with_name(f"{p.name[: -len(p.suffix)] if p.suffix else p.name}{tag}{p.suffix}") for p in paths]
        if not any(p.exists() for p in out):
            return out
        k += 1


def add_force_option(parser, what="a results file"):
    """Add ``--force`` to an argparse ``parser``: replace ``what`` that exists (and its sha256)."""
    parser.add_argument("--force", action="store_true",
                        help=f"replace {what} that exists (e.g. a shipped one) and its sha256; without it the "
                             "new file goes to NAME.new.EXT next to it")


def kept_note(target, path):
    """The line a command prints when ``target`` existed and it wrote ``path`` instead ('' if not)."""
    target, path = pathlib.Path(target), pathlib.Path(path)
    if target == path:
        return ""
    return (f"    {target.name} exists and was left as it is; compare the two, then rerun with --force "
            f"(or move {path.name} onto it, with its .sha256) to replace it")
