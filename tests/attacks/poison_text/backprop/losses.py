"""ATTACK poison_text: strings that stop the grading of the whole class, and floods of them.

What it tries: its messages hold a lone surrogate (not valid UTF-8: one careless write of it
ends the whole class's run), terminal escape sequences (they reach the instructor's terminal),
a bidirectional override, a Markdown image that loads from the network and raw HTML. At import
it also reaches into the worker (the same process) and replaces the function that cuts exception
messages, so that each failing call sends back 4 MB of such text: about 20 MB over the checks of
mse_loss and mse_loss_backward, which raise it; and it writes bytes that are not UTF-8 to its
output.

What the grader must guarantee: the whole class is graded and written; every output file is
valid UTF-8 without terminal controls, Markdown images or HTML from the student; this
submission's text is bounded (per message and per submission); mse_loss and mse_loss_backward
score 0 and the other functions as its honest twin (whose two functions return correct values).
"""

import os
import sys

import numpy as np

ATTACK = True  # the honest twin sets this to False
POISON = ("lone \ud800 surrogate \x1b[2J\x1b[31mred\x1b]0;title\x07 \u202eevil "
          "![pixel](http://198.51.100.7/track.png) <img src=x onerror=alert(1)> ")


def _flood_messages() -> None:
    worker = sys.modules.get("worker_main") or sys.modules.get("__main__")
    if worker is None or not hasattr(worker, "_error"):
        return

    def error(exc):
        text = POISON * (4 * 1024 * 1024 // len(POISON))
        return {"ok": False, "error": {"type": "Poison\ud800\x1b[2J", "message": text,
                                       "traceback": text}}

    worker._error = error


if ATTACK:
    _flood_messages()
    try:
        os.write(1, b"not UTF-8: \xff\xfe\xc3\x28 \x1b[2J "
                 + POISON.encode("utf-8", "surrogatepass"))
    except OSError:
        pass


def mse_loss(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    if ATTACK:
        raise ValueError(POISON)
    residual = np.asarray(Y_hat, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
    return float(np.sum(residual**2) / (2.0 * residual.shape[1]))


def mse_loss_backward(Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    if ATTACK:
        raise ValueError(POISON)
    return np.asarray(Y_hat, dtype=np.float64) - np.asarray(Y, dtype=np.float64)
