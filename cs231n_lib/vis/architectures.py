"""Notebook 04 (architectures): how the receptive field grows, memory and parameter budgets, score maps."""
from __future__ import annotations

from .. import arithmetic
from ._base import OUTPUT_COLOURS, _new_figure, _titles_at_top

__all__ = ["receptive_field_paths", "receptive_field_axes", "draw_receptive_field", "receptive_field_figure",
           "budget_figure", "score_map_figure"]

def _rf_kernels(layers, input_size=None):
    """(k, s, p, dilation, F) per layer, from arithmetic's view of each layer."""
    rows = arithmetic.receptive_field(layers, input_size=input_size)
    dims = [arithmetic.as_layer_dims(lay) for lay in layers]
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


def receptive_field_axes():
    """An empty figure for :func:`draw_receptive_field`: ``(fig, (ax_top, ax_bottom))``.

    The layout is fixed (no layout engine), wide enough on the left for the longest layer names
    the receptive-field explorer draws with its sliders (``conv5: F=1, d=16, S=2``); the explorer
    redraws it in place."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 6), dpi=100)
    ax_top = fig.add_axes((0.24, 0.49, 0.745, 0.465))
    ax_bottom = fig.add_axes((0.24, 0.08, 0.745, 0.29))
    _titles_at_top(ax_top, ax_bottom)
    return fig, (ax_top, ax_bottom)


def draw_receptive_field(axes, layers, units=(0, 1), max_lines=400):
    """How the receptive field grows, layer by layer, for a 1-D stack of layers, on ``axes`` from
    :func:`receptive_field_axes` (called again, it updates the drawing in place).

    Top: one row per layer (input at the bottom); a dot is a unit, placed at the
    centre of its receptive field in input coordinates; coloured units feed the
    chosen output units ``units`` of the last layer, grey ones do not.
    Bottom: the input pixels in each chosen unit's field, with the number of paths that
    reach each pixel.  ``layers`` are LayerDims / tuples as for
    :func:`cs231n_lib.arithmetic.receptive_field` (no FC layers); a unit's paths are drawn
    when there are at most ``max_lines`` of them.
    """
    import numpy as np
    from matplotlib.collections import LineCollection

    ax_top, ax_bottom = axes
    rows, taps = _rf_kernels(layers)
    kept = ax_top.__dict__.setdefault("_cs231n_rf", {})
    if not kept:
        kept["grey"] = ax_top.scatter([], [], s=12, color="#bbbbbb", zorder=1)
        kept["lines"], kept["dots"], kept["bars"], kept["legends"] = [], [], [], {}
        ax_top.set_xlabel("position in input coordinates (pixels; < 0 or past the edge = padding)")
        ax_top.set_ylabel("layer")
        ax_bottom.set_xlabel("input pixel")
        ax_bottom.set_ylabel("paths to the unit")
        ax_bottom.set_title("input pixels in each field (height = how many paths reach the pixel)")
    while len(kept["lines"]) < max(len(units), 2):  # the artists of one more unit (two at first)
        n = len(kept["lines"])
        colour = OUTPUT_COLOURS[n % len(OUTPUT_COLOURS)]
        kept["lines"].append(ax_top.add_collection(
            LineCollection([], colors=colour, linewidths=0.6, alpha=0.5, zorder=2), autolim=False))
        kept["dots"].append(ax_top.scatter([], [], s=22, color=colour, zorder=3))
        kept["bars"].append([])
    centres = [lambda j: float(j)] + [
        (lambda j, r=row: r.center(j)) for row in rows]
    spans = [row.span(u) for row in rows[-1:] for u in units]
    lo, hi = min(s[0] for s in spans) - 1, max(s[1] for s in spans) + 1
    names = ["input"] + [row.name for row in rows]
    # grey: every unit whose centre falls in the window
    grey = []
    for level, centre in enumerate(centres):
        stride = 1 if level == 0 else rows[level - 1].stride
        first = int((lo - (0 if level == 0 else centre(0))) // stride) - 1
        xs = [centre(j) for j in range(first, first + int((hi - lo) // stride) + 3)]
        grey += [(x, level) for x in xs if lo <= x <= hi]
    kept["grey"].set_offsets(np.array(grey, dtype=float).reshape(-1, 2))
    y_low, y_high = 0.0, float(len(rows))  # the rows of dots (a scatter's data limits)
    bars, labels = [], []
    for n in range(len(kept["lines"])):
        lines, dots = kept["lines"][n], kept["dots"][n]
        if n >= len(units):
            lines.set_visible(False)
            dots.set_visible(False)
            continue
        unit = units[n]
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
        lines.set_segments(segments)
        lines.set_visible(len(segments) <= max_lines)
        points = [(centres[level](j), level + offset) for level, found in enumerate(levels) for j in found]
        dots.set_offsets(np.array(points, dtype=float).reshape(-1, 2))
        dots.set_visible(True)
        dots.set_label(f"units feeding output unit {unit}")
        y_high = max(y_high, len(rows) + offset)
        field = levels[0]
        xs = sorted(field)
        bars.append(([x + (n - (len(units) - 1) / 2) * 0.4 for x in xs], [field[x] for x in xs]))
        labels.append(f"unit {unit}: pixels {rows[-1].span(unit)[0]}..{rows[-1].span(unit)[1]}")
    _bars_in_place(ax_bottom, kept, bars)
    ax_top.set_yticks(range(len(names)), names)
    ax_top.set_xlim(lo - 0.5, hi + 0.5)
    margin = 0.05 * (y_high - y_low)  # as autoscaling sets them: the dots' extent and 5% margins
    ax_top.set_ylim(y_low - margin, y_high + margin)
    last = rows[-1]
    ax_top.set_title(f"receptive field after {len(rows)} layers: r = {last.size}, "
                     f"effective stride S = {last.stride}, padding P = {last.padding}")
    _legend_in_place(ax_top, kept, "top", kept["dots"][:len(units)],
                     [d.get_label() for d in kept["dots"][:len(units)]])
    ax_bottom.set_xlim(lo - 0.5, hi + 0.5)
    ax_bottom.set_ylim(0, 1.05 * max(max(h) for _, h in bars))  # bars stand on 0; 5% above the highest
    _legend_in_place(ax_bottom, kept, "bottom", [b[1] for b in kept["bars"][:len(units)]], labels)


def _bars_in_place(ax, kept, bars):
    """Bars of width 0.4 centred on their x (as ``ax.bar`` draws them), one PatchCollection per
    unit (one drawing call for all its bars), updated from the last drawing."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    pools = kept["bars"]
    for n in range(len(pools)):
        if not pools[n]:
            colour = OUTPUT_COLOURS[n % len(OUTPUT_COLOURS)]
            collection = PatchCollection([], facecolors=colour, edgecolors="none", linewidths=1.0)
            ax.add_collection(collection, autolim=False)
            handle = Rectangle((0, 0), 0.4, 1, facecolor=colour, edgecolor="none")  # the legend's
            pools[n] = [collection, handle]
        xs, heights = bars[n] if n < len(bars) else ([], [])
        pools[n][0].set_paths([Rectangle((x - 0.2, 0), 0.4, h) for x, h in zip(xs, heights)])
        pools[n][0].set_visible(n < len(bars))


def _legend_in_place(ax, kept, name, handles, labels):
    """The legend (upper left, 8 points) for ``handles``: made once per number of entries, then
    only its texts change."""
    legend = kept["legends"].get((name, len(handles)))
    if legend is None:
        legend = kept["legends"][(name, len(handles))] = ax.legend(handles, labels, loc="upper left", fontsize=8)
    elif ax.get_legend() is not legend:
        ax.legend_ = legend
    for text, label in zip(legend.get_texts(), labels):
        text.set_text(label)


def receptive_field_figure(layers, units=(0, 1), max_lines=400):
    """How the receptive field grows, layer by layer, for a 1-D stack of layers, as a new figure
    (:func:`draw_receptive_field` on :func:`receptive_field_axes`; see there)."""
    fig, axes = receptive_field_axes()
    draw_receptive_field(axes, layers, units, max_lines)
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
