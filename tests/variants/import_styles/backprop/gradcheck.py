"""Gradient checking (given complete, not graded): compare your backward pass with finite differences."""

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centered-difference gradient of a scalar function f at x.

    Inputs:
    - f: function taking an array shaped like x and returning a float.
    - x: float array of any shape; it is not modified.
    - h: step size.

    Returns:
    - grad: array of x's shape, grad[i] ~ (f(x + h e_i) - f(x - h e_i)) / (2h).
    """
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest element-wise relative error max |a - b| / max(|a| + |b|, 1e-8).

    Below 1e-7 is excellent for float64 gradients; above 1e-3 means a bug.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
