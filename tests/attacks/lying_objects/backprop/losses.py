"""ATTACK lying_objects (losses part): a lying float and a pickle-bomb array.

See activations.py for what is tried and what the grader must guarantee.
"""

import numpy as np
from backprop.activations import Bomb

ATTACK = True  # the honest twin sets this to False


class AgreeableFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __lt__(self, other):
        return True

    __le__ = __lt__
    __hash__ = float.__hash__


def mse_loss(Y_hat, Y):
    return AgreeableFloat(42.0) if ATTACK else 42.0


def mse_loss_backward(Y_hat, Y):
    out = np.ones(np.shape(Y))
    return out.view(Bomb) if ATTACK else out
