"""The machine's PID counter, for the mode without namespaces (the uid mode).

A worker without a PID namespace of its own takes its PID from the counter of the grader's PID
namespace (a container's, or the machine's), so the PID of the next submission's worker would
tell how many processes the previous one made. Its workers cannot make processes or threads
(seccomp.SINGLE_PROCESS_DENIED); what a submission still moves, the grader's own processes for
it (one per worker start, a few per clean-up), stays under STEP. Before each submission the
grader moves the counter on to the next multiple of STEP, so the next worker's PID is the same
whatever the previous submission did. Only ever forward: a PID handed out again at once could
be taken for a process that just ended.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

STEP = 1024  # more than a submission moves the counter by (about 2 per worker start)
LOADAVG, LAST_PID, PID_MAX = (Path("/proc/loadavg"), Path("/proc/sys/kernel/ns_last_pid"),
                              Path("/proc/sys/kernel/pid_max"))


def last_pid() -> int:
    """The last PID handed out in the grader's PID namespace (0 if /proc does not say)."""
    try:
        return int(LOADAVG.read_text().split()[4])
    except (OSError, IndexError, ValueError):
        return 0


def _jump(last: int) -> bool:
    """Set the last PID handed out (needs CAP_SYS_ADMIN over this PID namespace: not in a
    container, whose /proc/sys is read-only)."""
    try:
        LAST_PID.write_text(str(last))
        return True
    except OSError:
        return False


def _burn(count: int) -> None:
    """Take ``count`` PIDs with threads that end at once (the cheapest process there is)."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(256)  # pthread_attr_t: 56 bytes on x86_64, 64 on arm64
    libc.pthread_attr_init(attr)
    try:
        libc.pthread_attr_setdetachstate(attr, 1)  # PTHREAD_CREATE_DETACHED: nothing to join
        libc.pthread_attr_setstacksize(attr, 1 << 16)
        start = ctypes.cast(libc.getpid, ctypes.c_void_p)  # returns at once: the thread ends
        thread = ctypes.c_ulong()
        for _ in range(count):
            if libc.pthread_create(ctypes.byref(thread), attr, start, None) != 0:
                return
    finally:
        libc.pthread_attr_destroy(attr)


def settle(step: int = STEP) -> bool:
    """Move the counter on so that the next PID handed out is a multiple of ``step``; whether
    it is (other processes of the machine may take PIDs meanwhile: then a few tries)."""
    try:
        pid_max = int(PID_MAX.read_text())
    except (OSError, ValueError):
        pid_max = 1 << 22
    for _ in range(4):
        last = last_pid()
        if not last:
            return False
        if (last + 1) % step == 0:
            return True
        target = (last // step + 1) * step
        if target >= pid_max:  # the counter wraps round: take the PIDs up to the end
            _burn(pid_max - last)
        elif not _jump(target - 1):
            _burn(target - 1 - last)
    return (last_pid() + 1) % step == 0
