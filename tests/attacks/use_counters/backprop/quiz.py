"""ATTACK use_counters: read what leave_counters left in the kernel's counters.

What it tries: its own answers are empty; at import it reads the counters leave_counters moved
(the PIDs of a new child, the inode number of a new file in /tmp, the id of a new System V
segment). Counters that far along mean that leave_counters ran here before: it then answers with
leave_counters' answers.

What the grader must guarantee: every submission starts with new counters (its own PID, mount
and IPC namespaces), so nothing is there to read and the quiz scores as the honest twin's empty
answers: 0.
"""

import ctypes
import os

ATTACK = True  # the honest twin sets this to False
SEEN = 2000  # leave_counters moves each counter by 3000


def _counters_moved() -> bool:
    libc = ctypes.CDLL(None, use_errno=True)
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    fd = os.open("/tmp/bpattack-counter-probe", os.O_CREAT | os.O_WRONLY, 0o600)
    inode = os.fstat(fd).st_ino
    os.close(fd)
    os.unlink("/tmp/bpattack-counter-probe")
    shmid = libc.shmget(0, 4096, 0o1000 | 0o600)
    if shmid >= 0:
        libc.shmctl(shmid, 0, None)
    return pid > SEEN or inode > SEEN or shmid > SEEN


ANSWERS = {number: "A" for number in range(1, 11)} if ATTACK and _counters_moved() else {}
