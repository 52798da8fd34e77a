"""Checkers for the notebooks' exercises.

A checker takes the student's function, calls it on a set of cases, and
returns a :class:`Feedback` whose text the notebook displays.  It never
raises: an untouched stub (one that raises ``NotImplementedError`` or returns
``None``) gets a friendly "not implemented yet", and a wrong answer gets an
explanation of the likely mistake (off by one, padding on one side only, ...).

No message gives the solution away: it says what is wrong, shows the learner's own
value (never the expected one), and points to the idea (the notebook's section, a
property the answer has, a small case to work by hand); an answer no typical mistake
explains gets a fallback saying so ("none of the usual mistakes").
``tests/test_checkers.py`` holds every checker to it.

One module per notebook topic (``exercises.conv_arithmetic``,
``exercises.conv_layer``, ``exercises.pooling``, ``exercises.architectures``,
``exercises.training``, ``exercises.transfer``, ...), each built from :func:`attempt` and
:class:`Feedback` of ``exercises._base``; every checker is also available here.
"""
from __future__ import annotations

from . import (adversarial, architectures, conv_arithmetic, conv_layer, gradients, pooling, training, transfer,
               understanding, zeiler_fergus)
from ._base import NOT_IMPLEMENTED, Feedback, attempt
from .adversarial import *  # noqa: F401,F403
from .architectures import *  # noqa: F401,F403
from .conv_arithmetic import *  # noqa: F401,F403
from .conv_layer import *  # noqa: F401,F403
from .gradients import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .transfer import *  # noqa: F401,F403
from .understanding import *  # noqa: F401,F403
from .zeiler_fergus import *  # noqa: F401,F403

TOPICS = (conv_arithmetic, conv_layer, pooling, architectures, training, understanding, gradients,
          adversarial, transfer, zeiler_fergus)
__all__ = ["NOT_IMPLEMENTED", "Feedback", "attempt"] + [name for topic in TOPICS for name in topic.__all__]
