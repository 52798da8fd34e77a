"""Notebook 02 (the conv layer): filtering photographs with one conv layer, as an explorer."""
from __future__ import annotations

import functools
from typing import NamedTuple

from ..vis import conv_layer as vis
from ._base import Drawing, _choice, _explorer_box, _int_slider, _view_html, _wire

__all__ = ["PHOTOS", "PHOTO_FILTERS", "PHOTO_RANGES", "PHOTO_MAX_PADDED", "sample_photo", "PhotoView",
           "photo_filter_view", "photo_filter_figure", "render_photo_filter_explorer", "photo_filter_explorer"]

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


PHOTO_MAX_PADDED = 1024  # a padded photo larger than this is refused (it would not fit in memory usefully)


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

    Never raises: an invalid geometry (or an unknown photo or filter, an
    argument that is not an integer, a padding that would make the photo
    larger than :data:`PHOTO_MAX_PADDED`) gives ``valid=False`` and the
    explanation, with the photo and kernel when they exist but no output.
    """
    import numpy as np

    from ..arithmetic import as_int
    from ..fast_layers import conv_forward_fast

    image = kernel = None
    try:
        if filter_name not in PHOTO_FILTERS:
            raise ValueError(f"filter_name must be one of {tuple(PHOTO_FILTERS)}, got {filter_name!r}.")
        kernel = np.asarray(PHOTO_FILTERS[filter_name], dtype=np.float64)
        image = sample_photo(photo, as_int(size, "size", 1))
        if as_int(pad, "pad", 0) * 2 + image.shape[0] > PHOTO_MAX_PADDED:
            raise ValueError(f"pad = {pad} would make the photo {image.shape[0] + 2 * pad} pixels wide; "
                             f"the explorer computes up to {PHOTO_MAX_PADDED} (pad at most "
                             f"{(PHOTO_MAX_PADDED - image.shape[0]) // 2}).")
        HH, WW = kernel.shape
        param = {"stride": stride, "pad": pad, "dilation": dilation}
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
    """The figure for a valid :class:`PhotoView` (photo, filter, output), as a new figure."""
    if not view.valid:
        raise ValueError("this setting is invalid; show view.html instead of a figure")
    return vis.filtered_photo_figure(view.image, view.kernel, view.out, title)


def render_photo_filter_explorer(axes, photo="camera", filter_name="vertical edges (Sobel x)", stride=1, pad=1,
                                 dilation=1) -> PhotoView:
    """The explorer's update: compute the view and, if valid, redraw ``axes`` in place (from
    :func:`cs231n_lib.vis.filtered_photo_axes`; the filter's name is the title)."""
    view = photo_filter_view(photo, filter_name, stride, pad, dilation)
    if view.valid:
        vis.draw_filtered_photo(axes, view.image, view.kernel, view.out, filter_name)
    return view


def photo_filter_explorer(photo="camera", filter_name="vertical edges (Sobel x)", stride=1, pad=1,
                          dilation=1):
    """Dropdowns for photo and filter, sliders for stride, padding and dilation.

    Shows the output-size formulas and the filtered photo, or the reason a
    setting is invalid.  Every integer is shown as given (a slider widens to
    hold it); a value that is not an integer, or a photo or filter not in
    :data:`PHOTOS` / :data:`PHOTO_FILTERS`, raises ValueError saying so.
    The sliders update the picture while dragged (it is redrawn in place).
    Returns the widget.
    """
    import ipywidgets as w

    controls = {
        "photo": _choice(photo, PHOTOS, "photo", "photo", numeric=False),
        "filter_name": _choice(filter_name, list(PHOTO_FILTERS), "filter", "filter_name", numeric=False),
    }
    values = {"stride": stride, "pad": pad, "dilation": dilation}
    for key, rng in PHOTO_RANGES.items():
        controls[key] = _int_slider(values[key], rng, key, continuous=True)
    fig, axes = vis.filtered_photo_axes()

    def render(photo, filter_name, stride, pad, dilation):
        view = photo_filter_view(photo, filter_name, stride, pad, dilation)
        if not view.valid:
            return view.html, None

        def draw():
            vis.draw_filtered_photo(axes, view.image, view.kernel, view.out, filter_name)
            return fig

        return view.html, Drawing((photo, filter_name, stride, pad, dilation), draw)

    text, picture, wiring, state = _wire(controls, render, "Photo filter explorer")
    left = w.VBox([controls["photo"], controls["filter_name"]])
    right = w.VBox([controls[k] for k in PHOTO_RANGES])
    return _explorer_box("Photo filter explorer", [w.HBox([left, right]), text, picture, wiring],
                         controls, state)
