"""Notebook 05 (training a ConvNet): initial loss, a momentum step, accuracy."""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _run, attempt

__all__ = ["check_initial_loss", "check_momentum_step", "check_accuracy"]

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
