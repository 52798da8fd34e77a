"""Notebook 09's figures: titles and labelled axes, and the bars, lines and maps show the numbers given."""
import numpy as np

from cs231n_lib import vis


def assert_labelled(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_title(), "every axes needs a title"
        assert ax.get_xlabel() and ax.get_ylabel()


def _grid():
    """A hand-made grid result: strategy k of cell (i, j) has mean 0.1 * (k + 1) + 0.01 * i + 0.02 * j."""
    cells = []
    for i, size in enumerate(("small", "large")):
        for j, sim in enumerate(("similar", "different")):
            runs, summary = [], {}
            for k, s in enumerate("abcde"):
                m = 0.1 * (k + 1) + 0.01 * i + 0.02 * j
                runs += [{"strategy": s, "seed": seed, "test_accuracy": m + d} for seed, d in enumerate((-0.01, 0.01))]
                summary[s] = {"mean": m, "std": 0.01 * np.sqrt(2), "n": 2}
            cells.append({"size": size, "similarity": sim, "num_classes": 5 if sim == "similar" else 10,
                          "train_per_class": 10 if size == "small" else 400, "runs": runs, "summary": summary})
    return {"strategies": {s: s for s in "abcde"}, "cells": cells,
            "notes_rules": {"small/similar": "a", "large/similar": "d", "small/different": "b",
                            "large/different": "e"}}


def test_grid_figure_bars_error_bars_and_the_hatched_rule():
    fig = vis.grid_figure(_grid())
    assert_labelled(fig)
    axes = fig.axes
    assert len(axes) == 4
    for ax, (i, j, rule) in zip(axes, [(0, 0, "a"), (0, 1, "b"), (1, 0, "d"), (1, 1, "e")]):
        bars = ax.patches
        assert [round(b.get_height(), 10) for b in bars] == [round(0.1 * (k + 1) + 0.01 * i + 0.02 * j, 10)
                                                               for k in range(5)]
        assert [b.get_hatch() for b in bars] == ["//" if s == rule else None for s in "abcde"]
        assert f"({rule}) hatched" in ax.get_title()
        chance = [line for line in ax.lines if line.get_linestyle() == "--"]
        assert chance and chance[0].get_ydata()[0] == (0.2 if j == 0 else 0.1)


def test_grid_figure_hatches_the_rules_it_is_given_over_the_files_record():
    rules = {("small", "similar"): "a", ("large", "similar"): "d", ("small", "different"): "b",
             ("large", "different"): "d"}
    fig = vis.grid_figure(_grid(), rules=rules)
    last = fig.axes[3]   # large, different: the file says (e), the rules given say (d)
    assert [b.get_hatch() for b in last.patches] == [None, None, None, "//", None]
    assert "(d) hatched" in last.get_title()


def test_layer_transfer_figure_plots_each_variant_against_n():
    summary = {"baseB": {0: {"mean": 0.8, "std": 0.01}}}
    for v, start in (("AnB", 0.7), ("AnB+", 0.82), ("BnB", 0.75), ("BnB+", 0.8)):
        summary[v] = {n: {"mean": start - 0.01 * n, "std": 0.01} for n in (1, 2, 3, 4)}
    fig = vis.layer_transfer_figure(summary, {"1-7": 0.016}, {"1-4": -0.02}, ["conv1", "conv2", "conv3", "fc1"])
    assert_labelled(fig)
    ax, ax2 = fig.axes
    anb = next(c for c in ax.containers if c.get_label() == "AnB (frozen)")
    assert np.allclose(anb.lines[0].get_ydata(), [0.69, 0.68, 0.67, 0.66])
    heights = sorted(round(b.get_height(), 6) for b in ax2.patches)
    assert heights == [-2.0, 1.6]
    fig = vis.layer_transfer_figure(summary, {"1-7": 0.016}, {"1-4": -0.02}, ["conv1", "conv2", "conv3", "fc1"],
                                    control_boost={"1-4": 0.03})
    bars = {c.get_label(): [round(b.get_height(), 6) for b in c] for c in fig.axes[1].containers}
    assert bars == {"Yosinski et al., AnB+ (their n)": [1.6], "ours, AnB+ (our n)": [-2.0],
                    "ours, BnB+: the control (our n)": [3.0]}


def test_lr_sweep_figure_averages_seeds_and_skips_diverged_runs():
    runs = []
    for rate in (1e-4, 1e-1):
        for seed in (0, 1):
            runs.append({"learning_rate": rate, "seed": seed, "start": "pretrained",
                         "test_accuracy": 0.8 + 0.1 * seed if rate < 1e-2 else None,
                         "relative_change": {"conv1": rate * 10, "fc1": rate * 20}})
            runs.append({"learning_rate": rate, "seed": seed, "start": "scratch", "test_accuracy": 0.3})
    fig = vis.lr_sweep_figure(runs, chance=0.2)
    assert_labelled(fig)
    ax_acc, ax_move = fig.axes
    tuned = next(c for c in ax_acc.containers if c.get_label().startswith("fine-tuned")).lines[0]
    assert np.isclose(tuned.get_ydata()[0], 0.85) and np.isnan(tuned.get_ydata()[1])
    conv1 = next(line for line in ax_move.get_lines() if line.get_label() == "conv1")
    assert np.allclose(conv1.get_ydata(), [1e-3, 1.0])


def test_class_map_figure_names_the_winning_class_of_every_window():
    scores = np.zeros((3, 2, 2))
    scores[2, 0, 0] = scores[0, 0, 1] = scores[1, 1, 0] = scores[2, 1, 1] = 1
    image = np.random.default_rng(0).random((3, 40, 40))
    fig = vis.class_map_figure(image, scores, ["disc", "square", "ring"], window=32, stride=8)
    assert_labelled(fig)
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert texts == ["ring", "disc", "square", "ring"]
    assert "'ring'" in fig.axes[2].get_title()
