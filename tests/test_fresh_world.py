"""One submission, one fresh world: no counter carries over, no channel is open, no kernel
memory is pinned outside the limits. Graded through the engine's Worker in each sandbox mode
this machine offers (namespaces as root; the uid mode, as in a container refusing namespaces).
Each probe also runs unconfined in the test process, to show it would see what it looks for."""

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

from autograder.engine.sandbox import cgroups, isolation
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
                "processes": sorted(p for p in os.listdir("/proc") if p.isdigit())}

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


def test_counters_start_anew_for_every_submission(mode, probe_package):
    if mode != "namespaces":
        pytest.skip("without namespaces the counters are the machine's: test_uid_counters "
                    "shows the worker moves none and the PID counter is evened out")
    first, _ = _run(probe_package, ("counters",), ("bump", 300))
    second, = _run(probe_package, ("counters",))
    assert second == first, "a counter carried over from one submission to the next"
    assert first["processes"] == [str(first["pid"])]  # alone in its PID namespace
    namespace = {"module": None}
    exec(compile(PROBE, "probe", "exec"), namespace)  # the same probe, unconfined here
    before = namespace["counters"]()
    after = namespace["bump"](50)
    assert after["next_pid"] != before["next_pid"]


def test_no_channel_and_no_way_out_is_open(mode, probe_package):
    import numpy

    runtime_file = str(Path(numpy.__file__))  # read-only and shared by every sandbox
    found, = _run(probe_package, ("channels", runtime_file))
    assert found.pop("numpy works") == pytest.approx(3.0)
    assert set(found.values()) == {"denied"}, found
    namespace: dict = {}
    exec(compile(PROBE, "probe", "exec"), namespace)
    unconfined = namespace["channels"](runtime_file)
    assert sum(v == "allowed" for v in unconfined.values()) >= 8, unconfined


def _kernel_bytes() -> int:
    """Slab (inodes, dentries) + Shmem (tmpfs, System V and memfd pages) of the whole host."""
    fields = dict(line.split(":") for line in Path("/proc/meminfo").read_text().splitlines())
    return sum(int(fields[k].split()[0]) * 1024 for k in ("Slab", "Shmem"))


def test_kernel_memory_a_submission_pins_is_bounded(mode, probe_package, record_property):
    """Each way to pin kernel memory is refused or bounded: the host's Slab + Shmem grow by
    less than 64 MB while the worker holds everything it could make (without the limits: about
    2.5 GB). In the uid mode Landlock (where the kernel has it) lets the worker make no file
    anywhere, its own folder included (test_uid_counters)."""
    landlock = mode == "uid" and isolation.landlock_abi() > 0
    folders = ["/tmp", "/var/tmp", "/dev/shm"] if mode == "namespaces" or landlock else []
    worker = Worker(probe_package)
    try:
        before = _kernel_bytes()
        result = worker.call("probe", "pin", folders, 300_000, timeout=120)
        assert result.ok, result.describe_error()
        held = _kernel_bytes() - before
    finally:
        worker.close()
    made = result.value
    record_property("kernel_memory_held_mb", round(held / 2**20, 1))
    print(f"\n{mode}: kernel memory held {held / 2**20:.1f} MB; made {made}")
    for folder in folders:  # the sandbox's own limited tmpfs; the machine's, closed by Landlock
        assert made[f"folders in {folder}"] <= (0 if landlock else 4096), made
    assert made["System V segments of 64 MB"] == 0 and made["memfd files of 4 MB"] == 0, made
    assert made["own user namespace and tmpfs"] is False, made
    assert held < 64 * 2**20, f"{held / 2**20:.0f} MB held by one submission: {made}"


def test_kernel_memory_counts_in_the_submissions_memory_cgroup(mode, probe_package):
    """As root, each submission's worker joins a memory cgroup of its own before any student
    code runs: the tmpfs pages and inodes it makes are charged there (beside its own pages),
    and in the root sandbox, where they cannot be reclaimed, its limit stops them."""
    why = cgroups.unavailable()
    if why:
        pytest.skip(f"no memory cgroup for the grader here: {why}")
    (probe_package / "fill.py").write_text(textwrap.dedent('''
        import os

        def fill(folder, files, folders):
            """``files`` files of 1 MB and ``folders`` empty folders in ``folder``."""
            for n in range(files):
                with open(f"{folder}/blob{n}", "wb") as fh:
                    fh.write(b"x" * (1 << 20))
            for n in range(folders):
                os.mkdir(f"{folder}/folder{n}")
            return files
    '''))
    limit = 48 * 2**20
    (probe_package / "hold.py").write_text(
        "HELD = []\n\ndef hold(mb):\n    HELD.append(b'x' * (mb << 20))\n    return mb\n")
    worker = Worker(probe_package, limits={"memory_bytes": limit})
    try:
        assert worker.cgroup is not None
        folder = "/dev/shm" if mode == "namespaces" else worker.home  # uid: its own folder
        assert worker.call("fill", "fill", folder, 0, 0, timeout=60).ok
        before = worker.cgroup.usage_bytes()
        if mode == "uid" and isolation.landlock_abi():  # it makes no file: its pages count
            result = worker.call("hold", "hold", 16, timeout=60)
        else:
            result = worker.call("fill", "fill", folder, 12, 3000, timeout=60)
        grown = worker.cgroup.usage_bytes() - before
        assert result.ok, result.describe_error()
        print(f"\n{mode}: 12 MB of files and 3000 folders (uid with Landlock: 16 MB of its "
              f"own pages) charged {grown / 2**20:.1f} MB")
        assert grown >= 12 * 2**20, f"only {grown / 2**20:.1f} MB charged to the submission"
        if mode == "namespaces":  # tmpfs pages cannot be reclaimed: the limit holds them
            result = worker.call("fill", "fill", "/tmp", 60, 0, timeout=60)
            assert not result.ok, "60 MB of tmpfs beyond a 48 MB memory cgroup"
        assert worker.cgroup.peak_bytes() <= limit
        path = worker.cgroup.path
    finally:
        worker.close()
    assert not path.exists(), "the submission's cgroup outlived it"


def test_without_landlock_the_clean_up_removes_what_a_uid_hid_at_any_depth(
        mode, probe_package, monkeypatch):
    """The uid mode on a kernel without Landlock: leave_nested hides its answers 40 folders
    deep in every world-writable folder (/run/lock, /tmp/.X11-unix, ...); once its submission
    is done, nothing of its uid is left anywhere, and use_nested finds nothing."""
    if mode != "uid":
        pytest.skip("the namespace modes give every worker temporary folders of its own")
    from autograder.engine.sandbox import worker as worker_module
    from autograder.engine.sandbox.uids import files_of_uid

    monkeypatch.setattr(worker_module, "landlock_abi", lambda: 0)
    attacks = Path(__file__).parent / "attacks"
    (probe_package / "leave.py").write_text(
        (attacks / "leave_nested" / "backprop" / "quiz.py").read_text())
    (probe_package / "use.py").write_text(
        (attacks / "use_nested" / "backprop" / "quiz.py").read_text())
    leaver = Worker(probe_package)
    try:
        assert leaver.call("leave", "ANSWERS", timeout=120).ok
        uid = leaver.lease.uid
        hidden = files_of_uid(uid)
        assert hidden, "the attack hid nothing: the clean-up would not be tested"
        assert {os.path.realpath(p.parent) for p in hidden} >= {"/tmp", "/run/lock"}, hidden
    finally:
        leaver.close()
    assert files_of_uid(uid) == [], "the clean-up left some of what the uid hid"
    user = Worker(probe_package)
    try:
        found = user.call("use", "ANSWERS", timeout=120)
    finally:
        user.close()
    assert found.ok and found.value == {}, found.value


def test_mountinfo_names_no_folder_of_the_grader(mode, probe_package):
    """The sandbox's /proc/self/mountinfo names the folders bound into it: as root, numpy is an
    overlay the zygote laid over its bind (then let go of), and the worker's own files are
    copies, so neither the repository, its virtualenv nor numpy's folder is named there."""
    if mode != "namespaces":
        pytest.skip("without namespaces the worker shares the machine's mounts (Landlock closes "
                    "/proc to it)")
    import numpy

    (probe_package / "mounts.py").write_text(
        "def mounts():\n    return open('/proc/self/mountinfo').read()\n")
    worker = Worker(probe_package)
    try:
        result = worker.call("mounts", "mounts", timeout=60)
    finally:
        worker.close()
    assert result.ok, result.describe_error()
    repository = str(Path(__file__).resolve().parents[1])
    numpy_folder = str(Path(numpy.__file__).resolve().parent)
    assert "/sandbox/site/numpy" in result.value  # the probe reads the sandbox's own table
    for host_path in (repository, numpy_folder, sys.prefix):
        assert host_path not in result.value, f"{host_path} is named in mountinfo"


def test_without_namespaces_landlock_confines_reads_and_writes(mode, probe_package, tmp_path):
    if mode != "uid":
        pytest.skip("the namespace modes give the worker a filesystem view of its own")
    if not isolation.landlock_abi():
        pytest.skip("this kernel has no Landlock: docs/security.md says what the uid mode loses")
    readable = tmp_path / "world-readable.txt"  # a classmate's file in a world-readable input
    readable.write_text("classmate")
    os.chmod(tmp_path, 0o755)
    os.chmod(readable, 0o644)
    ensure_traversable(tmp_path)  # without Landlock, the worker's uid could read it
    (probe_package / "reach.py").write_text(textwrap.dedent(f'''
        import os

        def reach():
            found = {{}}
            for path in ({str(readable)!r}, "/etc/passwd", "/proc/1/cmdline"):
                try:
                    with open(path) as fh:
                        found[path] = fh.read(20)
                except OSError as exc:
                    found[path] = type(exc).__name__
            for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.environ["HOME"]):
                try:
                    with open(folder + "/bp-landlock-probe", "w") as fh:
                        fh.write("x")
                    os.unlink(folder + "/bp-landlock-probe")
                    found["write " + folder] = "written"
                except OSError as exc:
                    found["write " + folder] = type(exc).__name__
            import json, email.message  # the standard library still imports
            return found
    '''))
    worker = Worker(probe_package)
    try:
        result = worker.call("reach", "reach", timeout=60)
    finally:
        worker.close()
    assert result.ok, result.describe_error()
    found = result.value  # not even its own folder: a new file would move an inode counter
    assert set(found.values()) == {"PermissionError"}, found


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
        """The worker's capability sets, and whether it can make a user namespace."""
        sets = {line.split(":")[0]: line.split()[1] for line in open("/proc/self/status")
                if line.startswith("Cap")}
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
    (probe_package / "probe.py").write_text(PROBE + CAPS)
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


def test_as_a_user_the_worker_holds_no_capability_and_makes_no_namespace(as_nobody):
    found = as_nobody("capabilities")
    assert found == {"CapInh": "0" * 16, "CapPrm": "0" * 16, "CapEff": "0" * 16,
                     "CapAmb": "0" * 16, "CapBnd": found["CapBnd"],
                     "user namespace": False}, found
    counters = as_nobody("counters")
    assert counters["processes"] == [str(counters["pid"])]  # alone in its PID namespace
    channels = as_nobody("channels", str(Path(__import__("numpy").__file__)))
    assert channels.pop("numpy works") == pytest.approx(3.0)
    assert set(channels.values()) == {"denied"}, channels


def test_as_a_user_the_kernel_memory_a_submission_pins_is_bounded(as_nobody, record_property):
    """As in the root sandbox: each worker's /tmp, /var/tmp and /dev/shm are new tmpfs limited
    to 4096 inodes (mounted by the zygote with CAP_SYS_ADMIN in the sandbox's user namespace),
    so the host's Slab + Shmem grow by less than 64 MB while the worker holds all it made."""
    folders = ["/tmp", "/var/tmp", "/dev/shm"]
    before = _kernel_bytes()
    made = as_nobody("pin", folders, 300_000)
    held = _kernel_bytes() - before
    record_property("kernel_memory_held_mb", round(held / 2**20, 1))
    print(f"\nuser namespaces: kernel memory held {held / 2**20:.1f} MB; made {made}")
    for folder in folders:
        assert made[f"folders in {folder}"] <= 4096, made
    assert made["System V segments of 64 MB"] == 0 and made["memfd files of 4 MB"] == 0, made
    assert made["own user namespace and tmpfs"] is False, made
    assert held < 64 * 2**20, f"{held / 2**20:.0f} MB held by one submission: {made}"


def _kill_the_worker(grader: int, killed: list[int]) -> None:
    """SIGKILL, as the OOM killer would, the worker among ``grader``'s descendants: the one
    that is pid 1 of a PID namespace inside the sandbox's (three PIDs in NSpid)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    stack = list(children.get(grader, []))
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        nspid = next((line.split()[1:] for line in status.splitlines()
                      if line.startswith("NSpid:")), [])
        if len(nspid) == 3 and nspid[-1] == "1":
            os.kill(pid, 9)
            killed.append(pid)


def test_as_a_user_a_worker_killed_from_outside_is_retried_before_being_charged(as_nobody):
    """As a user (no uid to kill: the test finds the worker in the grader's process tree): a
    call whose worker is killed from outside runs again in a new sandbox, answers, and is said
    to have been run again; the student is not charged."""
    import threading

    assert as_nobody("counters")["pid"] == 1  # the worker is up
    killed: list[int] = []
    killer = threading.Timer(1.0, _kill_the_worker, args=(as_nobody.grader, killed))
    killer.start()
    assert as_nobody("slow", 4) == 42
    killer.join()
    assert len(killed) == 1, killed
    assert as_nobody("retried") == ["probe.slow"]
