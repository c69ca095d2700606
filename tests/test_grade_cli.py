"""`make grade`'s command: finds submissions in every accepted layout and writes every output."""

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.engine.core.framework import REGISTRY
from autograder.engine.grading_host import GRADED_FUNCTIONS
from autograder.engine.intake import find_package, safe_extract, staged

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "backprop"


def _copy_modules(dest: Path) -> None:
    dest.mkdir(parents=True)
    for f in REFERENCE.glob("*.py"):
        shutil.copy(f, dest / f.name)


def _zip_folder(folder: Path, archive: Path, prefix: str = "") -> None:
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, prefix + str(f.relative_to(folder)))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("subs")
    subs = base / "class"
    _copy_modules(subs / "flat")
    _copy_modules(subs / "nested" / "my-repo" / "src" / "backprop")
    (subs / "nested" / "my-repo" / "README.md").write_text("my work")
    _copy_modules(base / "tozip" / "backprop")
    _zip_folder(base / "tozip", subs / "zipped.zip")
    (subs / "empty").mkdir()
    out = base / "out"
    run = subprocess.run([sys.executable, "-m", "autograder.grade", str(subs), "--out", str(out),
                          "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    return out, run


def test_every_layout_is_found_and_graded(graded):
    out, run = graded
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert set(rows) == {"flat", "nested", "zipped", "empty"}
    for name in ("flat", "nested", "zipped"):
        assert float(rows[name]["score"]) == 100.0, name
    assert rows["empty"]["score"] == "" and "no module files" in rows["empty"]["error"]
    assert "3 graded, 1 could not be graded (4 submissions in" in run.stdout


def test_results_json_has_one_test_per_function(graded):
    out, _ = graded
    data = json.loads((out / "results" / "nested.json").read_text())
    assert [t["name"] for t in data["tests"]] == GRADED_FUNCTIONS
    for test in data["tests"]:
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert test["status"] in ("passed", "failed") and isinstance(test["output"], str)
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-6
    for test in data["tests"]:  # every check, with its points (summing to the function's)
        checks = test["extra_data"]["checks"]
        assert [c["name"] for c in checks] == [c.name for c in REGISTRY[test["name"]]]
        assert [c["public"] for c in checks] == [c.public for c in REGISTRY[test["name"]]]
        assert all(set(c) == {"name", "public", "passed", "points"} for c in checks)
        assert abs(sum(c["points"] for c in checks) - test["max_score"]) < 1e-6
        assert abs(sum(c["points"] for c in checks if c["passed"]) - test["score"]) < 1e-6
    empty = json.loads((out / "results" / "empty.json").read_text())
    assert "could not be graded: no module files" in empty["output"] and not empty["tests"]


def test_csv_columns_summary_and_plot(graded):
    out, _ = graded
    header = next(csv.reader(open(out / "grades.csv")))
    assert header == ["submission", "name", "email", "sid", "submitted_at", "late", "hours_late",
                      "score", "max_score", *GRADED_FUNCTIONS, "error"]
    summary = (out / "summary.md").read_text()
    assert "| sigmoid |" in summary and "4 submissions" in summary
    assert (out / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gradescope_export_zip(tmp_path):
    export = tmp_path / "export"
    _copy_modules(export / "submission_101")
    (export / "submission_202").mkdir()
    (export / "submission_202" / "losses.py").write_text("def mse_loss(Y_hat, Y):\n    return 0.0\n")
    (export / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ada Lovelace\n    :sid: '001'\n"
        "    :email: ada@example.edu\n  :created_at: 2026-11-01 10:00:00\n  :score: 0.0\n"
        "submission_202:\n  :submitters:\n  - :name: Alan Turing\n    :sid: '002'\n"
        "    :email: alan@example.edu\n  - :name: Grace Hopper\n    :sid: '003'\n"
        "    :email: grace@example.edu\n"
    )
    archive = tmp_path / "assignment_export.zip"
    _zip_folder(tmp_path, archive, prefix="")
    shutil.rmtree(export)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "autograder.grade", str(archive), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "grades.csv"))}
    assert rows["submission_101"]["name"] == "Ada Lovelace"
    assert rows["submission_101"]["sid"] == "001" and float(rows["submission_101"]["score"]) == 100
    assert rows["submission_202"]["email"] == "alan@example.edu; grace@example.edu"
    assert float(rows["submission_202"]["score"]) == 0


def test_zip_extraction_refuses_escapes(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../escaped.py", "x = 1")
        zf.writestr("/abs.py", "x = 1")
        zf.writestr("backprop/losses.py", "x = 1")
    dest = tmp_path / "dest"
    dest.mkdir()
    safe_extract(archive, dest)
    assert not (tmp_path / "escaped.py").exists() and not Path("/abs.py").exists()
    assert (dest / "backprop" / "losses.py").exists()


def test_staging_prefers_a_backprop_folder_and_replaces_init(tmp_path):
    _copy_modules(tmp_path / "old_attempt")
    _copy_modules(tmp_path / "deep" / "backprop")
    (tmp_path / "deep" / "backprop" / "__init__.py").write_text("from . import layers\n")
    assert find_package(tmp_path) == tmp_path / "deep" / "backprop"
    with staged(tmp_path) as (package, notes):
        assert "import" not in (package / "__init__.py").read_text() and notes == []
        assert (package / "layers.py").exists()


def test_scores_png_draws_each_score_in_its_bin(tmp_path):
    """The histogram's bars stand in the bins of the scores, as high as their counts (read back
    from the image's pixels: the bar colour, column by column)."""
    from PIL import Image

    from autograder.outputs import histogram as h

    path = tmp_path / "scores.png"
    h.plot_scores([100.0, 100.0, 99.5, 50.0, 3.0], 100.0, path, left_out=1)
    image = Image.open(path).convert("RGB")
    assert image.size == (h.WIDTH, h.HEIGHT)
    bar_w = (h.WIDTH - h.LEFT - h.RIGHT) / h.BINS
    heights = []
    for i in range(h.BINS):
        x = int(h.LEFT + (i + 0.5) * bar_w)
        heights.append(sum(image.getpixel((x, y)) == h.BAR for y in range(h.HEIGHT)))
    drawn = {i: n for i, n in enumerate(heights) if n}
    assert sorted(drawn) == [0, 10, 19], heights
    assert drawn[19] == pytest.approx(3 * drawn[10], abs=3) and drawn[0] == pytest.approx(
        drawn[10], abs=2), heights
