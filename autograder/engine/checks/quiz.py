"""Hidden checks of backprop/quiz.py: one check per question, key from the rubric."""

from autograder.engine.compare import CheckFailed, describe
from autograder.engine.framework import MODULE_OF, check
from autograder.engine.rubric import load_rubric

MODULE_OF["quiz"] = "quiz"


def _answers(t) -> dict:
    memo = t.worker.memo
    if "quiz" not in memo:  # read once per submission, not once per question
        try:
            memo["quiz"] = ("ok", t.call(attribute="ANSWERS", unmodified=False))
        except CheckFailed as exc:
            memo["quiz"] = ("error", exc)
    kind, got = memo["quiz"]
    if kind == "error":
        raise got
    if not isinstance(got, dict):
        raise CheckFailed(f"quiz.ANSWERS must be a dict {{1: 'A', ...}}, got {describe(got)}")
    return {str(k).strip(): v for k, v in got.items()}


def _question(number: int, letter: str):
    def run(t) -> None:
        answer = _answers(t).get(str(number))
        if not isinstance(answer, str) or not answer.strip():
            raise CheckFailed(f"question {number} has no answer (write one letter, A-D).")
        if answer.strip().upper() != letter.strip().upper():
            raise CheckFailed(f"question {number}: {answer.strip()!r} is not the right answer.")

    return run


for _number, _letter in sorted(load_rubric().quiz_key.items()):
    check("quiz", f"question {_number}")(_question(_number, _letter))
