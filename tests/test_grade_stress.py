"""Correct submissions keep full marks on a loaded machine: two `make grade` runs at once, next
to CPU hogs, as other graders of the same machine would run. A worker death the student did not
cause (contention, a neighbour, the OOM killer) must never cost points."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

from grader_harness import ROOT, TESTS

CORRECT = [ROOT / "solutions"] + [p for p in sorted((TESTS / "variants").iterdir())
                                  if (p / "backprop").is_dir()][:3]


def test_correct_submissions_score_full_under_load(tmp_path):
    runs = []
    for run in range(2):
        batch = tmp_path / f"batch{run}"
        for i, source in enumerate(CORRECT):
            shutil.copytree(source / "backprop", batch / f"s{i}-{source.name}" / "backprop",
                            ignore=shutil.ignore_patterns("__pycache__"))
        runs.append(batch)
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "HOME": str(tmp_path), "BACKPROP_LAB_ALLOW_UNSANDBOXED": "1"}
    try:
        graders = [subprocess.Popen([sys.executable, "-m", "autograder.grade", str(batch),
                                     "--out", str(tmp_path / f"out{n}"), "--jobs", "2"],
                                    cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
                   for n, batch in enumerate(runs)]
        outputs = [g.communicate(timeout=600) for g in graders]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    for n, (grader, (_, err)) in enumerate(zip(graders, outputs)):
        assert grader.returncode == 0, err[-2000:]
        rows = list(csv.DictReader(open(tmp_path / f"out{n}" / "grades.csv")))
        assert len(rows) == len(CORRECT)
        for row in rows:
            assert float(row["score"]) == 100 and not row["error"], row
