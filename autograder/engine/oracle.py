"""Independent oracles for the hidden checks: closed-form math and numerical derivatives.

Nothing here comes from solutions/: forwards are written from the definitions (scalar
formulas where that is clearer), and every gradient is a 4-point centered difference of a
forward computation (truncation error O(h^4), about 1e-11 here).
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

H = 1e-3
_limits = threading.local()


class GraderTimeout(Exception):
    """The grader's own computation for one submission ran past its deadline."""


def set_deadline(deadline: float) -> None:
    """Bound the oracles' work for the submission graded in this thread (time.monotonic())."""
    _limits.deadline = deadline


def tick() -> None:
    """Called in the oracles' loops: stop once this submission's deadline has passed."""
    if time.monotonic() > getattr(_limits, "deadline", float("inf")):
        raise GraderTimeout("the grader's time budget for this submission ran out")


def _key(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("nd", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, dict):
        return ("dict", tuple((k, _key(v)) for k, v in sorted(value.items())))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(_key(v) for v in value))
    return value


def cached(fn: Callable) -> Callable:
    """Memoise an oracle on the bytes of its inputs: the hidden inputs are the same for every
    submission, so a grading process computes each expected value once (results are copied)."""
    memo: dict = {}

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = (_key(args), _key(kwargs))
        if key not in memo:
            if len(memo) > 4096:
                memo.clear()
            memo[key] = fn(*args, **kwargs)
        return _copy(memo[key])

    return wrapper


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z) = exp(-log(1 + e^-z)), with log(1 + e^-z) by logaddexp (never overflows)."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(Z, dtype=np.float64)))


def relu(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=np.float64)
    return np.where(Z > 0, Z, 0.0)


def activation(name: str, Z: np.ndarray) -> np.ndarray:
    return {"sigmoid": sigmoid, "relu": relu, "linear": lambda z: np.array(z, dtype=float)}[name](Z)


def linear(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Z[i, j] = sum_k W[i, k] A_prev[k, j] + b[i]."""
    return np.einsum("ik,kj->ij", W, A_prev) + b


def cost(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """J = (1/m) sum over examples of 1/2 sum_k (y_k - y_hat_k)^2 (summed exactly)."""
    m = Y.shape[1]
    return math.fsum((0.5 * (Y - Y_hat) ** 2).ravel().tolist()) / m


@cached
def network_output(X: np.ndarray, params: dict[str, np.ndarray], acts: list[str]) -> np.ndarray:
    A = np.asarray(X, dtype=np.float64)
    for l, name in enumerate(acts, start=1):
        A = activation(name, linear(A, params[f"W{l}"], params[f"b{l}"]))
    return A


def network_cost(X, Y, params, acts) -> float:
    return cost(network_output(X, params, acts), Y)


def derivative(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = H) -> np.ndarray:
    """Gradient of a scalar function by 4-point centered differences, one coordinate at a time."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        tick()
        old = x[idx]
        values = []
        for step in (2 * h, h, -h, -2 * h):
            x[idx] = old + step
            values.append(f(x))
        x[idx] = old
        grad[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
    return grad


def elementwise_derivative(g: Callable[[np.ndarray], np.ndarray], Z: np.ndarray,
                           h: float = H) -> np.ndarray:
    """Derivative of an element-wise function at every entry (each entry perturbed on its own)."""
    Z = np.asarray(Z, dtype=np.float64)
    return (-g(Z + 2 * h) + 8 * g(Z + h) - 8 * g(Z - h) + g(Z - 2 * h)) / (12 * h)


@cached
def network_gradients(X, Y, params, acts) -> dict[str, np.ndarray]:
    """dJ/dtheta for every parameter, as {"dW1": ..., "db1": ...}, by finite differences."""
    grads = {}
    for key, value in params.items():
        def f(v, key=key):
            return network_cost(X, Y, {**params, key: v}, acts)

        grads["d" + key] = derivative(f, value)
    return grads


def directional_derivatives(f: Callable[[dict], float], params: dict[str, np.ndarray],
                            rng: np.random.Generator, directions: int = 3,
                            h: float = 1e-4) -> list[tuple[dict[str, np.ndarray], float]]:
    """(u, d/dt f(params + t u) at 0) for random directions u over all parameters at once:
    a gradient check that costs four evaluations of f per direction, whatever the size."""
    out = []
    for _ in range(directions):
        u = {k: rng.normal(0.0, 1.0, v.shape) for k, v in params.items()}
        norm = math.sqrt(sum(float(np.sum(d * d)) for d in u.values()))
        u = {k: d / norm for k, d in u.items()}

        def along(t: float, u=u) -> float:
            return f({k: v + t * u[k] for k, v in params.items()})

        slope = (-along(2 * h) + 8 * along(h) - 8 * along(-h) + along(-2 * h)) / (12 * h)
        out.append((u, slope))
    return out


def sampled_coordinates(f: Callable[[dict], float], params: dict[str, np.ndarray],
                        rng: np.random.Generator, per_key: int = 4,
                        h: float = H) -> list[tuple[str, tuple[int, ...], float]]:
    """(key, index, df/dparam) for a few random coordinates of each parameter."""
    out = []
    for key, value in params.items():
        for flat in rng.choice(value.size, size=min(per_key, value.size), replace=False):
            index = np.unravel_index(int(flat), value.shape)

            def g(x: float, key=key, index=index, value=value) -> float:
                changed = value.copy()
                changed[index] = x
                return f({**params, key: changed})

            x0 = float(value[index])
            slope = (-g(x0 + 2 * h) + 8 * g(x0 + h) - 8 * g(x0 - h) + g(x0 - 2 * h)) / (12 * h)
            out.append((key, tuple(int(i) for i in index), slope))
    return out


def random_params(rng: np.random.Generator, sizes: list[int], scale: float = 0.8) -> dict:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.normal(0.0, scale, (sizes[l], sizes[l - 1]))
        params[f"b{l}"] = rng.normal(0.0, 0.3, (sizes[l], 1))
    return params


def away_from_kinks(rng: np.random.Generator, shape: tuple, margin: float = 0.05) -> np.ndarray:
    """Normal samples pushed at least ``margin`` away from 0 (ReLU's kink)."""
    Z = rng.normal(0.0, 1.0, shape)
    return np.where(np.abs(Z) < margin, np.sign(Z + 1e-12) * margin * 2, Z)


# The lecture's worked 2-2-2 network (published values in shared/worked-example.md).
WORKED_X = np.array([[0.05], [0.10]])
WORKED_Y = np.array([[0.01], [0.99]])
WORKED_PARAMS = {
    "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),
    "b1": np.array([[0.35], [0.35]]),
    "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),
    "b2": np.array([[0.60], [0.60]]),
}
WORKED_OUTPUT = np.array([[0.75136507], [0.772928465]])
WORKED_LOSS = 0.298371109
WORKED_DW2 = np.array([[0.082167041, 0.082667628], [-0.022602540, -0.022740242]])
WORKED_DW1 = np.array([[0.000438568, 0.000877135], [0.000497713, 0.000995425]])
