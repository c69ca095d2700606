"""A wrong cache is forward's mistake, a wrong read of a right cache is backward's.

backward is judged on the cache of the student's own forward. The catalogue's cache mutants
(forward_cache_*) are written in the reference's format (a dict of lists); here the same kinds
of mistakes are made in two other formats learners use, and backward's own mistake of reading
the wrong entry is made in one of them:

- a list of per-layer tuples (variant tuple_cache) where forward stores each layer's output
  as its input: every value is in the cache, each in the wrong layer's tuple;
- a list of activations only (variant recompute_z, whose backward recomputes Z) where forward
  stores Z instead: backward's recomputed Z is then wrong too, derived from the wrong read;
- the same tuple format with forward right and backward reading the next layer's tuple.

Each costs points on the function that holds it (and on train, which runs the whole stack),
nowhere else; the feedback of forward's cache check names what the cache held.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from grader_harness import engine, full, plain, variant_copy

# name: (variant, module, old text, new text, the function that holds the mistake)
BUGS = {
    "tuple_cache_stores_output_as_input": (
        "tuple_cache", "network", "cache.append((A, W, b, Z, g))",
        "cache.append((A_next, W, b, Z, g))", "forward"),
    "recompute_z_stores_Z": (
        "recompute_z", "network",
        'As.append(dense_forward(As[-1], params[f"W{l}"], params[f"b{l}"], activation)[0])',
        'As.append(dense_forward(As[-1], params[f"W{l}"], params[f"b{l}"], activation)[1])',
        "forward"),
    "tuple_cache_backward_reads_next_layer": (
        "tuple_cache", "network", "A_prev, _, _, Z, _ = layers[l - 1]",
        "A_prev = layers[l][0] if l < len(layers) else Y_hat\n        _, _, _, Z, _ = layers[l - 1]",
        "backward"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    grade, _ = engine()

    def one(name: str) -> tuple[str, dict[str, Any]]:
        variant, module, old, new, _ = BUGS[name]
        root = variant_copy(variant, tmp_path_factory.mktemp(name))
        path = root / "backprop" / f"{module}.py"
        text = path.read_text()
        assert text.count(old) == 1, f"{name}: the variant changed ({old!r} not found once)"
        path.write_text(text.replace(old, new))
        return name, plain(grade(root))

    with ThreadPoolExecutor(2) as pool:
        return dict(pool.map(one, BUGS))


@pytest.mark.parametrize("name", sorted(BUGS))
def test_a_cache_mistake_is_charged_where_it_is(name: str, graded: dict) -> None:
    holder = BUGS[name][-1]
    functions = graded[name]["functions"]
    lost = sorted(f for f, fn in functions.items() if not full(fn) and f not in (holder, "train"))
    assert not full(functions[holder]), f"{name}: {holder} kept full marks"
    assert not lost, f"{name} (a mistake of {holder}) also costs points on {lost}"


def test_forward_is_told_what_its_cache_held(graded: dict) -> None:
    checks = graded["tuple_cache_stores_output_as_input"]["functions"]["forward"]["checks"]
    failed = [c["message"] for c in checks if not c["passed"]]
    assert len(failed) == 1, failed
    assert "backward read wrong values from your forward's cache: A2 (it got A3)" in failed[0]
