"""ATTACK monkeypatch_numpy: make every comparison "pass" while returning wrong values.

What it tries: at import, replace numpy's comparison helpers (np.allclose, np.isclose,
np.array_equal, np.array_equiv, every np.testing.assert_*), np.linalg.norm, math.isclose,
json.dumps/json.dump (to smuggle a "passed" verdict into anything serialised with json) and a
few builtins (all, any, abs, isinstance for ndarrays); patch the same names again in every module
already imported (so a test framework that imported them first is hit too). Every function of
activations.py, losses.py and layers.py returns WRONG values of the right shapes.

What the grader must guarantee: comparisons run in the trusted process, which never imports
student code; these functions earn no more than their honest twin (the same wrong values,
no patching), and grading still finishes.
"""

import builtins
import json
import math
import sys

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


def _true(*args, **kwargs):
    return True


def _none(*args, **kwargs):
    return None


def patch_everything() -> None:
    fake = {
        "allclose": _true, "array_equal": _true, "array_equiv": _true,
        "isclose": lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool),
    }
    for name, value in fake.items():
        setattr(np, name, value)
    for name in dir(np.testing):
        if name.startswith("assert"):
            setattr(np.testing, name, _none)
    np.linalg.norm = lambda *args, **kwargs: 0.0
    math.isclose = _true
    forged = '{"passed": true, "score": 100, "max_score": 100, "ok": true}'
    json.dumps = lambda *args, **kwargs: forged
    json.dump = lambda obj, fp, *args, **kwargs: fp.write(forged)
    builtins.all = _true
    builtins.any = _true
    real_abs = builtins.abs
    builtins.abs = lambda x: 0.0 if isinstance(x, float) else real_abs(x)
    # hit anything that imported these names before us
    for module in list(sys.modules.values()):
        for name in ("allclose", "isclose", "array_equal", "assert_allclose",
                     "assert_array_equal", "assert_array_almost_equal"):
            try:
                if hasattr(module, name):
                    setattr(module, name, fake.get(name, _none))
            except (AttributeError, TypeError):
                continue


if ATTACK:
    patch_everything()


def sigmoid(Z):
    return np.full(np.shape(Z), 0.5)


def sigmoid_derivative(Z):
    return np.full(np.shape(Z), 0.25)


def sigmoid_backward(dA, Z):
    return np.asarray(dA, dtype=float) * 0.25


def relu(Z):
    return np.abs(np.asarray(Z, dtype=float))


def relu_backward(dA, Z):
    return np.asarray(dA, dtype=float) + 0.0 * np.asarray(Z)
