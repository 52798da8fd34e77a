"""``python -m cs231n_lib.check PATH [--details] [--only NAME ...] [--time-limit SECONDS]``."""
from __future__ import annotations

import sys

from . import sandbox
from ._base import CHECKS
from .runner import run

__all__ = ["main"]


def main(argv=None) -> int:
    """Check an assignment folder (or one .py file) and print one line per function.

    Exit status 0 when every checked function is the same as cs231n_lib's (a function of the course
    that cannot run for want of its Cython extension does not count), 1 when one differs, is stopped
    or a file could not be imported, 2 when none of the student's functions could be checked."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.check",
        description="Check your CS231n assignment code against cs231n_lib: every function it finds runs, in a "
                    "child process with a time limit, on float64 inputs of several shapes, and each line says "
                    "'same', or what differs first and the mistake behind it where one is recognisable.")
    parser.add_argument("path", help="your assignment folder (the one that holds cs231n/), its cs231n folder, "
                                     "or one .py file")
    parser.add_argument("--details", action="store_true",
                        help="every finding and the measured errors, instead of one line per function")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="check only these functions (e.g. batchnorm_forward)")
    parser.add_argument("--time-limit", type=float, default=sandbox.TIME_LIMIT, metavar="SECONDS",
                        help=f"seconds your code may run per function (default {sandbox.TIME_LIMIT:g})")
    args = parser.parse_args(argv)
    if args.only:
        unknown = sorted(set(args.only) - set(CHECKS))
        if unknown:
            print(f"no check for {unknown}; the checks are: {', '.join(CHECKS)}.", file=sys.stderr)
            return 2
    try:
        report = run(args.path, only=args.only, time_limit=args.time_limit)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    print(str(report) if args.details else report.summary())
    failing = any(not r.passed and r.status != "not built" for r in report.results)
    print(report.counts() + ("; --details shows every finding" if failing and not args.details else ""))
    if not any(not r.provided for r in report.results):   # none of the student's own functions
        return 2
    return 0 if report.passed else 1
