"""Whose mistake is a wrong value backward read from the cache of the student's forward?

backward is judged on the cache its own forward made (the contract leaves the cache's format
to the student), so a forward that stores the wrong array (Z where A belongs, a layer's output
as its input), overwrites one later, or leaves the output layer out, makes a right backward
fail. With correct callees, the layer functions backward calls receive what it read: each
layer's A[l-1] and Z[l] (dense_backward, linear_backward, dense_forward, linear_forward; the
layer found by its W) and the output A[L] (mse_loss_backward). A wrong read is forward's when
the value is one of the cache's arrays and the right value is not where backward could find
it: nowhere in the cache, or not in the cache's own entry of that layer (a tuple or dict that
holds the layer's W); or when the value is none of this network's (left from another call);
or when the cache lacks the input X, which every backward needs for dW1. A value a callee
computed from such a read is set right with it. Any other wrong read (backward took the wrong
entry of a right cache, or computed it wrongly) is backward's.

When every wrong read is forward's, backward is called again with those reads set right and
nothing else changed, as often as each call shows more (a crash stops backward at its first);
if its gradients are then right, backward passes and forward's check of its cache fails
instead. A backward that stops on forward's cache without a wrong read (an entry that is not
there) is given the cache forward makes for the same network with an identity layer appended
(network_helpers), on which it must then be right.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.engine.core.calls import ArgumentFix
from autograder.engine.core.compare import CheckFailed, close

# name: (index of the layer's W, or None for the output layer; the reads: (index, what, layer
# offset)), for the contract's signatures called positionally.
READS: dict[str, tuple[int | None, tuple[tuple[int, str, int], ...]]] = {
    "dense_backward": (2, ((1, "A", -1), (3, "Z", 0))),
    "linear_backward": (2, ((1, "A", -1),)),
    "dense_forward": (1, ((0, "A", -1),)),
    "linear_forward": (1, ((0, "A", -1),)),
    "mse_loss_backward": (None, ((0, "A", 0),)),
}
# Bounds on the work a cache and a backward call can cost the grader here: the cache's items
# walked, its arrays compared, and backward's reads looked at.
MAX_LEAVES = 10_000
MAX_COMPARED = 200
MAX_READS = 100


@dataclass
class ForwardCache:
    """The cache the student's forward made for a check's network (kept in the worker as "fw").

    ``cache``: as it crossed (arrays in dicts, lists and tuples; other objects as stand-ins);
    ``values``: ("A", l) / ("Z", l) -> the values forward's layers answered (A0 is X);
    ``note``: for backward's feedback, how the cache was made ("" when forward's own cache for
    this very network); ``remake``: makes the cache of the network with an identity layer
    appended (None when that is the cache already)."""

    cache: Any
    values: dict[tuple[str, int], np.ndarray]
    params: dict
    layers: int
    note: str = ""
    remake: Callable[[], ForwardCache] | None = field(default=None, repr=False)


def array_leaves(value: Any) -> list[np.ndarray]:
    """The arrays in ``value`` (dicts, lists, tuples), at most MAX_LEAVES items walked."""
    leaves, todo, seen = [], [value], 0
    while todo and seen < MAX_LEAVES:
        item = todo.pop()
        seen += 1
        if isinstance(item, np.ndarray):
            leaves.append(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
    return leaves


def _close(got: Any, right: np.ndarray) -> bool:
    """``got`` is ``right`` within the checks' tolerance (compare.close)."""
    return isinstance(got, np.ndarray) and got.dtype.kind in "biuf" and close(got, right)


def layer_of(W: Any, params: dict) -> int | None:
    """The layer whose weights ``W`` are (1-based), or None."""
    for key, value in params.items():
        if key.startswith("W") and key[1:].isdigit() and _close(W, value):
            return int(key[1:])
    return None


def layer_values(log: list, X: np.ndarray, params: dict, activations: list) -> dict:
    """Each layer's A and Z as forward's layer functions answered them (the cache's truth)."""
    values: dict[tuple[str, int], np.ndarray] = {("A", 0): X}
    for name, args, _, verdict in log:
        if verdict[0] != "ok" or not isinstance(args, list) or len(args) < 2:
            continue
        l = layer_of(args[1], params)
        answer = verdict[1]
        if l is None:
            continue
        if name == "dense_forward" and isinstance(answer, tuple) and len(answer) == 2:
            values[("A", l)], values[("Z", l)] = answer
        elif name == "linear_forward" and isinstance(answer, np.ndarray):
            values[("Z", l)] = answer
    for name, args, _, verdict in log:  # activations called apart from the linear part
        if name in ("sigmoid", "relu") and verdict[0] == "ok" and isinstance(args, list) and args:
            for (kind, l), Z in list(values.items()):
                if kind == "Z" and ("A", l) not in values and _close(args[0], Z):
                    values[("A", l)] = verdict[1]
    for l, name in enumerate(activations, start=1):
        if name == "linear" and ("Z", l) in values:
            values.setdefault(("A", l), values[("Z", l)])
    return values


def _named(value: np.ndarray, values: dict) -> str:
    found = [f"{kind}{l}" for (kind, l), v in sorted(values.items()) if _close(value, v)]
    return found[0] if found else "other values"


def _children(item: Any) -> list:
    if isinstance(item, dict):
        return list(item.values())
    return list(item) if isinstance(item, (list, tuple)) else []


def layer_records(cache: Any, params: dict) -> dict[int, list[np.ndarray]]:
    """layer -> the arrays of the cache's record of that layer: a dict, list or tuple of the
    cache whose arrays (two levels down) hold that layer's W and no other layer's."""
    records: dict[int, list[np.ndarray]] = {}
    todo, budget = [cache], MAX_LEAVES
    while todo and budget > 0:
        children = _children(todo.pop())
        nested = [c for c in children if isinstance(c, (dict, list, tuple))]
        todo.extend(nested)
        below = [g for c in nested for g in _children(c)[:MAX_COMPARED]]
        budget -= 1 + len(children) + len(below)
        arrays = [a for a in children + below if isinstance(a, np.ndarray)][:MAX_COMPARED]
        layers = {layer_of(a, params) for a in arrays} - {None}
        if len(layers) == 1:
            records.setdefault(layers.pop(), arrays)
    return records


def forward_mistakes(log: list, fc: ForwardCache) -> tuple[list[ArgumentFix], list[str]] | None:
    """The reads of backward (its callee requests, ``log``) that were forward's mistakes: the
    fixes that set them right and what each was. None when a wrong read is backward's own.

    A wrong read is forward's when the cache holds it and not the right value where backward
    could find it: nowhere in the cache, or not in the cache's record of that layer; or when
    what it read is none of this network's values (left from another call); or when the cache
    lacks the network's input X, which any backward needs (for dW1), so the cache is wrong
    anyway. A wrong read that a callee answered from one already found wrong is set right with
    it."""
    leaves = array_leaves(fc.cache)[:MAX_COMPARED]
    records = layer_records(fc.cache, fc.params)
    X = fc.values[("A", 0)]
    no_input = not any(_close(leaf, X) or _close(leaf, X.T) for leaf in leaves)
    fixes: list[ArgumentFix] = []
    said: list[str] = []
    derived: list[np.ndarray] = []  # answers to requests that carried a wrong read
    for name, args, _, verdict in [entry for entry in log if entry[0] in READS][:MAX_READS]:
        if not isinstance(args, list):
            continue
        key_at, reads = READS[name]
        l, key = fc.layers, None
        if key_at is not None:
            l = layer_of(args[key_at], fc.params) if len(args) > key_at else None
            if l is None or l > fc.layers:
                continue
            key = args[key_at]
        carried = False
        for at, kind, offset in reads:
            right, got = fc.values.get((kind, l + offset)), args[at] if len(args) > at else None
            if right is None or _close(got, right):
                continue
            if any(_close(got, d) for d in derived):
                carried = True
                continue
            record = records.get(l, [])
            forwards = any(_close(got, leaf) for leaf in leaves) and (
                no_input
                or not any(_close(right, leaf) for leaf in leaves)
                or (any(_close(got, a) for a in record)
                    and not any(_close(right, a) for a in record))
                or not any(_close(got, v) for v in fc.values.values()))
            if not forwards:
                return None
            carried = True
            if not any(f.name == name and f.at == at and np.array_equal(f.wrong, got)
                       for f in fixes):
                fixes.append(ArgumentFix(name, at, got, right, key_at, key))
                said.append(f"{kind}{l + offset} (it got {_named(got, fc.values)})")
        if carried and verdict[0] == "ok":
            derived.extend(array_leaves(verdict[1]))
    return fixes, said


@dataclass
class Judged:
    """backward's value on forward's cache, what the cache got wrong ("" if nothing), and the
    fixes its reads needed."""

    value: Any
    fault: str = ""
    fixes: tuple = ()


def judged_on_forward_cache(t: Any, fc: ForwardCache,
                            judge: Callable[[tuple], Any]) -> Judged:
    """``judge(fixes)`` calls backward once on the cache "fw" and judges what it returns.
    Returns how backward was right: on forward's cache as it is, or once forward's mistakes
    are set right; otherwise raises the first failure."""
    try:
        return Judged(judge(()))
    except CheckFailed as exc:
        first = exc
    if t.last_callees is None:  # not called, or the student's own callees (charged on purpose)
        raise first
    judged, stopped = _reads_set_right(t, fc, judge)
    if judged is None and stopped and fc.remake is not None:
        # backward stopped at an entry the cache lacks: a layer left out of it?
        try:
            longer = fc.remake()
        except CheckFailed:
            raise first from None
        try:
            judged = Judged(judge(()))
        except CheckFailed:
            judged = _reads_set_right(t, longer, judge)[0] if t.last_callees else None
        if judged is not None:
            failed = str(first).splitlines()[0] if str(first) else "it failed"
            judged.fault = (f"your backward failed on your forward's cache ({failed}), but on "
                            "the cache your forward makes for the same network with an "
                            "identity layer appended it is right"
                            + (f", once {judged.fault}" if judged.fault else "")
                            + ": your forward's cache leaves out or misplaces what backward "
                            "reads.")
    if judged is None:
        raise first
    return judged


def _reads_set_right(t: Any, fc: ForwardCache,
                     judge: Callable[[tuple], Any]) -> tuple[Judged | None, bool]:
    """backward judged again with its reads that were forward's mistakes set right, as often as
    each call shows more (a crash stops it at its first): the Judged when it is then right, or
    None; and whether the last call stopped without a wrong read (an entry not there)."""
    crashed = t.last is not None and not t.last.ok and not t.last.timed_out
    found = forward_mistakes(t.last_callees.log, fc)
    fixes: list[ArgumentFix] = []
    said: list[str] = []
    for _ in range(3 * fc.layers + 1):  # each call shows at least one more wrong read
        if not found or not found[0]:
            break
        fixes += found[0]
        said += found[1]
        try:
            value = judge(tuple(fixes))
        except CheckFailed:
            crashed = t.last is not None and not t.last.ok and not t.last.timed_out
            found = forward_mistakes(t.last_callees.log, fc) if t.last_callees else None
            continue
        return Judged(value, "backward read wrong values from your forward's cache: "
                      + ", ".join(dict.fromkeys(said)) + "; the right ones are not where it "
                      "reads them. With them set right, your backward's gradients are right: "
                      "store each layer's A[l-1] and Z[l] in the cache as they are computed, "
                      "and do not change them afterwards.", tuple(fixes)), False
    return None, crashed and found == ([], [])
