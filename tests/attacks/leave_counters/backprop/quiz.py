"""ATTACK leave_counters: pass the quiz to the next submission through kernel counters.

What it tries: no object is left behind (a clean-up would find it): instead it moves counters
that a reused sandbox keeps: the PID counter (600 forks), the inode numbers of /tmp (600 files
made and removed) and System V IPC ids (segments made and removed). use_counters, graded after
it, reads them.

Without namespaces (the uid mode), where PIDs are the machine's, it also leaves a mark: it
forks until the next PID is MARK modulo 4096 (in a PID namespace of its own, where its PID is
small, it does not try: the next submission would see nothing of it).

What the grader must guarantee: the next submission starts with every counter as new, so
use_counters scores as its honest twin. This submission's own answers are the same either way.
"""

import ctypes
import os

ATTACK = True  # the honest twin sets this to False
ANSWERS = {number: "A" for number in range(1, 11)}  # right or wrong, the same for its twin


def _new_pid() -> int:
    """The PID of a child that ends at once (0 if forking is refused)."""
    try:
        pid = os.fork()
    except OSError:
        return 0
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def _move_counters(n: int = 600) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for i in range(n):
        if not _new_pid():
            break
        try:
            os.close(os.open(f"/tmp/bpattack-counter-{i}", os.O_CREAT | os.O_WRONLY, 0o600))
            os.unlink(f"/tmp/bpattack-counter-{i}")
        except OSError:
            pass
        shmid = libc.shmget(0, 4096, 0o1000 | 0o600)
        if shmid >= 0:
            libc.shmctl(shmid, 0, None)


MARK = 3333  # the PID use_counters looks for, modulo 4096


def _mark_pid() -> None:
    if os.getpid() < 4096:  # a PID namespace of its own
        return
    for _ in range(8192):
        pid = _new_pid()
        if not pid or (pid + 1) % 4096 == MARK:
            return


if ATTACK:
    _move_counters()
    _mark_pid()
