"""Notebook 02's helpers: the photo explorer and its figures (the checkers are in test_checkers.py)."""
import itertools

import numpy as np
import pytest
from scipy import signal

from cs231n_lib import vis, widgets
from cs231n_lib.arithmetic import conv_output_size
from cs231n_lib.im2col import col2im, im2col


def stub(*args):
    raise NotImplementedError


# ------------------------------------------------------------- photo explorer
def test_photos_are_bundled_square_and_in_range():
    for name in widgets.PHOTOS:
        img = widgets.sample_photo(name)
        assert img.shape == (121, 121)
        assert 0.0 <= img.min() and img.max() <= 1.0 and img.std() > 0.05
    with pytest.raises(ValueError, match="brain"):
        widgets.sample_photo("brain")


def test_photo_view_over_every_slider_value_gives_a_figure_or_a_message():
    valid = invalid = 0
    for photo, name in [("camera", n) for n in widgets.PHOTO_FILTERS] + [(p, "sharpen") for p in widgets.PHOTOS]:
        kernel = np.asarray(widgets.PHOTO_FILTERS[name])
        for s, p, d in itertools.product(*widgets.PHOTO_RANGES.values()):
            view = widgets.photo_filter_view(photo, name, s, p, d)   # never raises
            try:
                expected = conv_output_size(121, kernel.shape, s, p, d)
            except ValueError:
                expected = None
            if expected is None:
                invalid += 1
                assert not view.valid and "Invalid setting" in view.html and view.out is None
                continue
            valid += 1
            assert view.valid and view.out.shape == expected
            # independent route: scipy on the padded photo, dilated kernel, sub-sampled
            dil = np.zeros((d * (kernel.shape[0] - 1) + 1, d * (kernel.shape[1] - 1) + 1))
            dil[::d, ::d] = kernel
            ref = signal.correlate2d(np.pad(view.image, p), dil, "valid")[::s, ::s]
            np.testing.assert_allclose(view.out, ref, atol=1e-12)
            assert f"= {expected[0]}" in view.html
    assert valid and invalid


def test_photo_figure_has_titles_and_labels():
    view = widgets.photo_filter_view("coins", "blur (3x3 box)", 2, 1, 1)
    fig = widgets.photo_filter_figure(view, "blur")
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert fig.axes[2].get_title() == "output 61x61"
    bad = widgets.photo_filter_view("coins", "blur (5x5 box)", 3, 0, 1)   # 116/3
    with pytest.raises(ValueError):
        widgets.photo_filter_figure(bad)


def test_photo_explorer_widget_builds_and_reacts():
    pytest.importorskip("ipywidgets")
    box = widgets.photo_filter_explorer()
    text = box.children[1]
    assert "(121 - 3 + 2*1)/1 + 1 = 121" in text.value
    sliders = {c.description: c for c in box.children[0].children[1].children}
    sliders["pad"].value = 0
    sliders["stride"].value = 4   # (121 - 3)/4 + 1 = 30.5
    assert "Invalid setting" in text.value and "30.5" in text.value


# ------------------------------------------------------------- figures
def test_im2col_figure():
    ids = np.arange(25.0).reshape(1, 1, 5, 5)
    padded = np.pad(ids[0, 0], 1, constant_values=-1)
    cols = im2col(ids + 1, 3, 3, 1, 1) - 1   # padding -> -1
    counts = col2im(np.ones_like(cols), ids.shape, 3, 3, 1, 1)[0, 0]
    fig = vis.im2col_figure(padded, cols, counts)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("X_col: 9 rows x 25 columns" in t for t in titles)
    for ax in fig.axes[:3]:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_image_grid_figure():
    fig = vis.image_grid_figure([np.zeros((3, 3)), np.ones((3, 3))], ["a", "b"], "grid", symmetric=[True, False])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        vis.image_grid_figure([np.zeros((3, 3))] * 2, ["a"], "grid")
