"""Network with Glorot-uniform weights."""

import numpy as np

from backprop.layers import dense_backward, dense_forward
from backprop.losses import mse_loss, mse_loss_backward


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[l - 1], layer_sizes[l]
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{l}"] = rng.uniform(-limit, limit, size=(fan_out, fan_in))
        params[f"b{l}"] = np.zeros((fan_out, 1))
    return params


def forward(
    X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[np.ndarray, list[dict[str, np.ndarray]]]:
    cache = []
    A = X
    for l, name in enumerate(activations, start=1):
        A_next, Z = dense_forward(A, params[f"W{l}"], params[f"b{l}"], name)
        cache.append({"A_prev": A, "Z": Z})
        A = A_next
    return A, cache


def backward(
    Y: np.ndarray, params: dict[str, np.ndarray], cache: list[dict[str, np.ndarray]],
    activations: list[str],
) -> dict[str, np.ndarray]:
    L = len(activations)
    Y_hat, _ = dense_forward(cache[-1]["A_prev"], params[f"W{L}"], params[f"b{L}"],
                             activations[-1])
    dA = mse_loss_backward(Y_hat, Y)
    grads = {}
    for l in range(L, 0, -1):
        entry = cache[l - 1]
        dA, grads[f"dW{l}"], grads[f"db{l}"] = dense_backward(
            dA, entry["A_prev"], params[f"W{l}"], entry["Z"], activations[l - 1]
        )
    return grads


def loss_and_gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[float, dict[str, np.ndarray]]:
    Y_hat, cache = forward(X, params, activations)
    grads = backward(Y, params, cache, activations)
    return mse_loss(Y_hat, Y), grads
