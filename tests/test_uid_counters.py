"""Without namespaces (the uid mode: a container refusing them, as Gradescope's and Docker's
default profile do), no counter of the machine that one submission moves is read by the next.

- The worker cannot move the machine's counters: no process or thread (PID counter), no file or
  folder anywhere (inode numbers of the disk), no pipe (inode numbers of the kernel's
  pseudo-filesystems), no pidfd, and cannot read those /proc and /sys report (Landlock).
- What a submission still moves, through the grader (one PID per worker start: it can end its
  worker on purpose), is evened out: before each submission the grader moves the PID counter on
  to the next multiple of a step. Proven in a PID namespace of the test's own, where the
  counter is the test's alone (as it is a container's): the next submission's PID is the same
  after a submission that restarted its worker 40 times as after its honest twin.
docs/security.md names the counters out of the reach of this mode, and why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from grader_harness import grader_copy

from autograder.engine.sandbox import isolation
from autograder.engine.sandbox.isolation import SandboxPool
from autograder.engine.sandbox.uids import is_root
from autograder.engine.sandbox.worker import Worker

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not is_root(), reason="the uid mode needs the grader to be root")

PROBE = textwrap.dedent('''
    import ctypes, os, subprocess, threading
    import numpy as np

    libc = ctypes.CDLL(None, use_errno=True)
    COUNTERS = ("/proc/loadavg", "/proc/stat", "/proc/sys/kernel/ns_last_pid",
                "/proc/sys/fs/inode-nr", "/proc/sys/fs/file-nr", "/proc/self/stat",
                "/proc/vmstat", "/sys/fs/cgroup/cgroup.procs", "/sys/kernel/uevent_seqnum")

    def _tries(action):
        try:
            return "denied" if action() is False else "allowed"
        except (OSError, RuntimeError):
            return "denied"

    def _fork():
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)

    def _thread():
        thread = threading.Thread(target=int)
        thread.start()
        thread.join()

    def _make(folder):
        def make():
            path = f"{folder}/bp-counter-probe"
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            os.unlink(path)
        return make

    def _mkdir(folder):
        def make():
            os.mkdir(f"{folder}/bp-counter-probe")
            os.rmdir(f"{folder}/bp-counter-probe")
        return make

    def _pipe():
        r, w = os.pipe()
        os.close(r)
        os.close(w)

    def _pidfd():
        fd = libc.syscall(434, os.getpid(), 0)  # pidfd_open
        if fd < 0:
            return False
        os.close(fd)

    def _read(path):
        def read():
            with open(path, "rb") as fh:
                fh.read(64)
        return read

    def movers(home):
        """Whether each way to move or read a counter of the machine is open."""
        found = {"fork": _tries(_fork), "thread": _tries(_thread),
                 "subprocess": _tries(lambda: subprocess.run(["true"], check=False)),
                 "pipe": _tries(_pipe), "pidfd": _tries(_pidfd)}
        for folder in (home, "/tmp", "/var/tmp", "/dev/shm"):
            found[f"file in {folder}"] = _tries(_make(folder))
            found[f"folder in {folder}"] = _tries(_mkdir(folder))
            found[f"link in {folder}"] = _tries(
                lambda f=folder: (os.symlink("x", f"{f}/bp-l"), os.unlink(f"{f}/bp-l")))
            found[f"fifo in {folder}"] = _tries(
                lambda f=folder: (os.mkfifo(f"{f}/bp-f"), os.unlink(f"{f}/bp-f")))
        for path in COUNTERS:
            found[f"read {path}"] = _tries(_read(path))
        return found

    def numpy_works():
        """What numpy's BLAS and LAPACK do with one thread (the worker can start no other)."""
        rng = np.random.default_rng(0)
        a = rng.standard_normal((300, 300))
        q, r = np.linalg.qr(a)
        values = [float(np.abs(q @ r - a).max()), float(np.linalg.svd(a[:50, :50])[1][0]),
                  float(np.einsum("ij,jk->ik", a, a.T).trace()), float(np.linalg.norm(a))]
        return values
''')


@pytest.fixture
def uid_mode(monkeypatch):
    SandboxPool.drain()
    isolation.detect.cache_clear()
    monkeypatch.setenv("BACKPROP_LAB_SANDBOX", "uid")
    yield
    SandboxPool.drain()
    isolation.detect.cache_clear()


def _package(folder: Path, modules: dict[str, str]) -> Path:
    package = folder / "backprop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name, text in modules.items():
        (package / f"{name}.py").write_text(text)
    return package


def test_the_worker_moves_and_reads_no_counter_of_the_machine(uid_mode, tmp_path):
    if not isolation.landlock_abi():
        pytest.skip("this kernel has no Landlock: docs/security.md says what the uid mode loses")
    worker = Worker(_package(tmp_path, {"probe": PROBE}))
    try:
        found = worker.call("probe", "movers", worker.home, timeout=60)
        numbers = worker.call("probe", "numpy_works", timeout=60)
    finally:
        worker.close()
    assert found.ok and numbers.ok, found.describe_error() + numbers.describe_error()
    assert set(found.value.values()) == {"denied"}, found.value
    namespace: dict = {}
    exec(compile(PROBE, "probe", "exec"), namespace)  # the same probe, unconfined here
    unconfined = namespace["movers"](str(tmp_path))
    assert sum(v == "allowed" for v in unconfined.values()) >= len(unconfined) - 2, unconfined
    assert numbers.value == pytest.approx(namespace["numpy_works"]())


# --- the PID counter, in a PID namespace of the test's own ----------------------------------
LEAVE = textwrap.dedent('''
    import os

    def leave():
        """Move the PID counter: a process, a thread (refused), then end the worker."""
        for make in (os.fork, lambda: __import__("threading").Thread(target=int).start()):
            try:
                if make() == 0:
                    os._exit(0)
            except (OSError, RuntimeError):
                pass
        os._exit(3)

    def stay():
        return None
''')
READ = "import os\n\ndef read():\n    return os.getpid()\n"
SEQUENCE = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    from autograder.engine.sandbox import pid_counter
    from autograder.engine.sandbox.worker import Worker

    how, first, calls, reader = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if how == "burn":  # as in a container: /proc/sys is read-only
        pid_counter._jump = lambda last: False
    elif how == "off":
        pid_counter.settle = lambda step=0: False
    worker = Worker(Path(first))
    try:
        crashed = [worker.call("leave", sys.argv[5]).crashed for _ in range(calls)]
        restarts = worker.restarts
    finally:
        worker.close()
    worker = Worker(Path(reader))
    try:
        pid = worker.call("read", "read").value
    finally:
        worker.close()
    print(json.dumps({"pid": pid, "crashed": sum(crashed), "restarts": restarts}))
''')


def _in_own_pid_namespace(how: str, first: Path, function: str, reader: Path) -> dict:
    done = subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", SEQUENCE, how,
         str(first), "40", str(reader), function],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "BACKPROP_LAB_SANDBOX": "uid"})
    if done.returncode and "unshare failed" in done.stderr:
        pytest.skip(f"no PID namespace for the test here: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("how", ["jump", "burn"])
def test_the_next_submission_reads_nothing_in_its_pid(tmp_path, how):
    """leave ends its worker in each of 40 calls (each restart takes a PID); its honest twin
    answers them. The next submission's worker has the same PID after either: the counter is
    moved on to the next multiple of its step before each submission (jump: by writing
    ns_last_pid, as root on a machine; burn: by taking PIDs, as in a container). Without that,
    the PIDs differ (the test would see a leak)."""
    leave = _package(tmp_path / "leave", {"leave": LEAVE})
    reader = _package(tmp_path / "read", {"read": READ})
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    attacked = _in_own_pid_namespace(how, leave, "leave", reader)
    honest = _in_own_pid_namespace(how, leave, "stay", reader)
    assert attacked["crashed"] == 40 and attacked["restarts"] >= 39, attacked
    assert honest["crashed"] == 0 and honest["restarts"] == 0, honest
    assert attacked["pid"] == honest["pid"], (attacked, honest)
    assert attacked["pid"] % 1024 == 0
    if how == "jump":  # the same sequence without the step: the restarts show in the PID
        unsettled = _in_own_pid_namespace("off", leave, "leave", reader)
        plain = _in_own_pid_namespace("off", leave, "stay", reader)
        assert unsettled["pid"] - plain["pid"] >= 40, (unsettled, plain)


def test_every_correct_submission_scores_full_marks_in_the_uid_mode(tmp_path):
    """No process, thread, pipe or file is what grading needs: the reference and every
    correct variant (loops, float32, classes, import styles, ...) score 100 with `make grade`'s
    command in the uid mode (run from a copy: the mode closes the grader's own folder)."""
    import csv
    import shutil

    subs = tmp_path / "subs"
    shutil.copytree(ROOT / "solutions", subs / "reference")
    variants = sorted(p for p in (ROOT / "tests" / "variants").iterdir()
                      if (p / "backprop").is_dir())
    for variant in variants:
        shutil.copytree(variant, subs / variant.name)
    copy = grader_copy(tmp_path / "repo")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "autograder.grade", str(subs), "--out", str(out),
                           "--jobs", "2"], cwd=copy, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "BACKPROP_LAB_SANDBOX": "uid"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "nor any process, thread or pipe" in done.stderr.splitlines()[0]
    rows = {r["submission"]: r["score"] for r in csv.DictReader(open(out / "grades.csv"))}
    assert len(variants) >= 8 and set(rows) == {"reference", *(v.name for v in variants)}
    assert {name: float(score) for name, score in rows.items()} == dict.fromkeys(rows, 100.0)
