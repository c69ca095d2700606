"""Regrading one student, merging into an earlier OUT, comparing runs, no stale files, the CSVs
(2 decimals, Canvas) and the late flag."""

import csv
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from grade_helpers import (
    all_files,
    copy_reference,
    copy_sample,
    grades,
    metadata_yaml,
    run_grade,
    zip_folder,
)

from autograder.outputs.lms import CANVAS_HEADER, hours_late, parse_when

PEOPLE = {"submission_101": [("Ada Lovelace", "001", "ada@example.edu")],
          "submission_202": [("Alan Turing", "002", "alan@example.edu"),
                             ("Grace Hopper", "003", "grace@example.edu")],
          "submission_303": [("Edsger Dijkstra", "004", "ed@example.edu")]}
CREATED = {"submission_101": "2026-11-20 22:10:03.123456000 -08:00",
           "submission_202": "2026-11-21 01:30:00.000000000 -08:00",
           "submission_303": "2026-11-19 09:00:00 +01:00"}
DUE = "2026-11-20 23:59 -08:00"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("runs") / "export"
    copy_reference(root / "submission_101" / "backprop")
    copy_sample("typical-mistakes-b", root / "submission_202")
    copy_sample("partially-done", root / "submission_303")
    (root / "submission_metadata.yml").write_text(metadata_yaml(PEOPLE, CREATED))
    return root


@pytest.fixture(scope="module")
def first_run(export, tmp_path_factory):
    out = tmp_path_factory.mktemp("first") / "out"
    run = run_grade(export, "--out", out, "--due", DUE, "--canvas-assignment", "HW3 (12345)")
    assert run.returncode == 0, run.stderr
    return out, run


def test_scores_have_two_decimals_everywhere(first_run):
    out, run = first_run
    with open(out / "grades.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    numeric = [v for r in rows for k, v in r.items()
               if k not in ("submission", "name", "email", "sid", "submitted_at", "late", "error")
               and v != ""]
    assert numeric and all(re.fullmatch(r"\d+\.\d\d", v) for v in numeric), numeric
    assert {r["max_score"] for r in rows} == {"100.00"}
    assert "Ada Lovelace" in run.stdout and "Alan Turing; Grace Hopper" in run.stdout  # names


def test_late_flag_from_created_at_against_due(first_run):
    rows = grades(first_run[0])
    assert rows["submission_101"]["late"] == "no" and rows["submission_101"]["hours_late"] == "0.00"
    assert rows["submission_202"]["late"] == "yes" and rows["submission_202"]["hours_late"] == "1.52"
    assert rows["submission_303"]["late"] == "no"
    assert rows["submission_202"]["submitted_at"].startswith("2026-11-21 01:30:00")
    summary = (first_run[0] / "summary.md").read_text()
    assert "Alan Turing; Grace Hopper (submission_202): 1.52 h late" in summary


def test_late_flag_parsing():
    due = parse_when("2026-11-20", end_of_day=True)
    assert due.hour == 23 and due.minute == 59 and due.tzinfo is not None
    assert hours_late("2026-11-21T00:29:59Z", parse_when("2026-11-20 23:59:59 UTC")) == 0.5
    assert hours_late("", due) is None and hours_late("2026-11-21", None) is None
    assert hours_late("yesterday", due) is None
    naive = parse_when("2026-11-20 12:00")
    assert naive.utcoffset() == datetime(2026, 11, 20, 12).astimezone().utcoffset()
    assert parse_when("2026-11-20T12:00:00+0530").utcoffset() == timedelta(hours=5, minutes=30)
    assert parse_when("2026-11-20 12:00 Z").tzinfo == timezone.utc
    with pytest.raises(ValueError, match="not a date"):
        parse_when("next friday")


def test_canvas_csv_one_row_per_member(first_run):
    with open(first_run[0] / "canvas.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [*CANVAS_HEADER, "HW3 (12345)"]
    by_sid = {r[2]: r for r in rows[1:]}
    assert by_sid["001"] == ["Ada Lovelace", "", "001", "ada@example.edu", "", "100.00"]
    assert by_sid["002"][0] == "Alan Turing" and by_sid["003"][0] == "Grace Hopper"
    assert by_sid["002"][5] == by_sid["003"][5] == grades(first_run[0])["submission_202"]["score"]


def test_regrade_one_export_folder_merge_and_compare(export, first_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(first_run[0], out)
    (out / "stale-from-old-version.json").write_text("{}")
    before = grades(out)
    # the instructor fixes submission_303 (as if a check had changed) and regrades it alone
    fixed = tmp_path / "export"
    shutil.copytree(export, fixed)
    shutil.rmtree(fixed / "submission_303")
    copy_reference(fixed / "submission_303" / "backprop")
    run = run_grade(fixed / "submission_303", "--out", out, "--merge", "--compare", out,
                    "--due", DUE)
    assert run.returncode == 0, run.stderr
    after = grades(out)
    assert set(after) == set(before)  # the others are kept
    assert after["submission_303"]["name"] == "Edsger Dijkstra"  # from the parent's metadata
    assert after["submission_303"]["score"] == "100.00"
    for kept in ("submission_101", "submission_202"):
        assert after[kept] == before[kept]
    assert "stale-from-old-version.json" not in all_files(out)  # OUT was replaced whole
    # the comparison names the student, the total and the functions that moved
    assert "submission_303 (Edsger Dijkstra): 34.60 -> 100.00" in run.stdout
    assert "dense_forward 0.00 -> 4.00" in run.stdout
    changes = list(csv.DictReader(open(out / "changes.csv", newline="")))
    assert [c["submission"] for c in changes] == ["submission_303"]
    assert changes[0]["old_score"] == "34.60" and changes[0]["difference"] == "65.40"
    assert "dense_forward" in (out / "changes.md").read_text()


def test_without_merge_out_holds_only_this_run(first_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(first_run[0], out)
    single = copy_reference(tmp_path / "alice" / "backprop").parent
    run = run_grade(single, "--out", out, "--compare", first_run[0])
    assert run.returncode == 0, run.stderr
    assert set(grades(out)) == {"alice"}  # a folder holding backprop/ is one student: "alice"
    files = all_files(out)
    assert "feedback/alice.md" in files and "results/alice.json" in files
    assert not [f for f in files if "submission_" in f]  # no stale results of the earlier run
    assert "alice (no name): - -> 100.00 [new]" in run.stdout
    assert "3 submission(s) of" in run.stdout and "are not in this run: submission_101" in run.stdout


def test_one_zip_is_one_student(tmp_path):
    copy_reference(tmp_path / "handout" / "backprop")
    (tmp_path / "handout" / "README.md").write_text("my notes")
    zipped = zip_folder(tmp_path / "handout", tmp_path / "bob.zip", prefix="backprop-lab-handout/")
    run = run_grade(zipped, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert {k: v["score"] for k, v in grades(tmp_path / "out").items()} == {"bob": "100.00"}
    nested = copy_sample("nested-repo", tmp_path / "carol")
    run = run_grade(nested, "--out", tmp_path / "out2")
    assert run.returncode == 0, run.stderr
    assert set(grades(tmp_path / "out2")) == {"carol"}


def test_out_that_is_not_a_grading_output_is_never_replaced(tmp_path):
    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    single = copy_reference(tmp_path / "alice" / "backprop").parent
    run = run_grade(single, "--out", precious)
    assert run.returncode == 2 and "holds no earlier grading" in run.stderr
    assert (precious / "thesis.tex").read_text() == "years of work"
    run = run_grade(single, "--out", tmp_path / "new", "--merge")
    assert run.returncode == 2 and "does not exist" in run.stderr
    older = tmp_path / "older-version-out"
    older.mkdir()
    (older / "grades.csv").write_text("submission,score\nalice,100.0\n")
    run = run_grade(single, "--out", older, "--merge")
    assert run.returncode == 2 and "has no data.json" in run.stderr
