"""Concept quiz: one letter (A-D) per question of the handout's quiz (README.md, "Concept quiz")."""

# TODO: write one letter, "A" to "D", between each pair of quotes
ANSWERS: dict[int, str] = {
    1: "",
    2: "",
    3: "",
    4: "",
    5: "",
    6: "",
    7: "",
    8: "",
    9: "",
    10: "",
}
# END TODO
