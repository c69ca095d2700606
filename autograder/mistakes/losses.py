"""Known mistakes in losses.py (the MSE and its gradient)."""

from __future__ import annotations

from autograder.mistakes.mutant import Mutant as M

LOSSES: list[M] = [
    M("mse_without_half", "losses",
      "float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
      "float(np.sum((Y - Y_hat) ** 2) / m)",
      "mse_loss",
      "drops the 1/2 of L_i = 1/2 sum_k (y_k - y_hat_k)^2: J twice too large"),
    M("mse_mean_over_all_elements", "losses",
      "float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
      "float(0.5 * np.mean((Y - Y_hat) ** 2))",
      "mse_loss",
      "np.mean averages over n_L * m entries: J is n_L times too small when n_L > 1"),
    M("mse_sum_not_averaged", "losses",
      "float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
      "float(0.5 * np.sum((Y - Y_hat) ** 2))",
      "mse_loss",
      "sums over the batch without the 1/m: J is m times too large"),
    M("mse_backward_sign_flipped", "losses",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float)",
      "(Y - np.asarray(Y_hat, dtype=float)).astype(float)",
      "mse_loss_backward",
      "Y - Y_hat: the derivative of (y - y_hat)^2 w.r.t. y_hat has the opposite sign"),
    M("mse_backward_divided_by_m", "losses",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float)",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float) / Y.shape[1]",
      "mse_loss_backward",
      "divides by m: dY_hat must be per example (the 1/m belongs to dW and db)"),
    M("mse_backward_factor_two", "losses",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float)",
      "(2.0 * (np.asarray(Y_hat, dtype=float) - Y)).astype(float)",
      "mse_loss_backward",
      "2(Y_hat - Y): differentiates (y - y_hat)^2 without the contract's 1/2"),
]
