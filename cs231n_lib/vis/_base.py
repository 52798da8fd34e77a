"""What every figure shares: a fresh Figure (never pyplot state), the colours, number formatting."""
from __future__ import annotations

__all__ = ["PAD_COLOUR", "INPUT_COLOUR", "OUTPUT_COLOURS", "clear_axes"]

# Colours used consistently across the figures.
PAD_COLOUR = "#d9d9d9"


INPUT_COLOUR = "#ffffff"


OUTPUT_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _new_figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def clear_axes(ax):
    """Remove what was drawn on ``ax`` but keep the axes itself (much cheaper than
    creating new axes, so an explorer can redraw on every slider move)."""
    for artist in list(ax.collections) + list(ax.patches) + list(ax.lines) + list(ax.texts) + list(ax.images):
        artist.remove()


def _titles_at_top(*axes):
    """Put each axes' title at the top of the axes once and for all (``set_title(..., y=1.0)``),
    where matplotlib puts it anyway when nothing is drawn above the axes: it then skips, on every
    drawing, measuring the tick labels to see whether the title must move up (a figure an explorer
    redraws has no ticks above its axes)."""
    for ax in axes:
        ax.set_title(ax.get_title(), y=1.0, fontsize=ax.title.get_fontsize())


def _fmt(value):
    value = float(value)
    return f"{value:.0f}" if value == round(value) and abs(value) < 1e4 else f"{value:.2f}"


def _as_hwc(img):
    """(3, H, W) or (H, W) array -> something imshow shows, clipped to [0, 1]."""
    import numpy as np

    img = np.asarray(img, dtype=float)
    if img.ndim == 3 and img.shape[0] in (1, 3):
        img = img.transpose(1, 2, 0)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    return np.clip(img, 0, 1)
