"""Notebook 07's class-model explorer: the view function against a direct computation, every input
answered without an exception, controls that hold exactly what they are given, the wiring, and the
static fallback.  Runs under ipywidgets 8 here and under Colab's 7.7.1 in test_widget_versions.py."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from cs231n_lib import gradients, pretrained, widgets

ipywidgets = pytest.importorskip("ipywidgets")


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def raw_panel(box):
    return next(c for c in box.children if isinstance(c, ipywidgets.HTML)).value


def text_panel(box):
    """The explorer's text panel, as the browser shows it (HTML entities decoded)."""
    import html

    return html.unescape(next(c for c in box.children if isinstance(c, ipywidgets.HTML)).value)


def test_the_view_shows_the_class_model_computed_directly():
    view = widgets.class_model_view("shapes: ring", 1e-3, 37)
    assert view.valid and view.target == 4 and view.class_names[4] == "ring"
    net = pretrained.load_pretrained("shapes_convnet")
    direct = gradients.class_model(net, [4], steps=37, reg=1e-3)   # a run of exactly 37 steps
    assert np.array_equal(view.image, direct.images[0])
    probs = np.exp(net.loss(direct.images).astype(np.float64))[0]
    probs /= probs.sum()
    assert np.allclose(view.probabilities, probs, atol=1e-6)
    assert f"p(ring) = {probs[4]:.3f}" in view.text
    assert "reg = 0.001" in view.text and "step 37 of the run" in view.text


def test_mnist_targets_keep_the_channels_equal():
    view = widgets.class_model_view("MNIST: 7", 0.1, 20)
    assert view.valid and view.class_names[view.target] == "7"
    assert np.array_equal(view.image[0], view.image[1]) and "grey digits" in view.text
    assert "(mnist_convnet)" in view.text


def test_a_longer_run_starts_with_the_shorter_one():
    short = widgets.class_model_view("shapes: star", 1e-2, 10).image
    widgets.class_model_view("shapes: star", 1e-2, 250)       # replaces the cached run by a longer one
    assert np.array_equal(widgets.class_model_view("shapes: star", 1e-2, 10).image, short)


def test_a_new_class_runs_only_as_far_as_the_slider_and_a_longer_run_doubles():
    from cs231n_lib.widgets import gradients as explorer

    explorer._RUNS.clear()
    widgets.class_model_view("shapes: cross", 0.1, 40)
    run_length = lambda: int(explorer._RUNS[("shapes", 3, 0.1)].snapshot_steps[-1])  # noqa: E731
    assert run_length() == 40                                   # not a minimum of 100
    widgets.class_model_view("shapes: cross", 0.1, 41)
    assert run_length() == 80                                   # at least twice the last run
    widgets.class_model_view("shapes: cross", 0.1, 75)
    assert run_length() == 80                                   # inside the run: looked up
    widgets.class_model_view("shapes: cross", 0.1, 300)
    assert run_length() == 300                                  # farther than twice: as far as asked
    # whatever run answers, step 41 is step 41 of a direct run of 41 steps
    net = pretrained.load_pretrained("shapes_convnet")
    direct = gradients.class_model(net, [3], steps=41, reg=0.1)   # class 3: cross
    assert np.array_equal(widgets.class_model_view("shapes: cross", 0.1, 41).image, direct.images[0])


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(target="shapes: blob"), "one of the menu's classes"),
    (dict(target=3), "one of the menu's classes"),
    (dict(steps=-1), "steps"),
    (dict(steps=2.5), "steps"),
    (dict(steps="10"), "steps"),
    (dict(steps=True), "steps"),
    (dict(steps=10 ** 6), f"at most {widgets.CLASS_MODEL_MAX_STEPS} steps"),
    (dict(reg=-1.0), "reg must be a number >= 0"),
    (dict(reg="0.1"), "reg must be a number >= 0"),
    (dict(reg=float("nan")), "reg must be a number >= 0"),
])
def test_the_view_never_raises_and_says_why(kwargs, fragment):
    import time

    start = time.perf_counter()
    view = widgets.class_model_view(**{**dict(target="shapes: disc", reg=1e-3, steps=5), **kwargs})
    assert time.perf_counter() - start < 5
    assert not view.valid and fragment in view.text and view.image is None
    assert "Invalid" in view.html or "color:#a00" in view.html


def test_the_menu_lists_every_class_of_both_nets_and_starts_blank():
    targets = widgets.class_model_targets()
    assert len(targets) == 20 and targets[0] == "shapes: disc" and targets[-1] == "MNIST: 9"
    for target in ("shapes: disc", "shapes: stripes", "MNIST: 0", "MNIST: 9"):
        view = widgets.class_model_view(target, 0.0, 0)
        assert view.valid and np.all(view.image == 0.5)  # the blank image


@pytest.mark.parametrize("steps", [0, 301])
def test_the_explorer_shows_every_step_count_exactly(steps):
    box = widgets.class_model_explorer(target="shapes: bar", reg=1e-3, steps=steps)
    assert box._controls["steps"].value == steps
    assert raw_panel(box) == widgets.class_model_view("shapes: bar", 1e-3, steps).html


def test_the_explorer_shows_a_count_beyond_its_limit_as_invalid():
    box = widgets.class_model_explorer(steps=10 ** 6)
    assert box._controls["steps"].value == 10 ** 6 and "at most" in text_panel(box)


@pytest.mark.parametrize("kwargs, name", [
    (dict(steps=2.5), "steps"), (dict(steps="3"), "steps"), (dict(steps=True), "steps"),
    (dict(target="shapes: blob"), "target"), (dict(reg=0.5), "reg"),
])
def test_the_explorer_refuses_a_value_no_control_can_hold(kwargs, name):
    with pytest.raises(ValueError) as info:
        widgets.class_model_explorer(**kwargs)
    assert name in str(info.value)


def test_the_explorer_updates_when_a_control_moves():
    box = widgets.class_model_explorer(target="shapes: disc", reg=1e-3, steps=20)
    assert "step 20 of the run" in text_panel(box)
    box._controls["steps"].value = 30
    assert "step 30 of the run" in text_panel(box)
    box._controls["target"].value = "MNIST: 3"
    assert "class model of '3' (mnist_convnet)" in text_panel(box)
    box._controls["reg"].value = 0.1
    assert "reg = 0.1" in text_panel(box)
    assert raw_panel(box) == widgets.class_model_view("MNIST: 3", 0.1, 30).html


def test_the_explorer_carries_a_static_fallback():
    import base64

    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    box = widgets.class_model_explorer(target="shapes: cross", reg=1e-3, steps=25)
    with capture_output() as captured:
        display(box)
    data = captured.outputs[0].data
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "a static copy" in data["text/plain"] and "class = shapes: cross" in data["text/plain"]
    assert "step 25 of the run" in data["text/plain"]
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_the_explorer_figure_is_titled_and_labelled():
    from cs231n_lib import vis

    fig, axes = vis.class_model_explorer_axes()
    view = widgets.class_model_view("shapes: frame", 1e-3, 5)
    vis.draw_class_model_explorer(axes, view.image, view.probabilities, view.class_names, view.target, "frame")
    for ax in fig.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    bars = axes[1].patches
    assert len(bars) == 10 and bars[view.target].get_height() == pytest.approx(view.probabilities[view.target])


def test_the_same_setting_draws_the_same_picture():
    """The browser test returns to the first setting and expects the first picture, byte for byte."""
    import io

    from cs231n_lib import vis

    fig, axes = vis.class_model_explorer_axes()

    def png(target, reg, steps):
        view = widgets.class_model_view(target, reg, steps)
        vis.draw_class_model_explorer(axes, view.image, view.probabilities, view.class_names, view.target, target)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()

    first = png("shapes: ring", 1e-3, 20)
    png("MNIST: 7", 0.1, 20)
    assert png("shapes: ring", 1e-3, 20) == first
