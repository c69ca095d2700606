"""The student skeleton (assignments/backprop) and the reference (solutions/backprop) cannot drift.

Both folders hold a package named `backprop`, so they are never imported into this process:
source comparisons use ast, and anything that needs the imported objects (inspect.signature,
calling the skeleton's functions) runs in a fresh interpreter per package.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_PKG = ROOT / "solutions" / "backprop"
SKELETON_PKG = ROOT / "assignments" / "backprop"
BUILD_SKELETON = ROOT / "autograder" / "packaging" / "build_skeleton.py"

from autograder.engine.core import contract  # noqa: E402
from autograder.engine.rubric import load_rubric  # noqa: E402

# module -> function -> parameters with defaults (the graded functions, then the given ones).
CONTRACT = {m: {f: sig for f, sig in fs.items() if f != "quiz"}
            for m, fs in {**contract.FUNCTIONS, **contract.GIVEN}.items() if m != "quiz"}
QUIZ_KEY = load_rubric().quiz_key
GRADED = {name for module, funcs in CONTRACT.items() if module not in contract.GIVEN
          for name in funcs}
ALLOWED_IMPORTS = {"numpy", "backprop", "__future__", "collections", "typing"}

# Dumps what the importer of a package sees: signatures (with defaults and annotations) and
# docstrings of every public function, and the exception each graded function raises.
INTROSPECT = r"""
import importlib, inspect, json, sys
sys.path.insert(0, sys.argv[1])
out = {}
for name in sys.argv[2:]:
    module = importlib.import_module("backprop." + name)
    assert module.__file__.startswith(sys.argv[1]), module.__file__
    funcs = {}
    for fname, obj in vars(module).items():
        if fname.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module.__name__:
            continue
        entry = {"signature": str(inspect.signature(obj)), "doc": inspect.getdoc(obj)}
        if name != "gradcheck":
            args = [None] * sum(
                p.default is p.empty for p in inspect.signature(obj).parameters.values())
            try:
                obj(*args)
                entry["raises"] = None
            except BaseException as exc:
                entry["raises"] = type(exc).__name__
                entry["message"] = str(exc)
        funcs[fname] = entry
    out[name] = funcs
print(json.dumps(out))
"""


def modules(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


def introspect(folder: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", INTROSPECT, str(folder.parent), *modules(folder)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def solution() -> dict:
    return introspect(SOLUTION_PKG)


@pytest.fixture(scope="module")
def skeleton() -> dict:
    return introspect(SKELETON_PKG)


def without_annotations(signature: str, module: str, name: str) -> str:
    """'(Z: np.ndarray) -> np.ndarray' -> '(Z)', via a throwaway def parsed by ast."""
    tree = ast.parse(f"def f{signature}: pass")
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef), (module, name)
    for arg in func.args.args + func.args.kwonlyargs:
        arg.annotation = None
    func.returns = None
    return ast.unparse(func.args).join("()")


def solution_lines() -> tuple[set[str], set[str]]:
    """(lines inside BEGIN/END SOLUTION blocks, every other line incl. ELSE parts), stripped."""
    from autograder.packaging.build_skeleton import solution_lines as split

    return split(SOLUTION_PKG)


def test_skeleton_is_generated_from_the_current_reference() -> None:
    result = subprocess.run([sys.executable, str(BUILD_SKELETON), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr + "\nrun `make skeleton`"


def test_same_modules() -> None:
    assert sorted(p.name for p in SKELETON_PKG.glob("*.py")) == sorted(
        p.name for p in SOLUTION_PKG.glob("*.py"))


def test_same_signatures_and_docstrings(solution: dict, skeleton: dict) -> None:
    assert skeleton.keys() == solution.keys()
    for module, funcs in solution.items():
        assert skeleton[module].keys() == funcs.keys(), module
        for name, entry in funcs.items():
            got = skeleton[module][name]
            assert got["signature"] == entry["signature"], (module, name)
            assert got["doc"] == entry["doc"], (module, name)


def module_header(tree: ast.Module, constants: bool) -> list[str]:
    """Top-level imports (and constant assignments such as ACTIVATIONS) of a module."""
    return [ast.unparse(node) for node in tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom))
            or (constants and isinstance(node, (ast.Assign, ast.AnnAssign)))]


def test_same_module_docstrings_imports_and_constants() -> None:
    for path in SOLUTION_PKG.glob("*.py"):
        ref = ast.parse(path.read_text())
        ske = ast.parse((SKELETON_PKG / path.name).read_text())
        assert ast.get_docstring(ske) == ast.get_docstring(ref), path.name
        constants = path.name != "quiz.py"  # quiz.ANSWERS is the graded "body" there
        assert module_header(ske, constants) == module_header(ref, constants), path.name


def test_every_contract_function_exists_with_its_parameters(solution: dict, skeleton: dict
                                                            ) -> None:
    for package in (solution, skeleton):
        for module, funcs in CONTRACT.items():
            assert module in package, f"backprop/{module}.py is missing"
            for name, params in funcs.items():
                assert name in package[module], f"{module}.{name} is missing"
                got = without_annotations(package[module][name]["signature"], module, name)
                assert got == params, (module, name, got)


def test_public_functions_have_type_hints(solution: dict) -> None:
    for module, funcs in solution.items():
        for name, entry in funcs.items():
            params = ast.parse(f"def f{entry['signature']}: pass").body[0]
            assert isinstance(params, ast.FunctionDef)
            assert params.returns is not None, (module, name)
            assert all(a.annotation is not None for a in params.args.args), (module, name)


def test_every_graded_skeleton_function_raises_not_implemented(skeleton: dict) -> None:
    raised = {name: entry for funcs in skeleton.values() for name, entry in funcs.items()
              if "raises" in entry}
    assert set(raised) == GRADED
    for name, entry in raised.items():
        assert entry["raises"] == "NotImplementedError", (name, entry)
        assert f"{name} is not implemented yet" in entry["message"], (name, entry)


def test_skeleton_quiz_is_blank_and_complete() -> None:
    for path, blank in ((SKELETON_PKG / "quiz.py", True), (SOLUTION_PKG / "quiz.py", False)):
        tree = ast.parse(path.read_text())
        assigns = [n for n in tree.body if isinstance(n, ast.AnnAssign | ast.Assign)]
        answers = ast.literal_eval(assigns[0].value)
        assert sorted(answers) == sorted(QUIZ_KEY), path
        if blank:
            assert set(answers.values()) == {""}, path
        else:
            assert answers == QUIZ_KEY, (
                f"{path}: the reference's answers must be the key of autograder/rubric.yml")


def test_skeleton_contains_no_solution_code() -> None:
    inside, outside = solution_lines()
    # Every solution-only statement counts; lines of bare punctuation such as ")" carry nothing.
    solution_only = {line for line in inside - outside
                     if re.search(r"\w", line) and not line.startswith("#")}
    assert len(solution_only) > 50  # the parser found the blocks
    for path in SKELETON_PKG.glob("*.py"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path.name
        leaked = solution_only & {line.strip() for line in text.splitlines()}
        assert not leaked, f"{path.name} contains solution lines: {sorted(leaked)}"


def test_init_imports_no_submodule_and_code_imports_numpy_only() -> None:
    for folder in (SOLUTION_PKG, SKELETON_PKG):
        init = ast.parse((folder / "__init__.py").read_text())
        assert not [n for n in ast.walk(init) if isinstance(n, (ast.Import, ast.ImportFrom))]
        for path in folder.glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    tops = {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    tops = {(node.module or "").split(".")[0]}
                else:
                    continue
                assert tops <= ALLOWED_IMPORTS, (path, tops)


def test_the_skeleton_is_only_built_from_a_reference_that_follows_the_contract(tmp_path: Path
                                                                               ) -> None:
    from autograder.packaging import build_skeleton

    assert build_skeleton.contract_problems() == []
    folder = tmp_path / "backprop"
    folder.mkdir()
    for path in SOLUTION_PKG.glob("*.py"):
        (folder / path.name).write_text(path.read_text())
    text = (folder / "network.py").read_text()
    (folder / "network.py").write_text(text.replace("def init_params(layer_sizes", "def init_params(sizes"))
    (folder / "train.py").unlink()
    problems = build_skeleton.contract_problems(folder)
    assert "backprop/train.py is missing" in problems
    assert any(p.startswith("network.init_params(sizes, seed=0) should be") for p in problems)
