"""Inputs that once stopped the grading of a whole class: a folder tree deeper than Python's
recursion limit, a folder name that is not UTF-8, names with terminal controls and Markdown,
and a submission whose messages hold lone surrogates and megabytes of text
(tests/attacks/poison_text). Each must be at most its own submission's error row."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grader_harness import ROOT  # noqa: E402
from test_grader_security import assemble  # noqa: E402

from autograder.discovery import discover  # noqa: E402
from autograder.engine.intake import SubmissionError, find_package, safe_extract  # noqa: E402
from autograder.engine.sandbox.uids import remove_tree  # noqa: E402
from autograder.engine.untrusted_text import bound_result, safe_name, safe_text  # noqa: E402

DEEP = 3000  # folders: three times Python's recursion limit
HOSTILE_NAME = "eve \x1b[2J\x1b[31m![x](http://198.51.100.7/p.png) <img src=x> \u202e"


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path):
    """pytest's own clean-up of old temporary folders recurses: no deep tree may stay."""
    yield
    for entry in list(tmp_path.iterdir()):
        remove_tree(entry)


def _deep(folder: Path, levels: int = DEEP) -> None:
    """``levels`` nested folders under ``folder`` (made relative to stay under PATH_MAX)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        for _ in range(levels):
            os.mkdir("d")
            os.chdir("d")
        Path("activations.py").write_text("x = 1\n")
    finally:
        os.chdir(here)


def test_safe_text_makes_any_string_printable_and_bounded():
    text = safe_text("caf\udce9 \ud800 \x1b[31mred\x1b[0m\n\tok \u202e\x85", 1000)
    text.encode("utf-8")  # no surrogate left
    assert "\x1b" not in text and "\u202e" not in text and "\x85" not in text
    assert "\n\tok" in text and "caf\ufffd" in text
    assert safe_name("a\nb\x1b") == "a b?"
    cut = safe_text("x" * 10_000_000, 500)
    assert len(cut) < 600 and cut.endswith("[... cut: too long]")


def test_bound_result_caps_a_submission_as_a_whole():
    from autograder.engine.core.framework import CheckResult
    from autograder.engine.grading_host import FunctionResult, SubmissionResult

    checks = [CheckResult(f"check {i}", 1.0, False, "\ud800" * 5000) for i in range(200)]
    result = SubmissionResult("s\udce9", {"f": FunctionResult("f", 0, 1, checks, "y" * 10**7)},
                              stdout="\x1b" * 10**6, notes=["n\ud800"] * 1000)
    bound_result(result)
    texts = [result.name, result.stdout, *result.notes, result.functions["f"].output,
             *(c.message for c in checks)]
    total = sum(len(t) for t in texts)
    assert total < 300_000, total
    for t in texts:
        t.encode("utf-8")
        assert "\x1b" not in t


def test_a_deep_tree_is_that_submissions_error(tmp_path):
    _deep(tmp_path)
    with pytest.raises(SubmissionError, match="nested more than"):
        find_package(tmp_path)
    archive = tmp_path / "deep.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("/".join(["d"] * 2000) + "/activations.py", "x = 1\n")
    with pytest.raises(SubmissionError, match="nested more than"):
        safe_extract(archive, tmp_path / "unzipped")


def test_remove_tree_needs_no_recursion_and_follows_no_link(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "file").write_text("kept")
    top = tmp_path / "tree"
    top.mkdir()
    _deep(top)
    os.symlink(keep, top / "link")
    os.symlink(keep, top / "d" / "d" / "link")
    remove_tree(top)
    assert not top.exists() and (keep / "file").read_text() == "kept"


def test_discovery_names_are_safe(tmp_path):
    for name in (b"caf\xe9", HOSTILE_NAME.encode()):
        package = Path(os.fsdecode(bytes(tmp_path) + b"/" + name)) / "backprop"
        package.mkdir(parents=True)
        (package / "activations.py").write_text("x = 1\n")
    (tmp_path / "deep").mkdir()
    _deep(tmp_path / "deep")
    found = discover(tmp_path, tmp_path / "scratch")
    names = sorted(s.student.submission for s in found.submissions)
    assert len(names) == 3
    for name in names:
        name.encode("utf-8")
        assert "\x1b" not in name and "\u202e" not in name
    assert all(os.path.lexists(s.path) for s in found.submissions)  # paths stay usable


def _grade(batch: Path, out: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "HOME": str(out.parent), "BACKPROP_LAB_ALLOW_UNSANDBOXED": "1"}
    return subprocess.run([sys.executable, "-m", "autograder.grade", str(batch), "--out",
                           str(out), "--jobs", "2"], cwd=ROOT, env=env, capture_output=True,
                          timeout=400, check=False)


def test_make_grade_survives_every_hostile_input(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    assemble("poison_text", batch / "poison", honest=False)
    assemble("poison_text", batch / "poison-twin", honest=True)
    weird = Path(os.fsdecode(bytes(batch) + b"/caf\xe9"))
    assemble("poison_text", weird, honest=True)
    assemble("poison_text", batch / HOSTILE_NAME, honest=True)
    assemble("poison_text", batch / "deep", honest=True)
    _deep(batch / "deep" / "backprop")
    out = tmp_path / "out"
    done = _grade(batch, out)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "grades.csv",
                                                           encoding="utf-8"))}
    assert len(rows) == 5, rows.keys()
    assert rows["deep"]["error"] and "nested more than" in rows["deep"]["error"]
    twin = rows["poison-twin"]
    for name, row in rows.items():
        if name not in ("deep", "poison"):
            assert row["score"] == twin["score"], (name, row)
    assert float(rows["poison"]["score"]) < float(twin["score"])
    assert float(rows["poison"]["mse_loss"]) == 0 == float(rows["poison"]["mse_loss_backward"])
    for stream in (done.stdout, done.stderr):
        stream.decode("utf-8")
        assert b"\x1b" not in stream
    poison_bytes = 0
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix == ".png":
            continue
        text = path.read_bytes().decode("utf-8")  # every output is valid UTF-8
        for bad in ("\x1b", "\u202e"):
            assert bad not in text, (path, bad)
        if path.suffix == ".md":  # outside code blocks, nothing renders as an image or HTML
            prose = re.sub(r"(?ms)^(`{3,})text$.*?^\1$", "", text)
            assert "![" not in prose and "<img" not in prose, (path, prose[:2000])
        if path.suffix == ".html":
            assert "<img src=x" not in text, path
        if "poison" in path.name and "twin" not in path.name:
            poison_bytes += len(text)
    assert 0 < poison_bytes < 1_000_000, poison_bytes  # the attack sent ~20 MB
