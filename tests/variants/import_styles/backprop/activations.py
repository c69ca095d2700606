"""Activation functions and their derivatives (each derivative sits next to its forward)."""

import numpy as np


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Element-wise logistic sigmoid, sigma(z) = 1 / (1 + exp(-z)).

    Inputs:
    - Z: array of any shape, e.g. (n_l, m).

    Returns:
    - A: array of the same shape as Z, values in [0, 1]. Must be finite and raise no
      overflow warning for |Z| up to 1e3.
    """
    Z = np.asarray(Z, dtype=float)
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid with respect to its input: sigma'(z) = sigma(z) (1 - sigma(z)).

    Inputs:
    - Z: array of any shape (pre-activations, NOT sigma(Z)).

    Returns:
    - dA_dZ: array of the same shape as Z.
    """
    S = sigmoid(Z)
    return S * (1.0 - S)


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Backward pass through a sigmoid: dZ = dA * sigma'(Z), element-wise.

    Inputs:
    - dA: upstream derivative dL/dA, shape (n_l, m).
    - Z: pre-activations of the same layer, shape (n_l, m).

    Returns:
    - dZ: dL/dZ, shape (n_l, m).
    """
    return dA * sigmoid_derivative(Z)


def relu(Z: np.ndarray) -> np.ndarray:
    """Element-wise rectified linear unit, relu(z) = max(0, z).

    Inputs:
    - Z: array of any shape.

    Returns:
    - A: array of the same shape as Z.
    """
    return np.maximum(0.0, np.asarray(Z, dtype=float))


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Backward pass through a ReLU: dZ = dA * 1[Z > 0].

    Inputs:
    - dA: upstream derivative dL/dA, shape (n_l, m).
    - Z: pre-activations of the same layer, shape (n_l, m).

    Returns:
    - dZ: dL/dZ, shape (n_l, m); zero where Z <= 0.
    """
    return np.where(Z > 0, dA, 0.0).astype(float)
