"""MSE with a Frobenius norm."""

import numpy as np


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    R = np.asarray(Y, dtype=np.float64) - np.asarray(Y_hat, dtype=np.float64)
    return 0.5 * np.linalg.norm(R) ** 2 / R.shape[1]


def mse_loss_backward(Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return -(np.asarray(Y, dtype=np.float64) - Y_hat)
