"""ATTACK huge_returns: make the trusted side do unbounded work.

What it tries: init_params, forward and loss_and_gradients return arrays of millions of entries
(just under the channel's message limit), so that a grader feeding them to its finite
differences or its training oracle (which follows train from the student's own init_params)
would compute for hours and stop the whole class's grading.

What the grader must guarantee: sizes are checked against what the check asked for before any
oracle touches a returned value, and the grader's own work has a deadline: the batch finishes
within its budget, these functions fail, and nothing else of this or any other submission is
affected. The honest twin is correct.
"""

import numpy as np

from .layers import dense_backward, dense_forward
from .losses import mse_loss, mse_loss_backward

ATTACK = True  # the honest twin sets this to False


def _huge(layer_sizes=(2, 3, 1)):
    return {f"{p}{l}": np.ones((1400, 1400)) for l in range(1, len(layer_sizes)) for p in "Wb"}


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    if ATTACK:
        return _huge(layer_sizes)
    gen = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(layer_sizes, layer_sizes[1:]), start=1):
        params["W" + str(l)] = gen.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        params["b" + str(l)] = np.zeros((fan_out, 1))
    return params


def forward(X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]):
    if ATTACK:
        return np.ones((2000, 2000)), None
    A = X
    cache = []
    for l, g in enumerate(activations, start=1):
        W, b = params["W" + str(l)], params["b" + str(l)]
        A_next, Z = dense_forward(A, W, b, g)
        cache.append((A, W, b, Z, g))
        A = A_next
    return A, (cache, A)


def backward(Y: np.ndarray, params: dict[str, np.ndarray], cache, activations: list[str]):
    layers, Y_hat = cache
    dA = mse_loss_backward(Y_hat, Y)
    grads = {}
    for l in range(len(layers), 0, -1):
        A_prev, _, _, Z, _ = layers[l - 1]
        dA, dW, db = dense_backward(dA, A_prev, params["W" + str(l)], Z, activations[l - 1])
        grads["dW" + str(l)] = dW
        grads["db" + str(l)] = db
    return grads


def loss_and_gradients(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray],
                       activations: list[str]):
    if ATTACK:
        return 0.0, {"d" + k: np.ones((1400, 1400)) for k in params}
    Y_hat, cache = forward(X, params, activations)
    return mse_loss(Y_hat, Y), backward(Y, params, cache, activations)
