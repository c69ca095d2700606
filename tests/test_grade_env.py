"""`make grade` needs only requirements/grade.txt: its pins agree with lock.txt, and grading works
when everything else in .venv (Otter, Jupyter, pytest, ...) cannot be imported."""

import os
import re
import subprocess
import sys
import textwrap
from importlib.metadata import packages_distributions
from pathlib import Path

from grade_helpers import copy_reference, grades

ROOT = Path(__file__).resolve().parents[1]


def pins(name: str) -> dict[str, str]:
    found = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)$", line.strip())
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(3)
    return found


def test_grade_pins_are_lock_pins():
    grade, lock = pins("grade.txt"), pins("lock.txt")
    assert {"numpy", "pyyaml", "pillow", "tqdm"} <= set(grade)
    assert {k: lock.get(k) for k in grade} == grade
    assert not {"otter-grader", "ipykernel", "nbclient", "pytest", "jupyter-client"} & set(grade)


BLOCKER = textwrap.dedent('''
    import os, site, sys
    ALLOWED = set(os.environ["GRADE_ENV_ALLOWED"].split(","))
    INSTALLED = tuple(os.path.realpath(p) + os.sep for p in site.getsitepackages())

    class GradeEnvOnly:
        """What .venv holds beyond grade.txt cannot be imported, as in a grade-only .venv."""
        def find_spec(self, name, path=None, target=None):
            top = name.partition(".")[0]
            if top in ALLOWED:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is None:
                    continue
                where = os.path.realpath(spec.origin or next(iter(
                    spec.submodule_search_locations or []), ""))
                if not where.startswith(INSTALLED):
                    return spec
                with open(os.environ["GRADE_ENV_LOG"], "a") as log:
                    log.write(top + "\\n")
                raise ModuleNotFoundError(f"No module named {name!r} (not in grade.txt)")
            return None

    sys.meta_path.insert(0, GradeEnvOnly())
''')


def test_grading_runs_with_only_the_grade_requirements(tmp_path):
    grade = set(pins("grade.txt"))
    allowed = {top for top, dists in packages_distributions().items()
               if {d.lower().replace("_", "-") for d in dists} & grade}
    allowed |= {"autograder", "sitecustomize", "_distutils_hack", "setuptools", "pkg_resources",
                "pip", "__main__"}
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCKER)
    log = tmp_path / "blocked.txt"
    subs = tmp_path / "class"
    copy_reference(subs / "alice" / "backprop")
    copy_reference(subs / "bob")
    env = {**os.environ, "PYTHONPATH": str(site), "GRADE_ENV_ALLOWED": ",".join(sorted(allowed)),
           "GRADE_ENV_LOG": str(log)}
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "autograder.grade", str(subs), "--out", str(out),
                          "--jobs", "2"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    blocked = set(log.read_text().split()) if log.exists() else set()
    assert "otter" not in allowed and "pytest" not in allowed and "numpy" in allowed
    probe = subprocess.run([sys.executable, "-c", "import otter"], env=env, capture_output=True,
                           text=True, timeout=60)
    assert "not in grade.txt" in probe.stderr  # the blocker works: Otter is in .venv
    assert {r["score"] for r in grades(out).values()} == {"100.00"}, blocked
    for name in ("report.html", "canvas.csv", "scores.png", "feedback/alice.html",
                 "results/bob.json", "data.json"):
        assert (out / name).is_file(), name
