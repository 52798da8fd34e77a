"""Slider explorers for the notebooks (ipywidgets 7.7 and 8).

Each explorer is three pieces:

1. a pure function that computes what to show from the slider values
   (text, or the explanation of an invalid setting) -- testable without
   Jupyter;
2. a figure from :mod:`cs231n_lib.vis`, built once with a fixed layout, and
   the function that redraws it in place for a setting;
3. a few lines of wiring that connect sliders to them
   (:func:`cs231n_lib.widgets._base._wire`): a picture is drawn once per
   setting and kept, sliders update while dragged, and a newer change
   supersedes a drawing in progress (issue 25; :mod:`._render` draws the
   PNGs).

An invalid slider combination shows its explanation in the widget; the
callback never raises.  An explorer shows every value it is given: a slider
widens to hold a value beyond its usual range, a menu of numbers adds a value
it does not list, and a value no control can hold (a float for a slider, an
unknown name for a menu) raises ValueError with the explanation of the pure
function.  Its display data also carries a picture and the text of its state,
which GitHub and nbviewer show where no kernel runs (``_base._explorer_box``).  One module per topic (``widgets.conv_arithmetic``,
``widgets.conv_layer``, ``widgets.conv_steps``, ``widgets.pooling``, ``widgets.architectures``, ...);
every public name is also available here.  ipywidgets is imported only when an
explorer is built.
"""
from __future__ import annotations

from . import adversarial, architectures, conv_arithmetic, conv_layer, conv_steps, gradients, pooling, understanding
from .adversarial import *  # noqa: F401,F403
from .architectures import *  # noqa: F401,F403
from .conv_arithmetic import *  # noqa: F401,F403
from .conv_layer import *  # noqa: F401,F403
from .conv_steps import *  # noqa: F401,F403
from .gradients import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .understanding import *  # noqa: F401,F403

TOPICS = (conv_arithmetic, conv_layer, conv_steps, pooling, architectures, understanding, gradients, adversarial)
__all__ = [name for topic in TOPICS for name in topic.__all__]
