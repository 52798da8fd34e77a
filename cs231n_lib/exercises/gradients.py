"""Notebook 07 (looking through the gradient): the guided ReLU backward rule, the total-variation
regularizer with its gradient, and the mass of a map inside an object mask.

Each checker compares the student's answer with models of the typical mistakes and names
the one that explains it; right answers written differently (np.where, boolean masks,
slicing or padding, float32, lists) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _allclose, _as_float_array, _explain_wrong, _Findings, _number, _run, _shown, attempt

__all__ = ["check_guided_relu_backward", "check_tv2", "check_mass_inside"]


def _same(a, b):
    return a is not None and b is not None and _allclose(a, b)


def _models(models_of):
    """``[(diagnosis, value_of(i))]`` from one list of (diagnosis, thunk) pairs per case."""
    return [(models_of[0][k][0], lambda i, k=k: models_of[i][k][1]()) for k in range(len(models_of[0]))]


# ------------------------------------------------------------------ guided ReLU
def check_guided_relu_backward(guided_relu_backward: Callable) -> Feedback:
    """Check ``guided_relu_backward(dout, x) -> dx``: guided backpropagation through a ReLU.

    Conventions (stated in notebook 07): the arguments come as in CS231n's
    ``relu_backward(dout, cache)``, the incoming gradient first and the ReLU's
    forward input x second; the result has x's shape; the gradient passes
    where x > 0 *and* dout > 0 (strictly), and is 0 elsewhere.
    """
    import numpy as np

    rng = np.random.default_rng(70)
    cases = [
        (np.array([-1.0, 1.0, -1.0, 1.0, 0.0, 0.5]), np.array([-2.0, -1.0, 1.0, 2.0, 2.0, 3.0])),
        (rng.standard_normal((3, 4)), rng.standard_normal((3, 4))),
        (np.array([[3.0, -2.0], [0.5, 1.0]]), np.array([[0.0, 1.0], [2.0, -1.0]])),
        (rng.standard_normal((2, 2, 3, 3)).astype(np.float32), rng.standard_normal((2, 2, 3, 3)).astype(np.float32)),
    ]

    def mistakes(dout, x):
        return [
            ("That is the plain ReLU backward pass (x > 0 only). Guided backpropagation also drops the "
             "negative incoming gradients: multiply by (dout > 0) as well.", lambda: dout * (x > 0)),
            ("That is the deconvnet rule (dout > 0 only). Guided backpropagation also needs the forward "
             "input to be positive: multiply by (x > 0) as well.", lambda: dout * (dout > 0)),
            ("You let the gradient through where x > 0 *or* dout > 0; it must be both.",
             lambda: dout * ((x > 0) | (dout > 0))),
            ("That is the mask of where the gradient passes (0s and 1s); multiply it by dout.",
             lambda: ((x > 0) & (dout > 0)).astype(float)),
            ("You multiplied by the ReLU's output max(x, 0); the backward pass multiplies by the mask "
             "(x > 0), whose entries are 0 or 1.", lambda: dout * (dout > 0) * np.maximum(x, 0)),
            ("At x = 0 the ReLU is flat and its gradient is 0: pass only where x > 0 strictly.",
             lambda: dout * (x >= 0) * (dout > 0)),
            ("Negative incoming gradients are dropped (set to 0), not flipped: no abs.",
             lambda: np.abs(dout) * (x > 0)),
            ("It looks like the arguments are swapped: the function receives (dout, x), the gradient "
             "first, as relu_backward(dout, cache).", lambda: x * (x > 0) * (dout > 0)),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (x, dout) in enumerate(cases):
            xd, dd = x.astype(float), dout.astype(float)
            want = dd * ((xd > 0) & (dd > 0))
            truths.append(want)
            models_of.append(mistakes(dd, xd))
            got, err = attempt(guided_relu_backward, dout.copy(), x.copy())
            label = f"x of shape {x.shape}"
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            got = _as_float_array(got)
            if got is None or got.shape != x.shape:
                found.add("Return an array of the shape of x (one gradient per ReLU input).",
                          f"with {label} it returned shape {None if got is None else got.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                shown = (f"x = {xd.tolist()}, dout = {dd.tolist()}: expected {(want + 0.0).tolist()}, "
                         f"got {(got + 0.0).tolist()}"
                         if x.size <= 6 else f"with {label} the values differ")
                wrong.append((i, shown))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), _same,
                       "The gradient passes where x > 0 and dout > 0, unchanged; everywhere else it is 0.")
        return found

    return _run("guided_relu_backward(dout, x)", body)


# ------------------------------------------------------------------ total variation
def _tv2(x):
    """TV^2 of a 2-D array and its gradient (the library's total_variation with beta = 2)."""
    from ..gradients import total_variation

    return total_variation(x, 2)


def _numerical_gradient(f, x, h=1e-5):
    """Centred differences of the student's value function ``f`` at x, or None if it fails."""
    import numpy as np

    grad = np.zeros_like(x)
    try:
        for idx in np.ndindex(x.shape):
            old = x[idx]
            x[idx] = old + h
            plus = f(x.copy())
            x[idx] = old - h
            minus = f(x.copy())
            x[idx] = old
            grad[idx] = (plus - minus) / (2 * h)
    except Exception:  # the student's code may raise anything; the other checks report it
        return None
    return grad


def check_tv2(tv2: Callable) -> Feedback:
    """Check ``tv2(x) -> (value, grad)``: the total variation with beta = 2 of a 2-D image and its gradient.

    ``value = sum over i, j of (x[i, j+1] - x[i, j])^2 + (x[i+1, j] - x[i, j])^2``, where a
    difference past the last column or row is 0 (no wrap-around); ``grad`` has x's shape.
    Conventions (stated in notebook 07): x is (H, W); return the pair (value, grad) in that
    order, the value one number.  The gradient is also compared with a numerical gradient
    of the student's own value, so a gradient that does not belong to the value is told
    apart from a value computed wrongly.
    """
    import numpy as np

    rng = np.random.default_rng(71)
    cases = [np.array([[0.0, 1.0, 3.0], [2.0, 2.0, 0.0]]), rng.standard_normal((4, 5)),
             np.array([[1.0, 4.0, 2.0, 2.0]]), rng.random((3, 3))]

    def value_models(x):
        dxw = np.roll(x, -1, axis=1) - x
        dyw = np.roll(x, -1, axis=0) - x
        dx, dy = np.zeros_like(x), np.zeros_like(x)
        dx[:, :-1] = x[:, 1:] - x[:, :-1]
        dy[:-1, :] = x[1:, :] - x[:-1, :]
        total = float(np.sum(dx ** 2 + dy ** 2))
        return [
            ("Your differences wrap around (np.roll): the last column is compared with the first. A "
             "difference past the edge is 0.", lambda: float(np.sum(dxw ** 2 + dyw ** 2))),
            ("Your value has the horizontal differences x[i, j+1] - x[i, j] only; add the vertical "
             "ones x[i+1, j] - x[i, j].", lambda: float(np.sum(dx ** 2))),
            ("Your value has the vertical differences x[i+1, j] - x[i, j] only; add the horizontal "
             "ones x[i, j+1] - x[i, j].", lambda: float(np.sum(dy ** 2))),
            ("That is the mean over the pixels; TV is the sum.", lambda: total / x.size),
            ("That is TV with beta = 1 (the square root of each term); here beta = 2: no root.",
             lambda: float(np.sum(np.sqrt(dx ** 2 + dy ** 2)))),
            ("You squared the sum of the two differences, (dx + dy)^2; square each one: dx^2 + dy^2.",
             lambda: float(np.sum((dx + dy) ** 2))),
        ]

    def grad_models(x, grad):
        dx, dy = np.zeros_like(x), np.zeros_like(x)
        dx[:, :-1] = x[:, 1:] - x[:, :-1]
        dy[:-1, :] = x[1:, :] - x[:-1, :]
        own = -2 * (dx + dy)
        dxw = np.roll(x, -1, axis=1) - x
        dyw = np.roll(x, -1, axis=0) - x
        wrapped = -2 * (dxw + dyw) + 2 * np.roll(dxw, 1, axis=1) + 2 * np.roll(dyw, 1, axis=0)
        return [
            ("Your gradient wraps around (np.roll) like the differences; past the edge there is no "
             "neighbour.", lambda: wrapped),
            ("That is the gradient of the mean over the pixels; TV is the sum.", lambda: grad / x.size),
            ("The gradient is half what it should be: d(d^2)/dd = 2d, mind the factor 2.", lambda: grad / 2),
            ("The gradient has the wrong sign: raising x[i, j] above its right and lower neighbours "
             "lowers those differences.", lambda: -grad),
            ("Your gradient has only the terms where x[i, j] is the start of a difference (-2 dx - 2 dy); "
             "x[i, j] is also the end of its left neighbour's dx and its upper neighbour's dy "
             "(+2 dx[i, j-1] + 2 dy[i-1, j]).", lambda: own),
            ("Your gradient has only the terms where x[i, j] is the end of a difference; add -2 dx[i, j] "
             "- 2 dy[i, j] for the differences it starts.", lambda: grad - own),
        ]

    def body():
        found = _Findings()
        v_answers, v_truths, v_wrong, v_models = [], [], [], []
        g_answers, g_truths, g_wrong, g_models = [], [], [], []
        for i, x in enumerate(cases):
            want_value, want_grad = _tv2(x)
            v_truths.append(want_value)
            g_truths.append(want_grad)
            v_models.append(value_models(x))
            g_models.append(grad_models(x, want_grad))
            v_answers.append(None)
            g_answers.append(None)
            label = f"a {x.shape[0]}x{x.shape[1]} image"
            got, err = attempt(tv2, x.copy())
            if err:
                found.add("Your code raised an exception.", f"on {label} it raised {err}")
                continue
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                found.add("Return the pair (value, grad): the number and the array of x's shape.",
                          f"on {label} it returned {_shown(got)}")
                continue
            value, grad = _number(got[0]), _as_float_array(got[1])
            if value is None:
                found.add("The first item, the value, must be one number.", f"on {label} it was {_shown(got[0])}")
            else:
                v_answers[-1] = value
                if abs(value - want_value) > 1e-6 * max(1.0, abs(want_value)):
                    v_wrong.append((i, f"on {label} the value is {value:.4f}, expected {want_value:.4f}"))
            if grad is None or grad.shape != x.shape:
                found.add("The second item, the gradient, must be an array of x's shape.",
                          f"on {label} its shape is {None if grad is None else grad.shape}")
                continue
            g_answers[-1] = grad
            if _allclose(grad, want_grad):
                continue
            g_wrong.append((i, f"on {label} the gradient differs (largest difference "
                               f"{float(np.max(np.abs(grad - want_grad))):.3g})"))
            if value is not None:  # is the gradient at least the gradient of their own value?
                numeric = _numerical_gradient(lambda z: _number(tv2(z)[0]), x.astype(float).copy())
                if numeric is not None and not _allclose(grad, numeric):
                    found.add("Your gradient is not the gradient of your own value: a numerical gradient "
                              "(centred differences of your value) disagrees with it.",
                              f"on {label} the largest difference is {float(np.max(np.abs(grad - numeric))):.3g}")

        def same_value(a, b):
            return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b))

        _explain_wrong(found, v_wrong, v_answers, v_truths, _models(v_models), same_value,
                       "The value is the sum over every pixel of (right neighbour - pixel)^2 + "
                       "(lower neighbour - pixel)^2, with 0 past the edges.")
        _explain_wrong(found, g_wrong, g_answers, g_truths, _models(g_models), _same,
                       "d TV / d x[i, j] = -2 dx[i, j] - 2 dy[i, j] + 2 dx[i, j-1] + 2 dy[i-1, j] "
                       "(terms past the edges are 0).")
        return found

    return _run("tv2(x)", body)


# ------------------------------------------------------------------ mass inside the mask
def check_mass_inside(mass_inside: Callable) -> Feedback:
    """Check ``mass_inside(saliency, mask)``: the fraction of a map's total mass on the object.

    ``sum(saliency * mask) / sum(saliency)`` for a map (H, W) >= 0 with some mass and a
    boolean mask (H, W).  Conventions (stated in notebook 07): one number between 0 and 1.
    """
    import numpy as np

    rng = np.random.default_rng(72)
    cases = [
        (np.array([[0.0, 1.0, 0.0], [2.0, 3.0, 0.0], [0.0, 4.0, 0.0]]),
         np.array([[False, True, False], [False, True, False], [False, True, False]])),
        (rng.random((6, 6)), np.pad(np.ones((2, 3), dtype=bool), ((1, 3), (2, 1)))),
        (rng.random((5, 8)) ** 3, rng.random((5, 8)) < 0.4),
        (np.array([[1.0, 1.0], [1.0, 5.0]]).astype(np.float32), np.array([[True, False], [False, False]])),
    ]

    def mistakes(s, m):
        inside = float(np.sum(s * m))
        return [
            ("That is the mass inside, not its fraction: divide by the map's total, np.sum(saliency).",
             lambda: inside),
            ("That is the mask's area fraction, what a random map scores; weigh each pixel by the map.",
             lambda: float(np.mean(m))),
            ("That is the fraction of the mass *outside* the mask.", lambda: 1 - inside / float(np.sum(s))),
            ("You divided by the number of pixels in the mask (the mean inside); divide by the map's total "
             "mass.", lambda: inside / float(np.sum(m))),
            ("That is the mean of the map inside divided by its mean overall; the fraction of the mass is "
             "sum inside / sum overall.", lambda: float(np.mean(s[m]) / np.mean(s))),
            ("That compares the largest values (the pointing game's question); the mass fraction adds up "
             "every pixel.", lambda: float(np.max(s[m]) / np.max(s))),
            ("That is a percentage; return the fraction, between 0 and 1.", lambda: 100 * inside / float(np.sum(s))),
        ]

    def same(a, b):
        return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b))

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (s, m) in enumerate(cases):
            want = float(np.sum(s * m) / np.sum(s))
            truths.append(want)
            models_of.append(mistakes(s.astype(float), m))
            got, err = attempt(mass_inside, s.copy(), m.copy())
            label = f"a {s.shape[0]}x{s.shape[1]} map"
            answers.append(None)
            if err:
                found.add("Your code raised an exception.", f"on {label} it raised {err}")
                continue
            value = _number(got)
            if value is None:
                found.add("Return one number (a fraction between 0 and 1).", f"on {label} it returned {_shown(got)}")
                continue
            answers[-1] = value
            if not same(value, want):
                wrong.append((i, f"on {label} it returned {value:.4f}, expected {want:.4f}"))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), same,
                       "The fraction is sum(saliency * mask) / sum(saliency).")
        return found

    return _run("mass_inside(saliency, mask)", body)
