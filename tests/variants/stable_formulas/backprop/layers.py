"""Dense layers with einsum products."""

import numpy as np

from backprop import activations as act

FORWARD = {"sigmoid": act.sigmoid, "relu": act.relu, "linear": lambda Z: np.array(Z)}


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.einsum("ij,jm->im", W, A_prev) + b


def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = A_prev.shape[1]
    dA_prev = np.einsum("ij,im->jm", W, dZ)
    dW = np.einsum("im,jm->ij", dZ, A_prev) / m
    db = dZ.mean(axis=1, keepdims=True)
    return dA_prev, dW, db


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    try:
        g = FORWARD[activation]
    except KeyError:
        raise ValueError(f"unsupported activation {activation!r}") from None
    Z = linear_forward(A_prev, W, b)
    return g(Z), Z


def dense_backward(
    dA: np.ndarray, A_prev: np.ndarray, W: np.ndarray, Z: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    backward = {
        "sigmoid": act.sigmoid_backward,
        "relu": act.relu_backward,
        "linear": lambda d, _z: np.array(d, dtype=float),
    }
    if activation not in backward:
        raise ValueError(f"unsupported activation {activation!r}")
    return linear_backward(backward[activation](dA, Z), A_prev, W)
