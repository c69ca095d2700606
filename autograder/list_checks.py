"""``python -m autograder.list_checks``: every check of every graded function, with its points.

It reads autograder/rubric.yml as the grader does (a rubric that cannot be used is reported in
one sentence) and prints each function's points, then its checks: name, visibility, weight and
points (the function's points shared by weight), and title; and, under ``callees: correct``,
which functions answer with correct values while each function is checked.
"""

from __future__ import annotations

import sys

from autograder.engine.callees import callees_of
from autograder.engine.core.framework import REGISTRY
from autograder.engine.grading_host import check_points, start_grading
from autograder.engine.rubric import RUBRIC_PATH, load_rubric


def listing() -> str:
    start_grading()
    rubric = load_rubric()
    n_checks = sum(len(REGISTRY[f]) for f in rubric.functions)
    lines = [f"{RUBRIC_PATH}: {len(rubric.functions)} functions, {n_checks} checks, "
             f"{rubric.total:g} points; quiz: {len(rubric.quiz_key)} questions; hidden checks "
             f"shown: {rubric.visibility}; callees: {rubric.callees}", ""]
    for function in rubric.functions:
        correct = callees_of(function, rubric.callees)
        how = (f" (graded with correct versions of the functions it may call: "
               f"{', '.join(correct)})" if correct else
               " (runs your whole stack: end to end)" if function == "train" else "")
        lines.append(f"{function}: {rubric.points[function]:g} points{how}")
        for chk, points in zip(REGISTRY[function], check_points(function, rubric)):
            lines.append(f"  {points:>8.5g}  {'public' if chk.public else 'hidden'}  "
                         f"weight {chk.weight:g}  {chk.name}: {chk.title}")
    return "\n".join(lines)


def main() -> int:
    print(listing())
    return 0


if __name__ == "__main__":
    sys.exit(main())
