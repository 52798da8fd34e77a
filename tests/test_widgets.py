"""The conv explorer: its update over every slider combination, and its wiring."""
import itertools

import pytest

from cs231n_lib import arithmetic, vis, widgets


def all_settings():
    keys = list(widgets.CONV_RANGES)
    for values in itertools.product(*widgets.CONV_RANGES.values()):
        yield dict(zip(keys, values))


def test_update_yields_a_figure_or_a_message_for_every_combination():
    fig, axes = vis.conv_explorer_axes()
    drawn = explained = 0
    for setting in all_settings():
        view = widgets.render_conv_explorer(axes, **setting)  # must never raise
        if view.valid:
            drawn += 1
            assert view.output == arithmetic.conv_output_size(**setting)
            # the drawing shows this setting: the 1-D title names its output size
            assert axes[0].get_title().endswith(f"output size {view.output}")
            assert axes[2].get_title() == f"output {view.output}x{view.output}"
        else:
            explained += 1
            assert "Invalid setting" in view.html and view.output is None and view.text
    assert drawn and explained
    assert drawn + explained == 16 * 7 * 4 * 4 * 3


def test_text_panel_for_every_depth_and_filter_count():
    for setting in all_settings():
        for D_in, K in itertools.product(*widgets.CONV_CHOICES.values()):
            view = widgets.conv_view(**setting, D_in=D_in, K=K)
            if view.valid:
                F = setting["F"]
                assert f"= {F * F * D_in * K + K:,}" in view.html


def test_text_panel_shows_the_numbers():
    view = widgets.conv_view(W=7, F=3, S=2, P=0, dilation=1, D_in=3, K=8)
    assert view.valid and view.output == 3
    assert "(7 - 3 + 2*0)/2 + 1 = 3" in view.html
    assert "3*3*3*8 weights + 8 biases = 224" in view.html
    dilated = widgets.conv_view(W=7, F=3, S=1, P=0, dilation=2)
    assert "F_eff = F + (F-1)(dilation-1) = 3 + 2*1 = 5" in dilated.html
    bad = widgets.conv_view(W=10, F=3, S=2, P=0)
    assert not bad.valid and "4.5" in bad.html and "Nearest valid settings" in bad.html


def test_explorer_widget_builds_and_reacts():
    pytest.importorskip("ipywidgets")
    box = widgets.conv_explorer(W=7, F=3, S=2, P=0)
    sliders = {c.description: c for c in box.children[0].children[0].children}
    text = box.children[1]
    assert "(7 - 3 + 2*0)/2 + 1 = 3" in text.value
    sliders["input size W"].value = 10  # (10 - 3)/2 + 1 = 4.5: invalid
    assert "Invalid setting" in text.value and "4.5" in text.value
    sliders["padding P"].value = 1
    sliders["input size W"].value = 9   # (9 - 3 + 2)/2 + 1 = 5
    assert "(9 - 3 + 2*1)/2 + 1 = 5" in text.value
