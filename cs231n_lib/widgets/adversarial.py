"""Notebook 08 (adversarial examples): the adversarial explorer (digit, net, eps, target class,
attack, steps and loss)."""
from __future__ import annotations

from typing import NamedTuple, Optional

from ..vis import adversarial as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _view_html, _wire

__all__ = ["EPS_RANGE", "STEPS_RANGE", "ATTACKS", "LOSSES", "NO_TARGET", "AttackView", "attack_view",
           "render_attack_explorer", "adversarial_explorer"]

EPS_RANGE = range(0, 51)  # eps in percent of the pixel range [0, 1]; a larger value widens the slider
# Steps of BIM and PGD: one step costs a forward and a backward pass of one digit (about 2 ms for
# the ConvNet), so 20 steps keep a slider move under the explorers' 60 ms of kernel time.
STEPS_RANGE = range(1, 21)
MAX_STEPS = 200  # more would keep the kernel busy for seconds per move: refused, with the reason
ATTACKS = (("FGSM (one step)", "fgsm"), ("BIM (steps from the digit)", "bim"), ("PGD (random start)", "pgd"))
LOSSES = (("cross-entropy", "xent"), ("logit margin (C&W)", "margin"))
# The target menu's value for "no target" (a Dropdown reads the value None as "nothing selected").
NO_TARGET = "none"


class AttackView(NamedTuple):
    """What the adversarial explorer shows for one setting of its controls.

    ``valid`` tells whether a drawing can be made; ``text`` is the text panel (or the
    explanation of an invalid setting); ``x`` and ``x_adv`` are the digit before and after
    the attack, ``probs_clean`` and ``probs_adv`` the net's class probabilities, ``label``
    the digit's class, ``eps`` the size (a fraction of the pixel range), ``target`` the
    target class or None (untargeted).
    """

    valid: bool
    text: str
    x: Optional[object] = None
    x_adv: Optional[object] = None
    probs_clean: Optional[object] = None
    probs_adv: Optional[object] = None
    label: Optional[int] = None
    eps: Optional[float] = None
    target: Optional[int] = None

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


def _whole(value):
    import numbers

    import numpy as np

    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        return None
    return int(value)


def attack_view(nets, X, y, digit, model, eps, target=None, attack="fgsm", steps=10, loss="xent",
                cache=None) -> AttackView:
    """Attack digit ``digit`` of ``X`` (N, C, H, W) with labels ``y`` on the net ``nets[model]``;
    never raises.

    ``eps`` is in percent of the pixel range [0, 1] (25 means 0.25).  ``attack`` ``"fgsm"``: with
    ``target`` None (or ``"none"``, the menu's value) the untargeted step
    ``x + eps * sign(grad_x J(x, label))``, with a class index one signed step towards it,
    ``x - eps * sign(grad_x J(x, target))``.  ``"bim"``: ``steps`` such steps of ``eps / 4`` from the
    digit (Kurakin et al.'s basic iterative method; the step of ``eps / 4`` is ours), each projected
    onto the eps-ball around it; ``"pgd"``: the same from a random start in the ball (Madry et al.;
    seed 0).  Every result is clipped to [0, 1].  ``loss``
    ``"xent"`` (the cross-entropy J) or ``"margin"`` (the logits' margin, Carlini and Wagner).
    ``cache``: an :class:`cs231n_lib.adversarial.AttackCache` over the same ``nets``, ``X`` and ``y``
    (the explorer keeps one, so a setting seen before costs nothing).  An invalid setting (a digit,
    eps or number of steps that is not a whole number in range, an unknown net, attack or loss, a
    target that is the digit's own class, images or labels the nets cannot read) gives
    ``valid=False`` and the reason.
    """
    import numpy as np

    from .. import adversarial

    if model not in nets:
        return AttackView(False, f"model must be one of {', '.join(nets)}, got {model!r}.")
    attacks, losses = [a for _, a in ATTACKS], [name for _, name in LOSSES]
    if attack not in attacks:
        return AttackView(False, f"attack must be one of {', '.join(attacks)}, got {attack!r}.")
    if loss not in losses:
        return AttackView(False, f"loss must be one of {', '.join(losses)}, got {loss!r}.")
    n, k, m = _whole(digit), _whole(eps), _whole(steps)
    if n is None or not 0 <= n < len(X):
        return AttackView(False, f"digit must be a whole number from 0 to {len(X) - 1}, got {digit!r}.")
    if k is None or k < 0:
        return AttackView(False, f"eps is a whole number of percent of the pixel range, >= 0; got {eps!r}.")
    if attack != "fgsm" and (m is None or not 1 <= m <= MAX_STEPS):
        return AttackView(False, f"steps must be a whole number from 1 to {MAX_STEPS} for {attack.upper()}, got "
                                 f"{steps!r} (each step is a forward and a backward pass; notebook 08's curves "
                                 "stop at 40).")
    net = nets[model]
    label = int(y[n])
    if isinstance(target, str) and target == NO_TARGET:
        target = None
    if target is not None:
        t = _whole(target)
        if t is None or not 0 <= t < net.num_classes:
            return AttackView(False, f"target must be None or a class 0..{net.num_classes - 1}, got {target!r}.")
        if t == label:
            return AttackView(False, f"the target {t} is the digit's own class: a step towards it only makes the "
                                     "net surer of the right answer. Pick another target, or 'none' for an "
                                     "untargeted attack.")
        target = t
    e = k / 100
    try:
        if cache is None:
            cache = adversarial.AttackCache(nets, X, y)
        result = cache.get(model, n, k, attack=attack, steps=m if attack != "fgsm" else 1, target=target,
                           loss=loss)
    except ValueError as err:
        return AttackView(False, str(err))
    x, x_adv, before, after = result.x, result.x_adv, result.probs_clean, result.probs_adv
    said_before, said_after = int(np.argmax(before)), int(np.argmax(after))
    pixels = int(np.prod(x.shape[1:]))
    changed = int(np.count_nonzero(np.any(x_adv != x, axis=0)))
    J = "J" if loss == "xent" else "M"
    c = label if target is None else target
    sign = "+" if target is None else "-"
    if attack == "fgsm":
        step = (f"untargeted FGSM: x + eps * sign(grad_x {J}(x, {c}))" if target is None
                else f"targeted step towards {target}: x - eps * sign(grad_x {J}(x, {target}))") + \
            ", clipped to [0, 1]"
    else:
        start = ("BIM (the basic iterative method): x_0 = x" if attack == "bim" else
                 "PGD: x_0 = x + uniform noise in [-eps, eps] (seed 0), projected")
        aim = "untargeted" if target is None else f"towards {target}"
        step = (f"{start}; then {m} step{'s' if m != 1 else ''}, {aim}:\n"
                f"x_t+1 = project(x_t {sign} eps/4 * sign(grad_x {J}(x_t, {c}))), eps/4 = {e / 4:g}, "
                f"projected into |x' - x| <= eps and [0, 1]")
    if loss == "margin":
        step += ("\nM(x, c) = max_{j != c} z_j - z_c, on the logits z: the margin of Carlini and Wagner, in place of "
                 "the cross-entropy J")
    verdict = ("fooled" if said_after != label else "not fooled") if target is None else \
        ("target reached" if said_after == target else "target not reached")
    why = {"fgsm": " (the others sit at 0 or 1 already, or the gradient is 0 there)", "bim": "",
           "pgd": " (the random start moves pixels even where the gradient is 0)"}[attack]
    lines = [
        f"model: {model}; digit #{n} of {len(X)}: a {label}",
        f"eps = {k}/100 = {e:g}: each of the {x.shape[1]} x {x.shape[2]} = {pixels:,} pixels moves by at most "
        f"{e:g} ({e * 255:g} of 255 grey levels)",
        step,
        f"before: says {said_before} with probability {100 * before[said_before]:.1f}%",
        f"after:  says {said_after} with probability {100 * after[said_after]:.1f}% ({verdict})",
        f"pixels changed: {changed:,} of {pixels:,}{why}",
    ]
    return AttackView(True, "\n".join(lines), x, x_adv, before, after, label, e, target)


def render_attack_explorer(axes, nets, X, y, digit, model, eps, target=None, attack="fgsm", steps=10, loss="xent",
                           cache=None) -> AttackView:
    """The explorer's update: compute the view and, if valid, redraw ``axes`` in place
    (from :func:`cs231n_lib.vis.attack_explorer_axes`)."""
    view = attack_view(nets, X, y, digit, model, eps, target, attack, steps, loss, cache)
    if view.valid:
        _draw(axes, view)
    return view


def _draw(axes, view):
    vis.draw_attack_explorer(axes, view.x, view.x_adv, view.probs_clean, view.probs_adv, view.label, view.eps,
                             view.target)


def adversarial_explorer(nets, X, y, digit=0, model=None, eps=25, target=None, attack="fgsm", steps=10, loss="xent"):
    """Sliders for the digit, eps (in percent of the pixel range) and the number of steps; menus for
    the net, the target class ('none': untargeted), the attack (FGSM, BIM, PGD) and the loss
    (cross-entropy or the logits' margin).  Shows the digit, the perturbation, the result and both
    sets of class probabilities; the sliders update the picture while dragged.

    nets : dict ``{name: net}`` (SequentialNets reading ``X``'s images); X (N, C, H, W) in
    [0, 1]; y (N,) labels, checked once here.  ``model`` defaults to the first net.  Every whole
    number is shown as given (a slider widens); a model, attack or loss name not offered, a target
    that is not None or a class, images or labels the nets cannot read, or a value a slider cannot
    hold raises ValueError.  Returns the widget.
    """
    import ipywidgets as w

    from .. import adversarial

    names = list(nets)
    if not names:
        raise ValueError("nets must name at least one net.")
    cache = adversarial.AttackCache(nets, X, y)
    model = names[0] if model is None else model
    controls = {
        "digit": _int_slider(digit, range(0, len(cache.X)), "digit", "digit", continuous=True),
        "model": _choice(model, [(n, n) for n in names], "net", "model", numeric=False),
        "eps": _int_slider(eps, EPS_RANGE, "eps (% of range)", "eps", continuous=True),
        "target": _choice(NO_TARGET if target is None else target,
                          [("none (untargeted)", NO_TARGET)] + [(str(c), c) for c in range(10)], "target", "target",
                          numeric=False),
        "attack": _choice(attack, list(ATTACKS), "attack", "attack", numeric=False),
        "steps": _int_slider(steps, STEPS_RANGE, "steps (BIM, PGD)", "steps", continuous=True),
        "loss": _choice(loss, list(LOSSES), "loss", "loss", numeric=False),
    }
    fig, axes = vis.attack_explorer_axes()

    def render(digit, model, eps, target, attack, steps, loss):
        view = attack_view(nets, cache.X, cache.y, digit, model, eps, target, attack, steps, loss, cache)
        if not view.valid:
            return view.html, None
        key = (digit, model, eps, view.target, attack, steps if attack != "fgsm" else 1, loss)
        return view.html, Drawing(key, lambda: _draw(axes, view) or fig)

    text, picture, wiring, state = _wire(controls, render, "Adversarial explorer")
    return _explorer_box("Adversarial explorer",
                         [w.HBox([w.VBox([controls["digit"], controls["eps"], controls["steps"]]),
                                  w.VBox([controls["model"], controls["target"]]),
                                  w.VBox([controls["attack"], controls["loss"]])]),
                          text, picture, wiring], controls, state)
