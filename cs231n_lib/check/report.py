"""What a check found, and how it reads: :class:`CheckResult` (one function) and :class:`Report`
(everything one :func:`~cs231n_lib.check.run` found).

A result has a status:

* ``passed``: the same numbers as cs231n_lib in every setting;
* ``failed``: a difference, each distinct problem one finding;
* ``stopped``: the student's code did not let the check finish (the time limit, the process
  ended, a segmentation fault): one finding says what happened and where;
* ``not built``: the course's own code needs its Cython extension, which is not built;
* ``missing``: the function was not given;
* ``error``: the checker itself could not finish (a bug of ours, reported rather than raised).

``provided`` marks the functions the course gives (the fast layers, ``sgd``): they are the
course's code, checked only in the settings the assignment uses, and a ``not built`` one does not
count against the assignment.  ``remarks`` are observations that do not fail the check (the
input gradient changed in place, a convention for ties the assignment does not fix).
"""
from __future__ import annotations

import dataclasses
from typing import List

__all__ = ["CheckResult", "Report", "STATUSES"]

STATUSES = ("passed", "failed", "stopped", "not built", "missing", "error")

_HEADS = {"passed": "[same as cs231n_lib]", "failed": "[differs]", "stopped": "[stopped]",
          "not built": "[not built]", "missing": "[not given]", "error": "[not checked]"}
_PROVIDED_HEADS = {"passed": "[provided, same as cs231n_lib]", "failed": "[provided, differs]",
                   "stopped": "[provided, stopped]", "not built": "[provided, not built]"}


@dataclasses.dataclass
class CheckResult:
    """The outcome of one check.

    name : the checked function, e.g. 'conv_forward_naive'
    title : what it is, e.g. 'forward pass of a convolutional layer'
    status : one of STATUSES (see the module's docstring)
    findings : one line per distinct problem (which part differs and how to fix it)
    measured : one line per compared quantity with its largest relative error
    remarks : observations that do not fail the check
    provided : True for a function the course provides (not the student's code)
    """

    name: str
    title: str
    status: str
    findings: List[str] = dataclasses.field(default_factory=list)
    measured: List[str] = dataclasses.field(default_factory=list)
    remarks: List[str] = dataclasses.field(default_factory=list)
    provided: bool = False

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def head(self) -> str:
        return (_PROVIDED_HEADS.get(self.status) if self.provided else None) or _HEADS[self.status]

    def lines(self) -> List[str]:
        out = [f"{self.head} {self.name} ({self.title})"]
        out += [f"  - {line}" for line in self.findings]
        out += [f"  - note: {line}" for line in self.remarks]
        out += [f"    {line}" for line in self.measured]
        return out

    def line(self) -> str:
        """One line: the verdict and, for a difference, the first finding (else the first remark)."""
        head = f"{self.head} {self.name}"
        if not self.findings:
            return f"{head}; note: {self.remarks[0]}" if self.remarks else head
        more = len(self.findings) - 1
        return f"{head}: {self.findings[0]}" + (f" [+{more} more finding{'s' * (more > 1)}]" if more else "")


@dataclasses.dataclass
class Report:
    """What :func:`~cs231n_lib.check.run` found: one :class:`CheckResult` per check.  Displays as text.

    header : for an assignment folder, which files were imported (and which not, and why)
    problems : what went wrong outside any one function (a file that could not be imported), one line each
    notes : what the reader should know that is no problem (e.g. the course's Cython extension not built)
    not_found : for an assignment folder, the checked functions that none of its files defines
    """

    results: List[CheckResult]
    problems: List[str] = dataclasses.field(default_factory=list)
    header: List[str] = dataclasses.field(default_factory=list)
    notes: List[str] = dataclasses.field(default_factory=list)
    not_found: List[str] = dataclasses.field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every checked function passed (a provided one that is not built does not count
        against it), nothing else went wrong, and at least one function was checked."""
        counted = [r for r in self.results if r.status not in ("missing", "not built")]
        return bool(counted) and not self.problems and all(r.passed for r in counted)

    def __getitem__(self, name: str) -> CheckResult:
        return next(r for r in self.results if r.name == name)

    def _frame(self, body: List[str]) -> str:
        lines = list(self.header) + [f"[problem] {p}" for p in self.problems] + body
        lines += [f"note: {n}" for n in self.notes]
        if self.not_found:
            lines.append("not found: " + ", ".join(self.not_found)
                         + " (none of the files above defines " + ("it" if len(self.not_found) == 1 else "them") + ")")
        if not self.results:
            from ._base import CHECKS

            lines.append("No function to check. Give one of: " + ", ".join(CHECKS) + ".")
        return "\n".join(lines)

    def summary(self) -> str:
        """One line per function (what ``python -m cs231n_lib.check`` prints), problems first."""
        return self._frame([r.line() for r in self.results])

    def counts(self) -> str:
        """'24 of 24 functions the same as cs231n_lib; the course's own: 3 the same, 1 not built'."""
        yours = [r for r in self.results if not r.provided]
        theirs = [r for r in self.results if r.provided]
        text = (f"{sum(r.passed for r in yours)} of {len(yours)} functions the same as cs231n_lib" if yours
                else "no function of yours found")
        if theirs:
            parts = [f"{sum(r.status == s for r in theirs)} {word}"
                     for s, word in (("passed", "the same"), ("failed", "different"), ("stopped", "stopped"),
                                     ("not built", "not built"), ("error", "not checked"))
                     if any(r.status == s for r in theirs)]
            text += "; the course's own functions: " + ", ".join(parts)
        return text

    def __str__(self) -> str:
        return self._frame([line for r in self.results for line in r.lines()])

    __repr__ = __str__
