"""What the Otter plugin checks before it reports: that nothing Otter executes or reads as root
changed while the submission was graded, and which files make up the installed grader.

Otter runs as root and, after the entry notebook, executes the test files in
``<autograder>/submission/tests`` in its kernel. The student's worker cannot reach the autograder
folder (the runtime closes it), so none of this should ever change; these checks make sure it
did not:

1. ``BackpropLabPlugin.before_grading`` (before any student code runs) takes a SHA-256 of every
   file in :func:`watched` and keeps a pristine copy of each test file in its private state
   folder (root only).
2. After the engine has graded, still in the kernel and before Otter runs the test files,
   :func:`restore_tests` puts back any test file that differs from its pristine copy, so
   changed test code never runs, and records that it had to.
3. ``after_grading`` hashes everything again. If anything differs, or a test file had to be
   restored, every case fails with 0 points and the visible output says why.

Files are read with the intake's no-follow reader (autograder/engine/intake.py): a symlink
is a change, never followed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import autograder

PACKAGE_DIR = Path(autograder.__file__).resolve().parent
# The installable grader (the wheel in the Gradescope zip) is decided by folder: the package's
# own files (its __init__.py, and rubric.yml: points and quiz key) and, whole, the folders of what
# runs on Gradescope: the engine and this plugin. What runs only on the instructor's machine
# (grade.py, outputs/, packaging/, samples/, mistakes/) stays out.
WHEEL_TOP = ("__init__.py", "rubric.yml")
WHEEL_FOLDERS = ("engine", "gradescope")
TESTS_DIR = "tests"
MISSING = "missing"
NOT_A_FILE = "not a regular file"
ANY_SIZE = 1 << 40  # the grader's own files: no size limit of their own


def package_files(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """The grader's files under ``package_dir`` (posix paths relative to it), sorted."""
    found = {name for name in WHEEL_TOP if (package_dir / name).is_file()}
    for folder in WHEEL_FOLDERS:
        found.update(p.relative_to(package_dir).as_posix() for p in (package_dir / folder).rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    return sorted(found)


def file_digest(path: Path) -> str:
    """SHA-256 of a regular file, read without following a symlink; otherwise a marker."""
    from autograder.engine.intake import SubmissionError, open_regular

    try:
        fh = open_regular(path, ANY_SIZE)
    except SubmissionError:  # a link, a FIFO, a folder, unreadable, or gone
        return NOT_A_FILE if os.path.lexists(path) else MISSING
    with fh:
        digest = hashlib.sha256()
        while chunk := fh.read(1 << 16):
            digest.update(chunk)
    return digest.hexdigest()


def package_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """One SHA-256 over the grader's files (names and contents): the zip records the one it was
    built from, the plugin compares it with the grader installed where it runs."""
    digest = hashlib.sha256()
    for name in package_files(package_dir):
        digest.update(f"{name}\0{file_digest(package_dir / name)}\0".encode())
    return digest.hexdigest()


def listing(folder: Path) -> list[Path]:
    """The entries of ``folder`` (not following a symlinked folder); [] if it is not a folder."""
    if folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(folder / name for name in os.listdir(folder))


def watched(autograder_dir: Path, entry_notebook: str) -> list[Path]:
    """What Otter executes or reads as root while it grades, beyond the student's own files."""
    source, submission = autograder_dir / "source", autograder_dir / "submission"
    paths = [source / "otter_config.json", source / "run_otter.py", submission / entry_notebook]
    paths += listing(source / TESTS_DIR) + listing(source / "files")
    paths += listing(submission / TESTS_DIR)
    paths += [PACKAGE_DIR / name for name in package_files()]
    return paths


def fingerprint(paths: list[Path]) -> dict[str, str]:
    return {str(path): file_digest(path) for path in paths}


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """What differs between two fingerprints, one line per file."""
    lines = []
    for path in sorted(set(before) | set(after)):
        now = after.get(path, MISSING)
        if path not in before:
            lines.append(f"{path} appeared")
        elif before[path] != now:
            lines.append(f"{path} changed ({now if now in (MISSING, NOT_A_FILE) else 'new contents'})")
    return lines


def keep_pristine(tests: Path, store: Path) -> None:
    """Copy each test file of ``tests`` into ``store`` (a new, root-only folder)."""
    store.mkdir(mode=0o700)
    from autograder.engine.intake import read_regular

    for path in listing(tests):
        (store / path.name).write_bytes(read_regular(path, ANY_SIZE))


def _remove(path: Path) -> None:
    """Remove a file, a symlink (not its target) or a folder."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.is_symlink() or path.exists():
        path.unlink()


def restore_tests(tests: Path, store: Path) -> list[str]:
    """Make ``tests`` hold exactly the pristine copies in ``store`` again; return what had to be
    put back or removed (empty when nothing had changed)."""
    restored = []
    pristine = {p.name: p.read_bytes() for p in listing(store)}
    if tests.is_symlink() or not tests.is_dir():
        restored.append(f"{tests} (the folder)")
        _remove(tests)
        tests.mkdir(mode=0o700)
    for path in listing(tests):
        if path.name not in pristine:
            restored.append(f"{path} (removed)")
            _remove(path)
    for name, data in pristine.items():
        path = tests / name
        if file_digest(path) == hashlib.sha256(data).hexdigest():
            continue
        restored.append(str(path))
        _remove(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    return restored
