"""Notebook 07's figures: every axes titled and labelled, and each drawing shows the numbers it is given."""
import numpy as np
import pytest

from cs231n_lib import gradients, layers, vis


def assert_labelled(fig, grid=None):
    """Every axes titled and labelled; in a grid of images (rows, cols), the first panel of each
    row carries the y label and the last panel of each column the x label, as in vis.image_grid."""
    for ax in fig.axes:
        assert ax.get_title(), "every axes needs a title"
    if grid is None:
        for ax in fig.axes:
            assert ax.get_xlabel() or ax.get_ylabel(), f"axes {ax.get_title()!r} has no axis label"
        return
    axes = np.array(fig.axes).reshape(grid)
    assert all(row[0].get_ylabel() for row in axes) and all(ax.get_xlabel() for ax in axes[-1])


def test_relu_rules_figure_writes_the_numbers_and_colours_what_passes():
    x = np.array([-2.0, -1.0, 1.0, 2.0])
    dout = np.array([1.0, -1.0, 1.0, -1.0])
    rules = {"backprop": layers.relu_backward(dout, x), "deconvnet": layers.relu_backward_deconvnet(dout, x),
             "guided": layers.relu_backward_guided(dout, x)}
    fig = vis.relu_rules_figure(x, dout, rules)
    assert_labelled(fig)
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.texts]
    assert shown[:8] == ["-2", "-1", "1", "2", "1", "-1", "1", "-1"]
    # by hand: backprop (x > 0) sends 0 0 1 -1; deconvnet (dout > 0) 1 0 1 0; guided (both) 0 0 1 0
    assert shown[8:] == ["0", "0", "1", "-1", "1", "0", "1", "0", "0", "0", "1", "0"]
    faces = ax.collections[0].get_facecolors()
    green = [tuple(f) for f in faces].count(tuple(faces[10]))   # row "backprop", column 2: passed
    assert green == 2 + 2 + 1   # backprop passes 2 units, deconvnet 2, guided 1


def test_attribution_grid_shows_each_map_in_its_row():
    rng = np.random.default_rng(0)
    images, maps = rng.random((3, 3, 8, 8)), {"a": rng.random((3, 8, 8)), "b": rng.random((3, 8, 8))}
    masks = rng.random((3, 8, 8)) > 0.5
    fig = vis.attribution_grid(images, maps, ["x", "y", "z"], "grid", masks=masks)
    assert_labelled(fig, grid=(3, 3))
    assert len(fig.axes) == 3 * 3
    axes = np.array(fig.axes).reshape(3, 3)
    assert np.array_equal(axes[2, 1].images[0].get_array(), maps["b"][1])
    assert axes[0, 2].get_title() == "z" and axes[1, 0].get_title() == "a"


def test_scores_figure_bars_are_the_table():
    rng = np.random.default_rng(1)
    rows = gradients.score_maps({"g": rng.random((5, 6, 6)), "h": rng.random((5, 6, 6)) ** 3},
                                rng.random((5, 6, 6)) > 0.6)
    fig = vis.scores_figure(rows)
    assert_labelled(fig)
    mass, point = fig.axes
    assert [p.get_height() for p in mass.patches] == pytest.approx([rows[0].mass_inside, rows[1].mass_inside])
    assert [p.get_height() for p in point.patches] == pytest.approx([rows[0].pointing, rows[1].pointing])
    assert mass.lines[-1].get_ydata()[0] == pytest.approx(rows[-1].mass_inside)
    # with the images, the edge map's row is a line across the bars too, not a bar
    images = rng.random((5, 3, 6, 6))
    rows = gradients.score_maps({"g": rng.random((5, 6, 6))}, rng.random((5, 6, 6)) > 0.6, images=images)
    mass, point = vis.scores_figure(rows).axes
    assert [p.get_height() for p in point.patches] == pytest.approx([rows[0].pointing])
    lines = {line.get_label().split(":")[0]: line.get_ydata()[0] for line in point.lines if not line.get_label().startswith("_")}
    assert lines == pytest.approx({gradients.EDGE_ROW: rows[1].pointing, gradients.RANDOM_ROW: rows[2].pointing})


def test_cascade_figure_plots_the_correlations():
    from cs231n_lib.nets import SequentialNet, affine, conv, relu

    net = SequentialNet([("c", conv(2, 3)), ("r", relu()), ("f", affine(3))], input_dim=(3, 6, 6),
                        dtype=np.float64, seed=1)
    X = np.random.default_rng(2).random((4, 3, 6, 6))
    cascade = gradients.cascading_randomization(net, X, [0, 1, 2, 0], methods=("gradient", "guided"))
    fig = vis.cascade_figure(cascade, X[0])
    plot = fig.axes[0]
    assert plot.get_title() and plot.get_xlabel() and plot.get_ylabel()
    maps = np.array(fig.axes[1:]).reshape(2, 3)   # methods x stages
    assert all(ax.get_title() for ax in maps.ravel())
    assert all(row[0].get_ylabel() for row in maps) and all(ax.get_xlabel() for ax in maps[-1])
    lines = fig.axes[0].lines
    assert np.allclose(lines[0].get_ydata(), cascade.correlation["gradient"])
    assert len(fig.axes) == 1 + 2 * 3


def test_class_model_and_inversion_figures():
    rng = np.random.default_rng(3)
    images = rng.random((3, 3, 8, 8))
    probs = rng.dirichlet(np.ones(3), size=3)
    fig = vis.class_models_figure(images, probs, [0, 1, 2], ["a", "b", "c"], "models")
    assert_labelled(fig, grid=(1, 3))
    assert fig.axes[1].get_title() == f"b\np = {probs[1, 1]:.3f}"
    inversions = [gradients.Inversion(name, rng.random((3, 8, 8)), np.linspace(1, 0.1, 5), 0.1 * k, 0.3 * k, {})
                  for k, name in enumerate(("l1", "l2", "l3"), start=1)]
    fig = vis.inversions_figure(images[0], inversions)
    assert_labelled(fig)
    assert fig.axes[2].get_title() == "l2\nerr 0.60"
    fig = vis.inversion_errors_figure(inversions)
    assert_labelled(fig)
    assert np.allclose(fig.axes[0].lines[0].get_ydata(), [0.3, 0.6, 0.9])
    assert np.allclose(fig.axes[0].lines[1].get_ydata(), [0.1, 0.2, 0.3])


def test_allconv_figure_shows_every_seed():
    runs = [{"net": n, "seed": s, "test_accuracy": a, "wall_seconds_per_epoch": 2.0, "cpu_seconds_per_epoch": t,
             "parameters": p}
            for n, t, p, accs in (("max", 1.0, 10, (0.9, 0.92, 0.94)), ("conv", 2.0, 20, (0.91, 0.93, 0.95)))
            for s, a in zip((0, 1, 2), accs)]
    record = {"runs": runs, "summary": gradients.summarize_runs(runs)}
    fig = vis.allconv_figure(record)
    assert_labelled(fig)
    acc, time = fig.axes
    assert np.allclose(acc.lines[0].get_ydata(), [90, 92, 94])
    assert np.allclose(acc.lines[1].get_ydata(), [91, 93, 95])
    assert np.allclose(acc.lines[2].get_ydata(), [90, 91])          # seed 0 of both nets, joined
    means = [float(np.mean(c.get_segments()[0][:, 1])) for c in acc.collections]
    assert means == pytest.approx([92, 93])
    assert np.allclose(time.lines[0].get_ydata(), [1.0, 1.0, 1.0])
    # equal values share one label
    assert sorted(t.get_text() for t in time.texts) == ["seeds 0, 1, 2", "seeds 0, 1, 2"]
    assert sorted(t.get_text() for t in acc.texts) == ["seed 0", "seed 0", "seed 1", "seed 1", "seed 2", "seed 2"]


def test_deletion_insertion_figure_shows_the_games_and_their_areas():
    rng = np.random.default_rng(1)
    fractions = np.linspace(0, 1, 5)
    shown = [0.125, 0.5]
    deleted = {"a": rng.random((2, 3, 8, 8)), "b": rng.random((2, 3, 8, 8))}
    inserted = {"a": rng.random((2, 3, 8, 8)), "b": rng.random((2, 3, 8, 8))}
    curves = {"a": (np.array([1, 0.5, 0.25, 0.0, 0.0]), np.array([0, 0, 0.5, 1, 1])),
              "b": (np.ones(5), np.zeros(5))}
    fig = vis.deletion_insertion_figure(deleted, inserted, fractions, curves, shown, "disc", "games")
    images = [ax for ax in fig.axes if ax.images]
    assert all(ax.get_title() for ax in fig.axes)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes if not ax.images)
    grid = np.array(images).reshape(4, 2)                # rows: a deletion, a insertion, b deletion, b insertion
    assert all(row[0].get_ylabel() for row in grid) and all(ax.get_xlabel() for ax in grid[-1])
    assert len(images) == 2 * 2 * 2
    # the fraction shown as it is (1/8 is 12.5%, not a rounded 12%), and the image axis says what it is
    assert [ax.get_title() for ax in grid[0]] == ["12.5% removed", "50% removed"]
    assert [ax.get_title() for ax in grid[1]] == ["12.5% back", "50% back"]
    assert grid[-1][0].get_xlabel() == "x (pixels)"
    assert np.allclose(images[5].images[0].get_array(), deleted["b"][1].transpose(1, 2, 0))
    deletion, insertion = [ax for ax in fig.axes if ax.lines]
    # by hand (trapezoids of width 0.25): a's deletion 0.25 * (0.75 + 0.375 + 0.125 + 0) = 0.3125,
    # its insertion 0.25 * (0 + 0.25 + 0.75 + 1) = 0.5
    assert [t.get_text() for t in deletion.get_legend().get_texts()] == ["a: AUC 0.31", "b: AUC 1.00"]
    assert [t.get_text() for t in insertion.get_legend().get_texts()] == ["a: AUC 0.50", "b: AUC 0.00"]
    assert np.allclose(deletion.lines[0].get_ydata(), curves["a"][0])


def test_faithfulness_figure_draws_every_row_and_the_spread_of_its_areas():
    rng = np.random.default_rng(2)
    fractions = np.linspace(0, 1, 5)

    def row():
        return {"deletion_mean": rng.random(5), "insertion_mean": rng.random(5),
                "deletion_auc": rng.random(40), "insertion_auc": rng.random(40)}

    rows = {"gradient": row(), "guided": row(), "edge map (no net)": row(), "random map (random order)": row(),
            "gradient, random net": row()}
    fig = vis.faithfulness_figure(fractions, rows)
    assert_labelled(fig)
    deletion, insertion, spread = fig.axes
    assert len(deletion.lines) == 5 and np.allclose(deletion.lines[1].get_ydata(), rows["guided"]["deletion_mean"])
    assert np.allclose(insertion.lines[2].get_ydata(), rows["edge map (no net)"]["insertion_mean"])
    assert deletion.lines[4].get_linestyle() == "--" and deletion.lines[4].get_color() == deletion.lines[0].get_color()
    assert [t.get_text() for t in spread.get_yticklabels()] == list(rows)
    # the dots are the means, the boxes span the quartiles of each row's areas (first row at the top)
    dots = [line for line in spread.lines if line.get_marker() == "o"]
    assert np.allclose(dots[0].get_xdata(), [np.mean(r["deletion_auc"]) for r in rows.values()])
    box = spread.patches[0]
    assert np.isclose(box.get_x(), np.percentile(rows["gradient"]["deletion_auc"], 25))
    assert np.isclose(box.get_x() + box.get_width(), np.percentile(rows["gradient"]["deletion_auc"], 75))
    assert np.isclose(box.get_y() + box.get_height() / 2, 4 + 0.18)
