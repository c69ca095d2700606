"""ATTACK frame_snooping: look for the expected answer inside the process.

What it tries: every function of losses.py and layers.py walks the call stack
(sys._getframe) and the garbage collector's objects (gc.get_objects) for arrays or floats of
the shape it has to return that are not among its arguments, preferring variables named like
expected/want/answer/reference/solution, and returns the first one found; otherwise WRONG
values. In a grader that computes the expected value in the same process before calling the
student function, this copies the answer.

What the grader must guarantee: the worker never holds expected values (they are computed and
compared in the trusted process), so these functions earn no more than their honest twin (the
same fallback values, no snooping).
"""

import gc
import sys

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False
NAMES = ("expect", "want", "answer", "ref", "solution", "target", "correct", "oracle")


def _candidates(args: tuple) -> list:
    mine = {id(a) for a in args}
    named, others = [], []
    frame = sys._getframe(2)
    while frame is not None:
        for name, value in frame.f_locals.items():
            if id(value) in mine:
                continue
            (named if any(n in name.lower() for n in NAMES) else others).append(value)
        frame = frame.f_back
    heap = [o for o in gc.get_objects() if isinstance(o, (dict, list, tuple))]
    for container in heap[-5000:]:
        values = container.values() if isinstance(container, dict) else container
        try:
            others.extend(v for v in values if isinstance(v, np.ndarray) and id(v) not in mine)
        except (RuntimeError, TypeError):
            continue
    return named + others


def snoop(shape: tuple | None, args: tuple, fallback):
    """The first array of `shape` (or float if shape is None) that is not an argument."""
    if not ATTACK:
        return fallback
    for value in _candidates(args):
        if shape is None and isinstance(value, float) and value != 0.0:
            return value
        if shape is not None and isinstance(value, np.ndarray) and value.shape == shape:
            return np.array(value, dtype=float)
    return fallback


def mse_loss(Y_hat, Y):
    return snoop(None, (Y_hat, Y), 3.0)


def mse_loss_backward(Y_hat, Y):
    return snoop(np.shape(Y), (Y_hat, Y), np.full(np.shape(Y), 3.0))
