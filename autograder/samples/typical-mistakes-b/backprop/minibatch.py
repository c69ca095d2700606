"""Mini-batches via a shuffled index array."""

import numpy as np


def random_mini_batches(X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    m = X.shape[1]
    X = X[:, rng.permutation(m)]
    Y = Y[:, rng.permutation(m)]
    out = []
    for start in range(0, m, batch_size):
        out.append((X[:, start:start + batch_size], Y[:, start:start + batch_size]))
    return out
