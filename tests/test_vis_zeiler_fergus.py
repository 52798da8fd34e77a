"""Notebook 10's figures: titles and labelled axes, and the lines, bands and images show the numbers given."""
import numpy as np

from cs231n_lib import vis
from cs231n_lib.zeiler_fergus import Invariance


def assert_labelled(fig):
    for ax in fig.axes:
        assert ax.get_title(), "every axes needs a title"
        assert ax.get_xlabel() and ax.get_ylabel()


def fake_result(kind, amounts, layers):
    """distance[layer][a, i] = (layer number + 1) * |amount| + i / 100; probability 1 - |amount| / 10."""
    amounts = np.asarray(amounts, dtype=float)
    n = 5
    d = {layer: (k + 1) * np.abs(amounts)[:, None] + np.arange(n)[None, :] / 100 for k, layer in enumerate(layers)}
    p = np.repeat((1 - np.abs(amounts) / 10)[:, None], n, axis=1)
    return Invariance(kind, amounts, list(layers), d, d, {l: 1.0 for l in layers}, p, np.zeros(n, int),
                      np.zeros((len(amounts), n), int))


def test_invariance_figure_draws_each_layers_mean_and_the_bands_asked_for():
    layers = ["pixels", "relu1", "relu2", "relu4"]
    results = [fake_result("translation", [-2, 0, 2], layers), fake_result("scale", [0.5, 1.0, 1.5], layers)]
    fig = vis.invariance_figure(results, {"translation": "px", "scale": "x"}, "title",
                                paper={"translation": ("left", "right")})
    assert_labelled(fig)
    assert len(fig.axes) == 4
    left = fig.axes[0]
    lines = {line.get_label(): line for line in left.lines}
    assert np.allclose(lines["relu2"].get_ydata(), 3 * np.array([2, 0, 2]) + 0.02)     # mean of i / 100, i = 0..4
    assert lines["pixels (baseline)"].get_linestyle() == "--"
    assert len(left.collections) == 2                  # bands for relu1 and relu4 only
    assert "paper: left" in left.get_title() and "paper: right" in fig.axes[1].get_title()
    prob = [line for line in fig.axes[1].lines if line.get_label() == "mean"][0]
    assert np.allclose(prob.get_ydata(), [0.8, 1.0, 0.8])
    assert any(np.allclose(line.get_ydata(), 1.0) for line in left.lines if line.get_linestyle() == ":")


def test_symmetry_figure_marks_each_symmetry_angle():
    angles = np.arange(0, 361, 45)
    fig = vis.symmetry_figure({"square": np.zeros(9), "bar": np.ones(9), "crescent": np.ones(9)}, angles,
                              {"square": 90, "bar": 180, "crescent": None}, "t", notes={"crescent": "none"})
    assert_labelled(fig)
    ax = fig.axes[0]
    vertical = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":"]
    assert sorted(vertical) == [90, 180, 180, 270, 360, 360]
    labels = [line.get_label() for line in ax.lines if line.get_linestyle() == "-"]
    assert labels == ["square (the same every 90 degrees)", "bar (the same every 180 degrees)", "crescent (none)"]


def test_settling_figure_plots_the_overlaps_at_their_checkpoints():
    after = [0, 10, 20, 40]
    fig = vis.settling_figure({"relu1": [0.9, 0.8, 0.7], "relu2": [0.1, 0.2, 0.3]},
                              {"relu1": [0.5, 0.6, 0.7, 1.0], "relu2": [0.1, 0.2, 0.3, 1.0]}, after, 0.018, "t",
                              threshold=0.5)
    assert_labelled(fig)
    left, right = fig.axes
    relu2 = [line for line in left.lines if line.get_label() == "relu2"][0]
    assert relu2.get_xdata().tolist() == [10, 20, 40] and relu2.get_ydata().tolist() == [0.1, 0.2, 0.3]
    relu1 = [line for line in right.lines if line.get_label() == "relu1"][0]
    assert relu1.get_xdata().tolist() == [1, 10, 20, 40]        # the untrained net drawn at 1 on the log axis
    assert left.get_xscale() == "log"
    assert any(np.allclose(line.get_ydata(), 0.018) for line in left.lines)


def test_spectra_and_paired_figures():
    f = np.arange(17) / 32
    fig = vis.filter_spectra_figure({"a": np.full(17, 1 / 17), "b": np.linspace(0, 1, 17) / 8.5}, f,
                                    {"a": 0.125, "b": 0.25}, "t", baselines={"white noise": np.full(17, 1 / 17)})
    assert_labelled(fig)
    ax = fig.axes[0]
    dashed = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert dashed == [0.125, 0.25]
    assert [line.get_label() for line in ax.lines][0] == "white noise"
    fig = vis.paired_accuracy_figure({"A": [0.8, 0.9, 0.7], "Z": [0.85, 0.95, 0.9]}, [0, 1, 2], "t")
    assert_labelled(fig)
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert [d.get_ydata().tolist() for d in dots] == [[0.8, 0.9, 0.7], [0.85, 0.95, 0.9]]
    pairs = [line for line in ax.lines if line.get_color() == "grey"]
    assert len(pairs) == 3 and pairs[2].get_ydata().tolist() == [0.7, 0.9]


def test_image_figures_show_every_image_with_its_labels():
    rng = np.random.default_rng(0)
    rows = {"translation": rng.random((3, 3, 8, 8)), "scale": rng.random((2, 3, 8, 8))}
    fig = vis.transform_examples_figure(rows, {"translation": [-1, 0, 1], "scale": [0.5, 1]},
                                        {"translation": "px", "scale": "x"}, "t")
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5 and [ax.get_title() for ax in shown[:3]] == ["-1", "0", "1"]
    assert "translation" in fig.axes[0].get_ylabel() and fig._suptitle.get_text() == "t"
    patches = [[rng.random((3, 4, 4)) for _ in range(3)] for _ in range(2)]
    fig = vis.evolution_patches_figure(patches, ["relu1\nunit 0", "relu4\nunit 3"], ["0", "10", "20"], "t")
    assert len(fig.axes) == 6 and [ax.get_title() for ax in fig.axes[:3]] == ["0", "10", "20"]
    assert np.allclose(fig.axes[4].images[0].get_array(), patches[1][1].transpose(1, 2, 0))
    W = rng.standard_normal((16, 3, 5, 5))
    fig = vis.rgb_filters_figure({"net": W}, "t", ncols=8)
    tiles = fig.axes[0].images[0].get_array()
    assert tiles.shape == (2 * 5 + 1, 8 * 5 + 7, 3)
    first = 0.5 + 0.5 * W[0] / np.abs(W[0]).max()
    assert np.allclose(tiles[:5, :5], first.transpose(1, 2, 0))
    assert "16 filters of 5x5" in fig.axes[0].get_title()
