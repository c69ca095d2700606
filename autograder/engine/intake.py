"""The one place that reads untrusted files: submissions, and the instructor's input.

It finds a student's backprop modules in whatever they handed in, and stages them for the worker.
``make grade``'s discovery (autograder/discovery.py) and the Gradescope plugin read and unpack
through it too: one no-follow reader (:func:`read_regular`), one zip extractor
(:func:`safe_extract`), one ignore list (:func:`is_ignored`), one package finder
(:func:`find_package`).

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
MAX_DEPTH = 32  # folders below the submission's top (a recursion limit is ~1000)
MAX_ENTRIES = 20_000  # files and folders looked at in one submission
# Folders never searched for a student's code (besides every name starting with a dot).
IGNORED_PARTS = {"__MACOSX", ".git", "__pycache__", ".ipynb_checkpoints", "node_modules", ".venv"}
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, NotImplementedError,
              zlib.error, EOFError, OSError, ValueError, KeyError)


class SubmissionError(Exception):
    """Nothing gradable was found, or the submission cannot be read; the message says why."""


class ArchiveError(SubmissionError):
    """A zip cannot be unpacked: ``label`` names it, ``why`` says why (e.g. "is damaged ...")."""

    def __init__(self, label: str, why: str) -> None:
        super().__init__(f"{label} {why}")
        self.label, self.why = label, why


def is_ignored(name: str) -> bool:
    """A folder or file name that is never a student's code: hidden, or tooling's own."""
    return name.startswith(".") or name in IGNORED_PARTS


def _size(limit: int) -> str:
    return f"{limit // 1024**3} GB" if limit >= 1024**3 else f"{limit // (1024 * 1024)} MB"


def open_regular(path: Path, limit: int, label: str | None = None) -> BinaryIO:
    """Open ``path`` for reading only if it is a regular file (not a link, FIFO or device) of at
    most ``limit`` bytes; raises SubmissionError otherwise. ``label`` names it in messages
    (default: its file name)."""
    label = label or path.name
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        why = ("cannot be read: it is a symbolic link" if os.path.islink(path)
               else f"cannot be opened ({exc.strerror})")
        raise SubmissionError(f"{label} {why}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise SubmissionError(f"{label} is not a regular file")
    if info.st_size > limit:
        os.close(fd)
        raise SubmissionError(f"{label} is larger than {_size(limit)}")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def read_regular(path: Path, limit: int = MAX_FILE_BYTES, label: str | None = None) -> bytes:
    """The bytes of a regular file (:func:`open_regular`), at most ``limit`` of them (read in
    chunks: a file may grow after it was measured, and a large limit is never allocated)."""
    chunks, total = [], 0
    with open_regular(path, limit, label) as fh:
        while total <= limit and (chunk := fh.read(min(1 << 20, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
    if total > limit:
        raise SubmissionError(f"{label or path.name} is larger than {_size(limit)}")
    return b"".join(chunks)


def safe_extract(archive: Path, dest: Path, label: str | None = None, *,
                 max_files: int = MAX_ZIP_FILES, max_bytes: int = MAX_ZIP_BYTES,
                 max_depth: int = MAX_DEPTH) -> None:
    """Extract a zip refusing absolute paths, '..', links, bombs, encrypted and broken archives,
    counting the bytes really written. ``label`` names the archive in messages (default: its file
    name); the zip and what it unpacks to are at most ``max_bytes``, in ``max_files`` entries."""
    label = label or archive.name
    try:
        with open_regular(archive, max_bytes, label) as raw, zipfile.ZipFile(raw) as zf:
            infos = zf.infolist()
            if len(infos) > max_files:
                raise ArchiveError(label, f"has more than {max_files} files")
            if sum(i.file_size for i in infos) > max_bytes:
                raise ArchiveError(label, f"unpacks to more than {_size(max_bytes)}")
            budget = max_bytes
            for info in infos:
                if info.flag_bits & 0x1:
                    raise ArchiveError(label, "is password-protected: upload an ordinary zip")
                parts = Path(info.filename.replace("\\", "/")).parts
                if len(parts) > max_depth:
                    raise ArchiveError(label, f"holds folders nested more than {max_depth} deep")
                kind = stat.S_IFMT(info.external_attr >> 16)  # 0: no type recorded
                if (info.filename.startswith(("/", "\\")) or ".." in parts or not parts
                        or kind not in (0, stat.S_IFREG, stat.S_IFDIR)):
                    continue  # escapes, links, devices and FIFOs are never extracted
                target = dest.joinpath(*parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_member(zf, info, target, budget, label, max_bytes)
    except SubmissionError:
        raise
    except ZIP_ERRORS as exc:
        what = ("is password-protected: upload an ordinary zip" if "encrypt" in str(exc)
                else "uses a compression method that cannot be read"
                if isinstance(exc, NotImplementedError)
                else "is damaged or truncated, or not a zip file")
        raise ArchiveError(label, f"{what} ({type(exc).__name__}: {str(exc)[:120]})") from None


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int,
                 label: str, max_bytes: int) -> int:
    """Copy one member, counting real bytes (a member may lie about its size)."""
    written = 0
    with zf.open(info) as src, open(target, "xb") as out:
        while chunk := src.read(1 << 16):
            written += len(chunk)
            if written > budget:
                raise ArchiveError(label, f"unpacks to more than {_size(max_bytes)}")
            out.write(chunk)
    return written


def walk_folders(root: Path, max_depth: int = MAX_DEPTH,
                 max_entries: int = MAX_ENTRIES) -> Iterator[Path]:
    """Every folder under ``root`` (itself included), iteratively, never following a link and
    skipping IGNORED_PARTS and hidden folders; a tree deeper than ``max_depth`` or holding more
    than ``max_entries`` entries raises SubmissionError (a recursion would stop the grader)."""
    stack, seen = [(Path(root), 0)], 0
    while stack:
        folder, depth = stack.pop()
        yield folder
        try:
            with os.scandir(folder) as entries:
                children = []
                for entry in entries:
                    seen += 1
                    if seen > max_entries:
                        raise SubmissionError(f"the submission holds more than {max_entries} "
                                              "files and folders")
                    if not is_ignored(entry.name) and entry.is_dir(follow_symlinks=False):
                        children.append(entry.name)
        except OSError:
            continue
        if children and depth >= max_depth:
            raise SubmissionError(f"the submission's folders are nested more than {max_depth} "
                                  "deep")
        stack += [(folder / name, depth + 1) for name in sorted(children, reverse=True)]


def find_package(root: Path) -> Path | None:
    """The folder holding the student's modules: a backprop/ folder first, else the best flat one."""
    candidates: list[tuple[int, int, int, str]] = []
    for folder in walk_folders(root):
        rel = folder.relative_to(root)
        found = sum(_regular(folder / f"{m}.py") for m in MODULES)
        if found:
            named = 0 if folder.name == "backprop" else 1
            candidates.append((named, -found, len(rel.parts), str(folder)))
    return Path(min(candidates)[3]) if candidates else None


def copy_gradable(submission: Path, dest: Path, exclude: set[str]) -> None:
    """Copy to ``dest`` what the engine can grade from an upload folder (Gradescope's).

    That is the module files (activations.py, ...) at any depth and the zips at the top level, with
    the folder layout kept. Skipped: ``exclude`` and ``tests/`` at the top level (what Otter put
    there), ignored folders, links and anything but regular files. Without this, Otter's copies of
    the engine's checks/*.py and of tests/quiz.py could be mistaken for the student's modules.
    """
    module_files = {f"{m}.py" for m in MODULES}
    dest.mkdir(parents=True)
    for here in walk_folders(submission):
        rel = here.relative_to(submission)
        top = rel == Path(".")
        if rel.parts and rel.parts[0] in exclude | {"tests"}:
            continue  # what Otter put there
        try:
            filenames = sorted(e.name for e in os.scandir(here))
        except OSError:
            continue
        for name in filenames:
            if (top and name in exclude) or not (name in module_files
                                                 or (top and name.endswith(".zip"))):
                continue
            try:
                data = read_regular(here / name, MAX_ZIP_BYTES)
            except SubmissionError:
                continue  # a link, a FIFO, a device: never the student's module
            (dest / rel).mkdir(parents=True, exist_ok=True)
            (dest / rel / name).write_bytes(data)


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
