"""Activations (the sigmoid's stable form written with np.exp of a clipped exponent)."""

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
    Z = np.array(Z, dtype=np.float64)
    # exp(-|z|) <= 1 never overflows; rearrange for the negative half
    t = np.exp(-np.abs(Z))
    out = np.empty_like(Z)
    pos = Z >= 0
    out[pos] = 1.0 / (1.0 + t[pos])
    out[~pos] = t[~pos] / (1.0 + t[~pos])
    return out


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    s = sigmoid(Z)
    return s - s * s


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    s = sigmoid(Z)
    return dA * s * (1.0 - s)


def relu(Z: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(Z, dtype=np.float64), 0.0, None)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    out = np.array(dA, dtype=np.float64)
    out[np.asarray(Z) <= 0] = 0.0
    return out
