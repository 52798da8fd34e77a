"""The step-through convolution explorer (notebook 01, issue 28): the numbers it writes, its
drawing, its wiring and what it shows where no kernel runs.

The numbers are checked against two routes that share nothing with the explorer's: the
library's reference layer ``layers.conv_forward_naive`` (the output, at every position of
several settings) and a loop written here over filter rows, columns and depth slices, with the
padding decided by index arithmetic instead of ``np.pad`` (the products and their sums).

Runs under ipywidgets 8 here and under Colab's 7.7.1 in tests/test_widget_versions.py.
"""
import re

import numpy as np
import pytest

from cs231n_lib import arithmetic, layers, widgets
from cs231n_lib.widgets import conv_steps

# (W, F, S, P, dilation, D_in, K): the notes' example first, then strides, dilations, depths,
# filter counts and paddings it does not have
SETTINGS = [
    (5, 3, 2, 1, 1, 3, 2),
    (7, 3, 1, 0, 2, 2, 3),
    (6, 2, 2, 0, 1, 1, 1),
    (4, 1, 1, 0, 1, 4, 2),
    (5, 5, 1, 2, 1, 1, 1),
    (7, 3, 3, 1, 1, 2, 2),
    (9, 3, 2, 2, 3, 1, 2),
]


def by_hand(x, w, b, S, P, dilation, k, row, col):
    """The products (D, F, F) and the output number out[k, row, col], by loops; a tap outside
    the input reads a zero of the padding."""
    _, D, H, W = x.shape
    F = w.shape[2]
    products = np.zeros((D, F, F))
    for d in range(D):
        for a in range(F):
            for c in range(F):
                r_in = row * S + a * dilation - P   # row of the unpadded input
                c_in = col * S + c * dilation - P
                inside = 0 <= r_in < H and 0 <= c_in < W
                products[d, a, c] = (x[0, d, r_in, c_in] if inside else 0.0) * w[k, d, a, c]
    return products, products.sum() + b[k]


def positions(n_out, K):
    """The notes' demo's order: along a row, row after row, depth slice after depth slice."""
    return [(k, r, c) for k in range(K) for r in range(n_out) for c in range(n_out)]


@pytest.mark.parametrize("setting", SETTINGS, ids=[str(s) for s in SETTINGS])
def test_every_number_written_matches_the_layer_and_a_loop(setting):
    W, F, S, P, dil, D, K = setting
    x, w, b = conv_steps.conv_step_data(W, D, F, K)
    layer, _ = layers.conv_forward_naive(x, w, b, {"stride": S, "pad": P, "dilation": dil})
    n_out = arithmetic.conv_output_size(W, F, S, P, dil)
    order = positions(n_out, K)
    assert len(order) == layer.size
    for position, (k, row, col) in enumerate(order):
        view = widgets.conv_step_view(W, F, S, P, dil, D, K, position)
        assert view.valid and view.drawable and (view.k, view.row, view.col) == (k, row, col)
        assert view.n_positions == K * n_out * n_out
        products, total = by_hand(x, w, b, S, P, dil, k, row, col)
        assert np.array_equal(view.products, products)
        assert np.array_equal(view.slice_sums, products.sum(axis=(1, 2)))
        assert view.total == total == layer[0, k, row, col]
        # the whole volume and the numbers computed so far
        assert np.array_equal(view.out, layer[0])
        assert view.filled.sum() == position + 1
        assert [pos for pos in order if view.filled[pos]] == order[:position + 1]
        # the working as written: every product, each slice's sum, the bias and the total
        lines = view.text.splitlines()
        for d in range(D):
            line = next(t for t in lines if t.startswith(f"slice {d}:"))
            terms = re.findall(r"\(?(-?\d+)\)?\*\(?(-?\d+)\)?", line.split(":", 1)[1])
            assert [int(a) * int(c) for a, c in terms] == products[d].ravel().astype(int).tolist()
            assert line.endswith(f"= {int(products[d].sum())}")
        assert lines[-1].startswith(f"o[{col},{row},{k}] = ") and lines[-1].endswith(f"= {total:g}")
        assert f"+ b{k} = " in lines[-1] and f" + {int(b[k])} = " in lines[-1].replace("(-1)", "-1")


def test_the_notes_example():
    """Sizes and value ranges of the notes' demo: 5x5x3 padded by 1 to 7x7x3 with values 0, 1, 2;
    two 3x3x3 filters with weights -1, 0, 1 and biases 1 and 0; stride 2; a 3x3x2 output."""
    view = widgets.conv_step_view(**widgets.NOTES_DEMO, position=0)
    assert widgets.NOTES_DEMO == dict(W=5, F=3, S=2, P=1, dilation=1, D_in=3, K=2)
    assert view.x_pad.shape == (3, 7, 7) and view.w.shape == (2, 3, 3, 3) and view.out.shape == (2, 3, 3)
    assert set(np.unique(view.x_pad[:, 1:-1, 1:-1])) == {0, 1, 2}
    border = np.ones((7, 7), bool)
    border[1:-1, 1:-1] = False
    assert not view.x_pad[:, border].any()
    assert set(np.unique(view.w)) == {-1, 0, 1} and view.b.tolist() == [1.0, 0.0]
    assert view.n_positions == 18
    assert "(5 - 3 + 2*1)/2 + 1 = 3" in view.text and "3x3x2 = 18 numbers" in view.text
    # the explorer starts there
    assert widgets.conv_step_view().text == view.text and widgets.conv_step_view().settings == view.settings


def test_the_first_three_numbers_can_be_reproduced_from_the_drawing_alone():
    """What the picture shows (the window's inputs, the filter, the bias) gives the number."""
    for position in range(3):
        view = widgets.conv_step_view(position=position)
        window = view.x_pad[:, view.rows[:, None], view.cols[None, :]]
        assert view.rows.tolist() == [2 * view.row + i for i in range(3)]
        assert view.cols.tolist() == [2 * view.col + i for i in range(3)]
        assert (window * view.w[0]).sum() + view.b[0] == view.total == view.out[0, 0, position]


@pytest.mark.parametrize("W, F, S, P, dilation, formula", [
    (6, 3, 2, 1, 1, "(6 - 3 + 2*1)/2 + 1 = 3.5"),
    (5, 3, 3, 1, 1, "(5 - 3 + 2*1)/3 + 1 = 2.33333"),
    (4, 3, 1, 0, 2, "does not fit inside the padded input of width 4 + 2*0 = 4"),
])
def test_an_invalid_geometry_is_explained_with_the_formula(W, F, S, P, dilation, formula):
    view = widgets.conv_step_view(W, F, S, P, dilation)
    assert not view.valid and not view.drawable
    assert formula in view.text, view.text
    assert "Invalid setting" in view.html
    with pytest.raises(ValueError):
        arithmetic.conv_geometry(W, F, S, P, dilation)   # the same verdict as the library's


@pytest.mark.parametrize("kwargs, words", [
    (dict(position=18), "position must be at most 17: this setting has 18 output numbers"),
    (dict(position=-1), "position must be zero or positive"),
    (dict(position=1.5), "position must be an integer"),
    (dict(W=5.0), "W must be an integer"),
    (dict(K=0), "K must be positive"),
    (dict(D_in=True), "boolean"),
])
def test_other_wrong_values_are_explained(kwargs, words):
    view = widgets.conv_step_view(**kwargs)
    assert not view.valid and words in view.text, view.text


def test_a_setting_too_large_to_draw_keeps_its_numbers_and_is_answered_quickly():
    import time

    start = time.perf_counter()
    view = widgets.conv_step_view(W=10 ** 6, F=3, S=1, P=1, position=0)
    assert time.perf_counter() - start < 1
    assert view.valid and not view.drawable and "too large to draw" in view.text
    assert "output volume 1000000x1000000x2 = 2000000000000 numbers" in view.text
    view = widgets.conv_step_view(W=5, D_in=5)
    assert view.valid and not view.drawable and "D_in 5 (at most 4)" in view.text
    with pytest.raises(ValueError, match="too large to draw"):
        widgets.conv_step_png(view)


# ------------------------------------------------------------------ the drawing
@pytest.mark.parametrize("setting", SETTINGS[:3], ids=[str(s) for s in SETTINGS[:3]])
def test_the_fast_picture_is_the_figure_drawn_the_ordinary_way(setting):
    drawings = {}
    n = widgets.conv_step_view(*setting).n_positions
    for position in (0, n // 2, n - 1):
        view = widgets.conv_step_view(*setting, position=position)
        drawing = widgets.conv_step_drawing(view, drawings)
        fast = drawing.render()
        figure = drawing.figure
        figure.canvas.draw()
        full = np.asarray(figure.canvas.buffer_rgba())
        assert fast.shape == full.shape
        assert np.array_equal(fast, full), f"{np.any(fast != full, axis=-1).sum()} pixels differ"


def test_a_position_always_gives_the_same_picture_and_positions_differ():
    drawings = {}
    first = widgets.conv_step_png(widgets.conv_step_view(position=4), drawings)
    others = [widgets.conv_step_png(widgets.conv_step_view(position=p), drawings) for p in (17, 0, 9)]
    again = widgets.conv_step_png(widgets.conv_step_view(position=4), drawings)
    fresh = widgets.conv_step_png(widgets.conv_step_view(position=4))
    assert first == again == fresh
    assert len({first, *others}) == 4
    assert first.startswith(b"\x89PNG") and len(first) < 60_000


def test_the_drawing_is_built_once_per_geometry():
    drawings = {}
    views = [widgets.conv_step_view(position=p) for p in range(3)]
    made = [widgets.conv_step_drawing(v, drawings) for v in views]
    assert made[0] is made[1] is made[2] and len(drawings) == 1
    other = widgets.conv_step_drawing(widgets.conv_step_view(W=7, position=0), drawings)
    assert list(drawings.values()) == [other] and other is not made[0]


def test_the_figure_shows_the_output_filling_in():
    view = widgets.conv_step_view(position=10)
    drawing = widgets.conv_step_drawing(view)
    shown = [[box.text for box in grid.ravel()] for grid in drawing.outputs]
    expected = [[f"{v:g}" if f else "" for v, f in zip(o.ravel(), m.ravel())] for o, m in zip(view.out, view.filled)]
    assert shown == expected and sum(t != "" for s in shown for t in s) == 11
    assert [[b.text for b in g.ravel()] for g in drawing.products] == [
        [str(int(v)) for v in p.ravel()] for p in view.products]
    assert drawing.lines[-1].text == view.text.splitlines()[-1].replace("*", "\u00b7") or \
        drawing.lines[-1].text.endswith(f"= {view.total:g}")
    assert drawing.figure.axes[0].get_title()


# ------------------------------------------------------------------ the explorer
ipywidgets = pytest.importorskip("ipywidgets")


def text_panel(box):
    return next(c for c in box.children if isinstance(c, ipywidgets.HTML)).value


def test_the_explorer_starts_at_the_notes_example_and_steps():
    box = widgets.conv_step_explorer()
    controls = box._controls
    assert {k: controls[k].value for k in widgets.NOTES_DEMO} == widgets.NOTES_DEMO
    position = controls["position"]
    assert (position.value, position.min, position.max) == (0, 0, 17)
    assert (box._play.min, box._play.max, box._play.interval) == (0, 17, 1000)
    assert getattr(box._play, "repeat" if box._play.has_trait("repeat") else "_repeat") is True   # loops, as the demo
    assert text_panel(box) == widgets.conv_step_view(position=0).html
    position.value = 5
    assert text_panel(box) == widgets.conv_step_view(position=5).html


def test_the_position_follows_the_geometry():
    box = widgets.conv_step_explorer()
    controls = box._controls
    controls["position"].value = 17
    controls["W"].value = 3                     # (3 - 3 + 2)/2 + 1 = 2: 2*2*2 = 8 positions
    assert controls["position"].max == box._play.max == 7 and controls["position"].value == 7
    assert text_panel(box) == widgets.conv_step_view(W=3, position=7).html
    controls["K"].value = 3                     # 12 positions: the position stays
    assert controls["position"].max == 11 and controls["position"].value == 7
    controls["W"].value = 6                     # (6 - 3 + 2)/2 + 1 = 3.5: invalid, the slider stays
    assert "Invalid setting" in text_panel(box) and "3.5" in text_panel(box)
    assert controls["position"].max == 11
    assert box._state["png"] is None            # no drawing for an invalid setting
    controls["W"].value = 7                     # 4*4*3 = 48 positions
    assert controls["position"].max == 47 and controls["position"].value == 7
    assert box._state["png"] == widgets.conv_step_png(widgets.conv_step_view(W=7, K=3, position=7))


@pytest.mark.parametrize("arg, value", [("W", 227), ("position", 40), ("K", 7), ("dilation", 0)])
def test_the_explorer_shows_every_integer_as_given(arg, value):
    box = widgets.conv_step_explorer(**{arg: value})
    assert box._controls[arg].value == value
    settings = {k: c.value for k, c in box._controls.items()}
    assert text_panel(box) == widgets.conv_step_view(**settings).html


@pytest.mark.parametrize("arg, value", [("W", 2.5), ("position", "3"), ("S", True)])
def test_the_explorer_refuses_a_value_no_control_can_hold(arg, value):
    with pytest.raises(ValueError, match=arg):
        widgets.conv_step_explorer(**{arg: value})


def display_data(box):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(box)
    assert len(captured.outputs) == 1
    return captured.outputs[0].data


def animation_frames(markup):
    """The frames of a to_jshtml animation, decoded."""
    import base64

    found = re.findall(r'frames\[(\d+)\] = "data:image/png;base64,([^"]+)"', markup)
    assert [int(i) for i, _ in found] == list(range(len(found)))
    return [base64.b64decode(data.replace("\\\n", "")) for _, data in found]


def test_where_no_kernel_runs_the_explorer_shows_the_notes_example_animated():
    data = display_data(widgets.conv_step_explorer())
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "a static copy" in data["text/plain"] and "o[0,0,0] = " in data["text/plain"]
    markup = data["text/html"]
    frames = animation_frames(markup)
    assert len(frames) == 18 and all(f.startswith(b"\x89PNG") for f in frames)
    # each frame is the explorer's picture of that position
    assert frames == [widgets.conv_step_png(widgets.conv_step_view(position=p)) for p in range(18)]
    assert "anim" in markup and "setTimeout" in markup and 'default_mode' not in markup
    # the strip for pages without scripts: the first three positions
    strip = re.search(r'class="conv-steps-strip".*?</div>', markup, re.S).group(0)
    assert len(re.findall(r'<img src="data:image/png;base64,', strip)) == 3
    # nothing fetched from elsewhere, and buttons that say what they do
    assert "https://" not in markup and "http://" not in markup and "font-awesome" not in markup
    for word in ("play", "pause", "next", "back"):
        assert re.search(rf">\s*{word}\s*</button>", markup), word


def test_two_displays_get_their_own_element_ids():
    a = widgets.conv_steps_animation_html()
    b = widgets.conv_steps_animation_html()
    ids = lambda m: set(re.findall(r'id="(_anim_img[0-9a-f]+)"', m))   # noqa: E731
    assert ids(a) and ids(b) and not ids(a) & ids(b)


def test_an_invalid_setting_keeps_its_text_and_shows_no_animation():
    box = widgets.conv_step_explorer(W=6)
    data = display_data(box)
    assert "text/html" not in data and "3.5" in data["text/plain"]


# ------------------------------------------------------------------ edges (as tests/test_explorer_edges.py)
FIRST = dict(W=5, F=3, S=2, P=1, dilation=1, D_in=3, K=2, position=0)


@pytest.mark.parametrize("arg", list(FIRST))
@pytest.mark.parametrize("value", [0, -1, 13, 50, 227, 10 ** 6])
def test_the_view_never_raises_for_any_integer(arg, value):
    import time

    start = time.perf_counter()
    view = widgets.conv_step_view(**{**FIRST, arg: value})
    assert time.perf_counter() - start < 2   # nothing huge is allocated
    assert view.text and "unexpected error" not in view.text
    if view.valid and view.drawable:
        assert view.total == view.out[view.k, view.row, view.col]


@pytest.mark.parametrize("arg", list(FIRST))
@pytest.mark.parametrize("value", [2.5, "3", None, True, [3]], ids=repr)
def test_the_view_explains_a_wrong_type(arg, value):
    view = widgets.conv_step_view(**{**FIRST, arg: value})
    assert not view.valid and re.search(r"must be an integer|boolean", view.text), view.text


@pytest.mark.parametrize("arg", list(FIRST))
@pytest.mark.parametrize("value", [0, 13, 227, 10 ** 6])
def test_the_explorer_holds_every_integer_it_is_given(arg, value):
    box = widgets.conv_step_explorer(**{**FIRST, arg: value})
    assert box._controls[arg].value == value
    assert text_panel(box) == widgets.conv_step_view(**{**FIRST, arg: value}).html


def test_where_pasted_tiles_are_not_matplotlibs_pixels_every_picture_is_drawn_the_ordinary_way(monkeypatch):
    """The first picture of a process checks the fast route against the ordinary drawing (Colab's
    matplotlib 3.10 renders a text differently at different places); a mismatch of one pixel
    sends every picture the ordinary way."""
    from cs231n_lib.vis import conv_steps as drawn

    monkeypatch.setattr(drawn, "_TILES_WORK", [None])
    fast = drawn.ConvStepDrawing._render_fast

    def one_pixel_off(self, copy):
        pixels = fast(self, True)
        pixels[0, 0, 0] ^= 1
        return pixels

    monkeypatch.setattr(drawn.ConvStepDrawing, "_render_fast", one_pixel_off)
    drawing = widgets.conv_step_drawing(widgets.conv_step_view(position=5))
    picture = drawing.render()
    assert drawn.tiles_work() is False
    figure = drawing.figure
    figure.canvas.draw()
    assert np.array_equal(picture, np.asarray(figure.canvas.buffer_rgba()))
    assert widgets.conv_step_png(widgets.conv_step_view(position=5)).startswith(b"\x89PNG")
