"""Notebook 03 (pooling): the pooling explorer (input size, window, stride, pooling type)."""
from __future__ import annotations

from typing import NamedTuple, Optional

from .. import arithmetic
from ..vis import pooling as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _view_html, _wire

__all__ = ["POOL_RANGES", "POOL_KINDS", "POOL_MAX_COMPUTED", "POOL_MAX_DRAWN", "PoolView", "pool_explorer_input",
           "pool_view", "render_pool_explorer", "pool_explorer"]

# The pooling explorer: input size, window, stride and pooling type.  A value
# outside these ranges widens the slider.
POOL_RANGES = {
    "W": range(2, 13),
    "F": range(1, 5),
    "S": range(1, 5),
}


POOL_KINDS = ("max", "avg", "l2")


POOL_MAX_DRAWN = 24        # inputs wider than this are described, not drawn (one number per cell)
POOL_MAX_COMPUTED = 2048   # wider inputs: only the formula (the example input would be too big)


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

    @property
    def drawable(self) -> bool:
        """True when the explorer draws this view (the input is at most POOL_MAX_DRAWN wide)."""
        return self.valid and self.output is not None and "too large to draw" not in self.text


def pool_explorer_input(W):
    """The explorer's input: a fixed (W, W) grid of small integers 0..9.

    The top-left 12 x 12 is the same for every W (seed 3), so a smaller input
    is the corner of a larger one; a larger W adds rows and columns (seed 4)."""
    import numpy as np

    W = arithmetic.as_int(W, "W", 1)
    base = np.random.default_rng(3).integers(0, 10, size=(12, 12))
    if W <= 12:
        return base[:W, :W].astype(float)
    grid = np.random.default_rng(4).integers(0, 10, size=(W, W))
    grid[:12, :12] = base
    return grid.astype(float)


def pool_view(W, F, S, kind="max") -> PoolView:
    """Pool the explorer's (W, W) input and describe the result; never raises.

    An invalid setting (the window does not fit, the windows do not tile the
    input, an argument that is not a positive integer, an unknown kind) gives
    ``valid=False`` and the library's explanation.  An input wider than
    :data:`POOL_MAX_COMPUTED` gets the formula only (``output`` None), one
    wider than :data:`POOL_MAX_DRAWN` is not drawn (``drawable`` False).
    """
    from .. import fast_layers

    if kind not in POOL_KINDS:
        return PoolView(False, f"kind must be one of {POOL_KINDS}, got {kind!r}", None)
    try:
        n = arithmetic.pool_output_size(W, F, S)
    except ValueError as err:
        return PoolView(False, str(err), None)
    if W > POOL_MAX_COMPUTED:
        return PoolView(True, _pool_text(W, F, S, n, None) + f"\n(an input of {W} x {W} is too large to "
                        f"fill with example numbers, limit {POOL_MAX_COMPUTED}; the formula is exact)", None)
    pool_param = {"pool_height": F, "pool_width": F, "stride": S}
    x = pool_explorer_input(W)
    forward = getattr(fast_layers, f"{kind}_pool_forward_fast")
    out, cache = forward(x[None, None], pool_param)
    route = fast_layers.pool_method((1, 1, W, W), pool_param)
    out = out[0, 0]
    switches = cache[2][0, 0] if kind == "max" else None
    text = _pool_text(W, F, S, n, route)
    if W > POOL_MAX_DRAWN:
        text += f"\n(an input of {W} x {W} is too large to draw, limit {POOL_MAX_DRAWN}; the numbers are exact)"
    return PoolView(True, text, out, switches)


def _pool_text(W, F, S, n, route):
    kept = n * n / (W * W)
    if F > S:
        overlap = f"windows overlap: neighbours share {F - S} row(s)/column(s)"
    elif F < S:
        overlap = f"gaps: {S - F} row(s)/column(s) between windows are never read"
    else:
        overlap = "windows tile the input exactly, no overlap"
    lines = [
        f"output size: (W - F)/S + 1 = ({W} - {F})/{S} + 1 = {n}",
        f"output: {n} x {n} = {n * n:,} numbers from {W} x {W} = {W * W:,}: "
        f"{100 * kept:.1f}% kept, {100 * (1 - kept):.1f}% discarded",
        f"{overlap}; each output summarises {F * F} input number(s)",
    ]
    if route:
        lines.append(f"fast_layers route: '{route}'")
    return "\n".join(lines)


def render_pool_explorer(axes, W, F, S, kind="max") -> PoolView:
    """The pooling explorer's update: compute the view and, if it can be drawn, redraw ``axes`` in place.

    ``axes`` comes from :func:`cs231n_lib.vis.pool_explorer_axes`.
    """
    view = pool_view(W, F, S, kind)
    if view.drawable:
        vis.draw_pool_explorer(axes, pool_explorer_input(W), view.output, F, S, kind, view.switches)
    return view


def pool_explorer(W=8, F=2, S=2, kind="max"):
    """Sliders for input size, window and stride, and a menu for the pooling type.

    Shows the formula with numbers, how much is discarded, and the input
    with its windows next to the pooled output.  Every integer is shown as
    given (a slider widens to hold it); a value that is not an integer, or a
    kind other than 'max', 'avg' and 'l2', raises ValueError saying so.
    The sliders update the picture while dragged (it is redrawn in place).
    Returns the widget.
    """
    import ipywidgets as w

    names = {"W": "input size W", "F": "window F", "S": "stride S"}
    values = {"W": W, "F": F, "S": S}
    controls = {key: _int_slider(values[key], POOL_RANGES[key], names[key], key, continuous=True)
                for key in POOL_RANGES}
    controls["kind"] = _choice(kind, [("max", "max"), ("average", "avg"), ("L2 norm", "l2")], "pooling",
                               "kind", numeric=False)
    fig, axes = vis.pool_explorer_axes()

    def render(W, F, S, kind):
        view = pool_view(W, F, S, kind)
        if not view.drawable:
            return view.html, None

        def draw():
            vis.draw_pool_explorer(axes, pool_explorer_input(W), view.output, F, S, kind, view.switches)
            return fig

        return view.html, Drawing((W, F, S, kind), draw)

    text, picture, wiring, state = _wire(controls, render, "Pooling explorer")
    return _explorer_box("Pooling explorer",
                         [w.HBox([w.VBox([controls[k] for k in POOL_RANGES]), controls["kind"]]),
                          text, picture, wiring], controls, state)
