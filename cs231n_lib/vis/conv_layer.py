"""Notebook 02 (the conv layer and im2col): where each pixel lands in X_col, filtered photographs."""
from __future__ import annotations

from ._base import PAD_COLOUR, _new_figure

__all__ = ["im2col_figure", "filtered_photo_figure"]

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


def filtered_photo_figure(image, kernel, out, title):
    """A photo, the filter (its numbers written in) and the filtered result.

    ``image`` (H, W) in [0, 1]; ``kernel`` (HH, WW); ``out`` (H_out, W_out).
    """
    import numpy as np

    image, kernel, out = np.asarray(image), np.asarray(kernel), np.asarray(out)
    fig = _new_figure(11, 4)
    ax_img, ax_k, ax_out = fig.subplots(1, 3, gridspec_kw={"width_ratios": [3, 1.6, 3]})
    ax_img.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax_img.set_title(f"input {image.shape[0]}x{image.shape[1]}")
    lim = float(np.abs(kernel).max()) or 1.0
    ax_k.imshow(kernel, cmap="RdBu_r", vmin=-lim, vmax=lim)
    if kernel.size <= 49:
        for (r, c), v in np.ndenumerate(kernel):
            ax_k.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=7)
    ax_k.set_title(f"filter {kernel.shape[0]}x{kernel.shape[1]}")
    from matplotlib.ticker import MaxNLocator

    for axis in (ax_k.xaxis, ax_k.yaxis):
        axis.set_major_locator(MaxNLocator(integer=True))
    lim_out = float(np.abs(out).max()) or 1.0
    signed = bool(out.min() < -1e-12)
    ax_out.imshow(out, cmap="RdBu_r" if signed else "gray",
                  vmin=-lim_out if signed else None, vmax=lim_out if signed else None)
    ax_out.set_title(f"output {out.shape[0]}x{out.shape[1]}")
    for ax in (ax_img, ax_k, ax_out):
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    fig.suptitle(title)
    return fig
