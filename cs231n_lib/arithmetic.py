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
]

_AXES = ("height", "width")


# ----------------------------------------------------------------- validation
def _as_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as a Python int, or raise a ValueError that says why not."""
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
        h = _as_int(value[0], f"{name}[0] ({_AXES[0]})", minimum)
        w = _as_int(value[1], f"{name}[1] ({_AXES[1]})", minimum)
        return (h, w), True
    number = _as_int(value, name, minimum)
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
class ConvGeometry(NamedTuple):
    """Everything about one spatial axis of a convolution or pooling layer.

    ``formula`` is the output-size formula with the numbers filled in, e.g.
    ``"(7 - 3 + 2*0)/2 + 1 = 3"``; ``output`` is the integer output size.
    """

    W: int
    F: int
    S: int
    P: int
    dilation: int
    F_eff: int
    output: int
    formula: str


def _formula_text(w, f_eff, s, p, with_padding=True):
    span = w - f_eff + 2 * p
    value = span / s + 1
    shown = int(value) if value == int(value) else value
    if with_padding:
        return f"({w} - {f_eff} + 2*{p})/{s} + 1 = {shown:g}"
    return f"({w} - {f_eff})/{s} + 1 = {shown:g}"


def _span(w, f, p, d, kind):
    """``W - F_eff + 2P``, after checking that the filter fits in the padded input."""
    f_eff = f + (f - 1) * (d - 1)
    span = w - f_eff + 2 * p
    if span < 0:
        what = f"{f}-wide filter" if d == 1 else (
            f"{f}-wide filter with dilation {d} (it spans F_eff = {f_eff} pixels)"
        )
        padded = f"{w} + 2*{p} = {w + 2 * p}" if kind == "convolution" else f"{w}"
        min_pad = -(-(f_eff - w) // 2)
        fixes = [f"an input of at least {f_eff - 2 * p}"]
        if kind == "convolution":
            fixes.append(f"padding of at least P = {min_pad}")
        fixes.append(f"a filter of at most {w + 2 * p}" + (" (effective) pixels" if d > 1 else ""))
        raise ValueError(
            f"The {what} does not fit inside the {'padded ' if kind == 'convolution' else ''}"
            f"input of width {padded}: not even one {kind} window fits. "
            f"Use {', or '.join(fixes)}."
        )
    return span


def _nearest(candidates, target):
    return sorted(candidates, key=lambda c: (abs(c - target), c))


def _invalid_message(w, f, s, p, d, kind):
    f_eff = f + (f - 1) * (d - 1)
    span = w - f_eff + 2 * p
    leftover = span % s
    with_padding = kind == "convolution"
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
        f"(one more step would hang over the edge)."
    )
    strides = _nearest(_divisors(span) if span else [1], s)
    stride_text = ", ".join(
        f"S = {c} (output {span // c + 1})" for c in sorted(strides[:2])
    )
    lines.append(f"Nearest valid stride: {stride_text}.")
    if kind == "convolution":
        pads = [q for q in range(0, p + s + 1) if (w - f_eff + 2 * q) % s == 0]
        if pads:
            q = _nearest(pads, p)[0]
            lines.append(
                f"Nearest valid padding at stride {s}: P = {q} "
                f"(output {(w - f_eff + 2 * q) // s + 1})."
            )
        else:
            lines.append(
                f"No padding makes stride {s} fit: W - F_eff = {w - f_eff} is odd and "
                f"2*P is always even, so change the stride, the filter or the input size."
            )
    else:
        lines.append("Pooling layers are usually not padded; change the window or the stride.")
    return " ".join(lines)


def _conv_axis(w, f, s, p, d, kind="convolution"):
    span = _span(w, f, p, d, kind)
    if span % s:
        raise ValueError(_invalid_message(w, f, s, p, d, kind))
    return span // s + 1


def conv_output_size(W: Size, F: Size, S: Size = 1, P: Size = 0, dilation: Size = 1) -> Size:
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

    Returns
    -------
    int, or an (H_out, W_out) tuple if any argument was a pair.

    Raises
    ------
    ValueError
        If the output size is not an integer, the filter does not fit the
        padded input, or an argument is not a positive integer.  The message
        shows the formula with the numbers filled in and the nearest valid
        stride and padding.

    >>> conv_output_size(7, 3, S=2)
    3
    >>> conv_output_size(227, 11, S=4, P=0)
    55
    """
    return _per_axis(
        _conv_axis,
        [("W", W), ("F", F), ("S", S), ("P", P), ("dilation", dilation)],
        [1, 1, 1, 0, 1],
    )


def conv_geometry(W: int, F: int, S: int = 1, P: int = 0, dilation: int = 1) -> ConvGeometry:
    """Like :func:`conv_output_size` for one axis, with the working shown.

    >>> conv_geometry(7, 3, 2).formula
    '(7 - 3 + 2*0)/2 + 1 = 3'
    """
    w, f, s, p, d = (
        _as_int(W, "W", 1), _as_int(F, "F", 1), _as_int(S, "S", 1),
        _as_int(P, "P", 0), _as_int(dilation, "dilation", 1),
    )
    out = _conv_axis(w, f, s, p, d)
    f_eff = f + (f - 1) * (d - 1)
    return ConvGeometry(w, f, s, p, d, f_eff, out, _formula_text(w, f_eff, s, p))


def pool_output_size(W: Size, F: Size, S: Size) -> Size:
    """Spatial output size of a pooling layer: ``(W - F)/S + 1`` (no padding).

    >>> pool_output_size(224, 2, 2)
    112
    >>> pool_output_size(13, 3, 2)
    6
    """
    return _per_axis(
        lambda w, f, s: _conv_axis(w, f, s, 0, 1, kind="pooling"),
        [("W", W), ("F", F), ("S", S)],
        [1, 1, 1],
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
    d_in = _as_int(D_in, "D_in", 1)
    k = _as_int(K, "K", 1)
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
