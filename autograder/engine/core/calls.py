"""Calling student code: what one call gave (CallResult), and the in-process caller.

The checks call student functions through ``Tester.call``, which asks a *caller* for
``call(module, function, *args, kwargs=, store=, return_args=, timeout=) -> CallResult`` and
keeps per-submission values in ``caller.memo``. The grader's caller is the sandboxed
``sandbox.Worker``; :class:`InProcessCaller` runs the same calls in this process for check.py,
so both run the identical check functions. Values cross through ``protocol`` either way (the
same arrays, tuples, dicts and stand-ins for other objects), so the checks see the same values.
Standard library, numpy and protocol.py only: check.py ships this file to students.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder.engine.core import protocol, stubs
from autograder.engine.core.contract import MODULE_OF

# A call that timed out after this many requests to its correct callees is told so.
FLOOD_HINT_REQUESTS = 100


@dataclass
class CallResult:
    """What one call of a student function gave: a value, an exception, or a dead worker."""

    ok: bool
    value: Any = None
    args_after: Any = None
    warnings: list[str] = field(default_factory=list)
    error_type: str = ""
    error_message: str = ""
    traceback: str = ""
    timed_out: bool = False
    crashed: bool = False
    malformed: bool = False  # with crashed: the worker's reply broke the protocol
    seconds: float = 0.0
    silenced: bool = False  # the call switched floating-point warnings off (stubs.SilencingWatch)
    callee_requests: int = 0  # how often it asked the grader's correct callees

    def describe_error(self) -> str:
        if self.timed_out and self.callee_requests >= FLOOD_HINT_REQUESTS:
            # On a loaded machine a flood can run out of time before it reaches the cap.
            return (f"timed out after calling the functions it relies on "
                    f"{self.callee_requests:,} times in one call (check for a loop that calls "
                    "them far too often)")
        if self.timed_out:
            return "timed out (an infinite loop, or far too slow?)"
        if self.crashed:
            return "the process running your code died (os._exit, a crash, or the memory limit)"
        text = f"{self.error_type}: {self.error_message}".strip()
        if self.error_type == "NotImplementedError":
            return "not implemented yet (it raises NotImplementedError)"
        if self.traceback:
            text += "\n" + self.traceback.rstrip()
        return text


def module_missing(module: str) -> str:
    """Why the functions of a missing module fail (the same words wherever checks run)."""
    return f"backprop/{module}.py is missing from the submission"


def module_unimportable(module: str, result: CallResult) -> str:
    """Why the functions of a module that failed to import fail."""
    return (f"backprop/{module}.py could not be imported: "
            f"{result.describe_error()}").splitlines()[0][:400]


def _crossed(value: Any) -> Any:
    """``value`` as the grader receives it from the worker (encoded, then decoded)."""
    return protocol.decode(protocol.encode({}, value, opaque_ok=True)[4:])[1]


def _student_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "/backprop/" in f.filename.replace("\\", "/")]
    for frame in frames:
        frame.filename = "backprop/" + frame.filename.replace("\\", "/").rsplit("/backprop/", 1)[1]
    return "".join(traceback.format_list(frames[-6:])
                   + traceback.format_exception_only(type(exc), exc))[-1500:]


def _failure(exc: BaseException) -> CallResult:
    return CallResult(ok=False, error_type=type(exc).__name__, error_message=str(exc)[:1000],
                      traceback=_student_traceback(exc))


# Errors a grader's callee may raise in the student's code, as a correct function would.
CALLEE_ERRORS = {"ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError,
                 "IndexError": IndexError}


# Requests of one call kept in its log (the correct callees bound them anyway).
MAX_LOGGED = 2000


@dataclass(frozen=True)
class ArgumentFix:
    """One argument a call passes its callees, set right: in a request of ``name`` whose
    argument ``key_at`` is ``key`` (a layer's W; ``key_at`` None: any request of ``name``),
    argument ``at`` is replaced by ``right`` when it is ``wrong``, value for value."""

    name: str
    at: int
    wrong: np.ndarray
    right: np.ndarray
    key_at: int | None = None
    key: np.ndarray | None = None

    def apply(self, name: str, args: list) -> list:
        if name != self.name or len(args) <= self.at or not _equal(args[self.at], self.wrong):
            return args
        if self.key_at is not None and (len(args) <= self.key_at
                                        or not _equal(args[self.key_at], self.key)):
            return args
        return [*args[:self.at], self.right, *args[self.at + 1:]]


def _equal(a: Any, b: Any) -> bool:
    return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and bool(np.array_equal(a, b)))


class AnsweringCallees:
    """What a call asks of its correct callees (callees.Callees in the grader,
    recorded.RecordedCallees in the handout): the ``targets`` to swap in and ``answer``; after
    the call, which were ``used``, whether it asked too much (``flood``) and what it asked
    (``log``: name, arguments, keyword arguments, answer). ``fixes`` set arguments right before
    they are answered (backward's reads of a cache its forward got wrong)."""

    def __init__(self, names: tuple[str, ...], caller: str) -> None:
        self.names = tuple(names)
        self.caller = caller
        self.used: list[str] = []
        self.flood = ""
        self.requests = 0
        self.log: list[tuple[str, Any, Any, tuple]] = []
        self.fixes: tuple[ArgumentFix, ...] = ()

    def fixed(self, name: str, args: Any) -> Any:
        """``args`` with this call's fixes applied."""
        if isinstance(args, list):
            for fix in self.fixes:
                args = fix.apply(name, args)
        return args

    def logged(self, name: str, args: Any, kwargs: Any, verdict: tuple) -> tuple:
        """``verdict``, the answer to ``name(*args, **kwargs)``, noted in the log."""
        if len(self.log) < MAX_LOGGED:
            self.log.append((name, args, kwargs, verdict))
        return verdict

    @property
    def targets(self) -> list[tuple[str, str]]:
        return [(MODULE_OF[n], n) for n in self.names]

    def refused(self, name: str) -> tuple | None:
        """The answer for a function not answered here, or None."""
        if name in self.names:
            return None
        return ("error", "RuntimeError", f"{name} is not answered by the grader here")


def _asker(callees: Any) -> Any:
    """ask(name, args, kwargs) for stubs.swap_in, in this process: the values cross as they
    would between the worker and the grader."""

    def ask(name: str, args: tuple, kwargs: dict) -> Any:
        verdict = callees.answer(name, _crossed(list(args)), _crossed(dict(kwargs)))
        if verdict[0] == "ok":
            return _crossed(verdict[1])
        if verdict[0] == "own":
            return stubs.OWN
        raise CALLEE_ERRORS.get(verdict[1], stubs.CalleeFailed)(verdict[2])

    return ask


class _Unavailable(types.ModuleType):
    """Stands in for a module that failed to import: every name raises ImportError."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name)
        self._reason = reason

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)

        def unavailable(*args: Any, **kwargs: Any) -> Any:
            raise ImportError(self._reason)

        setattr(self, attr, unavailable)  # one object per name: a correct callee can replace it
        return unavailable


class InProcessCaller:
    """Runs student calls in this process, each in a thread with a timeout (no fork, no signal:
    it works on every OS). A call that times out keeps running in its daemon thread; the
    checks never call that function again."""

    def __init__(self, package_root: Path, import_order: tuple[str, ...],
                 import_timeout: float = 10.0) -> None:
        self.broken: dict[str, str] = {}
        self.memo: dict[str, Any] = {}
        self._store: dict[str, Any] = {}
        sys.path.insert(0, str(package_root))
        for name in [n for n in sys.modules if n == "backprop" or n.startswith("backprop.")]:
            del sys.modules[name]
        for module in import_order:
            if not (package_root / "backprop" / f"{module}.py").is_file():
                self._mark_broken(module, module_missing(module))
                continue
            result = self._run(lambda m=module: importlib.import_module(f"backprop.{m}"),
                               import_timeout)
            if not result.ok:
                self._mark_broken(module, module_unimportable(module, result))

    def _mark_broken(self, module: str, reason: str) -> None:
        self.broken[module] = reason
        sys.modules[f"backprop.{module}"] = _Unavailable(f"backprop.{module}", reason)

    def _run(self, target: Any, timeout: float) -> CallResult:
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                with warnings.catch_warnings(record=True) as caught, np.errstate(
                        divide="warn", over="warn", invalid="warn", under="ignore"):
                    warnings.simplefilter("always")
                    watch = stubs.SilencingWatch(np)
                    watch.start()
                    start = time.perf_counter()
                    try:
                        box["value"] = target()
                    finally:
                        box["silenced"] = watch.stop()
                    box["seconds"] = time.perf_counter() - start
                box["warnings"] = [f"{w.category.__name__}: {w.message}"[:200] for w in caught[:5]]
            except BaseException as exc:  # noqa: BLE001 - any failure of student code
                box["error"] = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            return CallResult(ok=False, timed_out=True)
        if "error" in box:
            return _failure(box["error"])
        return CallResult(ok=True, value=box.get("value"), warnings=box.get("warnings", []),
                          seconds=box.get("seconds", 0.0), silenced=box.get("silenced", False))

    def _resolve(self, node: Any) -> Any:
        if isinstance(node, protocol.Ref):
            obj = self._store[node.path[0]]
            for key in node.path[1:]:
                obj = obj[key]
            return obj
        if isinstance(node, (list, tuple)):
            return type(node)(self._resolve(v) for v in node)
        if isinstance(node, dict):
            return {k: self._resolve(v) for k, v in node.items()}
        return node

    def call(self, module: str, function: str, *args: Any, kwargs: dict | None = None,
             store: str | None = None, return_args: bool = False,
             timeout: float = 10.0, callees: Any = None) -> CallResult:
        """Call backprop.<module>.<function> on copies of the arguments, as the worker does
        (with ``callees``, the functions it names answer with the grader's values)."""
        try:
            target = getattr(sys.modules.get(f"backprop.{module}")
                             or importlib.import_module(f"backprop.{module}"), function)
            call_args = self._resolve(_crossed(list(args)))
            call_kwargs = self._resolve(_crossed(kwargs or {}))
        except BaseException as exc:  # noqa: BLE001 - reported like the worker does
            return _failure(exc)

        def run() -> Any:
            undo = stubs.swap_in(callees.targets, _asker(callees)) if callees is not None else []
            try:
                return target(*call_args, **call_kwargs) if callable(target) else target
            finally:
                stubs.restore(undo)

        result = self._run(run, timeout)
        if not result.ok:
            return result
        if store:
            self._store[store] = result.value
        try:
            result.value = _crossed(result.value)
            result.args_after = _crossed(call_args) if return_args else None
        except protocol.ProtocolError as exc:
            return CallResult(ok=False, error_type="UngradableValue", error_message=str(exc)[:300])
        return result
