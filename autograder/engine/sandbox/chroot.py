"""A root of its own for each worker of the mode without namespaces (as root).

Without a mount namespace the worker would share the machine's files: Landlock closes what it
may read, but a `stat` of a `/proc` entry still takes a number of the kernel's one counter for
pseudo-files, and a read of a runtime file still marks its access time, and both can be read
by the next submission. So the worker changes its root to its own scratch folder before it
drops its uid. The folder holds its submission (`/pkg`), its home (`/home`) and the Python
sources of the runtime at their own paths, hard links to the machine's files (copies where the
folders lie on different file systems): no `/proc`, no `/sys`, nothing of the grader. The
zygote loads every compiled module of the runtime before forking (zygote_main.py), since those
are not linked.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path

from autograder.engine.sandbox.bubblewrap import numpy_dirs

PACKAGE, HOME = "/pkg", "/home"
# Folders of the standard library no submission imports: tests, GUIs, tools.
SKIPPED = {"site-packages", "test", "tests", "idlelib", "tkinter", "turtledemo", "lib2to3",
           "ensurepip", "pydoc_data", "__pycache__", "venv"}
MAX_FILES = 20_000  # the runtime's sources: about 800 here


def stdlib_dir() -> Path:
    return Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


def runtime_sources() -> list[Path]:
    """The Python sources a worker may import: the standard library and numpy (bounded walk of
    the grader's own runtime, not of anything a student supplied)."""
    found: list[Path] = []
    todo = [stdlib_dir(), *(p for p in numpy_dirs() if p.name == "numpy")]
    while todo and len(found) < MAX_FILES:
        folder = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED and not entry.name.startswith("config-"):
                        todo.append(Path(entry.path))
                elif entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
                    found.append(Path(entry.path))
    return found


@lru_cache(maxsize=1)
def chroot_refused() -> str:
    """'' if this process may change a child's root (root with CAP_SYS_CHROOT), else why not."""
    if os.geteuid() != 0:
        return "not root"
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.chroot("/")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return "" if os.waitstatus_to_exitcode(status) == 0 else "chroot is not permitted here"


def lay_out_root(root: Path) -> None:
    """Put the runtime's sources into ``root`` at their own paths, then read a byte of each:
    a read sets a file's access time only if it is older than its last change (relatime), so
    the worker's own reads then change none, and whatever the previous worker read is erased."""
    for source in runtime_sources():
        target = root / source.relative_to("/")
        _folders(root, target.parent)
        try:
            os.link(source, target)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                raise
            shutil.copyfile(source, target)
            os.chmod(target, 0o644)  # readable by the worker, whatever the grader's umask
        with open(target, "rb") as fh:
            fh.read(1)


def _folders(root: Path, folder: Path) -> None:
    """``folder`` and its parents below ``root``, each readable by the worker (0755, whatever
    the grader's umask)."""
    missing = []
    while folder != root and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        os.chmod(path, 0o755)
