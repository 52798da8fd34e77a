"""Slider explorers for the notebooks (ipywidgets 7.7 and 8).

Each explorer is three pieces:

1. a pure function that computes what to show from the slider values
   (text, or the explanation of an invalid setting) -- testable without
   Jupyter;
2. a figure function from :mod:`cs231n_lib.vis`;
3. a few lines of wiring that connect sliders to them
   (:func:`cs231n_lib.widgets._base._wire`).

An invalid slider combination shows its explanation in the widget; the
callback never raises.  One module per topic (``widgets.conv_arithmetic``,
``widgets.conv_layer``, ``widgets.pooling``, ``widgets.architectures``, ...);
every public name is also available here.  ipywidgets is imported only when an
explorer is built.
"""
from __future__ import annotations

from . import architectures, conv_arithmetic, conv_layer, pooling
from .architectures import *  # noqa: F401,F403
from .conv_arithmetic import *  # noqa: F401,F403
from .conv_layer import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403

TOPICS = (conv_arithmetic, conv_layer, pooling, architectures)
__all__ = [name for topic in TOPICS for name in topic.__all__]
