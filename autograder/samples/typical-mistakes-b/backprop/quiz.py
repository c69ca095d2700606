"""Concept quiz answers."""

ANSWERS = {1: "d", 2: "a", 3: "b", 4: "b", 5: "a ", 6: "c", 7: "a", 8: "b", 9: "a", 10: "d"}
