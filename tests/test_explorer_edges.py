"""Every explorer and its view function with values outside the sliders, of the wrong type,
and extreme: no exception from a view function, no silent change of a value by an explorer,
a clear ValueError (never a TraitError, IndexError or TypeError from inside ipywidgets) for a
value no control can hold, and a static fallback in the display data.

Runs under ipywidgets 8 here and under Colab's 7.7.1 in tests/test_widget_versions.py.
"""
import re

import pytest

from cs231n_lib import widgets

ipywidgets = pytest.importorskip("ipywidgets")

# name -> (view function, explorer, {argument: value of the explorer's first state})
EXPLORERS = {
    "conv": (widgets.conv_view, widgets.conv_explorer,
             dict(W=7, F=3, S=2, P=0, dilation=1, D_in=3, K=8)),
    "pool": (widgets.pool_view, widgets.pool_explorer, dict(W=8, F=2, S=2, kind="max")),
    "photo": (widgets.photo_filter_view, widgets.photo_filter_explorer,
              dict(photo="camera", filter_name="vertical edges (Sobel x)", stride=1, pad=1, dilation=1)),
    "rf": (widgets.rf_view, widgets.rf_explorer,
           dict(layers=3, F=3, S=1, dilation=1, schedule=widgets.RF_SCHEDULES[0])),
    "budget": (widgets.budget_view, widgets.budget_calculator,
               dict(N=2, M=3, K=1, input_size=32, filters=32, dtype="float32")),
}

# Integer arguments of each explorer (sliders and numeric menus)
INTEGER_ARGS = [(name, arg) for name, (_, _, args) in EXPLORERS.items() for arg, v in args.items()
                if isinstance(v, int)]
# Outside every slider range, at the edges, and extreme.  (Huge padding of a photo or huge
# layer counts are refused by the view with a message; that is also checked below.)
OUT_OF_RANGE = [0, -1, 13, 50, 227, 10 ** 6]
WRONG_TYPES = [2.5, "3", None, True, [3]]


def text_panel(box):
    return next(c for c in box.children if isinstance(c, ipywidgets.HTML)).value


def slider_for(box, arg):
    """The control of ``arg``: the one whose value the explorer passes as ``arg``."""
    return box._controls[arg]


@pytest.mark.parametrize("name, arg", INTEGER_ARGS, ids=[f"{n}-{a}" for n, a in INTEGER_ARGS])
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_view_functions_never_raise_for_any_integer(name, arg, value):
    view, _, args = EXPLORERS[name]
    result = view(**{**args, arg: value})
    assert result.text and isinstance(result.valid, bool)
    assert "unexpected error" not in result.text


@pytest.mark.parametrize("name, arg", INTEGER_ARGS, ids=[f"{n}-{a}" for n, a in INTEGER_ARGS])
@pytest.mark.parametrize("value", WRONG_TYPES, ids=repr)
def test_view_functions_explain_a_wrong_type(name, arg, value):
    view, _, args = EXPLORERS[name]
    result = view(**{**args, arg: value})
    assert not result.valid
    assert "unexpected error" not in result.text
    assert re.search(r"must be (an integer|a single integer|zero or positive|positive)|boolean|Unknown|Expected", result.text), \
        result.text


@pytest.mark.parametrize("name, arg", INTEGER_ARGS, ids=[f"{n}-{a}" for n, a in INTEGER_ARGS])
@pytest.mark.parametrize("value", [0, 13, 227, 10 ** 6])
def test_explorers_show_every_integer_exactly(name, arg, value):
    """No clamping: the control holds the value asked for, and the panel shows the view of it."""
    view, explorer, args = EXPLORERS[name]
    box = explorer(**{**args, arg: value})
    assert slider_for(box, arg).value == value
    want = view(**{**args, arg: value})
    assert text_panel(box) == want.html


@pytest.mark.parametrize("name, arg", INTEGER_ARGS, ids=[f"{n}-{a}" for n, a in INTEGER_ARGS])
@pytest.mark.parametrize("value", [2.5, "3", True])
def test_explorers_refuse_a_value_no_control_can_hold(name, arg, value):
    _, explorer, args = EXPLORERS[name]
    with pytest.raises(ValueError) as info:
        explorer(**{**args, arg: value})
    assert arg in str(info.value)
    assert "integer" in str(info.value) or "boolean" in str(info.value)


@pytest.mark.parametrize("name, arg, value", [
    ("pool", "kind", "min"), ("photo", "photo", "brain"), ("photo", "filter_name", "emboss"),
    ("rf", "schedule", "sometimes"), ("budget", "dtype", "float16"),
])
def test_an_unknown_menu_name_is_refused_with_the_names(name, arg, value):
    view, explorer, args = EXPLORERS[name]
    assert not view(**{**args, arg: value}).valid  # the view says why
    with pytest.raises(ValueError, match=r"must be one of \("):
        explorer(**{**args, arg: value})


def test_the_issues_examples():
    # AlexNet's first layer, no longer W = 16, F = 7 and "invalid"
    box = widgets.conv_explorer(W=227, F=11, S=4)
    assert (slider_for(box, "W").value, slider_for(box, "F").value, slider_for(box, "S").value) == (227, 11, 4)
    assert "(227 - 11 + 2*0)/4 + 1 = 55" in text_panel(box) and "Invalid" not in text_panel(box)
    # a 16x16 input pools to 8x8 (it used to read a 12x12 grid and say 6)
    assert "(16 - 2)/2 + 1 = 8" in widgets.pool_view(16, 2, 2).text
    assert widgets.pool_view(16, 2, 2).output.shape == (8, 8)
    view = widgets.pool_view(13, 3, 2)
    assert view.valid and view.output.shape == (6, 6)
    # menus take numbers they do not list
    assert slider_for(widgets.conv_explorer(K=64), "K").value == 64
    assert slider_for(widgets.budget_calculator(filters=7), "filters").value == 7
    # no stack of zero layers, and no traceback either
    box = widgets.rf_explorer(layers=0)
    assert slider_for(box, "layers").value == 0 and "layers must be positive" in text_panel(box)


def test_a_larger_pooling_input_keeps_the_smaller_one_in_its_corner():
    small, large = widgets.pool_explorer_input(9), widgets.pool_explorer_input(20)
    assert (large[:9, :9] == small).all() and large.shape == (20, 20)
    assert set(large.ravel()) <= set(range(10))


@pytest.mark.parametrize("call", [
    lambda: widgets.conv_view(10 ** 6, 11, 1, 0),
    lambda: widgets.pool_view(10 ** 6, 2, 2),
    lambda: widgets.photo_filter_view(pad=10 ** 6),
    lambda: widgets.photo_filter_view(dilation=10 ** 6),
    lambda: widgets.rf_view(layers=10 ** 6),
    lambda: widgets.rf_view(layers=6, F=10 ** 6, S=10 ** 3),
    lambda: widgets.budget_view(N=10 ** 6),
    lambda: widgets.budget_view(input_size=10 ** 9, M=5, N=1),
])
def test_extreme_values_are_answered_quickly_without_drawing(call):
    import time

    start = time.perf_counter()
    view = call()
    assert time.perf_counter() - start < 5  # nothing huge is allocated or drawn
    assert view.text


def test_extreme_values_keep_the_numbers_and_skip_the_drawing():
    view = widgets.conv_view(10 ** 6, 11, 1, 0)
    assert view.valid and not view.drawable and view.output == 10 ** 6 - 10
    assert "too wide to draw" in view.text
    view = widgets.pool_view(10 ** 6, 2, 2)
    assert view.valid and view.output is None and "(1000000 - 2)/2 + 1 = 500000" in view.text
    view = widgets.pool_view(40, 2, 2)
    assert view.valid and view.output.shape == (20, 20) and not view.drawable


def test_no_suggested_fix_is_nonsense():
    """Every stride an explorer suggests is at most the window (or the stride asked for)."""
    texts = [widgets.pool_view(W, F, S).text for W in range(2, 30) for F in range(1, 5) for S in range(1, 5)]
    texts += [widgets.conv_view(W, F, S, P).text for W in range(1, 30) for F in range(1, 8)
              for S in range(1, 5) for P in range(0, 4)]
    texts += [widgets.budget_view(input_size=s, M=m).text for s in (24, 28, 50, 225) for m in range(1, 6)]
    for text in texts:
        window = re.search(r"\(\d+ - (\d+)", text)
        asked = re.search(r"\)/(\d+) \+ 1", text)
        for s in re.findall(r"S = (\d+) \(output", text):
            assert int(s) <= max(int(window.group(1)), int(asked.group(1))), text


# ------------------------------------------------------------------ static fallback
def display_data(box):
    """The display data Jupyter receives for ``box`` (ipywidgets 7 or 8)."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        display(box)
    assert len(captured.outputs) == 1
    return captured.outputs[0].data


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_explorer_carries_a_static_fallback(name):
    import base64

    _, explorer, args = EXPLORERS[name]
    data = display_data(explorer(**args))
    assert "application/vnd.jupyter.widget-view+json" in data
    plain = data["text/plain"]
    assert not plain.startswith(("VBox(", "HBox(")) and "a static copy" in plain
    assert "settings:" in plain
    if name != "budget":  # the calculator has no drawing: its table is the text
        png = base64.b64decode(data["image/png"])
        assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_the_fallback_shows_the_state_it_is_displayed_in():
    box = widgets.conv_explorer(W=7, F=3, S=2, P=0)
    box._controls["W"].value = 10  # (10 - 3)/2 + 1 = 4.5: invalid, no drawing
    data = display_data(box)
    assert "input size W = 10" in data["text/plain"] and "4.5" in data["text/plain"]
    assert "image/png" not in data
    assert "(7 - 3 + 2*0)/2 + 1 = 3" not in data["text/plain"]
