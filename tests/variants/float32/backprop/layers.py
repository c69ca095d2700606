"""float32 dense layers."""

import numpy as np

from backprop.activations import relu, relu_backward, sigmoid, sigmoid_backward

F = np.float32


def linear_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(W, dtype=F) @ np.asarray(A_prev, dtype=F) + np.asarray(b, dtype=F)


def linear_backward(
    dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dZ, A_prev, W = (np.asarray(a, dtype=F) for a in (dZ, A_prev, W))
    m = F(A_prev.shape[1])
    return W.T @ dZ, (dZ @ A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True, dtype=F) / m


def dense_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray]:
    g = {"sigmoid": sigmoid, "relu": relu, "linear": lambda z: z.copy()}.get(activation)
    if g is None:
        raise ValueError(f"activation must be sigmoid, relu or linear, not {activation!r}")
    Z = linear_forward(A_prev, W, b)
    return g(Z), Z


def dense_backward(
    dA: np.ndarray, A_prev: np.ndarray, W: np.ndarray, Z: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    elif activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "linear":
        dZ = np.asarray(dA, dtype=F)
    else:
        raise ValueError(f"activation must be sigmoid, relu or linear, not {activation!r}")
    return linear_backward(dZ, A_prev, W)
