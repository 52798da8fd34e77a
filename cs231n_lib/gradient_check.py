"""Numerical gradients and the relative error, as CS231n defines them.

Use them in float64: with ``h = 1e-5`` a centred difference is accurate to
about ``h**2`` relative to the function's curvature, which float32 cannot
resolve.

The ``verbose`` flags print, as CS231n's versions do; every function also
returns what it computed, so a notebook can pass ``verbose=False`` and
print the numbers it chooses.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "rel_error",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
]


def rel_error(x, y) -> float:
    """Largest relative error ``max(|x - y| / max(1e-8, |x| + |y|))`` as a Python float.

    Raises ValueError (with both shapes) when ``x`` and ``y`` cannot be
    compared element by element.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs equal shapes, got x.shape={x.shape} and y.shape={y.shape}.")
    if x.size == 0:
        return 0.0
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _check_float(x, name="x"):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(
            f"{name} must be a floating-point numpy array (it is changed in place and "
            f"restored), got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "") + "."
        )


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Gradient of a scalar function ``f`` at ``x`` by centred differences.

    Parameters
    ----------
    f : callable
        Takes the array ``x`` (one argument) and returns a scalar.
    x : float ndarray, any shape
        The point.  Each entry is nudged by ``+h`` and ``-h`` in place and
        restored afterwards.
    verbose : bool
        Print every index and its partial derivative (CS231n's behaviour).
    h : float
        Step size.

    Returns
    -------
    grad : array of the shape of ``x``:  ``(f(x + h e_i) - f(x - h e_i)) / (2h)``.
    """
    _check_float(x)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, float(grad[ix]))
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of an array-valued ``f`` at ``x``, contracted with ``df``.

    This is the backward pass done numerically: the result is
    ``sum(df * d f(x) / d x_i)`` for every entry ``i`` of ``x``, i.e. the
    gradient of the loss ``sum(f(x) * df)``.

    Parameters
    ----------
    f : callable
        Takes ``x`` and returns an array of the shape of ``df``.
    x : float ndarray, any shape
        The point; nudged in place and restored.
    df : ndarray
        Upstream gradient, shape of ``f(x)``.
    h : float
        Step size.

    Returns
    -------
    grad : array of the shape of ``x``.
    """
    _check_float(x)
    df = np.asarray(df)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64, copy=True)
        x[ix] = old
        if pos.shape != df.shape:
            raise ValueError(f"f(x) has shape {pos.shape} but df has shape {df.shape}.")
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, verbose=True, seed=0):
    """Compare ``analytic_grad`` with centred differences at ``num_checks`` random entries.

    Parameters
    ----------
    f : callable
        Scalar function of ``x``.
    x : float ndarray
        The point; nudged in place and restored.
    analytic_grad : ndarray, shape of ``x``
        The gradient to check.
    num_checks : int
        How many entries to sample (with replacement).
    h : float
        Step size.
    verbose : bool
        Print one line per check, as CS231n's version does.
    seed : int
        Seed of the ``numpy.random.default_rng`` that picks the entries.

    Returns
    -------
    list of ``(index, numerical, analytic, relative_error)`` tuples.
    """
    _check_float(x)
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(
            f"analytic_grad.shape={analytic_grad.shape} must equal x.shape={x.shape}."
        )
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(m)) for m in x.shape)
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        numerical = float((fxph - fxmh) / (2 * h))
        analytic = float(analytic_grad[ix])
        err = rel_error(numerical, analytic)
        if verbose:
            print(f"numerical: {numerical:f} analytic: {analytic:f}, relative error: {err:e}")
        results.append((ix, numerical, analytic, err))
    return results
