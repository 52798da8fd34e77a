"""Notebook 07 (looking through the gradient): the class-model explorer (class, regularization strength,
number of gradient-ascent steps).

The view function computes a class model by :func:`cs231n_lib.gradients.class_model`, one class at
a time, and keeps every step of the run: moving the step slider back and forth (it updates while
dragged) only looks up an image; a new class or strength runs once, exactly as far as the step
slider asks (about 2 ms per step), and is kept too (the last ``CLASS_MODEL_CACHE`` runs).  A run of
n steps is the start of every longer run with the same settings, so a longer run replaces a shorter
one; it goes at least twice as far, so a slider dragged past the end of a run starts few new runs.
"""
from __future__ import annotations

import functools
from typing import NamedTuple, Optional

from .. import arithmetic
from ..vis import gradients as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _panel, _wire

__all__ = ["CLASS_MODEL_NETS", "CLASS_MODEL_REGS", "CLASS_MODEL_STEPS", "CLASS_MODEL_MAX_STEPS",
           "CLASS_MODEL_CACHE", "class_model_targets", "ClassModelView", "class_model_view",
           "class_model_explorer"]

# Menu prefix -> (zoo net, whether its images are grey repeated in three channels)
CLASS_MODEL_NETS = {"shapes": ("shapes_convnet", False), "MNIST": ("mnist_convnet", True)}
CLASS_MODEL_REGS = (0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0)
CLASS_MODEL_STEPS = range(0, 301)   # the slider's usual range; a larger value widens it
CLASS_MODEL_MAX_STEPS = 2000        # more steps are refused (each is a forward and a backward pass)
CLASS_MODEL_CACHE = 24              # runs kept


@functools.lru_cache(maxsize=None)
def _net(key):
    from .. import pretrained

    return pretrained.load_pretrained(CLASS_MODEL_NETS[key][0])


def _class_names(key):
    from .. import data

    return list(data.SHAPE_CLASSES) if key == "shapes" else [str(d) for d in range(10)]


def class_model_targets():
    """The explorer's menu of classes: ``"shapes: disc"``, ..., ``"MNIST: 9"``."""
    return [f"{key}: {name}" for key in CLASS_MODEL_NETS for name in _class_names(key)]


class ClassModelView(NamedTuple):
    """What the class-model explorer shows for one setting.

    ``text`` is the panel (the objective with its numbers, and the net's
    verdict on the image) or the explanation of an invalid setting;
    ``image`` (C, H, W) the class model after ``steps`` steps, ``probabilities``
    the net's softmax on it, ``class_names`` its classes, ``target`` the index
    of the class, or None when invalid.
    """

    valid: bool
    text: str
    image: Optional[object] = None
    probabilities: Optional[object] = None
    class_names: Optional[list] = None
    target: Optional[int] = None

    @property
    def html(self) -> str:
        return _panel(self.valid, self.text)


_RUNS = {}  # (net key, class, reg) -> ClassModel with a snapshot after every step


def _run(key, target, reg, steps):
    """The run of at least ``steps`` steps for this class and strength (computed once, kept)."""
    from .. import gradients

    run = _RUNS.pop((key, target, reg), None)
    if run is None or run.snapshot_steps[-1] < steps:
        from threadpoolctl import threadpool_limits

        net = _net(key)
        # A first run goes exactly as far as asked (a new class costs what its steps cost); a longer one
        # at least doubles the last, so a slider dragged from 0 to n starts about log2(n) runs, whose
        # steps add up to less than 4n.
        length = steps if run is None else max(steps, 2 * int(run.snapshot_steps[-1]))
        with threadpool_limits(limits=1, user_api="blas"):  # small matrices: one thread is fastest
            run = gradients.class_model(net, [target], steps=length, reg=reg, grey=CLASS_MODEL_NETS[key][1],
                                        keep_every=1)
    _RUNS[(key, target, reg)] = run  # most recent last
    while len(_RUNS) > CLASS_MODEL_CACHE:
        _RUNS.pop(next(iter(_RUNS)))
    return run


def class_model_view(target="shapes: disc", reg=1e-3, steps=100) -> ClassModelView:
    """The class model of ``target`` (an entry of :func:`class_model_targets`) after ``steps`` steps of
    gradient ascent with L2 strength ``reg``.  Never raises: a setting it cannot show gives
    ``valid=False`` and the reason."""
    import numpy as np

    from ..understanding import softmax

    targets = class_model_targets()
    if target not in targets:
        return ClassModelView(False, f"target must be one of the menu's classes, e.g. {targets[0]!r} or "
                                     f"{targets[-1]!r}; got {target!r}.")
    try:
        steps = arithmetic.as_int(steps, "steps", 0)
    except ValueError as err:
        return ClassModelView(False, f"{err} (the number of gradient-ascent steps)")
    if isinstance(reg, bool) or not isinstance(reg, (int, float)) or not np.isfinite(reg) or reg < 0:
        return ClassModelView(False, f"reg must be a number >= 0 (the weight of the L2 penalty), got {reg!r}.")
    if steps > CLASS_MODEL_MAX_STEPS:
        return ClassModelView(False, f"steps = {steps}: the explorer runs at most {CLASS_MODEL_MAX_STEPS} steps "
                                     "(each is a forward and a backward pass); "
                                     "cs231n_lib.gradients.class_model takes any number.")
    key, name = target.split(": ", 1)
    names = _class_names(key)
    c = names.index(name)
    run = _run(key, c, float(reg), steps)
    image = run.snapshots[steps, 0]
    net = _net(key)
    scores = net.loss(image[None])
    probs = softmax(scores)[0]
    order = np.argsort(-probs)
    runner = next(int(k) for k in order if int(k) != c)
    s = run.settings
    lines = [
        f"class model of '{name}' ({CLASS_MODEL_NETS[key][0]}): gradient ascent on S_c(I) - reg * ||I - 0.5||^2, "
        f"reg = {float(reg):g}",
        f"step {steps} of the run: each step of RMS size {s['step_size']:g} per pixel, jitter up to "
        f"{s['jitter']} pixels, Gaussian blur of sigma {s['blur_sigma']:g} every {s['blur_every']} steps"
        + (", channels kept equal (grey digits)" if s["grey"] else ""),
        f"score S_c = {float(scores[0, c]):.1f}, ||I - 0.5||^2 = {float(np.sum((image - 0.5) ** 2)):.1f}; "
        f"softmax p({name}) = {float(probs[c]):.3f}, runner-up '{names[runner]}' {float(probs[runner]):.3f}",
    ]
    return ClassModelView(True, "\n".join(lines), image, probs, names, c)


def class_model_explorer(target="shapes: disc", reg=1e-3, steps=100):
    """A menu of classes (shapes and MNIST), a menu of L2 strengths and a step slider: the class model
    after that many steps, and the net's probabilities for it.  A step count beyond the slider widens
    it; a value no control can hold (a float for steps, a class or strength not in the menus)
    raises ValueError saying so.  Returns the widget."""
    import ipywidgets as w

    controls = {
        "target": _choice(target, class_model_targets(), "class", "target", numeric=False),
        "reg": _choice(reg, [(f"{r:g}", r) for r in CLASS_MODEL_REGS], "L2 strength reg", "reg", numeric=False),
        "steps": _int_slider(steps, CLASS_MODEL_STEPS, "steps", "steps", continuous=True),
    }
    fig, axes = vis.class_model_explorer_axes()

    def render(target, reg, steps):
        view = class_model_view(target, reg, steps)
        if not view.valid:
            return view.html, None

        def draw():
            vis.draw_class_model_explorer(axes, view.image, view.probabilities, view.class_names, view.target,
                                          f"{target}, {steps} steps")
            return fig

        return view.html, Drawing((target, reg, steps), draw)

    text, picture, wiring, state = _wire(controls, render, "Class-model explorer")
    return _explorer_box("Class-model explorer",
                         [w.HBox([controls["target"], controls["reg"]]), controls["steps"], text, picture, wiring],
                         controls, state)
