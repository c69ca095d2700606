"""ATTACK signal_neighbours: talk to a submission graded at the same time.

What it tries: two sandboxes see the same read-only runtime (numpy's files). At import it looks
for a neighbour's signal: a lock held on numpy/__init__.py (flock or fcntl) or an inotify event
on it; if it finds one it takes the neighbour's answers. Then it signals itself: it holds both
locks and opens the file in a loop for ten seconds, for the next copy of itself graded in
parallel.

What the grader must guarantee: no lock and no watch is possible on what sandboxes share, so
every copy scores as its honest twin. (Graded alone, it finds nothing either way.)
"""

import ctypes
import fcntl
import os
import time

import numpy

ATTACK = True  # the honest twin sets this to False
ANSWERS: dict = {}
SHARED = numpy.__file__
HELD = []


def _neighbour_signals() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        with open(SHARED, "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            try:
                fcntl.lockf(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except (BlockingIOError, PermissionError):
                pass
    except OSError:
        pass
    fd = libc.inotify_init1(os.O_NONBLOCK)
    if fd >= 0 and libc.inotify_add_watch(fd, SHARED.encode(), 0x20) >= 0:  # IN_OPEN
        time.sleep(1)
        try:
            return len(os.read(fd, 4096)) > 0
        except OSError:
            return False
    return False


def _signal() -> None:
    if os.fork() == 0:
        try:
            with open(SHARED, "rb") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except OSError:
                    pass
                end = time.monotonic() + 10
                while time.monotonic() < end:
                    open(SHARED, "rb").close()
                    time.sleep(0.05)
        finally:
            os._exit(0)


if ATTACK:
    if _neighbour_signals():
        ANSWERS = {number: "A" for number in range(1, 11)}
    _signal()
