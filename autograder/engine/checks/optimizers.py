"""Checks of backprop/optimizers.py: single steps from given states, and invariants."""

import numpy as np

from autograder.engine import oracle
from autograder.engine.compare import CheckFailed, describe, expect_array, expect_tuple
from autograder.engine.framework import check

SIZES = [3, 2, 1]


def _params(rng):
    params = {}
    for l in range(1, len(SIZES)):
        params[f"W{l}"] = rng.normal(0, 1, (SIZES[l], SIZES[l - 1]))
        params[f"b{l}"] = rng.normal(0, 1, (SIZES[l], 1))
    return params


def _like(rng, params, scale=1.0, positive=False):
    out = {"d" + k: rng.normal(0, scale, v.shape) for k, v in params.items()}
    return {k: np.abs(v) for k, v in out.items()} if positive else out


def _parts(got, n, name):
    got = (got,) if n == 1 else expect_tuple(got, n, name)
    for part in got:
        if not isinstance(part, dict):
            raise CheckFailed(f"{name} must return dicts, got {describe(part)}")
    return got


def _expect(got, expected, name, mistakes=None):
    for key, value in expected.items():
        if key not in got:
            raise CheckFailed(f'{name} has no key "{key}" (it has {sorted(map(str, got))}).')
        expect_array(got[key], value, f'{name}["{key}"]',
                     mistakes=[(alt[key], text) for alt, text in mistakes or []])


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
    rng = t.rng(511)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params, 0.5)
    lr, beta = 0.1, 0.9
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
    beta = 0.9
    for step in range(1, 13):
        params, v = _parts(t.call(params, grads, v, 0.05), 2, "momentum_update")
        _expect(v, {k: (1 - beta**step) * g for k, g in grads.items()}, f"v after {step} steps")


@check("momentum_update", "beta given as a keyword is used")
def momentum_update_beta_keyword(t):
    rng = t.rng(513)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params)
    _, new_v = _parts(t.call(params, grads, v, 0.1, kwargs={"beta": 0.5}), 2, "momentum_update")
    _expect(new_v, {k: 0.5 * v[k] + 0.5 * grads[k] for k in v}, "v with beta=0.5")


@check("rmsprop_update", "one step from a nonzero s: s <- beta s + (1-beta) g^2, theta step", 2, public=True)
def rmsprop_update_step(t):
    rng = t.rng(521)
    params = _params(rng)
    grads, s = _like(rng, params), _like(rng, params, 0.5, positive=True)
    lr, beta = 0.01, 0.9
    new_p, new_s = _parts(t.call(params, grads, s, lr, kwargs={"beta": beta}), 2, "rmsprop_update")
    exp_p, exp_s = oracle.rmsprop_step(params, grads, s, lr, beta)
    _expect(new_s, exp_s, "s", mistakes=[
        ({k: beta * s[k] + (1 - beta) * grads[k] for k in s},
         "the gradient must be squared (element-wise): s <- beta s + (1 - beta) g^2."),
        ({k: beta * s[k] + (1 - beta) * np.abs(grads[k]) for k in s}, "square g, not |g|."),
    ])
    _expect(new_p, exp_p, "params", mistakes=[
        ({k: p - lr * grads["d" + k] / (exp_s["d" + k] + 1e-8) for k, p in params.items()},
         "divide by the square root of s: theta - lr g / (sqrt(s) + eps)."),
        ({k: p - lr * grads["d" + k] / (np.sqrt(s["d" + k]) + 1e-8) for k, p in params.items()},
         "the step used the old s: update s first."),
    ])


@check("rmsprop_update", "five steps with changing gradients and the default beta", 2)
def rmsprop_update_five_steps(t):
    rng = t.rng(522)
    params = _params(rng)
    s = {"d" + k: np.zeros_like(v) for k, v in params.items()}
    for step in range(1, 6):
        grads = _like(rng, params)
        new_p, new_s = _parts(t.call(params, grads, s, 0.002), 2, "rmsprop_update")
        exp_p, exp_s = oracle.rmsprop_step(params, grads, s, 0.002, 0.999)
        _expect(new_s, exp_s, f"s at step {step}")
        _expect(new_p, exp_p, f"params at step {step}")
        params, s = exp_p, exp_s


@check("rmsprop_update", "the first step from s = 0 moves each coordinate by lr / sqrt(1 - beta)")
def rmsprop_update_first_step_size(t):
    rng = t.rng(523)
    params = _params(rng)
    grads = _like(rng, params)
    s = {k: np.zeros_like(g) for k, g in grads.items()}
    lr, beta = 0.001, 0.99
    new_p, _ = _parts(t.call(params, grads, s, lr, kwargs={"beta": beta}), 2, "rmsprop_update")
    for k, p in params.items():
        step = np.abs(np.asarray(new_p.get(k), dtype=float) - p) if k in new_p else None
        if step is None or step.shape != p.shape or not np.allclose(
            step, lr / np.sqrt(1 - beta), rtol=1e-4, atol=0
        ):
            shown = describe(new_p.get(k)) if step is None else step.ravel()[:3]
            raise CheckFailed(
                f"the first step of {k} is {shown}, expected lr / sqrt(1 - beta) = "
                f"{lr / np.sqrt(1 - beta):.6g} per coordinate (g / sqrt((1 - beta) g^2))."
            )


@check("adam_update", "the first step (t = 1) moves every coordinate by about lr", 2, public=True)
def adam_update_first_step_size(t):
    rng = t.rng(531)
    params = _params(rng)
    grads = _like(rng, params)
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    lr = 0.01
    new_p, _, _ = _parts(t.call(params, grads, zeros, zeros, 1, kwargs={"lr": lr}), 3,
                         "adam_update")
    for k, p in params.items():
        got = new_p.get(k)
        if not isinstance(got, np.ndarray) or got.shape != p.shape:
            raise CheckFailed(f'params["{k}"] is {describe(got)}, expected shape {p.shape}')
        step = np.abs(got.astype(float) - p)
        if not np.allclose(step, lr, rtol=1e-4, atol=0):
            ratio = float(np.median(step) / lr)
            hint = (" It is about 3.16 lr: the bias correction is missing (v_hat = v / (1 - "
                    "beta1^t), s_hat = s / (1 - beta2^t))." if abs(ratio - 0.1 / np.sqrt(1e-3))
                    < 0.05 else " Check the bias correction and that t starts at 1.")
            raise CheckFailed(f"first Adam step is not ≈ lr: |step| of {k} is {step.ravel()[:3]}"
                              f" for lr = {lr}.{hint}")


@check("adam_update", "ten steps with changing gradients, t = 1..10, from given states", 2,
       public=True)
def adam_update_ten_steps(t):
    rng = t.rng(532)
    params = _params(rng)
    v = {"d" + k: np.zeros_like(p) for k, p in params.items()}
    s = dict(v)
    lr = 0.005
    for step in range(1, 11):
        grads = _like(rng, params)
        got = _parts(t.call(params, grads, v, s, step, kwargs={"lr": lr}), 3, "adam_update")
        exp = oracle.adam_step(params, grads, v, s, step, lr)
        _expect(got[0], exp[0], f"params at t = {step}", mistakes=[
            (oracle.adam_step(params, grads, v, s, step, lr, bias_correction=False)[0],
             "the bias correction is missing: v_hat = v / (1 - beta1^t), s_hat = s / (1 - beta2^t)."),
            (oracle.adam_step(params, grads, v, s, step + 1, lr)[0],
             "the bias correction uses t + 1: t already counts from 1."),
        ])
        params, v, s = exp


@check("adam_update", "returns the moving averages v and s themselves (not bias-corrected)")
def adam_update_returns_raw_averages(t):
    rng = t.rng(533)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params, 0.3)
    s = _like(rng, params, 0.3, positive=True)
    got = _parts(t.call(params, grads, v, s, 3), 3, "adam_update")
    _, exp_v, exp_s = oracle.adam_step(params, grads, v, s, 3, 0.001)
    _expect(got[1], exp_v, "v", mistakes=[
        ({k: x / (1 - 0.9**3) for k, x in exp_v.items()},
         "you returned the bias-corrected v_hat: return v; the correction only enters the step.")])
    _expect(got[2], exp_s, "s", mistakes=[
        ({k: x / (1 - 0.999**3) for k, x in exp_s.items()},
         "you returned the bias-corrected s_hat: return s; the correction only enters the step.")])


@check("adam_update", "lr, beta1, beta2 and eps given as keywords are used")
def adam_update_keywords(t):
    rng = t.rng(534)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params, 0.3)
    s = _like(rng, params, 0.3, positive=True)
    hyper = {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
    got = _parts(t.call(params, grads, v, s, 4, kwargs=hyper), 3, "adam_update")
    exp = oracle.adam_step(params, grads, v, s, 4, hyper["lr"], hyper["beta1"], hyper["beta2"],
                     hyper["eps"])
    for part, name in zip(range(3), ("params", "v", "s")):
        _expect(got[part], exp[part], f"{name} with lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6")
