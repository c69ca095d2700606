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

from autograder.engine.core.contract import WORKED_EXAMPLE, defaults

RMSPROP = defaults("rmsprop_update")  # the contract's default hyperparameters
ADAM = defaults("adam_update")

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


def centered_difference(g: Callable[[float], Any], h: float = H) -> Any:
    """g'(0) by the 4-point centered difference (-g(2h) + 8g(h) - 8g(-h) + g(-2h)) / 12h.

    ``g`` may return a float or an array (an element-wise derivative); error O(h^4).
    """
    return (-g(2 * h) + 8 * g(h) - 8 * g(-h) + g(-2 * h)) / (12 * h)


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


def read_only(value: Any) -> Any:
    """``value`` with every array in it (in tuples, lists, dicts) made read-only: a problem
    the checks share across submissions cannot be changed by one of them."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, np.ndarray):
            item.flags.writeable = False
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
    return value


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

        def along(step: float, idx=idx, old=old) -> float:
            x[idx] = old + step
            return f(x)

        grad[idx] = centered_difference(along, h)
        x[idx] = old
    return grad


def elementwise_derivative(g: Callable[[np.ndarray], np.ndarray], Z: np.ndarray,
                           h: float = H) -> np.ndarray:
    """Derivative of an element-wise function at every entry (each entry perturbed on its own)."""
    Z = np.asarray(Z, dtype=np.float64)
    return centered_difference(lambda step: g(Z + step), h)


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

        out.append((u, centered_difference(along, h)))
    return out


def sampled_coordinates(f: Callable[[dict], float], params: dict[str, np.ndarray],
                        rng: np.random.Generator, per_key: int = 4,
                        h: float = H) -> list[tuple[str, tuple[int, ...], float]]:
    """(key, index, df/dparam) for a few random coordinates of each parameter."""
    out = []
    for key, value in params.items():
        for flat in rng.choice(value.size, size=min(per_key, value.size), replace=False):
            index = np.unravel_index(int(flat), value.shape)

            def g(step: float, key=key, index=index, value=value) -> float:
                changed = value.copy()
                changed[index] += step
                return f({**params, key: changed})

            out.append((key, tuple(int(i) for i in index), centered_difference(g, h)))
    return out


def random_params(rng: np.random.Generator, sizes: list[int], scale: float = 0.8) -> dict:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.normal(0.0, scale, (sizes[l], sizes[l - 1]))
        params[f"b{l}"] = rng.normal(0.0, 0.3, (sizes[l], 1))
    return params


def initial_params(layer_sizes: list[int], seed: int = 0) -> dict:
    """The parameters train's checks start it from (answered for its init_params call, so an
    init_params of the student's cannot choose them): normal / sqrt(n_prev), zero biases."""
    rng = np.random.default_rng(7_000 + int(seed))
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0.0, 1.0 / math.sqrt(fan_in), (fan_out, fan_in))
        params[f"b{l}"] = np.zeros((fan_out, 1))
    return params


def away_from_kinks(rng: np.random.Generator, shape: tuple, margin: float = 0.05) -> np.ndarray:
    """Normal samples pushed at least ``margin`` away from 0 (ReLU's kink)."""
    Z = rng.normal(0.0, 1.0, shape)
    return np.where(np.abs(Z) < margin, np.sign(Z + 1e-12) * margin * 2, Z)


def rmsprop_step(params: dict, grads: dict, s: dict, lr: float, beta: float = RMSPROP["beta"],
                 eps: float = RMSPROP["eps"]) -> tuple[dict, dict]:
    """One RMSProp step on dicts: (new params, new s); ``s`` is keyed like ``grads``."""
    new_s = {k: beta * s[k] + (1 - beta) * grads[k] ** 2 for k in s}
    new_p = {k: p - lr * grads["d" + k] / (np.sqrt(new_s["d" + k]) + eps)
             for k, p in params.items()}
    return new_p, new_s


def adam_step(params: dict, grads: dict, v: dict, s: dict, t: int, lr: float = ADAM["lr"],
              beta1: float = ADAM["beta1"], beta2: float = ADAM["beta2"], eps: float = ADAM["eps"],
              bias_correction: bool = True) -> tuple[dict, dict, dict]:
    """One Adam step on dicts at step ``t`` (from 1): (new params, new v, new s)."""
    new_v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    new_s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    c1, c2 = (1 - beta1**t, 1 - beta2**t) if bias_correction else (1.0, 1.0)
    new_p = {k: p - lr * (new_v["d" + k] / c1) / (np.sqrt(new_s["d" + k] / c2) + eps)
             for k, p in params.items()}
    return new_p, new_v, new_s


# The lecture's worked 2-2-2 network, as arrays (the numbers are the contract's).
WORKED_X = np.array(WORKED_EXAMPLE["X"])
WORKED_Y = np.array(WORKED_EXAMPLE["Y"])
WORKED_PARAMS = {k: np.array(v) for k, v in WORKED_EXAMPLE["params"].items()}
WORKED_ACTIVATIONS = list(WORKED_EXAMPLE["activations"])
WORKED_OUTPUT = np.array(WORKED_EXAMPLE["Y_hat"])
WORKED_LOSS = float(WORKED_EXAMPLE["J"])
WORKED_DW2 = np.array(WORKED_EXAMPLE["dW2"])
WORKED_DW1 = np.array(WORKED_EXAMPLE["dW1"])
