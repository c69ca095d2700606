"""`make grade`: grade a class (or one student) in parallel and write grades, feedback, a report.

    python -m autograder.grade [PATH] [--out DIR] [--jobs N] [--merge] [--compare OLD_OUT]
                               [--due DATETIME] [--canvas-assignment NAME]

PATH: a Gradescope "Export Submissions" folder/zip, one folder of such an export, a folder of
submissions (subfolders or .zip files), or one submission (a folder or .zip holding
backprop/ or the module files); see autograder/discovery.py. Without PATH: the bundled samples
(the reference, the skeleton and autograder/samples/*).

The new OUT is written into a temporary folder next to it and then replaces it whole, so no file
of an earlier run is left behind. With --merge, the submissions graded now replace or join those
of the earlier OUT; the other students' results are kept.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from autograder.discovery import Found, InputError, Submission, discover, is_one_submission
from autograder.engine.intake import SubmissionError, walk_folders
from autograder.engine.rubric import load_rubric
from autograder.engine.sandbox.folders import protect_installation
from autograder.engine.sandbox.isolation import (
    ALLOW_UNSANDBOXED,
    SandboxUnavailable,
    check_allowed,
    detect,
)
from autograder.engine.sandbox.uids import is_root, sweep
from autograder.engine.untrusted_text import safe_text
from autograder.model import Graded, Student
from autograder.outputs import write_all
from autograder.outputs.lms import DEFAULT_ASSIGNMENT, hours_late, parse_when
from autograder.outputs.report import table
from autograder.outputs.runs import (
    RunError,
    changes_text,
    check_replaceable,
    compare,
    load_run,
    merge,
    merged_due,
    not_in_run,
    scores_of,
    staging_folder,
    swap_into_place,
    write_changes,
)
from autograder.pool import run_jobs
from autograder.similarity import check_prior, similarity_of

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "autograder" / "samples"
DEADLINE_MARGIN = 60.0  # seconds beyond the engine's own budget before a grading process is killed


def bundled(scratch: Path) -> Found:
    subs = [Submission(Student("reference"), ROOT / "solutions", "solutions/"),
            Submission(Student("skeleton"), ROOT / "assignments" / "backprop",
                       "assignments/backprop/")]
    if SAMPLES.is_dir() and not is_one_submission(SAMPLES):
        subs += discover(SAMPLES, scratch, "autograder/samples").submissions
    return Found(subs, [])


def current_umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def failure_message(exc: BaseException, path: Path) -> str:
    """Why a submission could not be graded, in the student's terms, without temporary paths."""
    text = str(exc)
    for shown in {str(path), str(path.resolve())}:
        text = text.replace(shown, "the submission")
    text = re.sub(re.escape(tempfile.gettempdir().rstrip("/")) + r"/[^\s'\":,)]*",
                  "(a temporary copy)", text)
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return f"the zip file is damaged or truncated ({text})"
    if isinstance(exc, RuntimeError) and ("encrypted" in text or "password" in text):
        return "the zip file is password-protected: ask for it again without a password"
    if isinstance(exc, NotImplementedError):
        return f"the zip file uses a compression method that cannot be read ({text})"
    if isinstance(exc, SubmissionError):
        return text
    if isinstance(exc, OSError):
        return f"a file of the submission cannot be read: {exc.strerror or text}"
    return (f"internal error while grading it ({type(exc).__name__}: {text}); the other "
            "submissions are not affected")


NO_MODULES = "No backprop module files"  # how the engine's note on such a submission starts
SHOWN_NAMES = 5


def what_it_holds(path: Path) -> str:
    """A few names of what a submission without module files holds (for its error row): the
    intake's bounded walk, never following a link; every name made safe and short."""
    names: list[str] = []
    try:
        if path.is_file() and path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist()[:1000] if not n.endswith("/")]
        elif path.is_dir() and not path.is_symlink():
            for folder in walk_folders(path):
                with os.scandir(folder) as entries:
                    names += sorted(os.path.relpath(e.path, path) for e in entries
                                    if e.is_file(follow_symlinks=False))
                if len(names) > SHOWN_NAMES:
                    break
    except (OSError, zipfile.BadZipFile, ValueError, SubmissionError):
        return ""
    names = [safe_text(n, 60, one_line=True) for n in names if not Path(n).name.startswith(".")]
    if not names:
        return "it is empty"
    shown = ", ".join(names[:SHOWN_NAMES]) + (" ..." if len(names) > SHOWN_NAMES else "")
    return f"it holds {shown}"


def grade_one(student: Student, path: Path) -> tuple[object, str]:
    """Grade one submission: (SubmissionResult, "") or (None, why it could not be graded)."""
    try:
        from autograder.engine.grading_host import grade_submission

        result = grade_submission(path, name=student.submission)
    except Exception as exc:  # noqa: BLE001 - one submission can fail only itself
        return None, safe_text(failure_message(exc, path), 2000, one_line=True)
    if any(note.startswith(NO_MODULES) for note in result.notes):
        holds = what_it_holds(path)
        return None, ("no module files (activations.py, layers.py, ...) were found in it"
                      + (f": {holds}" if holds else ""))
    return result, ""


def grade_all(subs: list[Submission], *, jobs: int, deadline: float,
              grade_fn=grade_one) -> list[Graded]:
    """Grade every submission, in the input's order; a failure is that student's error row."""
    graded: list[Graded | None] = [None] * len(subs)
    todo = []
    for i, sub in enumerate(subs):
        if not os.path.lexists(sub.path):
            why = "the export's metadata lists this submission but it has no files"
            graded[i] = Graded(sub.student, None, f"{sub.student.label} ({sub.origin}): {why}",
                               sub.origin, reason=why)
        else:
            todo.append(i)
    bar = tqdm(total=len(subs), initial=len(subs) - len(todo), unit="submission",
               file=sys.stderr, disable=None, dynamic_ncols=True)
    try:
        jobs_args = [(subs[i].student, subs[i].path) for i in todo]
        for k, ok, value in run_jobs(grade_fn, jobs_args, processes=jobs, deadline=deadline):
            sub = subs[todo[k]]
            result, why = value if ok else (None, value)
            if result is None:
                error = f"{sub.student.label} ({sub.origin}): {why}"
                graded[todo[k]] = Graded(sub.student, None, error, sub.origin, reason=why)
                tqdm.write(f"error: {error}", file=sys.stderr)
            else:
                graded[todo[k]] = Graded(sub.student, result, "", sub.origin)
            bar.set_postfix_str(sub.student.submission[:30])
            bar.update()
    finally:
        bar.close()
    return [g for g in graded if g is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", help="submissions: export, folder, .zip, one student")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="output folder (out/)")
    parser.add_argument("--jobs", type=int, default=0, help="parallel submissions (0: all cores)")
    parser.add_argument("--merge", action="store_true",
                        help="keep OUT's other submissions; replace or add the ones graded now")
    parser.add_argument("--compare", metavar="OLD_OUT",
                        help="list whose scores changed since the run in OLD_OUT (may be OUT)")
    parser.add_argument("--due", help="due date-time: flags submissions created after it, e.g. "
                        "'2026-11-20 23:59' (local time) or '2026-11-20T23:59-08:00'")
    parser.add_argument("--canvas-assignment", default=DEFAULT_ASSIGNMENT,
                        help="the assignment column of canvas.csv, e.g. 'HW3 (12345)'")
    parser.add_argument("--deadline", type=float, default=None,
                        help="seconds before one submission's grading is stopped (default: the "
                             f"rubric's budget + {DEADLINE_MARGIN:g})")
    parser.add_argument("--prior", metavar="DIR",
                        help="earlier years' submissions or public solutions: the similarity "
                             "report compares the class with them (never them with each other)")
    parser.add_argument("--allow-unsandboxed", action="store_true",
                        help="grade even where no sandbox is possible (only code you trust)")
    args = parser.parse_args(argv)
    if args.allow_unsandboxed:
        os.environ[ALLOW_UNSANDBOXED] = "1"  # the grading processes inherit it
    try:
        return run(args)
    except (InputError, RunError, ValueError, SandboxUnavailable) as exc:
        print(f"make grade: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    rubric = load_rubric()
    jobs = args.jobs or os.cpu_count() or 1
    deadline = args.deadline or rubric.timeouts.get("budget", 90.0) + DEADLINE_MARGIN
    due = parse_when(args.due, end_of_day=True) if args.due else None
    out: Path = args.out
    check_replaceable(out)
    previous = load_run(out) if args.merge else None
    if previous is not None:
        due = merged_due(out, due)
    old_scores = scores_of(Path(args.compare)) if args.compare else None
    check_prior(args.prior)
    isolation = detect()
    print(isolation.describe(), file=sys.stderr)
    check_allowed(isolation)
    if isolation.mode == "uid":  # without namespaces the worker could read the grader's files
        protect_installation()
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="backprop-lab-grade-"))
    stage = None
    try:
        found = bundled(scratch) if args.path is None else discover(Path(args.path), scratch, args.path)
        for problem in found.problems:
            print(f"warning: {problem}", file=sys.stderr)
        if not found.submissions:
            print(f"no submissions found in {args.path}", file=sys.stderr)
            return 1
        print(f"grading {len(found.submissions)} submission(s) with {jobs} jobs -> {out}",
              file=sys.stderr)
        try:
            graded = grade_all(found.submissions, jobs=jobs, deadline=deadline)
        finally:
            sweep()  # what a grading process killed at its deadline left behind
        rows = merge(previous, graded) if previous is not None else graded
        if previous is not None:
            announce_merge(previous, graded, due if not args.due else None)
        for g in graded:  # the rows kept from an earlier run keep their flags as they were
            g.late_hours = hours_late(g.student.created_at, due)
        stage = staging_folder(out)
        if not is_root():  # as root OUT stays closed to the sandbox's uids
            os.chmod(stage, 0o777 & ~current_umask())
        similar = similarity_of(found.submissions, args.prior, scratch, stage)
        write_all(stage, rows, rubric, problems=found.problems,
                  canvas_assignment=args.canvas_assignment, due=due,
                  similarity=similar.section if similar else "")
        changes = compare(old_scores, rows) if old_scores is not None else None
        if changes is not None:
            write_changes(stage, changes, args.compare)
        swap_into_place(stage, out)
        stage = None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
    print(table(rows))
    print_summary(rows, graded, bool(previous), time.monotonic() - start, jobs, out)
    if changes is not None:
        print(changes_text(changes, args.compare, not_in_run(old_scores, rows)))
    return 0


def announce_merge(previous: list[Graded], graded: list[Graded], due: datetime | None) -> None:
    """What --merge did with each new result; ``due``: the earlier run's due date, when that is
    the one late work is flagged against."""
    before = {g.student.submission: g.student for g in previous}
    for g in graded:
        old = before.get(g.student.submission)
        print(f"merge: {g.student.submission} ({g.student.label}) "
              + (f"replaces the earlier result of {old.label}" if old else "is added"),
              file=sys.stderr)
    if due is not None:
        print(f"merge: late work flagged against the earlier run's due date "
              f"{due.isoformat(sep=' ')}", file=sys.stderr)


def print_summary(rows: list[Graded], graded: list[Graded], merged: bool, seconds: float,
                  jobs: int, out: Path) -> None:
    """The closing lines of a run: counts, time, where the results are, and the error rows."""
    kept = f", {len(rows) - len(graded)} others kept from before" if merged else ""
    errors = [g for g in graded if g.result is None]
    could_not = f", {len(errors)} could not be graded" if errors else ""
    print(f"\n{len(graded) - len(errors)} graded{could_not} ({len(graded)} submission"
          f"{'s' if len(graded) != 1 else ''} in "
          f"{seconds:.1f}s, {seconds / len(graded):.2f}s each, {jobs} jobs){kept}. Results: "
          f"{out}/report.html, grades.csv, canvas.csv, summary.md, feedback/, results/")
    if errors:
        print("Could not be graded (error rows; their Canvas cells stay empty):")
        print("\n".join(f"  {g.error}" for g in errors))


if __name__ == "__main__":
    sys.exit(main())
