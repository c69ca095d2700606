"""Layers, with debugging output."""

import sys

import numpy as np

from . import activations


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    print("linear_forward", W.shape, A_prev.shape, b.shape)
    return W.dot(A_prev) + b


def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = A_prev.shape[1]
    print("linear_backward with m =", m)
    sys.stderr.write("linear_backward: stderr works too\n")
    return W.T.dot(dZ), dZ.dot(A_prev.T) / m, np.mean(dZ, axis=1, keepdims=True)


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    print("dense_forward", activation)
    Z = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        return activations.sigmoid(Z), Z
    if activation == "relu":
        return activations.relu(Z), Z
    if activation == "linear":
        return np.copy(Z), Z
    print("bad activation!", activation)
    raise ValueError(f"bad activation {activation}")


def dense_backward(
    dA: np.ndarray, A_prev: np.ndarray, W: np.ndarray, Z: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    print("dense_backward", activation, dA.shape)
    if activation == "sigmoid":
        dZ = activations.sigmoid_backward(dA, Z)
    elif activation == "relu":
        dZ = activations.relu_backward(dA, Z)
    elif activation == "linear":
        dZ = dA
    else:
        raise ValueError(f"bad activation {activation}")
    return linear_backward(dZ, A_prev, W)
