"""Figures for the notebooks: functions that take numbers or arrays and return a Figure.

Every function builds a fresh :class:`matplotlib.figure.Figure` (not through
pyplot, so nothing is left open behind the caller's back) and returns it; a
notebook shows it by making it the last expression of a cell or with
``display``.  Every axes gets a title and labelled axes.
"""
from __future__ import annotations

from . import arithmetic

__all__ = [
    "conv_1d_figure", "receptive_fields_figure", "conv_explorer_figure",
    "conv_explorer_axes", "draw_conv_explorer", "draw_conv_1d", "draw_receptive_fields",
]

# Colours used consistently across the figures.
PAD_COLOUR = "#d9d9d9"
INPUT_COLOUR = "#ffffff"
OUTPUT_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _new_figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _tap_positions(start, F, dilation):
    return [start + k * dilation for k in range(F)]


# ------------------------------------------------------------------ 1-D view
def draw_conv_1d(ax, W, F, S=1, P=0, dilation=1, x=None, w=None, b=0.0):
    """Draw a 1-D convolution on ``ax``: input neurons below, output neurons above.

    The zero-padded input row (padding in grey) sits at the bottom; each
    output neuron sits above the centre of its window and is joined by a
    line to each input it looks at.  With ``x`` (length ``W``) and ``w``
    (length ``F``) the values are written inside the neurons and the output
    values are computed.  Raises the arithmetic ValueError for an invalid
    setting.
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

    circles, faces = [], []
    for i in range(n_in):
        circles.append(Circle((i, y_in), radius))
        faces.append(PAD_COLOUR if (i < P or i >= P + W) else INPUT_COLOUR)
        if show_values:
            ax.text(i, y_in, f"{padded[i]:g}", ha="center", va="center", fontsize=8, zorder=4)
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
            ax.text(centre, y_out, f"{value:g}", ha="center", va="center", fontsize=8, zorder=4)
    ax.add_collection(LineCollection(segments, colors=seg_colours, linewidths=1, alpha=0.7, zorder=1),
                      autolim=False)
    ax.add_collection(PatchCollection(circles, facecolors=faces, edgecolors="black", linewidths=1,
                                      zorder=3), autolim=False)
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    ax.set_xlim(-1, max(n_in, 2))
    ax.set_ylim(-0.7, 1.7)
    ax.set_aspect("equal")
    ax.yaxis.set_major_locator(FixedLocator([y_in, y_out]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "output" if v > 0.5 else "input"))
    # Tick labels count input positions from the first real pixel: padding is negative or >= W.
    ax.xaxis.set_major_locator(MaxNLocator(nbins=16, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _, P=P: f"{int(round(v)) - P}"))
    ax.set_xlabel("input position (grey: zero padding)")
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


# ------------------------------------------------------------------ 2-D view
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
    the output grid with the same positions in the same colours.
    """
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    H, Wd = (W, W) if isinstance(W, int) else W
    H_out, W_out = arithmetic.conv_output_size((H, Wd), F, S, P, dilation)
    positions = positions or _highlight_positions(H_out, W_out)
    grid = np.zeros((H + 2 * P, Wd + 2 * P))
    grid[P:P + H, P:P + Wd] = 1
    ax_in.imshow(grid, cmap=ListedColormap([PAD_COLOUR, INPUT_COLOUR]), vmin=0, vmax=1,
                 extent=(-P - 0.5, Wd + P - 0.5, H + P - 0.5, -P - 0.5))
    inset = 0.08
    boxes, colours = [], []
    for k, (r, c) in enumerate(positions):
        colour = OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)]
        rows = _tap_positions(r * S - P, F, dilation)
        cols = _tap_positions(c * S - P, F, dilation)
        boxes.append(Rectangle((cols[0] - 0.5, rows[0] - 0.5), cols[-1] - cols[0] + 1,
                               rows[-1] - rows[0] + 1))
        colours.append(colour)
        shift = inset * (k - (len(positions) - 1) / 2)
        ax_in.scatter([cc + shift for rr in rows for cc in cols],
                      [rr + shift for rr in rows for cc in cols],
                      s=max(4, 120 / max(H + 2 * P, Wd + 2 * P)), color=colour, zorder=3)
    ax_in.add_collection(PatchCollection(boxes, facecolors="none", edgecolors=colours, linewidths=2),
                         autolim=False)
    ax_in.set_title(f"padded input {H + 2 * P}x{Wd + 2 * P} (P={P} in grey)")
    ax_in.set_xlabel("column")
    ax_in.set_ylabel("row")

    out_grid = np.zeros((H_out, W_out))
    ax_out.imshow(out_grid, cmap=ListedColormap(["#f7f7f7"]), extent=(-0.5, W_out - 0.5, H_out - 0.5, -0.5))
    ax_out.add_collection(PatchCollection(
        [Rectangle((c - 0.5, r - 0.5), 1, 1) for r, c in positions],
        facecolors=[OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)] for k in range(len(positions))],
        alpha=0.6), autolim=False)
    ax_out.set_xlim(-0.5, max(W_out, 2) - 0.5)
    ax_out.set_ylim(max(H_out, 2) - 0.5, -0.5)
    from matplotlib.ticker import MaxNLocator

    for axis in (ax_out.xaxis, ax_out.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    ax_out.set_title(f"output {H_out}x{W_out}")
    ax_out.set_xlabel("column")
    ax_out.set_ylabel("row")
    ax_in.set_xlim(-P - 0.5, Wd + P - 0.5)
    ax_in.set_ylim(H + P - 0.5, -P - 0.5)
    return H_out, W_out


def receptive_fields_figure(W, F, S=1, P=0, dilation=1, positions=None):
    """A figure with :func:`draw_receptive_fields`: padded input and output side by side."""
    fig = _new_figure(8, 4)
    ax_in, ax_out = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    draw_receptive_fields(ax_in, ax_out, W, F, S, P, dilation, positions)
    return fig


def clear_axes(ax):
    """Remove what was drawn on ``ax`` but keep the axes itself (much cheaper than
    creating new axes, so an explorer can redraw on every slider move)."""
    for artist in list(ax.collections) + list(ax.patches) + list(ax.lines) + list(ax.texts) + list(ax.images):
        artist.remove()


def conv_explorer_axes():
    """An empty figure laid out for :func:`draw_conv_explorer`: ``(fig, (ax_1d, ax_in, ax_out))``."""
    fig = _new_figure(9, 6.5)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 2.2])
    ax_1d = top.add_subplot()
    ax_in, ax_out = bottom.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    return fig, (ax_1d, ax_in, ax_out)


def draw_conv_explorer(axes, W, F, S=1, P=0, dilation=1):
    """Draw the explorer's picture on ``axes`` from :func:`conv_explorer_axes`:
    the 1-D view on top, the padded input and the output grid below."""
    ax_1d, ax_in, ax_out = axes
    for ax in axes:
        clear_axes(ax)
    draw_conv_1d(ax_1d, W, F, S, P, dilation)
    draw_receptive_fields(ax_in, ax_out, W, F, S, P, dilation)


def conv_explorer_figure(W, F, S=1, P=0, dilation=1):
    """The slider explorer's picture at fixed settings, as a new figure."""
    fig, axes = conv_explorer_axes()
    draw_conv_explorer(axes, W, F, S, P, dilation)
    return fig


# =============================================================================
# Notebook 04 (architectures): receptive-field growth, budgets, score maps.
# =============================================================================
__all__ += ["receptive_field_paths", "receptive_field_figure", "budget_figure",
            "score_map_figure"]


def _rf_kernels(layers, input_size=None):
    """(k, s, p, dilation, F) per layer, from arithmetic's view of each layer."""
    rows = arithmetic.receptive_field(layers, input_size=input_size)
    dims = [arithmetic._as_layer(lay) for lay in layers]
    dims = [d for d in dims if d.kind != "input"]
    taps = []
    for d, row in zip(dims, rows):
        if d.kind == "conv":
            taps.append((d.F, d.dilation))
        else:
            taps.append((row.k, 1))
    return rows, taps


def receptive_field_paths(layers, unit=0):
    """Which units of every layer feed output unit ``unit`` of the last layer, and how
    many paths lead to each.

    Returns a list, from the input (index 0) to the last layer, of dicts
    ``{index: number of paths}``; indices are in that layer's own coordinates
    (negative or too large = padding).  The input entry is the receptive field,
    weighted by how often each pixel is used (with all-ones filters it is the
    gradient of the unit with respect to the input).
    """
    rows, taps = _rf_kernels(layers)
    levels = [{int(unit): 1}]
    for row, (F, dil) in zip(reversed(rows), reversed(taps)):
        below = {}
        for j, count in levels[0].items():
            for t in range(F):
                i = j * row.s - row.p + t * dil
                below[i] = below.get(i, 0) + count
        levels.insert(0, below)
    return levels


def receptive_field_figure(layers, units=(0, 1), max_lines=400):
    """How the receptive field grows, layer by layer, for a 1-D stack of layers.

    Top: one row per layer (input at the bottom); a dot is a unit, placed at the
    centre of its receptive field in input coordinates; coloured units feed the
    chosen output units ``units`` of the last layer, grey ones do not.  Bottom:
    the input pixels in each chosen unit's field, with the number of paths that
    reach each pixel.  ``layers`` are LayerDims / tuples as for
    :func:`cs231n_lib.arithmetic.receptive_field` (no FC layers).
    """
    rows, taps = _rf_kernels(layers)
    fig = _new_figure(9, 6)
    ax_top, ax_bottom = fig.subplots(2, 1, height_ratios=[1.6, 1])
    centres = [lambda j: float(j)] + [
        (lambda j, r=row: r.center(j)) for row in rows]
    spans = [row.span(u) for row in rows[-1:] for u in units]
    lo, hi = min(s[0] for s in spans) - 1, max(s[1] for s in spans) + 1
    names = ["input"] + [row.name for row in rows]
    # grey: every unit whose centre falls in the window
    for level, centre in enumerate(centres):
        stride = 1 if level == 0 else rows[level - 1].stride
        first = int((lo - (0 if level == 0 else centre(0))) // stride) - 1
        xs = [centre(j) for j in range(first, first + int((hi - lo) // stride) + 3)]
        xs = [x for x in xs if lo <= x <= hi]
        ax_top.scatter(xs, [level] * len(xs), s=12, color="#bbbbbb", zorder=1)
    for n, unit in enumerate(units):
        colour = OUTPUT_COLOURS[n % len(OUTPUT_COLOURS)]
        levels = receptive_field_paths(layers, unit)
        offset = 0.12 * n
        segments = []
        for level in range(len(levels) - 1, 0, -1):
            row = rows[level - 1]
            F, dil = taps[level - 1]
            for j in levels[level]:
                for t in range(F):
                    i = j * row.s - row.p + t * dil
                    segments.append([(centres[level](j), level + offset),
                                     (centres[level - 1](i), level - 1 + offset)])
        if len(segments) <= max_lines:
            from matplotlib.collections import LineCollection

            ax_top.add_collection(LineCollection(segments, colors=colour, linewidths=0.6,
                                                 alpha=0.5, zorder=2))
        for level, found in enumerate(levels):
            xs = [centres[level](j) for j in found]
            ax_top.scatter(xs, [level + offset] * len(xs), s=22, color=colour, zorder=3,
                           label=f"units feeding output unit {unit}" if level == 0 else None)
        field = levels[0]
        xs = sorted(field)
        ax_bottom.bar([x + (n - (len(units) - 1) / 2) * 0.4 for x in xs],
                      [field[x] for x in xs], width=0.4, color=colour,
                      label=f"unit {unit}: pixels {rows[-1].span(unit)[0]}..{rows[-1].span(unit)[1]}")
    ax_top.set_yticks(range(len(names)), names)
    ax_top.set_xlim(lo - 0.5, hi + 0.5)
    ax_top.set_xlabel("position in input coordinates (pixels; < 0 or past the edge = padding)")
    ax_top.set_ylabel("layer")
    last = rows[-1]
    ax_top.set_title(f"receptive field after {len(rows)} layers: r = {last.size}, "
                     f"effective stride S = {last.stride}, padding P = {last.padding}")
    ax_top.legend(loc="upper left", fontsize=8)
    ax_bottom.set_xlim(lo - 0.5, hi + 0.5)
    ax_bottom.set_xlabel("input pixel")
    ax_bottom.set_ylabel("paths to the unit")
    ax_bottom.set_title("input pixels in each field (height = how many paths reach the pixel)")
    ax_bottom.legend(loc="upper left", fontsize=8)
    return fig


def budget_figure(budget, title="memory and parameters per layer"):
    """Two bar charts of a :class:`cs231n_lib.arithmetic.Budget`: activations and
    parameters per layer, in millions (in-place ReLU rows left out)."""
    rows = [r for r in budget.rows if r.stored or r.params]
    labels = [f"{i}: {r.name}" for i, r in enumerate(rows)]
    fig = _new_figure(10, 0.22 * len(rows) + 2)
    ax_act, ax_par = fig.subplots(1, 2, sharey=True)
    ys = list(range(len(rows)))
    ax_act.barh(ys, [r.stored / 1e6 for r in rows], color=OUTPUT_COLOURS[0])
    ax_par.barh(ys, [r.params / 1e6 for r in rows], color=OUTPUT_COLOURS[1])
    ax_act.set_yticks(ys, labels, fontsize=7)
    ax_act.invert_yaxis()
    for ax, what, total in ((ax_act, "activations", budget.activations),
                            (ax_par, "parameters", budget.params)):
        ax.set_xlabel(f"{what} (millions)")
        ax.set_title(f"{what}: {total:,} in total")
    ax_act.set_ylabel("layer")
    ax_par.set_ylabel("layer (same rows)")
    fig.suptitle(title)
    return fig


def score_map_figure(image, scores, crop, stride, label="class 0 score"):
    """Left: a 2-D image with the outlines of the crops at ``stride``; right: the
    grid of scores (one number per crop), as the converted network returns it.

    image : (H, W) array; scores : (rows, cols) array; crop : crop size in pixels.
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    image, scores = np.asarray(image), np.asarray(scores)
    fig = _new_figure(9, 4)
    ax_img, ax_map = fig.subplots(1, 2)
    ax_img.imshow(image, cmap="gray")
    rows, cols = scores.shape
    for i in range(rows):
        for j in range(cols):
            colour = OUTPUT_COLOURS[(i * cols + j) % len(OUTPUT_COLOURS)]
            ax_img.add_patch(Rectangle((j * stride - 0.5 + 0.15 * (i % 2), i * stride - 0.5 + 0.15 * (j % 2)),
                                       crop, crop, fill=False, edgecolor=colour, linewidth=1))
    ax_img.set_title(f"{image.shape[0]}x{image.shape[1]} input, {rows}x{cols} crops of "
                     f"{crop}x{crop} at stride {stride}")
    ax_img.set_xlabel("column (pixels)")
    ax_img.set_ylabel("row (pixels)")
    shown = ax_map.imshow(scores, cmap="viridis")
    for i in range(rows):
        for j in range(cols):
            ax_map.text(j, i, f"{scores[i, j]:.2f}", ha="center", va="center", color="white",
                        fontsize=8)
    fig.colorbar(shown, ax=ax_map, label=label)
    ax_map.set_title(f"score map: one {label} per crop")
    ax_map.set_xlabel("crop column")
    ax_map.set_ylabel("crop row")
    return fig


# ---- notebook 03: pooling ----
# Number grids for small pooling examples, the switches of max pooling,
# image rows for comparing pooling types, and the pooling explorer's picture.
POOL_KIND_NAMES = {"max": "max pooling", "avg": "average pooling", "l2": "L2-norm pooling"}

__all__ += [
    "draw_number_grid", "pool_example_figure", "pool_switches_figure", "image_row_figure",
    "pool_explorer_axes", "draw_pool_explorer", "pool_explorer_figure",
]


def _pool_windows(H_out, W_out, F, S):
    """Top-left corners (row, col) of every pooling window, row by row."""
    return [(i * S, j * S) for i in range(H_out) for j in range(W_out)]


def _fmt(value):
    value = float(value)
    return f"{value:.0f}" if value == round(value) and abs(value) < 1e4 else f"{value:.2f}"


def draw_number_grid(ax, values, title, facecolours=None, xlabel="column", ylabel="row",
                     fontsize=None):
    """Draw a 2-D array as a grid of cells with its numbers written inside.

    ``facecolours`` is an optional dict ``{(row, col): colour}``; other cells
    are white.  Row 0 is at the top, as in an image.
    """
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    values = np.asarray(values)
    rows, cols = values.shape
    facecolours = facecolours or {}
    cells = [Rectangle((c - 0.5, r - 0.5), 1, 1) for r in range(rows) for c in range(cols)]
    faces = [facecolours.get((r, c), "white") for r in range(rows) for c in range(cols)]
    ax.add_collection(PatchCollection(cells, facecolors=faces, edgecolors="#999999", linewidths=0.8),
                      autolim=False)
    size = fontsize or max(6, 11 - max(rows, cols) // 2)
    for r in range(rows):
        for c in range(cols):
            ax.text(c, r, _fmt(values[r, c]), ha="center", va="center", fontsize=size)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.tick_params(length=0, labelsize=7)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


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


def image_row_figure(images, suptitle=None, cmap="gray", height=3.0, vmin=None, vmax=None):
    """Show images side by side, each with its title and its size on the axes.

    ``images`` is a dict ``{title: array}``; each array is (H, W) or (H, W, 3)
    with values in [0, 1] for colour.  Every panel is drawn at the same
    display size, so a pooled image looks as big as the original but
    blockier: the axes tick labels give the true pixel counts.  ``vmin`` and
    ``vmax`` fix the colour scale of 2-D images (the same for every panel, so
    their brightness can be compared); by default each panel is scaled alone.
    """
    import numpy as np

    fig = _new_figure(height * len(images) + 0.5, height + 0.6)
    axes = np.atleast_1d(fig.subplots(1, len(images)))
    for ax, (title, img) in zip(axes, images.items()):
        img = np.asarray(img)
        if img.ndim == 2:
            ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        else:
            ax.imshow(img, interpolation="nearest")
        ax.set_title(f"{title}\n{img.shape[0]}x{img.shape[1]}", fontsize=10)
        ax.set_xlabel("column (pixels)")
        ax.set_ylabel("row (pixels)")
        ax.tick_params(labelsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def pool_explorer_axes():
    """An empty figure for :func:`draw_pool_explorer`: ``(fig, (ax_in, ax_out))``."""
    fig = _new_figure(10, 4.2)
    ax_in, ax_out = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    return fig, (ax_in, ax_out)


def draw_pool_explorer(axes, x, out, F, S, kind, switches=None):
    """Draw the pooling explorer on ``axes`` from :func:`pool_explorer_axes`.

    ``x`` is the (W, W) input, ``out`` the pooled (W_out, W_out) output of
    ``kind`` ('max', 'avg' or 'l2') with window ``F`` and stride ``S``.  The
    first few windows are outlined; their outputs share their colour.  With
    ``switches`` (max pooling's (W_out, W_out) in-window argmax), the winning
    input of each outlined window is filled in its colour.
    """
    import numpy as np
    from matplotlib.colors import to_rgba

    ax_in, ax_out = axes
    for ax in axes:
        ax.clear()
    out = np.asarray(out)
    H_out, W_out = out.shape
    corners = _pool_windows(H_out, W_out, F, S)
    shown = min(len(corners), 4)
    winners = {}
    if switches is not None:
        for k, (r, c) in enumerate(corners[:shown]):
            sw = int(np.asarray(switches)[k // W_out, k % W_out])
            winners[(r + sw // F, c + sw % F)] = to_rgba(OUTPUT_COLOURS[k], 0.4)
    draw_number_grid(ax_in, x, f"input {x.shape[0]}x{x.shape[1]}: first {shown} of {len(corners)} windows",
                     facecolours=winners)
    _draw_windows(ax_in, corners, F, F, max_windows=shown)
    tint = {(k // W_out, k % W_out): to_rgba(OUTPUT_COLOURS[k], 0.4) for k in range(shown)}
    draw_number_grid(ax_out, out, f"{POOL_KIND_NAMES[kind]}, {F}x{F} stride {S}: output {H_out}x{W_out}",
                     facecolours=tint)


def pool_explorer_figure(x, out, F, S, kind, switches=None):
    """The pooling explorer's picture at fixed settings, as a new figure."""
    fig, axes = pool_explorer_axes()
    draw_pool_explorer(axes, x, out, F, S, kind, switches)
    return fig


# =====================================================================
# ---- notebook 02: the conv layer and im2col ----
# =====================================================================
def im2col_figure(pixel_ids, cols, counts, title="im2col"):
    """Which input pixel lands in which column of X_col, and how often.

    Parameters
    ----------
    pixel_ids : array (H_pad, W_pad)
        The padded input of one channel, each real pixel holding its number
        (0, 1, 2, ...) and each padding position holding -1.
    cols : array (HH*WW, n_windows)
        ``im2col`` of ``pixel_ids`` (padding positions -1): entry (r, k) is
        the number of the pixel that filter tap r reads in window k.
    counts : array (H, W)
        In how many windows (columns) each input pixel appears: ``col2im``
        of a matrix of ones.

    Returns a Figure with three panels: the numbered input, X_col coloured by
    pixel number (numbers written in when it is small), and the counts.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    pixel_ids, cols, counts = np.asarray(pixel_ids), np.asarray(cols), np.asarray(counts)
    fig = _new_figure(12, 4.2)
    ax_in, ax_col, ax_count = fig.subplots(
        1, 3, gridspec_kw={"width_ratios": [pixel_ids.shape[1], cols.shape[1], counts.shape[1]]}
    )
    n_pixels = max(int(pixel_ids.max()) + 1, 1)
    cmap = _pixel_cmap()
    for ax, grid in ((ax_in, pixel_ids), (ax_col, cols)):
        masked = np.ma.masked_less(grid, 0)
        ax.imshow(masked, cmap=cmap, vmin=0, vmax=n_pixels - 1, aspect="equal")
        ax.set_facecolor(PAD_COLOUR)
        if grid.size <= 400:
            for (r, c), v in np.ndenumerate(grid):
                ax.text(c, r, "0" if v < 0 else f"{int(v)}", ha="center", va="center",
                        fontsize=7, color="#555555" if v < 0 else "black")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))
    ax_in.set_title("input pixels, numbered\n(padding grey)")
    ax_in.set_xlabel("column")
    ax_in.set_ylabel("row")
    ax_col.set_title(f"X_col: {cols.shape[0]} rows x {cols.shape[1]} columns\n(one column per window)")
    ax_col.set_xlabel("column = window (output position)")
    ax_col.set_ylabel("row = filter tap")
    image = ax_count.imshow(counts, cmap="Oranges", vmin=0)
    for (r, c), v in np.ndenumerate(counts):
        ax_count.text(c, r, f"{int(v)}", ha="center", va="center", fontsize=8)
    ax_count.set_title("copies of each\npixel in X_col")
    ax_count.set_xlabel("column")
    ax_count.set_ylabel("row")
    for axis in (ax_count.xaxis, ax_count.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    fig.colorbar(image, ax=ax_count, shrink=0.7, label="number of copies")
    fig.suptitle(title)
    return fig


def _pixel_cmap():
    from matplotlib import colormaps

    return colormaps["viridis"].with_extremes(bad=PAD_COLOUR)


def image_grid_figure(images, titles, suptitle, cmap="gray", xlabel="column", ylabel="row",
                      symmetric=None, colorbar=False, ncols=None, panel_size=3.0):
    """A row (or grid) of images, each with its title and labelled axes.

    Parameters
    ----------
    images : sequence of 2-D arrays (or H x W x 3 RGB arrays in [0, 1])
    titles : sequence of str, one per image
    suptitle : str
    cmap : str or sequence of str (one per image)
    symmetric : sequence of bool, optional
        Per image: centre the colour scale on 0 (for edge maps with signs).
    colorbar : bool
        Add a colour bar to every single-channel image.
    """
    import numpy as np

    n = len(images)
    if len(titles) != n:
        raise ValueError(f"{n} images but {len(titles)} titles.")
    ncols = ncols or n
    nrows = -(-n // ncols)
    cmaps = [cmap] * n if isinstance(cmap, str) else list(cmap)
    symmetric = symmetric or [False] * n
    fig = _new_figure(panel_size * ncols + 0.5, panel_size * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, img, title, cm, sym in zip(axes, images, titles, cmaps, symmetric):
        img = np.asarray(img)
        kwargs = {}
        if img.ndim == 2 and sym:
            lim = float(np.abs(img).max()) or 1.0
            kwargs = {"vmin": -lim, "vmax": lim}
        shown = ax.imshow(img, cmap=None if img.ndim == 3 else cm, **kwargs)
        if colorbar and img.ndim == 2:
            fig.colorbar(shown, ax=ax, shrink=0.75)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(suptitle)
    return fig


def filtered_photo_figure(image, kernel, out, title):
    """A photo, the filter (its numbers written in) and the filtered result.

    ``image`` (H, W) in [0, 1]; ``kernel`` (HH, WW); ``out`` (H_out, W_out).
    """
    import numpy as np

    image, kernel, out = np.asarray(image), np.asarray(kernel), np.asarray(out)
    fig = _new_figure(11, 4)
    ax_img, ax_k, ax_out = fig.subplots(1, 3, gridspec_kw={"width_ratios": [3, 1.6, 3]})
    ax_img.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax_img.set_title(f"input {image.shape[0]}x{image.shape[1]}")
    lim = float(np.abs(kernel).max()) or 1.0
    ax_k.imshow(kernel, cmap="RdBu_r", vmin=-lim, vmax=lim)
    if kernel.size <= 49:
        for (r, c), v in np.ndenumerate(kernel):
            ax_k.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=7)
    ax_k.set_title(f"filter {kernel.shape[0]}x{kernel.shape[1]}")
    from matplotlib.ticker import MaxNLocator

    for axis in (ax_k.xaxis, ax_k.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    lim_out = float(np.abs(out).max()) or 1.0
    signed = bool(out.min() < -1e-12)
    ax_out.imshow(out, cmap="RdBu_r" if signed else "gray",
                  vmin=-lim_out if signed else None, vmax=lim_out if signed else None)
    ax_out.set_title(f"output {out.shape[0]}x{out.shape[1]}")
    for ax in (ax_img, ax_k, ax_out):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle(title)
    return fig


# =========================================================== notebook 05: training
def _as_hwc(img):
    """(3, H, W) or (H, W) array -> something imshow shows, clipped to [0, 1]."""
    import numpy as np

    img = np.asarray(img, dtype=float)
    if img.ndim == 3 and img.shape[0] in (1, 3):
        img = img.transpose(1, 2, 0)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    return np.clip(img, 0, 1)


def image_grid(images, labels=None, class_names=None, ncols=10, title="Images", masks=None,
               boxes=None, predictions=None, size=1.2):
    """A grid of images (N, 3, H, W) in [0, 1], each titled with its class name.

    ``masks`` (N, H, W) are outlined in white and ``boxes`` (N, 4) drawn as
    (top, left, bottom, right) rectangles; with ``predictions`` each title
    reads "label -> prediction" (red when wrong).
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    images = np.asarray(images)
    n = len(images)
    if n == 0:
        raise ValueError("image_grid needs at least one image.")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig = _new_figure(size * ncols, size * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(_as_hwc(images[i]), cmap="gray", vmin=0, vmax=1)
        name = ""
        if labels is not None:
            label = int(labels[i])
            name = class_names[label] if class_names is not None else str(label)
        colour = "black"
        if predictions is not None:
            pred = int(predictions[i])
            pred_name = class_names[pred] if class_names is not None else str(pred)
            colour = "black" if labels is None or pred == int(labels[i]) else "red"
            name = f"{name}->{pred_name}" if name else pred_name
        ax.set_title(name, fontsize=7, color=colour)
        if masks is not None:
            ax.contour(np.asarray(masks[i], dtype=float), levels=[0.5], colors="white", linewidths=0.8)
        if boxes is not None:
            top, left, bottom, right = (float(v) for v in boxes[i])
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top,
                                   fill=False, edgecolor="yellow", linewidth=1))
    for ax in axes[-1]:
        ax.set_xlabel("x (pixels)", fontsize=6)
    for ax in axes[:, 0]:
        ax.set_ylabel("y (pixels)", fontsize=6)
    fig.suptitle(title)
    return fig


def training_curves(loss_history, train_acc_history, val_acc_history, title="Training",
                    iterations_per_epoch=None):
    """Two panels: the loss per iteration, and training / validation accuracy per epoch."""
    import numpy as np

    fig = _new_figure(10, 3.4)
    ax_loss, ax_acc = fig.subplots(1, 2)
    loss = np.asarray(loss_history, dtype=float)
    ax_loss.plot(np.arange(1, len(loss) + 1), loss, ".", markersize=2, alpha=0.5, label="minibatch loss")
    if len(loss) >= 20:
        k = max(len(loss) // 20, 2)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax_loss.plot(np.arange(k, len(loss) + 1), smooth, "-", label=f"mean of {k}")
    ax_loss.set_title("Training loss")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("softmax loss")
    ax_loss.legend(fontsize=8)
    epochs = np.arange(len(train_acc_history))
    ax_acc.plot(epochs, train_acc_history, "o-", label="train")
    ax_acc.plot(epochs, val_acc_history, "s-", label="validation")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_title("Classification accuracy")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def confusion_matrix_figure(matrix, class_names, title="Confusion matrix"):
    """Heat map of a confusion matrix (rows: true class, columns: predicted), with the counts written in."""
    import numpy as np

    matrix = np.asarray(matrix)
    C = len(class_names)
    if matrix.shape != (C, C):
        raise ValueError(f"matrix.shape={matrix.shape} must be (C, C) = ({C}, {C}) for {C} class names.")
    fig = _new_figure(6.5, 5.5)
    ax = fig.subplots()
    im = ax.imshow(matrix, cmap="Blues")
    top = matrix.max() if matrix.size else 0
    for i in range(C):
        for j in range(C):
            if matrix[i, j]:
                ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] > top / 2 else "black")
    ax.set_xticks(range(C))
    ax.set_xticklabels(class_names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(C))
    ax.set_yticklabels(class_names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="images")
    return fig
