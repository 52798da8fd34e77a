"""Notebook 06 (visualizing what ConvNets learn): activations, filters, top images, t-SNE, occlusion."""
from __future__ import annotations

from ._base import OUTPUT_COLOURS, _as_hwc, _new_figure, _titles_at_top

__all__ = ["mosaic", "activation_maps_figure", "sparsity_figure", "training_watch_figure", "filters_figure",
           "filter_slices_figure", "roughness_curves_figure", "max_activating_figure", "purity_figure", "tsne_figure",
           "tsne_thumbnails_figure", "occlusion_figure", "occlusion_explorer_axes", "draw_occlusion_explorer",
           "feature_visualization_figure"]


def mosaic(tiles, ncols, gap=1):
    """Tiles (K, h, w) (or (K, h, w, 3)) side by side in rows of ``ncols``, ``gap`` pixels of NaN
    between them (drawn in the axes' background colour): one image instead of K axes."""
    import numpy as np

    tiles = np.asarray(tiles, dtype=float)
    K, h, w = tiles.shape[:3]
    ncols = max(1, min(int(ncols), K))
    nrows = -(-K // ncols)
    out = np.full((nrows * (h + gap) - gap, ncols * (w + gap) - gap) + tiles.shape[3:], np.nan)
    for k in range(K):
        r, c = divmod(k, ncols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tiles[k]
    return out


# Figures made of many small images, or of a thousand points, are drawn at this resolution
# (dots per inch): a saved notebook holds them as PNGs, and at the default 100 notebook 06
# would pass its size limit.
MOSAIC_DPI = 72


def _cmap(name, bad="#cfcfcf"):
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad=bad)


def _tile_ticks(ax, count, size, gap, axis="x"):
    """Ticks at the centre of each tile, labelled with the tile's number."""
    positions = [k * (size + gap) + (size - 1) / 2 for k in range(count)]
    step = max(1, count // 8)
    (ax.set_xticks if axis == "x" else ax.set_yticks)(positions[::step])
    (ax.set_xticklabels if axis == "x" else ax.set_yticklabels)([str(k) for k in range(0, count, step)], fontsize=7)


def _layer_panel(ax, name, act, ncols, highlight=None):
    """One layer's activations for one image on ``ax``: a mosaic of its maps (C, H, W) on one colour
    scale, or a strip of its M values; ``highlight`` (C,) bool frames channels in red."""
    import numpy as np
    from matplotlib.patches import Rectangle

    act = np.asarray(act, dtype=float)
    lo, hi = float(np.min(act)), float(np.max(act))
    if lo < 0:  # a conv or affine output: signed, one symmetric scale
        lim = max(abs(lo), abs(hi)) or 1.0
        kwargs = {"cmap": _cmap("RdBu_r"), "vmin": -lim, "vmax": lim}
        scale = f"scale -{lim:.2g}..{lim:.2g}"
    else:  # after a ReLU: zero is black
        kwargs = {"cmap": _cmap("inferno"), "vmin": 0.0, "vmax": hi or 1.0}
        scale = f"scale 0..{hi:.2g}"
    if act.ndim == 3:
        C, H, W = act.shape
        cols = min(ncols, C)
        ax.imshow(mosaic(act, cols), interpolation="nearest", **kwargs)
        ax.set_title(f"{name}: {C} x {H} x {W}\n({scale})", fontsize=9)
        _tile_ticks(ax, cols, W, 1, "x")
        ax.set_yticks([])
        ax.set_xlabel(f"map (left to right, {cols} per row)", fontsize=8)
        ax.set_ylabel("row of maps", fontsize=8)
        if highlight is not None:
            for c in np.flatnonzero(highlight):
                r, k = divmod(int(c), cols)
                ax.add_patch(Rectangle((k * (W + 1) - 0.5, r * (H + 1) - 0.5), W, H, fill=False,
                                       edgecolor="#00e5ff", linewidth=1.5))
    else:  # a flat layer: one bar per unit
        M = act.shape[0]
        colours = ["#b2182b" if v > 0 else "#2166ac" for v in act]
        ax.bar(range(M), act, width=0.8, color=colours)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xlim(-0.8, M - 0.2)
        ax.set_title(f"{name}: {M} numbers", fontsize=9)
        ax.set_xlabel("unit", fontsize=8)
        ax.set_ylabel("activation", fontsize=8)
        ax.tick_params(labelsize=7)
        if highlight is not None:
            dead = np.flatnonzero(highlight)
            ax.plot(dead, np.zeros(len(dead)), "|", color="#00b8d4", markersize=8)


def activation_maps_figure(image, acts, title, ncols=3, maps_per_row=8, highlight=None):
    """Every layer's output for one image, one panel per layer, ``ncols`` panels per row.

    image : (3, H, W) in [0, 1], drawn first.
    acts : dict ``{layer name: (C, H, W) or (M,)}`` for this image, in the net's order.
    maps_per_row : maps per row inside a panel.
    highlight : optional ``{layer name: (C,) bool}``: maps framed in cyan (e.g. dead filters).
    Each panel uses one colour scale for all its maps: black is zero after a ReLU,
    red/blue are positive/negative before it.
    """
    names = list(acts)
    nrows = -(-len(names) // ncols)
    fig = _new_figure(2.9 * ncols + 1.7, 2.1 * nrows + 0.6)
    fig.set_dpi(MOSAIC_DPI)
    grid = fig.add_gridspec(nrows, ncols + 1, width_ratios=[0.6] + [1] * ncols)
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(_as_hwc(image), interpolation="nearest")
    ax.set_title("input image", fontsize=9)
    ax.set_xlabel("x (pixels)", fontsize=8)
    ax.set_ylabel("y (pixels)", fontsize=8)
    ax.tick_params(labelsize=7)
    for k, name in enumerate(names):
        ax = fig.add_subplot(grid[k // ncols, 1 + k % ncols])
        _layer_panel(ax, name, acts[name], maps_per_row, (highlight or {}).get(name))
    fig.suptitle(title)
    return fig


def sparsity_figure(rows, title):
    """Grouped bars: the fraction of zero activations of each layer, one bar per net.

    rows : dict ``{net label: {layer: fraction}}`` (the same layers for every net).
    """
    import numpy as np

    labels = list(rows)
    layers = list(rows[labels[0]])
    fig = _new_figure(1.2 * len(layers) + 3, 3.4)
    ax = fig.subplots()
    width = 0.8 / len(labels)
    x = np.arange(len(layers))
    for k, label in enumerate(labels):
        values = [rows[label][name] for name in layers]
        bars = ax.bar(x + (k - (len(labels) - 1) / 2) * width, values, width, label=label,
                      color=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)])
        for bar, v in zip(bars, values):
            ax.text(bar.get_x() + bar.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x)
    ax.set_xticklabels(layers)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("layer (input side first)")
    ax.set_ylabel("fraction of activations = 0")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def training_watch_figure(watches, title, total=None):
    """Sparsity and dead units of each layer along training, one line style per run.

    watches : dict ``{run label: TrainingWatch}`` (:func:`cs231n_lib.understanding.watch_training`).
    total : optional ``{layer: number of units}``, written in the legend.
    """
    styles = ["-", "--", ":", "-."]
    fig = _new_figure(11, 3.6)
    ax_sparse, ax_dead = fig.subplots(1, 2)
    for k, (label, watch) in enumerate(watches.items()):
        for c, layer in enumerate(watch.sparsity):
            colour = OUTPUT_COLOURS[c % len(OUTPUT_COLOURS)]
            name = f"{layer}, {label}"
            ax_sparse.plot(watch.iterations, watch.sparsity[layer], styles[k % 4], marker="o", markersize=3,
                           color=colour, label=name)
            units = f" (of {total[layer]})" if total and layer in total else ""
            ax_dead.plot(watch.iterations, watch.dead[layer], styles[k % 4], marker="o", markersize=3,
                         color=colour, label=name + units)
    ax_sparse.set_ylim(0, 1.02)
    ax_sparse.set_title("Fraction of zero activations")
    ax_sparse.set_xlabel("updates")
    ax_sparse.set_ylabel("fraction = 0")
    ax_dead.set_title("Dead units (zero on every probe image)")
    ax_dead.set_xlabel("updates")
    ax_dead.set_ylabel("dead units")
    ax_dead.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle(title)
    return fig


def filters_figure(rows, title, ncols=8, notes=None):
    """Filters as images, one row of panels per net, each on one symmetric colour scale.

    rows : dict ``{label: (F, HH, WW)}``.  Every filter of a row shares the scale
    ``-m..m`` with m the row's largest absolute weight (nothing is clipped, and
    zero is white), shown in a colour bar.  notes : optional ``{label: text}`` added to the title.
    """
    import numpy as np

    labels = list(rows)
    fig = _new_figure(1.0 * ncols + 1.6, 1.7 * len(labels) * max(1, -(-len(rows[labels[0]]) // ncols)) / 2 + 0.8)
    axes = np.atleast_1d(fig.subplots(len(labels), 1))
    for ax, label in zip(axes, labels):
        W = np.asarray(rows[label], dtype=float)
        lim = float(np.abs(W).max()) or 1.0
        shown = ax.imshow(mosaic(W, ncols), cmap=_cmap("RdBu_r"), vmin=-lim, vmax=lim, interpolation="nearest")
        extra = f"; {notes[label]}" if notes and label in notes else ""
        ax.set_title(f"{label}{extra}", fontsize=9)
        _tile_ticks(ax, min(ncols, len(W)), W.shape[2], 1, "x")
        ax.set_yticks([])
        ax.set_xlabel("filter (left to right, row by row)", fontsize=8)
        ax.set_ylabel(f"{W.shape[1]}x{W.shape[2]}", fontsize=8)
        fig.colorbar(shown, ax=ax, shrink=0.9, label="weight")
    fig.suptitle(title)
    return fig


def roughness_curves_figure(updates, curves, title, start=None):
    """A number per run along training, one colour per setting: the mean over the seeds as a line,
    the range of the seeds (lowest to highest) shaded.

    updates : (K,) the number of updates at each check (the x axis, on a log scale).
    curves : dict ``{setting label: (S, K) array}`` -- S seeds, K checks (e.g. filter roughness).
    start : optional (S,) values before training, drawn as a dotted line at their mean.
    """
    import numpy as np

    fig = _new_figure(6, 3.2)
    ax = fig.subplots()
    updates = np.asarray(updates)
    for k, (label, values) in enumerate(curves.items()):
        values = np.asarray(values)
        colour = OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)]
        ax.fill_between(updates, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.2, linewidth=0)
        ax.plot(updates, values.mean(axis=0), "o-", color=colour, linewidth=2, markersize=4,
                label=f"{label} (mean of {len(values)} seeds; shaded: their range)")
    if start is not None:
        ax.axhline(float(np.mean(start)), color="grey", linestyle=":", label="before training (mean)")
    ax.set_xscale("log")
    ax.set_xlabel("minibatch updates (log scale)")
    ax.set_ylabel("mean roughness of the filters")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def filter_slices_figure(W, filters, title):
    """Some filters of a deeper layer, one row per filter, one column per input channel, on one
    symmetric colour scale.  W : (F, C, HH, WW); filters : the filter indices to show."""
    import numpy as np

    W = np.asarray(W, dtype=float)
    chosen = W[list(filters)]
    K, C, HH, WW = chosen.shape
    lim = float(np.abs(chosen).max()) or 1.0
    fig = _new_figure(0.45 * C + 2, 0.5 * K + 1.4)
    ax = fig.subplots()
    shown = ax.imshow(mosaic(chosen.reshape(K * C, HH, WW), C), cmap=_cmap("RdBu_r"), vmin=-lim, vmax=lim,
                      interpolation="nearest")
    _tile_ticks(ax, C, WW, 1, "x")
    _tile_ticks(ax, K, HH, 1, "y")
    ax.set_yticklabels([str(f) for f in filters], fontsize=7)
    ax.set_xlabel("input channel (a map of the layer below)")
    ax.set_ylabel("filter")
    ax.set_title(title)
    fig.colorbar(shown, ax=ax, shrink=0.9, label="weight")
    return fig


def max_activating_figure(rows, title, boxes=None, captions=None):
    """The notes' POOL5 figure: for each unit (a row), its top images, strongest first.

    rows : dict ``{row label: (images (k, 3, h, w), values (k,))}``: the patches cut to the
        receptive field (:func:`cs231n_lib.understanding.patches`), or whole images.
    boxes : optional ``{row label: (k, 4)}`` receptive fields (top, left, bottom, right;
        exclusive ends) drawn in yellow on whole images.
    captions : optional ``{row label: k strings}`` written above each value (e.g. class names).
    Each panel's title is the activation value.
    """
    from matplotlib.patches import Rectangle

    labels = list(rows)
    k = max(len(rows[r][1]) for r in labels)
    fig = _new_figure(0.95 * k + 1.2, 1.15 * len(labels) + 0.7)
    fig.set_dpi(MOSAIC_DPI)
    axes = fig.subplots(len(labels), k, squeeze=False)
    for r, label in enumerate(labels):
        images, values = rows[label]
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(values):
                ax.axis("off")
                continue
            ax.imshow(_as_hwc(images[c]), interpolation="nearest")
            if boxes is not None and label in boxes:
                top, left, bottom, right = (float(v) for v in boxes[label][c])
                ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False,
                                       edgecolor="yellow", linewidth=1.2))
                H, W = images[c].shape[1:]
                ax.set_xlim(-0.5, W - 0.5)
                ax.set_ylim(H - 0.5, -0.5)
            caption = f"{captions[label][c]}\n" if captions is not None and label in captions else ""
            ax.set_title(f"{caption}{float(values[c]):.3g}", fontsize=7)
            if c == 0:
                ax.set_ylabel(label, fontsize=8)
            if r == len(labels) - 1:
                ax.set_xlabel(f"#{c + 1}", fontsize=7)
    fig.suptitle(title)
    return fig


def purity_figure(purities, title, chance=None, k=9):
    """The class purity of the top-k images of each direction, one strip of dots per kind of direction.

    purities : dict ``{label: (D,) purities}``; chance : the purity of k random images, drawn as a line.
    """
    import numpy as np

    labels = list(purities)
    fig = _new_figure(1.8 * len(labels) + 3, 3.4)
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # horizontal jitter of the dots only
    for i, label in enumerate(labels):
        values = np.asarray(purities[label], dtype=float)
        ax.plot(i + rng.uniform(-0.18, 0.18, len(values)), values, "o", alpha=0.6, markersize=4,
                color=OUTPUT_COLOURS[i % len(OUTPUT_COLOURS)])
        ax.plot([i - 0.3, i + 0.3], [values.mean()] * 2, "-", color="black", linewidth=2)
        ax.text(i + 0.32, values.mean(), f"mean {values.mean():.2f}", va="center", fontsize=8)
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle=":", label=f"{k} random images: {chance:.2f}")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_xlim(-0.6, len(labels) - 0.1)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("directions in the layer's space")
    ax.set_ylabel(f"class purity of the top {k}")
    ax.set_title(title)
    return fig


def tsne_figure(embeddings, labels, class_names, title):
    """t-SNE embeddings side by side, one point per image coloured by its class.

    embeddings : dict ``{panel title: (N, 2)}``; labels : (N,) class indices.
    """
    import matplotlib
    import numpy as np

    colours = matplotlib.colormaps["tab10"].colors
    panels = list(embeddings)
    fig = _new_figure(3.6 * len(panels) + 1.8, 3.9)
    fig.set_dpi(MOSAIC_DPI)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    labels = np.asarray(labels)
    for ax, name in zip(axes, panels):
        E = np.asarray(embeddings[name])
        for c, cname in enumerate(class_names):
            keep = labels == c
            ax.scatter(E[keep, 0], E[keep, 1], s=4, color=colours[c % 10], label=cname)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("t-SNE axis 1")
        ax.set_ylabel("t-SNE axis 2")
        ax.tick_params(labelsize=7)
    axes[-1].legend(fontsize=7, markerscale=2.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle(title)
    return fig


def tsne_thumbnails_figure(grid, images, title):
    """Karpathy's picture: the image chosen for each cell of a t-SNE grid, at its place.

    grid : (cells, cells) image indices, -1 for an empty cell (:func:`cs231n_lib.understanding.thumbnail_grid`);
    images : (N, 3, H, W) in [0, 1].
    """
    import numpy as np

    cells = grid.shape[0]
    H, W = np.asarray(images).shape[2:]
    tiles = np.full((cells * cells, H, W, 3), np.nan)
    for k, n in enumerate(grid.ravel()):
        if n >= 0:
            tiles[k] = _as_hwc(images[n])
    picture = mosaic(tiles, cells, gap=0)
    picture = np.where(np.isnan(picture), 1.0, picture)
    fig = _new_figure(6.4, 6.7)
    fig.set_dpi(MOSAIC_DPI)
    ax = fig.subplots()
    ax.imshow(picture, interpolation="nearest")
    ticks = [k * W + (W - 1) / 2 for k in range(0, cells, max(1, cells // 8))]
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(k) for k in range(0, cells, max(1, cells // 8))], fontsize=7)
    ax.set_yticks([k * H + (H - 1) / 2 for k in range(0, cells, max(1, cells // 8))])
    ax.set_yticklabels([str(k) for k in range(0, cells, max(1, cells // 8))], fontsize=7)
    ax.set_xlabel("grid column (t-SNE axis 1)")
    ax.set_ylabel("grid row (t-SNE axis 2, top = high)")
    ax.set_title(title)
    return fig


def _overlay(ax, image, pmap, size, stride, mask=None, minimum=None, alpha=0.6):
    """The image, the occlusion map over it (each value centred where the patch's centre was), the
    object's outline and the lowest point; returns the map's image artist (for a colour bar)."""
    import numpy as np

    pmap = np.asarray(pmap)
    ax.imshow(_as_hwc(image), interpolation="nearest")
    c0 = (size - 1) / 2
    H_out, W_out = pmap.shape
    extent = (c0 - stride / 2, c0 + (W_out - 1) * stride + stride / 2,
              c0 + (H_out - 1) * stride + stride / 2, c0 - stride / 2)
    shown = ax.imshow(pmap, cmap="viridis", vmin=0, vmax=1, alpha=alpha, extent=extent, interpolation="nearest")
    if mask is not None:
        ax.contour(np.asarray(mask, dtype=float), levels=[0.5], colors="white", linewidths=1.2)
    if minimum is not None:
        ax.plot(minimum[1], minimum[0], "x", color="red", markersize=9, markeredgewidth=2.5)
    H, W = np.asarray(image).shape[1:]
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(H - 0.5, -0.5)
    return shown


def occlusion_figure(images, maps, size, stride, titles, title, masks=None, minima=None):
    """Occlusion maps over their images: one panel per image.

    images : (K, 3, H, W); maps : (K, H', W') probabilities of the right class; titles : K strings.
    masks : optional (K, H, W) object masks, outlined in white; minima : optional (K, 2) (row, column)
    of each map's lowest point, marked with a red cross.
    """
    import numpy as np

    K = len(images)
    fig = _new_figure(2.3 * K + 1.2, 2.9)
    fig.set_dpi(MOSAIC_DPI)
    axes = np.atleast_1d(fig.subplots(1, K))
    shown = None
    for k, ax in enumerate(axes):
        shown = _overlay(ax, images[k], maps[k], size, stride, None if masks is None else masks[k],
                         None if minima is None else minima[k])
        ax.set_title(titles[k], fontsize=8)
        ax.set_xlabel("x (pixels)", fontsize=7)
        ax.set_ylabel("y (pixels)" if k == 0 else "", fontsize=7)
        ax.tick_params(labelsize=6)
    fig.colorbar(shown, ax=list(axes), shrink=0.85, label="p(right class)")
    fig.suptitle(title)
    return fig


def occlusion_explorer_axes():
    """The occlusion explorer's figure: the occluded image and the map over the image, with the
    map's colour bar (probabilities 0..1, drawn once)."""
    import matplotlib
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    from matplotlib.figure import Figure

    # A fixed layout (not the constrained one of _new_figure): the explorer redraws on every
    # slider move, and the constrained layout would cost more than the drawing.
    fig = Figure(figsize=(7.6, 3.5), dpi=100)
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.07, right=0.9, bottom=0.14, top=0.8, wspace=0.32)
    _titles_at_top(*axes)
    fig.colorbar(ScalarMappable(Normalize(0, 1), matplotlib.colormaps["viridis"]), ax=axes[1], shrink=0.85,
                 label="p(right class)")
    return fig, axes


def draw_occlusion_explorer(axes, image, pmap, size, stride, fill, mask, minimum, title):
    """Redraw the explorer: left, the image with the patch where it hurts most; right, the map.

    minimum : (row, column) of the patch centre at the map's lowest point
    (:func:`cs231n_lib.understanding.minimum_centres`).  The artists of the previous call on the
    same axes are updated in place (the object's outline is traced again only for another mask).
    """
    import numpy as np

    ax_img, ax_map = axes
    image = np.asarray(image)
    pmap = np.asarray(pmap)
    occluded = np.array(image, dtype=float, copy=True)
    top = int(round(minimum[0] - (size - 1) / 2))
    left = int(round(minimum[1] - (size - 1) / 2))
    occluded[:, top:top + size, left:left + size] = np.asarray(fill, dtype=float).reshape(-1, 1, 1)
    kept = ax_img.__dict__.setdefault("_cs231n_occlusion", {})
    if not kept:
        kept["occluded"] = ax_img.imshow(_as_hwc(occluded), interpolation="nearest")
        kept["image"] = ax_map.imshow(_as_hwc(image), interpolation="nearest")
        kept["map"] = ax_map.imshow(pmap, cmap="viridis", vmin=0, vmax=1, alpha=0.6, interpolation="nearest")
        kept["mask"], kept["outlines"], kept["lowest"] = None, [], None
        for ax in axes:
            ax.set_xlabel("x (pixels)")
            ax.set_ylabel("y (pixels)")
    kept["occluded"].set_data(_as_hwc(occluded))
    kept["image"].set_data(_as_hwc(image))
    kept["map"].set_data(pmap)
    c0 = (size - 1) / 2
    H_out, W_out = pmap.shape
    kept["map"].set_extent((c0 - stride / 2, c0 + (W_out - 1) * stride + stride / 2,
                            c0 + (H_out - 1) * stride + stride / 2, c0 - stride / 2))
    mask = np.asarray(mask, dtype=float)
    if kept["mask"] is None or not np.array_equal(kept["mask"], mask):  # another object: its outline
        for artist in kept["outlines"] + ([kept["lowest"]] if kept["lowest"] is not None else []):
            artist.remove()
        kept["outlines"] = [ax.contour(mask, levels=[0.5], colors="white", linewidths=1.2) for ax in axes]
        kept["lowest"] = ax_map.plot([0], [0], "x", color="red", markersize=9, markeredgewidth=2.5)[0]
        kept["mask"] = mask
    kept["lowest"].set_data([minimum[1]], [minimum[0]])
    H, W = image.shape[1:]
    for ax in axes:
        ax.set_xlim(-0.5, W - 0.5)
        ax.set_ylim(H - 0.5, -0.5)
    ax_img.set_title(f"patch {size}x{size} where p is lowest", fontsize=9)
    ax_map.set_title(f"p(right class) at {pmap.shape[0]}x{pmap.shape[1]} positions", fontsize=9)
    ax_img.figure.suptitle(title, fontsize=10)


def feature_visualization_figure(rows, title, ncols=2, gap=1):
    """Optimized inputs beside the strongest test patches, one panel per unit or direction.

    rows : ``{label: (optimized (S, 3, h, w), patches (k, 3, h, w))}``: the images each random start
        of :func:`cs231n_lib.feature_visualization.visualize` ended with, cut to the unit's receptive
        field, and the unit's top patches from :func:`cs231n_lib.understanding.patches`, all of one
        size within a panel.  Each panel is one strip, the S optimized images, a wider gap, then the
        k patches, pixels drawn as squares; panels fill ``ncols`` columns.
    """
    import numpy as np

    labels = list(rows)
    nrows = -(-len(labels) // ncols)
    width = max(len(o) + len(p) for o, p in rows.values())
    fig = _new_figure(ncols * (0.44 * width + 0.45), 0.7 * nrows + 0.6)
    fig.set_dpi(MOSAIC_DPI)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(labels):
            ax.axis("off")
            continue
        optimized, top = (np.clip(np.asarray(a, dtype=float), 0, 1) for a in rows[labels[k]])
        h, w = optimized.shape[2:]
        blank = lambda n: np.ones((h, n, 3))  # noqa: E731
        tiles = [t.transpose(1, 2, 0) for t in optimized]
        strip = [tiles[0]]
        for t in tiles[1:]:
            strip += [blank(gap), t]
        strip.append(blank(3 * gap + max(1, w // 4)))
        for j, t in enumerate(top):
            strip += ([blank(gap)] if j else []) + [t.transpose(1, 2, 0)]
        ax.imshow(np.concatenate(strip, axis=1), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(labels[k], fontsize=8)
        ax.set_ylabel(f"{h}x{w} px", fontsize=7)
    fig.suptitle(title)
    fig.supxlabel(f"in each strip: {len(optimized)} optimized images (one per random start) | the "
                  f"{len(top)} strongest test patches", fontsize=8)
    return fig
