"""The Otter autograder zip, run the way Gradescope runs it, gives the engine's verdicts (issue 4).

``autograder/otter/build.py`` builds the zip with the real ``otter generate``. The zip is unpacked
into a temporary root laid out like Gradescope's /autograder: ``source/``, ``submission/``,
``results/`` and ``submission_metadata.json``. Then the test runs what the zip's run_autograder
runs: ``python /autograder/source/run_otter.py``, that is Otter's own ``run_autograder()``
(``autograder/otter/local_run.py``). Two things differ from Gradescope, both because this test
is offline:

- setup.sh is not run. It downloads Miniforge from GitHub and builds the ``otter-env`` conda env.
  The prepared virtualenv of this repository (.venv, ``sys.executable``: otter-grader[grading]
  ==7.0.0 and the numpy and PyYAML versions the zip pins) stands in for that env.
- run_otter.py's one literal "/autograder" is replaced by the temporary root.

Four submissions go through it:

- the reference, as flat copies of solutions/backprop/*.py;
- the skeleton, as the handout folder (``backprop-lab-handout/backprop/``);
- a buggy copy of the reference whose ``linear_backward`` forgets the 1/m in dW, uploaded
  with the handout notebook backprop_lab.ipynb;
- an adversarial one, whose code tries everything below.

For each submission, the test checks that results.json follows Gradescope's schema
(../shared/gradescope-notes.md). It checks that there is exactly one entry per graded function,
that every function's score and max score equal what the engine gives
(``grade_submission``, what ``make grade`` runs) for the same files, and that the visibility is
the one rubric.yml asks for. It also checks that the only visible text says honestly that hidden
checks exist and that nothing visible counts them.

The adversarial submission monkeypatches numpy and gets ``sigmoid`` wrong. Its worker tries to
read the tests, the quiz key and submission_metadata.json, and to write results.json. It
sends a pickle bomb to every root-owned loopback TCP port, Otter's log receiver among them. It
also ships a ``.OTTER_LOG`` pickle bomb, an ``otter.py`` that shadows Otter in the kernel, a fake
``autograder/`` engine and its own ``backprop_lab.ipynb``. None of these may run or change any
score. The isolation checks need root (the worker's privilege drop), as on Gradescope, and are
skipped otherwise.

Faster tests cover the rest: what the zip holds, that Otter parses each test file into the
engine's checks and points, that the build is deterministic, the runtime's pieces, and each
rubric visibility through Otter's own results writer with the plugin's summary.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import logging.handlers
import os
import pickle
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from otter.nbmeta_config import NBMetadataConfig
from otter.run import AutograderConfig
from otter.test_files import GradingResults, create_test_file

from autograder.engine import GRADED_FUNCTIONS, REGISTRY, SubmissionResult, check_points, grade_submission
from autograder.engine.rubric import load_rubric
from autograder.engine.sandbox import is_root
from autograder.otter import backprop_lab_runtime as runtime
from autograder.otter import build, local_run

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "backprop"
SKELETON = ROOT / "assignments" / "backprop"
TOLERANCE = 1e-5  # Otter rounds scores to 5 decimals; the engine to 6

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
OUTPUT_FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_LEVEL_KEYS = {"score": (int, float), "execution_time": (int, float), "output": str,
                  "output_format": str, "test_output_format": str, "test_name_format": str,
                  "visibility": str, "stdout_visibility": str, "extra_data": dict, "tests": list,
                  "leaderboard": list}
TEST_KEYS = {"score": (int, float), "max_score": (int, float), "status": str, "name": str,
             "name_format": str, "number": str, "output": str, "output_format": str, "tags": list,
             "visibility": str, "extra_data": dict}


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/autograder.zip as `make autograder` builds it (here into a temporary folder)."""
    out = tmp_path_factory.mktemp("dist") / "autograder.zip"
    done = subprocess.run([sys.executable, str(ROOT / "autograder" / "otter" / "build.py"),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.fixture
def gradescope_root() -> Iterator[Path]:
    """An empty folder standing for /autograder (in /tmp, open to others as /autograder is)."""
    root = Path(tempfile.mkdtemp(prefix="backprop-lab-gradescope-root-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def drop() -> Iterator[Path]:
    """A world-writable folder where the adversarial code reports what it managed to do."""
    folder = Path(tempfile.mkdtemp(prefix="backprop-lab-drop-"))
    os.chmod(folder, 0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


# --- submissions ---------------------------------------------------------------------------------
def reference_flat(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for path in sorted(SOLUTIONS.glob("*.py")):
        shutil.copyfile(path, dest / path.name)
    return dest


def skeleton_handout(dest: Path) -> Path:
    shutil.copytree(SKELETON, dest / "backprop-lab-handout" / "backprop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path.name}: {old!r} is not there exactly once"
    path.write_text(text.replace(old, new))


def notebook(source: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    ))


def buggy(dest: Path) -> Path:
    """The reference with dW summed instead of averaged, uploaded with the lab notebook."""
    reference_flat(dest)
    replace_once(dest / "layers.py", "    dW = (dZ @ A_prev.T) / m", "    dW = dZ @ A_prev.T")
    (dest / runtime.ENTRY_NOTEBOOK).write_text(
        notebook("from backprop.layers import linear_backward\nprint('my lab work')"))
    return dest


ATTACK = '''

# ---- hostile part: runs in the grader's worker when activations.py is imported ----
import os  # noqa: E402


def sigmoid(Z):  # wrong on purpose, with np.allclose patched to hide it
    return np.zeros_like(Z)


def _attack(root, drop):
    import json as _json
    import pickle as _pickle
    import socket as _socket
    import struct as _struct

    np.allclose = lambda *a, **k: True
    np.testing.assert_allclose = lambda *a, **k: None
    if not os.path.isdir(root):  # graded outside the Gradescope layout: nothing to attack
        return
    report = {}
    for label, path in READS.items():
        try:
            with open(os.path.join(root, path)) as fh:
                report[label] = "READ " + fh.read(300)
        except OSError as exc:
            report[label] = "denied " + type(exc).__name__
    try:
        with open(os.path.join(root, "results", "results.json"), "w") as fh:
            fh.write(_json.dumps({"score": 1000, "tests": []}))
        report["write results.json"] = "WROTE"
    except OSError as exc:
        report["write results.json"] = "denied " + type(exc).__name__

    class _Bomb:
        def __reduce__(self):
            return (open, (os.path.join(drop, "pwned-by-log-receiver"), "w"))

    payload = _pickle.dumps(_Bomb())
    ports = []
    with open("/proc/net/tcp") as fh:
        for line in fh.readlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if address == "0100007F" and fields[3] == "0A" and fields[7] == "0":
                ports.append(int(port, 16))
    for port in ports:
        try:
            with _socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(_struct.pack(">L", len(payload)) + payload)
        except OSError:
            pass
    report["root loopback ports bombed"] = len(ports)
    with open(os.path.join(drop, "worker-report.json"), "w") as fh:
        fh.write(_json.dumps(report))


READS = @READS@
_attack(@ROOT@, @DROP@)
'''

SHADOW_OTTER = '''\
"""Shadows Otter in the kernel if the submission folder comes first on sys.path."""
import os
import sys

open(os.path.join({drop!r}, "pwned-by-shadow-module"), "w").close()
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
del sys.modules["otter"]
import otter  # noqa: E402 - the real one, so that grading goes on
'''

FAKE_ENGINE = '''\
import os
open(os.path.join({drop!r}, "pwned-by-fake-engine"), "w").close()
'''


class _OtterLogBomb:
    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def adversarial(dest: Path, root: Path, drop: Path) -> Path:
    """The reference with a hostile activations.py and hostile extra files (see the docstring)."""
    reference_flat(dest)
    files = runtime.ENGINE_DIRNAME + "/autograder"
    reads = {
        "hidden test (source)": "source/tests/sigmoid.py",
        "hidden test (submission copy)": "submission/tests/sigmoid.py",
        "quiz key (source)": f"source/files/{files}/rubric.yml",
        "quiz key (submission copy)": f"submission/{files}/rubric.yml",
        "check code": f"source/files/{files}/engine/checks/quiz.py",
        "submission_metadata.json": "submission_metadata.json",
        "otter_config.json": "source/otter_config.json",
    }
    with open(dest / "activations.py", "a") as fh:
        fh.write(ATTACK.replace("@READS@", repr(reads)).replace("@ROOT@", repr(str(root)))
                 .replace("@DROP@", repr(str(drop))))
    (dest / "otter.py").write_text(SHADOW_OTTER.format(drop=str(drop)))
    (dest / ".OTTER_LOG").write_bytes(pickle.dumps(_OtterLogBomb(str(drop / "pwned-by-otter-log"))))
    (dest / "autograder").mkdir()
    (dest / "autograder" / "__init__.py").write_text(FAKE_ENGINE.format(drop=str(drop)))
    (dest / runtime.ENTRY_NOTEBOOK).write_text(notebook(
        f"open({str(drop / 'pwned-by-student-notebook')!r}, 'w').close()"))
    return dest


# --- checks --------------------------------------------------------------------------------------
def check_schema(results: dict) -> None:
    """results.json as Gradescope reads it: known keys with the right types and values."""
    assert set(results) <= set(TOP_LEVEL_KEYS), set(results) - set(TOP_LEVEL_KEYS)
    for key, value in results.items():
        assert isinstance(value, TOP_LEVEL_KEYS[key]), (key, value)
    for key in ("visibility", "stdout_visibility"):
        assert results.get(key, "visible") in VISIBILITIES, key
    assert results.get("output_format", "text") in OUTPUT_FORMATS
    assert isinstance(results.get("tests"), list) and results["tests"]
    for test in results["tests"]:
        assert set(test) <= set(TEST_KEYS), set(test) - set(TEST_KEYS)
        for key, value in test.items():
            assert isinstance(value, TEST_KEYS[key]) and not isinstance(value, bool), (key, value)
        assert test.get("visibility", "visible") in VISIBILITIES
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("output_format", "text") in OUTPUT_FORMATS
        if "score" in test:
            assert 0 <= test["score"] <= test["max_score"] + TOLERANCE, test


def expected_visibility() -> str:
    rubric = load_rubric()
    return {"after_published": "after_published", "hidden": "hidden",
            "visible": "visible"}[rubric.visibility]


def check_against_engine(results: dict, engine: SubmissionResult) -> dict[str, dict]:
    """One entry per graded function, each with the engine's score and max score."""
    tests = [t for t in results["tests"]  # with visibility "hidden", Otter's hidden summary entry
             if not (t["name"] == "Public Tests" and t.get("visibility") == "hidden")]
    by_name = {t["name"]: t for t in tests}
    assert len(by_name) == len(tests)
    assert set(by_name) == set(GRADED_FUNCTIONS), set(by_name) ^ set(GRADED_FUNCTIONS)
    for function in GRADED_FUNCTIONS:
        mine, theirs = by_name[function], engine.functions[function]
        assert abs(mine["score"] - theirs.score) <= TOLERANCE, (function, mine["score"], theirs.score)
        assert abs(mine["max_score"] - theirs.max_score) <= TOLERANCE, function
        assert mine["visibility"] == expected_visibility(), function
    return by_name


def check_visible_text(results: dict) -> None:
    """Visible: only the summary, which says hidden checks exist and are not counted there."""
    visibility = expected_visibility()
    for test in results["tests"]:
        assert test.get("visibility", "visible") == visibility, test["name"]
    output = results.get("output", "")
    n_checks = sum(len(REGISTRY[f]) for f in GRADED_FUNCTIONS)
    if visibility == "visible":
        assert f"All {n_checks} checks are shown" in output
        return
    assert f"all {n_checks} checks of this assignment" in output and "are hidden" in output, output
    assert "does not mean full marks" in output, output
    titles = [c.title for f in GRADED_FUNCTIONS for c in REGISTRY[f]]
    assert not [t for t in titles if t in output], "a hidden check's title is visible"
    assert results.get("stdout_visibility", "hidden") != "visible"


def grade_on_gradescope(zip_path: Path, submission: Path, root: Path) -> local_run.LocalRun:
    local_run.lay_out(zip_path, submission, root)
    done = local_run.run(root)
    assert done.results is not None, done.stdout + done.stderr
    print(f"{submission.name}: Gradescope-layout run {done.seconds:.1f} s")
    return done


# --- the zip -------------------------------------------------------------------------------------
def test_zip_holds_the_engine_and_one_test_file_per_function(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as zf:
        names = set(zf.namelist())
        config = json.loads(zf.read("otter_config.json"))
        environment = zf.read("environment.yml").decode()
    assert {"run_autograder", "run_otter.py", "setup.sh", "environment.yml", "otter_config.json",
            "files/__init__.py", f"files/{runtime.RUNTIME_MODULE}.py",
            f"files/{runtime.ENTRY_NOTEBOOK}"} <= names
    engine = f"files/{runtime.ENGINE_DIRNAME}/autograder/"
    assert {engine + "rubric.yml", engine + "report.py", engine + "engine/__init__.py",
            engine + "engine/worker_main.py"} <= names
    assert {n[len("tests/"):-3] for n in names if n.startswith("tests/")} == set(GRADED_FUNCTIONS)
    allowed = ("tests/", engine + "engine/", engine + "__init__.py", engine + "report.py",
               engine + "rubric.yml")
    strays = [n for n in names if n.startswith(("tests/", "files/")) and not n.startswith(allowed)
              and n not in {"files/__init__.py", f"files/{runtime.RUNTIME_MODULE}.py",
                            f"files/{runtime.ENTRY_NOTEBOOK}"}]
    assert not strays, strays
    assert not [n for n in names if "__pycache__" in n or "solutions" in n or "samples" in n]
    assert config["plugins"] == [{build.PLUGIN: {"visibility": load_rubric().visibility}}]
    assert f"python={build.PYTHON_VERSION}" in environment
    for pin in build.pinned_requirements().split():
        assert f"- {pin}" in environment
    assert "otter-grader[grading,plugins]==7.0.0" in environment


def test_otter_reads_each_test_file_with_the_engines_checks_and_points(
        autograder_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(tmp_path, [n for n in zf.namelist() if n.startswith("tests/")])
    hidden = load_rubric().visibility != "visible"
    for function in GRADED_FUNCTIONS:
        parsed = create_test_file(str(tmp_path / "tests" / f"{function}.py"), NBMetadataConfig())
        assert parsed.name == function
        assert [tc.points for tc in parsed.test_cases] == check_points(function)
        assert [tc.hidden for tc in parsed.test_cases] == [hidden] * len(REGISTRY[function])
        assert all(c.title in tc.name for c, tc in zip(REGISTRY[function], parsed.test_cases))
        assert not parsed.all_or_nothing


def test_build_is_deterministic(autograder_zip: Path, tmp_path: Path) -> None:
    again = build.build_zip(tmp_path / "again.zip")
    assert again.read_bytes() == autograder_zip.read_bytes()
    with zipfile.ZipFile(again) as zf:
        for info in zf.infolist():
            assert info.date_time == build.FIXED_DATE
            mode = info.external_attr >> 16
            assert not stat.S_ISREG(mode) or stat.S_IMODE(mode) == 0o644, info.filename


def test_visibility_maps_to_otter_or_is_refused() -> None:
    rubric = load_rubric()
    hide = build.otter_config(dataclasses.replace(rubric, visibility="hidden"))
    assert not hide["show_hidden"] and not hide["show_all_public"]
    later = build.otter_config(dataclasses.replace(rubric, visibility="after_published"))
    assert later["show_hidden"] and not later["show_all_public"]
    assert not later["force_public_test_summary"]
    shown = build.otter_config(dataclasses.replace(rubric, visibility="visible"))
    assert shown["show_all_public"]
    assert "hidden=False" in build.test_file("relu", dataclasses.replace(rubric, visibility="visible"))
    assert "hidden=True" in build.test_file("relu", dataclasses.replace(rubric, visibility="hidden"))
    with pytest.raises(build.BuildError, match="after_due_date"):
        build.otter_config(dataclasses.replace(rubric, visibility="after_due_date"))


@pytest.mark.parametrize("visibility", ["after_published", "hidden", "visible"])
def test_each_visibility_reaches_results_json_with_an_honest_summary(
        visibility: str, tmp_path: Path) -> None:
    """Otter's own results pipeline (test files, GradingResults, to_gradescope_dict) with the
    plugin's after_grading, for each visibility, on the skeleton's real engine verdicts."""
    rubric = dataclasses.replace(load_rubric(), visibility=visibility)
    grading = runtime.KernelGrading(grade_submission(SKELETON))
    test_files = []
    for function in ("relu", "quiz"):
        path = tmp_path / f"{function}.py"
        path.write_text(build.test_file(function, rubric))
        parsed = create_test_file(str(path), NBMetadataConfig())
        parsed.run({runtime.RESULT_GLOBAL: grading})
        test_files.append(parsed)
    results = GradingResults(test_files)
    plugin = runtime.BackpropLabPlugin(None, {}, {"visibility": visibility})
    plugin.state = tmp_path / "state"
    plugin.state.mkdir()
    (plugin.state / runtime.SUMMARY_FILE).write_text(json.dumps(
        {"where": "backprop", "found": ["quiz.py"], "missing": ["activations.py"], "notes": [],
         "score": 0, "max_score": 100, "seconds": 1.0}))
    plugin.after_grading(results)
    out = results.to_gradescope_dict(AutograderConfig(build.otter_config(rubric)))
    check_schema(out)
    n_checks = len(REGISTRY["relu"]) + len(REGISTRY["quiz"])
    named = {t["name"]: t for t in out["tests"]}
    assert named["relu"]["score"] == 0 and named["quiz"]["max_score"] == rubric.points["quiz"]
    assert "not implemented yet" in named["relu"]["output"]
    if visibility == "visible":
        assert set(named) == {"relu", "quiz"}
        assert all(t["visibility"] == "visible" for t in out["tests"])
        assert f"All {n_checks} checks are shown" in out["output"]
        return
    assert f"all {n_checks} checks of this assignment" in out["output"]
    assert "does not mean full marks" in out["output"]
    assert "Not found there: activations.py" in out["output"]
    if visibility == "hidden":
        assert set(named) == {"Public Tests", "relu", "quiz"}
        assert all(t["visibility"] == "hidden" for t in out["tests"])
        assert out["stdout_visibility"] == "hidden"
        assert "not shown on Gradescope" in out["output"]
    else:
        assert set(named) == {"relu", "quiz"}
        assert all(t["visibility"] == "after_published" for t in out["tests"])
        assert out["stdout_visibility"] == "after_published"
        assert "once your instructor publishes" in out["output"]


def test_only_the_students_module_files_are_graded(tmp_path: Path) -> None:
    """Otter copies tests/quiz.py and the engine's checks/*.py into the submission folder: the
    copy the engine grades must hold only what the student uploaded."""
    submission = tmp_path / "submission"
    shipped = submission / runtime.ENGINE_DIRNAME / "autograder" / "engine" / "checks"
    shipped.mkdir(parents=True)
    for name in ("activations", "losses", "layers", "network", "optimizers", "train", "quiz"):
        (shipped / f"{name}.py").write_text("# the engine's checks\n")
    (submission / "tests").mkdir()
    (submission / "tests" / "quiz.py").write_text("# Otter's copy of a test file\n")
    (submission / ".git" / "backprop").mkdir(parents=True)
    (submission / ".git" / "backprop" / "layers.py").write_text("# not the student's\n")
    student = submission / "my-repo" / "src" / "backprop"
    student.mkdir(parents=True)
    for name in ("quiz.py", "gradcheck.py", "notes.txt"):
        (student / name).write_text("# the student's\n")
    (student / "losses.py").symlink_to(submission / "tests" / "quiz.py")
    copy = tmp_path / "copy"
    runtime.copy_gradable(submission, copy, {runtime.ENGINE_DIRNAME, runtime.ENTRY_NOTEBOOK})
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == ["my-repo/src/backprop/gradcheck.py", "my-repo/src/backprop/quiz.py"]
    found = runtime.discovery(copy)
    assert found["where"] == "my-repo/src/backprop"
    assert found["found"] == ["quiz.py", "gradcheck.py"]
    assert "activations.py" in found["missing"] and "gradcheck.py" not in found["missing"]


def test_log_receiver_takes_log_records_and_refuses_code() -> None:
    record = logging.LogRecord("otter", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    wire = logging.handlers.SocketHandler("localhost", 0).makePickle(record)[4:]
    assert runtime._unpickle_plain_data(None, wire)["msg"] == "hello you"
    bomb = pickle.dumps(_OtterLogBomb(os.devnull))
    assert runtime._unpickle_plain_data(None, bomb) == {}


# --- Gradescope-layout runs ----------------------------------------------------------------------
def test_reference_scores_full_marks_as_the_engine(autograder_zip: Path, gradescope_root: Path,
                                                   tmp_path: Path) -> None:
    submission = reference_flat(tmp_path / "reference")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    check_schema(done.results)
    engine = grade_submission(submission)
    assert engine.score == engine.max_score == load_rubric().total
    check_against_engine(done.results, engine)
    check_visible_text(done.results)
    assert "from the top level of your upload" in done.results["output"]


def test_skeleton_in_the_handout_folder_scores_zero_as_the_engine(
        autograder_zip: Path, gradescope_root: Path, tmp_path: Path) -> None:
    submission = skeleton_handout(tmp_path / "skeleton")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    check_schema(done.results)
    engine = grade_submission(submission)
    assert engine.score == 0
    by_name = check_against_engine(done.results, engine)
    check_visible_text(done.results)
    assert "the folder backprop-lab-handout/backprop/" in done.results["output"]
    assert "not implemented yet" in by_name["sigmoid"]["output"]


def test_buggy_submission_with_its_notebook_loses_what_the_engine_takes(
        autograder_zip: Path, gradescope_root: Path, tmp_path: Path) -> None:
    submission = buggy(tmp_path / "buggy")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    print(json.dumps(done.results, indent=2))
    check_schema(done.results)
    engine = grade_submission(submission)
    assert engine.functions["linear_backward"].score < engine.functions["linear_backward"].max_score
    by_name = check_against_engine(done.results, engine)
    check_visible_text(done.results)
    for failed in (c for c in engine.functions["linear_backward"].checks if not c.passed):
        assert failed.message.splitlines()[0] in by_name["linear_backward"]["output"]


def test_adversarial_submission_gains_nothing_and_reaches_nothing(
        autograder_zip: Path, gradescope_root: Path, drop: Path, tmp_path: Path) -> None:
    submission = adversarial(tmp_path / "adversarial", gradescope_root, drop)
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    check_schema(done.results)
    assert not sorted(p.name for p in drop.glob("pwned-*")), done.stdout
    if not is_root():
        pytest.skip("the worker's isolation needs root (a privilege drop), as on Gradescope")
    report = json.loads((drop / "worker-report.json").read_text())
    assert report.pop("root loopback ports bombed") >= 1, "Otter's log receiver was not listening"
    assert all(value.startswith("denied") for value in report.values()), report
    shutil.rmtree(gradescope_root)  # the engine alone, now with nothing to attack
    engine = grade_submission(submission)
    assert engine.functions["sigmoid"].score < engine.functions["sigmoid"].max_score
    check_against_engine(done.results, engine)
    check_visible_text(done.results)
