"""Activations through tanh and logaddexp (both stable for any |z|)."""

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(Z, dtype=float)))


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    # sigma(z) (1 - sigma(z)) = exp(-(log(1 + e^-z) + log(1 + e^z)))
    Z = np.asarray(Z, dtype=float)
    return np.exp(-(np.logaddexp(0.0, -Z) + np.logaddexp(0.0, Z)))


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.multiply(dA, sigmoid_derivative(Z))


def relu(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    return np.where(Z > 0, Z, 0.0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.asarray(dA, dtype=float) * (np.asarray(Z) > 0)
