"""The student handout zip: the right files, no solution code, nothing hidden, and it works.

The zip is built once per module with the real command (`autograder/packaging/build_handout.py --out`)
into a tmp dir, then inspected, unzipped, and its `make check` run as a student would.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
from autograder.engine.core.framework import REGISTRY  # noqa: E402

BUILD = ROOT / "autograder" / "packaging" / "build_handout.py"
SOLUTION_PKG = ROOT / "solutions" / "backprop"
SKELETON_PKG = ROOT / "assignments" / "backprop"
TOP = "backprop-lab-handout"
EXPECTED_FILES = {
    *(f"backprop/{p.name}" for p in SOLUTION_PKG.glob("*.py")),  # incl. gradcheck.py
    "check.py", "Makefile", "README.md", "flashcards.md", "flashcards.tsv",
    "backprop_lab.ipynb",
}
COPIED = {  # handout file -> repository file it must equal byte for byte
    "check.py": "assignments/check.py",
    "Makefile": "assignments/handout.mk",
    "README.md": "assignments/README.md",
    "flashcards.md": "assignments/flashcards.md",
    "flashcards.tsv": "assignments/flashcards.tsv",
}
# A solution line shorter than this is a generic statement ("return params", "grads = {}",
# "A = sigmoid(Z)") that reveals nothing and may legitimately appear in check.py or the notebook.
MIN_SOLUTION_LINE = 16
# Solution lines the handout may contain anyway: a loop header every training loop has, and
# formulas the contract itself states for students (docs/contract.md: "dA_prev = W^T dZ").
# The public checks' own oracles also read the batch size and branch on the activation.
GENERIC_LINES = {"for epoch in range(epochs):", "dA_prev = W.T @ dZ", "m = A_prev.shape[1]",
                 'if activation == "sigmoid":', "rng = np.random.default_rng(seed)",
                 "for k, p in params.items():"}
_BEGIN = re.compile(r"^\s*# BEGIN SOLUTION")
_ELSE = re.compile(r"^\s*# ELSE\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")


def build_handout_module():
    spec = importlib.util.spec_from_file_location("build_handout_under_test", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def public_check_files() -> set[str]:
    """The public checks' files as build_handout lays them out (computed once, by the worker
    that runs this file: it records the callees' answers in a subprocess)."""
    return set(build_handout_module().public_checks())


def build(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BUILD), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def handout(handout_zip: Path) -> Path:
    return handout_zip  # built once per test run (conftest.py), as `make handout` builds it


@pytest.fixture(scope="module")
def files(handout: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(handout) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def texts(files: dict[str, bytes]) -> dict[str, str]:
    """Every file as text; for the notebook, the sources of its cells (not the JSON)."""
    out = {}
    for name, data in files.items():
        text = data.decode("utf-8")
        if name.endswith(".ipynb"):
            text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        out[name] = text
    return out


def solution_only_lines() -> set[str]:
    """Non-trivial lines inside BEGIN/END SOLUTION blocks of the reference that appear nowhere
    outside those blocks (nor in their ELSE parts, which the skeleton receives)."""
    from autograder.packaging.build_skeleton import solution_lines

    inside, outside = solution_lines(SOLUTION_PKG)
    return {line for line in inside - outside - GENERIC_LINES
            if len(line) >= MIN_SOLUTION_LINE and not line.startswith("#")}


def answer_key() -> dict[int, str]:
    tree = ast.parse((SOLUTION_PKG / "quiz.py").read_text())
    node = next(n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign)))
    key = ast.literal_eval(node.value)
    assert sorted(key) == list(range(1, 11)) and set(key.values()) <= set("ABCD")
    return key


def test_file_list(files: dict[str, bytes], public_check_files: set[str]) -> None:
    assert all(name.startswith(f"{TOP}/") for name in files)
    assert {name.removeprefix(f"{TOP}/") for name in files} == EXPECTED_FILES | public_check_files


def test_contents_come_from_their_sources(files: dict[str, bytes]) -> None:
    for path in SKELETON_PKG.glob("*.py"):
        assert files[f"{TOP}/backprop/{path.name}"] == path.read_bytes(), path.name
    for name, source in COPIED.items():
        assert files[f"{TOP}/{name}"] == (ROOT / source).read_bytes(), name
    for package in ("autograder/__init__.py", "autograder/engine/__init__.py"):  # no stub
        assert files[f"{TOP}/public_checks/{package}"] == (ROOT / package).read_bytes(), package
    notebook = nbformat.reads(files[f"{TOP}/backprop_lab.ipynb"].decode(), as_version=4)
    nbformat.validate(notebook)
    assert len(notebook.cells) > 5


def test_no_solution_code(files: dict[str, bytes]) -> None:
    lines = solution_only_lines()
    assert len(lines) > 40  # the block parser found the reference's solution code
    for name, text in texts(files).items():
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, name
        leaked = sorted(line for line in lines if line in text)
        assert not leaked, f"{name} contains solution code: {leaked}"


def test_no_quiz_answer_key(files: dict[str, bytes]) -> None:
    key = answer_key()
    sequence = "".join(key[q] for q in range(1, 11))  # "DACBACDBAD" today
    pair = re.compile(r"\b(10|[1-9])\s*[:.)=-]?\s*[\"']?([A-D])[\"']?(?=[\s,;)}\]]|$)")
    for name, text in texts(files).items():
        assert sequence not in re.sub(r"[^A-D]", "", text), name
        matches = {(int(q), letter) for q, letter in pair.findall(text)}
        hits = {q for q, letter in matches if key[q] == letter}
        assert len(hits) < 4, f"{name} seems to hold quiz answers for questions {sorted(hits)}"


def _declared_checks(node: ast.FunctionDef) -> list[str]:
    """The checks a function declares: itself (@check), or one per case (@check_each)."""
    names = []
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "check_each":
            function, cases = ast.literal_eval(deco.args[0]), ast.literal_eval(deco.args[1])
            names += [f"{function}_{case}" for case in cases]
        elif "check" in ast.unparse(deco):
            names.append(node.name)
    return names


def test_hidden_checks_never_leave_the_grader(files: dict[str, bytes]) -> None:
    """The handout's checks are exactly the engine's public checks; no hidden check's name or
    title is anywhere in it."""
    shipped = {check for name, data in files.items()
               if name.startswith(f"{TOP}/public_checks/autograder/engine/core/checks/")
               for node in ast.parse(data.decode()).body if isinstance(node, ast.FunctionDef)
               for check in _declared_checks(node)}
    public = {c.name for checks in REGISTRY.values() for c in checks if c.public}
    hidden = [c for checks in REGISTRY.values() for c in checks if not c.public]
    assert shipped == public
    assert len(hidden) > 30
    text = "\n".join(texts(files).values())
    for c in hidden:
        assert c.name not in text and f'"{c.title}"' not in text, (c.function, c.title)


def test_nothing_from_the_grader_solutions_or_tests(files: dict[str, bytes],
                                                   public_check_files: set[str]) -> None:
    for name in files:
        for folder in ("autograder/", "solutions/", "tests/"):
            assert folder not in name or name.removeprefix(f"{TOP}/") in public_check_files, name
        # the grader package (hidden checks, quiz key) in any packaged form
        assert not name.endswith((".whl", ".tar.gz", ".egg", ".dist-info", "PKG-INFO")), name
        assert "backprop_lab-" not in name and "backprop-lab-" not in name.removeprefix(f"{TOP}/")
    # Names of the grader's and the test suite's own files; sample submissions under them reuse
    # the handout's module names (activations.py, ...), which are of course not secret.
    hidden = {p.name for folder in ("autograder", "tests") for p in (ROOT / folder).rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    public = {p.name for p in (ROOT / "assignments").rglob("*") if p.is_file()}
    public |= {Path(name).name for name in public_check_files}
    hidden -= public | {"__init__.py", "README.md", "Makefile", "conftest.py"}
    assert "test_handout.py" in hidden  # the scan sees the test files
    assert not hidden & {Path(name).name for name in files}
    for name, text in texts(files).items():
        mentioned = sorted(h for h in hidden if h in text)
        assert not mentioned, f"{name} names hidden files: {mentioned}"


def test_the_shipped_packages_import_nothing() -> None:
    """autograder and autograder.engine ship as they are, so importing them loads nothing else
    (the grading host's modules, which do not ship, are imported by name where they run)."""
    code = ("import sys, autograder.engine\n"
            "print(sorted(m for m in sys.modules if m.startswith('autograder')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['autograder',", "'autograder.engine']"]


def test_zip_is_deterministic(handout: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    result = build(again)
    assert result.returncode == 0, result.stderr
    assert again.read_bytes() == handout.read_bytes()
    with zipfile.ZipFile(again) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def unzip(handout: Path, where: Path) -> Path:
    with zipfile.ZipFile(handout) as archive:
        archive.extractall(where)
    return where / TOP


def make_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "check", f"PYTHON={sys.executable}"], cwd=folder,
                          capture_output=True, text=True, timeout=300)


def test_make_check_in_the_handout(handout: Path, tmp_path: Path) -> None:
    folder = unzip(handout, tmp_path)
    result = make_check(folder)
    assert result.returncode != 0, result.stdout
    assert "Error" not in result.stderr and "***" not in result.stderr, result.stderr  # no crash
    n = len(REGISTRY)
    assert f"0/{n} functions pass the public checks" in result.stdout, result.stdout
    assert "NOT IMPLEMENTED" in result.stdout
    for path in SOLUTION_PKG.glob("*.py"):
        shutil.copy(path, folder / "backprop" / path.name)
    result = make_check(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{n}/{n} functions pass the public checks" in result.stdout


def test_make_help_in_the_handout(handout: Path, tmp_path: Path) -> None:
    result = subprocess.run(["make", "-s"], cwd=unzip(handout, tmp_path), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    assert "make check" in result.stdout and "make notebook" in result.stdout


def test_stale_skeleton_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("build_handout_under_test", BUILD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = tmp_path / "backprop"
    shutil.copytree(SKELETON_PKG, stale)
    (stale / "losses.py").write_text((stale / "losses.py").read_text() + "\n# edited by hand\n")
    monkeypatch.setattr(module.build_skeleton, "SKELETON_DIR", stale)
    out = tmp_path / "handout.zip"
    assert module.main(["--out", str(out)]) == 1
    assert not out.exists()
    assert "stale" in capsys.readouterr().err


def test_check_py_needs_nothing_but_python_and_numpy(handout: Path, tmp_path: Path) -> None:
    """No make, no PyYAML, no Otter, no grader: check.py with the handout's own files only."""
    folder = unzip(handout, tmp_path)
    for path in SOLUTION_PKG.glob("*.py"):
        shutil.copy(path, folder / "backprop" / path.name)
    blocked = ["yaml", "otter", "nbformat", "autograder.engine.sandbox", "autograder.engine.rubric",
               "autograder.engine.intake"]
    script = (f"import runpy, sys\nfor name in {blocked!r}:\n    sys.modules[name] = None\n"
              "sys.argv = ['check.py', '--json']\nrunpy.run_path('check.py', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-I", "-c", script], cwd=folder, capture_output=True,
                          text=True, timeout=300)
    verdicts = json.loads(done.stdout)["functions"]
    assert sorted(verdicts) == sorted(REGISTRY) and all(v["passed"] for v in verdicts.values())
    assert done.returncode == 0, done.stderr


def test_no_shipped_function_computes_a_graded_function(handout: Path, tmp_path: Path) -> None:
    """The leak test: every function shipped in the handout (the public checks, their oracle
    and helpers, the recorded answers' replay) is called with the arguments of each graded
    function; none may return what the reference returns. The expected values of the public
    checks ship as recorded values, never as the code that computes them."""
    with zipfile.ZipFile(handout) as archive:
        archive.extractall(tmp_path)
    out = tmp_path / "leaks.json"
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "handout_leak_probe.py"),
                           str(tmp_path / TOP), str(out)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(out.read_text())["leaks"] == []


def test_the_leak_test_finds_an_implementation(tmp_path: Path) -> None:
    """The leak probe can fail: an oracle that computes sigmoid, shipped, is found."""
    folder = tmp_path / TOP / "public_checks" / "leaky"
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(
        "import numpy as np\n\n\ndef helper(Z):\n    return 1 / (1 + np.exp(-Z))\n")
    out = tmp_path / "leaks.json"
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "handout_leak_probe.py"),
                           str(tmp_path / TOP), str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(out.read_text())["leaks"] == ["leaky.helper computes sigmoid"]
