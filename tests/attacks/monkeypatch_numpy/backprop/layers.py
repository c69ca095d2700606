"""ATTACK monkeypatch_numpy (layers part): patches again at import and in every call; wrong values.

See activations.py for what is tried and what the grader must guarantee.
"""

import numpy as np
from backprop.activations import patch_everything

ATTACK = True  # the honest twin sets this to False

if ATTACK:
    patch_everything()


def linear_forward(A_prev, W, b):
    if ATTACK:
        patch_everything()
    return np.zeros((np.shape(W)[0], np.shape(A_prev)[1]))


def linear_backward(dZ, A_prev, W):
    if ATTACK:
        patch_everything()
    return np.zeros(np.shape(A_prev)), np.zeros(np.shape(W)), np.zeros((np.shape(W)[0], 1))


def dense_forward(A_prev, W, b, activation):
    if ATTACK:
        patch_everything()
    Z = linear_forward(A_prev, W, b)
    return Z, Z


def dense_backward(dA, A_prev, W, Z, activation):
    if ATTACK:
        patch_everything()
    return linear_backward(dA, A_prev, W)
