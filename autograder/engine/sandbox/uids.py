"""Unprivileged uids for workers (when the grader is root), and what such a uid leaves behind.

Each submission's worker runs under a uid leased from a pool. The lease is an exclusive lock on
a file in a root-only folder, so parallel graders never share a uid. Before a uid grades the
next submission, every process of it is killed and, where no namespace swallowed them, its
files in the world-writable folders and its System V IPC objects are removed.

Graders in containers of the same machine share the kernel's uids but not the lock folder: a
uid that has a process in another mount namespace is another grader's (or a sandbox that dies
with its grader), never leased and never swept here.
"""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

UID_BASE = int(os.environ.get("BACKPROP_LAB_UID_BASE", "61000"))
UID_COUNT = int(os.environ.get("BACKPROP_LAB_UID_COUNT", "512"))
# World-writable places a worker without a mount namespace can write to.
SHARED_TMP = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/dev/mqueue"),
              Path("/run/lock"), Path("/var/lock"), Path("/var/crash"), Path("/var/mail"))
SYSV_IPC = {"shm": "-m", "msg": "-q", "sem": "-s"}


class UnsafeStateDir(RuntimeError):
    """No folder for the uid locks that only root can write: refusing to grade as root."""


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def private_dir(name: str) -> Path:
    """A root-only folder ``name`` in a place only root can create entries (never /tmp)."""
    for parent in (Path("/run"), Path("/var/run"), Path("/var/lib")):
        try:
            info = parent.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
            continue
        folder = parent / name
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o077:
            raise UnsafeStateDir(f"{folder} exists but is not a root-only folder")
        return folder
    raise UnsafeStateDir("no root-owned /run, /var/run or /var/lib for the uid locks")


class UidLease:
    """An exclusive uid from the pool, held with a lock file for as long as it is used."""

    def __init__(self) -> None:
        self._fd: int | None = None
        locks = private_dir("backprop-lab-uids")
        start = int.from_bytes(os.urandom(2), "big") % UID_COUNT  # spread reuse across uids
        for offset in range(UID_COUNT):
            uid = UID_BASE + (start + offset) % UID_COUNT
            fd = os.open(locks / f"{uid}.lock", os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            alive = processes_of_uid(uid)
            if in_use_elsewhere(uid, alive):
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            kill_uid(uid, alive)  # leftovers of a crashed earlier grader
            return
        raise RuntimeError("no free sandbox uid")

    def release(self) -> None:
        if self._fd is not None:
            kill_uid(self.uid)
            os.close(self._fd)
            self._fd = None


def sweep() -> None:
    """Kill what is left under every uid of the pool that no grader holds now (a grading process
    killed mid-submission leaves its worker's processes for the next lease; this is the end)."""
    if not is_root():
        return
    locks = private_dir("backprop-lab-uids")
    alive = {}
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/status") as fh:
                uid = int(fh.read().split("\nUid:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        if UID_BASE <= uid < UID_BASE + UID_COUNT:
            alive.setdefault(uid, []).append(pid)
    for uid in alive:
        fd = os.open(locks / f"{uid}.lock", os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # leased: its grader cleans up after itself
        else:
            if not in_use_elsewhere(uid):
                kill_uid(uid)
        finally:
            os.close(fd)


def processes_of_uid(uid: int) -> list[int]:
    """Live processes whose real uid is ``uid`` (zombies, already dead, are not counted)."""
    pids = []
    wanted = f"\nUid:\t{uid}\t".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:  # os.open and os.read: a scan reads every process's status, and runs often
            fd = os.open(f"/proc/{entry}/status", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            status = os.read(fd, 4096)
        except OSError:
            continue
        finally:
            os.close(fd)
        if wanted in status and b"\nState:\tZ" not in status and b"\nState:\tX" not in status:
            pids.append(int(entry))
    return pids


def in_use_elsewhere(uid: int, alive: list[int] | None = None) -> bool:
    """Whether a process of ``uid`` lives in another mount namespace than this grader: a
    grader in a container (its lock folder is not ours) or a sandbox of a live grader.
    ``alive``: its processes, if just listed."""
    try:
        ours = os.readlink("/proc/self/ns/mnt")
    except OSError:
        return False
    for pid in processes_of_uid(uid) if alive is None else alive:
        try:
            if os.readlink(f"/proc/{pid}/ns/mnt") != ours:
                return True
        except OSError:  # gone, or not ours to inspect (then it is in our namespace)
            continue
    return False


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _kill_all_as(uid: int) -> None:
    """kill(-1, SIGKILL) as ``uid``: every process of that uid, forks included (from a child
    that becomes ``uid``; no `kill` binary needed, a minimal container has none)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def kill_uid(uid: int, alive: list[int] | None = None) -> None:
    """Kill every process of ``uid`` (kill(-1) as that uid reaches them all, forks included);
    ``alive``: its processes, if just listed."""
    for attempt in range(300):
        if not (processes_of_uid(uid) if alive is None else alive):
            return
        alive = None
        if attempt % 10 == 0:
            _kill_all_as(uid)
        time.sleep(0.001)  # killed processes are gone within a millisecond or two
    raise RuntimeError(f"processes of sandbox uid {uid} survive kill -9")


def files_of_uid(uid: int, folders: tuple[Path, ...] = SHARED_TMP,
                 max_entries: int = 200_000) -> list[Path]:
    """Entries owned by ``uid`` in ``folders`` at any depth (never following a link): a uid can
    only create entries in folders others may write to, so the walk, iterative, only enters
    those (a sticky /tmp/.X11-unix, a 1777 folder someone made) and stops at what ``uid`` owns."""
    found: list[Path] = []
    stack, seen, walked = [Path(f) for f in folders], 0, set()
    while stack:
        folder = stack.pop()
        try:
            here = os.stat(folder)  # /var/lock may be a link to /run/lock: each folder once
            if (here.st_dev, here.st_ino) in walked:
                continue
            walked.add((here.st_dev, here.st_ino))
            with os.scandir(folder) as entries:
                for entry in entries:
                    seen += 1
                    if seen > max_entries:
                        return found
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if info.st_uid == uid:
                        found.append(Path(entry.path))
                    elif stat.S_ISDIR(info.st_mode) and info.st_mode & 0o002:
                        stack.append(Path(entry.path))
        except OSError:
            continue
    return found


def ipc_objects_of_uid(uid: int) -> list[tuple[str, int]]:
    """(kind, id) of the System V IPC objects owned or created by ``uid`` (this IPC namespace)."""
    found = []
    for kind in SYSV_IPC:
        try:
            header, *lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except (OSError, ValueError):
            continue
        columns = header.split()
        owners = [columns.index(c) for c in ("uid", "cuid") if c in columns]
        for line in lines:
            fields = line.split()
            try:
                if any(int(fields[i]) == uid for i in owners):
                    found.append((kind, int(fields[1])))
            except (IndexError, ValueError):
                continue
    return found


def remove_tree(path: Path, max_entries: int = 1_000_000) -> None:
    """Remove ``path`` and everything under it, without recursion (a tree may be thousands of
    folders deep) and without following links: folders are emptied by moving their entries up
    into ``path`` itself, so one file descriptor suffices at any depth. Only for trees no live
    process can change (a dead uid's). Raises OSError if the tree does not go."""
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        os.unlink(path)  # not a folder (or a link to one): the entry itself
        return
    count = 0
    try:
        while True:
            with os.scandir(top) as it:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
            if not entries:
                break
            for name, is_dir in entries:
                count += 1
                if count > max_entries:
                    raise OSError(f"{path}: more than {max_entries} entries")
                if not is_dir:
                    os.unlink(name, dir_fd=top)
                    continue
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                              dir_fd=top)
                try:
                    os.chmod(sub, 0o700)
                    for child in os.listdir(sub):
                        count += 1
                        os.rename(child, f"{os.urandom(12).hex()}", src_dir_fd=sub,
                                  dst_dir_fd=top)
                finally:
                    os.close(sub)
                os.rmdir(name, dir_fd=top)
    finally:
        os.close(top)
    os.rmdir(path)


def remove_leftovers(uid: int) -> list[str]:
    """Remove what a dead ``uid`` left in the shared folders and System V IPC; returns what
    could not be removed. Only ever called once every process of ``uid`` is dead."""
    problems = []
    for path in files_of_uid(uid):
        try:
            remove_tree(path)
        except OSError as exc:
            problems.append(f"{path}: {exc}")
    for kind, ident in ipc_objects_of_uid(uid):
        done = subprocess.run(["ipcrm", SYSV_IPC[kind], str(ident)], capture_output=True,
                              check=False)
        if done.returncode:
            problems.append(f"{kind} {ident}: {done.stderr.decode(errors='replace').strip()}")
    return problems
