"""Fixtures shared by several test modules."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

# The tests grade in two threads of one process, which forks sandboxes: a fork while the other
# thread is inside a threaded OpenBLAS product left that thread spinning forever (seen with a
# 200 x 20 layer). Before numpy is imported, one BLAS thread per process rules that out.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]


# The files whose tests take longest, longest first (each a chain on one pytest-xdist worker,
# --dist loadfile). `make test` keeps this order (--no-loadscope-reorder), so that no long file
# starts last and keeps the run waiting for it alone; the other files follow, most tests first
# (xdist's own order). Only the order of the files depends on this list, never a verdict.
LONGEST_FIRST = (
    "test_isolation_gradescope_channel.py", "test_gradescope_path.py", "test_isolation.py",
    "test_grader_security.py", "test_isolation_gradescope.py",
    "test_otter_package.py", "test_isolation_modes.py", "test_gradescope_layout.py",
    "test_mistakes_catalog.py", "test_public_checks.py", "test_grader_verdicts.py",
    "test_container.py", "test_grade_isolation.py", "test_similarity.py", "test_gradebook.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files in LONGEST_FIRST's order, then the others by their number of tests; the tests of a
    file keep their order and stay together."""
    def file_of(item: pytest.Item) -> str:
        return item.nodeid.split("::")[0]

    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    count = Counter(file_of(item) for item in items)
    items.sort(key=lambda item: (rank.get(Path(file_of(item)).name, len(rank)),
                                 -count[file_of(item)], file_of(item)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """--dist loadfile, but a worker is given its next file only when it has one test left to
    run (xdist gives it at two): a worker busy with the last long tests of a file then does not
    hold the next long file queued behind them while another worker is free."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class OneFileAhead(LoadFileScheduling):
        def _reschedule(self, node) -> None:
            if (node.shutting_down or not self.workqueue
                    or self._pending_of(self.assigned_work[node]) <= 1):
                super()._reschedule(node)

    return OneFileAhead(config, log)


def pytest_configure(config: pytest.Config) -> None:
    """The tests read the check registry as grading sees it: importing the engine registers no
    quiz question, starting to grade does. LONGEST_FIRST names files of this folder only (a
    renamed file would silently lose its place)."""
    missing = [name for name in LONGEST_FIRST if not (ROOT / "tests" / name).is_file()]
    if missing:
        raise pytest.UsageError(f"tests/conftest.py: LONGEST_FIRST names no file {missing}")
    from autograder.engine.grading_host import start_grading

    start_grading()


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str,
               build: Callable[[Path], None]) -> Path:
    """``name`` built by ``build(path)`` once per test run, shared by pytest-xdist's workers
    (they share the parent of their temporary folders; a lock makes the others wait)."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    out = shared / "artefacts" / name / name
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out.is_file():
            build(out)
    return out


def _build_autograder_zip(out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "autograder.packaging.build_autograder",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/autograder.zip as `make autograder` builds it (here into a temporary folder, once)."""
    return built_once(tmp_path_factory, "autograder.zip", _build_autograder_zip)


def _build_handout(out: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "autograder" / "packaging" / "build_handout.py"),
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"wrote {out}" in done.stdout


@pytest.fixture(scope="session")
def handout_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/handout.zip as `make handout` builds it (here into a temporary folder, once)."""
    return built_once(tmp_path_factory, "handout.zip", _build_handout)
