"""Dense layers with hand-written matrix products."""

import numpy as np

from backprop.activations import relu, relu_backward, sigmoid, sigmoid_backward


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    n, n_prev = np.shape(W)
    m = np.shape(A_prev)[1]
    Z = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            acc = float(b[i, 0])
            for k in range(n_prev):
                acc += float(W[i, k]) * float(A_prev[k, j])
            Z[i, j] = acc
    return Z


def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, n_prev = np.shape(W)
    m = np.shape(A_prev)[1]
    dA_prev = np.zeros((n_prev, m))
    dW = np.zeros((n, n_prev))
    db = np.zeros((n, 1))
    for j in range(m):
        for i in range(n):
            g = float(dZ[i, j])
            db[i, 0] += g / m
            for k in range(n_prev):
                dW[i, k] += g * float(A_prev[k, j]) / m
                dA_prev[k, j] += float(W[i, k]) * g
    return dA_prev, dW, db


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    if activation not in ("sigmoid", "relu", "linear"):
        raise ValueError(f"unknown activation: {activation}")
    Z = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        return sigmoid(Z), Z
    if activation == "relu":
        return relu(Z), Z
    A = np.zeros(Z.shape)
    for idx in np.ndindex(*Z.shape):
        A[idx] = Z[idx]
    return A, Z


def dense_backward(
    dA: np.ndarray, A_prev: np.ndarray, W: np.ndarray, Z: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    elif activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "linear":
        dZ = np.zeros(np.shape(dA))
        for idx in np.ndindex(*dZ.shape):
            dZ[idx] = dA[idx]
    else:
        raise ValueError(f"unknown activation: {activation}")
    return linear_backward(dZ, A_prev, W)
