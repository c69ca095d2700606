"""The contract is stated once (autograder/engine/core/contract.py): docs/contract.md, the reference
and the rubric agree with it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from autograder import mistakes as mutants  # noqa: E402
from autograder.engine.core import contract  # noqa: E402
from autograder.engine.rubric import load_rubric  # noqa: E402

DOC = ROOT / "docs" / "contract.md"


def doc_text() -> str:
    """docs/contract.md with its typography undone: "−" is "-", double quotes are single."""
    return DOC.read_text().replace("−", "-").replace('"', "'")


def as_written(signature: str) -> str:
    return re.sub(r"(\d)e-0(\d)", r"\1e-\2", signature)  # 1e-08 is written 1e-8


def test_the_docs_name_every_module_and_signature() -> None:
    text = doc_text()
    for module, functions in {**contract.FUNCTIONS, **contract.GIVEN}.items():
        assert f"### `backprop/{module}.py`" in text, module
        for name, signature in functions.items():
            if name == "quiz":
                assert f"`{contract.QUIZ_ATTRIBUTE} = " in text
                continue
            assert f"{name}{as_written(signature)}" in text, (name, signature)


def test_the_docs_give_the_worked_example_numbers() -> None:
    text = doc_text()
    worked = contract.WORKED_EXAMPLE
    numbers = [worked["J"], *sum(worked["dW2"], []), *sum(worked["dW1"], []),
               *worked["J_frozen_biases"], *worked["J_trained_biases"]]
    for number in numbers:
        assert f"{number:.9f}".rstrip("0") in text or f"{number:.10f}".rstrip("0") in text, number
    assert "(0.05, 0.10)" in text and "(0.01, 0.99)" in text


def test_the_reference_calls_what_the_contract_says() -> None:
    graph = {f: set(calls) for f, calls in mutants.call_graph(mutants.REFERENCE).items() if calls}
    assert graph == {f: set(calls) for f, calls in contract.CALLS.items()}


def test_the_rubric_grades_the_contracts_functions() -> None:
    assert load_rubric().functions == list(contract.GRADED)


def test_import_order_puts_each_module_after_what_it_calls() -> None:
    order = contract.IMPORT_ORDER
    assert sorted(order) == sorted(contract.MODULES)
    for function, calls in contract.CALLS.items():
        for called in calls:
            assert order.index(contract.MODULE_OF[called]) <= order.index(
                contract.MODULE_OF[function]), (function, called)


def contract_numbers() -> list[str]:
    """The worked example's published numbers in the contract, as 9-decimal strings."""
    worked = contract.WORKED_EXAMPLE
    numbers = [worked["J"], *sum(worked["dW2"], []), *sum(worked["dW1"], []),
               *sum(worked["Y_hat"], [])]
    return [f"{n:.9f}".rstrip("0") for n in numbers]


def test_the_notebook_and_the_lecture_table_show_the_contracts_numbers() -> None:
    """The notebook's text and the worked-example test print the lecture's numbers: they must
    be the contract's (a change of the example shows up here first)."""
    import test_worked_example

    notebook = (ROOT / "assignments" / "notebook_source.py").read_text()
    printed = {float(v) for _, v in test_worked_example.FIRST_STEP}
    for number in contract_numbers():
        assert number in notebook, number
        assert float(number) in printed, number
