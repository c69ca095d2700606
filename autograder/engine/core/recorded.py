"""The handout's values: recorded when it was built, never an implementation.

Correct callees.
The grader computes its callees' answers on the trusted side (never shipped). The handout's
check.py instead replays the answers the grader gave while the public checks ran on the reference
(``record`` below, run when the handout is built): a call whose arguments are a recorded call's
(same shapes and values) gets that recorded answer; any other call
runs the student's own function.

Expected values. The functions that compute the public checks' expected values (``VALUES``)
ship without their code: the handout's build replaces each body by ``replay``, which returns the
value recorded for the same inputs while the public checks ran on the reference.

Only values ship: ``recorded_callees.b64``, the worker protocol's format (no pickle) in base64,
next to this file.

Standard library, numpy and the engine's shipped files only.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autograder.engine.core import protocol
from autograder.engine.core.calls import AnsweringCallees
from autograder.engine.core.contract import callees_of

DATA = Path(__file__).resolve().with_name("recorded_callees.b64")
POLICY_KEY = "policy"


def _same(got: Any, recorded: Any) -> bool:
    """The same arguments: arrays equal value for value (not merely close, so that a student's
    finite differences of a callee get its own answers, not the recorded one twice)."""
    if isinstance(recorded, np.ndarray):
        return (isinstance(got, np.ndarray) and got.dtype.kind in "biuf"
                and got.shape == recorded.shape and bool(np.array_equal(got, recorded)))
    if isinstance(recorded, dict):
        return (isinstance(got, dict) and set(got) == set(recorded)
                and all(_same(got[k], v) for k, v in recorded.items()))
    if isinstance(recorded, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(recorded)
                and all(_same(a, b) for a, b in zip(got, recorded)))
    if isinstance(recorded, float) and isinstance(got, (int, float)):
        return float(got) == recorded
    return type(got) is type(recorded) and got == recorded


# The functions that compute the public checks' expected values (an oracle's closed forms,
# the checks' own value helpers): in the handout their bodies are replaced by ``replay``, so
# none of them ships as code; their values for the public checks' fixed inputs do.
VALUES: dict[str, tuple[str, ...]] = {
    "oracle": ("sigmoid", "relu", "activation", "linear", "cost", "network_output",
               "network_cost", "network_gradients", "elementwise_derivative", "rmsprop_step",
               "adam_step", "initial_params"),
    "checks.layers": ("linear_grads", "dense_grads"),
    "checks.rmsprop": ("_rmsprop", "_rmsprop_mistakes"),
    "checks.adam": ("_adam", "_adam_mistakes"),
    "checks.train": ("_trajectory",),
}


class NotRecorded(Exception):
    """A public check asked the handout for a value it does not hold."""


def _key(name: str, args: Any, kwargs: Any) -> str:
    """A digest of a call: arrays by dtype, shape and bytes; functions by their name."""
    digest = hashlib.sha256(name.encode())

    def walk(value: Any) -> None:
        if isinstance(value, np.ndarray):
            digest.update(f"nd{value.dtype.str}{value.shape}".encode())
            digest.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, dict):
            digest.update(b"{")
            for k in sorted(value, key=repr):
                digest.update(repr(k).encode())
                walk(value[k])
            digest.update(b"}")
        elif isinstance(value, (list, tuple)):
            digest.update(b"[" if isinstance(value, list) else b"(")
            for item in value:
                walk(item)
            digest.update(b"]")
        elif callable(value):
            digest.update(f"fn:{getattr(value, '__name__', '?')}".encode())
        else:
            digest.update(f"{type(value).__name__}:{value!r}".encode())

    walk([args, kwargs])
    return digest.hexdigest()


def _load() -> tuple[str, list, dict]:
    if not DATA.is_file():
        return "own", [], {}
    _, value = protocol.decode(base64.b64decode(DATA.read_bytes()))
    return value[POLICY_KEY], value["answers"], value["values"]


POLICY, ANSWERS, RECORDED_VALUES = _load()


def replay(name: str, args: tuple, kwargs: dict) -> Any:
    """The value the handout recorded for this call of ``name`` (handout only)."""
    key = _key(name, args, kwargs)
    if key not in RECORDED_VALUES:
        raise NotRecorded(f"the handout holds no recorded value of {name} for these inputs "
                          "(its public checks only need the ones it holds)")
    return RECORDED_VALUES[key]


LAYERS = ("dense_forward", "linear_forward")


class RecordedCallees(AnsweringCallees):
    """Like callees.Callees, answering from the recording (``("own", None)`` when none fits)."""

    def __init__(self, names: tuple[str, ...], caller: str, mode: str | None) -> None:
        super().__init__(names, caller)
        self.mode = mode or ""

    def answer(self, name: str, args: Any, kwargs: Any) -> tuple:
        args, kwargs = self.fixed(name, list(args or [])), dict(kwargs or {})
        return self.logged(name, args, kwargs, self._answer(name, args, kwargs))

    def _answer(self, name: str, args: list, kwargs: dict) -> tuple:
        self.requests += 1
        if refused := self.refused(name):
            return refused
        for entry in ANSWERS:
            if entry["name"] != name or entry["mode"] != self.mode:
                continue
            if self.mode == "cache" and name in LAYERS:
                # making backward's cache, a layer answers by its weights alone (as the grader's)
                fits = len(args) > 1 and len(entry["args"]) > 1 and _same(args[1], entry["args"][1])
            else:
                fits = _same(args, entry["args"]) and _same(kwargs, entry["kwargs"])
            if fits:
                if name not in self.used:
                    self.used.append(name)
                verdict = entry["verdict"]
                return tuple(verdict) if verdict[0] != "ok" else ("ok", verdict[1])
        return ("own", None)


def correct_callees(policy: str) -> Callable[..., RecordedCallees | None]:
    """check.py's ``callees_for`` in the handout, as callees.correct_callees in the grader."""

    def callees_for(function: str, mode: str | None = None, args: tuple = (),
                    kwargs: dict | None = None) -> RecordedCallees | None:
        if mode == "trusted_init":
            return RecordedCallees(("init_params",), function, mode)
        names = callees_of(function, policy)
        return RecordedCallees(names, function, mode) if names else None

    return callees_for


def record(package_root: Path, policy: str) -> bytes:
    """Run every public check on the package at ``package_root`` (the reference) in this
    process with the grader's own callees, and return every answer they gave, encoded."""
    # One recording session (build time, not grading): its closures share ``answers``,
    # ``values`` and ``depth``; split up, they would need a class that no reader gains from.
    from autograder.engine.callees import Callees
    from autograder.engine.callees import correct_callees as live
    from autograder.engine.core import checks  # noqa: F401 - registers the checks
    from autograder.engine.core.calls import InProcessCaller
    from autograder.engine.core.contract import GRADED, IMPORT_ORDER
    from autograder.engine.core.framework import run_function_checks

    answers: list[dict] = []
    factory = live(policy)

    def recording(function: str, mode: str | None = None, args: tuple = (),
                  kwargs: dict | None = None) -> Callees | None:
        callees = factory(function, mode, args, kwargs)
        if callees is None:
            return None
        given = callees.answer

        def answer(name: str, call_args: Any, call_kwargs: Any) -> tuple:
            verdict = given(name, call_args, call_kwargs)
            answers.append({"name": name, "mode": mode or "", "args": list(call_args or []),
                            "kwargs": dict(call_kwargs or {}), "verdict": list(verdict)})
            return verdict

        callees.answer = answer  # type: ignore[method-assign]
        return callees

    values: dict[str, Any] = {}
    depth = [0]

    def recorder(name: str, fn: Callable) -> Callable:
        @functools.wraps(fn)  # its name keys the calls it is passed to (elementwise_derivative)
        def record_call(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            try:
                value = fn(*args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0:  # the outermost: what the check itself asked for
                values[_key(name, args, kwargs)] = value
            return value

        return record_call

    for module_name, names in VALUES.items():
        module = importlib.import_module(f"autograder.engine.core.{module_name}")
        for name in names:
            setattr(module, name, recorder(f"{module_name}.{name}", getattr(module, name)))
    caller = InProcessCaller(package_root, IMPORT_ORDER)
    for function in GRADED:
        run_function_checks(caller, function, {"default": 30.0}, set(), public_only=True,
                            callees_for=recording)
    unique: list[dict] = []
    for entry in answers:
        if not any(_same(entry["args"], u["args"]) and entry["name"] == u["name"]
                   and entry["mode"] == u["mode"] and _same(entry["kwargs"], u["kwargs"])
                   for u in unique):
            unique.append(entry)
    payload = protocol.encode({}, {POLICY_KEY: policy, "answers": unique,
                                   "values": values})[4:]
    return base64.encodebytes(payload)


if __name__ == "__main__":  # python -m autograder.engine.core.recorded PACKAGE_ROOT OUT
    from autograder.engine.rubric import load_rubric

    Path(sys.argv[2]).write_bytes(record(Path(sys.argv[1]), load_rubric().callees))
