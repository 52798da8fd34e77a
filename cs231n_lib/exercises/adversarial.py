"""Notebook 08 (adversarial examples): FGSM in three lines, the eps * ||w||_1 bound, and the paper's
"average confidence" on the wrong answers.

Each checker compares the student's answer with the typical wrong answers of the exercise (a
model of each mistake) and names the one that explains it; right answers written differently
(loops, np.clip or np.minimum/np.maximum, np.linalg.norm, float32, lists) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import (Feedback, _allclose, _as_float_array, _explain_wrong, _Findings, _number, _run, _shown,
                    attempt)

__all__ = ["check_fgsm_step", "check_linear_bound", "check_confidence_on_mistakes", "check_pgd_project"]


def _same(a, b):
    return a is not None and b is not None and _allclose(a, b)


def _same_number(a, b):
    import math

    x, y = _number(a), _number(b)
    if x is None or y is None or not (math.isfinite(x) and math.isfinite(y)):
        return False
    return abs(x - y) <= 1e-6 * max(1.0, abs(y))


def check_fgsm_step(fgsm_step: Callable) -> Feedback:
    """Check ``fgsm_step(x, grad, eps)``: the image ``x + eps * sign(grad)`` clipped to [0, 1].

    Conventions (stated in notebook 08): ``x`` and ``grad`` are arrays of one shape (an image
    or a batch), ``eps`` a number >= 0; return an array of x's shape, any float dtype.  Where
    the gradient is exactly 0 the pixel does not move (``np.sign(0) = 0``).
    """
    import numpy as np

    rng = np.random.default_rng(80)
    cases = [
        (np.array([[0.5, 0.5], [0.5, 0.5]]), np.array([[2.0, -3.0], [0.0, 0.5]]), 0.25),
        (np.array([[0.0, 1.0, 0.1], [0.95, 0.5, 0.0]]), np.array([[-1.0, 1.0, -4.0], [2.0, -0.5, 3.0]]), 0.2),
        (rng.random((1, 6, 6)), rng.standard_normal((1, 6, 6)) * 1e-3, 0.1),
        (rng.random((2, 1, 4, 4)).astype(np.float32), rng.standard_normal((2, 1, 4, 4)).astype(np.float32), 0.3),
        (rng.random((3, 3)), rng.standard_normal((3, 3)), 0.0),
    ]

    def truth(x, g, e):
        return np.clip(x + e * np.sign(g), 0, 1)

    def mistakes(x, g, e):
        return [
            ("That steps down the loss, towards a more confident right answer; FGSM raises the loss, "
             "so each pixel moves the way its gradient points.", lambda: np.clip(x - e * np.sign(g), 0, 1)),
            ("That moves each pixel in proportion to its gradient; FGSM keeps only the sign, so every pixel "
             "moves by exactly eps.", lambda: np.clip(x + e * g, 0, 1)),
            ("That rescales the gradient; FGSM keeps only its sign, so every moving pixel moves by exactly "
             "eps, however small its gradient.",
             lambda: np.clip(x + e * g / max(float(np.abs(g).max()), 1e-300), 0, 1)),
            ("That normalizes the gradient to length 1 (the step of a fooling image); FGSM keeps only its sign, "
             "so every pixel moves by exactly eps.",
             lambda: np.clip(x + e * g / max(float(np.sqrt(np.sum(g * g))), 1e-300), 0, 1)),
            ("(grad > 0) is 0 or 1, so no pixel ever goes down; a pixel whose gradient is negative must "
             "move down by eps.",
             lambda: np.clip(x + e * (g > 0), 0, 1)),
            ("A pixel whose gradient is 0 should not move: np.sign(0) is 0, but (grad >= 0) * 2 - 1 makes it +1.",
             lambda: np.clip(x + e * np.where(g >= 0, 1.0, -1.0), 0, 1)),
            ("Clip the result to the pixel range [0, 1]: without it a pixel can leave the range of a valid "
             "image.", lambda: x + e * np.sign(g)),
            ("The pixel range is [0, 1] (the loader's 'unit' convention), not [-1, 1].",
             lambda: np.clip(x + e * np.sign(g), -1, 1)),
            ("You clipped the perturbation, not the image: clipping eps * sign(grad) to [0, 1] drops every "
             "step down, and it is the image that must stay in the pixel range.",
             lambda: x + np.clip(e * np.sign(g), 0, 1)),
            ("You returned the perturbation eta = eps * sign(grad); return the perturbed image, kept in the "
             "pixel range.", lambda: e * np.sign(g)),
            ("You returned the perturbation eta = eps * sign(grad), clipped; return the perturbed image "
             "(it is the image that stays in [0, 1]).", lambda: np.clip(e * np.sign(g), 0, 1)),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (x, g, e) in enumerate(cases):
            want = truth(x.astype(float), g.astype(float), e)
            truths.append(want)
            models_of.append(mistakes(x.astype(float), g.astype(float), e))
            label = f"x of shape {x.shape}, eps={e:g}"
            answers.append(None)
            got, err = attempt(fgsm_step, x.copy(), g.copy(), e)
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            got = _as_float_array(got)
            if got is None:
                found.add("Return an array of numbers (the perturbed image).", f"with {label} it returned "
                          "something else")
                continue
            if got.shape != want.shape:
                found.add("Return an array of x's shape: every pixel of x, each moved by at most eps.",
                          f"with {label} it returned shape {got.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                shown = f": got {np.round(got, 3).tolist()}" if want.size <= 6 else ""
                wrong.append((i, f"with {label}{shown}"))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]()) for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models, _same,
                       "This image matches none of the usual mistakes: work out x = [[0.5, 0.95]], "
                       "grad = [[-2.0, 3.0]], eps = 0.1 by hand (section 3) and compare with your function "
                       "on it.")
        return found

    return _run("fgsm_step(x, grad, eps)", body)


def check_linear_bound(linear_bound: Callable) -> Feedback:
    """Check ``linear_bound(w, eps)``: the largest increase of ``w . x`` when every input of ``x``
    changes by at most ``eps``: ``eps * ||w||_1``, one number.  ``w`` may have any shape (an image
    of weights); every entry is one input's weight."""
    import numpy as np

    rng = np.random.default_rng(81)
    cases = [
        (np.array([1.0, -2.0, 3.0]), 0.1),
        (rng.standard_normal(1024) * 0.05, 1 / 255),
        (np.array([[0.0, -1.5], [2.5, 0.0]]), 0.25),
        (rng.standard_normal((28, 28)).astype(np.float32), 0.07),
        (np.array([-0.5, -0.5, -1.0, 2.0]), 0.0),
    ]

    def mistakes(w, e):
        a = np.abs(w)
        n = w.size
        return [
            ("Negative weights count too: an input with a negative weight raises the score when it moves "
             "down.", lambda: e * float(np.sum(w))),
            ("That is eps times the L2 norm, the bound for a change of length eps; here each input may move "
             "by up to eps on its own (the max-norm), so ask what each input can add at most.",
             lambda: e * float(np.sqrt(np.sum(w * w)))),
            ("That is the typical change for random signs, eps * m * sqrt(n); the largest change lines every "
             "sign up with w (section 2).",
             lambda: e * float(a.mean()) * float(np.sqrt(n))),
            ("You averaged over the inputs: every input adds its own share, so the bound grows with the "
             "number of inputs.", lambda: e * float(a.mean())),
            ("n * max|w_i| counts the largest weight n times; each input gains according to its own weight.",
             lambda: e * n * float(a.max())),
            ("Multiply by eps: each input moves by eps, not by 1.", lambda: float(np.sum(a))),
            ("eps enters once, not squared.", lambda: e * e * float(np.sum(a))),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (w, e) in enumerate(cases):
            want = e * float(np.sum(np.abs(w.astype(np.float64))))
            truths.append(want)
            models_of.append(mistakes(w.astype(np.float64), e))
            label = f"w of shape {w.shape}, eps={e:.4g}"
            answers.append(None)
            got, err = attempt(linear_bound, w.copy(), e)
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            value = _number(got)
            if value is None:
                arr = _as_float_array(got)
                if arr is not None and arr.shape == w.shape:
                    found.add("Return one number: the bound for all the inputs together, not one per input.",
                              f"with {label} it returned an array of w's shape")
                else:
                    found.add("Return one number.", f"with {label} it returned {_shown(got)}")
                continue
            answers[-1] = value
            if abs(value - want) > 1e-5 * max(1.0, abs(want)):
                wrong.append((i, f"with {label}: got {value:.6g}"))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]()) for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models, _same_number,
                       "This bound matches none of the usual mistakes: for w = [1, -2] and eps = 0.1, choose "
                       "by hand the change of each input (at most 0.1 either way) that raises w.x most, and "
                       "compare that gain with your function's.")
        return found

    return _run("linear_bound(w, eps)", body)


def check_confidence_on_mistakes(confidence_on_mistakes: Callable) -> Feedback:
    """Check ``confidence_on_mistakes(probs, y)``: the mean, over the examples the classifier gets
    wrong, of the probability it gives its own answer (the paper's "average confidence").
    ``probs`` (N, C) class probabilities, ``y`` (N,) labels; each case has at least one mistake.
    Return a fraction between 0 and 1."""
    import numpy as np

    rng = np.random.default_rng(82)

    def random_probs(n, c):
        s = rng.standard_normal((n, c)) * 2
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    cases = [
        (np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.2, 0.2, 0.6], [0.5, 0.4, 0.1]]), np.array([0, 2, 2, 1])),
        (random_probs(50, 10), rng.integers(0, 10, 50)),
        (np.array([[0.05, 0.95], [0.9, 0.1], [0.3, 0.7]]), np.array([1, 1, 1])),
        (random_probs(20, 4).astype(np.float32), rng.integers(0, 4, 20)),
    ]

    def mistakes(p, y):
        pred = p.argmax(axis=1)
        conf = p.max(axis=1)
        wrong = pred != y
        rows = np.arange(len(y))
        return [
            ("You averaged over every example; the paper's confidence is over the wrong answers only.",
             lambda: float(conf.mean())),
            ("That is the probability of the right class; the paper's confidence is the probability the "
             "net gives its own (wrong) answer.", lambda: float(p[rows, y][wrong].mean())),
            ("You averaged over the right answers; the paper's confidence is over the mistakes.",
             lambda: float(conf[~wrong].mean()) if (~wrong).any() else None),
            ("That is the fraction of mistakes (the error rate), not the confidence.", lambda: float(wrong.mean())),
            ("Return a fraction between 0 and 1, not a percentage.", lambda: 100 * float(conf[wrong].mean())),
            ("Divide by the number of mistakes: that is the sum of their confidences.",
             lambda: float(conf[wrong].sum())),
            ("Divide by the number of mistakes, not by the number of examples.",
             lambda: float(conf[wrong].sum()) / len(y)),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong_cases, models_of = [], [], [], []
        for i, (p, y) in enumerate(cases):
            pred = p.argmax(axis=1)
            want = float(p.max(axis=1)[pred != y].mean())
            truths.append(want)
            models_of.append(mistakes(p.astype(np.float64), y))
            label = f"{len(y)} examples, {int((pred != y).sum())} wrong"
            answers.append(None)
            got, err = attempt(confidence_on_mistakes, p.copy(), y.copy())
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return one number (a mean).", f"with {label} it returned {_shown(got)}")
                continue
            answers[-1] = value
            if not _same_number(value, want):
                wrong_cases.append((i, f"with {label}: got {value:.4f}"))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]()) for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong_cases, answers, truths, models, _same_number,
                       "This number matches none of the usual mistakes: for probs [[0.6, 0.4], [0.3, 0.7]] "
                       "and y [1, 1], find the mistake and the probability the net gives its own answer "
                       "there by hand, and compare with your function on it.")
        return found

    return _run("confidence_on_mistakes(probs, y)", body)


def check_pgd_project(pgd_project: Callable) -> Feedback:
    """Check ``pgd_project(x_adv, x, eps)``: PGD's projection, every pixel of ``x_adv`` clipped to
    ``[max(x - eps, 0), min(x + eps, 1)]`` (the eps-ball around the digit ``x`` intersected with the
    pixel range).  Arrays of one shape; return an array of that shape, any float dtype.
    """
    import numpy as np

    rng = np.random.default_rng(82)
    cases = [
        (np.array([[0.9, 0.2], [0.5, 0.5]]), np.array([[0.5, 0.5], [0.5, 0.45]]), 0.25),
        (np.array([[1.3, -0.2, 0.6], [0.05, 0.95, 0.3]]), np.array([[0.95, 0.1, 0.4], [0.0, 1.0, 0.3]]), 0.2),
        (rng.uniform(-0.5, 1.5, size=(2, 1, 4, 4)), rng.random((2, 1, 4, 4)), 0.1),
        (rng.uniform(-0.5, 1.5, size=(3, 3)).astype(np.float32), rng.random((3, 3)).astype(np.float32), 0.3),
        (rng.uniform(0, 1, size=(4,)), rng.uniform(0, 1, size=(4,)), 0.0),
    ]

    def truth(a, x, e):
        return np.clip(a, np.maximum(x - e, 0), np.minimum(x + e, 1))

    def mistakes(a, x, e):
        return [
            ("That keeps the pixel range but forgets the budget: a pixel may end more than eps from the digit. "
             "Clip to [x - eps, x + eps] as well.", lambda: np.clip(a, 0, 1)),
            ("That keeps the budget but forgets the pixel range: a pixel may leave [0, 1]. Clip to [0, 1] as "
             "well.", lambda: np.clip(a, x - e, x + e)),
            ("You returned x_adv unchanged: some of its pixels lie outside the allowed set, and the "
             "projection moves them back into it.", lambda: np.array(a, dtype=float)),
            ("You returned the digit x: the projection moves x_adv only as far as it must, to the nearest point "
             "of the allowed box.", lambda: np.array(x, dtype=float)),
            ("You returned the perturbation, the projected image minus x; return the projected image itself.",
             lambda: truth(a, x, e) - x),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (a, x, e) in enumerate(cases):
            want = truth(a.astype(float), x.astype(float), e)
            truths.append(want)
            models_of.append(mistakes(a.astype(float), x.astype(float), e))
            label = f"x of shape {x.shape}, eps={e:g}"
            answers.append(None)
            got, err = attempt(pgd_project, a.copy(), x.copy(), e)
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            got = _as_float_array(got)
            if got is None:
                found.add("Return an array of numbers (the projected image).", f"with {label} it returned "
                          "something else")
                continue
            if got.shape != want.shape:
                found.add("Return an array of x's shape: every pixel, put back into the allowed box.",
                          f"with {label} it returned shape {got.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                shown = f": got {np.round(got, 3).tolist()}" if want.size <= 6 else ""
                wrong.append((i, f"with {label}{shown}"))
        models = [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]()) for k in range(len(models_of[0]))]
        _explain_wrong(found, wrong, answers, truths, models, _same,
                       "This image matches none of the usual mistakes: for one pixel of a digit at x = 0.95 "
                       "with eps = 0.1, work out by hand where x_adv = 1.2, 0.5 and 0.9 must end, and compare "
                       "with your function on them.")
        return found

    return _run("pgd_project(x_adv, x, eps)", body)
