"""The grader's oracles agree with the lecture's published numbers and with closed forms.

The hidden checks' expected values come from autograder/engine/core/oracle.py (numerical derivatives
of forwards written from the definitions), never from solutions/. Here they are held against
published worked values (the lecture notes, rounded to 9 digits) and calculus.
"""

import numpy as np

from autograder.engine.core import oracle

ACTS = ["sigmoid", "sigmoid"]


def test_worked_example_forward_and_loss():
    out = oracle.network_output(oracle.WORKED_X, oracle.WORKED_PARAMS, ACTS)
    assert np.allclose(out, oracle.WORKED_OUTPUT, rtol=0, atol=5e-9)
    J = oracle.network_cost(oracle.WORKED_X, oracle.WORKED_Y, oracle.WORKED_PARAMS, ACTS)
    assert abs(J - oracle.WORKED_LOSS) < 5e-10


def test_worked_example_gradients_by_finite_differences():
    grads = oracle.network_gradients(oracle.WORKED_X, oracle.WORKED_Y, oracle.WORKED_PARAMS, ACTS)
    assert np.allclose(grads["dW2"], oracle.WORKED_DW2, rtol=0, atol=5e-10)
    assert np.allclose(grads["dW1"], oracle.WORKED_DW1, rtol=0, atol=5e-10)


def test_sigmoid_is_exact_and_quiet_at_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        values = oracle.sigmoid(np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0]))
    assert values[0] == 0.0 and values[-1] == 1.0 and values[2] == 0.5
    assert abs(values[1] / 9.357622968840175e-14 - 1) < 1e-12


def test_derivatives_match_calculus():
    rng = np.random.default_rng(0)
    Z = rng.normal(0, 2, (3, 4))
    s = 1 / (1 + np.exp(-Z))
    assert np.allclose(oracle.elementwise_derivative(oracle.sigmoid, Z), s * (1 - s), atol=1e-10)
    x = rng.normal(size=(2, 3))
    assert np.allclose(oracle.derivative(lambda v: float(np.sum(v**3)), x), 3 * x**2, atol=1e-9)


def test_directional_and_sampled_derivatives_match_the_full_gradient():
    rng = np.random.default_rng(1)
    params = oracle.random_params(rng, [4, 5, 2])
    X, Y = rng.normal(size=(4, 6)), rng.normal(size=(2, 6))
    acts = ["sigmoid", "linear"]
    full = oracle.network_gradients(X, Y, params, acts)

    def cost(p):
        return oracle.network_cost(X, Y, p, acts)

    for u, slope in oracle.directional_derivatives(cost, params, rng):
        assert abs(sum(float(np.sum(full["d" + k] * u[k])) for k in params) - slope) < 1e-8
    for key, index, slope in oracle.sampled_coordinates(cost, params, rng):
        assert abs(full["d" + key][index] - slope) < 1e-9
