"""Notebook 08 (adversarial examples): the adversarial explorer (digit, net, eps, target class)."""
from __future__ import annotations

from typing import NamedTuple, Optional

from ..vis import adversarial as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _view_html, _wire

__all__ = ["EPS_RANGE", "NO_TARGET", "AttackView", "attack_view", "render_attack_explorer", "adversarial_explorer"]

EPS_RANGE = range(0, 51)  # eps in percent of the pixel range [0, 1]; a larger value widens the slider
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


def attack_view(nets, X, y, digit, model, eps, target=None) -> AttackView:
    """Attack digit ``digit`` of ``X`` (N, C, H, W) with labels ``y`` on the net ``nets[model]``;
    never raises.

    ``eps`` is in percent of the pixel range [0, 1] (25 means 0.25).  ``target`` None (or
    ``"none"``, the menu's value) gives the untargeted FGSM step ``x + eps * sign(grad_x J(x, label))``; a class index gives one
    signed step towards it, ``x - eps * sign(grad_x J(x, target))``.  Both are clipped to
    [0, 1].  An invalid setting (a digit or eps that is not a whole number in range, an
    unknown net, a target that is the digit's own class) gives ``valid=False`` and the reason.
    """
    import numpy as np

    from .. import adversarial

    if model not in nets:
        return AttackView(False, f"model must be one of {', '.join(nets)}, got {model!r}.")
    n, k = _whole(digit), _whole(eps)
    if n is None or not 0 <= n < len(X):
        return AttackView(False, f"digit must be a whole number from 0 to {len(X) - 1}, got {digit!r}.")
    if k is None or k < 0:
        return AttackView(False, f"eps is a whole number of percent of the pixel range, >= 0; got {eps!r}.")
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
                                     "net surer of the right answer. Pick another target, or 'none' for the "
                                     "untargeted FGSM step.")
        target = t
    e = k / 100
    x = np.asarray(X[n:n + 1])
    try:
        if target is None:
            x_adv = adversarial.fgsm(net, x, [label], e)
        else:
            x_adv = adversarial.fgsm_targeted(net, x, target, e)
        probs = adversarial.probabilities(net, np.concatenate([x, x_adv]))
    except ValueError as err:
        return AttackView(False, str(err))
    before, after = probs
    said_before, said_after = int(np.argmax(before)), int(np.argmax(after))
    pixels = int(np.prod(x.shape[2:]))
    changed = int(np.count_nonzero(np.any(x_adv != x, axis=1)))
    if target is None:
        step = f"untargeted FGSM: x + eps * sign(grad_x J(x, {label})), clipped to [0, 1]"
        verdict = "fooled" if said_after != label else "not fooled"
    else:
        step = f"targeted step towards {target}: x - eps * sign(grad_x J(x, {target})), clipped to [0, 1]"
        verdict = "target reached" if said_after == target else "target not reached"
    lines = [
        f"model: {model}; digit #{n} of {len(X)}: a {label}",
        f"eps = {k}/100 = {e:g}: each of the {x.shape[2]} x {x.shape[3]} = {pixels:,} pixels moves by at most "
        f"{e:g} ({e * 255:g} of 255 grey levels)",
        step,
        f"before: says {said_before} with probability {100 * before[said_before]:.1f}%",
        f"after:  says {said_after} with probability {100 * after[said_after]:.1f}% ({verdict})",
        f"pixels changed: {changed:,} of {pixels:,} (the others sit at 0 or 1 already, or the gradient is 0 there)",
    ]
    return AttackView(True, "\n".join(lines), x[0], x_adv[0], before, after, label, e, target)


def render_attack_explorer(axes, nets, X, y, digit, model, eps, target=None) -> AttackView:
    """The explorer's update: compute the view and, if valid, redraw ``axes`` in place
    (from :func:`cs231n_lib.vis.attack_explorer_axes`)."""
    view = attack_view(nets, X, y, digit, model, eps, target)
    if view.valid:
        _draw(axes, view)
    return view


def _draw(axes, view):
    vis.draw_attack_explorer(axes, view.x, view.x_adv, view.probs_clean, view.probs_adv, view.label, view.eps,
                             view.target)


def adversarial_explorer(nets, X, y, digit=0, model=None, eps=25, target=None):
    """Sliders for the digit and eps (in percent of the pixel range), menus for the net and the
    target class ('none': untargeted FGSM).  Shows the digit, the perturbation, the result and
    both sets of class probabilities; the sliders update the picture while dragged.

    nets : dict ``{name: net}`` (SequentialNets reading ``X``'s images); X (N, C, H, W) in
    [0, 1]; y (N,) labels.  ``model`` defaults to the first net.  Every whole number is shown
    as given (a slider widens); a model name not in ``nets``, a target that is not None or a
    class, or a value a slider cannot hold raises ValueError.  Returns the widget.
    """
    import ipywidgets as w

    names = list(nets)
    if not names:
        raise ValueError("nets must name at least one net.")
    model = names[0] if model is None else model
    controls = {
        "digit": _int_slider(digit, range(0, len(X)), "digit", "digit", continuous=True),
        "model": _choice(model, [(n, n) for n in names], "net", "model", numeric=False),
        "eps": _int_slider(eps, EPS_RANGE, "eps (% of range)", "eps", continuous=True),
        "target": _choice(NO_TARGET if target is None else target,
                          [("none (FGSM)", NO_TARGET)] + [(str(c), c) for c in range(10)], "target", "target",
                          numeric=False),
    }
    fig, axes = vis.attack_explorer_axes()

    def render(digit, model, eps, target):
        view = attack_view(nets, X, y, digit, model, eps, target)
        if not view.valid:
            return view.html, None
        return view.html, Drawing((digit, model, eps, view.target), lambda: _draw(axes, view) or fig)

    text, picture, wiring, state = _wire(controls, render, "Adversarial explorer")
    return _explorer_box("Adversarial explorer",
                         [w.HBox([w.VBox([controls["digit"], controls["eps"]]),
                                  w.VBox([controls["model"], controls["target"]])]),
                          text, picture, wiring], controls, state)
