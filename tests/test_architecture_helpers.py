"""Notebook 04's figures and widgets (the checkers are in test_checkers.py).

The widgets' pure functions run over every slider combination (a figure or a
message, never an exception)."""
import itertools

import numpy as np
import pytest

from cs231n_lib import arithmetic, specs, vis, widgets


# ----------------------------------------------------------------- figures
def _titled_and_labelled(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), ax


def test_receptive_field_paths_count_the_routes():
    # two 3-wide stride-1 layers: the top unit reaches 5 pixels with 1, 2, 3, 2, 1 paths
    levels = vis.receptive_field_paths([("conv", 3, 1, 1, 0)] * 2, unit=0)
    assert levels[0] == {0: 1, 1: 2, 2: 3, 3: 2, 4: 1}
    assert levels[-1] == {0: 1}
    # the span agrees with arithmetic.receptive_field, padding included
    layers = [("conv", 3, 1, 1, 1), ("pool", 2, 0, 2), ("conv", 3, 1, 2, 0, 2)]
    row = arithmetic.receptive_field(layers)[-1]
    for unit in (0, 3):
        field = vis.receptive_field_paths(layers, unit)[0]
        assert (min(field), max(field)) == row.span(unit)


def test_receptive_field_figure_titles_the_numbers():
    fig = vis.receptive_field_figure([("conv", 3, 1, 1, 1)] * 3)
    _titled_and_labelled(fig)
    assert "r = 7" in fig.axes[0].get_title()


def test_budget_and_score_map_figures():
    fig = vis.budget_figure(specs.parse(specs.VGG16).budget(), "VGG-16")
    _titled_and_labelled(fig)
    assert "138,357,544" in fig.axes[1].get_title()
    fig = vis.score_map_figure(np.zeros((22, 18)), np.arange(12.0).reshape(4, 3), 10, 4)
    _titled_and_labelled(fig)
    assert "4x3 crops" in fig.axes[0].get_title()


# ----------------------------------------------------------------- widgets
def test_rf_view_over_every_slider_combination():
    drawn = described = 0
    for values in itertools.product(*widgets.RF_RANGES.values(), widgets.RF_SCHEDULES):
        settings = dict(zip(list(widgets.RF_RANGES) + ["schedule"], values))
        view = widgets.rf_view(**settings)  # must never raise
        assert view.text and view.html
        n, F, S, d, schedule = values
        dils = [2 ** i for i in range(n)] if schedule == widgets.RF_SCHEDULES[1] else [d] * n
        # closed form: r = 1 + sum (F_eff - 1) * S^(l-1)
        want = 1 + sum((F + (F - 1) * (dl - 1) - 1) * S ** i for i, dl in enumerate(dils))
        assert view.size == want
        assert f"= {want}" in view.text
        if view.valid:
            drawn += 1
            assert len(view.layers) == n and want <= widgets.RF_MAX_DRAWN
        else:
            described += 1
            assert "too wide to draw" in view.text and want > widgets.RF_MAX_DRAWN
    assert drawn and described


def test_rf_view_draws_a_few_settings():
    for settings in [dict(layers=1, F=1, S=1), dict(layers=6, F=3, S=1, schedule=widgets.RF_SCHEDULES[1]),
                     dict(layers=4, F=3, S=2, dilation=2)]:
        view = widgets.rf_view(**settings)
        assert view.valid
        vis.receptive_field_figure(view.layers)
    assert not widgets.rf_view(schedule="sometimes").valid


def test_budget_view_over_every_slider_combination():
    # the number type only scales the bytes (tested below), so float32 stands for both
    choices = {k: v for k, v in widgets.BUDGET_CHOICES.items() if k != "dtype"}
    keys = list(widgets.BUDGET_RANGES) + list(choices)
    valid = invalid = 0
    for values in itertools.product(*widgets.BUDGET_RANGES.values(), *choices.values()):
        settings = dict(zip(keys, values))
        view = widgets.budget_view(**settings)  # must never raise
        assert view.spec.startswith(f"INPUT({settings['input_size']}x")
        if view.valid:
            valid += 1
            assert f"{view.budget.params:,}" in view.text
        else:
            invalid += 1
            # only inputs that cannot be halved M times fail, and the caret shows where
            size, M = settings["input_size"], settings["M"]
            assert size % 2 ** M, settings
            assert "^" in view.text and "POOL2" in view.text
    assert valid and invalid


def test_budget_view_sizes_and_messages():
    view = widgets.budget_view(spec="INPUT(32x32x3) -> CONV3-8 -> RELU -> POOL2 -> FC-10")
    assert view.valid
    assert view.budget.weights == 3 * 3 * 3 * 8 + 16 * 16 * 8 * 10
    float64 = widgets.budget_view(spec=view.spec, dtype="float64")
    assert float64.budget.forward_bytes == 2 * view.budget.forward_bytes
    bad = widgets.budget_view(spec="INPUT(32x32x3) -> CONV3-8 RELU")
    assert not bad.valid and "Expected '->'" in bad.text and "^^^^" in bad.text
    assert "Expected &#x27;-&gt;&#x27;" in bad.html  # escaped for the HTML widget


def test_widgets_build_and_react():
    pytest.importorskip("ipywidgets")
    box = widgets.rf_explorer()
    sliders = {c.description: c for c in box.children[0].children[0].children}
    text = box.children[1]
    assert "= 7" in text.value
    sliders["stride S"].value = 2
    assert "= 15" in text.value
    calc = widgets.budget_calculator()
    controls = {c.description: c for col in calc.children[0].children for c in col.children}
    assert "314,922" in calc.children[1].value
    controls["input size"].value = 28
    assert "7.5" not in calc.children[1].value  # 28 -> 14 -> 7 -> 3.5: a message with a caret
    assert "3.5" in calc.children[1].value and "^" in calc.children[1].value
