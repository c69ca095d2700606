"""Do check.py, make grade and Gradescope say the same about the public checks?

    .venv/bin/python tools/agreement.py [--mutants N]

For the bundled samples, the reference, the skeleton and every mutant of autograder/mistakes/, it
compares, function by function and check by check, three reports of the public checks:

- ``check.py --json`` (the handout's command, in-process, run in a fresh interpreter);
- ``make grade``'s results/<sub>.json (report.results_json: extra_data.checks and the feedback);
- Gradescope's "Public Tests" entry, from Otter's own results pipeline (the zip's test files,
  GradingResults, the plugin's presentation, to_gradescope_dict) on the engine's verdicts.

It prints how many functions and checks agree, and every disagreement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Grading in threads of one process, which forks sandboxes: one OpenBLAS thread, set
# before numpy loads (see tests/conftest.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from otter.nbmeta_config import NBMetadataConfig
from otter.run import AutograderConfig
from otter.test_files import GradingResults, create_test_file

from autograder import mistakes as mutants
from autograder.engine.core.contract import usually_calls
from autograder.engine.core.feedback import FunctionFeedback, lost_points
from autograder.engine.core.framework import REGISTRY
from autograder.engine.grading_host import grade_submission
from autograder.engine.intake import staged
from autograder.engine.rubric import load_rubric
from autograder.gradescope import entry, kernel
from autograder.gradescope import plugin as runtime
from autograder.outputs.report import results_json
from autograder.packaging import build_autograder as build

ROOT = Path(__file__).resolve().parents[1]

CHECK = ROOT / "assignments" / "check.py"


def local(folder: Path, scratch: Path) -> dict:
    """check.py --json on the module files the grader would grade in ``folder``."""
    with staged(folder) as (package, _):
        copy = scratch / "local"
        shutil.copytree(package, copy / "backprop")
    (copy / "backprop" / "__init__.py").write_text("")
    done = subprocess.run([sys.executable, str(CHECK), "--json", "--package", str(copy)],
                          capture_output=True, text=True, timeout=300)
    return json.loads(done.stdout)["functions"]


def gradescope(result, tests: Path) -> str:
    rubric = load_rubric()
    grading = kernel.KernelGrading(result)
    files = []
    for function in rubric.functions:
        parsed = create_test_file(str(tests / f"{function}.py"), NBMetadataConfig())
        parsed.run({entry.RESULT_GLOBAL: grading})
        files.append(parsed)
    results = GradingResults(files)
    runtime.present(results, kernel.check_verdicts(result), rubric.visibility,
                    {f: r.output for f, r in result.functions.items()})
    out = results.to_gradescope_dict(AutograderConfig(build.otter_config(rubric)))
    return next(t["output"] for t in out["tests"] if t["name"] == "Public Tests")


def feedback_model(result, public_only: bool) -> dict[str, FunctionFeedback]:
    """The feedback model of each function's checks (its public ones only, with
    ``public_only``), built from the engine's verdicts."""
    checks = {f: [c for c in r.checks if c.public or not public_only]
              for f, r in result.functions.items()}
    failed = lost_points(checks)
    return {f: FunctionFeedback.of(f, done, failed, usually_calls(f)) for f, done in checks.items()}


def said(fb: FunctionFeedback, index: int) -> str:
    """The first line of what the model says about one public check (its message as the block
    shows it, or the one line of a function not implemented yet); '' when it says nothing."""
    text = fb.not_implemented_line() if fb.not_implemented else fb.shown_messages()[index]
    return text.splitlines()[0] if text else ""


def compare(name: str, folder: Path, tests: Path, problems: list[str]) -> list[int]:
    """[functions, functions whose verdicts agree, checks, checks whose verdicts agree, checks
    whose messages agree] for one submission."""
    result = grade_submission(folder)
    graded = {t["name"]: t for t in results_json(result, load_rubric())["tests"]}
    with tempfile.TemporaryDirectory() as scratch:
        mine = local(folder, Path(scratch))
    shown = gradescope(result, tests)
    blocks = {b.split(":", 1)[0]: b for b in shown.split("\n\n")}
    model, full = feedback_model(result, True), feedback_model(result, False)
    counts = [0, 0, 0, 0, 0]
    for function, verdict in mine.items():
        public = [c for c in graded[function]["extra_data"]["checks"] if c["public"]]
        engine = [c for c in result.functions[function].checks if c.public]
        block = blocks.get(function, "")
        same = ([c["passed"] for c in verdict["checks"]] == [c["passed"] for c in public]
                == [c.passed for c in engine]
                and [c["name"] for c in verdict["checks"]] == [c["name"] for c in public]
                and verdict["verdict"] == model[function].verdict
                and block.startswith(f"{function}: {'passed' if verdict['passed'] else 'failed'}"))
        counts[0] += 1
        counts[1] += same
        for index, (local_check, done) in enumerate(zip(verdict["checks"], engine)):
            counts[2] += 1
            counts[3] += local_check["passed"] == done.passed
            # what the feedback model says about the check is in Gradescope's block, and what
            # it says with all the checks is in make grade's feedback of the function
            line = said(model[function], index)
            line_all = said(full[function], result.functions[function].checks.index(done))
            agree = local_check["message"] == done.message and (line in block) and (
                line_all in graded[function]["output"])
            counts[4] += agree
            if not agree:
                problems.append(f"{name}: {function}: {done.name}: message differs "
                                f"({local_check['message'][:80]!r} vs {done.message[:80]!r})")
        if not same:
            problems.append(f"{name}: {function}: verdicts differ")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=int, default=len(mutants.MUTANTS))
    args = parser.parse_args()
    subjects = [("reference", ROOT / "solutions"), ("skeleton", ROOT / "assignments" / "backprop")]
    subjects += [(f"sample:{p.name}", p) for p in sorted((ROOT / "autograder" / "samples").iterdir())
                 if p.is_dir() and not p.name.startswith(".")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for m in mutants.MUTANTS[: args.mutants]:
            subjects.append((f"mutant:{m.name}", mutants.apply_mutant(m, tmp / m.name)))
        tests = tmp / "otter-tests"
        tests.mkdir()
        for function in load_rubric().functions:
            (tests / f"{function}.py").write_text(build.test_file(function, load_rubric()))
        problems: list[str] = []
        totals = [0, 0, 0, 0, 0]
        for name, folder in subjects:
            totals = [a + b for a, b in zip(totals, compare(name, folder, tests, problems))]
    print(f"{len(subjects)} submissions ({args.mutants} mutants), check.py --json vs make grade's "
          f"results json vs Gradescope's Public Tests:\n"
          f"  function verdicts agreeing {totals[1]}/{totals[0]}\n"
          f"  public check verdicts agreeing {totals[3]}/{totals[2]}\n"
          f"  public check messages agreeing {totals[4]}/{totals[2]}")
    for problem in problems:
        print("  disagree:", problem)
    print(f"checks: {sum(len(c) for c in REGISTRY.values())} in all, "
          f"{sum(c.public for cs in REGISTRY.values() for c in cs)} public")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
