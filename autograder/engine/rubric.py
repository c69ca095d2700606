"""The rubric (autograder/rubric.yml): points per function, quiz key, timeouts, visibility, and
how callees are graded (``callees: correct`` or ``own``).

A rubric.yml that cannot be used stops every command with one sentence that says what to fix
(RubricError is a SystemExit: no traceback), never with a bare KeyError.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from autograder.engine.core.contract import CALLEE_POLICIES, GRADED

RUBRIC_PATH = Path(__file__).resolve().parents[1] / "rubric.yml"
VISIBILITIES = ("visible", "after_published", "after_due_date", "hidden")
TOTAL = 100.0
TIMEOUT_KEYS = ("default", "budget", "import")  # besides a graded function's name


class RubricError(SystemExit):
    """rubric.yml cannot be used; the message says what to fix."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Rubric:
    points: dict[str, float]
    quiz_key: dict[int, str]
    timeouts: dict[str, float]
    visibility: str
    callees: str = "correct"

    @property
    def functions(self) -> list[str]:
        return list(self.points)

    @property
    def total(self) -> float:
        return float(sum(self.points.values()))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _unknown(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"{name!r} is not a graded function" + (f" (did you mean {close[0]!r}?)" if close else "")


def parse_rubric(data: object, path: Path = RUBRIC_PATH) -> Rubric:
    """Check the YAML's content and return the rubric; RubricError names the first problem."""
    if not isinstance(data, dict):
        raise RubricError(path, "expected the keys points, quiz_key, timeouts and visibility")
    points_in, key_in = data.get("points"), data.get("quiz_key")
    if not isinstance(points_in, dict) or not points_in:
        raise RubricError(path, "points: give each graded function its points (function: number)")
    for name, value in points_in.items():
        if str(name) not in GRADED:
            raise RubricError(path, f"points: {_unknown(str(name), GRADED)}")
        if _number(value) is None or value < 0:
            raise RubricError(path, f"points: {name} has {value!r} points; give a number >= 0")
    missing = [f for f in GRADED if f not in points_in]
    if missing:
        raise RubricError(path, f"points: no points for {', '.join(missing)}; every graded "
                                "function needs its points (0 is allowed)")
    points = {f: float(points_in[f]) for f in GRADED}  # in the contract's (report) order
    if abs(sum(points.values()) - TOTAL) > 1e-9:
        raise RubricError(path, f"points add up to {sum(points.values()):g}, not {TOTAL:g}")
    if not isinstance(key_in, dict) or not key_in:
        raise RubricError(path, "quiz_key: give one letter A-D per question (number: letter)")
    key = {}
    for question, letter in key_in.items():
        if isinstance(question, bool) or not isinstance(question, int) or question < 1:
            raise RubricError(path, f"quiz_key: {question!r} is not a question number (1, 2, ...)")
        if not isinstance(letter, str) or letter.strip().upper() not in ("A", "B", "C", "D"):
            raise RubricError(path, f"quiz_key: question {question} has {letter!r}; every answer "
                                    "must be one letter A-D")
        key[question] = letter.strip().upper()
    if sorted(key) != list(range(1, len(key) + 1)):
        raise RubricError(path, f"quiz_key: questions {sorted(key)} must be numbered 1 to "
                                f"{len(key)}")
    timeouts_in = data.get("timeouts", {})
    if not isinstance(timeouts_in, dict):
        raise RubricError(path, "timeouts: expected seconds per name (default, budget, import, "
                                "or a graded function)")
    for name, value in timeouts_in.items():
        if str(name) not in TIMEOUT_KEYS and str(name) not in GRADED:
            raise RubricError(path, f"timeouts: {name!r} is neither default, budget, import nor "
                                    "a graded function")
        if _number(value) is None or value <= 0:
            raise RubricError(path, f"timeouts: {name} is {value!r}; give a number of seconds "
                                    "above 0")
    visibility = data.get("visibility", "after_published")
    if visibility not in VISIBILITIES:
        raise RubricError(path, f"visibility {visibility!r} is not one of "
                                f"{', '.join(VISIBILITIES)}")
    callees = data.get("callees", "correct")
    if callees not in CALLEE_POLICIES:
        raise RubricError(path, f"callees {callees!r} is not one of {', '.join(CALLEE_POLICIES)} "
                                "(correct: each function is graded with correct versions of the "
                                "functions it calls; own: with the student's own)")
    return Rubric(points, key, {str(k): float(v) for k, v in timeouts_in.items()}, visibility,
                  callees)


@lru_cache(maxsize=8)
def load_rubric(path: Path = RUBRIC_PATH) -> Rubric:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except OSError as exc:
        raise RubricError(path, f"cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise RubricError(path, f"is not valid YAML{line} ({getattr(exc, 'problem', exc)})") from None
    return parse_rubric(data, Path(path))
