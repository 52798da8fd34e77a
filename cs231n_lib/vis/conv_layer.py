"""Notebook 02 (the conv layer and im2col): where each pixel lands in X_col, filtered photographs."""
from __future__ import annotations

from ._base import PAD_COLOUR, _new_figure, _titles_at_top

__all__ = ["im2col_figure", "filtered_photo_axes", "draw_filtered_photo", "filtered_photo_figure"]

def im2col_figure(pixel_ids, cols, counts, title="im2col"):
    """Which input pixel lands in which column of X_col, and how often.

    Parameters
    ----------
    pixel_ids : array (H_pad, W_pad)
        The padded input of one channel, each real pixel holding its number
        (0, 1, 2, ...) and each padding position holding -1.
    cols : array (HH*WW, n_windows)
        ``im2col`` of ``pixel_ids`` (padding positions -1): entry (r, k) is
        the number of the pixel that filter tap r reads in window k.
    counts : array (H, W)
        In how many windows (columns) each input pixel appears: ``col2im``
        of a matrix of ones.

    Returns a Figure with three panels: the numbered input, X_col coloured by
    pixel number (numbers written in when it is small; padding grey, marked
    "p"), and the counts.
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    pixel_ids, cols, counts = np.asarray(pixel_ids), np.asarray(cols), np.asarray(counts)
    fig = _new_figure(12, 4.2)
    ax_in, ax_col, ax_count = fig.subplots(
        1, 3, gridspec_kw={"width_ratios": [pixel_ids.shape[1], cols.shape[1], counts.shape[1]]}
    )
    n_pixels = max(int(pixel_ids.max()) + 1, 1)
    cmap = _pixel_cmap()
    for ax, grid in ((ax_in, pixel_ids), (ax_col, cols)):
        masked = np.ma.masked_less(grid, 0)
        ax.imshow(masked, cmap=cmap, vmin=0, vmax=n_pixels - 1, aspect="equal")
        ax.set_facecolor(PAD_COLOUR)
        if grid.size <= 400:
            for (r, c), v in np.ndenumerate(grid):
                ax.text(c, r, "p" if v < 0 else f"{int(v)}", ha="center", va="center",
                        fontsize=7, color="#555555" if v < 0 else "black")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))
    ax_in.set_title("input pixels, numbered\n(padding: grey, p)")
    ax_in.set_xlabel("column")
    ax_in.set_ylabel("row")
    ax_col.set_title(f"X_col: {cols.shape[0]} rows x {cols.shape[1]} columns\n(one column per window)")
    ax_col.set_xlabel("column = window (output position)")
    ax_col.set_ylabel("row = filter tap")
    image = ax_count.imshow(counts, cmap="Oranges", vmin=0)
    for (r, c), v in np.ndenumerate(counts):
        ax_count.text(c, r, f"{int(v)}", ha="center", va="center", fontsize=8)
    ax_count.set_title("copies of each\npixel in X_col")
    ax_count.set_xlabel("column")
    ax_count.set_ylabel("row")
    for axis in (ax_count.xaxis, ax_count.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    fig.colorbar(image, ax=ax_count, shrink=0.7, label="number of copies")
    fig.suptitle(title)
    return fig


def _pixel_cmap():
    from matplotlib import colormaps

    return colormaps["viridis"].with_extremes(bad=PAD_COLOUR)


def filtered_photo_axes():
    """An empty figure for :func:`draw_filtered_photo`: ``(fig, (ax_img, ax_kernel, ax_out))``.

    The layout is fixed (no layout engine): the photo explorer redraws it in place."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4), dpi=100)
    # Each axes where the constrained layout this figure had before put it (in pixels: photos 301
    # wide, the filter 205): the automatic ticks depend on an axis's length.
    ax_img = fig.add_axes((78 / 1100, 48 / 400, 301 / 1100, 301 / 400))
    ax_k = fig.add_axes((467 / 1100, 96 / 400, 205 / 1100, 205 / 400))
    ax_out = fig.add_axes((753 / 1100, 48 / 400, 301 / 1100, 301 / 400))
    _titles_at_top(ax_img, ax_k, ax_out)
    return fig, (ax_img, ax_k, ax_out)


def draw_filtered_photo(axes, image, kernel, out, title):
    """Draw a photo, the filter (its numbers written in) and the filtered result on ``axes`` from
    :func:`filtered_photo_axes`; called again, it updates the drawing in place.

    ``image`` (H, W) in [0, 1]; ``kernel`` (HH, WW); ``out`` (H_out, W_out).
    """
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    ax_img, ax_k, ax_out = axes
    image, kernel, out = np.asarray(image), np.asarray(kernel), np.asarray(out)
    fig = ax_img.figure
    kept = fig.__dict__.setdefault("_cs231n_photo", {})
    if not kept:
        kept["img"] = ax_img.imshow(np.zeros((1, 1)), cmap="gray", vmin=0, vmax=1)
        kept["k"] = ax_k.imshow(np.zeros((1, 1)), cmap="RdBu_r")
        kept["out"] = ax_out.imshow(np.zeros((1, 1)), cmap="gray")
        kept["numbers"] = []
        for axis in (ax_k.xaxis, ax_k.yaxis):
            axis.set_major_locator(MaxNLocator(integer=True))
        for ax in axes:
            ax.set_xlabel("column")
            ax.set_ylabel("row")

    def show(ax, artist, data):  # set_data, with the extent and limits imshow gives an array of this shape
        artist.set_data(data)
        h, w = data.shape[:2]
        artist.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        ax.set_xlim(-0.5, w - 0.5)
        ax.set_ylim(h - 0.5, -0.5)

    show(ax_img, kept["img"], image)
    ax_img.set_title(f"input {image.shape[0]}x{image.shape[1]}")
    lim = float(np.abs(kernel).max()) or 1.0
    show(ax_k, kept["k"], kernel)
    kept["k"].set_clim(-lim, lim)
    labels = [(c, r, f"{v:.2g}") for (r, c), v in np.ndenumerate(kernel)] if kernel.size <= 49 else []
    numbers = kept["numbers"]
    while len(numbers) < len(labels):
        numbers.append(ax_k.text(0, 0, "", ha="center", va="center", fontsize=7))
    for k, text in enumerate(numbers):
        text.set_visible(k < len(labels))
        if k < len(labels):
            text.set_position(labels[k][:2])
            text.set_text(labels[k][2])
    ax_k.set_title(f"filter {kernel.shape[0]}x{kernel.shape[1]}")
    lim_out = float(np.abs(out).max()) or 1.0
    signed = bool(out.min() < -1e-12)
    show(ax_out, kept["out"], out)
    kept["out"].set_cmap("RdBu_r" if signed else "gray")
    if signed:
        kept["out"].set_clim(-lim_out, lim_out)
    else:  # imshow's default: the data's own range
        kept["out"].set_clim(float(out.min()), float(out.max()))
    ax_out.set_title(f"output {out.shape[0]}x{out.shape[1]}")
    fig.suptitle(title)


def filtered_photo_figure(image, kernel, out, title):
    """A photo, the filter (its numbers written in) and the filtered result, as a new figure
    (:func:`draw_filtered_photo` on :func:`filtered_photo_axes`).

    ``image`` (H, W) in [0, 1]; ``kernel`` (HH, WW); ``out`` (H_out, W_out).
    """
    fig, axes = filtered_photo_axes()
    draw_filtered_photo(axes, image, kernel, out, title)
    return fig
