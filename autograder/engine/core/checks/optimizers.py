"""Checks of backprop/optimizers.py: single steps from given states, and invariants."""

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.compare import (
    ATOL_SCALE,
    RTOL,
    STEP_RTOL,
    CheckFailed,
    close,
    describe,
    expect_array,
    expect_tuple,
    preview,
)
from autograder.engine.core.contract import defaults
from autograder.engine.core.framework import check

# The contract's default hyperparameters (what a student who hard-codes them uses).
ADAM, RMSPROP = defaults("adam_update"), defaults("rmsprop_update")
MOMENTUM_BETA = defaults("momentum_update")["beta"]

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


def _label(name, key, setting):
    """How feedback names one array: the array, then the setting ("W1 with eps = 0.1")."""
    return (key if name == "params" else f'{name}["{key}"]') + (f" {setting}" if setting else "")


def _expect(got, expected, name, mistakes=None, start=None, setting=""):
    """Compare dicts of arrays key by key; with ``start`` (the params before the step), compare
    the steps new - start, so a mistake in a small step is not hidden by the size of params,
    and say how the step differs when no known mistake matches. ``setting`` says under which
    inputs (e.g. "with eps = 0.1"); feedback names the array first, then the setting."""
    for key, value in expected.items():
        if key not in got:
            raise CheckFailed(f'{name} has no key "{key}" (it has {sorted(map(str, got))}).')
        if start is None:
            expect_array(got[key], value, _label(name, key, setting),
                         mistakes=[(alt[key], text) for alt, text in mistakes or []])
            continue
        base = start[key.removeprefix("d")] if key not in start else start[key]
        arr = got[key]
        if isinstance(arr, np.ndarray) and arr.dtype.kind in "biuf" and arr.shape == base.shape:
            if arr.dtype.itemsize < 8 and _within_rounding(arr, value, base):
                continue
            arr = arr.astype(float) - base
        try:
            expect_array(arr, value - base, f"the step of {_label(name, key, setting)}",
                         mistakes=[(alt[key] - base, text) for alt, text in mistakes or []])
        except CheckFailed as exc:
            named = "Likely mistake" in str(exc)
            raise CheckFailed(f"{exc}{'' if named else _step_ratio(arr, value - base)}") from None


def _within_rounding(got, expected, base):
    """Right up to the rounding of params in the student's (lower) precision: a float32 param
    of size 1 cannot hold a step of 1e-5 to better than about 1e-7."""
    resolution = np.finfo(got.dtype).eps if got.dtype.kind == "f" else 0.0
    step, exp_step = got.astype(float) - base, expected - base
    tol = RTOL * np.abs(exp_step) + ATOL_SCALE * np.max(np.abs(exp_step)) + 2 * resolution * (
        np.abs(base) + np.abs(expected))
    return bool(np.all(np.abs(step - exp_step) <= tol))


def _step_ratio(got, expected):
    """' The step is about k times the expected one.' when it is, or '' (a known mistake
    already named, or no single ratio)."""
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return ""
    mask = np.abs(expected) > 0
    if not mask.any() or not np.all(np.isfinite(got)):
        return ""
    ratios = got[mask] / expected[mask]
    k = float(np.median(ratios))
    if k > 0 and np.all(np.abs(ratios - k) <= 0.05 * abs(k)):
        return f" The step is about {k:.3g} times the expected step in every coordinate."
    return (f" The steps are {preview(ratios)} times the expected ones: not a constant factor, "
            "so compare your formula term by term with the contract's.")


# Adam and RMSProp as students really write them wrong: eps inside the square root or left
# out, a hard-coded eps, beta**2 where beta**t belongs, the square root missing, no bias
# correction. A hint names one of these only when the answer matches it.
EPS_INSIDE = ("eps is inside the square root: divide by (sqrt(s_hat) + eps), not sqrt(s_hat + eps). "
              "It matters where gradients are tiny.")
EPS_IGNORED = "eps is missing from the denominator: divide by (sqrt(s_hat) + eps)."
EPS_HARD_CODED = ("the eps argument is not used (eps seems hard-coded to 1e-8, or left out): use "
                  "the eps the function is given, as sqrt(s_hat) + eps.")
EPS_HARD_CODED_INSIDE = ("the eps argument is not used (hard-coded 1e-8), and it is inside the "
                         "square root: use the given eps, as sqrt(s_hat) + eps.")
NO_SQRT = "the square root is missing: divide by sqrt(s_hat) + eps, not s_hat + eps."


def _adam(params, grads, v, s, t, lr, beta1=ADAM["beta1"], beta2=ADAM["beta2"], eps=ADAM["eps"], *,
          place="outside",
          power1=None, power2=None, root=True, correct=True):
    """Adam with one of the mistakes above (the defaults give the contract's Adam)."""
    new_v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    new_s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    p1, p2 = power1 or t, power2 or t
    c1, c2 = (1 - beta1**p1, 1 - beta2**p2) if correct else (1.0, 1.0)
    new_p = {}
    with np.errstate(all="ignore"):
        for k, p in params.items():
            s_hat = new_s["d" + k] / c2
            root_of = np.sqrt if root else (lambda x: x)
            den = {"outside": root_of(s_hat) + eps, "inside": root_of(s_hat + eps),
                   "none": root_of(s_hat)}[place]
            new_p[k] = p - lr * (new_v["d" + k] / c1) / den
    return new_p, new_v, new_s


def _adam_mistakes(params, grads, v, s, t, lr, beta1=ADAM["beta1"], beta2=ADAM["beta2"],
                   eps=ADAM["eps"]):
    def alt(**kw):
        return _adam(params, grads, v, s, t, lr, beta1, beta2, **{"eps": eps, **kw})[0]

    out = []
    if eps != ADAM["eps"]:  # first: with a large eps, no eps and a hard-coded 1e-8 look the same
        out += [(alt(eps=ADAM["eps"]), EPS_HARD_CODED),
                (alt(eps=ADAM["eps"], place="inside"), EPS_HARD_CODED_INSIDE)]
    out += [(alt(place="inside"), EPS_INSIDE), (alt(place="none"), EPS_IGNORED)]
    out += [
        (alt(correct=False), "the bias correction is missing: v_hat = v / (1 - beta1^t), "
                             "s_hat = s / (1 - beta2^t)."),
        (alt(power1=t + 1, power2=t + 1), "the bias correction uses t + 1: t already counts "
                                          "from 1."),
    ]
    if t != 2:
        out += [
            (alt(power1=2, power2=2), "the bias correction uses beta**2 where beta**t belongs: "
                                      "1 - beta1**t and 1 - beta2**t."),
            (alt(power2=2), "s_hat uses 1 - beta2**2 where 1 - beta2**t belongs."),
            (alt(power2=2, root=False), "s_hat uses 1 - beta2**2 where 1 - beta2**t belongs, "
                                        "and " + NO_SQRT),
        ]
    out += [(alt(root=False), NO_SQRT)]
    return out


def _rmsprop(params, grads, s, lr, beta=RMSPROP["beta"], eps=RMSPROP["eps"], *, place="outside",
             root=True):
    new_s = {k: beta * s[k] + (1 - beta) * grads[k] ** 2 for k in s}
    new_p = {}
    with np.errstate(all="ignore"):
        for k, p in params.items():
            root_of = np.sqrt if root else (lambda x: x)
            den = {"outside": root_of(new_s["d" + k]) + eps,
                   "inside": root_of(new_s["d" + k] + eps),
                   "none": root_of(new_s["d" + k])}[place]
            new_p[k] = p - lr * grads["d" + k] / den
    return new_p, new_s


def _rmsprop_mistakes(params, grads, s, lr, beta=RMSPROP["beta"], eps=RMSPROP["eps"]):
    def alt(**kw):
        return _rmsprop(params, grads, s, lr, beta, **{"eps": eps, **kw})[0]

    out = []
    if eps != RMSPROP["eps"]:  # first: with a large eps, no eps and a hard-coded 1e-8 look the same
        out += [(alt(eps=RMSPROP["eps"]), EPS_HARD_CODED.replace("s_hat", "s")),
                (alt(eps=RMSPROP["eps"], place="inside"), EPS_HARD_CODED_INSIDE.replace("s_hat", "s"))]
    out += [(alt(place="inside"), EPS_INSIDE.replace("s_hat", "s")),
            (alt(place="none"), EPS_IGNORED.replace("s_hat", "s"))]
    with np.errstate(all="ignore"):
        old_s = {k: p - lr * grads["d" + k] / (np.sqrt(s["d" + k]) + eps)
                 for k, p in params.items()}
    return out + [(alt(root=False), NO_SQRT.replace("s_hat", "s")),
                  (old_s, "the step used the old s: update s first.")]


def _tiny(rng, params):
    """Gradients of magnitude 1e-6 to 1e-4 with random signs, keyed like the gradients."""
    return {"d" + k: rng.choice([-1.0, 1.0], v.shape) * 10.0 ** rng.uniform(-6, -4, v.shape)
            for k, v in params.items()}


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
    rng = t.rng(513)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params)
    _, new_v = _parts(t.call(params, grads, v, 0.1, kwargs={"beta": 0.5}), 2, "momentum_update")
    _expect(new_v, {k: 0.5 * v[k] + 0.5 * grads[k] for k in v}, "v", setting="with beta = 0.5")


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
    _expect(new_p, exp_p, "params", _rmsprop_mistakes(params, grads, s, lr, beta), start=params)


@check("rmsprop_update", "five steps with changing gradients and the default beta", 2)
def rmsprop_update_five_steps(t):
    rng = t.rng(522)
    params = _params(rng)
    s = {"d" + k: np.zeros_like(v) for k, v in params.items()}
    for step in range(1, 6):
        grads = _like(rng, params)
        new_p, new_s = _parts(t.call(params, grads, s, 0.002), 2, "rmsprop_update")
        exp_p, exp_s = oracle.rmsprop_step(params, grads, s, 0.002, RMSPROP["beta"])
        _expect(new_s, exp_s, "s", setting=f"at step {step}")
        _expect(new_p, exp_p, "params", setting=f"at step {step}")
        params, s = exp_p, exp_s


@check("rmsprop_update", "the first step from s = 0 moves each coordinate by lr / sqrt(1 - beta)")
def rmsprop_update_first_step_size(t):
    rng = t.rng(523)
    params = _params(rng)
    grads = _like(rng, params)
    s = {k: np.zeros_like(g) for k, g in grads.items()}
    lr, beta = 0.001, 0.99
    new_p, _ = _parts(t.call(params, grads, s, lr, kwargs={"beta": beta}), 2, "rmsprop_update")
    mistakes = _rmsprop_mistakes(params, grads, s, lr, beta)
    for k, p in params.items():
        got = new_p.get(k)
        if not isinstance(got, np.ndarray) or got.shape != p.shape or got.dtype.kind not in "iuf":
            raise CheckFailed(f'params["{k}"] is {describe(got)}, expected shape {p.shape}')
        step = np.abs(got.astype(float) - p)
        if not np.allclose(step, lr / np.sqrt(1 - beta), rtol=STEP_RTOL, atol=0):
            diagnosis = next((text for alt, text in mistakes if close(got, alt[k])), "")
            raise CheckFailed(
                f"the first step of {k} is {preview(step)}, expected lr / sqrt(1 - beta) = "
                f"{lr / np.sqrt(1 - beta):.6g} per coordinate (g / sqrt((1 - beta) g^2)); it is "
                f"about {float(np.median(step)) / (lr / np.sqrt(1 - beta)):.3g} times that."
                + (f" Likely mistake: {diagnosis}" if diagnosis else "")
            )


@check("rmsprop_update", "tiny gradients (1e-6 to 1e-4) from s = 0: eps is added outside the "
       "square root")
def rmsprop_update_tiny_gradients(t):
    rng = t.rng(524)
    params = _params(rng)
    grads = _tiny(rng, params)
    s = {k: np.zeros_like(g) for k, g in grads.items()}
    lr = 0.001
    new_p, _ = _parts(t.call(params, grads, s, lr), 2, "rmsprop_update")
    _expect(new_p, oracle.rmsprop_step(params, grads, s, lr)[0], "params",
            _rmsprop_mistakes(params, grads, s, lr), start=params)


@check("rmsprop_update", "a large eps (0.1) given as a keyword is used, outside the square root")
def rmsprop_update_large_eps(t):
    rng = t.rng(525)
    params = _params(rng)
    grads, s = _like(rng, params, 0.3), _like(rng, params, 0.05, positive=True)
    lr, beta = 0.01, 0.9
    new_p, _ = _parts(t.call(params, grads, s, lr, kwargs={"beta": beta, "eps": 0.1}), 2,
                      "rmsprop_update")
    _expect(new_p, oracle.rmsprop_step(params, grads, s, lr, beta, eps=0.1)[0],
            "params", _rmsprop_mistakes(params, grads, s, lr, beta, eps=0.1), start=params,
            setting="with eps = 0.1")


@check("adam_update", "the first step (t = 1) moves every coordinate by about lr", 2, public=True)
def adam_update_first_step_size(t):
    rng = t.rng(531)
    params = _params(rng)
    grads = _like(rng, params)
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    lr = 0.01
    new_p, _, _ = _parts(t.call(params, grads, zeros, zeros, 1, kwargs={"lr": lr}), 3,
                         "adam_update")
    expected = oracle.adam_step(params, grads, zeros, zeros, 1, lr)[0]
    mistakes = _adam_mistakes(params, grads, zeros, zeros, 1, lr)
    for k, p in params.items():
        got = new_p.get(k)
        if not isinstance(got, np.ndarray) or got.shape != p.shape or got.dtype.kind not in "iuf":
            raise CheckFailed(f'params["{k}"] is {describe(got)}, expected shape {p.shape}')
        if close(got.astype(float), expected[k]):
            continue
        step = np.abs(got.astype(float) - p)
        diagnosis = next((text for alt, text in mistakes if close(got.astype(float), alt[k])), "")
        raise CheckFailed(
            f"first Adam step is not ≈ lr: |step| of {k} is {preview(step)} for lr = {lr}, "
            f"i.e. about {float(np.median(step)) / lr:.3g}·lr where about lr was expected."
            + (f" Likely mistake: {diagnosis}" if diagnosis else "")
        )


@check("adam_update", "tiny gradients (1e-6 to 1e-4) from v = s = 0: the step is lr g / (|g| + "
       "eps), eps outside the square root", 2)
def adam_update_tiny_gradients(t):
    rng = t.rng(535)
    params = _params(rng)
    grads = _tiny(rng, params)
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    lr = 0.01
    new_p, _, _ = _parts(t.call(params, grads, zeros, zeros, 1, kwargs={"lr": lr}), 3,
                         "adam_update")
    _expect(new_p, oracle.adam_step(params, grads, zeros, zeros, 1, lr)[0], "params",
            _adam_mistakes(params, grads, zeros, zeros, 1, lr), start=params)


@check("adam_update", "a large eps (0.1) given as a keyword is used, outside the square root")
def adam_update_large_eps(t):
    rng = t.rng(536)
    params = _params(rng)
    grads, v = _like(rng, params, 0.3), _like(rng, params, 0.1)
    s = _like(rng, params, 0.05, positive=True)
    hyper = {"lr": 0.01, "eps": 0.1}
    new_p, _, _ = _parts(t.call(params, grads, v, s, 3, kwargs=hyper), 3, "adam_update")
    _expect(new_p, oracle.adam_step(params, grads, v, s, 3, 0.01, eps=0.1)[0],
            "params", _adam_mistakes(params, grads, v, s, 3, 0.01, eps=0.1), start=params,
            setting="with eps = 0.1")


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
        _expect(got[0], exp[0], "params", _adam_mistakes(params, grads, v, s, step, lr),
                start=params, setting=f"at t = {step}")
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
        ({k: x / (1 - ADAM["beta1"]**3) for k, x in exp_v.items()},
         "you returned the bias-corrected v_hat: return v; the correction only enters the step.")])
    _expect(got[2], exp_s, "s", mistakes=[
        ({k: x / (1 - ADAM["beta2"]**3) for k, x in exp_s.items()},
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
        _expect(got[part], exp[part], name,
                setting="with lr = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-6")


def _unchanged(t, *args, expected, names, kwargs=None):
    """The function's inputs-unchanged check: right values first, then unchanged arguments."""
    def judge(got):
        parts = _parts(got, len(expected), t.function)
        for part, exp, name in zip(parts, expected, names):
            _expect(part, exp, name)

    t.expect_inputs_unchanged(*args, kwargs=kwargs, judge=judge)


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
    rng = t.rng(514)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params, 0.5)
    new_v = {k: 0.9 * v[k] + 0.1 * grads[k] for k in v}
    _unchanged(t, params, grads, v, 0.1, names=["params", "v"],
               expected=[{k: p - 0.1 * new_v["d" + k] for k, p in params.items()}, new_v])


@check("rmsprop_update", "does not modify params, grads or s (judged once its values are right)",
       public=True)
def rmsprop_update_leaves_inputs_unchanged(t):
    rng = t.rng(526)
    params = _params(rng)
    grads, s = _like(rng, params), _like(rng, params, 0.5, positive=True)
    _unchanged(t, params, grads, s, 0.01, names=["params", "s"],
               expected=list(oracle.rmsprop_step(params, grads, s, 0.01)))


@check("adam_update", "does not modify params, grads, v or s (judged once its values are right)",
       public=True)
def adam_update_leaves_inputs_unchanged(t):
    rng = t.rng(537)
    params = _params(rng)
    grads, v = _like(rng, params), _like(rng, params, 0.3)
    s = _like(rng, params, 0.3, positive=True)
    _unchanged(t, params, grads, v, s, 2, names=["params", "v", "s"],
               expected=list(oracle.adam_step(params, grads, v, s, 2, 0.001)))
