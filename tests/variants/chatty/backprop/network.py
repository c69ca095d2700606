"""Network, with debugging output."""

import numpy as np

from . import layers, losses


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    print("init_params", layer_sizes, "seed", seed)
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        params["W" + str(l)] = rng.standard_normal((layer_sizes[l], layer_sizes[l - 1])) * 0.01
        params["b" + str(l)] = np.zeros((layer_sizes[l], 1))
        print("  layer", l, params["W" + str(l)])
    return params


def forward(X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]):
    print("forward through", len(activations), "layers")
    caches = []
    A = X
    for l, name in enumerate(activations, 1):
        A_prev = A
        A, Z = layers.dense_forward(A_prev, params["W" + str(l)], params["b" + str(l)], name)
        caches.append({"A_prev": A_prev, "Z": Z, "A": A})
    return A, caches


def backward(Y: np.ndarray, params: dict[str, np.ndarray], cache, activations: list[str]):
    print("backward")
    grads = {}
    dA = losses.mse_loss_backward(cache[-1]["A"], Y)
    for l in reversed(range(1, len(cache) + 1)):
        c = cache[l - 1]
        dA, dW, db = layers.dense_backward(dA, c["A_prev"], params["W" + str(l)], c["Z"],
                                           activations[l - 1])
        grads["dW" + str(l)], grads["db" + str(l)] = dW, db
        print("  grads of layer", l, dW, db)
    return grads


def loss_and_gradients(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray],
                       activations: list[str]):
    Y_hat, cache = forward(X, params, activations)
    J = losses.mse_loss(Y_hat, Y)
    print("J =", J)
    return J, backward(Y, params, cache, activations)
