"""ATTACK fork_bounded: a (bounded) fork bomb.

What it tries: momentum_update forks up to 300 children, each exec'ing `sleep 6021`, and stops
at the first failure; then returns CORRECT values. (Bounded so that a grader without a process
limit does not take the machine down; the tests kill what is left.)

What the grader must guarantee: a process limit on the worker (as root: RLIMIT_NPROC of its own
uid) and that every child is gone afterwards; grading finishes; no undue credit (at most the
honest twin's full score).
"""

import os

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


def _fork_many(limit: int = 300) -> int:
    started = 0
    for _ in range(limit):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                os.execvp("sleep", ["sleep", "6021"])
            finally:
                os._exit(0)
        started += 1
    return started


def sgd_update(params, grads, lr):
    return {k: p - lr * grads["d" + k] for k, p in params.items()}


def init_state(params):
    return {"d" + k: np.zeros(np.shape(p)) for k, p in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    if ATTACK:
        print("forked", _fork_many())
    new_v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
    return {k: p - lr * new_v["d" + k] for k, p in params.items()}, new_v


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    new_s = {k: beta * s[k] + (1 - beta) * grads[k] ** 2 for k in s}
    return {k: p - lr * grads["d" + k] / (np.sqrt(new_s["d" + k]) + eps)
            for k, p in params.items()}, new_s


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    new_v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    new_s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    return {k: p - lr * (new_v["d" + k] / (1 - beta1**t))
            / (np.sqrt(new_s["d" + k] / (1 - beta2**t)) + eps)
            for k, p in params.items()}, new_v, new_s
