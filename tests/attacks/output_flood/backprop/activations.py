"""ATTACK output_flood: print hundreds of megabytes.

What it tries: 16 MB printed at import; relu prints 300 MB to stdout and relu_backward 100 MB to
stderr, in 1 MB writes, then both return CORRECT values. A grader that buffers everything in
memory, or copies student output into results.json unbounded, runs out of memory or produces a
results file nobody can open.

What the grader must guarantee: grading finishes in bounded time; the captured output and every
function's feedback stay small (truncated); relu and relu_backward earn no more than their honest
twin (they may legitimately keep full marks if the grader lets the writes through, or score 0
if it stops the worker); every other function is graded normally.
"""

import sys
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False
MEGABYTE = ("BPATTACK-FLOOD " * 70 + "\n") * 1000  # ~1 MB


def _flood(stream, megabytes: int) -> None:
    try:  # rename this process so the tests can spot it if it outlives grading
        Path("/proc/self/comm").write_text("BPATTACK-flood")
    except OSError:
        pass
    for _ in range(megabytes):
        stream.write(MEGABYTE)
    stream.flush()


if ATTACK:
    _flood(sys.stdout, 16)


def sigmoid(Z):
    Z = np.asarray(Z, dtype=float)
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0, E) / (1.0 + E)


def sigmoid_derivative(Z):
    S = sigmoid(Z)
    return S * (1.0 - S)


def sigmoid_backward(dA, Z):
    return dA * sigmoid_derivative(Z)


def relu(Z):
    if ATTACK:
        _flood(sys.stdout, 300)
    return np.maximum(np.asarray(Z, dtype=float), 0.0)


def relu_backward(dA, Z):
    if ATTACK:
        _flood(sys.stderr, 100)
    return np.where(np.asarray(Z) > 0, dA, 0.0)
