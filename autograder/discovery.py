"""Find the submissions in what `make grade` is given, and whom each belongs to.

Accepted inputs (PATH):
- a Gradescope "Export Submissions" folder or .zip: ``submission_metadata.yml`` at its top
  level (for a .zip: at the zip's top level or in its single root folder, as Gradescope builds
  it) and one folder per submission. Only that file defines the roster; a student's own files
  never do;
- one folder of such an export (a regrade): the names come from the parent's metadata;
- a folder of submissions (subfolders or .zip files), or a .zip of such a folder;
- one submission: a folder or .zip holding ``backprop/`` or the module files (a regrade).

Every message names the input as the instructor gave it, never a temporary path.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import yaml

from autograder.engine.intake import (
    MAX_DEPTH,
    MAX_ZIP_BYTES,
    MODULES,
    ArchiveError,
    SubmissionError,
    find_package,
    is_ignored,
    open_regular,
    read_regular,
    safe_extract,
)
from autograder.engine.untrusted_text import safe_name, safe_text
from autograder.model import Student

METADATA = "submission_metadata.yml"
MAX_METADATA_BYTES = 64 * 1024 * 1024
# The whole class's input (an export is far larger than one student's zip, see engine/intake.py).
MAX_INPUT_FILES = 200_000
MAX_INPUT_BYTES = 20 * 1024**3


class InputError(Exception):
    """The input as a whole cannot be graded (not one student's problem)."""


@dataclass
class Submission:
    student: Student
    path: Path  # what the engine grades (it may lie in the scratch folder)
    origin: str  # where it is in the original input, for messages


@dataclass
class Found:
    submissions: list[Submission]
    problems: list[str]  # about the input, shown to the instructor (not one student's error)


def read_metadata_bytes(path: Path, display: str, limit: int = MAX_METADATA_BYTES) -> bytes:
    """Read a regular file without following a link or blocking on a FIFO, at most ``limit``."""
    try:
        return read_regular(path, limit, display)
    except SubmissionError as exc:
        raise InputError(str(exc)) from None


def extract_input(archive: Path, dest: Path, display: str) -> None:
    """Unpack the instructor's .zip (an export, a class, one student) with the submissions'
    extractor, bounded for a whole class; a zip it refuses is a message naming it."""
    try:
        safe_extract(archive, dest, display, max_files=MAX_INPUT_FILES, max_bytes=MAX_INPUT_BYTES,
                     max_depth=MAX_DEPTH + 3)  # an export's own folders above a student's tree
    except ArchiveError as exc:
        raise InputError(f"{display} cannot be unpacked: it {exc.why}") from None
    except SubmissionError as exc:
        raise InputError(f"{display} cannot be unpacked: {exc}") from None


def _text(value: object) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _unsymbol(mapping: dict) -> dict:
    """Gradescope writes Ruby symbols as keys (``:name:`` parses as ``":name"``)."""
    return {str(k).lstrip(":"): v for k, v in mapping.items()}


def valid_folder_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\0" not in name \
        and "\\" not in name


def parse_metadata(data: bytes, display: str) -> tuple[dict[str, Student], list[str]]:
    """Students by submission folder name, and problems with single entries."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(data, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{display} is not valid YAML{line}: {problem}") from None
    except (RecursionError, MemoryError, ValueError, UnicodeError) as exc:
        raise InputError(f"{display} cannot be parsed: {type(exc).__name__}") from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise InputError(f"{display} should map each submission folder to its details; it holds "
                         f"a {type(loaded).__name__}")
    students: dict[str, Student] = {}
    problems: list[str] = []
    for key, entry in loaded.items():
        name = _text(key)
        if not valid_folder_name(name):
            problems.append(f"{display}: the entry {str(key)[:80]!r} is not a submission folder "
                            "name; ignored")
            continue
        student = Student(submission=name)
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            problems.append(f"{display}: the entry {name} is not a mapping; graded without a name")
            students[name] = student
            continue
        entry = _unsymbol(entry)
        people = entry.get("submitters") or []
        if not isinstance(people, list) or not all(isinstance(p, dict) for p in people):
            problems.append(f"{display}: the entry {name} has no list of submitters; graded "
                            "without a name")
            people = []
        people = [_unsymbol(p) for p in people]
        student.members = [[_text(p.get(k)) for k in ("name", "email", "sid")] for p in people]
        columns = list(zip(*student.members)) or [(), (), ()]  # names, emails, SIDs
        student.name, student.email, student.sid = ("; ".join(v for v in c if v) for c in columns)
        student.created_at = _text(entry.get("created_at"))
        students[name] = student
    return students, problems


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not is_ignored(p.name))


def _is_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip" and path.is_file() and not path.is_symlink()


def _zip_has_code(path: Path) -> bool:
    try:
        with open_regular(path, MAX_ZIP_BYTES) as raw, zipfile.ZipFile(raw) as zf:
            return any(Path(n).name in {f"{m}.py" for m in MODULES} for n in zf.namelist())
    except (SubmissionError, zipfile.BadZipFile, OSError, ValueError):
        return True  # a broken student zip is still a submission; the engine reports why


def _has_code(path: Path) -> bool:
    try:
        return _zip_has_code(path) if _is_zip(path) else find_package(path) is not None
    except SubmissionError:
        return True  # too deep or too large: still a submission, whose row says why


def holds_code(folder: Path) -> bool:
    """``backprop/`` or module files directly in ``folder``: a student's own folder."""
    return _is_dir(folder / "backprop") or any(
        (folder / f"{m}.py").is_file() and not (folder / f"{m}.py").is_symlink() for m in MODULES)


def is_export(folder: Path) -> bool:
    """Metadata at the top and no code of a student's there (whose own metadata never counts)."""
    return os.path.lexists(folder / METADATA) and not holds_code(folder)


def is_one_submission(folder: Path) -> bool:
    """A student's folder rather than a folder of students' folders or zips."""
    if holds_code(folder):
        return True
    entries = _visible(folder)
    candidates = [p for p in entries if _is_dir(p) or _is_zip(p)]
    with_code = [p for p in candidates if _has_code(p)]
    if len(with_code) != 1:
        return False
    loose_files = [p for p in entries if p.is_file() and not _is_zip(p)]
    return len(candidates) == 1 or bool(loose_files)


def _unique(submissions: list[Submission]) -> list[Submission]:
    seen: set[str] = set()
    for sub in submissions:
        base, n = sub.student.submission, 2
        while sub.student.submission in seen:
            sub.student.submission = f"{base}-{n}"
            n += 1
        seen.add(sub.student.submission)
    return submissions


class _Where:
    """Names a file of the original input: ``class/alice/`` or ``export.zip: root/alice/``."""

    def __init__(self, display: str, archive_prefix: str | None = None) -> None:
        self.display, self.archive_prefix = display, archive_prefix

    def __call__(self, inner: str) -> str:
        if self.archive_prefix is not None:
            return f"{self.display}: {self.archive_prefix}{inner}"
        return f"{self.display.rstrip('/')}/{inner}"


def _export(folder: Path, where: _Where) -> Found:
    """The submissions of an export folder whose top level holds the metadata."""
    meta_display = where(METADATA)
    students, problems = parse_metadata(read_metadata_bytes(folder / METADATA, meta_display),
                                        meta_display)
    subs: list[Submission] = []
    for name, student in sorted(students.items()):
        path = folder / name
        if not _is_dir(path):
            who = f" ({student.name})" if student.name else ""
            problems.append(f"{meta_display} lists {name}{who}, but the export has no folder "
                            f"{name}/")
        subs.append(Submission(student, path, where(name + "/")))
    for path in _visible(folder):
        if path.name != METADATA and path.name not in students and _is_dir(path):
            problems.append(f"{where(path.name + '/')} is not listed in {METADATA}: graded "
                            "without a name")
            subs.append(Submission(Student(path.name), path, where(path.name + "/")))
    return Found(_unique(subs), problems)


def _collection(folder: Path, where: _Where) -> Found:
    subs = [Submission(Student(p.stem if _is_zip(p) else p.name), p,
                       where(p.name if _is_zip(p) else p.name + "/"))
            for p in _visible(folder) if _is_dir(p) or _is_zip(p)]
    return Found(_unique(subs), [])


def _regrade_in_export(folder: Path, display: str) -> Found:
    parent_meta = str(Path(display.rstrip("/")).parent / METADATA)
    students, problems = parse_metadata(read_metadata_bytes(folder.parent / METADATA, parent_meta),
                                        parent_meta)
    student = students.get(folder.name)
    if student is None:
        problems.append(f"{folder.name} is not listed in {parent_meta}: graded without a name")
        student = Student(folder.name)
    return Found([Submission(student, folder, display.rstrip("/") + "/")], problems)


def discover(path: Path, scratch: Path, display: str | None = None) -> Found:
    """The submissions in ``path`` (a folder or a .zip); ``scratch`` receives unpacked zips.
    Names and messages are safe to print (a folder name need not be UTF-8, nor free of
    terminal controls); the paths stay as they are."""
    found = _discover(path, scratch, display)
    for sub in found.submissions:
        student = sub.student
        for key in ("submission", "name", "email", "sid", "created_at"):
            setattr(student, key, safe_name(getattr(student, key)))
        sub.origin = safe_text(sub.origin, 1000, one_line=True)
    found.problems = [safe_text(p, 1000, one_line=True) for p in found.problems]
    found.submissions = _unique(found.submissions)  # two names may now read the same
    return found


def _discover(path: Path, scratch: Path, display: str | None = None) -> Found:
    display = display or str(path)
    path = path.resolve()  # a link to the input is followed once, here; nothing below it is
    if _is_zip(path):
        unpacked = scratch / "input"
        unpacked.mkdir(parents=True, exist_ok=True)
        extract_input(path, unpacked, display)
        root, prefix = unpacked, ""
        folders = [p for p in _visible(unpacked) if _is_dir(p)]
        if not is_export(unpacked) and len(folders) == 1:  # Gradescope's single root folder
            root, prefix = folders[0], folders[0].name + "/"
        if is_export(root):
            return _export(root, _Where(display, prefix))
        if is_one_submission(root):
            return Found([Submission(Student(path.stem), path, display)], [])
        return _collection(root, _Where(display, prefix))
    if not _is_dir(path):
        raise InputError(f"{display}: not a folder or a .zip of submissions")
    if is_export(path):
        return _export(path, _Where(display))
    if path.parent != path and is_export(path.parent):
        return _regrade_in_export(path, display)
    if is_one_submission(path):
        return Found([Submission(Student(path.name), path, display.rstrip("/") + "/")], [])
    return _collection(path, _Where(display))
