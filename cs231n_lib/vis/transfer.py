"""Notebook 09 (transfer learning): the grid of strategies, layer transfer, learning rates, score maps."""
from __future__ import annotations

from ._base import OUTPUT_COLOURS, _new_figure

__all__ = ["grid_figure", "layer_transfer_figure", "lr_sweep_figure", "class_map_figure"]


def grid_figure(results, title="The notes' rules of thumb, measured", rules=None):
    """2x2 bar charts: rows small / large training sets, columns similar / different data.

    ``results`` is what ``cs231n_lib.transfer.run_grid`` returns (or the stored JSON):
    each bar is a strategy's mean test accuracy over seeds, its error bar one standard
    deviation, the dots the single seeds.  The strategy the notes advise for the cell
    is drawn hatched and named in the panel's title; the dashed line is chance (1 / classes).
    ``rules``: ``{(size, similarity): letter}`` of the notes' strategies (pass
    ``transfer.NOTES_RULES``' letters); default the ``notes_rules`` the results file recorded.
    """
    import numpy as np

    fig = _new_figure(10, 7)
    axes = fig.subplots(2, 2, sharey=True)
    strategies = list(results["strategies"])
    if rules is None:
        rules = results["notes_rules"]
    else:
        rules = {f"{size}/{sim}": letter for (size, sim), letter in rules.items()}
    cells = {(c["size"], c["similarity"]): c for c in results["cells"]}
    for i, size in enumerate(("small", "large")):
        for j, sim in enumerate(("similar", "different")):
            ax = axes[i][j]
            cell = cells[(size, sim)]
            rule = rules[f"{size}/{sim}"]
            x = np.arange(len(strategies))
            means = [cell["summary"][s]["mean"] for s in strategies]
            stds = [cell["summary"][s]["std"] for s in strategies]
            bars = ax.bar(x, means, yerr=stds, capsize=4, color=[OUTPUT_COLOURS[k % len(OUTPUT_COLOURS)]
                                                               for k in range(len(strategies))], alpha=0.8)
            for k, s in enumerate(strategies):
                if s == rule:
                    bars[k].set_hatch("//")
                    bars[k].set_edgecolor("black")
                seeds = [r["test_accuracy"] for r in cell["runs"] if r["strategy"] == s]
                ax.plot([k] * len(seeds), seeds, "k.", markersize=3)
            ax.axhline(1 / cell["num_classes"], color="grey", linestyle="--", linewidth=1, label="chance")
            if i == 0 and j == 0:
                ax.legend(fontsize=8, loc="upper right")
            ax.set_xticks(x)
            ax.set_xticklabels([f"({s})" for s in strategies])
            ax.set_ylim(0, 1.05)
            ax.set_title(f"{size}, {sim}: {cell['train_per_class']} per class, {cell['num_classes']} classes\n"
                         f"notes: ({rule}) hatched", fontsize=10)
            ax.set_xlabel("strategy")
            ax.set_ylabel("test accuracy")
    fig.suptitle(title)
    return fig


def layer_transfer_figure(summary, paper_boost=None, our_boost=None, layer_names=None,
                          title="How transferable is each layer?", control_boost=None):
    """Accuracy against the number n of copied layers, as Yosinski et al.'s Figure 2.

    ``summary``: ``{variant: {n: {"mean", "std"}}}`` with ``"baseB"`` at n = 0 and the
    variants ``AnB``, ``AnB+``, ``BnB``, ``BnB+`` at n = 1, 2, ...  With ``paper_boost``
    and ``our_boost`` (``{label: accuracy points}``) a second panel compares the boost of
    AnB+ over baseB, theirs and ours; ``control_boost`` (same keys as ``our_boost``) adds our
    BnB+ over baseB beside it, the control.
    """
    import numpy as np

    panels = 2 if paper_boost else 1
    fig = _new_figure(11 if panels == 2 else 7, 4.2)
    axes = fig.subplots(1, panels, squeeze=False)[0]
    ax = axes[0]
    base = summary["baseB"][0]
    ns = sorted(n for n in summary["AnB"])
    ax.axhspan(base["mean"] - base["std"], base["mean"] + base["std"], color="grey", alpha=0.2,
               label="baseB (mean +- std)")
    ax.axhline(base["mean"], color="grey", linewidth=1)
    styles = {"BnB": ("o", "--", OUTPUT_COLOURS[0]), "BnB+": ("o", "-", OUTPUT_COLOURS[0]),
              "AnB": ("s", "--", OUTPUT_COLOURS[1]), "AnB+": ("s", "-", OUTPUT_COLOURS[1])}
    offsets = {"BnB": -0.09, "BnB+": -0.03, "AnB": 0.03, "AnB+": 0.09}
    for variant, (marker, line, colour) in styles.items():
        means = [summary[variant][n]["mean"] for n in ns]
        stds = [summary[variant][n]["std"] for n in ns]
        ax.errorbar(np.array(ns) + offsets[variant], means, yerr=stds, marker=marker, linestyle=line,
                    color=colour, capsize=3, label=variant + (" (fine-tuned)" if variant.endswith("+") else " (frozen)"))
    ax.set_xticks(ns)
    if layer_names:
        ax.set_xticklabels([f"{n}\n(to {layer_names[n - 1]})" for n in ns])
    ax.set_xlabel("layers copied, n")
    ax.set_ylabel("test accuracy on half B")
    ax.set_title("Ours: copy n layers, retrain the rest on B")
    ax.legend(fontsize=8, loc="lower left")
    if panels == 2:
        ax2 = axes[1]
        labels = list(paper_boost)
        ours = list(our_boost)
        groups = [(paper_boost, labels, OUTPUT_COLOURS[3], "Yosinski et al., AnB+ (their n)"),
                  (our_boost, ours, OUTPUT_COLOURS[1], "ours, AnB+ (our n)")]
        if control_boost:
            groups.append((control_boost, ours, OUTPUT_COLOURS[0], "ours, BnB+: the control (our n)"))
        width = 0.8 / len(groups)
        for g, (values, keys, colour, label) in enumerate(groups):
            x = np.arange(len(keys)) + (g - (len(groups) - 1) / 2) * width
            ax2.bar(x, [100 * values[k] for k in keys], width=width, color=colour, label=label)
        ax2.axhline(0, color="black", linewidth=0.8)
        ax2.set_xticks(np.arange(max(len(labels), len(ours))))
        ax2.set_xticklabels([f"theirs n={a}\nours n={b}" for a, b in zip(labels, ours)], fontsize=8)
        ax2.set_xlabel("layers averaged over")
        ax2.set_ylabel("minus baseB (accuracy points)")
        ax2.set_title("Boost of fine-tuned transfer over baseB")
        ax2.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def lr_sweep_figure(runs, chance=None, title="Fine-tuning: one epoch at each learning rate"):
    """Two panels from the learning-rate sweep's runs (``cs231n_lib.transfer.run_lr_sweep``):
    test accuracy after one epoch against the rate, starting from the pretrained net and
    from scratch; and how far each pretrained layer's weights moved (relative change)."""
    import numpy as np

    fig = _new_figure(11, 4)
    ax_acc, ax_move = fig.subplots(1, 2)
    rates = sorted({r["learning_rate"] for r in runs})
    for k, (start, marker) in enumerate((("pretrained", "o"), ("scratch", "s"))):
        means, stds = [], []
        for rate in rates:
            vals = [r["test_accuracy"] for r in runs if r["learning_rate"] == rate and r["start"] == start
                    and r["test_accuracy"] is not None]
            means.append(np.mean(vals) if vals else np.nan)
            stds.append(np.std(vals, ddof=1) if len(vals) > 1 else 0.0)
        ax_acc.errorbar(rates, means, yerr=stds, marker=marker, capsize=3, color=OUTPUT_COLOURS[k],
                        label="fine-tuned from the source net" if start == "pretrained" else "from scratch")
    if chance is not None:
        ax_acc.axhline(chance, color="grey", linestyle="--", linewidth=1, label="chance")
    ax_acc.set_xscale("log")
    ax_acc.set_ylim(0, 1.05)
    ax_acc.set_xlabel("learning rate (Adam, every layer)")
    ax_acc.set_ylabel("test accuracy after one epoch")
    ax_acc.set_title("Accuracy after one epoch")
    ax_acc.legend(fontsize=8)
    layers = sorted({name for r in runs if r.get("relative_change") for name in r["relative_change"]},
                    key=lambda n: next(list(r["relative_change"]).index(n) for r in runs if r.get("relative_change")))
    for k, name in enumerate(layers):
        means = []
        for rate in rates:
            vals = [r["relative_change"][name] for r in runs if r["learning_rate"] == rate
                    and r.get("relative_change") and r["relative_change"].get(name) is not None]
            means.append(np.mean(vals) if vals else np.nan)
        ax_move.plot(rates, means, marker="o", color=OUTPUT_COLOURS[(k + 2) % len(OUTPUT_COLOURS)], label=name)
    ax_move.set_xscale("log")
    ax_move.set_yscale("log")
    ax_move.set_xlabel("learning rate (Adam, every layer)")
    ax_move.set_ylabel("||W_after - W_before|| / ||W_before||")
    ax_move.set_title("How far the pretrained weights moved")
    ax_move.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def class_map_figure(image, scores, class_names, window, stride, title="One pass over a larger image"):
    """The image, the class that wins at each window position, and one class's score map.

    image : (3, H, W) in [0, 1]; scores : (C, H', W') from ``transfer.score_map``; the
    window at (i, j) covers rows ``i*stride .. i*stride + window - 1`` (and the columns alike).
    The third panel shows the scores of the class that wins at the top-left window.
    """
    import numpy as np

    fig = _new_figure(12, 4.2)
    ax_img, ax_cls, ax_map = fig.subplots(1, 3)
    H, W = image.shape[1:]
    ax_img.imshow(np.clip(image.transpose(1, 2, 0), 0, 1), extent=(0, W, H, 0))
    ax_img.add_patch(_rectangle(0, 0, window, "white"))
    ax_img.set_title(f"{H}x{W} image; a {window}x{window} window (white)")
    ax_img.set_xlabel("x (pixels)")
    ax_img.set_ylabel("y (pixels)")
    winners = np.argmax(scores, axis=0)
    ax_cls.imshow(winners, cmap="tab10", vmin=0, vmax=9)
    for (i, j), c in np.ndenumerate(winners):
        ax_cls.text(j, i, class_names[c], ha="center", va="center", fontsize=7, color="white")
    ax_cls.set_title(f"winning class per window (stride {stride})")
    ax_cls.set_xlabel("window column")
    ax_cls.set_ylabel("window row")
    c0 = int(winners[0, 0])
    im = ax_map.imshow(scores[c0], cmap="viridis")
    fig.colorbar(im, ax=ax_map, shrink=0.8)
    ax_map.set_title(f"score of '{class_names[c0]}'")
    ax_map.set_xlabel("window column")
    ax_map.set_ylabel("window row")
    fig.suptitle(title)
    return fig


def _rectangle(x, y, size, colour):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), size, size, fill=False, edgecolor=colour, linewidth=2)
