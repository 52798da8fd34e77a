"""A student's assignment folder: which files to import, what they define, and the course's own code.

CS231n's assignment 2 keeps the student's code in ``cs231n/layers.py``, ``cs231n/optim.py`` and
``cs231n/classifiers/`` (``fc_net.py``, ``cnn.py``), next to files the course provides whole:
``fast_layers.py`` (the fast conv and pooling layers, whose conv backward pass needs the Cython
extension ``im2col_cython`` that the student builds), ``layer_utils.py``, ``im2col.py``,
``data_utils.py``, ``solver.py``, and files no check reads (``classifiers/rnn_pytorch.py`` imports
torch).  The checker imports ``layers.py``, ``fast_layers.py``, ``optim.py`` and the classifier
files that define a class or function it checks (read with ``ast``, without running them), and
nothing else: no notebook runs, nothing is downloaded, torch is not imported.

:func:`survey` imports each of those files in a child process of its own (a file that loops for
ever or ends the process when imported is reported, not obeyed) and notes what each defines;
:meth:`Survey.load` imports the ones a check needs inside that check's child process.
:func:`load_assignment` imports them into the calling process instead (their module-level code
then runs there).
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import os
import pathlib
import sys
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from ..exercises._base import _where
from . import sandbox
from ._base import CHECKS, CYTHON_FIX, _noticed, checked_names

__all__ = ["Assignment", "Survey", "load_assignment", "survey", "stand_in_cython", "restoring"]

COURSE_FILES = ("fast_layers.py",)
"""Files the course provides whole whose functions are checked (as the course's, not the student's)."""

_KNOWN = ("layers", "fast_layers", "optim")


class Assignment(NamedTuple):
    """What :func:`load_assignment` found: the functions to check (by name), the files it
    imported (relative to ``root``), and what could not be imported (one line each)."""

    root: pathlib.Path
    functions: Dict[str, Callable]
    imported: List[str]
    problems: List[str]


class _File(NamedTuple):
    """One file to import: its path relative to the assignment folder, its module name ('' for a
    single .py file), and its path on disk."""

    rel: str
    module: str
    path: str


class Survey(NamedTuple):
    """What :func:`survey` found in a folder or .py file.

    root, package : the folder put on sys.path and the package name ('' for a single file)
    functions : checked name -> the _File that defines it
    imported : the files imported, in order, each with the checked names it defines
    skipped : files not imported, each with the reason
    problems : files that could not be imported, or changed numpy while imported, one line each
    codes : the files compiled once here, for the child processes (see :func:`_compiled`)
    """

    root: str
    package: str
    functions: Dict[str, _File]
    imported: List[Tuple[str, List[str]]]
    skipped: List[str]
    problems: List[str]
    codes: Dict[str, object] = {}

    def header(self, shown_path) -> List[str]:
        """The report's first lines: which files were imported (with what) and which were not."""
        def described(rel, names):
            course = rel.rsplit("/", 1)[-1] in COURSE_FILES
            if not names:
                what = "no function the checker knows"
            elif len(names) == 1 and names[0][0].isupper():
                what = names[0]
            else:
                what = f"{len(names)} function{'s' * (len(names) > 1)}"
            return (f"the course's {rel} ({what}, checked in the settings the assignment uses)" if course
                    else f"{rel} ({what})")
        mine = [described(rel, names) for rel, names in self.imported if rel.rsplit("/", 1)[-1] not in COURSE_FILES]
        course = [described(rel, names) for rel, names in self.imported if rel.rsplit("/", 1)[-1] in COURSE_FILES]
        listed = mine + ([("and " if mine else "") + ", ".join(course)] if course else [])
        lines = [f"{shown_path}: checked " + (", ".join(listed) if listed else "nothing")]
        if self.skipped:
            lines.append("not imported: " + "; ".join(self.skipped))
        return lines

    def not_found(self) -> List[str]:
        """The checked functions none of the files defines (in the registry's order)."""
        return [name for name in CHECKS if name not in self.functions]

    def load(self, names) -> Dict[str, Callable]:
        """In a check's child process: import the files that define ``names`` (under the time limit,
        numpy put back afterwards) and return the functions found."""
        wanted = {}
        for name in names:
            if name in self.functions:
                wanted.setdefault(self.functions[name], []).append(name)
        if self.package:
            _fresh_package(self.root, self.package)
        _use_compiled(self.codes)
        found = {}
        for file, file_names in wanted.items():
            with sandbox.student_code(f"the import of your {file.rel}"):
                module = _import(file, self.package)
            found.update({n: getattr(module, n) for n in file_names if hasattr(module, n)})
        sandbox.SIDE_EFFECTS.clear()   # reported once, by the survey, as a problem of the file
        return found


# ------------------------------------------------------------------ finding the files
def _resolve(path) -> Tuple[pathlib.Path, Optional[pathlib.Path]]:
    """(the path, the package folder) for a folder; (the path, None) for a .py file."""
    path = pathlib.Path(path).expanduser()
    if not path.exists():
        raise ValueError(f"{path} does not exist: give your assignment folder (the one that holds cs231n/), "
                         "its cs231n folder, or a .py file with your layers.")
    if path.is_file():
        if path.suffix != ".py":
            raise ValueError(f"{path} is not a .py file: give your assignment folder or a .py file.")
        return path, None
    pkg = path / "cs231n" if (path / "cs231n").is_dir() else path
    return path, pkg


def _defined(path: pathlib.Path) -> Optional[set]:
    """The names a Python file defines at its top level (def, class, assignment), read without
    running it; None when it does not parse (its import will say why)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, ValueError):
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _files(pkg: pathlib.Path) -> Tuple[List[_File], List[str]]:
    """The files to import (the known ones, and the classifiers that define a checked name) and
    the files left out, with the reason."""
    package = pkg.name
    files = [_File(f"{package}/{m}.py", f"{package}.{m}", str(pkg / f"{m}.py")) for m in _KNOWN
             if (pkg / f"{m}.py").is_file()]
    skipped = []
    names = checked_names()
    if (pkg / "classifiers").is_dir():
        for path in sorted((pkg / "classifiers").glob("*.py")):
            if path.stem == "__init__":
                continue
            rel = f"{package}/classifiers/{path.name}"
            defined = _defined(path)
            if defined is not None and not defined & names:
                skipped.append(f"{rel} (it defines none of the functions checked)")
                continue
            files.append(_File(rel, f"{package}.classifiers.{path.stem}", str(path)))
    return files, skipped


@contextlib.contextmanager
def restoring(package: str):
    """Put sys.path and the modules of ``package`` back as they were afterwards (for imports into this
    process, where there are no child processes)."""
    saved_path = list(sys.path)
    mine = lambda key: bool(package) and (key == package or key.startswith(package + "."))  # noqa: E731
    saved = {k: v for k, v in sys.modules.items() if mine(k)}
    try:
        yield
    finally:
        sys.path[:] = saved_path
        for key in [k for k in sys.modules if mine(k)]:
            del sys.modules[key]
        sys.modules.update(saved)


def _fresh_package(root, package):
    """Make ``import <package>`` find the student's folder: drop any module of that name (a notebook
    may have imported its own) and put ``root`` first on sys.path."""
    for key in [k for k in sys.modules if k == package or k.startswith(package + ".")]:
        del sys.modules[key]
    if str(root) not in sys.path[:1]:
        sys.path.insert(0, str(root))
    importlib.invalidate_caches()


def _import(file: _File, package: str):
    if package:
        return importlib.import_module(file.module)
    spec = importlib.util.spec_from_file_location(f"_student_{pathlib.Path(file.path).stem}", file.path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _names_in(module, package) -> List[str]:
    """The checked names ``module`` defines itself (not those it imports from another file)."""
    names = checked_names()
    found = [k for k, v in vars(module).items() if k in names and callable(v)
             and (not package or getattr(v, "__module__", None) == module.__name__)]
    order = list(CHECKS) + sorted(names - set(CHECKS))
    return sorted(found, key=order.index)


def _import_problem(rel, err):
    where = "" if isinstance(err, SyntaxError) else _where(err)   # a SyntaxError names its line itself
    text = f"could not import {rel}: {type(err).__name__}: {err}{where}"
    if isinstance(err, ImportError) and "relative import" in str(err):
        text += ("; this file imports from its package (from .layers import ...): give the folder that holds "
                 "cs231n/ instead of the file")
    elif isinstance(err, (ImportError, ModuleNotFoundError)) and "cs231n" in str(err):
        text += "; give the assignment folder, the one that holds cs231n/, so that its imports work"
    return text + "; the other files are checked"


def _compiled(pkg: Optional[pathlib.Path], files: List[_File]) -> Dict[str, object]:
    """The files a check may import, compiled once here (compiling runs none of their code), so that
    the child process of every check need not compile them again: path -> code object."""
    paths = [pathlib.Path(f.path) for f in files] + (sorted(pkg.glob("*.py")) if pkg is not None else [])
    codes = {}
    for path in paths:
        key = os.path.realpath(path)
        if key in codes:
            continue
        try:
            codes[key] = compile(path.read_bytes(), str(path.resolve()), "exec", dont_inherit=True)
        except (SyntaxError, ValueError, OSError):
            pass   # its import will say what is wrong
    return codes


def _use_compiled(codes) -> None:
    """In a child process: let the import system take the code objects of :func:`_compiled`."""
    if not codes:
        return
    from importlib.machinery import SourceFileLoader

    original = SourceFileLoader.get_code

    def get_code(self, fullname):
        code = codes.get(os.path.realpath(self.path))
        return code if code is not None else original(self, fullname)
    SourceFileLoader.get_code = get_code


def _import_one(file: _File, root: str, package: str, codes=None):
    """In a child: import one file; ``(names it defines, problem lines)``."""
    _use_compiled(codes)
    if package:
        _fresh_package(root, package)
    sandbox.SIDE_EFFECTS.clear()
    try:
        with sandbox.student_code(f"the import of your {file.rel}"):
            module = _import(file, package)
    except sandbox.TimeLimit:
        raise
    except (Exception, SystemExit) as err:
        return [], [_import_problem(file.rel, err)]
    problems = [f"{file.rel}, when imported, {what} for every later computation in the process: {advice} (the "
                "checker put it back)" for what, advice in dict.fromkeys(e[:2] for e in sandbox.SIDE_EFFECTS)]
    return _names_in(module, package), problems


def survey(path, time_limit: float = sandbox.TIME_LIMIT) -> Survey:
    """Find the files of an assignment folder (or one .py file) and import each in a child process
    of its own (in this process where there are no child processes): what each defines, and what
    could not be imported.  A path that does not exist, or a folder without any of the files,
    raises ValueError."""
    path, pkg = _resolve(path)
    if pkg is None:
        root, package, skipped = str(path.parent), "", []
        files = [_File(path.name, "", str(path))]
    else:
        files, skipped = _files(pkg)
        if not files:
            raise ValueError(f"found no layers.py, fast_layers.py, optim.py or classifiers/ in {path} nor in "
                             f"{path / 'cs231n'}: give your assignment folder (the one that holds cs231n/) or a "
                             ".py file.")
        root, package = str(pkg.parent.resolve()), pkg.name
    codes = _compiled(pkg, files) if sandbox.can_isolate() else {}
    functions, imported, problems = {}, [], []
    for file in files:
        if sandbox.can_isolate():
            outcome = sandbox.isolated(lambda: _import_one(file, root, package, codes), time_limit)
        else:
            outcome = ("result", _import_in_process(file, root, package))
        if outcome[0] == "stopped":
            problems.append(f"{file.rel}: {outcome[1].sentence()}; the other files are checked")
            continue
        if outcome[0] == "error":
            problems.append(f"could not import {file.rel}: {outcome[1]}; the other files are checked")
            continue
        names, found_problems = outcome[1]
        # a file imports its siblings: what layers.py does when imported, fc_net.py does too; say it once
        problems += [p for p in found_problems if p.split(", when imported, ", 1)[-1] not in
                     {q.split(", when imported, ", 1)[-1] for q in problems}]
        if found_problems and any(p.startswith("could not import") for p in found_problems):
            continue
        imported.append((file.rel, names))
        for name in names:
            functions.setdefault(name, file)
    return Survey(root, package, functions, imported, skipped, problems, codes)


def _import_in_process(file, root, package):
    """:func:`_import_one` in this process (no child processes here), with sys.path and sys.modules
    put back afterwards."""
    with restoring(package):
        return _import_one(file, root, package)


def load_assignment(path) -> Assignment:
    """Import a student's ``layers.py``, ``fast_layers.py``, ``optim.py`` and the ``classifiers/*.py``
    that define a checked class, into this process (:func:`~cs231n_lib.check.run` does it in child
    processes instead, where the files' module-level code cannot reach the caller).

    ``path`` is the assignment folder (the one that holds ``cs231n/``), the ``cs231n`` folder itself,
    or one ``.py`` file.  The files are imported as the package they belong to, so their own imports
    (``from .layers import *``) work.  Afterwards ``sys.path`` and ``sys.modules`` are as they were.
    A file that raises while importing is reported in ``problems``; the others are still loaded.  A
    path that does not exist, or a folder without any of those files, raises ValueError."""
    path, pkg = _resolve(path)
    if pkg is None:
        root, package, files = path.parent, "", [_File(path.name, "", str(path))]
    else:
        files, _ = _files(pkg)
        if not files:
            raise ValueError(f"found no layers.py, fast_layers.py, optim.py or classifiers/ in {path} nor in "
                             f"{path / 'cs231n'}: give your assignment folder (the one that holds cs231n/) or a "
                             ".py file.")
        root, package = pkg.parent.resolve(), pkg.name
    functions, imported, problems = {}, [], []
    with restoring(package):
        if package:
            _fresh_package(root, package)
        for file in files:
            try:
                with sandbox.student_code(f"the import of your {file.rel}"):
                    module = _import(file, package)
            except (Exception, SystemExit) as err:
                problems.append(_import_problem(file.rel, err))
                continue
            imported.append(file.rel)
            for name in _names_in(module, package):
                functions.setdefault(name, getattr(module, name))
        sandbox.SIDE_EFFECTS.clear()
    return Assignment(pathlib.Path(root), functions, imported, problems)


# ------------------------------------------------------------------ the course's missing Cython
def _col2im_6d(cols, N, C, H, W, HH, WW, pad, stride):
    """A numpy stand-in for the course's ``col2im_6d_cython``: ``cols`` of shape
    (C, HH, WW, N, H_out, W_out), one column of values per window position, summed back into the
    (N, C, H, W) input (each filter tap (a, b) of window (i, j) adds to pixel
    (i*stride + a, j*stride + b) of the padded input), the padding dropped."""
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    x_pad = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=cols.dtype)
    for a in range(HH):
        for b in range(WW):
            x_pad[:, :, a:a + stride * H_out:stride, b:b + stride * W_out:stride] += cols[:, a, b].transpose(1, 0, 2, 3)
    return x_pad[:, :, pad:pad + H, pad:pad + W]


def stand_in_cython() -> List[str]:
    """In a check's child process: give every student ``fast_layers`` module that misses the Cython
    extension's ``col2im_6d_cython`` (its ``conv_backward_fast`` needs it) the numpy stand-in, so that
    a net built on the course's fast layers can be checked; the first call adds a remark to the
    check.  Returns the modules patched."""
    patched = []
    for name, module in list(sys.modules.items()):
        if name.rsplit(".", 1)[-1] != "fast_layers" or name.startswith("cs231n_lib") or module is None:
            continue
        if hasattr(module, "conv_backward_strides") and not hasattr(module, "col2im_6d_cython"):
            module.col2im_6d_cython = _remarked(_col2im_6d, name)
            patched.append(name)
    return patched


def _remarked(func, module_name):
    def col2im_6d_cython(*args):
        if not _noticed().stand_ins:
            _noticed().stand_ins.append(
                f"the course's Cython extension is not built, so its conv_backward_fast cannot run; to check "
                f"this, the checker gave {module_name} a numpy stand-in for col2im_6d_cython: build the extension "
                f"before you train ({CYTHON_FIX})")
        return func(*args)
    return col2im_6d_cython
