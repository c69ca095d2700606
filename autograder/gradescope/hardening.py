"""Otter hardened, and the autograder closed to the student's uid (both before any student code
runs).

Stock Otter 7 trusts the submission folder in three ways that let a student run code as root
(see plugin.py): it unpickles a ``.OTTER_LOG`` found there (:func:`remove_otter_log`), its
kernel would import a student's ``otter.py`` (the plugin sets PYTHONSAFEPATH), and its log
receiver unpickles whatever reaches its TCP port (:func:`harden_log_receiver`).
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from pathlib import Path
from typing import Any

OTTER_LOG = ".OTTER_LOG"


class _PlainDataUnpickler(pickle.Unpickler):
    """Unpickles plain data only (a log record's dict); any class or function is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"refused {module}.{name} in a log record")


def _unpickle_plain_data(handler: object, data: bytes) -> dict:
    try:
        record = _PlainDataUnpickler(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - not a plain log record: dropped
        return {}
    return record if isinstance(record, dict) else {}


def harden_log_receiver() -> None:
    """Make Otter's execution-log TCP receiver refuse anything but plain data."""
    from otter.execute import logging as execution_logging

    execution_logging.LogRecordStreamHandler.unpickle = _unpickle_plain_data


def remove_otter_log(submission: Path) -> None:
    """Delete a ``.OTTER_LOG`` from the submission: Otter would unpickle it with dill, as root."""
    path = submission / OTTER_LOG
    if path.is_symlink() or path.is_file():
        path.unlink()


def shipped_names(autograder_dir: Path) -> list[str]:
    """What Otter copied from the zip's files/ into the submission folder (top-level names)."""
    files = autograder_dir / "source" / "files"
    return sorted(os.listdir(files)) if files.is_dir() else []


def protect_autograder(autograder_dir: Path) -> None:
    """Make the autograder's own files unreachable for other users (the student's worker).

    The whole autograder folder is closed to others. The items inside it are also protected one by
    one, as a second layer: source (tests, engine, rubric and quiz key), results, the submission
    metadata (it holds earlier results, hidden ones included), and the files that Otter copied
    into the submission. The installed grader (hidden checks, quiz key) is closed too. A symlink
    is never followed, because a student's link could point anywhere.
    """
    from autograder.engine.grading_host import protect_grader
    from autograder.engine.sandbox.folders import protect

    protect_grader()

    submission = autograder_dir / "submission"
    inside = [autograder_dir / "source", autograder_dir / "results",
              autograder_dir / "submission_metadata.json", submission / "tests"]
    inside += [submission / name for name in shipped_names(autograder_dir)]
    protect([p for p in inside if not p.is_symlink()] + [autograder_dir])


def ensure_runtime_traversable() -> None:
    """Let the worker's uid reach the Python it runs, its standard library and numpy.

    On Gradescope they live in /root/miniforge3/envs/otter-env. The engine already opens the path
    to ``sys.executable``; this opens the other two (pass through folders, no listing).
    """
    import numpy

    from autograder.engine.sandbox.folders import ensure_traversable
    from autograder.engine.sandbox.uids import is_root

    if is_root():
        for path in (Path(sys.executable), Path(os.__file__), Path(numpy.__file__)):
            ensure_traversable(path)
