"""Notebook 01 (conv arithmetic): output size, valid strides, parameter count.

Each checker lists the typical wrong answers as *models* (a formula with the
mistake in it) and names the one that explains every answer the student gave;
right answers written differently (numpy integers, other formulas, tuples
instead of lists) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import (Feedback, _explain_wrong, _Findings, _is_integer_type, _number, _run, _shown,
                    _whole, _raised, attempt, attempt_raising, error_text)

__all__ = ["check_output_size", "check_valid_strides", "check_param_count"]


def _exact(W, F, S, P):
    return (W - F + 2 * P) / S + 1


_SIZE_CASES = [
    # (W, F, S, P): every output size is an integer
    (7, 3, 1, 0), (7, 3, 2, 0), (5, 3, 1, 1), (227, 11, 4, 0), (32, 5, 1, 2), (224, 3, 1, 1),
    (11, 5, 2, 0), (10, 4, 2, 1), (9, 3, 3, 0), (7, 3, 3, 1), (6, 6, 1, 0), (5, 5, 3, 0),
]

_INVALID_CASES = [(10, 3, 2, 0), (8, 3, 2, 0), (6, 4, 3, 1), (224, 3, 2, 1)]

# Typical mistakes: (diagnosis, formula).  The checker names the first one that
# reproduces every number the student returned.
_SIZE_MISTAKES = [
    ("You forgot the + 1: the filter's first position counts too.",
     lambda W, F, S, P: (W - F + 2 * P) / S),
    ("Padding goes on both sides: use 2*P, not P.",
     lambda W, F, S, P: (W - F + P) / S + 1),
    ("You forgot the zero-padding P.",
     lambda W, F, S, P: (W - F) / S + 1),
    ("You forgot to divide by the stride S.",
     lambda W, F, S, P: W - F + 2 * P + 1),
    ("Divide by the stride S, do not multiply.",
     lambda W, F, S, P: (W - F + 2 * P) * S + 1),
    ("Subtract the filter size F, do not add it.",
     lambda W, F, S, P: (W + F + 2 * P) / S + 1),
    ("Off by one: you add 2 after dividing, one position too many; the filter's first position counts "
     "once.",
     lambda W, F, S, P: (W - F + 2 * P) / S + 2),
    ("Off by one: start from W - F, not W - F + 1.",
     lambda W, F, S, P: (W - F + 1 + 2 * P) / S + 1),
    ("The filter size is subtracted once, not twice.",
     lambda W, F, S, P: (W - 2 * F + 2 * P) / S + 1),
]


def _same_size(got, model):
    """A student's number matches a model's exact value, or its value rounded down
    (``//`` or ``int()``) or to the nearest integer."""
    x = _number(got)
    if x is None or model is None:
        return False
    import math

    return any(abs(x - v) < 1e-9 for v in (model, math.floor(model), round(model)))


def check_output_size(output_size: Callable) -> Feedback:
    """Check ``output_size(W, F, S, P)``: the output width of a conv layer.

    Conventions (stated in notebook 01): it returns ``(W - F + 2P)/S + 1`` as an
    integer (a Python int or a numpy integer; ``5.0`` is a float) and raises
    ``ValueError`` when that is not a whole number.
    """
    def body():
        found = _Findings()
        answers, truths, wrong, crashed = [], [], [], set()
        for i, (W, F, S, P) in enumerate(_SIZE_CASES):
            want = int(_exact(W, F, S, P))
            truths.append(want)
            call = f"output_size({W}, {F}, {S}, {P})"
            got, err = attempt_raising(output_size, W, F, S, P)
            answers.append(None if err is not None else got)
            if err is not None:
                if isinstance(err, ValueError):
                    if (W - F) % S and not (W - F + 2 * P) % S:
                        found.add("Your check for a whole number forgets the padding: the zeros on "
                                  "both sides are part of the width the filter slides over, and with "
                                  "them the filters tile this input.", f"{call} raised ValueError")
                    else:
                        found.add("ValueError is only for sizes that are not whole numbers: the filters "
                                  "tile this input.", f"{call} raised ValueError({err})")
                else:
                    crashed.add(type(err))
                    found.add(f"Your code raised {type(err).__name__}.",
                              f"{call} raised {error_text(err)}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return a number.", f"{call} returned {_shown(got)}")
                answers[-1] = None
            elif abs(value - want) > 1e-9:
                wrong.append((i, f"{call} returned {_shown(got)}"))
            elif not _is_integer_type(got):
                found.add("Return an integer, not a float: use // once you know the division is "
                          "exact (or int(...)).",
                          f"{call} returned {_shown(got)}")
        models = [(why, lambda i, f=f: f(*_SIZE_CASES[i])) for why, f in _SIZE_MISTAKES]
        _explain_wrong(found, wrong, answers, truths, models, _same_size,
                       "This size matches none of the usual mistakes: count by hand how many positions "
                       "the filter takes across a small padded input (W = 5, F = 3, S = 2, P = 1, say), "
                       "then run your function on those numbers and compare.")
        for W, F, S, P in _INVALID_CASES:
            call = f"output_size({W}, {F}, {S}, {P})"
            got, err = attempt_raising(output_size, W, F, S, P)
            if isinstance(err, ValueError):
                continue
            if err is not None and type(err) in crashed:
                continue  # the same crash as on the valid cases: said once above
            if err is not None:
                found.add("When the size is not a whole number, raise ValueError (write "
                          "`raise ValueError(...)`; an assert or another exception does not count).",
                          f"{call} raised {_raised(err)}")
                continue
            found.add("When the output size is not a whole number the filters do not tile the "
                      "input: raise ValueError instead of returning a number (frameworks round "
                      "down silently; this exercise asks you to refuse).",
                      f"{call} returned {_shown(got)}, but the filters do not tile this input")
        return found

    return _run("output_size(W, F, S, P)", body)


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def _strides_truth(W, F, P):
    span = W - F + 2 * P
    return _divisors(span) if span > 0 else [1]


def check_valid_strides(valid_strides: Callable) -> Feedback:
    """Check ``valid_strides(W, F, P)``: every stride S >= 1 that gives a whole output size.

    Conventions (stated in notebook 01): a list (or tuple, or array) of integers in
    increasing order; when the filter covers the padded input exactly
    (``W - F + 2P = 0``) one window fits whatever the stride, and the answer is ``[1]``.
    """
    cases = [(10, 3, 0), (7, 3, 0), (32, 5, 2), (227, 11, 0), (5, 5, 0), (13, 3, 1), (8, 2, 1),
             (12, 4, 0)]
    mistakes = [
        ("You forgot the padding: the zeros on both sides are part of the width the filter slides "
         "over.",
         lambda W, F, P: _strides_truth(W, F, 0) if W - F > 0 else None),
        ("Padding goes on both sides: P zeros before the input and P after it, not P in all.",
         lambda W, F, P: _divisors(W - F + P) if W - F + P > 0 else None),
        ("The largest valid stride is missing: a stride that jumps from the filter's first position "
         "straight to its last one (output size 2) is valid too; let your range include it.", lambda W, F, P: [s for s in _strides_truth(W, F, P)
                                         if s < W - F + 2 * P] or None),
        ("Not every stride fits: keep only those that give a whole output size (by hand: does stride "
         "2 fit W = 6, F = 3, P = 0?).",
         lambda W, F, P: list(range(1, W - F + 2 * P + 1)) or None),
        ("Those are the output sizes; return the strides.",
         lambda W, F, P: sorted((W - F + 2 * P) // s + 1 for s in _strides_truth(W, F, P))),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (W, F, P) in enumerate(cases):
            want = _strides_truth(W, F, P)
            truths.append(want)
            call = f"valid_strides({W}, {F}, {P})"
            got, err = attempt(valid_strides, W, F, P)
            if err:
                answers.append(None)
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            try:
                items = list(got)
            except TypeError:
                answers.append(None)
                found.add("Return a list of integers.", f"{call} returned {_shown(got)}")
                continue
            whole = [_whole(s) for s in items]
            if any(v is None for v in whole):
                answers.append(None)
                found.add("Return a list of integers.", f"{call} returned {_shown(got)}")
                continue
            answers.append(whole)
            if whole == want:
                continue
            if sorted(whole) == want:
                found.add("Return the strides in increasing order.", f"{call} returned {whole}")
                answers[-1] = sorted(whole)
                continue
            if W - F + 2 * P == 0:
                found.add("When the filter covers the padded input exactly (W - F + 2P = 0), one "
                          "window fits whatever the stride: return [1], as the exercise says.",
                          f"{call} returned {whole}")
                answers[-1] = None
                continue
            if 0 in whole:
                found.add("Stride 0 never moves the filter: strides start at 1.",
                          f"{call} returned {whole}")
                continue
            wrong.append((i, f"{call} returned {whole}"))
        models = [(why, lambda i, f=f: f(*cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: a == b,
                       "These strides match none of the usual mistakes: a stride is valid exactly when "
                       "the output size of Exercise 1 is a whole number; try each stride of a small case "
                       "(W = 6, F = 3, P = 0) by hand and compare.")
        return found

    return _run("valid_strides(W, F, P)", body)


def check_param_count(param_count: Callable) -> Feedback:
    """Check ``param_count(F, D_in, K)``: weights plus biases of a conv layer with sharing.

    Conventions (stated in notebook 01): one number (an int, a numpy integer or a
    whole float), ``F*F*D_in*K + K``.
    """
    cases = [(11, 3, 96), (5, 3, 10), (3, 20, 1), (3, 64, 64), (1, 512, 128), (7, 3, 64), (2, 5, 7)]
    mistakes = [
        ("Add the biases: one per filter, K of them.", lambda F, D, K: F * F * D * K),
        ("Each filter extends through the full input depth D_in: F*F*D_in weights per filter.",
         lambda F, D, K: F * F * K + K),
        ("There is one bias per filter (K), not one per weight.",
         lambda F, D, K: F * F * D * K + F * F * D * K),
        ("There is one bias per filter (K), not one per filter tap.",
         lambda F, D, K: F * F * D * K + F * F * D),
        ("A filter is F x F in space: F*F, not F.", lambda F, D, K: F * D * K + K),
        ("That is one filter; the layer has K of them.", lambda F, D, K: F * F * D + 1),
        ("Each of the K filters has its own bias: + K, not + 1.", lambda F, D, K: F * F * D * K + 1),
        ("You added a bias per input channel: a filter has one bias, however deep it is.", lambda F, D, K: F * F * D * K + D * K),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (F, D, K) in enumerate(cases):
            want = F * F * D * K + K
            truths.append(want)
            call = f"param_count({F}, {D}, {K})"
            got, err = attempt(param_count, F, D, K)
            if err:
                answers.append(None)
                found.add("Your code raised an exception.", f"{call} raised {err}")
                continue
            value = _number(got)
            if value is None:
                answers.append(None)
                parts = getattr(got, "_fields", None)
                if parts and hasattr(got, "total"):
                    found.add("Return one number: weights and biases added up (the library's "
                              "ParamCount has them in .total).", f"{call} returned {_shown(got)}")
                else:
                    found.add("Return one number.", f"{call} returned {_shown(got)}")
                continue
            answers.append(value)
            if value == want:
                continue
            wrong.append((i, f"{call} returned {_shown(got)}"))
        models = [(why, lambda i, f=f: f(*cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: abs(a - b) < 1e-9,
                       "This count matches none of the usual mistakes: count by hand for a tiny layer "
                       "(two 1x1 filters on a 3-channel input: how many weights, how many biases?), then "
                       "run your function on it and compare.")
        return found

    return _run("param_count(F, D_in, K)", body)
