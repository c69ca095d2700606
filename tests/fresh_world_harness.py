"""What the fresh-world tests share: the probe the worker runs, the sandbox modes to run it in,
a Worker to call it through, and a grader run as `nobody` (user namespaces, no root)."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from grader_harness import grader_copy

from autograder.engine.sandbox import isolation
from autograder.engine.sandbox.folders import ensure_traversable
from autograder.engine.sandbox.isolation import SandboxPool, namespaces_refused
from autograder.engine.sandbox.uids import is_root
from autograder.engine.sandbox.worker import Worker

PROBE = textwrap.dedent('''
    import ctypes, fcntl, os, socket
    import numpy as np

    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWUSER = 0x10000000

    def counters():
        fd = os.open("/tmp/probe-file", os.O_CREAT | os.O_WRONLY, 0o600)
        inode = os.fstat(fd).st_ino
        os.close(fd)
        os.unlink("/tmp/probe-file")
        shmid = libc.shmget(0, 4096, 0o1000 | 0o600)
        if shmid >= 0:
            libc.shmctl(shmid, 0, None)
        child = os.fork()
        if child == 0:
            os._exit(0)
        os.waitpid(child, 0)
        return {"pid": os.getpid(), "next_pid": child, "tmp_inode": inode, "shm_id": shmid,
                "processes": [str(p) for p in range(1, 4096) if _alive(p)]}

    def _alive(pid):
        """Whether a process has this PID (signal 0: no /proc needed, the worker has none)."""
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True

    def bump(n):
        """Move every counter on: PIDs, /tmp inode numbers, System V ids."""
        for i in range(n):
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
            fd = os.open(f"/tmp/bump{i}", os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
            os.unlink(f"/tmp/bump{i}")
            shmid = libc.shmget(0, 4096, 0o1000 | 0o600)
            if shmid >= 0:
                libc.shmctl(shmid, 0, None)
        return counters()

    def _tries(action):
        try:
            return "allowed" if action() is not False else "denied"
        except OSError:
            return "denied"

    def channels(runtime_file):
        """Whether each channel to another sandbox, or way out, is open."""
        def lock_flock():
            with open(runtime_file, "rb") as fh:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        def lock_fcntl():
            with open(runtime_file, "rb") as fh:
                fcntl.lockf(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        def watch():
            fd = libc.inotify_init1(0)
            if fd < 0:
                return False
            ok = libc.inotify_add_watch(fd, runtime_file.encode(), 0xFFF) >= 0
            os.close(fd)
            return ok
        def user_namespace():
            pid = os.fork()
            if pid == 0:
                os._exit(0 if libc.unshare(CLONE_NEWUSER) == 0 else 1)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        def sysv():
            shmid = libc.shmget(0, 4096, 0o1000 | 0o600)
            if shmid >= 0:
                libc.shmctl(shmid, 0, None)
            return shmid >= 0
        def memfd():
            os.close(os.memfd_create("probe"))
        def keyring():
            return libc.syscall(248 if os.uname().machine == "x86_64" else 217, b"user",
                                b"probe", b"x", 1, -4) > 0
        def ptrace():
            pid = os.fork()
            if pid == 0:
                os._exit(0 if libc.ptrace(0, 0, 0, 0) == 0 else 1)  # PTRACE_TRACEME
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        found = {
            "unix socket": _tries(lambda: socket.socket(socket.AF_UNIX).close()),
            "inet socket": _tries(lambda: socket.socket().close()),
            "flock on the runtime": _tries(lock_flock),
            "fcntl lock on the runtime": _tries(lock_fcntl),
            "inotify on the runtime": _tries(watch),
            "user namespace": _tries(user_namespace),
            "System V IPC": _tries(sysv),
            "memfd": _tries(memfd),
            "keyring": _tries(keyring),
            "ptrace": _tries(ptrace),
        }
        found["numpy works"] = float(np.linalg.norm(np.eye(3) @ np.ones(3))) ** 2
        return found

    HELD = []

    def pin(folders, cap):
        """Pin as much kernel memory as each way allows (up to ``cap`` objects), and hold it."""
        made = {}
        for folder in folders:  # empty folders: an inode and a dentry each
            n = 0
            try:
                while n < cap:
                    os.mkdir(f"{folder}/pin{n}")
                    n += 1
            except OSError:
                pass
            made[f"folders in {folder}"] = n
        n = 0
        while n < 64 and libc.shmget(0, 64 << 20, 0o1000 | 0o600) >= 0:  # detached segments
            n += 1
        made["System V segments of 64 MB"] = n
        n = 0
        try:
            while n < 64:
                fd = os.memfd_create("pin")
                os.write(fd, b"x" * (4 << 20))
                HELD.append(fd)
                n += 1
        except OSError:
            pass
        made["memfd files of 4 MB"] = n
        try:
            pid = os.fork()
        except OSError:  # no process at all (the uid mode)
            made["own user namespace and tmpfs"] = False
            return made
        if pid == 0:  # a user namespace of its own, with a tmpfs of its own
            ok = libc.unshare(CLONE_NEWUSER | 0x00020000) == 0 and libc.mount(
                b"tmpfs", b"/tmp", b"tmpfs", 0, b"size=1g") == 0
            os._exit(0 if ok else 1)
        made["own user namespace and tmpfs"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        return made
''')



def _modes() -> list[str]:
    if not is_root():
        return []
    modes = ["uid"]
    if not namespaces_refused(root=True):
        modes.insert(0, "namespaces")
    return modes


@pytest.fixture(params=_modes() or [pytest.param("none", marks=pytest.mark.skip(
    reason="the sandbox modes under test need root"))])
def mode(request, monkeypatch):
    SandboxPool.drain()
    isolation.detect.cache_clear()
    monkeypatch.setenv("BACKPROP_LAB_SANDBOX", request.param)
    yield request.param
    SandboxPool.drain()
    isolation.detect.cache_clear()


@pytest.fixture
def probe_package(tmp_path) -> Path:
    package = tmp_path / "pkg" / "backprop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "probe.py").write_text(PROBE)
    return package


def _run(package: Path, *calls: tuple) -> list:
    worker = Worker(package)
    try:
        values = []
        for function, *args in calls:
            result = worker.call("probe", function, *args, timeout=60)
            assert result.ok, result.describe_error()
            values.append(result.value)
        return values
    finally:
        worker.close()



def _kernel_bytes() -> int:
    """Slab (inodes, dentries) + Shmem (tmpfs, System V and memfd pages) of the whole host."""
    fields = dict(line.split(":") for line in Path("/proc/meminfo").read_text().splitlines())
    return sum(int(fields[k].split()[0]) * 1024 for k in ("Slab", "Shmem"))



# --- as a user (bubblewrap in a user namespace), graded by `nobody` -----------------------------
NOBODY_SCRIPT = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    from autograder.engine.sandbox.worker import Worker

    worker = Worker(Path(sys.argv[1]))
    try:
        print(json.dumps({"mode": worker.isolation.mode, "root": worker.isolation.root}),
              flush=True)
        for line in sys.stdin:  # one call per line: [function, *args]; the answer as a line
            function, *args = json.loads(line)
            if function == "retried":  # the calls run again after their worker died
                print(json.dumps(worker.retried), flush=True)
                continue
            result = worker.call("probe", function, *args, timeout=120)
            print(json.dumps(result.value if result.ok else {"error": result.describe_error()}),
                  flush=True)
    finally:
        worker.close()
''')
CAPS = textwrap.dedent('''
    def capabilities():
        """The worker's capability sets (as /proc/self/status shows them; the worker has no
        /proc, so from capget and prctl), and whether it can make a user namespace."""
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
        data = (ctypes.c_uint32 * 6)()  # (effective, permitted, inheritable) twice: low, high
        assert libc.syscall(125 if os.uname().machine == "x86_64" else 90, header, data) == 0
        held = {name: data[i] | data[i + 3] << 32
                for i, name in enumerate(("CapEff", "CapPrm", "CapInh"))}
        held["CapBnd"] = sum(1 << c for c in range(64) if libc.prctl(23, c, 0, 0, 0) == 1)
        held["CapAmb"] = sum(1 << c for c in range(64) if libc.prctl(47, 1, c, 0, 0) == 1)
        sets = {name: f"{value:016x}" for name, value in held.items()}
        pid = os.fork()
        if pid == 0:
            os._exit(0 if libc.unshare(CLONE_NEWUSER) == 0 else 1)
        sets["user namespace"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        return sets

    def slow(seconds):
        __import__("time").sleep(seconds)
        return 42
''')


@pytest.fixture
def as_nobody(probe_package, tmp_path):
    """Start a Worker as `nobody` (user namespaces, no root) and send it calls, one at a time."""
    if not is_root():
        pytest.skip("switching to `nobody` needs root")
    if namespaces_refused(root=False):
        pytest.skip("user namespaces are not available here")
    ensure_traversable(Path(os.path.realpath(sys.executable)))
    (probe_package / "probe.py").write_text((probe_package / "probe.py").read_text() + CAPS)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    root = grader_copy(tmp_path / "grader")
    nobody = pwd.getpwnam("nobody")
    proc = subprocess.Popen(
        [sys.executable, "-c", NOBODY_SCRIPT, str(probe_package)], cwd=root, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path),
             "TMPDIR": str(tmp_path)},
        user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[])

    def call(*request):
        proc.stdin.write(json.dumps(request) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        assert line, proc.stderr.read()[-2000:]
        return json.loads(line)

    started = json.loads(proc.stdout.readline() or "null")
    assert started == {"mode": "namespaces", "root": False}, proc.stderr.read()[-2000:]
    call.grader = proc.pid
    try:
        yield call
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)

