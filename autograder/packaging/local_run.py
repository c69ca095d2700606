"""Run the Gradescope autograder zip on one upload here, laid out exactly as Gradescope lays it out.

    python autograder/packaging/local_run.py SUBMISSION [--zip dist/autograder.zip] [--out DIR]

For one submission, ``otter run -a dist/autograder.zip SUBMISSION.zip`` is the command to use
(README, instructor guide). This script adds what ``otter run`` leaves out, for the tests and
for checking an upload shape before students meet it:

- Gradescope's layout, with a root chosen here: source/ (the unzipped autograder), submission/,
  results/ and a submission_metadata.json of Gradescope's shape (``otter run`` writes ``{}``).
- The upload as Gradescope stores it: a folder (its contents), a .zip (unpacked) or one file.
  ``otter run`` takes only a file or a zip.
- The zip's own ``run_autograder``: every command after its ``mamba activate`` line, i.e. the
  upload tidying (upload.py) and then ``python /autograder/source/run_otter.py``, which calls
  Otter's ``run_autograder()`` in containerized mode, as on Gradescope. ``otter run`` calls
  the same function directly, without run_autograder.

Two stand-ins, because nothing may be downloaded here:

- setup.sh is not run: it installs apt packages, downloads Miniforge and builds the
  ``otter-env`` conda environment from environment.yml. The environment of ``--python`` (by
  default this one, .venv: otter-grader[grading]==7.0.0, the same numpy and PyYAML pins, and
  the backprop-lab package) stands in for otter-env; run_autograder's ``mamba activate`` becomes
  that environment's bin/ first on PATH. tests/test_gradescope_layout.py also installs the
  zip's own wheel into a fresh environment and grades with that.
- The literal "/autograder" in run_autograder and run_otter.py becomes the chosen root.

Run it as root (like Gradescope) to get the privilege drop of the student's worker.
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
GRADESCOPE_ROOT = "/autograder"
ACTIVATE = "mamba activate otter-env"


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
    run_autograder_commands(root)  # refuses a run_autograder it cannot stand in for
    run_otter = root / "source" / "run_otter.py"
    text = run_otter.read_text()
    if text.count(RUN_OTTER_CALL) != 1:
        raise RuntimeError(f"run_otter.py does not call {RUN_OTTER_CALL} exactly once:\n{text}")
    run_otter.write_text(text.replace(RUN_OTTER_CALL, f"run_autograder({json.dumps(str(root))})"))


def run_autograder_commands(root: Path) -> list[str]:
    """The commands of the zip's run_autograder after ``mamba activate otter-env``, with
    "/autograder" replaced by ``root``."""
    lines = [line.strip() for line in (root / "source" / "run_autograder").read_text().splitlines()]
    if lines.count(ACTIVATE) != 1:
        raise RuntimeError(f"run_autograder does not run {ACTIVATE!r} exactly once:\n{lines}")
    commands = [line for line in lines[lines.index(ACTIVATE) + 1:] if line and not line.startswith("#")]
    if not commands or not commands[-1].endswith("/source/run_otter.py"):
        raise RuntimeError(f"run_autograder no longer ends with run_otter.py:\n{lines}")
    return [line.replace(GRADESCOPE_ROOT, str(root)) for line in commands]


def command(root: Path, python: str = sys.executable) -> tuple[list[str], dict[str, str]]:
    """What run_autograder runs for a root laid out by :func:`lay_out`, as one bash command, with
    ``python``'s environment activated (its bin/ first on PATH, as ``mamba activate otter-env``
    does). Run it with ``cwd=root``."""
    env = {**os.environ, "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    return ["bash", "-c", "\n".join(run_autograder_commands(root))], env


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
