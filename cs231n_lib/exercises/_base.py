"""What every checker shares: :class:`Feedback`, :func:`attempt` (call a student's function
safely), and small helpers for comparing answers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List

__all__ = ["NOT_IMPLEMENTED", "Feedback", "attempt"]

NOT_IMPLEMENTED = "not implemented"


@dataclass
class Feedback:
    """The outcome of a checker: ``status`` is 'passed', 'failed' or 'not implemented'.

    Displaying it (its ``repr``) shows the message, so a checker can be the
    last line of a notebook cell.
    """

    exercise: str
    status: str
    details: List[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def message(self) -> str:
        head = {
            "passed": f"[passed] {self.exercise}: well done, every case is right.",
            "failed": f"[not yet] {self.exercise}:",
            NOT_IMPLEMENTED: (
                f"[to do] {self.exercise}: not implemented yet. Replace the "
                "`raise NotImplementedError` with your code and run this cell again."
            ),
        }[self.status]
        return "\n".join([head] + [f"  - {d}" for d in self.details])

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


class _NotImplemented(Exception):
    pass


def attempt(func: Callable, *args, **kwargs):
    """Call a student's function; return ``(value, error_text)``.

    Raises ``_NotImplemented`` (caught by the checkers) for an untouched stub:
    one that raises NotImplementedError, or returns None.  Any other
    exception is returned as text so the checker can explain it.
    """
    try:
        value = func(*args, **kwargs)
    except NotImplementedError:
        raise _NotImplemented from None
    except Exception as err:  # the student's code may raise anything
        return None, f"{type(err).__name__}: {err}"
    if value is None:
        raise _NotImplemented
    return value, None


def _run(exercise: str, body: Callable[[], List[str]]) -> Feedback:
    try:
        problems = body()
    except _NotImplemented:
        return Feedback(exercise, NOT_IMPLEMENTED)
    return Feedback(exercise, "failed" if problems else "passed", problems)


def _close(a, b):
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return False


def _as_float_array(value):
    import numpy as np

    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
