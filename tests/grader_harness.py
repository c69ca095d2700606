"""Shared helpers of the grader's tests of the tests (test_grader_verdicts, test_grader_security).

Not a test module. It finds the repository, imports the grading engine (a missing engine is a
test failure, never a skip), turns a grading result into plain data, and runs probes and
gradings in subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

PROBE = TESTS / "probe_submission.py"
# Scores are rounded by the engine (7.999999 for 8 is a rounding artifact, not a lost point).
SCORE_TOLERANCE = 1e-3


def engine() -> tuple[Any, list[str]]:
    """(grade_submission, GRADED_FUNCTIONS), or a test failure saying why they are missing."""
    try:
        from autograder.engine.grading_host import GRADED_FUNCTIONS, grade_submission
    except Exception as exc:  # the engine is part of the product: its absence is a failure
        pytest.fail(f"the grading engine (autograder.engine) is not importable: {exc!r}")
    return grade_submission, list(GRADED_FUNCTIONS)


def plain(result: Any) -> dict[str, Any]:
    """A grading result as plain data (the fields of the engine's documented API)."""
    functions = {}
    for name, fr in result.functions.items():
        checks = [
            {
                "name": str(getattr(c, "name", getattr(c, "title", ""))),
                "passed": bool(c.passed),
                "message": str(getattr(c, "message", "")),
            }
            for c in getattr(fr, "checks", [])
        ]
        functions[name] = {
            "score": float(fr.score), "max_score": float(fr.max_score),
            "output": str(fr.output), "checks": checks,
        }
    return {
        "score": float(result.score), "max_score": float(result.max_score),
        "stdout": str(getattr(result, "stdout", "")), "functions": functions,
        "internal_errors": [str(e) for e in getattr(result, "internal_errors", [])],
    }


def full(fn: dict[str, Any]) -> bool:
    return fn["score"] >= fn["max_score"] - SCORE_TOLERANCE


def excerpt(fn: dict[str, Any], limit: int = 700) -> str:
    text = fn["output"]
    return text if len(text) <= limit else text[:limit] + " [...]"


GRADE_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from autograder.engine.grading_host import grade_submission
sys.path.insert(0, sys.argv[4])
from grader_harness import plain
rubric = None
if len(sys.argv) > 5:  # shorter per-call timeouts, for submissions that hang on purpose
    import dataclasses
    from autograder.engine.rubric import load_rubric
    rubric = load_rubric()
    rubric = dataclasses.replace(rubric, timeouts={**rubric.timeouts, **json.loads(sys.argv[5])})
result = grade_submission(sys.argv[2], rubric=rubric)
with open(sys.argv[3], "w") as fh:
    json.dump(plain(result), fh)
"""


def grade_in_subprocess(
    submission: Path, timeout: float, *, memory_cap: int | None = None,
    timeouts: dict[str, float] | None = None,
) -> tuple[dict[str, Any] | None, str]:
    """Grade in a separate Python process (own session): (plain result or None, stderr tail).

    ``memory_cap`` (bytes) caps the address space of that process and of everything it starts,
    a safety net for the memory attack in case the engine set no limit of its own. ``timeouts``
    replaces some of the rubric's per-call timeouts (a submission that hangs waits less).
    """
    def limit() -> None:
        if memory_cap:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))

    with tempfile.TemporaryDirectory(prefix="bp-grade-") as scratch:
        out = Path(scratch) / "result.json"
        try:
            proc = subprocess.run(
                [sys.executable, "-c", GRADE_SCRIPT, str(ROOT), str(submission), str(out),
                 str(TESTS), *([json.dumps(timeouts)] if timeouts else [])],
                capture_output=True, text=True, timeout=timeout, cwd=scratch,
                start_new_session=True, preexec_fn=limit if memory_cap else None,
            )
        except subprocess.TimeoutExpired:
            return None, f"grading did not finish within {timeout:.0f} s"
        if proc.returncode != 0 or not out.exists():
            return None, (f"grading process exited with {proc.returncode}: "
                          f"{proc.stderr[-3000:]}")
        return json.loads(out.read_text()), proc.stderr[-3000:]


def variant_copy(name: str, dest: Path) -> Path:
    """A copy of the correct variant tests/variants/<name> whose quiz answers are the rubric's
    key, each written in the variant's own way (case, spaces, key type), so that no variant
    restates the key: changing it in rubric.yml keeps every variant at full marks."""
    from autograder.engine.rubric import load_rubric

    shutil.copytree(TESTS / "variants" / name, dest / name)
    quiz = dest / name / "backprop" / "quiz.py"
    quiz.write_text(quiz.read_text() + (
        "\n\n# the grader's key, spelled as this variant spells its answers (added by the tests)\n"
        f"_KEY = {load_rubric().quiz_key!r}\n"
        "ANSWERS = {q: a.replace(a.strip(), _KEY[int(q)] if a.strip().isupper()\n"
        "                        else _KEY[int(q)].lower()) for q, a in ANSWERS.items()}\n"))
    return dest / name


def probe_in_subprocess(roots: list[Path], timeout: float = 120.0) -> list[dict[str, Any]]:
    """Run tests/probe_submission.py on trusted packages (reference, mutants, variants), one
    after the other in one process: each one's record, or {"__error__": why}."""
    with tempfile.TemporaryDirectory(prefix="bp-probe-") as scratch:
        out = Path(scratch) / "probe.json"
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.run(
            [sys.executable, str(PROBE), str(out), *map(str, roots)],
            capture_output=True, text=True, timeout=timeout * len(roots), cwd=scratch, env=env,
        )
        if proc.returncode != 0:
            return [{"__error__": proc.stderr[-3000:]}] * len(roots)
        records = json.loads(out.read_text())
        return [records[str(root)] for root in roots]


def reference_flat(dest: Path) -> Path:
    """The reference's module files, flat in ``dest`` (an upload of the files themselves)."""
    dest.mkdir(parents=True)
    for path in sorted((ROOT / "solutions" / "backprop").glob("*.py")):
        shutil.copyfile(path, dest / path.name)
    return dest


def grader_copy(dest: Path) -> Path:
    """A copy of the grader's package in ``dest``, readable by other users, to run the grader
    from (as its working folder). Grading in the uid mode as root closes the checkout itself to
    other users, and a test anywhere in the run may do that at any moment."""
    from autograder.engine.sandbox.folders import ensure_traversable

    shutil.copytree(ROOT / "autograder", dest / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    open_to_others(dest)
    ensure_traversable(dest)
    return dest


def open_to_others(tree: Path) -> None:
    """Make a copied tree readable by other users: a copy keeps the modes of the checkout,
    which grading in the uid mode closes to them."""
    for path in [tree, *tree.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
