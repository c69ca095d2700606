"""MSE."""

import numpy as np


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    residual = np.asarray(Y_hat, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
    return float(np.mean(residual**2) / 2.0)


def mse_loss_backward(Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.asarray(Y_hat, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
