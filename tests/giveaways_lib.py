"""What counts as giving an exercise's solution away, for tests/test_checkers.py.

The developers' guide: a checker names the mistake it recognises and never prints the solution as a
hint.  Each exercise of the table in tests/test_checkers.py says what its solution looks like
(``solution=dict(text=[...], unmatched=...)``):

* ``text``: the characteristic text of the reference expression or code (``momentum * v -
  learning_rate * dw``, ``K * (F*F*D_in + 1)``, ``net.names[-2]``, ...), found in a feedback line
  whatever its spacing or case;
* the expected output of every checked case: the table's right answers (written by hand, not by the
  checkers) computed on the very arguments the checker passes to the student's function, which
  :func:`spy` records.  A line gives a value away when it shows it as a whole answer: a number
  (one with three significant digits or more, or exactly equal; a whole number only in the
  example and outside brackets, where an answer is printed), a bracketed list or tuple of all its
  numbers (or the first ones, cut with ``...``), or, for a letter answer, ``(a)``.  The same text
  printed for the learner's own answer, or for an input of the case, is no giveaway;
* ``unmatched``: a wrong answer that no typical mistake explains (the right answer plus a
  constant), so that the checker's fallback message is read too.

Besides, no line says "expected" or "the answer is".  :func:`giveaways` lists what a line gives
away; tests/test_checkers.py holds every checker's feedback to an empty list, and shows that the
rule catches each exercise's own solution text and first expected value.
"""
from __future__ import annotations

import copy
import re

import numpy as np

GENERIC = re.compile(r"\bexpected\b|\bthe (?:right |correct )?answer is\b|\bthe solution is\b", re.I)
NUMBER = re.compile(r"(?<![\w.])(?:-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|True|False)(?![\w]|\.\d)")
EXAMPLE = " For example: "


def shifted(answer, constant):
    """``answer`` plus ``constant`` in every number it returns: a wrong answer no typical mistake explains."""
    def plus(value):
        if isinstance(value, tuple):
            return tuple(plus(v) for v in value)
        if isinstance(value, list):
            return [plus(v) for v in value]
        return value + constant
    return lambda *args: plus(answer(*args))


def spy(answer, calls):
    """``answer`` as the checker sees it, recording ``(args, returned value)`` of every call in ``calls``
    (the arguments copied before the call: an answer may change them in place)."""
    def student(*args):
        record = [copy.deepcopy(args), None]
        calls.append(record)
        record[1] = answer(*args)
        return record[1]
    return student


# ------------------------------------------------------------------ values as numbers
def arrays_of(value):
    """The ways a value can be printed whole: a flat float array of all its numbers and, for a pair
    of separate answers (``(next_w, next_v)``, ``(value, grad)``: a tuple or list holding an array, or
    parts of different sizes), each part on its own.  The rows of a nested list are not parts."""
    if isinstance(value, str) or value is None:
        return []
    out, regular = [], True
    try:
        arr = np.asarray(value, dtype=float)
        if arr.size:
            out.append(arr.ravel())
    except (TypeError, ValueError):
        regular = False
    if isinstance(value, (tuple, list)) and (not regular or any(isinstance(v, np.ndarray) for v in value)):
        for part in value:
            out.extend(arrays_of(part))
    return out


def inputs_of(args):
    """Every numeric argument of a call, as flat arrays (nets and other objects are left out)."""
    out = []
    for a in args:
        if isinstance(a, (bool, np.bool_)) or isinstance(a, str):
            continue
        if isinstance(a, (int, float, np.number, np.ndarray, list, tuple)):
            out.extend(arrays_of(a))
    return out


def _token(text):
    """(value, tolerance of its printed precision, significant digits printed) of a number token."""
    if text in ("True", "False"):
        return float(text == "True"), 0.0, 9
    m = re.fullmatch(r"-?(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?", text)
    whole, frac, exp = m.group(1), m.group(2) or "", int(m.group(3) or 0)
    tol = 0.5 * 10.0 ** (exp - len(frac)) if (frac or m.group(3)) else 0.0
    return float(text), tol, len((whole + frac).lstrip("0"))


def _same(token, value, lenient):
    """A printed number stands for ``value``: exactly, or to its printed precision (with three
    significant digits at least, unless ``lenient``: a whole list that matches is evidence enough)."""
    x, tol, digits = token
    if abs(x - value) <= 1e-9 * max(1.0, abs(value)):
        return True
    return tol > 0 and (lenient or digits >= 3) and abs(x - value) <= tol * (1 + 1e-6) + 1e-12


def _groups(text):
    """Every bracketed part of ``text``, at every depth."""
    out, stack = [], []
    for k, ch in enumerate(text):
        if ch in "([":
            stack.append(k)
        elif ch in ")]" and stack:
            out.append(text[stack.pop():k + 1])
    return out


def _outside_brackets(text):
    depth, kept = 0, []
    for ch in text:
        depth += ch in "(["
        kept.append(ch if depth == 0 else " ")
        depth -= ch in ")]" and depth > 0
    return "".join(kept)


def _group_shows(group, arr):
    """The bracketed ``group`` prints all of ``arr``'s numbers, or its first ones cut with '...'."""
    tokens = [_token(t) for t in NUMBER.findall(group)]
    if len(tokens) == arr.size:
        return all(_same(t, v, True) for t, v in zip(tokens, arr))
    if "..." in group and 3 <= len(tokens) < arr.size:
        return all(_same(t, v, True) for t, v in zip(tokens, arr))
    return False


def _as_number(value):
    """A learner's '5' is printed as 5 too."""
    try:
        return float(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _letter(value):
    if not isinstance(value, str):
        return None
    text = value.strip().lower().strip("()").strip()
    return text if len(text) == 1 and text.isalpha() else None


def giveaways(line, text, expected, own, inputs=()):
    """What the feedback ``line`` gives away: fragments of the solution's ``text``, and expected values.

    ``expected`` lists the right answers of the checked cases; ``own`` the learner's answers and
    ``inputs`` the numeric inputs of the cases, which the line may show.  A whole number is looked for
    where an answer is printed (in the example, outside brackets, where the inputs are not), so only
    the learner's own answers excuse it.
    """
    found = []
    squeeze = lambda s: re.sub(r"\s+", "", s).lower()  # noqa: E731
    for fragment in text:
        if squeeze(fragment) in squeeze(line):
            found.append(f"the solution's text {fragment!r}")
    if GENERIC.search(line):
        found.append(f"the words {GENERIC.search(line).group(0)!r}")
    letters = {_letter(v) for v in own} - {None}
    own_arrays = [a for v in own for a in arrays_of(_as_number(v))]
    innocent_arrays = own_arrays + [a for v in inputs for a in arrays_of(v)]
    example = line.split(EXAMPLE, 1)[1] if EXAMPLE in line else ""
    loose = [_token(t) for t in NUMBER.findall(line)]
    answer_ints = [_token(t) for t in NUMBER.findall(_outside_brackets(example))]
    groups = _groups(line)
    for value in expected:
        letter = _letter(value)
        if letter is not None:
            if f"({letter})" in line.lower() and letter not in letters:
                found.append(f"the letter ({letter})")
            continue
        for arr in arrays_of(value):
            if arr.size == 1:
                v = float(arr[0])
                whole = abs(v - round(v)) < 1e-9
                for tok in (answer_ints if whole else loose):
                    if _same(tok, v, False) and not any(a.size == 1 and _same(tok, float(a[0]), False)
                                                        for a in (own_arrays if whole else innocent_arrays)):
                        found.append(f"the expected value {v:g}")
            else:
                for group in groups:
                    if _group_shows(group, arr) and not any(_group_shows(group, a) for a in innocent_arrays):
                        found.append(f"the expected values {group}")
    return sorted(set(found))
