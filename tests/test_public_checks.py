"""The students' public checks (assignments/check.py) pass the reference, fail the skeleton, and
fail a broken function, and only that function and what depends on it; they are the engine's
public checks, with the same verdicts and messages as the grader's.

check.py is always run as students run it: a fresh interpreter on a folder that contains a
`backprop/` package. Broken packages are copies of the reference in a tmp dir with one edit.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "assignments" / "check.py"
SOLUTIONS = ROOT / "solutions"
SKELETON = ROOT / "assignments"
REFERENCE_PKG = SOLUTIONS / "backprop"

from autograder.engine.core.contract import GRADED  # noqa: E402
from autograder.engine.core.framework import REGISTRY  # noqa: E402
from autograder.engine.grading_host import grade_submission  # noqa: E402

# Every graded function of the contract, in report order ("quiz" stands for quiz.ANSWERS).
FUNCTIONS = list(GRADED)
STATUS_LINE = re.compile(r"^  (PASS|FAIL|NOT IMPLEMENTED)\s+(\w+)(?: \(.*\))?\s*$", re.MULTILINE)


def run_check(package_dir: Path, *functions: str) -> tuple[int, str, dict[str, str]]:
    """Run check.py on package_dir; return (exit code, output, {function: status})."""
    result = subprocess.run(
        [sys.executable, str(CHECK), "--package", str(package_dir), *functions],
        capture_output=True, text=True, timeout=120, cwd=package_dir,
    )
    output = result.stdout + result.stderr
    statuses = {name: status for status, name in STATUS_LINE.findall(result.stdout)}
    return result.returncode, output, statuses


def report_block(output: str, name: str) -> str:
    """The detail lines printed under a function's status line."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if (m := STATUS_LINE.match(line + "\n"))
                 and m.group(2) == name)
    block = []
    for line in lines[start + 1:]:
        if not line.startswith(" " * 5):
            break
        block.append(line.strip())
    return "\n".join(block)


def broken_copy(tmp_path: Path, edits: list[tuple[str, str, str]]) -> Path:
    """A copy of the reference package with text replacements (file, old, new) applied."""
    folder = tmp_path / "submission"
    shutil.copytree(REFERENCE_PKG, folder / "backprop")
    for filename, old, new in edits:
        path = folder / "backprop" / filename
        text = path.read_text()
        assert text.count(old) == 1, f"mutation target not found once in {filename}: {old!r}"
        path.write_text(text.replace(old, new))
    return folder


def reference_functions() -> dict[str, ast.FunctionDef]:
    """Every top-level function of the reference, by name (parsed, not imported)."""
    functions = {}
    for path in sorted(REFERENCE_PKG.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                functions[node.name] = node
    return functions


def callers_of(target: str) -> set[str]:
    """Graded functions of the reference that call `target`, directly or through others."""
    calls = {
        name: {n.func.id for n in ast.walk(node)
               if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        for name, node in reference_functions().items()
    }
    found: set[str] = set()
    frontier = {target}
    while frontier:
        frontier = {name for name, called in calls.items() if called & frontier} - found
        found |= frontier
    return found & set(FUNCTIONS)


def module_functions(module: str) -> set[str]:
    names = {node.name for node in ast.parse((REFERENCE_PKG / f"{module}.py").read_text()).body
             if isinstance(node, ast.FunctionDef)}
    return names & set(FUNCTIONS)


def modules_importing(module: str) -> set[str]:
    """Reference modules that import backprop.<module>, directly or through others."""
    imports = {}
    for path in REFERENCE_PKG.glob("*.py"):
        imports[path.stem] = {
            node.module.split(".")[-1] for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom) and node.module
            and node.module.startswith("backprop.")
        }
    found, frontier = {module}, {module}
    while frontier:
        frontier = {m for m, deps in imports.items() if deps & frontier} - found
        found |= frontier
    return found


def test_reference_passes_every_public_check() -> None:
    code, output, statuses = run_check(SOLUTIONS)
    assert code == 0, output
    assert statuses == dict.fromkeys(FUNCTIONS, "PASS"), output
    assert f"{len(FUNCTIONS)}/{len(FUNCTIONS)} functions pass the public checks" in output
    assert "hidden tests" in output


def test_skeleton_fails_with_not_implemented_for_every_function() -> None:
    code, output, statuses = run_check(SKELETON)
    assert code != 0, output
    assert statuses == dict.fromkeys(FUNCTIONS, "NOT IMPLEMENTED"), output
    assert f"0/{len(FUNCTIONS)} functions pass the public checks" in output
    # A function not implemented yet is one line, nothing under it; no check is called FAIL.
    for name in FUNCTIONS:
        assert report_block(output, name) == "", name
    assert "[FAIL]" not in output and len(output.splitlines()) < 60, output
    # and the end says what to do next
    assert "Next: implement sigmoid in backprop/activations.py, then run: python check.py " \
        "sigmoid" in output


def test_without_numpy_one_line_says_how_to_install_it(tmp_path: Path) -> None:
    fake = tmp_path / "no-numpy" / "numpy"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named numpy')\n")
    result = subprocess.run([sys.executable, str(CHECK), "--package", str(SOLUTIONS)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(fake.parent)})
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "check.py needs numpy, which this Python does not have: run  python3 -m pip install "
        "numpy  and then check.py again."]


def test_default_package_is_the_folder_of_check_py(tmp_path: Path) -> None:
    """As in the handout: check.py, public_checks/ and backprop/ side by side."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_handout_for_check",
                                                  ROOT / "autograder" / "packaging" / "build_handout.py")
    assert spec is not None and spec.loader is not None
    build_handout = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_handout)
    for name, data in build_handout.public_checks().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    shutil.copy(CHECK, tmp_path / "check.py")
    shutil.copytree(REFERENCE_PKG, tmp_path / "backprop")
    result = subprocess.run([sys.executable, "check.py", "sigmoid"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert str(tmp_path / "backprop") in result.stdout


def test_a_broken_function_fails_itself_and_train_only(tmp_path: Path) -> None:
    """Correct callees (rubric.yml's default): the functions that call the broken sigmoid are
    checked with a correct one, so only sigmoid and train (end to end) fail."""
    folder = broken_copy(tmp_path, [(
        "activations.py",
        "return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
        "return 1.0 / (1.0 + np.exp(Z))",  # the sign of the exponent flipped
    )])
    code, output, statuses = run_check(folder)
    assert code != 0, output
    reach = {"sigmoid"} | callers_of("sigmoid")
    # A sanity check of the call-graph helper on the current reference.
    assert {"sigmoid_backward", "dense_forward", "forward", "train"} <= reach
    failing = {n for n, s in statuses.items() if s != "PASS"}
    assert failing == {"sigmoid", "train"}, output
    assert "usually relies on" not in report_block(output, "sigmoid")
    assert statuses["mse_loss"] == "PASS"
    assert set(statuses) == set(FUNCTIONS)
    assert f"{len(FUNCTIONS) - len(failing)}/{len(FUNCTIONS)} functions" in output
    report = report_block(output, "sigmoid")
    assert "expected" in report and "got" in report and "Likely mistake" in report, report
    # its inputs-unchanged check needs right values first: it says so, without a second message
    assert "[NOT JUDGED] does not modify its input Z" in report, report
    assert report.count("Likely mistake") == 1, report


def test_a_module_that_does_not_import_fails_only_what_needs_it(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, [("layers.py", "return W @ A_prev + b", "return W @ A_prev + b)")])
    code, output, statuses = run_check(folder)
    assert code != 0
    broken = set().union(*(module_functions(m) for m in modules_importing("layers")))
    assert {"linear_forward", "forward", "train"} <= broken
    failing = {n for n, s in statuses.items() if s != "PASS"}
    # a module importing the broken one still imports; what calls into it is checked with
    # correct callees, so only the broken module's functions and train (end to end) fail
    assert failing == module_functions("layers") | {"train"}, output
    assert "backprop/layers.py could not be imported: SyntaxError" in output


# One mutant per graded function: a typical student bug that the function's own public checks
# must catch (proof that no check is vacuous). Each entry: (function, file, old, new).
MUTANTS = [
    ("sigmoid", "activations.py", "np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
     "1.0 / (1.0 + np.exp(-Z))"),  # overflows for Z = -1000
    ("sigmoid_derivative", "activations.py", "return S * (1.0 - S)", "return S * S"),
    ("sigmoid_backward", "activations.py", "return dA * sigmoid_derivative(Z)",
     "return dA * sigmoid(Z)"),
    ("relu", "activations.py", "np.maximum(0.0, np.asarray(Z, dtype=float))",
     "np.abs(np.asarray(Z, dtype=float))"),
    ("relu_backward", "activations.py", "np.where(Z > 0, dA, 0.0)", "np.where(dA > 0, dA, 0.0)"),
    ("mse_loss", "losses.py", "np.sum((Y - Y_hat) ** 2) / m", "np.mean((Y - Y_hat) ** 2)"),
    ("mse_loss_backward", "losses.py", "dtype=float) - Y).astype(float)",
     "dtype=float) - Y).astype(float) / Y.shape[1]"),
    ("linear_forward", "layers.py", "return W @ A_prev + b", "return W @ A_prev"),
    ("linear_backward", "layers.py", "dW = (dZ @ A_prev.T) / m", "dW = dZ @ A_prev.T"),
    ("dense_forward", "layers.py", "        A = Z.copy()", "        A = relu(Z)"),
    ("dense_backward", "layers.py", "        dZ = np.array(dA, dtype=float)",
     "        dZ = relu_backward(dA, Z)"),
    ("init_params", "network.py", "np.random.default_rng(seed)", "np.random.default_rng()"),
    ("forward", "network.py", "for l, activation in enumerate(activations, start=1):",
     "for l, activation in enumerate(reversed(activations), start=1):"),
    ("backward", "network.py", "grads[f\"db{l}\"] = db", "grads[f\"db{l}\"] = 2 * db"),
    ("loss_and_gradients", "network.py", "return mse_loss(Y_hat, Y), backward(",
     "return 2 * mse_loss(Y_hat, Y), backward("),
    ("random_mini_batches", "minibatch.py", "for k in range(0, m, batch_size)",
     "for k in range(0, m - batch_size + 1, batch_size)"),  # drops the remainder
    ("sgd_update", "optimizers.py", "p - lr * grads[\"d\" + k]", "p + lr * grads[\"d\" + k]"),
    ("init_state", "optimizers.py", "np.zeros_like(p, dtype=float)", "np.ones_like(p, dtype=float)"),
    ("momentum_update", "optimizers.py", "new_params[k] = p - lr * new_v[g]",
     "new_params[k] = p - lr * v[g]"),
    ("rmsprop_update", "optimizers.py", "grads[g] / (np.sqrt(new_s[g]) + eps)",
     "grads[g] / (new_s[g] + eps)"),
    ("adam_update", "optimizers.py", "v_hat = new_v[g] / (1.0 - beta1**t)", "v_hat = new_v[g]"),
    ("train", "train.py", "        losses.append(mse_loss(Y_hat, Y))",
     "        losses.insert(0, mse_loss(Y_hat, Y))"),
    ("quiz", "quiz.py", "# END SOLUTION", "ANSWERS = {**ANSWERS, 1: 'E'}\n# END SOLUTION"),
]


def test_every_graded_function_has_a_mutant() -> None:
    assert [m[0] for m in MUTANTS] == FUNCTIONS


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_public_checks_catch_a_typical_bug(tmp_path: Path, mutant: tuple) -> None:
    function, filename, old, new = mutant
    folder = broken_copy(tmp_path, [(filename, old, new)])
    code, output, statuses = run_check(folder, function)
    assert code != 0, output
    assert statuses == {function: "FAIL"}, output
    assert "0/1 functions pass the public checks" in output


def float32_variant(tmp_path: Path) -> Path:
    return broken_copy(tmp_path, [
        ("activations.py", "return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
         "return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E)).astype(np.float32)"),
        ("layers.py", "return W @ A_prev + b", "return (W @ A_prev + b).astype(np.float32)"),
        ("layers.py", "return dA_prev, dW, db",
         "return tuple(x.astype(np.float32) for x in (dA_prev, dW, db))"),
    ])


def alternative_variant(tmp_path: Path) -> Path:
    return broken_copy(tmp_path, [
        ("activations.py", "return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
         "return 0.5 * (1.0 + np.tanh(0.5 * Z))"),
        ("activations.py", "return np.maximum(0.0, np.asarray(Z, dtype=float))",
         "return Z * (Z > 0)"),
        ("losses.py", "return float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
         "return np.mean(0.5 * np.sum((Y_hat - Y) ** 2, axis=0))"),
        ("network.py", "rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)",
         "rng.standard_normal((n, n_prev)) * 0.01"),
        ("minibatch.py", "perm = np.random.default_rng(seed).permutation(m)",
         "perm = np.random.RandomState(seed).permutation(m)"),
    ])


@pytest.mark.parametrize("variant", [float32_variant, alternative_variant],
                         ids=["float32", "alternative-formulas"])
def test_correct_variants_pass(tmp_path: Path, variant) -> None:
    code, output, statuses = run_check(variant(tmp_path))
    assert code == 0, output
    assert set(statuses.values()) == {"PASS"}


def test_function_selection_and_usage_errors(tmp_path: Path) -> None:
    code, output, statuses = run_check(SOLUTIONS, "sigmoid", "quiz")
    assert code == 0 and statuses == {"sigmoid": "PASS", "quiz": "PASS"}, output
    assert "2/2 functions pass the public checks" in output
    code, output, _ = run_check(SOLUTIONS, "sigmoidd")
    assert code == 2 and "unknown function(s) sigmoidd" in output
    code, output, _ = run_check(tmp_path)
    assert code != 0 and "no backprop package" in output


def check_json(package_dir: Path, *functions: str) -> dict:
    result = subprocess.run([sys.executable, str(CHECK), "--json", "--package", str(package_dir),
                             *functions], capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout)


def test_json_output_and_not_implemented_functions() -> None:
    done = check_json(SKELETON, "sigmoid", "quiz")
    assert set(done) == {"functions"} and list(done["functions"]) == ["sigmoid", "quiz"]
    for function, verdict in done["functions"].items():
        assert verdict["passed"] is False, function
        public = [c for c in REGISTRY[function] if c.public]
        assert [c["name"] for c in verdict["checks"]] == [c.name for c in public]
        assert all(set(c) == {"name", "passed", "message"} for c in verdict["checks"])
    assert all(v["passed"] for v in check_json(SOLUTIONS)["functions"].values())


@pytest.mark.parametrize("sample", sorted(p.name for p in (ROOT / "autograder" / "samples").iterdir()
                                          if p.is_dir() and not p.name.startswith(".")))
def test_same_verdicts_and_messages_as_the_grader(sample: str, tmp_path: Path) -> None:
    """check.py runs the engine's public checks: same verdict, same message, check by check."""
    from autograder.engine.intake import find_package, staged

    folder = ROOT / "autograder" / "samples" / sample
    engine = grade_submission(folder)
    with staged(folder) as (package, _):
        shutil.copytree(package, tmp_path / "backprop")
    (tmp_path / "backprop" / "__init__.py").write_text("")
    local = check_json(tmp_path)["functions"]
    assert find_package(folder) is not None
    for function, verdict in local.items():
        graded = [{"name": c.name, "passed": c.passed, "message": c.message}
                  for c in engine.functions[function].checks if c.public]
        assert verdict["checks"] == graded, function


def test_a_hanging_function_times_out_and_the_others_are_checked(tmp_path: Path) -> None:
    folder = broken_copy(tmp_path, [("activations.py",
                                     "    return np.maximum(0.0, np.asarray(Z, dtype=float))",
                                     "    while True:\n        pass")])
    done = subprocess.run([sys.executable, str(CHECK), "--package", str(folder), "--timeout", "1",
                           "relu", "sigmoid"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "timed out" in done.stdout and "  PASS             sigmoid" in done.stdout, done.stdout


def test_the_handout_grades_with_recorded_callees_as_the_grader_does(tmp_path: Path) -> None:
    """In the handout no implementation of a callee ships: check.py replays the answers the
    grader's correct callees gave on the reference. A bug in linear_backward and one in
    sigmoid cost points there only, as in the course repository and in make grade."""
    from autograder.packaging import build_handout

    handout = tmp_path / "handout"
    for name, data in build_handout.public_checks().items():
        (handout / name).parent.mkdir(parents=True, exist_ok=True)
        (handout / name).write_bytes(data)
    assert not (handout / "public_checks/autograder/engine/callees.py").exists()
    shutil.copy(CHECK, handout / "check.py")
    folder = broken_copy(tmp_path, [
        ("layers.py", "db = np.sum(dZ, axis=1, keepdims=True) / m", "db = np.sum(dZ, axis=1) / m"),
        ("activations.py", "return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
         "return 1.0 / (1.0 + np.exp(Z))"),
    ])
    shutil.copytree(folder / "backprop", handout / "backprop")
    done = subprocess.run([sys.executable, "check.py", "--json"], cwd=handout,
                          capture_output=True, text=True, timeout=300)
    in_handout = {f: v["passed"] for f, v in json.loads(done.stdout)["functions"].items()}
    _, output, statuses = run_check(folder)
    in_repository = {f: s == "PASS" for f, s in statuses.items()}
    assert in_handout == in_repository, output
    assert {f for f, ok in in_handout.items() if not ok} == {"sigmoid", "linear_backward",
                                                             "train"}, done.stdout[-3000:]
