"""The gradebook as an instructor receives it: a class of 30 from a Gradescope export (an empty
folder, a folder of notes, a corrupt zip, a late group, a group member without an SID, a
submission one second early), then a regrade with and without DUE. Every row of grades.csv and
canvas.csv is checked."""

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from grade_helpers import copy_reference, copy_sample, grades, metadata_yaml, run_grade

from autograder.engine.rubric import load_rubric
from autograder.mistakes import MUTANTS, apply_mutant
from autograder.outputs.lms import CANVAS_HEADER
from autograder.outputs.report import csv_cell, md_text, points

DUE = "2026-11-20 23:59 -08:00"
ON_TIME = "2026-11-20 20:00:00 -08:00"
FUNCTIONS = load_rubric().functions
SAMPLES = ["typical-mistakes-a", "typical-mistakes-b", "partially-done", "missing-module",
           "nested-repo"]
MUTANT_NAMES = ["linear_backward_dW_not_averaged", "mse_without_half", "sigmoid_sign_flipped",
                "adam_second_moment_uses_beta1"]
ERRORS = {"submission_027": "no module files (activations.py, layers.py, ...) were found in it: "
                            "it is empty",
          "submission_028": "no module files (activations.py, layers.py, ...) were found in it: "
                            "it holds notes.txt",
          "submission_029": "backprop.zip is damaged or truncated"}
LATE_GROUP, EARLY = "submission_030", "submission_026"


def person(i: int) -> tuple[str, str, str]:
    return f"Student {i:02d}", f"{1000 + i}", f"s{i:02d}@example.edu"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class30") / "export"
    people: dict[str, list[tuple[str, str, str]]] = {}
    created: dict[str, str] = {}
    mutants = {m.name: m for m in MUTANTS}
    for i in range(1, 31):
        folder = f"submission_{i:03d}"
        people[folder] = [person(i)]
        created[folder] = ON_TIME
        if i <= len(SAMPLES):
            copy_sample(SAMPLES[i - 1], root / folder)
        elif i <= len(SAMPLES) + len(MUTANT_NAMES):
            apply_mutant(mutants[MUTANT_NAMES[i - len(SAMPLES) - 1]], root / folder)
        elif folder == "submission_027":
            (root / folder).mkdir(parents=True)
        elif folder == "submission_028":
            (root / folder).mkdir(parents=True)
            (root / folder / "notes.txt").write_text("I will finish it tomorrow")
        elif folder == "submission_029":
            (root / folder).mkdir(parents=True)
            (root / folder / "backprop.zip").write_bytes(b"PK\x03\x04 not really a zip" * 20)
        else:
            copy_reference(root / folder / "backprop")
    people[LATE_GROUP] = [person(30), ("Student 31", "", "s31@example.edu")]  # no SID
    created[LATE_GROUP] = "2026-11-21 02:15:00 -08:00"  # 2.27 hours late
    created[EARLY] = "2026-11-20 23:58:59.900000 -08:00"  # a tenth of a second early
    (root / "submission_metadata.yml").write_text(metadata_yaml(people, created))
    return root


@pytest.fixture(scope="module")
def first(export, tmp_path_factory):
    out = tmp_path_factory.mktemp("class30-out") / "out"
    run = run_grade(export, "--out", out, "--due", DUE, "--jobs", "2", timeout=600)
    assert run.returncode == 0, run.stderr
    return out, run


def rows_of(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def expected_late(sub: str) -> tuple[str, str]:
    if sub == LATE_GROUP:
        return "yes", "2.27"
    return "no", "0.00"


def check_gradebook(out: Path) -> None:
    """Every row of grades.csv and canvas.csv, as an instructor would expect it."""
    data = {row["student"]["submission"]: row
            for row in json.loads((out / "data.json").read_text())["submissions"]}
    table = grades(out)
    assert sorted(table) == [f"submission_{i:03d}" for i in range(1, 31)]
    for sub, row in table.items():
        i = int(sub.rsplit("_", 1)[1])
        name, sid, email = person(i)
        if sub == LATE_GROUP:
            assert (row["name"], row["sid"], row["email"]) == (
                "Student 30; Student 31", "1030", "s30@example.edu; s31@example.edu")
        else:
            assert (row["name"], row["sid"], row["email"]) == (name, sid, email), row
        assert (row["late"], row["hours_late"]) == expected_late(sub), (sub, row)
        assert row["max_score"] == "100.00"
        if sub in ERRORS:
            assert row["error"].startswith(f"{name} (") and ERRORS[sub] in row["error"], row
            assert row["score"] == "" and all(row[f] == "" for f in FUNCTIONS), row
            continue
        assert row["error"] == "", row
        result = data[sub]["result"]
        assert row["score"] == points(sum(f["score"] for f in result["functions"].values()))
        assert [row[f] for f in FUNCTIONS] == [points(result["functions"][f]["score"])
                                               for f in FUNCTIONS]
        if i > len(SAMPLES) + len(MUTANT_NAMES):
            assert row["score"] == "100.00", row  # the reference copies
    for text in (out / "grades.csv").read_text().splitlines():
        assert "'" not in text and "-0.00" not in text and "; ," not in text, text
    canvas = rows_of(out / "canvas.csv")
    assert canvas[0] == [*CANVAS_HEADER, "backprop-lab"]
    expected = []
    for sub, row in table.items():
        i = int(sub.rsplit("_", 1)[1])
        members = [person(i)] if sub != LATE_GROUP else [person(30), ("Student 31", "",
                                                                      "s31@example.edu")]
        for name, sid, email in members:
            expected.append([name, "", sid, email, "", row["score"]])
    assert canvas[1:] == expected
    assert [r[5] for r in canvas[1:] if r[0] in ("Student 27", "Student 28", "Student 29")] == [
        "", "", ""]  # error rows leave Canvas unchanged


def test_class_of_30_every_row(first):
    out, run = first
    check_gradebook(out)
    assert "27 graded, 3 could not be graded (30 submissions in" in run.stdout
    summary = (out / "summary.md").read_text()
    assert "over the 27 graded" in summary and "(3 that could not be graded are left out)" in summary
    report = (out / "report.html").read_text()
    assert "over the 27 graded" in report and "3 could not be graded" in report


def test_error_rows_name_the_student_and_never_a_path_of_this_machine(first, export):
    out, _ = first
    for sub, why in ERRORS.items():
        feedback = (out / "feedback" / f"{sub}.md").read_text()
        assert why in feedback and "no score yet" in feedback
        assert str(export) not in feedback and "/tmp" not in feedback, feedback
        results = json.loads((out / "results" / f"{sub}.json").read_text())
        assert why in results["output"] and "/tmp" not in results["output"]
        assert str(export) in grades(out)[sub]["error"]  # the instructor's copy says where


def test_regrade_without_due_keeps_every_late_flag(export, first, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(first[0], out)
    run = run_grade(export / "submission_005", "--out", out, "--merge")
    assert run.returncode == 0, run.stderr
    assert "flagged against the earlier run's due date" in run.stderr
    check_gradebook(out)
    assert grades(out) == grades(first[0])  # every row kept exactly as it was
    # the same DUE again is accepted; another is refused with one sentence, OUT unchanged
    run = run_grade(export / LATE_GROUP, "--out", out, "--merge", "--due", DUE)
    assert run.returncode == 0, run.stderr
    check_gradebook(out)
    before = (out / "grades.csv").read_bytes()
    run = run_grade(export / LATE_GROUP, "--out", out, "--merge", "--due", "2026-11-22")
    assert run.returncode == 2
    assert "differs from the due date of the run in" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert (out / "grades.csv").read_bytes() == before


def test_regrade_with_due_into_a_run_without_due_is_refused(export, tmp_path):
    out = tmp_path / "out"
    run = run_grade(export / "submission_020", "--out", out)
    assert run.returncode == 0, run.stderr
    run = run_grade(export / "submission_020", "--out", out, "--merge", "--due", DUE)
    assert run.returncode == 2 and "its run had no DUE" in run.stderr, run.stderr


def test_csv_cells_numbers_and_formulas():
    assert csv_cell("-5.00") == "-5.00" and csv_cell("-0.00") == "-0.00"
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-1+1") == "'-1+1"
    assert csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("+1") == "'+1"
    assert points(-0.0) == "0.00" and points(-0.0001) == "0.00" and points(-1.5) == "-1.50"


def test_summary_markdown_has_no_html_escapes():
    assert md_text("dZ = dA * 1[Z > 0]") == "dZ = dA * 1\\[Z > 0\\]"  # no link syntax
    assert md_text("v <- beta v + (1 - beta) g") == "v <- beta v + (1 - beta) g"
    assert md_text("<b>x</b>") == "\\<b>x\\</b>" and "&" not in md_text("<b>x</b>")
    assert re.fullmatch(r"a\\\|b", md_text("a|b"))
