"""A wrong cache is forward's mistake, a wrong read of a right cache is backward's.

backward is judged on the cache of the student's own forward. The catalogue's cache mutants
(forward_cache_*) are written in the reference's format (a dict of lists); here the same kinds
of mistakes are made in the formats learners use, each exercising one way the grader tells
whose mistake a wrong read is (autograder/engine/core/checks/cache_reads.py):

- per-layer tuples holding W (tuple_cache) and per-layer dicts without W (chatty) where forward
  stores each layer's output as its input: every value is in the cache, each in the wrong
  layer's entry;
- activations only (recompute_z, whose backward recomputes Z) where forward stores Z instead,
  or leaves X out: backward's recomputed Z is then wrong too, derived from the wrong read;
- flat keys (loops) where forward stores A[l] under "A{l-1}": backward first stops at a key
  that is not there;
- float16 copies of Z (float32), the output layer linear, where A[L] is Z[L] too;
- a module-level cache never reset (import_styles), where backward reads an earlier call's
  arrays;
- and backward's own wrong reads of a right cache in three of these formats.

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
    "chatty_stores_output_as_input": (
        "chatty", "network", 'caches.append({"A_prev": A_prev, "Z": Z, "A": A})',
        'caches.append({"A_prev": A, "Z": Z, "A": A})', "forward"),
    "recompute_z_leaves_out_X": (
        "recompute_z", "network", "    return As[-1], As\n", "    return As[-1], As[1:]\n",
        "forward"),
    "loops_stores_output_under_input_key": (
        "loops", "network", '        cache["A" + str(l)] = A\n',
        '        cache["A" + str(l - 1)] = A\n', "forward"),
    "float32_stores_Z_in_float16": (
        "float32", "network", '        cache["Z"].append(Z)',
        '        cache["Z"].append(Z.astype(np.float16))', "forward"),
    "import_styles_cache_never_reset": (
        "import_styles", "network", '    cache = {"A": [X], "Z": []}\n',
        '    cache = _CACHE\n    cache["A"].append(X)\n', "forward"),
    "loops_backward_reads_output_as_input": (
        "loops", "network", 'dA, cache["A" + str(l - 1)], params',
        'dA, cache["A" + str(l)], params', "backward"),
}
# Text appended to a module, for the bugs that need a name of their own there.
APPENDED = {"import_styles_cache_never_reset": '\n_CACHE = {"A": [], "Z": []}\n'}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    grade, _ = engine()
    roots = {}
    for name, (variant, module, old, new, _) in BUGS.items():  # made here: mktemp is not
        root = variant_copy(variant, tmp_path_factory.mktemp(name))  # safe across threads
        path = root / "backprop" / f"{module}.py"
        text = path.read_text()
        assert text.count(old) == 1, f"{name}: the variant changed ({old!r} not found once)"
        path.write_text(text.replace(old, new) + APPENDED.get(name, ""))
        roots[name] = root

    def one(name: str) -> tuple[str, dict[str, Any]]:
        return name, plain(grade(roots[name]))

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
