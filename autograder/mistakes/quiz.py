"""Known mistakes in quiz.py (the concept quiz's answers)."""

from __future__ import annotations

from autograder.mistakes.mutant import QUIZ_KEY
from autograder.mistakes.mutant import Mutant as M


def _quiz_lines(answers: dict[int, str], questions: range) -> str:
    """How the reference's quiz.py writes these answers (one question per line)."""
    return "".join(f'    {q}: "{answers[q]}",\n' for q in questions).rstrip("\n")


def _other_letter(letter: str) -> str:
    return "ABCD"[("ABCD".index(letter) + 1) % 4]


# Misconceptions: backprop saves memory (1A), Taylor's theorem (2D), autodiff makes the forward
# pass faster (5D); the questions keep the key's letter where the key is the misconception.
_MISCONCEPTIONS = {**QUIZ_KEY, 1: "A", 2: "D", 5: "D"}


QUIZ: list[M] = [
    M("quiz_misconceptions", "quiz",
      _quiz_lines(QUIZ_KEY, range(1, 6)),
      _quiz_lines(_MISCONCEPTIONS, range(1, 6)),
      "quiz",
      "common misconceptions: backprop saves memory (1A), Taylor's theorem (2D), autodiff "
      "makes the forward pass faster (5D)"),
    M("quiz_one_wrong_letter", "quiz",
      _quiz_lines(QUIZ_KEY, range(3, 4)),
      _quiz_lines({3: _other_letter(QUIZ_KEY[3])}, range(3, 4)),
      "quiz",
      f"question 3 answered {_other_letter(QUIZ_KEY[3])} (the key says {QUIZ_KEY[3]})"),
    M("quiz_answer_not_a_letter", "quiz",
      _quiz_lines(QUIZ_KEY, range(7, 8)),
      f'    7: "{QUIZ_KEY[7]} or {_other_letter(QUIZ_KEY[7])}",',
      "quiz",
      "two letters for question 7: the contract asks for one letter A-D per question"),
]
