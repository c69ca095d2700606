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
Large arrays cross without copies: ``encode_parts`` gives their bytes as views (written with
one writev), and ``decode`` of a writable buffer (``read_message``) makes arrays on it, each
its own region. This file is copied into the worker's sandbox; it must not import the rest of
the grader.
"""

from __future__ import annotations

import json
import math
import os
import struct
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 12
MAX_ITEMS = 10_000  # list, tuple and dict items in one value (a correct answer has ~100)
ALLOWED_KINDS = "biufc"  # bool, int, uint, float, complex
ALIGN = 16  # every array's bytes start at a multiple of this in the payload
SHARED_BYTES = 64 * 1024  # arrays at least this large are written from their own memory
WRITE_BATCH = 512  # buffers per writev (the kernel's limit is 1024)


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


_PLAIN = frozenset((type(None), bool, str, int))


class _Items:
    """The items one value may still hold (MAX_ITEMS in all): what decoding or encoding it
    costs is bounded however its lists are nested."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_ITEMS

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise ProtocolError(f"value of more than {MAX_ITEMS:,} items in lists, tuples and "
                                "dicts (return numpy arrays)")


def _encode(value: Any, arrays: list[np.ndarray], depth: int, opaque_ok: bool,
            items: _Items) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    if kind is list or kind is tuple:
        items.take(len(value))
        out = [_encode(v, arrays, depth + 1, opaque_ok, items) for v in value]
        return out if kind is list else {"__tuple__": out}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = value.view(np.ndarray) if isinstance(value, np.ndarray) else np.asarray(value)
        if arr.dtype.kind in ALLOWED_KINDS and arr.dtype.names is None:
            arrays.append(arr if arr.flags.c_contiguous else arr.copy(order="C"))
            return {"__nd__": len(arrays) - 1}
    if kind is dict and all(type(k) in (str, int) for k in value):
        items.take(len(value))
        return {"__dict__": [[k, _encode(v, arrays, depth + 1, opaque_ok, items)]
                             for k, v in value.items()]}
    if isinstance(value, Ref):
        return {"__ref__": value.path}
    if not opaque_ok:
        raise ProtocolError(f"cannot send a {type(value).__name__}")
    try:
        text = repr(value)[:200]
    except BaseException:  # noqa: BLE001 - hostile __repr__
        text = ""
    return {"__opaque__": type(value).__name__[:80], "repr": text}


def encode_parts(header: dict[str, Any], value: Any, *, opaque_ok: bool = False) -> list:
    """One message as a list of buffers to write in order: the length prefix and JSON header
    (and small arrays' bytes) joined, each large array's own memory as it is (not copied)."""
    arrays: list[np.ndarray] = []
    tree = _encode(value, arrays, 0, opaque_ok, _Items())
    specs, offset = [], 0
    for arr in arrays:
        offset += -offset % ALIGN
        specs.append({"dtype": arr.dtype.str, "shape": list(arr.shape), "offset": offset})
        offset += arr.nbytes
    head = json.dumps({**header, "tree": tree, "arrays": specs}).encode()
    head += b" " * (-(4 + len(head)) % ALIGN)  # aligned in the payload (after the length)
    length = 4 + len(head) + offset
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {length} bytes is over the limit")
    parts: list = []
    small = [struct.pack(">II", length, len(head)), head]
    position = 0
    for arr, spec in zip(arrays, specs):
        if spec["offset"] > position:
            small.append(bytes(spec["offset"] - position))
        if arr.nbytes >= SHARED_BYTES:
            parts += [b"".join(small), memoryview(arr.reshape(-1).view(np.uint8))]
            small = []
        else:
            small.append(arr.tobytes())
        position = spec["offset"] + arr.nbytes
    return [*parts, b"".join(small)] if small else parts


def encode(header: dict[str, Any], value: Any, *, opaque_ok: bool = False) -> bytes:
    """Serialise ``header`` plus ``value`` (stored under header["tree"]) into one message."""
    return b"".join(encode_parts(header, value, opaque_ok=opaque_ok))


def write_parts(fd: int, parts: list) -> None:
    """Write a message's buffers to a blocking ``fd`` (writev; a short write is continued)."""
    views = [memoryview(p).cast("B") for p in parts if len(p)]
    while views:
        written = os.writev(fd, views[:WRITE_BATCH])
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if written:
            views[0] = views[0][written:]


_JSON_SCALARS = frozenset((type(None), bool, int, float, str))


def _decode(node: Any, arrays: list[np.ndarray], depth: int, items: _Items) -> Any:
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    kind = type(node)
    if kind in _JSON_SCALARS:
        return node
    if kind is list:
        items.take(len(node))
        return [_decode(v, arrays, depth + 1, items) for v in node]
    if kind is not dict or len(node) == 0:
        raise ProtocolError("malformed value")
    if "__nd__" in node:
        index = node["__nd__"]
        if type(index) is not int or not 0 <= index < len(arrays):
            raise ProtocolError("bad array reference")
        return arrays[index]
    if "__tuple__" in node:
        values = _as_list(node["__tuple__"])
        items.take(len(values))
        return tuple(_decode(v, arrays, depth + 1, items) for v in values)
    if "__dict__" in node:
        out = {}
        pairs = _as_list(node["__dict__"])
        items.take(len(pairs))
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) not in (str, int):
                raise ProtocolError("malformed dict")
            out[pair[0]] = _decode(pair[1], arrays, depth + 1, items)
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
        header = json.loads(bytes(payload[4 : 4 + head_len]).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    start = 4 + head_len
    shared = isinstance(payload, bytearray) and start % ALIGN == 0  # arrays live in the buffer
    arrays, end, size = [], start, len(payload)
    for spec in _as_list(header.get("arrays", [])):
        try:
            dtype = _dtype(spec["dtype"])
            shape = tuple(int(n) for n in spec["shape"])
            offset = start + int(spec["offset"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ProtocolError(f"bad array spec: {exc}") from None
        if len(shape) > 32 or any(n < 0 for n in shape):
            raise ProtocolError("bad shape")
        count = math.prod(shape)
        if offset < end or offset + dtype.itemsize * count > size:  # in order, apart, inside
            raise ProtocolError("array bytes overlap or are past the end")
        end = offset + dtype.itemsize * count
        arr = np.frombuffer(payload, dtype, count, offset).reshape(shape)
        arrays.append(arr if shared and arr.flags.aligned else arr.copy())
    return header, _decode(header.get("tree"), arrays, 0, _Items())


_DTYPES: dict[str, np.dtype] = {}


def _dtype(text: Any) -> np.dtype:
    """The numeric dtype named ``text`` (a plain, numeric one only), remembered once seen."""
    dtype = _DTYPES.get(text) if type(text) is str else None
    if dtype is None:
        dtype = np.dtype(str(text))
        if dtype.kind not in ALLOWED_KINDS or dtype.names is not None or dtype.hasobject:
            raise ProtocolError(f"dtype {dtype} not allowed")
        if len(_DTYPES) < 64 and type(text) is str:
            _DTYPES[text] = dtype
    return dtype


def read_message(stream: BinaryIO) -> bytearray | None:
    """Read one length-prefixed payload from a blocking unbuffered stream into a buffer of
    its own (decode makes the arrays on it); None at end of stream."""
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


def _read_exact(stream: BinaryIO, n: int) -> bytearray | None:
    buffer = bytearray(n)
    view, got = memoryview(buffer), 0
    while got < n:
        count = stream.readinto(view[got:])
        if not count:
            if got == 0:
                return None
            raise ProtocolError("stream ended inside a message")
        got += count
    return buffer
