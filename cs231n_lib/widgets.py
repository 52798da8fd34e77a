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

import functools
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
        if not self.valid:
            return (
                "<div style='font-family:monospace;color:#a00;border:1px solid #a00;padding:4px'>"
                f"<b>Invalid setting.</b> {html.escape(self.text)}</div>"
            )
        body = "<br>".join(html.escape(line) for line in self.text.splitlines())
        return f"<div style='font-family:monospace'>{body}</div>"


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
    from IPython.display import display

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
    text = w.HTML()
    picture = w.Output()
    fig, axes = vis.conv_explorer_axes()

    def update(**settings):
        try:
            view = render_conv_explorer(axes, **settings)
        except Exception as err:  # never let a slider move raise out of the callback
            view = ConvView(False, f"unexpected error: {err!r}", None)
        text.value = view.html
        picture.clear_output(wait=True)
        if view.valid:
            with picture:
                display(fig)

    wiring = w.interactive_output(update, controls)
    left = w.VBox([controls[k] for k in ("W", "F", "S", "P", "dilation")])
    right = w.VBox([controls["D_in"], controls["K"]])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])


# =====================================================================
# ---- notebook 02: filtering photographs with the conv layer ----
# =====================================================================
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
        if not self.valid:
            return (
                "<div style='font-family:monospace;color:#a00;border:1px solid #a00;padding:4px'>"
                f"<b>Invalid setting.</b> {html.escape(self.text)}</div>"
            )
        body = "<br>".join(html.escape(line) for line in self.text.splitlines())
        return f"<div style='font-family:monospace'>{body}</div>"


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
    from IPython.display import display

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
    text = w.HTML()
    picture = w.Output()

    def update(**settings):
        try:
            view = photo_filter_view(**settings)
            fig = photo_filter_figure(view, settings["filter_name"]) if view.valid else None
        except Exception as err:  # never let a slider move raise out of the callback
            view, fig = PhotoView(False, f"unexpected error: {err!r}", None, None, None), None
        text.value = view.html
        picture.clear_output(wait=True)
        if fig is not None:
            with picture:
                display(fig)

    wiring = w.interactive_output(update, controls)
    left = w.VBox([controls["photo"], controls["filter_name"]])
    right = w.VBox([controls[k] for k in PHOTO_RANGES])
    return w.VBox([w.HBox([left, right]), text, picture, wiring])
