"""Mini-batches with the legacy RandomState generator."""

import numpy as np


def split_batches(X: np.ndarray, Y: np.ndarray, batch_size: int, perm: np.ndarray) -> list:
    m = X.shape[1]
    return [(X[:, perm[k:k + batch_size]], Y[:, perm[k:k + batch_size]])
            for k in range(0, m, batch_size)]


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    return split_batches(X, Y, batch_size, np.random.RandomState(seed).permutation(X.shape[1]))
