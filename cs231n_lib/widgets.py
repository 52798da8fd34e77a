"""Slider explorers for the notebooks (ipywidgets 7.7 and 8).

Each explorer is three pieces:

1. a pure function that computes what to show from the slider values
   (text, or the explanation of an invalid setting) -- testable without
   Jupyter;
2. a figure function from :mod:`cs231n_lib.vis`;
3. a few lines of wiring that connect sliders to them.

An invalid slider combination shows its explanation in the widget; the
callback never raises.
"""
from __future__ import annotations

import html
from typing import NamedTuple, Optional

from . import arithmetic, vis

__all__ = ["CONV_RANGES", "ConvView", "conv_view", "render_conv_explorer", "conv_explorer"]

# The sliders' ranges (inclusive).  Small enough that the drawing stays
# readable; tests/test_widgets.py runs the explorer over every combination.
CONV_RANGES = {
    "W": range(1, 17),
    "F": range(1, 8),
    "S": range(1, 5),
    "P": range(0, 4),
    "dilation": range(1, 4),
}
# Depth of the input and number of filters only change the parameter count.
CONV_CHOICES = {"D_in": (1, 3, 16, 64), "K": (1, 8, 32, 96)}


def _view_html(valid, text):
    """An explorer's text panel as HTML: the lines of ``text``, or a red box
    headed "Invalid setting." when the setting cannot be drawn."""
    if not valid:
        return (
            "<div style='font-family:monospace;color:#a00;border:1px solid #a00;padding:4px'>"
            f"<b>Invalid setting.</b> {html.escape(text)}</div>"
        )
    body = "<br>".join(html.escape(line) for line in text.splitlines())
    return f"<div style='font-family:monospace'>{body}</div>"


class ConvView(NamedTuple):
    """What the conv explorer shows for one setting of its sliders.

    ``valid`` tells whether a drawing can be made; ``text`` is the text
    panel (the formula with numbers and the counts, or the explanation of
    an invalid setting); ``output`` is the output size, or None.  ``html``
    is the panel as the widget shows it.
    """

    valid: bool
    text: str
    output: Optional[int]

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


def conv_view(W, F, S, P, dilation=1, D_in=3, K=8) -> ConvView:
    """Compute the conv explorer's text panel for one setting of the sliders.

    Never raises for integer slider values: an invalid setting gives a
    ConvView with ``valid=False`` and the library's explanation.
    """
    try:
        geo = arithmetic.conv_geometry(W, F, S, P, dilation)
    except ValueError as err:
        return ConvView(False, str(err), None)
    out = geo.output
    shared = arithmetic.conv_param_count(F, D_in, K)
    local = arithmetic.conv_param_count(F, D_in, K, out_size=out, sharing=False)
    lines = []
    if dilation > 1:
        lines.append(
            f"effective filter: F_eff = F + (F-1)(dilation-1) = {F} + {F - 1}*{dilation - 1} = {geo.F_eff}"
        )
    lines += [
        f"output size: (W - F{'_eff' if dilation > 1 else ''} + 2P)/S + 1 = {geo.formula}",
        f"output volume: {out} x {out} x {K} = {out * out * K:,} neurons",
        f"parameters with sharing: {F}*{F}*{D_in}*{K} weights + {K} biases = {shared.total:,}",
        f"parameters without sharing: {out * out * K:,} neurons x ({F}*{F}*{D_in} + 1) = {local.total:,}",
    ]
    return ConvView(True, "\n".join(lines), out)


def render_conv_explorer(axes, W, F, S, P, dilation=1, D_in=3, K=8) -> ConvView:
    """The explorer's update: compute the view and, if valid, redraw ``axes``.

    ``axes`` comes from :func:`cs231n_lib.vis.conv_explorer_axes`.  Returns
    the ConvView; an invalid setting leaves the drawing alone.
    """
    view = conv_view(W, F, S, P, dilation, D_in, K)
    if view.valid:
        vis.draw_conv_explorer(axes, W, F, S, P, dilation)
    return view


def conv_explorer(W=7, F=3, S=2, P=0, dilation=1, D_in=3, K=8):
    """Sliders for input size, filter size, stride, padding and dilation.

    Shows the formula with numbers, the output size and parameter counts,
    a 1-D drawing of the neurons and a 2-D drawing of the receptive fields;
    an invalid combination shows its explanation instead of the drawing.
    Returns the widget (display it, or make it the last line of a cell).
    """
    import ipywidgets as w

    style = {"description_width": "initial"}
    names = {"W": "input size W", "F": "filter size F", "S": "stride S", "P": "padding P",
             "dilation": "dilation"}
    values = {"W": W, "F": F, "S": S, "P": P, "dilation": dilation}
    controls = {
        key: w.IntSlider(value=values[key], min=CONV_RANGES[key][0], max=CONV_RANGES[key][-1],
                         description=names[key], continuous_update=False, style=style)
        for key in CONV_RANGES
    }
    controls["D_in"] = w.Dropdown(options=CONV_CHOICES["D_in"], value=D_in, description="input depth D_in",
                                  style=style)
    controls["K"] = w.Dropdown(options=CONV_CHOICES["K"], value=K, description="filters K", style=style)
    fig, axes = vis.conv_explorer_axes()

    def render(**settings):
        view = render_conv_explorer(axes, **settings)
        return view.html, fig if view.valid else None

    text, picture, wiring = _wire(controls, render)
    left = w.VBox([controls[k] for k in ("W", "F", "S", "P", "dilation")])
    right = w.VBox([controls["D_in"], controls["K"]])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])


# =============================================================================
# Notebook 04 (architectures): receptive-field explorer and budget calculator.
# =============================================================================
from . import specs as _specs  # noqa: E402  (kept with the section it serves)

__all__ += ["RF_RANGES", "RF_SCHEDULES", "RFView", "rf_view", "rf_explorer",
            "BUDGET_RANGES", "BUDGET_CHOICES", "BudgetView", "budget_view", "budget_calculator"]

RF_RANGES = {
    "layers": range(1, 7),
    "F": range(1, 8),
    "S": range(1, 4),
    "dilation": range(1, 5),
}
RF_SCHEDULES = ("same for every layer", "doubles each layer")
RF_MAX_DRAWN = 200  # wider fields are described but not drawn


def _panel(valid, text):
    body = html.escape(text)
    if not valid:
        return ("<pre style='color:#a00;border:1px solid #a00;padding:4px;white-space:pre-wrap'>"
                f"{body}</pre>")
    return f"<pre style='white-space:pre-wrap'>{body}</pre>"


class RFView(NamedTuple):
    """What the receptive-field explorer shows: ``layers`` (LayerDims, or None when
    nothing is drawn), ``text`` (the table and the formula with numbers, or why
    there is no drawing) and ``size`` (the final receptive field)."""

    valid: bool
    text: str
    layers: Optional[tuple]
    size: Optional[int]

    @property
    def html(self) -> str:
        return _panel(self.valid, self.text)


def rf_view(layers=3, F=3, S=1, dilation=1, schedule=RF_SCHEDULES[0]) -> RFView:
    """The receptive-field explorer for ``layers`` conv layers of ``F x F`` filters at
    stride ``S`` with dilation ``dilation`` (or 1, 2, 4, ... when ``schedule`` is
    'doubles each layer'; then ``dilation`` is ignored).  Never raises for
    slider values; fields too wide to draw give ``valid=False`` and the numbers."""
    try:
        if schedule not in RF_SCHEDULES:
            raise ValueError(f"schedule must be one of {RF_SCHEDULES}, got {schedule!r}.")
        dils = [2 ** i if schedule == RF_SCHEDULES[1] else dilation for i in range(layers)]
        dims = tuple(
            arithmetic.LayerDims("conv", F, 1, S, 0, d,
                                 f"conv{i + 1}: F={F}" + (f", d={d}" if d > 1 else "")
                                 + (f", S={S}" if S > 1 else ""))
            for i, d in enumerate(dils))
        rows = arithmetic.receptive_field(dims)
    except ValueError as err:
        return RFView(False, str(err), None, None)
    terms = [f"({row.k}-1)*{prev}" for row, prev in
             zip(rows, [1] + [r.stride for r in rows[:-1]])]
    last = rows[-1]
    text = "\n".join([
        _specs.format_receptive_field(rows),
        f"r = 1 + sum of (k_l - 1) * (stride so far) = 1 + {' + '.join(terms)} = {last.size}",
        f"neighbouring output units are S = {last.stride} input pixels apart",
    ])
    if last.size > RF_MAX_DRAWN:
        return RFView(False, text + f"\nA field of {last.size} pixels is too wide to draw "
                      f"(limit {RF_MAX_DRAWN}): use fewer layers, a smaller stride or dilation.",
                      None, last.size)
    return RFView(True, text, dims, last.size)


def rf_explorer(layers=3, F=3, S=1, dilation=1):
    """Sliders for the number of layers, filter size, stride and dilation (and a
    dilation schedule); shows the receptive-field table and how the field grows
    on the input (:func:`cs231n_lib.vis.receptive_field_figure`)."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    values = {"layers": layers, "F": F, "S": S, "dilation": dilation}
    names = {"layers": "conv layers", "F": "filter size F", "S": "stride S",
             "dilation": "dilation"}
    controls = {
        key: w.IntSlider(value=values[key], min=RF_RANGES[key][0], max=RF_RANGES[key][-1],
                         description=names[key], continuous_update=False, style=style)
        for key in RF_RANGES
    }
    controls["schedule"] = w.Dropdown(options=RF_SCHEDULES, value=RF_SCHEDULES[0],
                                      description="dilation", style=style)
    def render(**settings):
        view = rf_view(**settings)
        return view.html, vis.receptive_field_figure(view.layers) if view.valid else None

    text, picture, wiring = _wire(controls, render)
    left = w.VBox([controls[k] for k in ("layers", "F", "S")])
    right = w.VBox([controls["dilation"], controls["schedule"]])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])


BUDGET_RANGES = {"N": range(0, 4), "M": range(0, 6), "K": range(0, 3)}
BUDGET_CHOICES = {
    "input_size": (24, 28, 32, 64, 96, 224),
    "filters": (8, 16, 32, 64),
    "dtype": ("float32", "float64"),
}


class BudgetView(NamedTuple):
    """What the budget calculator shows: the ``spec`` string it built, and either
    the budget (``budget`` and the table in ``text``) or the parse error in ``text``."""

    valid: bool
    spec: str
    text: str
    budget: Optional[arithmetic.Budget]

    @property
    def html(self) -> str:
        return _panel(True, f"spec: {self.spec}") + _panel(self.valid, self.text)


def budget_view(N=2, M=3, K=1, input_size=32, filters=32, dtype="float32",
                spec: Optional[str] = None) -> BudgetView:
    """Parse a spec string (or build the notes' pattern ``INPUT -> [[CONV -> RELU]*N
    -> POOL]*M -> [FC -> RELU]*K -> FC`` from the sliders) and size it.  Never raises:
    a bad spec gives ``valid=False`` and the parser's caret message."""
    try:
        text = spec if spec is not None else _specs.general_pattern(
            N, M, K, input_size=input_size, filters=filters)
    except Exception as err:
        return BudgetView(False, repr(spec), f"unexpected error: {err!r}", None)
    try:
        if dtype not in BUDGET_CHOICES["dtype"]:
            raise ValueError(f"dtype must be one of {BUDGET_CHOICES['dtype']}, got {dtype!r}.")
        b = _specs.parse(text).budget(bytes_per_value=4 if dtype == "float32" else 8)
    except ValueError as err:
        return BudgetView(False, text, str(err), None)
    return BudgetView(True, text, _specs.format_budget(b, formulas=False), b)


def budget_calculator(N=2, M=3, K=1, input_size=32, filters=32):
    """Sliders for the notes' layer pattern (N convs per pool, M pools, K hidden FC
    layers), the input size, the filter count and the number type; shows the spec,
    the per-layer table and the totals.  Bad settings show the parser's message."""
    import ipywidgets as w

    style = {"description_width": "initial"}
    values = {"N": N, "M": M, "K": K}
    names = {"N": "N (CONV-RELU per pool)", "M": "M (pools)", "K": "K (hidden FC)"}
    controls = {
        key: w.IntSlider(value=values[key], min=BUDGET_RANGES[key][0],
                         max=BUDGET_RANGES[key][-1], description=names[key],
                         continuous_update=False, style=style)
        for key in BUDGET_RANGES
    }
    controls["input_size"] = w.Dropdown(options=BUDGET_CHOICES["input_size"], value=input_size,
                                        description="input size", style=style)
    controls["filters"] = w.Dropdown(options=BUDGET_CHOICES["filters"], value=filters,
                                     description="filters per conv", style=style)
    controls["dtype"] = w.Dropdown(options=BUDGET_CHOICES["dtype"], value="float32",
                                   description="numbers", style=style)
    text = w.HTML()

    def update(**settings):
        try:
            view = budget_view(**settings)
        except Exception as err:  # never let a slider move raise out of the callback
            view = BudgetView(False, "?", f"unexpected error: {err!r}", None)
        text.value = view.html

    wiring = w.interactive_output(_one_at_a_time(update, controls), controls)
    left = w.VBox([controls[k] for k in ("N", "M", "K")])
    right = w.VBox([controls[k] for k in ("input_size", "filters", "dtype")])
    return w.VBox([w.HBox([left, right]), text, wiring])


# ---- notebook 03: pooling ----
# The pooling explorer: input size, window, stride and pooling type.
POOL_RANGES = {
    "W": range(2, 13),
    "F": range(1, 5),
    "S": range(1, 5),
}
POOL_KINDS = ("max", "avg", "l2")

__all__ += ["POOL_RANGES", "POOL_KINDS", "PoolView", "pool_explorer_input", "pool_view",
            "render_pool_explorer", "pool_explorer"]


class PoolView(NamedTuple):
    """What the pooling explorer shows for one setting of its controls.

    ``valid`` tells whether a drawing can be made; ``text`` is the text
    panel (the formula with numbers, or the explanation of an invalid
    setting); ``output`` is the pooled (W_out, W_out) array, or None.
    ``html`` is the panel as the widget shows it.  For max pooling,
    ``switches`` is the (W_out, W_out) array of in-window argmax positions.
    """

    valid: bool
    text: str
    output: Optional[object]
    switches: Optional[object] = None

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


def pool_explorer_input(W):
    """The explorer's input: a fixed (W, W) grid of small integers 0..9 (seed 3)."""
    import numpy as np

    return np.random.default_rng(3).integers(0, 10, size=(12, 12))[:W, :W].astype(float)


def pool_view(W, F, S, kind="max") -> PoolView:
    """Pool the explorer's input and describe the result; never raises for slider values.

    An invalid setting (the window does not fit, or the windows do not tile
    the input) gives ``valid=False`` and the library's explanation.
    """
    from . import fast_layers

    if kind not in POOL_KINDS:
        return PoolView(False, f"kind must be one of {POOL_KINDS}, got {kind!r}", None)
    pool_param = {"pool_height": F, "pool_width": F, "stride": S}
    x = pool_explorer_input(W)
    try:
        forward = getattr(fast_layers, f"{kind}_pool_forward_fast")
        out, cache = forward(x[None, None], pool_param)
        route = fast_layers.pool_method((1, 1, W, W), pool_param)
    except ValueError as err:
        return PoolView(False, str(err), None)
    out = out[0, 0]
    n = out.shape[0]
    kept = n * n / (W * W)
    if F > S:
        overlap = f"windows overlap: neighbours share {F - S} row(s)/column(s)"
    elif F < S:
        overlap = f"gaps: {S - F} row(s)/column(s) between windows are never read"
    else:
        overlap = "windows tile the input exactly, no overlap"
    lines = [
        f"output size: (W - F)/S + 1 = ({W} - {F})/{S} + 1 = {n}",
        f"output: {n} x {n} = {n * n} numbers from {W} x {W} = {W * W}: "
        f"{100 * kept:.1f}% kept, {100 * (1 - kept):.1f}% discarded",
        f"{overlap}; each output summarises {F * F} input number(s)",
        f"fast_layers route: '{route}'",
    ]
    switches = cache[2][0, 0] if kind == "max" else None
    return PoolView(True, "\n".join(lines), out, switches)


def render_pool_explorer(axes, W, F, S, kind="max") -> PoolView:
    """The pooling explorer's update: compute the view and, if valid, redraw ``axes``.

    ``axes`` comes from :func:`cs231n_lib.vis.pool_explorer_axes`.
    """
    view = pool_view(W, F, S, kind)
    if view.valid:
        vis.draw_pool_explorer(axes, pool_explorer_input(W), view.output, F, S, kind, view.switches)
    return view


def pool_explorer(W=8, F=2, S=2, kind="max"):
    """Sliders for input size, window and stride, and a menu for the pooling type.

    Shows the formula with numbers, how much is discarded, and the input
    with its windows next to the pooled output.  Returns the widget.
    """
    import ipywidgets as w

    style = {"description_width": "initial"}
    names = {"W": "input size W", "F": "window F", "S": "stride S"}
    values = {"W": W, "F": F, "S": S}
    controls = {
        key: w.IntSlider(value=values[key], min=POOL_RANGES[key][0], max=POOL_RANGES[key][-1],
                         description=names[key], continuous_update=False, style=style)
        for key in POOL_RANGES
    }
    controls["kind"] = w.Dropdown(
        options=[("max", "max"), ("average", "avg"), ("L2 norm", "l2")], value=kind,
        description="pooling", style=style)
    fig, axes = vis.pool_explorer_axes()

    def render(**settings):
        view = render_pool_explorer(axes, **settings)
        return view.html, fig if view.valid else None

    text, picture, wiring = _wire(controls, render)
    return w.VBox([w.HBox([w.VBox([controls[k] for k in POOL_RANGES]), controls["kind"]]),
                   text, picture, wiring])


# =====================================================================
# ---- notebook 02: filtering photographs with the conv layer ----
# =====================================================================
import functools  # noqa: E402  (kept with the section it serves)

# Photos that ship inside scikit-image (no download needed).
PHOTOS = ("camera", "coins", "astronaut", "chelsea")
# Filters for the photo explorer: name -> rows of the kernel (a cross-correlation kernel).
PHOTO_FILTERS = {
    "vertical edges (Sobel x)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel y)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "all edges (Laplacian)": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "blur (3x3 box)": [[1 / 9] * 3] * 3,
    "blur (5x5 box)": [[1 / 25] * 5] * 5,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}
PHOTO_RANGES = {"stride": range(1, 5), "pad": range(0, 4), "dilation": range(1, 4)}


def sample_photo(name="camera", size=121):
    """A square grayscale photo from scikit-image's bundled data, values in [0, 1].

    ``name`` is one of :data:`PHOTOS`.  The photo is shrunk by averaging
    whole blocks of pixels (an integer factor, so it stays sharp) and the
    centre ``size`` x ``size`` square is kept.  The default 121 is chosen so
    that ``121 - 3 + 2*1 = 120`` is divisible by the strides 1 to 4.
    """
    return _photo(name, int(size)).copy()


@functools.lru_cache(maxsize=8)
def _photo(name, size):
    import numpy as np
    from skimage import data

    if name not in PHOTOS:
        raise ValueError(f"photo must be one of {PHOTOS}, got {name!r}.")
    img = np.asarray(getattr(data, name)(), dtype=np.float64)
    if img.ndim == 3:  # RGB -> luminance (ITU-R 601 weights)
        img = img[..., :3] @ np.array([0.299, 0.587, 0.114])
    img = img / 255.0
    k = max(1, min(img.shape) // size)
    H, W = (img.shape[0] // k) * k, (img.shape[1] // k) * k
    img = img[:H, :W].reshape(H // k, k, W // k, k).mean(axis=(1, 3))
    if min(img.shape) < size:
        raise ValueError(f"photo {name!r} is only {img.shape} after shrinking; ask for size <= {min(img.shape)}.")
    top, left = (img.shape[0] - size) // 2, (img.shape[1] - size) // 2
    return img[top:top + size, left:left + size]


class PhotoView(NamedTuple):
    """What the photo explorer shows: ``valid``, the text panel, and the arrays to draw.

    ``text`` holds the output-size formulas, or the explanation of an
    invalid setting; ``html`` is the panel as the widget shows it.
    """

    valid: bool
    text: str
    image: object
    kernel: object
    out: object

    @property
    def html(self) -> str:
        return _view_html(self.valid, self.text)


def photo_filter_view(photo="camera", filter_name="vertical edges (Sobel x)", stride=1, pad=0,
                      dilation=1, size=121) -> PhotoView:
    """Filter a photo with one conv layer (one input channel, one filter).

    Never raises for values in :data:`PHOTO_RANGES`: an invalid geometry
    gives ``valid=False`` and the layer's explanation (the formula with the
    numbers), with the photo and kernel but no output.
    """
    import numpy as np

    from .fast_layers import conv_forward_fast

    image = sample_photo(photo, size)
    kernel = np.asarray(PHOTO_FILTERS[filter_name], dtype=np.float64)
    HH, WW = kernel.shape
    param = {"stride": stride, "pad": pad, "dilation": dilation}
    try:
        out, _ = conv_forward_fast(image[None, None], kernel[None, None], np.zeros(1), param)
    except ValueError as err:
        return PhotoView(False, str(err), image, kernel, None)
    out = out[0, 0]
    H, W = image.shape
    span = dilation * (HH - 1) + 1
    lines = [
        f"input {H}x{W}, filter {HH}x{WW}"
        + (f" (dilation {dilation}: spans {span}x{dilation * (WW - 1) + 1} pixels)" if dilation > 1 else ""),
        f"output height: ({H} - {span} + 2*{pad})/{stride} + 1 = {out.shape[0]}",
        f"output width:  ({W} - {dilation * (WW - 1) + 1} + 2*{pad})/{stride} + 1 = {out.shape[1]}",
        f"output range: {float(out.min()):.3f} to {float(out.max()):.3f}",
    ]
    return PhotoView(True, "\n".join(lines), image, kernel, out)


def photo_filter_figure(view: PhotoView, title=""):
    """The figure for a valid :class:`PhotoView` (photo, filter, output)."""
    if not view.valid:
        raise ValueError("this setting is invalid; show view.html instead of a figure")
    return vis.filtered_photo_figure(view.image, view.kernel, view.out, title)


def photo_filter_explorer(photo="camera", filter_name="vertical edges (Sobel x)", stride=1, pad=1,
                          dilation=1):
    """Dropdowns for photo and filter, sliders for stride, padding and dilation.

    Shows the output-size formulas and the filtered photo, or the reason a
    setting is invalid.  Returns the widget.
    """
    import ipywidgets as w

    style = {"description_width": "initial"}
    controls = {
        "photo": w.Dropdown(options=PHOTOS, value=photo, description="photo", style=style),
        "filter_name": w.Dropdown(options=list(PHOTO_FILTERS), value=filter_name,
                                  description="filter", style=style),
    }
    values = {"stride": stride, "pad": pad, "dilation": dilation}
    for key, rng in PHOTO_RANGES.items():
        controls[key] = w.IntSlider(value=values[key], min=rng[0], max=rng[-1], description=key,
                                    continuous_update=False, style=style)
    def render(**settings):
        view = photo_filter_view(**settings)
        return view.html, photo_filter_figure(view, settings["filter_name"]) if view.valid else None

    text, picture, wiring = _wire(controls, render)
    left = w.VBox([controls["photo"], controls["filter_name"]])
    right = w.VBox([controls[k] for k in PHOTO_RANGES])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])


# =====================================================================
# ---- all explorers: one slider callback at a time (issue 7) ----
def _wire(controls, render):
    """Connect an explorer's controls to ``render(**settings) -> (html, figure or None)``.

    Returns ``(text, picture, wiring)``: the HTML panel, the Output that
    shows the figure, and the (invisible) output of ``interactive_output``.
    A setting without a figure (an invalid one) removes the old drawing, and
    an unexpected error is shown in the panel instead of escaping the callback.
    """
    import ipywidgets as w
    from IPython.display import display

    text, picture = w.HTML(), w.Output()

    def update(**settings):
        try:
            panel, fig = render(**settings)
        except Exception as err:  # never let a slider move raise out of the callback
            panel, fig = _view_html(False, f"unexpected error: {err!r}"), None
        text.value = panel
        picture.clear_output(wait=fig is not None)  # no new output: clear the old drawing now
        if fig is not None:
            with picture:
                display(fig)

    wiring = w.interactive_output(_one_at_a_time(update, controls), controls)
    return text, picture, wiring


def _one_at_a_time(update, controls):
    """Wrap an explorer's ``update(**settings)`` for ``interactive_output``.

    ipykernel 7 can run two slider callbacks at once, in different threads
    (widget messages may arrive on a subshell): one callback then redraws a
    shared figure while the other renders it to PNG, and the last callback to
    finish may carry older values than the sliders show.  The wrapper runs one
    callback at a time and passes the controls' current values, so the last
    callback always shows the last setting.  Found by tests/test_browser.py.
    """
    import functools
    import threading

    lock = threading.Lock()

    @functools.wraps(update)
    def serialised(**settings):
        with lock:
            update(**{key: control.value for key, control in controls.items()})

    return serialised
