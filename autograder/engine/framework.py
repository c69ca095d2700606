"""Hidden checks: a static registry of small, independent checks per graded function."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.engine import oracle
from autograder.engine.compare import CheckFailed, same_structure
from autograder.engine.protocol import Ref
from autograder.engine.sandbox import CallResult, Worker


@dataclass(frozen=True)
class Check:
    function: str
    title: str
    weight: float
    run: Callable[[Tester], None]
    public: bool = False  # shown to students at once on Gradescope; the others follow rubric.yml


REGISTRY: dict[str, list[Check]] = {}
# No check asks for more numbers than this back (the largest is ~1,000); a bigger answer is
# refused before anything on the trusted side works on it.
MAX_RETURNED_NUMBERS = 200_000
MODULE_OF: dict[str, str] = {}


def check(function: str, title: str, weight: float = 1.0, *, public: bool = False) -> Callable:
    """Register ``fn(t)`` as a check of ``function``; it raises CheckFailed to fail."""

    def register(fn: Callable[[Tester], None]) -> Callable[[Tester], None]:
        REGISTRY.setdefault(function, []).append(Check(function, title, weight, fn, public))
        return fn

    return register


class StudentError(CheckFailed):
    """The student's code raised, timed out or crashed."""

    def __init__(self, call: str, result: CallResult) -> None:
        self.result = result
        super().__init__(f"{call} failed: {result.describe_error()}")


@dataclass
class CheckResult:
    title: str
    weight: float
    passed: bool
    message: str = ""
    internal_error: bool = False


@dataclass
class Tester:
    """What a check gets: calls into the worker with input-mutation checks, and a seeded rng."""

    worker: Worker
    function: str
    timeouts: dict[str, float] = field(default_factory=dict)
    last: CallResult | None = None
    hung: set[str] = field(default_factory=set)
    deadline: float = float("inf")

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    def call(self, *args: Any, function: str | None = None, kwargs: dict | None = None,
             store: str | None = None, unmodified: bool = True,
             attribute: str | None = None) -> Any:
        """Call a student function (default: the one under test) and return its value.

        ``attribute`` reads a module attribute instead (a non-callable is returned as is).
        """
        name = function or self.function
        if time.monotonic() > self.deadline:
            raise CheckFailed("not run: this submission used up its grading time budget (slow or "
                              "hanging code elsewhere).")
        if name in self.hung:
            raise CheckFailed(f"{name} timed out in an earlier check, so it was not run again.")
        result = self.worker.call(
            MODULE_OF[name], attribute or name, *args, kwargs=kwargs, store=store, return_args=unmodified,
            timeout=self.timeouts.get(name, self.timeouts.get("default", 10.0)),
        )
        self.last = result
        if result.timed_out:
            self.hung.add(name)
        if not result.ok:
            missing = f"module 'backprop.{MODULE_OF[name]}' has no attribute '{attribute or name}'"
            if result.error_type == "AttributeError" and result.error_message == missing:
                raise CheckFailed(f"{attribute or name} is not defined in "
                                  f"backprop/{MODULE_OF[name]}.py (check its spelling).")
            raise StudentError(name, result)
        returned = count_numbers(result.value)
        if returned > MAX_RETURNED_NUMBERS:
            raise CheckFailed(f"{name} returned {returned:,} numbers; this check expects far fewer "
                              "(check the shapes you build).")
        if unmodified:
            back = result.args_after if isinstance(result.args_after, list) else None
            if back is None or len(back) != len(args) or not all(
                isinstance(a, Ref) or same_structure(a, b) for a, b in zip(args, back)
            ):
                raise CheckFailed(
                    f"{name} modified an argument it was given (an array or dict passed in). "
                    "Work on copies or build new arrays/dicts: the contract says no function "
                    "modifies its inputs."
                )
        return result.value


def count_numbers(value: Any) -> int:
    """How many numbers a decoded value holds (arrays by size, containers recursively)."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, dict):
        return sum(count_numbers(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return len(value) + sum(count_numbers(v) for v in value)
    return 1


def run_function_checks(worker: Worker, function: str, timeouts: dict[str, float],
                        hung: set[str], deadline: float = float("inf")) -> list[CheckResult]:
    results = []
    for chk in REGISTRY[function]:
        tester = Tester(worker, function, timeouts, hung=hung, deadline=deadline)
        try:
            chk.run(tester)
            results.append(CheckResult(chk.title, chk.weight, True))
        except CheckFailed as exc:
            results.append(CheckResult(chk.title, chk.weight, False, str(exc)))
        except oracle.GraderTimeout as exc:
            results.append(CheckResult(chk.title, chk.weight, False, f"not graded: {exc}."))
        except Exception as exc:  # noqa: BLE001 - a value the check could not interpret
            results.append(CheckResult(
                chk.title, chk.weight, False,
                f"the grader could not interpret what was returned ({type(exc).__name__}: {exc})",
                internal_error=True,
            ))
    return results
