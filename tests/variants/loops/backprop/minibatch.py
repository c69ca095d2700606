"""Mini-batches with a hand-written Fisher-Yates shuffle and column-by-column copies."""

import numpy as np


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    m = np.shape(X)[1]
    order = list(range(m))
    for i in range(m - 1, 0, -1):
        j = int(rng.integers(0, i + 1))
        order[i], order[j] = order[j], order[i]
    batches = []
    start = 0
    while start < m:
        stop = min(start + batch_size, m)
        Xb = np.zeros((np.shape(X)[0], stop - start))
        Yb = np.zeros((np.shape(Y)[0], stop - start))
        for c in range(start, stop):
            for r in range(np.shape(X)[0]):
                Xb[r, c - start] = X[r, order[c]]
            for r in range(np.shape(Y)[0]):
                Yb[r, c - start] = Y[r, order[c]]
        batches.append((Xb, Yb))
        start = stop
    return batches
