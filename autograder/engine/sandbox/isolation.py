"""Where student code runs: the zygote that forks workers, and the sandbox around it.

Modes, strongest first (``detect()`` picks the strongest this machine allows):

- ``namespaces``: the zygote runs inside a bubblewrap sandbox with its own mount, PID, IPC,
  UTS and network namespaces. It sees a read-only Python runtime and numpy, the submission
  being graded (read-only), a private size-limited /tmp, /var/tmp and /dev/shm, no network (not
  even loopback), a /proc of its own processes (the workers have none), and no keyring system
  calls. As root, every worker also drops to an unprivileged uid, so the root zygote is out of
  its reach and the sandbox serves the next submission once it is verified empty. Not as root
  (user namespaces), worker and zygote share a uid, so a sandbox serves one submission and dies.
- ``uid``: root without namespaces (e.g. a container that refuses them): workers drop to an
  unprivileged uid with rlimits; the grader closes its own files to other users and removes
  what the uid left in the shared temporary folders.
- ``none``: neither: rlimits and timeouts only. Student code runs as the grader's user and can
  read what that user can: only with an explicit opt-in (BACKPROP_LAB_ALLOW_UNSANDBOXED=1).
"""

from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from autograder.engine.sandbox import pid_counter

# The sandbox's parts, named here too for the grader's side (worker.py) and the tests.
from autograder.engine.sandbox.bubblewrap import (  # noqa: F401
    INSIDE_PACKAGE,
    SANDBOX_DIR,
    THREADS_ENV,
    TMPFS_BYTES,
    TMPFS_INODES,
    WORKER_FILES,
    namespaces_refused,
    sandbox_command,
)
from autograder.engine.sandbox.landlock import landlock_abi, landlock_rules  # noqa: F401
from autograder.engine.sandbox.seccomp import keyring_filter, worker_filter  # noqa: F401
from autograder.engine.sandbox.uids import is_root

MODES = ("namespaces", "uid", "none")
ALLOW_UNSANDBOXED = "BACKPROP_LAB_ALLOW_UNSANDBOXED"


class SandboxUnavailable(RuntimeError):
    """Refusing to run student code: no isolation at all and no explicit opt-in."""


@dataclass(frozen=True)
class Isolation:
    mode: str  # one of MODES
    root: bool
    why: str = ""  # why no stronger mode

    @property
    def reusable(self) -> bool:
        """Whether one zygote may serve several submissions: only when it is out of the
        workers' reach (root, workers under another uid)."""
        return self.root and self.mode in ("namespaces", "uid")

    def describe(self) -> str:
        return self._describe_mode() + self._describe_memory()

    def _describe_memory(self) -> str:
        if not self.root or self.mode == "none":
            return ""
        from autograder.engine.sandbox.cgroups import unavailable

        why = unavailable()
        return ("; a memory cgroup per submission (kernel memory counts)" if not why else
                f"; NO memory cgroup ({why}): kernel memory is bounded by the limits above only")

    def _describe_mode(self) -> str:
        if self.mode == "namespaces":
            who = ("each worker under its own unprivileged uid, in new PID, IPC and mount "
                   "namespaces of its own" if self.root
                   else "as your user, in a user namespace, one sandbox per submission, "
                   "each worker in new PID, IPC and mount namespaces of its own, without "
                   "capabilities")
            return ("sandbox: bubblewrap namespaces (own filesystem view without /proc, PIDs, "
                    f"IPC, no network), {who}; a seccomp filter (no sockets, pipes, ptrace, "
                    "keyrings, System V IPC, namespaces, file locks, inotify, memfd)")
        if self.mode == "uid":
            from autograder.engine.sandbox.chroot import chroot_refused

            rooted = ("each in a root of its own holding only its submission and the runtime's "
                      "sources (no /proc, no file of the machine)" if not chroot_refused() else
                      f"NO root of their own ({chroot_refused()})")
            confined = (f"Landlock ABI {landlock_abi()}: each reads only the runtime and its "
                        "own submission and creates no file" if landlock_abi() else
                        "NO Landlock: they can read world-readable files of this machine and "
                        "write to world-writable folders")
            confined = f"{rooted}; {confined}"
            return (f"sandbox: NO namespaces ({self.why}); workers run under unprivileged uids "
                    "with resource limits and a seccomp filter (no sockets, ptrace, keyrings, "
                    "System V IPC, namespaces, file locks, inotify, memfd, nor any process, "
                    f"thread or pipe); {confined}; the PID counter moved on to a multiple of "
                    f"{pid_counter.STEP} before each submission")
        return (f"sandbox: NONE ({self.why}); student code runs as your user and can read "
                "and change your files; grade untrusted code as root or where user namespaces "
                "work")


@lru_cache(maxsize=1)
def detect() -> Isolation:
    """The strongest mode available (BACKPROP_LAB_SANDBOX=namespaces|uid|none forces one)."""
    root = is_root()
    wanted = os.environ.get("BACKPROP_LAB_SANDBOX", "auto")
    if wanted not in ("auto", *MODES):
        raise SandboxUnavailable(f"BACKPROP_LAB_SANDBOX={wanted!r}: use one of {MODES}")
    if wanted == "uid" and not root:
        raise SandboxUnavailable("BACKPROP_LAB_SANDBOX=uid needs the grader to run as root")
    why = "forced by BACKPROP_LAB_SANDBOX"
    if wanted in ("auto", "namespaces"):
        why = namespaces_refused(root)
        if not why:
            return Isolation("namespaces", root)
        if wanted == "namespaces":
            raise SandboxUnavailable(f"namespaces are not available: {why}")
    if root and wanted != "none":
        return Isolation("uid", True, why)
    return Isolation("none", root, why if root else f"not root; {why}")


def check_allowed(isolation: Isolation) -> None:
    if isolation.mode == "none" and os.environ.get(ALLOW_UNSANDBOXED) != "1":
        raise SandboxUnavailable(
            f"{isolation.describe()}. To grade anyway (only code you trust), set "
            f"{ALLOW_UNSANDBOXED}=1 (make grade ALLOW_UNSANDBOXED=1)."
        )


# --- the zygote ------------------------------------------------------------------------------
def _data_fd(data: bytes) -> int:
    fd = os.memfd_create("backprop-lab", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


class Sandbox:
    """A zygote (numpy loaded, forks one worker per request) inside its sandbox, if any."""

    def __init__(self, isolation: Isolation) -> None:
        self.isolation = isolation
        self.package: Path | None = None  # namespaces: bound read-only at INSIDE_PACKAGE
        self.scratch: Path | None = None
        self.ns_pid = 0  # namespaces: host pid of the sandbox's first process
        self._lock = threading.Lock()
        self.errors = tempfile.TemporaryFile()  # what bwrap or the zygote itself complain about
        parent, child = socket.socketpair()
        keep = [child.fileno()]
        try:
            if isolation.mode == "namespaces":
                self.scratch = Path(tempfile.mkdtemp(prefix="backprop-lab-slot-"))
                self.package = self.scratch / "pkg"
                self.package.mkdir(mode=0o755)
                cmd, keep = self._bwrap(child, keep)
            else:
                cmd = [sys.executable, "-I", "-B", str(SANDBOX_DIR / "zygote_main.py"),
                       str(child.fileno())]
            # Not the grader's environment: bwrap's own process is visible in the sandbox.
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **THREADS_ENV}
            if isolation.mode == "uid":  # each worker chroots to a folder of Python sources
                env["BACKPROP_LAB_PRELOAD"] = "1"
            self.proc = subprocess.Popen(
                cmd, pass_fds=keep, env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.errors,
                cwd="/", start_new_session=True,
            )
        finally:
            for fd in keep:
                if fd != child.fileno():
                    os.close(fd)
            child.close()
        self.sock = parent
        if isolation.mode == "namespaces":
            self.ns_pid = self._read_info()

    def _bwrap(self, child: socket.socket, keep: list[int]) -> tuple[list[str], list[int]]:
        extra: list[str] = []
        seccomp = keyring_filter()
        if seccomp is not None:
            fd = _data_fd(seccomp)
            keep.append(fd)
            extra += ["--seccomp", str(fd)]
        self._info_r, info_w = os.pipe()
        keep.append(info_w)
        extra += ["--info-fd", str(info_w)]
        file_fds = {path.name: _data_fd(path.read_bytes()) for path in WORKER_FILES}
        keep += file_fds.values()
        full = sandbox_command(self.isolation.root, package=self.package,
                               socket_fd=child.fileno(), extra=extra, file_fds=file_fds)
        # bwrap reads its options from a file descriptor, so that /proc/*/cmdline in the
        # sandbox shows none of the folders bound into it.
        split = full.index("--")
        args_fd = _data_fd(b"".join(a.encode() + b"\0" for a in full[1:split]))
        keep.append(args_fd)
        return [full[0], "--args", str(args_fd), *full[split:]], keep

    def _read_info(self) -> int:
        with os.fdopen(self._info_r, "rb") as info:
            ready, _, _ = select.select([info], [], [], 30)
            data = info.read(4096) if ready else b""
        try:
            return int(json.loads(data or b"{}").get("child-pid", 0))
        except ValueError:
            return 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, message: dict, fds: list[int] | None = None) -> dict:
        """Send one request to the zygote (fds passed along) and return its JSON answer."""
        with self._lock:
            socket.send_fds(self.sock, [json.dumps(message).encode()], fds or [])
            ready, _, _ = select.select([self.sock], [], [], 30)
            reply = self.sock.recv(1 << 16) if ready else b""
        if not reply:
            raise OSError(f"the zygote did not answer{self._complaint()}")
        answer = json.loads(reply)
        if not isinstance(answer, dict):
            raise OSError("the zygote gave a malformed answer")
        return answer

    def _complaint(self) -> str:
        self.errors.seek(0)
        text = self.errors.read(2000).decode(errors="replace").strip()
        return f": {text.splitlines()[-1]}" if text else ""

    def spawn(self, config: dict, fds: list[int]) -> int:
        """Fork a worker with ``fds`` as its 0/1/2; returns its pid (as the zygote sees it)."""
        return int(self.request({"op": "spawn", "config": config}, fds)["pid"])

    def reset(self, home: str) -> list[str]:
        """Once a submission's processes are all dead: remove its home, and return what else
        it left in the sandbox's writable folders, IPC namespace or process table."""
        answer = self.request({"op": "reset", "home": home})
        return [str(x) for x in answer.get("leftovers", ["no answer"])]

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.kill()
        self.proc.wait()
        self.errors.close()
        self.sock.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


class SandboxPool:
    """Sandboxes of this process: reused across submissions when the isolation allows it."""

    _idle: list[Sandbox] = []
    _lock = threading.Lock()
    _owner = 0  # the process whose exit closes the idle sandboxes

    @classmethod
    def drain(cls) -> None:
        """Close every idle sandbox (at exit, and before switching modes in tests)."""
        with cls._lock:
            boxes, cls._idle[:] = list(cls._idle), []
        for box in boxes:
            box.close()

    @classmethod
    def acquire(cls) -> Sandbox:
        isolation = detect()
        check_allowed(isolation)
        if cls._owner != os.getpid():  # registered here: forked children drop inherited hooks
            cls._owner = os.getpid()
            atexit.register(cls.drain)
            multiprocessing.util.Finalize(None, cls.drain, exitpriority=10)  # pool processes
        box = cls._take_idle() or Sandbox(isolation)
        if isolation.mode == "uid":  # the next worker's PID tells nothing of the one before
            pid_counter.settle()
        return box

    @classmethod
    def _take_idle(cls) -> Sandbox | None:
        with cls._lock:
            while cls._idle:
                box = cls._idle.pop()
                if box.alive():
                    return box
                box.close()
        return None

    @classmethod
    def release(cls, box: Sandbox, clean: bool) -> None:
        if clean and box.isolation.reusable and box.alive():
            with cls._lock:
                cls._idle.append(box)
        else:
            box.close()

