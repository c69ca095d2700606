"""float32 network."""

import numpy as np

from backprop.layers import dense_backward, dense_forward
from backprop.losses import mse_loss, mse_loss_backward

F = np.float32


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for l, (n_prev, n) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:], strict=True), 1):
        params[f"W{l}"] = (rng.standard_normal((n, n_prev), dtype=F) / F(np.sqrt(n_prev)))
        params[f"b{l}"] = np.zeros((n, 1), dtype=F)
    return params


def forward(
    X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[np.ndarray, dict[str, list[np.ndarray]]]:
    A = np.asarray(X, dtype=F)
    cache: dict[str, list[np.ndarray]] = {"A": [A], "Z": []}
    for l, act in enumerate(activations, 1):
        A, Z = dense_forward(A, params[f"W{l}"], params[f"b{l}"], act)
        cache["A"].append(A)
        cache["Z"].append(Z)
    return A, cache


def backward(
    Y: np.ndarray, params: dict[str, np.ndarray], cache: dict[str, list[np.ndarray]],
    activations: list[str],
) -> dict[str, np.ndarray]:
    grads: dict[str, np.ndarray] = {}
    dA = mse_loss_backward(cache["A"][-1], Y)
    for l in reversed(range(1, len(activations) + 1)):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = dense_backward(
            dA, cache["A"][l - 1], params[f"W{l}"], cache["Z"][l - 1], activations[l - 1]
        )
    return grads


def loss_and_gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[float, dict[str, np.ndarray]]:
    Y_hat, cache = forward(X, params, activations)
    return mse_loss(Y_hat, Y), backward(Y, params, cache, activations)
