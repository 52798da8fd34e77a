"""Images and small arrays as figures: number grids, rows and grids of images with titles."""
from __future__ import annotations

from ._base import _as_hwc, _fmt, _new_figure

__all__ = ["draw_number_grid", "image_row_figure", "image_grid_figure", "image_grid"]

def draw_number_grid(ax, values, title, facecolours=None, xlabel="column", ylabel="row",
                     fontsize=None):
    """Draw a 2-D array as a grid of cells with its numbers written inside.

    ``facecolours`` is an optional dict ``{(row, col): colour}``; other cells
    are white.  Row 0 is at the top, as in an image.
    """
    import numpy as np
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle

    values = np.asarray(values)
    rows, cols = values.shape
    facecolours = facecolours or {}
    cells = [Rectangle((c - 0.5, r - 0.5), 1, 1) for r in range(rows) for c in range(cols)]
    faces = [facecolours.get((r, c), "white") for r in range(rows) for c in range(cols)]
    ax.add_collection(PatchCollection(cells, facecolors=faces, edgecolors="#999999", linewidths=0.8),
                      autolim=False)
    size = fontsize or max(6, 11 - max(rows, cols) // 2)
    for r in range(rows):
        for c in range(cols):
            ax.text(c, r, _fmt(values[r, c]), ha="center", va="center", fontsize=size)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.tick_params(length=0, labelsize=7)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def image_row_figure(images, suptitle=None, cmap="gray", height=3.0, vmin=None, vmax=None):
    """Show images side by side, each with its title and its size on the axes.

    ``images`` is a dict ``{title: array}``; each array is (H, W) or (H, W, 3)
    with values in [0, 1] for colour.  Every panel is drawn at the same
    display size, so a pooled image looks as big as the original but
    blockier: the axes tick labels give the true pixel counts.  ``vmin`` and
    ``vmax`` fix the colour scale of 2-D images (the same for every panel, so
    their brightness can be compared); by default each panel is scaled alone.
    """
    import numpy as np

    fig = _new_figure(height * len(images) + 0.5, height + 0.6)
    axes = np.atleast_1d(fig.subplots(1, len(images)))
    for ax, (title, img) in zip(axes, images.items()):
        img = np.asarray(img)
        if img.ndim == 2:
            ax.imshow(img, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        else:
            ax.imshow(img, interpolation="nearest")
        ax.set_title(f"{title}\n{img.shape[0]}x{img.shape[1]}", fontsize=10)
        ax.set_xlabel("column (pixels)")
        ax.set_ylabel("row (pixels)")
        ax.tick_params(labelsize=7)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def image_grid_figure(images, titles, suptitle, cmap="gray", xlabel="column", ylabel="row",
                      symmetric=None, colorbar=False, ncols=None, panel_size=3.0):
    """A row (or grid) of images, each with its title and labelled axes.

    Parameters
    ----------
    images : sequence of 2-D arrays (or H x W x 3 RGB arrays in [0, 1])
    titles : sequence of str, one per image
    suptitle : str
    cmap : str or sequence of str (one per image)
    symmetric : sequence of bool, optional
        Per image: centre the colour scale on 0 (for edge maps with signs).
    colorbar : bool
        Add a colour bar to every single-channel image.
    """
    import numpy as np

    n = len(images)
    if len(titles) != n:
        raise ValueError(f"{n} images but {len(titles)} titles.")
    ncols = ncols or n
    nrows = -(-n // ncols)
    cmaps = [cmap] * n if isinstance(cmap, str) else list(cmap)
    symmetric = symmetric or [False] * n
    fig = _new_figure(panel_size * ncols + 0.5, panel_size * nrows + 0.6)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax, img, title, cm, sym in zip(axes, images, titles, cmaps, symmetric):
        img = np.asarray(img)
        kwargs = {}
        if img.ndim == 2 and sym:
            lim = float(np.abs(img).max()) or 1.0
            kwargs = {"vmin": -lim, "vmax": lim}
        shown = ax.imshow(img, cmap=None if img.ndim == 3 else cm, **kwargs)
        if colorbar and img.ndim == 2:
            fig.colorbar(shown, ax=ax, shrink=0.75)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(suptitle)
    return fig


def image_grid(images, labels=None, class_names=None, ncols=10, title="Images", masks=None,
               boxes=None, predictions=None, size=1.2):
    """A grid of images (N, 3, H, W) in [0, 1], each titled with its class name.

    ``masks`` (N, H, W) are outlined in white and ``boxes`` (N, 4) drawn as
    (top, left, bottom, right) rectangles; with ``predictions`` each title
    reads "label -> prediction" (red when wrong).
    """
    import numpy as np
    from matplotlib.patches import Rectangle

    images = np.asarray(images)
    n = len(images)
    if n == 0:
        raise ValueError("image_grid needs at least one image.")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig = _new_figure(size * ncols, size * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(_as_hwc(images[i]), cmap="gray", vmin=0, vmax=1)
        name = ""
        if labels is not None:
            label = int(labels[i])
            name = class_names[label] if class_names is not None else str(label)
        colour = "black"
        if predictions is not None:
            pred = int(predictions[i])
            pred_name = class_names[pred] if class_names is not None else str(pred)
            colour = "black" if labels is None or pred == int(labels[i]) else "red"
            name = f"{name}->{pred_name}" if name else pred_name
        ax.set_title(name, fontsize=7, color=colour)
        if masks is not None:
            ax.contour(np.asarray(masks[i], dtype=float), levels=[0.5], colors="white", linewidths=0.8)
        if boxes is not None:
            top, left, bottom, right = (float(v) for v in boxes[i])
            ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top,
                                   fill=False, edgecolor="yellow", linewidth=1))
    for ax in axes[-1]:
        ax.set_xlabel("x (pixels)", fontsize=6)
    for ax in axes[:, 0]:
        ax.set_ylabel("y (pixels)", fontsize=6)
    fig.suptitle(title)
    return fig
