"""Network whose cache is only [A0, A1, ..., AL]; backward recomputes the Z's."""

import numpy as np

from backprop.layers import dense_backward, dense_forward, linear_forward
from backprop.losses import mse_loss, mse_loss_backward


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    state = np.random.RandomState(seed)
    params: dict[str, np.ndarray] = {}
    for l in range(1, len(layer_sizes)):
        params[f"W{l}"] = 0.5 * state.randn(layer_sizes[l], layer_sizes[l - 1])
        params[f"b{l}"] = np.zeros((layer_sizes[l], 1))
    return params


def forward(
    X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[np.ndarray, list[np.ndarray]]:
    As = [X]
    for l, activation in enumerate(activations, 1):
        As.append(dense_forward(As[-1], params[f"W{l}"], params[f"b{l}"], activation)[0])
    return As[-1], As


def backward(
    Y: np.ndarray, params: dict[str, np.ndarray], cache: list[np.ndarray], activations: list[str]
) -> dict[str, np.ndarray]:
    grads: dict[str, np.ndarray] = {}
    delta = mse_loss_backward(cache[-1], Y)
    for l in range(len(activations), 0, -1):
        Z = linear_forward(cache[l - 1], params[f"W{l}"], params[f"b{l}"])
        delta, grads[f"dW{l}"], grads[f"db{l}"] = dense_backward(
            delta, cache[l - 1], params[f"W{l}"], Z, activations[l - 1]
        )
    return grads


def loss_and_gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[float, dict[str, np.ndarray]]:
    Y_hat, As = forward(X, params, activations)
    return mse_loss(Y_hat, Y), backward(Y, params, As, activations)
