"""ATTACK ipc_injection: write forged "results" into every file descriptor the worker has.

What it tries: every optimizer function lists /proc/self/fd and writes, to every writable
descriptor (the channel to the grader included), forged messages in the formats a grader might
use (JSON lines claiming success, a pickle of {"passed": True, "score": 100}, an .npy header),
tries to read whatever is readable on the other descriptors, then returns WRONG values (zeros).

What the grader must guarantee: the channel is robust to garbage (a forged or broken message
fails the call, it never becomes a pass), verdicts never come from the worker, grading finishes,
and these functions earn no more than their honest twin (the same zeros, no writes).
"""

import io
import json
import os
import pickle
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False


def _forgeries() -> list[bytes]:
    verdict = {"passed": True, "ok": True, "score": 100, "max_score": 100, "status": "passed"}
    npy = io.BytesIO()
    np.save(npy, np.zeros((2, 2)))
    return [
        (json.dumps(verdict) + "\n").encode(),
        (json.dumps({"id": 1, "ok": True, "value": 0.0, "result": verdict}) + "\n").encode(),
        pickle.dumps(verdict),
        npy.getvalue(),
        b"\x00" * 64 + b"\xff" * 64,
    ]


def inject() -> None:
    try:  # rename this process so the tests can spot it if it outlives grading
        Path("/proc/self/comm").write_text("BPATTACK-ipc")
    except OSError:
        pass
    try:
        fds = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 64))
    for fd in fds:
        for blob in _forgeries():
            try:
                os.write(fd, blob)
            except OSError:
                break
        try:
            os.set_blocking(fd, False)
            os.read(fd, 65536)
        except OSError:
            continue


def _zeros(d):
    return {k: np.zeros(np.shape(v)) for k, v in d.items()}


def sgd_update(params, grads, lr):
    if ATTACK:
        inject()
    return _zeros(params)


def init_state(params):
    if ATTACK:
        inject()
    return {"d" + k: np.ones(np.shape(v)) for k, v in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    if ATTACK:
        inject()
    return _zeros(params), _zeros(v)


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    if ATTACK:
        inject()
    return _zeros(params), _zeros(s)


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    if ATTACK:
        inject()
    return _zeros(params), _zeros(v), _zeros(s)
