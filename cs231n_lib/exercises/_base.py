"""What every checker shares: :class:`Feedback`, :func:`attempt` (call a student's function
safely), :class:`_Findings` (each distinct problem said once), :func:`_diagnose` (which
typical mistake explains the answers), and small helpers for comparing answers."""
from __future__ import annotations

import linecache
import math
import numbers
import os
import traceback
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

__all__ = ["NOT_IMPLEMENTED", "Feedback", "attempt"]

NOT_IMPLEMENTED = "not implemented"


@dataclass
class Feedback:
    """The outcome of a checker: ``status`` is 'passed', 'failed' or 'not implemented'.

    ``details`` holds one line per distinct problem (a mistake seen in several
    cases is one line with one example).  Displaying it (its ``repr``) shows the
    message, so a checker can be the last line of a notebook cell.
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


_LIBRARY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _where(err: BaseException) -> str:
    """' (line 4 of conv2d: `out[i, j] = ...`)': the last line of the student's own code
    in the traceback, or '' when none is found (library and numpy frames are skipped)."""
    frames = traceback.extract_tb(err.__traceback__)
    for frame in reversed(frames):
        path = os.path.abspath(frame.filename)
        if path.startswith(_LIBRARY) or f"{os.sep}site-packages{os.sep}" in path \
                or f"{os.sep}lib{os.sep}python" in path:
            continue
        line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
        return f" (in {frame.name}, line {frame.lineno}: `{line}`)" if line else \
            f" (in {frame.name}, line {frame.lineno})"
    return ""


def error_text(err: BaseException) -> str:
    """``'ZeroDivisionError: division by zero (in f, line 2: `1 / 0`)'``."""
    return f"{type(err).__name__}: {err}{_where(err)}"


def _raised(err: BaseException) -> str:
    """'AssertionError' or 'ValueError: not whole': the exception, its message if any."""
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def attempt(func: Callable, *args, **kwargs):
    """Call a student's function; return ``(value, error_text)``.

    Raises ``_NotImplemented`` (caught by the checkers) for an untouched stub:
    one that raises NotImplementedError, or returns None.  Any other
    exception is returned as text (with the line of the student's code where
    it happened) so the checker can explain it.
    """
    try:
        value = func(*args, **kwargs)
    except NotImplementedError:
        raise _NotImplemented from None
    except Exception as err:  # the student's code may raise anything
        return None, error_text(err)
    if value is None:
        raise _NotImplemented
    return value, None


def attempt_raising(func: Callable, *args):
    """Call a student's function that may legitimately raise: ``(value, exception)``.

    An untouched stub (NotImplementedError) raises ``_NotImplemented``."""
    try:
        value = func(*args)
    except NotImplementedError:
        raise _NotImplemented from None
    except Exception as err:  # the student's code may raise anything
        return None, err
    if value is None:
        raise _NotImplemented
    return value, None


class _Findings:
    """Problems found while checking, each distinct diagnosis said once.

    ``add(diagnosis, example)`` records one case; :meth:`lines` gives one line per
    diagnosis with its first example and how many more cases showed it.
    """

    def __init__(self):
        self._examples = {}

    def add(self, diagnosis: str, example: str = "") -> None:
        self._examples.setdefault(diagnosis, []).append(example)

    def __bool__(self) -> bool:
        return bool(self._examples)

    def lines(self) -> List[str]:
        out = []
        for diagnosis, examples in self._examples.items():
            shown = [e for e in examples if e]
            line = diagnosis
            if shown:
                line += f" For example: {shown[0]}."
                if len(examples) > 1:
                    line += f" ({len(examples) - 1} more case{'s' if len(examples) > 2 else ''} like it.)"
            out.append(line)
        return out


def _run(exercise: str, body: Callable[[], object]) -> Feedback:
    try:
        problems = body()
    except _NotImplemented:
        return Feedback(exercise, NOT_IMPLEMENTED)
    if isinstance(problems, _Findings):
        problems = problems.lines()
    return Feedback(exercise, "failed" if problems else "passed", list(problems))


# ------------------------------------------------------------------ numbers
def _number(value) -> Optional[float]:
    """``value`` as a float if it is one real number (int, float, numpy scalar or a
    one-element array), else None.  Booleans are not numbers here."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)) or isinstance(value, (str, bytes)):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    try:
        arr = np.asarray(value)
    except Exception:
        return None
    if arr.size == 1 and arr.dtype.kind in "iuf":
        return float(arr.reshape(()))
    return None


def _is_integer_type(value) -> bool:
    """An int or a numpy integer (not a bool, not a float that happens to be whole)."""
    import numpy as np

    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def _whole(value) -> Optional[int]:
    """The integer a number stands for (5, 5.0, np.int64(5) -> 5), else None."""
    x = _number(value)
    if x is None or not math.isfinite(x) or x != int(x):
        return None
    return int(x)


def _same_number(got, model) -> bool:
    """A student's number matches a model's value exactly, or rounded down (``//``,
    ``int()``) or to the nearest integer: a mistake made with integer division."""
    x, m = _number(got), _number(model)
    if x is None or m is None:
        return False
    return any(abs(x - v) < 1e-9 for v in (m, math.floor(m), round(m)))


def _close(a, b, tol=1e-9):
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    return abs(x - y) <= tol * max(1.0, abs(y))


def _shown(value) -> str:
    """A short, plain rendering of a student's value for a message."""
    import numpy as np

    if _is_integer_type(value):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_float_array(value):
    """A float64 array of a student's answer (list, tuple, any numeric array), or None."""
    import numpy as np

    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr


def _allclose(got, want) -> bool:
    """Equal up to the rounding of float32 (a right answer computed in float32 passes)."""
    import numpy as np

    scale = max(1.0, float(np.max(np.abs(want)))) if np.size(want) else 1.0
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=1e-5, atol=1e-5 * scale))


def _diagnose(answers: Sequence, truths: Sequence, models: Sequence[Tuple[str, Callable]],
              same: Callable) -> Optional[str]:
    """The first typical mistake that explains *every* answer the student gave.

    ``answers[i]`` is the student's value on case i (None when it raised or is
    unusable), ``truths[i]`` the right one, and each model is ``(diagnosis,
    value_of(i))`` (a model may return None where it does not apply).  A model
    explains the answers when it agrees with every usable answer and differs from
    the truth on at least one of them.  Returns its diagnosis, or None.
    """
    for diagnosis, model in models:
        informative, ok = False, True
        for i, (got, truth) in enumerate(zip(answers, truths)):
            if got is None:
                continue
            try:
                predicted = model(i)
            except Exception:
                predicted = None
            if predicted is None:
                continue
            if not same(got, predicted):
                ok = False
                break
            if not same(predicted, truth):
                informative = True
        if ok and informative:
            return diagnosis
    return None


def _first_match(got, truth, models: Sequence[Tuple[str, Callable]], same: Callable) -> Optional[str]:
    """The first model (``(diagnosis, value)``) that gives ``got`` and differs from ``truth``:
    the diagnosis of one case when no model explains all of them."""
    for diagnosis, value in models:
        try:
            predicted = value()
        except Exception:
            continue
        if predicted is not None and same(got, predicted) and not same(predicted, truth):
            return diagnosis
    return None


def _explain_wrong(found: "_Findings", wrong, answers, truths, models, same, fallback: str) -> None:
    """Add a diagnosis for every wrong case to ``found``.

    ``wrong`` lists ``(i, example)`` for the wrong cases; ``answers``/``truths``
    hold every case (None where unusable); ``models`` are ``(diagnosis,
    value_of(i))``.  One mistake that explains every answer names them all;
    otherwise each case gets the first mistake that explains it, or ``fallback``.
    """
    if not wrong:
        return
    why = _diagnose(answers, truths, models, same)
    for i, example in wrong:
        reason = why or _first_match(answers[i], truths[i],
                                     [(d, lambda m=m, i=i: m(i)) for d, m in models], same)
        found.add(reason or fallback, example)
