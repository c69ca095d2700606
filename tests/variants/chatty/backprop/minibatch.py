"""Mini-batches, with debugging output."""

import numpy as np


def random_mini_batches(X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0):
    m = X.shape[1]
    perm = np.random.default_rng(seed).permutation(m)
    print("permutation:", perm)
    batches = []
    for first in range(0, m, batch_size):
        cols = perm[first:first + batch_size]
        batches.append((X[:, cols], Y[:, cols]))
    print(len(batches), "batches of sizes", [b[0].shape[1] for b in batches])
    return batches
