"""Checks of backprop/losses.py."""


from autograder.engine.core import oracle
from autograder.engine.core.compare import expect_array, expect_float
from autograder.engine.core.framework import check


@check("mse_loss", f"the lecture's worked example: J = {oracle.WORKED_LOSS}", public=True)
def mse_loss_worked_example(t):
    Y_hat = oracle.network_output(oracle.WORKED_X, oracle.WORKED_PARAMS, oracle.WORKED_ACTIVATIONS)
    expect_float(t.call(Y_hat, oracle.WORKED_Y), oracle.WORKED_LOSS, "J",
                 mistakes=[(2 * oracle.WORKED_LOSS, "the 1/2 in 1/2 sum (y - y_hat)^2 is missing.")])


@check("mse_loss", "averages over the m examples (columns) of several batches", 2, public=True)
def mse_loss_averages_over_examples(t):
    rng = t.rng(201)
    for n, m in [(3, 5), (1, 1), (2, 8)]:
        Y_hat, Y = rng.normal(0, 1, (n, m)), rng.normal(0, 1, (n, m))
        J = oracle.cost(Y_hat, Y)
        expect_float(t.call(Y_hat, Y), J, f"J for n = {n}, m = {m}", mistakes=[
            (2 * J, "the 1/2 in 1/2 sum (y - y_hat)^2 is missing."),
            (J / n, "you divided by n*m (np.mean over every entry): average over the m "
                    "examples only, summing over the outputs."),
            (J * m, "you summed over the examples: divide by m (the number of columns)."),
            (2 * J / n, "np.mean over all entries without the 1/2: J = (1/m) sum 1/2 sum_k ..."),
        ])


@check("mse_loss_backward", "dL/dY_hat per example (gradient check of 1/2 sum (y - y_hat)^2)", 2, public=True)
def mse_loss_backward_gradient_check(t):
    rng = t.rng(202)
    for n, m in [(3, 5), (2, 7)]:
        Y_hat, Y = rng.normal(0, 1, (n, m)), rng.normal(0, 1, (n, m))
        expected = oracle.derivative(lambda P, Y=Y: m * oracle.cost(P, Y), Y_hat)
        expect_array(t.call(Y_hat, Y), expected, "dY_hat", mistakes=[
            (expected / m, "do not divide by m here: dY_hat is per example (the 1/m is applied "
                           "in linear_backward)."),
            (-expected, "the sign is flipped: d/dy_hat of 1/2 (y - y_hat)^2 is y_hat - y."),
            (2 * expected, "the 1/2 cancels the 2 of the square: the result is y_hat - y."),
        ])


@check("mse_loss_backward", "a single example (m = 1)")
def mse_loss_backward_single_example(t):
    Y_hat, Y = oracle.WORKED_OUTPUT, oracle.WORKED_Y
    expect_array(t.call(Y_hat, Y), oracle.derivative(lambda P: oracle.cost(P, Y), Y_hat), "dY_hat")


@check("mse_loss", "does not modify Y_hat or Y (judged once its value is right)", public=True)
def mse_loss_leaves_inputs_unchanged(t):
    rng = t.rng(203)
    Y_hat, Y = rng.normal(0, 1, (2, 5)), rng.normal(0, 1, (2, 5))
    t.expect_inputs_unchanged(Y_hat, Y, judge=lambda got: expect_float(got, oracle.cost(Y_hat, Y),
                                                                       "J"))


@check("mse_loss_backward", "does not modify Y_hat or Y (judged once its values are right)",
       public=True)
def mse_loss_backward_leaves_inputs_unchanged(t):
    rng = t.rng(204)
    Y_hat, Y = rng.normal(0, 1, (2, 5)), rng.normal(0, 1, (2, 5))
    t.expect_inputs_unchanged(Y_hat, Y, judge=lambda got: expect_array(got, Y_hat - Y, "dY_hat"))
