"""Numerical gradients by centred differences, and the relative error used to compare them.

These are the independent route against which every analytic backward pass
is checked: they only evaluate the function, never its derivative.  Run them
in float64.
"""
from __future__ import annotations

import numpy as np


def rel_error(x, y):
    """Largest elementwise relative error ``|x - y| / max(1e-8, |x| + |y|)``, as a float."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs equal shapes, got {x.shape} and {y.shape}.")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x, h=1e-5):
    """Gradient of the scalar function ``f(x)`` at ``x`` by centred differences.

    Parameters
    ----------
    f : callable taking the array ``x`` (modified in place, then restored) and returning a scalar.
    x : float array of any shape.
    h : step.

    Returns
    -------
    grad : array of the shape of ``x``.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = float(f(x))
        x[ix] = old - h
        fxmh = float(f(x))
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical ``sum(df * f(x))`` gradient for an array-valued ``f``: the chain rule's input side.

    Parameters
    ----------
    f : callable returning an array of the shape of ``df``.
    x : float array of any shape (modified in place, then restored).
    df : upstream gradient, shape of ``f(x)``.

    Returns
    -------
    grad : array of the shape of ``x``.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad
