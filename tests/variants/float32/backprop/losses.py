"""float32 MSE."""

import numpy as np

F = np.float32


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    D = np.asarray(Y, dtype=F) - np.asarray(Y_hat, dtype=F)
    m = D.shape[1]
    return np.float32(F(0.5) * np.sum(D * D, dtype=F) / F(m))


def mse_loss_backward(Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.asarray(Y_hat, dtype=F) - np.asarray(Y, dtype=F)
