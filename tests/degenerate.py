"""Submissions that must earn (almost) nothing, and one whose only fault is writing into inputs.

- ``zeros``: every function returns zeros of the right shapes and structure (zero-filled
  mini-batches, a train that returns zero parameters and losses of 0).
- ``constant``: the same with 0.5 everywhere (a constant output of the right shape).
- ``echo``: every function returns its first argument unchanged.
- ``in_place``: the reference's right values, but every function called by the grader then
  writes into each array, dict and list it was given (the in-place habit of real learners,
  ``params["W1"] -= ...``, ``dout[mask] = 0``, applied to every function at once).

The degenerate ones may earn a check only where the trivial answer is genuinely right
(``ALLOWED``): init_state's zeros, pure structure checks, quiz letters that happen to match the
key. ``in_place`` must lose exactly the checks about modified inputs.
"""

from __future__ import annotations

from pathlib import Path

from autograder.mistakes import GRADED_MODULES, QUIZ_KEY, copy_reference

# Checks a degenerate submission may pass (the quiz's questions are added from its letter).
ALLOWED: dict[str, set[str]] = {
    "zeros": {"init_state_zeros", "init_state_leaves_input_unchanged", "sgd_update_keys",
              "init_params_keys_and_shapes", "quiz_answers_are_letters"},
    "constant": {"sgd_update_keys", "init_params_keys_and_shapes", "quiz_answers_are_letters"},
    "echo": {"sgd_update_keys", "quiz_answers_are_letters"},
}
QUIZ_LETTER = {"zeros": "A", "constant": "C", "echo": "B"}
# What a right-valued submission that writes into its inputs loses: each function's
# inputs-unchanged check, and backward's check that the cache stays as forward made it.
IN_PLACE_LOSES = ("_leaves_input_unchanged", "_leaves_inputs_unchanged",
                  "backward_keeps_the_cache")

_FILLED = '''"""A degenerate submission: {fill} everywhere, in the right shapes."""

import numpy as np

F = {fill}


def _like(a):
    return np.full(np.shape(a), F, dtype=float)


def _state(d):
    return {{k: _like(v) for k, v in d.items()}}
'''

_BODIES = {
    "activations": '''
def sigmoid(Z):
    return _like(Z)


def sigmoid_derivative(Z):
    return _like(Z)


def sigmoid_backward(dA, Z):
    return _like(Z)


def relu(Z):
    return _like(Z)


def relu_backward(dA, Z):
    return _like(Z)
''',
    "losses": '''
def mse_loss(Y_hat, Y):
    return float(F)


def mse_loss_backward(Y_hat, Y):
    return _like(Y_hat)
''',
    "layers": '''
def linear_forward(A_prev, W, b):
    return np.full((W.shape[0], A_prev.shape[1]), F)


def linear_backward(dZ, A_prev, W):
    return _like(A_prev), _like(W), np.full((W.shape[0], 1), F)


def dense_forward(A_prev, W, b, activation):
    shape = (W.shape[0], A_prev.shape[1])
    return np.full(shape, F), np.full(shape, F)


def dense_backward(dA, A_prev, W, Z, activation):
    return _like(A_prev), _like(W), np.full((W.shape[0], 1), F)
''',
    "network": '''
def init_params(layer_sizes, seed=0):
    return {f"{p}{l}": np.full((layer_sizes[l], layer_sizes[l - 1] if p == "W" else 1), F)
            for l in range(1, len(layer_sizes)) for p in "Wb"}


def forward(X, params, activations):
    n = params[f"W{len(activations)}"].shape[0]
    return np.full((n, X.shape[1]), F), {}


def backward(Y, params, cache, activations):
    return {"d" + k: _like(v) for k, v in params.items()}


def loss_and_gradients(X, Y, params, activations):
    return float(F), backward(Y, params, None, activations)
''',
    "minibatch": '''
def random_mini_batches(X, Y, batch_size, seed=0):
    m = X.shape[1]
    return [(np.full((X.shape[0], min(batch_size, m - k)), F),
             np.full((Y.shape[0], min(batch_size, m - k)), F)) for k in range(0, m, batch_size)]
''',
    "optimizers": '''
def sgd_update(params, grads, lr):
    return _state(params)


def init_state(params):
    return {"d" + k: _like(v) for k, v in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    return _state(params), _state(v)


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    return _state(params), _state(s)


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return _state(params), _state(v), _state(s)
''',
    "train": '''
from backprop.network import init_params


def train(X, Y, layer_sizes, activations, optimizer="adam", lr=0.01, batch_size=32, epochs=100,
          seed=0):
    return init_params(layer_sizes, seed), [float(F)] * epochs
''',
}

_IN_PLACE = '''

# --- every graded function, when the grader calls it, writes into its inputs afterwards
import copy as _copy
import functools as _functools
import sys as _sys


def _scribble(value):
    import numpy as _np

    if isinstance(value, _np.ndarray) and value.flags.writeable and value.size:
        _np.add(value, 1, out=value, casting="unsafe")
    elif isinstance(value, dict):
        for item in value.values():
            _scribble(item)
        value["scribbled"] = True
    elif isinstance(value, list):
        value.append(value[-1] if value else 0)


def _writes_into_inputs(fn):
    @_functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        if not _sys._getframe(1).f_globals.get("__name__", "").startswith("backprop"):
            result = _copy.deepcopy(result)
            for arg in (*args, *kwargs.values()):
                _scribble(arg)
        return result

    return wrapper


for _name in {names!r}:
    globals()[_name] = _writes_into_inputs(globals()[_name])
'''


def write(kind: str, dest: Path) -> Path:
    """Write the ``kind`` submission's package to ``dest/backprop``; returns ``dest``."""
    package = copy_reference(dest)
    if kind == "in_place":
        for module, functions in GRADED_MODULES.items():
            if module == "quiz":
                continue
            path = package / f"{module}.py"
            path.write_text(path.read_text() + _IN_PLACE.format(names=tuple(functions)))
        return dest
    for module, body in _BODIES.items():
        if kind == "echo":
            text = "\n".join(
                f"def {name}{GRADED_MODULES_SIGNATURES[name]}:\n    return {first_arg(name)}\n\n"
                for name in GRADED_MODULES[module])
            (package / f"{module}.py").write_text(f'"""Echoes its first argument."""\n\n\n{text}')
        else:
            fill = {"zeros": "0.0", "constant": "0.5"}[kind]
            (package / f"{module}.py").write_text(_FILLED.format(fill=fill) + body)
    letter = QUIZ_LETTER[kind]
    (package / "quiz.py").write_text(
        '"""Every answer the same letter."""\n\nANSWERS = {'
        + ", ".join(f'{q}: "{letter}"' for q in QUIZ_KEY) + "}\n")
    return dest


def _signatures() -> dict[str, str]:
    from autograder.engine.core.contract import FUNCTIONS

    return {f: sig for m, fs in FUNCTIONS.items() if m != "quiz" for f, sig in fs.items()}


GRADED_MODULES_SIGNATURES = _signatures()


def first_arg(name: str) -> str:
    return GRADED_MODULES_SIGNATURES[name].strip("()").split(",")[0].split("=")[0].strip()


def allowed(kind: str) -> set[str]:
    """The checks the degenerate ``kind`` may pass: ALLOWED plus its lucky quiz questions."""
    letter = QUIZ_LETTER[kind]
    return ALLOWED[kind] | {f"quiz_question_{q}" for q, key in QUIZ_KEY.items() if key == letter}
