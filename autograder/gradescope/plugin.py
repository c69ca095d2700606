"""The Otter plugin and the entry notebook's grading call (installed with the backprop-lab package).

The package (the engine, rubric.yml and this module) is installed where Otter runs: in .venv by
the Makefile, on Gradescope by setup.sh from the wheel inside autograder.zip. otter_config.json
names the plugin by its importable name, :data:`PLUGIN`, so ``otter run -a autograder.zip`` and
Gradescope's ``run_otter.py`` load it the same way. Then Otter (as root on Gradescope):

1. Copies the zip's ``files/`` (only the entry notebook ``backprop_lab.ipynb``) and ``tests/``
   into the submission folder and picks the file to execute: the one notebook there. On
   Gradescope, run_autograder first sets the student's own notebooks aside (upload.py), so that
   Otter never finds two.
2. Loads :class:`BackpropLabPlugin` and runs ``before_grading``; executes the entry notebook in a
   Jupyter kernel (``before_execution`` hands Otter the entry, whatever it picked); runs the test
   files ``tests/<function>.py`` in that kernel; runs ``after_grading``; writes results.json.

The entry notebook (entry.py) only calls ``kernel.grade_in_kernel``, which grades a copy of the
student's module files with the backprop-lab engine. The engine runs student code in a separate worker (an
unprivileged uid with rlimits and timeouts), so nothing from the submission is imported into the
kernel. The test files read the engine's verdicts through ``kernel.KernelGrading.verdict``. Before
reporting, the plugin checks that nothing Otter executes or reads changed (integrity.py).

What students see at once is Otter's "Public Tests" entry and the top-level output that
``after_grading`` writes (:func:`student_summary`): where the modules were found, which could
not be imported and why, and how many checks are public and hidden. ``after_grading`` also puts
the project's words in place of Otter's: "Public Tests" lists, function by function, the public
checks' verdicts and feedback exactly as check.py prints them (:func:`public_report`), and each
case's result is PASS, or FAIL with the engine's feedback, instead of Otter's traceback of the
test file. Nothing shown before publication gives a score or a hidden check's result.

Why a plugin: before the kernel exists, stock Otter 7 trusts the submission folder in three ways
that let a student run code as root. ``before_grading`` is the only hook that runs early enough:

- Otter's root process unpickles (with dill) a ``.OTTER_LOG`` file found in the submission. The
  plugin deletes that file (hardening.py).
- The kernel starts with the submission folder first on ``sys.path`` (Otter runs ``python -m
  ipykernel_launcher`` there), so a student's ``otter.py`` or ``zmq.py`` would be imported as root.
  PYTHONSAFEPATH=1 (Python >= 3.11) keeps that folder off ``sys.path``.
- Otter's log receiver unpickles whatever any local process sends to its TCP port, and the
  student's worker runs while it listens. The plugin replaces its unpickler with one that refuses
  globals.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from otter.plugins import AbstractOtterPlugin
from otter.run.run_autograder.utils import OtterRuntimeError
from otter.test_files import GradingResults

from autograder.gradescope import integrity, upload
from autograder.gradescope.entry import ENTRY_NOTEBOOK, entry_notebook
from autograder.gradescope.hardening import harden_log_receiver, protect_autograder, remove_otter_log
from autograder.gradescope.kernel import PRISTINE_TESTS, STATE_ENV, SUMMARY_FILE

if TYPE_CHECKING:
    from otter.run import AutograderConfig
    from otter.test_files import TestCase


PLUGIN = f"{__name__}.BackpropLabPlugin"  # its importable name, for otter_config.json
NOTE_CASE_SUFFIX = ": no public check"  # names build.py's 0-point note case (not a check)


# --- what students read ------------------------------------------------------------------------
def module_lines(summary: dict[str, Any]) -> list[str]:
    """What was graded from where, and the graded modules that could not be used, with why."""
    if summary.get("where") is None:
        return []
    where = ("the top level of your upload" if summary["where"] == "."
             else f"the folder {summary['where']}/")
    lines = [f"Module files graded, from {where}: {', '.join(summary['found']) or 'none'}."]
    problems = summary.get("modules") or {
        Path(name).stem: f"{name} is missing from the submission" for name in summary["missing"]}
    if problems:
        lines.append("These modules could not be used, so every check of the functions in them "
                     "fails until you fix this:")
        lines += [f"  - {why}" for _, why in sorted(problems.items())]
    return lines


def is_note(case: TestCase) -> bool:
    """Whether ``case`` is build.py's note for a function without public checks (0 points)."""
    return case.name.endswith(NOTE_CASE_SUFFIX) and not case.points


def student_summary(results: GradingResults, summary: dict[str, Any], visibility: str) -> str:
    """The results.json top-level ``output``, always visible: what was graded, the import
    problems, and what is shown now (the public checks) or later (the hidden ones).

    It counts Otter's cases as build.py wrote them: non-hidden for the public checks, hidden for
    the others; a function's 0-point note case (:func:`is_note`) is not a check. It gives no
    score and nothing about a hidden check's result.
    """
    lines = ["backprop-lab autograder"]
    if summary.get("error"):
        lines.append(f"Your submission could not be graded: {summary['error']}. Your instructor "
                     "can see the details in the autograder's output.")
    lines += module_lines(summary)
    lines += [f"Note: {note}" for note in summary.get("notes", [])]
    cases = [tcr for tf in results.results.values() for tcr in tf.test_case_results
             if not is_note(tcr.test_case)]
    hidden = [tcr for tcr in cases if tcr.test_case.hidden]
    public = [tcr for tcr in cases if not tcr.test_case.hidden]
    total = round(sum(tcr.test_case.points for tcr in cases), 5)
    if not cases:  # Otter found no results to show
        return "\n".join(lines)
    if not hidden:
        lines += ["", f"All {len(cases)} checks are shown below with their feedback; your score "
                  f"is the sum of their points (out of {total:g})."]
        return "\n".join(lines)
    hidden_points = round(sum(tcr.test_case.points for tcr in hidden), 5)
    failed = sum(not tcr.passed for tcr in public)
    without = [tf.name for tf in results.results.values() if any(map(is_note, tf.test_cases))]
    lines.append("")
    if public:
        none_for = f"; none for {', '.join(without)}" if without else ""
        lines.append(f"Public checks: {len(public)} of the {len(cases)} checks are public (the "
                     f"main behaviour of each function{none_for}, as check.py checks it). Their "
                     f"results are shown now, under \"Public Tests\": {len(public) - failed} "
                     f"passed, {failed} failed.")
    lines.append(f"Hidden checks: {'the other' if public else 'all'} {len(hidden)} checks, "
                 f"worth {about_points(hidden_points)} of the {about_points(total)} points, are "
                 "hidden. Nothing shown now counts them, and no score is shown before they are.")
    if visibility == "hidden":
        lines.append("Their results and your score are not shown on Gradescope; your instructor "
                     "will give you your grade.")
    else:
        lines.append("Their results, their feedback and your score are shown only once your "
                     "instructor publishes the grades.")
    lines.append("Passing every public check does not mean full marks: \"Public Tests\" is "
                 "about the public checks only.")
    return "\n".join(lines)


def about_points(value: float) -> str:
    """Points in a sentence: whole ones, "about" when rounded (32.0508 -> "about 32")."""
    whole = round(value)
    return f"{whole}" if abs(value - whole) < 0.005 else f"about {whole}"


def integrity_failure(results: GradingResults) -> None:
    """Every case fails with 0 points: what Otter ran or read changed during grading."""
    from otter.test_files.abstract_test import TestCaseResult

    message = ("The autograder's integrity check failed: files that the autograder executes or "
               "reads changed while this submission was graded, so no score can be trusted. "
               "Every check scores 0. Your instructor can see the details in the autograder's "
               "output.")
    for test_file in results.results.values():
        test_file.test_case_results = [TestCaseResult(tc, message, False)
                                       for tc in test_file.test_cases]
        test_file.update_score(0)
    if isinstance(results, PresentedResults):  # its texts would still say passed
        results.public_text = message
        results.function_texts = {name: message for name in results.function_texts}
    results.set_output(message + "\n\n" + results.output)


def upload_lines(set_aside: list[str]) -> list[str]:
    """What the summary says about the notebooks set aside from the upload (upload.py)."""
    if not set_aside:
        return []
    return [f"Notebooks in your upload are not graded, only your module files are. Set aside: "
            f"{', '.join(set_aside)}."]


def later(visibility: str, n_hidden: int) -> str:
    """When students see the results of ``n_hidden`` hidden checks, in a few words."""
    if visibility == "hidden":
        return "your instructor reports " + ("its result" if n_hidden == 1 else "their results")
    return ("it is" if n_hidden == 1 else "they are") + " shown when grades are published"


def _as_results(checks: list[dict]) -> list:
    from autograder.engine.core.framework import CheckResult

    return [CheckResult(c["title"], 0.0, c["passed"], c["message"], public=c["public"],
                        judged=c.get("judged", True)) for c in checks]


def public_report(checks: dict[str, list[dict]], visibility: str) -> str:
    """The "Public Tests" text: each function's public checks, with the feedback and hints that
    check.py prints (the same lines), and how many of its checks are hidden."""
    from autograder.engine.core.contract import usually_calls
    from autograder.engine.core.feedback import FunctionFeedback, lost_points
    from autograder.engine.rubric import load_rubric

    results = {f: _as_results(cs) for f, cs in checks.items()}
    failed = lost_points(results, public_only=True)
    blocks = []
    for function, done in results.items():
        public = [c for c in done if c.public]
        n_hidden = len(done) - len(public)
        fb = FunctionFeedback.of(function, public, failed, usually_calls(function),
                                 policy=load_rubric().callees)
        blocks.append(fb.public_text(n_hidden, later(visibility, n_hidden)))
    return "\n\n".join(blocks)


class PresentedResults(GradingResults):
    """Otter's results in the project's words: "Public Tests" is :func:`public_report`, and each
    function's entry is the engine's feedback of that function (never Otter's "All test cases
    passed!")."""

    public_text: str = ""
    function_texts: dict[str, str] = {}

    def summary(self, public_only: bool = False) -> str:
        if public_only and self.public_text:
            return self.public_text
        return super().summary(public_only=public_only)

    def to_gradescope_dict(self, ag_config: Any) -> dict[str, Any]:
        output = super().to_gradescope_dict(ag_config)
        for test in output.get("tests", []):
            if test.get("name") in self.function_texts:
                test["output"] = self.function_texts[test["name"]]
        return output


def present(results: GradingResults, checks: dict[str, list[dict]], visibility: str,
            outputs: dict[str, str] | None = None) -> None:
    """Put the project's words in Otter's results: each case's result is PASS or FAIL with the
    engine's feedback (Otter would show a traceback of the test file), "Public Tests" is
    :func:`public_report`, and each function's entry is ``outputs[function]``, the engine's
    feedback of that function. Cases stay as Otter graded them."""
    from autograder.engine.core.contract import usually_calls
    from autograder.engine.core.feedback import FunctionFeedback, lost_points
    from autograder.engine.rubric import load_rubric

    results_of = {f: _as_results(cs) for f, cs in checks.items()}
    public_failed, any_failed = lost_points(results_of, True), lost_points(results_of, False)
    some_hidden = visibility != "visible"
    for name, test_file in results.results.items():
        cases = [tcr for tcr in test_file.test_case_results if not is_note(tcr.test_case)]
        done = results_of.get(name, [])
        for tcr, check in zip(cases, done):
            if tcr.passed:
                tcr.message = "PASS"
                continue
            # a public case is shown before the hidden results: its hint counts public ones
            public_only = check.public and some_hidden
            shown = [c for c in done if c.public] if public_only else done
            fb = FunctionFeedback.of(name, shown, public_failed if public_only else any_failed,
                                     usually_calls(name), policy=load_rubric().callees)
            tcr.message = "FAIL: " + fb.case_text(check)
    results.__class__ = PresentedResults
    results.public_text = public_report(checks, visibility)
    results.function_texts = dict(outputs or {})


class BackpropLabPlugin(AbstractOtterPlugin):
    """Otter plugin (otter_config.json ``plugins``): hardens Otter and writes the students'
    summary (results.json's top-level output, always visible).

    Config, written by build.py: ``{"visibility": <rubric.yml visibility>, "version": <the
    grader's version>, "package_digest": <integrity.package_digest() of the grader the test
    files were made from>}``.
    """

    state: Path | None = None
    report: str = ""
    root: Path | None = None
    before: dict[str, str] | None = None
    set_aside: list[str] = []

    def check_installed_grader(self) -> None:
        """The installed grader must be the one the zip was built from (its test files are)."""
        built = self.plugin_config.get("package_digest")
        installed = integrity.package_digest()
        if built != installed:
            import importlib.metadata

            try:
                version = importlib.metadata.version("backprop-lab")
            except importlib.metadata.PackageNotFoundError:
                version = "not installed as a package"
            raise OtterRuntimeError(
                "the backprop-lab grader installed here "
                f"({version}, {integrity.PACKAGE_DIR}) is not "
                "the one this autograder zip was built from "
                f"({self.plugin_config.get('version', 'unknown version')}): rebuild the zip "
                "(`make autograder`) or install the wheel inside it")

    def before_grading(self, config: AutograderConfig) -> None:
        """Runs in Otter's process, after the files are in place and before the kernel starts
        (before any student code runs)."""
        root = Path(config.autograder_dir).resolve()
        config.grade_from_log = False
        remove_otter_log(root / "submission")
        os.environ["PYTHONSAFEPATH"] = "1"  # inherited by the kernel Otter is about to start
        harden_log_receiver()
        self.check_installed_grader()
        self.root = root
        self.set_aside = upload.set_aside(root / "submission")
        self.state = Path(tempfile.mkdtemp(prefix="backprop-lab-otter-"))
        os.environ[STATE_ENV] = str(self.state)
        protect_autograder(root)
        integrity.keep_pristine(root / "submission" / integrity.TESTS_DIR,
                                self.state / PRISTINE_TESTS)
        self.before = integrity.fingerprint(integrity.watched(root, ENTRY_NOTEBOOK))

    def before_execution(self, submission: Any) -> Any:
        """The kernel executes the entry notebook, whatever Otter picked."""
        import nbformat

        return nbformat.reads(entry_notebook(), as_version=4)

    def after_grading(self, results: GradingResults) -> None:
        summary: dict[str, Any] = {"error": "the grading kernel wrote no summary"}
        if self.state is not None and (self.state / SUMMARY_FILE).is_file():
            summary = json.loads((self.state / SUMMARY_FILE).read_text())
        visibility = str(self.plugin_config.get("visibility", "after_published"))
        if summary.get("checks"):
            present(results, summary["checks"], visibility, summary.get("outputs"))
        output = student_summary(results, summary, visibility)
        extra = upload_lines(self.set_aside)
        results.set_output("\n".join([output, *extra]) if extra else output)
        changed = [f"{path} was changed during grading (put back before the tests ran)"
                   for path in summary.get("restored", [])]
        if self.root is not None and self.before is not None:
            after = integrity.fingerprint(integrity.watched(self.root, ENTRY_NOTEBOOK))
            changed += integrity.changes(self.before, after)
        if changed:
            integrity_failure(results)
            self.report = ("backprop-lab: INTEGRITY CHECK FAILED, every score set to 0:\n  "
                           + "\n  ".join(changed))
        elif summary.get("error"):
            self.report = f"backprop-lab: the engine could not grade: {summary['error']}"
        else:
            self.report = (f"backprop-lab engine: {summary['score']:g} / {summary['max_score']:g} "
                           f"in {summary['seconds']:.2f} s; modules from "
                           f"{summary['where'] or '(none found)'}\n{summary.get('sandbox', '')}")
        if self.state is not None:
            shutil.rmtree(self.state, ignore_errors=True)

    def generate_report(self) -> str:
        return self.report
