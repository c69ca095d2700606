"""Concept quiz: one letter (A-D) per question of the handout's quiz (README.md, "Concept quiz")."""

# TODO: write one letter, "A" to "D", between each pair of quotes
ANSWERS: dict[int, str] = {
    1: "D",
    2: "A",
    3: "C",
    4: "C",
    5: "A",
    6: "",
    7: "",
    8: "",
    9: "",
    10: "",
}
# END TODO
