"""ATTACK memory_bomb: allocate tens of gigabytes.

What it tries: linear_forward fills 1 GiB arrays (np.ones touches every page) one after another,
keeping them all, up to 64 GiB; dense_forward asks for a single 40 GiB bytearray. Without a
memory limit this takes the whole machine down (or gets a random process OOM-killed).

What the grader must guarantee: a memory limit on the worker, so the allocation fails or the
worker dies quickly; these functions score 0 (and what uses them may too); every other function
is graded normally (full marks here); grading finishes in bounded time and the machine survives.
"""

import numpy as np
from backprop.activations import relu, relu_backward, sigmoid, sigmoid_backward

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False
GIB = 1024**3


def linear_forward(A_prev, W, b):
    if ATTACK:
        hoard = []
        for _ in range(64):
            hoard.append(np.ones(GIB // 8))
        print("allocated", len(hoard), "GiB")
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    m = np.shape(A_prev)[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


def dense_forward(A_prev, W, b, activation):
    if ATTACK:
        block = bytearray(40 * GIB)
        print("got", len(block))
    g = {"sigmoid": sigmoid, "relu": relu, "linear": lambda z: np.array(z, dtype=float)}
    if activation not in g:
        raise ValueError(activation)
    Z = linear_forward(A_prev, W, b)
    return g[activation](Z), Z


def dense_backward(dA, A_prev, W, Z, activation):
    g = {"sigmoid": sigmoid_backward, "relu": relu_backward,
         "linear": lambda d, z: np.array(d, dtype=float)}
    if activation not in g:
        raise ValueError(activation)
    return linear_backward(g[activation](dA, Z), A_prev, W)
