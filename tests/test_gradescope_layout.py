"""The Otter autograder zip, run the way Gradescope runs it, gives the engine's verdicts.

``autograder/packaging/build_autograder.py`` builds the zip with the real ``otter generate``. The
zip is unpacked into a temporary root laid out like Gradescope's /autograder: ``source/``,
``submission/``, ``results/`` and ``submission_metadata.json``. Then the test runs what the zip's
run_autograder runs: ``python /autograder/source/run_otter.py``, that is Otter's own ``run_autograder()``
(``autograder/packaging/local_run.py``). Two things differ from Gradescope, both because this test
is offline:

- setup.sh is not run. It downloads Miniforge from GitHub and builds the ``otter-env`` conda env.
  The prepared virtualenv of this repository (.venv, ``sys.executable``: otter-grader[grading]
  ==7.0.0, the numpy and PyYAML versions the zip pins, and the backprop-lab package) stands in
  for that env. tests/test_otter_package.py installs the zip's own wheel into a fresh
  environment and grades with that one.
- The literal "/autograder" in run_autograder and run_otter.py is replaced by the temporary root.

Five submissions go through it:

- the reference, as flat copies of solutions/backprop/*.py;
- the skeleton, as the handout folder (``backprop-lab-handout/backprop/``);
- a buggy copy of the reference whose ``linear_backward`` forgets the 1/m in dW, uploaded
  with the handout notebook backprop_lab.ipynb: it fails hidden checks of linear_backward and
  the public checks of dense_backward and loss_and_gradients;
- a copy of the reference with a SyntaxError in optimizers.py and no train.py;
- an adversarial one, whose code tries everything below.

For each submission, the test checks that results.json follows Gradescope's results schema.
It checks that there is exactly one entry per graded function,
that every function's score and max score equal what the engine gives
(``grade_submission``, what ``make grade`` runs) for the same files, and that the visibility is
the one rubric.yml asks for. It reads what a student sees before grades are published (the
entries and the output that are visible at once): the public checks' results, in Otter's "Public
Tests" entry; no score; no hidden check's title, feedback or hint; the import problems of the
student's modules; and a summary that says honestly how many checks are public and how many are
hidden, that nothing visible counts the hidden ones, and when they are shown.

The adversarial submission monkeypatches numpy and gets ``sigmoid`` wrong. Its worker tries to
read the tests, the quiz key and submission_metadata.json, and to write results.json. It
sends a pickle bomb to every root-owned loopback TCP port, Otter's log receiver among them. It
also ships a ``.OTTER_LOG`` pickle bomb, an ``otter.py`` that shadows Otter in the kernel, a fake
``autograder/`` engine and its own ``backprop_lab.ipynb``. None of these may run or change any
score. The isolation checks need root (the worker's privilege drop), as on Gradescope, and are
skipped otherwise.

Faster tests cover the rest: what the zip holds, that Otter parses each test file into the
engine's checks, points and public/hidden split, that the build is deterministic, the runtime's
pieces, and each rubric visibility through Otter's own results writer with the plugin's summary.

``otter run -a autograder.zip`` and the upload shapes students really make are tested in
tests/test_otter_package.py.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import logging.handlers
import os
import pickle
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from grader_harness import reference_flat
from otter.nbmeta_config import NBMetadataConfig
from otter.run import AutograderConfig
from otter.test_files import GradingResults, create_test_file

from autograder.engine import intake
from autograder.engine.core.contract import usually_calls
from autograder.engine.core.feedback import FunctionFeedback, lost_points
from autograder.engine.core.framework import REGISTRY
from autograder.engine.grading_host import GRADED_FUNCTIONS, SubmissionResult, check_points, grade_submission
from autograder.engine.rubric import load_rubric
from autograder.engine.sandbox.isolation import landlock_abi
from autograder.engine.sandbox.uids import is_root
from autograder.gradescope import entry, hardening, integrity, kernel
from autograder.gradescope import plugin as runtime
from autograder.packaging import build_autograder as build
from autograder.packaging import local_run

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "backprop"
SKELETON = ROOT / "assignments" / "backprop"
# Otter and the engine both round the same sums of check_points to 5 decimals: the scores are
# equal. This only absorbs float representation; any real difference is >= 1e-5.
TOLERANCE = 1e-9
PUBLIC_TESTS = "Public Tests"  # Otter's visible entry for the non-hidden cases

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
    (dest / entry.ENTRY_NOTEBOOK).write_text(
        notebook("from backprop.layers import linear_backward\nprint('my lab work')"))
    return dest


def broken_modules(dest: Path) -> Path:
    """The reference with a SyntaxError in optimizers.py (a colon missing) and no train.py."""
    reference_flat(dest)
    replace_once(dest / "optimizers.py", "def init_state(params: dict[str, np.ndarray]) -> "
                 "dict[str, np.ndarray]:", "def init_state(params: dict[str, np.ndarray]) -> "
                 "dict[str, np.ndarray]")
    (dest / "train.py").unlink()
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
    try:  # closed by Landlock in the uid mode
        with open("/proc/net/tcp") as fh:
            lines = fh.readlines()[1:]
    except OSError:
        lines = []
    for line in lines:
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
    try:
        with open(os.path.join(drop, "worker-report.json"), "w") as fh:
            fh.write(_json.dumps(report))
    except OSError:
        pass


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
    installed = integrity.PACKAGE_DIR  # the installed grader (absolute: os.path.join keeps it)
    reads = {
        "hidden test (source)": "source/tests/sigmoid.py",
        "hidden test (submission copy)": "submission/tests/sigmoid.py",
        "quiz key (installed grader)": str(installed / "rubric.yml"),
        "check code (installed grader)": str(installed / "engine" / "core" / "checks" / "quiz.py"),
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
    (dest / entry.ENTRY_NOTEBOOK).write_text(notebook(
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
    """The visibility of each function's entry: rubric.yml's (Otter cannot write after_due_date)."""
    return load_rubric().visibility


def public_and_hidden() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(function, check index) of the checks shown at once and of the hidden ones."""
    rubric = load_rubric()
    pairs = [(f, i) for f in GRADED_FUNCTIONS for i in range(len(REGISTRY[f]))]
    hidden = [(f, i) for f, i in pairs if build.case_hidden(REGISTRY[f][i], rubric)]
    return [p for p in pairs if p not in hidden], hidden


def check_against_engine(results: dict, engine: SubmissionResult) -> dict[str, dict]:
    """One entry per graded function, each with the engine's score and max score, plus Otter's
    "Public Tests" entry (visible, no points) unless every check is visible anyway."""
    by_name = {t["name"]: t for t in results["tests"]}
    assert len(by_name) == len(results["tests"])
    summary = by_name.pop(PUBLIC_TESTS, None)
    if expected_visibility() == "visible":
        assert summary is None
    else:
        assert summary is not None and summary["visibility"] == "visible", summary
        assert "score" not in summary and "max_score" not in summary
    assert set(by_name) == set(GRADED_FUNCTIONS), set(by_name) ^ set(GRADED_FUNCTIONS)
    for function in GRADED_FUNCTIONS:
        mine, theirs = by_name[function], engine.functions[function]
        assert abs(mine["score"] - theirs.score) <= TOLERANCE, (function, mine["score"], theirs.score)
        assert abs(mine["max_score"] - theirs.max_score) <= TOLERANCE, function
        assert mine["visibility"] == expected_visibility(), function
    return by_name


def visible_now(results: dict) -> str:
    """Everything a student can read before grades are published (Gradescope's default is visible)."""
    parts = [results.get("output", "")]
    parts += [f"{t['name']}\n{t.get('output', '')}" for t in results["tests"]
              if t.get("visibility", "visible") == "visible"]
    if results.get("stdout_visibility") == "visible":
        parts.append("(stdout)")
    return "\n".join(parts)


def public_feedback(engine: SubmissionResult) -> dict[str, FunctionFeedback]:
    """The feedback model of each function's public checks (what "Public Tests" renders)."""
    checks = {f: [c for c in r.checks if c.public] for f, r in engine.functions.items()}
    failed = lost_points(checks)
    return {f: FunctionFeedback.of(f, done, failed, usually_calls(f)) for f, done in checks.items()}


def check_visible_text(results: dict, engine: SubmissionResult) -> str:
    """Before publication a student sees the public checks' results and an honest summary, and
    nothing of the hidden checks' results or of the score. Returns that visible text."""
    visibility = expected_visibility()
    output = results.get("output", "")
    n_checks = sum(len(REGISTRY[f]) for f in GRADED_FUNCTIONS)
    if visibility == "visible":
        assert all(t.get("visibility", "visible") == "visible" for t in results["tests"])
        assert f"All {n_checks} checks are shown" in output
        return visible_now(results)
    public, hidden = public_and_hidden()
    assert public and hidden
    text = visible_now(results)
    assert "score" not in results, "the total score is visible before publication"
    assert all("score" not in t for t in results["tests"] if t.get("visibility", "visible") == "visible")
    assert results.get("stdout_visibility", "hidden") != "visible"
    # the summary: how many public checks (and their results now), how many hidden, and when
    failed_public = sum(not engine.functions[f].checks[i].passed for f, i in public)
    assert (f"Public checks: {len(public)} of the {n_checks} checks are public" in output
            and f"{len(public) - failed_public} passed, {failed_public} failed" in output), output
    assert f"the other {len(hidden)} checks" in output and "Nothing shown now counts them" in output
    assert ("once your instructor publishes the grades" if visibility == "after_published"
            else "not shown on Gradescope") in output
    assert "does not mean full marks" in output
    # the public checks' results are there; of the hidden ones, nothing
    shown = results["tests"][[t["name"] for t in results["tests"]].index(PUBLIC_TESTS)]["output"]
    public_messages = set()
    model = public_feedback(engine)
    for f, i in public:
        done = engine.functions[f].checks[i]
        if not done.passed:
            public_messages.add(done.message)
            fb = model[f]  # what the feedback model says about it, in a few words or one line
            if fb.not_implemented:
                assert fb.not_implemented_line() in shown, (f, i)
                continue
            said = fb.shown_messages()[fb.checks.index(done)]
            assert REGISTRY[f][i].title in shown and said.split("\n")[0] in shown, (f, i)
    for f, i in hidden:
        done = engine.functions[f].checks[i]
        assert REGISTRY[f][i].title not in text, f"hidden check {f} {i + 1} is named before publication"
        if not done.passed and done.message not in public_messages:
            assert done.message.splitlines()[0] not in text, f"hidden result of {f} {i + 1} shown"
    failed_publicly = {f for f, i in public if not engine.functions[f].checks[i].passed}
    for hint in re.findall(r"usually relies on (.+?), which also lost points", text):
        assert set(hint.split(", ")) <= failed_publicly, hint  # a hint names public failures only
    return text


def check_module_problems(results: dict, engine: SubmissionResult) -> None:
    """Each graded module the engine could not use is named, with why, in the visible output."""
    for module, why in engine.modules.items():
        assert f"  - {why}" in results["output"], (module, results["output"])


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
        wheels = [n for n in names if n.startswith(f"{build.WHEEL_DIR}/")]
        assert len(wheels) == 1 and wheels[0].endswith("-py3-none-any.whl"), wheels
        wheel_names = set(zipfile.ZipFile(io.BytesIO(zf.read(wheels[0]))).namelist())
        run_autograder = zf.read("run_autograder").decode().splitlines()
        setup = zf.read("setup.sh").decode()
    assert {"run_autograder", "run_otter.py", "setup.sh", "environment.yml", "otter_config.json",
            f"files/{entry.ENTRY_NOTEBOOK}"} <= names
    assert {n[len("tests/"):-3] for n in names if n.startswith("tests/")} == set(GRADED_FUNCTIONS)
    strays = [n for n in names if n.startswith("files/") and n != f"files/{entry.ENTRY_NOTEBOOK}"]
    assert not strays, strays  # files/ is copied into the submission folder: no grader there
    assert not [n for n in names if "__pycache__" in n or "solutions" in n or "samples" in n]
    # the wheel: exactly the grader's files (engine, rubric and quiz key, plugin) and its metadata
    package = {n for n in wheel_names if not n.split("/")[0].endswith(".dist-info")}
    assert package == {f"autograder/{n}" for n in integrity.package_files()}
    assert {"autograder/rubric.yml", "autograder/engine/sandbox/worker_main.py",
            "autograder/gradescope/plugin.py"} <= package
    assert not [n for n in package if "grade.py" in n or "build_autograder.py" in n or "local_run" in n]
    plugin = config["plugins"][0][runtime.PLUGIN]
    assert config["plugins"] == [{"autograder.gradescope.plugin.BackpropLabPlugin": plugin}]
    assert plugin["visibility"] == load_rubric().visibility
    assert plugin["package_digest"] == integrity.package_digest()  # the grader installed here
    assert wheels[0] == f"{build.WHEEL_DIR}/backprop_lab-{plugin['version']}-py3-none-any.whl"
    assert f"python={build.PYTHON_VERSION}" in environment
    for pin in build.pinned_requirements().split():
        assert f"- {pin}" in environment
    assert "otter-grader[grading,plugins]==7.0.0" in environment
    assert f"- /autograder/source/{wheels[0]}" in environment  # installed from the zip, no index
    # Otter's scripts, with backprop-lab's two additions
    assert run_autograder[-2:] == ["python -I -m autograder.gradescope.upload /autograder/submission",
                                   "python /autograder/source/run_otter.py"]
    assert "apt-get install -y bubblewrap || echo" in setup
    assert setup.index("bubblewrap") > setup.index("apt-get update")


def test_otter_reads_each_test_file_with_the_engines_checks_and_points(
        autograder_zip: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(tmp_path, [n for n in zf.namelist() if n.startswith("tests/")])
    rubric = load_rubric()
    shown_at_once = 0
    for function in GRADED_FUNCTIONS:
        parsed = create_test_file(str(tmp_path / "tests" / f"{function}.py"), NBMetadataConfig())
        checks = REGISTRY[function]
        cases, extra = parsed.test_cases[:len(checks)], parsed.test_cases[len(checks):]
        assert parsed.name == function
        assert [tc.points for tc in cases] == check_points(function)
        assert round(parsed.possible, 5) == rubric.points[function]  # as Otter writes it
        hidden = [not c.public and rubric.visibility != "visible" for c in checks]
        assert [tc.hidden for tc in cases] == hidden
        assert all(c.title in tc.name and ("(public)" in tc.name) == c.public
                   for c, tc in zip(checks, cases))
        if all(hidden):  # one 0-point public note, so that "Public Tests" does not just say passed
            assert [(tc.points, tc.hidden) for tc in extra] == [(0, False)]
            assert runtime.is_note(extra[0]) and extra[0].name.startswith(function)
            assert "hidden: not counted in anything shown now" in extra[0].success_message
        else:
            assert not extra
        shown_at_once += sum(not h for h in hidden)
        assert not parsed.all_or_nothing
    if rubric.visibility != "visible":  # every function has public checks
        assert shown_at_once == sum(1 for f in GRADED_FUNCTIONS for c in REGISTRY[f] if c.public)
        assert all(any(c.public for c in REGISTRY[f]) for f in GRADED_FUNCTIONS)


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
    assert not hide["show_hidden"] and not hide["show_all_public"] and not hide["show_stdout"]
    later = build.otter_config(dataclasses.replace(rubric, visibility="after_published"))
    assert later["show_hidden"] and not later["show_all_public"]
    assert later["force_public_test_summary"]  # else Otter leaves "Public Tests" out
    shown = build.otter_config(dataclasses.replace(rubric, visibility="visible"))
    assert shown["show_all_public"] and not shown["force_public_test_summary"]
    public = next(c for c in REGISTRY["sigmoid_derivative"] if c.public)
    other = next(c for c in REGISTRY["sigmoid_derivative"] if not c.public)
    n_public = sum(c.public for c in REGISTRY["sigmoid_derivative"])
    for visibility in ("hidden", "after_published"):
        varied = dataclasses.replace(rubric, visibility=visibility)
        assert not build.case_hidden(public, varied) and build.case_hidden(other, varied)
        text = build.test_file("sigmoid_derivative", varied)
        assert text.count("hidden=False") == n_public and "public_only=True" in text
    everything = dataclasses.replace(rubric, visibility="visible")
    assert not build.case_hidden(other, everything)
    assert "hidden=True" not in build.test_file("quiz", everything)
    assert "no public check" not in build.test_file("quiz", everything)
    with pytest.raises(build.BuildError, match="after_due_date"):
        build.otter_config(dataclasses.replace(rubric, visibility="after_due_date"))


@pytest.mark.parametrize("visibility", ["after_published", "hidden", "visible"])
def test_each_visibility_reaches_results_json_with_an_honest_summary(
        visibility: str, tmp_path: Path) -> None:
    """Otter's own results pipeline (test files, GradingResults, to_gradescope_dict) with the
    plugin's after_grading, for each visibility, on the skeleton's real engine verdicts."""
    rubric = dataclasses.replace(load_rubric(), visibility=visibility)
    grading = kernel.KernelGrading(grade_submission(SKELETON))
    functions = ("relu", "sigmoid_derivative", "quiz")
    test_files = []
    for function in functions:
        path = tmp_path / f"{function}.py"
        path.write_text(build.test_file(function, rubric))
        parsed = create_test_file(str(path), NBMetadataConfig())
        parsed.run({entry.RESULT_GLOBAL: grading})
        test_files.append(parsed)
    results = GradingResults(test_files)
    plugin = runtime.BackpropLabPlugin(None, {}, {"visibility": visibility})
    plugin.state = tmp_path / "state"
    plugin.state.mkdir()
    problem = "backprop/activations.py could not be imported: SyntaxError: invalid syntax (line 3)"
    (plugin.state / kernel.SUMMARY_FILE).write_text(json.dumps(
        {"where": "backprop", "found": ["quiz.py"], "missing": ["activations.py"], "notes": [],
         "modules": {"activations": problem}, "score": 0, "max_score": 100, "seconds": 1.0,
         "checks": {f: v for f, v in kernel.check_verdicts(grading.result).items()
                    if f in functions}}))
    plugin.after_grading(results)
    out = results.to_gradescope_dict(AutograderConfig(build.otter_config(rubric)))
    check_schema(out)
    checks = [(f, c) for f in functions for c in REGISTRY[f]]
    named = {t["name"]: t for t in out["tests"]}
    assert named["relu"]["score"] == 0 and named["quiz"]["max_score"] == rubric.points["quiz"]
    assert "not implemented yet" in named["relu"]["output"]
    assert f"  - {problem}" in out["output"]  # import problems: visible whatever the visibility
    assert "score" not in out
    if visibility == "visible":
        assert set(named) == set(functions)
        assert all(t["visibility"] == "visible" for t in out["tests"])
        assert f"All {len(checks)} checks are shown" in out["output"]
        return
    assert set(named) == {PUBLIC_TESTS, *functions}
    shown = named[PUBLIC_TESTS]
    assert shown["visibility"] == "visible" and shown["status"] == "failed" and "score" not in shown
    public = [(f, c) for f, c in checks if c.public]
    hidden = [(f, c) for f, c in checks if not c.public]
    assert f"Public checks: {len(public)} of the {len(checks)} checks are public" in out["output"]
    assert f"0 passed, {len(public)} failed" in out["output"]
    assert f"the other {len(hidden)} checks" in out["output"]
    assert "none for" not in out["output"] and "does not mean full marks" in out["output"]
    # not implemented yet: one line per function, no check listed as failed
    for function in functions:
        assert f"{function}: failed" in shown["output"] and f"{function} failed: not " \
            "implemented yet" in shown["output"] or function == "quiz", function
    assert "[FAIL]" not in shown["output"]
    assert not [c.title for _, c in hidden if c.title in shown["output"] + out["output"]]
    assert "not implemented yet" in shown["output"]
    # in the project's words, function by function: never Otter's "passed" nor its internals
    for t in out["tests"]:
        assert "Error at line" not in t["output"] and "env[" not in t["output"], t["name"]
    assert "All test cases passed" not in shown["output"]
    n_quiz = len(REGISTRY["quiz"]) - 1
    assert "quiz: failed 1 of its 1 public check\n" in shown["output"]
    assert f"Its {n_quiz} other checks are hidden: not counted in anything shown now" in shown["output"]
    n_sd = sum(c.public for c in REGISTRY["sigmoid_derivative"])
    checks_word = "check" if n_sd == 1 else "checks"
    assert (f"sigmoid_derivative: failed {n_sd} of its {n_sd} public {checks_word}\n"
            "sigmoid_derivative failed: not implemented yet" in shown["output"])
    later = "hidden" if visibility == "hidden" else "after_published"
    assert all(named[f]["visibility"] == later for f in functions)
    if visibility == "hidden":
        assert "stdout_visibility" not in out  # Gradescope's default: hidden
        assert "not shown on Gradescope" in out["output"]
        assert "your instructor reports their results" in shown["output"]
    else:
        assert out["stdout_visibility"] == "after_published"
        assert "once your instructor publishes" in out["output"]
        assert "shown when grades are published" in shown["output"]


def test_published_entries_are_the_engines_feedback_never_all_test_cases_passed(
        tmp_path: Path) -> None:
    """After publication each function's entry is the engine's feedback of that function (as in
    make grade's results.json), also at full marks; the summary rounds the hidden points."""
    rubric = load_rubric()
    result = grade_submission(reference_flat(tmp_path / "reference"))
    grading = kernel.KernelGrading(result)
    test_files = []
    for function in rubric.functions:
        path = tmp_path / f"{function}.py"
        path.write_text(build.test_file(function, rubric))
        parsed = create_test_file(str(path), NBMetadataConfig())
        parsed.run({entry.RESULT_GLOBAL: grading})
        test_files.append(parsed)
    results = GradingResults(test_files)
    plugin = runtime.BackpropLabPlugin(None, {}, {"visibility": rubric.visibility})
    plugin.state = tmp_path / "state"
    plugin.state.mkdir()
    (plugin.state / kernel.SUMMARY_FILE).write_text(json.dumps(
        {"where": ".", "found": [], "missing": [], "notes": [], "modules": {}, "score": 100,
         "max_score": 100, "seconds": 1.0, "checks": kernel.check_verdicts(result),
         "outputs": {f: r.output for f, r in result.functions.items()}}))
    plugin.after_grading(results)
    out = results.to_gradescope_dict(AutograderConfig(build.otter_config(rubric)))
    named = {t["name"]: t for t in out["tests"]}
    for function, done in result.functions.items():
        assert named[function]["output"] == done.output, function
        assert named[function]["output"].startswith(f"{function}: ")
    assert not [t["name"] for t in out["tests"] if "All test cases passed" in t["output"]]
    worth = re.search(r"worth (about )?(\d+) of the (\d+) points", out["output"])
    assert worth and worth.group(3) == "100", out["output"]
    hidden = sum(p for f in rubric.functions for c, p in zip(REGISTRY[f], check_points(f))
                 if not c.public)
    assert int(worth.group(2)) == round(hidden) and bool(worth.group(1)) == (
        abs(hidden - round(hidden)) >= 0.005)


def test_a_public_hint_names_only_public_failures(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A failing public check's hint ("X usually relies on Y, which also lost points") is shown
    before publication: it may only name functions that failed a public check. The hint exists
    under the rubric's ``callees: own`` (with correct callees a function's checks do not depend
    on what it calls), so the grading and the plugin both read that policy here."""
    own = dataclasses.replace(load_rubric(), callees="own")
    monkeypatch.setattr("autograder.engine.rubric.load_rubric", lambda *args: own)
    engine = grade_submission(buggy(tmp_path / "buggy"), rubric=own)
    # linear_backward fails public checks; let sigmoid_backward fail a hidden check only
    linear = engine.functions["linear_backward"]
    assert not all(c.passed for c, k in zip(linear.checks, REGISTRY["linear_backward"]) if k.public)
    sigmoid_backward = engine.functions["sigmoid_backward"]
    only_hidden = next(i for i, k in enumerate(REGISTRY["sigmoid_backward"]) if not k.public)
    sigmoid_backward.checks[only_hidden].passed = False
    grading = kernel.KernelGrading(engine)
    public = next(i for i, c in enumerate(REGISTRY["dense_backward"]) if c.public)
    with pytest.raises(kernel.CheckFailed) as shown_now:
        grading.verdict("dense_backward", public, public_only=True)
    assert "usually relies on linear_backward, which" in str(shown_now.value)
    with pytest.raises(kernel.CheckFailed) as shown_later:
        grading.verdict("dense_backward", public)  # in its entry, after publication
    assert "usually relies on linear_backward, sigmoid_backward, which" in str(shown_later.value)
    report = runtime.public_report(kernel.check_verdicts(engine), "after_published")
    assert "usually relies on linear_backward, which" in report
    assert "sigmoid_backward, which" not in report


def test_only_the_students_module_files_are_graded(tmp_path: Path) -> None:
    """Otter copies tests/quiz.py and the zip's files/ into the submission folder (were a folder
    of module-named files shipped there, like the engine's checks/*.py): the copy the engine
    grades must hold only what the student uploaded."""
    submission = tmp_path / "submission"
    shipped = submission / "shipped-folder" / "autograder" / "engine" / "core" / "checks"
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
    intake.copy_gradable(submission, copy, {"shipped-folder", entry.ENTRY_NOTEBOOK})
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == ["my-repo/src/backprop/gradcheck.py", "my-repo/src/backprop/quiz.py"]
    found = kernel.discovery(copy)
    assert found["where"] == "my-repo/src/backprop"
    assert found["found"] == ["quiz.py", "gradcheck.py"]
    assert "activations.py" in found["missing"] and "gradcheck.py" not in found["missing"]


def test_log_receiver_takes_log_records_and_refuses_code() -> None:
    record = logging.LogRecord("otter", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    wire = logging.handlers.SocketHandler("localhost", 0).makePickle(record)[4:]
    assert hardening._unpickle_plain_data(None, wire)["msg"] == "hello you"
    bomb = pickle.dumps(_OtterLogBomb(os.devnull))
    assert hardening._unpickle_plain_data(None, bomb) == {}


# --- Gradescope-layout runs ----------------------------------------------------------------------
def test_reference_scores_full_marks_as_the_engine(autograder_zip: Path, gradescope_root: Path,
                                                   tmp_path: Path) -> None:
    submission = reference_flat(tmp_path / "reference")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    check_schema(done.results)
    engine = grade_submission(submission)
    assert engine.score == engine.max_score == load_rubric().total
    check_against_engine(done.results, engine)
    check_visible_text(done.results, engine)
    assert "from the top level of your upload" in done.results["output"]
    assert "could not be used" not in done.results["output"]


def test_skeleton_in_the_handout_folder_scores_zero_as_the_engine(
        autograder_zip: Path, gradescope_root: Path, tmp_path: Path) -> None:
    submission = skeleton_handout(tmp_path / "skeleton")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    check_schema(done.results)
    engine = grade_submission(submission)
    assert engine.score == 0
    by_name = check_against_engine(done.results, engine)
    text = check_visible_text(done.results, engine)
    assert "the folder backprop-lab-handout/backprop/" in done.results["output"]
    assert "not implemented yet" in by_name["sigmoid"]["output"]
    assert "not implemented yet" in text  # the public checks' feedback, at once


def test_buggy_submission_shows_public_failures_now_and_hidden_ones_after_publication(
        autograder_zip: Path, gradescope_root: Path, tmp_path: Path) -> None:
    submission = buggy(tmp_path / "buggy")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    print(json.dumps(done.results, indent=2))
    check_schema(done.results)
    engine = grade_submission(submission)
    by_name = check_against_engine(done.results, engine)
    text = check_visible_text(done.results, engine)
    public, hidden = public_and_hidden()
    failed_public = [(f, i) for f, i in public if not engine.functions[f].checks[i].passed]
    failed_hidden = [(f, i) for f, i in hidden if not engine.functions[f].checks[i].passed]
    # with correct callees (rubric.yml's default) the bug costs points in linear_backward and
    # in train (end to end) only: dense_backward, backward, loss_and_gradients keep theirs
    assert {f for f, _ in failed_public} == {"linear_backward", "train"}
    assert {f for f, _ in failed_hidden} <= {"linear_backward", "train"} and failed_hidden
    dense = next(i for i, (f, _) in enumerate(failed_public) if f == "linear_backward")
    # the missing 1/m fails a public check of linear_backward: visible at once, in our words
    # (its inputs-unchanged check is not judged while its values are wrong)
    lb = [c for c in engine.functions["linear_backward"].checks if c.public]
    n_failed = sum(not c.passed for c in lb)
    assert n_failed == 2
    assert f"linear_backward: failed {n_failed} of its {len(lb)} public checks" in text
    assert "dW is m = 4 times too large" in text and "\nquiz: passed its 1 public check" in text
    assert "All test cases passed" not in text and "Error at line" not in text
    # a failing public check: its title and feedback are visible at once
    public_check = engine.functions["linear_backward"].checks[failed_public[dense][1]]
    assert public_check.title in text and public_check.message.splitlines()[0] in text
    # a failing hidden check (linear_backward's dW): only in its after_published entry
    for f, i in failed_hidden:
        done_check = engine.functions[f].checks[i]
        assert done_check.title in by_name[f]["output"]
        assert done_check.message.splitlines()[0] in by_name[f]["output"]
        assert done_check.title not in text
    assert by_name["backward"]["visibility"] == expected_visibility() != "visible"
    assert by_name["dense_backward"]["score"] == by_name["dense_backward"]["max_score"]
    assert "usually relies on" not in by_name["dense_backward"]["output"]
    assert "end to end" in by_name["train"]["output"]


def test_module_problems_are_shown_at_submission_time(
        autograder_zip: Path, gradescope_root: Path, tmp_path: Path) -> None:
    submission = broken_modules(tmp_path / "broken")
    done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    check_schema(done.results)
    engine = grade_submission(submission)
    assert set(engine.modules) == {"optimizers", "train"}
    assert "SyntaxError" in engine.modules["optimizers"] and "line 26" in engine.modules["optimizers"]
    check_against_engine(done.results, engine)
    check_visible_text(done.results, engine)
    check_module_problems(done.results, engine)
    print(done.results["output"])


@pytest.mark.parametrize("sandbox", ["auto", "uid"])
def test_adversarial_submission_gains_nothing_and_reaches_nothing(
        autograder_zip: Path, gradescope_root: Path, drop: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, sandbox: str) -> None:
    """With namespaces (auto, here) the worker sees neither the autograder nor the drop folder;
    with the uid drop only (Gradescope's usual container) it is denied them, by Landlock where
    the kernel has it (it cannot even write its report), else by file modes."""
    if not is_root():
        pytest.skip("the worker's isolation needs root (a privilege drop), as on Gradescope")
    monkeypatch.setenv("BACKPROP_LAB_SANDBOX", sandbox)  # inherited by Otter's kernel
    submission = adversarial(tmp_path / "adversarial", gradescope_root, drop)
    # Without namespaces the grader closes its own checkout to other users; put it back after.
    saved = {p: stat.S_IMODE(p.stat().st_mode) for p in [ROOT, *ROOT.iterdir()]}
    try:
        done = grade_on_gradescope(autograder_zip, submission, gradescope_root)
    finally:
        for path, mode in saved.items():
            os.chmod(path, mode)
    check_schema(done.results)
    assert not sorted(p.name for p in drop.glob("pwned-*")), done.stdout
    if sandbox == "uid" and not landlock_abi():  # Landlock closes the drop folder as well
        report = json.loads((drop / "worker-report.json").read_text())
        assert report.pop("root loopback ports bombed") >= 1, "Otter's log receiver was not listening"
        assert all(value.startswith("denied") for value in report.values()), report
    else:
        assert not (drop / "worker-report.json").exists(), "the worker reached the host's /tmp"
    shutil.rmtree(gradescope_root)  # the engine alone, now with nothing to attack
    engine = grade_submission(submission)
    assert engine.functions["sigmoid"].score < engine.functions["sigmoid"].max_score
    check_against_engine(done.results, engine)
    check_visible_text(done.results, engine)
