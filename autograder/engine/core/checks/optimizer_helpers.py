"""What the optimizer checks share: small networks' parameters, dict comparisons that judge
the step, the contract's defaults and the wording of the eps mistakes. It declares no checks
and ships whole in the handout."""

import numpy as np

from autograder.engine.core.compare import (
    ATOL_SCALE,
    RTOL,
    CheckFailed,
    describe,
    expect_array,
    expect_tuple,
    preview,
)
from autograder.engine.core.contract import defaults

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


def _inputs(t, seed, *states):
    """A check's inputs from its seed: params, then one dict keyed like the gradients for each
    ``(scale, positive)`` in ``states`` (the gradients first), drawn in that order."""
    rng = t.rng(seed)
    params = _params(rng)
    return (params, *(_like(rng, params, scale, positive) for scale, positive in states))


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


def _tiny(rng, params):
    """Gradients of magnitude 1e-6 to 1e-4 with random signs, keyed like the gradients."""
    return {"d" + k: rng.choice([-1.0, 1.0], v.shape) * 10.0 ** rng.uniform(-6, -4, v.shape)
            for k, v in params.items()}

def _unchanged(t, *args, expected, names, kwargs=None):
    """The function's inputs-unchanged check: right values first, then unchanged arguments."""
    def judge(got):
        parts = _parts(got, len(expected), t.function)
        for part, exp, name in zip(parts, expected, names):
            _expect(part, exp, name)

    t.expect_inputs_unchanged(*args, kwargs=kwargs, judge=judge)
