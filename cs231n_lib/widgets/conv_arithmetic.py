"""Notebook 01 (conv arithmetic): the conv explorer (input size, filter, stride, padding, dilation)."""
from __future__ import annotations

from typing import NamedTuple, Optional

from .. import arithmetic
from ..vis import conv_arithmetic as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _view_html, _wire

__all__ = ["CONV_RANGES", "CONV_CHOICES", "CONV_MAX_DRAWN", "ConvView", "conv_view", "render_conv_explorer",
           "conv_explorer"]

# The sliders' usual ranges (inclusive).  Small enough that the drawing stays
# readable; tests/test_widgets.py runs the explorer over every combination.  A
# value outside them widens the slider (conv_explorer(W=227) shows W = 227).
CONV_RANGES = {
    "W": range(1, 17),
    "F": range(1, 8),
    "S": range(1, 5),
    "P": range(0, 4),
    "dilation": range(1, 4),
}


# Depth of the input and number of filters only change the parameter count.
CONV_CHOICES = {"D_in": (1, 3, 16, 64), "K": (1, 8, 32, 96)}


CONV_MAX_DRAWN = 256  # a padded input wider than this is described, not drawn


class ConvView(NamedTuple):
    """What the conv explorer shows for one setting of its sliders.

    ``valid`` tells whether a drawing can be made; ``text`` is the text
    panel (the formula with numbers and the counts, or the explanation of
    an invalid setting); ``output`` is the output size, or None.  ``html``
    is the panel as the widget shows it.
    """

    valid: bool
    text: str
    output: Optional[int]
    drawable: bool = True

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


def conv_view(W, F, S, P, dilation=1, D_in=3, K=8) -> ConvView:
    """Compute the conv explorer's text panel for one setting of the sliders.

    Never raises: an invalid setting (or an argument that is not a positive
    integer) gives a ConvView with ``valid=False`` and the library's
    explanation.  A valid setting whose padded input is wider than
    :data:`CONV_MAX_DRAWN` has ``drawable=False``: its numbers are exact but
    it is not drawn.
    """
    try:
        geo = arithmetic.conv_geometry(W, F, S, P, dilation)
        shared = arithmetic.conv_param_count(F, D_in, K)
    except ValueError as err:
        return ConvView(False, str(err), None, False)
    out = geo.output
    local = arithmetic.conv_param_count(F, D_in, K, out_size=out, sharing=False)
    lines = []
    if dilation > 1:
        lines.append(
            f"effective filter: F_eff = F + (F-1)(dilation-1) = {F} + {F - 1}*{dilation - 1} = {geo.F_eff}"
        )
    lines += [
        f"output size: (W - F{'_eff' if dilation > 1 else ''} + 2P)/S + 1 = {geo.formula}",
        f"output volume: {out} x {out} x {K} = {out * out * K:,} neurons",
        f"parameters with sharing: {F}*{F}*{D_in}*{K} weights + {K} biases = {shared.total:,}",
        f"parameters without sharing: {out * out * K:,} neurons x ({F}*{F}*{D_in} + 1) = {local.total:,}",
    ]
    drawable = W + 2 * P <= CONV_MAX_DRAWN
    if not drawable:
        lines.append(f"(a padded input of {W + 2 * P} pixels is too wide to draw, limit {CONV_MAX_DRAWN}; "
                     "the numbers above are exact)")
    return ConvView(True, "\n".join(lines), out, drawable)


def render_conv_explorer(axes, W, F, S, P, dilation=1, D_in=3, K=8) -> ConvView:
    """Compute the view and, if it can be drawn, redraw ``axes`` in place.

    ``axes`` comes from :func:`cs231n_lib.vis.conv_explorer_axes`.  Returns
    the ConvView; an invalid setting leaves the drawing alone.
    """
    view = conv_view(W, F, S, P, dilation, D_in, K)
    if view.valid and view.drawable:
        vis.draw_conv_explorer(axes, W, F, S, P, dilation)
    return view


def conv_explorer(W=7, F=3, S=2, P=0, dilation=1, D_in=3, K=8):
    """Sliders for input size, filter size, stride, padding and dilation.

    Shows the formula with numbers, the output size and parameter counts,
    a 1-D drawing of the neurons and a 2-D drawing of the receptive fields;
    an invalid combination shows its explanation instead of the drawing.
    Every integer is shown as given: a slider widens to hold a value outside
    its usual range, a menu adds a depth or filter count it does not list.
    A value that is not an integer raises ValueError saying so.  The sliders
    update the picture while dragged (it is redrawn in place, and the
    depth and filter count change only the text).
    Returns the widget (display it, or make it the last line of a cell).
    """
    import ipywidgets as w

    names = {"W": "input size W", "F": "filter size F", "S": "stride S", "P": "padding P",
             "dilation": "dilation"}
    values = {"W": W, "F": F, "S": S, "P": P, "dilation": dilation}
    controls = {key: _int_slider(values[key], CONV_RANGES[key], names[key], key, continuous=True)
                for key in CONV_RANGES}
    controls["D_in"] = _choice(D_in, CONV_CHOICES["D_in"], "input depth D_in", "D_in")
    controls["K"] = _choice(K, CONV_CHOICES["K"], "filters K", "K")
    fig, axes = vis.conv_explorer_axes()

    def render(W, F, S, P, dilation, D_in, K):
        view = conv_view(W, F, S, P, dilation, D_in, K)
        if not (view.valid and view.drawable):
            return view.html, None
        return view.html, Drawing((W, F, S, P, dilation),
                                  lambda: vis.draw_conv_explorer(axes, W, F, S, P, dilation) or fig)

    text, picture, wiring, state = _wire(controls, render, "Conv explorer")
    left = w.VBox([controls[k] for k in ("W", "F", "S", "P", "dilation")])
    right = w.VBox([controls["D_in"], controls["K"]])
    return _explorer_box("Conv explorer", [w.HBox([left, right]), text, picture, wiring], controls, state)
