"""MSE with explicit loops over outputs and examples."""

import numpy as np


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    n, m = np.shape(Y)
    total = 0.0
    for i in range(m):
        example = 0.0
        for k in range(n):
            diff = float(Y[k, i]) - float(Y_hat[k, i])
            example += 0.5 * diff * diff
        total += example
    return total / m


def mse_loss_backward(Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    n, m = np.shape(Y)
    out = np.zeros((n, m))
    for k in range(n):
        for i in range(m):
            out[k, i] = float(Y_hat[k, i]) - float(Y[k, i])
    return out
