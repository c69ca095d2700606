"""Grading runs over time: OUT/data.json (what merges and comparisons read), replacing OUT
without leaving stale files, and comparing two runs (whose scores changed, on which functions).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

from autograder.engine.core.framework import CheckResult
from autograder.engine.grading_host import FunctionResult, SubmissionResult
from autograder.model import Graded, Student
from autograder.outputs.report import md_text, points, write_csv

DATA = "data.json"
FORMAT = 1
# What a folder must hold to be an earlier grading output that may be replaced as a whole.
OUTPUT_MARKERS = (DATA, "grades.csv")


class RunError(Exception):
    """OUT or COMPARE cannot be used as asked."""


def _build(cls, data: dict):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def result_from_dict(data: dict) -> SubmissionResult:
    functions = {}
    for name, fn in data["functions"].items():
        fn = dict(fn)
        fn["checks"] = [_build(CheckResult, c) for c in fn.get("checks", [])]
        functions[name] = _build(FunctionResult, fn)
    return _build(SubmissionResult, {**data, "functions": functions})


def save_run(out: Path, graded: list[Graded], due: datetime | None = None) -> None:
    rows = [{"student": asdict(g.student), "origin": g.origin, "error": g.error,
             "reason": g.reason, "late_hours": g.late_hours,
             "result": asdict(g.result) if g.result is not None else None} for g in graded]
    data = {"format": FORMAT, "due": due.isoformat() if due else None, "submissions": rows}
    (out / DATA).write_text(json.dumps(data, indent=1), encoding="utf-8")


def load_run(out: Path) -> list[Graded]:
    """The graded submissions of an earlier run in ``out`` (its data.json)."""
    path = out / DATA
    if not os.path.lexists(out):
        raise RunError(f"{out} does not exist: there is no earlier run to merge into or compare "
                       "with")
    if not path.is_file():
        raise RunError(f"{out} has no {DATA} (it was not written by this version of make grade)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Graded(_build(Student, row["student"]),
                       result_from_dict(row["result"]) if row.get("result") else None,
                       row.get("error", ""), row.get("origin", ""), row.get("late_hours"),
                       row.get("reason", ""))
                for row in data["submissions"]]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunError(f"{path} cannot be read: {type(exc).__name__}: {exc}") from None


def due_of(out: Path) -> tuple[bool, datetime | None]:
    """(whether the run in ``out`` recorded its DUE, that DUE or None if it had none)."""
    try:
        data = json.loads((out / DATA).read_text(encoding="utf-8"))
        if "due" not in data:
            return False, None  # written before runs recorded their DUE
        return True, datetime.fromisoformat(data["due"]) if data["due"] else None
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise RunError(f"{out / DATA} cannot be read: {type(exc).__name__}: {exc}") from None


def merged_due(out: Path, due: datetime | None) -> datetime | None:
    """The DUE of a merge into ``out``: the earlier run's. Without DUE it is kept (every kept row
    keeps its late flag, and the new rows are flagged against it); a DUE that differs from it is
    refused, because the kept rows were flagged against the earlier one."""
    known, earlier = due_of(out)
    if due is None:
        return earlier
    if known and earlier is None:
        raise RunError(f"DUE={due.isoformat(sep=' ')} cannot be merged into {out}: its run had "
                       "no DUE, so its other rows have no late flag; regrade the whole class "
                       "without MERGE to add one")
    if known and earlier != due:
        raise RunError(f"DUE={due.isoformat(sep=' ')} differs from the due date of the run in "
                       f"{out} ({earlier.isoformat(sep=' ')}): leave DUE out to keep that one, "
                       "or regrade the whole class without MERGE to change it")
    return due


def merge(old: list[Graded], new: list[Graded]) -> list[Graded]:
    """``old`` with the submissions of ``new`` replaced (same submission name) or added."""
    fresh = {g.student.submission: g for g in new}
    merged = [fresh.pop(g.student.submission, g) for g in old]
    return merged + [g for g in new if g.student.submission in fresh]


def scores_of(out: Path) -> dict[str, tuple[str, float | None, dict[str, float]]]:
    """Per submission: (name, total or None if ungraded, per-function scores) of an earlier
    run: from its data.json, or from the grades.csv of an older version."""
    if (out / DATA).is_file():
        return {g.student.submission: (
            g.student.name, g.result.score if g.result else None,
            {f: r.score for f, r in g.result.functions.items()} if g.result else {})
            for g in load_run(out)}
    path = out / "grades.csv"
    if not path.is_file():
        raise RunError(f"{out} holds no earlier grading ({DATA} or grades.csv)")
    found = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            per_fn = {}
            for key, value in row.items():
                if key in ("submission", "name", "email", "sid", "submitted_at", "late",
                           "hours_late", "score", "max_score", "error") or key is None:
                    continue
                try:
                    per_fn[key] = float(value)
                except (TypeError, ValueError):
                    pass
            sub = (row.get("submission") or "").removeprefix("'")
            error = row.get("error")
            found[sub] = (row.get("name", ""), None if error else float(row.get("score") or 0),
                          per_fn)
    return found


@dataclass
class Change:
    submission: str
    name: str
    old: float | None  # None: not graded (or absent) then
    new: float | None
    functions: list[tuple[str, float, float]]  # (function, old, new)

    @property
    def what(self) -> str:
        if self.old is None and self.new is None:
            return "still not graded"
        return "new" if self.old is None else "not graded now" if self.new is None else "changed"


def compare(old: dict, new: list[Graded], tolerance: float = 0.005) -> list[Change]:
    """Submissions whose total or any function's score differs by at least ``tolerance``."""
    changes = []
    for g in new:
        sub = g.student.submission
        name, old_total, old_fn = old.get(sub, (g.student.name, None, {}))
        new_total = g.result.score if g.result else None
        new_fn = {f: r.score for f, r in g.result.functions.items()} if g.result else {}
        moved = [(f, old_fn.get(f, 0.0), new_fn.get(f, 0.0)) for f in
                 dict.fromkeys([*new_fn, *old_fn])
                 if abs(old_fn.get(f, 0.0) - new_fn.get(f, 0.0)) >= tolerance]
        totals_differ = (old_total is None) != (new_total is None) or (
            old_total is not None and abs(old_total - new_total) >= tolerance)
        if sub not in old or moved or totals_differ:
            changes.append(Change(sub, g.student.name or name, old_total, new_total, moved))
    return changes


def _total(value: float | None) -> str:
    return "-" if value is None else points(value)


def not_in_run(old: dict, new: list[Graded]) -> list[str]:
    """Submissions of the earlier run that this run did not grade (nor keep)."""
    present = {g.student.submission for g in new}
    return [sub for sub in old if sub not in present]


def changes_text(changes: list[Change], old_out: str, absent: list[str] = ()) -> str:
    gone = (f"\n{len(absent)} submission(s) of {old_out} are not in this run: "
            + ", ".join(absent[:10]) + (" ..." if len(absent) > 10 else "")) if absent else ""
    if not changes:
        return f"Compared with {old_out}: no score changed." + gone
    lines = [f"Compared with {old_out}: {len(changes)} submission(s) changed."]
    for c in changes:
        fns = ", ".join(f"{f} {points(a)} -> {points(b)}" for f, a, b in c.functions)
        lines.append(f"  {c.submission} ({c.name or 'no name'}): {_total(c.old)} -> "
                     f"{_total(c.new)} [{c.what}]" + (f"; {fns}" if fns else ""))
    return "\n".join(lines) + gone


def write_changes(out: Path, changes: list[Change], old_out: str) -> None:
    rows = [[c.submission, c.name, _total(c.old), _total(c.new),
             points(c.new - c.old) if c.old is not None and c.new is not None else "", c.what,
             "; ".join(f"{f}: {points(a)} -> {points(b)}" for f, a, b in c.functions)]
            for c in changes]
    write_csv(out / "changes.csv", ["submission", "name", "old_score", "new_score", "difference",
                                    "what", "functions"], rows)
    lines = ["# Changes since the earlier run", "", f"Compared with `{md_text(old_out)}`.", ""]
    if not changes:
        lines.append("No score changed.")
    else:
        lines += ["| submission | name | old | new | functions |", "|---|---|---:|---:|---|"]
        lines += [f"| {md_text(c.submission)} | {md_text(c.name)} | {_total(c.old)} | "
                  f"{_total(c.new)} | " + md_text(", ".join(
                      f"{f} {points(a)} → {points(b)}" for f, a, b in c.functions)) + " |"
                  for c in changes]
    (out / "changes.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def check_replaceable(out: Path) -> None:
    """Refuse to replace a folder that is not an earlier grading output (or empty)."""
    if not os.path.lexists(out):
        return
    if out.is_symlink() or not out.is_dir():
        raise RunError(f"{out} exists and is not a folder: choose another OUT")
    if any(out.iterdir()) and not any((out / m).is_file() for m in OUTPUT_MARKERS):
        raise RunError(f"{out} is not empty and holds no earlier grading (grades.csv): choose "
                       "another OUT, so that nothing else is replaced")


def staging_folder(out: Path) -> Path:
    """A private folder next to ``out`` (same file system) to write the new run into."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))


def swap_into_place(new: Path, out: Path) -> None:
    """Make ``new`` the folder ``out``; the earlier ``out`` and all its files go away."""
    old = None
    if os.path.lexists(out):
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old / "previous")
    os.rename(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
