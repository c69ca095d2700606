"""quiz.py -- Assignment 4, Backpropagation & Optimization."""

ANSWERS = {
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
