"""ATTACK exit_calls: leave the process from inside student functions, with a "success" status.

What it tries: init_state calls sys.exit(0), sgd_update calls os._exit(0) (no cleanup, no
exception), momentum_update raises SystemExit("All tests passed!"). A grader running student
code in its own process stops there (and may report success, or nothing at all).

What the grader must guarantee: only these three functions fail (score 0; train, which uses
them, may fail too); the worker is restarted and rmsprop_update, adam_update and every other
module's functions are graded normally (they are correct here and keep full marks).
"""

import os
import sys

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


def sgd_update(params, grads, lr):
    if ATTACK:
        os._exit(0)
    return {k: p - lr * grads["d" + k] for k, p in params.items()}


def init_state(params):
    if ATTACK:
        sys.exit(0)
    return {"d" + k: np.zeros(np.shape(p)) for k, p in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    if ATTACK:
        raise SystemExit("All tests passed!")
    new_v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
    return {k: p - lr * new_v["d" + k] for k, p in params.items()}, new_v


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    new_s = {k: beta * s[k] + (1 - beta) * grads[k] ** 2 for k in s}
    return {k: p - lr * grads["d" + k] / (np.sqrt(new_s["d" + k]) + eps)
            for k, p in params.items()}, new_s


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    new_v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    new_s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    new_p = {}
    for k, p in params.items():
        v_hat = new_v["d" + k] / (1 - beta1**t)
        s_hat = new_s["d" + k] / (1 - beta2**t)
        new_p[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)
    return new_p, new_v, new_s
