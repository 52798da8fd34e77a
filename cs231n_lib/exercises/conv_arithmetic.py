"""Notebook 01 (conv arithmetic): output size, valid strides, parameter count."""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _close, _NotImplemented, _run, attempt

__all__ = ["check_output_size", "check_valid_strides", "check_param_count"]

def _true_output(W, F, S, P):
    span = W - F + 2 * P
    return span / S + 1


_SIZE_CASES = [
    # (W, F, S, P)
    (7, 3, 1, 0), (7, 3, 2, 0), (5, 3, 1, 1), (227, 11, 4, 0),
    (32, 5, 1, 2), (224, 3, 1, 1), (11, 5, 2, 0), (10, 4, 2, 1), (9, 3, 3, 0),
]


_INVALID_CASES = [(10, 3, 2, 0), (8, 3, 2, 0), (6, 4, 3, 1)]


def _diagnose_size(W, F, S, P, got):
    """Name the likely mistake behind a wrong output size."""
    want = _true_output(W, F, S, P)
    guesses = [
        ((W - F + 2 * P) / S, "you forgot the + 1: the first filter position also counts"),
        ((W - F + P) / S + 1, "padding goes on both sides: use 2*P, not P"),
        ((W - F) / S + 1, "you forgot the zero-padding P"),
        ((W - F + 2 * P) + 1, "you forgot to divide by the stride S"),
        ((W + F + 2 * P) / S + 1, "subtract the filter size F, do not add it"),
        ((W - F + 2 * P) // S + 1 + 1, "off by one: count the filter positions 0, S, 2S, ..."),
    ]
    for guess, why in guesses:
        if guess != want and _close(got, guess):
            return why
    return f"expected {want:g}"


def check_output_size(output_size: Callable) -> Feedback:
    """Check ``output_size(W, F, S, P)``: the output width of a conv layer.

    It must return the integer ``(W - F + 2P)/S + 1`` for valid settings and
    raise ``ValueError`` when that is not an integer.
    """
    def body():
        problems = []
        for W, F, S, P in _SIZE_CASES:
            got, err = attempt(output_size, W, F, S, P)
            want = int(_true_output(W, F, S, P))
            if err:
                problems.append(f"output_size({W}, {F}, {S}, {P}) raised {err}; expected {want}")
            elif not _close(got, want):
                problems.append(
                    f"output_size({W}, {F}, {S}, {P}) returned {got!r}: "
                    f"{_diagnose_size(W, F, S, P, got)} (expected {want})"
                )
            elif not isinstance(got, int):
                problems.append(
                    f"output_size({W}, {F}, {S}, {P}) returned {got!r} of type "
                    f"{type(got).__name__}; return an int such as {want} (use // once you know it divides)"
                )
        for W, F, S, P in _INVALID_CASES:
            try:
                got = output_size(W, F, S, P)
            except ValueError:
                continue
            except NotImplementedError:
                raise _NotImplemented from None
            except Exception as err:
                problems.append(
                    f"output_size({W}, {F}, {S}, {P}) raised {type(err).__name__}; raise ValueError instead"
                )
                continue
            problems.append(
                f"output_size({W}, {F}, {S}, {P}) returned {got!r}, but "
                f"({W} - {F} + 2*{P})/{S} + 1 = {_true_output(W, F, S, P):g} is not an integer: "
                "raise ValueError instead of rounding"
            )
        return problems

    return _run("output_size(W, F, S, P)", body)


def check_valid_strides(valid_strides: Callable) -> Feedback:
    """Check ``valid_strides(W, F, P)``: every stride S >= 1 that gives an integer output."""
    cases = [(10, 3, 0), (7, 3, 0), (32, 5, 2), (227, 11, 0), (5, 5, 0), (13, 3, 1)]

    def body():
        problems = []
        for W, F, P in cases:
            span = W - F + 2 * P
            want = [s for s in range(1, span + 1) if span % s == 0] if span else [1]
            got, err = attempt(valid_strides, W, F, P)
            if err:
                problems.append(f"valid_strides({W}, {F}, {P}) raised {err}; expected {want}")
                continue
            try:
                got_list = sorted(int(s) for s in got)
            except (TypeError, ValueError):
                problems.append(f"valid_strides({W}, {F}, {P}) returned {got!r}; return a list of ints")
                continue
            if got_list == want:
                continue
            missing = sorted(set(want) - set(got_list))
            extra = sorted(set(got_list) - set(want))
            why = []
            if missing:
                why.append(f"missing {missing}")
                if span in missing:
                    why.append(
                        f"a stride as large as W - F + 2P = {span} is valid too (it gives output 2)"
                    )
            if extra:
                why.append(f"{extra} do not divide W - F + 2P = {span}")
                if 0 in extra:
                    why.append("stride 0 never moves the filter")
            if P and sorted(
                s for s in range(1, W - F + 1) if (W - F) % s == 0
            ) == got_list:
                why.append("you forgot the padding 2P")
            problems.append(
                f"valid_strides({W}, {F}, {P}) returned {got_list}, expected {want}: " + "; ".join(why)
            )
        return problems

    return _run("valid_strides(W, F, P)", body)


def check_param_count(param_count: Callable) -> Feedback:
    """Check ``param_count(F, D_in, K)``: weights plus biases of a conv layer with sharing."""
    cases = [(11, 3, 96), (5, 3, 10), (3, 20, 1), (3, 64, 64), (1, 512, 128), (7, 3, 64)]

    def body():
        problems = []
        for F, D, K in cases:
            want = F * F * D * K + K
            got, err = attempt(param_count, F, D, K)
            if err:
                problems.append(f"param_count({F}, {D}, {K}) raised {err}; expected {want}")
            elif _close(got, want):
                continue
            elif _close(got, F * F * D * K):
                problems.append(f"param_count({F}, {D}, {K}) = {got}: add the {K} biases, one per filter")
            elif _close(got, F * F * K + K):
                problems.append(
                    f"param_count({F}, {D}, {K}) = {got}: each filter extends through the full "
                    f"input depth D_in = {D}"
                )
            elif _close(got, F * F * D * K + F * F * D):
                problems.append(f"param_count({F}, {D}, {K}) = {got}: there is one bias per filter (K), not per weight")
            elif _close(got, F * D * K + K):
                problems.append(f"param_count({F}, {D}, {K}) = {got}: a filter is F x F spatially, so F*F")
            else:
                problems.append(f"param_count({F}, {D}, {K}) = {got!r}, expected {want}")
        return problems

    return _run("param_count(F, D_in, K)", body)
