"""Correct callees, inside the student's process: stand-ins that ask the grader for values.

While a check calls the student's ``f``, every graded function ``f`` may call answers with the
grader's value for the arguments it was given: ``swap_in(names, ask)`` replaces the *code* of
each such function object by a few lines that call ``ask(name, args, kwargs)``, so every way a
learner binds it (``from .layers import f``, ``import backprop.layers as L``, a call inside the
same module, the function stored in a dict or a default argument) reaches the stand-in. No
implementation crosses: ``ask`` sends the arguments to the grader and returns its answer
(values only). When the grader has no answer (``ask`` returns ``OWN``), the student's own
function runs. ``restore`` puts everything back after the call.

Standard library only: copied into the worker's sandbox and shipped with check.py.
"""

from __future__ import annotations

import builtins
import functools
import sys
import types
from collections.abc import Callable
from typing import Any

BRIDGE = "__backprop_callee__"
OWN = object()  # ask's answer when the student's own function must run


class CalleeFailed(Exception):
    """Raised in the student's code when the grader's answer is an error for those arguments."""


@functools.lru_cache(maxsize=64)  # compiled once per name: a swap happens on every call
def _stub_code(name: str) -> types.CodeType:
    namespace: dict[str, Any] = {}
    exec(compile(f"def {name}(*args, **kwargs):\n    return {BRIDGE}({name!r}, args, kwargs)\n",
                 "<grader callee>", "exec"), namespace)
    return namespace[name].__code__


def swap_in(targets: list[tuple[str, str]], ask: Callable[[str, tuple, dict], Any]) -> list:
    """Make each ``(module, name)`` of the package answer through ``ask``; returns what
    ``restore`` needs. Names that are not plain functions are rebound in every module of the
    package (and in its module-level dicts) instead."""
    undo: list = []
    own: dict[str, Callable] = {}
    for module_name, name in targets:
        module = sys.modules.get(f"backprop.{module_name}")
        try:
            target = getattr(module, name, None) if module is not None else None
        except Exception:  # noqa: BLE001 - a module's own __getattr__ may raise anything
            target = None
        if target is None or not callable(target):
            continue
        if type(target) is types.FunctionType and not target.__closure__:
            own[name] = types.FunctionType(target.__code__, target.__globals__, name,
                                           target.__defaults__, target.__closure__)
            own[name].__kwdefaults__ = target.__kwdefaults__
            undo.append(("code", target, target.__code__, target.__defaults__,
                         target.__kwdefaults__))
            target.__code__ = _stub_code(name)
            target.__defaults__ = target.__kwdefaults__ = None
        else:
            own[name] = target

            def stand_in(*args: Any, _name: str = name, **kwargs: Any) -> Any:
                return getattr(builtins, BRIDGE)(_name, args, kwargs)

            undo += _rebind(target, stand_in)

    def bridge(name: str, args: tuple, kwargs: dict) -> Any:
        answer = ask(name, args, kwargs)
        if answer is OWN:
            return own[name](*args, **kwargs)
        return answer

    undo.append(("bridge", getattr(builtins, BRIDGE, None)))
    setattr(builtins, BRIDGE, bridge)
    return undo


def _rebind(target: Any, stand_in: Callable) -> list:
    undo = []
    for key, module in list(sys.modules.items()):
        if key != "backprop" and not key.startswith("backprop."):
            continue
        space = getattr(module, "__dict__", None)
        if not isinstance(space, dict):
            continue
        for attr, value in list(space.items())[:10_000]:
            if value is target:
                undo.append(("item", space, attr, value))
                space[attr] = stand_in
            elif type(value) is dict:
                for k, v in list(value.items())[:1000]:
                    if v is target:
                        undo.append(("item", value, k, v))
                        value[k] = stand_in
    return undo


def restore(undo: list) -> None:
    """Undo ``swap_in`` (in reverse order)."""
    for entry in reversed(undo):
        if entry[0] == "code":
            _, target, code, defaults, kwdefaults = entry
            target.__code__ = code
            target.__defaults__, target.__kwdefaults__ = defaults, kwdefaults
        elif entry[0] == "item":
            _, space, key, value = entry
            space[key] = value
        elif entry[1] is None:
            if hasattr(builtins, BRIDGE):
                delattr(builtins, BRIDGE)
        else:
            setattr(builtins, BRIDGE, entry[1])


class SilencingWatch:
    """Notices a call that switches floating-point warnings off (np.errstate, np.seterr,
    warnings filters), so that a check judging "no overflow warning" by the warnings the
    student's process recorded cannot be passed by silencing them: the grader sees the
    warnings or that they were silenced, and judges both the same way."""

    def __init__(self, np: Any) -> None:
        import warnings

        self.np, self.warnings = np, warnings
        self.silenced = False
        self._undo: list = []

    @staticmethod
    def _by_student(depth: int = 2) -> bool:
        """Whether the code asking is the student's package (numpy silences its own warnings
        while it prints an array, for one)."""
        try:
            name = sys._getframe(depth).f_code.co_filename.replace("\\", "/")
        except ValueError:
            return False
        return "/backprop/" in name

    def _note(self, settings: dict) -> None:
        if any(v == "ignore" for k, v in settings.items() if k != "under") and \
                self._by_student(3):
            self.silenced = True

    def start(self) -> None:
        np, warnings, watch = self.np, self.warnings, self
        self._filters = list(warnings.filters)
        self._errors = np.geterr()
        enter, seterr = np.errstate.__enter__, np.seterr
        simplefilter, filterwarnings = warnings.simplefilter, warnings.filterwarnings
        exit_catch = warnings.catch_warnings.__exit__

        def errstate_enter(state: Any) -> Any:
            watch._note({k: getattr(state, f"_{k}", None)
                         for k in ("all", "divide", "over", "invalid", "under")})
            return enter(state)

        def watched_seterr(*args: Any, **kwargs: Any) -> Any:
            watch._note({"all": args[0]} if args else kwargs)
            return seterr(*args, **kwargs)

        def watched_filter(function: Callable) -> Callable:
            def wrapper(action: Any, *args: Any, **kwargs: Any) -> Any:
                if action == "ignore" and watch._by_student():
                    watch.silenced = True
                return function(action, *args, **kwargs)
            return wrapper

        def catch_exit(context: Any, *args: Any) -> Any:
            if watch._by_student() and any(f[0] == "ignore" and f not in watch._filters
                                           for f in warnings.filters):
                watch.silenced = True
            return exit_catch(context, *args)

        self._undo = [(np.errstate, "__enter__", enter), (np, "seterr", seterr),
                      (warnings, "simplefilter", simplefilter),
                      (warnings, "filterwarnings", filterwarnings),
                      (warnings.catch_warnings, "__exit__", exit_catch)]
        np.errstate.__enter__ = errstate_enter
        np.seterr = watched_seterr
        warnings.simplefilter = watched_filter(simplefilter)
        warnings.filterwarnings = watched_filter(filterwarnings)
        warnings.catch_warnings.__exit__ = catch_exit

    def stop(self) -> bool:
        """Undo the watch; True if the call silenced warnings (or left them silenced)."""
        for owner, name, value in reversed(self._undo):
            setattr(owner, name, value)
        self._undo = []
        if any(f[0] == "ignore" and f not in self._filters for f in self.warnings.filters):
            self.silenced = True
        if any(v == "ignore" and self._errors.get(k) != "ignore"
               for k, v in self.np.geterr().items() if k != "under"):
            self.silenced = True
        return self.silenced


class AnswersAhead:
    """The grader's answers sent with a call for callees it usually calls with the call's own
    inputs. ``find`` gives a fresh copy of one only when the student's code passes those very
    input objects, their contents unchanged since the call began (compared with a copy made
    then); otherwise ``MISSING``, and the stand-in asks the grader."""

    MISSING = object()

    def __init__(self, entries, args, kwargs, np):
        self.np = np
        self.entries = {}
        self.inputs = {}  # source (index of args or key of kwargs): (object, pristine copy)
        for entry in entries if isinstance(entries, list) else []:
            try:
                sources = [args[s] if type(s) is int else kwargs[s] for s in entry["from"]]
                if len(entry["params"]) != len(sources):
                    continue
            except (KeyError, IndexError, TypeError):
                continue
            for source, obj in zip(entry["from"], sources):
                if source not in self.inputs:
                    self.inputs[source] = (obj, self._copy(obj))
            self.entries[entry["name"]] = entry

    def find(self, name, args, kwargs):
        entry = self.entries.get(name)
        if entry is None:
            return self.MISSING
        params, given = entry["params"], len(args)
        if given > len(params) or len(kwargs) != len(params) - given:
            return self.MISSING
        for i, (param, source) in enumerate(zip(params, entry["from"])):
            obj, pristine = self.inputs[source]
            passed = args[i] if i < given else kwargs.get(param, self.MISSING)
            if passed is not obj or not self._same(obj, pristine):
                return self.MISSING
        return self._copy(entry["value"])

    def _copy(self, value):
        if isinstance(value, self.np.ndarray):
            return value.copy()
        if type(value) is list:
            return [self._copy(v) for v in value]
        if type(value) is tuple:
            return tuple(self._copy(v) for v in value)
        if type(value) is dict:
            return {k: self._copy(v) for k, v in value.items()}
        return value

    def _same(self, value, pristine):
        """Whether ``value`` still holds what ``pristine`` (its copy) holds, exactly."""
        if type(value) is not type(pristine):
            return False
        if type(pristine) is self.np.ndarray:
            return (value.dtype == pristine.dtype and value.shape == pristine.shape
                    and value.tobytes() == pristine.tobytes())
        if type(pristine) in (list, tuple):
            return len(value) == len(pristine) and all(
                self._same(v, p) for v, p in zip(value, pristine))
        if type(pristine) is dict:
            return list(value) == list(pristine) and all(
                self._same(value[k], p) for k, p in pristine.items())
        return value is pristine or value == pristine
