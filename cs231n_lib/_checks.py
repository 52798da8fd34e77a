"""Input checks shared by ``layers``, ``im2col`` and ``fast_layers`` (private): convolution and pooling.

Every check raises ``ValueError`` with the shapes involved (or, for the
geometry, the output-size formula with the numbers filled in, which comes
from :mod:`cs231n_lib.arithmetic`), never a bare numpy traceback.
Imports nothing of ours but ``arithmetic``, so every layer module may use it.
"""
from __future__ import annotations

from typing import NamedTuple

import operator

import numpy as np

from .arithmetic import conv_output_size, pool_output_size

_CONV_KEYS = {"stride", "pad", "dilation"}


class ConvSetup(NamedTuple):
    """The checked settings of one convolution (all plain ints)."""

    stride: int
    pad: int
    dilation: int
    H_out: int
    W_out: int


def as_array(value, name: str, ndim: int, layout: str) -> np.ndarray:
    """``value`` as a floating-point ndarray of rank ``ndim``, or a ValueError naming ``layout``."""
    try:
        arr = np.asarray(value)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"{name} must be an array of shape {layout}: {err}") from None
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimensions {layout}, got {name}.shape={arr.shape} "
            f"({arr.ndim} dimensions)."
        )
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.integer):
        arr = arr.astype(np.float64)
    return arr


def conv_param_values(conv_param) -> tuple:
    """``(stride, pad, dilation)`` from a CS231n ``conv_param`` dict."""
    if not isinstance(conv_param, dict):
        raise ValueError(
            "conv_param must be a dict such as {'stride': 1, 'pad': 0}, "
            f"got {type(conv_param).__name__}."
        )
    missing = [k for k in ("stride", "pad") if k not in conv_param]
    if missing:
        raise ValueError(
            f"conv_param is missing {missing}: it needs 'stride' and 'pad' "
            f"(and optionally 'dilation'), got {conv_param!r}."
        )
    unknown = sorted(set(conv_param) - _CONV_KEYS)
    if unknown:
        raise ValueError(
            f"conv_param has unknown key(s) {unknown}; the keys are 'stride', 'pad' "
            f"and 'dilation'. Got {conv_param!r}."
        )
    return conv_param["stride"], conv_param["pad"], conv_param.get("dilation", 1)


def conv_setup(x_shape, w_shape, conv_param) -> ConvSetup:
    """Check shapes and geometry of a convolution; return its settings and output size."""
    N, C, H, W = x_shape
    F, C_w, HH, WW = w_shape
    if C != C_w:
        raise ValueError(
            f"Channel mismatch: x.shape={tuple(x_shape)} has C={C} channels but "
            f"w.shape={tuple(w_shape)} has filters of depth {C_w}; they must be equal."
        )
    stride, pad, dilation = conv_param_values(conv_param)
    for name, value in (("stride", stride), ("pad", pad), ("dilation", dilation)):
        if isinstance(value, (tuple, list)):
            raise ValueError(
                f"conv_param['{name}'] must be a single integer (the same along height and "
                f"width), got {value!r}."
            )
    try:
        H_out, W_out = conv_output_size((H, W), (HH, WW), stride, pad, dilation)
    except ValueError as err:
        raise ValueError(
            f"x.shape={tuple(x_shape)} and w.shape={tuple(w_shape)} with "
            f"stride={stride!r}, pad={pad!r}, dilation={dilation!r}: {err}"
        ) from None
    return ConvSetup(int(stride), int(pad), int(dilation), H_out, W_out)


def check_conv_inputs(x, w, b, conv_param):
    """Validate the arguments of a conv forward pass.

    Returns ``(x, w, b, setup)`` with x, w, b as float arrays and ``setup`` a
    :class:`ConvSetup`.
    """
    x = as_array(x, "x", 4, "(N, C, H, W)")
    w = as_array(w, "w", 4, "(F, C, HH, WW)")
    b = as_array(b, "b", 1, "(F,)")
    if b.shape[0] != w.shape[0]:
        raise ValueError(
            f"b.shape={b.shape} must be (F,) with one bias per filter, but "
            f"w.shape={w.shape} has F={w.shape[0]} filters."
        )
    if 0 in x.shape or 0 in w.shape:
        raise ValueError(f"Empty arrays: x.shape={x.shape}, w.shape={w.shape}.")
    setup = conv_setup(x.shape, w.shape, conv_param)
    return x, w, b, setup


def check_dout(dout, expected_shape, what="the forward output"):
    """``dout`` as an array of ``expected_shape``, or a ValueError naming both shapes."""
    dout = np.asarray(dout)
    if dout.shape != tuple(expected_shape):
        raise ValueError(
            f"dout.shape={dout.shape} does not match the shape of {what}, "
            f"{tuple(expected_shape)}."
        )
    if np.issubdtype(dout.dtype, np.integer):
        dout = dout.astype(np.float64)
    return dout


def result_dtype(*arrays) -> np.dtype:
    """The floating dtype of a layer's output: float32 stays float32, else float64."""
    return np.result_type(*[a.dtype for a in arrays], np.float32)


# ------------------------------------------------------------------ pooling
POOL_KEYS = ("pool_height", "pool_width", "stride")


class PoolSetup(NamedTuple):
    """The checked settings of one pooling layer (all plain ints)."""

    pool_height: int
    pool_width: int
    stride: int
    H_out: int
    W_out: int


def pool_input(x) -> np.ndarray:
    """``x`` as a real-valued (N, C, H, W) ndarray (integers become float64)."""
    try:
        arr = np.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise ValueError(f"x must be an array of shape (N, C, H, W): {err}") from None
    if arr.ndim != 4:
        raise ValueError(
            f"x must have 4 dimensions (N, C, H, W), got x.shape={arr.shape} "
            f"({arr.ndim} dimensions). A single image of shape (C, H, W) is x[None]."
        )
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        arr = arr.astype(np.float64)
    elif not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(f"x must hold real numbers, got dtype {arr.dtype}.")
    return arr


def _positive_int(pool_param, key) -> int:
    """``pool_param[key]`` as a positive Python int, or a ValueError naming the key."""
    value = pool_param[key]
    if isinstance(value, (tuple, list)):
        raise ValueError(
            f"pool_param['{key}'] must be one integer, got {value!r}; "
            "height and width have their own keys and the stride is the same along both."
        )
    if isinstance(value, bool):
        raise ValueError(f"pool_param['{key}'] must be an integer, got the boolean {value!r}.")
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(
            f"pool_param['{key}'] must be an integer, got {value!r} ({type(value).__name__})."
        ) from None
    if number < 1:
        raise ValueError(f"pool_param['{key}'] must be positive, got {number}.")
    return int(number)


def pool_setup(x_shape, pool_param) -> PoolSetup:
    """Check ``pool_param`` against an input of shape ``x_shape``; return the settings.

    ``pool_param`` is CS231n's dict with the keys 'pool_height', 'pool_width'
    and 'stride'.  The output size comes from ``pool_output_size``, which
    raises the formula error when the windows do not tile the input.
    """
    check_param_dict(pool_param, "pool_param", POOL_KEYS, POOL_KEYS,
                     "{'pool_height': 2, 'pool_width': 2, 'stride': 2}")
    ph, pw, s = (_positive_int(pool_param, k) for k in POOL_KEYS)
    N, C, H, W = x_shape
    try:
        H_out, W_out = pool_output_size((H, W), (ph, pw), (s, s))
    except ValueError as err:
        raise ValueError(
            f"Pooling x.shape={tuple(x_shape)} with a {ph}x{pw} window at stride {s}: {err}"
        ) from None
    return PoolSetup(int(ph), int(pw), int(s), H_out, W_out)


def check_pool_dout(dout, x_shape, setup: PoolSetup) -> np.ndarray:
    """``dout`` as an ndarray of the forward output's shape, or a ValueError naming both shapes."""
    arr = np.asarray(dout)
    want = (x_shape[0], x_shape[1], setup.H_out, setup.W_out)
    if arr.shape != want:
        raise ValueError(
            f"dout.shape={arr.shape} does not match the pooling output shape {want} "
            f"(x.shape={tuple(x_shape)}, {setup.pool_height}x{setup.pool_width} window, "
            f"stride {setup.stride})."
        )
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"dout must hold real numbers, got dtype {arr.dtype}.")
    return arr


# ------------------------------------------------------------- parameters
def real_number(value, what) -> float:
    """``value`` as a finite Python float, or a ValueError naming ``what``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{what} must be a number, got {value!r} ({type(value).__name__}).")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}.")
    return value


def check_param_dict(param, name, allowed, required, example, modes=("train", "test")):
    """Check a CS231n parameter dict (``pool_param``, ``bn_param``, ...): a dict, the ``required``
    keys present, no key outside ``allowed``, and a valid ``mode`` if it has one; ``example`` is
    shown in the messages."""
    if not isinstance(param, dict):
        raise ValueError(f"{name} must be a dict such as {example}, got {type(param).__name__}.")
    missing = [k for k in required if k not in param]
    unknown = sorted(set(param) - set(allowed), key=str)
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"is missing {missing}")
        if unknown:
            parts.append(f"has unknown key(s) {unknown}")
        raise ValueError(
            f"{name} {' and '.join(parts)}: the keys are {list(allowed)} "
            f"(e.g. {example}). Got {param!r}."
        )
    if "mode" in param and param["mode"] not in modes:
        choices = " or ".join(repr(m) for m in modes)
        raise ValueError(f"{name}['mode'] must be {choices}, got {param['mode']!r}.")
