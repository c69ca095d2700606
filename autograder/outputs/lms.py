"""For the gradebook: the late flag (export ``created_at`` against DUE) and a Canvas import CSV.

Canvas's gradebook import (Grades -> Import) reads a CSV whose first columns are ``Student``,
``ID``, ``SIS User ID``, ``SIS Login ID`` and ``Section`` and whose further columns are
assignments. It matches a row to a student by ``ID`` (Canvas's own user id), ``SIS User ID`` or
``SIS Login ID``; an assignment column named like an existing assignment, ``HW3 (12345)`` as in
Canvas's own export, updates it, any other name creates an assignment. We fill ``SIS User ID``
with the SID and ``SIS Login ID`` with the email from the Gradescope export, one row per group
member; an ungraded submission gets an empty cell, which Canvas leaves unchanged.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from itertools import zip_longest
from pathlib import Path

from autograder.model import Graded
from autograder.outputs.report import points, write_csv

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
DEFAULT_ASSIGNMENT = "backprop-lab"

_WHEN = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$", re.IGNORECASE)


def parse_when(text: str, *, end_of_day: bool = False) -> datetime:
    """A date-time as Gradescope or an instructor writes it, timezone-aware.

    ``2026-11-20 23:59``, ``2026-11-20T23:59:00-08:00``, ``2026-11-20 22:10:03.52 -0800``,
    ``2026-11-20`` (the end of that day when ``end_of_day``). Without an offset, the machine's
    local time zone is meant.
    """
    match = _WHEN.match(str(text))
    if not match:
        raise ValueError(f"not a date and time: {text!r} (expected e.g. '2026-11-20 23:59' or "
                         "'2026-11-20T23:59-08:00')")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if hour is None and end_of_day:
        hour, minute, second = "23", "59", "59"
    when = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                    int(second or 0), int((fraction or "0")[:6].ljust(6, "0")))
    if zone is None:
        return when.astimezone()  # naive: local time
    if zone.upper() in ("Z", "UTC", "GMT"):
        return when.replace(tzinfo=timezone.utc)
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return when.replace(tzinfo=timezone(offset if zone[0] == "+" else -offset))


def hours_late(created_at: str, due: datetime | None) -> float | None:
    """Hours after ``due`` (negative: early), or None when either time is unknown."""
    if due is None or not created_at:
        return None
    try:
        submitted = parse_when(created_at)
    except ValueError:
        return None
    return round((submitted - due).total_seconds() / 3600, 4)


def canvas_rows(graded: list[Graded]) -> list[list[str]]:
    rows = []
    for g in graded:
        s = g.student
        score = points(g.result.score) if g.result is not None else ""
        if s.members:  # one row per member, each with their own SID and email (or none)
            for name, email, sid in s.members:
                rows.append([name or s.submission, "", sid, email, "", score])
            continue
        names, sids, emails = (v.split("; ") if v else [] for v in (s.name, s.sid, s.email))
        for name, sid, email in zip_longest(names, sids, emails, fillvalue=""):
            rows.append([name or s.submission, "", sid, email, "", score])
        if not (names or sids or emails):
            rows.append([s.submission, "", "", "", "", score])
    return rows


def write_canvas_csv(path: Path, graded: list[Graded], assignment: str = DEFAULT_ASSIGNMENT) -> None:
    write_csv(path, [*CANVAS_HEADER, assignment], canvas_rows(graded))
