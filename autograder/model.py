"""What a grading run is about: who a submission belongs to (Student), and its result or why
there is none (Graded). Read by discovery (the input), the grading run and every output."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.engine.grading_host import SubmissionResult


@dataclass
class Student:
    """Who a submission belongs to (from Gradescope's metadata when there is some)."""

    submission: str
    name: str = ""
    email: str = ""
    sid: str = ""
    created_at: str = ""  # when it was submitted (Gradescope export), as written there
    # one (name, email, sid) per group member, as the export lists them (the fields above join
    # the non-empty ones for display); empty when there is no metadata
    members: list[list[str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How people are named in messages: the names, or the submission when there are none."""
        return self.name or self.submission


@dataclass
class Graded:
    """One row of a grading run: the result, or why there is none."""

    student: Student
    result: SubmissionResult | None
    error: str = ""  # for the instructor: who, where in the input, and why
    origin: str = ""  # where the submission is in the original input
    late_hours: float | None = None  # hours after DUE (<= 0: on time); None: unknown
    reason: str = ""  # for the student: why it could not be graded (no path of this machine)

    @property
    def score(self) -> float:
        return self.result.score if self.result else 0.0

    @property
    def student_reason(self) -> str:
        """Why it could not be graded, as the student reads it: no path of the input or of this
        machine (an earlier run without ``reason`` loses its "who (where): " prefix)."""
        if self.reason:
            return self.reason
        prefix = f"{self.student.label} ({self.origin}): "
        return self.error.removeprefix(prefix) if self.origin else self.error
