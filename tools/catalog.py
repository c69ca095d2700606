"""`make catalog`: the feedback catalog, docs/feedback-catalog.md.

Grades every single-bug copy of autograder/mistakes/ (the mistakes students really make) and records,
for the function each one breaks, the points lost and the feedback a student gets, so that
instructors and TAs can see what each diagnosis looks like.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder.engine.grading_host import grade_submission
from autograder.mistakes import MUTANTS, apply_mutant

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    out = ROOT / "docs" / "feedback-catalog.md"
    with tempfile.TemporaryDirectory() as tmp:
        def grade(mutant):
            return mutant, grade_submission(apply_mutant(mutant, Path(tmp) / mutant.name))

        with ThreadPoolExecutor(2) as pool:
            graded = list(pool.map(grade, MUTANTS))
    lines = ["# Feedback catalog", "",
             "What a student sees for each mistake of `autograder/mistakes/` (regenerate with "
             "`make catalog`). *Diagnosed* means the feedback names the likely mistake, beyond "
             "expected vs got.", "",
             "| mistake | function | points | feedback (first failing check) |", "|---|---|---:|---|"]
    diagnosed = 0
    for mutant, result in graded:
        fn = result.functions[mutant.breaks]
        failing = [c for c in fn.checks if not c.passed]
        named = [c.message for c in failing if "Likely mistake: " in c.message]
        message = ("Likely mistake: " + named[0].split("Likely mistake: ", 1)[1] if named
                   else failing[0].message if failing else "(not caught)")
        specific = any("Likely mistake" in c.message or "must" in c.message or "use " in c.message
                       or "missing" in c.message or "modified" in c.message for c in failing)
        diagnosed += specific
        text = " ".join(message.split()).replace("|", "\\|")[:300]
        note = mutant.note.replace("|", "\\|")
        lines.append(f"| {note} (`{mutant.name}`) | `{mutant.breaks}` | "
                     f"{fn.score:g}/{fn.max_score:g} | {text} |")
    lines[2] += f" {diagnosed} of {len(graded)} mistakes get a named diagnosis."
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out.relative_to(ROOT)}: {len(graded)} mistakes, {diagnosed} diagnosed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
