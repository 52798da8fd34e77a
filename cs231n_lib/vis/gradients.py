"""Notebook 07 (looking through the gradient): the ReLU rules on a 1-D example, attribution maps,
the scoring table, the randomization test, class models, inversions, and the all-conv comparison."""
from __future__ import annotations

from ._base import OUTPUT_COLOURS, _new_figure, _titles_at_top
from .images import draw_number_grid

__all__ = ["RULE_NAMES", "relu_rules_figure", "attribution_grid", "scores_figure", "cascade_figure",
           "class_models_figure", "class_model_explorer_axes", "draw_class_model_explorer",
           "inversions_figure", "inversion_errors_figure", "allconv_figure", "deletion_insertion_figure",
           "faithfulness_figure"]

RULE_NAMES = {"backprop": "backprop: x > 0", "deconvnet": "deconvnet: dout > 0",
              "guided": "guided: x > 0 and dout > 0"}
_PASSED, _BLOCKED = "#b7e4c7", "#e0e0e0"


def _to_rgb(img):
    """(3, H, W) or (1, H, W) or (H, W) -> an array imshow shows, clipped to [0, 1]."""
    import numpy as np

    img = np.asarray(img, dtype=float)
    if img.ndim == 3:
        img = img.transpose(1, 2, 0)
        if img.shape[2] == 1:
            img = img[..., 0]
    return np.clip(img, 0, 1)


def relu_rules_figure(x, dout, outputs):
    """The three backward rules of a ReLU on one row of numbers.

    x : (n,) the ReLU's inputs in the forward pass; dout : (n,) the gradient
    arriving from above; outputs : ``{rule: (n,) what that rule sends down}``.
    A cell is green where the rule lets the number through, grey where it
    sends 0.
    """
    import numpy as np

    x, dout = np.asarray(x, dtype=float), np.asarray(dout, dtype=float)
    rows = 2 + len(outputs)
    fig = _new_figure(1.1 * len(x) + 3.2, 0.75 * rows + 1.2)
    ax = fig.subplots()
    grid = np.vstack([x, dout] + [np.asarray(v, dtype=float) for v in outputs.values()]) + 0.0  # no "-0"
    passes = {"backprop": x > 0, "deconvnet": dout > 0, "guided": (x > 0) & (dout > 0)}
    colours = {}
    for r, rule in enumerate(outputs, start=2):
        passed = passes.get(rule, grid[r] != 0)
        for c in range(len(x)):
            colours[(r, c)] = _PASSED if passed[c] else _BLOCKED
    draw_number_grid(ax, grid, "What each rule sends back through a ReLU (green: passed, grey: 0)",
                     facecolours=colours, xlabel="unit", ylabel="")
    ax.set_yticks(range(rows))
    ax.set_yticklabels(["forward input x", "incoming dout"] + [RULE_NAMES.get(r, r) for r in outputs])
    return fig


def attribution_grid(images, maps_by_method, titles, suptitle, masks=None, size=1.35):
    """A column per image: the image, then one map per method under it.

    images : (N, C, H, W) in [0, 1]; maps_by_method : ``{row name: (N, H, W)}``;
    titles : N column titles; masks : optional (N, H, W) bool, outlined on
    every panel.  Each map is scaled to its own maximum (brighter = larger).
    """
    import numpy as np

    images = np.asarray(images)
    n, rows = len(images), 1 + len(maps_by_method)
    fig = _new_figure(size * n + 1.2, size * rows + 0.6)
    axes = fig.subplots(rows, n, squeeze=False)
    names = ["image"] + list(maps_by_method)
    for col in range(n):
        panels = [_to_rgb(images[col])] + [np.asarray(m[col], dtype=float) for m in maps_by_method.values()]
        for row, (ax, panel) in enumerate(zip(axes[:, col], panels)):
            if row == 0:
                ax.imshow(panel, vmin=0, vmax=1)
            else:
                top = float(panel.max()) or 1.0
                ax.imshow(panel, cmap="gray", vmin=0, vmax=top)
            if masks is not None:
                ax.contour(np.asarray(masks[col], dtype=float), levels=[0.5], colors=OUTPUT_COLOURS[1],
                           linewidths=0.7)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(titles[col] if row == 0 else names[row], fontsize=7)
            if col == 0:
                ax.set_ylabel(names[row], fontsize=7)
            if row == rows - 1:
                ax.set_xlabel("x (pixels)", fontsize=6)
    fig.suptitle(suptitle)
    return fig


def scores_figure(rows, title="Attribution maps scored against the object masks"):
    """Bars of the scoring table (:func:`cs231n_lib.gradients.score_maps`): mass inside the mask and the
    pointing game, with standard errors.  The baseline rows, which need no net, are drawn as lines
    across the bars: the edge map dotted (if the table has it), the random map (the last row) dashed."""
    import numpy as np

    methods = [r for r in rows[:-1] if not r.baseline]
    baselines = [r for r in rows[:-1] if r.baseline] + [rows[-1]]    # the last row: the random map
    fig = _new_figure(10, 3.4)
    axes = fig.subplots(1, 2)
    positions = np.arange(len(methods))
    styles = {len(baselines) - 1: dict(color="black", linestyle="--")}
    for ax, (field, se, what) in zip(axes, (("mass_inside", "mass_inside_se", "fraction of the map's mass on the object"),
                                            ("pointing", "pointing_se", "maximum on the object (pointing game)"))):
        values = [getattr(r, field) for r in methods]
        errors = [getattr(r, se) for r in methods]
        ax.bar(positions, values, yerr=errors, color=OUTPUT_COLOURS[:len(methods)], capsize=3)
        for k, row in enumerate(baselines):
            style = styles.get(k, dict(color="dimgray", linestyle=":"))
            ax.axhline(getattr(row, field), linewidth=1.2, label=f"{row.method}: {getattr(row, field):.2f}", **style)
        ax.set_xticks(positions)
        ax.set_xticklabels([r.method for r in methods], fontsize=8)
        ax.set_ylim(0, 1.1)
        ax.set_title(what, fontsize=10)
        ax.set_xlabel("method")
        ax.set_ylabel("mean over the images")
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(title)
    return fig


def cascade_figure(cascade, image, title="Randomizing the weights from the top layer down"):
    """Left: each method's mean rank correlation with its maps on the trained net, stage by stage.
    Right: the first image's maps at every stage (rows: methods)."""
    import numpy as np

    methods = list(cascade.correlation)
    stages = list(cascade.stages)
    fig = _new_figure(3.8 + 1.25 * (len(stages) + 1), 1.3 * len(methods) + 1.4)
    grid = fig.add_gridspec(len(methods), len(stages) + 2, width_ratios=[3.2, 0.2] + [1] * len(stages))
    ax = fig.add_subplot(grid[:, 0])
    for k, method in enumerate(methods):
        ax.plot(range(len(stages)), cascade.correlation[method], "o-", color=OUTPUT_COLOURS[k], label=method)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(range(len(stages)))
    ax.set_xticklabels(["trained"] + [f"+{s}" for s in stages[1:]], rotation=45, fontsize=7)
    ax.set_ylim(-0.2, 1.05)
    ax.set_title("rank correlation with the trained net's map", fontsize=9)
    ax.set_xlabel("layers randomized (cumulative, from the top)")
    ax.set_ylabel("Spearman correlation (mean)")
    ax.legend(fontsize=7)
    for r, method in enumerate(methods):
        for c, stage in enumerate(stages):
            sub = fig.add_subplot(grid[r, c + 2])
            panel = np.asarray(cascade.maps[method][c], dtype=float)
            sub.imshow(panel, cmap="gray", vmin=0, vmax=float(panel.max()) or 1.0)
            sub.set_xticks([])
            sub.set_yticks([])
            sub.set_title(stage if c == 0 else f"+{stage}", fontsize=7)
            if c == 0:
                sub.set_ylabel(method, fontsize=7)
            if r == len(methods) - 1:
                sub.set_xlabel("x", fontsize=6)
    fig.suptitle(title)
    return fig


def class_models_figure(images, probabilities, classes, class_names, title, size=1.25):
    """A row of class models, each titled with its class and the net's probability for it."""
    import numpy as np

    images = np.asarray(images)
    fig = _new_figure(size * len(images) + 0.6, size + 0.9)
    axes = np.atleast_1d(fig.subplots(1, len(images)))
    for ax, img, p, c in zip(axes, images, probabilities, classes):
        ax.imshow(_to_rgb(img), vmin=0, vmax=1)
        ax.set_title(f"{class_names[int(c)]}\np = {float(p[int(c)]):.3f}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("x (pixels)", fontsize=6)
    axes[0].set_ylabel("y (pixels)", fontsize=6)
    fig.suptitle(title)
    return fig


def class_model_explorer_axes():
    """An empty figure for :func:`draw_class_model_explorer`: ``(fig, (ax_image, ax_bars))``.

    The axes have fixed positions (no constrained layout, whose result depends on the previous
    drawing), so the same setting always gives the same picture."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.5, 3.2), dpi=100)
    ax_image, ax_bars = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2], "left": 0.08, "right": 0.98,
                                                         "bottom": 0.26, "top": 0.9, "wspace": 0.3})
    return fig, (ax_image, ax_bars)


def draw_class_model_explorer(axes, image, probabilities, class_names, target, title):
    """The class-model explorer's picture: the image, and the net's probabilities for every class.

    The first call draws; later calls on the same axes update the image, the bars and the
    labels in place (much faster than drawing anew, and the same picture for the same setting).
    """
    import numpy as np

    ax_image, ax_bars = axes
    probabilities = np.asarray(probabilities, dtype=float)
    colours = [OUTPUT_COLOURS[1] if k == target else OUTPUT_COLOURS[0] for k in range(len(probabilities))]
    drawn = getattr(ax_bars, "_class_model_bars", None)
    if drawn is None or len(drawn) != len(probabilities):
        for ax in axes:
            ax.clear()
        _titles_at_top(*axes)
        ax_bars._class_model_names = None
        ax_image._class_model_image = ax_image.imshow(_to_rgb(image), vmin=0, vmax=1)
        ax_bars._class_model_bars = ax_bars.bar(range(len(probabilities)), probabilities, color=colours)
        ax_bars.set_xticks(range(len(probabilities)))
        ax_bars.set_ylim(0, 1.02)
        ax_bars.set_title("the net's softmax on this image", fontsize=9)
        ax_bars.set_xlabel("class")
        ax_bars.set_ylabel("probability")
        ax_image.set_xlabel("x (pixels)")
        ax_image.set_ylabel("y (pixels)")
    else:
        ax_image._class_model_image.set_data(_to_rgb(image))
        for bar, p, colour in zip(drawn, probabilities, colours):
            bar.set_height(p)
            bar.set_facecolor(colour)
    if getattr(ax_bars, "_class_model_names", None) != list(class_names):
        ax_bars.set_xticklabels(class_names, rotation=45, fontsize=7)
        ax_bars._class_model_names = list(class_names)
    ax_image.set_title(title, fontsize=9)


def inversions_figure(image, inversions, title="Reconstructions from each layer's code", size=1.2):
    """The original image, then the reconstruction from every layer (clipped to [0, 1] for display),
    each titled with its layer and the image error."""
    import numpy as np

    n = 1 + len(inversions)
    fig = _new_figure(size * n + 0.6, size + 0.9)
    axes = np.atleast_1d(fig.subplots(1, n))
    axes[0].imshow(_to_rgb(image), vmin=0, vmax=1)
    axes[0].set_title("original", fontsize=8)
    for ax, inv in zip(axes[1:], inversions):
        ax.imshow(_to_rgb(inv.image), vmin=0, vmax=1)
        ax.set_title(f"{inv.layer}\nerr {inv.image_error:.2f}", fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("x", fontsize=6)
    axes[0].set_ylabel("y (pixels)", fontsize=6)
    fig.suptitle(title)
    return fig


def inversion_errors_figure(inversions, title="What each layer keeps"):
    """Left: the relative errors of the reconstructions, layer by layer (in the code, and in the image).
    Right: the objective during the optimisation, one line per layer."""
    import numpy as np

    fig = _new_figure(10, 3.4)
    ax_err, ax_obj = fig.subplots(1, 2)
    layers = [inv.layer for inv in inversions]
    pos = np.arange(len(layers))
    ax_err.plot(pos, [inv.image_error for inv in inversions], "o-", color=OUTPUT_COLOURS[1],
                label="image: ||x* - x|| / ||x - 0.5||")
    ax_err.plot(pos, [inv.feature_error for inv in inversions], "s-", color=OUTPUT_COLOURS[0],
                label="code: ||phi(x*) - phi_0|| / ||phi_0||")
    ax_err.set_xticks(pos)
    ax_err.set_xticklabels(layers, rotation=45, fontsize=7)
    ax_err.set_ylim(0, max(1.1, max(inv.image_error for inv in inversions) + 0.1))
    ax_err.set_title("relative error of the reconstruction")
    ax_err.set_xlabel("layer inverted")
    ax_err.set_ylabel("relative error")
    ax_err.legend(fontsize=7)
    for k, inv in enumerate(inversions):
        ax_obj.semilogy(inv.objective, color=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], linewidth=0.8,
                        label=inv.layer if k % 2 == 0 else None)
    ax_obj.set_title("the objective while optimising")
    ax_obj.set_xlabel("step")
    ax_obj.set_ylabel("objective (log scale)")
    ax_obj.legend(fontsize=6, ncol=2)
    fig.suptitle(title)
    return fig


def allconv_figure(record, title="Max pooling against stride-2 convolutions, same recipe"):
    """The comparison of :func:`cs231n_lib.gradients.compare_allconv`, seed by seed: each seed's test
    accuracy (left) and CPU seconds per epoch (right) for every net, a grey line joining the runs of
    one seed (the comparison is paired), a black bar at each net's mean.  Seeds with equal values share
    one label ("seeds 1, 2")."""
    fig = _new_figure(10, 3.4)
    axes = fig.subplots(1, 2)
    names = list(record["summary"])
    seeds = list(dict.fromkeys(r["seed"] for r in record["runs"]))
    runs = {(r["net"], r["seed"]): r for r in record["runs"]}
    for ax, key, scale in ((axes[0], "test_accuracy", 100), (axes[1], "cpu_seconds_per_epoch", 1)):
        for k, name in enumerate(names):
            values = [scale * runs[name, s][key] for s in seeds]
            ax.plot([k] * len(values), values, "o", color=OUTPUT_COLOURS[k], zorder=3)
            ax.hlines(sum(values) / len(values), k - 0.2, k + 0.2, color="black", zorder=2)
            right = k == len(names) - 1
            for value in dict.fromkeys(values):
                same = [str(s) for s, v in zip(seeds, values) if v == value]
                label = ("seed " if len(same) == 1 else "seeds ") + ", ".join(same)
                ax.annotate(label, (k, value), textcoords="offset points", xytext=(7 if right else -7, -3),
                            ha="left" if right else "right", fontsize=7)
        for s in seeds:
            ax.plot(range(len(names)), [scale * runs[name, s][key] for name in names], color="grey",
                    linewidth=0.8, zorder=1)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names)
        ax.set_xlim(-0.8, len(names) - 0.2)
        ax.set_xlabel("net")
    axes[0].set_title("test accuracy per seed (black: mean)")
    axes[0].set_ylabel("test accuracy (%)")
    axes[1].set_title("CPU seconds per epoch per seed (one BLAS thread)")
    axes[1].set_ylabel("CPU seconds per epoch")
    fig.suptitle(title + " (grey: the same seed)")
    return fig


def deletion_insertion_figure(deleted, inserted, fractions, curves, shown, label, title):
    """One image's two games (Petsiuk et al. 2018), map by map.

    deleted, inserted : ``{map name: (S, C, H, W)}`` the image with the first fractions ``shown`` (S,)
    of its pixels removed, and the blank image with them put back; fractions : (K+1,); curves :
    ``{map name: (deletion (K+1,), insertion (K+1,))}`` the probability of ``label`` (a class name)
    along each game.  Rows: each map's deletion images, then its insertion images; right: the curves.
    """
    import numpy as np

    names = list(curves)
    shown = list(shown)
    rows, cols = 2 * len(names), len(shown)
    fig = _new_figure(1.0 * cols + 4.2, 0.95 * rows + 0.7)
    grid = fig.add_gridspec(rows, cols + 2, width_ratios=[1] * cols + [0.15, 4.2])
    for r, name in enumerate(names):
        for g, (game, stack) in enumerate((("deletion", deleted[name]), ("insertion", inserted[name]))):
            for c, f in enumerate(shown):
                ax = fig.add_subplot(grid[2 * r + g, c])
                ax.imshow(_to_rgb(stack[c]), vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title(f"{100 * f:g}% {'removed' if game == 'deletion' else 'back'}", fontsize=7)
                if c == 0:
                    ax.set_ylabel(f"{name}\n{game}", fontsize=7)
                if 2 * r + g == rows - 1:
                    ax.set_xlabel("x (pixels)", fontsize=6)
    fractions = np.asarray(fractions)
    for g, (game, better) in enumerate((("deletion", "low"), ("insertion", "high"))):
        ax = fig.add_subplot(grid[g * rows // 2:(g + 1) * rows // 2, cols + 1])
        for k, name in enumerate(names):
            curve = np.asarray(curves[name][g])
            area = float(np.sum(np.diff(fractions) * (curve[1:] + curve[:-1]) / 2))
            ax.plot(fractions, curve, color=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], label=f"{name}: AUC {area:.2f}")
            ax.fill_between(fractions, 0, curve, color=OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)], alpha=0.1)
        ax.set_ylim(0, 1.05)
        ax.set_xlim(0, 1)
        ax.set_title(f"{game} (area: {better} is good)", fontsize=9)
        ax.set_xlabel("fraction of the pixels " + ("removed" if game == "deletion" else "put back"))
        ax.set_ylabel(f"p({label})")
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def faithfulness_figure(fractions, rows, title="Deletion and insertion over the test shapes"):
    """The measurement of :mod:`cs231n_lib.faithfulness`, row by row.

    fractions : (K+1,); rows : ``{name: dict}`` with ``deletion_mean``, ``insertion_mean`` (K+1,)
    and the per-image areas ``deletion_auc``, ``insertion_auc`` (N,), drawn in the dict's order.
    Left and middle: the mean curve of each row; rows without a net (names with "no net" or "random
    map") in black and grey, the random net's rows (names with a comma) dashed in their method's
    colour.  Right: the spread of the per-image areas, a box from the lower to the upper quartile
    with the median, whiskers from the 5th to the 95th percentile, and the mean as a dot.
    """
    import numpy as np

    fractions = np.asarray(fractions)
    names = list(rows)
    fig = _new_figure(10.2, 0.2 * len(names) + 2.8)
    axes = fig.subplots(1, 3, width_ratios=[1, 1, 1.25])
    methods = [name for name in names if "," not in name and "no net" not in name and "random map" not in name]

    def style(name):
        if "no net" in name:
            return dict(color="black", linestyle=":")
        if "random map" in name:
            return dict(color="dimgray", linestyle="--")
        base = name.split(",")[0]
        colour = OUTPUT_COLOURS[methods.index(base) % len(OUTPUT_COLOURS)] if base in methods else "gray"
        return dict(color=colour, linestyle="--" if "," in name else "-")

    for ax, game, better in ((axes[0], "deletion", "low"), (axes[1], "insertion", "high")):
        for name in names:
            ax.plot(fractions, rows[name][f"{game}_mean"], linewidth=1.5 if "," not in name else 1.0, label=name,
                    **style(name))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{game}: mean curve ({better} area is good)", fontsize=9)
        ax.set_xlabel("fraction of the pixels " + ("removed" if game == "deletion" else "put back"))
        ax.set_ylabel("probability of the true class")
    axes[0].legend(fontsize=6.5, loc="upper right")
    ax = axes[2]
    positions = np.arange(len(names))[::-1].astype(float)
    for offset, game, colour in ((0.18, "deletion", "#7f7f7f"), (-0.18, "insertion", "#1f77b4")):
        values = [np.asarray(rows[name][f"{game}_auc"], dtype=float) for name in names]
        p5, q25, q50, q75, p95 = np.array([np.percentile(v, [5, 25, 50, 75, 95]) for v in values]).T
        at = positions + offset
        ax.barh(at, q75 - q25, left=q25, height=0.3, color=colour, alpha=0.35, edgecolor=colour, label=game)
        ax.hlines(at, p5, q25, color=colour, linewidth=1)
        ax.hlines(at, q75, p95, color=colour, linewidth=1)
        ax.vlines(q50, at - 0.15, at + 0.15, color=colour, linewidth=1.5)
        ax.plot([v.mean() for v in values], at, "o", color=colour, markersize=3.5)
    ax.set_yticks(positions)
    ax.set_yticklabels(names, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_title("area of each image: quartiles, 5th-95th percentile, mean (dot)", fontsize=9)
    ax.set_xlabel("area under the curve")
    ax.set_ylabel("map")
    ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(title)
    return fig
