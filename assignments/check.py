#!/usr/bin/env python3
"""Public checks of the backprop assignment: the grader's own public checks, run on your code.

Usage (from the handout folder; needs only Python and numpy, on any OS):

    python check.py                      # check every function
    python check.py sigmoid mse_loss     # check only these functions
    python check.py --package DIR        # check DIR/backprop instead of ./backprop
    python check.py --json [FUNCTION ...]   # the verdicts as JSON

The checks are in public_checks/: the same checks, comparisons and feedback as the public
checks of the grader (Gradescope shows their results as soon as you submit). The grader also
runs hidden checks, so passing every public check does not guarantee full marks. Each module
is imported on its own: an error in one file only fails the functions in it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The handout ships the checks in public_checks/; in the course repository they are its engine.
sys.path.insert(0, str(HERE / "public_checks" if (HERE / "public_checks").is_dir() else HERE.parent))

try:
    import numpy  # noqa: F401 - the checks and your code need it
except ImportError:
    sys.exit("check.py needs numpy, which this Python does not have: run  python3 -m pip "
             "install numpy  and then check.py again.")

from autograder.engine.core import checks  # noqa: E402, F401 - registers the checks
from autograder.engine.core.calls import InProcessCaller  # noqa: E402
from autograder.engine.core.contract import FUNCTIONS, GRADED, IMPORT_ORDER, MODULE_OF, usually_calls  # noqa: E402
from autograder.engine.core.feedback import FunctionFeedback, lost_points  # noqa: E402
from autograder.engine.core.framework import REGISTRY, CheckResult, run_function_checks  # noqa: E402

# Seconds per call (train: TRAIN_FACTOR times more); generous, since machines differ.
TIMEOUT, TRAIN_FACTOR = 10.0, 6
WIDTH = 17
REMINDER = ("Reminder: these are the public checks only. The hidden tests used for grading check "
            "more\n(other inputs and shapes, edge cases, training behaviour), so passing here "
            "does not\nguarantee full marks.")


def callee_policy() -> tuple[str, object]:
    """(policy, callees_for): as the grader grades. In the course repository the grader's own
    correct callees and the rubric's policy; in the handout, the values recorded for the
    public checks when it was built (no implementation ships)."""
    try:
        from autograder.engine.callees import correct_callees
        from autograder.engine.rubric import load_rubric
    except ImportError:
        from autograder.engine.core.recorded import POLICY, correct_callees
        return POLICY, correct_callees(POLICY)
    policy = load_rubric().callees
    return policy, correct_callees(policy)


def run(package_root: Path, functions: list[str],
        timeout: float = TIMEOUT) -> dict[str, list[CheckResult]]:
    """The public checks' results of ``functions`` on ``package_root``/backprop."""
    _, callees_for = callee_policy()
    caller = InProcessCaller(package_root, IMPORT_ORDER, import_timeout=timeout)
    timeouts = {"default": timeout, "train": TRAIN_FACTOR * timeout}
    hung: set[str] = set()
    results = {}
    for function in functions:
        module = MODULE_OF[function]
        if module in caller.broken:
            results[function] = [CheckResult(c.title, c.weight, False, caller.broken[module],
                                             name=c.name, public=True)
                                 for c in REGISTRY[function] if c.public]
        else:
            results[function] = run_function_checks(caller, function, timeouts, hung,
                                                    public_only=True, callees_for=callees_for)
    return results


def feedback(results: dict[str, list[CheckResult]]) -> dict[str, FunctionFeedback]:
    failed = lost_points(results)
    policy = callee_policy()[0]
    return {f: FunctionFeedback.of(f, done, failed, usually_calls(f), policy=policy)
            for f, done in results.items()}


STATUS = {"passed": "PASS", "failed": "FAIL", "not implemented": "NOT IMPLEMENTED"}


def as_json(results: dict[str, list[CheckResult]]) -> dict:
    return {"functions": {f: {"passed": fb.passed, "verdict": fb.verdict,
                              "checks": [{"name": c.name, "passed": c.passed,
                                          "message": c.message} for c in fb.checks]}
                          for f, fb in feedback(results).items()}}


def next_step(shown: dict[str, FunctionFeedback]) -> str:
    """What to do next: the first function (in the handout's order) that does not pass yet."""
    todo = [fb for fb in shown.values() if not fb.passed]
    if not todo:
        return "Next: every public check passes. Submit, and keep your own tests for the rest."
    first = todo[0]
    where = f"backprop/{MODULE_OF[first.function]}.py"
    verb = "implement" if first.not_implemented else "fix"
    return (f"Next: {verb} {first.function} in {where}, then run: python check.py "
            f"{first.function}")


def report(package: Path, results: dict[str, list[CheckResult]]) -> str:
    shown = feedback(results)
    lines = [f"Public checks of {package}"]
    for module, functions in FUNCTIONS.items():
        listed = [f for f in functions if f in shown]
        if listed:
            lines.append(f"\nbackprop/{module}.py")
        for function in listed:
            fb = shown[function]
            waits = (f" (its checks also need {', '.join(fb.waits_for)})"
                     if fb.not_implemented and fb.waits_for else "")
            lines.append(f"  {STATUS[fb.verdict]:<{WIDTH}}{function}{waits}")
            if fb.verdict == "failed":
                lines += [" " * (WIDTH + 4) + line for line in fb.lines()]
    passed = sum(fb.passed for fb in shown.values())
    waiting = sum(fb.not_implemented for fb in shown.values())
    lines += [f"\n{passed}/{len(shown)} functions pass the public checks"
              + (f"; {waiting} not implemented yet." if waiting else "."),
              next_step(shown), REMINDER]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The public checks of the backprop assignment "
                                     "(the grader also runs hidden ones).")
    parser.add_argument("--package", type=Path, default=HERE,
                        help="folder that CONTAINS the backprop/ package (default: this folder)")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDS",
                        help=f"time limit of one call (default {TIMEOUT:g}; train: "
                             f"{TRAIN_FACTOR} times more)")
    parser.add_argument("functions", nargs="*", metavar="FUNCTION",
                        help=f"functions to check (default: all): {', '.join(GRADED)}")
    args = parser.parse_args(argv)
    unknown = [f for f in args.functions if f not in GRADED]
    if unknown:
        parser.error(f"unknown function(s) {', '.join(unknown)}; choose from {', '.join(GRADED)}")
    root = args.package.resolve()
    if not (root / "backprop" / "__init__.py").is_file():
        parser.exit(1, f"check.py: no backprop package in {root} "
                       f"(expected {root / 'backprop' / '__init__.py'})\n")
    results = run(root, [f for f in GRADED if not args.functions or f in args.functions],
                  args.timeout)
    print(json.dumps(as_json(results), indent=2) if args.json
          else report(root / "backprop", results))
    sys.stdout.flush()
    return 0 if all(all(c.passed for c in done) for done in results.values()) else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # a call that timed out may still run in its thread: do not wait for it
