"""A memory cgroup per submission, where the machine gives the grader one.

The address-space limit counts a worker's own pages only. Memory the kernel holds for it —
tmpfs pages and inodes, pipes, page tables, sockets — is charged to its memory cgroup, so a
cgroup of its own with a limit makes that memory count against the submission. The grader
makes the cgroup under its own (cgroup v1's memory controller, or v2 where its cgroup delegates
the memory controller to children); each worker joins it before any student code runs,
through a descriptor of the cgroup's ``cgroup.procs`` opened here. Where neither is writable
(a container with a read-only /sys/fs/cgroup, or not root), ``unavailable()`` says why.
"""

from __future__ import annotations

import errno
import os
import time
from functools import lru_cache
from pathlib import Path


def _mounts() -> list[tuple[str, str, str, str]]:
    """(root, mount point, type, super options) of every cgroup mount in this mount
    namespace (a container's mount shows its own cgroup as its root)."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            found.append((fields[3], fields[4], tail[0], tail[2]))
    return found


@lru_cache(maxsize=1)
def _parent() -> tuple[Path | None, str, str]:
    """(the grader's own memory cgroup folder, "v1"|"v2", why not if None)."""
    try:
        own = dict(line.split(":", 2)[1:] for line in
                   Path("/proc/self/cgroup").read_text().splitlines())
    except (OSError, ValueError):
        return None, "", "no /proc/self/cgroup"
    for root, point, kind, options in _mounts():
        if kind == "cgroup" and "memory" in options.split(","):
            where = Path(point) / os.path.relpath(own.get("memory", "/"), root)
            if os.access(where, os.W_OK):
                return where, "v1", ""
            return None, "", f"{where} is not writable here"
    for root, point, kind, _ in _mounts():
        if kind == "cgroup2":
            where = Path(point) / os.path.relpath(own.get("", "/"), root)
            try:
                delegated = (where / "cgroup.subtree_control").read_text().split()
            except OSError:
                continue
            if "memory" in delegated and os.access(where, os.W_OK):
                return where, "v2", ""
            return None, "", f"{where} does not give its children the memory controller"
    return None, "", "no memory cgroup controller is mounted"


def unavailable() -> str:
    """'' if a memory cgroup per submission can be made here, else why not."""
    return _parent()[2]


class MemoryCgroup:
    """A memory cgroup for one submission: made with ``limit_bytes``, removed by ``close``."""

    def __init__(self, limit_bytes: int) -> None:
        parent, self.version, why = _parent()
        if parent is None:
            raise OSError(why)
        self.path = parent / f"backprop-lab-{os.urandom(8).hex()}"
        self.path.mkdir(mode=0o700)
        try:
            if self.version == "v1":
                (self.path / "memory.limit_in_bytes").write_text(str(limit_bytes))
                try:  # no swap here, or its limit too (memsw exists only with swap accounting)
                    (self.path / "memory.memsw.limit_in_bytes").write_text(str(limit_bytes))
                except OSError:
                    pass
            else:
                (self.path / "memory.max").write_text(str(limit_bytes))
                (self.path / "memory.swap.max").write_text("0")
        except OSError:
            self.close()
            raise

    def procs_fd(self) -> int:
        """A descriptor a worker writes "0" to, to join this cgroup (the caller closes it)."""
        return os.open(self.path / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC)

    def usage_bytes(self) -> int:
        """The memory charged to the cgroup now: the worker's pages and the kernel's for it."""
        name = "memory.usage_in_bytes" if self.version == "v1" else "memory.current"
        return int((self.path / name).read_text())

    def peak_bytes(self) -> int:
        name = "memory.max_usage_in_bytes" if self.version == "v1" else "memory.peak"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        """Remove the cgroup once its processes are dead (what stays charged, e.g. a file a
        uid left in a shared folder, moves to the parent). A worker's last processes (the
        one that waits for it in its PID namespace) may take a moment to go."""
        for _ in range(400):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError as exc:
                if exc.errno != errno.EBUSY:
                    return
            time.sleep(0.005)
