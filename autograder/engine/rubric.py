"""The rubric (autograder/rubric.yml): points per function, quiz key, timeouts, visibility."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

RUBRIC_PATH = Path(__file__).resolve().parents[1] / "rubric.yml"
VISIBILITIES = ("visible", "after_published", "after_due_date", "hidden")


class RubricError(ValueError):
    pass


@dataclass(frozen=True)
class Rubric:
    points: dict[str, float]
    quiz_key: dict[int, str]
    timeouts: dict[str, float]
    visibility: str

    @property
    def functions(self) -> list[str]:
        return list(self.points)

    @property
    def total(self) -> float:
        return float(sum(self.points.values()))


@lru_cache(maxsize=8)
def load_rubric(path: Path = RUBRIC_PATH) -> Rubric:
    data = yaml.safe_load(Path(path).read_text())
    try:
        points = {str(k): float(v) for k, v in data["points"].items()}
        key = {int(k): str(v).strip().upper() for k, v in data["quiz_key"].items()}
        timeouts = {str(k): float(v) for k, v in data.get("timeouts", {}).items()}
        visibility = str(data.get("visibility", "after_published"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RubricError(f"{path}: malformed rubric ({exc})") from None
    if any(v < 0 for v in points.values()):
        raise RubricError(f"{path}: points must not be negative")
    if any(letter not in "ABCD" or len(letter) != 1 for letter in key.values()):
        raise RubricError(f"{path}: every quiz_key answer must be one letter A-D")
    if visibility not in VISIBILITIES:
        raise RubricError(f"{path}: visibility must be one of {VISIBILITIES}")
    return Rubric(points, key, timeouts, visibility)
