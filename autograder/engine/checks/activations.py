"""Checks of backprop/activations.py."""

import numpy as np

from autograder.engine import oracle
from autograder.engine.compare import CheckFailed, expect_array
from autograder.engine.framework import check

SHAPES = [(3, 4), (1, 1), (5, 2)]
EXTREME = np.array([[-1000.0, -500.0, -30.0, -1.0, 0.0, 1.0, 30.0, 500.0, 1000.0]])


def _no_overflow(t, what: str) -> None:
    bad = [w for w in t.last.warnings if "overflow" in w or "invalid" in w or "divide" in w]
    if bad:
        raise CheckFailed(
            f"{what} raised a numpy warning at |z| up to 1e3: {bad[0]}. np.exp(-z) overflows for "
            "z = -1000: use exp(-|z|) and pick the formula by the sign of z (or np.clip z)."
        )


@check("sigmoid", "matches 1/(1+exp(-z)) on random inputs of shapes (3,4), (1,1), (5,2)", 2, public=True)
def sigmoid_on_random_inputs(t):
    rng = t.rng(101)
    for shape in SHAPES:
        Z = rng.normal(0, 3, shape)
        expect_array(t.call(Z), oracle.sigmoid(Z), "sigmoid(Z)",
                     mistakes=[(oracle.sigmoid(-Z), "you computed 1/(1+exp(+z)): mind the sign."),
                               (np.exp(-Z), "exp(-z) is only part of the formula.")])


@check("sigmoid", "finite, correct and warning-free at extreme inputs (|z| up to 1e3)",
       public=True)
def sigmoid_at_extreme_inputs(t):
    got = t.call(EXTREME)
    expect_array(got, oracle.sigmoid(EXTREME), "sigmoid(Z) at extreme Z")
    _no_overflow(t, "sigmoid")


@check("sigmoid_derivative", "matches the numerical derivative of sigma on random inputs", 2, public=True)
def sigmoid_derivative_on_random_inputs(t):
    rng = t.rng(102)
    for shape in SHAPES:
        Z = rng.normal(0, 2, shape)
        S = oracle.sigmoid(Z)
        expect_array(t.call(Z), oracle.elementwise_derivative(oracle.sigmoid, Z),
                     "sigmoid_derivative(Z)",
                     mistakes=[(Z * (1 - Z), "your derivative matches z(1-z): apply it to "
                                "sigma(z), i.e. sigma(z)(1 - sigma(z))."),
                               (S, "you returned sigma(z) itself, not its derivative."),
                               (1 - S**2, "1 - sigma(z)^2 is the tanh pattern; the sigmoid's "
                                "derivative is sigma(z)(1 - sigma(z))."),
                               (1 - S, "sigma(z)(1 - sigma(z)) needs both factors.")])


@check("sigmoid_derivative", "finite and warning-free at extreme inputs")
def sigmoid_derivative_at_extreme_inputs(t):
    got = t.call(EXTREME)
    expect_array(got, oracle.elementwise_derivative(oracle.sigmoid, EXTREME),
                 "sigmoid_derivative(Z) at extreme Z")
    _no_overflow(t, "sigmoid_derivative")


@check("sigmoid_backward", "dZ = dA * sigma'(Z) (gradient check), shapes (3,4), (1,1), (5,2)", 2, public=True)
def sigmoid_backward_gradient_check(t):
    rng = t.rng(103)
    for shape in SHAPES:
        Z, dA = rng.normal(0, 2, shape), rng.normal(0, 1, shape)
        S = oracle.sigmoid(Z)
        expect_array(t.call(dA, Z), dA * oracle.elementwise_derivative(oracle.sigmoid, Z), "dZ",
                     mistakes=[(dA * Z * (1 - Z), "you applied z(1-z) to Z: the derivative is "
                                "sigma(z)(1 - sigma(z))."),
                               (S * (1 - S), "you forgot to multiply by the upstream dA."),
                               (dA * S, "dA * sigma(Z) is missing the (1 - sigma(Z)) factor.")])


@check("sigmoid_backward", "a single example (m = 1) and a wide batch (m = 9)")
def sigmoid_backward_batch_sizes(t):
    rng = t.rng(104)
    for shape in [(2, 1), (1, 9)]:
        Z, dA = rng.normal(0, 2, shape), rng.normal(0, 1, shape)
        expect_array(t.call(dA, Z), dA * oracle.elementwise_derivative(oracle.sigmoid, Z), "dZ")


@check("relu", "max(0, z) on random inputs of shapes (3,4), (1,1), (5,2)", 2, public=True)
def relu_on_random_inputs(t):
    rng = t.rng(105)
    for shape in SHAPES:
        Z = rng.normal(0, 2, shape)
        expect_array(t.call(Z), oracle.relu(Z), "relu(Z)",
                     mistakes=[(np.maximum(Z, 0) > 0, "you returned the indicator 1[z>0], "
                                "not max(0, z)."),
                               (np.abs(Z), "that is |z|; relu is max(0, z).")])


@check("relu_backward", "dZ = dA * 1[Z > 0] (gradient check away from the kink)", 2, public=True)
def relu_backward_gradient_check(t):
    rng = t.rng(106)
    for shape in SHAPES:
        Z, dA = oracle.away_from_kinks(rng, shape), rng.normal(0, 1, shape)
        expect_array(t.call(dA, Z), dA * oracle.elementwise_derivative(oracle.relu, Z, h=1e-3),
                     "dZ",
                     mistakes=[(dA * oracle.relu(Z), "you multiplied by relu(Z); the derivative "
                                "is the indicator 1[Z > 0]."),
                               ((Z > 0).astype(float), "you forgot to multiply by dA."),
                               (dA * (Z < 0), "the indicator is reversed: pass dA where Z > 0."),
                               (dA * (dA > 0), "the mask must come from the layer's input Z "
                                "(Z > 0), not from the sign of dA.")])


@check("relu_backward", "a single example (m = 1) and a wide batch (m = 9)")
def relu_backward_batch_sizes(t):
    rng = t.rng(107)
    for shape in [(3, 1), (2, 9)]:
        Z, dA = oracle.away_from_kinks(rng, shape), rng.normal(0, 1, shape)
        expect_array(t.call(dA, Z), dA * (Z > 0), "dZ")
