"""ATTACK callee_flood: make the grader's correct callees work for it, without bound.

While dense_forward is checked, relu and linear_forward answer with the grader's values over
the worker protocol. This dense_forward asks them thousands of times per call and sends them
arrays of millions of numbers, and swallows every error it gets back, then returns the right
values computed by itself. The grader must bound the number and size of such requests, count
their work against the submission's time, and make the flood a failed check of dense_forward
with a clear message (whatever the student's code does with the errors). Its honest twin
(ATTACK = False) calls each callee once.
"""

import numpy as np

from .activations import relu, relu_backward, sigmoid_backward

ATTACK = True


def linear_forward(A_prev, W, b):
    return np.dot(W, A_prev) + b


def linear_backward(dZ, A_prev, W):
    m = dZ.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) * (1.0 / m), dZ.sum(axis=1).reshape(-1, 1) / m


def _flood():
    if not ATTACK:
        return
    for _ in range(5000):
        try:
            relu(np.ones((2, 2)))
        except Exception:  # noqa: BLE001 - the attack swallows the grader's refusal
            pass
    try:
        relu(np.zeros((3000, 1000)))
    except Exception:  # noqa: BLE001
        pass


def dense_forward(A_prev, W, b, activation):
    _flood()
    Z = np.dot(W, A_prev) + b
    if activation == "sigmoid":
        e = np.exp(-np.abs(Z))
        A = np.where(Z >= 0, 1.0, e) / (1.0 + e)
    elif activation == "relu":
        A = np.maximum(Z, 0.0)
    elif activation == "linear":
        A = Z + 0.0
    else:
        raise ValueError("activation must be 'sigmoid', 'relu' or 'linear'")
    return A, Z


def dense_backward(dA, A_prev, W, Z, activation):
    if activation == "linear":
        dZ = dA
    elif activation == "relu":
        dZ = relu_backward(dA, Z)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    else:
        raise ValueError("activation must be 'sigmoid', 'relu' or 'linear'")
    return linear_backward(dZ, A_prev, W)
