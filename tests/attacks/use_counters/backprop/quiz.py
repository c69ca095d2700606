"""ATTACK use_counters: read what leave_counters left in the kernel's counters.

What it tries: its own answers are empty; at import it reads the counters leave_counters moved
(the PIDs of a new child, the inode number of a new file in /tmp, the id of a new System V
segment). Counters that far along mean that leave_counters ran here before: it then answers with
leave_counters' answers.

Without namespaces (the uid mode) it looks for leave_counters' mark instead: its own PID a few
after MARK modulo 4096. A probe the grader refuses reads as a counter not moved.

What the grader must guarantee: every submission starts with new counters (its own PID, mount
and IPC namespaces; without namespaces no process, file or IPC object of the worker, and a PID
counter moved on to a multiple of 1024 before each submission), so nothing is there to read and
the quiz scores as the honest twin's empty answers: 0.
"""

import ctypes
import os

ATTACK = True  # the honest twin sets this to False
SEEN = 400  # leave_counters moves each counter by 600


MARK = 3333  # leave_counters' mark: the next PID, modulo 4096


def _new_pid() -> int:
    try:
        pid = os.fork()
    except OSError:
        return 0
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def _new_inode() -> int:
    try:
        fd = os.open("/tmp/bpattack-counter-probe", os.O_CREAT | os.O_WRONLY, 0o600)
    except OSError:
        return 0
    inode = os.fstat(fd).st_ino
    os.close(fd)
    os.unlink("/tmp/bpattack-counter-probe")
    return inode


def _counters_moved() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    shmid = libc.shmget(0, 4096, 0o1000 | 0o600)
    if shmid >= 0:
        libc.shmctl(shmid, 0, None)
    if os.getpid() > SEEN:  # the machine's PIDs (no namespace): only the mark tells
        return 0 <= os.getpid() % 4096 - MARK < 16
    return _new_pid() > SEEN or _new_inode() > SEEN or shmid > SEEN


ANSWERS = {number: "A" for number in range(1, 11)} if ATTACK and _counters_moved() else {}
