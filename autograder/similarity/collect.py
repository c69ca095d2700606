"""Read each submission's modules for comparison, through the grader's own safe readers.

A submission is staged exactly as for grading (``engine.submission.staged``: no link followed,
no FIFO opened, every file and archive bounded), then each staged module is read once more
bounded, decoded strictly and parsed. Whatever cannot be compared is noted with the reason and
never stops the report.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.discovery import Submission
from autograder.engine.core.contract import FUNCTIONS, GIVEN
from autograder.engine.intake import SubmissionError, read_regular, staged
from autograder.engine.untrusted_text import safe_text
from autograder.similarity.compare import Entry, own_hashes
from autograder.similarity.fingerprint import Unreadable, fingerprint_module

MAX_MODULE_BYTES = 256 * 1024  # a larger module is not compared (the grader stages up to 1 MB)
NAME_SHOWN = 60
CONTRACT_NAMES = frozenset({f for m in (*FUNCTIONS.values(), *GIVEN.values()) for f in m})


def clip(text: str, limit: int = NAME_SHOWN) -> str:
    """One line of at most ``limit`` printable characters (names from students' files): the
    engine's safe text, with zero-width and other invisible characters shown as '?' too."""
    text = "".join(c if c.isprintable() else "?" for c in safe_text(text, 4 * limit,
                                                                     one_line=True))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_modules(folder: Path, entry: Entry) -> None:
    """Fingerprint every module of a staged ``backprop`` folder into ``entry``."""
    for path in sorted(folder.glob("*.py")):
        module = path.stem
        if module == "__init__":
            continue  # the stager's own, never the student's
        shown = clip(module) + ".py"
        try:
            data = read_regular(path, 1024 * 1024)
        except SubmissionError as exc:
            entry.skipped.append(f"{shown}: {exc}")
            continue
        if len(data) > MAX_MODULE_BYTES:
            entry.skipped.append(f"{shown}: larger than {MAX_MODULE_BYTES // 1024} KB")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            entry.skipped.append(f"{shown}: not UTF-8 text (a binary file?)")
            continue
        try:
            entry.prints[module] = fingerprint_module(text, CONTRACT_NAMES)
        except Unreadable as exc:
            entry.skipped.append(f"{shown}: {exc}")
            continue
        entry.sources[module] = text


def read_entry(sub: Submission, *, prior: bool = False) -> Entry:
    """One submission as an Entry; ``why_not`` says why it cannot be compared, if so."""
    student = sub.student
    entry = Entry(key=("prior: " if prior else "") + student.submission, name=student.name,
                  origin=sub.origin, prior=prior)
    if not os.path.lexists(sub.path):
        entry.why_not = "the export lists it but it has no files"
        return entry
    try:
        with staged(sub.path) as (package, notes):
            read_modules(package, entry)
    except SubmissionError as exc:
        entry.why_not = clip(str(exc), 200)
        return entry
    except Exception as exc:  # noqa: BLE001 - one submission can fail only itself
        entry.why_not = f"it cannot be read ({type(exc).__name__})"
        return entry
    if not entry.prints:
        entry.why_not = ("no module could be compared: " + "; ".join(entry.skipped)
                         if entry.skipped else "no module files (activations.py, ...) found")
    return entry


def read_skeleton(folder: Path) -> set[int]:
    """The fingerprints of the handout's skeleton: never counted as shared code."""
    entry = Entry(key="skeleton")
    read_modules(folder, entry)
    return {h for fp in entry.prints.values() for h in fp.where}


def finish(entry: Entry, skeleton: set[int]) -> Entry:
    """Its own fingerprints (beyond the skeleton); nothing of its own means not compared."""
    entry.hashes = own_hashes(entry, skeleton)
    if not entry.why_not and not len(entry.hashes):
        entry.why_not = "nothing beyond the handout's skeleton"
    return entry
