"""Models built from layers: CS231n's two-layer and three-layer nets, and a sequential net of named layers.

Every model has CS231n's interface, which the :class:`~cs231n_lib.solver.Solver` uses:

* ``model.params`` -- dict from parameter names to arrays;
* ``model.loss(X, y=None)`` -- class scores (N, C) when ``y`` is None,
  otherwise ``(loss, grads)`` with the softmax loss plus L2 regularization
  ``0.5 * reg * sum(W**2)`` over the weights, and ``grads`` a dict like ``params``.

:class:`SequentialNet` adds what the later notebooks need: the activations of
any named layer, the gradient of any layer's units with respect to the
input image (plain, guided or deconvnet), frozen layers, a copy with a new
classifier head, and :func:`save_net` / :func:`load_net`.
:class:`ThreeLayerConvNet` is a SequentialNet that keeps CS231n's
constructor and parameter names ``W1 .. b3``.

Every net may know its *input convention*, the scale of the images it was
trained on (see ``INPUT_CONVENTIONS``); the Solver refuses data in another
one, and a net in the ``"unit"`` convention refuses to classify a batch that
is clearly not in [0, 1].
"""
from __future__ import annotations

import difflib
import hashlib
import importlib
import json
import pathlib
import zipfile

import numpy as np

from ._checks import real_number
from .contract import INPUT_CONVENTIONS, check_count, convention_mismatch
from .contract import check_batch as _check_batch
from .contract import check_convention as _check_convention
from .contract import check_unit_range as _check_unit_range
from .arithmetic import LayerDims, conv_output_size, pool_output_size
from .layer_utils import (
    affine_bn_relu_backward,
    affine_bn_relu_forward,
    affine_ln_relu_backward,
    affine_ln_relu_forward,
    affine_relu_backward,
    affine_relu_forward,
)
from .layers import (
    affine_backward,
    affine_forward,
    dropout_backward,
    dropout_forward,
    relu_backward,
    relu_backward_deconvnet,
    relu_backward_guided,
    relu_forward,
    softmax_loss,
)

__all__ = ["TwoLayerNet", "ThreeLayerConvNet", "SequentialNet", "conv", "relu", "pool", "affine",
           "INPUT_CONVENTIONS", "RELU_RULES", "save_net", "load_net", "sha256_of", "NET_CLASSES"]

# The input conventions (the scales an image batch can come in) and their checks live in
# cs231n_lib.contract, the one place every function that takes images checks them; re-exported
# here, where they were first defined.  A data dict names its own in data["input_convention"];
# a net that knows its own refuses data in another (the Solver checks, and a "unit" net's
# predict/loss check the range of every batch).
__all__ += ["convention_mismatch"]


def _check_input_dim(input_dim, name, ndim=None):
    """``input_dim`` as a tuple of ints; channels-last image shapes are refused with the fix."""
    try:
        dims = tuple(int(v) for v in np.atleast_1d(input_dim).tolist())
    except (TypeError, ValueError):
        raise ValueError(f"{name}: input_dim must be a shape such as (3, 32, 32), got {input_dim!r}.") from None
    if ndim is not None and len(dims) != ndim:
        raise ValueError(f"{name}: input_dim must be (C, H, W), got {input_dim!r}.")
    if len(dims) == 3 and dims[2] in (1, 3) and dims[0] not in (1, 3) and dims[0] > 4 and dims[1] > 4:
        H, W, C = dims
        raise ValueError(
            f"{name}: input_dim={dims} looks like (H, W, C), channels last. cs231n_lib is NCHW, as CS231n: "
            f"pass input_dim=({C}, {H}, {W}) and images of shape (N, {C}, {H}, {W}); a channels-last batch "
            "converts with X.transpose(0, 3, 1, 2)."
        )
    if any(d < 1 for d in dims):
        raise ValueError(f"{name}: every size in input_dim must be >= 1, got {dims}.")
    return dims


class TwoLayerNet:
    """affine - relu - affine - softmax, CS231n's fully connected two-layer net.

    Parameters: ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,), with
    D = ``input_dim`` (an int, or a shape such as (3, 32, 32) that is
    flattened), H = ``hidden_dim`` and C = ``num_classes``.  Weights start as
    ``weight_scale * N(0, 1)`` drawn from ``numpy.random.default_rng(seed)``;
    biases as zeros.  Like CS231n's (whose weights are float64 arrays), it
    computes in float64 unless ``dtype`` says otherwise.  ``loss`` accepts
    any X of shape (N, ...) with D numbers per example.
    ``input_convention`` (None: no check) is described in the module docstring.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float64, seed=0, input_convention=None):
        self.input_dim = _check_input_dim(input_dim, "TwoLayerNet")
        D = int(np.prod(self.input_dim))
        rng = np.random.default_rng(seed)
        self.hidden_dim, self.num_classes = int(hidden_dim), int(num_classes)
        self.reg = reg
        self.dtype = dtype = np.dtype(dtype).type
        self.input_convention = _check_convention(input_convention)
        self.params = {
            "W1": (weight_scale * rng.standard_normal((D, hidden_dim))).astype(dtype),
            "b1": np.zeros(hidden_dim, dtype=dtype),
            "W2": (weight_scale * rng.standard_normal((hidden_dim, num_classes))).astype(dtype),
            "b2": np.zeros(num_classes, dtype=dtype),
        }

    def spec(self):
        """The constructor arguments that rebuild this net (without its weights), as plain JSON values."""
        return {"input_dim": list(self.input_dim), "hidden_dim": self.hidden_dim, "num_classes": self.num_classes,
                "reg": float(self.reg), "dtype": np.dtype(self.dtype).name, "input_convention": self.input_convention}

    def loss(self, X, y=None):
        """Scores (N, C) for ``y=None``; otherwise ``(loss, grads)``.  X : (N, ...) with D numbers per example."""
        X = _check_batch(X, self.input_dim, "TwoLayerNet", flatten=True, convention=self.input_convention).astype(self.dtype, copy=False)
        if self.input_convention == "unit":
            _check_unit_range(X, "TwoLayerNet", None)
        p = self.params
        h, cache1 = affine_relu_forward(X, p["W1"], p["b1"])
        scores, cache2 = affine_forward(h, p["W2"], p["b2"])
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(float(np.sum(p[k] * p[k])) for k in ("W1", "W2"))
        grads = {}
        dh, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dh, cache1)
        grads["W1"] += self.reg * p["W1"]
        grads["W2"] += self.reg * p["W2"]
        return loss, {k: v.astype(self.dtype, copy=False) for k, v in grads.items()}


# ---------------------------------------------------------------- sequential
class _Layer:
    """One layer of a :class:`SequentialNet`: shapes, parameters, forward and backward.

    ``args`` names the constructor arguments; :meth:`spec` returns them with the
    layer's ``kind``, a plain dict from which :func:`make_layer` rebuilds the layer
    (and :func:`save_net` stores it).  A subclass with a new ``kind`` is registered
    in ``LAYER_KINDS`` when it is defined.
    """

    kind = "layer"
    param_names = ()
    args = ()
    modal = False  # True: forward(x, params, mode, state, rng), see _ModalLayer
    state_names = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:  # a subclass that keeps its parent's kind does not replace it
            LAYER_KINDS[cls.kind] = cls

    def spec(self):
        """``{"kind": ..., <constructor argument>: value, ...}``: plain values that rebuild this layer.

        A layer kind defined outside this module (e.g. ``adversarial.rbf``) also records its
        ``"module"``, so :func:`make_layer` (and :func:`load_net`) can import it first.
        """
        spec = {"kind": self.kind, **{name: getattr(self, name) for name in self.args}}
        if type(self).__module__ != __name__:
            spec["module"] = type(self).__module__
        return spec

    def output_shape(self, in_shape):
        return in_shape

    def init_params(self, in_shape, rng, weight_scale, dtype):
        return {}

    def describe(self):
        return self.kind

    @property
    def dims(self):
        """The layer's geometry as :class:`cs231n_lib.arithmetic.LayerDims` (for budgets and receptive fields)."""
        return LayerDims(self.kind)


LAYER_KINDS = {}
# The public name of the base class, for layer kinds defined outside this module (e.g. the
# Gaussian units of cs231n_lib.adversarial): a subclass with a new ``kind`` registers itself.
Layer = _Layer
__all__ += ["Layer"]


class conv(_Layer):
    """A convolutional layer: ``conv(num_filters, filter_size, stride=1, pad=None)``.

    ``pad=None`` pads ``(filter_size - 1) // 2`` ("same" for stride 1 and an odd filter).
    Parameters ``W`` (F, C, HH, WW) and ``b`` (F,).
    """

    kind = "conv"
    param_names = ("W", "b")
    args = ("num_filters", "filter_size", "stride", "pad")

    def __init__(self, num_filters, filter_size=3, stride=1, pad=None):
        self.num_filters, self.filter_size, self.stride = int(num_filters), int(filter_size), int(stride)
        self.pad = (self.filter_size - 1) // 2 if pad is None else int(pad)
        self.conv_param = {"stride": self.stride, "pad": self.pad}

    def output_shape(self, in_shape):
        if len(in_shape) != 3:
            raise ValueError(f"conv needs an input of shape (C, H, W), got {in_shape}.")
        C, H, W = in_shape
        f, s, p = self.filter_size, self.stride, self.pad
        return (self.num_filters, conv_output_size(H, f, s, p), conv_output_size(W, f, s, p))

    def init_params(self, in_shape, rng, weight_scale, dtype):
        C = in_shape[0]
        fan_in = C * self.filter_size ** 2
        scale = np.sqrt(2.0 / fan_in) if weight_scale is None else weight_scale
        return {
            "W": (scale * rng.standard_normal((self.num_filters, C, self.filter_size, self.filter_size))).astype(dtype),
            "b": np.zeros(self.num_filters, dtype=dtype),
        }

    def forward(self, x, params):
        from .fast_layers import conv_forward_fast

        return conv_forward_fast(x, params["W"], params["b"], self.conv_param)

    def backward(self, dout, cache):
        from .fast_layers import conv_backward_fast

        dx, dw, db = conv_backward_fast(dout, cache)
        return dx, {"W": dw, "b": db}

    def describe(self):
        return f"conv {self.num_filters} x {self.filter_size}x{self.filter_size}, stride {self.stride}, pad {self.pad}"

    @property
    def dims(self):
        return LayerDims("conv", self.filter_size, self.num_filters, self.stride, self.pad)


class relu(_Layer):
    """Elementwise ``max(0, x)``; no parameters."""

    kind = "relu"

    def forward(self, x, params):
        return relu_forward(x)

    def backward(self, dout, cache, relu_rule="backprop"):
        """``dx, {}``; ``relu_rule`` picks the backward pass from ``RELU_RULES``."""
        return RELU_RULES[relu_rule](dout, cache), {}


class pool(_Layer):
    """Max pooling: ``pool(size=2, stride=None)`` (stride defaults to size); no parameters."""

    kind = "pool"
    args = ("size", "stride")

    def __init__(self, size=2, stride=None):
        self.size = int(size)
        self.stride = self.size if stride is None else int(stride)
        self.pool_param = {"pool_height": self.size, "pool_width": self.size, "stride": self.stride}

    def output_shape(self, in_shape):
        if len(in_shape) != 3:
            raise ValueError(f"pool needs an input of shape (C, H, W), got {in_shape}.")
        C, H, W = in_shape
        return (C, pool_output_size(H, self.size, self.stride), pool_output_size(W, self.size, self.stride))

    def forward(self, x, params):
        from .fast_layers import max_pool_forward_fast

        return max_pool_forward_fast(x, self.pool_param)

    def backward(self, dout, cache):
        from .fast_layers import max_pool_backward_fast

        return max_pool_backward_fast(dout, cache), {}

    def describe(self):
        return f"max pool {self.size}x{self.size}, stride {self.stride}"

    @property
    def dims(self):
        return LayerDims("pool", self.size, 0, self.stride)


class affine(_Layer):
    """A fully connected layer ``affine(out_dim)``; flattens its input.  ``W`` (D, M), ``b`` (M,)."""

    kind = "affine"
    param_names = ("W", "b")
    args = ("out_dim",)

    def __init__(self, out_dim):
        self.out_dim = int(out_dim)

    def output_shape(self, in_shape):
        return (self.out_dim,)

    def init_params(self, in_shape, rng, weight_scale, dtype):
        D = int(np.prod(in_shape))
        scale = np.sqrt(2.0 / D) if weight_scale is None else weight_scale
        return {
            "W": (scale * rng.standard_normal((D, self.out_dim))).astype(dtype),
            "b": np.zeros(self.out_dim, dtype=dtype),
        }

    def forward(self, x, params):
        return affine_forward(x, params["W"], params["b"])

    def backward(self, dout, cache):
        dx, dw, db = affine_backward(dout, cache)
        return dx, {"W": dw, "b": db}

    def describe(self):
        return f"affine -> {self.out_dim}"

    @property
    def dims(self):
        return LayerDims("fc", K=self.out_dim)


# ---------------------------------------------------------------- layers with a mode
# Batch normalization, dropout and local response normalization.  A layer with ``modal = True``
# is called as ``forward(x, params, mode, state, rng)``: ``mode`` is 'train' inside
# ``loss(X, y)`` and 'test' everywhere else (``loss(X)``, ``predict``, ``activations``,
# ``backward_from``, ``input_gradient``), as in CS231n's nets; ``state`` holds the layer's
# entries of ``net.state`` (running averages), which the layer updates in 'train' mode;
# ``rng`` is the net's generator for dropout masks.
class _ModalLayer(_Layer):
    """A layer whose forward pass depends on the mode, or that keeps state (see above)."""

    modal = True
    state_names = ()

    def init_state(self, in_shape, dtype):
        return {}

    def _dims(self, K=0):
        return LayerDims("pointwise", K=K, name=self.kind.upper())


def _bn_param_dict(layer, mode, state):
    return {"mode": mode, "eps": layer.eps, "momentum": layer.momentum,
            "running_mean": state["running_mean"], "running_var": state["running_var"]}


def _bn_momentum_eps(momentum, eps):
    momentum, eps = float(momentum), float(eps)
    if not 0 <= momentum <= 1 or not eps > 0:
        raise ValueError(
            f"batch norm needs 0 <= momentum <= 1 (running = momentum * running + (1 - momentum) * sample) "
            f"and eps > 0; got momentum={momentum}, eps={eps}."
        )
    return momentum, eps


class batchnorm(_ModalLayer):
    """Batch normalization of features (Ioffe and Szegedy 2015): ``batchnorm(eps=1e-5, momentum=0.9)``.

    For an input of shape (D,) (after an affine layer).  In 'train' mode every feature is
    normalized with the mean and variance of the batch, and the running averages
    ``net.state["<layer>.running_mean"]`` and ``["<layer>.running_var"]`` (D,) move towards them,
    ``running = momentum * running + (1 - momentum) * sample``; in 'test' mode they normalize
    instead.  They start at 0 and 1 (so an untrained net's test mode is nearly the identity).
    Parameters ``gamma`` (D,) (ones) and ``beta`` (D,) (zeros); no L2 penalty on them.
    A frozen batchnorm layer (``net.freeze``) normalizes with its running averages in training
    too and leaves them as they are, as Keras does: frozen means the layer does not change.
    """

    kind = "batchnorm"
    param_names = ("gamma", "beta")
    state_names = ("running_mean", "running_var")
    args = ("eps", "momentum")

    def __init__(self, eps=1e-5, momentum=0.9):
        self.momentum, self.eps = _bn_momentum_eps(momentum, eps)

    def _channels(self, in_shape):
        if len(in_shape) != 1:
            raise ValueError(
                f"batchnorm normalizes features, an input of shape (D,), got {tuple(in_shape)}; after a conv "
                "layer (C, H, W) use spatial_batchnorm(), which normalizes every channel."
            )
        return in_shape[0]

    def output_shape(self, in_shape):
        self._channels(in_shape)
        return in_shape

    def init_params(self, in_shape, rng, weight_scale, dtype):
        D = self._channels(in_shape)
        return {"gamma": np.ones(D, dtype=dtype), "beta": np.zeros(D, dtype=dtype)}

    def init_state(self, in_shape, dtype):
        D = self._channels(in_shape)
        return {"running_mean": np.zeros(D, dtype=dtype), "running_var": np.ones(D, dtype=dtype)}

    def forward(self, x, params, mode="test", state=None, rng=None):
        from .layers import batchnorm_forward

        bn_param = _bn_param_dict(self, mode, state)
        out, cache = batchnorm_forward(x.reshape(x.shape[0], -1), params["gamma"], params["beta"], bn_param)
        state.update(running_mean=bn_param["running_mean"], running_var=bn_param["running_var"])
        return out.reshape(x.shape), cache

    def backward(self, dout, cache):
        from .layers import batchnorm_backward_alt

        dx, dgamma, dbeta = batchnorm_backward_alt(dout.reshape(dout.shape[0], -1), cache)
        return dx.reshape(dout.shape), {"gamma": dgamma, "beta": dbeta}

    def describe(self):
        return f"batch norm (momentum {self.momentum:g}, eps {self.eps:g})"

    @property
    def dims(self):
        return self._dims(K=2)


class spatial_batchnorm(batchnorm):
    """Batch normalization of channels, for conv layers: ``spatial_batchnorm(eps=1e-5, momentum=0.9)``.

    For an input of shape (C, H, W): every channel has one mean and one variance, over the
    N*H*W numbers of the batch in that channel, and one ``gamma`` and ``beta`` (C,).
    Modes, running averages (C,) and freezing as in :class:`batchnorm`.
    """

    kind = "spatial_batchnorm"

    def _channels(self, in_shape):
        if len(in_shape) != 3:
            raise ValueError(
                f"spatial_batchnorm normalizes the channels of an input of shape (C, H, W), got {tuple(in_shape)}; "
                "after an affine layer (D,) use batchnorm()."
            )
        return in_shape[0]

    def forward(self, x, params, mode="test", state=None, rng=None):
        from .layers import spatial_batchnorm_forward

        bn_param = _bn_param_dict(self, mode, state)
        out, cache = spatial_batchnorm_forward(x, params["gamma"], params["beta"], bn_param)
        state.update(running_mean=bn_param["running_mean"], running_var=bn_param["running_var"])
        return out, cache

    def backward(self, dout, cache):
        from .layers import spatial_batchnorm_backward

        dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
        return dx, {"gamma": dgamma, "beta": dbeta}

    def describe(self):
        return f"spatial batch norm (momentum {self.momentum:g}, eps {self.eps:g})"

    @property
    def dims(self):
        return LayerDims("pointwise", K=2, name="BATCHNORM")


class dropout(_ModalLayer):
    """Inverted dropout: ``dropout(p=0.5, seed=None)``, with ``p`` the probability of KEEPING a unit (CS231n's).

    In 'train' mode every number is kept with probability p and divided by p, or set to 0;
    'test' mode passes the input through.  The masks come from the net's generator
    ``net.dropout_rng`` (seeded by the net's ``seed``: a new mask every training pass, the same
    sequence every run), or, with an integer ``seed`` here, the same mask on every call (what
    a gradient check needs).  No parameters.  A frozen dropout layer runs as in test mode (as
    every frozen layer: a frozen part of a net computes the same thing in training and after).
    """

    kind = "dropout"
    args = ("p", "seed")

    def __init__(self, p=0.5, seed=None):
        p = float(p)
        if not 0 < p <= 1:
            raise ValueError(
                f"dropout(p): p is the probability of KEEPING a unit and lies in (0, 1], got {p}"
                + (" (to drop 25% of the units, keep p = 0.75)" if p > 1 else "") + "."
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"dropout(seed=...) must be None or a non-negative integer, got {seed!r}.")
        self.p = p
        self.seed = None if seed is None else int(seed)

    def forward(self, x, params, mode="test", state=None, rng=None):
        dropout_param = {"mode": mode, "p": self.p, "seed": self.seed if self.seed is not None else rng}
        return dropout_forward(x, dropout_param)

    def backward(self, dout, cache):
        return dropout_backward(dout, cache), {}

    def describe(self):
        return f"dropout, keep p = {self.p:g}"

    @property
    def dims(self):
        return self._dims()


class lrn(_Layer):
    """Local response normalization across channels, AlexNet's (Krizhevsky et al. 2012, section 3.3).

    ``lrn(k=2, n=5, alpha=1e-4, beta=0.75)`` (the paper's values): every activation divided by
    ``(k + alpha * sum of the squares of the n channels centred on its own, same position) ** beta``
    (:func:`cs231n_lib.layers.lrn_forward`).  For an input (C, H, W); no parameters; the same in
    both modes.  AlexNet puts it after the ReLU of its first two conv layers, before their pooling.
    """

    kind = "lrn"
    args = ("k", "n", "alpha", "beta")

    def __init__(self, k=2.0, n=5, alpha=1e-4, beta=0.75):
        from .layers import lrn_settings

        self.k, self.n, self.alpha, self.beta = lrn_settings({"k": k, "n": n, "alpha": alpha, "beta": beta})
        self.lrn_param = {"k": self.k, "n": self.n, "alpha": self.alpha, "beta": self.beta}

    def output_shape(self, in_shape):
        if len(in_shape) != 3:
            raise ValueError(f"lrn normalizes across the channels of an input (C, H, W), got {tuple(in_shape)}.")
        return in_shape

    def forward(self, x, params):
        from .layers import lrn_forward

        return lrn_forward(x, self.lrn_param)

    def backward(self, dout, cache):
        from .layers import lrn_backward

        return lrn_backward(dout, cache), {}

    def describe(self):
        return f"local response norm (k {self.k:g}, n {self.n}, alpha {self.alpha:g}, beta {self.beta:g})"

    @property
    def dims(self):
        return LayerDims("pointwise", name=f"LRN{self.n}")


__all__ += ["batchnorm", "spatial_batchnorm", "dropout", "lrn"]


# What a ReLU sends back in SequentialNet.backward_from / input_gradient (``relu_rule=``):
# the true gradient, guided backpropagation (Springenberg et al. 2014) or the deconvnet
# rule (Zeiler and Fergus 2014).  Every other layer back-propagates as usual.
RELU_RULES = {"backprop": relu_backward, "guided": relu_backward_guided, "deconvnet": relu_backward_deconvnet}


def make_layer(spec):
    """A layer object from a layer or a dict ``{"kind": ..., <arguments>}`` (as :meth:`_Layer.spec` gives)."""
    if isinstance(spec, _Layer):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        kind = spec.pop("kind", None) or spec.pop("type", None)
        module = spec.pop("module", None)
        if kind not in LAYER_KINDS and isinstance(module, str) and module.startswith(f"{__package__}."):
            importlib.import_module(module)  # registers the kind (only modules of this package are imported)
        if kind not in LAYER_KINDS:
            raise ValueError(f"layer kind {kind!r} is not one of {sorted(LAYER_KINDS)}"
                             + (f" (it was defined in {module})." if module else "."))
        try:
            return LAYER_KINDS[kind](**spec)
        except TypeError as err:
            raise ValueError(f"cannot build a {kind!r} layer from {spec!r}: {err}") from None
    raise ValueError(f"a layer must be a layer object ({', '.join(sorted(LAYER_KINDS))}) or a dict with 'kind'; "
                     f"got {spec!r}.")


__all__ += ["make_layer", "LAYER_KINDS"]


def _check_relu_rule(relu_rule):
    if relu_rule not in RELU_RULES:
        raise ValueError(f"relu_rule must be one of {sorted(RELU_RULES)}, got {relu_rule!r}.")


class SequentialNet:
    """A chain of named layers ending in class scores, trained with the softmax loss.

    Parameters
    ----------
    layers : list of ``(name, layer)`` pairs, where ``layer`` is ``conv(...)``,
        ``relu()``, ``pool(...)``, ``affine(...)`` or a dict such as
        ``{"kind": "conv", "num_filters": 8, "filter_size": 3}``.  Names are unique.
        The last layer's output (N, num_classes) is the scores.
    input_dim : (C, H, W) of one input image.
    weight_scale : None for He initialisation ``sqrt(2 / fan_in) * N(0, 1)``,
        or a number to use instead of ``sqrt(2 / fan_in)``.
    reg : L2 regularization strength on every ``W``.
    dtype : dtype of parameters and computation.
    seed : seed of ``numpy.random.default_rng`` for the initial weights.
    input_mean : None, a number, or an array broadcastable to (C, H, W): the
        net subtracts it from every input first (fixed, not trained), so
        callers feed raw images in [0, 1] and the net centres them itself.
    input_convention : None (no check), or the scale of the images the net
        reads, a key of ``INPUT_CONVENTIONS``: ``"unit"`` ([0, 1], nothing
        subtracted), ``"unit-centred"`` or ``"cs231n"``.  The Solver refuses
        data in another convention; a ``"unit"`` net's :meth:`loss` and
        :meth:`predict` refuse a batch clearly outside [0, 1] (the analysis
        methods do not check: they run on synthesized images too).
    param_keys : optional ``{layer name: {"W": key, "b": key}}`` for layers whose
        parameters are stored under other keys than ``"<layer>.W"``
        (:class:`ThreeLayerConvNet` keeps CS231n's ``W1 .. b3`` this way).

    ``params`` is a flat dict with keys ``"<layer>.W"`` and ``"<layer>.b"``
    (``"<layer>.gamma"``, ``"<layer>.beta"`` for batch norm),
    so the :class:`~cs231n_lib.solver.Solver` trains it like any CS231n model.
    Layers in ``frozen`` (see :meth:`freeze`) get no gradients, so the Solver
    leaves them as they are.

    Modes, as in CS231n's nets: ``loss(X, y)`` runs in 'train' mode (dropout on,
    batch norm with the batch's statistics, running averages updated), every other
    method (``loss(X)``, ``predict``, ``activations``, ``backward_from``,
    ``input_gradient``) in 'test' mode.  ``state`` is a flat dict of what is kept but
    not learned by gradients: batch norm's ``"<layer>.running_mean"`` and
    ``"<layer>.running_var"``; :func:`save_net` stores it and the Solver keeps it with
    the best parameters.  ``dropout_rng`` is the generator of the dropout masks,
    seeded by ``seed``.
    """

    def __init__(self, layers, input_dim=(3, 32, 32), weight_scale=None, reg=0.0,
                 dtype=np.float32, seed=0, input_mean=None, input_convention=None, param_keys=None):
        cls = type(self).__name__
        self.input_dim = _check_input_dim(input_dim, cls)
        dtype = np.dtype(dtype).type  # np.float32 also when given as "float32" (as spec() stores it)
        if input_mean is not None:
            input_mean = np.asarray(input_mean, dtype=dtype)
            try:
                np.broadcast_to(input_mean, self.input_dim)
            except ValueError:
                raise ValueError(
                    f"input_mean of shape {input_mean.shape} does not broadcast to input_dim {self.input_dim}."
                ) from None
        self.input_mean = input_mean
        self.input_convention = _check_convention(input_convention)
        self.reg = reg
        self.dtype = dtype
        self.names, self.layers, self.shapes = [], {}, {}
        self.params = {}
        self.param_keys = {}
        self.state, self.state_keys = {}, {}
        self.frozen = set()
        self.dropout_rng = np.random.default_rng(None if seed is None else [int(seed), 1])
        rng = np.random.default_rng(seed)
        shape = self.input_dim
        for item in layers:
            try:
                name, spec = item
            except (TypeError, ValueError):
                raise ValueError(f"each layer is a (name, layer) pair; got {item!r}.") from None
            name = str(name)
            if name in self.layers:
                raise ValueError(f"layer name {name!r} is used twice; names must be unique.")
            if "." in name:
                raise ValueError(f"layer name {name!r} must not contain '.'.")
            layer = make_layer(spec)
            try:
                out_shape = tuple(int(v) for v in layer.output_shape(shape))
            except ValueError as err:
                raise ValueError(f"layer {name!r} ({layer.describe()}) on input {shape}: {err}") from None
            keys = {k: f"{name}.{k}" for k in layer.param_names}
            keys.update((param_keys or {}).get(name, {}))
            for key, value in layer.init_params(shape, rng, weight_scale, dtype).items():
                if keys[key] in self.params:
                    raise ValueError(f"parameter key {keys[key]!r} of layer {name!r} is used twice.")
                self.params[keys[key]] = value
            self.param_keys[name] = keys
            self.state_keys[name] = {k: f"{name}.{k}" for k in layer.state_names}
            for key, value in (layer.init_state(shape, dtype) if layer.state_names else {}).items():
                self.state[self.state_keys[name][key]] = value
            self.names.append(name)
            self.layers[name] = layer
            self.shapes[name] = out_shape
            shape = out_shape
        if not self.names:
            raise ValueError("a SequentialNet needs at least one layer.")
        unknown = sorted(set(param_keys or {}) - set(self.names))
        if unknown:
            raise ValueError(f"param_keys names layers {unknown} that the net does not have; its layers are {self.names}.")
        if len(shape) != 1:
            raise ValueError(
                f"the last layer must output class scores (num_classes,), but {self.names[-1]!r} outputs {shape}: "
                "end with an affine layer."
            )
        self.num_classes = shape[0]

    # -- description
    def spec(self):
        """The constructor arguments that rebuild this net (without its weights), as plain JSON values.

        ``SequentialNet(**net.spec())`` is a net of the same architecture; :func:`save_net` stores it.
        """
        mean = None if self.input_mean is None else np.asarray(self.input_mean).tolist()
        custom = {name: keys for name, keys in self.param_keys.items()
                  if keys != {k: f"{name}.{k}" for k in self.layers[name].param_names}}
        out = {"layers": [[name, self.layers[name].spec()] for name in self.names],
               "input_dim": list(self.input_dim), "reg": float(self.reg), "dtype": np.dtype(self.dtype).name,
               "input_mean": mean, "input_convention": self.input_convention}
        if custom:
            out["param_keys"] = custom
        return out

    def summary(self):
        """One line per layer: name, description, output shape (C, H, W), parameter count."""
        lines = [f"input {self.input_dim}"]
        for name in self.names:
            n = sum(self.params[key].size for key in self.param_keys[name].values())
            frozen = " (frozen)" if name in self.frozen else ""
            lines.append(f"{name}: {self.layers[name].describe()} -> {self.shapes[name]}, {n} parameters{frozen}")
        return "\n".join(lines)

    def layer_dims(self):
        """Every layer's geometry as :class:`~cs231n_lib.arithmetic.LayerDims`, named as in the net.

        ``arithmetic.receptive_field(net)`` and ``arithmetic.budget`` read a net through this.
        """
        return [self.layers[name].dims._replace(name=name) for name in self.names]

    def _check_name(self, name):
        if name not in self.layers:
            owner = next((layer for layer, keys in self.param_keys.items() if name in keys.values()), None)
            close = difflib.get_close_matches(str(name), self.names, n=1)
            if owner is not None:
                hint = f" {name!r} is a parameter of layer {owner!r}: name the layer."
            else:
                hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"no layer named {name!r}; the layers are {self.names}.{hint}")

    # -- freezing
    def freeze(self, *names):
        """Freeze layers by name: their parameters get no gradients and stop changing in training.

        A frozen batch norm or dropout layer also runs as in test mode during training (batch norm
        with its running averages, which stay as they are): a frozen part of a net computes the
        same function in training and afterwards."""
        for name in names:
            self._check_name(name)
            self.frozen.add(name)
        return self

    def unfreeze(self, *names):
        """Undo :meth:`freeze` for these layers (all frozen layers if no name is given)."""
        for name in names or tuple(self.frozen):
            self._check_name(name)
            self.frozen.discard(name)
        return self

    # -- a copy with a new classifier
    def with_new_head(self, num_classes, from_layer=None, *, seed=0, weight_scale=None, freeze=False,
                      head_name="head"):
        """A copy of this net up to ``from_layer``, topped by a fresh affine classifier (transfer learning).

        Parameters
        ----------
        num_classes : scores of the new classifier.
        from_layer : the last layer to keep (default: all but the last layer).
            The layers up to and including it keep copies of their weights (and
            their parameter keys); every later layer is dropped.
        seed, weight_scale : initialisation of the new head, as in :class:`SequentialNet`.
        freeze : freeze every kept layer in the copy (train the head only).
            Otherwise the copy's kept layers are frozen where this net's are.
        head_name : name of the new layer.

        Returns a :class:`SequentialNet` (this net is not changed) with the same
        ``input_dim``, ``dtype``, ``reg``, ``input_mean`` and ``input_convention``;
        kept batch norm layers keep copies of their running averages (``state``).
        """
        if from_layer is None:
            keep = self.names[:-1]
        else:
            self._check_name(from_layer)
            keep = self.names[: self.names.index(from_layer) + 1]
        num_classes = check_count(num_classes, "num_classes", 1, "with_new_head")
        if head_name in keep or "." in str(head_name):
            raise ValueError(f"head_name {head_name!r} must be new (the kept layers are {keep}) and contain no '.'.")
        layers = [(name, make_layer(self.layers[name].spec())) for name in keep]
        layers.append((head_name, affine(num_classes)))
        mean = None if self.input_mean is None else np.array(self.input_mean, copy=True)
        new = SequentialNet(layers, input_dim=self.input_dim, weight_scale=weight_scale, reg=self.reg,
                            dtype=self.dtype, seed=seed, input_mean=mean, input_convention=self.input_convention,
                            param_keys={name: dict(self.param_keys[name]) for name in keep})
        for name in keep:
            for key in self.param_keys[name].values():
                new.params[key] = self.params[key].copy()
            for key in self.state_keys[name].values():
                new.state[key] = self.state[key].copy()
        new.frozen = set(keep) if freeze else {name for name in keep if name in self.frozen}
        return new

    # -- forward and backward
    def _layer_params(self, name):
        return {k: self.params[key] for k, key in self.param_keys[name].items()}

    def _forward(self, X, upto=None, mode="test"):
        """Run the layers up to ``upto`` in ``mode`` ('train' only inside ``loss(X, y)``)."""
        X = _check_batch(X, self.input_dim, type(self).__name__, convention=self.input_convention)
        X = X.astype(self.dtype, copy=False)
        if self.input_mean is not None:
            X = X - self.input_mean
        if upto is not None:
            self._check_name(upto)
        acts, caches, out = {}, {}, X
        for name in self.names:
            layer = self.layers[name]
            if layer.modal:
                # a frozen layer does not change: it runs as in test mode (batch norm's running averages)
                layer_mode = "test" if name in self.frozen else mode
                state = {k: self.state[key] for k, key in self.state_keys[name].items()}
                out, caches[name] = layer.forward(out, self._layer_params(name), mode=layer_mode, state=state,
                                                  rng=self.dropout_rng)
                for k, key in self.state_keys[name].items():
                    self.state[key] = state[k]
            else:
                out, caches[name] = layer.forward(out, self._layer_params(name))
            acts[name] = out
            if name == upto:
                break
        return acts, caches

    def _backward(self, dout, caches, start, relu_rule="backprop"):
        """Back-propagate ``dout`` from the output of layer ``start`` to the input; returns ``dX, grads``."""
        grads = {}
        idx = self.names.index(start)
        for name in reversed(self.names[: idx + 1]):
            layer = self.layers[name]
            if isinstance(layer, relu):
                dout, layer_grads = layer.backward(dout, caches[name], relu_rule=relu_rule)
            else:
                dout, layer_grads = layer.backward(dout, caches[name])
            if name not in self.frozen:
                for k, g in layer_grads.items():
                    grads[self.param_keys[name][k]] = g
        return dout, grads

    def activations(self, X, names=None):
        """Activations (outputs) of the named layers for the batch ``X`` (N, C, H, W).

        Returns a dict from layer name to an array of shape (N, *shapes[name]);
        ``names=None`` gives every layer, a string gives that layer's array alone.
        """
        if isinstance(names, str):
            acts, _ = self._forward(X, upto=names)
            return acts[names]
        wanted = self.names if names is None else list(names)
        for n in wanted:
            self._check_name(n)
        last = max(wanted, key=self.names.index) if wanted else None
        acts, _ = self._forward(X, upto=last)
        return {n: acts[n] for n in wanted}

    def backward_from(self, X, layer, dout, relu_rule="backprop"):
        """Gradient with respect to ``X`` of ``sum(dout * activation[layer])``.

        X : (N, C, H, W); dout : (N, *shapes[layer]).  Returns ``dX`` of X's shape.
        ``relu_rule`` says what every ReLU sends back (``RELU_RULES``):
        ``"backprop"`` the true gradient, ``"guided"`` guided backpropagation
        (only where the ReLU's input and the incoming gradient are both
        positive), ``"deconvnet"`` Zeiler and Fergus's rule (only where the
        incoming gradient is positive).
        """
        _check_relu_rule(relu_rule)
        acts, caches = self._forward(X, upto=layer)
        dout = np.asarray(dout, dtype=self.dtype)
        if dout.shape != acts[layer].shape:
            raise ValueError(
                f"dout.shape={dout.shape} must equal the shape of layer {layer!r}'s output {acts[layer].shape}."
            )
        dX, _ = self._backward(dout, caches, layer, relu_rule)
        return dX

    def input_gradient(self, X, layer, unit=(), relu_rule="backprop"):
        """Gradient with respect to the input of the sum over the batch of ``activation[layer][n][unit]``.

        ``unit`` indexes one example's activation: ``(c,)`` for class c of a
        scores layer or channel c of a conv layer (its whole map), ``(c, i, j)``
        for one position, ``()`` for the sum of the whole layer.
        ``relu_rule`` as in :meth:`backward_from`.
        Returns ``(value, dX)``: the scalar (a float) and its gradient, X's shape.
        """
        _check_relu_rule(relu_rule)
        acts, caches = self._forward(X, upto=layer)
        act = acts[layer]
        unit = unit if isinstance(unit, tuple) else (unit,)
        try:
            selected = act[(slice(None),) + unit]
        except IndexError as err:
            raise ValueError(
                f"unit {unit} does not index one example of layer {layer!r}, whose output is {act.shape[1:]}: {err}"
            ) from None
        dout = np.zeros_like(act)
        dout[(slice(None),) + unit] = 1
        dX, _ = self._backward(dout, caches, layer, relu_rule)
        return float(np.sum(selected)), dX

    def backward_from_layers(self, X, layers, douts, relu_rule="backprop"):
        """Gradient with respect to ``X`` of ``sum over the named layers L of sum(douts[L] * activation[L])``.

        One forward and one backward pass for any number of layers (notebook 07 inverts
        every layer's code at once).  layers : names; douts : a dict ``{name: array
        (N, *shapes[name])}`` for some or all of them, or a callable that receives the
        dict of the layers' activations and returns such a dict (so the douts may depend
        on the activations).  ``relu_rule`` as in :meth:`backward_from`.
        Returns ``(acts, dX)``: the named layers' activations (a dict) and the gradient.
        """
        _check_relu_rule(relu_rule)
        names = [layers] if isinstance(layers, str) else list(layers)
        if not names:
            raise ValueError("layers must name at least one layer.")
        for name in names:
            self._check_name(name)
        last = max(names, key=self.names.index)
        acts, caches = self._forward(X, upto=last)
        wanted = {name: acts[name] for name in names}
        douts = douts(wanted) if callable(douts) else douts
        unknown = sorted(set(douts) - set(names))
        if unknown:
            raise ValueError(f"douts names {unknown}, which are not among layers={names}.")
        dout = np.zeros_like(acts[last])
        for name in reversed(self.names[: self.names.index(last) + 1]):
            if name in douts:
                extra = np.asarray(douts[name], dtype=self.dtype)
                if extra.shape != acts[name].shape:
                    raise ValueError(f"douts[{name!r}].shape={extra.shape} must equal the shape of layer "
                                     f"{name!r}'s output {acts[name].shape}.")
                dout = dout + extra
            layer = self.layers[name]
            if isinstance(layer, relu):
                dout, _ = layer.backward(dout, caches[name], relu_rule=relu_rule)
            else:
                dout, _ = layer.backward(dout, caches[name])
        return wanted, dout

    def _weight_keys(self):
        return [self.param_keys[name]["W"] for name in self.names if "W" in self.param_keys[name]]

    def loss(self, X, y=None):
        """Scores (N, num_classes) for ``y=None`` (test mode); otherwise ``(loss, grads)`` (train mode:
        dropout on, batch norm on the batch's statistics and its running averages updated; frozen
        layers omitted from ``grads``).

        A net in the ``"unit"`` input convention refuses a batch clearly outside [0, 1].
        """
        if self.input_convention == "unit":
            _check_unit_range(_check_batch(X, self.input_dim, type(self).__name__, convention="unit"),
                              type(self).__name__,
                              self.input_mean)
        acts, caches = self._forward(X, mode="test" if y is None else "train")
        scores = acts[self.names[-1]]
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        weights = self._weight_keys()
        loss += 0.5 * self.reg * sum(float(np.sum(self.params[k] * self.params[k])) for k in weights)
        _, grads = self._backward(dscores, caches, self.names[-1])
        for k in grads:
            if k in weights:
                grads[k] = grads[k] + self.reg * self.params[k]
            grads[k] = np.asarray(grads[k], dtype=self.dtype)
        return loss, grads

    def predict(self, X, batch_size=200):
        """Predicted labels (N,) for the batch ``X``, computed ``batch_size`` images at a time."""
        out = [np.argmax(self.loss(X[i:i + batch_size]), axis=1) for i in range(0, len(X), batch_size)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


class ThreeLayerConvNet(SequentialNet):
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, CS231n's three-layer ConvNet.

    The convolution has stride 1 and pads ``(filter_size - 1) // 2`` zeros on
    each side, so it keeps the height and width (filter_size must be odd);
    the pool halves them.  It is a :class:`SequentialNet` with the layers
    ``conv1, relu1, pool1, fc2, relu2, fc3``, so it has every analysis method
    (``activations``, ``input_gradient``, ``backward_from``, ``freeze``,
    ``predict``, ``summary``, ``with_new_head``, ...), while ``params`` keeps
    CS231n's names.

    Parameters
    ----------
    input_dim : (C, H, W) of one input image.
    num_filters : F, filters in the convolutional layer.
    filter_size : HH = WW, width and height of each filter (odd).
    hidden_dim : units in the hidden affine layer.
    num_classes : C_out, scores produced.
    weight_scale : weights start as ``weight_scale * N(0, 1)``.
    reg : L2 regularization strength.
    dtype : numpy dtype of the parameters and of the computation
        (float32 to train, float64 for gradient checks).
    seed : seed of ``numpy.random.default_rng`` for the initial weights.
    input_mean, input_convention : as in :class:`SequentialNet` (default: none,
        as CS231n's).

    ``params``: ``W1`` (F, C, HH, WW), ``b1`` (F,), ``W2`` (F*H/2*W/2, hidden_dim),
    ``b2`` (hidden_dim,), ``W3`` (hidden_dim, num_classes), ``b3`` (num_classes,).
    """

    PARAM_KEYS = {"conv1": {"W": "W1", "b": "b1"}, "fc2": {"W": "W2", "b": "b2"}, "fc3": {"W": "W3", "b": "b3"}}

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32, seed=0,
                 input_mean=None, input_convention=None):
        input_dim = _check_input_dim(input_dim, "ThreeLayerConvNet", ndim=3)
        if int(filter_size) % 2 != 1:
            raise ValueError(
                f"filter_size must be odd so that pad = (filter_size - 1) / 2 keeps the size; got {filter_size}."
            )
        self.num_filters, self.filter_size = int(num_filters), int(filter_size)
        self.hidden_dim = int(hidden_dim)
        pad = (self.filter_size - 1) // 2
        self.conv_param = {"stride": 1, "pad": pad}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        layers = [
            ("conv1", conv(self.num_filters, self.filter_size, stride=1, pad=pad)),
            ("relu1", relu()),
            ("pool1", pool(2)),
            ("fc2", affine(self.hidden_dim)),
            ("relu2", relu()),
            ("fc3", affine(num_classes)),
        ]
        super().__init__(layers, input_dim=input_dim, weight_scale=weight_scale, reg=reg, dtype=dtype, seed=seed,
                         input_mean=input_mean, input_convention=input_convention, param_keys=self.PARAM_KEYS)

    def spec(self):
        """The constructor arguments that rebuild this net (without its weights), as plain JSON values."""
        mean = None if self.input_mean is None else np.asarray(self.input_mean).tolist()
        return {"input_dim": list(self.input_dim), "num_filters": self.num_filters, "filter_size": self.filter_size,
                "hidden_dim": self.hidden_dim, "num_classes": self.num_classes, "reg": float(self.reg),
                "dtype": np.dtype(self.dtype).name, "input_mean": mean, "input_convention": self.input_convention}


# ---------------------------------------------------------------- saving and loading
# The nets save_net can write and load_net can rebuild, by class name.  A new net class
# with a ``spec()`` (its constructor arguments) adds itself here.
NET_CLASSES = {"SequentialNet": SequentialNet, "ThreeLayerConvNet": ThreeLayerConvNet, "TwoLayerNet": TwoLayerNet}
_FORMAT = 2  # files without a "format" entry are the first format (a SequentialNet, float32)


def sha256_of(path):
    """Hex sha256 digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_net(net, path, extra=None):
    """Write ``net``'s weights and architecture to ``path`` (.npz), and its sha256 to ``path`` with suffix .sha256.

    Works for every net in ``NET_CLASSES`` (SequentialNet, whatever its layers,
    ThreeLayerConvNet, TwoLayerNet).  The file holds plain arrays (the
    parameters, in the net's dtype, and a SequentialNet's ``state``: batch norm's
    running averages) and the architecture as JSON text (class
    name, ``net.spec()``, frozen layers): :func:`load_net` rebuilds the net
    without unpickling anything.  The same net gives the same bytes, whenever
    it is saved.

    extra : dict of plain values stored as metadata (e.g. the test accuracy);
        default: the net's ``meta`` if it was loaded with one.
    Returns the sha256 hex digest.
    """
    name = type(net).__name__
    if NET_CLASSES.get(name) is not type(net) or not hasattr(net, "spec"):
        raise ValueError(
            f"save_net writes the nets of cs231n_lib.nets ({', '.join(sorted(NET_CLASSES))}); got a {name}. "
            "Build your architecture as a SequentialNet (any list of layers), or give your class a spec() "
            "returning its constructor arguments and add it to cs231n_lib.nets.NET_CLASSES."
        )
    path = pathlib.Path(path)
    extra = getattr(net, "meta", {}) if extra is None else extra
    meta = {"format": _FORMAT, "class": name, "spec": net.spec(),
            "frozen": sorted(getattr(net, "frozen", ())), "extra": extra or {}}
    try:
        text = json.dumps(meta, sort_keys=True)
    except TypeError as err:
        raise ValueError(f"save_net: extra must hold plain values (numbers, strings, lists, dicts): {err}") from None
    arrays = {"meta": np.array(text)}
    arrays.update({f"param/{k}": np.asarray(v) for k, v in sorted(net.params.items())})
    # batch norm's running averages (written only when a net has some, so other files keep their bytes)
    arrays.update({f"state/{k}": np.asarray(v) for k, v in sorted(getattr(net, "state", {}).items())})
    # An .npz is a zip of .npy files; writing it ourselves with a fixed timestamp makes the
    # bytes (and so the sha256) depend only on the numbers, not on when they were saved.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for key, value in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, value, allow_pickle=False)
    digest = sha256_of(path)
    path.with_suffix(".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def _verify(path):
    pin_file = path.with_suffix(".sha256")
    if not pin_file.exists():
        raise ValueError(
            f"{pin_file} is missing, so {path.name} cannot be verified; refusing to load it. "
            "(save_net writes it next to the file; load_net(path, verify=False) skips the check.)"
        )
    expected = pin_file.read_text(encoding="utf-8").split()[0].lower()
    actual = sha256_of(path)
    if actual != expected:
        head = path.read_bytes()[:60]
        hint = (" It looks like a git LFS pointer, not the weights: run `git lfs pull`."
                if head.startswith(b"version https://git-lfs") else "")
        raise ValueError(
            f"{path.name} does not match its checksum: sha256 is {actual}, but {pin_file.name} "
            f"pins {expected}. The file was changed, truncated or corrupted, so it was not loaded.{hint} "
            "Restore it from where it came from: for the repository's data/ files, `git checkout -- data/` "
            "or rebuild it with `python -m cs231n_lib.pretrained --retrain`."
        )


def load_net(path, verify=True):
    """Load a net written by :func:`save_net`, checking its sha256 first (``verify=True``).

    Returns a net of the saved class, with the saved weights, dtype, frozen
    layers and input convention; the metadata ``extra`` is in ``net.meta``.
    Raises FileNotFoundError for a missing file and ValueError, saying what to
    do, for a file that does not match its checksum or is not a saved net.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist.")
    if verify:
        _verify(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(str(archive["meta"]))
            params = {k[len("param/"):]: archive[k] for k in archive.files if k.startswith("param/")}
            state = {k[len("state/"):]: archive[k] for k in archive.files if k.startswith("state/")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise ValueError(f"{path.name} is not a net written by save_net: {err}") from None
    if "format" not in meta:  # the first format: a SequentialNet in float32
        net = SequentialNet([tuple(item) for item in meta["layers"]], input_dim=meta["input_dim"],
                            input_mean=meta.get("input_mean"), dtype=np.float32)
    else:
        if meta["format"] > _FORMAT or meta.get("class") not in NET_CLASSES:
            raise ValueError(
                f"{path.name} holds a {meta.get('class')!r} in file format {meta['format']}; this version of "
                f"cs231n_lib reads format <= {_FORMAT} and the classes {sorted(NET_CLASSES)}."
            )
        spec = dict(meta["spec"])
        if "layers" in spec:
            spec["layers"] = [tuple(item) for item in spec["layers"]]
        net = NET_CLASSES[meta["class"]](**spec)
        net.frozen = set(meta.get("frozen", ()))
    if set(params) != set(net.params):
        raise ValueError(f"{path.name} holds parameters {sorted(params)}, but its net needs {sorted(net.params)}.")
    for k, v in params.items():
        if v.shape != net.params[k].shape:
            raise ValueError(f"{path.name}: {k} has shape {v.shape}, the net needs {net.params[k].shape}.")
        net.params[k] = v.astype(net.params[k].dtype, copy=False)
    wanted = getattr(net, "state", {})
    if set(state) != set(wanted):
        raise ValueError(f"{path.name} holds the state {sorted(state)} (running averages), but its net keeps "
                         f"{sorted(wanted)}.")
    for k, v in state.items():
        if v.shape != wanted[k].shape:
            raise ValueError(f"{path.name}: state {k} has shape {v.shape}, the net needs {wanted[k].shape}.")
        wanted[k] = np.array(v, dtype=wanted[k].dtype)  # a writeable copy: training updates it in place
    net.meta = meta.get("extra", {})
    return net

# ---------------------------------------------------------- fully connected
# CS231n assignment 2's FullyConnectedNet: affine layers with optional batch or layer
# normalization and dropout, parameters named as the assignment names them.
__all__ += ["FullyConnectedNet"]

_NORMALIZATIONS = (None, "batchnorm", "layernorm")


def _fc_batch(X, input_dim):
    """``X`` as an array (N, d_1, ..., d_k), or a ValueError with both shapes.

    With an integer ``input_dim`` D (CS231n's way) any example shape of D numbers is
    flattened, e.g. CIFAR-10's (N, 3, 32, 32) for D = 3*32*32; with a shape, X must have it.
    """
    try:
        X = np.asarray(X)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"FullyConnectedNet expects an array X: {err}") from None
    D = int(np.prod(input_dim))
    if len(input_dim) == 1:
        ok = X.ndim >= 2 and int(np.prod(X.shape[1:])) == D
        want = f"(N, d_1, ..., d_k) with d_1 * ... * d_k = input_dim = {D}"
    else:
        ok = tuple(X.shape[1:]) == tuple(input_dim)
        want = f"(N, {', '.join(map(str, input_dim))})"
    if not ok:
        raise ValueError(f"FullyConnectedNet expects X of shape {want}, got X.shape={X.shape}.")
    return X


def _fc_positive_int(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}.")
    return int(value)


class FullyConnectedNet:
    """{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax, CS231n's fully connected net.

    Parameters
    ----------
    hidden_dims : list of ints, the sizes of the L - 1 hidden layers (may be empty).
    input_dim : int D (inputs of any shape with D numbers per example are flattened, as in
        CS231n), or a shape (d_1, ..., d_k) that every input must have.
    num_classes : C, scores produced.
    dropout_keep_ratio : probability of *keeping* a unit in the dropout layer after every
        ReLU, in (0, 1]; 1 means no dropout layers.
    normalization : None, ``'batchnorm'`` or ``'layernorm'``: a normalization layer
        between every hidden affine layer and its ReLU (never after the last affine layer).
    reg : L2 regularization strength: the loss adds ``0.5 * reg * sum(W**2)`` over
        the weights ``W1 .. WL`` (not the biases, gammas or betas).
    weight_scale : weights start as ``weight_scale * N(0, 1)``; biases and betas as
        zeros, gammas as ones.
    dtype : dtype of the parameters and of the computation (float32 to train,
        float64 for gradient checks).
    seed : None, an integer or a ``numpy.random.Generator``.  The weights are drawn
        from ``numpy.random.default_rng(seed)``.  As in CS231n, the seed also goes to
        the dropout layers: an integer gives the same dropout mask on every call
        (what a gradient check needs), a Generator a new reproducible mask on every
        call, None a new random one.

    Attributes
    ----------
    params : ``W1`` (D, H1), ``b1`` (H1,), ``gamma1``, ``beta1`` (H1,) (with
        normalization), ..., ``WL`` (H_{L-1}, C), ``bL`` (C,).
    num_layers : L = len(hidden_dims) + 1.
    bn_params : one dict per hidden layer: the ``bn_param`` of each batch-norm layer
        (holding its running averages) or the ``ln_param`` of each layer-norm layer.
    dropout_param : the ``dropout_param`` of the dropout layers (``{}`` without dropout).

    ``loss(X)`` runs the net in test mode and returns scores; ``loss(X, y)`` runs it
    in train mode (dropout on, batch statistics, running averages updated) and
    returns ``(loss, grads)``.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        if isinstance(hidden_dims, (int, np.integer)):
            raise ValueError(
                f"hidden_dims is a list of hidden-layer sizes, got the number {hidden_dims!r}; "
                f"for one hidden layer write [{hidden_dims}]."
            )
        try:
            hidden_dims = list(hidden_dims)
        except TypeError:
            raise ValueError(f"hidden_dims must be a list of positive integers, got {hidden_dims!r}.") from None
        hidden_dims = [_fc_positive_int(h, f"hidden_dims[{i}]") for i, h in enumerate(hidden_dims)]
        dims_in = input_dim if isinstance(input_dim, (tuple, list)) else (input_dim,)
        self.input_dim = tuple(_fc_positive_int(d, "input_dim") for d in dims_in)
        num_classes = _fc_positive_int(num_classes, "num_classes")
        keep = real_number(dropout_keep_ratio, "dropout_keep_ratio")
        if not 0 < keep <= 1:
            raise ValueError(
                f"dropout_keep_ratio is the probability of KEEPING a unit and must lie in (0, 1], got {keep} "
                "(1 means no dropout)."
            )
        if normalization not in _NORMALIZATIONS:
            raise ValueError(f"normalization must be None, 'batchnorm' or 'layernorm', got {normalization!r}.")
        reg = real_number(reg, "reg")
        weight_scale = real_number(weight_scale, "weight_scale")
        if reg < 0 or weight_scale <= 0:
            raise ValueError(f"reg must be >= 0 and weight_scale > 0, got reg={reg}, weight_scale={weight_scale}.")
        if not np.issubdtype(np.dtype(dtype), np.floating):
            raise ValueError(f"dtype must be a floating-point type such as np.float32, got {dtype!r}.")
        if seed is not None and not isinstance(seed, np.random.Generator):
            if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"seed must be None, a non-negative integer or a numpy Generator, got {seed!r}.")

        self.normalization = normalization
        self.use_dropout = keep != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        rng = np.random.default_rng(seed)
        dims = [int(np.prod(self.input_dim))] + hidden_dims + [num_classes]
        self.params = {}
        for i in range(1, self.num_layers + 1):
            self.params[f"W{i}"] = weight_scale * rng.standard_normal((dims[i - 1], dims[i]))
            self.params[f"b{i}"] = np.zeros(dims[i])
            if normalization is not None and i < self.num_layers:
                self.params[f"gamma{i}"] = np.ones(dims[i])
                self.params[f"beta{i}"] = np.zeros(dims[i])
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": keep}
            if seed is not None:
                self.dropout_param["seed"] = rng if isinstance(seed, np.random.Generator) else seed
        self.bn_params = []
        if normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        elif normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

    def loss(self, X, y=None):
        """Scores (N, C) for ``y=None`` (test mode); otherwise ``(loss, grads)`` (train mode).

        X : (N, d_1, ..., d_k) with D numbers per example (an integer ``input_dim``), or
        (N, *input_dim) (a shape); y : int array (N,) of labels in 0..C-1.
        """
        X = _fc_batch(X, self.input_dim).astype(self.dtype, copy=False)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            if mode == "test" and self.bn_params and "running_mean" not in self.bn_params[0]:
                raise ValueError(
                    "This FullyConnectedNet uses batch normalization and has not run a training pass yet, "
                    "so it has no running averages to normalize with in test mode: call loss(X, y) "
                    "(or train it with a Solver) before asking for scores."
                )
            for bn_param in self.bn_params:
                bn_param["mode"] = mode

        p, L = self.params, self.num_layers
        h, caches = X, []
        for i in range(1, L):
            W, b = p[f"W{i}"], p[f"b{i}"]
            if self.normalization == "batchnorm":
                h, cache = affine_bn_relu_forward(h, W, b, p[f"gamma{i}"], p[f"beta{i}"], self.bn_params[i - 1])
            elif self.normalization == "layernorm":
                h, cache = affine_ln_relu_forward(h, W, b, p[f"gamma{i}"], p[f"beta{i}"], self.bn_params[i - 1])
            else:
                h, cache = affine_relu_forward(h, W, b)
            drop_cache = None
            if self.use_dropout:
                h, drop_cache = dropout_forward(h, self.dropout_param)
            caches.append((cache, drop_cache))
        scores, last_cache = affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        if mode == "test":
            return scores

        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(float(np.sum(p[f"W{i}"] ** 2)) for i in range(1, L + 1))
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            cache, drop_cache = caches[i - 1]
            if self.use_dropout:
                dh = dropout_backward(dh, drop_cache)
            if self.normalization == "batchnorm":
                dh, grads[f"W{i}"], grads[f"b{i}"], grads[f"gamma{i}"], grads[f"beta{i}"] = \
                    affine_bn_relu_backward(dh, cache)
            elif self.normalization == "layernorm":
                dh, grads[f"W{i}"], grads[f"b{i}"], grads[f"gamma{i}"], grads[f"beta{i}"] = \
                    affine_ln_relu_backward(dh, cache)
            else:
                dh, grads[f"W{i}"], grads[f"b{i}"] = affine_relu_backward(dh, cache)
        for i in range(1, L + 1):
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * p[f"W{i}"]
        return loss, {k: np.asarray(v, dtype=self.dtype) for k, v in grads.items()}

