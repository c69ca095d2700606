"""ATTACK lying_objects (layers part): a lying tuple and lying arrays from the layers.

See activations.py for what is tried and what the grader must guarantee.
"""

import numpy as np
from backprop.activations import Liar

ATTACK = True  # the honest twin sets this to False


class YesTuple(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = tuple.__hash__


def _wrong(shape):
    out = np.full(shape, 7.0)
    return out.view(Liar) if ATTACK else out


def linear_forward(A_prev, W, b):
    return _wrong((np.shape(W)[0], np.shape(A_prev)[1]))


def linear_backward(dZ, A_prev, W):
    out = (_wrong(np.shape(A_prev)), _wrong(np.shape(W)), _wrong((np.shape(W)[0], 1)))
    return YesTuple(out) if ATTACK else out


def dense_forward(A_prev, W, b, activation):
    Z = linear_forward(A_prev, W, b)
    return Z, Z


def dense_backward(dA, A_prev, W, Z, activation):
    return linear_backward(dA, A_prev, W)
