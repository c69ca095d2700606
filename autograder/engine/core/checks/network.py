"""Checks of backprop/network.py: init, forward, backward (gradient checks)."""

import functools

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.checks.cache_reads import judged_on_forward_cache
from autograder.engine.core.checks.network_helpers import (
    forward_cache_checked,
    gradient_mistakes,
    noted,
    random_problem,
)
from autograder.engine.core.compare import (
    DIFFERENCE_NOISE,
    DIRECTIONAL_NOISE,
    RTOL,
    CheckFailed,
    NotJudged,
    describe,
    expect_array,
    expect_float,
    expect_tuple,
)
from autograder.engine.core.framework import check
from autograder.engine.core.protocol import Ref

WORKED_ACTS = oracle.WORKED_ACTIVATIONS
DEEP_SIZES, DEEP_ACTS = [3, 4, 3, 2], ["relu", "sigmoid", "linear"]
SMALL_SIZES, SMALL_ACTS = [2, 3, 1], ["sigmoid", "linear"]


@check("init_params", 'keys "W1","b1",...,"WL","bL" with shapes (n_l, n_(l-1)) and (n_l, 1)', public=True)
def init_params_keys_and_shapes(t):
    sizes = [3, 5, 2, 1]
    got = t.call(sizes, kwargs={"seed": 3})
    if not isinstance(got, dict):
        raise CheckFailed(f"init_params must return a dict, got {describe(got)}")
    expected_keys = {f"{p}{l}" for l in range(1, 4) for p in "Wb"}
    if set(got) != expected_keys:
        raise CheckFailed(f"expected the keys {sorted(expected_keys)}, got {sorted(map(str, got))}")
    for l in range(1, 4):
        for key, shape in ((f"W{l}", (sizes[l], sizes[l - 1])), (f"b{l}", (sizes[l], 1))):
            value = got[key]
            if not isinstance(value, np.ndarray) or value.shape != shape:
                hint = " (transposed?)" if getattr(value, "shape", None) == shape[::-1] else ""
                raise CheckFailed(f'params["{key}"] should have shape {shape}, got '
                                  f"{describe(value)}{hint}")


@check("init_params", "deterministic for a seed, different for different seeds", public=True)
def init_params_seeded(t):
    sizes = [4, 3, 2]
    a, b, c = (t.call(sizes, kwargs={"seed": s}) for s in (7, 7, 8))
    if not all(isinstance(x, dict) and "W1" in x for x in (a, b, c)):
        raise CheckFailed("init_params must return a dict with W1, b1, ...")
    if not all(np.array_equal(a[k], b[k]) for k in a):
        raise CheckFailed("two calls with seed=7 gave different parameters: create the random "
                          "generator from the seed (np.random.default_rng(seed)).")
    if np.array_equal(a["W1"], c["W1"]):
        raise CheckFailed("seed=7 and seed=8 gave the same W1: use the seed argument.")


@check("init_params", "small random W (no symmetry), zero b")
def init_params_small_random_weights(t):
    got = t.call([6, 4, 3], kwargs={"seed": 0})
    if not isinstance(got, dict) or "W1" not in got:
        raise CheckFailed("init_params must return a dict with W1, b1, ...")
    for l in (1, 2):
        W, b = np.asarray(got[f"W{l}"], dtype=float), np.asarray(got[f"b{l}"], dtype=float)
        if np.any(b != 0):
            raise CheckFailed(f"b{l} should be zeros.")
        if not np.all(np.isfinite(W)) or np.max(np.abs(W)) == 0:
            raise CheckFailed(f"W{l} should be small random values, not zeros.")
        if np.max(np.abs(W)) > 5:
            raise CheckFailed(f"W{l} has entries up to {np.max(np.abs(W)):.3g}: too large to "
                              "train well; scale the normal samples (e.g. by 1/sqrt(n_prev)).")
        if len(np.unique(np.round(W, 12))) < W.size // 2:
            raise CheckFailed(f"W{l} has many equal entries: the weights must be random to "
                              "break the symmetry between units.")


@check("forward", "the lecture's worked 2-2-2 sigmoid network: Y_hat = "
       f"({', '.join(f'{y:.9g}' for y in oracle.WORKED_OUTPUT.ravel())})", 2, public=True)
def forward_worked_example(t):
    got = expect_tuple(t.call(oracle.WORKED_X, oracle.WORKED_PARAMS, WORKED_ACTS), 2, "forward")
    expect_array(got[0], oracle.network_output(oracle.WORKED_X, oracle.WORKED_PARAMS, WORKED_ACTS),
                 "Y_hat")


@check("forward", "a 3-layer relu/sigmoid/linear network on a batch of 5", 2, public=True)
def forward_three_layers(t):
    X, _, params = random_problem(t.rng(401), DEEP_SIZES, DEEP_ACTS, 5)
    got = expect_tuple(t.call(X, params, DEEP_ACTS), 2, "forward")
    expect_array(got[0], oracle.network_output(X, params, DEEP_ACTS), "Y_hat", mistakes=[
        (oracle.network_output(X, params, ["sigmoid"] * 3),
         "every layer used sigmoid: apply the activation named for each layer."),
        (oracle.network_output(X, params, ["relu", "sigmoid", "sigmoid"]),
         "the last layer is 'linear' here: its output is Z itself."),
    ])


@check("forward", "a single example (m = 1)")
def forward_single_example(t):
    X, _, params = random_problem(t.rng(402), SMALL_SIZES, SMALL_ACTS, 1)
    got = expect_tuple(t.call(X, params, SMALL_ACTS), 2, "forward")
    expect_array(got[0], oracle.network_output(X, params, SMALL_ACTS), "Y_hat")


@check("forward", "an unknown activation name raises ValueError")
def forward_unknown_activation(t):
    X, _, params = random_problem(t.rng(403), SMALL_SIZES, SMALL_ACTS, 3)
    t.expect_error("ValueError", X, params, ["sigmoid", "softplus"],
                   what="activation 'softplus'")


@check("forward", "its cache holds what backward reads: each layer's A[l-1] and Z[l] (judged "
       "with your backward, once forward's output is right)", 2)
def forward_cache_holds_what_backward_reads(t):
    X, Y, params = random_problem(t.rng(405), DEEP_SIZES, DEEP_ACTS, 4)
    try:
        fc = forward_cache_checked(t, X, params, DEEP_ACTS)
    except CheckFailed as exc:
        raise NotJudged(f"not judged yet: forward's output must be right first. {exc}") from None
    try:
        judged = judged_on_forward_cache(
            t, fc, lambda fixes: _judge_backward(t, X, Y, params, DEEP_ACTS, fixes))
    except CheckFailed:
        return  # backward's own mistake, charged in backward's checks: none seen in the cache
    if judged.fault:
        raise CheckFailed(judged.fault)


def _check_backward(t, X, Y, params, acts):
    fc = forward_cache_checked(t, X, params, acts)
    with noted(fc.note):
        return judged_on_forward_cache(
            t, fc, lambda fixes: _judge_backward(t, X, Y, params, acts, fixes)).value


def _judge_backward(t, X, Y, params, acts, fixes=()):
    """backward's gradients on the cache stored as "fw", judged against this network's."""
    got = t.call(Y, params, Ref("fw", 1), acts, function="backward", fixes=fixes)
    expected = oracle.network_gradients(X, Y, params, acts)
    expect_dict_of = gradient_mistakes(expected, X.shape[1])
    if not isinstance(got, dict):
        raise CheckFailed(f"backward must return a dict of gradients, got {describe(got)}")
    missing = [k for k in expected if k not in got]
    if missing:
        raise CheckFailed(f"grads is missing {missing} (keys must be dW1, db1, ...); got "
                          f"{sorted(map(str, got))}")
    for key in sorted(expected, key=lambda k: (-int(k[2:]), k)):  # last layer first
        expect_array(got[key], expected[key], f'grads["{key}"]', m=X.shape[1],
                     mistakes=expect_dict_of[key])
    return got


@check("backward", f"the worked example: dW2[0,0] = {oracle.WORKED_DW2[0, 0]:.9g}, "
       f"dW1[0,0] = {oracle.WORKED_DW1[0, 0]:.9g}, ...", 2, public=True)
def backward_worked_example(t):
    _check_backward(t, oracle.WORKED_X, oracle.WORKED_Y, oracle.WORKED_PARAMS, WORKED_ACTS)


@check("backward", "gradient check of a 3-layer relu/sigmoid/linear network, batch of 6", 3,
       public=True)
def backward_three_layers(t):
    X, Y, params = random_problem(t.rng(411), DEEP_SIZES, DEEP_ACTS, 6)
    _check_backward(t, X, Y, params, DEEP_ACTS)


@check("backward", "gradient check with a single example (m = 1)")
def backward_single_example(t):
    X, Y, params = random_problem(t.rng(412), SMALL_SIZES, SMALL_ACTS, 1)
    _check_backward(t, X, Y, params, SMALL_ACTS)


@check("backward", "the same cache twice gives the same gradients (the cache is not modified)")
def backward_keeps_the_cache(t):
    X, Y, params = random_problem(t.rng(413), DEEP_SIZES, DEEP_ACTS, 4)
    fc = forward_cache_checked(t, X, params, DEEP_ACTS)
    with noted(fc.note):
        judged = judged_on_forward_cache(
            t, fc, lambda fixes: _judge_backward(t, X, Y, params, DEEP_ACTS, fixes))
        first = judged.value
        second = t.call(Y, params, Ref("fw", 1), DEEP_ACTS, fixes=judged.fixes)
        if not isinstance(second, dict) or any(
            not isinstance(second.get(k), np.ndarray) or not np.array_equal(first[k], second[k])
            for k in first
        ):
            raise CheckFailed("a second backward call with the same cache gave different "
                              "gradients: backward must not modify the cache.")


def _check_lag(t, X, Y, params, acts):
    got = expect_tuple(t.call(X, Y, params, acts), 2, "loss_and_gradients")
    J = oracle.network_cost(X, Y, params, acts)
    m = X.shape[1]
    expect_float(got[0], J, "J", mistakes=[
        (2 * J, "the 1/2 of the MSE is missing."),
        (J / m, f"J is m = {m} times too small: it is averaged over the batch once, not twice."),
        (J * m, f"J is m = {m} times too large: average the per-example losses over the batch."),
    ] if m > 1 else [(2 * J, "the 1/2 of the MSE is missing.")])
    grads = got[1]
    if not isinstance(grads, dict):
        raise CheckFailed(f"the second value must be the dict of gradients, got {describe(grads)}")
    expected = oracle.network_gradients(X, Y, params, acts)
    mistakes = gradient_mistakes(expected, X.shape[1])
    for key, value in expected.items():
        expect_array(grads.get(key), value, f'grads["{key}"]', m=X.shape[1],
                     mistakes=mistakes[key])


@check("loss_and_gradients", "J and every gradient of a 2-layer network on a batch of 8", 2, public=True)
def loss_and_gradients_two_layers(t):
    X, Y, params = random_problem(t.rng(421), [3, 4, 2], ["sigmoid", "sigmoid"], 8)
    _check_lag(t, X, Y, params, ["sigmoid", "sigmoid"])


@check("loss_and_gradients", f"the worked example: J = {oracle.WORKED_LOSS} and its gradients")
def loss_and_gradients_worked_example(t):
    _check_lag(t, oracle.WORKED_X, oracle.WORKED_Y, oracle.WORKED_PARAMS, WORKED_ACTS)


@check("loss_and_gradients", "a 3-layer relu/sigmoid/linear network with m = 1")
def loss_and_gradients_single_example(t):
    X, Y, params = random_problem(t.rng(422), DEEP_SIZES, DEEP_ACTS, 1)
    _check_lag(t, X, Y, params, DEEP_ACTS)


def _gradients_shaped_like(grads, params: dict, not_a_dict: str) -> dict:
    """grads' arrays as floats, one per parameter with its shape; ``not_a_dict`` says what was due."""
    if not isinstance(grads, dict):
        raise CheckFailed(f"{not_a_dict}, got {describe(grads)}")
    shaped = {}
    for key, value in params.items():
        g = grads.get("d" + key)
        if not isinstance(g, np.ndarray) or g.shape != value.shape:
            raise CheckFailed(f'grads["d{key}"] should have shape {value.shape}, got {describe(g)}')
        shaped[key] = g.astype(float)
    return shaped


@check("loss_and_gradients", "a wider 20-30-10 network, batch of 16: directional derivatives and "
       "sampled coordinates")
def loss_and_gradients_wide_network(t):
    rng = t.rng(423)
    sizes, acts = [20, 30, 10], ["sigmoid", "linear"]
    params = oracle.random_params(rng, sizes, scale=0.3)
    X, Y = rng.normal(0, 1, (20, 16)), rng.normal(0, 1, (10, 16))
    got = expect_tuple(t.call(X, Y, params, acts), 2, "loss_and_gradients")
    grads = got[1]
    shaped = _gradients_shaped_like(
        grads, params, "the second value must be the dict of gradients")

    def cost(p):
        return oracle.network_cost(X, Y, p, acts)

    for key, index, slope in oracle.sampled_coordinates(cost, params, rng):
        value = float(shaped[key][index])
        if not abs(value - slope) <= RTOL * abs(slope) + DIFFERENCE_NOISE:  # NaN fails too
            ratio = value / slope if slope else float("nan")
            m = X.shape[1]
            hint = (f" It is m = {m} times too large: average over the mini-batch (1/m)."
                    if abs(ratio - m) < 1e-2 * m else
                    f" It is m = {m} times too small: the 1/m is applied once, in linear_backward."
                    if abs(ratio * m - 1) < 1e-2 else
                    f" It is about {ratio:.3g} times the right value." if abs(ratio) > 1.5
                    or abs(ratio) < 0.7 else "")
            raise CheckFailed(f'grads["d{key}"]{list(index)} is {value:.6g}, expected {slope:.6g} '
                              f"(finite differences).{hint}")
    for u, slope in oracle.directional_derivatives(cost, params, rng):
        value = sum(float(np.sum(shaped[k] * u[k])) for k in params)
        if not abs(value - slope) <= RTOL * abs(slope) + DIRECTIONAL_NOISE:
            raise CheckFailed(f"along a random direction the gradients give a slope of "
                              f"{value:.6g}, finite differences {slope:.6g}.")


@check("forward", "does not modify X, params or activations (judged once its output is right)",
       public=True)
def forward_leaves_inputs_unchanged(t):
    X, _, params = random_problem(t.rng(404), DEEP_SIZES, DEEP_ACTS, 4)
    expected = oracle.network_output(X, params, DEEP_ACTS)
    t.expect_inputs_unchanged(X, params, list(DEEP_ACTS), judge=lambda got: expect_array(
        expect_tuple(got, 2, "forward")[0], expected, "Y_hat"))


def _expect_grads_dict(got, expected):
    if not isinstance(got, dict):
        raise CheckFailed(f"expected a dict of gradients, got {describe(got)}")
    for key, value in expected.items():
        expect_array(got.get(key), value, f'grads["{key}"]')


@check("backward", "does not modify Y, params or activations (judged once its gradients are "
       "right)", public=True)
def backward_leaves_inputs_unchanged(t):
    X, Y, params = random_problem(t.rng(414), DEEP_SIZES, DEEP_ACTS, 4)
    fc = forward_cache_checked(t, X, params, DEEP_ACTS)
    expected = oracle.network_gradients(X, Y, params, DEEP_ACTS)
    with noted(fc.note):
        judged_on_forward_cache(t, fc, lambda fixes: t.expect_inputs_unchanged(
            Y, params, Ref("fw", 1), list(DEEP_ACTS), fixes=fixes,
            judge=lambda got: _expect_grads_dict(got, expected)))


@check("loss_and_gradients", "does not modify X, Y, params or activations (judged once its "
       "values are right)", public=True)
def loss_and_gradients_leaves_inputs_unchanged(t):
    X, Y, params = random_problem(t.rng(424), DEEP_SIZES, DEEP_ACTS, 4)
    J = oracle.network_cost(X, Y, params, DEEP_ACTS)
    expected = oracle.network_gradients(X, Y, params, DEEP_ACTS)

    def judge(got):
        got = expect_tuple(got, 2, "loss_and_gradients")
        expect_float(got[0], J, "J")
        _expect_grads_dict(got[1], expected)

    t.expect_inputs_unchanged(X, Y, params, list(DEEP_ACTS), judge=judge)


# A network of 91,410 parameters: backpropagation takes milliseconds, numerical
# differentiation (two forward passes per parameter) minutes.
BIG_SIZES, BIG_ACTS = [200, 300, 100, 10], ["relu", "sigmoid", "linear"]


def not_numerical(t, function: str, what: str, call) -> object:
    """``call()``, failed with the reason when it times out or floods the grader's callees:
    work that grows with the number of parameters is numerical differentiation."""
    try:
        return call()
    except CheckFailed as exc:
        slow = (getattr(getattr(exc, "result", None), "timed_out", False)
                or "called the functions it relies on more than" in str(exc))
        if not slow:
            raise
        raise CheckFailed(
            f"{function} did not finish on {what} within the time limit. Backpropagation "
            "computes every gradient in about the time of two forward passes (milliseconds "
            "here); numerical differentiation needs two forward passes per parameter (minutes "
            "here). Compute the gradients with the chain rule, layer by layer, not with finite "
            "differences (gradcheck.numerical_gradient is for checking your backward, not for "
            "replacing it).") from None


@functools.lru_cache(maxsize=2)
def _big_network(seed):
    """The 91,410-parameter problem and the slope of its cost along one random direction: the
    same for every submission, so made once per grading process (and read-only)."""
    rng = np.random.default_rng(seed)
    params = oracle.random_params(rng, BIG_SIZES, scale=0.05)
    X, Y = rng.normal(0, 1, (BIG_SIZES[0], 8)), rng.normal(0, 1, (BIG_SIZES[-1], 8))
    [(u, slope)] = oracle.directional_derivatives(
        lambda p: oracle.network_cost(X, Y, p, BIG_ACTS), params, rng, directions=1)
    return oracle.read_only((params, X, Y, u)), slope


@check("backward", "backpropagation, not numerical differentiation: a network of 91,410 "
       "parameters in time", 3)
def backward_is_backpropagation(t):
    (params, X, Y, u), slope = _big_network(416)
    fc = forward_cache_checked(t, X, params, BIG_ACTS)

    def judge(fixes):
        got = not_numerical(t, "backward", "a network of 91,410 parameters",
                            lambda: t.call(Y, params, Ref("fw", 1), BIG_ACTS, fixes=fixes))
        shaped = _gradients_shaped_like(got, params, "backward must return a dict of gradients")
        value = sum(float(np.sum(shaped[k] * u[k])) for k in params)
        if not abs(value - slope) <= 1e-3 * abs(slope) + 1e-6:  # NaN fails too
            raise CheckFailed(f"along a random direction the gradients give a slope of "
                              f"{value:.6g}, finite differences {slope:.6g}.")

    judged_on_forward_cache(t, fc, judge)
