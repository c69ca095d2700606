"""ATTACK infinite_loop_import: hang while the module is being imported.

What it tries: importing backprop.minibatch never finishes (a busy loop at module level that
ignores SIGTERM/SIGALRM and swallows exceptions). A grader that imports every module up front
in one process, or without a timeout, hangs there.

What the grader must guarantee: the import times out and is reported for this module only;
random_mini_batches scores 0 (and train, which imports it, may too); every other module is
imported and graded normally (full marks here); grading finishes in bounded time.
"""

import signal
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False

if ATTACK:
    try:  # rename this process so the tests can spot it if it outlives grading
        Path("/proc/self/comm").write_text("BPATTACK-import")
    except OSError:
        pass
    for _sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT):
        signal.signal(_sig, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except BaseException:  # swallowing is the point
            continue


def random_mini_batches(X, Y, batch_size, seed=0):
    perm = np.random.default_rng(seed).permutation(np.shape(X)[1])
    return [(X[:, perm[k:k + batch_size]], Y[:, perm[k:k + batch_size]])
            for k in range(0, len(perm), batch_size)]
