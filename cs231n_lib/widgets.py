"""Slider explorers for the notebooks (ipywidgets 7.7 and 8).

Each explorer is three pieces:

1. a pure function that computes what to show from the slider values
   (text, or the explanation of an invalid setting) -- testable without
   Jupyter;
2. a figure function from :mod:`cs231n_lib.vis`;
3. a few lines of wiring that connect sliders to them.

An invalid slider combination shows its explanation in the widget; the
callback never raises.
"""
from __future__ import annotations

import html
from typing import NamedTuple, Optional

from . import arithmetic, vis

__all__ = ["CONV_RANGES", "ConvView", "conv_view", "render_conv_explorer", "conv_explorer"]

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
        if not self.valid:
            return (
                "<div style='font-family:monospace;color:#a00;border:1px solid #a00;padding:4px'>"
                f"<b>Invalid setting.</b> {html.escape(self.text)}</div>"
            )
        body = "<br>".join(html.escape(line) for line in self.text.splitlines())
        return f"<div style='font-family:monospace'>{body}</div>"


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
    from IPython.display import display

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
    text = w.HTML()
    picture = w.Output()
    fig, axes = vis.conv_explorer_axes()

    def update(**settings):
        try:
            view = render_conv_explorer(axes, **settings)
        except Exception as err:  # never let a slider move raise out of the callback
            view = ConvView(False, f"unexpected error: {err!r}", None)
        text.value = view.html
        picture.clear_output(wait=True)
        if view.valid:
            with picture:
                display(fig)

    wiring = w.interactive_output(update, controls)
    left = w.VBox([controls[k] for k in ("W", "F", "S", "P", "dilation")])
    right = w.VBox([controls["D_in"], controls["K"]])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])


# ---- notebook 03: pooling ----
# The pooling explorer: input size, window, stride and pooling type.
POOL_RANGES = {
    "W": range(2, 13),
    "F": range(1, 5),
    "S": range(1, 5),
}
POOL_KINDS = ("max", "avg", "l2")

__all__ += ["POOL_RANGES", "POOL_KINDS", "PoolView", "pool_explorer_input", "pool_view",
            "render_pool_explorer", "pool_explorer"]


class PoolView(NamedTuple):
    """What the pooling explorer shows for one setting of its controls.

    ``valid`` tells whether a drawing can be made; ``text`` is the text
    panel (the formula with numbers, or the explanation of an invalid
    setting); ``output`` is the pooled (W_out, W_out) array, or None.
    ``html`` is the panel as the widget shows it.  For max pooling,
    ``switches`` is the (W_out, W_out) array of in-window argmax positions.
    """

    valid: bool
    text: str
    output: Optional[object]
    switches: Optional[object] = None

    @property
    def html(self) -> str:
        return ConvView(self.valid, self.text, None).html


def pool_explorer_input(W):
    """The explorer's input: a fixed (W, W) grid of small integers 0..9 (seed 3)."""
    import numpy as np

    return np.random.default_rng(3).integers(0, 10, size=(12, 12))[:W, :W].astype(float)


def pool_view(W, F, S, kind="max") -> PoolView:
    """Pool the explorer's input and describe the result; never raises for slider values.

    An invalid setting (the window does not fit, or the windows do not tile
    the input) gives ``valid=False`` and the library's explanation.
    """
    from . import fast_layers

    if kind not in POOL_KINDS:
        return PoolView(False, f"kind must be one of {POOL_KINDS}, got {kind!r}", None)
    pool_param = {"pool_height": F, "pool_width": F, "stride": S}
    x = pool_explorer_input(W)
    try:
        forward = getattr(fast_layers, f"{kind}_pool_forward_fast")
        out, cache = forward(x[None, None], pool_param)
        route = fast_layers.pool_method((1, 1, W, W), pool_param)
    except ValueError as err:
        return PoolView(False, str(err), None)
    out = out[0, 0]
    n = out.shape[0]
    kept = n * n / (W * W)
    if F > S:
        overlap = f"windows overlap: neighbours share {F - S} row(s)/column(s)"
    elif F < S:
        overlap = f"gaps: {S - F} row(s)/column(s) between windows are never read"
    else:
        overlap = "windows tile the input exactly, no overlap"
    lines = [
        f"output size: (W - F)/S + 1 = ({W} - {F})/{S} + 1 = {n}",
        f"output: {n} x {n} = {n * n} numbers from {W} x {W} = {W * W}: "
        f"{100 * kept:.1f}% kept, {100 * (1 - kept):.1f}% discarded",
        f"{overlap}; each output summarises {F * F} input number(s)",
        f"fast_layers route: '{route}'",
    ]
    switches = cache[2][0, 0] if kind == "max" else None
    return PoolView(True, "\n".join(lines), out, switches)


def render_pool_explorer(axes, W, F, S, kind="max") -> PoolView:
    """The pooling explorer's update: compute the view and, if valid, redraw ``axes``.

    ``axes`` comes from :func:`cs231n_lib.vis.pool_explorer_axes`.
    """
    view = pool_view(W, F, S, kind)
    if view.valid:
        vis.draw_pool_explorer(axes, pool_explorer_input(W), view.output, F, S, kind, view.switches)
    return view


def pool_explorer(W=8, F=2, S=2, kind="max"):
    """Sliders for input size, window and stride, and a menu for the pooling type.

    Shows the formula with numbers, how much is discarded, and the input
    with its windows next to the pooled output.  Returns the widget.
    """
    import ipywidgets as w
    from IPython.display import display

    style = {"description_width": "initial"}
    names = {"W": "input size W", "F": "window F", "S": "stride S"}
    values = {"W": W, "F": F, "S": S}
    controls = {
        key: w.IntSlider(value=values[key], min=POOL_RANGES[key][0], max=POOL_RANGES[key][-1],
                         description=names[key], continuous_update=False, style=style)
        for key in POOL_RANGES
    }
    controls["kind"] = w.Dropdown(
        options=[("max", "max"), ("average", "avg"), ("L2 norm", "l2")], value=kind,
        description="pooling", style=style)
    text = w.HTML()
    picture = w.Output()
    fig, axes = vis.pool_explorer_axes()

    def update(**settings):
        try:
            view = render_pool_explorer(axes, **settings)
        except Exception as err:  # never let a slider move raise out of the callback
            view = PoolView(False, f"unexpected error: {err!r}", None)
        text.value = view.html
        picture.clear_output(wait=True)
        if view.valid:
            with picture:
                display(fig)

    wiring = w.interactive_output(update, controls)
    return w.VBox([w.HBox([w.VBox([controls[k] for k in POOL_RANGES]), controls["kind"]]),
                   text, picture, wiring])
