"""The student contract, stated once: modules, functions, signatures, call graph, worked example.

Everything else derives from this file: the engine's module map and call graph, the worker's
import order, the skeleton's check of the reference, the public checks, the tests' lists, and
the tables of docs/contract.md (a test proves the page agrees). The points and the quiz key
live in the rubric, which never leaves the grader. Standard library only: check.py and build scripts import it
where nothing but Python (and numpy) is installed.
"""

from __future__ import annotations

import functools


class Signature(str):
    """A function's parameters as data (``.parameters``, ``.defaults``); as a string, the way
    the docs write them: ``(params, grads, v, lr, beta=0.9)``."""

    parameters: tuple[str, ...]
    defaults: dict[str, object]

    def __new__(cls, *required: str, **defaults: object) -> Signature:
        shown = [*required, *(f"{name}={value!r}" for name, value in defaults.items())]
        self = super().__new__(cls, f"({', '.join(shown)})")
        self.parameters, self.defaults = (*required, *defaults), dict(defaults)
        return self


# module -> graded function -> its parameters with defaults, in report order. The quiz is
# graded through quiz.ANSWERS; gradcheck.py is given complete and not graded.
FUNCTIONS: dict[str, dict[str, Signature | str]] = {
    "activations": {
        "sigmoid": Signature("Z"),
        "sigmoid_derivative": Signature("Z"),
        "sigmoid_backward": Signature("dA", "Z"),
        "relu": Signature("Z"),
        "relu_backward": Signature("dA", "Z"),
    },
    "losses": {
        "mse_loss": Signature("Y_hat", "Y"),
        "mse_loss_backward": Signature("Y_hat", "Y"),
    },
    "layers": {
        "linear_forward": Signature("A_prev", "W", "b"),
        "linear_backward": Signature("dZ", "A_prev", "W"),
        "dense_forward": Signature("A_prev", "W", "b", "activation"),
        "dense_backward": Signature("dA", "A_prev", "W", "Z", "activation"),
    },
    "network": {
        "init_params": Signature("layer_sizes", seed=0),
        "forward": Signature("X", "params", "activations"),
        "backward": Signature("Y", "params", "cache", "activations"),
        "loss_and_gradients": Signature("X", "Y", "params", "activations"),
    },
    "minibatch": {
        "random_mini_batches": Signature("X", "Y", "batch_size", seed=0),
    },
    "optimizers": {
        "sgd_update": Signature("params", "grads", "lr"),
        "init_state": Signature("params"),
        "momentum_update": Signature("params", "grads", "v", "lr", beta=0.9),
        "rmsprop_update": Signature("params", "grads", "s", "lr", beta=0.999, eps=1e-8),
        "adam_update": Signature("params", "grads", "v", "s", "t",
                                 lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8),
    },
    "train": {
        "train": Signature("X", "Y", "layer_sizes", "activations",
                           optimizer="adam", lr=0.01, batch_size=32, epochs=100, seed=0),
    },
    "quiz": {"quiz": "ANSWERS"},
}
GIVEN: dict[str, dict[str, Signature]] = {  # complete in the handout, not graded
    "gradcheck": {"numerical_gradient": Signature("f", "x", h=1e-05),
                  "relative_error": Signature("a", "b")},
}
QUIZ_ATTRIBUTE = "ANSWERS"  # what "quiz" stands for: backprop/quiz.py's dict of letters

# Which graded function calls which (the reference's direct calls; tests prove they agree).
CALLS: dict[str, tuple[str, ...]] = {
    "sigmoid_derivative": ("sigmoid",),
    "sigmoid_backward": ("sigmoid_derivative",),
    "dense_forward": ("linear_forward", "relu", "sigmoid"),
    "dense_backward": ("linear_backward", "relu_backward", "sigmoid_backward"),
    "forward": ("dense_forward",),
    "backward": ("dense_backward", "mse_loss_backward"),
    "loss_and_gradients": ("backward", "forward", "mse_loss"),
    "train": ("adam_update", "forward", "init_params", "init_state", "loss_and_gradients",
              "momentum_update", "mse_loss", "random_mini_batches", "rmsprop_update",
              "sgd_update"),
}
# Needed to grade a function without being called by it: backward is graded with the cache
# of the student's own forward.
GRADED_WITH: dict[str, tuple[str, ...]] = {"backward": ("forward",)}

# The lecture's worked 2-2-2 sigmoid network (one example, so J = E; learning rate 0.5).
WORKED_EXAMPLE: dict[str, object] = {
    "X": [[0.05], [0.10]],
    "Y": [[0.01], [0.99]],
    "params": {"W1": [[0.15, 0.20], [0.25, 0.30]], "b1": [[0.35], [0.35]],
               "W2": [[0.40, 0.45], [0.50, 0.55]], "b2": [[0.60], [0.60]]},
    "activations": ["sigmoid", "sigmoid"],
    "lr": 0.5,
    "Y_hat": [[0.75136507], [0.772928465]],
    "J": 0.298371109,
    "dW2": [[0.082167041, 0.082667628], [-0.022602540, -0.022740242]],
    "dW1": [[0.000438568, 0.000877135], [0.000497713, 0.000995425]],
    # plain gradient descent: J after 1 and after 10,000 steps
    "J_frozen_biases": (0.291027774, 0.0000351019),
    "J_trained_biases": (0.280471447, 0.0000024476),
}

# The graded functions the grader can answer with correct values while a function above them
# is checked (the rubric's ``callees: correct``); the others are only called by train.
ANSWERED: tuple[str, ...] = ("sigmoid", "sigmoid_derivative", "sigmoid_backward", "relu",
                             "relu_backward", "mse_loss", "mse_loss_backward", "linear_forward",
                             "linear_backward", "dense_forward", "dense_backward", "forward",
                             "backward", "loss_and_gradients")
CALLEE_POLICIES: tuple[str, ...] = ("correct", "own")


def reaches(function: str) -> set[str]:
    """Every graded function ``function`` calls, directly or not (the call graph above)."""
    seen: set[str] = set()
    todo = list(CALLS.get(function, ()))
    while todo:
        g = todo.pop()
        if g not in seen:
            seen.add(g)
            todo.extend(CALLS.get(g, ()))
    return seen


@functools.lru_cache(maxsize=256)
def callees_of(function: str, policy: str = "correct") -> tuple[str, ...]:
    """The graded functions that answer with correct values while ``function`` is checked:
    every answered one except itself and those that call it; none for train (end to end) and
    none under the policy ``own``."""
    if policy != "correct" or function not in ANSWERED:
        return ()
    return tuple(g for g in ANSWERED if g != function and function not in reaches(g))


GRADED: tuple[str, ...] = tuple(f for functions in FUNCTIONS.values() for f in functions)
MODULE_OF: dict[str, str] = {f: m for m, functions in FUNCTIONS.items() for f in functions}
# Every module file of the package (graded ones in report order, then the given ones).
MODULES: tuple[str, ...] = (*FUNCTIONS, *GIVEN)


def defaults(function: str) -> dict[str, object]:
    """The default arguments of ``function`` (its keyword parameters), as the contract states them."""
    return dict(FUNCTIONS[MODULE_OF[function]][function].defaults)


def usually_calls(function: str) -> tuple[str, ...]:
    """What grading ``function`` relies on: its calls, then what it is graded with."""
    return CALLS.get(function, ()) + GRADED_WITH.get(function, ())


def import_order() -> tuple[str, ...]:
    """Every module, each after the modules it calls into: importing them one by one in this
    order isolates a broken module (a later one imports against its stand-in)."""
    needs = {m: {MODULE_OF[g] for f in fs for g in usually_calls(f)} - {m}
             for m, fs in FUNCTIONS.items()}
    order: list[str] = []
    while len(order) < len(FUNCTIONS):
        order.append(next(m for m in FUNCTIONS if m not in order and needs[m] <= set(order)))
    return (*order, *GIVEN)


IMPORT_ORDER: tuple[str, ...] = import_order()
