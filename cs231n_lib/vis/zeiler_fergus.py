"""Notebook 10 (Zeiler and Fergus measured): invariance curves, features through training, first-layer filters."""
from __future__ import annotations

from ._base import OUTPUT_COLOURS, _as_hwc, _new_figure

__all__ = ["transform_examples_figure", "invariance_figure", "symmetry_figure", "evolution_patches_figure",
           "settling_figure", "rgb_filters_figure", "filter_spectra_figure", "paired_accuracy_figure"]

# Figures of many small images are drawn at this resolution (dots per inch), to keep the notebook small.
_DPI = 80
_LAYER_COLOURS = ["#6baed6", "#3182bd", "#08519c", "#08306b"]


def _layer_colour(i, n):
    """Light (first layer) to dark (top layer)."""
    return _LAYER_COLOURS[min(len(_LAYER_COLOURS) - 1, round(i * (len(_LAYER_COLOURS) - 1) / max(n - 1, 1)))]


def transform_examples_figure(rows, amounts, unit, title):
    """Example images under each transform, as the first column of Zeiler and Fergus's Fig. 5.

    rows : dict ``{transform name: (A, 3, H, W) images}``, one image rendered at each amount;
    amounts : dict ``{transform name: (A,) amounts}``; unit : dict ``{transform name: unit text}``.
    """
    names = list(rows)
    A = max(len(rows[n]) for n in names)
    fig = _new_figure(1.05 * A + 1.0, 1.35 * len(names) + 0.6)
    fig.set_dpi(_DPI)
    axes = fig.subplots(len(names), A, squeeze=False)
    for r, name in enumerate(names):
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(rows[name]):
                ax.axis("off")
                continue
            ax.imshow(_as_hwc(rows[name][c]), interpolation="nearest")
            ax.set_title(f"{float(amounts[name][c]):g}", fontsize=8)
            if c == 0:
                ax.set_ylabel(f"{name}\n({unit[name]})", fontsize=8)
    fig.suptitle(title)
    fig.supxlabel("amount of the transform (above each image)", fontsize=9)
    return fig


def _spread(values, low=10, high=90):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return values.mean(axis=1), np.percentile(values, low, axis=1), np.percentile(values, high, axis=1)


def invariance_figure(results, units, title, paper=None, bands=("relu1", "relu4"), baseline="pixels"):
    """Zeiler and Fergus's Fig. 5 on our net: one row per transform; left, each layer's normalized feature
    distance (the mean over the images; for the layers in ``bands`` also a band from the 10th to the 90th
    percentile); right, the probability of the true class (mean and band).

    results : list of :class:`cs231n_lib.zeiler_fergus.Invariance` (``kind``, ``amounts``, ``layers``,
    ``distance``, ``probability``); units : ``{kind: unit text}``; paper : optional ``{kind: (text for the
    layers, text for the answer)}``, what the paper found, written under each panel's title;
    baseline : the layer drawn as a grey dashed line (the image itself).
    """
    import numpy as np

    fig = _new_figure(11, 3.0 * len(results) + 0.5)
    axes = fig.subplots(len(results), 2, squeeze=False)
    for row, result in zip(axes, results):
        x = np.asarray(result.amounts, dtype=float)
        unit = units.get(result.kind, "")
        notes = paper.get(result.kind, ("", "")) if paper else ("", "")
        ax = row[0]
        learned = [layer for layer in result.layers if layer != baseline]
        for layer in result.layers:
            mean, lo, hi = _spread(result.distance[layer])
            if layer == baseline:
                ax.plot(x, mean, "--", color="grey", linewidth=1.5, label=f"{layer} (baseline)")
                continue
            colour = _layer_colour(learned.index(layer), len(learned))
            if layer in bands:
                ax.fill_between(x, lo, hi, color=colour, alpha=0.15, linewidth=0)
            ax.plot(x, mean, "o-", color=colour, markersize=3, label=layer + (" (band: 10-90%)" if layer in bands
                                                                              else ""))
        ax.axhline(1.0, color="grey", linestyle=":", linewidth=1, label="as far as another image")
        ax.set_ylim(0, 1.55)
        ax.set_xlabel(f"{result.kind} ({unit})")
        ax.set_ylabel("feature distance / mean\ndistance of two images")
        ax.set_title(f"{result.kind}: each layer's change" + (f"\npaper: {notes[0]}" if notes[0] else ""),
                     fontsize=9)
        if result is results[0]:
            ax.legend(fontsize=7, ncol=3, loc="upper center", framealpha=0.9)
        ax = row[1]
        mean, lo, hi = _spread(result.probability)
        ax.fill_between(x, lo, hi, color=OUTPUT_COLOURS[1], alpha=0.15, linewidth=0, label="10th-90th percentile")
        ax.plot(x, mean, "o-", color=OUTPUT_COLOURS[1], markersize=3, label="mean")
        ax.axhline(0.1, color="grey", linestyle=":", linewidth=1, label="chance (1 of 10)")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(f"{result.kind} ({unit})")
        ax.set_ylabel("probability of the true class")
        ax.set_title(f"{result.kind}: the net's answer" + (f"\npaper: {notes[1]}" if notes[1] else ""), fontsize=9)
        if result is results[0]:
            ax.legend(fontsize=7, loc="lower center", framealpha=0.9)
    fig.suptitle(title)
    return fig


def symmetry_figure(curves, angles, symmetry, title, ylabel="first layer's distance / two images'", notes=None):
    """One line per shape: a layer's normalized distance as the shape turns, a dotted line at each of
    its symmetry angles.  curves : ``{shape: (A,) mean distances}``; symmetry : ``{shape: angle or None}``;
    notes : optional ``{shape: text}`` for the legend of a shape without a symmetry angle."""
    import numpy as np

    notes = notes or {}
    fig = _new_figure(9.5, 3.6)
    ax = fig.subplots()
    angles = np.asarray(angles, dtype=float)
    for i, (name, values) in enumerate(curves.items()):
        colour = OUTPUT_COLOURS[i % len(OUTPUT_COLOURS)]
        step = symmetry.get(name)
        label = name + (f" ({notes[name]})" if name in notes else "" if step is None else
                        f" (the same every {step:g} degrees)")
        ax.plot(angles, values, "o-", color=colour, markersize=3, label=label)
        if step:
            for a in np.arange(step, angles.max() + 1e-9, step):
                ax.axvline(a, color=colour, linestyle=":", linewidth=1)
    ax.set_xlabel("rotation (degrees clockwise)")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-0.02, None)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def evolution_patches_figure(patches, row_labels, column_labels, title):
    """Zeiler and Fergus's Fig. 4 on our net: for each unit (a row), the receptive field of its strongest
    image at each checkpoint (a column).  patches : list of rows, each a list of (3, h, w) images."""
    fig = _new_figure(0.85 * len(column_labels) + 1.6, 0.85 * len(row_labels) + 1.0)
    fig.set_dpi(_DPI)
    axes = fig.subplots(len(row_labels), len(column_labels), squeeze=False)
    for r, label in enumerate(row_labels):
        for c, ax in enumerate(axes[r]):
            ax.imshow(_as_hwc(patches[r][c]), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(column_labels[c], fontsize=7)
            if c == 0:
                ax.set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle(title)
    fig.supxlabel("updates of training (checkpoint)", fontsize=9)
    return fig


def settling_figure(consecutive, with_last, after_updates, chance, title, threshold=None):
    """Two panels, one line per layer (light: first layer, dark: top): left, the share of each unit's
    top-k images kept from one checkpoint to the next (plotted at the later one); right, the share it
    has in common with the last checkpoint.  consecutive : ``{layer: (K - 1,)}``; with_last :
    ``{layer: (K,)}``; after_updates : (K,) (the untrained net, 0 updates, is drawn at 1 on the log axis)."""
    import numpy as np

    x = np.maximum(np.asarray(after_updates, dtype=float), 1)
    fig = _new_figure(11, 3.8)
    left, right = fig.subplots(1, 2)
    layers = list(consecutive)
    for i, layer in enumerate(layers):
        colour = _layer_colour(i, len(layers))
        left.plot(x[1:], consecutive[layer], "o-", color=colour, markersize=3, label=layer)
        right.plot(x, with_last[layer], "o-", color=colour, markersize=3, label=layer)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.axhline(chance, color="grey", linestyle=":", linewidth=1, label=f"two random sets: {chance:.3f}")
        ax.set_ylim(0, 1.03)
        ax.set_xlabel("updates of training (the untrained net at 1)")
        ax.legend(fontsize=7, loc="lower right")
    if threshold is not None:
        left.axhline(threshold, color="black", linestyle="--", linewidth=0.8)
    left.set_ylabel("share of the top-k kept")
    left.set_title("kept from the checkpoint before (training time doubled)", fontsize=9)
    right.set_ylabel("share in common with the last checkpoint")
    right.set_title("in common with the end of training", fontsize=9)
    fig.suptitle(title)
    return fig


def _filter_tiles(W):
    """(F, 3, h, w) filters as RGB tiles, each stretched to [0, 1] on its own (0 at mid-grey)."""
    import numpy as np

    W = np.asarray(W, dtype=float)
    lim = np.abs(W).reshape(len(W), -1).max(axis=1)
    lim = np.where(lim > 0, lim, 1.0)
    return 0.5 + 0.5 * W / lim[:, None, None, None]


def rgb_filters_figure(rows, title, ncols=8, notes=None):
    """First-layer filters as colour images (each stretched on its own, mid-grey at 0), one panel per net.

    rows : ``{label: (F, 3, h, w)}``; notes : optional ``{label: text}`` added to the panel's title."""
    import numpy as np

    from .understanding import mosaic

    labels = list(rows)
    fig = _new_figure(5.2 * len(labels), 3.0 + 0.2 * max(len(rows[k]) // ncols for k in labels))
    fig.set_dpi(_DPI)
    axes = np.atleast_1d(fig.subplots(1, len(labels)))
    for ax, label in zip(axes, labels):
        tiles = _filter_tiles(rows[label]).transpose(0, 2, 3, 1)
        ax.imshow(np.nan_to_num(mosaic(tiles, ncols), nan=1.0), interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        h = tiles.shape[1]
        extra = f"\n{notes[label]}" if notes and label in notes else ""
        ax.set_title(f"{label}: {len(tiles)} filters of {h}x{h}{extra}", fontsize=9)
        ax.set_xlabel("filter (row by row)", fontsize=8)
    fig.suptitle(title)
    return fig


def filter_spectra_figure(profiles, frequencies, nyquist, title, baselines=None):
    """The share of the first layer's energy at each frequency, one line per net, a dashed line at the
    Nyquist frequency of each net's stride.  profiles : ``{label: (B,) shares}`` (summing to 1);
    frequencies : (B,) band centres in cycles per pixel; nyquist : ``{label: frequency}``;
    baselines : optional ``{label: (B,) shares}`` drawn in grey (the untrained filters)."""
    fig = _new_figure(8.5, 3.8)
    ax = fig.subplots()
    for i, (label, values) in enumerate((baselines or {}).items()):
        ax.plot(frequencies, values, ":" if i else "-.", color="grey", linewidth=1.2, label=label)
    for i, (label, values) in enumerate(profiles.items()):
        colour = OUTPUT_COLOURS[i % len(OUTPUT_COLOURS)]
        ax.plot(frequencies, values, "o-", color=colour, markersize=3, label=label)
        if label in nyquist:
            ax.axvline(nyquist[label], color=colour, linestyle="--", linewidth=1,
                       label=f"what stride {round(0.5 / nyquist[label])} can sample: up to {nyquist[label]:g}")
    ax.set_xlabel("frequency (cycles per pixel, the larger of the two directions)")
    ax.set_ylabel("share of the filters' energy")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def paired_accuracy_figure(values, seeds, title, ylabel="test accuracy"):
    """Two nets over the same seeds: a dot per seed and net, a grey line joining each seed's pair, the
    mean as a bar.  values : ``{label: (S,)}`` (two labels)."""
    import numpy as np

    labels = list(values)
    fig = _new_figure(5.5, 3.6)
    ax = fig.subplots()
    arrays = [np.asarray(values[k], dtype=float) for k in labels]
    for s in range(len(seeds)):
        ax.plot(range(len(labels)), [a[s] for a in arrays], "-", color="grey", linewidth=0.8, alpha=0.6, zorder=1)
    for i, (label, a) in enumerate(zip(labels, arrays)):
        colour = OUTPUT_COLOURS[i % len(OUTPUT_COLOURS)]
        ax.plot([i] * len(a), a, "o", color=colour, zorder=3)
        ax.plot([i - 0.2, i + 0.2], [a.mean()] * 2, "-", color=colour, linewidth=2)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_xlabel(f"net (a dot per seed, {len(seeds)} seeds; a grey line joins a seed's pair; a bar at the mean)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    return fig
