"""Mini-batches (float32 copies of the shuffled columns)."""

import numpy as np

F = np.float32


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    perm = np.random.default_rng(seed).permutation(X.shape[1])
    Xs, Ys = np.asarray(X, dtype=F)[:, perm], np.asarray(Y, dtype=F)[:, perm]
    splits = list(range(batch_size, X.shape[1], batch_size))
    return list(zip(np.split(Xs, splits, axis=1), np.split(Ys, splits, axis=1), strict=True))
