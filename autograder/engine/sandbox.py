"""Run student code in a separate, limited worker process; the trusted side only sees data.

When the grader runs as root, each worker runs under its own unprivileged uid (taken from a
lock-protected pool, so parallel graders never share one) and every process left under that
uid is killed when the submission is done. Otherwise the worker runs as the current user with
the same resource limits and timeouts (see the README's security section).
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.engine import protocol

ENGINE_DIR = Path(__file__).resolve().parent
UID_BASE, UID_COUNT = 61000, 512
LOCK_DIR = Path(tempfile.gettempdir()) / "backprop-lab-uids"
OUTPUT_LIMIT = 4 * 1024 * 1024

DEFAULT_LIMITS = {
    "as_bytes": 2 * 1024**3,  # numpy needs ~0.4 GB of address space; students' arrays are tiny
    "cpu_seconds": 120,
    "file_bytes": OUTPUT_LIMIT,
    "open_files": 64,
    "processes": 64,  # per uid; only applied under a dedicated uid
}


@dataclass
class CallResult:
    """What one call of a student function gave: a value, an exception, or a dead worker."""

    ok: bool
    value: Any = None
    args_after: Any = None
    warnings: list[str] = field(default_factory=list)
    error_type: str = ""
    error_message: str = ""
    traceback: str = ""
    timed_out: bool = False
    crashed: bool = False
    seconds: float = 0.0

    def describe_error(self) -> str:
        if self.timed_out:
            return "timed out (an infinite loop, or far too slow?)"
        if self.crashed:
            return "the process running your code died (os._exit, a crash, or the memory limit)"
        text = f"{self.error_type}: {self.error_message}".strip()
        if self.error_type == "NotImplementedError":
            return "not implemented yet (it raises NotImplementedError)"
        if self.traceback:
            text += "\n" + self.traceback.rstrip()
        return text


class WorkerDied(Exception):
    pass


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


class UidLease:
    """An exclusive uid from the pool, held with a lock file for as long as it is used."""

    def __init__(self) -> None:
        LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
        for uid in range(UID_BASE, UID_BASE + UID_COUNT):
            fd = os.open(LOCK_DIR / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.uid, self._fd = uid, fd
            kill_uid(uid)  # leftovers of a crashed earlier grader
            return
        raise RuntimeError("no free sandbox uid")

    def release(self) -> None:
        if self._fd is not None:
            kill_uid(self.uid)
            os.close(self._fd)
            self._fd = None


def processes_of_uid(uid: int) -> list[int]:
    """Live processes whose real uid is ``uid`` (zombies, already dead, are not counted)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                status = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        state, uids = status.get("State", "").split(), status.get("Uid", "").split()
        if uids and int(uids[0]) == uid and state and state[0] not in ("Z", "X"):
            pids.append(int(entry))
    return pids


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (kill(-1) as that uid reaches them all, forks included)."""
    for _ in range(50):
        if not processes_of_uid(uid):
            return
        subprocess.run(
            ["kill", "-9", "-1"], user=uid, group=uid, extra_groups=[],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )
        time.sleep(0.01)


def ensure_traversable(path: Path) -> None:
    """Let other users pass through (not list) every folder above ``path`` (e.g. /root)."""
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


def protect(paths: list[Path]) -> None:
    """Make trusted folders (hidden tests, solutions, results) unreachable for other users."""
    for path in paths:
        if path.exists() and not path.is_symlink():
            os.chmod(path, path.stat().st_mode & 0o700)


def protect_installation(root: Path = ENGINE_DIR.parents[1]) -> None:
    """As root, close everything next to the grader (hidden checks, rubric, solutions, tests,
    .git) to other users; ``root`` stays passable (not listable) and a virtualenv in it open,
    so the unprivileged worker can still reach the environment's Python and numpy."""
    if not is_root():
        return
    os.chmod(root, root.stat().st_mode & 0o711)
    protect([child for child in root.iterdir() if child.name not in (".venv", "venv")])


class Zygote:
    """A pre-started process with numpy imported that forks workers (one per grading process).

    Forking from it costs milliseconds where starting Python and numpy costs ~0.15 s, which
    matters when a class of 200 submissions is graded.
    """

    _instance: Zygote | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        parent, child = socket.socketpair()
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               **{k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-B", str(ENGINE_DIR / "zygote_main.py"), str(child.fileno())],
            pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL, cwd="/",
            start_new_session=True,
        )
        child.close()
        self.sock = parent

    @classmethod
    def get(cls) -> Zygote:
        with cls._lock:
            if cls._instance is None or cls._instance.proc.poll() is not None:
                cls._instance = Zygote()
            return cls._instance

    def spawn(self, config: dict, fds: list[int]) -> int:
        """Fork a worker with ``fds`` as its 0/1/2; returns its pid."""
        with self._lock:
            socket.send_fds(self.sock, [json.dumps(config).encode()], fds)
            reply = self.sock.recv(4096)
        if not reply:
            raise WorkerDied("the zygote exited")
        return int(json.loads(reply)["pid"])


class Worker:
    """One sandboxed worker for one submission; restarted after a crash or timeout."""

    MODULE_ORDER = (
        "activations", "losses", "gradcheck", "quiz", "optimizers",
        "minibatch", "layers", "network", "train",
    )

    def __init__(self, package_dir: Path, *, limits: dict | None = None,
                 import_timeout: float = 10.0) -> None:
        self.limits = dict(DEFAULT_LIMITS, **(limits or {}))
        self.import_timeout = import_timeout
        self.lease = UidLease() if is_root() else None
        self.root = Path(tempfile.mkdtemp(prefix="backprop-lab-"))
        os.chmod(self.root, 0o711)
        self.home = self.root / "sandbox"
        self.home.mkdir()
        shutil.copytree(package_dir, self.home / "pkg" / "backprop")
        self.output_path = self.home / "output.txt"
        self.output_path.touch()
        if self.lease:
            ensure_traversable(Path(sys.executable))
            for p in [self.home, *self.home.rglob("*")]:
                os.chown(p, self.lease.uid, self.lease.uid, follow_symlinks=False)
            os.chmod(self.home, 0o700)
        self.broken: dict[str, str] = {}
        self.import_errors: dict[str, CallResult] = {}
        self.pid: int | None = None
        self._req_fd = self._resp_fd = -1
        self.restarts = 0
        self.cpu_seconds = 0.0  # CPU used by this submission's worker processes
        self.memo: dict[str, Any] = {}  # values the checks read once per submission
        self._started = False
        self._closed: str | None = None
        self._next_id = 1
        self._buffer = b""

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
            **{k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        }
        config = {
            "package_root": str(self.home / "pkg"),
            "home": str(self.home),
            "uid": self.lease.uid if self.lease else None,
            "env": env,
            "limits": {k: v for k, v in self.limits.items() if k != "processes" or self.lease},
            "broken": self.broken,
        }
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        out = os.open(self.output_path, os.O_WRONLY | os.O_APPEND)
        try:
            self.pid = Zygote.get().spawn(config, [req_r, resp_w, out])
        except BaseException:
            os.close(req_w)
            os.close(resp_r)
            raise
        finally:
            for fd in (req_r, resp_w, out):
                os.close(fd)
        self._req_fd, self._resp_fd = req_w, resp_r
        self._buffer = b""
        os.set_blocking(req_w, False)
        os.set_blocking(resp_r, False)
        header, _ = self._receive(expect_id=0, timeout=30.0)
        if not header.get("ready"):
            raise WorkerDied("worker did not start")

    def import_modules(self) -> None:
        """Import each student module once, so one that hangs or crashes is isolated."""
        for module in self.MODULE_ORDER:
            if not (self.home / "pkg" / "backprop" / f"{module}.py").exists():
                self.broken[module] = f"backprop/{module}.py is missing from the submission"
                self.import_errors[module] = CallResult(
                    ok=False, error_type="ModuleNotFoundError", error_message=self.broken[module]
                )
        for module in self.MODULE_ORDER:
            if module in self.broken:
                continue
            result = self._request({"op": "import", "module": module}, {}, self.import_timeout)
            if not result.ok:
                self.import_errors[module] = result
                self.broken[module] = (
                    f"backprop/{module}.py could not be imported: {result.describe_error()}"
                ).splitlines()[0][:400]

    def ensure_started(self) -> None:
        if self.pid is None:
            if self._started:
                self.restarts += 1
            self.stop_process()
            self.start()
            self._started = True

    def stop_process(self) -> None:
        if self.pid is None:
            return
        self.cpu_seconds += process_cpu_seconds(self.pid)
        for kill in (lambda: os.killpg(self.pid, signal.SIGKILL),
                     lambda: os.kill(self.pid, signal.SIGKILL)):
            try:
                kill()
            except (ProcessLookupError, PermissionError):
                pass
        for fd in (self._req_fd, self._resp_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.pid = None
        if self.lease:
            kill_uid(self.lease.uid)

    def close(self) -> str:
        """Stop everything and return the captured student output (truncated)."""
        if self._closed is not None:
            return self._closed
        self.stop_process()
        if self.lease:
            self.lease.release()
        try:
            with open(self.output_path, "rb") as fh:
                text = fh.read(20000).decode("utf-8", "replace")
        except OSError:
            text = ""
        shutil.rmtree(self.root, ignore_errors=True)
        self._closed = text
        return text

    # --- calls ------------------------------------------------------------------------------
    def call(self, module: str, function: str, *args: Any, kwargs: dict | None = None,
             store: str | None = None, return_args: bool = False,
             timeout: float = 10.0) -> CallResult:
        header = {"op": "call", "module": module, "function": function,
                  "store": store, "return_args": return_args}
        return self._request(header, {"args": list(args), "kwargs": kwargs or {}}, timeout)

    def _request(self, header: dict, value: Any, timeout: float) -> CallResult:
        try:
            self.ensure_started()
        except (WorkerDied, protocol.ProtocolError, OSError) as exc:
            self.stop_process()
            return CallResult(ok=False, crashed=True, error_message=str(exc))
        rid = self._next_id
        self._next_id += 1
        deadline = time.monotonic() + timeout
        try:
            self._send(protocol.encode({**header, "id": rid}, value), deadline)
            reply, payload = self._receive(expect_id=rid, timeout=deadline - time.monotonic())
        except TimeoutError:
            self.stop_process()
            if header.get("op") == "import":
                self.broken[header["module"]] = f"importing backprop/{header['module']}.py timed out"
            return CallResult(ok=False, timed_out=True)
        except (WorkerDied, protocol.ProtocolError, OSError) as exc:
            self.stop_process()
            if header.get("op") == "import":
                self.broken[header["module"]] = (
                    f"importing backprop/{header['module']}.py ended the process"
                )
            return CallResult(ok=False, crashed=True, error_message=str(exc)[:300])
        if not reply.get("ok"):
            err = reply.get("error") or {}
            return CallResult(ok=False, error_type=str(err.get("type", "Error")),
                              error_message=str(err.get("message", "")),
                              traceback=str(err.get("traceback", "")))
        payload = payload if isinstance(payload, dict) else {}
        warnings, seconds = reply.get("warnings"), reply.get("seconds")
        return CallResult(
            ok=True, value=payload.get("result"), args_after=payload.get("args"),
            warnings=[str(w) for w in warnings] if isinstance(warnings, list) else [],
            seconds=float(seconds) if isinstance(seconds, (int, float)) else 0.0,
        )

    def _send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._req_fd, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError as exc:
                raise WorkerDied("worker closed its input") from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            poller = select.poll()
            poller.register(self._req_fd, select.POLLOUT)
            poller.poll(remaining * 1000)

    def _receive(self, expect_id: int, timeout: float) -> tuple[dict, Any]:
        deadline = time.monotonic() + timeout
        while True:
            if len(self._buffer) >= 4:
                length = int.from_bytes(self._buffer[:4], "big")
                if length > protocol.MAX_MESSAGE_BYTES:
                    raise protocol.ProtocolError("reply over the size limit")
                if len(self._buffer) >= 4 + length:
                    payload = self._buffer[4 : 4 + length]
                    self._buffer = self._buffer[4 + length :]
                    header, value = protocol.decode(payload)
                    if header.get("id") != expect_id:
                        raise protocol.ProtocolError("reply out of order")
                    return header, value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            poller = select.poll()
            poller.register(self._resp_fd, select.POLLIN)
            if not poller.poll(remaining * 1000):
                continue
            try:
                chunk = os.read(self._resp_fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerDied("worker exited")
            self._buffer += chunk
