"""Activations that talk a lot."""

import sys

import numpy as np

print("loading activations")


def sigmoid(Z: np.ndarray) -> np.ndarray:
    print("sigmoid: input shape", np.shape(Z))
    Z = np.asarray(Z, dtype=float)
    A = np.exp(-np.logaddexp(0.0, -Z))
    print("sigmoid: output", A)
    return A


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    s = sigmoid(Z)
    print("sigmoid_derivative:", s * (1 - s))
    return s * (1 - s)


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    print("sigmoid_backward dA =", dA, file=sys.stderr)
    return dA * sigmoid_derivative(Z)


def relu(Z: np.ndarray) -> np.ndarray:
    print("relu of", Z)
    return np.maximum(np.asarray(Z, dtype=float), 0.0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    print("relu_backward: mask", np.asarray(Z) > 0)
    return np.where(np.asarray(Z) > 0, dA, 0.0)
