"""The values correct callees answer with: each graded function the grader answers, written
from the definitions (closed forms, nothing from solutions/), for the arguments a student's code
passed. Trusted side only: this file never ships in the handout nor enters the student's
process (callees.py counts and bounds the requests; this file only computes)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.contract import ANSWERED, FUNCTIONS, MODULE_OF

ACTIVATION_NAMES = ("sigmoid", "relu", "linear")


class Unanswerable(Exception):
    """The arguments do not fit the contract; raised in the student's code as ``kind``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _array(value: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Unanswerable("TypeError", f"{name} must be a numpy array of numbers") from None
    return arr


def _matrix(value: Any, name: str) -> np.ndarray:
    arr = _array(value, name)
    if arr.ndim != 2:
        raise Unanswerable("ValueError", f"{name} must be a 2-D array, got shape {arr.shape}")
    return arr


def _act(name: Any) -> str:
    if not isinstance(name, str) or name not in ACTIVATION_NAMES:
        raise Unanswerable("ValueError", f"unknown activation {name!r}")
    return name


def _sigmoid_slope(Z: np.ndarray) -> np.ndarray:
    S = oracle.sigmoid(Z)
    return S * (1.0 - S)


def _slope(activation: str, Z: np.ndarray) -> np.ndarray:
    if activation == "sigmoid":
        return _sigmoid_slope(Z)
    if activation == "relu":
        return (Z > 0).astype(np.float64)
    return np.ones_like(Z)


def _linear(A_prev: Any, W: Any, b: Any) -> np.ndarray:
    A_prev, W, b = _matrix(A_prev, "A_prev"), _matrix(W, "W"), _matrix(b, "b")
    if W.shape[1] != A_prev.shape[0] or b.shape != (W.shape[0], 1):
        raise Unanswerable("ValueError", f"shapes W {W.shape}, A_prev {A_prev.shape} and "
                                         f"b {b.shape} do not fit Z = W A_prev + b")
    return W @ A_prev + b


def _linear_backward(dZ: Any, A_prev: Any, W: Any) -> tuple:
    dZ, A_prev, W = _matrix(dZ, "dZ"), _matrix(A_prev, "A_prev"), _matrix(W, "W")
    if dZ.shape != (W.shape[0], A_prev.shape[1]) or W.shape[1] != A_prev.shape[0]:
        raise Unanswerable("ValueError", f"shapes dZ {dZ.shape}, A_prev {A_prev.shape} and "
                                         f"W {W.shape} do not fit")
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ.sum(axis=1, keepdims=True) / m


def _same_shape(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if a.shape != b.shape:
        raise Unanswerable("ValueError", f"{names} have different shapes {a.shape} and {b.shape}")


def _dense_forward(A_prev, W, b, activation) -> tuple:
    activation = _act(activation)
    Z = _linear(A_prev, W, b)
    return oracle.activation(activation, Z), Z


def _dense_backward(dA, A_prev, W, Z, activation) -> tuple:
    activation = _act(activation)
    dA, Z = _matrix(dA, "dA"), _matrix(Z, "Z")
    _same_shape(dA, Z, "dA and Z")
    return _linear_backward(dA * _slope(activation, Z), A_prev, W)


def _layers(params: Any, activations: Any) -> list[tuple[np.ndarray, np.ndarray, str]]:
    if not isinstance(params, dict) or not isinstance(activations, (list, tuple)):
        raise Unanswerable("TypeError", "params must be a dict and activations a list")
    out = []
    for l, name in enumerate(activations, start=1):
        if f"W{l}" not in params or f"b{l}" not in params:
            raise Unanswerable("KeyError", f"'W{l}'")
        out.append((_matrix(params[f"W{l}"], f"W{l}"), _matrix(params[f"b{l}"], f"b{l}"),
                    _act(name)))
    return out


def _forward_values(X, params, activations) -> tuple[list[np.ndarray], list[np.ndarray]]:
    A, Zs = [_matrix(X, "X")], []
    for W, b, name in _layers(params, activations):
        oracle.tick()
        Z = _linear(A[-1], W, b)
        Zs.append(Z)
        A.append(oracle.activation(name, Z))
    return A, Zs


def _gradients(X, Y, params, activations) -> tuple[float, dict[str, np.ndarray]]:
    A, Zs = _forward_values(X, params, activations)
    Y = _matrix(Y, "Y")
    _same_shape(A[-1], Y, "Y_hat and Y")
    layers = _layers(params, activations)
    grads: dict[str, np.ndarray] = {}
    dA = A[-1] - Y
    for l in range(len(layers), 0, -1):
        W, _, name = layers[l - 1]
        dA, grads[f"dW{l}"], grads[f"db{l}"] = _linear_backward(dA * _slope(name, Zs[l - 1]),
                                                               A[l - 1], W)
    return oracle.cost(A[-1], Y), dict(sorted(grads.items()))


def _forward(X, params, activations) -> tuple:
    A, Zs = _forward_values(X, params, activations)
    return A[-1], {"A": A, "Z": Zs}  # the cache the grader's own backward reads


OWN = object()  # the answer "run the student's own function"


def _backward(Y, params, cache, activations) -> Any:
    if not (isinstance(cache, dict) and isinstance(cache.get("A"), list) and cache["A"]):
        return OWN  # a cache of the student's own design: only their own backward reads it
    return _gradients(cache["A"][0], Y, params, activations)[1]


def _mse(Y_hat, Y) -> float:
    Y_hat, Y = _matrix(Y_hat, "Y_hat"), _matrix(Y, "Y")
    _same_shape(Y_hat, Y, "Y_hat and Y")
    return oracle.cost(Y_hat, Y)


def _mse_backward(Y_hat, Y) -> np.ndarray:
    Y_hat, Y = _matrix(Y_hat, "Y_hat"), _matrix(Y, "Y")
    _same_shape(Y_hat, Y, "Y_hat and Y")
    return Y_hat - Y


def _elementwise_backward(slope: Callable) -> Callable:
    def answer(dA, Z):
        dA, Z = _array(dA, "dA"), _array(Z, "Z")
        _same_shape(dA, Z, "dA and Z")
        return dA * slope(Z)

    return answer


ANSWERS: dict[str, Callable[..., Any]] = {
    "sigmoid": lambda Z: oracle.sigmoid(_array(Z, "Z")),
    "sigmoid_derivative": lambda Z: _sigmoid_slope(_array(Z, "Z")),
    "sigmoid_backward": _elementwise_backward(_sigmoid_slope),
    "relu": lambda Z: oracle.relu(_array(Z, "Z")),
    "relu_backward": _elementwise_backward(lambda Z: (Z > 0).astype(np.float64)),
    "mse_loss": _mse,
    "mse_loss_backward": _mse_backward,
    "linear_forward": _linear,
    "linear_backward": _linear_backward,
    "dense_forward": _dense_forward,
    "dense_backward": _dense_backward,
    "forward": _forward,
    "backward": _backward,
    "loss_and_gradients": lambda X, Y, params, activations: _gradients(X, Y, params, activations),
}


def layer_answers(X: Any, params: Any, activations: Any, *_: Any) -> dict[str, Callable]:
    """Answers for the forward call that makes backward's cache: a layer called with W[l]
    answers with layer l's correct values whatever else it was given, so a mistake of
    forward's own (a wrong activation passed, a wrong input) stays out of the cache that
    backward is judged on. Other calls are answered as usual."""
    try:
        A, Zs = _forward_values(X, params, activations)
        Ws = [params[f"W{l}"] for l in range(1, len(Zs) + 1)]
    except (Unanswerable, KeyError, TypeError, ValueError):
        return dict(ANSWERS)

    def layer(W: Any) -> int | None:
        W = np.asarray(W)
        return next((l for l, known in enumerate(Ws) if known.shape == W.shape
                     and np.array_equal(known, W)), None)

    def dense_forward(A_prev, W, b, activation):
        l = layer(W)
        return (A[l + 1], Zs[l]) if l is not None else _dense_forward(A_prev, W, b, activation)

    def linear_forward(A_prev, W, b):
        l = layer(W)
        return Zs[l] if l is not None else _linear(A_prev, W, b)

    return {**ANSWERS, "dense_forward": dense_forward, "linear_forward": linear_forward}


def contract_signature(function: str) -> inspect.Signature:
    namespace: dict[str, Any] = {}
    exec(f"def f{FUNCTIONS[MODULE_OF[function]][function]}: pass", namespace)  # the contract's
    return inspect.signature(namespace["f"])


def _trusted_init(layer_sizes: Any, seed: Any = 0) -> dict:
    try:
        sizes = [int(n) for n in layer_sizes]
        seed = int(seed)
    except (TypeError, ValueError):
        raise Unanswerable("TypeError", "layer_sizes must be a list of ints") from None
    if len(sizes) < 2 or any(n < 1 or n > 1000 for n in sizes) or len(sizes) > 20:
        raise Unanswerable("ValueError", f"layer_sizes {sizes} is not a network the checks use")
    return oracle.initial_params(sizes, seed)


# train's checks answer its init_params call with parameters made here ("trusted_init"), so
# the starting point train is judged from is the grader's, never one the student chose.
TRUSTED_INIT = {"init_params": _trusted_init}


def _own(*_: Any, **__: Any) -> object:
    return OWN


# "observed_shuffle": the same, and train's random_mini_batches calls pass through the grader,
# which answers "your own function" and so sees the seeds train shuffles with each epoch.
OBSERVED_SHUFFLE = {**TRUSTED_INIT, "random_mini_batches": _own}
SIGNATURES = {f: contract_signature(f) for f in (*ANSWERS, *OBSERVED_SHUFFLE)}
if tuple(ANSWERS) != ANSWERED:
    raise RuntimeError("every function the contract says the grader answers needs an answer here")
