"""Mini-batches: one shuffle of the columns, then consecutive slices."""

import numpy as np


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the m examples (columns) once and cut them into consecutive mini-batches.

    Inputs:
    - X: inputs, shape (n_x, m). Y: targets, shape (n_y, m).
    - batch_size: examples per batch; batch_size > m gives a single batch.
    - seed: the same seed gives the same batches.

    Returns:
    - batches: list of (X_batch, Y_batch) with shapes (n_x, k) and (n_y, k). X and Y are
      shuffled with the SAME permutation; every batch but the last has k = batch_size, the
      last holds the remainder; no batch is empty and every example appears exactly once.
    """
    m = X.shape[1]
    perm = np.random.default_rng(seed).permutation(m)
    X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]
    return [
        (X_shuffled[:, k : k + batch_size], Y_shuffled[:, k : k + batch_size])
        for k in range(0, m, batch_size)
    ]
