"""Trusted comparisons: shapes and dtypes first, then values with a scale-aware tolerance.

Tolerance: |got - expected| <= RTOL |expected| + ATOL_SCALE * max|expected| + ATOL_FLOOR,
element-wise. The relative term accepts float32-correct answers; the term scaled by the
array's largest entry accepts correct code at extreme inputs (sigma(-30) computed another
way) and float32 cancellation in small entries, without letting an all-tiny array pass
anything (it scales with the array, it is not a fixed absolute epsilon).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.engine.core.protocol import Opaque

RTOL = 2e-4
ATOL_SCALE = 2e-5
ATOL_FLOOR = 1e-12
# Absolute noise allowed on a slope from finite differences of the network's float64 cost: per
# sampled coordinate, and along a random direction (averaged over many coordinates, smaller).
DIFFERENCE_NOISE = 1e-6
DIRECTIONAL_NOISE = 1e-7
# A step whose size is known in closed form (RMSProp's first step): half the usual tolerance.
STEP_RTOL = RTOL / 2


class CheckFailed(Exception):
    """A check's verdict: the message is the student's feedback."""


class NotJudged(CheckFailed):
    """The check's precondition does not hold (e.g. the values must be right before inputs are
    judged unchanged): it earns nothing, and feedback says "not judged" rather than "failed"."""


def describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if value is None:
        return "None (did you forget a return statement?)"
    return f"a {type(value).__name__}"


def preview(arr: np.ndarray, n: int = 4) -> str:
    flat = np.asarray(arr).ravel()
    items = ", ".join(f"{x:.6g}" for x in flat[:n])
    return f"[{items}{', ...' if flat.size > n else ''}]"


def close(got: np.ndarray, expected: np.ndarray) -> bool:
    if got.shape != expected.shape:
        return False
    got = got.astype(np.float64)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    tol = RTOL * np.abs(expected) + ATOL_SCALE * scale + ATOL_FLOOR
    return bool(np.all(np.abs(got - expected) <= tol))


def close_value(value: float, expected: float, atol: float = ATOL_FLOOR) -> bool:
    """A number within RTOL of ``expected``, plus ``atol``."""
    return abs(value - expected) <= RTOL * abs(expected) + atol


def scaled_error(got: np.ndarray, expected: np.ndarray) -> float:
    """Largest error relative to the array's largest expected entry."""
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1e-300)
    return float(np.max(np.abs(got.astype(np.float64) - expected)) / scale)


def as_array(got: Any, name: str, expected_shape: tuple[int, ...],
             hints: dict[tuple[int, ...], str] | None = None) -> np.ndarray:
    """The value as a float array of the expected shape, or CheckFailed with a named reason."""
    if isinstance(got, np.ndarray) and got.dtype.kind == "c":
        raise CheckFailed(f"{name} has complex values; expected real numbers")
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "biuf":
        raise CheckFailed(f"{name}: expected a numpy array, got {describe(got)}")
    if got.shape != tuple(expected_shape):
        hint = (hints or {}).get(got.shape) or shape_hint(name, got.shape, tuple(expected_shape))
        raise CheckFailed(
            f"{name} has shape {got.shape}, expected {tuple(expected_shape)}." + (
                f" {hint}" if hint else "")
        )
    if got.dtype.kind == "f" and not np.all(np.isfinite(got)):
        raise CheckFailed(f"{name} contains NaN or inf: {preview(got)}")
    return got.astype(np.float64)


def shape_hint(name: str, got: tuple, expected: tuple) -> str:
    if len(expected) == 2 and got == expected[::-1]:
        return f"{name} has the shape of its transpose: check the order of the matrix product."
    if len(expected) == 2 and expected[1] == 1 and got == (expected[0],):
        return f"{name} must be a column of shape {expected}: use keepdims=True (or reshape)."
    if len(expected) == 2 and len(got) == 1 and got[0] != expected[0]:
        return f"did you sum over the wrong axis? Sum over the examples (axis=1) for {name}."
    if len(expected) == 2 and len(got) == 2 and got[0] == 1 and expected[1] == 1:
        return f"did you sum over the wrong axis? Sum over the examples (axis=1) for {name}."
    return ""


def as_float(got: Any, name: str) -> float:
    if isinstance(got, (bool, np.bool_)):
        raise CheckFailed(f"{name}: expected a number, got a bool")
    if isinstance(got, (int, float)):
        value = float(got)
    elif isinstance(got, np.ndarray) and got.size == 1 and got.dtype.kind in "iuf":
        value = float(got.reshape(-1)[0])
    else:
        raise CheckFailed(f"{name}: expected a float, got {describe(got)}")
    if not np.isfinite(value):
        raise CheckFailed(f"{name} is {value}")
    return value


GENERIC = "every value"  # how every generic diagnosis starts (feedback.py tells them apart)


def generic_diagnosis(got: np.ndarray, expected: np.ndarray, m: int | None = None) -> str:
    """A likely mistake from the relation between got and expected, as a whole sentence that
    starts with :data:`GENERIC`, or ''."""
    if got.shape != expected.shape or not np.any(expected):
        return ""
    if not np.any(got):
        return "every value you returned is 0."
    k = float(np.vdot(got, expected) / np.vdot(expected, expected))
    if not close(got, k * expected):
        return ""
    if m and m > 1 and abs(k - m) < 1e-3 * m:
        return (f"every value is m = {m} times too large: average over the mini-batch "
                "(divide by m).")
    if m and m > 1 and abs(k - 1 / m) < 1e-3 / m:
        return (f"every value is m = {m} times too small: divide by m only once (where the "
                "contract says).")
    for factor, text in ((-1.0, "every value has the wrong sign."),
                         (2.0, "every value is twice the expected one."),
                         (0.5, "every value is half the expected one.")):
        if abs(k - factor) < 1e-6:
            return text
    return f"every value is {k:.4g} times the expected one, so a constant factor is wrong."


def expect_array(got: Any, expected: np.ndarray, name: str, *, m: int | None = None,
                 mistakes: list[tuple[np.ndarray, str]] | None = None,
                 hints: dict[tuple[int, ...], str] | None = None) -> np.ndarray:
    """Compare a whole array; on failure, name the likely mistake (known ones first)."""
    expected = np.asarray(expected, dtype=np.float64)
    for alt, text in mistakes or []:
        alt = np.asarray(alt, dtype=np.float64)
        if isinstance(got, np.ndarray) and got.shape == alt.shape and got.shape != expected.shape:
            if got.dtype.kind in "biuf" and close(got.astype(np.float64), alt):
                raise CheckFailed(f"{name} has shape {got.shape}, expected {expected.shape}. {text}")
    arr = as_array(got, name, expected.shape, hints)
    if close(arr, expected):
        return arr
    diagnosis = ""
    for alt, text in mistakes or []:
        alt = np.asarray(alt, dtype=np.float64)
        if alt.shape == arr.shape and close(arr, alt):
            diagnosis = text
            break
    diagnosis = diagnosis or generic_diagnosis(arr, expected, m)
    raise CheckFailed(
        f"{name} is wrong: expected {preview(expected)}, got {preview(arr)} "
        f"(largest error {scaled_error(arr, expected):.2e} of the largest entry)."
        + (f" Likely mistake: {diagnosis}" if diagnosis else "")
    )


def expect_float(got: Any, expected: float, name: str,
                 mistakes: list[tuple[float, str]] | None = None) -> float:
    value = as_float(got, name)
    if close_value(value, expected):
        return value
    diagnosis = next((text for alt, text in mistakes or [] if close_value(value, alt)), "")
    raise CheckFailed(
        f"{name} is wrong: expected {expected:.9g}, got {value:.9g}."
        + (f" Likely mistake: {diagnosis}" if diagnosis else "")
    )


def expect_tuple(got: Any, size: int, name: str) -> tuple | list:
    """``got`` must be a tuple (or list) of ``size`` values; ``name`` is what returned it."""
    if not isinstance(got, (tuple, list)) or len(got) != size:
        raise CheckFailed(f"{name} must return a tuple of {size} values, got {describe(got)}")
    return got


def same_structure(before: Any, after: Any) -> bool:
    """True if two decoded values are equal (arrays bit for bit, dict keys and order of lists)."""
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and before.dtype == after.dtype and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, dict):
        return (isinstance(after, dict) and set(before) == set(after)
                and all(same_structure(v, after[k]) for k, v in before.items()))
    if isinstance(before, (list, tuple)):
        return (isinstance(after, (list, tuple)) and len(before) == len(after)
                and all(same_structure(a, b) for a, b in zip(before, after)))
    return before == after or (before != before and after != after)
