"""Where a command writes: never over a file that exists, unless told ``--force``.

Every ``python -m cs231n_lib.X`` that writes results or weights (``transfer``, ``gradients``,
``normalization``, ``understanding``, ``pretrained --retrain``) sends what it writes through
:func:`output_path`: a file that exists already (a shipped one, with its sha256) is left as it
is and the new one goes to ``NAME.new.EXT`` beside it (``NAME.new2.EXT``, ... if that exists
too), unless the command was given ``--force``.  :func:`add_force_option` adds the option and
:func:`kept_note` is the line a command prints when it wrote elsewhere.

Imports nothing of ``cs231n_lib``.
"""
from __future__ import annotations

import pathlib

__all__ = ["output_path", "output_paths", "add_force_option", "kept_note"]


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
