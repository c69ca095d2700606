"""Checks of backprop/quiz.py: a public check of the answers' form, then one hidden check per
question, registered by the grader from the rubric's key (the key never leaves the grader)."""

from autograder.engine.core.compare import CheckFailed, describe
from autograder.engine.core.contract import QUIZ_ATTRIBUTE
from autograder.engine.core.framework import REGISTRY, check


def _answers(t) -> dict:
    memo = t.worker.memo
    if "quiz" not in memo:  # read once per submission, not once per question
        try:
            memo["quiz"] = ("ok", t.call(attribute=QUIZ_ATTRIBUTE))
        except CheckFailed as exc:
            memo["quiz"] = ("error", exc)
    kind, got = memo["quiz"]
    if kind == "error":
        raise got
    if not isinstance(got, dict):
        raise CheckFailed(f"quiz.{QUIZ_ATTRIBUTE} must be a dict {{1: 'A', ...}}, got "
                          f"{describe(got)}")
    return {str(k).strip(): v for k, v in got.items()}


# Worth nothing: the questions carry the quiz's points.
@check("quiz", "every question has one letter A-D as its answer", 0, public=True)
def quiz_answers_are_letters(t) -> None:
    answers = _answers(t)
    blank = [q for q, a in answers.items() if isinstance(a, str) and not a.strip()]
    if not answers or len(blank) == len(answers):
        raise CheckFailed("not implemented yet: no answer filled in (backprop/quiz.py)")
    bad = {q: a for q, a in answers.items()
           if not (isinstance(a, str) and a.strip().upper() in ("A", "B", "C", "D"))}
    if bad:
        shown = ", ".join(f"{q}: {a!r}" for q, a in list(bad.items())[:5])
        raise CheckFailed(f"write one letter A-D for each question; got {shown}.")


def _question(number: int, letter: str):
    def run(t) -> None:
        answer = _answers(t).get(str(number))
        if not isinstance(answer, str) or not answer.strip():
            raise CheckFailed(f"question {number} has no answer (write one letter, A-D).")
        if answer.strip().upper() != letter.strip().upper():
            raise CheckFailed(f"question {number}: {answer.strip()!r} is not the right answer.")

    run.__name__ = f"quiz_question_{number}"
    return run


def register_questions(key: dict[int, str]) -> None:
    """One hidden check per question of ``key`` (once per process)."""
    if any(c.name.startswith("quiz_question_") for c in REGISTRY.get("quiz", [])):
        return
    for number, letter in sorted(key.items()):
        check("quiz", f"question {number}")(_question(number, letter))
