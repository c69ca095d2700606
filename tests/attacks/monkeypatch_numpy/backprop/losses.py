"""ATTACK monkeypatch_numpy (losses part): patches again at import; wrong values.

See activations.py for what is tried and what the grader must guarantee.
"""

import numpy as np
from backprop.activations import patch_everything

ATTACK = True  # the honest twin sets this to False

if ATTACK:
    patch_everything()


def mse_loss(Y_hat, Y):
    return 0.0


def mse_loss_backward(Y_hat, Y):
    return np.zeros(np.shape(Y))
