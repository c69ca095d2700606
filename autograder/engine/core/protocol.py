"""Wire format between the trusted grader and the sandboxed worker (stdlib + numpy only).

A message is ``u32 length`` + payload; the payload is ``u32 header length`` + a JSON header +
raw array bytes. The header's ``tree`` holds plain JSON values with these tagged forms:

    {"__nd__": i}                 array i of header["arrays"] (dtype, shape, byte offset)
    {"__tuple__": [...]}          a tuple
    {"__dict__": [[key, value]]}  a dict (keys str or int)
    {"__float__": "nan"|"inf"|"-inf"}
    {"__opaque__": "TypeName", "repr": "..."}   something that cannot cross (kept in the worker)
    {"__ref__": [name, index, ...]}             (requests only) a value stored in the worker

Decoding never unpickles: numeric dtypes only, sizes checked, so hostile bytes stay data.
This file is copied into the worker's sandbox; it must not import the rest of the grader.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 12
ALLOWED_KINDS = "biufc"  # bool, int, uint, float, complex


class ProtocolError(Exception):
    """The other side sent something that is not a valid message."""


class Opaque:
    """A value the worker could not send (an arbitrary object); only its type name crosses."""

    def __init__(self, type_name: str, text: str = "") -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class Ref:
    """A request argument naming a value stored in the worker: ``Ref("fw", 1)``."""

    def __init__(self, *path: str | int) -> None:
        self.path = list(path)


def _encode(value: Any, arrays: list[np.ndarray], depth: int, opaque_ok: bool) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if value is None or type(value) in (bool, str, int):
        return value
    if type(value) is float:
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if isinstance(value, Ref):
        return {"__ref__": value.path}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = value.view(np.ndarray) if isinstance(value, np.ndarray) else np.asarray(value)
        if arr.dtype.kind in ALLOWED_KINDS and arr.dtype.names is None:
            arrays.append(arr if arr.flags.c_contiguous else arr.copy(order="C"))
            return {"__nd__": len(arrays) - 1}
    if type(value) in (list, tuple):
        items = [_encode(v, arrays, depth + 1, opaque_ok) for v in value]
        return items if type(value) is list else {"__tuple__": items}
    if type(value) is dict and all(type(k) in (str, int) for k in value):
        return {"__dict__": [[k, _encode(v, arrays, depth + 1, opaque_ok)] for k, v in value.items()]}
    if not opaque_ok:
        raise ProtocolError(f"cannot send a {type(value).__name__}")
    try:
        text = repr(value)[:200]
    except BaseException:  # noqa: BLE001 - hostile __repr__
        text = ""
    return {"__opaque__": type(value).__name__[:80], "repr": text}


def encode(header: dict[str, Any], value: Any, *, opaque_ok: bool = False) -> bytes:
    """Serialise ``header`` plus ``value`` (stored under header["tree"]) into one message."""
    arrays: list[np.ndarray] = []
    tree = _encode(value, arrays, 0, opaque_ok)
    specs, blobs, offset = [], [], 0
    for arr in arrays:
        raw = arr.tobytes()
        specs.append({"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": offset})
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps({**header, "tree": tree, "arrays": specs}).encode()
    payload = struct.pack(">I", len(head)) + head + b"".join(blobs)
    if len(payload) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {len(payload)} bytes is over the limit")
    return struct.pack(">I", len(payload)) + payload


def _decode(node: Any, arrays: list[np.ndarray], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, arrays, depth + 1) for v in node]
    if not isinstance(node, dict) or len(node) == 0:
        raise ProtocolError("malformed value")
    if "__nd__" in node:
        index = node["__nd__"]
        if not isinstance(index, int) or not 0 <= index < len(arrays):
            raise ProtocolError("bad array reference")
        return arrays[index]
    if "__tuple__" in node:
        return tuple(_decode(v, arrays, depth + 1) for v in _as_list(node["__tuple__"]))
    if "__dict__" in node:
        out = {}
        for pair in _as_list(node["__dict__"]):
            if not isinstance(pair, list) or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise ProtocolError("malformed dict")
            out[pair[0]] = _decode(pair[1], arrays, depth + 1)
        return out
    if "__float__" in node:
        text = node["__float__"]
        if text not in ("nan", "inf", "-inf"):
            raise ProtocolError("malformed float")
        return float(text)
    if "__opaque__" in node:
        return Opaque(str(node["__opaque__"])[:80], str(node.get("repr", ""))[:200])
    if "__ref__" in node:
        return Ref(*_as_list(node["__ref__"]))
    raise ProtocolError("unknown tagged value")


def _as_list(node: Any) -> list:
    if not isinstance(node, list):
        raise ProtocolError("expected a list")
    return node


def decode(payload: bytes) -> tuple[dict[str, Any], Any]:
    """Parse one message payload into (header, value). Raises ProtocolError on anything odd."""
    if len(payload) < 4:
        raise ProtocolError("short message")
    (head_len,) = struct.unpack(">I", payload[:4])
    if head_len > len(payload) - 4:
        raise ProtocolError("header length past the end")
    try:
        header = json.loads(payload[4 : 4 + head_len])
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    body = memoryview(payload)[4 + head_len :]
    arrays = []
    for spec in _as_list(header.get("arrays", [])):
        try:
            dtype = np.dtype(str(spec["dtype"]))
            shape = tuple(int(n) for n in spec["shape"])
            offset = int(spec["offset"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"bad array spec: {exc}") from None
        if dtype.kind not in ALLOWED_KINDS or dtype.names is not None or dtype.hasobject:
            raise ProtocolError(f"dtype {dtype} not allowed")
        if len(shape) > 32 or any(n < 0 for n in shape):
            raise ProtocolError("bad shape")
        nbytes = dtype.itemsize * math.prod(shape)
        if offset < 0 or offset + nbytes > len(body):
            raise ProtocolError("array bytes past the end")
        arr = np.frombuffer(body[offset : offset + nbytes], dtype=dtype).reshape(shape).copy()
        arrays.append(arr)
    return header, _decode(header.get("tree"), arrays, 0)


def read_message(stream: BinaryIO) -> bytes | None:
    """Read one length-prefixed payload from a blocking stream; None at end of stream."""
    prefix = _read_exact(stream, 4)
    if prefix is None:
        return None
    (length,) = struct.unpack(">I", prefix)
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes is over the limit")
    payload = _read_exact(stream, length)
    if payload is None:
        raise ProtocolError("stream ended inside a message")
    return payload


def _read_exact(stream: BinaryIO, n: int) -> bytes | None:
    chunks, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None if got == 0 else b"".join(chunks)
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
