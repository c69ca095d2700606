"""One submission, one fresh world: no counter carries over, no channel is open, no kernel
memory is pinned outside the limits. Graded through the engine's Worker in each sandbox mode
this machine offers (namespaces as root; the uid mode, as in a container refusing namespaces).
Each probe also runs unconfined in the test process, to show it would see what it looks for."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from autograder.engine.sandbox import cgroups, isolation
from autograder.engine.sandbox.folders import ensure_traversable
from autograder.engine.sandbox.worker import Worker

RUBRIC = Path(__file__).resolve().parents[1] / "autograder" / "rubric.yml"  # the grader's own

pytest_plugins = ["fresh_world_harness"]  # the fixtures: mode, probe_package, as_nobody
pytest.register_assert_rewrite("fresh_world_harness")  # imported here before pytest loads it
from fresh_world_harness import PROBE, _kernel_bytes, _run  # noqa: E402


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
    monkeypatch.setattr(worker_module, "chroot_refused", lambda: "left out by the test")
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


@pytest.mark.parametrize("layer", ["landlock", "chroot"])
def test_without_namespaces_the_worker_reaches_no_file_of_the_machine(
        mode, probe_package, tmp_path, monkeypatch, layer):
    """Each layer alone: Landlock refuses every read and write outside the runtime and the
    submission; a root of its own (chroot.py) holds none of those files at all."""
    if mode != "uid":
        pytest.skip("the namespace modes give the worker a filesystem view of its own")
    from autograder.engine.sandbox import worker as worker_module
    from autograder.engine.sandbox.chroot import chroot_refused

    if layer == "landlock":
        if not isolation.landlock_abi():
            pytest.skip("this kernel has no Landlock: docs/security.md says what the uid mode "
                        "loses")
        monkeypatch.setattr(worker_module, "chroot_refused", lambda: "left out by the test")
        refused = {"PermissionError"}
        homes = ["$HOME"]  # not even its own folder: a new file would move an inode counter
    else:
        if chroot_refused():
            pytest.skip(f"no chroot here ({chroot_refused()}): docs/security.md says what the "
                        "uid mode loses")
        monkeypatch.setattr(worker_module, "landlock_abi", lambda: 0)
        refused = {"FileNotFoundError"}  # to read: not there; to write, also a root-only folder
        homes = []  # its own, inside its root: closed by Landlock (above)
    readable = tmp_path / "world-readable.txt"  # a classmate's file in a world-readable input
    readable.write_text("classmate")
    os.chmod(tmp_path, 0o755)
    os.chmod(readable, 0o644)
    ensure_traversable(tmp_path)  # without either layer, the worker's uid could read it
    (probe_package / "reach.py").write_text(textwrap.dedent(f'''
        import os

        def reach():
            found = {{}}
            for path in ({str(readable)!r}, {str(RUBRIC)!r}, "/etc/passwd", "/proc/1/cmdline"):
                try:
                    with open(path) as fh:
                        found[path] = fh.read(20)
                except OSError as exc:
                    found[path] = type(exc).__name__
            for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", *{homes!r}):
                folder = os.path.expandvars(folder)
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
    found = result.value
    reads = {k: v for k, v in found.items() if not k.startswith("write ")}
    writes = {k: v for k, v in found.items() if k.startswith("write ")}
    assert set(reads.values()) == refused, found
    # The runtime's sources keep their paths in the worker's root: where the grader lies under
    # /tmp, its /tmp is a folder of that tree, which the worker's uid cannot write.
    assert set(writes.values()) <= refused | ({"PermissionError"} if layer == "chroot" else set()), found


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


def test_access_times_of_the_runtime_carry_nothing_to_the_next_submission(mode, probe_package):
    """The uid mode's workers share the runtime's files (hard links in each worker's root): a
    submission that reads one marks its access time (relatime: once after each change), and
    the next could read the mark. Each worker's root is laid out by reading a byte of every
    file, so the next sees the same time on the file read and on one nobody reads."""
    if mode != "uid":
        pytest.skip("the namespace modes bind the runtime read-only: a read marks nothing")
    from autograder.engine.sandbox.chroot import chroot_refused

    if chroot_refused():
        pytest.skip(f"no chroot here ({chroot_refused()}): docs/security.md leaves atimes open")
    (probe_package / "atimes.py").write_text(textwrap.dedent('''
        import os

        READ, UNREAD = (os.path.join(os.path.dirname(os.__file__), name)
                        for name in ("colorsys.py", "this.py"))

        def mark():
            with open(READ, "rb") as fh:
                return len(fh.read())

        def times():
            read, unread = os.stat(READ), os.stat(UNREAD)
            return [read.st_atime - unread.st_atime, read.st_atime - read.st_ctime,
                    unread.st_atime - unread.st_ctime]
    '''))
    def submission(function: str):
        worker = Worker(probe_package)
        try:
            result = worker.call("atimes", function, timeout=60)
        finally:
            worker.close()
        assert result.ok, result.describe_error()
        return result.value

    assert submission("mark") > 0
    for _ in range(3):  # a worker laid out by another test meanwhile changes both files
        newer, read_since_change, unread_since_change = seen = submission("times")
        # Both read after this root was laid out (their last change), at the same time; a
        # read by the last submission would be older than that change.
        if read_since_change >= 0 and unread_since_change >= 0 and abs(newer) < 1.0:
            break
    assert read_since_change >= 0 and unread_since_change >= 0, seen
    assert abs(newer) < 1.0, f"the file the last submission read is {newer:.3f} s newer"
