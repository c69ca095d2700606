"""Checks of backprop/optimizers.py's rmsprop_update: single steps from given states, and
invariants."""

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.checks.optimizer_helpers import (
    EPS_HARD_CODED,
    EPS_HARD_CODED_INSIDE,
    EPS_IGNORED,
    EPS_INSIDE,
    NO_SQRT,
    RMSPROP,
    _expect,
    _inputs,
    _like,
    _params,
    _parts,
    _tiny,
    _unchanged,
)
from autograder.engine.core.compare import (
    STEP_RTOL,
    CheckFailed,
    close,
    describe,
    preview,
)
from autograder.engine.core.framework import check


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


@check("rmsprop_update", "one step from a nonzero s: s <- beta s + (1-beta) g^2, theta step", 2, public=True)
def rmsprop_update_step(t):
    params, grads, s = _inputs(t, 521, (1.0, False), (0.5, True))
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
    params, grads, s = _inputs(t, 525, (0.3, False), (0.05, True))
    lr, beta = 0.01, 0.9
    new_p, _ = _parts(t.call(params, grads, s, lr, kwargs={"beta": beta, "eps": 0.1}), 2,
                      "rmsprop_update")
    _expect(new_p, oracle.rmsprop_step(params, grads, s, lr, beta, eps=0.1)[0],
            "params", _rmsprop_mistakes(params, grads, s, lr, beta, eps=0.1), start=params,
            setting="with eps = 0.1")


@check("rmsprop_update", "does not modify params, grads or s (judged once its values are right)",
       public=True)
def rmsprop_update_leaves_inputs_unchanged(t):
    params, grads, s = _inputs(t, 526, (1.0, False), (0.5, True))
    _unchanged(t, params, grads, s, 0.01, names=["params", "s"],
               expected=list(oracle.rmsprop_step(params, grads, s, 0.01)))
