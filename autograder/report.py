"""What grading writes: Gradescope results.json per submission, grades.csv, summary.md, scores.png."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.engine import SubmissionResult
from autograder.engine.rubric import Rubric

STDOUT_SHOWN = 4000


@dataclass
class Student:
    """Who a submission belongs to (from Gradescope's metadata when there is some)."""

    submission: str
    name: str = ""
    email: str = ""
    sid: str = ""


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
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "submission"


def write_outputs(out: Path, graded: list[tuple[Student, SubmissionResult | None, str]],
                  rubric: Rubric) -> None:
    """Write results/*.json, grades.csv, summary.md and scores.png into ``out``."""
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for student, result, error in graded:
        path = results_dir / f"{safe_name(student.submission)}.json"
        data = results_json(result, rubric) if result else {
            "score": 0, "output": f"This submission could not be graded: {error}", "tests": []}
        path.write_text(json.dumps(data, indent=2))
    with open(out / "grades.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["submission", "name", "email", "sid", "score", "max_score",
                         *rubric.functions])
        for student, result, _ in graded:
            per_fn = [result.functions[f].score if result else 0 for f in rubric.functions]
            writer.writerow([student.submission, student.name, student.email, student.sid,
                             result.score if result else 0, rubric.total, *per_fn])
    (out / "summary.md").write_text(summary_markdown(graded, rubric))
    plot_scores([r.score if r else 0.0 for _, r, _ in graded], rubric.total, out / "scores.png")


def summary_markdown(graded, rubric: Rubric) -> str:
    scores = sorted(r.score if r else 0.0 for _, r, _ in graded)
    n = len(scores)
    lines = ["# Grading summary", ""]
    if n:
        mean = sum(scores) / n
        median = scores[n // 2] if n % 2 else (scores[n // 2 - 1] + scores[n // 2]) / 2
        lines.append(f"{n} submissions; mean {mean:.1f}, median {median:.1f}, min {scores[0]:g}, "
                     f"max {scores[-1]:g} (out of {rubric.total:g}).")
    failed = [s.submission for s, r, _ in graded if r is None]
    if failed:
        lines.append(f"\nCould not be graded: {', '.join(failed)} (see results/).")
    lines += ["", "| function | points | full marks | mean points | most common failure |",
              "|---|---:|---:|---:|---|"]
    for fn in rubric.functions:
        done = [r.functions[fn] for _, r, _ in graded if r]
        full = sum(f.passed for f in done)
        mean = sum(f.score for f in done) / len(done) if done else 0.0
        failures: dict[str, int] = {}
        for f in done:
            for c in f.checks:
                if not c.passed:
                    failures[c.title] = failures.get(c.title, 0) + 1
        common = max(failures, key=failures.get) if failures else ""
        rate = f"{100 * full / len(done):.0f}%" if done else "-"
        lines.append(f"| {fn} | {rubric.points[fn]:g} | {rate} | {mean:.2f} | {common} |")
    lines += ["", "| submission | score |", "|---|---:|"]
    lines += [f"| {s.submission} | {r.score if r else 0:g} |" for s, r, _ in graded]
    return "\n".join(lines) + "\n"


def plot_scores(scores: list[float], total: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scores, bins=[total * i / 20 for i in range(21)], color="#3b6ea5", edgecolor="white")
    ax.set_xlabel(f"score (out of {total:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"Score distribution ({len(scores)} submissions)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def table(graded, rubric: Rubric) -> str:
    """The summary table printed at the end of `make grade`."""
    width = max([len(s.submission) for s, _, _ in graded] + [10])
    rows = [f"{'submission':<{width}}  {'score':>7}  failing functions"]
    for student, result, error in graded:
        if result is None:
            rows.append(f"{student.submission:<{width}}  {'error':>7}  {error[:60]}")
            continue
        failing = [f for f, r in result.functions.items() if not r.passed]
        shown = ", ".join(failing[:6]) + (f" (+{len(failing) - 6} more)" if len(failing) > 6 else "")
        rows.append(f"{student.submission:<{width}}  {result.score:>7.2f}  {shown or '-'}")
    return "\n".join(rows)
