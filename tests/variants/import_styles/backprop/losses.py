"""Mean squared error, J = (1/m) sum_i 1/2 sum_k (y_k - y_hat_k)^2, and its derivative."""

import numpy as np


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """Cost J over a batch: the average over examples of 1/2 sum_k (y_k - y_hat_k)^2.

    Inputs:
    - Y_hat: predictions, shape (n_L, m).
    - Y: targets, shape (n_L, m).

    Returns:
    - J: a float (the 1/2 is inside the sum; the average is over the m columns only).
    """
    m = Y.shape[1]
    return float(0.5 * np.sum((Y - Y_hat) ** 2) / m)


def mse_loss_backward(Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Per-example derivative of the loss with respect to the predictions: dL_i/dY_hat = Y_hat - Y.

    Inputs:
    - Y_hat: predictions, shape (n_L, m).
    - Y: targets, shape (n_L, m).

    Returns:
    - dY_hat: shape (n_L, m). Not divided by m: the 1/m is applied in linear_backward.
    """
    return (np.asarray(Y_hat, dtype=float) - Y).astype(float)
