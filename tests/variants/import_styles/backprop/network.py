"""A multi-layer network: parameters, forward pass, backward pass, cost and gradients."""

import numpy as np

import backprop.layers as L

from . import losses


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    """Small random weights and zero biases for a network of the given layer sizes.

    Inputs:
    - layer_sizes: [n_x, n_1, ..., n_L] (input size first, output size last).
    - seed: the same seed always gives the same parameters; different seeds differ.

    Returns:
    - params: dict with "W1", "b1", ..., "WL", "bL"; W[l] has shape (n_l, n_{l-1}) (small
      random values, e.g. a scaled normal), b[l] has shape (n_l, 1) (zeros).
    """
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(layer_sizes)):
        n_prev, n = layer_sizes[l - 1], layer_sizes[l]
        params[f"W{l}"] = rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def forward(
    X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[np.ndarray, object]:
    """Forward pass through all L layers.

    Inputs:
    - X: inputs, shape (n_x, m).
    - params: "W1", "b1", ..., "WL", "bL" as made by init_params.
    - activations: one name per layer ("sigmoid", "relu" or "linear"), length L.

    Returns a tuple of:
    - Y_hat: the output A[L], shape (n_L, m).
    - cache: whatever backward needs (your own design), e.g. every A[l] and Z[l].
    """
    A = X
    cache = {"A": [X], "Z": []}
    for l, activation in enumerate(activations, start=1):
        A, Z = L.dense_forward(A, params[f"W{l}"], params[f"b{l}"], activation)
        cache["A"].append(A)
        cache["Z"].append(Z)
    return A, cache


def backward(
    Y: np.ndarray, params: dict[str, np.ndarray], cache: object, activations: list[str]
) -> dict[str, np.ndarray]:
    """Backward pass of the MSE cost through all L layers (backpropagation).

    Inputs:
    - Y: targets, shape (n_L, m).
    - params: the parameters forward was called with.
    - cache: the cache returned by forward.
    - activations: the list forward was called with.

    Returns:
    - grads: dict with "dW1", "db1", ..., "dWL", "dbL", each the mini-batch average
      dJ/dW[l] or dJ/db[l], of the shape of the parameter.
    """
    grads = {}
    dA = losses.mse_loss_backward(cache["A"][-1], Y)
    for l in range(len(activations), 0, -1):
        dA, dW, db = L.dense_backward(
            dA, cache["A"][l - 1], params[f"W{l}"], cache["Z"][l - 1], activations[l - 1]
        )
        grads[f"dW{l}"] = dW
        grads[f"db{l}"] = db
    return grads


def loss_and_gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[float, dict[str, np.ndarray]]:
    """Cost J (MSE) and its gradients for one batch.

    Inputs:
    - X: shape (n_x, m). Y: shape (n_L, m).
    - params, activations: as for forward.

    Returns a tuple of:
    - J: float, the MSE cost of the batch.
    - grads: as returned by backward.
    """
    Y_hat, cache = forward(X, params, activations)
    return losses.mse_loss(Y_hat, Y), backward(Y, params, cache, activations)
