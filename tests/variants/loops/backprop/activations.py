"""Activations with explicit loops over every element."""

import math

import numpy as np


def _sigma(z: float) -> float:
    # two branches so that exp() only ever sees a non-positive argument
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def sigmoid(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    out = np.zeros(Z.shape)
    for idx in np.ndindex(*Z.shape):
        out[idx] = _sigma(float(Z[idx]))
    return out


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    out = np.zeros(Z.shape)
    for idx in np.ndindex(*Z.shape):
        s = _sigma(float(Z[idx]))
        out[idx] = s * (1.0 - s)
    return out


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    out = np.zeros(np.shape(Z))
    for idx in np.ndindex(*out.shape):
        s = _sigma(float(Z[idx]))
        out[idx] = float(dA[idx]) * s * (1.0 - s)
    return out


def relu(Z: np.ndarray) -> np.ndarray:
    out = np.zeros(np.shape(Z))
    for idx in np.ndindex(*out.shape):
        z = float(Z[idx])
        out[idx] = z if z > 0.0 else 0.0
    return out


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    out = np.zeros(np.shape(Z))
    for idx in np.ndindex(*out.shape):
        if Z[idx] > 0:
            out[idx] = float(dA[idx])
    return out
