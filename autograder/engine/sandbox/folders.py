"""The folders a worker reaches: what it may pass through, what is closed to it, and its
read-only copy of the submission's package (the trusted side never reads that copy back)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from autograder.engine.sandbox.uids import is_root

ENGINE_DIR = Path(__file__).resolve().parents[1]


def ensure_traversable(path: Path) -> None:
    """Let other users pass through (not list) every folder above ``path`` (e.g. /root)."""
    for parent in path.resolve().parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


def protect(paths: list[Path]) -> None:
    """Make trusted folders (hidden tests, solutions, results) unreachable for other users."""
    for path in paths:
        if path.exists() and not path.is_symlink():
            os.chmod(path, path.stat().st_mode & 0o700)


def protect_installation(root: Path = ENGINE_DIR.parents[1]) -> None:
    """Without namespaces, as root: close the grader (hidden checks, rubric, solutions, tests,
    .git) to other users; ``root`` stays passable (not listable) and a virtualenv in it open, so
    the unprivileged worker can still reach the environment's Python and numpy."""
    from autograder.engine.sandbox.isolation import detect

    if not is_root() or detect().mode != "uid":
        return
    ensure_traversable(Path(os.path.realpath(sys.executable)))
    os.chmod(root, root.stat().st_mode & 0o711)
    protect([child for child in root.iterdir() if child.name not in (".venv", "venv")])
    protect([ENGINE_DIR.parent])  # the engine itself, wherever it is installed


def copy_package(source: Path, dest: Path, group: int | None, nested: str) -> None:
    """Copy the staged modules (regular files only) to ``dest/nested``, owned by the grader and
    read-only for the worker; ``dest`` is readable by ``group`` only, when one is given."""
    dest.mkdir(mode=0o755, exist_ok=True)
    if group is not None:
        os.chown(dest, os.geteuid(), group)
        os.chmod(dest, 0o750)
    package = dest / nested
    package.mkdir(mode=0o755)
    for entry in sorted(source.iterdir()):
        if entry.suffix != ".py" or entry.is_symlink() or not entry.is_file():
            continue
        shutil.copyfile(entry, package / entry.name)
        os.chmod(package / entry.name, 0o644)
