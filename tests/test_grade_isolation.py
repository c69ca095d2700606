"""`make grade` on hostile input: one submission fails only itself, the roster comes only from the
export's own metadata, bad metadata is a message (never a hang or a crash), and no CSV cell is a
formula."""

import csv
import os
import struct
import zipfile
from pathlib import Path

import pytest
from grade_helpers import (
    copy_reference,
    copy_sample,
    grades,
    hostile_grade,
    metadata_yaml,
    run_grade,
    zip_folder,
)

from autograder.discovery import Submission
from autograder.engine.grading_host import grade_submission
from autograder.grade import grade_all
from autograder.model import Student


@pytest.fixture(scope="module")
def mistakes_score():
    """typical-mistakes-a's exact score, graded on its own."""
    return grade_submission(Path(__file__).parents[1] / "autograder" / "samples" /
                            "typical-mistakes-a").score


def _encrypted(archive: Path) -> Path:
    """Mark every member as encrypted (general-purpose flag bit 0), as a password zip has."""
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(signature, start)) >= 0:
            flags = struct.unpack_from("<H", data, i + offset)[0]
            struct.pack_into("<H", data, i + offset, flags | 1)
            start = i + 4
    archive.write_bytes(bytes(data))
    return archive


def _corrupt_crc(archive: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[0]
    data = bytearray(archive.read_bytes())
    data[info.header_offset + 30 + len(info.filename.encode()) + 5] ^= 0xFF  # inside the data
    archive.write_bytes(bytes(data))
    return archive


def test_bad_student_zips_are_error_rows_and_the_others_keep_their_scores(tmp_path,
                                                                         mistakes_score):
    work, subs = tmp_path / "work", tmp_path / "class"
    subs.mkdir()
    copy_reference(subs / "good" / "backprop")
    copy_sample("typical-mistakes-a", subs / "mistakes")
    copy_reference(work / "z" / "backprop")
    full = zip_folder(work / "z", work / "full.zip")
    (subs / "truncated.zip").write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    (subs / "notazip.zip").write_bytes(b"this is not a zip file at all")
    _encrypted(zip_folder(work / "z", subs / "encrypted.zip"))
    _corrupt_crc(zip_folder(work / "z", subs / "corrupt.zip"))
    out = tmp_path / "out"
    run = run_grade(subs, "--out", out, "--jobs", "2")
    assert run.returncode == 0, run.stderr
    rows = grades(out)
    assert float(rows["good"]["score"]) == 100.0
    assert rows["mistakes"]["score"] == f"{mistakes_score:.2f}"
    for bad in ("truncated", "notazip", "encrypted", "corrupt"):
        error = rows[bad]["error"]
        assert rows[bad]["score"] == "" and error, bad  # an error row has no score
        assert error.startswith(f"{bad} ({subs}/{bad}.zip): "), error  # the student and the file
        assert "backprop-lab-" not in error and "/tmp/" not in error.replace(str(tmp_path), "")
    assert "password" in rows["encrypted"]["error"]
    assert "damaged or truncated" in rows["truncated"]["error"]
    assert "truncated" in run.stdout and "error rows" in run.stdout


def test_a_crashing_raising_or_hanging_grader_fails_only_its_submission(tmp_path,
                                                                       mistakes_score):
    ref = copy_reference(tmp_path / "ref" / "backprop").parent
    mistakes = copy_sample("typical-mistakes-a", tmp_path / "mistakes")
    names = ["ok-1", "raises", "mistakes-1", "dies", "ok-2", "exits", "hangs", "mistakes-2"]
    subs = [Submission(Student(n), mistakes if n.startswith("mistakes") else ref, f"class/{n}/")
            for n in names]
    graded = grade_all(subs, jobs=2, deadline=20.0, grade_fn=hostile_grade)
    by_name = {g.student.submission: g for g in graded}
    assert [g.student.submission for g in graded] == names
    for n in ("ok-1", "ok-2"):
        assert by_name[n].result.score == 100.0 and not by_name[n].error
    for n in ("mistakes-1", "mistakes-2"):
        assert by_name[n].result.score == mistakes_score
    assert "RuntimeError: the trusted side raised" in by_name["raises"].error
    assert "died" in by_name["dies"].error and "SIGKILL" in by_name["dies"].error
    assert "died" in by_name["exits"].error and "exit code 3" in by_name["exits"].error
    assert "longer than 20 s" in by_name["hangs"].error
    for n in ("raises", "dies", "exits", "hangs"):
        assert by_name[n].result is None and by_name[n].error.startswith(f"{n} (class/{n}/): ")


def _export(root: Path, people: dict) -> Path:
    for folder in people:
        copy_reference(root / folder / "backprop")
    (root / "submission_metadata.yml").write_text(metadata_yaml(people))
    return root


def test_a_students_own_metadata_never_defines_the_roster(tmp_path):
    people = {"submission_1": [("Ada Lovelace", "001", "ada@example.edu")],
              "submission_2": [("Alan Turing", "002", "alan@example.edu")]}
    export = _export(tmp_path / "export", people)
    # submission_2 plants a metadata file swapping the names, and one in a nested folder
    forged = metadata_yaml({"submission_1": [("Mallory", "666", "m@evil")],
                            "submission_2": [("Ada Lovelace", "001", "ada@example.edu")]})
    (export / "submission_2" / "submission_metadata.yml").write_text(forged)
    (export / "submission_2" / "backprop" / "submission_metadata.yml").write_text(forged)
    out = tmp_path / "out"
    run = run_grade(export, "--out", out)
    assert run.returncode == 0, run.stderr
    rows = grades(out)
    assert rows["submission_1"]["name"] == "Ada Lovelace" and rows["submission_1"]["sid"] == "001"
    assert rows["submission_2"]["name"] == "Alan Turing" and rows["submission_2"]["sid"] == "002"
    # a folder of students' folders (no export): a student's metadata gives nobody a name
    (tmp_path / "class").mkdir()
    for n in ("alice", "bob"):
        copy_reference(tmp_path / "class" / n / "backprop")
    (tmp_path / "class" / "alice" / "submission_metadata.yml").write_text(
        metadata_yaml({"bob": [("Mallory", "666", "m@evil")]}))
    run = run_grade(tmp_path / "class", "--out", tmp_path / "out2")
    assert run.returncode == 0, run.stderr
    rows = grades(tmp_path / "out2")
    assert set(rows) == {"alice", "bob"} and rows["bob"]["name"] == "" == rows["alice"]["name"]
    # a zip with two root folders is no export, even if one of them holds metadata
    zipped = zip_folder(tmp_path / "class", tmp_path / "two-roots.zip")
    run = run_grade(zipped, "--out", tmp_path / "out3")
    assert run.returncode == 0, run.stderr
    assert {r["name"] for r in grades(tmp_path / "out3").values()} == {""}


def test_metadata_keys_must_name_direct_subfolders(tmp_path):
    export = _export(tmp_path / "export", {"submission_1": [("Ada", "001", "a@x")]})
    (tmp_path / "export" / "submission_metadata.yml").write_text(
        metadata_yaml({"submission_1": [("Ada", "001", "a@x")], "../outside": [("Eve", "9", "e")],
                       "submission_9": [("Ghost", "7", "g@x")]})
        + "submission_2:\n  :submitters: not-a-list\n")
    copy_reference(export / "submission_2" / "backprop")
    out = tmp_path / "out"
    run = run_grade(export, "--out", out)
    assert run.returncode == 0, run.stderr
    rows = grades(out)
    assert set(rows) == {"submission_1", "submission_2", "submission_9"}
    assert float(rows["submission_1"]["score"]) == 100 == float(rows["submission_2"]["score"])
    assert rows["submission_9"]["name"] == "Ghost" and "has no files" in rows["submission_9"]["error"]
    assert "'../outside' is not a submission folder name" in run.stderr
    assert "submission_2 has no list of submitters" in run.stderr


@pytest.mark.parametrize("kind", ["malformed", "list", "fifo", "symlink", "huge", "binary"])
def test_bad_metadata_is_a_message_not_a_hang_or_a_crash(tmp_path, kind):
    export = tmp_path / "export"
    copy_reference(export / "submission_1" / "backprop")
    meta = export / "submission_metadata.yml"
    expected = {"malformed": "is not valid YAML", "list": "should map each submission folder",
                "fifo": "is not a regular file", "symlink": "symbolic link",
                "huge": "larger than 64 MB", "binary": "YAML"}[kind]
    if kind == "malformed":
        meta.write_text("submission_1:\n  :submitters: [unclosed\n")
    elif kind == "list":
        meta.write_text("- submission_1\n- submission_2\n")
    elif kind == "fifo":
        os.mkfifo(meta)
    elif kind == "symlink":
        secret = tmp_path / "secret.yml"
        secret.write_text(metadata_yaml({"submission_1": [("Root", "0", "root@x")]}))
        meta.symlink_to(secret)
    elif kind == "huge":
        with open(meta, "wb") as fh:
            fh.truncate(65 * 2**20)
    elif kind == "binary":
        meta.write_bytes(b"\x00\xff\xfe\x00binary\x00")
    run = run_grade(export, "--out", tmp_path / "out", timeout=60)
    assert run.returncode == 2, run.stdout + run.stderr
    assert expected in run.stderr and "Traceback" not in run.stderr
    assert f"{export}/submission_metadata.yml" in run.stderr  # the file in the original input
    assert not (tmp_path / "out").exists()


def test_no_csv_cell_is_a_formula(tmp_path):
    people = {"submission_1": [("=HYPERLINK(\"http://evil\",\"x\")", "+1-2+3", "@SUM(A1)")],
              "submission_2": [("-2+3", "\t=1", "\r=2")]}
    out = tmp_path / "out"
    run = run_grade(_export(tmp_path / "export", people), "--out", out)
    assert run.returncode == 0, run.stderr
    for name in ("grades.csv", "canvas.csv"):
        with open(out / name, newline="", encoding="utf-8") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], name
        assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'+1-2+3" in cells
        assert "'@SUM(A1)" in cells and "'-2+3" in cells


def test_a_damaged_input_zip_is_a_message(tmp_path):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    run = run_grade(bad, "--out", tmp_path / "out", timeout=60)
    assert run.returncode == 2 and f"{bad} cannot be unpacked" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_student_folder_with_its_own_metadata_is_one_student_not_an_export(tmp_path):
    from autograder.discovery import discover

    mallory = copy_reference(tmp_path / "class" / "mallory" / "backprop").parent
    forged = metadata_yaml({"backprop": [("Ada Lovelace", "001", "ada@example.edu")]})
    (mallory / "submission_metadata.yml").write_text(forged)
    (mallory / "backprop" / "submission_metadata.yml").write_text(forged)
    for given in (mallory, mallory / "backprop"):
        found = discover(given, tmp_path / "scratch")
        assert [(s.student.submission, s.student.name) for s in found.submissions] == [
            (given.name, "")], given
    zipped = zip_folder(mallory, tmp_path / "mallory.zip", prefix="mallory/")
    found = discover(zipped, tmp_path / "scratch2")
    assert [(s.student.submission, s.student.name, s.path) for s in found.submissions] == [
        ("mallory", "", zipped)]
