"""The grader as an installed Otter plugin, graded with Otter's own command.

- ``otter run -a autograder.zip SUBMISSION`` (from .venv, where the Makefile installs the
  backprop-lab package) gives the per-function scores of ``make grade`` on the bundled samples,
  the reference and a slice of the mutants, uploaded as a zip of the package or of flat files.
  A zip built for another version of the grader is refused with a message saying so.

The zip on Gradescope's own path (its setup and run_autograder) is tested in
test_gradescope_path.py.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from grader_harness import reference_flat

from autograder.engine.grading_host import GRADED_FUNCTIONS, grade_submission
from autograder.mistakes import MUTANTS, apply_mutant  # noqa: E402
from autograder.packaging import build_autograder as build

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "backprop"
SAMPLES = ROOT / "autograder" / "samples"
TOLERANCE = 1e-9  # both sides round the same sums to 5 decimals: this only absorbs float noise
MUTANT_SLICE = MUTANTS[::24]  # a spread over the catalog (the samples hold more mistakes)


# --- helpers -------------------------------------------------------------------------------------
def zip_folder(folder: Path, dest: Path, prefix: str = "") -> Path:
    """Zip ``folder``'s contents (as a student's zip tool would), names under ``prefix``."""
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return dest


def otter_run(zip_path: Path, submission: Path, work: Path) -> tuple[dict | None, str]:
    """``otter run -a zip_path submission`` from this environment: results.json and the output."""
    out = work / f"out-{submission.stem}"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([*build.otter_command(), "run", "-a", str(zip_path), "-o", str(out),
                           str(submission)], cwd=work, capture_output=True, text=True, timeout=300,
                          env=env)
    results = out / "results.json"
    return (json.loads(results.read_text()) if results.is_file() else None,
            done.stdout + done.stderr)


def function_scores(results: dict) -> dict[str, float]:
    """Per-function scores of an Otter results.json ("Public Tests" has no score)."""
    return {t["name"]: t["score"] for t in results["tests"] if "score" in t}


def make_grade(folder: Path, out: Path) -> dict[str, dict[str, float]]:
    """`make grade`'s command on a folder of submissions: per submission (grades.csv's rows) and
    function, the score in its results/<submission>.json (grades.csv rounds to 2 decimals)."""
    done = subprocess.run([sys.executable, "-m", "autograder.grade", str(folder), "--out", str(out),
                           "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out / "grades.csv", newline="") as fh:
        names = [row["submission"] for row in csv.DictReader(fh)]
    return {name: function_scores(json.loads((out / "results" / f"{name}.json").read_text()))
            for name in names}


def assert_same_scores(theirs: dict[str, float], ours: dict[str, float], label: str) -> None:
    assert set(theirs) == set(GRADED_FUNCTIONS), (label, set(theirs) ^ set(GRADED_FUNCTIONS))
    wrong = {f: (theirs[f], ours[f]) for f in GRADED_FUNCTIONS if abs(theirs[f] - ours[f]) > TOLERANCE}
    assert not wrong, f"{label}: Otter vs make grade differ: {wrong}"


def engine_scores(path: Path) -> dict[str, float]:
    return {f: r.score for f, r in grade_submission(path).functions.items()}


def write_notebook(path: Path) -> None:
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("from backprop.activations import sigmoid")])))


def reference_package(dest: Path) -> Path:
    shutil.copytree(SOLUTIONS, dest / "backprop", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


# --- otter run -----------------------------------------------------------------------------------
def test_otter_run_grades_as_make_grade(autograder_zip: Path, tmp_path: Path) -> None:
    """The bundled samples, the reference (package zip and flat zip) and a slice of the mutants:
    ``otter run`` and ``make grade`` give the same score to every function."""
    folders = tmp_path / "submissions"
    folders.mkdir()
    for sample in sorted(p for p in SAMPLES.iterdir() if p.is_dir() and not p.name.startswith(".")):
        shutil.copytree(sample, folders / sample.name)
    reference_package(folders / "reference-package")
    reference_flat(folders / "reference-flat")
    for mutant in MUTANT_SLICE:
        apply_mutant(mutant, folders / f"mutant-{mutant.name}")
    expected = make_grade(folders, tmp_path / "make-grade")
    assert len(expected) == len(list(folders.iterdir()))
    assert_same_scores(expected["reference-package"], expected["reference-flat"], "reference")
    figures = []
    uploads = [zip_folder(folder, tmp_path / f"{folder.name}.zip")
               for folder in sorted(folders.iterdir())]
    with ThreadPoolExecutor(2) as pool:  # each run mostly waits on its kernel
        runs = list(pool.map(lambda upload: otter_run(autograder_zip, upload, tmp_path), uploads))
    for folder, (results, output) in zip(sorted(folders.iterdir()), runs):
        assert results is not None, output[-3000:]
        assert_same_scores(function_scores(results), expected[folder.name], folder.name)
        assert "backprop-lab engine:" in output  # the plugin ran (its report)
        figures.append(f"{folder.name}: {sum(function_scores(results).values()):.4g}")
    print("otter run = make grade on", len(figures), "submissions:", "; ".join(figures))
    assert sum(expected["reference-flat"].values()) == pytest.approx(100)
    assert any(sum(v.values()) < 100 for k, v in expected.items() if k.startswith("mutant-"))


def test_otter_run_refuses_a_zip_built_for_another_grader(autograder_zip: Path, tmp_path: Path) -> None:
    """The zip's test files were made from one version of the grader: with another one installed,
    ``otter run`` stops with a message that says what to do, not with wrong scores."""
    stale = tmp_path / "stale.zip"
    with zipfile.ZipFile(autograder_zip) as src, zipfile.ZipFile(stale, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "otter_config.json":
                config = json.loads(data)
                config["plugins"][0][build.PLUGIN]["package_digest"] = "0" * 64
                data = json.dumps(config).encode()
            dst.writestr(info, data)
    upload_zip = zip_folder(reference_flat(tmp_path / "reference"), tmp_path / "reference.zip")
    results, output = otter_run(stale, upload_zip, tmp_path)
    assert results is None, results  # Otter stops (its OtterRuntimeError) and copies no results
    assert "is not the one this autograder zip was built from" in output, output[-3000:]
    assert "make autograder" in output


def test_otter_run_still_refuses_two_notebooks(autograder_zip: Path, tmp_path: Path) -> None:
    """``otter run`` has no step before Otter picks the notebook, so an upload with a notebook of
    another name still stops there (Gradescope's run_autograder sets them aside: see below). The
    instructor guide says so; local_run.py grades such an upload as Gradescope does."""
    folder = reference_flat(tmp_path / "with-notebooks")
    write_notebook(folder / "backprop_lab (1).ipynb")
    results, output = otter_run(autograder_zip, zip_folder(folder, tmp_path / "n.zip"), tmp_path)
    assert "More than one .ipynb file found in submission" in output


def test_readme_leads_with_the_command_that_grades_real_uploads() -> None:
    """Trying the zip: the README's first command is the one that grades what students really
    upload (a folder, a second notebook such as "backprop_lab (1).ipynb"); `otter run`, which
    stops on those, comes after it, with the reason."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### 1. Build the zip"):readme.index("### 2. Create the assignment")]
    blocks = [b for b in section.split("```")[1::2] if "local_run.py" in b or "otter run" in b]
    assert "local_run.py" in blocks[0] and "otter run" not in blocks[0], blocks
    assert any("otter run -a" in b for b in blocks[1:])
    assert "backprop_lab (1).ipynb" in section.split("otter run -a")[0]
    assert "More than one .ipynb file found" in section.split("otter run -a", 1)[1]
