"""ATTACK base_exceptions: raise what `except Exception` does not catch.

What it tries: mse_loss raises KeyboardInterrupt, mse_loss_backward a home-made BaseException
subclass whose message claims success. A grader that wraps calls in `except Exception` lets
them through and dies (or stops grading).

What the grader must guarantee: these functions score 0 with a clear message; every function
that does not use them is graded normally (full marks here).
"""

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


class AllTestsPassed(BaseException):
    """Not an Exception: slips through `except Exception`."""


def mse_loss(Y_hat, Y):
    if ATTACK:
        raise KeyboardInterrupt
    return float(0.5 * np.sum((np.asarray(Y) - Y_hat) ** 2) / np.shape(Y)[1])


def mse_loss_backward(Y_hat, Y):
    if ATTACK:
        raise AllTestsPassed("score: 100/100")
    return np.asarray(Y_hat, dtype=float) - Y
