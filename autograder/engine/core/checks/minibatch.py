"""Checks of backprop/minibatch.py, by properties (any correct shuffle passes).

Precondition of every property check (pairs kept, shuffled, seeded, one batch): the batches are
a partition of the actual columns of X and of Y (each column once, unchanged), so batches that
are not the data (zeros, made-up columns) cannot pass a property by accident.
"""

import numpy as np

from autograder.engine.core.compare import CheckFailed, NotJudged, close, describe
from autograder.engine.core.framework import check


def _data(m, seed=0):
    """Column i of X starts with i and column i of Y starts with 1000 + i, so pairs are traceable."""
    rng = np.random.default_rng(seed)
    X = np.vstack([np.arange(m, dtype=float), rng.normal(size=(2, m))])
    Y = np.vstack([1000.0 + np.arange(m), rng.normal(size=(1, m))])
    return X, Y


def _batches(t, X, Y, batch_size, seed):
    return _parse(t.call(X, Y, batch_size, kwargs={"seed": seed}), X, Y)


def _parse(got, X, Y):
    if not isinstance(got, (list, tuple)):
        raise CheckFailed(f"expected a list of (X_batch, Y_batch) pairs, got {describe(got)}")
    out = []
    for i, pair in enumerate(got):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise CheckFailed(f"batch {i} is {describe(pair)}, expected a pair (X_batch, Y_batch)")
        xb, yb = pair
        for name, arr, rows in (("X_batch", xb, X.shape[0]), ("Y_batch", yb, Y.shape[0])):
            if not isinstance(arr, np.ndarray) or arr.ndim != 2 or arr.shape[0] != rows:
                raise CheckFailed(f"batch {i}: {name} is {describe(arr)}; expected {rows} rows "
                                  "(columns are examples: slice columns, X[:, idx])")
        if xb.shape[1] != yb.shape[1]:
            raise CheckFailed(f"batch {i}: X_batch has {xb.shape[1]} columns, Y_batch "
                              f"{yb.shape[1]}")
        out.append((xb, yb))
    return out


def _ids(batches):
    return [np.round(np.nan_to_num(xb[0].astype(float))).astype(int).tolist() for xb, _ in batches]


def _y_ids(batches):
    return [np.round(np.nan_to_num(yb[0].astype(float) - 1000)).astype(int).tolist()
            for _, yb in batches]


def _actual_columns(batches, X):
    """Every batch column of X is some column of X (whatever the order or repeats)."""
    m = X.shape[1]
    for ids, (xb, _) in zip(_ids(batches), batches):
        if any(not 0 <= i < m for i in ids) or not close(xb.astype(float), X[:, ids]):
            return False
    return True


def _partition(batches, X, Y, what):
    """The precondition: the batches hold each actual column of X and of Y exactly once.
    Returns the order of X's columns in the batches."""
    m = X.shape[1]
    order_x = [i for ids in _ids(batches) for i in ids]
    order_y = [i for ids in _y_ids(batches) for i in ids]
    ok = sorted(order_x) == list(range(m)) and sorted(order_y) == list(range(m))
    if ok:
        xs = np.concatenate([xb for xb, _ in batches], axis=1).astype(float)
        ys = np.concatenate([yb for _, yb in batches], axis=1).astype(float)
        ok = close(xs, X[:, order_x]) and close(ys, Y[:, order_y])
    if not ok:
        raise NotJudged(f"not judged yet: {what} needs the batches to be a partition of the "
                          "actual columns of X and Y first (every column once, unchanged); "
                          "these are not (see the partition check).")
    return order_x


@check("random_mini_batches",
       "a partition: sizes batch_size, ..., remainder; each example once", 2, public=True)
def random_mini_batches_partition(t):
    for m, size in [(10, 4), (12, 4), (7, 3)]:
        X, Y = _data(m)
        batches = _batches(t, X, Y, size, 1)
        sizes = [xb.shape[1] for xb, _ in batches]
        expected = [size] * (m // size) + ([m % size] if m % size else [])
        ids = sorted(i for b in _ids(batches) for i in b)
        if 0 in sizes:
            raise CheckFailed(f"m = {m}, batch_size = {size}: an empty batch was returned.")
        if sizes == expected[: len(sizes)] and len(sizes) == len(expected) - 1:
            raise CheckFailed(f"m = {m}, batch_size = {size}: got sizes {sizes}, expected "
                              f"{expected}. The last, smaller batch (the remainder) is missing.")
        if ids != list(range(m)) and not _actual_columns(batches, X):
            raise CheckFailed(f"m = {m}, batch_size = {size}: the batch columns are not the "
                              "columns of X: each batch must hold X[:, idx] and Y[:, idx] "
                              "unchanged (for idx, the indices of its examples).")
        if ids != list(range(m)):
            repeated = len(ids) != len(set(ids))
            raise CheckFailed(
                f"m = {m}, batch_size = {size}: the batches hold the examples {ids}, expected each "
                f"of 0..{m - 1} exactly once."
                + (" Some were repeated: shuffle with one permutation (no sampling with "
                   "replacement)." if repeated else "")
            )
        if sizes != expected:
            raise CheckFailed(f"m = {m}, batch_size = {size}: got sizes {sizes}, expected "
                              f"{expected} (consecutive batches, the last holds the remainder).")
        try:
            _partition(batches, X, Y, "")
        except CheckFailed:
            raise CheckFailed(f"m = {m}, batch_size = {size}: the batch columns are not the "
                              "columns of X and Y: each batch must hold X[:, idx] and Y[:, idx] "
                              "unchanged.") from None


@check("random_mini_batches", "X and Y are shuffled with the same permutation (pairs kept)", 2,
       public=True)
def random_mini_batches_same_permutation(t):
    X, Y = _data(20, seed=1)
    batches = _batches(t, X, Y, 6, 2)
    _partition(batches, X, Y, "this check")
    for xb, yb in batches:
        ids_x, ids_y = np.round(xb[0]).astype(int), np.round(yb[0] - 1000).astype(int)
        if not np.array_equal(ids_x, ids_y):
            raise CheckFailed("an X column is paired with another example's Y column: X and Y "
                              "were shuffled with different permutations. Draw ONE permutation "
                              "and index both X[:, perm] and Y[:, perm].")
        if not (close(xb, X[:, ids_x]) and close(yb, Y[:, ids_y])):
            raise CheckFailed("the batch columns are not the original columns of X and Y.")


@check("random_mini_batches", "the examples are actually shuffled")
def random_mini_batches_shuffled(t):
    X, Y = _data(64)
    order = _partition(_batches(t, X, Y, 16, 5), X, Y, "judging the shuffle")
    if order == list(range(64)):
        raise CheckFailed("the batches keep the original order of the examples: shuffle the "
                          "columns first (e.g. rng.permutation(m)).")


@check("random_mini_batches", "the same seed gives the same batches, another seed others")
def random_mini_batches_seeded(t):
    X, Y = _data(30)
    runs = [_batches(t, X, Y, 8, s) for s in (3, 3, 4)]
    for batches in runs:
        _partition(batches, X, Y, "judging the seed")
    a, b, c = (_ids(batches) for batches in runs)
    if a != b:
        raise CheckFailed("two calls with seed=3 gave different batches: make the generator "
                          "from the seed argument.")
    if a == c:
        raise CheckFailed("seed=3 and seed=4 gave the same batches: use the seed argument.")


@check("random_mini_batches", "batch_size > m and batch_size = m give one batch; m = 1 works")
def random_mini_batches_one_batch(t):
    for m, size in [(5, 32), (8, 8), (1, 4)]:
        X, Y = _data(m)
        batches = _batches(t, X, Y, size, 0)
        if len(batches) != 1 or batches[0][0].shape[1] != m:
            raise CheckFailed(f"m = {m}, batch_size = {size}: expected one batch of {m} "
                              f"examples, got sizes {[xb.shape[1] for xb, _ in batches]}.")
        _partition(batches, X, Y, f"m = {m}, batch_size = {size}")


@check("random_mini_batches", "does not modify X or Y (judged once its batches are right)",
       public=True)
def random_mini_batches_leaves_inputs_unchanged(t):
    X, Y = _data(10, seed=2)
    t.expect_inputs_unchanged(X, Y, 4, kwargs={"seed": 1}, judge=lambda got: _partition(
        _parse(got, X, Y), X, Y, "this check"))
