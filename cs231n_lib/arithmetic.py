"""Size arithmetic of convolution and pooling layers: pure functions of integers.

Every function takes plain integers.  Spatial arguments (input size ``W``,
filter size ``F``, stride ``S``, padding ``P``, dilation) may also be an
``(H, W)`` pair for non-square inputs or filters; the result is then a pair.

Conventions (the CS231n ones):

* ``P`` is the number of zeros added on *each* side, so the padded input is
  ``W + 2P`` wide.
* ``dilation=1`` is an ordinary, contiguous filter.  The course notes call
  that "dilation 0"; our ``dilation=d`` is their ``d - 1``.
* A filter of size ``F`` with dilation ``d`` spans
  ``F_eff = F + (F - 1)(d - 1)`` input pixels.

An invalid setting never yields a silently rounded number: it raises
``ValueError`` with the formula, the numbers filled in, the reason, and the
nearest settings that would work.
"""
from __future__ import annotations

import operator
from typing import NamedTuple, Tuple, Union

Size = Union[int, Tuple[int, int]]

__all__ = [
    "ConvGeometry",
    "ParamCount",
    "conv_geometry",
    "conv_output_size",
    "conv_param_count",
    "effective_filter_size",
    "pool_output_size",
    "same_padding",
    "valid_strides",
    "ROUNDINGS",
]

_AXES = ("height", "width")


# ----------------------------------------------------------------- validation
def as_int(value, name: str, minimum: int) -> int:
    """``value`` as a Python int >= ``minimum``, or a ValueError naming ``name`` that says why not.

    Accepts Python and numpy integers; refuses booleans and floats (``3.0`` gets
    the hint "write 3").  The one integer check every geometry function uses.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got the boolean {value!r}.")
    try:
        number = operator.index(value)
    except TypeError:
        hint = ""
        if isinstance(value, float) and value.is_integer():
            hint = f" Write {int(value)} instead of {value!r}."
        raise ValueError(
            f"{name} must be an integer, got {value!r} ({type(value).__name__}).{hint}"
        ) from None
    if number < minimum:
        what = "positive" if minimum == 1 else "zero or positive"
        raise ValueError(f"{name} must be {what}, got {number}.")
    return int(number)


def _pair(value, name: str, minimum: int) -> Tuple[Tuple[int, int], bool]:
    """Return ``((h, w), was_pair)`` for an int or an (H, W) pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be an integer or an (H, W) pair, got {value!r} "
                f"with {len(value)} entries."
            )
        h = as_int(value[0], f"{name}[0] ({_AXES[0]})", minimum)
        w = as_int(value[1], f"{name}[1] ({_AXES[1]})", minimum)
        return (h, w), True
    number = as_int(value, name, minimum)
    return (number, number), False


def _per_axis(func, named_args, minimums):
    """Apply ``func`` to each axis of int-or-pair arguments.

    Returns an int when every argument was an int, else an (H, W) tuple.
    Errors raised for one axis of a pair are prefixed with the axis name.
    """
    pairs, any_pair = [], False
    for (name, value), minimum in zip(named_args, minimums):
        p, was_pair = _pair(value, name, minimum)
        pairs.append(p)
        any_pair |= was_pair
    if not any_pair:
        return func(*(p[0] for p in pairs))
    results = []
    for axis, axis_name in enumerate(_AXES):
        try:
            results.append(func(*(p[axis] for p in pairs)))
        except ValueError as err:
            raise ValueError(f"Along the {axis_name}: {err}") from None
    return tuple(results)


# ------------------------------------------------------------ filter extents
def effective_filter_size(F: Size, dilation: Size = 1) -> Size:
    """Number of input pixels a dilated filter spans: ``F + (F - 1)(dilation - 1)``.

    >>> effective_filter_size(3, 2)
    5
    """
    return _per_axis(
        lambda f, d: f + (f - 1) * (d - 1),
        [("F", F), ("dilation", dilation)],
        [1, 1],
    )


def _divisors(n: int):
    return [d for d in range(1, n + 1) if n % d == 0]


def valid_strides(W: Size, F: Size, P: Size = 0, dilation: Size = 1):
    """All strides that tile a ``W``-wide input (padded by ``P``) exactly.

    They are the divisors of ``W - F_eff + 2P``: a stride is valid when the
    filter positions ``0, S, 2S, ...`` end exactly at the far edge.  When the
    filter covers the padded input exactly, a single window fits whatever
    the stride and the answer is ``[1]``.  For a pair of sizes, returns the
    strides valid along both axes.

    >>> valid_strides(10, 3, 0)
    [1, 7]
    """
    def one_axis(w, f, p, d):
        span = _span(w, f, p, d, "convolution")
        return _divisors(span) if span > 0 else [1]

    result = _per_axis(
        one_axis,
        [("W", W), ("F", F), ("P", P), ("dilation", dilation)],
        [1, 1, 0, 1],
    )
    if isinstance(result, tuple):
        return sorted(set(result[0]) & set(result[1]))
    return result


# -------------------------------------------------------------- output sizes
ROUNDINGS = ("exact", "floor", "ceil")
"""How an output size that is not an integer is treated.

``"exact"`` (the default, and the notes' rule) refuses it with a ValueError.
``"floor"`` does what PyTorch, TensorFlow ('VALID') and Caffe's convolutions
do: round down, so the pixels left over at the far edge are never read.
``"ceil"`` rounds up, as Caffe's pooling and PyTorch's ``ceil_mode=True`` do:
the last window hangs over the edge (PyTorch's rule is kept: a window must
start inside the input or its left padding).
"""


class ConvGeometry(NamedTuple):
    """Everything about one spatial axis of a convolution or pooling layer.

    ``formula`` is the output-size formula with the numbers filled in, e.g.
    ``"(7 - 3 + 2*0)/2 + 1 = 3"``; ``output`` is the integer output size.
    ``rounding`` is one of :data:`ROUNDINGS`; ``leftover`` is the number of
    pixels at the far edge that no window reads (0 unless the size was
    floored).
    """

    W: int
    F: int
    S: int
    P: int
    dilation: int
    F_eff: int
    output: int
    formula: str
    rounding: str = "exact"
    leftover: int = 0


def _check_rounding(rounding) -> str:
    if rounding not in ROUNDINGS:
        raise ValueError(
            f"rounding must be one of {ROUNDINGS}, got {rounding!r}: 'exact' refuses a size "
            "that is not an integer, 'floor' rounds down as PyTorch and TensorFlow do, "
            "'ceil' rounds up as Caffe's pooling does."
        )
    return rounding


def _formula_text(w, f_eff, s, p, with_padding=True, rounding="exact", output=None):
    span = w - f_eff + 2 * p
    value = span / s + 1
    head = f"({w} - {f_eff} + 2*{p})/{s}" if with_padding else f"({w} - {f_eff})/{s}"
    if value == int(value) or rounding == "exact":
        shown = int(value) if value == int(value) else value
        return f"{head} + 1 = {shown:g}"
    return f"{rounding}({head}) + 1 = {rounding}({span / s:g}) + 1 = {output}"


def _span(w, f, p, d, kind):
    """``W - F_eff + 2P``, after checking that the filter fits in the padded input."""
    f_eff = f + (f - 1) * (d - 1)
    span = w - f_eff + 2 * p
    if span < 0:
        what = f"{f}-wide {'filter' if kind == 'convolution' else 'window'}" if d == 1 else (
            f"{f}-wide filter with dilation {d} (it spans F_eff = {f_eff} pixels)"
        )
        padded = f"{w} + 2*{p} = {w + 2 * p}" if (kind == "convolution" or p) else f"{w}"
        min_pad = -(-(f_eff - w) // 2)
        fixes = [f"an input of at least {f_eff - 2 * p}"]
        if kind == "convolution":
            fixes.append(f"padding of at least P = {min_pad}")
        fixes.append(f"a {'filter' if kind == 'convolution' else 'window'} of at most "
                     f"{w + 2 * p}" + (" (effective) pixels" if d > 1 else ""))
        raise ValueError(
            f"The {what} does not fit inside the {'padded ' if (kind == 'convolution' or p) else ''}"
            f"input of width {padded}: not even one {kind} window fits. "
            f"Use {', or '.join(fixes)}."
        )
    return span


def _nearest(candidates, target):
    return sorted(candidates, key=lambda c: (abs(c - target), c))


def _invalid_message(w, f, s, p, d, kind):
    """Why ``(w - F_eff + 2p)/s + 1`` is not an integer, and the nearest settings that work.

    Only sensible fixes are named: strides no larger than the filter (or than
    the stride asked for, when that already leaves gaps), the nearest input
    sizes and, for a convolution, the nearest padding.
    """
    f_eff = f + (f - 1) * (d - 1)
    span = w - f_eff + 2 * p
    leftover = span % s
    with_padding = kind == "convolution" or p > 0
    lines = [
        f"Invalid {kind} geometry: {_formula_text(w, f_eff, s, p, with_padding)} "
        f"is not an integer."
    ]
    if d > 1:
        lines.append(
            f"(F_eff = F + (F-1)*(dilation-1) = {f} + {f - 1}*{d - 1} = {f_eff}.)"
        )
    lines.append(
        f"The windows do not tile the input evenly: stepping {s} pixels at a time, "
        f"{leftover} pixel(s) at the far edge are left over that no window covers "
        f"(one more step would hang over the edge). PyTorch and TensorFlow would round "
        f"down to {span // s + 1} and silently skip "
        + ("them (here they are padding zeros, so nothing is lost)." if 0 < leftover <= p
           else "those pixel(s).")
    )
    fixes = []
    lower, upper = w - leftover, w + (s - leftover)
    sizes = [f"W = {v} (output {(v - f_eff + 2 * p) // s + 1})" for v in (lower, upper) if v >= 1]
    fixes.append("input size " + " or ".join(sizes))
    limit = max(f_eff, s)
    strides = [c for c in _divisors(span) if c <= limit and c != s] if span else [1]
    if strides:
        stride_text = ", ".join(
            f"S = {c} (output {span // c + 1})" for c in sorted(_nearest(strides, s)[:2])
        )
        fixes.append(f"stride {stride_text}")
    if kind == "convolution":
        pads = [q for q in range(0, p + s + 1) if (w - f_eff + 2 * q) % s == 0]
        if pads:
            q = _nearest(pads, p)[0]
            fixes.append(f"padding at stride {s}: P = {q} (output {(w - f_eff + 2 * q) // s + 1})")
    lines.append("Nearest valid settings: " + "; ".join(fixes) + ".")
    if kind == "convolution" and not any(f.startswith("padding") for f in fixes):
        lines.append(
            f"No padding makes stride {s} fit: W - F_eff = {w - f_eff} is odd and "
            f"2*P is always even."
        )
    elif kind != "convolution":
        lines.append("Pooling layers are usually not padded; change the window, the stride or the input.")
    return " ".join(lines)


def _conv_axis(w, f, s, p, d, kind="convolution", rounding="exact"):
    span = _span(w, f, p, d, kind)
    if span % s == 0:
        return span // s + 1
    if rounding == "floor":
        return span // s + 1
    if rounding == "ceil":
        out = -(-span // s) + 1
        if (out - 1) * s >= w + p:  # a last window starting in the right padding is dropped
            out -= 1
        return out
    raise ValueError(_invalid_message(w, f, s, p, d, kind))


def conv_output_size(W: Size, F: Size, S: Size = 1, P: Size = 0, dilation: Size = 1,
                     rounding: str = "exact") -> Size:
    """Spatial output size of a convolution: ``(W - F_eff + 2P)/S + 1``.

    Parameters
    ----------
    W : int or (H, W)
        Input width (or height and width).
    F : int or (HH, WW)
        Filter size.
    S : int or pair, default 1
        Stride.
    P : int or pair, default 0
        Zero padding on each side.
    dilation : int or pair, default 1
        Spacing of the filter taps; 1 is an ordinary filter.
    rounding : 'exact' (default), 'floor' or 'ceil'
        What to do when the size is not an integer (see :data:`ROUNDINGS`):
        refuse it, or round it the way frameworks do.

    Returns
    -------
    int, or an (H_out, W_out) tuple if any argument was a pair.

    Raises
    ------
    ValueError
        If the output size is not an integer (with ``rounding='exact'``), the
        filter does not fit the padded input, or an argument is not a positive
        integer.  The message shows the formula with the numbers filled in and
        the nearest valid input size, stride and padding.

    >>> conv_output_size(7, 3, S=2)
    3
    >>> conv_output_size(227, 11, S=4, P=0)
    55
    >>> conv_output_size(56, 3, S=2, P=1, rounding="floor")
    28
    """
    _check_rounding(rounding)
    return _per_axis(
        lambda w, f, s, p, d: _conv_axis(w, f, s, p, d, rounding=rounding),
        [("W", W), ("F", F), ("S", S), ("P", P), ("dilation", dilation)],
        [1, 1, 1, 0, 1],
    )


def conv_geometry(W: int, F: int, S: int = 1, P: int = 0, dilation: int = 1,
                  rounding: str = "exact") -> ConvGeometry:
    """Like :func:`conv_output_size` for one axis, with the working shown.

    >>> conv_geometry(7, 3, 2).formula
    '(7 - 3 + 2*0)/2 + 1 = 3'
    >>> conv_geometry(224, 7, 2, 3, rounding="floor").formula
    'floor((224 - 7 + 2*3)/2) + 1 = floor(111.5) + 1 = 112'
    """
    w, f, s, p, d = (
        as_int(W, "W", 1), as_int(F, "F", 1), as_int(S, "S", 1),
        as_int(P, "P", 0), as_int(dilation, "dilation", 1),
    )
    _check_rounding(rounding)
    out = _conv_axis(w, f, s, p, d, rounding=rounding)
    f_eff = f + (f - 1) * (d - 1)
    span = w - f_eff + 2 * p
    leftover = span - (out - 1) * s if (out - 1) * s <= span else 0
    return ConvGeometry(w, f, s, p, d, f_eff, out,
                        _formula_text(w, f_eff, s, p, rounding=rounding, output=out),
                        rounding, leftover)


def pool_output_size(W: Size, F: Size, S: Size, P: Size = 0, rounding: str = "exact") -> Size:
    """Spatial output size of a pooling layer: ``(W - F)/S + 1`` (``(W - F + 2P)/S + 1``
    when padded, which pooling layers rarely are).

    ``rounding`` is as for :func:`conv_output_size` ('floor' is PyTorch's default,
    'ceil' Caffe's and PyTorch's ``ceil_mode=True``).

    >>> pool_output_size(224, 2, 2)
    112
    >>> pool_output_size(13, 3, 2)
    6
    >>> pool_output_size(110, 3, 2, rounding="ceil")
    55
    """
    _check_rounding(rounding)
    return _per_axis(
        lambda w, f, s, p: _conv_axis(w, f, s, p, 1, kind="pooling", rounding=rounding),
        [("W", W), ("F", F), ("S", S), ("P", P)],
        [1, 1, 1, 0],
    )


def same_padding(F: Size, dilation: Size = 1) -> Size:
    """The padding ``P = (F_eff - 1)/2`` that keeps the size unchanged at stride 1.

    Raises ValueError for an even effective filter size, which would need
    more zeros on one side than on the other.

    >>> same_padding(3), same_padding(5), same_padding(3, dilation=2)
    (1, 2, 2)
    """
    def one_axis(f, d):
        f_eff = f + (f - 1) * (d - 1)
        if f_eff % 2 == 0:
            raise ValueError(
                f"No symmetric 'same' padding exists for an even (effective) filter size "
                f"F_eff = {f_eff}: P = (F_eff - 1)/2 = ({f_eff} - 1)/2 = {(f_eff - 1) / 2:g} "
                f"is not an integer. Use an odd filter size such as {f_eff - 1} or {f_eff + 1}, "
                f"or pad {f_eff // 2 - 1} on one side and {f_eff // 2} on the other by hand."
            )
        return (f_eff - 1) // 2

    return _per_axis(one_axis, [("F", F), ("dilation", dilation)], [1, 1])


# ---------------------------------------------------------- parameter counts
class ParamCount(NamedTuple):
    """Number of learnable weights and biases of a layer; ``total`` is their sum."""

    weights: int
    biases: int

    @property
    def total(self) -> int:
        return self.weights + self.biases


def conv_param_count(F: Size, D_in: int, K: int, out_size: Size = None,
                     sharing: bool = True) -> ParamCount:
    """Learnable parameters of a conv layer with ``K`` filters of ``F x F x D_in``.

    With parameter sharing (the normal conv layer) every depth slice shares
    one filter and one bias: ``F*F*D_in*K`` weights and ``K`` biases.

    Without sharing (a locally connected layer) every output neuron has its
    own ``F*F*D_in`` weights and bias, so the output size ``out_size`` (an
    int or an (H_out, W_out) pair) is needed: ``H_out*W_out*K`` neurons.

    >>> conv_param_count(11, 3, 96)
    ParamCount(weights=34848, biases=96)
    >>> conv_param_count(11, 3, 96, out_size=55, sharing=False).total
    105705600
    """
    (fh, fw), _ = _pair(F, "F", 1)
    d_in = as_int(D_in, "D_in", 1)
    k = as_int(K, "K", 1)
    if not isinstance(sharing, bool):
        raise ValueError(f"sharing must be True or False, got {sharing!r}.")
    per_neuron = fh * fw * d_in
    if sharing:
        return ParamCount(per_neuron * k, k)
    if out_size is None:
        raise ValueError(
            "Without parameter sharing every output neuron has its own weights, so the "
            "count depends on the output size: pass out_size (e.g. out_size=55 or (55, 55))."
        )
    (oh, ow), _ = _pair(out_size, "out_size", 1)
    neurons = oh * ow * k
    return ParamCount(neurons * per_neuron, neurons)


# =============================================================================
# Notebook 04 (architectures): memory and parameter budgets, receptive fields.
#
# These functions take a network as a plain sequence of layers.  A layer is a
# :class:`LayerDims` (or a plain tuple in its field order, or an object whose
# ``dims`` is a LayerDims, such as the layers of ``cs231n_lib.specs`` and
# ``cs231n_lib.nets``).  Volumes are written the way the notes write them,
# ``(H, W, D)`` with depth last.
# =============================================================================
import dataclasses as _dataclasses
from typing import Optional as _Optional

__all__ += [
    "as_int",
    "as_layer_dims",
    "LayerDims",
    "BudgetRow",
    "Budget",
    "layer_output_shape",
    "budget",
    "RFRow",
    "receptive_field",
]

_KINDS = ("input", "conv", "relu", "pool", "fc", "pointwise")


class LayerDims(NamedTuple):
    """The numbers that fix one layer's geometry and parameter count.

    kind     : 'conv', 'pool', 'fc', 'relu' (or 'input', which is ignored), or 'pointwise': a
               layer that keeps the volume's shape and reads one position at a time
               (batch norm, dropout, local response normalization; name it)
    F        : filter / window size (square), conv and pool
    K        : number of filters (conv) or of neurons (fc); for 'pointwise', learned
               parameters per channel (2 for batch norm's gamma and beta, else 0)
    S, P     : stride and zero padding on each side (conv, pool; pools are rarely padded)
    dilation : spacing of the filter taps, 1 = ordinary (conv)
    name     : label shown in tables, e.g. 'CONV3-64'
    rounding : 'exact' (default: a size that is not an integer is an error),
               'floor' or 'ceil' (round it as frameworks do; see :data:`ROUNDINGS`)
    """

    kind: str
    F: int = 1
    K: int = 0
    S: int = 1
    P: int = 0
    dilation: int = 1
    name: str = ""
    rounding: str = "exact"


def as_layer_dims(layer) -> LayerDims:
    """One layer's geometry as a checked :class:`LayerDims`.

    ``layer`` is a LayerDims; a tuple in its field order (kind first); or an
    object with a ``dims`` attribute holding a LayerDims (a layer of
    ``cs231n_lib.specs`` or ``cs231n_lib.nets``).  Anything else is refused
    with a ValueError: guessing the missing sizes would give wrong numbers.
    """
    if isinstance(layer, LayerDims):
        dims = layer
    elif isinstance(layer, tuple):
        if not 1 <= len(layer) <= len(LayerDims._fields):
            raise ValueError(
                f"A layer tuple has the fields {LayerDims._fields} (kind first); got {layer!r}."
            )
        dims = LayerDims(*layer)
    else:
        dims = getattr(layer, "dims", None)
        if callable(dims):
            dims = dims()
        if not isinstance(dims, LayerDims):
            raise ValueError(
                f"Cannot read the geometry of {layer!r}. A layer must be a LayerDims, a tuple "
                f"{LayerDims._fields} (kind first), or an object whose `dims` is a LayerDims "
                "(as the layers of cs231n_lib.specs and cs231n_lib.nets have). To pass a whole "
                "net, pass the net itself."
            )
    kind = str(dims.kind).lower()
    if kind not in _KINDS:
        raise ValueError(f"Unknown layer kind {dims.kind!r}; expected one of {_KINDS}.")
    label = dims.name or (kind.upper() if kind in ("relu", "input", "pointwise") else "")
    dims = dims._replace(
        kind=kind,
        F=as_int(dims.F, "F", 1),
        K=as_int(dims.K, "K", 0),
        S=as_int(dims.S, "S", 1),
        P=as_int(dims.P, "P", 0),
        dilation=as_int(dims.dilation, "dilation", 1),
        rounding=_check_rounding(dims.rounding),
    )
    if not label:
        label = {
            "conv": f"CONV{dims.F}-{dims.K}",
            "pool": f"POOL{dims.F}",
            "fc": f"FC-{dims.K}",
        }[kind]
    return dims._replace(name=label)


def _as_shape(shape, name="input_shape"):
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise ValueError(f"{name} must be a volume (H, W, D), got {shape!r}.")
    return tuple(as_int(v, f"{name}[{i}]", 1) for i, v in enumerate(shape))


def layer_output_shape(shape, layer):
    """Output volume ``(H, W, D)`` of ``layer`` applied to the volume ``shape``.

    Sizes go through :func:`conv_output_size` / :func:`pool_output_size`, so an
    invalid geometry raises their ValueError (formula with the numbers filled in).

    >>> layer_output_shape((224, 224, 3), LayerDims('conv', F=3, K=64, P=1))
    (224, 224, 64)
    >>> layer_output_shape((7, 7, 512), LayerDims('fc', K=4096))
    (1, 1, 4096)
    """
    h, w, d = _as_shape(shape, "shape")
    lay = as_layer_dims(layer)
    if lay.kind in ("conv", "fc") and lay.K < 1:
        raise ValueError(f"{lay.name}: a {lay.kind} layer needs K >= 1 filters/neurons, got K = {lay.K}.")
    size = h if h == w else (h, w)  # a pair only when needed: errors then name the axis
    if lay.kind == "conv":
        out = conv_output_size(size, lay.F, lay.S, lay.P, lay.dilation, rounding=lay.rounding)
        return (out, out, lay.K) if h == w else (*out, lay.K)
    if lay.kind == "pool":
        out = pool_output_size(size, lay.F, lay.S, lay.P, rounding=lay.rounding)
        return (out, out, d) if h == w else (*out, d)
    if lay.kind == "fc":
        return (1, 1, lay.K)
    return (h, w, d)


class BudgetRow(NamedTuple):
    """One row of a budget table.

    shape        : output volume (H, W, D)
    activations  : values in the output volume, H*W*D
    stored       : values that need new memory (0 for a ReLU computed in place)
    weights, biases : learnable parameters of the layer
    activation_formula, weight_formula : the products with the numbers filled in
    activation_bytes : memory of the stored activations, ``stored * bytes_per_value``
    param_bytes : memory of the parameters, ``(weights + biases) * bytes_per_value``
    """

    name: str
    kind: str
    shape: Tuple[int, int, int]
    activations: int
    stored: int
    weights: int
    biases: int
    activation_formula: str
    weight_formula: str
    activation_bytes: int = 0
    param_bytes: int = 0

    @property
    def params(self) -> int:
        return self.weights + self.biases


@_dataclasses.dataclass(frozen=True)
class Budget:
    """Per-layer rows and totals of a network's memory and parameters.

    bytes_per_value : 4 for float32 (default), 8 for float64
    backward_factor : activations are kept for the backward pass and each gets a
                      gradient of the same size, so training needs about this
                      many times the forward activation memory (2 by default)
    param_copies    : the notes' "x3": parameters, their gradients and a step
                      cache (momentum, Adagrad, ...)
    """

    rows: Tuple[BudgetRow, ...]
    bytes_per_value: int = 4
    backward_factor: int = 2
    param_copies: int = 3

    @property
    def activations(self) -> int:
        """Activation values held during the forward pass (sum of ``stored``)."""
        return sum(r.stored for r in self.rows)

    @property
    def weights(self) -> int:
        return sum(r.weights for r in self.rows)

    @property
    def biases(self) -> int:
        return sum(r.biases for r in self.rows)

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def forward_bytes(self) -> int:
        """Activation memory of one forward pass (test time), per image."""
        return self.activations * self.bytes_per_value

    @property
    def training_activation_bytes(self) -> int:
        """Activation memory with the backward pass: forward bytes x backward_factor."""
        return self.forward_bytes * self.backward_factor

    @property
    def param_bytes(self) -> int:
        return self.params * self.bytes_per_value

    @property
    def training_param_bytes(self) -> int:
        """Parameter memory when training: parameters x param_copies (the notes' x3)."""
        return self.param_bytes * self.param_copies

    def training_bytes(self, batch_size: int = 1) -> int:
        """Activations (with backward) for ``batch_size`` images plus parameters x3."""
        n = as_int(batch_size, "batch_size", 1)
        return n * self.training_activation_bytes + self.training_param_bytes

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds of one forward pass of one image, through the conv and FC layers.

        Each output value of a conv or FC layer is a dot product of one filter's weights with
        the values under it, so a layer whose output is H x W x K costs ``H * W * weights``
        (``weights = F*F*D*K`` for a conv, ``D_in*K`` for an FC layer with H = W = 1), zero
        padding included.  Pools, ReLUs and the per-channel scale of a pointwise layer are not
        counted; neither are the bias additions.
        """
        return sum(r.shape[0] * r.shape[1] * r.weights for r in self.rows if r.kind in ("conv", "fc"))


def _product_text(factors, total):
    return "*".join(str(f) for f in factors) + f" = {total:,}"


def budget(input_shape, layers, bytes_per_value: int = 4, backward_factor: int = 2,
           param_copies: int = 3, relu_in_place: bool = True,
           include_input: bool = True) -> Budget:
    """Memory and parameter budget of a network, layer by layer.

    Parameters
    ----------
    input_shape : (H, W, D)
        The input volume, e.g. (224, 224, 3).
    layers : sequence of LayerDims (or tuples / objects with those fields)
        The layers after the input, in order.  An 'input' layer is skipped.
    bytes_per_value : int, default 4 (float32)
    backward_factor : int, default 2 (activations plus their gradients)
    param_copies : int, default 3 (parameters, gradients, step cache)
    relu_in_place : bool, default True
        A ReLU overwrites its input, so its row stores nothing new.
    include_input : bool, default True
        Count the input volume as the first row, as the notes' VGG table does.

    Returns
    -------
    Budget
        ``rows`` (one BudgetRow per layer) and the totals as properties.

    >>> b = budget((32, 32, 3), [LayerDims('conv', 3, 16, P=1), LayerDims('fc', K=10)])
    >>> b.weights, b.biases, b.activations
    (164272, 26, 19466)
    """
    shape = _as_shape(input_shape)
    for value, name in ((bytes_per_value, "bytes_per_value"),
                        (backward_factor, "backward_factor"), (param_copies, "param_copies")):
        as_int(value, name, 1)
    nbytes = int(bytes_per_value)
    rows = []
    if include_input:
        n = shape[0] * shape[1] * shape[2]
        rows.append(BudgetRow("INPUT", "input", shape, n, n, 0, 0, _product_text(shape, n), "0",
                              n * nbytes, 0))
    for raw in layers:
        lay = as_layer_dims(raw)
        if lay.kind == "input":
            continue
        h, w, d = shape
        out = layer_output_shape(shape, lay)
        n = out[0] * out[1] * out[2]
        weights, biases, wtext = 0, 0, "0"
        if lay.kind == "conv":
            weights, biases = lay.F * lay.F * d * lay.K, lay.K
            wtext = f"({lay.F}*{lay.F}*{d})*{lay.K} = {weights:,}"
        elif lay.kind == "fc":
            weights, biases = h * w * d * lay.K, lay.K
            wtext = f"({h}*{w}*{d})*{lay.K} = {weights:,}"
        elif lay.kind == "pointwise" and lay.K:  # e.g. batch norm: a scale and a shift per channel
            weights, biases = lay.K * d, 0
            wtext = f"{lay.K}*{d} = {weights:,}"
        stored = 0 if (lay.kind == "relu" and relu_in_place) else n
        rows.append(BudgetRow(lay.name, lay.kind, out, n, stored, weights, biases,
                              _product_text(out, n), wtext, stored * nbytes,
                              (weights + biases) * nbytes))
        shape = out
    return Budget(tuple(rows), int(bytes_per_value), int(backward_factor), int(param_copies))


class RFRow(NamedTuple):
    """Receptive field of one layer's output units, measured on the network's input.

    k, s, p : this layer's effective kernel size (dilation included), stride, padding
    size    : receptive-field size r (input pixels spanned by one unit)
    stride  : effective stride S (input pixels between neighbouring units)
    padding : effective padding P (how far the first field starts before pixel 0)
    """

    name: str
    k: int
    s: int
    p: int
    size: int
    stride: int
    padding: int

    def span(self, x: int) -> Tuple[int, int]:
        """First and last input pixel seen by output unit ``x`` (0-based; may be
        negative or past the edge, which is padding): ``(x*S - P, x*S - P + r - 1)``."""
        u = x * self.stride - self.padding
        return u, u + self.size - 1

    def center(self, x: int) -> float:
        """Centre of unit ``x``'s field in input coordinates: ``x*S - P + (r - 1)/2``."""
        u, v = self.span(x)
        return (u + v) / 2


def _layers_of(layers, input_size):
    """A net (an object with ``layer_dims()``) -> its layers, and its input height as the
    default ``input_size``; a sequence of layers passes through."""
    if hasattr(layers, "layer_dims"):
        if input_size is None and getattr(layers, "input_dim", None) is not None:
            _, H, W = layers.input_dim
            if H != W:
                raise ValueError(
                    f"the net's input is {H}x{W}, not square: pass input_size (the height or the width).")
            input_size = H
        return layers.layer_dims(), input_size
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise ValueError(
            f"layers must be a sequence of layers or a net with a layer_dims() method, got {layers!r}.")
    return layers, input_size


def receptive_field(layers, input_size: _Optional[int] = None):
    """Receptive-field size, effective stride and padding after every layer.

    Uses the recurrences of Araujo, Norris and Sim, "Computing Receptive Fields
    of Convolutional Neural Networks" (Distill, 2019), run from layer ``L`` back
    to the input (``r_L = 1, S_L = 1, P_L = 0``)::

        r_{l-1} = s_l * r_l + (k_l - s_l)
        S_{l-1} = s_l * S_l
        P_{l-1} = s_l * P_l + p_l

    where ``k_l`` is the *effective* kernel size ``F + (F-1)(dilation-1)``.  A
    ReLU is ``k = s = 1, p = 0``; a pool is ``k = F, s = S, p = 0``; an FC layer
    is a convolution whose kernel covers its whole input (``k`` = its input
    size), so it needs ``input_size``.  With ``input_size`` (one spatial axis)
    every layer's output size is also checked with :func:`conv_output_size` (using the
    layer's ``rounding``; the field r, stride S and padding P do not depend on it).

    ``layers`` may also be a whole net: any object with a ``layer_dims()``
    method (the nets of :mod:`cs231n_lib.nets`); its input height is then the
    default ``input_size``.

    Returns a list with one :class:`RFRow` per layer ('input' layers skipped).

    >>> [r.size for r in receptive_field([('conv', 3)] * 3)]
    [3, 5, 7]
    """
    layers, input_size = _layers_of(layers, input_size)
    size = None if input_size is None else as_int(input_size, "input_size", 1)
    kernels, rows = [], []
    for raw in layers:
        lay = as_layer_dims(raw)
        if lay.kind == "input":
            continue
        rounding = lay.rounding
        if lay.kind == "conv":
            k, s, p = effective_filter_size(lay.F, lay.dilation), lay.S, lay.P
        elif lay.kind == "pool":
            k, s, p = lay.F, lay.S, lay.P
        elif lay.kind in ("relu", "pointwise"):
            k, s, p = 1, 1, 0
        else:  # fc
            if size is None:
                raise ValueError(
                    f"{lay.name}: an FC layer sees its whole input, so its receptive field "
                    "depends on the input size: pass input_size (e.g. input_size=224)."
                )
            k, s, p, rounding = size, 1, 0, "exact"
        if size is not None:
            try:
                size = conv_output_size(size, k, s, p, rounding=rounding)
            except ValueError as err:
                raise ValueError(f"{lay.name}: {err}") from None
        kernels.append((k, s, p))
        r, S, P = 1, 1, 0
        for k_l, s_l, p_l in reversed(kernels):
            r = s_l * r + (k_l - s_l)
            S = s_l * S
            P = s_l * P + p_l
        rows.append(RFRow(lay.name, k, s, p, r, S, P))
    return rows
