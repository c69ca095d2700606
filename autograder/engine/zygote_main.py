"""The zygote: a process with numpy already imported that forks one worker per request.

Started by the trusted grader (sandbox.Zygote) with one end of a socket pair. Each request is a
JSON config plus three fds (requests pipe, replies pipe, capture file); the zygote forks a
child that becomes the worker (worker_main.become + serve) and answers with the child's pid.
It never imports student code itself, and exits when the grader closes the socket.
"""

import json
import os
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy  # noqa: E402,F401 - imported once here, inherited by every worker
import protocol  # noqa: E402,F401
import worker_main  # noqa: E402


def warm_up() -> None:
    """Touch what nearly every submission uses, so each fork starts with it loaded."""
    rng = numpy.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    numpy.random.RandomState(0).permutation(3)
    numpy.einsum("ij,jk->ik", a, a)
    numpy.linalg.norm(a @ a.T)
    numpy.exp(numpy.maximum(a, 0)).sum(axis=1, keepdims=True)


def main() -> None:
    warm_up()
    sock = socket.socket(fileno=int(sys.argv[1]))
    sys.path.pop(0)  # workers must not see the grader's folder on their path
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 3)
        except OSError:
            return
        if not msg:
            return
        config = json.loads(msg)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for target, fd in enumerate(fds):
                    os.dup2(fd, target)
                os.closerange(3, 1 << 16)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                worker_main.become(config)
                worker_main.serve(config)
                code = 0
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    main()
