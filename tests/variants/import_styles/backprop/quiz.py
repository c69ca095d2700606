"""Concept quiz: one letter (A-D) per question of the handout's quiz (README.md, "Concept quiz")."""

ANSWERS: dict[int, str] = {
    1: "D",
    2: "A",
    3: "C",
    4: "B",
    5: "A",
    6: "C",
    7: "D",
    8: "B",
    9: "A",
    10: "D",
}
# ELSE
# ANSWERS: dict[int, str] = {
#     1: "",
#     2: "",
#     3: "",
#     4: "",
#     5: "",
#     6: "",
#     7: "",
#     8: "",
#     9: "",
#     10: "",
# }
