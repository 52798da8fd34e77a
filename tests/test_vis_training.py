"""Notebook-05 figures: titles, labelled axes, and they show the numbers they are given."""
import numpy as np
import pytest

from cs231n_lib import vis
from cs231n_lib.solver import confusion_matrix


def _labelled(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        if ax.axison:
            assert ax.get_title() or fig._suptitle is not None


def test_image_grid_titles_and_overlays():
    rng = np.random.default_rng(0)
    X = rng.random((5, 3, 8, 8))
    masks = np.zeros((5, 8, 8), bool)
    masks[:, 2:5, 2:6] = True
    fig = vis.image_grid(X, labels=[0, 1, 2, 1, 0], class_names=["a", "b", "c"], ncols=3,
                         masks=masks, boxes=[(2, 2, 5, 6)] * 5, predictions=[0, 1, 1, 1, 0])
    titles = [ax.get_title() for ax in fig.axes if ax.axison]
    assert titles == ["a->a", "b->b", "c->b", "b->b", "a->a"]
    wrong = [ax for ax in fig.axes if ax.get_title() == "c->b"][0]
    assert wrong.title.get_color() == "red"
    assert len(fig.axes[0].patches) == 1 and fig.axes[0].get_ylabel()
    with pytest.raises(ValueError):
        vis.image_grid(np.zeros((0, 3, 8, 8)))


def test_training_curves_plot_the_histories():
    loss = list(np.linspace(2.3, 0.5, 50))
    fig = vis.training_curves(loss, [0.1, 0.5, 0.8], [0.1, 0.4, 0.7])
    ax_loss, ax_acc = fig.axes
    assert np.allclose(ax_loss.lines[0].get_ydata(), loss)
    assert list(ax_acc.lines[1].get_ydata()) == [0.1, 0.4, 0.7]
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_confusion_matrix_counts_and_figure():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    m = confusion_matrix(y_true, y_pred, 3)
    # independent route: count pairs by hand
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred):
        expected[t][p] += 1
    assert np.array_equal(m, expected) and m.sum() == 6
    fig = vis.confusion_matrix_figure(m, ["x", "y", "z"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert sorted(t.get_text() for t in ax.texts) == sorted(str(v) for v in m.flat if v)
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        vis.confusion_matrix_figure(np.zeros((2, 2)), ["x", "y", "z"])
    with pytest.raises(ValueError, match="y_pred.shape"):
        confusion_matrix([0, 1], [0], 2)


def test_compare_runs_figure_overlays_the_runs():
    from types import SimpleNamespace

    runs = {"a": SimpleNamespace(loss_history=[3.0, 2.0, 1.0, 0.5] * 5, val_acc_history=[0.1, 0.4, 0.6]),
            "b": SimpleNamespace(loss_history=[2.0] * 20, val_acc_history=[0.1, 0.2, 0.3])}
    fig = vis.compare_runs_figure(runs, window=4)
    ax_loss, ax_acc = fig.axes
    assert [line.get_label() for line in ax_acc.lines] == ["a", "b"]
    assert list(ax_acc.lines[0].get_ydata()) == [0.1, 0.4, 0.6]
    # the running mean of 4 iterations of 3, 2, 1, 0.5 is 1.625 everywhere
    assert np.allclose(ax_loss.lines[0].get_ydata(), 1.625) and len(ax_loss.lines[0].get_ydata()) == 17
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
