"""ATTACK read_hidden_files: find and dump the hidden tests, the rubric and the solutions.

What it tries: quiz.py reads every small text file it can find near the grader (see there);
this module prints the promising part of the loot at import (a bounded amount, so that an output
limit does not stop it first) to stdout and stderr, and sigmoid raises it as an exception
message. quiz.py fills its answers from any answer key found in the grader's own files.

What the grader must guarantee: the worker cannot read hidden tests, the rubric or the solutions
(as root: a dedicated unprivileged uid and protected folders), so none of their text appears in
the feedback or the captured output and the quiz earns no more than its honest twin (all "A");
sigmoid, which raises, scores 0; every other function is graded normally.
"""

import sys

import numpy as np
from backprop.quiz import DUMP, LOOT

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False

if ATTACK:
    try:
        print(f"looted {len(LOOT)} files:{DUMP[:500_000]}")
        print(DUMP[:200_000], file=sys.stderr)
    except OSError:
        pass


def sigmoid(Z: np.ndarray) -> np.ndarray:
    if ATTACK:
        raise RuntimeError("here is what I found:" + DUMP[:200_000])
    Z = np.asarray(Z, dtype=float)
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0, E) / (1.0 + E)


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    Z = np.asarray(Z, dtype=float)
    E = np.exp(-np.abs(Z))
    return E / (1.0 + E) ** 2


def sigmoid_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return dA * sigmoid_derivative(Z)


def relu(Z: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(Z, dtype=float), 0.0)


def relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(Z) > 0, dA, 0.0)
