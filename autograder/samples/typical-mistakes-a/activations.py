"""activations.py -- Assignment 4, Backpropagation & Optimization."""

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    out = np.zeros_like(Z)
    np.divide(1.0, 1.0 + np.exp(-Z, where=Z >= 0, out=np.ones_like(Z)), out=out, where=Z >= 0)
    ez = np.exp(Z, where=Z < 0, out=np.zeros_like(Z))
    np.divide(ez, 1.0 + ez, out=out, where=Z < 0)
    return out


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    return Z * (1 - Z)


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return sigmoid_derivative(Z) * dA


def relu(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    return Z * (Z > 0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(Z) > 0, np.asarray(dA, dtype=float), 0.0)
