"""ATTACK leave_traces: leave something behind for the next submission graded here.

What it tries: at import it stores its quiz answers everywhere that could outlive its worker:
files in /tmp, /var/tmp and /dev/shm (plus hundreds of junk files and megabytes of /dev/shm), a
System V shared-memory segment, a POSIX message queue, a key in its uid's keyring, and a
detached process that serves them on an abstract Unix socket for a minute. use_traces, graded
after it under what may be the same uid or sandbox, looks for them.

What the grader must guarantee: nothing of a submission outlives it: no process, file,
shared-memory segment, IPC object or key of the sandbox uid is left once it is graded, and
use_traces scores as its honest twin. This submission's own answers are the same either way.
"""

import ctypes
import json
import os
import socket
import time

ATTACK = True  # the honest twin sets this to False
ANSWERS = {number: "A" for number in range(1, 11)}  # right or wrong, the same for its twin
TRACE = json.dumps(ANSWERS).encode()
SHM_KEY, NAME = 0x0BADBEEF, b"bpattack-trace"
KEY_SYSCALLS = {"x86_64": 248, "aarch64": 217}  # add_key


def _files() -> None:
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            with open(f"{folder}/bpattack-trace.json", "wb") as fh:
                fh.write(TRACE)
            os.chmod(f"{folder}/bpattack-trace.json", 0o666)
        except OSError:
            pass
    for i in range(300):
        try:
            with open(f"/tmp/bpattack-junk-{i}", "w") as fh:
                fh.write("x")
        except OSError:
            break
    try:
        with open("/dev/shm/bpattack-blob", "wb") as fh:
            for _ in range(40):
                fh.write(b"\0" * (1 << 20))
    except OSError:
        pass


def _ipc() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    shmid = libc.shmget(SHM_KEY, 4096, 0o1000 | 0o666)
    if shmid >= 0:
        address = libc.shmat(shmid, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(address, TRACE + b"\0", len(TRACE) + 1)
    try:
        rt = ctypes.CDLL("librt.so.1", use_errno=True)
        rt.mq_open(b"/bpattack-trace", os.O_CREAT | os.O_RDWR, 0o666, None)
    except OSError:
        pass
    number = KEY_SYSCALLS.get(os.uname().machine)
    if number:
        libc.syscall(number, b"user", NAME, TRACE, len(TRACE), -4)  # the uid's keyring


def _server() -> None:
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                with open("/proc/self/comm", "w") as fh:
                    fh.write("BPATTACK-trace")
                server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                server.bind(b"\0" + NAME)
                server.listen(4)
                server.settimeout(60)
                end = time.monotonic() + 60
                while time.monotonic() < end:
                    conn, _ = server.accept()
                    conn.sendall(TRACE)
                    conn.close()
            except OSError:
                pass
        os._exit(0)


if ATTACK:
    for step in (_files, _ipc, _server):
        try:
            step()
        except Exception:  # noqa: BLE001
            pass
