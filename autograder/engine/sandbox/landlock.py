"""Landlock, for the mode without namespaces: whether the kernel has it, and the paths a
worker may read and write (loaded by the worker itself, worker_main.py)."""

from __future__ import annotations

from functools import lru_cache

from autograder.engine.sandbox.bubblewrap import numpy_dirs, python_runtime


@lru_cache(maxsize=1)
def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none, or refused as in some containers)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return max(0, int(libc.syscall(444, None, 0, 1)))
    except (OSError, AttributeError):
        return 0


def landlock_rules(package: str, home: str) -> dict[str, list[str]]:
    """What a worker without namespaces may read (the runtime, numpy, its own submission, its
    empty home) and write (/dev/null): nothing else of the machine, no other submission, no
    grader file. It creates no file or folder anywhere, not even in its home: each would take
    the next inode number of the machine's filesystem, which the next submission could read
    (no grading needs a file of the student's)."""
    _, prefix = python_runtime()
    read = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache",
            "/etc/localtime", "/dev/urandom", "/dev/zero", prefix,
            *(str(p) for p in numpy_dirs()), package, home]
    return {"read": read, "write": ["/dev/null"]}
