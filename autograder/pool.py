"""A small process pool for grading, in which one submission can fail only itself.

concurrent.futures' ProcessPoolExecutor fails every pending job when one of its processes dies
(BrokenProcessPool) and cannot stop one job that runs too long. Here each slot is a process of
ours: if it dies or overruns its deadline, only its current job gets an error, the process is
killed (with everything in its session) and replaced, and the other jobs go on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any

GRACE_SECONDS = 3.0  # after SIGTERM (which lets the engine clean up), before SIGKILL


class _Deadline(BaseException):
    """Raised in a slot process by SIGTERM: the parent's deadline for this job has passed."""


def _on_sigterm(signum, frame):  # noqa: ARG001 - signal handler signature
    raise _Deadline()


def _serve(conn: Connection, fn: Callable[..., Any]) -> None:
    """A slot process: run ``fn(*args)`` for each job received, send back what it returned."""
    try:
        os.setsid()  # its own session, so that the parent can kill it with whatever it started
    except OSError:
        pass
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        while True:
            try:
                job = conn.recv()
            except EOFError:
                return
            if job is None:
                return
            index, args = job
            try:
                conn.send((index, True, fn(*args)))
            except _Deadline:
                return
            except Exception as exc:  # noqa: BLE001 - reported as this job's error
                conn.send((index, False, f"{type(exc).__name__}: {exc}"))
    except _Deadline:
        return


class _Slot:
    def __init__(self, context, fn: Callable[..., Any]) -> None:
        self.conn, child = context.Pipe()
        self.proc = context.Process(target=_serve, args=(child, fn), daemon=True)
        self.proc.start()
        child.close()
        self.index: int | None = None
        self.started = 0.0

    def give(self, index: int, args: tuple) -> None:
        self.index, self.started = index, time.monotonic()
        self.conn.send((index, args))

    def kill(self) -> None:
        """SIGTERM (the engine's cleanup runs), then SIGKILL to the slot's whole session."""
        pid = self.proc.pid
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(GRACE_SECONDS)
        for target in (lambda: os.killpg(pid, signal.SIGKILL), self.proc.kill):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        self.proc.join(1.0)
        self.conn.close()

    def death(self) -> str:
        self.proc.join(1.0)
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"


def run_jobs(fn: Callable[..., Any], jobs: list[tuple], *, processes: int,
             deadline: float) -> Iterator[tuple[int, bool, Any]]:
    """Yield ``(index, ok, value)`` for every job as it finishes: ``value`` is what
    ``fn(*jobs[index])`` returned, or an error message when ``ok`` is False (the job raised,
    its process died, or it ran longer than ``deadline`` seconds)."""
    if not jobs:
        return
    context = multiprocessing.get_context("forkserver")
    pending = deque(enumerate(jobs))
    slots = [_Slot(context, fn) for _ in range(max(1, min(processes, len(jobs))))]
    try:
        while pending or any(s.index is not None for s in slots):
            for i, slot in enumerate(slots):
                if slot.index is None and pending:
                    try:
                        slot.give(*pending[0])
                        pending.popleft()
                    except (BrokenPipeError, EOFError, OSError):
                        slot.kill()
                        slots[i] = _Slot(context, fn)
            busy = [s for s in slots if s.index is not None]
            now = time.monotonic()
            timeout = max(0.0, min(s.started + deadline for s in busy) - now) if busy else 0
            wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout)
            for i, slot in enumerate(slots):
                if slot.index is None:
                    continue
                outcome, replace = _outcome(slot, deadline)
                if outcome is None:
                    continue
                slot.index = None
                if replace:
                    slot.kill()
                    slots[i] = _Slot(context, fn)
                yield outcome
    finally:
        _close(slots)


def _outcome(slot: _Slot, deadline: float) -> tuple[tuple[int, bool, Any] | None, bool]:
    """The busy slot's job as it stands: ``(outcome or None while it runs, whether the slot's
    process must be replaced)``."""
    index = slot.index
    assert index is not None
    if slot.conn.poll():
        try:
            got_index, ok, value = slot.conn.recv()
        except (EOFError, OSError, ValueError, TypeError) as exc:
            return (index, False, "the grading process died while answering "
                    f"({type(exc).__name__}; {slot.death()})"), True
        return ((index, ok, value) if got_index == index else (
            index, False, "the grading process answered out of turn")), False
    if not slot.proc.is_alive():
        return (index, False, f"the grading process died ({slot.death()})"), True
    if time.monotonic() > slot.started + deadline:
        return (index, False, f"grading took longer than {deadline:g} s and was stopped"), True
    return None, False


def _close(slots: list[_Slot]) -> None:
    """Idle processes are told to stop and given two seconds; then every process is killed."""
    for slot in slots:
        if slot.index is None and slot.proc.is_alive():
            try:
                slot.conn.send(None)
            except OSError:
                pass
            slot.proc.join(2.0)
        slot.kill()
