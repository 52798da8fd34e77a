"""Notebook 05, normalization layers measured: the three nets over their seeds, and the sweeps."""
from __future__ import annotations

from ._base import OUTPUT_COLOURS, _new_figure

__all__ = ["NORMALIZATION_COLOURS", "normalization_comparison_figure", "normalization_sweep_figure"]

_LABELS = {"lrn": "AlexNet's LRN", "none": "no normalization", "batchnorm": "batch norm"}
# One colour per net, the same in every figure of the notebook.
NORMALIZATION_COLOURS = {"lrn": OUTPUT_COLOURS[2], "none": OUTPUT_COLOURS[0], "batchnorm": OUTPUT_COLOURS[1]}


def _colour(variant, i):
    return NORMALIZATION_COLOURS.get(variant, OUTPUT_COLOURS[(i + 3) % len(OUTPUT_COLOURS)])


def normalization_comparison_figure(summary, title="Test accuracy of the three nets", ylim=(0.9, 1.0)):
    """One column per net: a dot per seed, a bar from the lowest to the highest, the mean marked,
    and a thin grey line joining each seed's nets (the runs are paired by seed).

    ``summary`` is :func:`cs231n_lib.normalization.comparison`'s dict ``{variant: stats}``
    (``values`` per seed, ``seeds``, ``mean``, ``min``, ``max``).  ``ylim``: the accuracy axis,
    fixed (widened only to hold every dot) so that a difference of a few tenths of a point
    looks as small as it is; each net has the same colour as in
    :func:`normalization_sweep_figure`.
    """
    fig = _new_figure(6.5, 3.6)
    ax = fig.subplots()
    variants = list(summary)
    seeds = sorted({seed for s in summary.values() for seed in s.get("seeds", range(len(s["values"])))})
    for seed in seeds:                                    # a line per seed, behind the dots
        xs, ys = [], []
        for i, variant in enumerate(variants):
            s = summary[variant]
            per_seed = dict(zip(s.get("seeds", range(len(s["values"]))), s["values"]))
            if seed in per_seed:
                xs.append(i)
                ys.append(per_seed[seed])
        ax.plot(xs, ys, "-", color="grey", linewidth=0.8, alpha=0.5, zorder=1)
    for i, variant in enumerate(variants):
        s, colour = summary[variant], _colour(variant, i)
        ax.vlines(i, s["min"], s["max"], color=colour, linewidth=6, alpha=0.25)
        ax.plot([i] * len(s["values"]), s["values"], "o", color=colour, label=_LABELS.get(variant, variant), zorder=3)
        ax.plot([i - 0.2, i + 0.2], [s["mean"], s["mean"]], "-", color=colour, linewidth=2)
    lo = min([ylim[0]] + [v - 0.005 for s in summary.values() for v in s["values"]])
    hi = max([ylim[1]] + [v + 0.005 for s in summary.values() for v in s["values"]])
    ax.set_ylim(lo, hi)
    ax.set_xticks(range(len(variants)), [_LABELS.get(v, v) for v in variants])
    ax.set_xlim(-0.6, len(variants) - 0.4)
    ax.set_title(title)
    ax.set_xlabel("net (one dot per seed, a grey line joins a seed's runs, a bar at the mean)")
    ax.set_ylabel("test accuracy")
    return fig


def _sweep_axes(ax, rows_by_variant, labels, title, xlabel):
    import numpy as np

    for i, (variant, rows) in enumerate(rows_by_variant.items()):
        colour = _colour(variant, i)
        xs = np.arange(len(rows)) + (i - 0.5) * 0.12          # the two nets side by side
        means = [float(np.mean(acc)) for _, acc, _ in rows]
        ax.plot(xs, means, "-", color=colour, label=f"{_LABELS.get(variant, variant)} (mean)")
        for x, (_, acc, diverged) in zip(xs, rows):
            for a, d in zip(acc, diverged):
                ax.plot(x, a, "x" if d else "o", color=colour, markersize=7 if d else 4, alpha=0.7)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 1.02)
    ax.axhline(0.1, color="grey", linestyle=":", linewidth=1)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=8, loc="lower left")


def normalization_sweep_figure(lr_rows, ws_rows, lr_labels, ws_labels,
                               title="How much the learning rate and the initial weights matter"):
    """Two panels: test accuracy against the learning rate, and against the weight scale.

    ``lr_rows`` and ``ws_rows`` are :func:`cs231n_lib.normalization.sweep`'s dicts
    ``{variant: [(value, accuracies per seed, diverged per seed), ...]}``; ``lr_labels`` and
    ``ws_labels`` name the values on the x axes.  A dot per seed (a cross where the run
    diverged), a line through the means; the dotted line is chance.  Each net has the same colour
    as in :func:`normalization_comparison_figure`.
    """
    fig = _new_figure(11, 3.8)
    left, right = fig.subplots(1, 2)
    _sweep_axes(left, lr_rows, lr_labels, "Learning rate (He initialisation)", "Adam's learning rate")
    _sweep_axes(right, ws_rows, ws_labels, "Initial weight scale (learning rate 3e-3)", "weight scale")
    fig.suptitle(title)
    return fig
