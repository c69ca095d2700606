#!/usr/bin/env python3
"""Public checks for the backprop assignment: quick, local, and a SUBSET of what is graded.

Usage (from the handout folder):

    python check.py                      # check every function
    python check.py sigmoid mse_loss     # check only these functions
    python check.py --package DIR        # check DIR/backprop instead of ./backprop

For each graded function it checks shapes and types, a few values worked out by hand, the
lecture's worked 2-2-2 example (loss 0.298371109 ...) and, for backward passes, a gradient
check with backprop/gradcheck.py. It prints PASS, FAIL or NOT IMPLEMENTED per function and
exits with status 0 only when every checked function passes.

Each module is imported on its own, so an error in one file only fails the functions that
need that file. The hidden tests used for grading check more than this script does.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import math
import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

# Tolerances. Values are compared with |got - expected| <= ATOL + RTOL * |expected|, loose
# enough for a correct float32 implementation or a different but correct formula, tight
# enough to catch every real bug (wrong factor, transpose, missing 1/m, ...).
RTOL = 1e-5
ATOL = 1e-8
# Gradient checks: float64 code is compared with step h=1e-5; float32 code needs a larger
# step (its round-off divided by 2h would swamp the difference) and a looser tolerance.
GRAD_TOL_64 = {"h": 1e-5, "rtol": 1e-5, "atol": 1e-8}
GRAD_TOL_32 = {"h": 1e-3, "rtol": 2e-2, "atol": 1e-3}

# ---------------------------------------------------------------------------------------
# The lecture's worked example: 2 inputs, 2 sigmoid hidden units, 2 sigmoid outputs, one
# training example (so m = 1). "Published" values are the ones printed in the lecture notes
# (9 decimals); the exact intermediate values below are the same quantities to full float64
# precision, used as INPUTS so that each function can be checked on its own.
# ---------------------------------------------------------------------------------------
WX = [[0.05], [0.10]]  # inputs i1, i2
WY = [[0.01], [0.99]]  # targets
WW1 = [[0.15, 0.20], [0.25, 0.30]]  # w1 w2 / w3 w4
WB1 = [[0.35], [0.35]]
WW2 = [[0.40, 0.45], [0.50, 0.55]]  # w5 w6 / w7 w8
WB2 = [[0.60], [0.60]]
LR = 0.5

NET_H = [[0.3775], [0.3925]]
OUT_H = [[0.5932699921071872], [0.596884378259767]]
NET_O = [[1.10590596705977], [1.2249214040964653]]
OUT_O = [[0.7513650695523157], [0.7729284653214625]]
DOUT_O = [[0.7413650695523157], [-0.21707153467853746]]  # dE/dout_o
DELTA_O = [[0.13849856162855695], [-0.038098236516556236]]  # dE/dnet_o
DOUT_H = [[0.03635030639314466], [0.0413703226487447]]  # dE/dout_h
DELTA_H = [[0.00877135468948693], [0.009954254705217196]]  # dE/dnet_h

# Published values (rounded to the printed digits).
P_OUT_H = [[0.593269992], [0.596884378]]
P_OUT_O = [[0.75136507], [0.772928465]]
P_E_O1, P_E_O2, P_E_TOTAL = 0.274811083, 0.023560026, 0.298371109
P_DOUT_O1, P_DOUT_DNET_O1 = 0.74136507, 0.186815602
P_DW2 = [[0.082167041, 0.082667628], [-0.022602540, -0.022740242]]  # dE/dw5..dE/dw8
P_DELTA_O1, P_DOUT_H1, P_DOUT_DNET_H1 = 0.138498562, 0.036350306, 0.241300709
P_DW1 = [[0.000438568, 0.000877135], [0.000497713, 0.000995425]]  # dE/dw1..dE/dw4
P_W2_NEW = [[0.35891648, 0.408666186], [0.511301270, 0.561370121]]  # w5..w8 after one step
P_W1_NEW = [[0.149780716, 0.19956143], [0.24975114, 0.29950229]]  # w1..w4 after one step

LN3 = math.log(3.0)  # sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4

SUMMARY_REMINDER = (
    "Reminder: these public checks are quick and incomplete. The hidden tests used for\n"
    "grading check more (other shapes and sizes, edge cases, training behaviour), so passing\n"
    "here does not guarantee full marks."
)


def arr(values: Any) -> np.ndarray:
    """A fresh float64 array (a new copy every call, so no check can leak into another)."""
    return np.array(values, dtype=float)


def worked_params() -> dict[str, np.ndarray]:
    return {"W1": arr(WW1), "b1": arr(WB1), "W2": arr(WW2), "b2": arr(WB2)}


# ---------------------------------------------------------------------------------------
# Reporting helpers
# ---------------------------------------------------------------------------------------
class CheckFailed(Exception):
    """One check of a function failed; carries what was checked, expected, got and a hint."""

    def __init__(self, what: str, expected: Any = None, got: Any = None, hint: str = "") -> None:
        super().__init__(what)
        self.what, self.expected, self.got, self.hint = what, expected, got, hint


class MissingDependency(Exception):
    """A check needs another module (or gradcheck.py) that could not be imported."""


def fmt(value: Any) -> str:
    """Short, readable text for a value shown in the report."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=9, separator=", ", threshold=24)
        text = " ".join(text.split())
        return f"{text}  (shape {value.shape}, dtype {value.dtype})"
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        text = "[" + ", ".join(f"{v:.6g}" for v in value) + "]"
        return text if len(text) <= 300 else text[:300] + " ..."
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + " ..."


def close(got: Any, expected: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    return bool(np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)))


def expect_array(
    what: str,
    got: Any,
    expected: Any = None,
    shape: tuple[int, ...] | None = None,
    hint: str = "",
    rtol: float = RTOL,
    atol: float = ATOL,
) -> np.ndarray:
    """Check that got is a finite float numpy array of the right shape (and values)."""
    if not isinstance(got, np.ndarray):
        raise CheckFailed(what, "a numpy array", f"{type(got).__name__}: {fmt(got)}", hint)
    if expected is not None:
        expected = arr(expected)
        shape = expected.shape if shape is None else shape
    if shape is not None and got.shape != tuple(shape):
        raise CheckFailed(
            what + " (shape)", f"shape {tuple(shape)}", f"shape {got.shape}",
            hint or "Columns are examples: check which axis you sum over and your transposes.",
        )
    if got.dtype.kind != "f":
        raise CheckFailed(
            what + " (dtype)", "a float array", f"dtype {got.dtype}",
            hint or "Return floats, e.g. build the result from float arrays or use .astype(float).",
        )
    if not np.all(np.isfinite(got)):
        raise CheckFailed(what, "finite values", got, hint or "Look for overflow or 0/0.")
    if expected is not None and not close(got, expected, rtol, atol):
        raise CheckFailed(what, expected, got, hint)
    return got


def expect_float(what: str, got: Any, expected: float, hint: str = "") -> float:
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise CheckFailed(what, "a number float() accepts", f"{type(got).__name__}: {fmt(got)}",
                          hint or "Return a single number, not an array.") from None
    if not close(value, expected):
        raise CheckFailed(what, expected, value, hint)
    return value


def expect_tuple(what: str, got: Any, length: int) -> tuple:
    if not isinstance(got, tuple) or len(got) != length:
        raise CheckFailed(what, f"a tuple of {length} values", f"{type(got).__name__}: {fmt(got)}",
                          "Return exactly what the docstring lists, as a tuple.")
    return got


def expect_dict(what: str, got: Any, keys: list[str], hint: str = "") -> dict:
    if not isinstance(got, dict):
        raise CheckFailed(what, "a dict", f"{type(got).__name__}: {fmt(got)}", hint)
    if set(got) != set(keys):
        raise CheckFailed(what + " (keys)", sorted(keys), sorted(map(str, got)), hint or (
            'Parameters use keys "W1", "b1", ...; gradients and optimizer state "dW1", "db1", ...'))
    return got


def snapshot(*objects: Any) -> list[Any]:
    return [copy.deepcopy(obj) for obj in objects]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    return a == b


def expect_unchanged(what: str, before: list[Any], after: list[Any]) -> None:
    for old, new in zip(before, after, strict=True):
        if not same(old, new):
            raise CheckFailed(
                what + " left its inputs unchanged", "inputs unchanged", "an input was modified",
                "No function may modify what it is given: compute new arrays/dicts instead of "
                "updating in place (no +=, -=, [...] = on inputs; copy first if needed).",
            )


def expect_raises(
    what: str, error: type[BaseException], call: Callable[[], Any], hint: str
) -> None:
    try:
        call()
    except error:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported to the student
        raise CheckFailed(what, error.__name__, f"{type(exc).__name__}: {exc}", hint) from None
    raise CheckFailed(what, f"{error.__name__} raised", "no exception", hint)


# ---------------------------------------------------------------------------------------
# Loading the student's package, one module at a time
# ---------------------------------------------------------------------------------------
class Package:
    """The student's package: its folder and each module once imported (or the import error)."""

    def __init__(self, root: Path) -> None:
        self.root = root  # the folder that contains backprop/
        self.modules: dict[str, ModuleType | BaseException] = {}

    def module(self, name: str) -> ModuleType | BaseException:
        if name not in self.modules:
            try:
                self.modules[name] = importlib.import_module(f"backprop.{name}")
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported, never fatal
                self.modules[name] = exc
        return self.modules[name]

    def need(self, module: str, name: str) -> Any:
        """A function (or constant) from another module, for checks that build on it."""
        mod = self.module(module)
        if isinstance(mod, BaseException):
            raise MissingDependency(
                f"this check needs {name} from backprop/{module}.py, which could not be "
                f"imported: {describe(mod, self.root)}"
            )
        if not hasattr(mod, name):
            raise MissingDependency(f"this check needs {name}, which backprop/{module}.py lacks")
        return getattr(mod, name)


def describe(exc: BaseException, root: Path) -> str:
    """One line naming an exception and where in the student's package it happened."""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"in {short(exc.filename, root)}, line {exc.lineno}"
        return f"{type(exc).__name__}: {exc.msg} ({where})"
    text = f"{type(exc).__name__}: {exc}"
    frame = last_package_frame(exc, root)
    if frame is not None:
        text += f" (in {short(frame.filename, root)}, line {frame.lineno}, in {frame.name})"
    return text


def last_package_frame(exc: BaseException, root: Path) -> traceback.FrameSummary | None:
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__)
        if Path(f.filename).resolve().is_relative_to((root / "backprop").resolve())
    ]
    return frames[-1] if frames else None


def short(filename: str, root: Path) -> str:
    try:
        return str(Path(filename).resolve().relative_to(root.resolve()))
    except ValueError:
        return filename


def load_package(root: Path) -> Package:
    """Import DIR/backprop (not any other backprop on sys.path) without its submodules."""
    init = root / "backprop" / "__init__.py"
    if not init.is_file():
        raise SystemExit(f"check.py: no backprop package in {root} (expected {init})")
    sys.path.insert(0, str(root))
    for name in [n for n in sys.modules if n == "backprop" or n.startswith("backprop.")]:
        del sys.modules[name]
    try:
        import backprop
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported to the student
        raise SystemExit(
            f"check.py: could not import backprop/__init__.py: {describe(exc, root)}"
        ) from None
    where = Path(backprop.__file__).resolve().parent
    if where != (root / "backprop").resolve():
        raise SystemExit(f"check.py: imported backprop from {where}, expected {root / 'backprop'}")
    return Package(root)


# ---------------------------------------------------------------------------------------
# Gradient checks with the handout's own backprop/gradcheck.py
# ---------------------------------------------------------------------------------------
def gradcheck_tools(pkg: Package) -> tuple[Callable, Callable]:
    numerical_gradient = pkg.need("gradcheck", "numerical_gradient")
    relative_error = pkg.need("gradcheck", "relative_error")
    # gradcheck.py is given complete; make sure it still is before trusting it.
    probe = numerical_gradient(lambda x: float(np.sum(x**3)), arr([1.0, 2.0]))
    if not close(probe, [3.0, 12.0], rtol=1e-6) or relative_error(arr([1.0]), arr([1.0])) != 0:
        raise MissingDependency(
            "backprop/gradcheck.py no longer computes correct numerical gradients; "
            "restore it from the handout (it is given complete and is not graded)"
        )
    return numerical_gradient, relative_error


def grad_check(
    pkg: Package,
    what: str,
    analytic: Any,
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    hint: str,
    low_precision: bool = False,
) -> None:
    """Compare an analytic gradient with centered differences of f (a scalar function) at x."""
    numerical_gradient, relative_error = gradcheck_tools(pkg)
    analytic = expect_array(what, analytic, shape=x.shape, hint=hint)
    low = low_precision or analytic.dtype == np.float32
    tol = GRAD_TOL_32 if low else GRAD_TOL_64
    numeric = numerical_gradient(lambda z: float(f(z)), x, h=tol["h"])
    if not close(analytic, numeric, rtol=tol["rtol"], atol=tol["atol"]):
        err = relative_error(analytic, numeric)
        raise CheckFailed(
            f"gradient check: {what} (relative error {err:.2e})",
            numeric, analytic,
            hint + " The expected values are finite differences of your own forward function.",
        )


def is_float32(*values: Any) -> bool:
    return any(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in values)


def sample_data(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    gen = np.random.default_rng(seed)
    return [gen.standard_normal(shape) for shape in shapes]


# ---------------------------------------------------------------------------------------
# The checks, one per graded function
# ---------------------------------------------------------------------------------------
CHECKS: list[tuple[str, str, Callable[[Package, Callable], None]]] = []


def check(module: str, function: str) -> Callable:
    def register(fn: Callable[[Package, Callable], None]) -> Callable[[Package, Callable], None]:
        CHECKS.append((module, function, fn))
        return fn

    return register


# --- activations.py --------------------------------------------------------------------
@check("activations", "sigmoid")
def check_sigmoid(pkg: Package, sigmoid: Callable) -> None:
    Z = arr([[0.0, LN3, -LN3], [2.0, -5.0, 5.0]])
    before = snapshot(Z)
    expect_array("sigmoid at 0, ln 3, -ln 3, 2, -5, 5", sigmoid(Z),
                 [[0.5, 0.75, 0.25], [0.8807970779778823, 0.0066928509242848554,
                                      0.9933071490757153]],
                 hint="sigmoid(z) = 1 / (1 + exp(-z)); sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75.")
    expect_unchanged("sigmoid", before, [Z])
    expect_array("worked example: out_h1, out_h2 = sigmoid(net_h1), sigmoid(net_h2)",
                 sigmoid(arr(NET_H)), P_OUT_H)
    big = arr([[-1000.0, -700.0, 0.0, 700.0, 1000.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = sigmoid(big)
        except (FloatingPointError, RuntimeWarning) as exc:
            raise CheckFailed(
                "sigmoid for |Z| up to 1e3 without overflow", "no overflow warning",
                f"{type(exc).__name__}: {exc}",
                "exp(-z) overflows for z = -1000. Use exp(-|z|), which never overflows, and "
                "pick the right formula for z >= 0 and z < 0 (np.where).",
            ) from None
    expect_array("sigmoid at -1000, -700, 0, 700, 1000", out, [[0.0, 0.0, 0.5, 1.0, 1.0]],
                 hint="Values must stay finite and within [0, 1].")


@check("activations", "sigmoid_derivative")
def check_sigmoid_derivative(pkg: Package, sigmoid_derivative: Callable) -> None:
    Z = arr([[0.0, LN3, -LN3, 2.0]])
    expect_array("sigmoid'(z) at 0, ln 3, -ln 3, 2", sigmoid_derivative(Z),
                 [[0.25, 0.1875, 0.1875, 0.10499358540350662]],
                 hint="sigma'(z) = sigma(z) (1 - sigma(z)), evaluated at the pre-activation z "
                      "(sigma'(0) = 0.25). Do not pass sigma(Z) in place of Z.")
    expect_array("worked example: dout_h1/dnet_h1 and dout_o1/dnet_o1",
                 arr([sigmoid_derivative(arr([[NET_H[0][0]]]))[0, 0],
                      sigmoid_derivative(arr([[NET_O[0][0]]]))[0, 0]]),
                 [P_DOUT_DNET_H1, P_DOUT_DNET_O1])
    expect_array("sigmoid'(z) at -1000 and 1000 is finite, about 0",
                 sigmoid_derivative(arr([[-1000.0, 1000.0]])), [[0.0, 0.0]])
    sigmoid = pkg.need("activations", "sigmoid")
    (Zr,) = sample_data(1, (3, 4))
    grad_check(pkg, "sigmoid_derivative(Z) vs d/dZ sum(sigmoid(Z))", sigmoid_derivative(Zr),
               lambda z: np.sum(sigmoid(z)), Zr, "sigmoid_derivative should be the slope of "
               "your sigmoid.", is_float32(sigmoid(Zr)))


@check("activations", "sigmoid_backward")
def check_sigmoid_backward(pkg: Package, sigmoid_backward: Callable) -> None:
    dA, Z = arr([[2.0, -4.0, 1.0]]), arr([[0.0, LN3, -LN3]])
    before = snapshot(dA, Z)
    expect_array("dZ = dA * sigma'(Z) for dA = [2, -4, 1], Z = [0, ln 3, -ln 3]",
                 sigmoid_backward(dA, Z), [[0.5, -0.75, 0.1875]],
                 hint="Multiply element-wise by sigma'(Z), where Z is the pre-activation.")
    expect_unchanged("sigmoid_backward", before, [dA, Z])
    expect_array("worked example: delta_o1, delta_o2 = dE/dout_o * sigma'(net_o)",
                 sigmoid_backward(arr(DOUT_O), arr(NET_O)),
                 [[P_DELTA_O1], [DELTA_O[1][0]]])
    sigmoid = pkg.need("activations", "sigmoid")
    dA, Z = sample_data(2, (3, 4), (3, 4))
    grad_check(pkg, "sigmoid_backward(dA, Z) vs d/dZ sum(dA * sigmoid(Z))",
               sigmoid_backward(dA, Z), lambda z: np.sum(dA * sigmoid(z)), Z,
               "dZ = dA * sigma'(Z).", is_float32(sigmoid(Z)))


@check("activations", "relu")
def check_relu(pkg: Package, relu: Callable) -> None:
    Z = arr([[-2.0, -0.5, 0.0], [0.5, 3.0, -1e3]])
    before = snapshot(Z)
    expect_array("relu of [[-2, -0.5, 0], [0.5, 3, -1000]]", relu(Z),
                 [[0.0, 0.0, 0.0], [0.5, 3.0, 0.0]], hint="relu(z) = max(0, z), element-wise.")
    expect_unchanged("relu", before, [Z])


@check("activations", "relu_backward")
def check_relu_backward(pkg: Package, relu_backward: Callable) -> None:
    dA, Z = arr([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]), arr([[-1.0, 0.0, 2.0, 1e-3],
                                                                   [3.0, -2.0, -1e-3, 0.5]])
    before = snapshot(dA, Z)
    expect_array("relu_backward: dA where Z > 0, else 0 (also 0 at Z = 0)", relu_backward(dA, Z),
                 [[0.0, 0.0, 3.0, 4.0], [5.0, 0.0, 0.0, 8.0]],
                 hint="dZ = dA * 1[Z > 0]: the mask comes from Z, the values from dA.")
    expect_unchanged("relu_backward", before, [dA, Z])
    relu = pkg.need("activations", "relu")
    dA, Z = sample_data(3, (3, 4), (3, 4))
    Z = np.where(Z >= 0, Z + 0.1, Z - 0.1)  # keep away from the kink at 0
    grad_check(pkg, "relu_backward(dA, Z) vs d/dZ sum(dA * relu(Z))", relu_backward(dA, Z),
               lambda z: np.sum(dA * relu(z)), Z, "dZ = dA * 1[Z > 0].", is_float32(relu(Z)))


# --- losses.py -------------------------------------------------------------------------
@check("losses", "mse_loss")
def check_mse_loss(pkg: Package, mse_loss: Callable) -> None:
    Y_hat, Y = arr(OUT_O), arr(WY)
    before = snapshot(Y_hat, Y)
    expect_float("worked example: E_total", mse_loss(Y_hat, Y), P_E_TOTAL,
                 "E = sum_k 1/2 (t_k - o_k)^2 for one example.")
    expect_unchanged("mse_loss", before, [Y_hat, Y])
    expect_float("worked example: E_o1 (first output only)", mse_loss(arr(OUT_O[:1]), arr(WY[:1])),
                 P_E_O1)
    expect_float("worked example: E_o2 (second output only)",
                 mse_loss(arr(OUT_O[1:]), arr(WY[1:])), P_E_O2)
    expect_float("J for Y_hat = [[1, 2, 3, 4]], Y = 0 (m = 4)",
                 mse_loss(arr([[1.0, 2.0, 3.0, 4.0]]), arr([[0.0, 0.0, 0.0, 0.0]])), 3.75,
                 "J = (1/m) sum_i 1/2 sum_k (y_k - y_hat_k)^2 = (1/4) * 1/2 * (1 + 4 + 9 + 16).")
    expect_float("J for 2 outputs, 2 examples, every error 1",
                 mse_loss(arr([[1.0, 1.0], [1.0, 1.0]]), arr([[0.0, 0.0], [0.0, 0.0]])), 1.0,
                 "Average over the m examples (columns) only; sum over the outputs (rows).")


@check("losses", "mse_loss_backward")
def check_mse_loss_backward(pkg: Package, mse_loss_backward: Callable) -> None:
    Y_hat, Y = arr([[1.0, 2.0], [3.0, 4.0]]), arr([[0.0, 0.0], [1.0, 1.0]])
    before = snapshot(Y_hat, Y)
    expect_array("dY_hat = Y_hat - Y (per example, not divided by m)",
                 mse_loss_backward(Y_hat, Y), [[1.0, 2.0], [2.0, 3.0]],
                 hint="The derivative of 1/2 (y - y_hat)^2 with respect to y_hat is y_hat - y. "
                      "Do not divide by m: linear_backward applies the 1/m.")
    expect_unchanged("mse_loss_backward", before, [Y_hat, Y])
    expect_array("worked example: dE/dout_o1", mse_loss_backward(arr(OUT_O), arr(WY))[:1],
                 [[P_DOUT_O1]])
    mse_loss = pkg.need("losses", "mse_loss")
    Y_hat, Y = sample_data(4, (2, 5), (2, 5))
    grad_check(pkg, "mse_loss_backward vs m * dJ/dY_hat (m = 5)", mse_loss_backward(Y_hat, Y),
               lambda y: 5 * np.asarray(mse_loss(y, Y), dtype=float), Y_hat,
               "Per-example derivative: m times the gradient of the average cost J.")


# --- layers.py -------------------------------------------------------------------------
LIN_W = [[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]]
LIN_A = [[1.0, 0.0, 2.0, -1.0], [0.0, 1.0, -1.0, 2.0]]
LIN_B = [[10.0], [20.0], [-1.0]]
LIN_Z = [[11.0, 12.0, 10.0, 13.0], [23.0, 24.0, 22.0, 25.0], [-2.0, -0.5, -3.5, 1.0]]


@check("layers", "linear_forward")
def check_linear_forward(pkg: Package, linear_forward: Callable) -> None:
    A, W, b = arr(LIN_A), arr(LIN_W), arr(LIN_B)
    before = snapshot(A, W, b)
    expect_array("Z = W A_prev + b for a 3x2 W and m = 4 columns", linear_forward(A, W, b), LIN_Z,
                 hint="Z = W @ A_prev + b; b has shape (n, 1) and is added to every column.")
    expect_unchanged("linear_forward", before, [A, W, b])
    expect_array("worked example: net_h1, net_h2", linear_forward(arr(WX), arr(WW1), arr(WB1)),
                 NET_H)


@check("layers", "linear_backward")
def check_linear_backward(pkg: Package, linear_backward: Callable) -> None:
    dZ, A_prev, W = arr(DELTA_O), arr(OUT_H), arr(WW2)
    before = snapshot(dZ, A_prev, W)
    dA_prev, dW, db = expect_tuple("linear_backward returns (dA_prev, dW, db)",
                                   linear_backward(dZ, A_prev, W), 3)
    expect_unchanged("linear_backward", before, [dZ, A_prev, W])
    expect_array("worked example: dE/dw5, dE/dw6, dE/dw7, dE/dw8 (dW of the output layer)",
                 dW, P_DW2, hint="dW = (1/m) dZ A_prev^T, the shape of W.")
    expect_array("worked example: db of the output layer = delta_o", db, DELTA_O,
                 hint="db = (1/m) sum over the columns of dZ, shape (n, 1).")
    expect_array("worked example: dE/dout_h1 (first entry of dA_prev)", dA_prev[:1], [[P_DOUT_H1]],
                 hint="dA_prev = W^T dZ.")
    linear_forward = pkg.need("layers", "linear_forward")
    m = 4
    dZ, A_prev, W, b = sample_data(5, (3, m), (2, m), (3, 2), (3, 1))
    dA_prev, dW, db = expect_tuple("linear_backward returns (dA_prev, dW, db)",
                                   linear_backward(dZ, A_prev, W), 3)
    low = is_float32(linear_forward(A_prev, W, b))
    hint = "Use the mini-batch average for dW and db (1/m) but NOT for dA_prev."
    grad_check(pkg, "dW (m = 4)", dW, lambda w: np.sum(dZ * linear_forward(A_prev, w, b)) / m,
               W, hint, low)
    grad_check(pkg, "db (m = 4)", db, lambda v: np.sum(dZ * linear_forward(A_prev, W, v)) / m,
               b, hint, low)
    grad_check(pkg, "dA_prev (m = 4)", dA_prev,
               lambda a: np.sum(dZ * linear_forward(a, W, b)), A_prev, hint, low)


DENSE_M = 5


def dense_data(seed: int) -> list[np.ndarray]:
    return sample_data(seed, (2, DENSE_M), (3, 2), (3, 1), (3, DENSE_M))  # A_prev, W, b, dA


@check("layers", "dense_forward")
def check_dense_forward(pkg: Package, dense_forward: Callable) -> None:
    A1, Z1 = expect_tuple("dense_forward returns (A, Z)",
                          dense_forward(arr(WX), arr(WW1), arr(WB1), "sigmoid"), 2)
    expect_array("worked example: net_h (Z of the hidden layer)", Z1, NET_H)
    expect_array("worked example: out_h (A of the hidden layer)", A1, P_OUT_H)
    A_prev, W, b = arr(OUT_H), arr(WW2), arr(WB2)
    before = snapshot(A_prev, W, b)
    A2, _ = expect_tuple("dense_forward returns (A, Z)", dense_forward(A_prev, W, b, "sigmoid"), 2)
    expect_unchanged("dense_forward", before, [A_prev, W, b])
    expect_array("worked example: out_o1, out_o2", A2, P_OUT_O)
    A, Z = expect_tuple("dense_forward returns (A, Z)",
                        dense_forward(arr(LIN_A), arr(LIN_W), arr(LIN_B), "relu"), 2)
    expect_array('"relu" layer: Z', Z, LIN_Z)
    expect_array('"relu" layer: A', A, [[11.0, 12.0, 10.0, 13.0], [23.0, 24.0, 22.0, 25.0],
                                         [0.0, 0.0, 0.0, 1.0]])
    A, Z = expect_tuple("dense_forward returns (A, Z)",
                        dense_forward(arr(LIN_A), arr(LIN_W), arr(LIN_B), "linear"), 2)
    expect_array('"linear" layer: A = Z', A, LIN_Z, hint='"linear" means g(z) = z.')
    expect_raises('dense_forward(..., "tanh")', ValueError,
                  lambda: dense_forward(arr(WX), arr(WW1), arr(WB1), "tanh"),
                  'An unknown activation name must raise ValueError.')


@check("layers", "dense_backward")
def check_dense_backward(pkg: Package, dense_backward: Callable) -> None:
    dA, A_prev, W, Z = arr(DOUT_O), arr(OUT_H), arr(WW2), arr(NET_O)
    before = snapshot(dA, A_prev, W, Z)
    dA_prev, dW2, db2 = expect_tuple("dense_backward returns (dA_prev, dW, db)",
                                     dense_backward(dA, A_prev, W, Z, "sigmoid"), 3)
    expect_unchanged("dense_backward", before, [dA, A_prev, W, Z])
    expect_array("worked example: dE/dw5..dE/dw8 (output layer)", dW2, P_DW2)
    expect_array("worked example: db of the output layer = delta_o", db2, [[P_DELTA_O1],
                                                                           DELTA_O[1]])
    expect_array("worked example: dE/dout_h1 (dA_prev)", dA_prev[:1], [[P_DOUT_H1]])
    _, dW1, db1 = expect_tuple("dense_backward returns (dA_prev, dW, db)",
                               dense_backward(arr(DOUT_H), arr(WX), arr(WW1), arr(NET_H),
                                              "sigmoid"), 3)
    expect_array("worked example: dE/dw1..dE/dw4 (hidden layer)", dW1, P_DW1)
    expect_array("worked example: db of the hidden layer = delta_h", db1, DELTA_H)
    dense_forward = pkg.need("layers", "dense_forward")
    for seed, activation in enumerate(("sigmoid", "relu", "linear"), start=10):
        A_prev, W, b, dA = dense_data(seed)
        Z = _z(dense_forward, A_prev, W, b, activation)
        dA_prev, dW, db = expect_tuple("dense_backward returns (dA_prev, dW, db)",
                                       dense_backward(dA, A_prev, W, Z, activation), 3)
        low = is_float32(dense_forward(A_prev, W, b, activation)[0])

        def out(a: np.ndarray, w: np.ndarray, v: np.ndarray, act: str = activation) -> np.ndarray:
            return dense_forward(a, w, v, act)[0]

        hint = f'"{activation}" layer: dZ = dA * g\'(Z), then the linear part (1/m for dW, db).'
        grad_check(pkg, f"dW, {activation}", dW,
                   lambda w, a=A_prev, v=b, d=dA: np.sum(d * out(a, w, v)) / DENSE_M, W, hint, low)
        grad_check(pkg, f"db, {activation}", db,
                   lambda v, a=A_prev, w=W, d=dA: np.sum(d * out(a, w, v)) / DENSE_M, b, hint, low)
        grad_check(pkg, f"dA_prev, {activation}", dA_prev,
                   lambda a, w=W, v=b, d=dA: np.sum(d * out(a, w, v)), A_prev, hint, low)
    expect_raises('dense_backward(..., "tanh")', ValueError,
                  lambda: dense_backward(arr(DOUT_O), arr(OUT_H), arr(WW2), arr(NET_O), "tanh"),
                  'An unknown activation name must raise ValueError.')


def _z(dense_forward: Callable, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray,
       activation: str) -> np.ndarray:
    _, Z = expect_tuple("dense_forward returns (A, Z)", dense_forward(A_prev, W, b, activation), 2)
    return Z


# --- network.py ------------------------------------------------------------------------
SIZES = [3, 4, 3, 2]
ACTS = ["sigmoid", "relu", "linear"]


def keys(sizes: list[int], prefix: str = "") -> list[str]:
    return [f"{prefix}{p}{l}" for l in range(1, len(sizes)) for p in ("W", "b")]


def random_params(seed: int, sizes: list[int]) -> dict[str, np.ndarray]:
    """Fixed parameters for gradient checks (not an initialisation: biases are random too)."""
    shapes = {}
    for l in range(1, len(sizes)):
        shapes[f"W{l}"] = (sizes[l], sizes[l - 1])
        shapes[f"b{l}"] = (sizes[l], 1)
    return dict(zip(shapes, sample_data(seed, *shapes.values()), strict=True))


def worked_grads_check(grads: Any, what: str) -> None:
    expect_dict(what, grads, ["dW1", "db1", "dW2", "db2"])
    expect_array(f"{what}: worked example dE/dw1..dE/dw4", grads["dW1"], P_DW1)
    expect_array(f"{what}: worked example dE/dw5..dE/dw8", grads["dW2"], P_DW2)
    expect_array(f"{what}: worked example db1 = delta_h", grads["db1"], DELTA_H)
    expect_array(f"{what}: worked example db2 = delta_o", grads["db2"], DELTA_O)


def param_grad_checks(pkg: Package, grads: dict, params: dict, cost: Callable, hint: str,
                      low: bool) -> None:
    for key in params:
        def f(x: np.ndarray, key: str = key) -> Any:
            return cost({**params, key: x})

        grad_check(pkg, f"d{key}", grads[f"d{key}"], f, params[key], hint, low)


@check("network", "init_params")
def check_init_params(pkg: Package, init_params: Callable) -> None:
    sizes = [3, 5, 4, 2]
    params = expect_dict("init_params([3, 5, 4, 2])", init_params(sizes), keys(sizes))
    for l in range(1, len(sizes)):
        W = expect_array(f"W{l}", params[f"W{l}"], shape=(sizes[l], sizes[l - 1]),
                         hint="W[l] has shape (n_l, n_{l-1}).")
        expect_array(f"b{l} is zeros of shape (n_l, 1)", params[f"b{l}"],
                     np.zeros((sizes[l], 1)), hint="b[l] has shape (n_l, 1) and starts at 0.")
        if np.all(W == W.flat[0]) or np.max(np.abs(W)) > 10:
            raise CheckFailed(f"W{l} is small and random", "small random values (not all equal)",
                              W, "Use a random generator made from the seed, e.g. a scaled normal.")
    again = init_params(sizes, seed=0)
    if not same(params, again):
        raise CheckFailed("init_params(sizes) equals init_params(sizes, seed=0)", "equal",
                          "different", "Make the generator from the seed (default 0) on every "
                          "call, e.g. np.random.default_rng(seed); no global random state.")
    other = expect_dict("init_params(sizes, seed=1)", init_params(sizes, seed=1), keys(sizes))
    if same(params, other):
        raise CheckFailed("different seeds give different W", "different", "equal",
                          "The seed must drive the random generator.")


@check("network", "forward")
def check_forward(pkg: Package, forward: Callable) -> None:
    X, params = arr(WX), worked_params()
    before = snapshot(X, params)
    Y_hat, _ = expect_tuple("forward returns (Y_hat, cache)",
                            forward(X, params, ["sigmoid", "sigmoid"]), 2)
    expect_unchanged("forward", before, [X, params])
    expect_array("worked example: out_o1, out_o2", Y_hat, P_OUT_O)
    # A hand-worked 2-2-1-1 network with a different activation per layer, m = 2:
    # Z1 = [[-1, 3], [3, 1]], A1 = relu = [[0, 3], [3, 1]], Z2 = A2 = [[-2.5, 2.5]] (linear),
    # Z3 = [[-5, 5]], Y_hat = sigmoid(Z3).
    params = {"W1": arr([[1.0, 1.0], [1.0, -1.0]]), "b1": arr([[0.0], [0.0]]),
              "W2": arr([[1.0, -1.0]]), "b2": arr([[0.5]]), "W3": arr([[2.0]]), "b3": arr([[0.0]])}
    Y_hat, _ = expect_tuple("forward returns (Y_hat, cache)",
                            forward(arr([[1.0, 2.0], [-2.0, 1.0]]), params,
                                    ["relu", "linear", "sigmoid"]), 2)
    expect_array('Y_hat with activations ["relu", "linear", "sigmoid"]', Y_hat,
                 [[0.0066928509242848554, 0.9933071490757153]],
                 hint="Layer l uses W{l}, b{l} and activations[l - 1], from layer 1 to L.")
    X = sample_data(20, (3, 6))[0]
    Y_hat, _ = expect_tuple("forward returns (Y_hat, cache)",
                            forward(X, random_params(21, SIZES), ACTS), 2)
    expect_array("Y_hat of a [3, 4, 3, 2] network on m = 6 examples", Y_hat, shape=(2, 6))
    expect_raises('forward with activations ["sigmoid", "tanh"]', ValueError,
                  lambda: forward(arr(WX), worked_params(), ["sigmoid", "tanh"]),
                  "An unknown activation name must raise ValueError.")


@check("network", "backward")
def check_backward(pkg: Package, backward: Callable) -> None:
    forward = pkg.need("network", "forward")
    mse_loss = pkg.need("losses", "mse_loss")
    X, Y, params = arr(WX), arr(WY), worked_params()
    _, cache = forward(X, params, ["sigmoid", "sigmoid"])
    before = snapshot(X, Y, params)
    grads = backward(Y, params, cache, ["sigmoid", "sigmoid"])
    expect_unchanged("backward", before, [X, Y, params])
    worked_grads_check(grads, "backward")
    X, Y = sample_data(30, (3, 5), (2, 5))
    params = random_params(31, SIZES)
    Y_hat, cache = forward(X, params, ACTS)
    grads = expect_dict("backward for a [3, 4, 3, 2] network", backward(Y, params, cache, ACTS),
                        keys(SIZES, "d"))
    param_grad_checks(pkg, grads, params,
                      lambda p: np.asarray(mse_loss(forward(X, p, ACTS)[0], Y), dtype=float),
                      "Start from mse_loss_backward and walk the layers from L down to 1.",
                      is_float32(Y_hat))


@check("network", "loss_and_gradients")
def check_loss_and_gradients(pkg: Package, loss_and_gradients: Callable) -> None:
    X, Y, params = arr(WX), arr(WY), worked_params()
    before = snapshot(X, Y, params)
    J, grads = expect_tuple("loss_and_gradients returns (J, grads)",
                            loss_and_gradients(X, Y, params, ["sigmoid", "sigmoid"]), 2)
    expect_unchanged("loss_and_gradients", before, [X, Y, params])
    expect_float("worked example: E_total", J, P_E_TOTAL)
    worked_grads_check(grads, "loss_and_gradients")
    sizes, acts = [2, 3, 2], ["relu", "sigmoid"]
    X, Y = sample_data(40, (2, 4), (2, 4))
    params = random_params(41, sizes)
    J, grads = expect_tuple("loss_and_gradients returns (J, grads)",
                            loss_and_gradients(X, Y, params, acts), 2)
    expect_dict("grads of a [2, 3, 2] network", grads, keys(sizes, "d"))
    param_grad_checks(pkg, grads, params, lambda p: loss_and_gradients(X, Y, p, acts)[0],
                      "J is the average cost over the m examples; grads are its gradients.",
                      is_float32(J, *grads.values()))


# --- minibatch.py ----------------------------------------------------------------------
@check("minibatch", "random_mini_batches")
def check_random_mini_batches(pkg: Package, random_mini_batches: Callable) -> None:
    m = 10
    X = np.vstack([np.arange(m, dtype=float), 10.0 * np.arange(m)])
    Y = 100.0 + np.arange(m, dtype=float)[None, :]
    before = snapshot(X, Y)
    batches = random_mini_batches(X, Y, 4, seed=0)
    expect_unchanged("random_mini_batches", before, [X, Y])
    if not isinstance(batches, list) or not all(
        isinstance(b, tuple) and len(b) == 2 for b in batches
    ):
        raise CheckFailed("returns a list of (X_batch, Y_batch) tuples", "list of 2-tuples",
                          f"{type(batches).__name__}: {fmt(batches)}")
    sizes = [b[0].shape[1] if isinstance(b[0], np.ndarray) else None for b in batches]
    if sizes != [4, 4, 2]:
        raise CheckFailed("batch sizes for m = 10, batch_size = 4", [4, 4, 2], sizes,
                          "Consecutive slices of batch_size columns; the last holds the rest.")
    order = []
    for k, (X_b, Y_b) in enumerate(batches):
        expect_array(f"X_batch {k}", X_b, shape=(2, sizes[k]))
        expect_array(f"Y_batch {k}", Y_b, shape=(1, sizes[k]))
        if not (np.array_equal(X_b[1], 10.0 * X_b[0]) and np.array_equal(Y_b[0], 100.0 + X_b[0])):
            raise CheckFailed("X and Y shuffled with the same permutation (columns kept whole)",
                              "matching columns", f"X_batch {fmt(X_b)}; Y_batch {fmt(Y_b)}",
                              "Draw ONE permutation of the columns and index X and Y with it.")
        order += list(X_b[0])
    if sorted(order) != list(range(m)):
        raise CheckFailed("every example exactly once", list(range(m)), sorted(order),
                          "Shuffle with a permutation (no repeats), not random choices.")
    again = random_mini_batches(X, Y, 4, seed=0)
    if not same([tuple(b) for b in batches], [tuple(b) for b in again]):
        raise CheckFailed("same seed, same batches", "equal", "different",
                          "Make the generator from the seed on every call.")
    orders = [[float(x) for b in random_mini_batches(X, Y, 4, seed=s) for x in b[0][0]]
              for s in range(4)]
    if all(o == list(range(m)) for o in orders):
        raise CheckFailed("the columns are shuffled", "a shuffled order", orders[0],
                          "Shuffle the columns before slicing.")
    if all(o == orders[0] for o in orders[1:]):
        raise CheckFailed("different seeds shuffle differently", "different orders",
                          "the same order for seeds 0..3", "The seed must drive the shuffle.")
    for batch_size, expected in ((5, [5, 5]), (10, [10]), (25, [10]), (1, [1] * m)):
        got = [b[0].shape[1] for b in random_mini_batches(X, Y, batch_size, seed=3)]
        if got != expected:
            raise CheckFailed(f"batch sizes for m = 10, batch_size = {batch_size}", expected, got,
                              "No empty batch; batch_size > m gives one batch of all m.")


# --- optimizers.py ---------------------------------------------------------------------
def opt_params() -> dict[str, np.ndarray]:
    return {"W1": arr([[1.0, -2.0]]), "b1": arr([[0.5]])}


def opt_grads() -> dict[str, np.ndarray]:
    return {"dW1": arr([[0.5, -1.0]]), "db1": arr([[0.25]])}


def opt_state(w: list[float], b: float) -> dict[str, np.ndarray]:
    return {"dW1": arr([w]), "db1": arr([[b]])}


def expect_params(what: str, got: Any, W: list[float], b: float, hint: str = "") -> None:
    expect_dict(what, got, ["W1", "b1"])
    expect_array(f"{what}: W1", got["W1"], [W], hint=hint)
    expect_array(f"{what}: b1", got["b1"], [[b]], hint=hint)


def expect_state(what: str, got: Any, w: list[float], b: float, hint: str = "") -> None:
    expect_dict(what, got, ["dW1", "db1"])
    expect_array(f"{what}: dW1", got["dW1"], [w], hint=hint)
    expect_array(f"{what}: db1", got["db1"], [[b]], hint=hint)


@check("optimizers", "sgd_update")
def check_sgd_update(pkg: Package, sgd_update: Callable) -> None:
    params, grads = opt_params(), opt_grads()
    before = snapshot(params, grads)
    new = sgd_update(params, grads, 0.1)
    expect_unchanged("sgd_update", before, [params, grads])
    expect_params("theta - 0.1 * grad", new, [0.95, -1.9], 0.475,
                  "theta <- theta - lr * dtheta; the gradient of \"W1\" is grads[\"dW1\"].")
    grads = {"dW1": arr(P_DW1), "db1": np.zeros((2, 1)), "dW2": arr(P_DW2),
             "db2": np.zeros((2, 1))}  # frozen biases, as in the lecture
    new = expect_dict("worked example step", sgd_update(worked_params(), grads, LR),
                      ["W1", "b1", "W2", "b2"])
    expect_array("worked example: w1..w4 after one step (lr 0.5)", new["W1"], P_W1_NEW,
                 atol=1e-8)
    expect_array("worked example: w5..w8 after one step (lr 0.5)", new["W2"], P_W2_NEW)
    expect_array("worked example: frozen biases stay", new["b2"], WB2)


@check("optimizers", "init_state")
def check_init_state(pkg: Package, init_state: Callable) -> None:
    params = {"W1": arr([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), "b1": arr([[1.0], [2.0]]),
              "W2": arr([[7.0, 8.0]]), "b2": arr([[3.0]])}
    before = snapshot(params)
    state = expect_dict("init_state", init_state(params), ["dW1", "db1", "dW2", "db2"])
    expect_unchanged("init_state", before, [params])
    for key, value in params.items():
        expect_array(f"state d{key}: zeros of the shape of {key}", state[f"d{key}"],
                     np.zeros_like(value))


@check("optimizers", "momentum_update")
def check_momentum_update(pkg: Package, momentum_update: Callable) -> None:
    params, grads, v = opt_params(), opt_grads(), opt_state([0.2, 0.3], 0.0)
    before = snapshot(params, grads, v)
    new, new_v = expect_tuple("momentum_update returns (params, v)",
                              momentum_update(params, grads, v, 0.1), 2)
    expect_unchanged("momentum_update", before, [params, grads, v])
    hint = "v <- beta v + (1 - beta) g first, then theta <- theta - lr v (the NEW v)."
    expect_state("v with beta = 0.9", new_v, [0.23, 0.17], 0.025, hint)
    expect_params("params with beta = 0.9, lr = 0.1", new, [0.977, -2.017], 0.4975, hint)
    new, new_v = momentum_update(params, grads, v, 0.1, beta=0.5)
    expect_state("v with beta = 0.5", new_v, [0.35, -0.35], 0.125, hint)
    expect_params("params with beta = 0.5", new, [0.965, -1.965], 0.4875, hint)


@check("optimizers", "rmsprop_update")
def check_rmsprop_update(pkg: Package, rmsprop_update: Callable) -> None:
    params, grads, s = opt_params(), opt_grads(), opt_state([0.0, 0.0], 0.0)
    before = snapshot(params, grads, s)
    new, new_s = expect_tuple("rmsprop_update returns (params, s)",
                              rmsprop_update(params, grads, s, 0.01), 2)
    expect_unchanged("rmsprop_update", before, [params, grads, s])
    hint = "s <- beta s + (1 - beta) g^2 (element-wise), theta <- theta - lr g / (sqrt(s) + eps)."
    expect_state("s from zeros, beta = 0.999", new_s, [0.00025, 0.001], 6.25e-5, hint)
    expect_params("params from s = 0, lr = 0.01", new,
                  [0.6837724339830356, -1.6837723339831303], 0.1837726339826561, hint)
    s = opt_state([0.04, 0.25], 0.0)
    new, new_s = rmsprop_update(params, grads, s, 0.1, beta=0.5, eps=1.0)
    expect_state("s with beta = 0.5", new_s, [0.145, 0.625], 0.03125, hint)
    expect_params("params with beta = 0.5, eps = 1 (eps outside the square root)", new,
                  [0.9637888102510641, -1.9441518440112253], 0.4787555276205584, hint)


@check("optimizers", "adam_update")
def check_adam_update(pkg: Package, adam_update: Callable) -> None:
    params, grads = opt_params(), opt_grads()
    v, s = opt_state([0.0, 0.0], 0.0), opt_state([0.0, 0.0], 0.0)
    before = snapshot(params, grads, v, s)
    new, new_v, new_s = expect_tuple("adam_update returns (params, v, s)",
                                     adam_update(params, grads, v, s, 1), 3)
    expect_unchanged("adam_update", before, [params, grads, v, s])
    hint = ("v <- b1 v + (1 - b1) g; s <- b2 s + (1 - b2) g^2; step with v/(1 - b1^t) and "
            "s/(1 - b2^t); return v and s WITHOUT the bias correction.")
    expect_state("v after step t = 1", new_v, [0.05, -0.1], 0.025, hint)
    expect_state("s after step t = 1", new_s, [0.00025, 0.001], 6.25e-5, hint)
    expect_params("params after step t = 1 (lr = 0.001: a step of about lr * sign(g))", new,
                  [0.99900000002, -1.9990000000099999], 0.49900000004, hint)
    v, s = opt_state([0.2, 0.3], 0.0), opt_state([0.04, 0.25], 0.0)
    new, new_v, new_s = adam_update(params, grads, v, s, 3, lr=0.01, beta1=0.8, beta2=0.9,
                                    eps=1e-3)
    expect_state("v at t = 3, beta1 = 0.8", new_v, [0.26, 0.04], 0.05, hint)
    expect_state("s at t = 3, beta2 = 0.9", new_s, [0.061, 0.325], 0.00625, hint)
    expect_params("params at t = 3, lr = 0.01, eps = 1e-3", new,
                  [0.9887937880644733, -2.0007478021999328], 0.4932973824756704, hint)


# --- train.py --------------------------------------------------------------------------
def train_data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(50).uniform(-1.0, 1.0, (2, 16))
    Y = 0.2 + 0.6 / (1.0 + np.exp(-(2.0 * X[:1] - X[1:])))  # a smooth target in (0.2, 0.8)
    return X, Y


@check("train", "train")
def check_train(pkg: Package, train: Callable) -> None:
    X, Y = train_data()
    sizes, acts = [2, 3, 1], ["sigmoid", "sigmoid"]
    before = snapshot(X, Y, sizes, acts)
    result = expect_tuple("train returns (params, losses)",
                          train(X, Y, sizes, acts, optimizer="gd", lr=0.5, epochs=25), 2)
    expect_unchanged("train", before, [X, Y, sizes, acts])
    params, losses = result
    expect_dict("trained params", params, ["W1", "b1", "W2", "b2"])
    for key, shape in (("W1", (3, 2)), ("b1", (3, 1)), ("W2", (1, 3)), ("b2", (1, 1))):
        expect_array(f"trained {key}", params[key], shape=shape)
    try:
        losses = [float(x) for x in losses]
    except (TypeError, ValueError):
        losses = None
    if losses is None or len(losses) != 25:
        raise CheckFailed("losses for epochs = 25", "a list of 25 floats", fmt(result[1]),
                          "Append one full-data cost J per epoch.")
    if not all(math.isfinite(x) for x in losses):
        raise CheckFailed("losses are finite", "finite values", losses)
    init_params = pkg.need("network", "init_params")
    forward = pkg.need("network", "forward")
    mse_loss = pkg.need("losses", "mse_loss")
    J0 = float(mse_loss(forward(X, init_params(sizes, 0), acts)[0], Y))
    if not all(b < a for a, b in zip([J0] + losses[:-1], losses, strict=True)):
        raise CheckFailed('"gd" with a small lr lowers J every epoch (J at the start, then losses)',
                          "a decreasing sequence", [J0] + losses,
                          "Start from init_params(layer_sizes, seed); record J AFTER each epoch's "
                          "update; \"gd\" makes one full-batch update per epoch.")
    expect_float("losses[-1] is J of the returned params on all data", losses[-1],
                 float(mse_loss(forward(X, params, acts)[0], Y)),
                 "Record the full-data cost after the epoch's updates.")
    _, other = train(X, Y, sizes, acts, optimizer="gd", lr=0.5, batch_size=3, epochs=25)
    if not close(other, losses):
        raise CheckFailed('"gd" ignores batch_size (full batch)', losses, other,
                          '"gd" is full-batch gradient descent: one update on all m examples.')
    for optimizer, lr in (("momentum", 0.5), ("rmsprop", 0.01), ("adam", 0.02)):
        _, run = train(X, Y, sizes, acts, optimizer=optimizer, lr=lr, batch_size=4, epochs=15)
        run = [float(x) for x in run]
        if len(run) != 15 or not all(map(math.isfinite, run)) or not run[-1] < J0:
            raise CheckFailed(f'"{optimizer}" for 15 epochs lowers J below its start {J0:.6g}',
                              "15 finite losses ending lower", run,
                              "Mini-batches of batch_size each epoch, one update per batch.")
        _, again = train(X, Y, sizes, acts, optimizer=optimizer, lr=lr, batch_size=4, epochs=15)
        if not same([float(x) for x in again], run):
            raise CheckFailed(f'"{optimizer}": the same seed gives the same losses', run, again,
                              "Derive every shuffle from seed (e.g. seed + epoch).")
    _, single = train(X, Y, sizes, acts, optimizer="adam", batch_size=100, epochs=2)
    if len(single) != 2:
        raise CheckFailed("batch_size > m", "2 losses", single, "batch_size > m gives one batch.")
    expect_raises('train(..., optimizer="sgd")', ValueError,
                  lambda: train(X, Y, sizes, acts, optimizer="sgd", epochs=1),
                  "An unknown optimizer name must raise ValueError.")


# --- quiz.py ---------------------------------------------------------------------------
@check("quiz", "ANSWERS")
def check_quiz(pkg: Package, answers: Any) -> None:
    if not isinstance(answers, dict) or set(answers) != set(range(1, 11)):
        raise CheckFailed("ANSWERS has the keys 1..10", "a dict with int keys 1..10",
                          fmt(answers), "Keep the dict of backprop/quiz.py; fill in the letters.")
    if all(isinstance(a, str) and not a.strip() for a in answers.values()):
        raise NotImplementedError("not implemented yet: no answer filled in (backprop/quiz.py)")
    bad = {q: a for q, a in sorted(answers.items())
           if not (isinstance(a, str) and a.strip().upper() in ("A", "B", "C", "D"))}
    if bad:
        raise CheckFailed("every answer is one letter A-D", "letters A, B, C or D",
                          f"questions {bad}", "Write one letter between the quotes, e.g. \"B\".")


# ---------------------------------------------------------------------------------------
# Running and reporting
# ---------------------------------------------------------------------------------------
# The report name of each check ("quiz" for ANSWERS).
def display_name(function: str) -> str:
    return "quiz" if function == "ANSWERS" else function


STATUS_WIDTH = 17


def run_one(pkg: Package, module: str, function: str, fn: Callable) -> tuple[str, list[str]]:
    """Run the checks of one function; return (status, detail lines)."""
    mod = pkg.module(module)
    if isinstance(mod, BaseException):
        return "FAIL", [f"could not import backprop/{module}.py: {describe(mod, pkg.root)}",
                        "hint: fix this error first; it fails every function of the file."]
    if not hasattr(mod, function):
        return "FAIL", [f"backprop/{module}.py has no {function}; keep the names of the handout."]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fn(pkg, getattr(mod, function))
    except NotImplementedError as exc:
        message = str(exc) or "NotImplementedError"
        if "not implemented yet" not in message:
            message = f"not implemented yet ({message})"
        frame = last_package_frame(exc, pkg.root)
        if frame is not None and frame.name != function:
            message += f" -- the checks of {display_name(function)} need it"
        return "NOT IMPLEMENTED", [message]
    except CheckFailed as exc:
        lines = [f"check:    {exc.what}"]
        if exc.expected is not None:
            lines.append(f"expected: {fmt(exc.expected)}")
        if exc.got is not None:
            lines.append(f"got:      {fmt(exc.got)}")
        if exc.hint:
            lines.append(f"hint:     {exc.hint}")
        return "FAIL", lines
    except MissingDependency as exc:
        return "FAIL", [str(exc)]
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - student code raised
        return "FAIL", [f"raised {describe(exc, pkg.root)}",
                        "hint: run the function by hand on small inputs to find the problem."]
    return "PASS", []


def main(argv: list[str] | None = None) -> int:
    names = [display_name(f) for _, f, _ in CHECKS]
    parser = argparse.ArgumentParser(
        description="Public checks for the backprop assignment (a subset of the graded tests).")
    parser.add_argument("--package", type=Path, default=Path(__file__).resolve().parent,
                        help="folder that CONTAINS the backprop/ package (default: this folder)")
    parser.add_argument("functions", nargs="*", metavar="FUNCTION",
                        help=f"functions to check (default: all): {', '.join(names)}")
    args = parser.parse_args(argv)
    unknown = [f for f in args.functions if f not in names]
    if unknown:
        parser.error(f"unknown function(s) {', '.join(unknown)}; choose from {', '.join(names)}")

    pkg = load_package(args.package.resolve())
    selected = [c for c in CHECKS if not args.functions or display_name(c[1]) in args.functions]
    print(f"Public checks of {pkg.root / 'backprop'}")
    passed, current = 0, None
    for module, function, fn in selected:
        if module != current:
            print(f"\nbackprop/{module}.py")
            current = module
        status, details = run_one(pkg, module, function, fn)
        passed += status == "PASS"
        print(f"  {status:<{STATUS_WIDTH}}{display_name(function)}")
        for line in details:
            print(" " * (STATUS_WIDTH + 4) + line)
    print(f"\n{passed}/{len(selected)} functions pass the public checks.")
    print(SUMMARY_REMINDER)
    return 0 if passed == len(selected) else 1


if __name__ == "__main__":
    sys.exit(main())
