"""Correct callees (rubric.yml ``callees: correct``): each function judged on its own code.

- Every way learners bind a callee reaches the grader's correct version: each correct variant
  of tests/variants/ (relative and absolute imports, a star import, ``import ... as L``,
  ``from . import layers``, calls in the same module, functions in a dict) is graded with its
  low-level functions broken on purpose (their code replaced, so every binding sees it), and
  the functions above them keep full marks.
- ``callees: own`` is today's chain: the same bug is charged again above, and the feedback
  says "usually relies on"; ``callees: correct`` says how a function was graded.
- The stand-ins are bounded (a flood of requests is that function's failed check) and carry
  no implementation (the attacks read_callee and callee_flood, tests/test_grader_security.py).
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from grader_harness import TESTS, engine, excerpt, full, plain, variant_copy

from autograder import mistakes as mutants

VARIANTS = sorted(p.name for p in (TESTS / "variants").iterdir() if (p / "backprop").is_dir())
# Broken on purpose, by module: the functions below (their callers must keep full marks).
LOW = {"activations": ("sigmoid", "sigmoid_derivative", "sigmoid_backward", "relu",
                       "relu_backward"),
       "losses": ("mse_loss", "mse_loss_backward"),
       "layers": ("linear_forward", "linear_backward")}
MIDDLE = {"activations": LOW["activations"], "losses": LOW["losses"],
          "layers": ("linear_forward", "linear_backward", "dense_forward", "dense_backward")}
ABOVE = {"low": ("dense_forward", "dense_backward"),
         "middle": ("forward", "backward", "loss_and_gradients")}
BREAK = '''

def _broken_on_purpose(*args, **kwargs):
    raise RuntimeError("broken on purpose by the test")


for _name in {names!r}:  # the function object itself, so every binding of it is broken
    if callable(globals().get(_name)) and hasattr(globals()[_name], "__code__"):
        globals()[_name].__code__ = _broken_on_purpose.__code__
        globals()[_name].__defaults__ = None
'''


def broken_copy(variant: str, broken: dict[str, tuple[str, ...]], dest: Path) -> Path:
    root = variant_copy(variant, dest)
    for module, names in broken.items():
        path = root / "backprop" / f"{module}.py"
        path.write_text(path.read_text() + BREAK.format(names=names))
    return root


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from autograder.engine.rubric import load_rubric

    grade, _ = engine()
    jobs = []
    for variant in VARIANTS:
        for level, broken in (("low", LOW), ("middle", MIDDLE)):
            jobs.append(((variant, level), broken_copy(
                variant, broken, tmp_path_factory.mktemp(f"{variant}-{level}")), None))
    own = dataclasses.replace(load_rubric(), callees="own")
    bug = {m.name: m for m in mutants.MUTANTS}["linear_backward_db_without_keepdims"]
    folder = mutants.apply_mutant(bug, tmp_path_factory.mktemp("own"))
    jobs += [(("policy", "own"), folder, own), (("policy", "correct"), folder, None)]
    always = {m.name: m for m in mutants.MUTANTS}["forward_always_sigmoid"]
    jobs.append((("wording", "forward"), mutants.apply_mutant(
        always, tmp_path_factory.mktemp("wording")), None))

    def run(job):
        key, path, rubric = job
        return key, plain(grade(path, rubric=rubric))

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(run, jobs))


@pytest.mark.parametrize("level", sorted(ABOVE))
@pytest.mark.parametrize("variant", VARIANTS)
def test_callers_keep_full_marks_whatever_their_callees_do(
        variant: str, level: str, graded: dict[str, Any]) -> None:
    result = graded[(variant, level)]
    lost = {f: excerpt(result["functions"][f]) for f in ABOVE[level]
            if not full(result["functions"][f])}
    assert not lost, (f"variant {variant} with its {level} functions broken on purpose loses "
                      f"points on {sorted(lost)}: {lost}")
    broken = LOW if level == "low" else MIDDLE
    for names in broken.values():
        for name in names:
            assert result["functions"][name]["score"] == 0, f"{name} was not broken"


def test_callees_own_charges_the_chain_and_says_so(graded: dict[str, Any]) -> None:
    own, correct = graded[("policy", "own")], graded[("policy", "correct")]
    above = ("dense_backward", "backward", "loss_and_gradients")
    for f in above:
        assert full(correct["functions"][f]), excerpt(correct["functions"][f])
        assert not full(own["functions"][f]), f"callees: own no longer charges {f}"
    assert "usually relies on linear_backward" in own["functions"]["dense_backward"]["output"]
    assert not full(own["functions"]["linear_backward"])
    assert not full(correct["functions"]["linear_backward"])


def test_feedback_says_how_a_function_was_graded(graded: dict[str, Any]) -> None:
    forward = graded[("wording", "forward")]["functions"]["forward"]
    assert not full(forward)
    assert "Graded with correct versions of dense_forward" in forward["output"], forward["output"]
    assert "usually relies on" not in forward["output"]
    train = graded[("wording", "forward")]["functions"]["train"]
    assert "end to end" in train["output"], train["output"]


def test_rubric_policy_is_validated_and_listed() -> None:
    from autograder.engine.rubric import RubricError, load_rubric, parse_rubric
    from autograder.list_checks import listing

    rubric = load_rubric()
    data = {"points": rubric.points, "quiz_key": rubric.quiz_key, "timeouts": rubric.timeouts,
            "visibility": rubric.visibility}
    assert parse_rubric(data).callees == "correct"
    assert parse_rubric({**data, "callees": "own"}).callees == "own"
    with pytest.raises(RubricError, match="callees 'mine' is not one of correct, own"):
        parse_rubric({**data, "callees": "mine"})
    text = listing()
    assert "callees: correct" in text
    assert "dense_backward: 6 points (graded with correct versions of" in text.replace(
        f"{rubric.points['dense_backward']:g} points", "6 points")
    assert "train: " in text and "end to end" in text


def test_callees_are_below_the_function_never_itself_nor_its_callers() -> None:
    from autograder.engine.core.contract import ANSWERED, callees_of, reaches

    assert callees_of("train") == ()
    assert callees_of("adam_update") == ()
    assert callees_of("dense_forward", "own") == ()
    for f in ANSWERED:
        for g in callees_of(f):
            assert g != f and f not in reaches(g), (f, g)
    assert "sigmoid_derivative" not in callees_of("sigmoid")  # no sigma from sigma'
    assert {"linear_backward", "sigmoid_backward", "relu_backward"} <= set(
        callees_of("dense_backward"))


AHEAD = '''
import numpy as np

def sigmoid(Z):
    raise RuntimeError("the student's own sigmoid never runs under correct callees")

def sigmoid_derivative(Z):
    {body}

def linear_forward(A_prev, W, b):
    raise RuntimeError("the student's own linear_forward never runs under correct callees")

def dense_forward(A_prev, W, b, activation):
    return linear_forward(A_prev, W=W, b=b), None
'''


@pytest.mark.parametrize("body, scale, asked, requests", [
    ("S = sigmoid(Z); return S * (1 - S)", 1.0, 0, 1),  # its own input: answered ahead
    ("Z *= 2; S = sigmoid(Z); return S * (1 - S)", 2.0, 1, 1),  # changed in place: asked
    ("S = sigmoid(Z * 2); return S * (1 - S)", 2.0, 1, 1),  # another array: asked
    ("sigmoid(Z)[:] = 0; S = sigmoid(Z); return S * (1 - S)", 1.0, 0, 2),  # a fresh copy each
])
def test_answers_sent_ahead_fit_only_the_calls_very_unchanged_inputs(
        tmp_path: Path, body: str, scale: float, asked: int, requests: int) -> None:
    """A callee called with the call's own inputs is answered from the answer sent with the
    call (no round trip), counted and named in the feedback as an asked one; any other use asks."""
    import numpy as np

    from autograder.engine.callees import Callees, callees_of
    from autograder.engine.core import oracle
    from autograder.engine.sandbox.worker import Worker

    package = tmp_path / "backprop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    source = AHEAD.replace("{body}", body)
    for module in ("activations", "layers"):
        (package / f"{module}.py").write_text(source)
    worker = Worker(package)
    try:
        worker.import_modules()
        Z = np.array([[0.5, -1.0], [2.0, 0.0]])
        callees = Callees(callees_of("sigmoid_derivative"), "sigmoid_derivative")
        asks = []
        answer = callees.answer
        callees.answer = lambda *a: asks.append(a[0]) or answer(*a)  # type: ignore[method-assign]
        result = worker.call("activations", "sigmoid_derivative", Z, callees=callees)
        assert result.ok, result.error_message
        S = oracle.sigmoid(Z * scale)
        assert np.allclose(result.value, S * (1 - S))
        assert callees.used == ["sigmoid"] and len(asks) == asked
        assert callees.requests == requests

        A_prev, W, b = np.ones((2, 3)), np.eye(2), np.zeros((2, 1))
        callees = Callees(callees_of("dense_forward"), "dense_forward")
        result = worker.call("layers", "dense_forward", A_prev, W, b, "relu", callees=callees)
        assert result.ok and np.array_equal(result.value[0], W @ A_prev + b)
        assert callees.used == ["linear_forward"] and callees.requests == 1
    finally:
        worker.close()


def test_answers_sent_ahead_count_against_the_flood_bound(tmp_path: Path) -> None:
    import numpy as np

    from autograder.engine.callees import MAX_REQUESTS, Callees, callees_of
    from autograder.engine.sandbox.worker import Worker

    package = tmp_path / "backprop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    body = f"return [sigmoid(Z) for _ in range({MAX_REQUESTS + 5})][0]"
    (package / "activations.py").write_text(AHEAD.replace("{body}", body))
    worker = Worker(package)
    try:
        worker.import_modules()
        callees = Callees(callees_of("sigmoid_derivative"), "sigmoid_derivative")
        result = worker.call("activations", "sigmoid_derivative", np.zeros((2, 2)),
                             callees=callees)
        assert result.error_type == "CalleeFlood" and callees.flood
    finally:
        worker.close()


def test_a_call_that_runs_out_of_time_asking_its_callees_is_told_so(tmp_path: Path) -> None:
    """On a loaded machine a flood can time out before it reaches the cap: the feedback still
    names the flood (and a call that asks little and hangs gets the plain timeout)."""
    import numpy as np

    from autograder.engine.callees import MAX_REQUESTS, Callees, callees_of
    from autograder.engine.core.framework import CheckFailed, Tester
    from autograder.engine.sandbox.worker import Worker

    package = tmp_path / "backprop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    body = (f"import time\n    for _ in range({MAX_REQUESTS}): sigmoid(Z); time.sleep(0.005)\n"
            "    return Z")  # 10 s or more to reach the cap
    (package / "activations.py").write_text(AHEAD.replace("{body}", body))
    worker = Worker(package)
    try:
        worker.import_modules()
        tester = Tester(worker, "sigmoid_derivative", timeouts={"default": 1.5},
                        callees_for=lambda name, *_: Callees(callees_of(name), name))
        with pytest.raises(CheckFailed) as failed:
            tester.call(np.zeros((2, 2)))
        assert tester.last is not None and tester.last.timed_out
        assert "timed out after calling the functions it relies on" in str(failed.value)
    finally:
        worker.close()
