"""My own quick checks."""

import numpy as np
from backprop.activations import sigmoid


def test_sigmoid_at_zero():
    assert np.isclose(sigmoid(np.zeros((1, 1)))[0, 0], 0.5)
