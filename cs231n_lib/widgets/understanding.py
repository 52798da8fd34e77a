"""Notebook 06 (visualizing what ConvNets learn): the occlusion explorer.

Slide a grey (or black, or white) square over a test image and watch the
probability of the right class: the image, the patch size, the stride, the
fill value, and which net looks (the clean ``shapes_convnet`` on plain shapes,
or ``shapes_cue_convnet`` on shapes that carry its class-coloured corner mark).
"""
from __future__ import annotations

import functools
import numbers
from typing import NamedTuple, Optional

from .. import arithmetic
from ..vis import understanding as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _view_html, _wire

__all__ = ["OCCLUSION_RANGES", "OCCLUSION_FILLS", "OCCLUSION_CASES", "OCCLUSION_IMAGES", "OcclusionView",
           "occlusion_case", "occlusion_view", "render_occlusion_explorer", "occlusion_explorer"]

# Slider ranges (a value outside widens the slider).
OCCLUSION_RANGES = {"index": range(0, 20), "size": range(2, 17), "stride": range(1, 9)}
# The fill values of the menu: (label, value).
OCCLUSION_FILLS = (("grey (0.5)", 0.5), ("black (0)", 0.0), ("white (1)", 1.0))
# Which net looks at which images: (label, zoo name, corner mark on the images?)
OCCLUSION_CASES = {
    "clean": ("shapes_convnet on plain shapes", "shapes_convnet", False),
    "cue": ("shapes_cue_convnet on marked shapes", "shapes_cue_convnet", True),
}
OCCLUSION_IMAGES = 20  # the first test images of the shapes (seed 0), the explorer's images


class OcclusionView(NamedTuple):
    """What the occlusion explorer shows for one setting.

    ``valid`` tells whether a map can be drawn; ``text`` is the text panel (the
    image, the number of positions as a formula, the lowest probability and
    where it is) or the explanation of an invalid setting; ``pmap`` the
    (H', W') probabilities, ``minimum`` the (row, column) of the patch centre
    where the probability is lowest, ``inside`` whether that centre is on the object.
    """

    valid: bool
    text: str
    pmap: Optional[object] = None
    minimum: Optional[tuple] = None
    inside: Optional[bool] = None

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


@functools.lru_cache(maxsize=None)
def occlusion_case(case):
    """``(net, X, y, masks, class_names)`` of a case of ``OCCLUSION_CASES``: the zoo net and the first
    ``OCCLUSION_IMAGES`` test shapes (with the corner mark for the cue net).  Loaded once."""
    from .. import pretrained
    from ..data import SHAPE_CLASSES, make_shapes
    from ..recipes import shapes_cue_convnet

    _, name, marked = OCCLUSION_CASES[case]
    net = pretrained.load_pretrained(name)
    d = make_shapes(OCCLUSION_IMAGES, seed=0, split=2)
    X = shapes_cue_convnet.add_cue(d["X"], d["y"]) if marked else d["X"]
    return net, X, d["y"], d["masks"], list(SHAPE_CLASSES)


@functools.lru_cache(maxsize=512)
def _occlusion(case, index, size, stride, fill):
    """The map of one setting and the probability without a patch, computed once per setting."""
    from ..understanding import occlusion_map, softmax

    net, X, y, _, _ = occlusion_case(case)
    label = int(y[index])
    pmap = occlusion_map(net, X[index], label, size=size, stride=stride, fill=fill)
    pmap.setflags(write=False)  # shared by every view of this setting
    return pmap, float(softmax(net.loss(X[index][None]))[0, label])


def occlusion_view(index=0, size=8, stride=4, fill=0.5, case="clean") -> OcclusionView:
    """Occlude image ``index`` at every position and describe the map; never raises."""
    from ..understanding import minimum_centres, minimum_inside_object

    if case not in OCCLUSION_CASES:
        return OcclusionView(False, f"case must be one of {tuple(OCCLUSION_CASES)}, got {case!r}.")
    fills = [v for _, v in OCCLUSION_FILLS]
    if isinstance(fill, bool) or not isinstance(fill, numbers.Real) or fill not in fills:
        return OcclusionView(False, f"fill must be one of {tuple(fills)}, got {fill!r}.")
    try:
        index = arithmetic.as_int(index, "index", 0)
        size = arithmetic.as_int(size, "size", 1)
        stride = arithmetic.as_int(stride, "stride", 1)
    except ValueError as err:
        return OcclusionView(False, str(err))
    net, X, y, masks, names = occlusion_case(case)
    if index >= len(X):
        return OcclusionView(False, f"index must be an image of the explorer, 0..{len(X) - 1}; got {index}.")
    H = X.shape[2]
    try:
        side = arithmetic.pool_output_size(H, size, stride)
    except ValueError as err:
        return OcclusionView(False, f"The patch slides like a pooling window: {err}")
    name = names[int(y[index])]
    pmap, p_plain = _occlusion(case, index, size, stride, float(fill))
    minimum = tuple(float(v) for v in minimum_centres(pmap, size, stride)[0])
    inside = bool(minimum_inside_object(pmap[None], masks[index][None], size, stride)[0])
    mark = " with its corner mark" if OCCLUSION_CASES[case][2] else ""
    lines = [
        f"image {index}: a {name}{mark}; without a patch p({name}) = {p_plain:.2f}",
        f"positions: ({H} - {size})/{stride} + 1 = {side} per side, {side * side} occluded copies",
        f"lowest p({name}) = {float(pmap.min()):.2f}, patch centre at row {minimum[0]:g}, column {minimum[1]:g}: "
        + ("on the object" if inside else "off the object"),
    ]
    return OcclusionView(True, "\n".join(lines), pmap, minimum, inside)


def render_occlusion_explorer(axes, index=0, size=8, stride=4, fill=0.5, case="clean") -> OcclusionView:
    """The explorer's update: compute the view and, if valid, redraw ``axes`` in place
    (from :func:`cs231n_lib.vis.occlusion_explorer_axes`)."""
    view = occlusion_view(index, size, stride, fill, case)
    if view.valid:
        _draw(axes, view, index, size, stride, fill, case)
    return view


def _draw(axes, view, index, size, stride, fill, case):
    net, X, y, masks, names = occlusion_case(case)
    vis.draw_occlusion_explorer(axes, X[index], view.pmap, size, stride, fill, masks[index], view.minimum,
                                f"{OCCLUSION_CASES[case][0]}: image {index}, p({names[int(y[index])]})")


def occlusion_explorer(index=0, size=8, stride=4, fill=0.5, case="clean"):
    """Sliders for the image, the patch size and the stride; menus for the fill and the net.

    Shows the occlusion map over the image, the object's outline, and where the
    patch hurts most.  Every integer is shown as given (a slider widens to hold
    it); a value that is not an integer, a fill other than 0.5, 0 and 1, or an
    unknown case raises ValueError saying so.  The sliders update the picture while
    dragged: a map is computed once per setting (one forward pass per patch position,
    a few hundredths of a second) and kept.  Returns the widget.
    """
    import ipywidgets as w

    if isinstance(fill, bool):
        raise ValueError(f"fill must be one of {tuple(v for _, v in OCCLUSION_FILLS)}, got the boolean {fill!r}.")
    names = {"index": "image", "size": "patch size", "stride": "stride"}
    values = {"index": index, "size": size, "stride": stride}
    controls = {key: _int_slider(values[key], OCCLUSION_RANGES[key], names[key], key, continuous=True)
                for key in OCCLUSION_RANGES}
    controls["fill"] = _choice(fill, OCCLUSION_FILLS, "fill", "fill", numeric=False)
    controls["case"] = _choice(case, [(label, key) for key, (label, _, _) in OCCLUSION_CASES.items()], "net",
                               "case", numeric=False)
    fig, axes = vis.occlusion_explorer_axes()

    def render(index, size, stride, fill, case):
        view = occlusion_view(index, size, stride, fill, case)
        if not view.valid:
            return view.html, None
        return view.html, Drawing((index, size, stride, fill, case),
                                  lambda: _draw(axes, view, index, size, stride, fill, case) or fig)

    text, picture, wiring, state = _wire(controls, render, "Occlusion explorer")
    return _explorer_box("Occlusion explorer",
                         [w.HBox([w.VBox([controls[k] for k in OCCLUSION_RANGES]),
                                  w.VBox([controls["fill"], controls["case"]])]),
                          text, picture, wiring], controls, state)
