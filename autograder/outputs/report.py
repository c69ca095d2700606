"""The pieces of what `make grade` writes: Gradescope results.json, grades.csv, summary.md
and the terminal table (autograder/outputs/__init__.py writes them all; histogram.py draws
scores.png)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from autograder.engine.core.feedback import is_judged
from autograder.engine.grading_host import SubmissionResult
from autograder.engine.rubric import Rubric
from autograder.model import Graded

STDOUT_SHOWN = 4000


def results_json(result: SubmissionResult, rubric: Rubric) -> dict:
    """Gradescope's results.json: one test per graded function, named after it."""
    tests = []
    for number, (name, fn) in enumerate(result.functions.items(), start=1):
        tests.append({
            "name": name,
            "number": str(number),
            "score": fn.score,
            "max_score": fn.max_score,
            "status": "passed" if fn.passed else "failed",
            "output": fn.output,
            "output_format": "text",
            "visibility": rubric.visibility,
            "extra_data": {"checks": [{"name": c.name, "public": c.public, "passed": c.passed,
                                       "points": c.points} for c in fn.checks]},
        })
    visible = rubric.visibility == "visible"
    lines = [f"Score: {result.score:g} / {result.max_score:g}"] if visible else [
        "Per-function results, feedback and the score are shown once the instructor publishes "
        "the grades; hidden checks are not counted in anything shown before."]
    lines += [f"Note: {n}" for n in result.notes]
    lines += [f"Module problem: {reason}" for reason in result.modules.values()]
    printed = result.stdout[:STDOUT_SHOWN] + (
        "\n... (truncated)" if len(result.stdout) > STDOUT_SHOWN else "")
    if visible and printed.strip():
        lines.append(f"\nWhat your code printed:\n{printed}")
    return {
        "score": result.score,
        "execution_time": result.seconds,
        "output": "\n".join(lines),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"grader": "backprop-lab", "max_score": result.max_score,
                       "student_output": printed, "cpu_seconds": result.cpu_seconds},
    }


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")[:100] or "submission"


def file_stems(graded: list[Graded]) -> dict[str, str]:
    """A distinct file name (without suffix) for each submission: results/, feedback/."""
    stems: dict[str, str] = {}
    used: set[str] = set()
    for g in graded:
        base = stem = safe_name(g.student.submission)
        n = 2
        while stem.lower() in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        stems[g.student.submission] = stem
    return stems


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a quote first
    (a plain number such as -5.00 is no formula and is written as it is)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def points(value: float) -> str:
    """Scores in every CSV: always 2 decimals (100.00, 0.00, 63.27), never -0.00."""
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def graded_only(graded: list[Graded]) -> list[Graded]:
    """The submissions that have a score: error rows count in no mean and no histogram."""
    return [g for g in graded if g.result is not None]


def error_count_note(graded: list[Graded]) -> str:
    """' (2 that could not be graded are left out)', or '' when every submission was graded."""
    n = sum(g.result is None for g in graded)
    return "" if not n else (f" ({n} that could not be graded {'is' if n == 1 else 'are'} left "
                             "out)")


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        for row in [header, *rows]:
            writer.writerow([csv_cell(c) for c in row])


def grades_rows(graded: list[Graded], rubric: Rubric) -> tuple[list[str], list[list[object]]]:
    header = ["submission", "name", "email", "sid", "submitted_at", "late", "hours_late",
              "score", "max_score", *rubric.functions, "error"]
    rows = []
    for g in graded:
        late = "" if g.late_hours is None else ("yes" if g.late_hours > 0 else "no")
        hours = "" if g.late_hours is None else points(max(g.late_hours, 0.0))
        if g.result is None:  # an error row has no score (as in canvas.csv), only its error
            score, per_fn = "", [""] * len(rubric.functions)
        else:
            score = points(g.score)
            per_fn = [points(g.result.functions[f].score if f in g.result.functions else 0.0)
                      for f in rubric.functions]
        rows.append([g.student.submission, g.student.name, g.student.email, g.student.sid,
                     g.student.created_at, late, hours, score, points(rubric.total),
                     *per_fn, g.error])
    return header, rows


def summary_markdown(graded: list[Graded], rubric: Rubric, problems: list[str] = ()) -> str:
    scores = sorted(g.score for g in graded_only(graded))
    n = len(scores)
    lines = ["# Grading summary", ""]
    if n:
        mean = sum(scores) / n
        median = scores[n // 2] if n % 2 else (scores[n // 2 - 1] + scores[n // 2]) / 2
        lines.append(f"{len(graded)} submissions; over the {n} graded: mean {mean:.2f}, median "
                     f"{median:.2f}, min {scores[0]:.2f}, max {scores[-1]:.2f} (out of "
                     f"{rubric.total:.2f}){error_count_note(graded)}.")
    elif graded:
        lines.append(f"{len(graded)} submissions; none could be graded.")
    failed = [g for g in graded if g.result is None]
    if failed:
        lines += ["", "Could not be graded:"] + [f"- {md_text(g.error)}" for g in failed]
    late = [g for g in graded if g.late_hours is not None and g.late_hours > 0]
    if late:
        lines += ["", "Submitted after the due date (a flag only; the late policy is yours):"]
        lines += [f"- {md_text(g.student.label)} ({md_text(g.student.submission)}): "
                  f"{g.late_hours:.2f} h late" for g in late]
    if problems:
        lines += ["", "Problems with the input:"] + [f"- {md_text(p)}" for p in problems]
    lines += ["", "| function | points | full marks | mean points | most common failure |",
              "|---|---:|---:|---:|---|"]
    for fn in rubric.functions:
        done = [g.result.functions[fn] for g in graded if g.result and fn in g.result.functions]
        full = sum(f.passed for f in done)
        mean = sum(f.score for f in done) / len(done) if done else 0.0
        failures: dict[str, int] = {}
        for f in done:
            for c in f.checks:
                if not c.passed and is_judged(c):  # an unjudged check is no failure of its own
                    failures[c.title] = failures.get(c.title, 0) + 1
        common = max(failures, key=failures.get) if failures else ""
        rate = f"{100 * full / len(done):.0f}%" if done else "-"
        lines.append(f"| {fn} | {rubric.points[fn]:.2f} | {rate} | {mean:.2f} | {md_text(common)} |")
    lines += ["", "| submission | name | score |", "|---|---|---:|"]
    lines += [f"| {md_text(g.student.submission)} | {md_text(g.student.name)} | "
              f"{'error' if g.result is None else points(g.score)} |" for g in graded]
    return "\n".join(lines) + "\n"


def md_text(text: str) -> str:
    """Text for a Markdown table cell or list item: one line, no table, link, image or HTML
    syntax, escaped the Markdown way (a backslash), never with HTML entities: only a ``<`` that
    could open a tag or a link is escaped, so ``v <- beta v`` and ``Z > 0`` stay as they are."""
    text = (" ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")
            .replace("[", "\\[").replace("]", "\\]"))
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)
    return "\\" + text if text.startswith(">") else text


def table(graded: list[Graded]) -> str:
    """The summary table printed at the end of `make grade`: submission, names, score."""
    def clip(text: str, n: int) -> str:
        text = " ".join(text.split())
        return text if len(text) <= n else text[: n - 1] + "…"

    sub_w = min(max([len(g.student.submission) for g in graded] + [10]), 28)
    name_w = min(max([len(g.student.name) for g in graded] + [4]), 32)
    rows = [f"{'submission':<{sub_w}}  {'name':<{name_w}}  {'score':>7}  failing functions"]
    for g in graded:
        head = f"{clip(g.student.submission, sub_w):<{sub_w}}  {clip(g.student.name, name_w):<{name_w}}"
        if g.result is None:
            rows.append(f"{head}  {'error':>7}  see summary.md")
            continue
        failing = [f for f, r in g.result.functions.items() if not r.passed]
        shown = ", ".join(failing[:5]) + (f" (+{len(failing) - 5} more)" if len(failing) > 5 else "")
        late = "  [late]" if g.late_hours is not None and g.late_hours > 0 else ""
        rows.append(f"{head}  {g.score:>7.2f}  {shown or '-'}{late}")
    return "\n".join(rows)
