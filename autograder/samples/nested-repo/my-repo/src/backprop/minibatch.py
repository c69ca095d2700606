"""Mini-batches from np.array_split of a permutation."""

import numpy as np


def cut(X, Y, order, batch_size):
    m = len(order)
    pieces = np.array_split(order, np.arange(batch_size, m, batch_size))
    return [(X[:, p], Y[:, p]) for p in pieces if len(p)]


def random_mini_batches(X, Y, batch_size, seed=0):
    order = np.random.Generator(np.random.PCG64(seed)).permutation(X.shape[1])
    return cut(X, Y, order, batch_size)
