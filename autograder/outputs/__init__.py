"""Everything `make grade` writes into its output folder, in one place.

    results/<submission>.json   Gradescope's results.json format (feedback per function)
    feedback/<submission>.md    for the student: score, per-function table, what to fix
    feedback/<submission>.html  the same as a self-contained page
    grades.csv                  one row per submission, scores with 2 decimals
    canvas.csv                  Canvas's gradebook import format (see autograder/outputs/lms.py)
    summary.md, scores.png      class summary and histogram
    report.html                 the class report (autograder/outputs/class_report.py)
    similarity.csv, similarity/ which submissions share code (autograder/similarity/)
    data.json                   everything above as data: what MERGE and COMPARE read
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from autograder.engine.rubric import Rubric
from autograder.model import Graded
from autograder.outputs.class_report import report_html
from autograder.outputs.feedback import write_feedback
from autograder.outputs.histogram import plot_scores
from autograder.outputs.lms import DEFAULT_ASSIGNMENT, write_canvas_csv
from autograder.outputs.report import (
    file_stems,
    graded_only,
    grades_rows,
    results_json,
    summary_markdown,
    write_csv,
)
from autograder.outputs.runs import save_run


def error_json(g: Graded) -> dict:
    return {"score": 0, "output": f"This submission could not be graded: {g.student_reason}",
            "tests": []}


def write_all(out: Path, graded: list[Graded], rubric: Rubric, *, problems: list[str] = (),
              canvas_assignment: str = DEFAULT_ASSIGNMENT, due: datetime | None = None,
              similarity: str = "") -> None:
    stems = file_stems(graded)
    results = out / "results"
    results.mkdir(parents=True, exist_ok=True)
    for g in graded:
        data = results_json(g.result, rubric) if g.result is not None else error_json(g)
        (results / f"{stems[g.student.submission]}.json").write_text(json.dumps(data, indent=2),
                                                                    encoding="utf-8")
    write_feedback(out / "feedback", graded, rubric, stems)
    write_csv(out / "grades.csv", *grades_rows(graded, rubric))
    write_canvas_csv(out / "canvas.csv", graded, canvas_assignment)
    (out / "summary.md").write_text(summary_markdown(graded, rubric, problems), encoding="utf-8")
    scored = graded_only(graded)
    plot_scores([g.score for g in scored], rubric.total, out / "scores.png",
                left_out=len(graded) - len(scored))
    (out / "report.html").write_text(report_html(graded, rubric, stems, problems,
                                                 similarity=similarity),
                                     encoding="utf-8")
    save_run(out, graded, due)
