"""ATTACK base_exceptions (layers part): GeneratorExit and a bare BaseException.

linear_forward raises GeneratorExit; linear_backward raises BaseException("PASSED"). See
losses.py for what the grader must guarantee. dense_forward/dense_backward call them.
"""

import numpy as np
from backprop.activations import relu, relu_backward, sigmoid, sigmoid_backward

ATTACK = True  # the honest twin sets this to False


def linear_forward(A_prev, W, b):
    if ATTACK:
        raise GeneratorExit
    return W @ A_prev + b


def linear_backward(dZ, A_prev, W):
    if ATTACK:
        raise BaseException("PASSED")
    m = np.shape(A_prev)[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


def dense_forward(A_prev, W, b, activation):
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
