"""Tests of the tests: the grader's verdicts on known-buggy and known-correct submissions.

- Degenerate submissions (tests/degenerate.py: zeros, constants, echoed inputs) earn a check
  only where the trivial answer is genuinely right; right values written into the inputs lose
  only the inputs-unchanged checks.
- The grader: every mutant loses points on the function it breaks and keeps full marks on
  every other function but train (each function is graded with correct callees, so a mistake is
  charged once; the few exceptions are listed, with the reason, in CHARGED_TWICE); every variant,
  and the reference, scores 100%; the skeleton scores 0 with "not implemented" feedback; grading
  the same submission twice gives identical scores and feedback.

Everything is graded once per session (module fixture, two threads). The catalog itself, without
the grader, is checked in test_mistakes_catalog.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import degenerate  # noqa: E402
import pytest
from grader_harness import (  # noqa: E402
    ROOT,
    TESTS,
    engine,
    excerpt,
    full,
    plain,
    variant_copy,
)

from autograder import mistakes as catalog  # noqa: E402

VARIANTS = sorted(p.name for p in (TESTS / "variants").iterdir() if (p / "backprop").is_dir())
MUTANTS = {m.name: m for m in catalog.MUTANTS}
DEGENERATE = (*degenerate.ALLOWED, "in_place")
PACKAGE_MODULES = tuple(catalog.GRADED_MODULES)
# Deterministic submissions graded a second time: the reference, a chatty and a float32 variant,
# and mutants whose feedback shows numbers.
SAMPLES = ROOT / "autograder" / "samples"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir()
                      if p.is_dir() and not p.name.startswith(".")) if SAMPLES.is_dir() else []
# What autograder/samples/README.md promises: functions that lose points (with a phrase of the
# feedback), the rough total without the quiz (None: full marks); every function out of reach of
# those mistakes keeps full marks. The quiz's expected score comes from the sample's answers and
# the rubric's key (test_sample_quiz_is_graded_by_the_key), never restated here.
SAMPLE_EXPECTATIONS: dict[str, dict[str, Any]] = {
    "typical-mistakes-a": {
        "package": SAMPLES / "typical-mistakes-a", "total": (72, 86),
        "lose": {"sigmoid_derivative": "", "linear_backward": "", "adam_update": "bias"},
    },
    "typical-mistakes-b": {
        "package": SAMPLES / "typical-mistakes-b" / "backprop", "total": (68, 82),
        "lose": {"mse_loss": "", "forward": "", "random_mini_batches": "permutation",
                 "momentum_update": ""},
    },
    "nested-repo": {
        "package": SAMPLES / "nested-repo" / "my-repo" / "src" / "backprop", "total": None,
        "lose": {},
    },
    "partially-done": {
        "package": SAMPLES / "partially-done" / "backprop", "total": (21, 41),
        "lose": {
            **{f: "not implemented" for f in ("dense_forward", "dense_backward", "init_params",
                                             "forward", "backward", "loss_and_gradients",
                                             "random_mini_batches", "train")},
            **{f: "SyntaxError" for f in ("sgd_update", "init_state", "momentum_update",
                                         "rmsprop_update", "adam_update")},
        },
    },
    "missing-module": {
        "package": SAMPLES / "missing-module" / "backprop", "total": (76, 91),
        "lose": {"random_mini_batches": "missing", "train": "missing"},
    },
}
TWICE = ["reference", "variant:chatty", "variant:float32",
         "mutant:linear_backward_dW_not_averaged", "mutant:adam_without_bias_correction",
         "mutant:train_adam_t_reset_every_epoch", "mutant:minibatch_different_permutations"]


# --------------------------------------------------------------------------- the grader
@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every submission graded once (two threads); the TWICE ones a second time."""
    grade, _ = engine()
    jobs: list[tuple[str, Path]] = [
        ("reference", ROOT / "solutions"),
        ("skeleton", ROOT / "assignments" / "backprop"),
    ]
    jobs += [(f"variant:{v}", variant_copy(v, tmp_path_factory.mktemp(f"variant-{v}")))
             for v in VARIANTS]
    jobs += [(f"sample:{name}", SAMPLES / name) for name in SAMPLE_NAMES]
    for m in catalog.MUTANTS:
        jobs.append((f"mutant:{m.name}", catalog.apply_mutant(m, tmp_path_factory.mktemp(m.name))))
    for kind in DEGENERATE:
        jobs.append((f"degenerate:{kind}", degenerate.write(kind, tmp_path_factory.mktemp(kind))))
    for first, second in PAIRS:
        jobs.append((f"pair:{first}+{second}", _two_mutants(
            first, second, tmp_path_factory.mktemp(f"{first}-{second}"))))
    paths = dict(jobs)
    jobs += [(f"again:{key}", paths[key]) for key in TWICE]

    def run(job: tuple[str, Path]) -> dict[str, Any] | str:
        try:
            return plain(grade(job[1]))
        except Exception as exc:  # reported by the test of that submission
            return f"grade_submission raised {exc!r}"

    with ThreadPoolExecutor(2) as pool:
        return dict(zip((k for k, _ in jobs), pool.map(run, jobs), strict=True))


def _two_mutants(first: str, second: str, dest: Path) -> Path:
    """The reference with two mutants' bugs (each replacement still matching exactly once)."""
    root = catalog.apply_mutant(MUTANTS[first], dest)
    m = MUTANTS[second]
    path = root / "backprop" / f"{m.module}.py"
    text = path.read_text()
    assert text.count(m.old) == 1, f"{second} does not apply after {first}"
    path.write_text(text.replace(m.old, m.new))
    return root


def _result(verdicts: dict[str, Any], key: str) -> dict[str, Any]:
    result = verdicts[key]
    assert not isinstance(result, str), f"{key}: {result}"
    return result


def test_engine_grades_every_function(verdicts: dict[str, Any]) -> None:
    _, graded = engine()
    assert sorted(graded) == sorted(catalog.GRADED)
    reference = _result(verdicts, "reference")
    assert sorted(reference["functions"]) == sorted(catalog.GRADED)
    assert reference["max_score"] == pytest.approx(100.0)


def test_reference_scores_full_marks(verdicts: dict[str, Any]) -> None:
    reference = _result(verdicts, "reference")
    lost = {f: excerpt(r) for f, r in reference["functions"].items() if not full(r)}
    assert not lost, f"the reference loses points: {lost}"
    assert reference["score"] == pytest.approx(100.0, abs=1e-3)
    assert not reference["internal_errors"]


def test_skeleton_scores_zero_with_not_implemented_feedback(verdicts: dict[str, Any]) -> None:
    skeleton = _result(verdicts, "skeleton")
    assert skeleton["score"] == 0
    for name, r in skeleton["functions"].items():
        assert r["score"] == 0, f"the skeleton earns points on {name}: {excerpt(r)}"
        if name != "quiz":  # the quiz has no code: its answers are empty strings
            assert "not implemented" in r["output"].lower(), f"{name}: {excerpt(r)}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_scores_full_marks(variant: str, verdicts: dict[str, Any]) -> None:
    result = _result(verdicts, f"variant:{variant}")
    lost = {f: excerpt(r) for f, r in result["functions"].items() if not full(r)}
    assert not lost, f"correct variant {variant} loses points on {sorted(lost)}: {lost}"
    assert not result["internal_errors"]


# Mutants whose single mistake is also charged outside the function that holds it (and train),
# and why that is its own mistake there too. Keep this list short: with correct callees
# (rubric.yml's default), each function is judged on its own code.
# Empty: none is. backward, the one function judged on another's output (the cache of the
# student's own forward, whose format is theirs), is given the cache of a run in which that
# forward computed the check's network right (an identity output layer appended when it fails
# on the network itself; checks/network.py), so a forward that misses or mangles its output
# layer is charged in forward alone.
CHARGED_TWICE: dict[str, set[str]] = {}
# A forward that misses or mangles its output layer, each with a wrong backward: backward is
# judged on the cache of the longer network and loses what that backward loses alone.
LAYER_MISSING_FORWARDS = ("forward_skips_last_layer", "forward_loop_stops_before_output_layer",
                          "forward_output_layer_without_activation")
WRONG_BACKWARDS = ("backward_double_average", "backward_activation_off_by_one",
                   "backward_passes_A_as_Z", "backward_skips_first_layer")
PAIRS = [(LAYER_MISSING_FORWARDS[i % len(LAYER_MISSING_FORWARDS)], b)
         for i, b in enumerate(WRONG_BACKWARDS)]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_is_caught_and_contained(name: str, verdicts: dict[str, Any]) -> None:
    """Each mistake is charged once: a mutant loses points on the function that holds its bug
    (and on train, which runs the whole stack), nowhere else but its CHARGED_TWICE entry."""
    m = MUTANTS[name]
    result = _result(verdicts, f"mutant:{name}")
    broken = result["functions"][m.breaks]
    assert not full(broken), (
        f"{name} ({m.note}) keeps full marks on {m.breaks}: {excerpt(broken)}"
    )
    allowed = {catalog.enclosing_function(m), m.breaks, "train", *CHARGED_TWICE.get(name, ())}
    hurt = {f: excerpt(r) for f, r in result["functions"].items()
            if f not in allowed and not full(r)}
    assert not hurt, (
        f"{name} has its bug in {catalog.enclosing_function(m)}, yet {sorted(hurt)} lose points "
        f"too (charged twice): {hurt}"
    )


def test_charged_twice_is_still_needed(verdicts: dict[str, Any]) -> None:
    """An allowance no mutant uses any more must go."""
    for name, functions in CHARGED_TWICE.items():
        lost = {f for f, r in _result(verdicts, f"mutant:{name}")["functions"].items()
                if not full(r)}
        assert functions <= lost, f"{name} no longer loses points on {sorted(functions - lost)}"


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_wrong_backward_is_caught_after_a_forward_missing_a_layer(
        first: str, second: str, verdicts: dict[str, Any]) -> None:
    """No credit without evidence: the cache of the longer network lets a right backward pass,
    never a wrong one; the feedback says which cache backward was judged on."""
    pair = _result(verdicts, f"pair:{first}+{second}")["functions"]
    for function, alone in (("forward", first), ("backward", second)):
        single = _result(verdicts, f"mutant:{alone}")["functions"][function]
        assert pair[function]["score"] == pytest.approx(single["score"]), (
            f"{function} of {first} with {second}: {excerpt(pair[function])}")
    assert "identity output layer appended" in pair["backward"]["output"], (
        excerpt(pair["backward"]))


@pytest.mark.parametrize("key", TWICE)
def test_grading_is_deterministic(key: str, verdicts: dict[str, Any]) -> None:
    first, second = _result(verdicts, key), _result(verdicts, f"again:{key}")
    for f in first["functions"]:
        a, b = first["functions"][f], second["functions"][f]
        assert (a["score"], a["output"]) == (b["score"], b["output"]), (
            f"{key}: {f} graded differently twice:\n{a['output']}\n---\n{b['output']}"
        )
    assert first["stdout"] == second["stdout"]


def test_every_sample_is_documented() -> None:
    assert sorted(SAMPLE_EXPECTATIONS) == SAMPLE_NAMES
    readme = (SAMPLES / "README.md").read_text()
    assert all(f"`{name}/`" in readme for name in SAMPLE_NAMES)


@pytest.mark.parametrize("name", sorted(SAMPLE_EXPECTATIONS))
def test_sample_is_graded_as_documented(name: str, verdicts: dict[str, Any]) -> None:
    expect = SAMPLE_EXPECTATIONS[name]
    result = _result(verdicts, f"sample:{name}")
    quiz = result["functions"]["quiz"]
    without_quiz = result["score"] - quiz["score"]
    low, high = expect["total"] or (result["max_score"] - quiz["max_score"],) * 2
    assert low - 1e-6 <= without_quiz <= high + 1e-6, f"{name}: total without the quiz {without_quiz}"
    for f, phrase in expect["lose"].items():
        r = result["functions"][f]
        assert not full(r), f"{name}: {f} should lose points: {excerpt(r)}"
        assert phrase.lower() in r["output"].lower(), f"{name}: {f}: {excerpt(r)}"
    wrong_quiz = {"quiz"} if quiz_points(expect["package"]) < quiz["max_score"] - 1e-6 else set()
    reach = catalog.affected_by(set(expect["lose"]) | wrong_quiz, expect["package"])
    hurt = {f: excerpt(r) for f, r in result["functions"].items()
            if f not in reach and not full(r)}
    assert not hurt, f"{name}: functions without a mistake lose points: {hurt}"


def quiz_points(package: Path) -> float:
    """What a sample's quiz answers are worth under the rubric's key (our own file: run it)."""
    import runpy

    from autograder.engine.core.framework import REGISTRY
    from autograder.engine.grading_host import check_points
    from autograder.engine.rubric import load_rubric

    answers = runpy.run_path(str(package / "quiz.py"))["ANSWERS"]
    key = load_rubric().quiz_key
    worth = {c.name: p for c, p in zip(REGISTRY["quiz"], check_points("quiz"), strict=True)}
    return sum(worth[f"quiz_question_{q}"] for q in key
               if str(answers.get(q, "")).strip().upper() == key[q])


@pytest.mark.parametrize("name", sorted(SAMPLE_EXPECTATIONS))
def test_sample_quiz_is_graded_by_the_key(name: str, verdicts: dict[str, Any]) -> None:
    quiz = _result(verdicts, f"sample:{name}")["functions"]["quiz"]
    assert quiz["score"] == pytest.approx(quiz_points(SAMPLE_EXPECTATIONS[name]["package"]))


def test_every_check_fails_some_realistic_mistake(verdicts: dict[str, Any]) -> None:
    """A check no catalogued mistake or sample ever fails cannot be shown to work: each of the
    engine's checks must be failed, on its own function, by at least one of them (failures that
    only say "not implemented", "could not be imported" or "missing" do not count). The
    in-place submission counts too: writing into inputs is the realistic mistake of every
    function's inputs-unchanged check."""
    from autograder.engine.core.framework import REGISTRY

    unexplained = ("not implemented", "could not be imported", "missing from the submission")
    never = []
    for function, checks in REGISTRY.items():
        for index, check in enumerate(checks):
            if not any(
                not (c := _result(verdicts, key)["functions"][function]["checks"][index])["passed"]
                and not any(text in c["message"] for text in unexplained)
                for key in verdicts
                if key.startswith(("mutant:", "sample:")) or key == "degenerate:in_place"
            ):
                never.append(f"{function}: {check.title}")
    assert not never, "checks no realistic wrong implementation fails:\n" + "\n".join(never)


@pytest.mark.parametrize("kind", sorted(degenerate.ALLOWED))
def test_degenerate_submission_earns_only_what_is_genuinely_right(
        kind: str, verdicts: dict[str, Any]) -> None:
    from autograder.engine.core.framework import REGISTRY

    result = _result(verdicts, f"degenerate:{kind}")
    allowed = degenerate.allowed(kind)
    earned = [f"{f}: {c['name']}" for f, r in result["functions"].items()
              for c in r["checks"] if c["passed"] and c["name"] not in allowed]
    assert not earned, f"the {kind} submission earns checks it has no evidence for: {earned}"
    assert not result["internal_errors"], result["internal_errors"]
    assert {c.name for cs in REGISTRY.values() for c in cs} >= allowed - {""}


def test_zeros_submission_total(verdicts: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    result = _result(verdicts, "degenerate:zeros")
    quiz = result["functions"]["quiz"]["score"]
    assert result["score"] - quiz < 3.0, result["score"]
    with capsys.disabled():
        print(f"\nzeros submission: {result['score']:.4g} points ({quiz:.4g} of them lucky quiz "
              "letters)")


def test_right_values_written_into_inputs_lose_only_that_rule(verdicts: dict[str, Any]) -> None:
    """Fair partial credit: each function keeps every check but the ones about its inputs, and
    the feedback names the argument and how to copy it."""
    result = _result(verdicts, "degenerate:in_place")
    for function, r in result["functions"].items():
        if function in ("quiz", "init_params"):
            assert full(r), f"{function}: {excerpt(r)}"
            continue
        lost = [c for c in r["checks"] if not c["passed"]]
        assert lost, f"{function} writes into its inputs yet keeps full marks"
        for c in lost:
            assert c["name"].endswith(degenerate.IN_PLACE_LOSES), (
                f"{function} loses {c['name']} although its values are right: {c['message']}")
            if c["name"] != "backward_keeps_the_cache":
                assert "modified" in c["message"] and ("copy" in c["message"].lower()), c["message"]


@pytest.mark.parametrize("name", ["sgd_in_place", "sgd_in_place_cs231n", "momentum_in_place_dls",
                                  "adam_in_place_dls", "relu_in_place", "relu_backward_in_place"])
def test_mutation_only_mistake_costs_one_check(name: str, verdicts: dict[str, Any]) -> None:
    m = MUTANTS[name]
    r = _result(verdicts, f"mutant:{name}")["functions"][m.breaks]
    lost = [c["name"] for c in r["checks"] if not c["passed"]]
    assert lost == [c["name"] for c in r["checks"] if "inputs_unchanged" in c["name"]
                    or "input_unchanged" in c["name"]], f"{name}: {excerpt(r)}"
    assert r["score"] > 0.6 * r["max_score"], f"{name}: {r['score']} of {r['max_score']}"


# A named diagnosis for the mistakes learners really make (the hint must match the answer).
DIAGNOSES: dict[str, str | tuple[str, ...]] = {
    "adam_eps_inside_sqrt": "eps is inside the square root",
    "adam_eps_inside_sqrt_hard_coded": ("eps is inside the square root", "eps seems hard-coded"),
    "adam_eps_hard_coded": "eps seems hard-coded",
    "rmsprop_eps_hard_coded": "eps seems hard-coded",
    "rmsprop_eps_inside_sqrt": "eps is inside the square root",
    "adam_beta2_squared_without_sqrt": "1 - beta2**2 where 1 - beta2**t belongs, and the square root",
    "adam_missing_sqrt": "the square root is missing",
    "adam_without_bias_correction": "the bias correction is missing",
    "relu_backward_z_geq_0": "Z >= 0",
    "sigmoid_math_e_power": "exponential of a large argument overflows",
    "minibatch_zero_filled_batches": "the batch columns are not the columns of X",
    "train_does_not_train": "nothing was trained",
}


@pytest.mark.parametrize("name", sorted(DIAGNOSES))
def test_diagnosis_names_the_mistake(name: str, verdicts: dict[str, Any]) -> None:
    m = MUTANTS[name]
    r = _result(verdicts, f"mutant:{name}")["functions"][m.breaks]
    phrases = DIAGNOSES[name] if isinstance(DIAGNOSES[name], tuple) else (DIAGNOSES[name],)
    for phrase in phrases:
        assert phrase.lower() in r["output"].lower(), f"{name}: {r['output']}"


def test_no_hint_that_does_not_match(verdicts: dict[str, Any]) -> None:
    """Hints that used to be guessed: the bias correction named for Adams whose bias correction
    is right, np.exp named for a power written another way."""
    for name in ("adam_eps_inside_sqrt", "adam_eps_hard_coded", "adam_steps_along_gradient",
                 "adam_missing_sqrt"):
        out = _result(verdicts, f"mutant:{name}")["functions"]["adam_update"]["output"]
        assert "bias correction" not in out, f"{name}: {out}"
    out = _result(verdicts, "mutant:sigmoid_math_e_power")["functions"]["sigmoid"]["output"]
    assert "np.exp" not in out, out


def test_summary(verdicts: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    caught = 0
    for m in catalog.MUTANTS:
        result = verdicts[f"mutant:{m.name}"]
        if not isinstance(result, str) and not full(result["functions"][m.breaks]):
            caught += 1
    at_full = sum(
        1 for v in VARIANTS
        if not isinstance(verdicts[f"variant:{v}"], str)
        and all(full(r) for r in verdicts[f"variant:{v}"]["functions"].values())
    )
    zeros = _result(verdicts, "degenerate:zeros")["score"]
    costs = {n: r["functions"][MUTANTS[n].breaks]
             for n in ("sgd_in_place", "momentum_in_place_dls", "adam_in_place_dls")
             if not isinstance(r := verdicts[f"mutant:{n}"], str)}
    with capsys.disabled():
        print("mutation only: " + ", ".join(f"{n} {f['score']:g}/{f['max_score']:g}"
                                            for n, f in costs.items()) + f"; zeros {zeros:.4g}")
        print(f"\nmutants caught {caught}/{len(catalog.MUTANTS)}, "
              f"variants at 100% {at_full}/{len(VARIANTS)}")
