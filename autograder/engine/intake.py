"""Find a student's backprop modules in whatever they handed in, and stage them for the worker.

Accepted: a folder or .zip holding a ``backprop/`` folder at any depth, or the module files
flat (also at any depth). The .py files of that folder are staged (the graded modules and up to
20 helper modules of the student's, each at most 1 MB); our own empty ``__init__.py`` replaces
theirs so one broken module never takes the others down.

Everything in a submission is untrusted: a file is only read once opened without following a
link and without blocking (a FIFO never hangs the grader), and only if it is a regular file of
bounded size. Archives that are truncated, corrupt, encrypted, bombs or full of links are
refused with a message naming the file inside the submission, never a temporary path.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from autograder.engine.core.contract import MODULES  # the student's module files

MAX_FILE_BYTES = 1024 * 1024
MAX_HELPERS = 20
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ZIP_FILES = 2000
IGNORED_PARTS = {"__MACOSX", ".git", "__pycache__", ".ipynb_checkpoints", "node_modules", ".venv"}
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError,
              zlib.error, EOFError, OSError, ValueError, KeyError)


class SubmissionError(Exception):
    """Nothing gradable was found, or the submission cannot be read; the message says why."""


def open_regular(path: Path, limit: int) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file (not a link, FIFO or device) of at
    most ``limit`` bytes; raises SubmissionError otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise SubmissionError(f"{path.name} cannot be opened ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SubmissionError(f"{path.name} is not a regular file")
    if info.st_size > limit:
        os.close(fd)
        raise SubmissionError(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    with open_regular(path, limit) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise SubmissionError(f"{path.name} is larger than {limit // (1024 * 1024)} MB")
    return data


def safe_extract(archive: Path, dest: Path, label: str | None = None) -> None:
    """Extract a zip refusing absolute paths, '..', links, bombs, encrypted and broken archives.
    ``label`` names the archive in messages (default: its file name)."""
    label = label or archive.name
    try:
        with open_regular(archive, MAX_ZIP_BYTES) as raw, zipfile.ZipFile(raw) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_FILES:
                raise SubmissionError(f"{label} has more than {MAX_ZIP_FILES} files")
            if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
                raise SubmissionError(f"{label} unpacks to more than 50 MB")
            budget = MAX_ZIP_BYTES
            for info in infos:
                if info.flag_bits & 0x1:
                    raise SubmissionError(f"{label} is password-protected: upload an ordinary "
                                          "zip")
                parts = Path(info.filename.replace("\\", "/")).parts
                kind = stat.S_IFMT(info.external_attr >> 16)  # 0: no type recorded
                if (info.filename.startswith(("/", "\\")) or ".." in parts or not parts
                        or kind not in (0, stat.S_IFREG, stat.S_IFDIR)):
                    continue  # escapes, links, devices and FIFOs are never extracted
                target = dest.joinpath(*parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_member(zf, info, target, budget, label)
    except SubmissionError:
        raise
    except ZIP_ERRORS as exc:
        what = ("is password-protected: upload an ordinary zip" if "encrypt" in str(exc)
                else "uses a compression method that cannot be read"
                if isinstance(exc, NotImplementedError)
                else "is damaged or truncated, or not a zip file")
        raise SubmissionError(f"{label} {what} ({type(exc).__name__}: {str(exc)[:120]})") from None


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int,
                 label: str) -> int:
    """Copy one member, counting real bytes (a member may lie about its size)."""
    written = 0
    with zf.open(info) as src, open(target, "xb") as out:
        while chunk := src.read(1 << 16):
            written += len(chunk)
            if written > budget:
                raise SubmissionError(f"{label} unpacks to more than 50 MB")
            out.write(chunk)
    return written


def find_package(root: Path) -> Path | None:
    """The folder holding the student's modules: a backprop/ folder first, else the best flat one."""
    candidates: list[tuple[int, int, int, str]] = []
    for dirpath, dirnames, _ in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_PARTS and not d.startswith("."))
        folder = Path(dirpath)
        rel = folder.relative_to(root)
        found = sum(_regular(folder / f"{m}.py") for m in MODULES)
        if found:
            named = 0 if folder.name == "backprop" else 1
            candidates.append((named, -found, len(rel.parts), str(folder)))
    return Path(min(candidates)[3]) if candidates else None


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


@contextmanager
def staged(path: Path) -> Iterator[tuple[Path, list[str]]]:
    """Yield (a staged ``backprop`` folder, notes about the submission) for a folder or zip."""
    path = Path(path)
    tmp = Path(tempfile.mkdtemp(prefix="backprop-lab-stage-"))
    notes: list[str] = []
    try:
        root = path
        kind = path.lstat().st_mode if os.path.lexists(path) else 0
        if stat.S_ISREG(kind) and path.suffix == ".zip":
            root = tmp / "unzipped"
            root.mkdir()
            safe_extract(path, root)
        elif stat.S_ISREG(kind) and path.suffix == ".py":
            root = path.parent
        elif not stat.S_ISDIR(kind):
            raise SubmissionError(f"{path.name} is neither a folder, a .zip nor a .py file")
        if root is path and stat.S_ISDIR(kind) and find_package(root) is None:
            inner = sorted(p for p in root.glob("*.zip") if _regular(p))
            if inner:  # a folder that only holds the student's zip
                safe_extract(inner[0], tmp / "inner")
                root = tmp / "inner"
        source = find_package(root)
        package = tmp / "backprop"
        package.mkdir()
        (package / "__init__.py").write_text('"""Staged by the grader."""\n')
        if source is None:
            notes.append("No backprop module files (activations.py, layers.py, ...) were found "
                         "in the submission.")
        else:
            helpers = sorted(p.stem for p in source.glob("*.py") if p.stem not in MODULES
                             and p.stem != "__init__" and p.stem.isidentifier() and _regular(p))
            if len(helpers) > MAX_HELPERS:
                notes.append(f"only {MAX_HELPERS} extra modules are staged; ignored: "
                             f"{', '.join(helpers[MAX_HELPERS:])}")
            for module in [*MODULES, *helpers[:MAX_HELPERS]]:
                src = source / f"{module}.py"
                if not _regular(src):
                    continue
                try:
                    (package / f"{module}.py").write_bytes(read_regular(src))
                except SubmissionError as exc:
                    notes.append(f"{module}.py was not graded: {exc}.")
        yield package, notes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
