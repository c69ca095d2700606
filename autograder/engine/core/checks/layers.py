"""Checks of backprop/layers.py: forward values and gradient checks of the backward."""

import functools

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.compare import CheckFailed, describe, expect_array, expect_tuple
from autograder.engine.core.framework import check, check_each

# (n, n_prev, m): non-square layers, a single example, a wider batch.
SHAPES = [(3, 2, 4), (1, 5, 1), (4, 3, 7)]
# A layer function's checks per activation: their order, and the seed each adds to the first.
LAYER_ACTIVATIONS = ("sigmoid", "relu", "linear")


def _layer(rng, n, n_prev, m):
    return rng.normal(0, 1, (n_prev, m)), rng.normal(0, 1, (n, n_prev)), rng.normal(0, 1, (n, 1))


@oracle.cached
def linear_grads(dZ, A_prev, W, b):
    """Oracle: gradients of F = sum(dZ * (W A_prev + b)); dW and db are divided by m."""
    m = A_prev.shape[1]

    def F(A, W_, b_):
        return float(np.sum(dZ * oracle.linear(A, W_, b_)))

    dA = oracle.derivative(lambda A: F(A, W, b), A_prev)
    dW = oracle.derivative(lambda W_: F(A_prev, W_, b), W) / m
    db = oracle.derivative(lambda b_: F(A_prev, W, b_), b) / m
    return dA, dW, db


@check("linear_forward", "Z = W A_prev + b for non-square layers and m = 1", 2, public=True)
def linear_forward_values(t):
    rng = t.rng(301)
    for n, n_prev, m in SHAPES:
        A_prev, W, b = _layer(rng, n, n_prev, m)
        expect_array(t.call(A_prev, W, b), oracle.linear(A_prev, W, b), "Z", mistakes=[
            (W @ A_prev, "the bias b is missing."),
            (W @ A_prev + b.T if n == 1 else W @ A_prev, "b must be added to every column."),
        ], hints={(m, n): "Z has shape (n, m): compute W @ A_prev, not A_prev.T @ W.T."})


@check("linear_forward", "b is broadcast over the columns (all-zero inputs give b in every column)")
def linear_forward_broadcasts_b(t):
    b = np.array([[0.5], [-1.0], [2.0]])
    expect_array(t.call(np.zeros((2, 4)), np.ones((3, 2)), b), np.repeat(b, 4, axis=1), "Z")


def _check_linear_backward(t, seed, which):
    rng = t.rng(seed)
    for n, n_prev, m in SHAPES:
        A_prev, W, b = _layer(rng, n, n_prev, m)
        dZ = rng.normal(0, 1, (n, m))
        got = expect_tuple(t.call(dZ, A_prev, W), 3, "linear_backward")
        dA, dW, db = linear_grads(dZ, A_prev, W, b)
        if which == "dW":
            expect_array(got[1], dW, "dW", m=m, mistakes=[
                (m * dW, f"dW is m = {m} times too large: average over the mini-batch (1/m)."),
                (dW.T, "dW has the shape of W transposed: dW = (1/m) dZ A_prev^T."),
                (m * dW.T, "dW is transposed and not averaged: dW = (1/m) dZ A_prev^T."),
            ])
        elif which == "db":
            expect_array(got[2], db, "db", m=m, mistakes=[
                (m * db, f"db is m = {m} times too large: average over the mini-batch (1/m)."),
                (db.ravel(), "db must have shape (n, 1): use keepdims=True."),
                (m * db.ravel(), "db must have shape (n, 1) and be averaged over the batch."),
            ])
        else:
            expect_array(got[0], dA, "dA_prev", m=m, mistakes=[
                (dA / m, "dA_prev must NOT be divided by m: it is per example (only dW and db "
                         "are averaged)."),
                (dA.T, "dA_prev has the shape of its transpose: dA_prev = W^T dZ."),
            ])


@check("linear_backward", "dW = (1/m) dZ A_prev^T (gradient check, non-square, m = 1)", 3, public=True)
def linear_backward_dW(t):
    _check_linear_backward(t, 302, "dW")


@check("linear_backward", "db = (1/m) sum over examples of dZ, shape (n, 1) (gradient check)", 2, public=True)
def linear_backward_db(t):
    _check_linear_backward(t, 303, "db")


@check("linear_backward", "dA_prev = W^T dZ, per example (gradient check)", 2, public=True)
def linear_backward_dA_prev(t):
    _check_linear_backward(t, 304, "dA")


def _dense_case(rng, n, n_prev, m, activation):
    A_prev, W, b = _layer(rng, n, n_prev, m)
    if activation == "relu":  # keep Z away from relu's kink so differences are exact
        Z = oracle.linear(A_prev, W, b)
        b = b + np.where(np.abs(Z).min(axis=1, keepdims=True) < 0.05, 0.1, 0.0)
    return A_prev, W, b


def _dense_cases(t, first_seed, activation):
    """The layers a check of ``activation`` runs on, one per SHAPES: (rng, A_prev, W, b)."""
    rng = t.rng(first_seed + LAYER_ACTIVATIONS.index(activation))
    for n, n_prev, m in SHAPES:
        yield rng, *_dense_case(rng, n, n_prev, m, activation)


@check_each("dense_forward", {
    "sigmoid": ("sigmoid layer: returns (A, Z) with A = sigma(W A_prev + b)", 2),
    "relu": ("relu layer: returns (A, Z) with A = max(0, W A_prev + b)", 1),
    "linear": ("linear layer: A = Z", 1)}, public=True)
def dense_forward_per_activation(t, activation):
    for _, A_prev, W, b in _dense_cases(t, 311, activation):
        got = expect_tuple(t.call(A_prev, W, b, activation), 2, "dense_forward")
        Z = oracle.linear(A_prev, W, b)
        A = oracle.activation(activation, Z)
        swapped = {"sigmoid": oracle.relu(Z), "relu": oracle.sigmoid(Z)}.get(activation)
        expect_array(got[1], Z, "Z (second value returned)", mistakes=[
            (A, "the second value must be Z, the pre-activation; you returned A.")
        ] if activation != "linear" else None)
        expect_array(got[0], A, f"A for activation={activation!r}",
                     mistakes=[(Z, "A equals Z: the activation was not applied."),
                               (swapped, "the sigmoid and relu branches are swapped.")]
                     if activation != "linear" else None)


@check("dense_forward", "an unknown activation name raises ValueError")
def dense_forward_unknown_activation(t):
    rng = t.rng(314)
    t.expect_error("ValueError", *_layer(rng, 2, 3, 4), "tanh",
                   what="an unknown activation name ('tanh')")


@oracle.cached
def dense_grads(dA, A_prev, W, b, activation):
    """Oracle: gradients of F = sum(dA * g(W A_prev + b)); dW and db are divided by m."""
    m = A_prev.shape[1]

    def F(A_, W_, b_):
        return float(np.sum(dA * oracle.activation(activation, oracle.linear(A_, W_, b_))))

    return (oracle.derivative(lambda A_: F(A_, W, b), A_prev),
            oracle.derivative(lambda W_: F(A_prev, W_, b), W) / m,
            oracle.derivative(lambda b_: F(A_prev, W, b_), b) / m)


@check_each("dense_backward", {
    "sigmoid": ("sigmoid layer: (dA_prev, dW, db) match a gradient check", 2),
    "relu": ("relu layer: (dA_prev, dW, db) match a gradient check", 1),
    "linear": ("linear layer: (dA_prev, dW, db) match a gradient check", 1)}, public=True)
def dense_backward_per_activation(t, activation):
    for rng, A_prev, W, b in _dense_cases(t, 321, activation):
        n, m = W.shape[0], A_prev.shape[1]
        dA = rng.normal(0, 1, (n, m))
        Z = oracle.linear(A_prev, W, b)
        exp_dA, exp_dW, exp_db = dense_grads(dA, A_prev, W, b, activation)
        got = expect_tuple(t.call(dA, A_prev, W, Z, activation), 3, "dense_backward")
        S = oracle.sigmoid(Z)
        wrong_dZ = {"sigmoid": dA * Z * (1 - Z), "relu": dA * oracle.relu(Z)}.get(activation)
        mistakes = []
        if wrong_dZ is not None:
            mistakes.append((wrong_dZ @ A_prev.T / m, "the activation's derivative is applied "
                             "to the wrong values: use g'(Z), e.g. sigma(Z)(1 - sigma(Z))."))
        mistakes.append((dA @ A_prev.T / m, "the activation's derivative is missing: "
                         "dZ = dA * g'(Z) before the linear part."))
        if activation == "sigmoid":
            mistakes.append((dA * S @ A_prev.T / m, "dZ must be dA * sigma(Z)(1 - sigma(Z))."))
        expect_array(got[1], exp_dW, "dW", m=m, mistakes=mistakes)
        expect_array(got[2], exp_db, "db", m=m)
        expect_array(got[0], exp_dA, "dA_prev", m=m,
                     mistakes=[(exp_dA / m, "dA_prev must not be divided by m (per example).")])


@check("dense_backward", "an unknown activation name raises ValueError")
def dense_backward_unknown_activation(t):
    rng = t.rng(324)
    A_prev, W, b = _layer(rng, 2, 3, 4)
    t.expect_error("ValueError", rng.normal(size=(2, 4)), A_prev, W, oracle.linear(A_prev, W, b),
                   "tanh", what="an unknown activation name ('tanh')")



def _expect_grads(got, expected):
    got = expect_tuple(got, 3, "the function")
    for value, exp, name in zip(got, expected, ("dA_prev", "dW", "db")):
        expect_array(value, exp, name)


@check("linear_forward", "does not modify A_prev, W or b (judged once its values are right)",
       public=True)
def linear_forward_leaves_inputs_unchanged(t):
    A_prev, W, b = _layer(t.rng(305), 3, 2, 4)
    t.expect_inputs_unchanged(A_prev, W, b, judge=lambda got: expect_array(
        got, oracle.linear(A_prev, W, b), "Z"))


@check("linear_backward", "does not modify dZ, A_prev or W (judged once its values are right)",
       public=True)
def linear_backward_leaves_inputs_unchanged(t):
    rng = t.rng(306)
    A_prev, W, b = _layer(rng, 3, 2, 4)
    dZ = rng.normal(0, 1, (3, 4))
    t.expect_inputs_unchanged(dZ, A_prev, W, judge=lambda got: _expect_grads(
        got, linear_grads(dZ, A_prev, W, b)))


@check("dense_forward", "does not modify A_prev, W or b (judged once its values are right)",
       public=True)
def dense_forward_leaves_inputs_unchanged(t):
    A_prev, W, b = _dense_case(t.rng(315), 3, 2, 4, "relu")
    Z = oracle.linear(A_prev, W, b)

    def judge(got):
        got = expect_tuple(got, 2, "dense_forward")
        expect_array(got[0], oracle.relu(Z), "A")
        expect_array(got[1], Z, "Z")

    t.expect_inputs_unchanged(A_prev, W, b, "relu", judge=judge)


@check("dense_backward", "does not modify dA, A_prev, W or Z (judged once its values are right)",
       public=True)
def dense_backward_leaves_inputs_unchanged(t):
    rng = t.rng(325)
    A_prev, W, b = _dense_case(rng, 3, 2, 4, "relu")
    dA = rng.normal(0, 1, (3, 4))
    Z = oracle.linear(A_prev, W, b)
    t.expect_inputs_unchanged(dA, A_prev, W, Z, "relu", judge=lambda got: _expect_grads(
        got, dense_grads(dA, A_prev, W, b, "relu")))


# Layers where backpropagation takes milliseconds (a second even with hand-written loops) and
# numerical differentiation, two passes per number differentiated, far longer than the time
# limit: (n, n_prev, m) and the activation. dense_backward's 40,000 pre-activations catch
# finite differences through Z; its products stay small (n_prev = 5), so the grader's answers
# are quick: with 200 x 20 weights, tests grading in two threads hung in OpenBLAS.
BIG_LAYERS = {"linear_backward": ((400, 400, 2), "linear"),
              "dense_backward": ((100, 5, 400), "sigmoid")}


@functools.lru_cache(maxsize=4)
def _big_layer(function, seed):
    """A large layer problem and the slope of its cost along one random direction: the same
    for every submission, so made once per grading process (and read-only)."""
    (n, n_prev, m), activation = BIG_LAYERS[function]
    rng = np.random.default_rng(seed)
    A_prev, W, b = _layer(rng, n, n_prev, m)
    W = W / np.sqrt(n_prev)
    dA = rng.normal(0, 1, (n, m))
    [(u, slope)] = oracle.directional_derivatives(  # W_ @ A_: the oracle's einsum is slow here
        lambda p: float(np.sum(dA * oracle.activation(activation, p["W"] @ p["A"] + p["b"]))),
        {"A": A_prev, "W": W, "b": b}, rng, directions=1)
    return oracle.read_only((A_prev, W, b, dA, W @ A_prev + b, u)), slope


def _big_layer_check(t, function, seed):
    """Calls ``function`` on its large layer and judges (dA_prev, dW, db) by their slope."""
    from autograder.engine.core.checks.network import not_numerical

    (A_prev, W, b, dA, Z, u), slope = _big_layer(function, seed)
    (n, n_prev, m), activation = BIG_LAYERS[function]
    args = (dA, A_prev, W) if function == "linear_backward" else (dA, A_prev, W, Z, activation)
    got = expect_tuple(not_numerical(t, function, f"a {activation} layer of {n} x {n_prev} "
                                     f"weights on {m} examples", lambda: t.call(*args)),
                       3, function)
    for name, value, shape in zip(("dA_prev", "dW", "db"), got, (A_prev.shape, W.shape, b.shape)):
        if not isinstance(value, np.ndarray) or value.shape != shape:
            raise CheckFailed(f"{name} should have shape {shape}, got {describe(value)}")
    dA_prev, dW, db = (g.astype(float) for g in got)
    value = float(np.sum(dA_prev * u["A"]) + m * (np.sum(dW * u["W"]) + np.sum(db * u["b"])))
    if not abs(value - slope) <= 1e-3 * abs(slope) + 1e-6:  # NaN fails too
        raise CheckFailed(f"along a random direction (dA_prev, m dW, m db) give a slope of "
                          f"{value:.6g}, finite differences {slope:.6g}.")


@check("linear_backward", "backpropagation, not numerical differentiation: a 400 x 400 layer "
       "in time", 2)
def linear_backward_is_backpropagation(t):
    _big_layer_check(t, "linear_backward", 307)


@check("dense_backward", "backpropagation, not numerical differentiation: a sigmoid layer of "
       "40,000 pre-activations in time", 1)
def dense_backward_is_backpropagation(t):
    _big_layer_check(t, "dense_backward", 326)
