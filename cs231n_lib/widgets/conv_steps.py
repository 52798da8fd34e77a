"""Notebook 01: the course notes' convolution demo, live.  A conv layer computed one output
number at a time: the window under the filter, the element-wise products, their sum plus the
bias, and the output volume filling in, position after position, depth slice after depth slice.

Three pieces, as every explorer:

1. :func:`conv_step_view`, a pure function: for one setting and one output position, the
   numbers to show (or the explanation of an invalid setting); tested without Jupyter;
2. the drawing, :class:`cs231n_lib.vis.conv_steps.ConvStepDrawing`, built once per geometry
   and updated in place for each position;
3. :func:`conv_step_explorer`, the wiring: sliders and menus for the geometry, an
   output-position slider with a ``Play`` button linked to it.

Where no kernel runs (GitHub, nbviewer, the HTML book) the explorer's display data carries
:func:`conv_steps_animation_html`: the positions of its setting as a self-contained
JavaScript animation, and a strip of the first positions for pages that run no scripts.
"""
from __future__ import annotations

import functools
from typing import NamedTuple, Optional

from .. import arithmetic
from ._base import _choice, _int_slider, _one_at_a_time, _view_html

__all__ = ["CONV_STEP_RANGES", "CONV_STEP_CHOICES", "NOTES_DEMO", "CONV_STEP_MAX_DRAWN", "ConvStepView",
           "conv_step_data", "conv_step_view", "conv_step_drawing", "conv_step_png", "conv_step_figure",
           "conv_steps_animation_html", "conv_step_explorer"]

# The course notes' demo (cs231n.github.io, assets/conv-demo): a 5x5x3 input padded by 1 to
# 7x7x3, K = 2 filters of 3x3x3, stride 2: a 3x3x2 output.
NOTES_DEMO = {"W": 5, "F": 3, "S": 2, "P": 1, "dilation": 1, "D_in": 3, "K": 2}

# The sliders' usual ranges (inclusive); a value outside widens the slider.
CONV_STEP_RANGES = {
    "W": range(1, 10),
    "F": range(1, 6),
    "S": range(1, 4),
    "P": range(0, 3),
    "dilation": range(1, 4),
}
CONV_STEP_CHOICES = {"D_in": (1, 2, 3, 4), "K": (1, 2, 3)}

# Beyond these the numbers no longer fit in their cells: the setting is explained, not drawn.
CONV_STEP_MAX_DRAWN = {"padded input": 15, "F": 7, "D_in": 4, "K": 4}

SEED = 0


def conv_step_data(W, D_in, F, K, seed=SEED):
    """The demo's kind of numbers for one geometry, in NCHW.

    Returns ``x`` (1, D_in, W, W) with whole numbers 0, 1, 2; ``w`` (K, D_in, F, F) with
    whole numbers -1, 0, 1 (the ranges of the notes' demo, which draws them at random on
    every page load; ours come from ``numpy.random.default_rng(seed)``) and ``b`` (K,) with
    ``b[k] = 1 - k`` (the demo's biases 1 and 0).  All float64, so every sum is exact.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(1, D_in, W, W)).astype(np.float64)
    w = rng.integers(-1, 2, size=(K, D_in, F, F)).astype(np.float64)
    b = 1.0 - np.arange(K, dtype=np.float64)
    return x, w, b


class ConvStepView(NamedTuple):
    """What the step-through explorer shows for one setting and one output position.

    ``valid``: the setting can be computed; ``drawable``: it can also be drawn (small
    enough); ``text``: the text panel (the sizes and the working for this position, or the
    explanation of an invalid setting), also in two parts: ``sizes`` (the input, filters and
    output sizes) and ``working`` (which output number, the window, every product, each
    depth slice's sum, the bias and the total).  For a valid setting, in NCHW and with ``k, row, col`` the current
    output number ``out[0, k, row, col]`` (the notes write it ``o[col, row, k]``):

    * ``x_pad`` (D_in, Wp, Wp): the padded input;  ``w`` (K, D_in, F, F);  ``b`` (K,);
    * ``rows``, ``cols`` (F,): the padded input's rows and columns the filter's taps read;
    * ``window`` (D_in, F, F): the input numbers under the taps;
    * ``products`` (D_in, F, F): ``window * w[k]``;  ``slice_sums`` (D_in,): their sum per
      depth slice;  ``total``: the sum of all products plus ``b[k]``;
    * ``out`` (K, Ho, Wo): the whole output volume;  ``filled`` (K, Ho, Wo): the numbers
      computed up to and including this position (the order of the notes' demo: along a
      row, row after row, depth slice after depth slice).
    """

    valid: bool
    text: str
    drawable: bool = False
    settings: Optional[dict] = None
    position: int = 0
    n_positions: int = 0
    k: int = 0
    row: int = 0
    col: int = 0
    x_pad: object = None
    w: object = None
    b: object = None
    rows: object = None
    cols: object = None
    window: object = None
    products: object = None
    slice_sums: object = None
    total: float = 0.0
    out: object = None
    filled: object = None
    sizes: str = ""
    working: str = ""

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)

    @property
    def geometry(self):
        """The settings that fix the drawing's layout (everything but the position)."""
        return tuple(sorted(self.settings.items())) if self.settings else None

    def index(self):
        """The current output number in the notes' notation: ``o[x, y, d]``, x the column."""
        return f"o[{self.col},{self.row},{self.k}]"


def _num(v):
    """A whole number as written in a sum: 2, (-1)."""
    v = int(v)
    return f"({v})" if v < 0 else f"{v}"


def _position(position, n_positions):
    try:
        p = arithmetic.as_int(position, "position", 0)
    except ValueError as err:
        raise ValueError(f"{err} (the output position counts from 0)") from None
    if p >= n_positions:
        raise ValueError(f"position must be at most {n_positions - 1}: this setting has {n_positions} output "
                         f"numbers, positions 0 to {n_positions - 1}; got {p}.")
    return p


@functools.lru_cache(maxsize=32)
def _volumes(W, F, S, P, dilation, D_in, K, seed):
    """Input, filters, biases, padded input and the whole output, by sliding windows (einsum)."""
    import numpy as np

    x, w, b = conv_step_data(W, D_in, F, K, seed)
    x_pad = np.pad(x[0], ((0, 0), (P, P), (P, P)))
    span = dilation * (F - 1) + 1
    windows = np.lib.stride_tricks.sliding_window_view(x_pad, (span, span), axis=(1, 2))
    windows = windows[:, ::S, ::S, ::dilation, ::dilation]          # (D_in, Ho, Wo, F, F)
    out = np.einsum("dijab,kdab->kij", windows, w) + b[:, None, None]
    for a in (x_pad, w, b, out):
        a.setflags(write=False)
    return x_pad, w, b, out


def conv_step_view(W=5, F=3, S=2, P=1, dilation=1, D_in=3, K=2, position=0, seed=SEED) -> ConvStepView:
    """The step-through explorer's numbers for one setting and one output position.

    Never raises: an invalid geometry (checked by :func:`cs231n_lib.arithmetic.conv_geometry`,
    whose message shows the formula, the numbers and the nearest valid settings), an argument
    that is not an integer, or a position beyond the last output number gives a view with
    ``valid=False`` and the explanation.  A valid setting too large to draw (see
    :data:`CONV_STEP_MAX_DRAWN`) has ``drawable=False`` and shows its sizes only.
    """
    import numpy as np

    try:
        geo = arithmetic.conv_geometry(W, F, S, P, dilation)
        D_in = arithmetic.as_int(D_in, "D_in", 1)
        K = arithmetic.as_int(K, "K", 1)
        n = geo.output * geo.output * K
        position = _position(position, n)
    except ValueError as err:
        return ConvStepView(False, str(err))
    W, F, S, P, dilation = geo.W, geo.F, geo.S, geo.P, geo.dilation
    settings = {"W": W, "F": F, "S": S, "P": P, "dilation": dilation, "D_in": D_in, "K": K}
    Wp, Ho = W + 2 * P, geo.output
    sizes = [f"input {W}x{W}x{D_in}" + (f", padded by {P} to {Wp}x{Wp}x{D_in}" if P else "")
             + f"; {K} filter{'s' if K > 1 else ''} of {F}x{F}x{D_in}"
             + (f" with dilation {dilation} (each spans {geo.F_eff}x{geo.F_eff})" if dilation > 1 else "")
             + f", stride {S}",
             f"output size: (W - F{'_eff' if dilation > 1 else ''} + 2P)/S + 1 = {geo.formula}; "
             f"output volume {Ho}x{Ho}x{K} = {n} numbers"]
    limits = CONV_STEP_MAX_DRAWN
    too_big = [f"{name} {value} (at most {limits[name]})" for name, value in
               (("padded input", Wp), ("F", F), ("D_in", D_in), ("K", K)) if value > limits[name]]
    if too_big:
        sizes.append("too large to draw step by step: " + ", ".join(too_big) + "; the sizes above are exact")
        return ConvStepView(True, "\n".join(sizes), False, settings, position, n, sizes="\n".join(sizes))

    x_pad, w, b, out = _volumes(W, F, S, P, dilation, D_in, K, seed)
    k, rest = divmod(position, Ho * Ho)
    row, col = divmod(rest, Ho)
    rows = row * S + dilation * np.arange(F)
    cols = col * S + dilation * np.arange(F)
    window = x_pad[:, rows[:, None], cols[None, :]]
    products = window * w[k]
    slice_sums = products.sum(axis=(1, 2))
    total = float(slice_sums.sum() + b[k])
    filled = (np.arange(n) <= position).reshape(K, Ho, Ho)

    name = f"o[{col},{row},{k}]"
    header = (f"position {position} of 0..{n - 1}: {name}, column {col} and row {row} of output depth slice {k} "
              f"(filter w{k})")
    lines = [
        f"window: padded input rows {rows[0]} to {rows[-1]}, columns {cols[0]} to {cols[-1]}"
        + (f", taps {dilation} apart" if dilation > 1 else "")
        + f" (row {S}*{row} = {row * S}, column {S}*{col} = {col * S})"]
    lines.append(f"products input*weight, row by row, of each depth slice d (the window of x[:,:,d] and w{k}[:,:,d]):")
    for d in range(D_in):
        terms = " + ".join(f"{_num(a)}*{_num(c)}" for a, c in zip(window[d].ravel(), w[k, d].ravel()))
        lines.append(f"slice {d}: {terms} = {int(slice_sums[d])}")
    sums = " + ".join(_num(s) for s in slice_sums)
    lines.append(f"{name} = {sums} + b{k} = {sums} + {_num(b[k])} = {total:g}")
    working = "\n".join([header] + lines)
    return ConvStepView(True, "\n".join([header] + sizes + lines), True, settings, position, n, k, row, col, x_pad,
                        w, b, rows, cols, window, products, slice_sums, total, out, filled, "\n".join(sizes), working)


# ------------------------------------------------------------------ the drawing and its pictures
def _new_drawing(view: ConvStepView):
    from ..vis.conv_steps import ConvStepDrawing

    s = view.settings
    return ConvStepDrawing(view.x_pad, s["P"], view.w, view.b, view.out, s["S"], s["dilation"])


def _update_args(view: ConvStepView):
    """What :meth:`ConvStepDrawing.update` needs from a view."""
    return dict(k=view.k, row=view.row, col=view.col, rows=view.rows, cols=view.cols, products=view.products,
                slice_sums=view.slice_sums, total=view.total, filled=view.filled)


def _drawable(view):
    if not (view.valid and view.drawable):
        raise ValueError(view.text)


def conv_step_drawing(view: ConvStepView, drawings=None):
    """The drawing of a valid, drawable view, updated to show its position.

    ``drawings`` (a dict) keeps one drawing per geometry, so that a new position only
    updates it; without it a new drawing is built.  Raises ValueError with the
    explanation for a view that is not drawn."""
    _drawable(view)
    if drawings is None:
        drawing = _new_drawing(view)
    else:
        if view.geometry not in drawings:
            drawings.clear()   # one geometry at a time: a figure is a few MB of pixels
            drawings[view.geometry] = _new_drawing(view)
        drawing = drawings[view.geometry]
    drawing.update(**_update_args(view))
    return drawing


def conv_step_png(view: ConvStepView, drawings=None) -> bytes:
    """The picture of a valid, drawable view as PNG bytes (see :func:`conv_step_drawing`)."""
    return conv_step_drawing(view, drawings).png()


def conv_step_figure(W=5, F=3, S=2, P=1, dilation=1, D_in=3, K=2, position=0, seed=SEED):
    """A fresh Figure of one setting at one position (for a static cell); raises ValueError
    with the explanation when the setting is invalid or too large to draw."""
    return conv_step_drawing(conv_step_view(W, F, S, P, dilation, D_in, K, position, seed)).figure


ANIMATION_FRAMES = 36   # the most positions an animation holds (the notes' example has 18)
STRIP_FRAMES = 3        # the positions of the strip shown where no script runs


@functools.lru_cache(maxsize=4)
def _animation(geometry, seed, frames, strip):
    from ..vis.conv_steps import animation_html

    s = dict(geometry)
    first = conv_step_view(**s, position=0, seed=seed)
    views = [conv_step_view(**s, position=p, seed=seed) for p in range(min(frames, first.n_positions))]
    caption = (f"The step-through convolution explorer at its first setting, {len(views)} output positions"
               + (f" of {first.n_positions}" if len(views) < first.n_positions else "")
               + ", one per second. Run the notebook (e.g. with the Colab or Binder badge at the top) "
               "to change the setting.")
    drawing = _new_drawing(first)
    frames = []
    for view in views:
        drawing.update(**_update_args(view))
        frames.append(drawing.render())
    return animation_html(frames, caption, strip, palette=drawing.palette)


def conv_steps_animation_html(W=5, F=3, S=2, P=1, dilation=1, D_in=3, K=2, seed=SEED,
                              frames=ANIMATION_FRAMES, strip=STRIP_FRAMES):
    """A self-contained HTML animation of a setting's output positions, in order.

    matplotlib's ``FuncAnimation(...).to_jshtml()`` (its buttons drawn without the web font
    it would fetch, see :func:`cs231n_lib.vis.conv_steps.animation_html`), the first
    ``frames`` positions; and above it a strip of the first ``strip`` positions, which the
    animation's script hides: pages that run no scripts (GitHub) show the strip.  Raises
    ValueError with the explanation for a setting that is invalid or too large to draw.
    """
    import uuid

    view = conv_step_view(W, F, S, P, dilation, D_in, K, 0, seed)
    _drawable(view)
    markup, anim_id = _animation(view.geometry, seed, frames, strip)
    return markup.replace(anim_id, uuid.uuid4().hex)  # element ids unique on the page


# ------------------------------------------------------------------ the explorer
def _play_widget(maximum, interval=1000):
    """A Play button (one step per ``interval`` ms, like the notes' demo's one per second) that
    starts again from the first position after the last, as the demo does (its repeat toggle
    switches that off).  ipywidgets 8 calls the setting ``repeat``, 7 ``_repeat``.

    To move to widgets/_base.py: no other explorer has one yet."""
    import ipywidgets as w

    play = w.Play(value=0, min=0, max=maximum, step=1, interval=interval, description="play")
    setattr(play, "repeat" if play.has_trait("repeat") else "_repeat", True)
    return play


@functools.lru_cache(maxsize=None)
def _step_box_class():
    """The explorer's VBox: its display data adds, for readers without a kernel, the
    animation of its setting (text/html) and its text panel (text/plain).  Like
    ``_base._box_class`` (ipywidgets 7 and 8), with HTML in place of the single picture."""
    from ._base import _box_class

    class ConvStepBox(_box_class()):
        def _fallback(self):
            data = super()._fallback()   # the settings and the text panel (no drawing: state["figure"] is None)
            settings = {k: c.value for k, c in self._controls.items() if k != "position"}
            try:
                data["text/html"] = conv_steps_animation_html(**settings)
            except Exception:  # an invalid or undrawable setting: its text says why
                pass
            return data

    return ConvStepBox


def conv_step_explorer(W=5, F=3, S=2, P=1, dilation=1, D_in=3, K=2, position=0):
    """The notes' convolution demo as an explorer, starting at the notes' example.

    Sliders for input size W, filter size F, stride S, padding P and dilation, menus for
    the input depth and the number of filters, and an output-position slider with a Play
    button (one position per second, in the order of the demo).  Shows the working for the
    current position (every product, each depth slice's sum, plus the bias) and a drawing of
    the padded input with the window, the filters, the products and the output volume filling
    in; an invalid setting shows its explanation instead.  Every integer is shown as given;
    a value that is not an integer raises ValueError.  Returns the widget.
    """
    import ipywidgets as w
    from IPython.display import Image, display

    names = {"W": "input size W", "F": "filter size F", "S": "stride S", "P": "padding P", "dilation": "dilation"}
    values = {"W": W, "F": F, "S": S, "P": P, "dilation": dilation}
    controls = {key: _int_slider(values[key], CONV_STEP_RANGES[key], names[key], key) for key in CONV_STEP_RANGES}
    controls["D_in"] = _choice(D_in, CONV_STEP_CHOICES["D_in"], "input depth D_in", "D_in")
    controls["K"] = _choice(K, CONV_STEP_CHOICES["K"], "filters K", "K")
    first = conv_step_view(W, F, S, P, dilation, D_in, K, 0)
    last = max(first.n_positions - 1, 0)
    slider = _int_slider(position, range(0, last + 1), "output position", "position")
    controls["position"] = slider
    play = _play_widget(slider.max)
    w.jslink((play, "value"), (slider, "value"))
    text, picture = w.HTML(), w.Output()
    state = {"html": "", "figure": None, "png": None, "adjusting": False, "geometry": first.geometry}
    drawings = {}   # this explorer's drawing of the current geometry

    def follow_geometry(settings):
        """A new geometry: the position's range becomes its positions (the only time the
        explorer changes a control's value: the position is kept if it still exists, else the
        last one is shown)."""
        geometry = conv_step_view(**{**settings, "position": 0})
        if not geometry.valid or geometry.geometry == state["geometry"]:
            return settings
        state["geometry"] = geometry.geometry
        top = geometry.n_positions - 1
        state["adjusting"] = True
        try:
            if slider.value > top:
                slider.value = top
            slider.max = top
            play.max = top
        finally:
            state["adjusting"] = False
        return {**settings, "position": slider.value}

    def update(**settings):
        try:
            view = conv_step_view(**follow_geometry(settings))
            png = conv_step_png(view, drawings) if view.valid and view.drawable else None
            panel = view.html
        except Exception as err:  # never let a control move raise out of the callback
            panel, png = _view_html(False, f"unexpected error: {err!r}"), None
        text.value = panel
        state["html"], state["png"] = panel, png
        picture.clear_output(wait=png is not None)
        if png is not None:
            with picture:
                display(Image(data=png, format="png"))

    serialised = _one_at_a_time(update, controls)

    def changed(_change):
        if not state["adjusting"]:
            serialised()

    for control in controls.values():
        control.observe(changed, names="value")
    serialised()
    row1 = w.HBox([w.VBox([controls[k] for k in ("W", "F", "S", "P", "dilation")]),
                   w.VBox([controls["D_in"], controls["K"]])])
    box = _step_box_class()(children=[row1, w.HBox([play, slider]), text, picture])
    box._title, box._controls, box._state = "Conv step explorer", controls, state
    box._play = play
    return box
