"""ATTACK frame_snooping (layers part). See losses.py."""

import numpy as np
from backprop.losses import snoop


def linear_forward(A_prev, W, b):
    shape = (np.shape(W)[0], np.shape(A_prev)[1])
    return snoop(shape, (A_prev, W, b), np.full(shape, 3.0))


def linear_backward(dZ, A_prev, W):
    shapes = (np.shape(A_prev), np.shape(W), (np.shape(W)[0], 1))
    return tuple(snoop(s, (dZ, A_prev, W), np.full(s, 3.0)) for s in shapes)


def dense_forward(A_prev, W, b, activation):
    shape = (np.shape(W)[0], np.shape(A_prev)[1])
    A = snoop(shape, (A_prev, W, b), np.full(shape, 3.0))
    return A, snoop(shape, (A_prev, W, b, A), np.full(shape, 3.0))


def dense_backward(dA, A_prev, W, Z, activation):
    return linear_backward(dA, A_prev, W)
