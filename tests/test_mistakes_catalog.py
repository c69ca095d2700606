"""Tests of the tests: the catalog of known mistakes, checked without the grader.

Every mutant (autograder/mistakes/) really breaks the function it names
(tests/probe_submission.py compares it with the reference on fixed inputs and checks the
contract's properties), its effects stay inside the functions its bug can reach, and every
variant (tests/variants/*) agrees with the reference. test_grader_verdicts.py then grades them.

Everything is probed once per session (module fixture, two threads).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from grader_harness import ROOT, TESTS, probe_in_subprocess, variant_copy  # noqa: E402
from probe_submission import compare  # noqa: E402
from test_grader_verdicts import MUTANTS, PACKAGE_MODULES, VARIANTS  # noqa: E402

from autograder import mistakes as catalog  # noqa: E402


# --------------------------------------------------------------------------- the catalog
def test_catalog_is_well_formed() -> None:
    assert len(catalog.MUTANTS) >= 35
    assert len(MUTANTS) == len(catalog.MUTANTS), "mutant names must be unique"
    for m in catalog.MUTANTS:
        assert m.breaks in catalog.GRADED, m.name
        catalog.mutated_source(m)  # exactly one match in the current reference
        assert catalog.enclosing_function(m) == m.breaks, (
            f"{m.name}: the replacement sits in {catalog.enclosing_function(m)}, "
            f"not in {m.breaks}"
        )
        assert m.note.strip(), m.name
    uncovered = set(catalog.GRADED) - {m.breaks for m in catalog.MUTANTS}
    assert not uncovered, f"graded functions without a mutant: {sorted(uncovered)}"
    assert len(VARIANTS) >= 6
    for v in VARIANTS:
        missing = [m for m in PACKAGE_MODULES if not (TESTS / "variants" / v / "backprop" /
                                                      f"{m}.py").exists()]
        assert not missing, f"variant {v} lacks {missing}"


def test_apply_mutant_writes_a_complete_package(tmp_path: Path) -> None:
    m = MUTANTS["sgd_sign_error"]
    root = catalog.apply_mutant(m, tmp_path)
    written = {p.name for p in (root / "backprop").glob("*.py")}
    assert written == {p.name for p in catalog.REFERENCE.glob("*.py")}
    text = (root / "backprop" / "optimizers.py").read_text()
    assert m.new in text and m.old not in text


def test_reachability_follows_the_call_graph() -> None:
    assert catalog.affected_by("sigmoid") >= {"sigmoid_derivative", "sigmoid_backward",
                                              "dense_forward", "forward", "train"}
    assert catalog.affected_by("forward") == {"forward", "backward", "loss_and_gradients",
                                              "train"}
    assert catalog.affected_by("quiz") == {"quiz"}
    assert catalog.affected_by("adam_update") == {"adam_update", "train"}


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Probe records of the reference, every mutant and every variant (no grader involved)."""
    jobs: dict[str, Path] = {"reference": ROOT / "solutions"}
    for m in catalog.MUTANTS:
        jobs[f"mutant:{m.name}"] = catalog.apply_mutant(m, tmp_path_factory.mktemp(m.name))
    for v in VARIANTS:
        jobs[f"variant:{v}"] = variant_copy(v, tmp_path_factory.mktemp(f"variant-{v}"))
    names, roots = list(jobs), list(jobs.values())
    halves = [roots[::2], roots[1::2]]  # two processes, each probing its packages in turn
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(probe_in_subprocess, halves)
    records = dict(zip(names[::2], first, strict=True)) | dict(zip(names[1::2], second,
                                                                   strict=True))
    errors = {k: r["__error__"] for k, r in records.items() if "__error__" in r}
    assert not errors.get("reference"), f"probing the reference failed: {errors['reference']}"
    return records


def test_reference_has_no_contract_violation(probes: dict[str, dict]) -> None:
    bad = {f: r["violations"] for f, r in probes["reference"].items() if r["violations"]}
    assert not bad


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_catalog_mutant_really_breaks(name: str, probes: dict[str, dict]) -> None:
    m = MUTANTS[name]
    record, ref = probes[f"mutant:{name}"], probes["reference"]
    assert "__error__" not in record, f"probing {name} crashed: {record.get('__error__')}"
    assert compare(record, ref, m.breaks), (
        f"{name} behaves like the reference on {m.breaks}: not a bug (drop or fix it)"
    )
    changed = {f for f in catalog.GRADED if compare(record, ref, f)}
    outside = changed - catalog.affected_by(m.breaks)
    assert not outside, f"{name} changes {sorted(outside)}, which its bug should not reach"


@pytest.mark.parametrize("variant", VARIANTS)
def test_catalog_variant_agrees_with_reference(variant: str, probes: dict[str, dict]) -> None:
    record = probes[f"variant:{variant}"]
    assert "__error__" not in record, f"probing {variant} crashed: {record.get('__error__')}"
    wrong = {f: compare(record, probes["reference"], f) for f in catalog.GRADED}
    wrong = {f: why[:3] for f, why in wrong.items() if why}
    assert not wrong, f"variant {variant} is not correct: {wrong}"
