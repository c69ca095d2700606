"""Tidy a Gradescope upload before Otter looks at it: run by the zip's run_autograder, as root,
before any student code runs.

    python -I -m autograder.gradescope.upload /autograder/submission

Otter 7 picks the file to execute from the top level of the submission folder, and stops before
any plugin runs ("More than one .ipynb file found in submission") when it finds two notebooks.
The zip ships its own entry notebook there, so a student's notebook of any other name
(``backprop_lab (1).ipynb``, ``my notes.ipynb``) would make the upload fail. The notebooks are
not graded: only the module files are. So every top-level ``*.ipynb`` is moved, unchanged, into
a new hidden folder; Otter then sees only the entry notebook, and the plugin's summary tells the
student which notebooks were set aside.

Moving uses rename, which never follows a symlink, into a folder made fresh with mkdtemp.

Otter, as root, also writes through names at the top level of the submission before any plugin
runs: it copies the zip's files/ there, replaces ``tests/`` and touches ``__init__.py``. A
symlink there (an upload can carry one) would make it write wherever the link points, so every
top-level symlink is removed first. The engine never grades a symlink anyway.
"""

from __future__ import annotations

import glob
import os
import sys
import tempfile
from pathlib import Path

SET_ASIDE_PREFIX = ".backprop-lab-notebooks-"


def set_aside_notebooks(submission: Path) -> list[str]:
    """Move the top-level notebooks of ``submission`` (what Otter's glob sees) into a new hidden
    folder; return their names, sorted."""
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(glob.escape(str(submission)),
                                                                       "*.ipynb")))
    if not names:
        return []
    folder = Path(tempfile.mkdtemp(prefix=SET_ASIDE_PREFIX, dir=submission))
    for name in names:
        os.rename(submission / name, folder / name)
    return names


def remove_top_level_links(submission: Path) -> list[str]:
    """Remove the symlinks at the top level of ``submission`` (not their targets); return their
    names, sorted."""
    links = sorted(name for name in os.listdir(submission) if (submission / name).is_symlink())
    for name in links:
        os.unlink(submission / name)
    return links


def set_aside(submission: Path) -> list[str]:
    """The notebooks an earlier :func:`set_aside_notebooks` moved (names only, sorted)."""
    names: list[str] = []
    for entry in os.listdir(submission):
        folder = submission / entry
        if entry.startswith(SET_ASIDE_PREFIX) and folder.is_dir() and not folder.is_symlink():
            names += os.listdir(folder)
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -I -m autograder.gradescope.upload SUBMISSION_FOLDER", file=sys.stderr)
        return 2
    links = remove_top_level_links(Path(args[0]))
    if links:
        print(f"backprop-lab: removed {len(links)} symlink(s) from the upload: {', '.join(links)}")
    moved = set_aside_notebooks(Path(args[0]))
    if moved:
        print(f"backprop-lab: set aside {len(moved)} notebook(s), not graded: {', '.join(moved)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
