"""Notebook 03 (pooling): the pooling explorer (input size, window, stride, pooling type)."""
from __future__ import annotations

from typing import NamedTuple, Optional

from ..vis import pooling as vis
from ._base import _view_html, _wire

__all__ = ["POOL_RANGES", "POOL_KINDS", "PoolView", "pool_explorer_input", "pool_view", "render_pool_explorer", "pool_explorer"]

# The pooling explorer: input size, window, stride and pooling type.
POOL_RANGES = {
    "W": range(2, 13),
    "F": range(1, 5),
    "S": range(1, 5),
}


POOL_KINDS = ("max", "avg", "l2")


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
        return _view_html(self.valid, self.text)


def pool_explorer_input(W):
    """The explorer's input: a fixed (W, W) grid of small integers 0..9 (seed 3)."""
    import numpy as np

    return np.random.default_rng(3).integers(0, 10, size=(12, 12))[:W, :W].astype(float)


def pool_view(W, F, S, kind="max") -> PoolView:
    """Pool the explorer's input and describe the result; never raises for slider values.

    An invalid setting (the window does not fit, or the windows do not tile
    the input) gives ``valid=False`` and the library's explanation.
    """
    from .. import fast_layers

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
    fig, axes = vis.pool_explorer_axes()

    def render(**settings):
        view = render_pool_explorer(axes, **settings)
        return view.html, fig if view.valid else None

    text, picture, wiring = _wire(controls, render)
    return w.VBox([w.HBox([w.VBox([controls[k] for k in POOL_RANGES]), controls["kind"]]),
                   text, picture, wiring])
