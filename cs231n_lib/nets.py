"""Models built from layers: CS231n's two-layer and three-layer nets, and a sequential net of named layers.

Every model has CS231n's interface, which the :class:`~cs231n_lib.solver.Solver` uses:

* ``model.params`` -- dict from parameter names to arrays;
* ``model.loss(X, y=None)`` -- class scores (N, C) when ``y`` is None,
  otherwise ``(loss, grads)`` with the softmax loss plus L2 regularization
  ``0.5 * reg * sum(W**2)`` over the weights, and ``grads`` a dict like ``params``.

:class:`SequentialNet` adds what the later notebooks need: the activations of
any named layer, the gradient of any layer's units with respect to the
input image, and frozen layers.
"""
from __future__ import annotations

import numpy as np

from .arithmetic import LayerDims, conv_output_size, pool_output_size
from .layer_utils import (
    affine_relu_backward,
    affine_relu_forward,
    conv_relu_pool_backward,
    conv_relu_pool_forward,
)
from .layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss

__all__ = ["TwoLayerNet", "ThreeLayerConvNet", "SequentialNet", "conv", "relu", "pool", "affine"]


def _check_batch(X, input_dim, name):
    X = np.asarray(X)
    if X.ndim != len(input_dim) + 1 or tuple(X.shape[1:]) != tuple(input_dim):
        raise ValueError(
            f"{name} expects X of shape (N, {', '.join(map(str, input_dim))}), got X.shape={X.shape}."
        )
    return X


class TwoLayerNet:
    """affine - relu - affine - softmax, CS231n's fully connected two-layer net.

    Parameters: ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C), ``b2`` (C,), with
    D = ``input_dim`` (an int, or a shape that is flattened), H = ``hidden_dim``
    and C = ``num_classes``.  Weights start as ``weight_scale * N(0, 1)`` drawn
    from ``numpy.random.default_rng(seed)``; biases as zeros.
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32, seed=0):
        self.input_dim = tuple(np.atleast_1d(input_dim).tolist())
        D = int(np.prod(self.input_dim))
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.dtype = dtype
        self.params = {
            "W1": (weight_scale * rng.standard_normal((D, hidden_dim))).astype(dtype),
            "b1": np.zeros(hidden_dim, dtype=dtype),
            "W2": (weight_scale * rng.standard_normal((hidden_dim, num_classes))).astype(dtype),
            "b2": np.zeros(num_classes, dtype=dtype),
        }

    def loss(self, X, y=None):
        """Scores (N, C) for ``y=None``; otherwise ``(loss, grads)``.  X : (N, *input_dim)."""
        X = _check_batch(X, self.input_dim, "TwoLayerNet").astype(self.dtype, copy=False)
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


class ThreeLayerConvNet:
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax, CS231n's three-layer ConvNet.

    The convolution has stride 1 and pads ``(filter_size - 1) // 2`` zeros on
    each side, so it keeps the height and width (filter_size must be odd);
    the pool halves them.

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

    ``params``: ``W1`` (F, C, HH, WW), ``b1`` (F,), ``W2`` (F*H/2*W/2, hidden_dim),
    ``b2`` (hidden_dim,), ``W3`` (hidden_dim, num_classes), ``b3`` (num_classes,).
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32, seed=0):
        if len(input_dim) != 3:
            raise ValueError(f"input_dim must be (C, H, W), got {input_dim!r}.")
        if filter_size % 2 != 1:
            raise ValueError(
                f"filter_size must be odd so that pad = (filter_size - 1) / 2 keeps the size; got {filter_size}."
            )
        C, H, W = (int(v) for v in input_dim)
        pad = (filter_size - 1) // 2
        self.conv_param = {"stride": 1, "pad": pad}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        H_conv = conv_output_size(H, filter_size, 1, pad)
        W_conv = conv_output_size(W, filter_size, 1, pad)
        H_pool, W_pool = pool_output_size(H_conv, 2, 2), pool_output_size(W_conv, 2, 2)
        self.input_dim = (C, H, W)
        self.reg = reg
        self.dtype = dtype
        rng = np.random.default_rng(seed)
        flat = num_filters * H_pool * W_pool
        self.params = {
            "W1": weight_scale * rng.standard_normal((num_filters, C, filter_size, filter_size)),
            "b1": np.zeros(num_filters),
            "W2": weight_scale * rng.standard_normal((flat, hidden_dim)),
            "b2": np.zeros(hidden_dim),
            "W3": weight_scale * rng.standard_normal((hidden_dim, num_classes)),
            "b3": np.zeros(num_classes),
        }
        self.params = {k: v.astype(dtype) for k, v in self.params.items()}

    def loss(self, X, y=None):
        """Scores (N, num_classes) for ``y=None``; otherwise ``(loss, grads)``.  X : (N, C, H, W)."""
        X = _check_batch(X, self.input_dim, "ThreeLayerConvNet").astype(self.dtype, copy=False)
        p = self.params
        a1, cache1 = conv_relu_pool_forward(X, p["W1"], p["b1"], self.conv_param, self.pool_param)
        a2, cache2 = affine_relu_forward(a1, p["W2"], p["b2"])
        scores, cache3 = affine_forward(a2, p["W3"], p["b3"])
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(float(np.sum(p[k] * p[k])) for k in ("W1", "W2", "W3"))
        grads = {}
        da2, grads["W3"], grads["b3"] = affine_backward(dscores, cache3)
        da1, grads["W2"], grads["b2"] = affine_relu_backward(da2, cache2)
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(da1, cache1)
        for k in ("W1", "W2", "W3"):
            grads[k] = grads[k] + self.reg * p[k]
        return loss, {k: np.asarray(v, dtype=self.dtype) for k, v in grads.items()}


# ---------------------------------------------------------------- sequential
class _Layer:
    """One layer of a :class:`SequentialNet`: shapes, parameters, forward and backward."""

    kind = "layer"
    param_names = ()

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


class conv(_Layer):
    """A convolutional layer: ``conv(num_filters, filter_size, stride=1, pad=None)``.

    ``pad=None`` pads ``(filter_size - 1) // 2`` ("same" for stride 1 and an odd filter).
    Parameters ``W`` (F, C, HH, WW) and ``b`` (F,).
    """

    kind = "conv"
    param_names = ("W", "b")

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

    def backward(self, dout, cache):
        return relu_backward(dout, cache), {}


class pool(_Layer):
    """Max pooling: ``pool(size=2, stride=None)`` (stride defaults to size); no parameters."""

    kind = "pool"

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


LAYER_KINDS = {"conv": conv, "relu": relu, "pool": pool, "affine": affine}


def _make_layer(spec):
    if isinstance(spec, _Layer):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        kind = spec.pop("kind", None) or spec.pop("type", None)
        if kind not in LAYER_KINDS:
            raise ValueError(f"layer kind {kind!r} is not one of {sorted(LAYER_KINDS)}.")
        return LAYER_KINDS[kind](**spec)
    raise ValueError(f"a layer must be a conv/relu/pool/affine object or a dict with 'kind'; got {spec!r}.")


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

    ``params`` is a flat dict with keys ``"<layer>.W"`` and ``"<layer>.b"``,
    so the :class:`~cs231n_lib.solver.Solver` trains it like any CS231n model.
    Layers in ``frozen`` (see :meth:`freeze`) get no gradients, so the Solver
    leaves them as they are.
    """

    def __init__(self, layers, input_dim=(3, 32, 32), weight_scale=None, reg=0.0,
                 dtype=np.float32, seed=0, input_mean=None):
        self.input_dim = tuple(int(v) for v in input_dim)
        if input_mean is not None:
            input_mean = np.asarray(input_mean, dtype=dtype)
            try:
                np.broadcast_to(input_mean, self.input_dim)
            except ValueError:
                raise ValueError(
                    f"input_mean of shape {input_mean.shape} does not broadcast to input_dim {self.input_dim}."
                ) from None
        self.input_mean = input_mean
        self.reg = reg
        self.dtype = dtype
        self.names, self.layers, self.shapes = [], {}, {}
        self.params = {}
        self.frozen = set()
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
            layer = _make_layer(spec)
            try:
                out_shape = tuple(int(v) for v in layer.output_shape(shape))
            except ValueError as err:
                raise ValueError(f"layer {name!r} ({layer.describe()}) on input {shape}: {err}") from None
            for key, value in layer.init_params(shape, rng, weight_scale, dtype).items():
                self.params[f"{name}.{key}"] = value
            self.names.append(name)
            self.layers[name] = layer
            self.shapes[name] = out_shape
            shape = out_shape
        if not self.names:
            raise ValueError("a SequentialNet needs at least one layer.")
        if len(shape) != 1:
            raise ValueError(
                f"the last layer must output class scores (num_classes,), but {self.names[-1]!r} outputs {shape}: "
                "end with an affine layer."
            )
        self.num_classes = shape[0]

    # -- description
    def summary(self):
        """One line per layer: name, description, output shape (C, H, W), parameter count."""
        lines = [f"input {self.input_dim}"]
        for name in self.names:
            n = sum(self.params[f"{name}.{k}"].size for k in self.layers[name].param_names)
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
            raise ValueError(f"no layer named {name!r}; the layers are {self.names}.")

    # -- freezing
    def freeze(self, *names):
        """Freeze layers by name: their parameters get no gradients and stop changing in training."""
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

    # -- forward and backward
    def _layer_params(self, name):
        return {k: self.params[f"{name}.{k}"] for k in self.layers[name].param_names}

    def _forward(self, X, upto=None):
        X = _check_batch(X, self.input_dim, "SequentialNet").astype(self.dtype, copy=False)
        if self.input_mean is not None:
            X = X - self.input_mean
        if upto is not None:
            self._check_name(upto)
        acts, caches, out = {}, {}, X
        for name in self.names:
            out, caches[name] = self.layers[name].forward(out, self._layer_params(name))
            acts[name] = out
            if name == upto:
                break
        return acts, caches

    def _backward(self, dout, caches, start):
        """Back-propagate ``dout`` from the output of layer ``start`` to the input; returns ``dX, grads``."""
        grads = {}
        idx = self.names.index(start)
        for name in reversed(self.names[: idx + 1]):
            dout, layer_grads = self.layers[name].backward(dout, caches[name])
            if name not in self.frozen:
                for k, g in layer_grads.items():
                    grads[f"{name}.{k}"] = g
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

    def backward_from(self, X, layer, dout):
        """Gradient with respect to ``X`` of ``sum(dout * activation[layer])``.

        X : (N, C, H, W); dout : (N, *shapes[layer]).  Returns ``dX`` of X's shape.
        """
        acts, caches = self._forward(X, upto=layer)
        dout = np.asarray(dout, dtype=self.dtype)
        if dout.shape != acts[layer].shape:
            raise ValueError(
                f"dout.shape={dout.shape} must equal the shape of layer {layer!r}'s output {acts[layer].shape}."
            )
        dX, _ = self._backward(dout, caches, layer)
        return dX

    def input_gradient(self, X, layer, unit=()):
        """Gradient with respect to the input of the sum over the batch of ``activation[layer][n][unit]``.

        ``unit`` indexes one example's activation: ``(c,)`` for class c of a
        scores layer or channel c of a conv layer (its whole map), ``(c, i, j)``
        for one position, ``()`` for the sum of the whole layer.
        Returns ``(value, dX)``: the scalar (a float) and its gradient, X's shape.
        """
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
        dX, _ = self._backward(dout, caches, layer)
        return float(np.sum(selected)), dX

    def loss(self, X, y=None):
        """Scores (N, num_classes) for ``y=None``; otherwise ``(loss, grads)`` (frozen layers omitted)."""
        acts, caches = self._forward(X)
        scores = acts[self.names[-1]]
        if y is None:
            return scores
        loss, dscores = softmax_loss(scores, y)
        weights = [k for k in self.params if k.endswith(".W")]
        loss += 0.5 * self.reg * sum(float(np.sum(self.params[k] ** 2)) for k in weights)
        _, grads = self._backward(dscores, caches, self.names[-1])
        for k in grads:
            if k.endswith(".W"):
                grads[k] = grads[k] + self.reg * self.params[k]
            grads[k] = np.asarray(grads[k], dtype=self.dtype)
        return loss, grads

    def predict(self, X, batch_size=200):
        """Predicted labels (N,) for the batch ``X``, computed ``batch_size`` images at a time."""
        out = [np.argmax(self.loss(X[i:i + batch_size]), axis=1) for i in range(0, len(X), batch_size)]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


# ---------------------------------------------------------- fully connected
# CS231n assignment 2's FullyConnectedNet, kept in one self-contained section: it imports
# what it uses here and shares no helper with the classes above.
from .layer_utils import (  # noqa: E402
    affine_bn_relu_backward,
    affine_bn_relu_forward,
    affine_ln_relu_backward,
    affine_ln_relu_forward,
    affine_relu_backward as _fc_affine_relu_backward,
    affine_relu_forward as _fc_affine_relu_forward,
)
from .layers import (  # noqa: E402
    affine_backward as _fc_affine_backward,
    affine_forward as _fc_affine_forward,
    dropout_backward,
    dropout_forward,
    softmax_loss as _fc_softmax_loss,
)

__all__ += ["FullyConnectedNet"]

_NORMALIZATIONS = (None, "batchnorm", "layernorm")


def _fc_number(value, what):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{what} must be a number, got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}.")
    return value


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
        keep = _fc_number(dropout_keep_ratio, "dropout_keep_ratio")
        if not 0 < keep <= 1:
            raise ValueError(
                f"dropout_keep_ratio is the probability of KEEPING a unit and must lie in (0, 1], got {keep} "
                "(1 means no dropout)."
            )
        if normalization not in _NORMALIZATIONS:
            raise ValueError(f"normalization must be None, 'batchnorm' or 'layernorm', got {normalization!r}.")
        reg = _fc_number(reg, "reg")
        weight_scale = _fc_number(weight_scale, "weight_scale")
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
                h, cache = _fc_affine_relu_forward(h, W, b)
            drop_cache = None
            if self.use_dropout:
                h, drop_cache = dropout_forward(h, self.dropout_param)
            caches.append((cache, drop_cache))
        scores, last_cache = _fc_affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        if mode == "test":
            return scores

        loss, dscores = _fc_softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(float(np.sum(p[f"W{i}"] ** 2)) for i in range(1, L + 1))
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = _fc_affine_backward(dscores, last_cache)
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
                dh, grads[f"W{i}"], grads[f"b{i}"] = _fc_affine_relu_backward(dh, cache)
        for i in range(1, L + 1):
            grads[f"W{i}"] = grads[f"W{i}"] + self.reg * p[f"W{i}"]
        return loss, {k: np.asarray(v, dtype=self.dtype) for k, v in grads.items()}
