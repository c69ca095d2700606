"""Concept quiz answers."""

ANSWERS: dict[int, str] = {}
for number, letter in zip(range(1, 11), "D A C B A C D B A D".split()):
    ANSWERS[number] = letter
