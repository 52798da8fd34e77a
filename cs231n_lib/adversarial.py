"""Adversarial examples (notebook 08): Goodfellow, Shlens and Szegedy's "Explaining and
Harnessing Adversarial Examples" (arXiv 1412.6572, ICLR 2015), measured on real MNIST digits.

Plain functions on arrays and on the nets of :mod:`cs231n_lib.nets` (every model here
is a :class:`~cs231n_lib.nets.SequentialNet`; its last layer gives the class scores).

* :func:`linear_growth` -- the paper's section 3: ``eps * sign(w)`` raises ``w.x`` by
  ``eps * ||w||_1``, about ``eps * m * n``; random signs of the same size only by about
  ``eps * m * sqrt(n)``.
* :func:`loss_gradient`, :func:`fgsm`, :func:`fgsm_targeted`, :func:`fgsm_sweep` -- the
  fast gradient sign method, ``x + eps * sign(grad_x J(x, y))``, clipped to the pixel range
  of the net's input convention.
* :func:`scores_along` -- the class scores along one direction (the paper's figure 4).
* :func:`fooling_image` -- CS231n's targeted gradient ascent with a normalized step.
* :class:`AdversarialObjective` -- the paper's ``alpha * J(x) + (1 - alpha) * J(x_adv)``
  as a model the :class:`~cs231n_lib.solver.Solver` trains.
* :class:`rbf`, :func:`rbf_net`, :func:`kmeans_prototypes` -- Gaussian units around
  prototypes, with a softmax classifier on top.
* :func:`transfer_matrix`, :func:`gaussian_noise`, :func:`rubbish_check` -- examples made on
  one net shown to another; noise images classified with high confidence.
* :func:`grey_input` -- a net that reads a grey image repeated in three channels, rebuilt
  to read the grey channel once (the same scores).
* :data:`PAPER`, :func:`comparison_table` -- the paper's numbers with their sections.

Images are NCHW in [0, 1] (the ``"unit"`` convention, the paper's MNIST scale).  Every
function checks its images through :mod:`cs231n_lib.contract`: an attack starts from images
of the net's input convention (values in [-0.1, 1.1] for ``"unit"``), eps and step sizes are
checked against the convention's scale, and the default clip is its pixel range.  The scoring
functions (:func:`scores`, :func:`probabilities`, :func:`evaluate`, :func:`rubbish_check`)
refuse images outside the pixel range too, unless told ``values="scale"``: then only the scale
is checked, so unclipped perturbations and Gaussian noise can be scored.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import contract
from .layers import softmax_loss
from .arithmetic import LayerDims
from .nets import Layer, SequentialNet

__all__ = [
    "PAPER", "PaperNumber", "comparison_table",
    "linear_growth", "LinearGrowth",
    "scores", "probabilities", "evaluate", "evaluate_probabilities", "Evaluation",
    "loss_gradient", "fgsm_direction", "fgsm", "fgsm_targeted", "fgsm_sweep", "Sweep", "scores_along",
    "fooling_image", "FoolingResult",
    "AdversarialObjective",
    "rbf", "rbf_net", "kmeans_prototypes", "rbf_gamma",
    "transfer_matrix", "TransferMatrix", "gaussian_noise", "rubbish_check", "Rubbish",
    "grey_input",
]


# ------------------------------------------------------------------ the paper's numbers
class PaperNumber(NamedTuple):
    """One number of Goodfellow et al. (2015), in percent, with where it is stated."""

    value: float
    section: str
    what: str


# Every number is a percentage of the MNIST test set (10,000 digits) unless said otherwise;
# eps = 0.25 on pixels in [0, 1] throughout.  Sections of arXiv 1412.6572v3.
PAPER = {
    "softmax_fgsm_error": PaperNumber(99.9, "sec. 4", "shallow softmax, FGSM eps 0.25: error"),
    "softmax_fgsm_confidence": PaperNumber(79.3, "sec. 4", "shallow softmax, FGSM eps 0.25: mean confidence"),
    "maxout_fgsm_error": PaperNumber(89.4, "sec. 4", "maxout network, FGSM eps 0.25: error"),
    "maxout_fgsm_confidence": PaperNumber(97.6, "sec. 4", "maxout network, FGSM eps 0.25: mean confidence"),
    "maxout_clean_error": PaperNumber(0.94, "sec. 6", "maxout (240 units) with dropout: clean test error"),
    "adv_clean_error": PaperNumber(0.84, "sec. 6", "the same, adversarially trained: clean test error"),
    "adv_fgsm_error": PaperNumber(17.9, "sec. 6", "adversarially trained maxout (1600 units): FGSM error"),
    "adv_fgsm_confidence": PaperNumber(81.4, "sec. 6", "adversarially trained maxout: confidence on its mistakes"),
    "transfer_plain_to_adv": PaperNumber(19.6, "sec. 6", "examples made on the plain net: adv. trained net's error"),
    "transfer_adv_to_plain": PaperNumber(40.9, "sec. 6", "examples made on the adv. trained net: plain net's error"),
    "rbf_fgsm_error": PaperNumber(55.4, "sec. 7", "shallow RBF network, FGSM eps 0.25: error"),
    "rbf_fgsm_confidence": PaperNumber(1.2, "sec. 7", "shallow RBF network: confidence on its mistakes"),
    "rbf_clean_confidence": PaperNumber(60.6, "sec. 7", "shallow RBF network: mean confidence on clean digits"),
    "rubbish_maxout": PaperNumber(98.35, "app. A", "Gaussian noise called a digit (p > 0.5): maxout"),
    "rubbish_maxout_confidence": PaperNumber(92.8, "app. A", "... its mean confidence on those: maxout"),
    "rubbish_softmax": PaperNumber(59.8, "app. A", "Gaussian noise called a digit (p > 0.5): softmax"),
    "rubbish_softmax_confidence": PaperNumber(70.8, "app. A", "... its mean confidence on those: softmax"),
    "rubbish_rbf": PaperNumber(0.0, "app. A", "Gaussian noise called a digit (p > 0.5): RBF"),
}


def comparison_table(rows):
    """The paper's numbers beside ours, in the paper's setting and clipped, one line per row, as text.

    rows : sequence of ``(key, ours, clipped, our_model)``: ``key`` a key of :data:`PAPER`;
        ``ours`` our number in percent in the paper's setting (FGSM unclipped, as the paper's
        ``x + eps * sign(grad_x J)``), or None where we have none; ``clipped`` the same
        measurement with the perturbed digits clipped to [0, 1], or None where nothing is
        perturbed (clean digits, noise); ``our_model`` which of our nets (or experiments)
        measured it.
    Returns a string: the quantity, the paper's value and section, ours, the difference
    ``ours - paper`` in percentage points, ours clipped ("-" for None), and our model.
    """
    header = (f"{'quantity':<58} {'paper':>6} {'where':<7} {'ours':>6} {'- paper':>8} {'clipped':>8}  our model")
    lines = [header, "-" * len(header)]
    for row in rows:
        if len(row) != 4:
            raise ValueError(f"each row is (key, ours, clipped, our_model); got {row!r}.")
        key, ours, clipped, model = row
        if key not in PAPER:
            raise ValueError(f"{key!r} is not a number of the paper; the keys are {sorted(PAPER)}.")
        paper = PAPER[key]
        if ours is None:
            ours_text, diff = "-", "-"
        else:
            ours_text, diff = f"{float(ours):.1f}", f"{float(ours) - paper.value:+.1f}"
        clipped_text = "-" if clipped is None else f"{float(clipped):.1f}"
        lines.append(f"{paper.what:<58} {paper.value:>6g} {paper.section:<7} {ours_text:>6} {diff:>8} "
                     f"{clipped_text:>8}  {model}")
    return "\n".join(lines)


# ------------------------------------------------------------------ checks
def _check_eps(eps, name="eps", net=None, who=None):
    """``eps`` as a float >= 0, against the scale of ``net``'s input convention (contract.check_amount)."""
    return contract.check_amount(eps, net, name, who=who)


def _check_clip(clip, net=None, who=None):
    """None, or the clip's ``(low, high)``: ``"pixels"`` is the pixel range of ``net``'s convention."""
    return contract.clip_range(clip, net, who)


def _check_net(net):
    if not isinstance(net, SequentialNet):
        raise ValueError(
            f"expected a SequentialNet of cs231n_lib.nets (or one loaded from the model zoo), got a "
            f"{type(net).__name__}."
        )
    return net


def _check_labels(y, n, num_classes, name="y", who=None):
    return contract.check_labels(y, n, num_classes, name=name, who=who)


def _batch(X, net, values="pixels", who=None):
    """``X`` checked by the input contract: float images (N, *net.input_dim) of the net's convention
    (``values="scale"``: perturbed images and noise too)."""
    return contract.check_images(net, X, values=values, who=who)


# ------------------------------------------------------------------ section 3: the linear view
class LinearGrowth(NamedTuple):
    """How much a perturbation of ``eps`` per input moves ``w.x``, for weight vectors of n inputs.

    ``n`` (k,); ``aligned`` (k,): ``w.(eps * sign(w)) = eps * ||w||_1``, measured;
    ``random`` (k,): ``|w.(eps * s)|`` for random signs s, measured (the mean over ``trials``);
    ``aligned_formula = eps * m * n`` and ``random_formula = eps * m * sqrt(n)``, the
    expected values for weights of mean size m.
    """

    n: np.ndarray
    aligned: np.ndarray
    random: np.ndarray
    aligned_formula: np.ndarray
    random_formula: np.ndarray
    eps: float
    m: float


def linear_growth(ns, eps, m, seed=0, trials=20):
    """Measure the change of a linear score ``w.x`` under two perturbations of ``eps`` per input.

    For each n in ``ns``: draw ``w`` of n Gaussian weights with mean absolute value ``m``
    (standard deviation ``m * sqrt(pi/2)``), then measure ``w.eta`` for ``eta = eps * sign(w)``
    (the worst case: ``eps * ||w||_1``, about ``eps * m * n``) and for ``eta = eps * s`` with
    random signs ``s`` (about ``eps * m * sqrt(n)`` in absolute value, averaged over
    ``trials`` draws).  Returns :class:`LinearGrowth`.
    """
    eps, m = _check_eps(eps), _check_eps(m, "m")
    ns = np.asarray(ns, dtype=np.int64)
    if ns.ndim != 1 or ns.size == 0 or int(ns.min()) < 1:
        raise ValueError(f"ns must be a list of input counts >= 1, got {ns!r}.")
    rng = np.random.default_rng(seed)
    sigma = m * math.sqrt(math.pi / 2)
    aligned, random = [], []
    for n in ns:
        w = sigma * rng.standard_normal(int(n))
        aligned.append(float(w @ (eps * np.sign(w))))
        signs = rng.choice([-1.0, 1.0], size=(trials, int(n)))
        random.append(float(np.mean(np.abs(signs @ w))) * eps)
    n_float = ns.astype(np.float64)
    return LinearGrowth(ns, np.array(aligned), np.array(random), eps * m * n_float, eps * m * np.sqrt(n_float),
                        eps, m)


# ------------------------------------------------------------------ scores and their quality
def _softmax(s):
    s = np.asarray(s, dtype=np.float64)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def scores(net, X, batch_size=500, values="pixels"):
    """Class scores (N, C) of the batch ``X`` (float64), ``batch_size`` images at a time.

    ``X`` holds images of the net's input convention (:func:`cs231n_lib.contract.check_images`);
    with ``values="scale"`` it may leave the pixel range (an unclipped perturbation, Gaussian
    noise): only a batch of another scale (0..255 pixels for a net of [0, 1] images) is refused
    then.  Read through ``net.activations``.
    """
    X = _batch(X, _check_net(net), values, "scores")
    last = net.names[-1]
    out = [np.asarray(net.activations(X[i:i + batch_size], last), dtype=np.float64)
           for i in range(0, len(X), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, net.num_classes))


def probabilities(net, X, batch_size=500, values="pixels"):
    """Softmax probabilities (N, C) of the batch ``X`` (float64); ``values`` as in :func:`scores`."""
    return _softmax(scores(net, X, batch_size, values))


class Evaluation(NamedTuple):
    """How a net does on labelled images.

    ``accuracy`` and ``error`` are fractions; ``confidence_on_mistakes`` is the mean
    probability the net gives its (wrong) answer over the images it gets wrong (NaN if
    none), the paper's "average confidence"; ``mean_confidence`` the same over all
    images; ``predictions`` (N,) and ``confidences`` (N,) per image.
    """

    n: int
    accuracy: float
    error: float
    confidence_on_mistakes: float
    mean_confidence: float
    predictions: np.ndarray
    confidences: np.ndarray

    @property
    def mistakes(self):
        """Number of images classified wrongly."""
        return int(round(self.error * self.n))


def evaluate_probabilities(probs, y):
    """:class:`Evaluation` of class probabilities ``probs`` (N, C) against labels ``y`` (N,)."""
    probs, y = np.asarray(probs), np.asarray(y)
    y = contract.check_labels(y, len(probs), np.shape(probs)[-1], who="evaluate_probabilities")
    n = len(y)
    if n == 0:
        nan = float("nan")
        return Evaluation(0, nan, nan, nan, nan, np.zeros(0, dtype=np.int64), np.zeros(0))
    pred = np.argmax(probs, axis=1)  # the net's answer
    conf = probs[np.arange(n), pred]  # ... and the probability it gives that answer
    wrong = pred != y
    on_mistakes = float(conf[wrong].mean()) if wrong.any() else float("nan")  # the paper's "average confidence"
    return Evaluation(n, float(np.mean(pred == y)), float(np.mean(wrong)), on_mistakes, float(conf.mean()), pred, conf)


def evaluate(net, X, y, batch_size=500, values="pixels"):
    """:class:`Evaluation` of ``net`` on images ``X`` (N, ...) with labels ``y`` (N,); ``values`` as
    in :func:`scores` (``"scale"`` for unclipped perturbations)."""
    X = _batch(X, _check_net(net), values, "evaluate")
    y = _check_labels(y, len(X), net.num_classes, who="evaluate")
    return evaluate_probabilities(probabilities(net, X, batch_size, values), y)


# ------------------------------------------------------------------ section 4: FGSM
def loss_gradient(net, X, y, batch_size=500):
    """The softmax loss ``J`` of the batch and its gradient with respect to the images.

    ``J`` is the mean cross-entropy over the batch (the training loss without the weight
    penalty, which does not depend on the images).  Returns ``(J, dX)``, ``dX`` of X's shape.
    Computed ``batch_size`` images at a time.
    """
    X = _batch(X, _check_net(net), who="loss_gradient")
    y = _check_labels(y, len(X), net.num_classes, who="loss_gradient")
    last = net.names[-1]
    total, grads = 0.0, []
    for i in range(0, len(X), batch_size):
        Xb, yb = X[i:i + batch_size], y[i:i + batch_size]
        loss, dscores = softmax_loss(net.activations(Xb, last), yb)
        # softmax_loss averages over its batch; rescale so that dX is d(mean over all of X)/dX
        scale = len(Xb) / len(X)
        total += float(loss) * scale
        grads.append(net.backward_from(Xb, last, (dscores * scale).astype(net.dtype)))
    return total, (np.concatenate(grads) if grads else np.zeros_like(X))


def fgsm_direction(net, X, y, tie_channels=False, batch_size=500):
    """``sign(grad_X J(X, y))``, the direction in which FGSM moves every pixel: -1, 0 or +1, X's shape
    (with ``tie_channels``, the sign of the gradient summed over the channels, for every channel)."""
    X = contract.check_images(_check_net(net), X, who="fgsm_direction")
    _, g = loss_gradient(net, X, y, batch_size)
    if tie_channels:  # the gradient with respect to the grey image: the sum over its channels
        g = np.broadcast_to(g.sum(axis=1, keepdims=True), g.shape)
    return np.sign(g).astype(X.dtype)


def _apply(X, eta, clip):
    out = X + eta
    if clip is not None:
        out = np.clip(out, clip[0], clip[1])
    return out.astype(X.dtype, copy=False)


def fgsm(net, X, y, eps, clip="pixels", tie_channels=False):
    """The fast gradient sign method: ``X + eps * sign(grad_X J(X, y))``, clipped to ``clip``.

    Parameters
    ----------
    net : a SequentialNet (its last layer gives class scores).
    X : (N, C, H, W) images of the net's input convention; y : (N,) their labels.
    eps : the largest change of one pixel (the max-norm of the perturbation), in the
        convention's scale (0.25 is a quarter of the range of images in [0, 1]).
    clip : the valid pixel range ``(low, high)`` the result is clipped to; ``"pixels"``,
        the pixel range of the net's input convention ((0, 1) for images in [0, 1]); or None
        (the paper does not clip: its perturbed digits may leave [0, 1]).
    tie_channels : give every channel of a pixel the same change, the sign of the gradient
        summed over the channels (the gradient with respect to a grey image repeated in C
        channels): the digit stays grey.

    Returns X_adv, X's shape and dtype.  ``J`` is the mean cross-entropy
    (:func:`loss_gradient`); where its gradient is exactly 0 a pixel does not move.
    """
    X = contract.check_images(_check_net(net), X, who="fgsm")
    eps = contract.check_amount(eps, net, "eps", who="fgsm")
    clip = contract.clip_range(clip, net, "fgsm")  # "pixels": the range of the net's convention, (0, 1) for ours
    X_adv = X + eps * fgsm_direction(net, X, y, tie_channels)  # every pixel moves by eps, up or down
    if clip is not None:
        X_adv = np.clip(X_adv, clip[0], clip[1])  # ... and the image stays a valid image
    return X_adv.astype(X.dtype, copy=False)


def fgsm_targeted(net, X, target, eps, clip="pixels"):
    """One signed step towards class ``target``: ``X - eps * sign(grad_X J(X, target))``.

    ``target`` is one class index for every image or an array (N,).  It lowers the loss of
    the target class (the untargeted :func:`fgsm` raises the loss of the true class).
    """
    X = _batch(X, _check_net(net), who="fgsm_targeted")
    eps, clip = _check_eps(eps, net=net, who="fgsm_targeted"), _check_clip(clip, net, "fgsm_targeted")
    t = contract.check_labels(target, len(X), net.num_classes, name="target", who="fgsm_targeted", broadcast=True)
    return _apply(X, -eps * fgsm_direction(net, X, t), clip)


class Sweep(NamedTuple):
    """FGSM at several sizes: ``eps`` (k,), ``accuracy`` (k,), ``confidence_on_mistakes`` (k,),
    and the full :class:`Evaluation` at each size."""

    eps: np.ndarray
    accuracy: np.ndarray
    confidence_on_mistakes: np.ndarray
    evaluations: list

    def at(self, eps):
        """The :class:`Evaluation` at the size closest to ``eps``."""
        return self.evaluations[int(np.argmin(np.abs(self.eps - float(eps))))]


def fgsm_sweep(net, X, y, eps_values, clip="pixels", direction=None, batch_size=500):
    """Accuracy and confidence of ``net`` on FGSM examples of each size in ``eps_values``.

    The gradient is computed once, at the clean images (FGSM takes one step), and the
    perturbation ``eps * sign(gradient)`` is scaled for each size; ``eps = 0`` gives the
    clean images.  ``direction`` is :func:`fgsm_direction`'s result if already computed
    (e.g. for a second sweep without clipping).  Returns :class:`Sweep`.
    """
    X = _batch(X, _check_net(net), who="fgsm_sweep")
    clip = _check_clip(clip, net, "fgsm_sweep")
    eps_values = [_check_eps(e, net=net, who="fgsm_sweep") for e in
                  (eps_values if isinstance(eps_values, (list, tuple)) else np.atleast_1d(eps_values).tolist())]
    y = _check_labels(y, len(X), net.num_classes, who="fgsm_sweep")
    if direction is None:
        direction = fgsm_direction(net, X, y, batch_size=batch_size)
    elif np.shape(direction) != X.shape:
        raise ValueError(f"direction must have X's shape {X.shape}, got {np.shape(direction)}.")
    evaluations = [evaluate_probabilities(probabilities(net, _apply(X, e * direction, clip), batch_size, "scale"), y)
                   for e in eps_values]
    return Sweep(np.array(eps_values), np.array([ev.accuracy for ev in evaluations]),
                 np.array([ev.confidence_on_mistakes for ev in evaluations]), evaluations)


def scores_along(net, x, direction, eps_values):
    """Class scores of ``x + eps * direction`` for each eps (no clipping): (k, C), float64.

    The paper's figure 4 draws these along the FGSM direction: for a net that is close to
    linear, every score is close to a straight line in eps.
    """
    x = contract.check_images(_check_net(net), x, name="x", who="scores_along", one=True)
    direction = contract.check_images(net, direction, name="direction", who="scores_along", one=True, values="any")
    direction = np.asarray(direction, dtype=np.float64)
    eps = np.asarray(eps_values, dtype=np.float64)
    if eps.ndim != 1 or eps.size == 0 or not np.all(np.isfinite(eps)):
        raise ValueError(f"scores_along: eps_values must be finite numbers (k,), got {eps_values!r}.")
    _check_eps(float(np.abs(eps).max()), "the largest |eps|", net, "scores_along")
    batch = (x[None].astype(np.float64) + eps[:, None, None, None] * direction[None]).astype(net.dtype)
    return scores(net, batch, values="scale")


# ------------------------------------------------------------------ fooling images
class FoolingResult(NamedTuple):
    """What :func:`fooling_image` made: the ``image`` (C, H, W); ``success`` (the net says
    ``target``); ``steps`` taken; the perturbation's size (``l2``, ``linf``); the target's
    probability before and after; the class the net says at the end."""

    image: np.ndarray
    success: bool
    steps: int
    l2: float
    linf: float
    target: int
    prediction: int
    probability_before: float
    probability_after: float


def fooling_image(net, x, target, step=None, max_steps=200, clip="pixels"):
    """Change ``x`` until ``net`` classifies it as ``target`` (CS231n's fooling image).

    Each step moves the image up the gradient of the target's *score*, normalized to
    length ``step`` (in the L2 norm over all pixels; default 0.1 times the scale of the
    net's input convention): ``x += step * g / ||g||_2``, then clips it to ``clip``
    (``"pixels"``: the pixel range of the net's convention, (0, 1) for ours; None: no
    clipping).  It stops as soon as the target has the highest score, or after
    ``max_steps`` steps.

    x : (C, H, W), one image.  Returns :class:`FoolingResult`.
    """
    net = _check_net(net)
    x = contract.check_images(net, x, name="x", who="fooling_image", one=True)
    if isinstance(target, (bool, np.bool_)) or not isinstance(target, (int, np.integer)) \
            or not 0 <= int(target) < net.num_classes:
        raise ValueError(f"fooling_image: target must be one of the classes of this net, indices "
                         f"0..{net.num_classes - 1}; got {target!r}.")
    target = int(target)
    step = 0.1 * contract.scale(net, "fooling_image", "step=...") if step is None else step
    step = contract.check_amount(step, net, "step", who="fooling_image", positive=True,
                                 what="the L2 length of one step", limit=math.sqrt(x.size))
    contract.check_count(max_steps, "max_steps", who="fooling_image")
    clip = _check_clip(clip, net, "fooling_image")
    last = net.names[-1]
    X = x[None].astype(net.dtype)
    before = float(_softmax(scores(net, X))[0, target])
    steps = 0
    while True:
        s = scores(net, X, values="scale")[0]
        if int(np.argmax(s)) == target or steps == max_steps:
            break
        _, g = net.input_gradient(X, last, unit=(target,))
        norm = float(np.sqrt(np.sum(g.astype(np.float64) ** 2)))
        if norm == 0:  # the score does not depend on the image here: no direction to go
            break
        X = (X + step * g / norm).astype(net.dtype)
        if clip is not None:
            X = np.clip(X, clip[0], clip[1])
        steps += 1
    probs = _softmax(s[None])[0]
    eta = X[0].astype(np.float64) - x.astype(np.float64)
    return FoolingResult(X[0], int(np.argmax(s)) == target, steps, float(np.sqrt(np.sum(eta ** 2))),
                         float(np.abs(eta).max()), target, int(np.argmax(s)), before, float(probs[target]))


# ------------------------------------------------------------------ section 6: adversarial training
class AdversarialObjective:
    """The paper's adversarial objective as a model the Solver trains (section 6)::

        J~(x, y) = alpha * J(x, y) + (1 - alpha) * J(x + eps * sign(grad_x J(x, y)), y)

    ``params`` is the wrapped net's dict (the Solver updates the net itself).  ``loss(X)``
    gives the net's scores on clean images (the Solver measures accuracy with them);
    ``loss(X, y)`` makes the FGSM examples of the minibatch against the current weights,
    holds them fixed (no gradient flows through the sign) and returns
    ``(J~, grads)``.  The weight penalty enters once: ``alpha + (1 - alpha) = 1``.
    """

    def __init__(self, net, alpha=0.5, eps=0.25, clip="pixels", tie_channels=False):
        self.net = _check_net(net)
        self.alpha = float(alpha)
        if not 0 <= self.alpha <= 1:
            raise ValueError(f"alpha weighs the clean loss against the adversarial one and lies in [0, 1], got {alpha}.")
        who = "AdversarialObjective"
        self.eps, self.clip = _check_eps(eps, net=net, who=who), _check_clip(clip, net, who)
        self.tie_channels = bool(tie_channels)

    @property
    def params(self):
        return self.net.params

    @property
    def num_classes(self):
        return self.net.num_classes

    @property
    def input_convention(self):
        return self.net.input_convention

    def loss(self, X, y=None):
        if y is None:
            return self.net.loss(X)
        X_adv = fgsm(self.net, X, y, self.eps, self.clip, self.tie_channels)
        loss_clean, grads_clean = self.net.loss(X, y)
        loss_adv, grads_adv = self.net.loss(X_adv, y)
        a = self.alpha
        grads = {k: (a * grads_clean[k] + (1 - a) * grads_adv[k]).astype(grads_clean[k].dtype) for k in grads_clean}
        return a * loss_clean + (1 - a) * loss_adv, grads


# ------------------------------------------------------------------ section 7: RBF networks
class rbf(Layer):
    """Gaussian units around prototypes: ``rbf(num_centres, gamma)``; flattens its input.

    ``out[n, k] = exp(-gamma * ||x_n - c_k||^2)``: 1 on a prototype, falling towards 0 as
    the image moves away from it.  Parameter ``centres`` (K, D), one prototype per row
    (:func:`kmeans_prototypes` finds them); ``gamma`` is fixed.  With an affine layer and the
    softmax on top this is an RBF network (:func:`rbf_net`).

    Defining this class registers the layer kind ``"rbf"``; a saved net records this module
    with the layer, so :func:`cs231n_lib.nets.load_net` imports it when it reads an RBF net.
    """

    kind = "rbf"
    param_names = ("centres",)
    args = ("num_centres", "gamma")

    def __init__(self, num_centres, gamma=1.0):
        self.num_centres = int(num_centres)
        self.gamma = float(gamma)
        if self.num_centres < 1 or not (math.isfinite(self.gamma) and self.gamma > 0):
            raise ValueError(f"rbf needs num_centres >= 1 and gamma > 0, got {num_centres!r} and {gamma!r}.")

    def output_shape(self, in_shape):
        return (self.num_centres,)

    def init_params(self, in_shape, rng, weight_scale, dtype):
        return {"centres": rng.random((self.num_centres, int(np.prod(in_shape)))).astype(dtype)}

    def forward(self, x, params):
        X = x.reshape(len(x), -1)
        C = params["centres"]
        d2 = np.sum(X * X, axis=1)[:, None] - 2 * X @ C.T + np.sum(C * C, axis=1)[None, :]
        out = np.exp(-self.gamma * np.maximum(d2, 0))
        return out, (x.shape, X, C, out)

    def backward(self, dout, cache):
        shape, X, C, out = cache
        g = -self.gamma * dout * out  # d loss / d (squared distance)
        dX = 2 * (np.sum(g, axis=1)[:, None] * X - g @ C)
        dC = 2 * (np.sum(g, axis=0)[:, None] * C - g.T @ X)
        return dX.reshape(shape), {"centres": dC}

    def describe(self):
        return f"rbf {self.num_centres} Gaussian units, gamma {self.gamma:g}"

    @property
    def dims(self):
        return LayerDims("rbf", K=self.num_centres, name=f"RBF-{self.num_centres}")


def kmeans_prototypes(X, y, per_class, seed=0):
    """``per_class`` k-means centres of the images of each class (scikit-learn's KMeans).

    X : (N, ...) images; y : (N,) labels.  Returns ``(centres, labels)``:
    (num_classes * per_class, D) float64 and the class of each centre.
    """
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    y = np.asarray(y)
    centres, labels = [], []
    for c in np.unique(y):
        members = X[y == c]
        if len(members) < per_class:
            raise ValueError(f"class {c} has {len(members)} images, fewer than per_class={per_class} centres.")
        # one thread (BLAS and OpenMP): the sums run in a fixed order, so the centres are the same every run
        with threadpool_limits(limits=1):
            km = KMeans(n_clusters=int(per_class), n_init=4, random_state=int(seed) + int(c)).fit(members)
        centres.append(km.cluster_centers_)
        labels += [int(c)] * int(per_class)
    return np.concatenate(centres), np.array(labels)


def rbf_gamma(X, centres):
    """The width rule of our RBF nets: ``gamma = 1 / (2 sigma^2)``, where ``sigma^2`` is the mean
    squared distance from each image of ``X`` (N, ...) to its nearest centre."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    C = np.asarray(centres, dtype=np.float64)
    d2 = np.sum(X * X, axis=1)[:, None] - 2 * X @ C.T + np.sum(C * C, axis=1)[None, :]
    return float(1.0 / (2.0 * np.mean(np.maximum(d2.min(axis=1), 0))))


def rbf_net(centres, gamma, input_dim=(1, 32, 32), num_classes=10, reg=0.0, seed=0, dtype=np.float32):
    """An RBF network: Gaussian units around ``centres`` (K, D), then an affine layer to the
    class scores.  The centres are frozen (training fits the affine layer only).  Reads
    images in [0, 1] (the ``"unit"`` convention)."""
    centres = np.asarray(centres)
    if centres.ndim != 2 or centres.shape[1] != int(np.prod(input_dim)):
        raise ValueError(f"centres must be (K, {int(np.prod(input_dim))}) for images of shape {tuple(input_dim)}, "
                         f"got {centres.shape}.")
    net = SequentialNet([("rbf", {"kind": "rbf", "num_centres": len(centres), "gamma": float(gamma)}),
                         ("fc", {"kind": "affine", "out_dim": int(num_classes)})],
                        input_dim=input_dim, reg=reg, seed=seed, dtype=dtype, input_convention="unit")
    net.params["rbf.centres"] = centres.astype(dtype)
    return net.freeze("rbf")


# ------------------------------------------------------------------ section 8: transfer; rubbish
class TransferMatrix(NamedTuple):
    """``error[i, j]``: the error of net ``names[j]`` on the FGSM examples made on net
    ``names[i]`` (the diagonal: each net on its own examples); ``clean[j]`` its clean error."""

    names: tuple
    error: np.ndarray
    clean: np.ndarray
    eps: float


def transfer_matrix(nets, X, y, eps, clip="pixels", directions=None):
    """Make FGSM examples of size ``eps`` on each net of ``nets`` (a dict name -> net) and
    measure every net's error on them.  ``directions`` (a dict name -> :func:`fgsm_direction`
    of that net on ``X``, ``y``) saves recomputing the gradients.  The nets read the same
    input convention (``clip="pixels"`` is its pixel range).  Returns :class:`TransferMatrix`."""
    names = tuple(nets)
    if not names:
        raise ValueError("nets must name at least one net.")
    who = "transfer_matrix"
    conventions = {name: getattr(nets[name], "input_convention", None) for name in names}
    if len(set(conventions.values())) > 1:
        raise ValueError(f"{who}: the nets read different input conventions {conventions}; an image of one is "
                         "not an image of another. Compare nets of one convention.")
    first = _check_net(nets[names[0]])
    X = _batch(X, first, who=who)
    eps, clip = _check_eps(eps, net=first, who=who), _check_clip(clip, first, who)
    error = np.zeros((len(names), len(names)))
    clean = np.array([evaluate(nets[n], X, y, values="scale").error for n in names])
    for i, source in enumerate(names):
        if directions is not None and source in directions:
            if np.shape(directions[source]) != X.shape:
                raise ValueError(f"directions[{source!r}] must have X's shape {X.shape}.")
            X_adv = _apply(X, eps * np.asarray(directions[source]), clip)
        else:
            X_adv = fgsm(nets[source], X, y, eps, clip)
        for j, target in enumerate(names):
            error[i, j] = evaluate(nets[target], X_adv, y, values="scale").error
    return TransferMatrix(names, error, clean, eps)


def gaussian_noise(n, shape, seed=0, std=1.0, dtype=np.float32):
    """``n`` images of independent Gaussian noise, mean 0 and standard deviation ``std``
    (appendix A of the paper draws them from N(0, I)): (n, *shape)."""
    return (std * np.random.default_rng(seed).standard_normal((int(n),) + tuple(shape))).astype(dtype)


class Rubbish(NamedTuple):
    """How a net classifies images that are no digit: ``fraction`` of them given to some
    class with probability above ``threshold``, their ``mean_confidence``, and how many
    went to each class (``per_class``, (C,))."""

    fraction: float
    mean_confidence: float
    per_class: np.ndarray
    threshold: float
    n: int


def rubbish_check(net, X, threshold=0.5, values="pixels"):
    """The paper's rubbish-class check (appendix A) on the images ``X`` (no labels); ``values`` as in
    :func:`scores`: Gaussian noise leaves the pixel range, so it needs ``values="scale"``."""
    X = _batch(X, _check_net(net), values, "rubbish_check")
    if not 0 <= threshold < 1:
        raise ValueError(f"rubbish_check: threshold is a probability in [0, 1), got {threshold!r}.")
    probs = probabilities(net, X, values=values)
    conf = probs.max(axis=1)
    hit = conf > threshold
    per_class = np.bincount(np.argmax(probs, axis=1)[hit], minlength=net.num_classes)
    return Rubbish(float(hit.mean()), float(conf[hit].mean()) if hit.any() else float("nan"), per_class,
                   float(threshold), len(X))


# ------------------------------------------------------------------ grey digits
def grey_input(net):
    """The same net, reading one grey channel instead of the grey channel repeated C times.

    For a grey image repeated in every channel, the first layer's output is the sum over
    the channels of each channel's filter times the same image: summing the first layer's
    weights over the channels gives a net with ``input_dim`` (1, H, W) and the same scores.
    The first layer must be a conv or affine layer; ``input_mean`` must be one number.
    Returns a new SequentialNet (this one is not changed).
    """
    net = _check_net(net)
    C, H, W = net.input_dim
    first = net.names[0]
    kind = net.layers[first].kind
    if kind not in ("conv", "affine"):
        raise ValueError(f"the first layer {first!r} is a {kind} layer; grey_input needs a conv or affine layer there.")
    mean = None if net.input_mean is None else np.asarray(net.input_mean)
    if mean is not None and mean.size != 1:
        raise ValueError("grey_input needs input_mean to be one number (the same for every channel and pixel).")
    layers = [(name, net.layers[name].spec()) for name in net.names]
    grey = SequentialNet(layers, input_dim=(1, H, W), reg=net.reg, dtype=net.dtype,
                         input_mean=None if mean is None else float(mean), input_convention=net.input_convention,
                         param_keys={name: dict(keys) for name, keys in net.param_keys.items()})
    for key, value in net.params.items():
        grey.params[key] = value.copy()
    w_key = net.param_keys[first]["W"]
    W1 = net.params[w_key]
    if kind == "conv":
        grey.params[w_key] = W1.sum(axis=1, keepdims=True)
    else:
        grey.params[w_key] = W1.reshape(C, H * W, -1).sum(axis=0)
    grey.frozen = set(net.frozen)
    grey.meta = dict(getattr(net, "meta", {}), grey_input=f"first layer {first!r} summed over {C} channels")
    return grey
