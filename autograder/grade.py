"""`make grade`: grade a folder of submissions (or a Gradescope export) in parallel.

    python -m autograder.grade [PATH] [--out DIR] [--jobs N]

PATH: a folder whose subfolders or .zip files are submissions, or a Gradescope "Export
Submissions" folder/zip (with submission_metadata.yml). Without PATH: the bundled samples
(the reference, the skeleton and autograder/samples/*).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml

from autograder.engine.isolation import (
    ALLOW_UNSANDBOXED,
    SandboxUnavailable,
    check_allowed,
    detect,
)
from autograder.engine.rubric import load_rubric
from autograder.engine.sandbox import protect, protect_installation
from autograder.engine.submission import SubmissionError, safe_extract
from autograder.report import Student, table, write_outputs

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "autograder" / "samples"


def _strip(key) -> str:
    return str(key).lstrip(":")


def gradescope_export(folder: Path) -> list[tuple[Student, Path]] | None:
    """Submissions of a Gradescope export folder, or None if ``folder`` is not one."""
    meta_path = next((p for p in (folder / "submission_metadata.yml",
                                  *folder.glob("*/submission_metadata.yml")) if p.is_file()), None)
    if meta_path is None:
        return None
    meta = yaml.safe_load(meta_path.read_text()) or {}
    found = []
    for key, entry in sorted(meta.items(), key=lambda kv: str(kv[0])):
        entry = {_strip(k): v for k, v in (entry or {}).items()}
        people = [{_strip(k): v for k, v in p.items()} for p in entry.get("submitters") or []]
        student = Student(
            submission=str(key),
            name="; ".join(str(p.get("name", "")) for p in people),
            email="; ".join(str(p.get("email", "")) for p in people),
            sid="; ".join(str(p.get("sid", "")) for p in people),
        )
        found.append((student, meta_path.parent / str(key)))
    return found


def discover(path: Path | None, scratch: Path) -> list[tuple[Student, Path]]:
    if path is None:
        bundled = [(Student("reference"), ROOT / "solutions"),
                   (Student("skeleton"), ROOT / "assignments" / "backprop")]
        return bundled + (discover(SAMPLES, scratch) if SAMPLES.is_dir() else [])
    if path.is_file() and path.suffix == ".zip":
        unpacked = scratch / "export"
        safe_extract(path, unpacked)
        export = gradescope_export(unpacked)
        if export is not None:
            return export
        children = [p for p in unpacked.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        path = children[0] if len(children) == 1 and children[0].is_dir() else unpacked
    if not path.is_dir():
        raise SystemExit(f"{path}: not a folder or a .zip of submissions")
    export = gradescope_export(path)
    if export is not None:
        return export
    return [(Student(p.stem if p.suffix == ".zip" else p.name), p) for p in sorted(path.iterdir())
            if not p.name.startswith(".") and (p.is_dir() or p.suffix == ".zip")]


def _grade_one(student: Student, path: Path):
    from autograder.engine import grade_submission

    try:
        return student, grade_submission(path, name=student.submission), ""
    except SubmissionError as exc:
        return student, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one submission can only fail itself
        return student, None, f"the grader failed on this submission ({type(exc).__name__}: {exc})"


class Progress:
    def __init__(self, total: int) -> None:
        self.total, self.done, self.start = total, 0, time.monotonic()
        self.tty = sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        width = 30
        bar = "#" * (width * self.done // self.total) + "-" * (width - width * self.done // self.total)
        line = f"[{bar}] {self.done}/{self.total}  {elapsed:5.1f}s  eta {eta:4.0f}s  {label}"
        if self.tty:
            sys.stderr.write("\r" + line[:120].ljust(120) + ("\n" if self.done == self.total else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, help="submissions folder, .zip or export")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="output folder (out/)")
    parser.add_argument("--jobs", type=int, default=0, help="parallel submissions (0: all cores)")
    parser.add_argument("--allow-unsandboxed", action="store_true",
                        help="grade even where no sandbox is possible (only code you trust)")
    args = parser.parse_args(argv)
    if args.allow_unsandboxed:
        os.environ[ALLOW_UNSANDBOXED] = "1"
    rubric = load_rubric()
    jobs = args.jobs or os.cpu_count() or 1
    isolation = detect()
    print(isolation.describe(), file=sys.stderr)
    try:
        check_allowed(isolation)
    except SandboxUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    if isolation.mode == "uid":  # without namespaces the worker could read these
        protect_installation()
        protect([args.out.resolve()])
    scratch = Path(tempfile.mkdtemp(prefix="backprop-lab-grade-"))
    try:
        found = discover(args.path, scratch)
        if not found:
            print(f"no submissions found in {args.path}", file=sys.stderr)
            return 1
        print(f"grading {len(found)} submissions with {jobs} jobs -> {args.out}", file=sys.stderr)
        progress = Progress(len(found))
        graded = []
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=min(jobs, len(found)), mp_context=context) as pool:
            futures = [pool.submit(_grade_one, s, p) for s, p in found]
            for future in as_completed(futures):
                student, result, error = future.result()
                graded.append((student, result, error))
                progress.step(f"{student.submission}: "
                              + (f"{result.score:g}" if result else "error"))
        order = {s.submission: i for i, (s, _) in enumerate(found)}
        graded.sort(key=lambda g: order[g[0].submission])
        write_outputs(args.out, graded, rubric)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(table(graded, rubric))
    seconds = time.monotonic() - progress.start
    print(f"\n{len(graded)} graded in {seconds:.1f}s ({seconds / len(graded):.2f}s each, {jobs} "
          f"jobs). Results: {args.out}/grades.csv, summary.md, scores.png, results/*.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
