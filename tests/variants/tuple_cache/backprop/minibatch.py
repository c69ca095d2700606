"""Mini-batches via a shuffled index array."""

import numpy as np


def random_mini_batches(X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0):
    idx = np.arange(X.shape[1])
    np.random.default_rng(seed).shuffle(idx)
    out = []
    for start in range(0, len(idx), batch_size):
        cols = idx[start:start + batch_size]
        out.append((X[:, cols], Y[:, cols]))
    return out
