"""Issue 25's wiring of every explorer (widgets._base): a picture is drawn once per setting and
kept, a change that moves only the text sends no picture, an invalid setting removes the picture,
a change that arrives while a picture is being drawn supersedes it, sliders update while dragged,
an error while drawing is shown in the panel.  And the fast renderer (widgets._render): the same
pixels as matplotlib's Agg, a PNG any decoder reads back exactly.

Runs under ipywidgets 8 here and under Colab's ipywidgets 7.7.1 in tests/test_widget_versions.py.
"""
import html
import io
import threading
import time

import numpy as np
import pytest

from cs231n_lib import vis, widgets
from cs231n_lib.widgets import _base, _render

ipywidgets = pytest.importorskip("ipywidgets")


def text_panel(box):
    return next(c for c in box.children if isinstance(c, ipywidgets.HTML)).value


def pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))


# ------------------------------------------------------------------ one BLAS thread per update
def test_every_update_runs_with_one_blas_thread_and_gives_the_threads_back():
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    seen = []

    def render(value):
        seen.append(blas_threads())
        return _base._view_html(True, f"value {value}"), None

    slider = ipywidgets.IntSlider(value=1, min=0, max=9)
    with threadpool_limits(limits=2, user_api="blas"):      # as on a 2-core machine, whatever this one has
        assert blas_threads() == {2}
        _base._wire({"value": slider}, render)
        slider.value = 5
        assert blas_threads() == {2}                         # given back after the update
    assert seen and all(threads == {1} for threads in seen)


# ------------------------------------------------------------------ one picture per setting
def test_a_picture_is_drawn_once_per_setting_and_kept():
    box = widgets.conv_explorer(W=7, F=3, S=2, P=0)
    state, controls = box._state, box._controls
    assert state["drawn"] == 1 and state["key"] == (7, 3, 2, 0, 1)
    first = state["png"]
    controls["W"].value = 9          # (9 - 3)/2 + 1 = 4: a new picture
    assert state["drawn"] == 2 and state["key"] == (9, 3, 2, 0, 1) and state["png"] != first
    controls["W"].value = 7          # back: the kept picture, nothing drawn
    assert state["drawn"] == 2 and state["png"] is first
    assert "(7 - 3 + 2*0)/2 + 1 = 3" in text_panel(box)


def test_a_change_of_the_text_alone_sends_no_picture():
    box = widgets.conv_explorer(W=7, F=3, S=2, P=0)
    state, controls = box._state, box._controls
    picture = next(c for c in box.children if isinstance(c, ipywidgets.Output))
    shown = state["png"]
    sent = []
    picture.clear_output = lambda *a, **k: sent.append("cleared")  # the picture's messages, counted
    controls["D_in"].value = 64      # parameters change, the geometry does not
    controls["K"].value = 96
    assert "3*3*64*96 weights + 96 biases = 55,392" in text_panel(box)
    assert sent == [] and state["png"] is shown and state["drawn"] == 1


def test_an_invalid_setting_removes_the_picture_and_explains_itself():
    box = widgets.pool_explorer(W=8, F=2, S=2)
    state, controls = box._state, box._controls
    assert state["png"] is not None
    controls["F"].value = 3          # (8 - 3)/2 + 1 = 3.5
    assert state["png"] is None and state["key"] is None
    assert "Invalid setting" in text_panel(box) and "(8 - 3)/2 + 1 = 3.5" in text_panel(box)
    controls["W"].value = 9          # (9 - 3)/2 + 1 = 4: drawn again
    assert state["png"] is not None and state["key"] == (9, 3, 2, "max")


def test_the_photo_explorer_keys_its_picture_by_every_control():
    box = widgets.photo_filter_explorer()
    state, controls = box._state, box._controls
    keys = {state["key"]}
    for key, value in (("stride", 2), ("filter_name", "sharpen"), ("photo", "coins"), ("dilation", 2), ("pad", 3)):
        controls[key].value = value
        assert state["key"] not in keys, key
        keys.add(state["key"])
    assert state["drawn"] == 6


def test_a_dilation_the_schedule_ignores_draws_nothing():
    box = widgets.rf_explorer(layers=3, schedule=widgets.RF_SCHEDULES[1])
    state = box._state
    drawn = state["drawn"]
    box._controls["dilation"].value = 3   # ignored: the dilations double from 1
    assert state["drawn"] == drawn and "(3-1)*1 + (5-1)*1 + (9-1)*1 = 15" in text_panel(box)


# ------------------------------------------------------------------ live while dragging
CONTINUOUS = {
    "conv": (lambda: widgets.conv_explorer(), ["W", "F", "S", "P", "dilation"]),
    "photo": (lambda: widgets.photo_filter_explorer(), ["stride", "pad", "dilation"]),
    "pool": (lambda: widgets.pool_explorer(), ["W", "F", "S"]),
    "rf": (lambda: widgets.rf_explorer(), ["layers", "F", "S", "dilation"]),
    "occlusion": (lambda: widgets.occlusion_explorer(), ["index", "size", "stride"]),
    "class_model": (lambda: widgets.class_model_explorer(steps=5), ["steps"]),
}


@pytest.mark.parametrize("name", list(CONTINUOUS))
def test_every_slider_updates_while_dragged(name):
    make, sliders = CONTINUOUS[name]
    box = make()
    for key, control in box._controls.items():
        if isinstance(control, ipywidgets.IntSlider):
            assert control.continuous_update, (name, key)
    assert sorted(k for k, c in box._controls.items() if isinstance(c, ipywidgets.IntSlider)) == sorted(sliders)


def test_the_budget_calculator_has_no_picture_and_updates_on_release():
    box = widgets.budget_calculator()
    assert box._state["png"] is None
    assert not any(c.continuous_update for c in box._controls.values() if isinstance(c, ipywidgets.IntSlider))


# ------------------------------------------------------------------ a newer change supersedes
class Control:
    def __init__(self, value):
        self.value = value


def test_a_change_arriving_while_drawing_supersedes_the_drawing():
    """Two callbacks at once (ipykernel 7 runs widget messages in threads): the one drawing sees
    superseded() turn true when the second arrives, and the second shows the controls' values."""
    controls = {"x": Control(1)}
    started, release = threading.Event(), threading.Event()
    seen = []

    def update(superseded, x):
        seen.append(("start", x))
        if len(seen) == 1:
            started.set()
            release.wait(10)
        seen.append(("end", x, superseded()))

    callback = _base._latest_only(update, controls)
    first = threading.Thread(target=callback)
    first.start()
    assert started.wait(10)
    controls["x"].value = 2
    second = threading.Thread(target=callback)
    second.start()
    time.sleep(0.2)  # the second waits for the first
    release.set()
    first.join(10)
    second.join(10)
    assert seen == [("start", 1), ("end", 1, True), ("start", 2), ("end", 2, False)]


def test_changes_queued_behind_a_drawing_are_merged_into_the_last():
    controls = {"x": Control(1)}
    started, release = threading.Event(), threading.Event()
    seen = []

    def update(superseded, x):
        seen.append(x)
        if len(seen) == 1:
            started.set()
            release.wait(10)

    callback = _base._latest_only(update, controls)
    threads = [threading.Thread(target=callback)]
    threads[0].start()
    assert started.wait(10)
    for value in (2, 3, 4):  # three more changes while the first draws
        controls["x"].value = value
        threads.append(threading.Thread(target=callback))
        threads[-1].start()
        time.sleep(0.05)
    release.set()
    for t in threads:
        t.join(10)
    assert seen == [1, 4]  # the stale ones (2, 3) never draw


def test_a_superseded_drawing_is_not_sent():
    """_wire: a drawing that learns it is superseded stops before its PNG; the next one is shown."""
    import ipywidgets as w

    slider = w.IntSlider(value=1, min=0, max=9)
    calls = []
    fig, ax = vis.pool_explorer_axes()

    def render(x):
        def draw():
            calls.append(x)
            if x == 2:  # a newer change arrives while this picture is drawn
                slider.value = 3
            return fig
        return f"x = {x}", _base.Drawing(x, draw)

    text, picture, wiring, state = _base._wire({"x": slider}, render)
    assert state["key"] == 1
    slider.value = 2
    assert calls == [1, 2, 3] and state["key"] == 3 and text.value == "x = 3"
    assert 2 not in (state["key"],) and state["drawn"] == 2  # 1 and 3 became PNGs, 2 did not


def test_an_error_while_drawing_is_shown_in_the_panel():
    import ipywidgets as w

    slider = w.IntSlider(value=1)

    def render(x):
        def draw():
            if x == 2:
                raise RuntimeError("boom")
            return vis.pool_explorer_axes()[0]
        return f"x = {x}", _base.Drawing(x, draw)

    text, picture, wiring, state = _base._wire({"x": slider}, render)
    assert state["png"] is not None
    slider.value = 2
    assert "unexpected error while drawing: RuntimeError('boom')" in html.unescape(text.value) and state["png"] is None
    slider.value = 1
    assert text.value == "x = 1" and state["png"] is not None


# ------------------------------------------------------------------ the fast renderer
def agg_pixels(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_the_fast_renderer_draws_what_agg_draws():
    """Explorer figures drawn through the caches (filled by other settings first, so that texts
    and glyphs come from them) are, pixel for pixel, what plain Agg draws."""
    fig, axes = vis.conv_explorer_axes()
    for setting in [(7, 3, 2, 0), (9, 3, 2, 1), (16, 7, 1, 3), (13, 5, 2, 2), (9, 3, 2, 1)]:
        widgets.render_conv_explorer(axes, *setting)
        assert np.array_equal(pixels(_render.figure_png(fig)), agg_pixels(fig)[..., :3]), setting
    fig, axes = vis.receptive_field_axes()
    for n, F, S in [(3, 3, 1), (5, 2, 2), (2, 7, 3), (3, 3, 1)]:
        vis.draw_receptive_field(axes, widgets.rf_view(n, F, S).layers)
        assert np.array_equal(pixels(_render.figure_png(fig)), agg_pixels(fig)[..., :3]), (n, F, S)


def test_the_caches_are_used_where_matplotlib_allows_them():
    """On the matplotlib whose text rendering the caches rebuild (3.11: the tests' environment),
    both are on and hold what was drawn; elsewhere (Colab's 3.10) the canvas draws as plain Agg."""
    import matplotlib

    fig, axes = vis.pool_explorer_axes()
    widgets.render_pool_explorer(axes, 8, 2, 2)
    _render.figure_png(fig)
    renderer = fig.canvas.get_renderer()
    version = tuple(int(v) for v in matplotlib.__version__.split(".")[:2])
    assert renderer.cache_texts == _render.text_cache_works()
    assert renderer.cache_glyphs == (renderer.cache_texts and _render.glyph_cache_works())
    if version >= (3, 11):
        assert renderer.cache_texts and renderer.cache_glyphs
        assert len(_render._glyphs) > 50 and len(_render._glyph_bitmaps) > 20


def test_the_self_check_rejects_a_wrong_cache(monkeypatch):
    """The check that turns the caches on can fail: a cache that puts glyphs one pixel off."""
    real = _render._Recorder.draw_text_image

    def off_by_one(self, image, *args):
        if len(args) == 4:
            args = (args[0] + 1,) + args[1:]
        return real(self, image, *args)

    monkeypatch.setattr(_render._Recorder, "draw_text_image", off_by_one)
    _render._glyphs.clear()
    try:
        assert _render.text_cache_works.__wrapped__() is False
    finally:
        _render._glyphs.clear()


@pytest.mark.parametrize("shape, opaque", [((7, 5), False), ((3, 4), True), ((1, 1), False), ((31, 17), True)])
def test_the_png_encoder_round_trips(shape, opaque):
    from PIL import Image

    rgba = np.random.default_rng(0).integers(0, 256, size=shape + (4,), dtype=np.uint8)
    if opaque:
        rgba[..., 3] = 255
    image = Image.open(io.BytesIO(_render.png_bytes(rgba)))
    assert image.mode == ("RGB" if opaque else "RGBA")
    assert np.array_equal(np.asarray(image.convert("RGBA")), rgba)
