"""Check your own CS231n layers against the library's, and learn *which part* differs.

A relative error of 1.0 says that a layer is wrong, not where.  These checks run your function
and the library's on random float64 inputs of several shapes and settings, each setting chosen
to switch on one part of the layer (bias, padding, stride, several channels, 'train' and 'test'
mode, running averages given, a larger eps, ...), and compare them against the typical mistakes
(a filter flipped, padding on one side only, the stride forgotten, train and test mode swapped,
the running averages not updated, dropout keeping 1 - p, a gradient summed over the wrong axis,
momentum's sign, Adam's bias correction, ...)::

    from cs231n_lib import check
    check.conv_forward(conv_forward_naive)                 # your forward pass
    check.conv_backward(conv_backward_naive, conv_forward_naive)
    check.run(batchnorm_forward=batchnorm_forward, batchnorm_backward=batchnorm_backward)
    check.run(my_layers_module)        # every check whose function the module (or dict, or .py path) defines
    check.run("assignment2")           # your layers.py, optim.py, classifiers/ and the course's fast_layers.py

or, in a terminal, one line per function::

    python -m cs231n_lib.check path/to/assignment2

Each returns a :class:`Report`; displaying it (the last line of a notebook cell, or ``print``)
shows every finding and the measured errors, ``report.summary()`` one line per function.
``report.passed`` is True when every checked function passed.

Your code runs in a child process, one per checked function, with a time limit
(:data:`sandbox.TIME_LIMIT` seconds; ``run(..., time_limit=...)``): an exception is reported
with the line where it happened, an endless loop, ``sys.exit``, ``os._exit`` or a crash of the
interpreter as what happened and which call was running, and a change to numpy (``np.maximum``
replaced, ``np.seterr``) as a finding of that function; none of it reaches the caller.  For an
assignment folder the caller does not even import your files.

What is checked (the registry :data:`CHECKS`, in this order; each family in a module of its own):

* ``conv``: ``conv_forward_naive``, ``conv_backward_naive`` and the course's ``conv_forward_fast``,
  ``conv_backward_fast``;
* ``affine``: ``affine_forward/backward``, ``relu_forward/backward``, ``softmax_loss``, ``svm_loss``;
* ``pooling``: ``max_pool_forward/backward_naive`` and the course's ``_fast`` ones;
* ``normalization``: ``batchnorm_forward``, ``batchnorm_backward``, ``batchnorm_backward_alt``,
  ``layernorm_forward/backward``, ``spatial_batchnorm_forward/backward``,
  ``spatial_groupnorm_forward/backward``;
* ``dropout``: ``dropout_forward/backward``;
* ``optim``: the course's ``sgd``, and ``sgd_momentum``, ``rmsprop``, ``adam``;
* ``classifiers``: ``FullyConnectedNet`` (fc_net.py) and ``ThreeLayerConvNet`` (cnn.py), built with
  small settings, given the library's weights and compared on the loss, every gradient and the
  test-mode scores.

The functions the course provides (the fast layers, ``sgd``) are marked so and checked only in the
settings the assignment uses; one that cannot run because the course's Cython extension is not
built is reported 'not built', with what to do, and does not fail the report.  A backward pass
runs on the cache of *your* forward pass (CS231n's cache where the assignment fixes it: conv,
affine, relu, max pooling).  Dropout draws its masks from your own generator, so it is checked by
what every right mask shows, and a net with dropout against the numerical gradient of your own
loss.

The API is CS231n's: ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)`` with x of shape
(N, C, H, W), w (F, C, HH, WW), b (F,), ``conv_param = {'stride': S, 'pad': P}``,
cross-correlation (the filter is not flipped); ``conv_backward_naive(dout, cache) -> (dx, dw,
db)``; and so on for every layer.

The package: ``_base`` (the registry and the engine that compares), ``report`` (what a check
found), ``sandbox`` (the child processes and the guard around your code), ``runner`` (:func:`run`),
one module per family above, ``assignment`` (the assignment folder: which files, the course's own
code) and ``cli`` (the command line).  A new check is one function decorated with
:func:`register`, e.g.::

    @register("batchnorm_forward", title="batch normalization, forward pass")
    def _batchnorm_forward(functions):
        ...                      # return a CheckResult
"""
from . import sandbox
from ._base import CHECKS, TOLERANCE, Check, register
from .report import CheckResult, Report

# the families, in the order their checks run
from . import conv, affine, pooling, normalization, dropout, optim, classifiers  # noqa: E402,F401  isort:skip

from .assignment import Assignment, load_assignment  # noqa: E402
from .runner import conv_backward, conv_forward, run  # noqa: E402
from .cli import main  # noqa: E402

__all__ = ["CHECKS", "TOLERANCE", "Check", "CheckResult", "Report", "register", "run", "conv_forward",
           "conv_backward", "load_assignment", "Assignment", "main", "sandbox"]
