"""ATTACK use_traces: answer the quiz with what an earlier submission left behind.

What it tries: its own answers are empty; at import it looks for leave_traces' answers in every
place that could outlive a worker: files in /tmp, /var/tmp and /dev/shm, a System V
shared-memory segment, a key in its uid's keyring, and a process serving them on an abstract
Unix socket. Whatever it finds becomes its ANSWERS.

What the grader must guarantee: nothing of an earlier submission is there to find, so the quiz
scores as the honest twin's empty answers: 0.
"""

import ctypes
import json
import os
import socket

ATTACK = True  # the honest twin sets this to False
SHM_KEY, NAME = 0x0BADBEEF, b"bpattack-trace"
KEY_SYSCALLS = {"x86_64": (250, 10, 11), "aarch64": (219, 10, 11)}  # keyctl, SEARCH, READ


def _files():
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            with open(f"{folder}/bpattack-trace.json", "rb") as fh:
                yield fh.read()
        except OSError:
            pass


def _shared_memory():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    shmid = libc.shmget(SHM_KEY, 0, 0)
    if shmid >= 0:
        address = libc.shmat(shmid, None, 0o10000)  # SHM_RDONLY
        if address not in (None, ctypes.c_void_p(-1).value):
            yield ctypes.string_at(address)
    calls = KEY_SYSCALLS.get(os.uname().machine)
    if calls:
        keyctl, search, read = calls
        key = libc.syscall(keyctl, search, -4, b"user", NAME, 0)
        if key > 0:
            buffer = ctypes.create_string_buffer(4096)
            size = libc.syscall(keyctl, read, key, buffer, 4096)
            if size > 0:
                yield buffer.raw[:size]


def _socket():
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(2)
    conn.connect(b"\0" + NAME)
    yield conn.recv(4096)


def _found() -> dict:
    for source in (_files, _shared_memory, _socket):
        try:
            for data in source():
                try:
                    return {int(k): v for k, v in json.loads(data.decode()).items()}
                except (ValueError, AttributeError):
                    continue
        except Exception:  # noqa: BLE001
            continue
    return {}


ANSWERS = _found() if ATTACK else {}
