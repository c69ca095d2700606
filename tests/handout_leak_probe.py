"""Leak probe for the handout (run in a fresh interpreter): which shipped function computes
what a graded function must?

Usage: python tests/handout_leak_probe.py HANDOUT_DIR OUT.json

Imports every Python module shipped under HANDOUT_DIR/public_checks, calls each
of their module-level functions (and static/class functions of their classes) with the
arguments of each graded function on fixed inputs, and compares what it returns with what the
reference returns for them. Writes {"leaks": ["module.function computes graded_function"]}.
Trusted code only (the handout's own files and the reference).
"""

from __future__ import annotations

import importlib
import inspect
import json
import signal
import sys
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# Functions whose right answer is not unique (random, or a dict of zeros any init has) are
# not probed: the others, the graded computations, are.
SKIPPED = {"init_params", "random_mini_batches", "train", "quiz", "init_state"}


def probe_inputs() -> dict[str, tuple]:
    rng = np.random.default_rng(11)
    Z, dA = rng.normal(0, 2, (3, 4)), rng.normal(0, 1, (3, 4))
    A_prev, W, b = rng.normal(0, 1, (2, 4)), rng.normal(0, 1, (3, 2)), rng.normal(0, 1, (3, 1))
    params = {"W1": W, "b1": b, "W2": rng.normal(0, 1, (1, 3)), "b2": rng.normal(0, 1, (1, 1))}
    grads = {"d" + k: rng.normal(0, 1, v.shape) for k, v in params.items()}
    state = {"d" + k: np.abs(rng.normal(0, 1, v.shape)) for k, v in params.items()}
    X, Y = rng.normal(0, 1, (2, 4)), rng.normal(0, 1, (1, 4))
    acts = ["sigmoid", "linear"]
    return {
        "sigmoid": (Z,), "sigmoid_derivative": (Z,), "sigmoid_backward": (dA, Z), "relu": (Z,),
        "relu_backward": (dA, Z), "mse_loss": (Z, dA), "mse_loss_backward": (Z, dA),
        "linear_forward": (A_prev, W, b), "linear_backward": (dA, A_prev, W),
        "dense_forward": (A_prev, W, b, "sigmoid"), "dense_backward": (dA, A_prev, W, Z, "sigmoid"),
        "forward": (X, params, acts), "loss_and_gradients": (X, Y, params, acts),
        "sgd_update": (params, grads, 0.1), "momentum_update": (params, grads, state, 0.1),
        "rmsprop_update": (params, grads, state, 0.1),
        "adam_update": (params, grads, grads, state, 3, 0.1),
    }


def same(a: Any, b: Any) -> bool:
    if isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype.kind in "biuf"
                and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9)))
    if isinstance(b, dict):
        return isinstance(a, dict) and set(a) == set(b) and all(same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    if isinstance(b, float):
        return isinstance(a, (float, int, np.floating)) and abs(float(a) - b) <= 1e-9 * max(1, abs(b))
    return False


def functions_of(module: types.ModuleType) -> list[tuple[str, Any]]:
    out = []
    for name, value in vars(module).items():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            out.append((f"{module.__name__}.{name}", value))
        elif isinstance(value, type) and value.__module__ == module.__name__:
            for attr, member in vars(value).items():
                if isinstance(member, (staticmethod, classmethod)):
                    out.append((f"{module.__name__}.{name}.{attr}", getattr(value, attr)))
    return out


class _Slow(Exception):
    pass


def main() -> int:
    handout, out = Path(sys.argv[1]), Path(sys.argv[2])
    sys.path.insert(0, str(ROOT / "solutions"))
    reference = {}
    inputs = probe_inputs()
    for function in inputs:
        module = next(m for m in ("activations", "losses", "layers", "network", "optimizers")
                      if hasattr(importlib.import_module(f"backprop.{m}"), function))
        reference[function] = getattr(importlib.import_module(f"backprop.{module}"), function)(
            *inputs[function])
    for name in [n for n in sys.modules if n == "backprop" or n.startswith("backprop.")]:
        del sys.modules[name]
    sys.path.remove(str(ROOT / "solutions"))
    sys.path.insert(0, str(handout / "public_checks"))
    modules = []
    for path in sorted((handout / "public_checks").rglob("*.py")):
        name = ".".join(path.relative_to(handout / "public_checks").with_suffix("").parts)
        modules.append(importlib.import_module(name.removesuffix(".__init__")))
    leaks = []
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(_Slow()))
    for qualified, fn in (f for m in modules for f in functions_of(m)):
        try:
            arity = len(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            continue
        for function, args in inputs.items():
            if function in SKIPPED or arity < len(args):
                continue
            signal.setitimer(signal.ITIMER_REAL, 2.0)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    got = fn(*args)
            except BaseException:  # noqa: BLE001 - not an implementation of it
                continue
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if same(got, reference[function]):
                leaks.append(f"{qualified} computes {function}")
    out.write_text(json.dumps({"leaks": sorted(set(leaks))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
