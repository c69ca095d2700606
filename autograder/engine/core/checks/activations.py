"""Checks of backprop/activations.py."""

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.compare import CheckFailed, NotJudged, expect_array
from autograder.engine.core.framework import check

SHAPES = [(3, 4), (1, 1), (5, 2)]
EXTREME = np.array([[-1000.0, -500.0, -30.0, -1.0, 0.0, 1.0, 30.0, 500.0, 1000.0]])


def _no_overflow(t, what: str) -> None:
    """No overflow warning: judged by the warnings the call raised, and by whether it switched
    them off (silencing them is not evidence that nothing overflowed)."""
    if t.last.silenced:
        raise CheckFailed(
            f"{what} switched floating-point warnings off during the call (np.errstate, "
            "np.seterr or a warnings filter), so the grader cannot see whether exp overflowed: "
            "silencing a warning does not remove the overflow. Only ever take exp of -|z| and "
            "pick the formula by the sign of z (or clip z first), without silencing."
        )
    bad = [w for w in t.last.warnings if "overflow" in w or "invalid" in w or "divide" in w]
    if bad:
        raise CheckFailed(
            f"{what} raised a warning at |z| up to 1e3: {bad[0]}. An exponential of a large "
            "argument overflows (e^1000 is beyond float range, however it is written): only ever "
            "take exp of -|z| and pick the formula by the sign of z (or clip z first)."
        )


def _unchanged(t, *args, expected, name):
    t.expect_inputs_unchanged(*args, judge=lambda got: expect_array(got, expected, name))


@check("sigmoid", "matches 1/(1+exp(-z)) on random inputs of shapes (3,4), (1,1), (5,2)", 2, public=True)
def sigmoid_on_random_inputs(t):
    rng = t.rng(101)
    for shape in SHAPES:
        Z = rng.normal(0, 3, shape)
        expect_array(t.call(Z), oracle.sigmoid(Z), "sigmoid(Z)",
                     mistakes=[(oracle.sigmoid(-Z), "you computed 1/(1+exp(+z)): mind the sign."),
                               (np.exp(-Z), "exp(-z) is only part of the formula.")])


@check("sigmoid", "finite and correct at extreme inputs (|z| up to 1e3)", public=True)
def sigmoid_at_extreme_inputs(t):
    got = t.call(EXTREME)
    expect_array(got, oracle.sigmoid(EXTREME), "sigmoid(Z) at extreme Z")


@check("sigmoid", "no overflow warning at extreme inputs (judged once the values there are right)",
       public=True)
def sigmoid_warning_free(t):
    got = t.call(EXTREME)
    try:
        expect_array(got, oracle.sigmoid(EXTREME), "sigmoid(Z) at extreme Z")
    except CheckFailed as exc:
        raise NotJudged(f"not judged yet: the values at extreme Z must be right first. {exc}"
                          ) from None
    _no_overflow(t, "sigmoid")


@check("sigmoid", "does not modify its input Z (judged once its values are right)", public=True)
def sigmoid_leaves_input_unchanged(t):
    Z = t.rng(108).normal(0, 3, (3, 4))
    _unchanged(t, Z, expected=oracle.sigmoid(Z), name="sigmoid(Z)")


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


@check("sigmoid_derivative", "sigma'(z) is finite and right for |z| up to 1e3")
def sigmoid_derivative_at_extreme_inputs(t):
    got = t.call(EXTREME)
    expect_array(got, oracle.elementwise_derivative(oracle.sigmoid, EXTREME),
                 "sigmoid_derivative(Z) at extreme Z")


@check("sigmoid_derivative", "sigma'(z) raises no warning for |z| up to 1e3 (once right there)")
def sigmoid_derivative_no_overflow_warning(t):
    got = t.call(EXTREME)
    try:
        expect_array(got, oracle.elementwise_derivative(oracle.sigmoid, EXTREME),
                     "sigmoid_derivative(Z) at extreme Z")
    except CheckFailed as exc:
        raise NotJudged(f"not judged yet: the values at extreme Z must be right first. {exc}"
                          ) from None
    _no_overflow(t, "sigmoid_derivative")


@check("sigmoid_derivative", "does not modify its input Z (judged once its values are right)",
       public=True)
def sigmoid_derivative_leaves_input_unchanged(t):
    Z = t.rng(109).normal(0, 2, (3, 4))
    _unchanged(t, Z, expected=oracle.elementwise_derivative(oracle.sigmoid, Z),
               name="sigmoid_derivative(Z)")


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


@check("sigmoid_backward", "does not modify dA or Z (judged once its values are right)",
       public=True)
def sigmoid_backward_leaves_inputs_unchanged(t):
    rng = t.rng(110)
    Z, dA = rng.normal(0, 2, (3, 4)), rng.normal(0, 1, (3, 4))
    _unchanged(t, dA, Z, expected=dA * oracle.elementwise_derivative(oracle.sigmoid, Z), name="dZ")


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


@check("relu_backward", "exactly at Z = 0 the gradient is 0 (the contract: 0 where Z <= 0)")
def relu_backward_at_zero(t):
    Z = np.array([[0.0, 1.5, -0.5, 0.0], [2.0, 0.0, -1.0, 0.25]])
    dA = np.array([[0.7, -1.2, 0.4, -0.3], [0.9, 1.1, -0.6, 0.5]])
    expect_array(t.call(dA, Z), dA * (Z > 0), "dZ at Z = 0", mistakes=[
        (dA * (Z >= 0), "the mask lets dA through where Z = 0 (Z >= 0): the contract takes "
                        "relu'(0) = 0, so use Z > 0. Z = 0 happens, e.g. zero inputs with zero "
                        "biases.")])


@check("relu", "does not modify its input Z (judged once its values are right)", public=True)
def relu_leaves_input_unchanged(t):
    Z = t.rng(111).normal(0, 2, (3, 4))
    _unchanged(t, Z, expected=oracle.relu(Z), name="relu(Z)")


@check("relu_backward", "does not modify dA or Z (judged once its values are right)", public=True)
def relu_backward_leaves_inputs_unchanged(t):
    rng = t.rng(112)
    Z, dA = oracle.away_from_kinks(rng, (3, 4)), rng.normal(0, 1, (3, 4))
    _unchanged(t, dA, Z, expected=dA * (Z > 0), name="dZ")
