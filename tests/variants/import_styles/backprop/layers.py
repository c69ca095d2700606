"""A dense (fully connected) layer: linear part, then an activation. Columns are examples."""

import numpy as np

from backprop.activations import *  # noqa: F403 - the star import learners write

# name -> (forward, backward) of the activation; "linear" is handled apart
ACTIVATION_FUNCTIONS = {"sigmoid": (sigmoid, sigmoid_backward), "relu": (relu, relu_backward)}  # noqa: F405
ACTIVATIONS = ("sigmoid", "relu", "linear")


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Linear part of a layer: Z = W A_prev + b (b is broadcast over the m columns).

    Inputs:
    - A_prev: activations of the previous layer, shape (n_prev, m).
    - W: weights, shape (n, n_prev).
    - b: biases, shape (n, 1).

    Returns:
    - Z: pre-activations, shape (n, m).
    """
    return W @ A_prev + b


def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of Z = W A_prev + b over a mini-batch of m examples.

    Inputs:
    - dZ: per-example derivatives dL_i/dZ (column i), shape (n, m).
    - A_prev: activations of the previous layer, shape (n_prev, m).
    - W: weights, shape (n, n_prev).

    Returns a tuple of:
    - dA_prev: per-example derivatives W^T dZ, shape (n_prev, m) (not divided by m).
    - dW: mini-batch average (1/m) dZ A_prev^T, shape (n, n_prev), the shape of W.
    - db: mini-batch average (1/m) sum_i dZ[:, i], shape (n, 1), the shape of b.
    """
    m = A_prev.shape[1]
    dA_prev = W.T @ dZ
    dW = (dZ @ A_prev.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    return dA_prev, dW, db


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of a dense layer: Z = W A_prev + b, A = g(Z).

    Inputs:
    - A_prev: shape (n_prev, m).
    - W: shape (n, n_prev).
    - b: shape (n, 1).
    - activation: "sigmoid", "relu" or "linear" (g(z) = z); anything else raises ValueError.

    Returns a tuple of:
    - A: activations, shape (n, m).
    - Z: pre-activations, shape (n, m) (kept for the backward pass).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; expected one of {ACTIVATIONS}")
    Z = linear_forward(A_prev, W, b)
    if activation in ACTIVATION_FUNCTIONS:
        A = ACTIVATION_FUNCTIONS[activation][0](Z)
    else:
        A = Z.copy()
    return A, Z


def dense_backward(
    dA: np.ndarray, A_prev: np.ndarray, W: np.ndarray, Z: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a dense layer: dZ = dA * g'(Z), then linear_backward.

    Inputs:
    - dA: per-example derivatives dL_i/dA (column i), shape (n, m).
    - A_prev: shape (n_prev, m).
    - W: shape (n, n_prev).
    - Z: this layer's pre-activations, shape (n, m).
    - activation: "sigmoid", "relu" or "linear"; anything else raises ValueError.

    Returns a tuple of:
    - dA_prev: shape (n_prev, m), per example.
    - dW: shape (n, n_prev), mini-batch average.
    - db: shape (n, 1), mini-batch average.
    """
    if activation in ACTIVATION_FUNCTIONS:
        dZ = ACTIVATION_FUNCTIONS[activation][1](dA, Z)
    elif activation == "linear":
        dZ = np.array(dA, dtype=float)
    else:
        raise ValueError(f"unknown activation {activation!r}; expected one of {ACTIVATIONS}")
    return linear_backward(dZ, A_prev, W)
