"""What a grading run is about: who a submission belongs to (Student), and its result or why
there is none (Graded). Read by discovery (the input), the grading run and every output."""

from __future__ import annotations

from dataclasses import dataclass

from autograder.engine import SubmissionResult


@dataclass
class Student:
    """Who a submission belongs to (from Gradescope's metadata when there is some)."""

    submission: str
    name: str = ""
    email: str = ""
    sid: str = ""
    created_at: str = ""  # when it was submitted (Gradescope export), as written there

    @property
    def label(self) -> str:
        """How people are named in messages: the names, or the submission when there are none."""
        return self.name or self.submission


@dataclass
class Graded:
    """One row of a grading run: the result, or why there is none."""

    student: Student
    result: SubmissionResult | None
    error: str = ""
    origin: str = ""  # where the submission is in the original input
    late_hours: float | None = None  # hours after DUE (<= 0: on time); None: unknown

    @property
    def score(self) -> float:
        return self.result.score if self.result else 0.0
