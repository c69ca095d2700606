"""The one feedback model (engine/core/feedback.py): what a student reads about a function, and
what the class report counts, on the engine's real verdicts for catalogued mistakes."""

from pathlib import Path

import pytest

from autograder.engine.core.feedback import FunctionFeedback, is_judged
from autograder.engine.core.framework import CheckResult
from autograder.engine.grading_host import grade_submission
from autograder.mistakes import MUTANTS, apply_mutant
from autograder.model import Graded, Student
from autograder.outputs.class_report import failing_checks

MISTAKES = ["mse_backward_sign_flipped", "linear_backward_dW_not_averaged",
            "adam_steps_along_gradient", "adam_second_moment_uses_beta1",
            "backward_activation_off_by_one"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, tuple[str, object]]:
    tmp = tmp_path_factory.mktemp("feedback")
    by_name = {m.name: m for m in MUTANTS}
    return {name: (by_name[name].breaks,
                   grade_submission(apply_mutant(by_name[name], Path(tmp) / name)))
            for name in MISTAKES}


def test_one_diagnosis_per_failure_in_whole_sentences(graded):
    for name, (function, result) in graded.items():
        output = result.functions[function].output
        diagnoses = [line.split("Likely mistake: ", 1)[1] for line in output.splitlines()
                     if "Likely mistake: " in line]
        assert len(diagnoses) == len(set(diagnoses)), (name, output)  # never repeated
        for text in diagnoses:  # a sentence of its own: lower-case start, full stop at the end
            assert not text.startswith("It ") and text.rstrip().endswith("."), (name, text)
    sign = graded["mse_backward_sign_flipped"][1].functions["mse_loss_backward"].output
    assert sign.count("Likely mistake") == 1 and "wrong sign" not in sign, sign


def test_unjudged_checks_say_so_without_repeating_the_failure(graded):
    output = graded["linear_backward_dW_not_averaged"][1].functions["linear_backward"].output
    lines = output.splitlines()
    unjudged = [i for i, line in enumerate(lines) if line.startswith("[NOT JUDGED]")]
    assert unjudged and "does not modify" in lines[unjudged[0]], output
    assert output.count("dW is wrong") == 1 and output.count("times too large") == 1, output
    assert "not judged yet" not in output  # its title says when it is judged


def test_arrays_are_named_before_their_setting(graded):
    output = graded["adam_steps_along_gradient"][1].functions["adam_update"].output
    assert "the step of W1 with eps = 0.1 is wrong" in output, output
    assert "W1 with lr = 0.02, beta1 = 0.8, beta2 = 0.99, eps = 1e-6 is wrong" in output, output
    assert '["W1"] - W1' not in output and 'with eps=0.1["W1"]' not in output


def test_not_implemented_is_one_line():
    checks = [CheckResult(t, 1.0, False, "relu failed: not implemented yet (it raises "
                          "NotImplementedError)", name=t, public=True) for t in ("a", "b")]
    fb = FunctionFeedback.of("relu", checks, {"relu"})
    assert fb.verdict == "not implemented"
    assert fb.lines() == ["relu failed: not implemented yet (it raises NotImplementedError)"]


def test_class_report_counts_judged_failures_by_mistake(graded):
    rows = [Graded(Student(name), result) for name, (_, result) in graded.items()]
    found = failing_checks(rows)
    for _, _, _, titles in found:
        assert not any(title.startswith("does not modify") for title in titles), found
    judged = {(fn.name, c.title) for g in rows for fn in g.result.functions.values()
              for c in fn.checks if not c.passed and is_judged(c)}
    assert judged and all((fn, t) in judged for fn, _, _, titles in found for t in titles)
    mistakes = {(fn, mistake) for fn, mistake, _, _ in found}
    assert ("linear_backward", "dW is m = 4 times too large: average over the mini-batch (1/m).") \
        in mistakes, mistakes
