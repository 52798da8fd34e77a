"""Issue 25: every explorer redraws in place in a fixed layout, and draws for each setting the
picture it drew before (tests/widgets_pictures.py describes a picture by content; the references
were drawn by the explorers of commit f6ac570).

Also: a setting draws the same whatever was drawn before it (no artist left over from another
setting), the notebooks' static figures (``conv_explorer_figure``, ``photo_filter_figure``, ...)
show the same, every text of the fixed layouts lies inside the figure and clear of the others,
and the widget shows the picture of its setting (the PNG it kept or drew equals a fresh drawing).

Runs under ipywidgets 8 here and under Colab's ipywidgets 7.7.1 in tests/test_widget_versions.py.
"""
import io
import itertools
import json

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import widgets_pictures as wp
from cs231n_lib import vis, widgets

REFERENCES = wp.references()


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def attack():
    return wp.attack_setup()


def explorer_figure(name, attack=None):
    """``(fig, draw)``: the explorer's figure and ``draw(setting)``, the drawing its widget makes."""
    if name == "conv":
        fig, axes = vis.conv_explorer_axes()
        return fig, lambda s: widgets.render_conv_explorer(axes, **s)
    if name == "photo":
        fig, axes = vis.filtered_photo_axes()
        return fig, lambda s: widgets.render_photo_filter_explorer(axes, **s)
    if name == "pool":
        fig, axes = vis.pool_explorer_axes()
        return fig, lambda s: widgets.render_pool_explorer(axes, **s)
    if name == "rf":
        fig, axes = vis.receptive_field_axes()
        return fig, lambda s: vis.draw_receptive_field(axes, widgets.rf_view(**s).layers)
    if name == "occlusion":
        fig, axes = vis.occlusion_explorer_axes()
        return fig, lambda s: widgets.render_occlusion_explorer(axes, **s)
    if name == "class_model":
        fig, axes = vis.class_model_explorer_axes()

        def draw(s):
            view = widgets.class_model_view(**s)
            vis.draw_class_model_explorer(axes, view.image, view.probabilities, view.class_names, view.target,
                                          f"{s['target']}, {s['steps']} steps")

        return fig, draw
    if name == "attack":
        nets, X, y = attack
        fig, axes = vis.attack_explorer_axes()
        return fig, lambda s: widgets.render_attack_explorer(axes, nets, X, y, **s)
    raise KeyError(name)


def test_the_references_hold_every_setting_of_the_table():
    assert REFERENCES["settings"] == json.loads(json.dumps(wp.SETTINGS))
    assert REFERENCES["commit"].startswith("f6ac570")
    for name, settings in wp.SETTINGS.items():
        assert len(REFERENCES["pictures"][name]) == len(settings)


@pytest.mark.parametrize("name", list(wp.SETTINGS))
def test_each_setting_draws_the_picture_it_drew_before(name, attack):
    fig, draw = explorer_figure(name, attack)
    for setting, want in zip(wp.SETTINGS[name], REFERENCES["pictures"][name]):
        draw(setting)
        assert wp.differences(want, wp.describe(fig)) == [], setting


@pytest.mark.parametrize("name", list(wp.SETTINGS))
def test_a_setting_draws_the_same_whatever_came_before(name, attack):
    """The settings again, in the opposite order and each after the most different one: an artist
    left from another setting, or one not updated, shows as a difference."""
    fig, draw = explorer_figure(name, attack)
    settings, wanted = wp.SETTINGS[name], REFERENCES["pictures"][name]
    order = list(range(len(settings)))[::-1]
    for k in order:
        other = max(range(len(settings)), key=lambda j: len(wp.differences(wanted[k], wanted[j], limit=1000)))
        draw(settings[other])
        draw(settings[k])
        assert wp.differences(wanted[k], wp.describe(fig)) == [], (settings[other], settings[k])


def test_the_comparison_sees_a_changed_picture():
    """The comparison can fail: another setting, one colour, one tick label, one image value."""
    conv = REFERENCES["pictures"]["conv"]
    assert wp.differences(conv[0], conv[1])
    changed = json.loads(json.dumps(conv[0]))
    changed["axes"][1]["marks"][-1]["style"]["face"] = [1.0, 0.0, 0.0, 1.0]
    assert wp.differences(conv[0], changed)
    changed = json.loads(json.dumps(conv[0]))
    changed["axes"][0]["xticks"]["ticks"][1][1] = "9"
    assert wp.differences(conv[0], changed)
    digit = json.loads(json.dumps(REFERENCES["pictures"]["attack"][0]))
    image = next(m for m in digit["axes"][0]["marks"] if m.get("kind") == "image")
    values = bytearray(__import__("base64").b64decode(image["values"]))
    values[100] = (values[100] + 40) % 256
    image["values"] = __import__("base64").b64encode(bytes(values)).decode()
    assert wp.differences(REFERENCES["pictures"]["attack"][0], digit)


def test_the_notebooks_static_figures_show_the_same(attack):
    """The functions the notebooks call for a still picture draw the explorers' pictures."""
    refs = REFERENCES["pictures"]
    for k in (0, 3, 8):
        s = wp.SETTINGS["conv"][k]
        assert wp.differences(refs["conv"][k], wp.describe(vis.conv_explorer_figure(**s))) == [], s
    for k in (0, 4):
        s = wp.SETTINGS["photo"][k]
        fig = widgets.photo_filter_figure(widgets.photo_filter_view(**s), s["filter_name"])
        assert wp.differences(refs["photo"][k], wp.describe(fig)) == [], s
    for k in (1, 6):
        s = wp.SETTINGS["pool"][k]
        view = widgets.pool_view(**s)
        fig = vis.pool_explorer_figure(widgets.pool_explorer_input(s["W"]), view.output, s["F"], s["S"], s["kind"],
                                       view.switches)
        assert wp.differences(refs["pool"][k], wp.describe(fig)) == [], s
    for k in (0, 4):
        s = wp.SETTINGS["rf"][k]
        fig = vis.receptive_field_figure(widgets.rf_view(**s).layers)
        assert wp.differences(refs["rf"][k], wp.describe(fig)) == [], s


# ------------------------------------------------------------------ the fixed layouts
# Settings at the edges of each explorer's sliders: the widest tick labels and names, the longest
# titles, the most numbers (every text must stay inside the figure and clear of the others).
LAYOUT_EDGES = {
    "conv": [dict(W=W, F=F, S=S, P=P, dilation=d) for W, F, S, P, d in itertools.product(
        (1, 9, 16), (1, 3, 7), (1, 4), (0, 3), (1, 3)) if widgets.conv_view(W, F, S, P, d).drawable]
    + [dict(W=227, F=11, S=4, P=0), dict(W=250, F=3, S=1, P=3)],
    "photo": [dict(photo=p, filter_name=f, stride=s, pad=pad, dilation=d) for p, f, s, pad, d in itertools.product(
        ("camera", "chelsea"), ("blur (5x5 box)", "identity"), (1, 4), (0, 3), (1, 3))],
    "pool": [dict(W=W, F=F, S=S, kind=k) for W, F, S, k in itertools.product((2, 12, 24), (1, 2, 4), (1, 2), ("max", "l2"))
             if widgets.pool_view(W, F, S, k).drawable],
    "rf": [dict(layers=n, F=F, S=S, dilation=d, schedule=sch) for n, F, S, d, sch in itertools.product(
        (1, 3, 5, 6), (1, 2, 7), (1, 2, 3), (1, 4), widgets.RF_SCHEDULES) if widgets.rf_view(n, F, S, d, sch).valid],
    "occlusion": [dict(index=i, size=z, stride=s, fill=f, case=c) for i, z, s, f, c in itertools.product(
        (0, 19), (2, 16), (1, 2), (0.5,), ("clean", "cue")) if (32 - z) % s == 0],
    "class_model": [dict(target=t, reg=r, steps=n) for t, r, n in itertools.product(
        ("shapes: stripes", "MNIST: 1"), (0.0, 1.0), (0, 300))],
    "attack": [dict(digit=d, model=m, eps=e, target=t) for d, m, e, t in itertools.product(
        (0, 49), ("softmax", "adv. trained"), (0, 50), (None, 8)) if not (t == 8 and d == 49)],
}


def text_boxes(fig):
    """(kind, axes index, Bbox) of every visible text the figure draws (tick labels, titles, axis
    labels, legends as a whole, the suptitle, texts in the figure)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = []
    if fig._suptitle is not None and fig._suptitle.get_text():
        boxes.append(("suptitle", -1, fig._suptitle.get_window_extent(renderer)))
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for axis, name in ((ax.xaxis, "xtick"), (ax.yaxis, "ytick")):
            for tick in axis._update_ticks():
                if tick.label1.get_visible() and tick.label1.get_text():
                    box = tick.label1.get_window_extent(renderer)
                    lo, hi = sorted(axis.get_view_interval())
                    if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                        boxes.append((name, k, box))
        for text, name in ((ax.title, "title"), (ax.xaxis.label, "xlabel"), (ax.yaxis.label, "ylabel")):
            if text.get_visible() and text.get_text():
                boxes.append((name, k, text.get_window_extent(renderer)))
        if ax.get_legend() is not None and ax.get_legend().get_visible():
            boxes.append(("legend", k, ax.get_legend().get_window_extent(renderer)))
    return boxes


def layout_problems(fig):
    """Texts outside the figure, and pairs of texts that overlap (tick labels of one axis among
    themselves excepted: their spacing is the locator's, as before the fixed layout)."""
    problems = []
    W, H = fig.bbox.width, fig.bbox.height
    boxes = text_boxes(fig)
    for kind, k, box in boxes:
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > W + 0.5 or box.y1 > H + 0.5:
            problems.append(f"{kind} of axes {k} outside the figure: {box.bounds}")
    for (kind1, k1, b1), (kind2, k2, b2) in itertools.combinations(boxes, 2):
        if kind1 == kind2 and k1 == k2 and kind1 in ("xtick", "ytick"):
            continue
        if "legend" in (kind1, kind2) and k1 == k2:
            continue  # a legend lies inside its axes, clear of the ticks and labels outside
        overlap_w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        overlap_h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        if overlap_w > 0.5 and overlap_h > 0.5:
            problems.append(f"{kind1} of axes {k1} overlaps {kind2} of axes {k2}")
    return problems


@pytest.mark.parametrize("name", list(LAYOUT_EDGES))
def test_the_fixed_layout_keeps_every_text_inside_and_apart(name, attack):
    fig, draw = explorer_figure(name, attack)
    assert fig.get_layout_engine() is None  # no layout pass when the picture is drawn
    for setting in LAYOUT_EDGES[name]:
        draw(setting)
        assert layout_problems(fig) == [], setting


def test_the_layout_check_can_fail():
    fig, draw = explorer_figure("rf")
    draw(wp.SETTINGS["rf"][0])
    assert layout_problems(fig) == []
    fig.axes[0].set_position((0.02, 0.49, 0.745, 0.465))  # no room left for the layer names
    assert any("outside the figure" in p for p in layout_problems(fig))
    fig.axes[0].set_position((0.24, 0.2, 0.745, 0.465))   # onto the lower axes' title
    assert any("overlaps" in p for p in layout_problems(fig))


# ------------------------------------------------------------------ the widget shows its setting's picture
EXPLORERS = {
    "conv": lambda _: widgets.conv_explorer(**wp.SETTINGS["conv"][0]),
    "photo": lambda _: widgets.photo_filter_explorer(**wp.SETTINGS["photo"][0]),
    "pool": lambda _: widgets.pool_explorer(**wp.SETTINGS["pool"][0]),
    "rf": lambda _: widgets.rf_explorer(**wp.SETTINGS["rf"][0]),
    "occlusion": lambda _: widgets.occlusion_explorer(**wp.SETTINGS["occlusion"][0]),
    "class_model": lambda _: widgets.class_model_explorer(**wp.SETTINGS["class_model"][0]),
    "attack": lambda a: widgets.adversarial_explorer(*a, **{k: v for k, v in wp.SETTINGS["attack"][0].items()}),
}


def png_pixels(png):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_the_widget_shows_the_picture_of_its_setting(name, attack):
    """Moving the controls through the settings (twice: the second time from the kept pictures),
    the PNG the widget shows is, pixel for pixel, a fresh figure drawn for that setting."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    box = EXPLORERS[name](attack)
    fig, draw = explorer_figure(name, attack)
    for setting in wp.SETTINGS[name] + wp.SETTINGS[name][::2]:
        for key, value in setting.items():
            control = box._controls[key]
            if hasattr(control, "max") and value > control.max:
                control.max = value  # as the explorer widens a slider for a value beyond it
            control.value = widgets.NO_TARGET if (name, key, value) == ("attack", "target", None) else value
        draw(setting)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        assert box._state["png"] is not None, setting
        assert np.array_equal(png_pixels(box._state["png"]), np.asarray(canvas.buffer_rgba())[..., :3]), setting


def test_the_static_figures_still_take_any_number_of_positions_and_units():
    """The in-place drawings keep pools of artists that grow: eight highlighted positions (two
    more than there are colours) and three units are drawn, each in its colour."""
    from matplotlib.colors import to_rgba

    positions = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (0, 6)]
    fig = vis.receptive_fields_figure(W=9, F=3, S=1, P=0, positions=positions)
    from matplotlib.collections import PathCollection

    scatters = [c for c in fig.axes[0].collections
                if isinstance(c, PathCollection) and len(c.get_offsets()) and c.get_visible()]
    assert len(scatters) == 8 and all(len(c.get_offsets()) == 9 for c in scatters)
    assert [tuple(c.get_facecolor()[0]) for c in scatters] == [to_rgba(vis.OUTPUT_COLOURS[k % 6]) for k in range(8)]
    fig, axes = vis.receptive_field_axes()
    layers = widgets.rf_view(3, 3, 1).layers
    vis.draw_receptive_field(axes, layers, units=(0,))
    vis.draw_receptive_field(axes, layers, units=(0, 1, 2))
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == [
        "unit 0: pixels 0..6", "unit 1: pixels 1..7", "unit 2: pixels 2..8"]
    vis.draw_receptive_field(axes, layers, units=(3,))
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["units feeding output unit 3"]
    assert sum(c.get_visible() for c in axes[1].collections) == 1
