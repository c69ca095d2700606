"""The zygote: a process with numpy already imported that forks one worker per request.

Started by the trusted grader (isolation.Sandbox) with one end of a socket pair, inside the
sandbox when there is one (argv: socket fd [, folder holding numpy]). Requests are JSON:

    {"op": "spawn", "config": {...}} + three fds (requests pipe, replies pipe, capture file)
        and optionally a fourth (a memory cgroup's cgroup.procs, joined before anything else):
        fork a worker (worker_main.become + serve); answer {"pid": ...}
    {"op": "reset", "home": path}: once the workers are gone, remove that worker home and
        answer {"leftovers": [...]}: what else is left in the sandbox's writable folders, IPC
        namespace and process table

It never imports student code itself, and exits when the grader closes the socket.
"""

import json
import os
import shutil
import signal
import socket
import sys


def _neutral_runtime(sources: str = "/sandbox/src", empty: str = "/sandbox/empty") -> None:
    """As root in the sandbox: lay a read-only overlay of each folder bound at ``sources`` on
    the same name in the site folder, then let go of the bind, so /proc/self/mountinfo names
    no folder of the grading machine. Where the kernel has no overlayfs: a plain bind."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ms_rdonly, ms_remount, ms_bind, ms_rec, mnt_detach = 0x1, 0x20, 0x1000, 0x4000, 0x2
    site = sys.argv[2]
    for name in sorted(os.listdir(sources)):
        source, target = f"{sources}/{name}".encode(), f"{site}/{name}".encode()
        options = f"lowerdir={sources}/{name}:{empty}".encode()
        if libc.mount(b"overlay", target, b"overlay", ms_rdonly, options) == 0:
            libc.umount2(source, mnt_detach)
        elif (libc.mount(source, target, None, ms_bind | ms_rec, None) != 0
              or libc.mount(None, target, None, ms_remount | ms_bind | ms_rdonly, None) != 0):
            raise OSError(ctypes.get_errno(), f"could not mount {name}")


if len(sys.argv) > 2 and os.path.isdir("/sandbox/src"):
    _neutral_runtime()

# protocol.py lies next to this file in the sandbox, in ../core/ in the grader's own folder.
_HERE = os.path.dirname(os.path.abspath(__file__))
GRADER_PATHS = [_HERE, os.path.join(os.path.dirname(_HERE), "core")]
sys.path[:0] = GRADER_PATHS
if len(sys.argv) > 2:
    sys.path.append(sys.argv[2])  # numpy's folder in the sandbox (site-packages are not used)

import numpy  # noqa: E402 - imported once here, inherited by every worker
import protocol  # noqa: E402,F401
import stubs  # noqa: E402,F401 - the correct-callee stand-ins, imported before the path is cut
import worker_main  # noqa: E402

WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")


def warm_up() -> None:
    """Touch what nearly every submission uses, so each fork starts with it loaded."""
    rng = numpy.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    numpy.random.RandomState(0).permutation(3)
    numpy.einsum("ij,jk->ik", a, a)
    numpy.linalg.norm(a @ a.T)
    numpy.exp(numpy.maximum(a, 0)).sum(axis=1, keepdims=True)


# Compiled modules that act on a terminal or exist only for CPython's own tests.
NOT_PRELOADED = ("readline", "_curses", "_curses_panel", "_tkinter", "_test", "xx", "_xx",
                 "_ctypes_test")


def preload_compiled() -> None:
    """Import every compiled module of the standard library and of numpy (the mode without
    namespaces): each worker changes its root to a folder holding only Python sources
    (chroot.py), where a compiled module could not load."""
    import importlib
    import sysconfig
    import warnings

    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    names = []
    for folder in (p for p in sys.path if p.endswith("lib-dynload") and os.path.isdir(p)):
        names += [entry.name[:-len(suffix)] for entry in os.scandir(folder)
                  if entry.name.endswith(suffix)]
    base = os.path.dirname(os.path.dirname(numpy.__file__))
    for folder, _, files in os.walk(os.path.dirname(numpy.__file__)):
        names += [os.path.relpath(os.path.join(folder, f[:-len(suffix)]), base).replace("/", ".")
                  for f in files if f.endswith(suffix)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(names):
            if name not in sys.modules and not name.startswith(NOT_PRELOADED):
                try:
                    importlib.import_module(name)
                except BaseException:  # noqa: BLE001 - a module this machine cannot load
                    pass


def audit() -> list[str]:
    """Anything a worker could have left behind in this sandbox (names only, nothing opened)."""
    found = []
    for folder in WRITABLE:
        try:
            found += [f"{folder}/{name}" for name in sorted(os.listdir(folder))[:20]]
        except OSError:
            pass
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}") as fh:
                found += [f"System V {kind} object" for _ in fh.readlines()[1:]]
        except OSError:
            pass
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, me):
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    state = fh.read().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state not in ("Z", "X"):
                found.append(f"process {entry}")
    return found


CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x08000000, 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000
MS_RDONLY, MNT_DETACH = 0x1, 0x2
# A new IPC namespace starts with the kernel's generous defaults: allow no System V object.
IPC_LIMITS = {"shmmni": "0", "shmall": "0", "shmmax": "0", "msgmni": "0", "sem": "0 0 0 0"}


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def fresh_world(spec: dict) -> None:
    """In a forked child (root in the sandbox, or CAP_SYS_ADMIN in its user namespace): new
    mount, IPC and PID namespaces with new size- and inode-limited temporary folders, so that
    nothing of one worker, not even a counter (PIDs, System V ids, inode numbers), is seen by
    the next (the worker drops every capability afterwards), and no /proc at all. Returns in
    the worker, pid 1 of its PID namespace; the process in between waits for it and exits."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID), "unshare")
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private mounts")
    for path, size in spec["tmpfs"].items():
        options = f"size={size},nr_inodes={spec['inodes']},mode=1777".encode()
        _check(libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options),
               f"tmpfs on {path}")
    child = os.fork()
    if child:  # not the worker: wait for it (it ends the namespace), hold nothing of it
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        try:
            os.waitpid(child, 0)
        finally:
            os._exit(0)
    if spec.get("ipc_limits", True):  # the new IPC namespace's limits, through a new /proc
        _check(libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None),
               "/proc")
        for name, value in IPC_LIMITS.items():
            with open(f"/proc/sys/kernel/{name}", "w") as fh:
                fh.write(value)
    _hide_proc(libc)


def _hide_proc(libc) -> None:
    """Let go of every /proc in the worker's mount namespace (its own and the sandbox's under
    it): each /proc entry looked up, and its inode number, would move and read the kernel's
    one inode counter for pseudo-files, which every process of the machine shares; and
    /proc/self/mountinfo would name the folders bound into the sandbox."""
    while os.path.ismount("/proc"):
        if libc.umount2(b"/proc", MNT_DETACH) != 0:
            # As a user, bubblewrap's own /proc is locked: an empty read-only folder hides it.
            _check(libc.mount(b"none", b"/proc", b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV
                              | MS_NOEXEC, b"size=4k,nr_inodes=1,mode=0555"), "hiding /proc")
            return


def spawn(config: dict, fds: list[int]) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            if len(fds) > 3:  # the submission's memory cgroup: joined before anything else
                os.write(fds[3], b"0")
            for target, fd in enumerate(fds[:3]):
                os.dup2(fd, target)
            os.closerange(3, 1 << 16)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            if config.get("fresh_world"):
                fresh_world(config["fresh_world"])
            worker_main.become(config)
            worker_main.serve(config)
            code = 0
        finally:
            os._exit(code)
    return pid


def main() -> None:
    warm_up()
    if os.environ.get("BACKPROP_LAB_PRELOAD") == "1":
        preload_compiled()
    sock = socket.socket(fileno=int(sys.argv[1]))
    del sys.path[:len(GRADER_PATHS)]  # workers must not see the grader's folders on their path
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 4)
        except OSError:
            return
        if not msg:
            return
        request = json.loads(msg)
        try:
            if request.get("op") == "reset":
                home = str(request.get("home", ""))
                if home.startswith("/tmp/w-") and os.path.lexists(home):
                    shutil.rmtree(home)  # safe against links: works on file descriptors
                answer = {"leftovers": audit()}
            else:
                answer = {"pid": spawn(request["config"], fds)}
        except Exception as exc:  # noqa: BLE001 - told to the grader, which drops this sandbox
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            for fd in fds:
                os.close(fd)
        sock.sendall(json.dumps(answer).encode())


if __name__ == "__main__":
    main()
