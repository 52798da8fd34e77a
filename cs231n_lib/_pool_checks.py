"""Input checks for the pooling layers of ``layers`` and ``fast_layers`` (private).

Every check raises ``ValueError`` naming the shapes involved; invalid window
or stride settings raise the output-size formula error of
:func:`cs231n_lib.arithmetic.pool_output_size`.  Imports nothing of ours but
``arithmetic``, so both layer modules may use it.
"""
from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from .arithmetic import pool_output_size

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
    if not isinstance(pool_param, dict):
        raise ValueError(
            "pool_param must be a dict such as {'pool_height': 2, 'pool_width': 2, 'stride': 2}, "
            f"got {type(pool_param).__name__}."
        )
    missing = [k for k in POOL_KEYS if k not in pool_param]
    unknown = sorted(set(pool_param) - set(POOL_KEYS))
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"is missing {missing}")
        if unknown:
            parts.append(f"has unknown key(s) {unknown}")
        raise ValueError(
            f"pool_param {' and '.join(parts)}: the keys are 'pool_height', 'pool_width' "
            f"and 'stride'. Got {pool_param!r}."
        )
    ph, pw, s = (_positive_int(pool_param, k) for k in POOL_KEYS)
    N, C, H, W = x_shape
    try:
        H_out, W_out = pool_output_size((H, W), (ph, pw), (s, s))
    except ValueError as err:
        raise ValueError(
            f"Pooling x.shape={tuple(x_shape)} with a {ph}x{pw} window at stride {s}: {err}"
        ) from None
    return PoolSetup(int(ph), int(pw), int(s), H_out, W_out)


def check_dout(dout, x_shape, setup: PoolSetup) -> np.ndarray:
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
