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
