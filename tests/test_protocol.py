"""The wire format: round trips, and hostile bytes are refused as data, never executed."""

import json
import struct

import numpy as np
import pytest

from autograder.engine.core import protocol
from autograder.engine.core.protocol import Opaque, ProtocolError, Ref, decode, encode


def roundtrip(value, opaque_ok=False):
    data = encode({"id": 1}, value, opaque_ok=opaque_ok)
    header, out = decode(data[4:])
    assert header["id"] == 1
    return out


def test_roundtrip_of_every_supported_shape():
    value = {
        "W1": np.arange(6.0).reshape(2, 3),
        "f32": np.ones((2, 1), dtype=np.float32),
        "scalar": np.float64(0.5),
        "tuple": (1, 2.5, "x", None, True),
        "list": [np.zeros((0, 3)), float("nan"), float("inf")],
        7: "int keys survive",
    }
    out = roundtrip(value)
    assert out["W1"].dtype == np.float64 and np.array_equal(out["W1"], value["W1"])
    assert out["f32"].dtype == np.float32
    assert out["scalar"].shape == () and out["scalar"] == 0.5
    assert out["tuple"] == (1, 2.5, "x", None, True)
    assert out["list"][0].shape == (0, 3) and np.isnan(out["list"][1]) and out["list"][2] == np.inf
    assert out[7] == "int keys survive"


def test_objects_cross_only_as_opaque_names():
    class Sneaky(float):
        def __eq__(self, other):
            return True

    out = roundtrip([Sneaky(1.0), object(), np.array([object()])], opaque_ok=True)
    assert all(isinstance(x, Opaque) for x in out)
    with pytest.raises(ProtocolError):
        encode({}, object())


def test_ndarray_subclasses_become_plain_arrays():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    out = roundtrip(np.arange(3.0).view(Liar))
    assert type(out) is np.ndarray and list(out) == [0.0, 1.0, 2.0]


def _message(header: dict, body: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return struct.pack(">I", len(head)) + head + body


@pytest.mark.parametrize("header, body", [
    ({"tree": {"__nd__": 0}, "arrays": [{"dtype": "|O", "shape": [1], "offset": 0}]}, b"\0" * 8),
    ({"tree": {"__nd__": 0}, "arrays": [{"dtype": "<f8", "shape": [10], "offset": 0}]}, b"\0" * 8),
    ({"tree": {"__nd__": 3}, "arrays": []}, b""),
    ({"tree": {"__pickle__": "cos\nsystem\n"}}, b""),
    ({"tree": {"__float__": "__import__('os')"}}, b""),
    ({"tree": {"__dict__": [[["list", "key"], 1]]}}, b""),
])
def test_hostile_messages_are_refused(header, body):
    with pytest.raises(ProtocolError):
        decode(_message(header, body))


def test_garbage_and_truncation_are_refused():
    with pytest.raises(ProtocolError):
        decode(b"\x00\x00\x00\x05{not json")
    with pytest.raises(ProtocolError):
        decode(b"\xff\xff\xff\xff")
    data = encode({"id": 1}, np.ones(100))
    with pytest.raises(ProtocolError):
        decode(data[4:-10])


def test_oversized_messages_are_refused():
    with pytest.raises(ProtocolError):
        encode({}, np.zeros(protocol.MAX_MESSAGE_BYTES // 8 + 1))


def test_values_of_too_many_items_are_refused_both_ways_however_they_are_nested():
    """Decoding a value costs what its items cost: a forged reply of lists nested to the depth
    limit (3 ** 11 leaves in 1 MB of JSON) is refused after MAX_ITEMS of them."""
    at_limit = [0.5] * (protocol.MAX_ITEMS - 1)
    assert roundtrip([at_limit]) == [at_limit]
    nested: object = 0
    for _ in range(11):
        nested = [nested] * 3
    for value in (nested, {"k": [1] * protocol.MAX_ITEMS}, tuple(range(protocol.MAX_ITEMS + 1))):
        with pytest.raises(ProtocolError, match="items"):
            encode({}, value)
    with pytest.raises(ProtocolError, match="items"):
        decode(_message({"tree": nested}))
    with pytest.raises(ProtocolError, match="items"):
        decode(_message({"tree": {"__dict__": [[str(i), i] for i in range(protocol.MAX_ITEMS + 1)]}}))


def test_refs_cross_as_refs():
    out = roundtrip([Ref("fw", 1)])
    assert isinstance(out[0], Ref) and out[0].path == ["fw", 1]


def test_large_arrays_cross_without_copies_each_in_a_region_of_its_own():
    """encode_parts hands a large array's own memory to writev; decoding a writable buffer
    (as read_message gives) makes arrays on it, aligned, apart, writable, and equal."""
    import os

    rng = np.random.default_rng(0)
    value = [rng.normal(size=(400, 400)), np.arange(3, dtype=np.int16), rng.normal(size=(300, 7)).T]
    parts = protocol.encode_parts({"id": 7}, value)
    assert any(isinstance(p, memoryview) for p in parts)  # the 400 x 400 array is not copied
    read, write = os.pipe()
    try:
        import threading

        writer = threading.Thread(target=protocol.write_parts, args=(write, parts))
        writer.start()
        with os.fdopen(read, "rb", buffering=0, closefd=False) as stream:
            payload = protocol.read_message(stream)
        writer.join()
    finally:
        os.close(read)
        os.close(write)
    assert bytes(payload) == encode({"id": 7}, value)[4:]
    header, out = decode(payload)
    assert header["id"] == 7
    for got, sent in zip(out, value):
        assert np.array_equal(got, sent) and got.dtype == sent.dtype and got.flags.aligned
        assert got.flags.writeable
    assert not np.shares_memory(out[0], out[2])
    out[0][0, 0] = 1e9  # in its own region: nothing else changes
    assert np.array_equal(out[2], value[2]) and np.array_equal(out[1], value[1])


def test_overlapping_or_unordered_arrays_are_refused():
    """Two arrays of one message never share memory: a hostile worker cannot make one value
    the grader checks change when it writes to another."""
    spec = {"dtype": "<f8", "shape": [2], "offset": 0}
    with pytest.raises(ProtocolError):
        decode(bytearray(_message({"tree": [{"__nd__": 0}, {"__nd__": 1}],
                                   "arrays": [spec, {**spec, "offset": 8}]}, b"\0" * 24)))
    assert decode(bytearray(_message({"tree": [{"__nd__": 0}, {"__nd__": 1}],
                                      "arrays": [spec, {**spec, "offset": 16}]}, b"\0" * 32)))
