"""Correct callees in the handout: answers recorded when it was built, never an implementation.

The grader computes its callees' answers on the trusted side (never shipped). The handout's
check.py instead replays the answers the grader gave while the public checks ran on the reference
(``record`` below, run by build_handout.py): a call whose arguments match a recorded one
(same shapes, values within the checks' tolerance) gets that recorded answer; any other call
runs the student's own function. Only values ship: ``recorded_callees.b64``, the worker
protocol's format (no pickle) in base64, next to this file.

Standard library, numpy and the engine's shipped files only.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autograder.engine.core import protocol
from autograder.engine.core.compare import close
from autograder.engine.core.contract import MODULE_OF, callees_of

DATA = Path(__file__).resolve().with_name("recorded_callees.b64")
POLICY_KEY = "policy"


def _same(got: Any, recorded: Any) -> bool:
    if isinstance(recorded, np.ndarray):
        return (isinstance(got, np.ndarray) and got.dtype.kind in "biuf"
                and got.shape == recorded.shape and close(got.astype(float), recorded))
    if isinstance(recorded, dict):
        return (isinstance(got, dict) and set(got) == set(recorded)
                and all(_same(got[k], v) for k, v in recorded.items()))
    if isinstance(recorded, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(recorded)
                and all(_same(a, b) for a, b in zip(got, recorded)))
    if isinstance(recorded, float) and isinstance(got, (int, float)):
        return abs(got - recorded) <= 2e-4 * abs(recorded) + 1e-12
    return type(got) is type(recorded) and got == recorded


def _load() -> tuple[str, list]:
    if not DATA.is_file():
        return "own", []
    _, value = protocol.decode(base64.b64decode(DATA.read_bytes()))
    return value[POLICY_KEY], value["answers"]


POLICY, ANSWERS = _load()


class RecordedCallees:
    """Like callees.Callees, answering from the recording (``("own", None)`` when none fits)."""

    def __init__(self, names: tuple[str, ...], caller: str, mode: str | None) -> None:
        self.names, self.caller, self.mode = names, caller, mode or ""
        self.used: list[str] = []
        self.flood = ""

    @property
    def targets(self) -> list[tuple[str, str]]:
        return [(MODULE_OF[n], n) for n in self.names]

    def answer(self, name: str, args: Any, kwargs: Any) -> tuple:
        if name not in self.names:
            return ("error", "RuntimeError", f"{name} is not answered by the grader here")
        for entry in ANSWERS:
            if (entry["name"] == name and entry["mode"] == self.mode
                    and _same(list(args or []), entry["args"])
                    and _same(dict(kwargs or {}), entry["kwargs"])):
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
    payload = protocol.encode({}, {POLICY_KEY: policy, "answers": unique})[4:]
    return base64.encodebytes(payload)


if __name__ == "__main__":  # python -m autograder.engine.core.recorded PACKAGE_ROOT OUT
    from autograder.engine.rubric import load_rubric

    Path(sys.argv[2]).write_bytes(record(Path(sys.argv[1]), load_rubric().callees))
