"""How much does one bug cost outside the function that holds it?

    .venv/bin/python tools/knock_on.py [--jobs 2] [--json OUT]

Grades every single-bug copy of autograder/mistakes/ and prints, per mutant, the points lost on
the function whose body holds the bug ("own"), on train, and on every other function
("knock-on"), then the mean and worst knock-on charge and how many bugs cost more than 2
points elsewhere. train runs the student's whole stack on purpose, so it is counted apart.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Grading in threads of one process, which forks sandboxes: one OpenBLAS thread, set
# before numpy loads (see tests/conftest.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from autograder import mistakes as mutants
from autograder.engine.grading_host import grade_submission

END_TO_END = "train"


def charges(result, holder: str) -> dict:
    """Points lost on the bug's own function, on train, and elsewhere (function -> points)."""
    lost = {f: round(r.max_score - r.score, 3) for f, r in result.functions.items()
            if r.max_score - r.score > 1e-3}
    return {"own": lost.get(holder, 0.0), "train": lost.get(END_TO_END, 0.0) if holder != END_TO_END
            else 0.0, "elsewhere": {f: p for f, p in lost.items() if f not in (holder, END_TO_END)}}


def measure(jobs: int) -> dict[str, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        folders = [(m, mutants.apply_mutant(m, Path(tmp) / m.name)) for m in mutants.MUTANTS]

        def one(item):
            m, folder = item
            return m.name, charges(grade_submission(folder), mutants.enclosing_function(m))

        with ThreadPoolExecutor(jobs) as pool:
            return dict(pool.map(one, folders))


def table(rows: dict[str, dict]) -> str:
    lines = [f"{'mutant':<42}{'own':>7}{'train':>7}{'knock-on':>10}  where"]
    for name, row in rows.items():
        knock = sum(row["elsewhere"].values())
        where = ", ".join(f"{f} {p:g}" for f, p in row["elsewhere"].items())
        lines.append(f"{name:<42}{row['own']:>7g}{row['train']:>7g}{knock:>10.2f}  {where}")
    knocks = {n: sum(r["elsewhere"].values()) for n, r in rows.items()}
    worst = max(knocks, key=knocks.get)
    uncaught = [n for n, r in rows.items() if r["own"] <= 0]
    lines += [
        f"\n{len(rows)} mutants: mean knock-on {sum(knocks.values()) / len(rows):.2f} points, "
        f"worst {knocks[worst]:.2f} ({worst}), "
        f"{sum(k > 2 for k in knocks.values())} charged more than 2 points elsewhere, "
        f"{len(uncaught)} not caught on their own function"
        + (f" ({', '.join(uncaught)})" if uncaught else ""),
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args()
    rows = measure(args.jobs)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
