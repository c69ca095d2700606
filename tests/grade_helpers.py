"""Building classes of submissions and running `make grade`'s command on them, for the tests."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "backprop"
SAMPLES = ROOT / "autograder" / "samples"


def copy_reference(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for f in REFERENCE.glob("*.py"):
        shutil.copy(f, dest / f.name)
    return dest


def copy_sample(name: str, dest: Path) -> Path:
    shutil.copytree(SAMPLES / name, dest)
    return dest


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, prefix + str(f.relative_to(folder)))
    return archive


def metadata_yaml(people: dict[str, list[tuple[str, str, str]]],
                  created: dict[str, str] | None = None) -> str:
    """Gradescope's submission_metadata.yml: folder -> [(name, sid, email), ...]."""
    lines = []
    for folder, members in people.items():
        lines += [f"{folder}:", "  :submitters:"]
        for name, sid, email in members:
            lines += [f"  - :name: {json.dumps(name)}", f"    :sid: {json.dumps(sid)}",
                      f"    :email: {json.dumps(email)}"]
        if created and folder in created:
            lines.append(f"  :created_at: {created[folder]}")
        lines.append("  :score: 0.0")
    return "\n".join(lines) + "\n"


def run_grade(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.grade", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def grades(out: Path, name: str = "grades.csv") -> dict[str, dict[str, str]]:
    with open(out / name, newline="", encoding="utf-8") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


def all_files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def hostile_grade(student, path):
    """A grading function for the pool tests: the trusted side fails in every way it can."""
    from autograder.grade import grade_one

    if student.submission == "raises":
        raise RuntimeError("the trusted side raised")
    if student.submission == "dies":
        os.kill(os.getpid(), signal.SIGKILL)
    if student.submission == "exits":
        os._exit(3)
    if student.submission == "hangs":
        time.sleep(3600)
    return grade_one(student, path)
