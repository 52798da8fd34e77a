"""Which checks run, each in its own child process, into one :class:`Report`.

:func:`run` gathers the student's functions (given by name, or from a module, a dict, a .py file
or an assignment folder), and runs the check of every function it has, each in a child process
(:func:`sandbox.isolated`) with a time limit: a check that the student's code stops (an endless
loop, the process ended, a crash) becomes a ``stopped`` line naming what happened and which call
was running, and the caller's process never runs the student's code (for a folder, never imports
it either).
"""
from __future__ import annotations

import os
import types
from typing import Callable, Dict, Iterable, Optional

from . import sandbox
from ._base import CHECKS, _begin, _finish, checked_names
from .assignment import restoring, stand_in_cython, survey
from .report import CheckResult, Report

__all__ = ["run", "conv_forward", "conv_backward", "run_check"]


def _functions_of(source):
    """The callables named like a checked function in a module or a dict."""
    if isinstance(source, types.ModuleType):
        source = vars(source)
    if not isinstance(source, dict):
        raise ValueError(f"give a module, a dict of functions, the path of a .py file or of your assignment "
                         f"folder, got {type(source).__name__}.")
    names = checked_names()
    return {k: v for k, v in source.items() if k in names and callable(v)}


def run(source=None, *, only: Optional[Iterable[str]] = None, time_limit: Optional[float] = None,
        **functions) -> Report:
    """Run every registered check whose function is given.

    ``source`` is a module, a dict (e.g. ``globals()``), the path of a .py file, or the path of your
    assignment folder (the one that holds ``cs231n/``; see :mod:`cs231n_lib.check.assignment`);
    ``functions`` name functions directly (``conv_forward_naive=my_forward``) and win over
    ``source``.  ``only`` restricts the checks to those names; ``time_limit`` is the seconds the
    student's code may run per checked function (default :data:`sandbox.TIME_LIMIT`).  Checks whose
    function is missing are left out of the report (for a folder, the report lists them as not
    found).  Never raises because of the student's code: an exception, an endless loop or an exit
    is reported in the function's line, a file that cannot be imported in ``report.problems``.
    """
    limit = sandbox.TIME_LIMIT if time_limit is None else float(time_limit)
    unknown = sorted(set(functions) - checked_names()) + sorted(set(only or ()) - set(CHECKS))
    if unknown:
        raise ValueError(f"no check for {unknown}; the checks are: {', '.join(CHECKS)}.")
    objects = {k: v for k, v in functions.items() if v is not None}
    report = Report([])
    found = None
    if isinstance(source, (str, os.PathLike)):
        found = survey(source, limit)
        report.header = found.header(str(source))
        report.problems = list(found.problems)
        report.not_found = [n for n in found.not_found() if n not in objects and (not only or n in only)]
        available = set(found.functions) | set(objects)
    else:
        if source is not None:
            objects = {**_functions_of(source), **objects}
        available = set(objects)

    def load(names):
        loaded = found.load([n for n in names if n not in objects]) if found is not None else {}
        return {**loaded, **{n: objects[n] for n in names if n in objects}}

    if not sandbox.can_isolate():
        report.notes.append("this system has no child processes (os.fork), so your code ran inside this process, "
                            "without a time limit")
    stopped = set()
    for name, check in CHECKS.items():
        if name not in available or (only is not None and name not in only):
            continue
        # a forward pass that stopped its own check is not run again for the backward pass's cache
        result = run_check(check, lambda names: load([n for n in names if n not in stopped]), limit,
                           found.package if found is not None else "")
        if result.status == "stopped":
            stopped.add(name)
        report.results.append(result)
    return report


def run_check(check, load: Callable[[Iterable[str]], Dict[str, Callable]], time_limit: float,
              package: str = "") -> CheckResult:
    """One check in a child process: ``load(names)`` (run in the child) gives the functions; what
    stops the child becomes a ``stopped`` result.  Without child processes it runs here, and the
    modules of ``package`` that ``load`` imports are dropped again afterwards."""
    def job():
        functions = load(check.names)
        if not check.provided:
            stand_in_cython()
        _begin(check.name)   # what importing the files did is the survey's to report
        try:
            result = check.run(functions)
        except sandbox.TimeLimit:
            raise
        except Exception as err:  # pragma: no cover - a bug of the checker, reported rather than raised
            return CheckResult(check.name, check.title, "error",
                               [f"the checker could not finish ({type(err).__name__}: {err}); compare by hand "
                                "with cs231n_lib's function of the same name"], provided=bool(check.provided))
        return _finish(result)

    if sandbox.can_isolate():
        kind, value = sandbox.isolated(job, time_limit)
    else:
        with restoring(package):
            kind, value = "result", job()
    if kind == "result":
        return value
    if kind == "error":
        return CheckResult(check.name, check.title, "error",
                           [f"the checker could not finish ({value}); compare by hand with cs231n_lib's function "
                            "of the same name"], provided=bool(check.provided))
    return CheckResult(check.name, check.title, "stopped", [value.sentence()], provided=bool(check.provided))


def conv_forward(conv_forward_naive: Callable, **options) -> Report:
    """Check a 4-D ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)``."""
    return run(conv_forward_naive=conv_forward_naive, **options)


def conv_backward(conv_backward_naive: Callable, conv_forward_naive: Optional[Callable] = None, **options) -> Report:
    """Check ``conv_backward_naive(dout, cache) -> (dx, dw, db)``; with your forward pass
    its cache is used, otherwise CS231n's cache ``(x, w, b, conv_param)``."""
    return run(conv_backward_naive=conv_backward_naive, conv_forward_naive=conv_forward_naive,
               only=["conv_backward_naive"], **options)
