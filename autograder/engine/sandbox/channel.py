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
        self.buffer = b""
        os.set_blocking(req_fd, False)
        os.set_blocking(resp_fd, False)

    def close(self) -> None:
        for fd in (self.req_fd, self.resp_fd):
            try:
                os.close(fd)
            except OSError:
                pass

    def send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.req_fd, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError as exc:
                raise WorkerDied("worker closed its input") from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            poller = select.poll()
            poller.register(self.req_fd, select.POLLOUT)
            poller.poll(remaining * 1000)

    def receive(self, expect_id: int, timeout: float) -> tuple[dict, Any]:
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buffer) >= 4:
                length = int.from_bytes(self.buffer[:4], "big")
                if length > protocol.MAX_MESSAGE_BYTES:
                    raise protocol.ProtocolError("reply over the size limit")
                if len(self.buffer) >= 4 + length:
                    payload = self.buffer[4 : 4 + length]
                    self.buffer = self.buffer[4 + length :]
                    header, value = protocol.decode(payload)
                    if header.get("id") != expect_id:
                        raise protocol.ProtocolError("reply out of order")
                    return header, value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            poller = select.poll()
            poller.register(self.resp_fd, select.POLLIN)
            if not poller.poll(remaining * 1000):
                continue
            try:
                chunk = os.read(self.resp_fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerDied("worker exited")
            self.buffer += chunk


def answer_callee(rid: int, callees: Any, reply: dict, payload: Any) -> bytes:
    """The grader's answer to one callee request of the worker (values only)."""
    payload = payload if isinstance(payload, dict) else {}
    if callees is None:
        verdict: tuple = ("error", "RuntimeError", "no callee is answered in this call")
    else:
        verdict = callees.answer(str(reply.get("callee")), payload.get("args"),
                                 payload.get("kwargs"))
    if verdict[0] == "ok":
        return protocol.encode({"id": rid, "ok": True}, verdict[1])
    if verdict[0] == "own":
        return protocol.encode({"id": rid, "own": True}, None)
    return protocol.encode({"id": rid, "ok": False,
                            "error": {"type": verdict[1], "message": verdict[2][:500]}}, None)
