"""The engine every family of checks shares.

* The registry: :data:`CHECKS`, filled by :func:`register` (one decorated function per checked
  function of the assignment).
* Calling the student's code: :func:`_call` (never raises; inside :func:`sandbox.student_code`,
  so a time limit, numpy put back, prints swallowed), which also notices an input changed in
  place and an error raised by the course's fast layers for want of their Cython extension.
* Comparing: a check is a list of settings (:class:`_Setting`), each switching on one part of the
  function, and ``run_one(setting) -> _Outcome``: the student's values, the library's, and the
  typical mistakes as models of what the student's code would return.  :func:`_compare` runs
  them and turns them into a :class:`CheckResult`: the one mistake that reproduces the student's
  values in every setting (a :class:`_Trial` per quantity), or where the values start to differ.
* :func:`_begin` and :func:`_finish` wrap one check: what the calls noticed along the way
  (numpy changed, an input changed in place, the Cython extension missing) joins its result.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Callable, Dict, NamedTuple, Optional, Tuple

import numpy as np

from ..exercises._base import _where
from ..gradient_check import rel_error
from . import sandbox
from .report import CheckResult

TOLERANCE = 1e-7
"""Largest relative error (CS231n's ``rel_error``) that counts as the same numbers in float64."""

CYTHON_FIX = "in the cs231n folder run `python setup.py build_ext --inplace` (and restart the kernel)"
_CYTHON = "; the fast layers need the assignment's Cython extension: " + CYTHON_FIX
_CYTHON_NAMES = ("im2col_cython", "col2im_cython", "col2im_6d_cython")
_COURSE_FILES = ("fast_layers.py",)   # the course's code that needs the Cython extension


# ------------------------------------------------------------------ the registry
@dataclasses.dataclass(frozen=True)
class Check:
    """One registered check: the function ``name`` it checks, a ``title``, the other functions
    it can use (``uses``, e.g. the forward pass whose cache a backward pass reads),
    ``run(functions) -> CheckResult`` where ``functions`` maps names to the student's callables,
    and ``provided``: '' for the student's code, else why the course's own function is checked
    (and in which settings)."""

    name: str
    title: str
    run: Callable[[Dict[str, Callable]], CheckResult]
    uses: Tuple[str, ...] = ()
    provided: str = ""

    @property
    def names(self) -> Tuple[str, ...]:
        return (self.name,) + self.uses


CHECKS: Dict[str, Check] = {}
"""Every registered check, by the name of the function it checks, in registration order."""


def register(name: str, title: str, uses: Tuple[str, ...] = (), provided: str = ""):
    """Decorator: register ``run(functions) -> CheckResult`` as the check of ``name``."""
    def decorate(func):
        CHECKS[name] = Check(name, title, func, tuple(uses), provided)
        return func
    return decorate


def checked_names() -> set:
    """Every function name a check reads."""
    return {n for c in CHECKS.values() for n in c.names}


def _result(name, findings, measured, remarks=()) -> CheckResult:
    check = CHECKS[name]
    return CheckResult(name, check.title, "failed" if findings else "passed", list(findings), list(measured),
                       list(remarks), provided=bool(check.provided))


# ------------------------------------------------------------------ what one check noticed
class _Noticed:
    """What the calls of one check noticed besides the values (reset by :func:`_begin`)."""

    def __init__(self, name=""):
        self.name = name
        self.setting = None           # the setting being run (for progress and first-seen texts)
        self.changed = {}             # argument name -> the first setting where it changed in place
        self.not_built = []           # exceptions of the course's fast layers without Cython
        self.stand_ins = []           # remarks: the course's missing Cython stood in for


_NOTICED = _Noticed()


def _noticed() -> _Noticed:
    """What the current check has noticed so far."""
    return _NOTICED


def _begin(name: str) -> None:
    global _NOTICED
    _NOTICED = _Noticed(name)
    sandbox.SIDE_EFFECTS.clear()


def _at(setting) -> None:
    """The setting whose calls follow (said in progress messages and in first-seen findings)."""
    _NOTICED.setting = setting


# An input changed in place: a finding, except for the gradient a backward pass (or an update
# rule) is given, which the assignment's own code never reads again: a remark.
_REMARK_ONLY = {"dout": "the gradient it was given", "dw": "the gradient it was given"}
_IN_PLACE_HINTS = {
    ("relu_forward", "x"): " (e.g. x[x < 0] = 0): the caller's x is gone and the cache holds the output; compute "
                           "out = np.maximum(0, x) as a new array",
    ("conv_forward_naive", "x"): ": the caller's x is gone; work on a copy (np.pad returns one)",
}


def _finish(result: CheckResult) -> CheckResult:
    """Add to ``result`` what the calls noticed: numpy changed (a finding), inputs changed in place
    (a finding, or a remark for a gradient), the course's Cython extension missing (status 'not
    built' when nothing else is wrong), a stand-in used (a remark)."""
    name = result.name
    others = CHECKS[name].uses if name in CHECKS else ()   # they have lines of their own
    seen = set()
    for what, advice, by in sandbox.SIDE_EFFECTS:
        if what in seen or by in others:
            continue
        seen.add(what)
        result.findings.append(f"your code {what}, for every later computation in the process (the checker put it "
                               f"back after each call): {advice}")
    hard = [(arg, s) for arg, s in _NOTICED.changed.items() if arg not in _REMARK_ONLY]
    if hard:
        args = [arg for arg, _ in hard]
        s = hard[0][1]
        where = f" (first in the setting {s.part!r}: {s.describe()})" if s is not None else ""
        hint = _IN_PLACE_HINTS.get((name, args[0]), ": the caller's array is gone; work on a copy")
        plural = "s" if len(args) > 1 else ""
        result.findings.insert(0, f"your {name} changed its input{plural} {', '.join(args)} in place{hint}{where}")
    for arg, s in _NOTICED.changed.items():
        if arg in _REMARK_ONLY:
            where = f" (first in the setting {s.part!r})" if s is not None else ""
            result.remarks.append(
                f"your {name} changes {arg}, {_REMARK_ONLY[arg]}, in place{where}: the assignment's own code never "
                f"reads {arg} again, so no harm there, but a caller that does gets your result instead; build the "
                "result as a new array")
    if _NOTICED.not_built:
        err = _NOTICED.not_built[0]
        text = (f"the course's fast layers need their Cython extension, which is not built ({type(err).__name__}: "
                f"{err}{_where(err)}): {CYTHON_FIX}")
        if not result.findings and result.status in ("passed", "failed"):
            result.status, result.findings = "not built", [text]
        else:
            result.findings.append(text)
    result.remarks += _NOTICED.stand_ins
    if result.findings and result.status == "passed":
        result.status = "failed"
    return result


# ------------------------------------------------------------------ calling the student's code
def _call(func, *args, reads: Tuple[Optional[str], ...] = (), **kwargs):
    """``(value, None)`` or ``(None, exception)``; never raises (but for the time limit, which ends
    the check).

    ``reads`` names the positional arguments the function must only read (None skips one): an
    array among them that the call changes is noted (see :func:`_finish`).  The call runs inside
    :func:`sandbox.student_code`: announced to the parent, under the time limit, prints and
    warnings swallowed, numpy put back afterwards."""
    watched = [(name, arg, arg.copy()) for name, arg in zip(reads, args)
               if name and isinstance(arg, np.ndarray)]
    s = _NOTICED.setting
    running = f"your {getattr(func, '__name__', 'function')}" + (f", in the setting {s.part!r}: {s.describe()}"
                                                                 if s is not None else "")
    try:
        with sandbox.student_code(running, getattr(func, "__name__", "")):
            value = func(*args, **kwargs)
    except sandbox.TimeLimit:
        raise
    except (Exception, SystemExit) as err:   # the student's code may raise anything, even exit()
        if _course_without_cython(err):
            _NOTICED.not_built.append(err)
        return None, err
    finally:
        for name, arg, before in watched:
            if name not in _NOTICED.changed and not np.array_equal(arg, before, equal_nan=True):
                _NOTICED.changed[name] = s
    return value, None


def _course_without_cython(err) -> bool:
    """True for an error the course's fast_layers.py raised because its Cython extension is not built."""
    text = str(err)
    if not (isinstance(err, (NameError, ImportError)) and any(n in text for n in _CYTHON_NAMES)):
        return False
    frames = err.__traceback__
    last = None
    while frames is not None:
        last, frames = frames.tb_frame.f_code.co_filename, frames.tb_next
    return last is not None and os.path.basename(last) in _COURSE_FILES \
        and f"{os.sep}cs231n_lib{os.sep}" not in os.path.abspath(last)


def _is_not_built(err) -> bool:
    return any(e is err for e in _NOTICED.not_built)


# ------------------------------------------------------------------ values
def _array(value):
    """``value`` as a float64 array; None for None (an unwritten stub) or for what is not numbers."""
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=np.float64)
    except Exception:
        return None


def _value(raw, q, notes, float64=True):
    """``raw`` as a float64 array (see :func:`_array`), with a note in ``notes`` when it is a list or
    tuple where an array is due, or (``float64``: the inputs were float64) of a lower precision."""
    arr = _array(raw)
    if arr is None:
        return None
    if isinstance(raw, (list, tuple)):
        notes.append(f"{q} is a Python {type(raw).__name__}, not a numpy array: return an array (np.array(...) or "
                     "a numpy expression); the code after it uses .shape and numpy's arithmetic")
    elif float64 and isinstance(raw, (np.ndarray, np.generic)) and raw.dtype in (np.float32, np.float16):
        notes.append(f"{q} is {raw.dtype} although the inputs are float64: you compute in a lower precision "
                     "somewhere (dtype=np.float32, .astype(np.float32)); keep the input's dtype (np.zeros_like(x), "
                     "or dtype=x.dtype), which the assignment's gradient checks need")
    return arr


def _stub_note(name):
    return (f"{name} is None (or not numbers): not written yet? The assignment's stubs leave it None until you "
            "fill them in")


def _magnitude(error: float) -> str:
    """A relative error as the power of ten just above it (``show.magnitude``): '< 1e-11', '0',
    or for an error of order one its value ('0.8')."""
    from ..show import magnitude

    return magnitude(error) if error < 0.3 else f"{error:.1f}"


def _same(a, b) -> bool:
    return (a is not None and b is not None and np.shape(a) == np.shape(b)
            and rel_error(a, b) < TOLERANCE)


def _maybe(model):
    """A mistake model's output, or None where the mistake is undefined (it would crash)."""
    try:
        return model()
    except Exception:
        return None


def _first_difference(mine, yours, name):
    """'out[0, 1, 0, 2]: cs231n_lib 0.123, yours 0.987' at the largest difference."""
    diff = np.abs(mine - yours)
    idx = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = ", ".join(str(int(i)) for i in idx)
    return f"{name}[{where}]: cs231n_lib {float(mine[idx]):.4g}, yours {float(yours[idx]):.4g}"


def _quarters(rng, shape):
    """Random multiples of 1/4 from -2 to 2 (float64), none of them zero: every product and sum of
    them is exact in float64 whatever its order, so a right layer matches to the last bit."""
    values = rng.integers(1, 9, size=shape) * rng.choice([-1, 1], size=shape)
    return values / 4.0


def _normal(rng, shape, scale=1.0, shift=0.0):
    return scale * rng.standard_normal(shape) + shift


def _copy_param(param):
    """A copy of a CS231n parameter dict whose arrays are copies too (layers update them in place)."""
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in param.items()}


def _first_of(notes):
    """Each note once, with the first setting that showed it."""
    seen = {}
    for text, case in notes:
        seen.setdefault(text, case)
    return list(seen.items())


# ------------------------------------------------------------------ one quantity over all settings
class _Trial:
    """One quantity (out, dx, dw or db) over all settings: the student's value in each, the
    right value, and the typical mistakes as models (finding, value) per setting."""

    def __init__(self, name):
        self.name = name
        self.got, self.want, self.models, self.cases = [], [], [], []
        self.chosen = None  # index of the mistake that explains every setting, once explained

    def undefined_for_chosen(self, case) -> bool:
        """True when the chosen mistake cannot be computed in ``case`` (the code would crash there)."""
        if self.chosen is None:
            return False
        i = self.cases.index(case)
        return all(_maybe(f) is None for t, f in self.models[i] if t == self.chosen)

    def add(self, case, got, want, models):
        self.cases.append(case)
        self.got.append(got)
        self.want.append(want)
        self.models.append(models)

    def explain(self):
        """Findings for the settings where the student's value differs: the one mistake that
        reproduces the student's value in *every* setting where it is defined (mistakes are known by
        their text, so settings may list different ones), else a description of where the values
        start to differ.  Returns (findings, worst)."""
        self.chosen = None
        wrong = [i for i, (g, w) in enumerate(zip(self.got, self.want)) if g is not None and not _same(g, w)]
        compared = [rel_error(g, w) for g, w in zip(self.got, self.want)
                    if g is not None and np.shape(g) == np.shape(w)]
        worst = max(compared) if compared else None
        if not wrong:
            return [], worst
        first = self.cases[wrong[0]]
        example = f"first in the setting {first.part!r}: {first.describe()}"
        if self.got[wrong[0]].shape == self.want[wrong[0]].shape:
            example += f"; relative error {rel_error(self.got[wrong[0]], self.want[wrong[0]]):.0e}"
        for text in dict.fromkeys(t for models in self.models for t, _ in models):
            informative, consistent = False, True
            for i, got in enumerate(self.got):
                if got is None:
                    continue
                predicted = [p for p in (_maybe(f) for t, f in self.models[i] if t == text) if p is not None]
                if not predicted:
                    continue
                match = next((p for p in predicted if _same(got, p)), None)
                if match is None:
                    consistent = False
                    break
                informative |= not _same(match, self.want[i])
            if consistent and informative:
                self.chosen = text
                return [(text, example)], worst
        g, w = self.got[wrong[0]], self.want[wrong[0]]
        if g.shape != w.shape:
            return [(first.shape_mistake(self.name, g.shape), example)], worst
        return [(f"{self.name} differs in {len(wrong)} of {len(self.got)} settings (largest difference "
                 f"at {_first_difference(w, g, self.name)})", example)], worst


def _absorb(explained, crashes, trials):
    """Crashes in the settings where the chosen mistake cannot work are part of that mistake
    (a transposed filter cannot multiply a non-square window): say so in its line and drop
    them from ``crashes`` (in place)."""
    if not explained or not crashes:
        return explained
    trial = next((t for t in trials if t.chosen is not None), None)
    if trial is None:
        return explained
    absorbed = [(case, err) for case, err in crashes if trial.undefined_for_chosen(case)]
    if not absorbed:
        return explained
    for item in absorbed:
        crashes.remove(item)
    case, err = absorbed[0]
    text, example = explained[0]
    return [(f"{text}; this is also why your code raises {type(err).__name__} in the setting "
             f"{case.part!r}", example)] + explained[1:]


def _crash_findings(crashes):
    """One line per distinct crash (exception type and line of the student's code): where it
    happened first, and how many settings it broke.  Errors of the course's fast layers for want
    of their Cython extension are left to :func:`_finish`."""
    seen = {}
    for case, err in crashes:
        if _is_not_built(err):
            continue
        key = (type(err).__name__, _where(err))
        seen.setdefault(key, []).append((case, err))
    lines = []
    for (name, where), hits in seen.items():
        case, err = hits[0]
        more = f"; {len(hits) - 1} more setting{'s' if len(hits) > 2 else ''} alike" if len(hits) > 1 else ""
        hint = _crash_hint(case, err)
        lines.append(f"your code raised {name}: {err}{where}{hint} (first in the setting {case.part!r}: "
                     f"{case.describe()}{more})")
    return lines


def _crash_hint(case, err):
    """What a crash usually means: the setting's own hint, or the missing Cython extension."""
    text = f"{type(err).__name__} {err}".lower()
    if "cython" in text or "im2col_cython" in text or "col2im" in text and "not defined" in text:
        return _CYTHON
    hint = getattr(case, "crash_hint", None)
    return f"; {hint}" if hint else ""


# ------------------------------------------------------------------ settings and outcomes
class _Setting:
    """One setting of a check: ``part`` names what it switches on, ``text`` shows its inputs,
    ``make()`` returns fresh inputs; ``hints`` maps (quantity, shape) to the mistake that gives
    a quantity that shape; ``crash_hint`` says what a crash here usually means."""

    def __init__(self, part, text, make, hints=None, crash_hint=None):
        self.part, self.text, self.make = part, text, make
        self.hints = dict(hints or {})
        self.crash_hint = crash_hint
        self.expected = {}

    def describe(self):
        return self.text

    def shape_mistake(self, name, got):
        got = tuple(got)
        if (name, got) in self.hints:
            return self.hints[(name, got)]
        return f"{name} has shape {got}, expected {tuple(self.expected.get(name, ()))}"


class _Outcome(NamedTuple):
    """What one setting gave: the student's values, the right ones, the mistake models (per
    quantity), notes (distinct findings), the exception raised (or None), and remarks
    (observations that do not fail the check)."""

    got: dict
    want: dict
    models: dict
    notes: list = []
    error: Optional[BaseException] = None
    remarks: list = []


def _compare(name, settings, run_one, nonfinite=None) -> CheckResult:
    """Run ``run_one(setting) -> _Outcome`` on every setting and turn the outcomes into a result.

    ``nonfinite`` (a text) explains a NaN or inf where the right value is finite; by default it
    is reported with the setting where it happened."""
    trials, notes, crashes, odd, remarks = {}, [], [], {}, []
    for setting in settings:
        _at(setting)
        outcome = run_one(setting)
        notes += [(text, setting) for text in outcome.notes]
        remarks += [text for text in outcome.remarks if text not in remarks]
        if outcome.error is not None:
            crashes.append((setting, outcome.error))
        for q, want in outcome.want.items():
            want = np.asarray(want, dtype=np.float64)
            setting.expected[q] = want.shape
            got = None if outcome.error is not None else outcome.got.get(q)
            if outcome.error is None and q in outcome.got and got is None:
                notes.append((_stub_note(q), setting))
            if got is not None and got.shape == want.shape and not np.all(np.isfinite(got)) \
                    and np.all(np.isfinite(want)):
                odd.setdefault(q, setting)
                got = None
            trials.setdefault(q, _Trial(q)).add(setting, got, want, outcome.models.get(q, []))
    _at(None)
    findings = [f"{text} (first in the setting {case.part!r}: {case.describe()})" for text, case in _first_of(notes)]
    for q, setting in odd.items():
        line = f"{nonfinite or f'{q} holds NaN or inf'} (first in the setting {setting.part!r}: {setting.describe()})"
        if line not in findings:
            findings.append(line)
    explained, worst_of = [], {}
    odd_parts = {setting.part for setting in odd.values()}
    for q, trial in trials.items():
        found, worst = trial.explain()
        wrong = {c.part for c, g, w in zip(trial.cases, trial.got, trial.want) if g is not None and not _same(g, w)}
        if trial.chosen is None and wrong and wrong <= odd_parts:
            found = []   # it differs only where another value is NaN or inf: the same cause, said once
        explained += found
        if worst is not None:
            group = "grads" if q.startswith("grads[") else q      # one number for all of a net's gradients
            worst_of[group] = max(worst, worst_of.get(group, 0.0))
    errors = [f"{q} {_magnitude(w)}" for q, w in worst_of.items()]
    explained = _absorb(explained, crashes, list(trials.values()))
    chosen = {t.chosen for t in trials.values() if t.chosen is not None}
    if chosen:   # the other differences usually follow from the mistake found...
        # ... unless that mistake also predicts the quantity that differs, and predicts it wrong there
        contradicted = {f"{q} differs in " for q, t in trials.items() if t.chosen is None
                        and chosen & {text for models in t.models for text, _ in models}}
        explained = [(text, example) for text, example in explained
                     if " differs in " not in text or any(text.startswith(c) for c in contradicted)]
    findings += _crash_findings(crashes)
    shown = set()
    for text, example in explained:
        if text not in shown:
            shown.add(text)
            findings.append(f"{text} ({example})")
    measured = []
    if errors:
        measured.append(f"{len(settings)} settings (float64); largest relative errors where the shapes agree: "
                        + ", ".join(errors))
    return _result(name, findings, measured, remarks)


def _unpack(result, n, what, notes):
    """The student's return value as a tuple of ``n`` items, or None with a note saying what to return."""
    if n == 1:
        return (result,)
    if isinstance(result, (tuple, list)) and len(result) == n:
        return tuple(result)
    notes.append(f"return {what}, as CS231n's API does")
    return None


def _cache_from(forward, args, notes, forward_name, reads=()):
    """The cache of the student's forward pass on ``args`` (copies), or None with a note."""
    if forward is None:
        return None
    result, err = _call(forward, *[a.copy() if isinstance(a, np.ndarray) else
                                   (_copy_param(a) if isinstance(a, dict) else a) for a in args])
    if err is None and isinstance(result, (tuple, list)) and len(result) == 2:
        return result[1]
    notes.append(f"your {forward_name} failed here (see its own line), so its cache could not be used")
    return None
