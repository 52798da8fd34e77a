"""Notebook 06's occlusion explorer and figures: the view against the library and by hand, values
outside the sliders, wrong types, the wiring, the static fallback, titles and labels on every figure.

Runs under ipywidgets 8 here and under Colab's 7.7.1 in tests/test_widget_versions.py.
"""
import re

import numpy as np
import pytest

from cs231n_lib import understanding, vis, widgets

ipywidgets = pytest.importorskip("ipywidgets")

FIRST = dict(index=0, size=8, stride=4, fill=0.5, case="clean")


def text_panel(box):
    return next(c for c in box.children if isinstance(c, ipywidgets.HTML)).value


@pytest.mark.parametrize("case", ["clean", "cue"])
def test_the_view_is_the_librarys_occlusion_map_with_the_formula_by_hand(case):
    net, X, y, masks, names = widgets.occlusion_case(case)
    view = widgets.occlusion_view(3, 8, 4, 0.5, case)
    assert view.valid
    np.testing.assert_allclose(view.pmap, understanding.occlusion_map(net, X[3], y[3], 8, 4, 0.5))
    # (32 - 8)/4 + 1 = 7 positions per side, 49 copies
    assert "positions: (32 - 8)/4 + 1 = 7 per side, 49 occluded copies" in view.text
    assert f"image 3: a {names[y[3]]}" in view.text
    assert view.minimum == tuple(understanding.minimum_centres(view.pmap, 8, 4)[0])
    assert (view.inside and "on the object" in view.text) or (not view.inside and "off the object" in view.text)
    assert ("corner mark" in view.text) == (case == "cue")


def test_every_slider_combination_gives_a_map_or_a_message():
    valid = invalid = 0
    for size in widgets.OCCLUSION_RANGES["size"]:
        for stride in widgets.OCCLUSION_RANGES["stride"]:
            view = widgets.occlusion_view(1, size, stride, 0.0)
            if (32 - size) % stride == 0:
                valid += 1
                side = (32 - size) // stride + 1
                assert view.valid and view.pmap.shape == (side, side)
                assert f"({32} - {size})/{stride} + 1 = {side} per side" in view.text
            else:
                invalid += 1
                assert not view.valid and "Invalid setting" in view.html and view.pmap is None
                assert f"(32 - {size})/{stride} + 1 = " in view.text and "patch slides" in view.text
    assert valid and invalid


@pytest.mark.parametrize("arg", ["index", "size", "stride"])
@pytest.mark.parametrize("value", [0, -1, 20, 33, 227, 10 ** 6])
def test_the_view_never_raises_for_any_integer(arg, value):
    view = widgets.occlusion_view(**{**FIRST, arg: value})
    assert view.text and isinstance(view.valid, bool) and "unexpected error" not in view.text


@pytest.mark.parametrize("arg", ["index", "size", "stride"])
@pytest.mark.parametrize("value", [2.5, "3", None, True, [3]], ids=repr)
def test_the_view_explains_a_wrong_type(arg, value):
    view = widgets.occlusion_view(**{**FIRST, arg: value})
    assert not view.valid and re.search(r"must be an integer|boolean", view.text), view.text


@pytest.mark.parametrize("arg, value", [("fill", 0.25), ("fill", "grey"), ("fill", True), ("case", "dirty")])
def test_an_unknown_fill_or_case_is_explained(arg, value):
    view = widgets.occlusion_view(**{**FIRST, arg: value})
    assert not view.valid and "must be one of" in view.text


@pytest.mark.parametrize("arg", ["index", "size", "stride"])
@pytest.mark.parametrize("value", [0, 25, 227])
def test_the_explorer_shows_every_integer_exactly(arg, value):
    box = widgets.occlusion_explorer(**{**FIRST, arg: value})
    assert box._controls[arg].value == value
    assert text_panel(box) == widgets.occlusion_view(**{**FIRST, arg: value}).html


@pytest.mark.parametrize("arg, value, message", [
    ("size", 2.5, "integer"), ("index", "3", "integer"), ("stride", True, "boolean"),
    ("fill", 0.25, r"must be one of \("), ("fill", True, "boolean"), ("case", "dirty", r"must be one of \("),
])
def test_the_explorer_refuses_a_value_no_control_can_hold(arg, value, message):
    with pytest.raises(ValueError, match=message):
        widgets.occlusion_explorer(**{**FIRST, arg: value})


def test_the_wiring_updates_the_panel_and_the_fallback():
    box = widgets.occlusion_explorer()
    assert "(32 - 8)/4 + 1 = 7" in text_panel(box)
    box._controls["stride"].value = 2
    assert "(32 - 8)/2 + 1 = 13 per side, 169 occluded copies" in text_panel(box)
    box._controls["case"].value = "cue"
    assert "corner mark" in text_panel(box)
    box._controls["stride"].value = 5
    assert "Invalid setting" in text_panel(box) and "(32 - 8)/5 + 1 = 5.8" in text_panel(box)
    bundle = box._fallback()
    assert "Invalid setting" in bundle["text/plain"] and "image/png" not in bundle
    box._controls["stride"].value = 8
    bundle = box._fallback()
    assert "(32 - 8)/8 + 1 = 4" in bundle["text/plain"] and bundle["image/png"]


def _titled_and_labelled(fig):
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        assert ax.get_title() or ax.get_xlabel() or ax.get_ylabel(), ax


def test_every_figure_has_titles_and_labelled_axes():
    from cs231n_lib.recipes import shapes_convnet

    net = shapes_convnet.build(seed=0)
    X = np.random.default_rng(0).random((12, 3, 32, 32)).astype(np.float32)
    y = np.arange(12) % 10
    acts = net.activations(X[:1])
    figs = [vis.activation_maps_figure(X[0], {k: v[0] for k, v in acts.items()}, "activations",
                                       highlight={"relu2": np.arange(32) == 3, "relu4": np.arange(64) < 5}),
            vis.sparsity_figure({"a": {"relu1": 0.5, "relu2": 0.6}, "b": {"relu1": 0.7, "relu2": 0.9}}, "sparsity")]
    watch = understanding.watch_training(net, X, y, X, iterations=2, every=1, batch_size=4)
    figs.append(vis.training_watch_figure({"run": watch}, "watch", total={"relu1": 16}))
    figs.append(vis.filters_figure({"a": net.params["conv1.W"].sum(axis=1)}, "filters", notes={"a": "note"}))
    figs.append(vis.filter_slices_figure(net.params["conv2.W"], [0, 3], "slices"))
    res = understanding.max_activating(net, X, "pool2", 1, k=4)
    figs.append(vis.max_activating_figure({"unit 1": (understanding.patches(X, res), res.values)}, "top",
                                          captions={"unit 1": list("abcd")}))
    figs.append(vis.max_activating_figure({"unit 1": (X[res.indices], res.values)}, "top", boxes={"unit 1": res.boxes}))
    figs.append(vis.purity_figure({"units": [0.5, 0.6], "random": [0.4]}, "purity", chance=0.3))
    E = np.random.default_rng(1).standard_normal((12, 2))
    figs.append(vis.tsne_figure({"codes": E, "pixels": -E}, y, [str(c) for c in range(10)], "tsne"))
    figs.append(vis.tsne_thumbnails_figure(understanding.thumbnail_grid(E, 3), X, "thumbnails"))
    maps = understanding.occlusion_maps(net, X[:2], y[:2], 8, 8)
    masks = np.zeros((2, 32, 32), dtype=bool)
    masks[:, 8:20, 8:20] = True
    figs.append(vis.occlusion_figure(X[:2], maps, 8, 8, ["a", "b"], "occlusion", masks,
                                     understanding.minimum_centres(maps, 8, 8)))
    fig, axes = vis.occlusion_explorer_axes()
    for n in range(2):  # drawn twice: the second drawing replaces the first
        vis.draw_occlusion_explorer(axes, X[n], maps[n], 8, 8, 0.5, masks[n],
                                    understanding.minimum_centres(maps[n], 8, 8)[0], "explorer")
    assert len(fig.axes) == 3 and len(axes[0].images) == 1
    figs.append(fig)
    for fig in figs:
        titled = [ax for ax in fig.axes if ax.get_title()]
        assert (fig._suptitle is not None and fig._suptitle.get_text()) or titled, fig
        _titled_and_labelled(fig)


def test_mosaic_places_tiles_row_by_row_with_gaps():
    tiles = np.arange(3 * 2 * 2, dtype=float).reshape(3, 2, 2)
    m = vis.mosaic(tiles, 2, gap=1)
    assert m.shape == (5, 5)
    np.testing.assert_array_equal(m[0:2, 3:5], tiles[1])
    np.testing.assert_array_equal(m[3:5, 0:2], tiles[2])
    assert np.isnan(m[2]).all() and np.isnan(m[3:5, 3:5]).all()
