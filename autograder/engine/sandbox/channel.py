"""The grader's end of a worker's pipes: length-prefixed protocol messages under deadlines,
and the grader's answers to the callee requests the worker sends during a call."""

from __future__ import annotations

import fcntl
import os
import select
import time
from typing import Any

from autograder.engine.core import protocol

PIPE_SIZE = getattr(fcntl, "F_SETPIPE_SZ", 1031)


class WorkerDied(Exception):
    pass


def open_pipes() -> tuple[int, int, int, int]:
    """(request read, request write, reply read, reply write), each 1 MB where allowed."""
    req_r, req_w = os.pipe()
    resp_r, resp_w = os.pipe()
    for fd in (req_w, resp_w):  # arrays of a MB cross in one write (the large checks')
        try:
            fcntl.fcntl(fd, PIPE_SIZE, 1 << 20)
        except OSError:
            pass
    return req_r, req_w, resp_r, resp_w


class Channel:
    """Messages to and from one worker process over its request and reply pipes."""

    def __init__(self, req_fd: int, resp_fd: int) -> None:
        self.req_fd, self.resp_fd = req_fd, resp_fd
        os.set_blocking(req_fd, False)
        os.set_blocking(resp_fd, False)

    def close(self) -> None:
        for fd in (self.req_fd, self.resp_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, parts: list, deadline: float) -> None:
        """Write one message's buffers (protocol.encode_parts) before ``deadline``."""
        views = [memoryview(p).cast("B") for p in parts if len(p)]
        while views:
            try:
                written = os.writev(self.req_fd, views[: protocol.WRITE_BATCH])
            except BlockingIOError:
                written = 0
            except BrokenPipeError as exc:
                raise WorkerDied("worker closed its input") from exc
            while views and written >= len(views[0]):
                written -= len(views[0])
                views.pop(0)
            if written:
                views[0] = views[0][written:]
            if views:
                self._wait(self.req_fd, select.POLLOUT, deadline)

    def receive(self, expect_id: int, timeout: float) -> tuple[dict, Any]:
        """The next message, which must answer request ``expect_id``; each payload is read
        into a buffer of its own, on which protocol.decode makes the arrays."""
        deadline = time.monotonic() + timeout
        length = int.from_bytes(self._read(bytearray(4), deadline), "big")
        if length > protocol.MAX_MESSAGE_BYTES:
            raise protocol.ProtocolError("reply over the size limit")
        header, value = protocol.decode(self._read(bytearray(length), deadline))
        if header.get("id") != expect_id:
            raise protocol.ProtocolError("reply out of order")
        return header, value

    def _read(self, buffer: bytearray, deadline: float) -> bytearray:
        view, got = memoryview(buffer), 0
        while got < len(buffer):
            try:
                count = os.readv(self.resp_fd, [view[got:]])
            except BlockingIOError:
                self._wait(self.resp_fd, select.POLLIN, deadline)
                continue
            if not count:
                raise WorkerDied("worker exited")
            got += count
        return buffer

    @staticmethod
    def _wait(fd: int, event: int, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        poller = select.poll()
        poller.register(fd, event)
        poller.poll(remaining * 1000)


def answer_callee(rid: int, callees: Any, reply: dict, payload: Any) -> list:
    """The grader's answer to one callee request of the worker (values only)."""
    payload = payload if isinstance(payload, dict) else {}
    if callees is None:
        verdict: tuple = ("error", "RuntimeError", "no callee is answered in this call")
    else:
        verdict = callees.answer(str(reply.get("callee")), payload.get("args"),
                                 payload.get("kwargs"))
    if verdict[0] == "ok":
        return protocol.encode_parts({"id": rid, "ok": True}, verdict[1])
    if verdict[0] == "own":
        return protocol.encode_parts({"id": rid, "own": True}, None)
    return protocol.encode_parts({"id": rid, "ok": False,
                            "error": {"type": verdict[1], "message": verdict[2][:500]}}, None)
