"""The grader as an installed Otter plugin, graded with Otter's own commands.

- ``otter run -a autograder.zip SUBMISSION`` (from .venv, where the Makefile installs the
  backprop-lab package) gives the per-function scores of ``make grade`` on the bundled samples,
  the reference and a slice of the mutants, uploaded as a zip of the package or of flat files.
  A zip built for another version of the grader is refused with a message saying so.
- Gradescope's setup path, as far as it runs here: the zip's environment.yml installs the wheel
  carried inside the zip by its path. A fresh virtualenv stands in for Miniforge's ``otter-env``
  (see :func:`fresh_environment`); the wheel is installed from the zip with pip as
  environment.yml asks, and the Gradescope layout is graded with that environment alone.
- Every reasonable upload is graded on the Gradescope path (the zip's run_autograder, laid out
  by local_run.py) as make grade grades it: extra notebooks, extra files, ``__MACOSX/``, the
  package one folder deeper, the whole handout folder.
- A test file changed while the submission runs: the change never runs, and every score is 0
  with a message that says why.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml
from grader_harness import reference_flat

from autograder.engine.grading_host import GRADED_FUNCTIONS, grade_submission
from autograder.engine.sandbox.isolation import detect
from autograder.engine.sandbox.uids import is_root
from autograder.gradescope import integrity, upload
from autograder.gradescope.entry import ENTRY_NOTEBOOK
from autograder.mistakes import MUTANTS, apply_mutant  # noqa: E402
from autograder.packaging import build_autograder as build
from autograder.packaging import local_run

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "backprop"
SAMPLES = ROOT / "autograder" / "samples"
TOLERANCE = 1e-9  # both sides round the same sums to 5 decimals: this only absorbs float noise
MUTANT_SLICE = MUTANTS[::12]  # a spread over every module of the catalog


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


# --- Gradescope's setup path ---------------------------------------------------------------------
def fresh_environment(where: Path) -> Path:
    """A new virtualenv standing in for setup.sh's ``otter-env``; returns its python.

    What setup.sh does that cannot run here (no network but the package registries): apt-get
    (Gradescope's image packages, bubblewrap), the Miniforge download from GitHub, ``mamba env
    create`` from conda-forge (Python 3.13, pip, jupyter_server) and ``playwright install``. The
    stand-in: a virtualenv of this machine's Python whose site-packages also sees .venv's (a .pth
    line: otter-grader[grading]==7.0.0 and the pinned numpy and PyYAML, installed from PyPI by
    the Makefile). .venv's own backprop-lab install is left out of that view: the grader can
    come only from the zip's wheel.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    site = next((where / "lib").glob("python3*/site-packages"))
    venv_site = next(p for p in map(Path, sys.path) if p.name == "site-packages"
                     and p.is_relative_to(Path(sys.prefix)))
    stand_in = where / "conda-packages"
    stand_in.mkdir()
    for entry in venv_site.iterdir():
        if not entry.name.startswith(("backprop_lab", "__editable__")) and entry.suffix != ".pth":
            (stand_in / entry.name).symlink_to(entry)
    (site / "otter-env-stand-in.pth").write_text(f"{stand_in}\n")
    return where / "bin" / "python"


def test_gradescope_setup_installs_the_wheel_from_the_zip_and_grades(
        autograder_zip: Path, tmp_path: Path) -> None:
    source = tmp_path / "source"
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(source)
    environment = yaml.safe_load((source / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    wheels = [line for line in pip if line.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].startswith(f"{build.AUTOGRADER_DIR}/source/{build.WHEEL_DIR}/")
    assert not [line for line in pip if "backprop" in line and line not in wheels]  # no index
    wheel = source / wheels[0].removeprefix(f"{build.AUTOGRADER_DIR}/source/")
    assert wheel.is_file()

    python = fresh_environment(tmp_path / "otter-env")
    # environment.yml's pip list, as mamba hands it to pip, with two stand-ins: the zip's path,
    # and Otter's "plugins" extra (Google API clients for Otter's own plugins, not used here)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("".join(
        line.replace(f"{build.AUTOGRADER_DIR}/source", str(source))
        .replace("[grading,plugins]", "[grading]") + "\n" for line in pip))
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                           "--no-index", "--disable-pip-version-check", "-r", str(requirements)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    where = subprocess.run([str(python), "-I", "-c", "import autograder, importlib.metadata as m; "
                            "print(autograder.__file__); print(m.version('backprop-lab'))"],
                           capture_output=True, text=True, check=True).stdout.split()
    installed = Path(where[0]).parent
    assert installed.is_relative_to(tmp_path / "otter-env"), where  # from the wheel, not .venv
    assert wheel.name.startswith(f"backprop_lab-{where[1]}-")
    assert sorted(integrity.package_files(installed)) == sorted(integrity.package_files())

    for label, submission in (("reference", reference_flat(tmp_path / "reference")),
                              ("typical-mistakes-b", SAMPLES / "typical-mistakes-b")):
        root = tmp_path / f"gradescope-{label}"
        root.mkdir()
        local_run.lay_out(autograder_zip, submission, root)
        done = local_run.run(root, python=str(python))
        assert done.results is not None, done.stdout + done.stderr
        assert_same_scores(function_scores(done.results), engine_scores(submission), label)
        assert "INTEGRITY CHECK FAILED" not in done.stdout
    if is_root() and detect().mode == "uid":  # no namespaces: the installed grader (hidden
        # checks, quiz key) is closed to the worker's uid, the rest of site-packages is not
        assert installed.stat().st_mode & 0o077 == 0, oct(installed.stat().st_mode)
        numpy_dir = next(installed.parent.glob("numpy"), None)
        assert numpy_dir is None or numpy_dir.is_symlink() or numpy_dir.stat().st_mode & 0o005


# --- upload shapes on the Gradescope path --------------------------------------------------------
def extra_notebooks(dest: Path) -> Path:
    reference_flat(dest)
    for name in ("backprop_lab.ipynb", "backprop_lab (1).ipynb", "my notes.ipynb"):
        write_notebook(dest / name)
    return dest


def extra_files(dest: Path) -> Path:
    apply_mutant(MUTANT_SLICE[1], dest)
    (dest / "notes.txt").write_text("my notes\n")
    (dest / "check.py").write_text("print('my own checks')\n")
    (dest / "test_mine.py").write_text("def test_nothing():\n    pass\n")
    (dest / "data.csv").write_text("1,2\n")
    (dest / "__pycache__").mkdir()
    (dest / "__pycache__" / "layers.cpython-311.pyc").write_bytes(b"\0")
    return dest


def macosx(dest: Path) -> Path:
    reference_package(dest)
    resources = dest / "__MACOSX" / "backprop"
    resources.mkdir(parents=True)
    for path in sorted(SOLUTIONS.glob("*.py")):
        (resources / f"._{path.name}").write_bytes(b"\0\x05\x16\x07AppleDouble")
    (dest / "__MACOSX" / "._backprop").write_bytes(b"\0\x05\x16\x07")
    return dest


def deeper(dest: Path) -> Path:
    shutil.copytree(SAMPLES / "typical-mistakes-b", dest / "my-submission")
    return dest


def handout_folder(dest: Path, handout: Path) -> Path:
    """The whole handout folder (make handout's zip, unpacked), with the student's work in it."""
    with zipfile.ZipFile(handout) as zf:
        zf.extractall(dest)
    top = dest / "backprop-lab-handout"
    assert (top / "backprop_lab.ipynb").is_file() and (top / "check.py").is_file()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, top / "backprop" / path.name)
    return dest


SHAPES = {"extra notebooks": extra_notebooks, "extra files": extra_files, "__MACOSX": macosx,
          "one folder deeper": deeper, "whole handout folder": handout_folder}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_reasonable_upload_is_graded_on_gradescope(
        shape: str, autograder_zip: Path, handout_zip: Path, tmp_path: Path) -> None:
    folder = (handout_folder(tmp_path / "upload", handout_zip) if shape == "whole handout folder"
              else SHAPES[shape](tmp_path / "upload"))
    upload_zip = zip_folder(folder, tmp_path / "upload.zip")  # Gradescope unpacks an uploaded zip
    root = tmp_path / "gradescope"
    root.mkdir()
    local_run.lay_out(autograder_zip, upload_zip, root)
    done = local_run.run(root)
    assert done.results is not None, done.stdout + done.stderr
    assert "Autograder Error" not in json.dumps(done.results), done.results
    assert_same_scores(function_scores(done.results), engine_scores(folder), shape)
    print(f"{shape}: {sum(function_scores(done.results).values()):.4g} / 100;",
          done.results["output"].splitlines()[1])
    if shape == "extra notebooks":
        assert ("Set aside: backprop_lab (1).ipynb, backprop_lab.ipynb, my notes.ipynb."
                in done.results["output"])


def test_upload_tidying_removes_top_level_links_before_otter_writes_through_them(
        tmp_path: Path) -> None:
    submission = tmp_path / "submission"
    (submission / "backprop").mkdir(parents=True)
    target = tmp_path / "root-owned.txt"
    target.write_text("keep")
    for name in ("__init__.py", "tests", "backprop_lab.ipynb"):
        (submission / name).symlink_to(target)
    (submission / "backprop" / "layers.py").symlink_to(target)  # never graded, left alone
    assert upload.main([str(submission)]) == 0
    assert sorted(os.listdir(submission)) == ["backprop"]
    assert target.read_text() == "keep" and (submission / "backprop" / "layers.py").is_symlink()


def test_set_aside_moves_top_level_notebooks_only(tmp_path: Path) -> None:
    submission = tmp_path / "submission"
    (submission / "backprop").mkdir(parents=True)
    (submission / "a.ipynb").write_text("{}")
    (submission / "b [1].ipynb").write_text("{}")
    (submission / "backprop" / "c.ipynb").write_text("{}")
    (submission / "link.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (submission / f"{upload.SET_ASIDE_PREFIX}planted").symlink_to(decoy)
    assert upload.set_aside_notebooks(submission) == ["a.ipynb", "b [1].ipynb", "link.ipynb"]
    assert sorted(p.name for p in submission.glob("*.ipynb")) == []
    assert (submission / "backprop" / "c.ipynb").is_file() and not list(decoy.iterdir())
    assert upload.set_aside(submission) == ["a.ipynb", "b [1].ipynb", "link.ipynb"]
    assert upload.set_aside_notebooks(submission) == []


# --- integrity -----------------------------------------------------------------------------------
SLOW_IMPORT = """
import time as _time
_time.sleep(4)  # this submission is still running while the test files are changed
"""

FORGED_TEST = '''
from otter.test_files import test_case
OK_FORMAT = False
name = "sigmoid"

@test_case(name="forged", points=4, hidden=False)
def forged(env):
    open({marker!r}, "w").close()
'''


def grading_kernel(submission: Path) -> int | None:
    """The pid of Otter's kernel running in ``submission`` (it starts after before_grading)."""
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and os.readlink(entry / "cwd") == str(submission)
                    and b"ipykernel" in (entry / "cmdline").read_bytes()):
                return int(entry.name)
        except OSError:
            continue
    return None


def test_a_test_file_changed_mid_run_never_runs_and_every_score_is_zero(
        autograder_zip: Path, tmp_path: Path) -> None:
    """Stands in for a student who escaped the worker: while the submission runs (Otter's
    kernel is up, so the plugin has taken its hashes, and the submission's import sleeps), a
    test file is replaced by one that would give full marks and leave a marker, a test file is
    added, and the entry notebook is changed. The forged test never runs; every check scores 0;
    the student reads why, the instructor reads what changed."""
    submission = reference_flat(tmp_path / "reference")
    with open(submission / "activations.py", "a") as fh:
        fh.write(SLOW_IMPORT)
    root = tmp_path / "gradescope"
    root.mkdir()
    local_run.lay_out(autograder_zip, submission, root)
    cmd, env = local_run.command(root)
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    deadline = time.monotonic() + 120
    while grading_kernel(root / "submission") is None:
        assert proc.poll() is None and time.monotonic() < deadline, "Otter's kernel never started"
        time.sleep(0.05)
    tests = root / "submission" / "tests"
    marker = tmp_path / "forged-test-ran"
    (tests / "sigmoid.py").write_text(FORGED_TEST.format(marker=str(marker)))
    (tests / "zz_extra.py").write_text(FORGED_TEST.format(marker=str(marker)))
    (root / "submission" / ENTRY_NOTEBOOK).write_text("{}")
    output, _ = proc.communicate(timeout=300)
    results = local_run.read_results(root)
    assert results is not None, output
    assert not marker.exists(), "the changed test file ran"
    assert all(t.get("score", 0) == 0 for t in results["tests"]), results
    assert "integrity check failed" in results["output"] and "Every check scores 0" in results["output"]
    assert "INTEGRITY CHECK FAILED" in output
    for changed in ("tests/sigmoid.py", "tests/zz_extra.py (removed)", ENTRY_NOTEBOOK):
        assert changed in output, changed
    # the same submission, untouched, scores full marks: the check fired on the change alone
    shutil.rmtree(root)
    root.mkdir()
    local_run.lay_out(autograder_zip, submission, root)
    clean = local_run.run(root)
    assert sum(function_scores(clean.results).values()) == pytest.approx(100), clean.stdout


def test_restore_tests_puts_back_changes_removes_additions_and_replaces_links(tmp_path: Path) -> None:
    tests, store = tmp_path / "tests", tmp_path / "store"
    tests.mkdir()
    (tests / "a.py").write_text("A")
    (tests / "b.py").write_text("B")
    integrity.keep_pristine(tests, store)
    assert integrity.restore_tests(tests, store) == []
    (tests / "a.py").write_text("forged")
    (tests / "b.py").unlink()
    (tests / "b.py").symlink_to(tmp_path / "target.py")
    (tests / "c.py").write_text("new")
    restored = integrity.restore_tests(tests, store)
    assert sorted(restored) == sorted([str(tests / "a.py"), str(tests / "b.py"),
                                       f"{tests / 'c.py'} (removed)"])
    assert (tests / "a.py").read_text() == "A" and (tests / "b.py").read_text() == "B"
    assert not (tests / "b.py").is_symlink() and not (tmp_path / "target.py").exists()
    before = integrity.fingerprint([tests / "a.py", tests / "b.py"])
    (tests / "a.py").write_text("again")
    after = integrity.fingerprint([tests / "a.py", tests / "b.py"])
    assert integrity.changes(before, after) == [f"{tests / 'a.py'} changed (new contents)"]


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
