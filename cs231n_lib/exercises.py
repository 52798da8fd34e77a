"""Checkers for the notebooks' exercises.

A checker takes the student's function, calls it on a set of cases, and
returns a :class:`Feedback` whose text the notebook displays.  It never
raises: an untouched stub (one that raises ``NotImplementedError`` or returns
``None``) gets a friendly "not implemented yet", and a wrong answer gets an
explanation of the likely mistake (off by one, padding on one side only, ...).

Every checker follows the same shape, so a new notebook adds a section with
its own checkers built from :func:`attempt` and :class:`Feedback`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, List

__all__ = [
    "Feedback",
    "attempt",
    "check_output_size",
    "check_valid_strides",
    "check_param_count",
]

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


# ----------------------------------------------------- notebook 01: arithmetic
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


def _close(a, b):
    try:
        return abs(float(a) - float(b)) < 1e-9
    except (TypeError, ValueError):
        return False


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


# ------------------------------------------------ notebook 05: training a ConvNet
def check_initial_loss(initial_loss: Callable) -> Feedback:
    """Check ``initial_loss(C)``: the softmax loss of an untrained net on C classes, ln(C)."""
    import math

    cases = [2, 3, 10, 100, 1000]

    def body():
        problems = []
        for C in cases:
            want = math.log(C)
            got, err = attempt(initial_loss, C)
            if err:
                problems.append(f"initial_loss({C}) raised {err}; expected {want:.4f}")
                continue
            try:
                value = float(got)
            except (TypeError, ValueError):
                problems.append(f"initial_loss({C}) returned {got!r}; return a number")
                continue
            if abs(value - want) < 1e-6:
                continue
            guesses = [
                (1 / C, "that is the probability of each class, 1/C; the loss is -ln(1/C)"),
                (-math.log(C), "mind the sign: the loss is -ln(1/C) = +ln(C), a positive number"),
                (math.log10(C), "numpy's and the loss's log is the natural log (np.log), not log10"),
                (math.log2(C), "the loss uses the natural log (np.log), not log2"),
                (1 - 1 / C, "that is the error rate of guessing; the loss is -ln(1/C)"),
            ]
            why = next((w for g, w in guesses if abs(value - g) < 1e-6), f"expected ln({C}) = {want:.4f}")
            problems.append(f"initial_loss({C}) returned {value:.4f}: {why}")
        return problems

    return _run("initial_loss(C)", body)


def check_momentum_step(momentum_step: Callable) -> Feedback:
    """Check ``momentum_step(w, dw, v, learning_rate, momentum) -> (next_w, next_v)``.

    The rule: ``v = momentum * v - learning_rate * dw``, then ``w + v``.
    """
    import numpy as np

    rng = np.random.default_rng(5)
    cases = [(rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4), 0.1, 0.9),
             (np.ones(3), np.full(3, 2.0), np.zeros(3), 0.5, 0.5),
             (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), 1e-2, 0.99)]

    def body():
        problems = []
        for w, dw, v, lr, mu in cases:
            want_v = mu * v - lr * dw
            want_w = w + want_v
            got, err = attempt(momentum_step, w.copy(), dw.copy(), v.copy(), lr, mu)
            if err:
                problems.append(f"momentum_step raised {err}")
                continue
            try:
                next_w, next_v = (np.asarray(a, dtype=float) for a in got)
            except (TypeError, ValueError):
                problems.append(f"momentum_step returned {type(got).__name__}; return the pair (next_w, next_v)")
                continue
            if next_w.shape != w.shape or next_v.shape != v.shape:
                problems.append(f"shapes: got next_w {next_w.shape}, next_v {next_v.shape}; expected {w.shape} for both")
                continue
            if np.allclose(next_w, want_w) and np.allclose(next_v, want_v):
                continue
            if np.allclose(next_w, w - lr * dw):
                why = "next_w is a plain SGD step: add the new velocity to w instead"
            elif np.allclose(next_w, w + v):
                why = "you moved w with the old velocity: update v first, then w + v"
            elif np.allclose(next_v, mu * v + lr * dw):
                why = "the gradient points uphill: subtract learning_rate * dw"
            elif np.allclose(next_v, v - lr * dw):
                why = "the old velocity must decay: multiply it by momentum"
            else:
                why = f"expected next_v = {mu}*v - {lr}*dw and next_w = w + next_v"
            problems.append(f"with learning_rate={lr}, momentum={mu}: {why}")
            break
        return problems

    return _run("momentum_step(w, dw, v, learning_rate, momentum)", body)


def check_accuracy(accuracy: Callable) -> Feedback:
    """Check ``accuracy(scores, y)``: the fraction of rows whose highest score is the label."""
    import numpy as np

    rng = np.random.default_rng(7)
    scores = rng.standard_normal((8, 4))
    y = np.argmax(scores, axis=1)
    y[[1, 4, 6]] = (y[[1, 4, 6]] + 1) % 4
    square = rng.standard_normal((4, 4))
    y_square = np.array([0, 1, 2, 3])

    def body():
        problems = []
        for s, labels in ((scores, y), (square, y_square)):
            want = float(np.mean(np.argmax(s, axis=1) == labels))
            got, err = attempt(accuracy, s.copy(), labels.copy())
            if err:
                problems.append(f"accuracy raised {err}")
                continue
            try:
                value = float(got)
            except (TypeError, ValueError):
                problems.append(f"accuracy returned {got!r}; return one number between 0 and 1")
                continue
            if abs(value - want) < 1e-9:
                continue
            if abs(value - want * len(labels)) < 1e-9:
                why = "that is the number of correct rows; divide by the number of rows"
            elif s.shape[0] == s.shape[1] and abs(value - float(np.mean(np.argmax(s, axis=0) == labels))) < 1e-9:
                why = "take the argmax along each row (axis=1): one prediction per example"
            elif abs(value - (1 - want)) < 1e-9:
                why = "that is the error rate; accuracy counts the correct rows"
            else:
                why = f"expected {want:.3f}"
            problems.append(f"accuracy on {s.shape[0]} examples returned {value:.3f}: {why}")
        return problems

    return _run("accuracy(scores, y)", body)
