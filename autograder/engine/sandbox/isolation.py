"""Where student code runs: the zygote that forks workers, and the sandbox around it.

Modes, strongest first (``detect()`` picks the strongest this machine allows):

- ``namespaces``: the zygote runs inside a bubblewrap sandbox with its own mount, PID, IPC,
  UTS and network namespaces. It sees a read-only Python runtime and numpy, the submission
  being graded (read-only), a private size-limited /tmp, /var/tmp and /dev/shm, no network (not
  even loopback), a /proc of its own processes, and no keyring system calls. As root, every
  worker also drops to an unprivileged uid, so the root zygote is out of its reach and the
  sandbox serves the next submission once it is verified empty. Not as root (user
  namespaces), worker and zygote share a uid, so a sandbox serves one submission and dies.
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
import struct
import subprocess
import sys
import sysconfig
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from autograder.engine.sandbox.uids import is_root

SANDBOX_DIR = Path(__file__).resolve().parent
# What the zygote and its workers run: their two mains, the protocol they speak and the
# correct callees' stand-ins (both from core/).
WORKER_FILES = (SANDBOX_DIR / "zygote_main.py", SANDBOX_DIR / "worker_main.py",
                SANDBOX_DIR.parent / "core" / "protocol.py",
                SANDBOX_DIR.parent / "core" / "stubs.py")
INSIDE_ENGINE, INSIDE_SITE, INSIDE_PACKAGE = "/sandbox/engine", "/sandbox/site", "/sandbox/pkg"
# As root, numpy is bound here first; the zygote lays an overlay of it on INSIDE_SITE and lets
# go of the bind, so that /proc/self/mountinfo does not name the folder it came from.
INSIDE_SOURCES, INSIDE_EMPTY = "/sandbox/src", "/sandbox/empty"
TMPFS_BYTES = {"/tmp": 64 * 1024**2, "/var/tmp": 16 * 1024**2, "/dev/shm": 16 * 1024**2}
TMPFS_INODES = 4096  # files and folders per temporary folder (each pins ~1 KB of the kernel's)
THREADS_ENV = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
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
            return ("sandbox: bubblewrap namespaces (own filesystem view, PIDs, IPC, no "
                    f"network), {who}; a seccomp filter (no sockets, ptrace, keyrings, System V "
                    "IPC, namespaces, file locks, inotify, memfd)")
        if self.mode == "uid":
            confined = (f"Landlock ABI {landlock_abi()}: each reads only the runtime and its "
                        "own submission and writes only its own folder" if landlock_abi() else
                        "NO Landlock: they can read world-readable files of this machine and "
                        "write to world-writable folders")
            return (f"sandbox: NO namespaces ({self.why}); workers run under unprivileged uids "
                    "with resource limits and a seccomp filter (no sockets, ptrace, keyrings, "
                    f"System V IPC, namespaces, file locks, inotify, memfd); {confined}")
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


# --- bubblewrap ------------------------------------------------------------------------------
def _tools() -> dict[str, str | None]:
    return {name: shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
            for name in ("bwrap", "unshare", "setpriv")}


def namespaces_refused(root: bool) -> str:
    """'' if a bubblewrap sandbox starts here, else why not (one short sentence)."""
    tools = _tools()
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        return f"{', '.join(missing)} not installed (Debian: apt-get install bubblewrap)"
    try:
        done = subprocess.run(sandbox_command(root), capture_output=True,
                              timeout=30, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap failed to start ({exc})"
    if done.returncode != 0:
        text = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
        return f"the kernel refused them ({text[-1] if text else f'exit {done.returncode}'})"
    return ""


def _python() -> tuple[str, str]:
    """(interpreter, installation prefix) to run inside the sandbox: the base interpreter,
    never the virtualenv's site-packages (which may hold the grader itself)."""
    return os.path.realpath(sys.executable), sys.base_prefix


def _numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [p for p in (package, package.with_name("numpy.libs")) if p.is_dir()]


def _runtime_binds(root: bool, file_fds: dict[str, int] | None) -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    _, prefix = _python()
    if not Path(prefix).resolve().is_relative_to("/usr"):
        for parent in reversed(Path(prefix).parents[:-1]):  # bwrap makes new folders 0700
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", prefix, prefix]
    hidden = {sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})[k]
              for k in ("purelib", "platlib")}
    for site in sorted(hidden):  # the base installation's packages stay invisible
        if Path(site).is_dir():
            args += ["--tmpfs", site]
    for folder in _numpy_dirs():
        if root and file_fds is not None:
            args += ["--dir", f"{INSIDE_SITE}/{folder.name}",
                     "--ro-bind", str(folder), f"{INSIDE_SOURCES}/{folder.name}"]
        else:  # as a user the binds are locked: they cannot be let go of
            args += ["--ro-bind", str(folder), f"{INSIDE_SITE}/{folder.name}"]
    if root and file_fds is not None:
        args += ["--dir", INSIDE_EMPTY]
    for path in WORKER_FILES:  # copies (no host path in mountinfo) where the caller gave data
        if file_fds is not None:
            args += ["--ro-bind-data", str(file_fds[path.name]), f"{INSIDE_ENGINE}/{path.name}"]
        else:
            args += ["--ro-bind", str(path), f"{INSIDE_ENGINE}/{path.name}"]
    return args


def sandbox_command(root: bool, *, package: Path | None = None, socket_fd: int | None = None,
                    extra: list[str] | None = None,
                    file_fds: dict[str, int] | None = None) -> list[str]:
    """The bwrap command line of a sandbox whose zygote talks on ``socket_fd`` (None: a probe
    that only imports numpy); ``file_fds``: the worker files' contents, by name."""
    tools = _tools()
    args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--proc", "/proc", "--dev", "/dev", "--dir", "/var"]
    for folder in ("/sandbox", INSIDE_SITE, INSIDE_ENGINE):  # bwrap makes new folders 0700
        args += ["--perms", "0755", "--dir", folder]
    for key, value in THREADS_ENV.items():
        args += ["--setenv", key, value]
    if not root:  # CAP_SYS_ADMIN in the sandbox's own user namespace only: the network
        # namespace, then each worker's fresh world; every worker drops it before student code
        args += ["--unshare-user", "--cap-add", "CAP_SYS_ADMIN"]
    args += _runtime_binds(root, file_fds)
    for path, size in TMPFS_BYTES.items():
        args += ["--perms", "1777", "--size", str(size), "--tmpfs", path]
    if package is not None:
        args += ["--ro-bind", str(package), INSIDE_PACKAGE]
    args += ["--chdir", "/tmp", *(extra or [])]
    python, _ = _python()
    command = [tools["unshare"], "--net", "--"]  # a network namespace with loopback down
    if not root:  # the zygote keeps CAP_SYS_ADMIN (ambient) to mount each worker's tmpfs
        command += [tools["setpriv"], "--no-new-privs", "--"]
    if socket_fd is None:
        command += [python, "-I", "-S", "-c",
                    f"import sys; sys.path.append({INSIDE_SITE!r}); import numpy"]
    else:
        command += [python, "-I", "-S", f"{INSIDE_ENGINE}/zygote_main.py", str(socket_fd),
                    INSIDE_SITE]
    return [tools["bwrap"], *args, "--", *command]


def keyring_filter() -> bytes | None:
    """A seccomp program that makes add_key, request_key and keyctl fail with EPERM.

    A uid's keyring outlives its processes, so it would carry data from one submission to the
    next graded under the same uid. Returns None on architectures not listed here.
    """
    arches = {"x86_64": (0xC000003E, (248, 249, 250)), "aarch64": (0xC00000B7, (217, 218, 219))}
    machine = os.uname().machine
    if machine not in arches:
        return None
    arch, numbers = arches[machine]
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    # Another architecture's calls (i386 on x86_64) and x32 calls are denied outright.
    code = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, deny), (ld_abs, 0, 0, 0),
            (jge, len(numbers) + 1, 0, 0x40000000)]
    code += [(jeq, len(numbers) - i, 0, n) for i, n in enumerate(numbers)]
    code += [(ret, 0, 0, allow), (ret, 0, 0, deny)]
    return b"".join(struct.pack("=HBBI", *insn) for insn in code)


# Calls no grading needs and each a channel or a way to pin memory no limit counts: sockets (the
# network, Otter's log receiver), ptrace and reading other processes' memory, keyrings (they
# outlive a uid's processes), System V IPC (objects and ids outlive the worker), namespaces of
# its own (a user namespace brings its own tmpfs), file locks and inotify (signals through the
# shared read-only runtime), memfd (memory outside the address-space limit), bpf, perf events,
# userfaultfd and io_uring (kernel surface), POSIX message queues.
WORKER_DENIED = ("socket", "socketpair", "ptrace", "process_vm_readv", "process_vm_writev",
                 "kcmp", "add_key", "request_key", "keyctl", "shmget", "shmat", "shmctl",
                 "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd",
                 "msgrcv", "msgctl", "unshare", "setns", "flock", "inotify_init",
                 "inotify_init1", "inotify_add_watch", "fanotify_init", "fanotify_mark",
                 "memfd_create", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
                 "mq_open")
SYSCALLS = {
    "x86_64": (0xC000003E, {
        "socket": 41, "socketpair": 53, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "kcmp": 312, "add_key": 248, "request_key": 249,
        "keyctl": 250, "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64,
        "semop": 65, "semctl": 66, "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70,
        "msgctl": 71, "unshare": 272, "setns": 308, "flock": 73, "inotify_init": 253,
        "inotify_init1": 294, "inotify_add_watch": 254, "fanotify_init": 300,
        "fanotify_mark": 301, "memfd_create": 319, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "io_uring_setup": 425, "mq_open": 240, "clone": 56, "clone3": 435,
        "fcntl": 72}),
    "aarch64": (0xC00000B7, {
        "socket": 198, "socketpair": 199, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "kcmp": 272, "add_key": 217, "request_key": 218,
        "keyctl": 219, "shmget": 194, "shmat": 196, "shmctl": 195, "shmdt": 197, "semget": 190,
        "semop": 193, "semctl": 191, "semtimedop": 192, "msgget": 186, "msgsnd": 189,
        "msgrcv": 188, "msgctl": 187, "unshare": 97, "setns": 268, "flock": 32,
        "inotify_init1": 26, "inotify_add_watch": 27, "fanotify_init": 262,
        "fanotify_mark": 263, "memfd_create": 279, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "io_uring_setup": 425, "mq_open": 180, "clone": 220, "clone3": 435,
        "fcntl": 25}),
}
CLONE_NAMESPACES = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
FCNTL_LOCKS = (5, 6, 7, 36, 37, 38)  # F_GETLK, F_SETLK, F_SETLKW and their OFD forms


def worker_filter() -> bytes | None:
    """The seccomp program every worker loads before student code runs: WORKER_DENIED, clone
    with a namespace flag and fcntl's locks fail with EPERM; clone3 (whose flags a filter cannot
    read) fails with ENOSYS, so that libc falls back to clone. None on other architectures."""
    machine = os.uname().machine
    if machine not in SYSCALLS:
        return None
    arch, numbers = SYSCALLS[machine]
    ld_abs, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    arg0, arg1 = 16, 24  # offsets of the low words of the first two arguments
    code = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, eperm), (ld_abs, 0, 0, 0),
            (jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # other ABIs (x32) are denied
    for name in WORKER_DENIED:
        if name in numbers:
            code += [(jeq, 0, 1, numbers[name]), (ret, 0, 0, eperm)]
    code += [(jeq, 0, 1, numbers["clone3"]), (ret, 0, 0, enosys)]
    code += [(jeq, 0, 4, numbers["clone"]), (ld_abs, 0, 0, arg0),
             (jset, 0, 1, CLONE_NAMESPACES), (ret, 0, 0, eperm), (ret, 0, 0, allow)]
    code += [(jeq, 0, 2 * len(FCNTL_LOCKS) + 2, numbers["fcntl"]), (ld_abs, 0, 0, arg1)]
    for command in FCNTL_LOCKS:
        code += [(jeq, 0, 1, command), (ret, 0, 0, eperm)]
    code += [(ret, 0, 0, allow), (ret, 0, 0, allow)]
    return b"".join(struct.pack("=HBBI", *insn) for insn in code)


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
    """What a worker without namespaces may read (the runtime, numpy, its own submission) and
    write (its home): nothing else of the machine, no other submission, no grader file."""
    _, prefix = _python()
    read = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache",
            "/etc/localtime", "/dev/urandom", "/dev/zero", prefix,
            *(str(p) for p in _numpy_dirs()), package]
    return {"read": read, "write": [home, "/dev/null"]}


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
        with cls._lock:
            while cls._idle:
                box = cls._idle.pop()
                if box.alive():
                    return box
                box.close()
        return Sandbox(isolation)

    @classmethod
    def release(cls, box: Sandbox, clean: bool) -> None:
        if clean and box.isolation.reusable and box.alive():
            with cls._lock:
                cls._idle.append(box)
        else:
            box.close()

