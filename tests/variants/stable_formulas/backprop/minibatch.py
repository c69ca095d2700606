"""Mini-batches: the permutation is the argsort of uniform random keys."""

import numpy as np


def random_mini_batches(
    X: np.ndarray, Y: np.ndarray, batch_size: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    m = X.shape[1]
    order = np.argsort(np.random.default_rng(seed).random(m), kind="stable")
    n_batches = -(-m // batch_size)
    return [
        (np.take(X, order[i * batch_size:(i + 1) * batch_size], axis=1),
         np.take(Y, order[i * batch_size:(i + 1) * batch_size], axis=1))
        for i in range(n_batches)
    ]
