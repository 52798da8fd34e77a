"""Notebook 05 (training a ConvNet): initial loss, a momentum step, accuracy.

Each checker compares the student's answers with models of the typical mistakes
and names the one that explains them; right answers written differently
(``np.log``, ``-log(1/C)``, float32, in-place updates, ``np.mean`` of booleans) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _allclose, _explain_wrong, _Findings, _number, _run, _shown, attempt

__all__ = ["check_initial_loss", "check_momentum_step", "check_accuracy"]


def check_initial_loss(initial_loss: Callable) -> Feedback:
    """Check ``initial_loss(C)``: the softmax loss of an untrained net on C classes, ln(C).

    Conventions (stated in notebook 05): one number (a float, a numpy float, float32 is
    fine), the natural logarithm.
    """
    import math

    cases = [2, 3, 10, 100, 1000]
    mistakes = [
        ("That is the probability of each class, 1/C; the softmax loss is the negative log of the right "
         "class's probability (section 2).", lambda C: 1 / C),
        ("Mind the sign: a loss is minus the log of a probability, so it is positive.", lambda C: -math.log(C)),
        ("The loss uses the natural log (np.log), not log10.", lambda C: math.log10(C)),
        ("The loss uses the natural log (np.log), not log2.", lambda C: math.log2(C)),
        ("That is the error rate of guessing, not a loss: the softmax loss is a negative log-probability "
         "(section 2).", lambda C: 1 - 1 / C),
        ("That is ln(C - 1), the log of the number of wrong classes; the loss is about the probability of "
         "the right class, not ln(C - 1).",
         lambda C: math.log(C - 1) if C > 2 else None),
    ]

    def same(a, b):
        return abs(a - b) <= 1e-6 * max(1.0, abs(b))

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, C in enumerate(cases):
            want = math.log(C)
            truths.append(want)
            got, err = attempt(initial_loss, C)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"initial_loss({C}) raised {err}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return one number.", f"initial_loss({C}) returned {_shown(got)}")
                continue
            answers[-1] = value
            if not same(value, want):
                wrong.append((i, f"initial_loss({C}) returned {value:.4f}"))
        models = [(why, lambda i, f=f: f(cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, same,
                       "This loss matches none of the usual mistakes: with C equally likely classes, what "
                       "probability does the right class get, and what softmax loss goes with it? "
                       "(Section 2 measures it for 10 classes.)")
        return found

    return _run("initial_loss(C)", body)


def check_momentum_step(momentum_step: Callable) -> Feedback:
    """Check ``momentum_step(w, dw, v, learning_rate, momentum) -> (next_w, next_v)``.

    The rule: ``v = momentum * v - learning_rate * dw``, then ``w + v``.  Conventions
    (stated in notebook 05): return the pair in that order; updating ``w`` or ``v`` in
    place is fine.
    """
    import numpy as np

    rng = np.random.default_rng(5)
    cases = [(rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4), 0.1, 0.9),
             (np.ones(3), np.full(3, 2.0), np.full(3, 0.5), 0.5, 0.5),
             (rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3)),
              1e-2, 0.99)]

    def models(w, dw, v, lr, mu):
        return [
            ("Return (next_w, next_v) in that order: you returned the velocity first.",
             lambda: (mu * v - lr * dw, w + mu * v - lr * dw)),
            ("next_w is a plain SGD step: with momentum the weights move by the velocity, not by the "
             "gradient.",
             lambda: (w - lr * dw, mu * v - lr * dw)),
            ("You moved w with the old velocity: the weights move by the velocity of this step.",
             lambda: (w + v, mu * v - lr * dw)),
            ("The gradient points uphill: the velocity must move against it.",
             lambda: (w + mu * v + lr * dw, mu * v + lr * dw)),
            ("The old velocity must decay: multiply it by momentum.",
             lambda: (w + v - lr * dw, v - lr * dw)),
            ("Multiply the gradient by the learning rate, and the old velocity by momentum, not "
             "the other way round.", lambda: (w + lr * v - mu * dw, lr * v - mu * dw)),
        ]

    def same(a, b):
        return (a is not None and b is not None
                and all(_allclose(np.asarray(x, float), np.asarray(y, float)) for x, y in zip(a, b)))

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (w, dw, v, lr, mu) in enumerate(cases):
            want = (w + mu * v - lr * dw, mu * v - lr * dw)
            truths.append(want)
            models_of.append(models(w, dw, v, lr, mu))
            label = f"with learning_rate={lr}, momentum={mu}"
            got, err = attempt(momentum_step, w.copy(), dw.copy(), v.copy(), lr, mu)
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"{label}: raised {err}")
                continue
            try:
                if isinstance(got, np.ndarray) or len(got) != 2:
                    raise TypeError
                next_w, next_v = (np.asarray(a, dtype=float) for a in got)
            except (TypeError, ValueError):
                found.add("Return the pair (next_w, next_v).", f"{label}: returned {_shown(got)}")
                continue
            if next_w.shape != w.shape or next_v.shape != v.shape:
                found.add("next_w and next_v have the shape of w.",
                          f"{label}: got shapes {next_w.shape} and {next_v.shape}; w has shape {w.shape}")
                continue
            answers[-1] = (next_w, next_v)
            if not same(answers[-1], want):
                wrong.append((i, label))
        ms = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]()) for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, ms, same,
                       "next_w or next_v is off in a way none of the usual mistakes explains: do one step "
                       "by hand for a single weight (w = 0, dw = 1, v = 1, learning_rate = 0.1, "
                       "momentum = 0.9), following the exercise's two sentences, and compare with your "
                       "function on those numbers.")
        return found

    return _run("momentum_step(w, dw, v, learning_rate, momentum)", body)


def check_accuracy(accuracy: Callable) -> Feedback:
    """Check ``accuracy(scores, y)``: the fraction of rows whose highest score is the label.

    Conventions (stated in notebook 05): one number between 0 and 1 (not a percentage).
    """
    import numpy as np

    rng = np.random.default_rng(7)
    scores = rng.standard_normal((8, 4))
    y = np.argmax(scores, axis=1)
    y[[1, 4, 6]] = (y[[1, 4, 6]] + 1) % 4
    square = rng.standard_normal((4, 4))
    y_square = np.array([0, 1, 2, 3])
    wide = rng.standard_normal((5, 3)).astype(np.float32)
    y_wide = np.array([0, 2, 1, 1, 0])
    cases = [(scores, y), (square, y_square), (wide, y_wide)]

    def truth(s, labels):
        return float(np.mean(np.argmax(s, axis=1) == labels))

    mistakes = [
        ("That is the number of correct rows; divide by the number of rows.",
         lambda s, labels: truth(s, labels) * len(labels)),
        ("That is a percentage; return a fraction between 0 and 1.",
         lambda s, labels: truth(s, labels) * 100),
        ("Take the argmax along each row (axis=1): one prediction per example.",
         lambda s, labels: float(np.mean(np.argmax(s, axis=0) == labels))
         if s.shape[0] == s.shape[1] else None),
        ("That is the error rate; accuracy counts the correct rows.",
         lambda s, labels: 1 - truth(s, labels)),
        ("Compare the position of the highest score (argmax) with y, not the highest score itself.",
         lambda s, labels: float(np.mean(np.max(s, axis=1) == labels))),
    ]

    def body():
        found = _Findings()
        answers, truths, wrong = [], [], []
        for i, (s, labels) in enumerate(cases):
            want = truth(s, labels)
            truths.append(want)
            got, err = attempt(accuracy, s.copy(), labels.copy())
            answers.append(None)
            label = f"accuracy on {s.shape[0]} examples of {s.shape[1]} classes"
            if err:
                found.add("Your code raised an exception.", f"{label} raised {err}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return one number between 0 and 1.", f"{label} returned {_shown(got)}")
                continue
            answers[-1] = value
            if abs(value - want) > 1e-6:
                wrong.append((i, f"{label} returned {value:.3f}"))
        models = [(why, lambda i, f=f: f(*cases[i])) for why, f in mistakes]
        _explain_wrong(found, wrong, answers, truths, models, lambda a, b: abs(a - b) < 1e-6,
                       "This accuracy matches none of the usual mistakes: write 3 rows of scores and their "
                       "labels by hand, count the rows your eye calls right, and compare with your "
                       "function on them.")
        return found

    return _run("accuracy(scores, y)", body)
