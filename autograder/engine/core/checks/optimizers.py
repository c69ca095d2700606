"""Checks of backprop/optimizers.py's sgd_update, init_state and momentum_update: single steps
from given states, and invariants (RMSProp and Adam: checks/rmsprop.py, checks/adam.py)."""

import numpy as np

from autograder.engine.core.checks.optimizer_helpers import (
    MOMENTUM_BETA,
    _expect,
    _inputs,
    _like,
    _params,
    _parts,
    _unchanged,
)
from autograder.engine.core.compare import (
    CheckFailed,
)
from autograder.engine.core.framework import check


@check("sgd_update", "theta - lr * dtheta for every parameter", 2, public=True)
def sgd_update_step(t):
    rng = t.rng(501)
    params, grads = _params(rng), None
    grads = _like(rng, params)
    lr = 0.3
    (new,) = _parts(t.call(params, grads, lr), 1, "sgd_update")
    _expect(new, {k: v - lr * grads["d" + k] for k, v in params.items()}, "params", mistakes=[
        ({k: v + lr * grads["d" + k] for k, v in params.items()},
         "you stepped uphill: theta <- theta - lr * gradient."),
        ({k: v - grads["d" + k] for k, v in params.items()}, "the learning rate is not applied."),
    ])


@check("sgd_update", "returns a dict with exactly the parameter keys")
def sgd_update_keys(t):
    rng = t.rng(502)
    params = _params(rng)
    (new,) = _parts(t.call(params, _like(rng, params), 0.1), 1, "sgd_update")
    if set(new) != set(params):
        raise CheckFailed(f"expected the keys {sorted(params)}, got {sorted(map(str, new))}.")


@check("init_state", 'zeros of each parameter\'s shape, keyed "dW1", "db1", ...', public=True)
def init_state_zeros(t):
    params = _params(t.rng(503))
    (state,) = _parts(t.call(params), 1, "init_state")
    if set(state) == set(params):
        raise CheckFailed('the state is keyed like the parameters ("W1"); key it like the '
                          'gradients: "dW1", "db1", ...')
    _expect(state, {"d" + k: np.zeros_like(v) for k, v in params.items()}, "state")


@check("momentum_update", "one step: v <- beta v + (1 - beta) g, theta <- theta - lr v", 2, public=True)
def momentum_update_step(t):
    params, grads, v = _inputs(t, 511, (1.0, False), (0.5, False))
    lr, beta = 0.1, MOMENTUM_BETA
    new_p, new_v = _parts(t.call(params, grads, v, lr), 2, "momentum_update")
    exp_v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
    _expect(new_v, exp_v, "v", mistakes=[
        ({k: beta * v[k] + grads[k] for k in v},
         "the (1 - beta) factor on the gradient is missing: v <- beta v + (1 - beta) g."),
        ({k: (1 - beta) * v[k] + beta * grads[k] for k in v}, "beta and 1 - beta are swapped."),
    ])
    _expect(new_p, {k: p - lr * exp_v["d" + k] for k, p in params.items()}, "params", mistakes=[
        ({k: p - lr * grads["d" + k] for k, p in params.items()},
         "the step uses the raw gradient: step along the NEW velocity, theta - lr v."),
        ({k: p - lr * v["d" + k] for k, p in params.items()},
         "the step uses the old velocity: update v first, then theta - lr v."),
    ])


@check("momentum_update", "a constant gradient for 12 steps gives v_t = (1 - beta^t) g", 2)
def momentum_update_constant_gradient(t):
    rng = t.rng(512)
    params = _params(rng)
    grads = _like(rng, params)
    v = {k: np.zeros_like(g) for k, g in grads.items()}
    beta = MOMENTUM_BETA
    for step in range(1, 13):
        params, v = _parts(t.call(params, grads, v, 0.05), 2, "momentum_update")
        _expect(v, {k: (1 - beta**step) * g for k, g in grads.items()}, "v",
                setting=f"after {step} steps")


@check("momentum_update", "beta given as a keyword is used")
def momentum_update_beta_keyword(t):
    params, grads, v = _inputs(t, 513, (1.0, False), (1.0, False))
    _, new_v = _parts(t.call(params, grads, v, 0.1, kwargs={"beta": 0.5}), 2, "momentum_update")
    _expect(new_v, {k: 0.5 * v[k] + 0.5 * grads[k] for k in v}, "v", setting="with beta = 0.5")

@check("sgd_update", "does not modify params or grads (judged once its values are right)",
       public=True)
def sgd_update_leaves_inputs_unchanged(t):
    rng = t.rng(504)
    params = _params(rng)
    grads = _like(rng, params)
    _unchanged(t, params, grads, 0.1, names=["params"],
               expected=[{k: v - 0.1 * grads["d" + k] for k, v in params.items()}])


@check("init_state", "does not modify params (judged once its values are right)", public=True)
def init_state_leaves_input_unchanged(t):
    params = _params(t.rng(505))
    _unchanged(t, params, names=["state"],
               expected=[{"d" + k: np.zeros_like(v) for k, v in params.items()}])


@check("momentum_update", "does not modify params, grads or v (judged once its values are right)",
       public=True)
def momentum_update_leaves_inputs_unchanged(t):
    params, grads, v = _inputs(t, 514, (1.0, False), (0.5, False))
    new_v = {k: 0.9 * v[k] + 0.1 * grads[k] for k in v}
    _unchanged(t, params, grads, v, 0.1, names=["params", "v"],
               expected=[{k: p - 0.1 * new_v["d" + k] for k, p in params.items()}, new_v])
