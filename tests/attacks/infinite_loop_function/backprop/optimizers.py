"""ATTACK infinite_loop_function: never return, and resist being stopped politely.

What it tries: sgd_update ignores SIGINT, SIGTERM, SIGALRM, SIGHUP and SIGXCPU, tries to lift its
CPU-time limit, then spins forever, swallowing any exception a timer might raise inside it.
init_state sleeps forever in a loop that also swallows every exception.

What the grader must guarantee: a wall-clock timeout per call that cannot be ignored (SIGKILL),
these two functions score 0 (train, which uses them, may too), the worker is restarted, every
other function is graded normally (full marks here), and grading finishes in bounded time.
"""

import resource
import signal
import time
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


def _mark() -> None:
    """Rename this process (its comm) so the tests can spot it if it outlives grading."""
    try:
        Path("/proc/self/comm").write_text("BPATTACK-loop")
    except OSError:
        pass


def _stubborn() -> None:
    _mark()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM, signal.SIGHUP, signal.SIGXCPU):
        try:
            signal.signal(sig, signal.SIG_IGN)
        except (OSError, ValueError):
            pass
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (OSError, ValueError):
        pass


def sgd_update(params, grads, lr):
    if ATTACK:
        _stubborn()
        while True:
            try:
                while True:
                    pass
            except BaseException:  # swallowing is the point
                continue
    return {k: p - lr * grads["d" + k] for k, p in params.items()}


def init_state(params):
    if ATTACK:
        _stubborn()
        while True:
            try:
                time.sleep(3600)
            except BaseException:  # swallowing is the point
                continue
    return {"d" + k: np.zeros(np.shape(p)) for k, p in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
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
