"""The sandboxed worker: isolation of broken modules, timeouts, crashes, privileges, cleanup."""

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.engine.sandbox.uids import is_root, processes_of_uid
from autograder.engine.sandbox.worker import Worker

root_only = pytest.mark.skipif(not is_root(), reason="privilege drop needs the grader to be root")


def make_package(tmp_path: Path, modules: dict[str, str]) -> Path:
    pkg = tmp_path / "backprop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, source in modules.items():
        (pkg / f"{name}.py").write_text(textwrap.dedent(source))
    return pkg


@pytest.fixture
def worker_for(tmp_path):
    workers = []

    def make(modules, **kwargs):
        worker = Worker(make_package(tmp_path, modules), **kwargs)
        worker.import_modules()
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.close()


def test_a_broken_module_only_breaks_itself(worker_for):
    w = worker_for({
        "activations": "def sigmoid(Z):\n    return (\n",  # SyntaxError
        "layers": """
            from backprop.activations import sigmoid
            def linear_forward(A, W, b):
                return W @ A + b
            def dense_forward(A, W, b, activation):
                return sigmoid(linear_forward(A, W, b))
        """,
    })
    assert "activations" in w.broken and "SyntaxError" in w.broken["activations"]
    assert "losses" in w.broken and "missing" in w.broken["losses"]
    ok = w.call("layers", "linear_forward", np.ones((2, 1)), np.ones((1, 2)), np.zeros((1, 1)))
    assert ok.ok and ok.value.tolist() == [[2.0]]
    bad = w.call("layers", "dense_forward", np.ones((2, 1)), np.ones((1, 2)), np.zeros((1, 1)),
                 "sigmoid")
    assert not bad.ok and bad.error_type == "ImportError" and "activations.py" in bad.error_message


def test_hang_at_import_is_isolated(worker_for):
    w = worker_for({"losses": "while True:\n    pass\n", "quiz": "ANSWERS = {1: 'A'}\n"},
                   import_timeout=1.0)
    assert "timed out" in w.broken["losses"]
    assert w.call("quiz", "ANSWERS").value == {1: "A"}


def test_timeout_and_crash_restart_the_worker(worker_for):
    w = worker_for({"losses": """
        import os
        def spin():
            while True:
                pass
        def die():
            os._exit(3)
        def fine(x):
            return x * 2
    """})
    start = time.monotonic()
    r = w.call("losses", "spin", timeout=0.5)
    assert r.timed_out and time.monotonic() - start < 5
    assert w.call("losses", "die").crashed
    assert w.call("losses", "fine", 21).value == 42
    assert w.restarts == 3  # the crashed call ran twice (a crash is retried once)


def test_exceptions_of_any_kind_are_reported_not_raised(worker_for):
    w = worker_for({"losses": """
        import sys
        class Sneaky(BaseException):
            pass
        def a():
            raise Sneaky("no")
        def b():
            raise KeyboardInterrupt
        def c():
            sys.exit(0)
    """})
    for name, kind in (("a", "Sneaky"), ("b", "KeyboardInterrupt"), ("c", "SystemExit")):
        r = w.call("losses", name)
        assert not r.ok and r.error_type == kind and not r.crashed


def test_output_is_captured_and_a_flood_is_cut(worker_for):
    w = worker_for({"losses": """
        def talk():
            print("hello from the student")
            return 1
        def flood():
            while True:
                print("x" * 100000)
    """})
    assert w.call("losses", "talk").ok
    r = w.call("losses", "flood", timeout=20)
    assert not r.ok and not r.timed_out  # the write fails once the file limit is reached
    text = w.close()
    assert "hello from the student" in text and len(text) <= 20000


def test_memory_limit(worker_for):
    w = worker_for({"losses": "import numpy as np\ndef hog():\n    return np.ones(2**31).sum()\n"})
    r = w.call("losses", "hog", timeout=20)
    assert not r.ok and ("MemoryError" in r.error_type or r.crashed)


@root_only
def test_worker_is_unprivileged_and_cannot_read_trusted_files(worker_for, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden test")
    os.chmod(secret, 0o600)
    w = worker_for({"losses": f"""
        import os
        def whoami():
            return os.getuid(), os.getgid(), os.getgroups()
        def peek():
            return open({str(secret)!r}).read()
        def kill_parent():
            if os.getppid() == 0:  # pid 1 of its own PID namespace: its parent is out of sight
                raise ProcessLookupError("no parent in sight")
            os.kill(os.getppid(), 9)
    """})
    uid, gid, groups = w.call("losses", "whoami").value
    assert uid != 0 and gid != 0 and groups == []
    r = w.call("losses", "peek")
    assert not r.ok and r.error_type in ("PermissionError", "FileNotFoundError")
    assert not w.call("losses", "kill_parent").ok  # root's processes are out of reach


@root_only
def test_nothing_is_left_running_under_the_uid(tmp_path):
    pkg = make_package(tmp_path, {"losses": """
        import os
        def spawn():  # no subprocess: it needs a pipe, which the seccomp filter refuses
            if os.fork() == 0:
                os.setsid()
                os.execvp("sleep", ["sleep", "600"])
            if os.fork() == 0:
                os.setsid()
                import time
                time.sleep(600)
            return 1
    """})
    w = Worker(pkg)
    w.import_modules()
    assert w.call("losses", "spawn").ok
    uid = w.lease.uid
    assert len(processes_of_uid(uid)) >= 3
    w.close()
    assert processes_of_uid(uid) == []


@root_only
def test_a_worker_killed_from_outside_is_retried_before_being_charged(worker_for):
    import threading

    from autograder.engine.sandbox.uids import kill_uid

    w = worker_for({"losses": """
        import os, time
        def slow():
            time.sleep(1.5)
            return 42
        def crash():
            os._exit(3)
    """})
    killer = threading.Timer(0.5, kill_uid, args=(w.lease.uid,))  # as the OOM killer would
    killer.start()
    r = w.call("losses", "slow", timeout=20)
    killer.join()
    assert r.ok and r.value == 42 and w.retried == ["losses.slow"]
    r = w.call("losses", "crash", timeout=20)  # the student's own doing: charged
    assert r.crashed and w.retried == ["losses.slow"]


def test_retries_are_bounded_and_a_reply_that_breaks_the_protocol_is_never_retried(worker_for):
    """A submission's own crashes use up its retries (each costs the grader a new worker);
    a malformed reply on the worker's channel is the worker's own doing."""
    from autograder.engine.sandbox.worker import MAX_RETRIES

    w = worker_for({"losses": """
        import os, time
        def crash():
            os._exit(3)
        def forge():
            for fd in range(3, 256):  # the reply pipe among them (fstat of it is refused)
                try:
                    os.write(fd, b"\\x00\\x00\\x00\\x05{oops")
                except OSError:
                    pass
            time.sleep(5)
    """})
    r = w.call("losses", "forge", timeout=20)
    assert r.crashed and r.malformed and w.retries == 0, r
    for _ in range(MAX_RETRIES + 2):
        assert w.call("losses", "crash", timeout=20).crashed
    assert w.retries == MAX_RETRIES and w.retried == []
    assert w.restarts == 2 * MAX_RETRIES + 2  # a new worker for each request after forge


@root_only
def test_a_uid_in_use_in_another_mount_namespace_is_neither_leased_nor_swept(monkeypatch):
    """A grader in a container shares the machine's uids, not our lock folder: its worker (here
    a process of the uid in a mount namespace of its own) must survive our leases and sweeps;
    a leftover of the same uid in our namespace does not."""
    import subprocess

    from autograder.engine.sandbox import uids

    base = 400_000 + int.from_bytes(os.urandom(2), "big") * 4
    monkeypatch.setattr(uids, "UID_BASE", base)
    monkeypatch.setattr(uids, "UID_COUNT", 2)
    drop = ["setpriv", f"--reuid={base}", f"--regid={base}", "--clear-groups"]
    elsewhere = subprocess.Popen(["unshare", "--mount", "--", *drop, "sleep", "6091"])
    here = None
    try:
        for _ in range(200):
            if processes_of_uid(base):
                break
            time.sleep(0.01)
        lease = uids.UidLease()
        try:
            assert lease.uid == base + 1
        finally:
            lease.release()
        uids.sweep()
        assert elsewhere.poll() is None, "another namespace's process of the uid was killed"
        here = subprocess.Popen([*drop, "sleep", "6092"])
        uids.sweep()  # the same uid: with a process elsewhere, left alone
        assert here.poll() is None
        elsewhere.kill()
        elsewhere.wait()
        uids.sweep()  # now only our namespace's leftover: swept
        assert here.wait(timeout=10) < 0
    finally:
        for proc in (elsewhere, here):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
