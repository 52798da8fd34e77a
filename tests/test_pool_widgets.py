"""The pooling explorer and the pooling figures: every slider combination, and the wiring."""
import itertools

import numpy as np

from cs231n_lib import arithmetic, layers, vis, widgets


def all_settings():
    for W, F, S in itertools.product(*widgets.POOL_RANGES.values()):
        for kind in widgets.POOL_KINDS:
            yield dict(W=W, F=F, S=S, kind=kind)


def test_pool_view_gives_the_pooled_input_or_a_message_for_every_combination():
    valid = invalid = 0
    for setting in all_settings():
        view = widgets.pool_view(**setting)  # must never raise
        W, F, S, kind = setting.values()
        if view.valid:
            valid += 1
            n = arithmetic.pool_output_size(W, F, S)
            assert view.output.shape == (n, n)
            x = widgets.pool_explorer_input(W)[None, None]
            want, _ = getattr(layers, f"{kind}_pool_forward_naive")(x, {"pool_height": F, "pool_width": F, "stride": S})
            np.testing.assert_allclose(view.output, want[0, 0])
            assert f"({W} - {F})/{S} + 1 = {n}" in view.text
            if kind == "max":  # the switch points at a number equal to the window's maximum
                i, j = n - 1, n - 1
                k = int(view.switches[i, j])
                assert x[0, 0, i * S + k // F, j * S + k % F] == view.output[i, j]
            else:
                assert view.switches is None
            assert "&lt;" not in view.text and "<div" in view.html
        else:
            invalid += 1
            assert "Invalid setting" in view.html and view.output is None
    assert valid and invalid
    assert valid + invalid == 11 * 4 * 4 * 3


def test_render_draws_a_sample_of_valid_settings_and_skips_invalid_ones():
    fig, axes = vis.pool_explorer_axes()
    for W, F, S in [(8, 2, 2), (7, 3, 2), (12, 4, 4), (9, 1, 4), (2, 2, 1)]:
        for kind in widgets.POOL_KINDS:
            view = widgets.render_pool_explorer(axes, W, F, S, kind)
            assert view.valid
            n = arithmetic.pool_output_size(W, F, S)
            assert axes[1].get_title().endswith(f"output {n}x{n}")
            assert all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    view = widgets.render_pool_explorer(axes, 8, 3, 2, "max")
    assert not view.valid and "(8 - 3)/2 + 1 = 3.5" in view.text


def test_pool_view_rejects_an_unknown_kind_without_raising():
    view = widgets.pool_view(8, 2, 2, "median")
    assert not view.valid and "kind must be one of" in view.text


def test_pool_explorer_wiring_builds_and_updates():
    import ipywidgets

    box = widgets.pool_explorer(W=8, F=2, S=2, kind="max")
    assert isinstance(box, ipywidgets.VBox)
    sliders = [c for c in box.children[0].children[0].children if isinstance(c, ipywidgets.IntSlider)]
    text = box.children[1]
    assert "(8 - 2)/2 + 1 = 4" in text.value
    sliders[1].value = 3  # F = 3 at stride 2 on 8: invalid
    assert "Invalid setting" in text.value
    sliders[0].value = 9  # W = 9: (9 - 3)/2 + 1 = 4
    assert "(9 - 3)/2 + 1 = 4" in text.value


def test_pooling_figures_have_titles_and_labelled_axes():
    x = np.arange(16.0).reshape(4, 4)
    out, cache = layers.max_pool_forward_naive(x[None, None], {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = layers.max_pool_backward_naive(np.ones_like(out), cache)
    figures = [
        vis.pool_example_figure(x, {"max": out[0, 0]}, 2, 2),
        vis.pool_switches_figure(x, cache[2][0, 0], np.ones((2, 2)), dx[0, 0], 2, 2),
        vis.image_row_figure({"a": x, "b": out[0, 0]}),
        vis.pool_explorer_figure(x, out[0, 0], 2, 2, "max"),
    ]
    for fig in figures:
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_image_row_figure_shares_one_colour_scale_when_asked():
    a, b = np.zeros((4, 4)), np.full((2, 2), 0.5)
    fig = vis.image_row_figure({"a": a, "b": b}, vmin=0, vmax=2)
    assert [ax.images[0].get_clim() for ax in fig.axes] == [(0, 2), (0, 2)]
    fig = vis.image_row_figure({"a": a + np.eye(4), "b": b})
    assert fig.axes[0].images[0].get_clim() == (0, 1)
    assert fig.axes[1].get_title() == "b\n2x2"


def test_explorer_fills_the_winner_of_each_outlined_window():
    fig, axes = vis.pool_explorer_axes()
    view = widgets.render_pool_explorer(axes, 4, 2, 2, "max")
    x = widgets.pool_explorer_input(4)
    filled = [p for p in axes[0].collections[0].get_facecolors() if tuple(p) != (1.0, 1.0, 1.0, 1.0)]
    assert len(filled) == 4  # one winner per window
    widgets.render_pool_explorer(axes, 4, 2, 2, "avg")
    filled = [p for p in axes[0].collections[0].get_facecolors() if tuple(p) != (1.0, 1.0, 1.0, 1.0)]
    assert filled == [] and x.shape == (4, 4) and view.valid
