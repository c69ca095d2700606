"""The autograder zip on Gradescope's path (its setup, then run_autograder laid out by
autograder/packaging/local_run.py), as far as it runs here.

- Gradescope's setup path: the zip's environment.yml installs the wheel carried inside the zip
  by its path. A fresh virtualenv stands in for Miniforge's ``otter-env`` (see
  :func:`fresh_environment`); the wheel is installed from the zip with pip as environment.yml
  asks, and the Gradescope layout is graded with that environment alone.
- Every reasonable upload is graded on the Gradescope path as make grade grades it: extra
  notebooks and files beside the package; a Mac zip (``__MACOSX/``) of the package one folder
  deeper; the whole handout folder.
- A test file changed while the submission runs: the change never runs, and every score is 0
  with a message that says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from grader_harness import reference_flat
from test_otter_package import (
    MUTANT_SLICE,
    SAMPLES,
    SOLUTIONS,
    assert_same_scores,
    engine_scores,
    function_scores,
    write_notebook,
    zip_folder,
)

from autograder.engine.sandbox.isolation import detect
from autograder.engine.sandbox.uids import is_root
from autograder.gradescope import integrity, upload
from autograder.gradescope.entry import ENTRY_NOTEBOOK
from autograder.mistakes import apply_mutant
from autograder.packaging import build_autograder as build
from autograder.packaging import local_run


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
def extras(dest: Path) -> Path:
    """A package with a mistake, among the student's own files and notebooks."""
    apply_mutant(MUTANT_SLICE[1], dest)
    for name in ("backprop_lab.ipynb", "backprop_lab (1).ipynb", "my notes.ipynb"):
        write_notebook(dest / name)
    (dest / "notes.txt").write_text("my notes\n")
    (dest / "check.py").write_text("print('my own checks')\n")
    (dest / "test_mine.py").write_text("def test_nothing():\n    pass\n")
    (dest / "data.csv").write_text("1,2\n")
    (dest / "__pycache__").mkdir()
    (dest / "__pycache__" / "layers.cpython-311.pyc").write_bytes(b"\0")
    return dest


def mac_zip_one_folder_deeper(dest: Path) -> Path:
    """A folder zipped on a Mac: the submission one folder deeper, and AppleDouble files."""
    shutil.copytree(SAMPLES / "typical-mistakes-b", dest / "my-submission")
    resources = dest / "__MACOSX" / "my-submission" / "backprop"
    resources.mkdir(parents=True)
    for path in sorted((dest / "my-submission" / "backprop").glob("*.py")):
        (resources / f"._{path.name}").write_bytes(b"\0\x05\x16\x07AppleDouble")
    (dest / "__MACOSX" / "my-submission" / "._backprop").write_bytes(b"\0\x05\x16\x07")
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


SHAPES = {"extra files and notebooks": extras,
          "a Mac zip, one folder deeper": mac_zip_one_folder_deeper,
          "whole handout folder": handout_folder}


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
    if shape == "extra files and notebooks":
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
