"""Checks of backprop/optimizers.py's adam_update: single steps from given states, and
invariants."""

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.checks.optimizer_helpers import (
    ADAM,
    EPS_HARD_CODED,
    EPS_HARD_CODED_INSIDE,
    EPS_IGNORED,
    EPS_INSIDE,
    NO_SQRT,
    _expect,
    _inputs,
    _like,
    _params,
    _parts,
    _tiny,
    _unchanged,
)
from autograder.engine.core.compare import (
    CheckFailed,
    close,
    describe,
    preview,
)
from autograder.engine.core.framework import check


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


def _first_step(t, seed, gradients, lr):
    """The first step (t = 1) from v = s = 0 with ``gradients(rng, params)``: params, the
    gradients, the zero states, and the student's new params."""
    rng = t.rng(seed)
    params = _params(rng)
    grads = gradients(rng, params)
    zeros = {k: np.zeros_like(g) for k, g in grads.items()}
    new_p, _, _ = _parts(t.call(params, grads, zeros, zeros, 1, kwargs={"lr": lr}), 3,
                         "adam_update")
    return params, grads, zeros, new_p


@check("adam_update", "the first step (t = 1) moves every coordinate by about lr", 2, public=True)
def adam_update_first_step_size(t):
    lr = 0.01
    params, grads, zeros, new_p = _first_step(t, 531, _like, lr)
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
    lr = 0.01
    params, grads, zeros, new_p = _first_step(t, 535, _tiny, lr)
    _expect(new_p, oracle.adam_step(params, grads, zeros, zeros, 1, lr)[0], "params",
            _adam_mistakes(params, grads, zeros, zeros, 1, lr), start=params)


@check("adam_update", "a large eps (0.1) given as a keyword is used, outside the square root")
def adam_update_large_eps(t):
    params, grads, v, s = _inputs(t, 536, (0.3, False), (0.1, False), (0.05, True))
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
    params, grads, v, s = _inputs(t, 533, (1.0, False), (0.3, False), (0.3, True))
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
    params, grads, v, s = _inputs(t, 534, (1.0, False), (0.3, False), (0.3, True))
    hyper = {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}
    got = _parts(t.call(params, grads, v, s, 4, kwargs=hyper), 3, "adam_update")
    exp = oracle.adam_step(params, grads, v, s, 4, hyper["lr"], hyper["beta1"], hyper["beta2"],
                     hyper["eps"])
    for part, name in zip(range(3), ("params", "v", "s")):
        _expect(got[part], exp[part], name,
                setting="with lr = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-6")


@check("adam_update", "does not modify params, grads, v or s (judged once its values are right)",
       public=True)
def adam_update_leaves_inputs_unchanged(t):
    params, grads, v, s = _inputs(t, 537, (1.0, False), (0.3, False), (0.3, True))
    _unchanged(t, params, grads, v, s, 2, names=["params", "v", "s"],
               expected=list(oracle.adam_step(params, grads, v, s, 2, 0.001)))
