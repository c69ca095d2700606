"""float32 activations."""

import numpy as np

F = np.float32


def sigmoid(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=F)
    E = np.exp(-np.abs(Z))  # in (0, 1]: no overflow in float32 either
    pos = F(1) / (F(1) + E)
    return np.where(Z >= 0, pos, E * pos).astype(F)


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    S = sigmoid(Z)
    return (S * (F(1) - S)).astype(F)


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return (np.asarray(dA, dtype=F) * sigmoid_derivative(Z)).astype(F)


def relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(Z, dtype=F), F(0))


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(Z) > 0, np.asarray(dA, dtype=F), F(0)).astype(F)
