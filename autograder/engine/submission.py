"""Find a student's backprop modules in whatever they handed in, and stage them for the worker.

Accepted: a folder or .zip holding a ``backprop/`` folder at any depth, or the module files
flat (also at any depth). The .py files of that folder are staged (the graded modules and up to
20 helper modules of the student's, each at most 1 MB); our own empty ``__init__.py`` replaces
theirs so one broken module never takes the others down.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MODULES = ("activations", "losses", "layers", "network", "minibatch", "optimizers", "train",
           "quiz", "gradcheck")
MAX_FILE_BYTES = 1024 * 1024
MAX_HELPERS = 20
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_ZIP_FILES = 2000
IGNORED_PARTS = {"__MACOSX", ".git", "__pycache__", ".ipynb_checkpoints", "node_modules", ".venv"}


class SubmissionError(Exception):
    """Nothing gradable was found."""


def safe_extract(archive: Path, dest: Path) -> None:
    """Extract a zip refusing absolute paths, '..', links, and bombs."""
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_FILES:
            raise SubmissionError(f"{archive.name} has more than {MAX_ZIP_FILES} files")
        if sum(i.file_size for i in infos) > MAX_ZIP_BYTES:
            raise SubmissionError(f"{archive.name} unpacks to more than 50 MB")
        for info in infos:
            parts = Path(info.filename).parts
            if info.filename.startswith("/") or ".." in parts or (info.external_attr >> 28) == 0xA:
                continue
            target = dest.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out, length=1 << 16)


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
    return path.is_file() and not path.is_symlink()


@contextmanager
def staged(path: Path) -> Iterator[tuple[Path, list[str]]]:
    """Yield (a staged ``backprop`` folder, notes about the submission) for a folder or zip."""
    path = Path(path)
    tmp = Path(tempfile.mkdtemp(prefix="backprop-lab-stage-"))
    notes: list[str] = []
    try:
        root = path
        if path.is_file() and path.suffix == ".zip":
            root = tmp / "unzipped"
            root.mkdir()
            safe_extract(path, root)
        elif path.is_file() and path.suffix == ".py":
            root = path.parent
        if not root.is_dir():
            raise SubmissionError(f"{path} is neither a folder, a .zip nor a .py file")
        for inner in sorted(root.glob("*.zip")) if root is path and path.is_dir() else []:
            if find_package(root) is None:  # a folder that only holds the student's zip
                safe_extract(inner, tmp / "inner")
                root = tmp / "inner"
                break
        source = find_package(root)
        package = tmp / "backprop"
        package.mkdir()
        (package / "__init__.py").write_text('"""Staged by the grader."""\n')
        if source is None:
            notes.append("No backprop module files (activations.py, layers.py, ...) were found "
                         "in the submission.")
        else:
            helpers = sorted(p.stem for p in source.glob("*.py") if p.stem not in MODULES
                             and p.stem != "__init__" and p.stem.isidentifier())
            if len(helpers) > MAX_HELPERS:
                notes.append(f"only {MAX_HELPERS} extra modules are staged; ignored: "
                             f"{', '.join(helpers[MAX_HELPERS:])}")
            for module in [*MODULES, *helpers[:MAX_HELPERS]]:
                src = source / f"{module}.py"
                if not _regular(src):
                    continue
                if src.stat().st_size > MAX_FILE_BYTES:
                    notes.append(f"{module}.py is larger than 1 MB and was not graded.")
                    continue
                shutil.copyfile(src, package / f"{module}.py")
        yield package, notes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
