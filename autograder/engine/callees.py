"""Correct callees, the trusted side: a call's requests to its callees, answered and bounded.

Under the rubric's ``callees: correct`` policy, while a check calls the student's ``f``, every
graded function below ``f`` (not ``f`` itself, nor anything that calls ``f``) answers with the
value computed in callee_answers.py for the arguments the student's code passed (stubs.py
asks over the worker protocol; only values cross). So each function is judged on its own code,
and one mistake low in the call graph is charged once, where it is. ``train`` is never given correct
callees: it is the end-to-end check, where a wrong chain costs points once.

Written from the definitions (closed forms, nothing from solutions/), on the trusted side
only: this file never ships in the handout nor enters the student's process. A submission's
requests are bounded in number and size, and their work runs against its grading deadline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.engine.callee_answers import (
    ANSWERS,
    OBSERVED_SHUFFLE,
    OWN,
    SIGNATURES,
    TRUSTED_INIT,
    Unanswerable,
    contract_signature,
    layer_answers,
)
from autograder.engine.core import protocol
from autograder.engine.core.calls import AnsweringCallees
from autograder.engine.core.contract import (  # noqa: F401
    ANSWERED,
    CALLS,
    FUNCTIONS,
    MODULE_OF,
    callees_of,
)

# Per call of a student function: requests to the grader's callees, and numbers sent in all.
MAX_REQUESTS = 2000
MAX_NUMBERS = 2_000_000
# Numbers the answers sent ahead with one call may hold (they travel in its request).
MAX_PREANSWERED_NUMBERS = 1_000_000


def count_numbers(value: Any, limit: int) -> int:
    """How many numbers ``value`` holds (stops counting past ``limit``)."""
    total, todo = 0, [value]
    while todo and total <= limit:
        item = todo.pop()
        if isinstance(item, np.ndarray):
            total += int(item.size)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            total += 1
            todo.extend(item)
        else:
            total += 1
    return total


class Callees(AnsweringCallees):
    """One call's correct callees: answers each request, counts them, notes which were used.

    ``answer`` gives ``("ok", value)``, ``("own", None)`` or ``("error", kind, message)``.
    ``flood`` is set, and every later request refused, once the call asked too much.
    """

    def __init__(self, names: tuple[str, ...], caller: str,
                 answers: dict[str, Callable[..., Any]] | None = None) -> None:
        super().__init__(names, caller)
        self.answers = answers or ANSWERS
        self.requests = 0
        self.numbers = 0
        self.preanswered: dict[str, int] = {}  # name: the numbers its saved request would send

    def answer(self, name: str, args: Any, kwargs: Any) -> tuple:
        args = self.fixed(name, args)
        if refused := self._count(name, count_numbers([args, kwargs], MAX_NUMBERS)):
            return self.logged(name, args, kwargs, refused)
        return self.logged(name, args, kwargs, self._verdict(name, args, kwargs))

    def _count(self, name: str, numbers: int) -> tuple | None:
        """Count one request of ``name`` sending ``numbers`` numbers; the refusal, or None."""
        self.requests += 1
        if self.flood:
            return ("error", "RuntimeError", self.flood)
        if refused := self.refused(name):
            return refused
        self.numbers += numbers
        if self.requests > MAX_REQUESTS or self.numbers > MAX_NUMBERS:
            self.flood = (f"{self.caller} called the functions it relies on more than "
                          f"{MAX_REQUESTS:,} times or with more than {MAX_NUMBERS:,} numbers in "
                          "one call; the grader answers a bounded number of such calls (check "
                          "for a loop that calls them far too often, or huge arrays).")
            return ("error", "RuntimeError", self.flood)
        if name not in self.used:
            self.used.append(name)
        return None

    def _verdict(self, name: str, args: Any, kwargs: Any) -> tuple:
        args = args if isinstance(args, (list, tuple)) else ()
        kwargs = kwargs if isinstance(kwargs, dict) else {}
        if kwargs or len(args) != len(SIGNATURES[name].parameters):  # else: as bound already
            try:
                bound = SIGNATURES[name].bind(*args, **kwargs)
            except TypeError as exc:
                return ("error", "TypeError", f"{name}(): {exc}")
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        try:
            value = self.answers[name](*args, **kwargs)
        except Unanswerable as exc:
            return ("error", exc.kind, f"{name}: {exc}")
        except (ArithmeticError, ValueError, TypeError) as exc:
            return ("error", "ValueError", f"{name} could not use its arguments: {exc}")
        if value is OWN:
            return ("own", None)
        return ("ok", value)

    def preanswer(self, args: tuple | list, kwargs: dict) -> list[dict]:
        """Answers sent ahead with the call, for the callees it usually calls with its own
        inputs (``sigmoid(Z)`` inside ``sigmoid_derivative(Z)``): ``{"name", "params",
        "from", "value"}``, ``from`` giving each parameter's input (an index of ``args`` or a
        key of ``kwargs``). The worker uses one only when the student's code passes those very
        inputs, unchanged, and tells the grader each time (``used_preanswer``), which counts
        it as the request it saves; otherwise it asks. Values only, that the student's code
        could ask for with its own inputs; computed on the inputs as the worker receives them."""
        try:
            caller = _caller_params(self.caller)
        except KeyError:
            return []
        where: dict[str, int | str] = {p: i for i, p in enumerate(caller[:len(args)])}
        where.update({k: k for k in kwargs if k in caller})
        entries, total = [], 0
        for name in CALLS.get(self.caller, ()):
            params = list(SIGNATURES[name].parameters) if name in self.names else []
            if not params or any(p not in where for p in params):
                continue
            sources = [where[p] for p in params]
            inputs = _crossed([args[s] if isinstance(s, int) else kwargs[s] for s in sources])
            if inputs is None:
                continue
            verdict = self._verdict(name, inputs, {})
            numbers = count_numbers(verdict[1], MAX_PREANSWERED_NUMBERS)
            if verdict[0] != "ok" or total + numbers > MAX_PREANSWERED_NUMBERS:
                continue
            total += numbers
            self.preanswered[name] = count_numbers([inputs, {}], MAX_NUMBERS)
            entries.append({"name": name, "params": params, "from": sources,
                            "value": verdict[1]})
        return entries

    def used_preanswer(self, name: str) -> None:
        """The worker answered a call of ``name`` with its answer sent ahead: counted as the
        request it saved (a name sent nothing ahead counts as a refused request)."""
        self._count(name if name in self.preanswered else "", self.preanswered.get(name, 0))


@functools.lru_cache(maxsize=64)
def _caller_params(function: str) -> tuple[str, ...]:
    return tuple(contract_signature(function).parameters)


def _crossed(inputs: list) -> list | None:
    """``inputs`` as the worker decodes them (None if one is a value stored in the worker)."""
    try:
        crossed = protocol.decode(protocol.encode({}, inputs)[4:])[1]
    except protocol.ProtocolError:
        return None
    todo = list(crossed)
    while todo:
        item = todo.pop()
        if isinstance(item, protocol.Ref):
            return None
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
    return crossed


def correct_callees(policy: str) -> Callable[..., Callees | None]:
    """The checks' ``callees_for`` under ``policy``: each call's correct callees, or None (the
    student's own, as under ``callees: own``). Whatever the policy, ``mode="trusted_init"``
    answers train's init_params call with the grader's parameters (``"observed_shuffle"`` also
    notes the arguments of its random_mini_batches calls, run as the student's own)."""

    def callees_for(function: str, mode: str | None = None, args: tuple = (),
                    kwargs: dict | None = None) -> Callees | None:
        if mode in ("trusted_init", "observed_shuffle"):
            answers = TRUSTED_INIT if mode == "trusted_init" else OBSERVED_SHUFFLE
            return Callees(tuple(answers), function, answers)
        names = callees_of(function, policy)
        if not names:
            return None
        return Callees(names, function, layer_answers(*args) if mode == "cache" else None)

    return callees_for
