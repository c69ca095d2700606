"""Grading in Otter's kernel: the entry notebook calls :func:`grade_in_kernel`, which grades a copy
of the student's module files with the backprop-lab engine (student code runs in its sandboxed
worker, never in this kernel); the test files read the verdicts through
:meth:`KernelGrading.verdict`."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from autograder.gradescope import integrity
from autograder.gradescope.hardening import ensure_runtime_traversable, protect_autograder, shipped_names

if TYPE_CHECKING:
    from autograder.engine.grading_host import SubmissionResult

STATE_ENV = "BACKPROP_LAB_STATE"  # private folder: kernel -> plugin summary (and proof the plugin ran)
SUMMARY_FILE = "summary.json"
PRISTINE_TESTS = "pristine-tests"  # in the state folder: the test files as Otter copied them


class CheckFailed(AssertionError):
    """One engine check failed; the message is the engine's feedback for it."""


def engine() -> ModuleType:
    """The grading host's module of the engine, from the installed backprop-lab package."""
    import autograder.engine.grading_host as module

    return module


def discovery(copy: Path) -> dict[str, Any]:
    """Where the engine finds the student's modules in ``copy``: the folder, the module files
    there, and the missing ones among those holding graded functions."""
    from autograder.engine.core.contract import MODULE_OF
    from autograder.engine.grading_host import GRADED_FUNCTIONS
    from autograder.engine.intake import MODULES, find_package

    source = find_package(copy)
    graded = [m for m in MODULES if m in {MODULE_OF[f] for f in GRADED_FUNCTIONS}]
    if source is None:
        return {"where": None, "found": [], "missing": [f"{m}.py" for m in graded]}
    return {"where": source.relative_to(copy).as_posix(),
            "found": [f"{m}.py" for m in MODULES if (source / f"{m}.py").is_file()],
            "missing": [f"{m}.py" for m in graded if not (source / f"{m}.py").is_file()]}


@dataclass
class KernelGrading:
    """The engine's result for this submission. The test files' cases call :meth:`verdict`."""

    result: SubmissionResult | None = None
    error: str = ""

    def verdict(self, function: str, index: int, public_only: bool = False) -> None:
        """Return if check ``index`` of ``function`` passed; otherwise raise with its feedback.

        ``public_only``: the case is shown while the hidden checks' results are not, so its
        hint about other functions counts only their public checks.
        """
        if self.result is None:
            raise CheckFailed(f"this submission could not be graded ({self.error}); "
                              "the autograder's output has the details.")
        done = self.result.functions[function].checks[index]
        if done.passed:
            return
        raise CheckFailed(case_message(self.result, function, index, public_only))


def case_message(result: SubmissionResult, function: str, index: int, public_only: bool) -> str:
    """What a failed Otter case says: the check's feedback as its function's feedback shows it
    (the whole message when that would only point above), and the hint about functions it
    relies on (counting public checks only when hidden results are not shown)."""
    from autograder.engine.core.feedback import FunctionFeedback, lost_points
    from autograder.engine.rubric import load_rubric

    checks = {f: r.checks for f, r in result.functions.items()}
    failed = lost_points(checks, public_only)
    shown = checks[function] if not public_only else [c for c in checks[function] if c.public]
    fb = FunctionFeedback.of(function, shown, failed, engine().USUALLY_CALLS.get(function, ()),
                             policy=load_rubric().callees)
    return fb.case_text(checks[function][index])


def check_verdicts(result: SubmissionResult) -> dict[str, list[dict]]:
    """Each function's checks as the plugin presents them (plain data, for summary.json)."""
    return {f: [{"title": c.title, "public": c.public, "passed": c.passed, "message": c.message,
                 "judged": c.judged} for c in r.checks] for f, r in result.functions.items()}


def grade_in_kernel(autograder_dir: str | os.PathLike[str]) -> KernelGrading:
    """Grade ``<autograder_dir>/submission`` with the engine (called by the entry notebook).

    The function refuses to grade unless the plugin ran. Its measures are what keep this kernel
    free of student code. It never raises: a failure becomes the verdict of every check.
    """
    state = os.environ.get(STATE_ENV, "")
    summary: dict[str, Any] = {}
    try:
        if not state or not Path(state).is_dir():
            raise RuntimeError("the backprop-lab Otter plugin did not run (see 'plugins' in "
                               "otter_config.json); rebuild the zip with `make autograder`")
        if not getattr(sys.flags, "safe_path", False):
            raise RuntimeError("PYTHONSAFEPATH is not in effect in the kernel (Python >= 3.11 "
                               "is needed)")
        root = Path(autograder_dir).resolve()
        grader = engine()
        from autograder.engine import intake

        protect_autograder(root)
        ensure_runtime_traversable()
        with tempfile.TemporaryDirectory(prefix="backprop-lab-gradescope-") as tmp:
            copy = Path(tmp) / "submission"
            intake.copy_gradable(root / "submission", copy, set(shipped_names(root)))
            summary.update(discovery(copy))
            result = grader.grade_submission(copy, name="submission")
        from autograder.engine.sandbox.isolation import detect

        summary.update(notes=result.notes, modules=result.modules, seconds=result.seconds,
                       sandbox=detect().describe(), checks=check_verdicts(result),
                       score=result.score,
                       max_score=result.max_score,
                       scores={f: r.score for f, r in result.functions.items()},
                       outputs={f: r.output for f, r in result.functions.items()})
        grading = KernelGrading(result)
    except Exception as exc:  # noqa: BLE001 - reported to the student and the instructor
        summary["error"] = f"{type(exc).__name__}: {exc}"
        grading = KernelGrading(error=summary["error"])
    if state and (Path(state) / PRISTINE_TESTS).is_dir():
        # The worker is gone: put back any test file that changed before Otter runs them here.
        tests = Path(autograder_dir).resolve() / "submission" / integrity.TESTS_DIR
        summary["restored"] = integrity.restore_tests(tests, Path(state) / PRISTINE_TESTS)
    if state and Path(state).is_dir():
        (Path(state) / SUMMARY_FILE).write_text(json.dumps(summary))
    return grading
