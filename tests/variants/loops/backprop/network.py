"""Network with loops over layers and over every weight."""

import math

import numpy as np

from backprop.layers import dense_backward, dense_forward
from backprop.losses import mse_loss, mse_loss_backward


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    params: dict[str, np.ndarray] = {}
    for l in range(1, len(layer_sizes)):
        n, n_prev = layer_sizes[l], layer_sizes[l - 1]
        W = np.zeros((n, n_prev))
        for i in range(n):
            for k in range(n_prev):
                W[i, k] = rng.normal() * math.sqrt(1.0 / n_prev)
        params["W" + str(l)] = W
        params["b" + str(l)] = np.zeros((n, 1))
    return params


def forward(
    X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    cache: dict[str, np.ndarray] = {"A0": X}
    A = X
    for l in range(1, len(activations) + 1):
        A, Z = dense_forward(A, params["W" + str(l)], params["b" + str(l)], activations[l - 1])
        cache["A" + str(l)] = A
        cache["Z" + str(l)] = Z
    return A, cache


def backward(
    Y: np.ndarray, params: dict[str, np.ndarray], cache: dict[str, np.ndarray],
    activations: list[str],
) -> dict[str, np.ndarray]:
    L = len(activations)
    grads: dict[str, np.ndarray] = {}
    dA = mse_loss_backward(cache["A" + str(L)], Y)
    l = L
    while l >= 1:
        dA, dW, db = dense_backward(
            dA, cache["A" + str(l - 1)], params["W" + str(l)], cache["Z" + str(l)],
            activations[l - 1],
        )
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
        l -= 1
    return grads


def loss_and_gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[float, dict[str, np.ndarray]]:
    Y_hat, cache = forward(X, params, activations)
    J = mse_loss(Y_hat, Y)
    return J, backward(Y, params, cache, activations)
