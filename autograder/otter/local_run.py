"""Run the Gradescope autograder zip on one submission here, the way Gradescope runs it.

    python autograder/otter/local_run.py SUBMISSION [--zip dist/autograder.zip] [--out DIR]

SUBMISSION is what a student uploads: a folder (its contents), a .zip (unpacked, as Gradescope
does) or a single .py file. A temporary root is laid out like Gradescope's /autograder: source/
(the unzipped autograder), submission/, results/ and submission_metadata.json. Then this runs
what the zip's run_autograder runs: ``python /autograder/source/run_otter.py``, i.e. Otter's own
``run_autograder()``. There are two differences, both because nothing may be downloaded here:

- setup.sh is not run. It downloads Miniforge and builds the ``otter-env`` conda environment;
  this Python's environment (the repository's .venv: otter-grader[grading]==7.0.0 and the same
  numpy and PyYAML pins) stands in for it.
- run_otter.py's one literal "/autograder" is replaced by the temporary root. Otter's
  ``run_autograder`` takes that folder as its argument; nothing else changes.

Run it as root (like Gradescope) to get the privilege drop of the student's worker.

Why not ``otter run -a autograder.zip``: it unpacks the zip into a temporary folder that it never
puts on sys.path, so Otter's process cannot import the backprop-lab plugin
(``files.backprop_lab_runtime``) and stops with "No module named 'files'". On Gradescope,
run_otter.py is run from the unpacked zip, and Python puts that folder on sys.path. The plugin
is not optional: it closes three ways for a submission to run code as root in Otter (see
backprop_lab_runtime.py). ``otter run`` grades with the same ``run_autograder()`` as this script
(the same code path, with ``otter_run=True``); tests/test_gradescope_layout.py checks that it
still cannot load the plugin. ``make bench`` uses :func:`lay_out` and :func:`command`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_OTTER_CALL = 'run_autograder("/autograder")'
RUN_AUTOGRADER_COMMAND = "python /autograder/source/run_otter.py"


@dataclass
class LocalRun:
    """One run: results.json (None if Otter wrote none), Otter's output, exit status, wall time."""

    results: dict | None
    stdout: str
    stderr: str
    returncode: int
    seconds: float


def default_metadata() -> dict:
    """A submission_metadata.json of Gradescope's shape (made-up student, no earlier submission)."""
    return {
        "id": 1, "created_at": "2026-01-01T00:00:00.000000-08:00", "submission_method": "upload",
        "assignment": {"id": 1, "title": "Backpropagation & Optimization", "total_points": "100.0"},
        "users": [{"email": "student@example.edu", "id": 1, "name": "A Student", "sid": "0"}],
        "previous_submissions": [],
    }


def lay_out(zip_path: Path, submission: Path, root: Path, metadata: dict | None = None) -> None:
    """Fill ``root`` (an existing, empty folder) the way Gradescope fills /autograder."""
    os.chmod(root, 0o755)  # as /autograder is: the autograder, not the folder, must protect itself
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    target = root / "submission"
    if submission.is_dir():
        shutil.copytree(submission, target, symlinks=True)
    elif submission.suffix == ".zip":
        target.mkdir()
        with zipfile.ZipFile(submission) as zf:
            zf.extractall(target)
    else:
        target.mkdir()
        shutil.copy(submission, target)
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps(metadata or default_metadata()))
    run_autograder = (root / "source" / "run_autograder").read_text()
    if RUN_AUTOGRADER_COMMAND not in run_autograder:
        raise RuntimeError(f"run_autograder no longer runs {RUN_AUTOGRADER_COMMAND!r}:\n{run_autograder}")
    run_otter = root / "source" / "run_otter.py"
    text = run_otter.read_text()
    if text.count(RUN_OTTER_CALL) != 1:
        raise RuntimeError(f"run_otter.py does not call {RUN_OTTER_CALL} exactly once:\n{text}")
    run_otter.write_text(text.replace(RUN_OTTER_CALL, f"run_autograder({json.dumps(str(root))})"))


def command(root: Path, python: str = sys.executable) -> tuple[list[str], dict[str, str]]:
    """What run_autograder runs for a root laid out by :func:`lay_out`: ``python
    <root>/source/run_otter.py``, with ``python``'s environment activated (its bin/ on PATH,
    as ``mamba activate otter-env`` does). Run it with ``cwd=root``."""
    env = {**os.environ, "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return [python, str(root / "source" / "run_otter.py")], env


def read_results(root: Path) -> dict | None:
    """The results.json Otter wrote in ``root``, if any."""
    path = root / "results" / "results.json"
    return json.loads(path.read_text()) if path.is_file() else None


def run(root: Path, python: str = sys.executable, timeout: float = 600) -> LocalRun:
    """Run ``python <root>/source/run_otter.py`` with ``python``'s environment activated."""
    cmd, env = command(root, python)
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    return LocalRun(read_results(root), done.stdout, done.stderr, done.returncode, seconds)


def run_like_gradescope(zip_path: Path, submission: Path, metadata: dict | None = None,
                        python: str = sys.executable, keep: bool = False) -> LocalRun:
    root = Path(tempfile.mkdtemp(prefix="backprop-lab-gradescope-root-"))
    try:
        lay_out(zip_path, submission, root, metadata)
        return run(root, python)
    finally:
        if keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submission", type=Path, help="a folder, a .zip or a .py file")
    parser.add_argument("--zip", type=Path, default=ROOT / "dist" / "autograder.zip",
                        help="the autograder zip (dist/autograder.zip)")
    parser.add_argument("--out", type=Path, help="write results.json and otter-output.txt here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary root")
    args = parser.parse_args(argv)
    if not args.zip.is_file():
        print(f"error: {args.zip} not found: run `make autograder` first", file=sys.stderr)
        return 1
    done = run_like_gradescope(args.zip, args.submission, keep=args.keep)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "otter-output.txt").write_text(done.stdout + done.stderr)
        if done.results is not None:
            (args.out / "results.json").write_text(json.dumps(done.results, indent=2))
    else:
        print(done.stdout + done.stderr)
        print(json.dumps(done.results, indent=2))
    print(f"run_otter.py exited {done.returncode} after {done.seconds:.1f} s", file=sys.stderr)
    return 0 if done.results is not None else 1


if __name__ == "__main__":
    sys.exit(main())
