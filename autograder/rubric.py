"""``python -m autograder.rubric``: the rubric as the grader reads it, every check with its
points (the listing of ``python -m autograder.list_checks``, under the rubric's own name)."""

import sys

from autograder.list_checks import main

if __name__ == "__main__":
    sys.exit(main())
