"""Checks: one decorator declares each (function, title, weight, visibility); a registry runs them.

A check is a function ``name(t)`` that calls the student through ``t.call`` and raises
CheckFailed to fail. The same check functions run in the grader (``t.worker`` is the sandboxed
worker) and in check.py (an in-process caller, calls.py), so a check gives the same verdict
and the same feedback wherever it runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.compare import CheckFailed, NotJudged, same_structure
from autograder.engine.core.contract import FUNCTIONS, MODULE_OF
from autograder.engine.core.protocol import Ref

if TYPE_CHECKING:
    from autograder.engine.core.calls import CallResult

VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class Check:
    function: str
    title: str
    weight: float
    run: Callable[[Tester], None]
    public: bool = False  # shipped to students and shown at once; hidden ones never leave

    @property
    def name(self) -> str:
        return self.run.__name__


REGISTRY: dict[str, list[Check]] = {}
# No check asks for more numbers than this back (the largest is ~1,000); a bigger answer is
# refused before anything on the trusted side works on it.
MAX_RETURNED_NUMBERS = 200_000


def check(function: str, title: str, weight: float = 1.0, *,
          public: bool = False) -> Callable[[Callable[[Tester], None]], Callable[[Tester], None]]:
    """Declare ``fn(t)`` as a check of ``function``: its title (the feedback's heading), its
    weight (its share of the function's points) and whether it is public."""
    if function not in MODULE_OF:
        raise ValueError(f"check of {function!r}: not a graded function of the contract")

    def register(fn: Callable[[Tester], None]) -> Callable[[Tester], None]:
        if fn.__name__ == "_" or any(c.name == fn.__name__ for c in REGISTRY.get(function, [])):
            raise ValueError(f"check {fn.__name__!r} of {function}: give each check its own name")
        REGISTRY.setdefault(function, []).append(Check(function, title, weight, fn, public))
        return fn

    return register


def check_each(function: str, cases: dict[str, tuple[str, float]], *,
               public: bool = False) -> Callable[[Callable[[Tester, str], None]],
                                                 Callable[[Tester, str], None]]:
    """Declare ``fn(t, case)`` as one check of ``function`` per case, in the order given:
    ``cases`` maps each case (an activation's name, say) to its check's title and weight.
    Each is the check ``<function>_<case>``, as if declared with @check on its own."""

    def register(fn: Callable[[Tester, str], None]) -> Callable[[Tester, str], None]:
        for case, (title, weight) in cases.items():
            def run(t: Tester, case: str = case) -> None:
                fn(t, case)

            run.__name__ = run.__qualname__ = f"{function}_{case}"
            check(function, title, weight, public=public)(run)
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
    name: str = ""
    public: bool = False
    points: float = 0.0  # what the check is worth (set by the engine from the rubric)
    judged: bool = True  # False: its precondition did not hold (NotJudged); it earns nothing
    graded_with: list[str] = field(default_factory=list)  # callees that answered correctly


@dataclass
class Tester:
    """What a check gets: calls to the student, the check that inputs stay unchanged, a seeded rng."""

    worker: Any  # sandbox.Worker, or calls.InProcessCaller in check.py
    function: str
    timeouts: dict[str, float] = field(default_factory=dict)
    last: CallResult | None = None
    hung: set[str] = field(default_factory=set)
    deadline: float = float("inf")
    # function -> its correct callees for one call (callees.Callees), or None: the student's own
    callees_for: Callable[..., Any] | None = None
    graded_with: list[str] = field(default_factory=list)
    last_callees: Any = None  # the correct callees of the last call (their log), or None

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    def call(self, *args: Any, function: str | None = None, kwargs: dict | None = None,
             store: str | None = None, attribute: str | None = None,
             inputs_back: bool = False, mode: str | None = None,
             fixes: tuple = ()) -> Any:
        """Call a student function (default: the one under test) and return its value.

        ``attribute`` reads a module attribute instead (a non-callable is returned as is).
        Whether the call modified its arguments is not judged here: each function has its own
        check for that (``expect_inputs_unchanged``), so right values keep their points.
        The functions it calls answer with correct values when ``callees_for`` gives them;
        ``mode="cache"`` (forward only) makes its layers answer with this network's correct
        layer values, so that forward's own mistakes stay out of the cache backward reads;
        ``mode="trusted_init"`` (train) answers its init_params call with the grader's
        parameters, the starting point train is then judged from; ``"observed_shuffle"`` also
        runs its random_mini_batches calls through the grader (as the student's own), so that
        their seeds are in ``last_callees.log``. ``fixes`` (calls.ArgumentFix)
        set arguments of its callee requests right before they are answered.
        """
        name = function or self.function
        self.last_callees = None
        if time.monotonic() > self.deadline:
            raise NotJudged("not run: this submission used up its grading time budget (slow or "
                            "hanging code elsewhere).")
        if name in self.hung:
            raise NotJudged(f"{name} timed out in an earlier check, so it was not run again.")
        callees = (self.callees_for(name, mode, args, kwargs or {})
                   if self.callees_for and attribute is None else None)
        if callees is not None:
            callees.fixes = tuple(fixes)
        self.last_callees = callees
        result = self.worker.call(
            MODULE_OF[name], attribute or name, *args, kwargs=kwargs, store=store,
            return_args=inputs_back,
            timeout=self.timeouts.get(name, self.timeouts.get("default", 10.0)),
            **({"callees": callees} if callees is not None else {}),
        )
        self.last = result
        if callees is not None:
            if name == self.function and mode not in ("trusted_init", "observed_shuffle"):
                self.graded_with += [c for c in callees.used if c not in self.graded_with]
            if callees.flood:
                raise CheckFailed(callees.flood)
            result.callee_requests = callees.requests
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
        return result.value

    def expect_inputs_unchanged(self, *args: Any, judge: Callable[[Any], None],
                                kwargs: dict | None = None, mode: str | None = None,
                                fixes: tuple = ()) -> None:
        """The contract's rule that no function modifies its inputs, as a check of its own.

        Precondition: the call returns right values (``judge(value)`` passes), so only a
        function that works earns this check; then every argument must come back unchanged.
        """
        name = self.function
        try:  # a call that fails is judged by the function's other checks, not by this one
            value = self.call(*args, kwargs=kwargs, inputs_back=True, mode=mode, fixes=fixes)
        except CheckFailed as exc:
            raise NotJudged(str(exc)) from None
        try:
            judge(value)
        except CheckFailed as exc:
            raise NotJudged("not judged yet: this check needs right values on its input first "
                            f"(fix the other checks of {name}). {exc}") from None
        back = self.last.args_after if self.last is not None else None
        if not isinstance(back, list) or len(back) != len(args):
            raise CheckFailed(f"{name}: the grader could not read its arguments back after the "
                              "call.")
        params = parameter_names(name)
        for index, (before, after) in enumerate(zip(args, back)):
            if isinstance(before, Ref) or same_structure(before, after):
                continue
            arg = params[index] if index < len(params) else f"argument {index + 1}"
            raise CheckFailed(modified_message(name, arg, before, after))

    def expect_error(self, error: str, *args: Any, what: str, kwargs: dict | None = None) -> None:
        """The call must raise ``error`` (e.g. "ValueError"); ``what`` names the bad input."""
        name = self.function
        try:
            self.call(*args, kwargs=kwargs)
        except StudentError as exc:
            if exc.result.error_type == error:
                return
            raise CheckFailed(f"{name} with {what} must raise {error}; it raised: "
                              f"{exc.result.describe_error()}") from None
        raise CheckFailed(f"{name} with {what} must raise {error}; it returned a value.")


def parameter_names(function: str) -> list[str]:
    """The contract's parameter names of ``function``, in order ("(Z, seed=0)" -> ["Z", "seed"])."""
    signature = FUNCTIONS[MODULE_OF[function]][function].strip("()")
    return [p.split("=")[0].strip() for p in signature.split(",") if p.strip()]


def modified_message(function: str, arg: str, before: Any, after: Any) -> str:
    """What was modified, and how to work on a copy instead (right values keep their points)."""
    rule = (" The contract says no function modifies its inputs; only this check's points are "
            "lost for it.")
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(before) != set(after):
            what = f"keys were added or removed in the dict {arg}"
        else:
            changed = [k for k in before if not same_structure(before[k], after[k])]
            what = (f"{arg}[{changed[0]!r}] changed (an array of {arg} updated in place, "
                    f"{arg}[k] -= ... or w -= ..., or a new value stored in the dict {arg} itself)")
        return (f"{function} modified an argument: {what}. Work on a copy with new arrays: "
                f"{arg} = dict({arg}), then {arg}[k] = {arg}[k] - ... (never -= on an array "
                f"you were given).{rule}")
    if isinstance(before, np.ndarray):
        return (f"{function} modified the array {arg} it was given (an in-place write such as "
                f"{arg}[mask] = 0 or {arg} -= ...). Work on a copy, {arg} = {arg}.copy(), or "
                f"build a new array (np.where, {arg} * mask).{rule}")
    return (f"{function} modified the argument {arg} it was given. Work on a copy "
            f"(copy.deepcopy({arg})).{rule}")


def count_numbers(value: Any) -> int:
    """How many numbers a decoded value holds (arrays by size, containers recursively)."""
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, dict):
        return sum(count_numbers(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return len(value) + sum(count_numbers(v) for v in value)
    return 1


def run_function_checks(worker: Any, function: str, timeouts: dict[str, float],
                        hung: set[str], deadline: float = float("inf"), *,
                        public_only: bool = False,
                        callees_for: Callable[..., Any] | None = None) -> list[CheckResult]:
    """Run the checks of ``function`` (only its public ones with ``public_only``); with
    ``callees_for``, the functions it calls answer with correct values."""
    results = []
    for chk in REGISTRY[function]:
        if public_only and not chk.public:
            continue
        tester = Tester(worker, function, timeouts, hung=hung, deadline=deadline,
                        callees_for=callees_for)
        done = CheckResult(chk.title, chk.weight, True, name=chk.name, public=chk.public)
        try:
            chk.run(tester)
        except CheckFailed as exc:
            done.passed, done.message = False, str(exc)
            done.judged = not isinstance(exc, NotJudged)
        except oracle.GraderTimeout as exc:
            done.passed, done.message, done.judged = False, f"not graded: {exc}.", False
        except Exception as exc:  # noqa: BLE001 - a value the check could not interpret
            done.passed, done.internal_error = False, True
            done.message = (f"the grader could not interpret what was returned "
                            f"({type(exc).__name__}: {exc})")
        done.graded_with = list(tester.graded_with)
        if not done.passed and done.graded_with:
            done.message += f"\n({graded_with(done.graded_with)}.)"
        results.append(done)
    return results


def graded_with(used: list[str]) -> str:
    """How a function was graded: 'graded with correct versions of a, b and c ...'."""
    listed = used[0] if len(used) == 1 else f"{', '.join(used[:-1])} and {used[-1]}"
    return f"Graded with correct versions of {listed}: this is about this function's own code"
