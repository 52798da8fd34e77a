"""Notebook 03 (pooling): pooling windows on small inputs, the switches of max pooling, and the
picture of the pooling explorer."""
from __future__ import annotations

from .. import arithmetic
from ._base import OUTPUT_COLOURS, _new_figure, _titles_at_top
from .images import draw_number_grid

__all__ = ["POOL_KIND_NAMES", "pool_example_figure", "pool_switches_figure", "pool_explorer_axes", "draw_pool_explorer", "pool_explorer_figure"]

# Number grids for small pooling examples, the switches of max pooling,
# image rows for comparing pooling types, and the pooling explorer's picture.
POOL_KIND_NAMES = {"max": "max pooling", "avg": "average pooling", "l2": "L2-norm pooling"}


def _pool_windows(H_out, W_out, F, S):
    """Top-left corners (row, col) of every pooling window, row by row."""
    return [(i * S, j * S) for i in range(H_out) for j in range(W_out)]


def _draw_windows(ax, corners, F_h, F_w, max_windows=None):
    """Outline pooling windows on ``ax`` in the output colours (slightly inset when they overlap)."""
    from matplotlib.patches import Rectangle

    shown = corners if max_windows is None else corners[:max_windows]
    for k, (r, c) in enumerate(shown):
        inset = 0.06 * (k % 3)
        ax.add_patch(Rectangle((c - 0.5 + inset, r - 0.5 + inset), F_w - 2 * inset, F_h - 2 * inset,
                               fill=False, edgecolor=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)],
                               linewidth=2.2, zorder=3))


def pool_example_figure(x, outputs, F, S):
    """A small 2-D input with its pooling windows, next to one or more pooled outputs.

    Parameters
    ----------
    x : 2-D array (H, W), the input (one depth slice)
    outputs : dict ``{title: 2-D array (H_out, W_out)}``, e.g. max, average, L2
    F, S : int, the window size and stride (used to draw the windows)

    Each output cell is tinted with the colour of its window's outline.
    """
    import numpy as np
    from matplotlib.colors import to_rgba

    x = np.asarray(x)
    H_out, W_out = arithmetic.pool_output_size(x.shape, F, S)
    fig = _new_figure(3.2 + 2.6 * len(outputs), 3.4)
    axes = fig.subplots(1, 1 + len(outputs), gridspec_kw={"width_ratios": [x.shape[1]] + [max(W_out, 2)] * len(outputs)})
    corners = _pool_windows(H_out, W_out, F, S)
    draw_number_grid(axes[0], x, f"input {x.shape[0]}x{x.shape[1]}, windows {F}x{F} stride {S}")
    _draw_windows(axes[0], corners, F, F)
    tint = {(k // W_out, k % W_out): to_rgba(OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], 0.35)
            for k in range(H_out * W_out)}
    for ax, (title, out) in zip(axes[1:], outputs.items()):
        draw_number_grid(ax, out, title, facecolours=tint)
    return fig


def pool_switches_figure(x, switches, dout, dx, F, S):
    """Max pooling's backward pass on one depth slice: where each gradient goes.

    Parameters
    ----------
    x : 2-D array (H, W), the input
    switches : int 2-D array (H_out, W_out), the in-window argmax (row by row)
    dout : 2-D array (H_out, W_out), the upstream gradient
    dx : 2-D array (H, W), the gradient the backward pass returned
    F, S : int, window size and stride

    Left: the input, each window's maximum (its switch) filled with the
    window's colour.  Middle: ``dout`` in the same colours.  Right: ``dx``,
    non-zero only at the switches.
    """
    import numpy as np
    from matplotlib.colors import to_rgba

    x, switches, dout, dx = (np.asarray(a) for a in (x, switches, dout, dx))
    H_out, W_out = switches.shape
    corners = _pool_windows(H_out, W_out, F, S)
    picked, tint = {}, {}
    for k, (r, c) in enumerate(corners):
        i, j = divmod(k, W_out)
        colour = to_rgba(OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], 0.45)
        sw = int(switches[i, j])
        picked[(r + sw // F, c + sw % F)] = colour
        tint[(i, j)] = colour
    fig = _new_figure(10, 3.6)
    ax_x, ax_d, ax_dx = fig.subplots(
        1, 3, gridspec_kw={"width_ratios": [x.shape[1], max(W_out, 2), x.shape[1]]})
    draw_number_grid(ax_x, x, "forward: the max of each window (switch)", facecolours=picked)
    _draw_windows(ax_x, corners, F, F)
    draw_number_grid(ax_d, dout, "upstream gradient dout", facecolours=tint)
    draw_number_grid(ax_dx, dx, "backward: dx, only at the switches", facecolours=picked)
    return fig


def pool_explorer_axes():
    """An empty figure for :func:`draw_pool_explorer`: ``(fig, (ax_in, ax_out))``.

    The layout is fixed (no layout engine), so that redrawing costs no layout pass."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.2), dpi=100)
    ax_in = fig.add_axes((0.05, 0.1, 0.5, 0.8))
    ax_out = fig.add_axes((0.6, 0.1, 0.37, 0.8))
    _titles_at_top(ax_in, ax_out)
    return fig, (ax_in, ax_out)


def _grid_in_place(ax, values, title, facecolours):
    """:func:`cs231n_lib.vis.images.draw_number_grid`'s picture, drawn by updating the artists of
    the previous call on ``ax`` (cells, numbers, ticks) instead of clearing it.  Returns the
    number texts' insertion point: patches added after the texts are drawn above them."""
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    from ._base import _fmt

    kept = ax.__dict__.setdefault("_cs231n_grid", {})
    if not kept:
        kept["cells"] = PatchCollection([], edgecolors="#999999", linewidths=0.8)
        ax.add_collection(kept["cells"], autolim=False)
        kept["texts"], kept["shape"] = [], None
        ax.set_aspect("equal")
        ax.tick_params(length=0, labelsize=7)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    values = np.asarray(values)
    rows, cols = values.shape
    if kept["shape"] != (rows, cols):
        kept["cells"].set_paths([Rectangle((c - 0.5, r - 0.5), 1, 1) for r in range(rows) for c in range(cols)])
        kept["shape"] = (rows, cols)
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_xticks(range(cols))
        ax.set_yticks(range(rows))
    kept["cells"].set_facecolor([facecolours.get((r, c), "white") for r in range(rows) for c in range(cols)])
    texts = kept["texts"]
    grew = len(texts) < rows * cols
    while len(texts) < rows * cols:
        texts.append(ax.text(0, 0, "", ha="center", va="center"))
    size = max(6, 11 - max(rows, cols) // 2)
    for k, text in enumerate(texts):
        if k < rows * cols:
            r, c = divmod(k, cols)
            text.set_position((c, r))
            text.set_text(_fmt(values[r, c]))
            text.set_fontsize(size)
            text.set_visible(True)
        else:
            text.set_visible(False)
    ax.set_title(title)
    return grew


def draw_pool_explorer(axes, x, out, F, S, kind, switches=None):
    """Draw the pooling explorer on ``axes`` from :func:`pool_explorer_axes`.

    ``x`` is the (W, W) input, ``out`` the pooled (W_out, W_out) output of
    ``kind`` ('max', 'avg' or 'l2') with window ``F`` and stride ``S``.  The
    first few windows are outlined; their outputs share their colour.  With
    ``switches`` (max pooling's (W_out, W_out) in-window argmax), the winning
    input of each outlined window is filled in its colour.  Called again on the
    same axes, it updates the drawing in place.
    """
    import numpy as np
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    ax_in, ax_out = axes
    x, out = np.asarray(x), np.asarray(out)
    H_out, W_out = out.shape
    corners = _pool_windows(H_out, W_out, F, S)
    shown = min(len(corners), 4)
    winners = {}
    if switches is not None:
        for k, (r, c) in enumerate(corners[:shown]):
            sw = int(np.asarray(switches)[k // W_out, k % W_out])
            winners[(r + sw // F, c + sw % F)] = to_rgba(OUTPUT_COLOURS[k], 0.4)
    grew = _grid_in_place(ax_in, x, f"input {x.shape[0]}x{x.shape[1]}: first {shown} of {len(corners)} windows",
                          winners)
    windows = ax_in.__dict__.get("_cs231n_windows")
    if windows is None or grew:  # (again) after the numbers, so that the outlines are drawn above them
        for patch in windows or []:
            patch.remove()
        windows = ax_in._cs231n_windows = [
            ax_in.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=OUTPUT_COLOURS[k], linewidth=2.2,
                                      zorder=3)) for k in range(4)]
    for k, patch in enumerate(windows):  # as _draw_windows outlines them, slightly inset when they overlap
        patch.set_visible(k < shown)
        if k < shown:
            r, c = corners[k]
            inset = 0.06 * (k % 3)
            patch.set_bounds(c - 0.5 + inset, r - 0.5 + inset, F - 2 * inset, F - 2 * inset)
    tint = {(k // W_out, k % W_out): to_rgba(OUTPUT_COLOURS[k], 0.4) for k in range(shown)}
    _grid_in_place(ax_out, out, f"{POOL_KIND_NAMES[kind]}, {F}x{F} stride {S}: output {H_out}x{W_out}", tint)


def pool_explorer_figure(x, out, F, S, kind, switches=None):
    """The pooling explorer's picture at fixed settings, as a new figure."""
    fig, axes = pool_explorer_axes()
    draw_pool_explorer(axes, x, out, F, S, kind, switches)
    return fig
