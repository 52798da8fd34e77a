"""Figures for the notebooks: functions that take numbers or arrays and return a Figure.

Every function builds a fresh :class:`matplotlib.figure.Figure` (not through
pyplot, so nothing is left open behind the caller's back) and returns it; a
notebook shows it by making it the last expression of a cell or with
``display``.  Every axes gets a title and labelled axes.

One module per topic (``vis.conv_arithmetic``, ``vis.conv_layer``,
``vis.pooling``, ``vis.architectures``, ``vis.training``, ...), and
``vis.images`` for images and number grids that every topic uses.  Every
public name is also available here, so ``vis.image_grid(...)`` works.
matplotlib itself is imported only when a figure is drawn.
"""
from __future__ import annotations

from . import (adversarial, architectures, conv_arithmetic, conv_layer, conv_steps, gradients, images, normalization,
               pooling, training, transfer, understanding, zeiler_fergus)
from ._base import INPUT_COLOUR, OUTPUT_COLOURS, PAD_COLOUR, clear_axes
from .adversarial import *  # noqa: F401,F403
from .architectures import *  # noqa: F401,F403
from .conv_arithmetic import *  # noqa: F401,F403
from .conv_layer import *  # noqa: F401,F403
from .conv_steps import *  # noqa: F401,F403
from .gradients import *  # noqa: F401,F403
from .images import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .transfer import *  # noqa: F401,F403
from .understanding import *  # noqa: F401,F403
from .zeiler_fergus import *  # noqa: F401,F403

TOPICS = (conv_arithmetic, conv_layer, conv_steps, pooling, architectures, training, normalization, understanding,
          gradients, adversarial, transfer, zeiler_fergus, images)
__all__ = ["INPUT_COLOUR", "OUTPUT_COLOURS", "PAD_COLOUR", "clear_axes"] + [
    name for topic in TOPICS for name in topic.__all__]
