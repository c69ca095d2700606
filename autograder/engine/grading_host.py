"""Grading on the grading host (``make grade``, and Gradescope's container through the Otter
plugin): ``grade_submission(path)`` grades one submission, function by function. Never shipped
to students: it reads the rubric and starts the sandbox.

The trusted process (this one) never imports student code. Student functions run in a
sandboxed worker (see sandbox/worker.py); every comparison and every score is made here.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine.callees import correct_callees
from autograder.engine.core import checks, oracle
from autograder.engine.core.contract import GRADED, MODULE_OF, usually_calls
from autograder.engine.core.feedback import FunctionFeedback, lost_points
from autograder.engine.core.framework import REGISTRY, CheckResult, run_function_checks
from autograder.engine.intake import staged
from autograder.engine.rubric import Rubric, load_rubric
from autograder.engine.sandbox.folders import protect_installation
from autograder.engine.sandbox.worker import IMPORT_TIMEOUT, Worker
from autograder.engine.untrusted_text import bound_result

GRADER_MARGIN = 30.0  # seconds the grader's own checks may run past the students' budget

# What grading each function relies on (the contract's call graph, and backward -> forward).
USUALLY_CALLS: dict[str, tuple[str, ...]] = {f: usually_calls(f) for f in GRADED}


@functools.cache
def start_grading() -> None:
    """What grading needs beyond the imports, done once where grading starts (importing the
    engine reads no file): the quiz's questions registered from rubric.yml's key."""
    checks.register_quiz(load_rubric().quiz_key)


def __getattr__(name: str) -> list[str]:
    """``GRADED_FUNCTIONS``: the rubric's graded functions, read from rubric.yml when asked for."""
    if name == "GRADED_FUNCTIONS":
        return load_rubric().functions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def protect_grader() -> None:
    """protect_installation() for where the grader is: in a checkout (pyproject.toml next to the
    package) the checkout (solutions/, tests/, .git too); installed (a wheel in site-packages,
    as on Gradescope) the package alone, never the rest of site-packages (numpy)."""
    package = Path(__file__).resolve().parents[1]
    checkout = (package.parent / "pyproject.toml").is_file()
    protect_installation(package.parent if checkout else package)


@dataclass
class FunctionResult:
    name: str
    score: float
    max_score: float
    checks: list[CheckResult]
    output: str = ""

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


@dataclass
class SubmissionResult:
    name: str
    functions: dict[str, FunctionResult]
    stdout: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    modules: dict[str, str] = field(default_factory=dict)  # module -> why it could not be used
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # "grader" and "student" CPU

    @property
    def score(self) -> float:
        return round(sum(f.score for f in self.functions.values()), 5)

    @property
    def max_score(self) -> float:
        return round(sum(f.max_score for f in self.functions.values()), 5)

    @property
    def internal_errors(self) -> list[str]:
        return [f"{f.name}: {c.title}: {c.message}" for f in self.functions.values()
                for c in f.checks if c.internal_error]


def check_points(function: str, rubric: Rubric | None = None) -> list[float]:
    """Points of each check of ``function``: its rubric points shared by check weight.

    The engine's score and the Otter test cases (one per check) both use these numbers.
    """
    start_grading()
    rubric = rubric or load_rubric()
    weights = [c.weight for c in REGISTRY[function]]
    total = rubric.points[function]
    shares = [round(total * w / sum(weights), 5) for w in weights[:-1]]
    return [*shares, round(total - sum(shares), 5)]  # the last absorbs rounding: exact total


def _score(done: list[CheckResult], points: list[float]) -> float:
    return round(sum(p for c, p in zip(done, points) if c.passed), 5)


def _feedback(result: FunctionResult, failed_functions: set[str], module_note: str,
              policy: str = "correct") -> str:
    return FunctionFeedback.of(result.name, result.checks, failed_functions,
                               USUALLY_CALLS.get(result.name, ()), module_note, policy
                               ).text(result.score, result.max_score)


def grade_submission(path: Path | str, *, name: str | None = None,
                     rubric: Rubric | None = None,
                     limits: dict | None = None) -> SubmissionResult:
    """Grade one submission (a folder, a .zip or a .py file) and return per-function results."""
    start_grading()
    rubric = rubric or load_rubric()
    start, cpu_start = time.perf_counter(), time.process_time()
    path = Path(path)
    protect_grader()
    results: dict[str, FunctionResult] = {}
    with staged(path) as (package, notes):
        worker = Worker(package, limits=limits,
                        import_timeout=rubric.timeouts.get("import", IMPORT_TIMEOUT))
        try:
            worker.import_modules()
            hung: set[str] = set()
            deadline = time.monotonic() + rubric.timeouts.get("budget", 90.0)
            oracle.set_deadline(deadline + GRADER_MARGIN)
            for function in rubric.functions:
                module = MODULE_OF[function]
                if module in worker.broken:
                    checks_done = [CheckResult(c.title, c.weight, False, worker.broken[module],
                                               name=c.name, public=c.public)
                                   for c in REGISTRY[function]]
                else:
                    checks_done = run_function_checks(
                        worker, function, rubric.timeouts, hung, deadline,
                        callees_for=correct_callees(rubric.callees))
                points = check_points(function, rubric)
                for done, worth in zip(checks_done, points):
                    done.points = worth
                results[function] = FunctionResult(function, _score(checks_done, points),
                                                   rubric.points[function], checks_done)
        finally:
            oracle.set_deadline(float("inf"))
            stdout = worker.close()
    if worker.retried:
        notes.append("The process running your code died during "
                     f"{', '.join(sorted(set(worker.retried)))} and the call, run again, "
                     "answered: it was graded on that second run.")
    failed = lost_points({f: r.checks for f, r in results.items()})
    for function, result in results.items():
        module = MODULE_OF[function]
        note = worker.broken.get(module, "") if module in worker.broken else ""
        result.output = _feedback(result, failed, "" if result.checks and note and all(
            c.message == note for c in result.checks) else note, rubric.callees)
    result = SubmissionResult(name or path.stem, results, stdout, notes,
                              round(time.perf_counter() - start, 3),
                              {m: why for m, why in worker.broken.items()
                               if m in MODULE_OF.values()},
                              {"grader": round(time.process_time() - cpu_start, 3),
                               "student": round(worker.cpu_seconds, 3)})
    return bound_result(result)  # student text: safe to print and write, and bounded
