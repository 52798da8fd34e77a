"""Notebook 07 (looking through the gradient): the guided ReLU backward rule, the total-variation
regularizer with its gradient, the mass of a map inside an object mask, and CS231n assignment 3's
three loops (its NetworkVisualization notebook): the saliency map, the fooling image and one step
of class visualization, checked on a small float64 net against the library's own functions
(``gradients.saliency_map``, ``adversarial.fooling_image``, ``gradients.class_model``'s step).

Each checker compares the student's answer with models of the typical mistakes and names
the one that explains it; right answers written differently (np.where, boolean masks,
slicing or padding, float32, lists) pass.
"""
from __future__ import annotations

from typing import Callable

from ._base import Feedback, _allclose, _as_float_array, _explain_wrong, _Findings, _number, _run, _shown, attempt

__all__ = ["check_guided_relu_backward", "check_tv2", "check_mass_inside", "check_compute_saliency_maps",
           "check_make_fooling_image", "check_class_visualization_update_step"]


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
            ("That is the plain ReLU backward pass (x > 0 only): your negative incoming gradients get "
             "through, and guided backpropagation stops them too (section 2).", lambda: dout * (x > 0)),
            ("That is the deconvnet rule (dout > 0 only): your gradient gets through where the ReLU was off "
             "in the forward pass, and guided backpropagation stops it there too (section 2).",
             lambda: dout * (dout > 0)),
            ("You let the gradient through where x > 0 *or* dout > 0: yours gets through where only one of the "
             "two holds, and guided backpropagation demands both.", lambda: dout * ((x > 0) | (dout > 0))),
            ("That is the mask of where the gradient passes (0s and 1s): where it passes, the incoming "
             "gradient goes through with its own value, not 1.", lambda: ((x > 0) & (dout > 0)).astype(float)),
            ("You scaled the gradient by the ReLU's output max(x, 0): a ReLU's backward pass only lets a "
             "gradient through or stops it, it never scales it by x.",
             lambda: dout * (dout > 0) * np.maximum(x, 0)),
            ("Your gradient gets through where x is exactly 0; the exercise says positive, strictly: at "
             "x = 0 the ReLU is flat and lets nothing through.", lambda: dout * (x >= 0) * (dout > 0)),
            ("Negative incoming gradients are stopped, not flipped: yours come out with a positive sign, "
             "and guided backpropagation takes no abs.", lambda: np.abs(dout) * (x > 0)),
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
                shown = (f"x = {xd.tolist()}, dout = {dd.tolist()}: got {(got + 0.0).tolist()}"
                         if x.size <= 6 else f"with {label} the values differ")
                wrong.append((i, shown))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), _same,
                       "This gradient matches none of the usual mistakes: for x = [2.0, -1.0, 3.0, 0.0] and "
                       "dout = [1.5, 2.0, -1.0, 4.0], decide by hand, entry by entry, whether the gradient "
                       "gets through (section 2 and the exercise's first sentence), and compare with your "
                       "function on them.")
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
            ("Your differences wrap around (np.roll): the last column is compared with the first, and the "
             "last row with the first row. The exercise counts a difference past the edge as 0.",
             lambda: float(np.sum(dxw ** 2 + dyw ** 2))),
            ("Your value has the horizontal differences only (neighbours along a row); the vertical ones, "
             "along a column, count too.", lambda: float(np.sum(dx ** 2))),
            ("Your value has the vertical differences only (neighbours along a column); the horizontal "
             "ones, along a row, count too.", lambda: float(np.sum(dy ** 2))),
            ("That is the mean over the pixels; TV is the sum.", lambda: total / x.size),
            ("That is TV with beta = 1 (a square root over each pixel's two squared differences); here "
             "beta = 2, which takes no root.", lambda: float(np.sum(np.sqrt(dx ** 2 + dy ** 2)))),
            ("You squared the sum of a pixel's two differences; TV squares each difference on its own, so "
             "a step up to the right and a step down below do not cancel.",
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
            ("The gradient is half what it should be: the derivative of a square brings down a factor.",
             lambda: grad / 2),
            ("The gradient has the wrong sign: raising a pixel that is already brighter than all its "
             "neighbours raises TV, so the gradient there is positive, and yours is negative.",
             lambda: -grad),
            ("Your gradient has only the terms where x[i, j] is the start of a difference (with its right "
             "and lower neighbours); x[i, j] also ends two differences, its left neighbour's and its upper "
             "neighbour's, and they count too.", lambda: own),
            ("Your gradient has only the terms where x[i, j] is the end of a difference (with its left and "
             "upper neighbours); x[i, j] also starts two differences, with its right and lower neighbours, "
             "and they count too.", lambda: grad - own),
        ]

    def same_value(a, b):
        return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b))

    follows = ("Your gradient is the gradient of your own value (a numerical gradient of your value agrees with "
               "it): it is wrong because your value is. Fix the value first.")

    def body():
        found = _Findings()
        v_answers, v_truths, v_wrong, v_models = [], [], [], []
        g_answers, g_truths, g_wrong, g_models = [], [], [], []
        own_value_gradient = {}   # case -> the numerical gradient of the student's value, where that value is wrong
        for i, x in enumerate(cases):
            want_value, want_grad = _tv2(x)
            v_truths.append(want_value)
            g_truths.append(want_grad)
            v_models.append(value_models(x))
            g_models.append(grad_models(x, want_grad) + [(follows, lambda i=i: own_value_gradient.get(i))])
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
                    v_wrong.append((i, f"on {label} the value is {value:.4f}"))
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
                elif numeric is not None and not same_value(value, want_value):
                    own_value_gradient[i] = numeric

        _explain_wrong(found, v_wrong, v_answers, v_truths, _models(v_models), same_value,
                       "This value matches none of the usual mistakes: list by hand the differences of the "
                       "2x2 image [[1, 2], [4, 0]] (how many are there?), add up their squares, and compare "
                       "with your function on it.")
        _explain_wrong(found, g_wrong, g_answers, g_truths, _models(g_models), _same,
                       "This gradient matches none of the usual mistakes: for the 1x3 image [[0, 1, 3]], write "
                       "the value as a sum of squares, differentiate it by hand with respect to each of the "
                       "three pixels, and compare with your function's gradient on it.")
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
            ("That is the mass inside, not its fraction of the map's total mass: it grows when the whole "
             "map is scaled up, and a fraction does not.", lambda: inside),
            ("That is the mask's area fraction, what a random map scores: your answer does not depend on the "
             "map at all.", lambda: float(np.mean(m))),
            ("That is the fraction of the mass *outside* the mask.", lambda: 1 - inside / float(np.sum(s))),
            ("You divided by the number of pixels in the mask (that is the map's mean inside); the fraction "
             "compares the mass inside with the map's total mass.", lambda: inside / float(np.sum(m))),
            ("That is the mean of the map inside divided by its mean overall, a ratio of means: it exceeds 1 "
             "whenever the map is brighter on the mask than elsewhere, and a fraction of the mass cannot.",
             lambda: float(np.mean(s[m]) / np.mean(s))),
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
                wrong.append((i, f"on {label} it returned {value:.4f}"))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), same,
                       "This number matches none of the usual mistakes: for the map [[1, 3], [0, 4]] and the "
                       "mask [[True, False], [False, True]], find by hand what share of the map's mass lies "
                       "on the mask (section 3), and compare with your function on them.")
        return found

    return _run("mass_inside(saliency, mask)", body)


# ------------------------------------------------------------------ the assignment's three loops (CS231n assignment 3)
def _test_net(seed=62):
    """The small float64 net the three loops below are checked on: 3x8x8 images in [0, 1] (it subtracts
    0.5 itself, as our zoo nets do), a conv layer, a pool, two affine layers, 4 classes."""
    import numpy as np

    from ..nets import SequentialNet

    net = SequentialNet([("conv1", {"kind": "conv", "num_filters": 6, "filter_size": 3}), ("relu1", {"kind": "relu"}),
                         ("pool1", {"kind": "pool", "size": 2}), ("fc1", {"kind": "affine", "out_dim": 16}),
                         ("relu2", {"kind": "relu"}), ("fc2", {"kind": "affine", "out_dim": 4})],
                        input_dim=(3, 8, 8), dtype=np.float64, seed=seed, input_mean=0.5)
    rng = np.random.default_rng(seed + 1)
    for key in net.params:                      # biases too, so that no ReLU sits exactly at 0
        if key.endswith(".b"):
            net.params[key] = 0.1 * rng.standard_normal(net.params[key].shape)
    return net


def _score_gradient(net, X, classes):
    """d S_c / dX of each image's class c (the library's class_score_gradient), float64."""
    from ..gradients import class_score_gradient

    return class_score_gradient(net, X, classes).astype(float)


def _log_probability_gradient(net, X, classes):
    """d log p_c / dX: the gradient of the softmax's log-probability (minus the loss's)."""
    import numpy as np

    scores = np.asarray(net.loss(X), dtype=float)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dout = -p
    dout[np.arange(len(X)), classes] += 1
    return np.asarray(net.backward_from(X, net.names[-1], dout), dtype=float)


def _probability_gradient(net, X, classes):
    """d p_c / dX = p_c * d log p_c / dX."""
    import numpy as np

    scores = np.asarray(net.loss(X), dtype=float)
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return p[np.arange(len(X)), classes][:, None, None, None] * _log_probability_gradient(net, X, classes)


def _unchanged(before, after):
    import numpy as np

    return before.shape == after.shape and bool(np.array_equal(before, after))


def check_compute_saliency_maps(compute_saliency_maps: Callable) -> Feedback:
    """Check ``compute_saliency_maps(X, y, model) -> (N, H, W)``: CS231n assignment 3's saliency maps.

    Conventions (stated in notebook 07): X (N, 3, H, W), y (N,) the classes to explain, model one
    of the library's nets (``model.loss(X)`` gives the unnormalized scores, ``model.backward_from(X,
    model.names[-1], dscores)`` the gradient of ``sum(dscores * scores)`` with respect to X); the map
    is the absolute value of the gradient of each image's unnormalized score for ``y[i]``, maxed over
    the channels, shape (N, H, W).  The reference is :func:`cs231n_lib.gradients.saliency_map`.
    """
    import numpy as np

    from ..gradients import saliency_map

    net = _test_net()
    rng = np.random.default_rng(74)
    X1 = rng.random((3, 3, 8, 8))
    X2 = rng.random((2, 3, 8, 8))
    pred1 = net.predict(X1)
    y1 = (pred1 + np.array([0, 1, 2])) % 4               # one image explained for its predicted class, two for another
    cases = [(X1, y1.astype(np.int64)), (X2, np.array([2, 2])), (rng.random((1, 3, 8, 8)).astype(np.float32), np.array([1]))]

    def mistakes(X, y):
        X = X.astype(float)
        g = _score_gradient(net, X, y)
        dout = np.ones((len(X), net.num_classes))
        return [
            ("You took the gradient of the softmax probability p_y; the saliency map differentiates the "
             "unnormalized score s_y, before any softmax (section 1).",
             lambda: np.abs(_probability_gradient(net, X, y)).max(axis=1)),
            ("You took the gradient of the softmax loss (or of log p_y): it also pushes the other classes' "
             "scores down; the saliency map differentiates the unnormalized score s_y alone, with no softmax.",
             lambda: np.abs(_log_probability_gradient(net, X, y)).max(axis=1)),
            ("You took the gradient of the batch's mean softmax loss (the dscores softmax_loss returns, divided "
             "by N): it pushes the other classes' scores down too, and shrinks every map with the batch's size; "
             "the saliency map differentiates the unnormalized score s_y alone.",
             lambda: np.abs(_log_probability_gradient(net, X, y)).max(axis=1) / len(X)),
            ("Your map kept the gradient's sign: it has negative values, and a pixel with a strongly negative "
             "gradient matters as much as one with a strongly positive gradient (the map is about the "
             "*absolute* value).", lambda: g.max(axis=1)),
            ("You took the maximum over the channels first and the absolute value after: a channel with a "
             "large negative gradient is lost when another channel is slightly positive. Mind the order.",
             lambda: np.abs(g.max(axis=1))),
            ("You added up the channels: in your map a pixel where three channels respond weakly outweighs one "
             "where a single channel responds strongly. Re-read how the exercise reduces the 3 channels to one.",
             lambda: np.abs(g).sum(axis=1)),
            ("You averaged the channels: in your map a pixel where a single channel responds strongly is "
             "diluted by the other two. Re-read how the exercise reduces the 3 channels to one.",
             lambda: np.abs(g).mean(axis=1)),
            ("You took the absolute value of the channels' sum: channels whose gradients have opposite signs "
             "cancel. Mind the order of the steps.", lambda: np.abs(g.sum(axis=1))),
            ("You explained the class the net predicts; explain y[i], the class you were given.",
             lambda: saliency_map(net, X, net.predict(X))),
            ("You sent a 1 back from every class's score (dscores all ones): your map explains the sum of all "
             "the classes' scores, not the score of y[i] alone.",
             lambda: np.abs(np.asarray(net.backward_from(X, net.names[-1], dout), dtype=float)).max(axis=1)),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (X, y) in enumerate(cases):
            want = saliency_map(net, X, y)
            truths.append(want)
            models_of.append(mistakes(X, y))
            answers.append(None)
            X_given = X.copy()
            got, err = attempt(compute_saliency_maps, X_given, y.copy(), net)
            label = f"{len(X)} image{'s' if len(X) > 1 else ''} of shape {X.shape[1:]}"
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            if not _unchanged(X, X_given):
                found.add("Your function changed the images X it was given; leave X as it is.", f"with {label}")
            got = _as_float_array(got)
            if got is None or got.shape != want.shape:
                found.add("Return an array of shape (N, H, W): one map per image, its 3 channels reduced to one.",
                          f"with {label} it returned shape {None if got is None else got.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                wrong.append((i, f"with {label} the maps differ (largest difference "
                                 f"{float(np.max(np.abs(got - want))):.3g})"))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), _same,
                       "These maps match none of the usual mistakes: for one image, print its gradient's three "
                       "channels at one pixel, reduce them by hand following the exercise's last sentence, and "
                       "compare with your map at that pixel.")
        return found

    return _run("compute_saliency_maps(X, y, model)", body)


FOOLING_RATE, FOOLING_STEPS = 0.1, 100


def _fooling_path(net, x, target, direction, steps, stop=True, clip=False):
    """A fooling loop written out, for the models of the mistakes: ``direction(X) -> step`` is added
    ``steps`` times at most, stopping as soon as the net says ``target`` (``stop``)."""
    import numpy as np

    X = x.astype(float).copy()
    for _ in range(steps):
        if stop and int(np.argmax(net.loss(X)[0])) == target:
            break
        X = X + direction(X)
        if clip:
            X = np.clip(X, 0, 1)
    return X


def check_make_fooling_image(make_fooling_image: Callable) -> Feedback:
    """Check ``make_fooling_image(X, target_y, model) -> X_fooling``: CS231n assignment 3's fooling image.

    Conventions (stated in notebook 07): X (1, 3, H, W), one image; start from a copy (X itself is not
    changed); before each step stop if the model's highest score is target_y; otherwise step
    ``X += learning_rate * g / ||g||_2`` with g the gradient of the target's unnormalized score and
    the L2 norm over all of g, learning_rate = 0.1, at most 100 steps, no clipping.  The reference is
    :func:`cs231n_lib.adversarial.fooling_image` with ``step=0.1, max_steps=100, clip=None``.
    """
    import numpy as np

    from ..adversarial import fooling_image

    net = _test_net()
    rng = np.random.default_rng(75)
    images = rng.random((6, 3, 8, 8))
    labels = net.predict(images)
    # (image, target): the net calls them 0, 1, 1; fooled after 12, 15 and 9 steps, some pixels outside [0, 1]
    cases = [(images[k:k + 1], t) for k, t in ((0, 2), (4, 3), (2, 2))]
    labels = {i: int(labels[k]) for i, k in enumerate((0, 4, 2))}
    lr, steps = FOOLING_RATE, FOOLING_STEPS

    def unit(g):
        return g / max(float(np.sqrt(np.sum(g * g))), 1e-300)

    def mistakes(x, t):
        score = lambda X: _score_gradient(net, X, [t])                      # noqa: E731
        return [
            ("Your steps are not normalized: their length follows the gradient's size, and in the exercise "
             "every step has the same L2 length, learning_rate.",
             lambda: _fooling_path(net, x, t, lambda X: lr * score(X), steps)),
            ("Your steps go *down* the target's score (the gradient's sign): a fooling image climbs it.",
             lambda: _fooling_path(net, x, t, lambda X: -lr * unit(score(X)), steps)),
            ("You climbed the softmax probability (or the log-probability, or down the loss) of the target: "
             "that also pushes the other classes down; the exercise climbs the target's unnormalized score "
             "alone, before any softmax.",
             lambda: _fooling_path(net, x, t, lambda X: lr * unit(_log_probability_gradient(net, X, [t])), steps)),
            ("You kept going after the net was fooled: your image took more steps than it needed (the "
             "exercise stops at the first image the net calls target_y).",
             lambda: _fooling_path(net, x, t, lambda X: lr * unit(score(X)), steps, stop=False)),
            ("That is the fast gradient sign step (notebook 08), which keeps only the gradient's signs; here a "
             "step follows the gradient's own direction.",
             lambda: _fooling_path(net, x, t, lambda X: lr * np.sign(score(X)), steps)),
            ("You normalized by the largest absolute entry of g: your steps have the wrong length, where each "
             "step of the exercise is learning_rate long measured over all of g's entries together.",
             lambda: _fooling_path(net, x, t, lambda X: lr * score(X) / float(np.abs(score(X)).max()), steps)),
            ("You divided g by the sum of its squares, with no square root: your steps have the wrong length, "
             "and it changes from step to step.",
             lambda: _fooling_path(net, x, t, lambda X: lr * score(X) / float(np.sum(score(X) ** 2)), steps)),
            ("No clipping here (as in the assignment): let the pixels leave [0, 1].",
             lambda: _fooling_path(net, x, t, lambda X: lr * unit(score(X)), steps, clip=True)),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (x, t) in enumerate(cases):
            want = fooling_image(net, x[0], t, step=lr, max_steps=steps, clip=None).image[None].astype(float)
            truths.append(want)
            models_of.append(mistakes(x, t))
            answers.append(None)
            x_given = x.copy()
            got, err = attempt(make_fooling_image, x_given, t, net)
            label = f"target {t} for an image the net calls {labels[i]}"
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            if not _unchanged(x, x_given):
                found.add("You changed X in place: the X you were given must be left as it was.",
                          f"with {label}")
            got = _as_float_array(got)
            if got is None or got.shape != x.shape:
                found.add("Return the fooling image in X's shape (1, 3, H, W).",
                          f"with {label} it returned shape {None if got is None else got.shape}")
                continue
            answers[-1] = got
            if _allclose(got, want):
                continue
            said = int(np.argmax(net.loss(got)[0]))
            wrong.append((i, f"with {label} your image is called {said}"
                             f"{'' if said == t else ' (not fooled)'}, and a pixel of it is off by up to "
                             f"{float(np.max(np.abs(got - want))):.3g}"))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), _same,
                       "This image matches none of the usual mistakes: print, for each step of your loop, the "
                       "class the net gives the image and the L2 length of the change, and check them against "
                       "the exercise's text, sentence by sentence.")
        return found

    return _run("make_fooling_image(X, target_y, model)", body)


def _roll(img, oy, ox):
    import numpy as np

    return np.roll(img, (oy, ox), axis=(2, 3))


def _update_step(net, img, t, l2_reg, lr, ox, oy, *, undo=1, swap=False, reg_sign=-1, centre=True, reg_factor=2.0,
                 ascend=True, normalize="rms", grad_at="jittered", clip=True, objective="score"):
    """One class-visualization step written out, with switches for the typical mistakes."""
    import numpy as np

    if swap:
        ox, oy = oy, ox
    mean = float(np.asarray(net.input_mean)) if centre else 0.0
    shifted = _roll(img.astype(float), oy, ox)
    at = shifted if grad_at == "jittered" else img.astype(float)
    if objective == "score":
        g = _score_gradient(net, at, [t])
    else:
        g = _log_probability_gradient(net, at, [t])
    g = g + reg_sign * reg_factor * l2_reg * (shifted - mean)
    size = {"rms": np.sqrt(np.mean(g * g)), "l2": np.sqrt(np.sum(g * g)), None: 1.0}[normalize]
    stepped = shifted + (1 if ascend else -1) * lr * g / max(float(size), 1e-300)
    back = stepped if undo == 0 else _roll(stepped, -undo * oy, -undo * ox)
    return np.clip(back, 0, 1) if clip else back


def check_class_visualization_update_step(class_visualization_update_step: Callable) -> Feedback:
    """Check ``class_visualization_update_step(img, model, target_y, l2_reg, learning_rate, ox, oy) -> img``.

    One step of the class visualization loop (CS231n assignment 3, with our library's step rule):
    jitter the image by ``np.roll(img, (oy, ox), axis=(2, 3))``; at the jittered image I take
    ``g = d s_y / dI - 2 * l2_reg * (I - m)``, m the net's ``input_mean``; step ``I + learning_rate *
    g / sqrt(mean(g ** 2))``; undo the jitter; clip to [0, 1]; return a new array (img unchanged).
    The reference step is :func:`cs231n_lib.gradients.class_model`'s (tests/test_checkers.py checks
    the two agree).
    """
    import numpy as np

    net = _test_net()
    rng = np.random.default_rng(76)
    base = rng.random((3, 1, 3, 8, 8))
    base[1] = np.where(base[1] > 0.5, 0.97, 0.03) + 0.02 * rng.standard_normal((1, 3, 8, 8))  # near the bounds
    cases = [(base[0], 1, 0.5, 0.05, 1, -2), (np.clip(base[1], 0, 1), 2, 0.2, 0.1, -3, 1),
             (base[2], 0, 1.0, 0.03, 2, 3)]

    def mistakes(img, t, reg, lr, ox, oy):
        def step(**kw):
            return lambda: _update_step(net, img, t, reg, lr, ox, oy, **kw)
        return [
            ("You did not undo the jitter: your new image comes back shifted by (oy, ox) (step 4 of the "
             "exercise).", step(undo=0)),
            ("You rolled the image the same way twice: your new image comes back shifted by twice the jitter, "
             "where undoing a roll shifts it the other way.", step(undo=-1)),
            ("ox and oy are swapped: your image moves by ox along the height and by oy along the width, and ox "
             "shifts along the width (step 1 of the exercise).", step(swap=True)),
            ("The regularization has the wrong sign: your penalty pushes the image away from m, where a "
             "penalty on ||I - m||^2 pulls it back towards m.", step(reg_sign=+1)),
            ("Your penalty pulls the image towards 0 (black); our nets subtract their mean themselves, so the "
             "penalty pulls towards m, the net's input_mean, the blank grey image (step 2 of the exercise).",
             step(centre=False)),
            ("Your penalty's gradient is half what it should be: the derivative of a square brings down a "
             "factor, mind the factor 2.", step(reg_factor=1.0)),
            ("Your step has no L2 penalty: nothing pulls your image back towards m (step 2 of the exercise "
             "differentiates the penalty too).", step(reg_factor=0.0)),
            ("Your step goes down the objective: it lowers the score of target_y, and class visualization "
             "climbs it.", step(ascend=False)),
            ("Your step is not normalized: its size follows the gradient's, where the exercise's step moves "
             "the pixels by learning_rate in root mean square, however large g is.", step(normalize=None)),
            ("You divided g by its L2 norm (the fooling image's step): your pixels move far less than "
             "learning_rate. Re-read step 3: here the step's size is measured per pixel.", step(normalize="l2")),
            ("You took the gradient at the image before the jitter, but you step the jittered one: the gradient "
             "belongs to the image you step.", step(grad_at="original")),
            ("Clip the result to [0, 1], the range of real images.", step(clip=False)),
            ("You climbed the softmax's log-probability; class visualization climbs the unnormalized score s_y.",
             step(objective="log_probability")),
        ]

    def body():
        found = _Findings()
        answers, truths, wrong, models_of = [], [], [], []
        for i, (img, t, reg, lr, ox, oy) in enumerate(cases):
            want = _update_step(net, img, t, reg, lr, ox, oy)
            truths.append(want)
            models_of.append(mistakes(img, t, reg, lr, ox, oy))
            answers.append(None)
            given = img.copy()
            got, err = attempt(class_visualization_update_step, given, net, t, reg, lr, ox, oy)
            label = f"target_y={t}, l2_reg={reg}, learning_rate={lr}, ox={ox}, oy={oy}"
            if err:
                found.add("Your code raised an exception.", f"with {label} it raised {err}")
                continue
            if not _unchanged(img, given):
                found.add("You changed img in place: return a new image and leave img as it is.", f"with {label}")
            got = _as_float_array(got)
            if got is None or got.shape != img.shape:
                found.add("Return the new image in img's shape (1, 3, H, W).",
                          f"with {label} it returned shape {None if got is None else got.shape}")
                continue
            answers[-1] = got
            if not _allclose(got, want):
                wrong.append((i, f"with {label} the image differs by up to {float(np.max(np.abs(got - want))):.3g}"))
        _explain_wrong(found, wrong, answers, truths, _models(models_of), _same,
                       "This image matches none of the usual mistakes: follow the exercise's five numbered "
                       "steps one at a time with ox = 1, oy = 0, print the image after each, and check each "
                       "against its step's sentence.")
        return found

    return _run("class_visualization_update_step(img, model, target_y, l2_reg, learning_rate, ox, oy)", body)
