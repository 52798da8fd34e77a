"""Notebook 01 (conv arithmetic): neurons of a 1-D convolution, receptive fields on a 2-D input,
and the picture of the conv explorer."""
from __future__ import annotations

from .. import arithmetic
from ._base import INPUT_COLOUR, OUTPUT_COLOURS, PAD_COLOUR, _new_figure, _titles_at_top

__all__ = ["draw_conv_1d", "conv_1d_figure", "draw_receptive_fields", "receptive_fields_figure", "conv_explorer_axes", "draw_conv_explorer", "conv_explorer_figure"]

def _tap_positions(start, F, dilation):
    return [start + k * dilation for k in range(F)]


def _artists(ax, name, make):
    """The artists an in-place drawing keeps on ``ax`` under ``name``, made by ``make()`` the first time."""
    kept = ax.__dict__.setdefault("_cs231n_artists", {})
    if name not in kept:
        kept[name] = make()
    return kept[name]


def draw_conv_1d(ax, W, F, S=1, P=0, dilation=1, x=None, w=None, b=0.0):
    """Draw a 1-D convolution on ``ax``: input neurons below, output neurons above.

    The zero-padded input row (padding in grey) sits at the bottom; each
    output neuron sits above the centre of its window and is joined by a
    line to each input it looks at.  With ``x`` (length ``W``) and ``w``
    (length ``F``) the values are written inside the neurons and the output
    values are computed.  Raises the arithmetic ValueError for an invalid
    setting.  Called again on the same axes, it updates the drawing in place
    (the conv explorer redraws this way on every slider move).
    """
    geo = arithmetic.conv_geometry(W, F, S, P, dilation)
    n_in = W + 2 * P
    show_values = x is not None and w is not None
    padded = [0.0] * P + (list(x) if x is not None else [None] * W) + [0.0] * P
    y_in, y_out = 0.0, 1.0
    radius = 0.32

    from matplotlib.collections import LineCollection, PatchCollection
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Circle
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    def make():
        lines = LineCollection([], linewidths=1, alpha=0.7, zorder=1)
        neurons = PatchCollection([], edgecolors="black", linewidths=1, zorder=3)
        ax.add_collection(lines, autolim=False)
        ax.add_collection(neurons, autolim=False)
        ax.set_aspect("equal")
        ax.set_ylim(-0.7, 1.7)
        ax.yaxis.set_major_locator(FixedLocator([y_in, y_out]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "output" if v > 0.5 else "input"))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=16, integer=True))
        # Tick labels count input positions from the first real pixel: padding is negative or >= W.
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(round(v)) - ax._cs231n_padding}"))
        ax.set_xlabel("input position (grey: zero padding)")
        return {"lines": lines, "neurons": neurons, "values": []}

    drawn = _artists(ax, "conv_1d", make)
    ax._cs231n_padding = P
    circles, faces, labels = [], [], []
    for i in range(n_in):
        circles.append(Circle((i, y_in), radius))
        faces.append(PAD_COLOUR if (i < P or i >= P + W) else INPUT_COLOUR)
        if show_values:
            labels.append((i, y_in, f"{padded[i]:g}"))
    segments, seg_colours = [], []
    for o in range(geo.output):
        taps = _tap_positions(o * S, F, dilation)
        centre = (taps[0] + taps[-1]) / 2
        colour = OUTPUT_COLOURS[o % len(OUTPUT_COLOURS)]
        segments += [[(t, y_in + radius), (centre, y_out - radius)] for t in taps]
        seg_colours += [colour] * len(taps)
        circles.append(Circle((centre, y_out), radius))
        faces.append(to_rgba(colour, 0.3))
        if show_values:
            value = sum(w[k] * padded[t] for k, t in enumerate(taps)) + b
            labels.append((centre, y_out, f"{value:g}"))
    drawn["lines"].set_segments(segments)
    drawn["lines"].set_color(seg_colours)
    drawn["neurons"].set_paths(circles)
    drawn["neurons"].set_facecolor(faces)
    for text in drawn["values"]:
        text.remove()
    drawn["values"] = [ax.text(cx, cy, label, ha="center", va="center", fontsize=8, zorder=4)
                       for cx, cy, label in labels]
    ax.set_xlim(-1, max(n_in, 2))
    title = f"W={W}, F={F}, S={S}, P={P}"
    if dilation > 1:
        title += f", dilation={dilation}"
    ax.set_title(f"1-D convolution, {title}: output size {geo.output}")
    return geo


def conv_1d_figure(W, F, S=1, P=0, dilation=1, x=None, w=None, b=0.0):
    """A figure with :func:`draw_conv_1d`, sized to the number of neurons."""
    n_in = W + 2 * P
    fig = _new_figure(min(12, max(4.5, 0.55 * n_in + 1.5)), 2.6)
    draw_conv_1d(fig.add_subplot(), W, F, S, P, dilation, x, w, b)
    return fig


def _highlight_positions(H_out, W_out, count=4):
    """A few output positions worth highlighting: the corners first."""
    candidates = [(0, 0), (0, W_out - 1), (H_out - 1, 0), (H_out - 1, W_out - 1),
                  (H_out // 2, W_out // 2)]
    seen = []
    for p in candidates:
        if p not in seen:
            seen.append(p)
    return seen[:count]


def draw_receptive_fields(ax_in, ax_out, W, F, S=1, P=0, dilation=1, positions=None):
    """Draw the padded input with the receptive fields of some output positions.

    ``W`` may be an int or an (H, W) pair; F, S, P, dilation are ints.  The
    left axes shows the padded input (padding grey) with the taps of each
    highlighted output position as coloured squares; the right axes shows
    the output grid with the same positions in the same colours.  Called
    again on the same axes, it updates the drawing in place.
    """
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    H, Wd = (W, W) if isinstance(W, int) else W
    H_out, W_out = arithmetic.conv_output_size((H, Wd), F, S, P, dilation)
    positions = positions or _highlight_positions(H_out, W_out)

    def make_in():
        image = ax_in.imshow(np.zeros((1, 1)), cmap=ListedColormap([PAD_COLOUR, INPUT_COLOUR]), vmin=0, vmax=1)
        taps = [ax_in.scatter([], [], s=4, color=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], zorder=3)
                for k in range(len(OUTPUT_COLOURS))]
        boxes = PatchCollection([], facecolors="none", linewidths=2)
        ax_in.add_collection(boxes, autolim=False)
        ax_in.set_xlabel("column")
        ax_in.set_ylabel("row")
        return {"image": image, "taps": taps, "boxes": boxes}

    def make_out():
        image = ax_out.imshow(np.zeros((1, 1)), cmap=ListedColormap(["#f7f7f7"]))
        cells = PatchCollection([], alpha=0.6)
        ax_out.add_collection(cells, autolim=False)
        for axis in (ax_out.xaxis, ax_out.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        ax_out.set_xlabel("column")
        ax_out.set_ylabel("row")
        return {"image": image, "cells": cells}

    drawn_in, drawn_out = _artists(ax_in, "fields_in", make_in), _artists(ax_out, "fields_out", make_out)
    while len(drawn_in["taps"]) < len(positions):  # more positions than ever before: one more scatter each
        k = len(drawn_in["taps"])
        drawn_in["taps"].append(ax_in.scatter([], [], s=4, color=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], zorder=3))
    grid = np.zeros((H + 2 * P, Wd + 2 * P))
    grid[P:P + H, P:P + Wd] = 1
    drawn_in["image"].set_data(grid)
    drawn_in["image"].set_extent((-P - 0.5, Wd + P - 0.5, H + P - 0.5, -P - 0.5))
    inset = 0.08
    boxes, colours = [], []
    size = max(4, 120 / max(H + 2 * P, Wd + 2 * P))
    for k, taps in enumerate(drawn_in["taps"]):
        taps.set_visible(k < len(positions))
        if k >= len(positions):
            taps.set_offsets(np.zeros((0, 2)))
            continue
        r, c = positions[k]
        rows = _tap_positions(r * S - P, F, dilation)
        cols = _tap_positions(c * S - P, F, dilation)
        boxes.append(Rectangle((cols[0] - 0.5, rows[0] - 0.5), cols[-1] - cols[0] + 1,
                               rows[-1] - rows[0] + 1))
        colours.append(OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)])
        shift = inset * (k - (len(positions) - 1) / 2)
        taps.set_offsets(np.column_stack([[cc + shift for rr in rows for cc in cols],
                                          [rr + shift for rr in rows for cc in cols]]))
        taps.set_sizes([size])
    drawn_in["boxes"].set_paths(boxes)
    drawn_in["boxes"].set_edgecolor(colours)
    ax_in.set_title(f"padded input {H + 2 * P}x{Wd + 2 * P} (P={P} in grey)")

    drawn_out["image"].set_data(np.zeros((H_out, W_out)))
    drawn_out["image"].set_extent((-0.5, W_out - 0.5, H_out - 0.5, -0.5))
    drawn_out["cells"].set_paths([Rectangle((c - 0.5, r - 0.5), 1, 1) for r, c in positions])
    drawn_out["cells"].set_facecolor([OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)] for k in range(len(positions))])
    ax_out.set_xlim(-0.5, max(W_out, 2) - 0.5)
    ax_out.set_ylim(max(H_out, 2) - 0.5, -0.5)
    ax_out.set_title(f"output {H_out}x{W_out}")
    ax_in.set_xlim(-P - 0.5, Wd + P - 0.5)
    ax_in.set_ylim(H + P - 0.5, -P - 0.5)
    return H_out, W_out


def receptive_fields_figure(W, F, S=1, P=0, dilation=1, positions=None):
    """A figure with :func:`draw_receptive_fields`: padded input and output side by side."""
    fig = _new_figure(8, 4)
    ax_in, ax_out = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    draw_receptive_fields(ax_in, ax_out, W, F, S, P, dilation, positions)
    return fig


def conv_explorer_axes():
    """An empty figure laid out for :func:`draw_conv_explorer`: ``(fig, (ax_1d, ax_in, ax_out))``.

    The layout is fixed (no layout engine), so that redrawing costs no layout pass: the 1-D view
    across the top, the padded input and the output grid below."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 6.5), dpi=100)
    # The input's axes 369 pixels square, where the constrained layout this figure had before put it
    # (its automatic ticks depend on its length); the other two have locators of their own.
    ax_1d = fig.add_axes((0.08, 0.745, 0.9, 0.205))
    ax_in = fig.add_axes((73 / 900, 48 / 650, 369 / 900, 369 / 650))
    ax_out = fig.add_axes((0.62, 0.074, 0.36, 0.52))
    _titles_at_top(ax_1d, ax_in, ax_out)
    return fig, (ax_1d, ax_in, ax_out)


def draw_conv_explorer(axes, W, F, S=1, P=0, dilation=1):
    """Draw the explorer's picture on ``axes`` from :func:`conv_explorer_axes`:
    the 1-D view on top, the padded input and the output grid below (in place: the
    artists of the previous drawing are updated, not rebuilt)."""
    ax_1d, ax_in, ax_out = axes
    draw_conv_1d(ax_1d, W, F, S, P, dilation)
    draw_receptive_fields(ax_in, ax_out, W, F, S, P, dilation)


def conv_explorer_figure(W, F, S=1, P=0, dilation=1):
    """The slider explorer's picture at fixed settings, as a new figure."""
    fig, axes = conv_explorer_axes()
    draw_conv_explorer(axes, W, F, S, P, dilation)
    return fig
