"""Run student code in a separate, limited worker process; the trusted side only sees data.

A worker is forked by a zygote (isolation.py) inside the strongest sandbox the machine allows.
When the grader is root it runs under an unprivileged uid leased for this submission, and
everything that uid started is killed before the next submission and before results are
written. The trusted side never opens a path the worker could have created or changed: the
student's output is captured in an anonymous memory file made before any student code runs,
and the submission's files are copied into a folder only root can write.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from autograder.engine.core import protocol
from autograder.engine.core.calls import CallResult, module_missing, module_unimportable
from autograder.engine.core.contract import IMPORT_ORDER
from autograder.engine.sandbox.cgroups import MemoryCgroup
from autograder.engine.sandbox.cgroups import unavailable as no_memory_cgroup
from autograder.engine.sandbox.channel import Channel, WorkerDied, answer_callee, open_pipes
from autograder.engine.sandbox.chroot import HOME, PACKAGE, chroot_refused, lay_out_root
from autograder.engine.sandbox.folders import copy_package, ensure_traversable
from autograder.engine.sandbox.isolation import (
    INSIDE_PACKAGE,
    TMPFS_BYTES,
    TMPFS_INODES,
    Sandbox,
    SandboxPool,
    landlock_abi,
    landlock_rules,
    worker_filter,
)
from autograder.engine.sandbox.seccomp import PROTOCOL_FDS
from autograder.engine.sandbox.uids import (
    UidLease,
    kill_uid,
    process_cpu_seconds,
    processes_of_uid,
    remove_leftovers,
    remove_tree,
)
from autograder.engine.untrusted_text import safe_name, safe_text

OUTPUT_LIMIT = 4 * 1024 * 1024
OUTPUT_SHOWN = 20000

DEFAULT_LIMITS = {
    "as_bytes": 2 * 1024**3,  # numpy needs ~0.4 GB of address space; students' arrays are tiny
    "cpu_seconds": 120,
    "file_bytes": OUTPUT_LIMIT,
    "open_files": 64,
    "processes": 64,  # per uid; only applied under a dedicated uid
    "message_queue_bytes": 0,  # POSIX message queues would outlive the worker
    # The submission's memory cgroup (as root, where the machine has one): its pages and the
    # kernel's for it (tmpfs, pipes, page tables) together.
    "memory_bytes": 2 * 1024**3 + 256 * 1024**2,
}


IMPORT_TIMEOUT = 10.0  # seconds to import one student module (rubric.yml: timeouts.import)
MAX_RETRIES = 3  # calls per submission run again after their worker died, answered or not


def _refers_to_stored(value: Any) -> bool:
    """Whether a request names values stored in the worker (gone with a new worker)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, protocol.Ref):
            return True
        if isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return False


class Worker:
    """One sandboxed worker for one submission; restarted after a crash or timeout."""

    MODULE_ORDER = IMPORT_ORDER  # each module after the ones it imports

    def __init__(self, package_dir: Path, *, limits: dict | None = None,
                 import_timeout: float = IMPORT_TIMEOUT) -> None:
        self.limits = dict(DEFAULT_LIMITS, **(limits or {}))
        self.import_timeout = import_timeout
        self.source = Path(package_dir)
        self.modules = {p.stem for p in self.source.glob("*.py") if p.is_file()}
        self.box: Sandbox | None = None
        self.lease: UidLease | None = None
        self.cgroup: MemoryCgroup | None = None
        self.scratch: Path | None = None
        self.root: str | None = None  # without namespaces: the folder the worker chroots to
        self.output = -1
        self.broken: dict[str, str] = {}
        self.pid: int | None = None
        self.channel: Channel | None = None
        self.restarts = 0
        self.retried: list[str] = []  # calls whose worker died once, then answered
        self.retries = 0
        self.cpu_seconds = 0.0  # CPU used by this submission's worker processes
        self.memo: dict[str, Any] = {}  # values the checks read once per submission
        self._started = False
        self._closed: str | None = None
        self._next_id = 1
        try:
            self._attach()
            self.isolation = self.box.isolation
            if self.isolation.root:
                self.lease = UidLease()
                if not no_memory_cgroup():
                    self.cgroup = MemoryCgroup(self.limits["memory_bytes"])
            # The student's output: an anonymous file, made before any student code runs,
            # shared by every restart of the worker and read back only through this descriptor.
            self.output = os.memfd_create("student-output", os.MFD_CLOEXEC)
            fcntl.fcntl(self.output, fcntl.F_SETFL, fcntl.fcntl(self.output, fcntl.F_GETFL)
                        | os.O_APPEND)
            if self.isolation.mode == "namespaces":
                self.package_root = INSIDE_PACKAGE
                self.home = f"/tmp/w-{os.urandom(8).hex()}"
            else:
                self.scratch = Path(tempfile.mkdtemp(prefix="backprop-lab-"))
                os.chmod(self.scratch, 0o711)
                if self.lease:
                    ensure_traversable(self.scratch)  # the worker must reach it (not list it)
                group = self.lease.uid if self.lease else None
                copy_package(self.source, self.scratch / "pkg", group, nested="backprop")
                self.package_root = str(self.scratch / "pkg")
                home = self.scratch / "home"
                home.mkdir(mode=0o700)
                if self.lease:
                    os.chown(home, self.lease.uid, self.lease.uid)
                self.home = str(home)
                if self.lease and not chroot_refused():  # the worker's root: this folder
                    lay_out_root(self.scratch)
                    self.root = str(self.scratch)
                    self.package_root, self.home = PACKAGE, HOME
        except BaseException:
            self.close()
            raise

    def _attach(self) -> None:
        """Take a sandbox and, with namespaces, put this submission in its package folder."""
        self.box = SandboxPool.acquire()
        if self.box.package is not None:
            for entry in self.box.package.iterdir():  # root-only: the previous submission's copy
                shutil.rmtree(entry)
            copy_package(self.source, self.box.package, None, nested="backprop")

    # --- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        if self.box is None or not self.box.alive():
            if self.box is not None:
                SandboxPool.release(self.box, clean=False)
            self._attach()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": self.home,
            "TMPDIR": self.home,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "Agg",
            **{k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        }
        config = {
            "package_root": self.package_root,
            "home": self.home,
            "make_home": self.isolation.mode == "namespaces",
            "uid": self.lease.uid if self.lease else None,
            "env": env,
            "limits": {k: v for k, v in self.limits.items() if k != "processes" or self.lease},
            "broken": self.broken,
            "protocol_fds": list(PROTOCOL_FDS),
        }
        if self.root:
            config["chroot"] = self.root
        if self.isolation.mode == "namespaces":
            # As a user, the IPC namespace's limits belong to the machine's root (System V is
            # denied by the seccomp filter in every mode).
            config["fresh_world"] = {"tmpfs": TMPFS_BYTES, "inodes": TMPFS_INODES,
                                     "ipc_limits": self.isolation.root}
        program = worker_filter(single_process=self.isolation.mode == "uid")
        if program:
            config["seccomp"] = program.hex()
        if self.isolation.mode == "uid" and landlock_abi():
            config["landlock"] = landlock_rules(self.package_root, self.home)
        req_r, req_w, resp_r, resp_w = open_pipes()
        joined = [self.cgroup.procs_fd()] if self.cgroup else []
        try:
            self.pid = self.box.spawn(config, [req_r, resp_w, self.output, *joined])
        except BaseException:
            os.close(req_w)
            os.close(resp_r)
            raise
        finally:
            for fd in (req_r, resp_w, *joined):
                os.close(fd)
        self.channel = Channel(req_w, resp_r)
        header, _ = self.channel.receive(expect_id=0, timeout=30.0)
        if not header.get("ready"):
            raise WorkerDied("worker did not start")

    def import_modules(self) -> None:
        """Import each student module once, so one that hangs or crashes is isolated."""
        for module in self.MODULE_ORDER:
            if module not in self.modules:
                self.broken[module] = module_missing(module)
        for module in self.MODULE_ORDER:
            if module in self.broken:
                continue
            result = self._request({"op": "import", "module": module}, {}, self.import_timeout)
            if not result.ok:
                self.broken[module] = module_unimportable(module, result)

    def ensure_started(self) -> None:
        if self.pid is None:
            if self._started:
                self.restarts += 1
            self.stop_process()
            self.start()
            self._started = True

    def stop_process(self) -> None:
        """Kill the worker and everything it started."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        alive: list[int] = []
        if self.lease:  # counted first: the worker exits as soon as its pipes close
            alive = processes_of_uid(self.lease.uid)
            self.cpu_seconds += sum(process_cpu_seconds(p) for p in alive)
        elif self.isolation.mode != "namespaces":
            self.cpu_seconds += process_cpu_seconds(pid)
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.lease:
            kill_uid(self.lease.uid, alive)
        elif self.isolation.mode == "namespaces":  # worker and zygote share a uid: end both
            SandboxPool.release(self.box, clean=False)
            self.box = None
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> str:
        """Stop everything, remove every trace of the worker and return its output (truncated)."""
        if self._closed is not None:
            return self._closed
        self._closed = ""
        clean = False
        try:
            self.stop_process()
            if self.lease:
                if self.isolation.mode == "uid" and remove_leftovers(self.lease.uid):
                    raise RuntimeError("the sandbox uid left something that cannot be removed")
            if self.box is not None and self.box.alive():
                # A reused sandbox must be as new: anything left in it ends it instead.
                clean = self.box.package is None or not self.box.reset(self.home)
        except OSError:
            clean = False
        finally:
            if self.box is not None:
                SandboxPool.release(self.box, clean=clean)
                self.box = None
            if self.lease:
                self.lease.release()
            if self.cgroup is not None:
                self.cgroup.close()
            if self.scratch is not None:
                try:  # the uid is all dead: nothing under it changes any more
                    remove_tree(self.scratch)
                except OSError:
                    pass
            if self.output >= 0:
                self._closed = safe_text(os.pread(self.output, OUTPUT_SHOWN, 0)
                                         .decode("utf-8", "replace"), OUTPUT_SHOWN)
                os.close(self.output)
                self.output = -1
        return self._closed

    # --- calls ------------------------------------------------------------------------------
    def call(self, module: str, function: str, *args: Any, kwargs: dict | None = None,
             store: str | None = None, return_args: bool = False,
             timeout: float = 10.0, callees: Any = None) -> CallResult:
        """Call backprop.<module>.<function>; with ``callees`` (callees.Callees) the functions
        it names answer with the grader's values, asked for over the protocol during the call."""
        header = {"op": "call", "module": module, "function": function,
                  "store": store, "return_args": return_args}
        value = {"args": list(args), "kwargs": kwargs or {}}
        if callees is not None:
            header["callees"] = callees.targets
            if preanswers := getattr(callees, "preanswer", lambda *_: [])(args, kwargs or {}):
                value["preanswers"] = preanswers
        result = self._request(header, value, timeout, callees)
        if (result.crashed and not result.malformed and self.retries < MAX_RETRIES
                and not _refers_to_stored(value)):
            # A worker the student's code ends ends again; one killed from outside (the
            # kernel's OOM killer on a loaded machine, another process) is not theirs to pay.
            # A reply that breaks the protocol is the worker's own.
            self.retries += 1
            again = self._request(header, value, timeout, callees)
            if not again.crashed:
                self.retried.append(f"{module}.{function}")
            return again
        return result

    def _serve_callees(self, rid: int, callees: Any, reply: dict, payload: Any,
                       deadline: float) -> tuple[Any, Any]:
        """While the student's code calls functions the grader answers (asked, or answered by
        an answer sent ahead with the call: the worker says so, nothing goes back), answer;
        then the call's own reply, or a CallResult if it asked too much."""
        while "callee" in reply or "preanswered" in reply:
            answer = None
            try:
                if "callee" in reply:
                    answer = answer_callee(rid, callees, reply, payload)
                elif callees is not None:
                    callees.used_preanswer(str(reply.get("preanswered")))
            except BaseException:  # the grader's deadline, or an unsendable answer
                self.stop_process()
                raise
            if callees is not None and callees.flood:  # no more answers: end the call
                self.stop_process()
                return CallResult(ok=False, error_type="CalleeFlood",
                                  error_message=callees.flood), None
            if answer is not None:
                self.channel.send(answer, deadline)
            reply, payload = self.channel.receive(rid, deadline - time.monotonic())
        return reply, payload

    def _request(self, header: dict, value: Any, timeout: float,
                 callees: Any = None) -> CallResult:
        try:
            self.ensure_started()
        except (WorkerDied, protocol.ProtocolError, OSError) as exc:
            self.stop_process()
            return CallResult(ok=False, crashed=True, error_message=str(exc))
        rid = self._next_id
        self._next_id += 1
        deadline = time.monotonic() + timeout
        try:
            self.channel.send(protocol.encode_parts({**header, "id": rid}, value), deadline)
            reply, payload = self.channel.receive(rid, deadline - time.monotonic())
            reply, payload = self._serve_callees(rid, callees, reply, payload, deadline)
            if isinstance(reply, CallResult):
                return reply
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
            return CallResult(ok=False, crashed=True, error_message=safe_text(exc, 300),
                              malformed=isinstance(exc, protocol.ProtocolError))
        if not reply.get("ok"):
            err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
            return CallResult(ok=False, error_type=safe_name(err.get("type", "Error"))[:80],
                              error_message=safe_text(err.get("message", ""), 1000),
                              traceback=safe_text(err.get("traceback", ""), 2000))
        payload = payload if isinstance(payload, dict) else {}
        warnings, seconds = reply.get("warnings"), reply.get("seconds")
        return CallResult(
            ok=True, value=payload.get("result"), args_after=payload.get("args"),
            warnings=[safe_text(w, 200) for w in warnings[:5]] if isinstance(warnings, list)
            else [],
            seconds=float(seconds) if isinstance(seconds, (int, float)) else 0.0,
            silenced=bool(reply.get("silenced")),
        )
