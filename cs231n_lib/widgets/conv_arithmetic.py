"""Notebook 01 (conv arithmetic): the conv explorer (input size, filter, stride, padding, dilation)."""
from __future__ import annotations

from typing import NamedTuple, Optional

from .. import arithmetic
from ..vis import conv_arithmetic as vis
from ._base import _view_html, _wire

__all__ = ["CONV_RANGES", "CONV_CHOICES", "ConvView", "conv_view", "render_conv_explorer", "conv_explorer"]

# The sliders' ranges (inclusive).  Small enough that the drawing stays
# readable; tests/test_widgets.py runs the explorer over every combination.
CONV_RANGES = {
    "W": range(1, 17),
    "F": range(1, 8),
    "S": range(1, 5),
    "P": range(0, 4),
    "dilation": range(1, 4),
}


# Depth of the input and number of filters only change the parameter count.
CONV_CHOICES = {"D_in": (1, 3, 16, 64), "K": (1, 8, 32, 96)}


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

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


def conv_view(W, F, S, P, dilation=1, D_in=3, K=8) -> ConvView:
    """Compute the conv explorer's text panel for one setting of the sliders.

    Never raises for integer slider values: an invalid setting gives a
    ConvView with ``valid=False`` and the library's explanation.
    """
    try:
        geo = arithmetic.conv_geometry(W, F, S, P, dilation)
    except ValueError as err:
        return ConvView(False, str(err), None)
    out = geo.output
    shared = arithmetic.conv_param_count(F, D_in, K)
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
    return ConvView(True, "\n".join(lines), out)


def render_conv_explorer(axes, W, F, S, P, dilation=1, D_in=3, K=8) -> ConvView:
    """The explorer's update: compute the view and, if valid, redraw ``axes``.

    ``axes`` comes from :func:`cs231n_lib.vis.conv_explorer_axes`.  Returns
    the ConvView; an invalid setting leaves the drawing alone.
    """
    view = conv_view(W, F, S, P, dilation, D_in, K)
    if view.valid:
        vis.draw_conv_explorer(axes, W, F, S, P, dilation)
    return view


def conv_explorer(W=7, F=3, S=2, P=0, dilation=1, D_in=3, K=8):
    """Sliders for input size, filter size, stride, padding and dilation.

    Shows the formula with numbers, the output size and parameter counts,
    a 1-D drawing of the neurons and a 2-D drawing of the receptive fields;
    an invalid combination shows its explanation instead of the drawing.
    Returns the widget (display it, or make it the last line of a cell).
    """
    import ipywidgets as w

    style = {"description_width": "initial"}
    names = {"W": "input size W", "F": "filter size F", "S": "stride S", "P": "padding P",
             "dilation": "dilation"}
    values = {"W": W, "F": F, "S": S, "P": P, "dilation": dilation}
    controls = {
        key: w.IntSlider(value=values[key], min=CONV_RANGES[key][0], max=CONV_RANGES[key][-1],
                         description=names[key], continuous_update=False, style=style)
        for key in CONV_RANGES
    }
    controls["D_in"] = w.Dropdown(options=CONV_CHOICES["D_in"], value=D_in, description="input depth D_in",
                                  style=style)
    controls["K"] = w.Dropdown(options=CONV_CHOICES["K"], value=K, description="filters K", style=style)
    fig, axes = vis.conv_explorer_axes()

    def render(**settings):
        view = render_conv_explorer(axes, **settings)
        return view.html, fig if view.valid else None

    text, picture, wiring = _wire(controls, render)
    left = w.VBox([controls[k] for k in ("W", "F", "S", "P", "dilation")])
    right = w.VBox([controls["D_in"], controls["K"]])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])
