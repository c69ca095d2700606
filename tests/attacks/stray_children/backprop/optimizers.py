"""ATTACK stray_children: leave processes running after grading.

What it tries: sgd_update starts `sleep 6011` in a new session (subprocess, start_new_session),
double-forks a daemon that calls setsid and execs `sleep 6012`, and starts a Python child in its
own session that ignores SIGTERM/SIGHUP and sleeps (its command line carries
BPATTACK-stray-6014); init_state starts a non-daemon thread that never ends (so the worker
cannot exit cleanly). Both functions then return CORRECT values.

What the grader must guarantee: when it is done, nothing the submission started is still
running (as root: every process of the worker's uid is killed, whatever its session or process
group); grading finishes; no undue credit (at most the honest twin's score, which is full).
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False
STUBBORN = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "signal.signal(signal.SIGHUP, signal.SIG_IGN); time.sleep(6014)")


def _spawn() -> None:
    _mark()
    quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL,
             "stderr": subprocess.DEVNULL, "start_new_session": True}
    try:
        subprocess.Popen(["sleep", "6011"], **quiet)
    except OSError:
        pass
    try:
        subprocess.Popen([sys.executable, "-c", STUBBORN, "BPATTACK-stray-6014"], **quiet)
    except OSError:
        pass
    try:
        pid = os.fork()
    except OSError:
        return
    if pid == 0:  # child: new session, fork again, exec a long sleep
        try:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "6012"])
        finally:
            os._exit(0)
    try:
        os.waitpid(pid, 0)
    except OSError:
        pass


def _mark() -> None:
    """Rename this process (its comm) so the tests can spot it if it outlives grading."""
    try:
        Path("/proc/self/comm").write_text("BPATTACK-stray")
    except OSError:
        pass


def _forever() -> None:
    while True:
        time.sleep(3600)


def sgd_update(params, grads, lr):
    if ATTACK:
        _spawn()
    return {k: p - lr * grads["d" + k] for k, p in params.items()}


def init_state(params):
    if ATTACK:
        _mark()
        threading.Thread(target=_forever, daemon=False).start()
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
