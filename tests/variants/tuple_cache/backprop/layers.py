"""Dense layers; dense_forward computes its sigmoid inline."""

import numpy as np

from .activations import relu, relu_backward, sigmoid_backward


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.dot(W, A_prev) + b


def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = dZ.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) * (1.0 / m), dZ.sum(axis=1).reshape(-1, 1) / m


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    Z = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        e = np.exp(-np.abs(Z))
        A = np.where(Z >= 0, 1.0, e) / (1.0 + e)
    elif activation == "relu":
        A = relu(Z)
    elif activation == "linear":
        A = Z + 0.0
    else:
        raise ValueError("activation must be 'sigmoid', 'relu' or 'linear'")
    return A, Z


def dense_backward(
    dA: np.ndarray, A_prev: np.ndarray, W: np.ndarray, Z: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if activation == "linear":
        dZ = dA
    elif activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    else:
        raise ValueError("activation must be 'sigmoid', 'relu' or 'linear'")
    return linear_backward(dZ, A_prev, W)
