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

Beyond the 2015 paper (issue 27; the CS231n notes' page on adversarial attacks):

* :func:`pgd`, :func:`pgd_by_steps`, :func:`pgd_sweep`, :func:`attack_gradient` -- the basic
  iterative method / projected gradient descent (Kurakin et al. 2017, Madry et al. 2018): steps
  of ``alpha * sign(gradient)``, each projected onto the eps-ball around the digit and onto the
  pixel range, from a random start; untargeted or targeted, on the cross-entropy or on the
  logits' margin (Carlini and Wagner's loss).
* :class:`PGDObjective` -- Madry et al.'s adversarial training on PGD examples, for the Solver.
* :class:`TemperatureObjective` -- the softmax at a temperature T, with hard labels or a
  teacher's soft labels: defensive distillation (Papernot et al. 2016).
* :class:`median`, :class:`blur`, :func:`with_preprocessing` -- denoising before the net.
* :func:`pixel_attack` -- a few pixels changed by a differential-evolution search (Su et al.).
* :data:`PAPERS` -- the numbers of those papers, with their settings.
* ``python -m cs231n_lib.adversarial --pgd / --pixels / --defences``: the heavy runs of
  notebook 08, written to ``data/adversarial_*.json`` with their sha256 (:func:`load_results`).

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
    "PAPERS", "attack_gradient", "margins", "pgd", "pgd_by_steps", "pgd_sweep", "PGDObjective",
    "TemperatureObjective", "median", "blur", "with_preprocessing", "pixel_attack", "PixelAttack",
    "RESULT_FILES", "load_results", "run_pgd", "run_pixels", "run_defences", "main", "zoo_nets",
    "AttackCache", "AttackResult",
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

    X = np.asarray(X)
    if X.dtype.kind != "f" or len(X) == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"kmeans_prototypes: X must be finite float images (N, ...), N >= 1; got dtype {X.dtype}, "
                         f"shape {X.shape} (0..255 pixels: X.astype(np.float32) / 255).")
    X = X.astype(np.float64).reshape(len(X), -1)
    y = contract.check_labels(y, len(X), None, who="kmeans_prototypes")
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
    # the prototypes are images the net reads: in its convention (k-means of 0..255 pixels are not)
    contract.check_images(net, centres.reshape((len(centres),) + tuple(net.input_dim)), name="centres", who="rbf_net")
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


# ==================================================================== beyond the 2015 paper (issue 27)
# The numbers of the later papers, each with the setting it was measured in.  Percentages.
PAPERS = {
    "madry_natural_accuracy": PaperNumber(98.8, "Madry et al. 2018, table 1",
                                          "PGD-trained MNIST net: accuracy on clean test digits"),
    "madry_fgsm_accuracy": PaperNumber(95.6, "Madry et al. 2018, table 1",
                                       "... under FGSM, eps 0.3 (white box)"),
    "madry_pgd40_accuracy": PaperNumber(93.2, "Madry et al. 2018, table 1",
                                        "... under PGD, 40 steps of 0.01, eps 0.3, 1 random start"),
    "papernot_success_before": PaperNumber(95.0, "Papernot et al. 2016, abstract",
                                           "MNIST net: success rate of their (JSMA) attack, undistilled"),
    "papernot_success_after": PaperNumber(0.5, "Papernot et al. 2016, abstract",
                                          "... after defensive distillation (T = 100): 'less than 0.5%'"),
    "carlini_success_distilled": PaperNumber(100.0, "Carlini and Wagner 2017, abstract",
                                             "their attacks on distilled and undistilled nets: success"),
    "su_cifar_one_pixel": PaperNumber(67.97, "Su et al. 2019, abstract",
                                      "CIFAR-10 test images (Kaggle set) moved to some other class by 1 pixel"),
    "su_imagenet_one_pixel": PaperNumber(16.04, "Su et al. 2019, abstract",
                                         "ImageNet test images moved to some other class by 1 pixel"),
}

# The pixel range of each input convention, where it has one (a net in "cs231n" has none fixed).
_PIXEL_RANGE = {"unit": contract.pixel_range("unit")}


# ------------------------------------------------------------------ input checks of the functions below
def _check_images(net, X, name="X", who=None):
    """``X`` as an array of the net's dtype, checked by the input contract
    (:func:`cs231n_lib.contract.check_images`): float NCHW images of the net's input shape, finite,
    of the net's input convention (``"unit"``: [0, 1] up to 0.1)."""
    net = _check_net(net)
    return contract.check_images(net, X, name=name, who=who).astype(net.dtype, copy=False)


def _check_count(value, name, low=0):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}.")
    return int(value)


def _check_step(alpha, eps, steps, net=None, who=None):
    if alpha is None:
        return 2.5 * eps / max(steps, 1)
    alpha = _check_eps(alpha, "alpha", net, who)
    if steps and alpha == 0 and eps > 0:
        raise ValueError("alpha = 0 takes no step: give the step size alpha > 0 (e.g. 2.5 * eps / steps).")
    return alpha


_LOSSES = ("xent", "margin")


def _check_loss(loss):
    if loss not in _LOSSES:
        raise ValueError(f"loss must be 'xent' (the cross-entropy of the softmax) or 'margin' (Carlini and Wagner's "
                         f"difference of logits), got {loss!r}.")
    return loss


def _labels_for(net, X, y, target):
    """The labels the attack's loss uses and whether it is targeted: ``y`` or the target(s)."""
    y = _check_labels(y, len(X), net.num_classes)
    if target is None:
        return y, y, False
    t = np.asarray(target)
    if t.ndim == 0:
        t = np.full(len(X), t)
    t = _check_labels(t, len(X), net.num_classes, "target")
    if np.any(t == y):
        raise ValueError(f"a target must differ from the digit's own class; target == y for images "
                         f"{np.flatnonzero(t == y)[:10].tolist()}.")
    return y, t, True


# ------------------------------------------------------------------ iterative attacks
def margins(scores_, labels, targeted=False):
    """Carlini and Wagner's margin on the logits ``scores_`` (N, C), the quantity an attack raises.

    Untargeted: ``max_{j != y} z_j - z_y`` (positive once the net is wrong); targeted at ``t``:
    ``z_t - max_{j != t} z_j`` (positive once the net says t).  Returns (N,) float64.
    """
    z = np.asarray(scores_, dtype=np.float64)
    if z.ndim != 2 or z.shape[1] < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"scores_ must be finite class scores (N, C) with C >= 2, got shape {z.shape}.")
    labels = _check_labels(labels, len(z), z.shape[1], "labels")
    rows = np.arange(len(z))
    others = z.copy()
    others[rows, labels] = -np.inf
    best_other = others.max(axis=1)
    return (z[rows, labels] - best_other) if targeted else (best_other - z[rows, labels])


def attack_gradient(net, X, labels, loss="xent", targeted=False, batch_size=500):
    """The gradient with respect to ``X`` (N, C, H, W) of what an attack raises, X's shape.

    ``loss="xent"``: the cross-entropy ``J(x, labels)`` (untargeted: raised; targeted: its
    negative, so that ``labels`` -- the targets -- become more likely).  ``loss="margin"``:
    :func:`margins` of the logits, which no softmax saturates.  The cross-entropy's gradient
    is :func:`~cs231n_lib.layers.softmax_loss`'s, exact in float32 (notebook 08, section 3).
    """
    X = _check_images(net, X, who="attack_gradient")
    labels = _check_labels(labels, len(X), net.num_classes, "labels", "attack_gradient")
    return _attack_gradient(net, X, labels, _check_loss(loss), bool(targeted), batch_size)


def _attack_gradient(net, X, labels, loss, targeted, batch_size):
    last = net.names[-1]
    grads = []
    for i in range(0, len(X), batch_size):
        Xb, lb = X[i:i + batch_size], labels[i:i + batch_size]
        z = net.activations(Xb, last)
        if loss == "xent":
            _, d = softmax_loss(z, lb)
            d = -d if targeted else d
        else:
            rows = np.arange(len(z))
            others = np.asarray(z, dtype=np.float64).copy()
            others[rows, lb] = -np.inf
            j = others.argmax(axis=1)  # the strongest other class
            d = np.zeros(z.shape)
            d[rows, j] = -1.0 if targeted else 1.0
            d[rows, lb] = 1.0 if targeted else -1.0
        grads.append(net.backward_from(Xb, last, np.asarray(d, dtype=net.dtype)))
    return np.concatenate(grads) if grads else np.zeros_like(X)


def _pgd_iterates(net, X, labels, targeted, eps, alpha, steps, random_start, clip, loss, tie_channels, seed,
                  batch_size):
    """Yield the images after 0, 1, ..., steps steps (0: the start)."""
    lo, hi = X - eps, X + eps                      # the eps-ball of the max-norm ...
    if clip is not None:                           # ... intersected with the pixel range: a box,
        lo, hi = np.maximum(lo, clip[0]), np.minimum(hi, clip[1])   # so projecting is clipping to it
    X_adv = X.copy()
    if random_start:
        shape = (len(X), 1) + X.shape[2:] if tie_channels else X.shape
        noise = np.random.default_rng(seed).uniform(-eps, eps, size=shape)
        X_adv = np.clip(X + noise.astype(X.dtype), lo, hi).astype(X.dtype)
    yield X_adv
    for _ in range(steps):
        g = _attack_gradient(net, X_adv, labels, loss, targeted, batch_size)
        if tie_channels:  # the gradient with respect to the grey image
            g = np.broadcast_to(g.sum(axis=1, keepdims=True), g.shape)
        X_adv = np.clip(X_adv + alpha * np.sign(g), lo, hi).astype(X.dtype)   # step, then project
        yield X_adv


def pgd(net, X, y, eps, alpha=None, steps=40, random_start=True, clip="pixels", target=None, loss="xent",
        tie_channels=False, seed=0, batch_size=500):
    """Projected gradient descent (Madry et al. 2018; without ``random_start``, Kurakin et al.'s basic
    iterative method): ``steps`` signed steps of size ``alpha``, each followed by a projection onto
    the eps-ball around ``X`` and onto the pixel range ``clip``.

    Parameters
    ----------
    net : a SequentialNet; X : (N, C, H, W) float images in the pixel range of its input
        convention; y : (N,) their labels.
    eps : the max-norm budget (no pixel moves by more than eps); alpha : the step (default
        ``2.5 * eps / steps``: enough to cross the ball and come back); steps : how many.
    random_start : start from ``X`` plus uniform noise in [-eps, eps] (Madry et al.), drawn
        from ``default_rng(seed)``; False starts at ``X`` (the basic iterative method).
    clip : the pixel range (low, high); ``"pixels"``, that of the net's input convention ((0, 1) for
        ours); or None (project onto the eps-ball only).
    target : None (untargeted: raise the loss of ``y``) or a class index (one, or (N,)):
        lower the loss of the target, ``X - alpha * sign(grad J(X, target))`` each step.
    loss : ``"xent"`` (the cross-entropy) or ``"margin"`` (the logits' margin, Carlini and Wagner).
    tie_channels : every channel of a pixel moves alike (a grey digit stays grey).

    One step of size eps from X without random start is :func:`fgsm` (or :func:`fgsm_targeted`).
    Returns X_adv, X's shape and the net's dtype.
    """
    X = _check_images(net, X, who="pgd")
    eps, clip, loss = _check_eps(eps, net=net, who="pgd"), _check_clip(clip, net, "pgd"), _check_loss(loss)
    steps = _check_count(steps, "steps")
    alpha = _check_step(alpha, eps, steps, net, "pgd")
    _, labels, targeted = _labels_for(net, X, y, target)
    for X_adv in _pgd_iterates(net, X, labels, targeted, eps, alpha, steps, bool(random_start), clip, loss,
                               bool(tie_channels), seed, batch_size):
        pass
    return X_adv


def pgd_by_steps(net, X, y, eps, alpha, at_steps, random_start=True, clip="pixels", target=None, loss="xent",
                 seed=0, batch_size=500):
    """One PGD run of ``max(at_steps)`` steps of size ``alpha``, evaluated after each count in
    ``at_steps`` (0: the start alone): a dict ``{steps: Evaluation}`` (against the true labels ``y``)."""
    X = _check_images(net, X, who="pgd_by_steps")
    eps, clip = _check_eps(eps, net=net, who="pgd_by_steps"), _check_clip(clip, net, "pgd_by_steps")
    loss = _check_loss(loss)
    at = sorted({_check_count(k, "each of at_steps") for k in np.atleast_1d(at_steps).tolist()})
    if not at:
        raise ValueError("at_steps must name at least one step count.")
    alpha = _check_step(alpha, eps, at[-1], net, "pgd_by_steps")
    y, labels, targeted = _labels_for(net, X, y, target)
    out = {}
    for k, X_adv in enumerate(_pgd_iterates(net, X, labels, targeted, eps, alpha, at[-1], bool(random_start), clip,
                                            loss, False, seed, batch_size)):
        if k in at:
            out[k] = evaluate(net, X_adv, y, batch_size, values="scale")   # unclipped, if clip is None
    return out


def pgd_sweep(net, X, y, eps_values, steps=20, alpha_over_eps=None, random_start=True, clip="pixels", loss="xent",
              seed=0, batch_size=500):
    """:func:`pgd` at each size in ``eps_values`` (``alpha = alpha_over_eps * eps``, default
    ``2.5 / steps``): a :class:`Sweep`, like :func:`fgsm_sweep`'s (``eps = 0`` gives the clean digits)."""
    X = _check_images(net, X, who="pgd_sweep")
    y = _check_labels(y, len(X), net.num_classes, who="pgd_sweep")
    steps = _check_count(steps, "steps")
    ratio = 2.5 / max(steps, 1) if alpha_over_eps is None else _check_eps(alpha_over_eps, "alpha_over_eps")
    eps_values = [_check_eps(e, net=net, who="pgd_sweep") for e in
                  (eps_values if isinstance(eps_values, (list, tuple)) else np.atleast_1d(eps_values).tolist())]
    evaluations = []
    for e in eps_values:
        X_adv = X if e == 0 else pgd(net, X, y, e, ratio * e, steps, random_start, clip, None, loss, False, seed,
                                     batch_size)
        evaluations.append(evaluate(net, X_adv, y, batch_size, values="scale"))
    return Sweep(np.array(eps_values), np.array([ev.accuracy for ev in evaluations]),
                 np.array([ev.confidence_on_mistakes for ev in evaluations]), evaluations)


# ------------------------------------------------------------------ training objectives
def _objective_grads(net, X, dscores_of):
    """Forward ``X`` in train mode, let ``dscores_of(scores)`` give ``(loss, dscores)``, back-propagate:
    ``(loss + weight penalty, grads)`` as :meth:`SequentialNet.loss` returns them."""
    acts, caches = net._forward(X, mode="train")
    loss, dscores = dscores_of(acts[net.names[-1]])
    weights = net._weight_keys()
    loss += 0.5 * net.reg * sum(float(np.sum(net.params[k] * net.params[k])) for k in weights)
    _, grads = net._backward(np.asarray(dscores, dtype=net.dtype), caches, net.names[-1])
    for k in grads:
        if k in weights:
            grads[k] = grads[k] + net.reg * net.params[k]
        grads[k] = np.asarray(grads[k], dtype=net.dtype)
    return loss, grads


class PGDObjective:
    """Madry et al.'s adversarial training as a model the Solver trains::

        min over the weights of  J(x + delta*, y),  delta* = PGD's answer to  max_{|delta|_inf <= eps} J(x + delta, y)

    Each minibatch's examples are made by :func:`pgd` (random start, ``steps`` steps of
    ``alpha``, clipped to ``clip``) against the current weights and held fixed; the net is trained
    on them alone (no clean term, as Madry et al.).  With ``ramp`` > 0 the budget grows linearly
    from ``eps / ramp`` to ``eps`` over the first ``ramp`` minibatches (and ``alpha`` with it).
    ``loss(X)`` gives the clean scores (the Solver's accuracies are clean ones).
    """

    def __init__(self, net, eps=0.25, alpha=None, steps=7, clip="pixels", tie_channels=False, seed=0, ramp=0):
        self.net = _check_net(net)
        who = "PGDObjective"
        self.eps, self.clip = _check_eps(eps, net=net, who=who), _check_clip(clip, net, who)
        self.steps = _check_count(steps, "steps", 1)
        self.alpha = _check_step(alpha, self.eps, self.steps, net, who)
        self.tie_channels, self.ramp = bool(tie_channels), _check_count(ramp, "ramp")
        self.rng = np.random.default_rng(seed)
        self.calls = 0

    @property
    def params(self):
        return self.net.params

    @property
    def num_classes(self):
        return self.net.num_classes

    @property
    def input_convention(self):
        return self.net.input_convention

    def current_eps(self):
        """The budget of the next minibatch (the ramp's value)."""
        return self.eps if not self.ramp else self.eps * min(1.0, (self.calls + 1) / self.ramp)

    def loss(self, X, y=None):
        if y is None:
            return self.net.loss(X)
        eps = self.current_eps()
        alpha = self.alpha * eps / self.eps if self.eps else 0.0
        self.calls += 1
        X_adv = pgd(self.net, X, y, eps, alpha, self.steps, True, self.clip, tie_channels=self.tie_channels,
                    seed=int(self.rng.integers(2 ** 31)))
        return self.net.loss(X_adv, y)


class TemperatureObjective:
    """The softmax at temperature ``T`` as a model the Solver trains (defensive distillation)::

        J = - sum_k q_k log softmax(z / T)_k

    with ``q`` the one-hot label (``teacher=None``: the first net of Papernot et al.) or the
    teacher's ``softmax(z_teacher / T)`` on the same images (the distilled net).  At test time
    the net is used as it is, at T = 1: its logits ``z`` are the ones trained at T.  The weight
    penalty enters as in :meth:`SequentialNet.loss`.  ``loss(X)`` gives the scores at T = 1.
    """

    def __init__(self, net, temperature, teacher=None):
        self.net = _check_net(net)
        T = _check_eps(temperature, "temperature")
        if T <= 0:
            raise ValueError(f"the temperature must be > 0 (1 is the plain softmax), got {temperature!r}.")
        self.T = T
        self.teacher = None if teacher is None else _check_net(teacher)

    @property
    def params(self):
        return self.net.params

    @property
    def num_classes(self):
        return self.net.num_classes

    @property
    def input_convention(self):
        return self.net.input_convention

    def soft_labels(self, X):
        """The teacher's probabilities at temperature T, (N, C) float64."""
        return _softmax(scores(self.teacher, X) / self.T)

    def loss(self, X, y=None):
        if y is None:
            return self.net.loss(X)
        X = _check_images(self.net, X, who="TemperatureObjective")
        y = _check_labels(y, len(X), self.net.num_classes, who="TemperatureObjective")
        T = self.T
        if self.teacher is None:
            def dscores_of(z):
                loss, d = softmax_loss(np.asarray(z, dtype=np.float64) / T, y)
                return loss, d / T              # d J / d z = (d J / d (z / T)) / T
        else:
            q = self.soft_labels(X)

            def dscores_of(z):
                s = np.asarray(z, dtype=np.float64) / T
                s = s - s.max(axis=1, keepdims=True)
                log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
                return float(-np.mean(np.sum(q * log_p, axis=1))), (np.exp(log_p) - q) / (T * len(z))
        return _objective_grads(self.net, X, dscores_of)


# ------------------------------------------------------------------ denoising before the net
def _edge_windows(x, size):
    p = size // 2
    padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, (size, size), axis=(2, 3))


class _Denoiser(Layer):
    args = ("size",)

    def __init__(self, size=3):
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size < 1 or size % 2 == 0:
            raise ValueError(f"{self.kind}: size must be an odd whole number >= 1 (a window centred on the pixel), "
                             f"got {size!r}.")
        self.size = int(size)

    def describe(self):
        return f"{self.kind} {self.size}x{self.size} (edge-padded)"

    @property
    def dims(self):
        return LayerDims("pointwise", name=f"{self.kind.upper()}{self.size}")


class median(_Denoiser):
    """A median filter over ``size`` x ``size`` windows of each channel (edges repeated): a denoiser
    before the net (``with_preprocessing``).  No parameters; the output has the input's shape.

    The median of a window is, almost everywhere, one of its pixels, so its true gradient sends each
    output's gradient to that one pixel (as max pooling sends it to the maximum).  This layer's
    **backward pass is the identity** instead: the gradient goes straight through, the approximation
    ``median(x) ~ x`` of BPDA (Athalye, Carlini and Wagner 2018), which is what notebook 08's aware
    attacker uses.
    """

    kind = "median"

    def forward(self, x, params):
        return np.median(_edge_windows(x, self.size), axis=(-2, -1)).astype(x.dtype), x.shape

    def backward(self, dout, cache):
        return dout, {}


class blur(_Denoiser):
    """The mean of each ``size`` x ``size`` window of each channel (edges repeated): a linear
    denoiser before the net, with its exact gradient (the adjoint of the averaging)."""

    kind = "blur"

    def forward(self, x, params):
        return _edge_windows(x, self.size).mean(axis=(-2, -1)).astype(x.dtype), x.shape

    def backward(self, dout, cache):
        N, C, H, W = cache
        k, p = self.size, self.size // 2
        dpad = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=np.float64)
        share = np.asarray(dout, dtype=np.float64) / (k * k)
        for i in range(k):            # output (r, c) read padded (r + i, c + j)
            for j in range(k):
                dpad[:, :, i:i + H, j:j + W] += share
        # fold the repeated edges back onto the pixels they copy
        dpad[:, :, p, :] += dpad[:, :, :p, :].sum(axis=2)
        dpad[:, :, p + H - 1, :] += dpad[:, :, p + H:, :].sum(axis=2)
        dpad[:, :, :, p] += dpad[:, :, :, :p].sum(axis=3)
        dpad[:, :, :, p + W - 1] += dpad[:, :, :, p + W:].sum(axis=3)
        return dpad[:, :, p:p + H, p:p + W].astype(dout.dtype), {}


def with_preprocessing(net, kind, size=3):
    """The same net with a denoiser in front: ``kind`` ``"median"`` or ``"blur"`` over ``size`` x
    ``size`` windows.  A new SequentialNet (this one is not changed); an attacker who knows the
    defence attacks this net, one who does not attacks ``net``."""
    net = _check_net(net)
    if kind not in ("median", "blur"):
        raise ValueError(f"kind must be 'median' or 'blur', got {kind!r}.")
    layer = {"median": median, "blur": blur}[kind](size)   # checks size
    if "denoise" in net.names:
        raise ValueError("this net already has a denoiser ('denoise' layer).")
    layers = [("denoise", layer.spec())] + [(name, net.layers[name].spec()) for name in net.names]
    mean = None if net.input_mean is None else np.asarray(net.input_mean)
    keys = {name: dict(k) for name, k in net.param_keys.items()}
    keys["denoise"] = {}
    out = SequentialNet(layers, input_dim=tuple(net.input_dim), reg=net.reg, dtype=net.dtype,
                        input_mean=None if mean is None else (float(mean) if mean.size == 1 else mean),
                        input_convention=net.input_convention, param_keys=keys)
    for key, value in net.params.items():
        out.params[key] = value.copy()
    out.frozen = set(net.frozen)
    out.meta = dict(getattr(net, "meta", {}), preprocessing=layer.describe())
    return out


# ------------------------------------------------------------------ a few pixels: differential evolution
class PixelAttack(NamedTuple):
    """What :func:`pixel_attack` found for one image: ``success`` (the net no longer says ``label``,
    or says ``target``); ``pixels`` (k, 3) rows ``(row, column, value)``; the ``image``; the net's
    ``prediction`` and ``probability`` of it; ``p_label`` the probability left to the true class;
    ``evaluations`` (images shown to the net) and ``generations``."""

    success: bool
    pixels: np.ndarray
    image: np.ndarray
    prediction: int
    probability: float
    p_label: float
    evaluations: int
    generations: int


def _set_pixels(x, params):
    """Images (S, C, H, W): ``x`` with, for each candidate (a column of ``params``, (3k, S)), k pixels
    set to their values (every channel alike)."""
    params = np.asarray(params, dtype=np.float64)
    params = (params[:, None] if params.ndim == 1 else params).T          # (S, 3k)
    S = params.shape[0]
    out = np.repeat(x[None], S, axis=0)
    H, W = x.shape[-2:]
    rows = np.arange(S)
    for j in range(params.shape[1] // 3):
        r = np.clip(params[:, 3 * j].astype(np.int64), 0, H - 1)
        c = np.clip(params[:, 3 * j + 1].astype(np.int64), 0, W - 1)
        out[rows, :, r, c] = params[:, 3 * j + 2][:, None].astype(x.dtype)
    return out


def pixel_attack(net, x, label, pixels=1, popsize=400, maxiter=100, mutation=0.5, recombination=1.0, target=None,
                 seed=0):
    """Change ``pixels`` pixels of ``x`` until ``net`` no longer says ``label`` (or says ``target``),
    by differential evolution (Su, Vargas and Sakurai 2019), with scipy's ``differential_evolution``.

    A candidate is ``(row, column, value)`` per pixel (the value in the pixel range, every channel
    alike: our digits are grey).  The search minimises the probability of the true class (or
    maximises the target's), from ``popsize`` random candidates, with ``mutation`` F and
    ``recombination`` (1: each child is ``x_r1 + F (x_r2 - x_r3)``, the notes' formula), for at most
    ``maxiter`` generations, and stops at the first generation whose best candidate succeeds.
    Only the net's probabilities are read: a black-box attack.  x : (C, H, W).  Returns :class:`PixelAttack`.
    """
    from scipy.optimize import differential_evolution

    net = _check_net(net)
    x = contract.check_images(net, x, name="x", who="pixel_attack", one=True).astype(net.dtype, copy=False)
    label = int(_check_labels(np.array([label]), 1, net.num_classes, "label")[0])
    if target is not None:
        target = int(_check_labels(np.array([target]), 1, net.num_classes, "target")[0])
        if target == label:
            raise ValueError("the target must differ from the digit's own class.")
    k = _check_count(pixels, "pixels", 1)
    popsize, maxiter = _check_count(popsize, "popsize", 5), _check_count(maxiter, "maxiter", 1)
    lo, hi = _PIXEL_RANGE.get(net.input_convention, (float(x.min()), float(x.max())))
    H, W = x.shape[-2:]
    bounds = [(0, H - 1e-6), (0, W - 1e-6), (lo, hi)] * k
    rng = np.random.default_rng(seed)
    init = np.column_stack([rng.uniform(b0, b1, size=popsize) for b0, b1 in bounds])
    seen = {"n": 0}

    def probs_of(params):
        images = _set_pixels(x, params)
        seen["n"] += len(images)
        return probabilities(net, images)

    def objective(params):  # params (3k, S): scipy's vectorized call
        p = probs_of(params)
        return -p[:, target] if target is not None else p[:, label]

    def done(p):
        return int(np.argmax(p)) == target if target is not None else int(np.argmax(p)) != label

    def callback(xk, convergence=None):
        return done(probs_of(np.asarray(xk)[:, None])[0])

    import inspect

    accepts = inspect.signature(differential_evolution).parameters
    # scipy >= 1.15 takes rng= (seed= is on its way out); >= 1.9 evaluates a whole generation in one call
    options = {"rng": np.random.default_rng(seed + 1)} if "rng" in accepts else {"seed": int(seed) + 1}
    if "vectorized" in accepts:
        options["vectorized"] = True
        func = objective
    else:
        def func(params):
            return float(objective(np.asarray(params)[:, None])[0])
    result = differential_evolution(func, bounds, maxiter=maxiter, popsize=1, init=init, mutation=mutation,
                                    recombination=recombination, strategy="rand1bin", tol=0, atol=0, polish=False,
                                    updating="deferred", callback=callback, **options)
    best = np.asarray(result.x)
    image = _set_pixels(x, best[:, None])[0]
    p = probs_of(best[:, None])[0]
    pred = int(np.argmax(p))
    table = np.column_stack([np.clip(best[0::3].astype(np.int64), 0, H - 1),
                             np.clip(best[1::3].astype(np.int64), 0, W - 1), best[2::3]])
    return PixelAttack(done(p), table, image, pred, float(p[pred]), float(p[label]), int(seen["n"]), int(result.nit))


# ------------------------------------------------------------------ the heavy runs of notebook 08
RESULT_FILES = {"pgd": "adversarial_pgd.json", "pixels": "adversarial_pixels.json",
                "defences": "adversarial_defences.json"}
# The settings of each run (a run records the ones it used).
PGD_RUN = {"num_test": 500, "eps": [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3], "sweep_steps": 10,
           "sweep_alpha_over_eps": 0.25, "curve_eps": 0.3, "curve_alpha": 0.01,   # the curve: Madry et al.'s setting
           "curve_steps": [0, 1, 2, 3, 5, 10, 20, 40], "leak_eps": 0.25,
           "loss_line": [0.0, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.225, 0.25, 0.275, 0.3], "seed": 0}
PIXELS_RUN = {"num_digits": 100, "pixels": [1, 5], "popsize": 60, "maxiter": 20, "mutation": 0.5,
              "recombination": 1.0, "nets": ["softmax", "ConvNet"], "seed": 0}
DEFENCES_RUN = {"num_test": 500, "eps": 0.25, "steps": 10, "alpha_over_eps": 0.25, "denoise_size": 3,
                "denoise_eps": [0.1, 0.25], "substitute": "mnist_convnet_noreg", "seed": 0}
QUICK_RUNS = {"pgd": {"num_test": 20, "eps": [0.0, 0.25], "curve_steps": [0, 1, 2], "loss_line": [0.0, 0.25]},
              "pixels": {"num_digits": 2, "popsize": 10, "maxiter": 2},
              "defences": {"num_test": 20, "steps": 2, "denoise_eps": [0.25]}}

ZOO_NETS = {"softmax": "mnist_softmax", "ConvNet": "mnist_convnet", "FGSM-trained": "mnist_convnet_adv",
            "RBF": "mnist_rbf", "PGD-trained": "mnist_convnet_pgd", "distilled": "mnist_convnet_distilled"}


def zoo_nets(names=None):
    """Notebook 08's nets from the model zoo, every one reading one grey channel (``grey_input``)."""
    from .pretrained import load_pretrained

    unknown = [n for n in (names or ()) if n not in ZOO_NETS]
    if unknown:
        raise ValueError(f"notebook 08's nets are {list(ZOO_NETS)}; got {unknown}.")
    out = {}
    for name in (names or ZOO_NETS):
        net = load_pretrained(ZOO_NETS[name])
        out[name] = grey_input(net) if net.input_dim[0] == 3 else net
    return out


def _digits(num_test):
    from .data import load_mnist

    d = load_mnist(channels=1)
    return d["X_test"][:num_test], d["y_test"][:num_test]


def _row(ev):
    """An Evaluation as JSON: error and confidence on mistakes in percent, and the predictions as digits."""
    conf = ev.confidence_on_mistakes
    return {"error": round(100 * ev.error, 2), "confidence": None if math.isnan(conf) else round(100 * conf, 2),
            "predictions": "".join(str(int(p)) for p in ev.predictions)}


def _mean_loss(net, X, y):
    return float(softmax_loss(scores(net, X), y)[0])


def run_pgd(settings=PGD_RUN, progress=False, names=None, done=None, save=None):
    """FGSM and PGD on every zoo net of notebook 08: error and confidence against eps (PGD of
    ``sweep_steps`` steps of ``sweep_alpha_over_eps * eps``) and against the number of steps (one run of
    steps of ``curve_alpha`` at ``curve_eps``: Madry et al.'s setting), label leaking and the mean loss
    along the FGSM direction and at the PGD examples.  Returns a dict (JSON).

    ``names``: only these nets (default: all); ``done``: rows of nets already measured (a dict name ->
    row, from an interrupted run), kept; ``save(rows)`` is called after each net (to resume from)."""
    import time

    start = time.perf_counter()
    X, y = _digits(settings["num_test"])
    out = {"settings": dict(settings), "nets": dict(done or {})}
    todo = [n for n in (names or ZOO_NETS) if n not in out["nets"]]
    for name, net in (zoo_nets(todo) if todo else {}).items():
        t0 = time.perf_counter()
        direction = fgsm_direction(net, X, y)
        row = {"fgsm": [_row(evaluate(net, _apply(X, e * direction, (0, 1)), y)) for e in settings["eps"]],
               "pgd": []}
        for e in settings["eps"]:
            X_pgd = X if e == 0 else pgd(net, X, y, e, settings["sweep_alpha_over_eps"] * e, settings["sweep_steps"],
                                         seed=settings["seed"])
            row["pgd"].append(_row(evaluate(net, X_pgd, y)))
            if e == settings["leak_eps"]:
                row["loss_pgd"] = round(_mean_loss(net, X_pgd, y), 4)
        curve = pgd_by_steps(net, X, y, settings["curve_eps"], settings["curve_alpha"], settings["curve_steps"],
                             seed=settings["seed"])
        row["steps"] = {str(k): _row(ev) for k, ev in curve.items()}
        row["steps_fgsm"] = _row(evaluate(net, _apply(X, settings["curve_eps"] * direction, (0, 1)), y))
        # label leaking (Kurakin et al. 2017): FGSM with the net's own answer instead of the true label
        e = settings["leak_eps"]
        own = fgsm_direction(net, X, evaluate(net, X, y).predictions)
        row["fgsm_true_label"] = _row(evaluate(net, _apply(X, e * direction, (0, 1)), y))
        row["fgsm_predicted_label"] = _row(evaluate(net, _apply(X, e * own, (0, 1)), y))
        # the mean loss along the FGSM direction
        row["loss_fgsm_line"] = [round(_mean_loss(net, _apply(X, s * direction, (0, 1)), y), 4)
                                 for s in settings["loss_line"]]
        row["seconds"] = round(time.perf_counter() - t0, 1)
        out["nets"][name] = row
        if save is not None:
            save(out["nets"])
    out["nets"] = {n: out["nets"][n] for n in ZOO_NETS if n in out["nets"]}      # the zoo's order
    out["seconds"] = round(sum(row["seconds"] for row in out["nets"].values()), 1)
    return out


def run_pixels(settings=PIXELS_RUN, progress=False):
    """The few-pixel attack (differential evolution) on the first ``num_digits`` test digits each net
    classifies correctly: success rate per number of pixels.  Returns a dict (JSON)."""
    import time

    start = time.perf_counter()
    X, y = _digits(500)
    nets = zoo_nets(settings["nets"])
    out = {"settings": dict(settings), "nets": {}}
    for name, net in nets.items():
        right = np.flatnonzero(net.predict(X) == y)[:settings["num_digits"]]
        row = {"digits": [int(i) for i in right]}
        for k in settings["pixels"]:
            t0 = time.perf_counter()
            found = [pixel_attack(net, X[i], int(y[i]), pixels=k, popsize=settings["popsize"],
                                  maxiter=settings["maxiter"], mutation=settings["mutation"],
                                  recombination=settings["recombination"], seed=settings["seed"] + int(i))
                     for i in right]
            row[str(k)] = {"success": [int(f.success) for f in found],
                           "prediction": [f.prediction for f in found],
                           "confidence": [round(100 * f.probability, 2) for f in found],
                           "pixels": [[[int(r), int(c), round(float(v), 4)] for r, c, v in f.pixels] for f in found],
                           "evaluations": [f.evaluations for f in found],
                           "seconds": round(time.perf_counter() - t0, 1)}
        out["nets"][name] = row
    out["seconds"] = round(time.perf_counter() - start, 1)
    return out


def run_defences(settings=DEFENCES_RUN, progress=False):
    """Targeted against untargeted, black-box transfer from a substitute, defensive distillation under
    FGSM and under attacks on its logits, and denoising against attackers who do and do not know it.
    Returns a dict (JSON)."""
    import time

    from .pretrained import load_pretrained

    start = time.perf_counter()
    X, y = _digits(settings["num_test"])
    nets = zoo_nets()
    e, steps, ratio, seed = settings["eps"], settings["steps"], settings["alpha_over_eps"], settings["seed"]
    out = {"settings": dict(settings)}

    # targeted and untargeted, one step and iterated, on the softmax classifier and the ConvNet
    out["targeted"] = {}
    for name in ("softmax", "ConvNet"):
        net = nets[name]
        p = probabilities(net, X)
        targets = {"next": (y + 1) % 10, "least likely": np.where(np.argsort(p, axis=1)[:, 0] == y,
                                                                  np.argsort(p, axis=1)[:, 1],
                                                                  np.argsort(p, axis=1)[:, 0])}
        row = {"untargeted": {"fgsm": _row(evaluate(net, fgsm(net, X, y, e), y)),
                              "pgd": _row(evaluate(net, pgd(net, X, y, e, ratio * e, steps, seed=seed), y))}}
        for label, t in targets.items():
            made = {"fgsm": fgsm_targeted(net, X, t, e), "pgd": pgd(net, X, y, e, ratio * e, steps, target=t, seed=seed)}
            row[label] = {k: dict(_row(evaluate(net, v, y)),
                                  hit=round(100 * float(np.mean(probabilities(net, v).argmax(axis=1) == t)), 2))
                          for k, v in made.items()}
        out["targeted"][name] = row

    # black box: examples made on a substitute the attacker trained himself, shown to each net
    substitute = grey_input(load_pretrained(settings["substitute"]))
    made = {"fgsm": fgsm(substitute, X, y, e), "pgd": pgd(substitute, X, y, e, ratio * e, steps, seed=seed)}
    out["black_box"] = {"substitute": settings["substitute"],
                        "substitute_clean_error": round(100 * evaluate(substitute, X, y).error, 2),
                        "shown_to": {name: {k: _row(evaluate(net, v, y)) for k, v in made.items()}
                                     for name, net in nets.items()}}

    # defensive distillation: FGSM and PGD on the cross-entropy, PGD on the logits' margin
    net = nets["distilled"]
    _, g = loss_gradient(net, X, y)
    flat = np.all(g.reshape(len(X), -1) == 0, axis=1)
    z = scores(net, X)
    top2 = np.sort(z, axis=1)[:, -2:]
    out["distillation"] = {
        "temperature": net.meta["recipe"]["temperature"],
        "zero_gradient_digits": int(flat.sum()),
        "median_logit_gap": round(float(np.median(top2[:, 1] - top2[:, 0])), 2),
        "plain_median_logit_gap": round(float(np.median(np.diff(np.sort(scores(nets["ConvNet"], X), axis=1)[:, -2:],
                                                                   axis=1))), 2),
        "clean": _row(evaluate(net, X, y)),
        "fgsm": _row(evaluate(net, fgsm(net, X, y, e), y)),
        "pgd_xent": _row(evaluate(net, pgd(net, X, y, e, ratio * e, steps, seed=seed), y)),
        "pgd_margin": _row(evaluate(net, pgd(net, X, y, e, ratio * e, steps, loss="margin", seed=seed), y)),
        "fgsm_margin": _row(evaluate(net, pgd(net, X, y, e, e, 1, random_start=False, loss="margin"), y)),
        "plain_pgd_margin": _row(evaluate(nets["ConvNet"], pgd(nets["ConvNet"], X, y, e, ratio * e, steps,
                                                                loss="margin", seed=seed), y)),
    }

    # denoising before the ConvNet: attackers who do not and who do know the filter
    out["denoising"] = {}
    plain = nets["ConvNet"]
    unaware = {eps: (fgsm(plain, X, y, eps), pgd(plain, X, y, eps, ratio * eps, steps, seed=seed))
               for eps in settings["denoise_eps"]}
    for kind in ("median", "blur"):
        defended = with_preprocessing(plain, kind, settings["denoise_size"])
        row = {"clean": _row(evaluate(defended, X, y))}
        for eps in settings["denoise_eps"]:
            unaware_f, unaware_p = unaware[eps]
            aware = pgd(defended, X, y, eps, ratio * eps, steps, seed=seed)
            row[str(eps)] = {"bare_fgsm": _row(evaluate(plain, unaware_f, y)),
                             "bare_pgd": _row(evaluate(plain, unaware_p, y)),
                             "unaware_fgsm": _row(evaluate(defended, unaware_f, y)),
                             "unaware_pgd": _row(evaluate(defended, unaware_p, y)),
                             "aware_pgd": _row(evaluate(defended, aware, y))}
        out["denoising"][kind] = row
    out["seconds"] = round(time.perf_counter() - start, 1)
    return out


def _write_results(results, path):
    import json
    import platform

    from . import __version__
    from .nets import sha256_of

    path = __import__("pathlib").Path(path)
    record = dict(results, library_version=__version__, numpy=np.__version__, machine=platform.machine())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    digest = sha256_of(path)
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def _data_dir():
    import pathlib

    return pathlib.Path(__file__).resolve().parent.parent / "data"


def load_results(name, directory=None):
    """The stored results of run ``name`` ('pgd', 'pixels' or 'defences'), checked against their sha256."""
    import json
    import pathlib

    from .nets import sha256_of

    if name not in RESULT_FILES:
        raise ValueError(f"name must be one of {sorted(RESULT_FILES)}, got {name!r}.")
    path = (_data_dir() if directory is None else pathlib.Path(directory)) / RESULT_FILES[name]
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: restore it with `git checkout -- data/` or rebuild it with "
                                f"`python -m cs231n_lib.adversarial --{name}`.")
    pin = path.with_suffix(".sha256")
    expected = pin.read_text(encoding="utf-8").split()[0] if pin.exists() else None
    if expected != sha256_of(path):
        raise ValueError(f"{path.name} does not match {pin.name}: the file was changed or damaged. Restore it with "
                         f"`git checkout -- data/` or rebuild it with `python -m cs231n_lib.adversarial --{name}`.")
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv=None):
    import argparse
    import json
    import os
    import pathlib
    import time

    from threadpoolctl import threadpool_limits

    from .outputs import add_force_option, kept_note, output_path
    from .pretrained import ZOO_DIR

    parser = argparse.ArgumentParser(
        prog="python -m cs231n_lib.adversarial",
        description="Notebook 08's heavy runs: write data/adversarial_*.json and their sha256 (one BLAS thread).")
    parser.add_argument("--pgd", action="store_true", help="FGSM and PGD against eps and steps on every zoo net")
    parser.add_argument("--pixels", action="store_true", help="the few-pixel attack by differential evolution")
    parser.add_argument("--defences", action="store_true",
                        help="targeted vs untargeted, black-box transfer, distillation, denoising")
    parser.add_argument("--out", default=str(_data_dir()), help="folder to write to (default: the repository's data/)")
    parser.add_argument("--quick", action="store_true", help="tiny settings, to try the pipeline (not to ship)")
    add_force_option(parser)
    parser.add_argument("--nets", nargs="+", choices=sorted(ZOO_NETS), metavar="NET",
                        help="--pgd only: measure these nets now and keep them for a later run (which resumes)")
    args = parser.parse_args(argv)
    chosen = [n for n, on in (("pgd", args.pgd), ("pixels", args.pixels), ("defences", args.defences)) if on]
    if not chosen:
        parser.error("say which run to make: --pgd, --pixels and/or --defences")
    runners = {"pgd": (run_pgd, PGD_RUN), "pixels": (run_pixels, PIXELS_RUN), "defences": (run_defences, DEFENCES_RUN)}
    for name in chosen:
        target = pathlib.Path(args.out) / RESULT_FILES[name]
        path = output_path(target, args.force)    # a file that exists is replaced only with --force
        runner, base = runners[name]
        settings = dict(base, **QUICK_RUNS[name]) if args.quick else base
        zoo = {f: (ZOO_DIR / f"{f}.sha256").read_text(encoding="utf-8").split()[0]
               for f in sorted(set(ZOO_NETS.values()) | {DEFENCES_RUN["substitute"]})}
        load_before, cpu = os.getloadavg()[0], time.process_time()
        with threadpool_limits(limits=1, user_api="blas"):
            if name == "pgd":
                # --pgd resumes: each net's row is saved as it is done (with the settings and the zoo it used)
                partial = path.with_name("." + path.name + ".partial")
                old = json.loads(partial.read_text(encoding="utf-8")) if partial.exists() else {}
                done = {n: row for n, row in old.get("nets", {}).items()
                        if old.get("settings") == settings and old.get("zoo", {}).get(n) == zoo[ZOO_NETS[n]]}
                cpu_before = old.get("cpu_seconds", 0.0) if done else 0.0

                def save(rows):
                    if partial.exists():   # another run may have kept other nets meanwhile: keep them too
                        other = json.loads(partial.read_text(encoding="utf-8"))
                        if other.get("settings") == settings:
                            rows = dict({n: r for n, r in other.get("nets", {}).items()
                                         if other.get("zoo", {}).get(n) == zoo[ZOO_NETS[n]]}, **rows)
                    partial.write_text(json.dumps({"settings": settings, "nets": rows,
                                                   "zoo": {n: zoo[ZOO_NETS[n]] for n in rows},
                                                   "cpu_seconds": cpu_before + time.process_time() - cpu}),
                                       encoding="utf-8")

                results = run_pgd(settings, names=args.nets, done=done, save=save)
                if set(results["nets"]) != set(ZOO_NETS):
                    print(f"pgd: {sorted(results['nets'])} measured and kept in {partial}; run again without --nets "
                          "to finish")
                    continue
                cpu -= cpu_before
            else:
                results = runner(settings)
        results.update(cpu_seconds=round(time.process_time() - cpu, 1),
                       load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)], zoo_sha256=zoo)
        digest = _write_results(results, path)
        if name == "pgd" and partial.exists():
            partial.unlink()
        print(f"{name}: {results['seconds']:.0f} s ({results['cpu_seconds']:.0f} s of CPU); wrote {path} "
              f"(sha256 {digest})")
        if path != target:
            print(kept_note(target, path))
    return 0


if __name__ == "__main__":
    import sys

    from cs231n_lib import adversarial as _module   # run in the imported module, whose layer kinds the zoo uses

    sys.exit(_module.main())


# ------------------------------------------------------------------ what an explorer shows, cached
class AttackResult(NamedTuple):
    """One digit attacked with one setting: the image before and after (C, H, W), the net's
    probabilities before and after (C,), the true ``label``, the ``target`` (None: untargeted)."""

    x: np.ndarray
    x_adv: np.ndarray
    probs_clean: np.ndarray
    probs_adv: np.ndarray
    label: int
    target: object


class AttackCache:
    """The attack of one digit per setting, computed once: what an explorer over ``nets`` (a dict
    name -> net), digits ``X`` (N, C, H, W) and labels ``y`` calls on every slider move.

    ``get(model, digit, eps_percent, attack="fgsm", steps=10, target=None, loss="xent")`` returns an
    :class:`AttackResult`: ``attack`` ``"fgsm"`` (one step of eps), ``"bim"`` (``steps`` steps of
    ``eps / 4`` from the digit, Kurakin et al.) or ``"pgd"`` (the same from a random start, seed 0);
    ``target`` None or a class; ``loss`` ``"xent"`` or ``"margin"`` (the logits', which a distilled
    net's saturated softmax does not mask).  A setting seen before is answered from the cache (at most
    ``maxsize`` settings are kept, the oldest dropped first).  Invalid settings raise ValueError.
    """

    ATTACKS = ("fgsm", "bim", "pgd")

    def __init__(self, nets, X, y, maxsize=512):
        if not nets:
            raise ValueError("nets must name at least one net.")
        self.nets = {name: _check_net(net) for name, net in nets.items()}
        first = next(iter(self.nets.values()))
        self.X = _check_images(first, X)
        self.y = _check_labels(y, len(self.X), first.num_classes)
        self.maxsize = _check_count(maxsize, "maxsize", 1)
        self._cache = {}

    def get(self, model, digit, eps_percent, attack="fgsm", steps=10, target=None, loss="xent"):
        if model not in self.nets:
            raise ValueError(f"model must be one of {', '.join(self.nets)}, got {model!r}.")
        if attack not in self.ATTACKS:
            raise ValueError(f"attack must be one of {self.ATTACKS}, got {attack!r}.")
        n = _check_count(digit, "digit")
        if n >= len(self.X):
            raise ValueError(f"digit must be a whole number from 0 to {len(self.X) - 1}, got {digit!r}.")
        k = _check_count(eps_percent, "eps_percent")
        steps = 1 if attack == "fgsm" else _check_count(steps, "steps", 1)
        loss = _check_loss(loss)
        key = (model, n, k, attack, steps, None if target is None else int(target), loss)
        if key in self._cache:
            return self._cache[key]
        net, x, label = self.nets[model], self.X[n:n + 1], int(self.y[n])
        eps = k / 100
        if attack == "fgsm":
            x_adv = pgd(net, x, [label], eps, eps, 1, random_start=False, target=target, loss=loss)
        else:
            x_adv = pgd(net, x, [label], eps, eps / 4, steps, random_start=attack == "pgd", target=target, loss=loss)
        before, after = probabilities(net, np.concatenate([x, x_adv]))   # one batch, as the explorer always did
        result = AttackResult(x[0], x_adv[0], before, after, label, target)
        if len(self._cache) >= self.maxsize:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = result
        return result
