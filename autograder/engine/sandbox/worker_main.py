"""The sandboxed worker: imports the student's package and runs the calls it is sent.

Forked by the zygote (zygote_main.py) with fds 0/1/2 = requests, replies, capture file, it
drops to an unprivileged user when the grader is root and sets its resource limits before any
student code runs. It only executes calls and sends back what they return: it never sees
expected values and never decides pass or fail. Imports nothing from the grader but protocol.py.

config: {"package_root", "limits", "broken": {module: reason}, "uid", "home", "make_home", "env",
"protocol_fds" (where the pipes are kept), "chroot" (the mode without namespaces: the folder that
becomes the worker's root)}.
"""

import importlib
import io
import os
import resource
import signal
import stat
import sys
import time
import traceback
import types
import warnings

_LIMITS = {
    "as_bytes": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "file_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
    "message_queue_bytes": resource.RLIMIT_MSGQUEUE,
}


def _apply_limits(limits):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in _LIMITS.items():
        value = limits.get(key)
        if value is not None:
            resource.setrlimit(which, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing


_pipes = None  # (requests, replies), taken in become()


def _take_protocol_fds(fds):
    """Keep the request/response pipes on the fds ``fds`` (the grader's seccomp filter refuses
    fstat and dup on them: a pipe's inode number reads a counter the whole machine shares);
    stdout/stderr go to the capture file. Before any chroot, seccomp or limit."""
    req_fd, resp_fd = fds
    os.dup2(0, req_fd)
    os.dup2(1, resp_fd)
    req = os.fdopen(req_fd, "rb", buffering=0)
    resp = os.fdopen(resp_fd, "wb", buffering=0)
    os.dup2(2, 1)  # the trusted side opened fd 2 on the capture file
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", buffering=0), write_through=True)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", buffering=0), write_through=True)
    return req, resp


class BrokenModule(types.ModuleType):
    """Stands in for a student module that failed to import: every name raises ImportError."""

    def __init__(self, name, reason):
        super().__init__(name)
        self.__reason = reason

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        reason = self.__reason

        def unavailable(*args, **kwargs):
            raise ImportError(reason)

        unavailable.__name__ = attr
        setattr(self, attr, unavailable)  # one object per name: a correct callee can replace it
        return unavailable


def _short_traceback(exc, limit_chars=1500):
    """The student's frames only (the worker's own frames are noise to them)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/backprop/" in f.filename]
    for frame in frames:
        frame.filename = "backprop/" + frame.filename.rsplit("/backprop/", 1)[1]
    lines = traceback.format_list(frames[-6:])
    lines += traceback.format_exception_only(type(exc), exc)
    text = "".join(lines)
    return text[-limit_chars:]


def _error(exc):
    try:
        message = str(exc)[:1000]
    except BaseException:  # noqa: BLE001 - hostile __str__
        message = ""
    try:
        tb = _short_traceback(exc)
    except BaseException:  # noqa: BLE001
        tb = ""
    return {"ok": False, "error": {"type": type(exc).__name__[:80], "message": message, "traceback": tb}}


def become(config):
    """In the forked child: a new session, the sandbox user, a clean environment, the limits."""
    global _pipes
    os.setsid()
    _pipes = _take_protocol_fds(config["protocol_fds"])
    uid = config.get("uid")
    if config.get("make_home"):  # in the sandbox's private /tmp, made for this submission
        os.makedirs(config["home"], 0o700, exist_ok=True)
        if not stat.S_ISDIR(os.lstat(config["home"]).st_mode):
            raise OSError("the worker's home is not a folder")
        if uid is not None:
            os.chown(config["home"], uid, uid, follow_symlinks=False)
    if config.get("chroot"):  # the mode without namespaces: a root of its own (chroot.py)
        import ctypes  # noqa: F401 - loaded before the root changes: the steps below need it

        os.chroot(config["chroot"])
    os.chdir(config["home"])
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    _drop_capabilities()
    os.environ.clear()
    os.environ.update(config.get("env", {}))
    _apply_limits(config.get("limits", {}))
    if config.get("landlock"):
        _restrict_paths(config["landlock"])
    if config.get("seccomp"):
        _install_seccomp(bytes.fromhex(config["seccomp"]))


def _drop_capabilities():
    """Drop every capability (effective, permitted, inheritable, ambient): as a user, the
    zygote keeps CAP_SYS_ADMIN in the sandbox's user namespace to mount each worker's fresh
    world; the worker must hold none. A failure ends the worker."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    pr_cap_ambient, pr_cap_ambient_clear_all = 47, 4
    libc.prctl(pr_cap_ambient, pr_cap_ambient_clear_all, 0, 0, 0)  # EINVAL on old kernels
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # two sets of (effective, permitted, inheritable): none
    if libc.syscall(126 if os.uname().machine == "x86_64" else 91, header, data) != 0:
        raise OSError(ctypes.get_errno(), "could not drop the capabilities")


LANDLOCK_READ = (1 << 0) | (1 << 2) | (1 << 3)  # EXECUTE, READ_FILE, READ_DIR
LANDLOCK_FILE = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # rights a file can take
LANDLOCK_FS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
LANDLOCK_ALL_FS = (1 << 16) - 1  # ABI 5 and later: IOCTL_DEV too


def _restrict_paths(rules):
    """Landlock (without namespaces): read only ``rules["read"]``, read and write only
    ``rules["write"]``; no TCP; from ABI 6 on, no signal or abstract socket outside. A kernel
    without Landlock is told by the grader beforehand; here a failure ends the worker."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(444, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    if abi < 1:
        raise OSError(ctypes.get_errno(), "Landlock is not available")
    handled = LANDLOCK_FS.get(abi, LANDLOCK_ALL_FS)
    attr = [handled, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0]  # TCP bind+connect; scopes
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    buffer = ctypes.create_string_buffer(b"".join(v.to_bytes(8, "little") for v in attr))
    ruleset = libc.syscall(444, buffer, size, 0)
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for path, access in [*((p, LANDLOCK_READ) for p in rules.get("read", [])),
                             *((p, handled) for p in rules.get("write", []))]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # not on this machine
            try:
                if not stat.S_ISDIR(os.fstat(fd).st_mode):
                    access &= LANDLOCK_FILE
                rule = ctypes.create_string_buffer(
                    (access & handled).to_bytes(8, "little") + fd.to_bytes(4, "little"), 12)
                if libc.syscall(445, ruleset, 1, rule, 0) != 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
            finally:
                os.close(fd)
        if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.syscall(446, ruleset, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _install_seccomp(program):
    """Load a seccomp filter (used where no sandbox tool loaded one): no_new_privs, then the
    filter, through libc's prctl. A failure ends the worker, never grading without it."""
    import ctypes

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs, pr_set_seccomp, seccomp_mode_filter = 38, 22, 2
    fprog = Program(len(program) // 8, program)
    if (libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0) != 0
            or libc.prctl(pr_set_seccomp, seccomp_mode_filter, ctypes.byref(fprog), 0, 0) != 0):
        raise OSError(ctypes.get_errno(), "could not load the seccomp filter")


def serve(config):
    """Answer the grader's requests (import a module, call a function) until it closes the pipe."""
    req, resp = _pipes
    import numpy as np
    import protocol
    import stubs

    sys.path.append(config["package_root"])
    for module, reason in config.get("broken", {}).items():
        sys.modules[f"backprop.{module}"] = BrokenModule(f"backprop.{module}", reason)
    store = {}
    send = _sender(resp, protocol)
    send({"id": 0, "ok": True, "ready": True})
    while True:
        payload = protocol.read_message(req)
        if payload is None:
            return
        header, value = protocol.decode(payload)
        op = header.get("op")
        if op == "import":
            _import_module(header, send)
        elif op == "call":
            _call(header, value, store, send, (req, resp), (np, protocol, stubs))
        else:
            send({"id": header.get("id"), "ok": False,
                  "error": {"type": "BadRequest", "message": str(op)}})


def _sender(resp, protocol):
    """send(header, value): one reply to the grader; a value that cannot cross becomes an error."""

    def send(header, value=None):
        try:
            parts = protocol.encode_parts(header, value, opaque_ok=True)
        except BaseException as exc:  # noqa: BLE001 - unsendable student value
            parts = protocol.encode_parts(
                {"id": header.get("id"), "ok": False,
                 "error": {"type": "UngradableValue", "message": str(exc)[:300], "traceback": ""}},
                None,
            )
        protocol.write_parts(resp.fileno(), parts)

    return send


def _import_module(header, send):
    rid = header.get("id")
    name = f"backprop.{header['module']}"
    try:
        importlib.import_module(name)
        send({"id": rid, "ok": True})
    except BaseException as exc:  # noqa: BLE001 - any failure of student code
        reason = f"{type(exc).__name__}: {exc}"[:500]
        sys.modules[name] = BrokenModule(name, reason)
        send({"id": rid, **_error(exc)})


def _call(header, value, store, send, pipes, libraries):
    """Run one requested call of the student's code (its callees swapped in) and reply."""
    np, protocol, stubs = libraries
    rid = header.get("id")
    try:
        module = sys.modules.get(f"backprop.{header['module']}") or importlib.import_module(
            f"backprop.{header['module']}"
        )
        target = getattr(module, header["function"])
        args, kwargs = _resolve(value, store, protocol)
    except BaseException as exc:  # noqa: BLE001
        send({"id": rid, **_error(exc)})
        return
    np.seterr(divide="warn", over="warn", invalid="warn", under="ignore")
    caught = []
    undo = []
    watch = stubs.SilencingWatch(np)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if header.get("callees"):
                ahead = stubs.AnswersAhead(value.get("preanswers"), args, kwargs, np)
                undo = stubs.swap_in([tuple(c) for c in header["callees"]],
                                     _asker(rid, *pipes, protocol, stubs, ahead))
            watch.start()
            start = time.perf_counter()
            try:
                result = target(*args, **kwargs) if callable(target) else target
            finally:
                watch.stop()
            seconds = time.perf_counter() - start
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
        send({"id": rid, **_error(exc)})
        return
    finally:
        stubs.restore(undo)
        sys.stdout.flush()
    if header.get("store"):
        store[header["store"]] = result
    notes = [f"{w.category.__name__}: {w.message}"[:200] for w in caught[:5]]
    out = {"result": result}
    if header.get("return_args"):
        out["args"] = args
    send({"id": rid, "ok": True, "warnings": notes, "seconds": seconds,
          "silenced": watch.silenced}, out)


# Errors a grader's callee may raise in the student's code, as a correct function would.
CALLEE_ERRORS = {"ValueError": ValueError, "TypeError": TypeError, "KeyError": KeyError,
                 "IndexError": IndexError}


def _asker(rid, req, resp, protocol, stubs, ahead):
    """ask(name, args, kwargs) for stubs.swap_in: the answer sent ahead with the call when it
    fits (the grader is told, as it counts requests), else one request and one answer back."""

    def ask(name, args, kwargs):
        found = ahead.find(name, args, kwargs)
        if found is not ahead.MISSING:
            protocol.write_parts(resp.fileno(),
                                 protocol.encode_parts({"id": rid, "preanswered": name}, None))
            return found
        try:
            parts = protocol.encode_parts({"id": rid, "callee": name},
                                          {"args": list(args), "kwargs": dict(kwargs)},
                                          opaque_ok=True)
        except protocol.ProtocolError as exc:
            raise stubs.CalleeFailed(f"{name} could not be sent these arguments: {exc}") from None
        protocol.write_parts(resp.fileno(), parts)
        payload = protocol.read_message(req)
        if payload is None:
            raise SystemExit(0)
        header, value = protocol.decode(payload)
        if header.get("own"):
            return stubs.OWN
        if header.get("ok"):
            return value
        error = header.get("error") or {}
        raise CALLEE_ERRORS.get(error.get("type"), stubs.CalleeFailed)(str(error.get("message")))

    return ask


def _resolve(value, store, protocol):
    def walk(node):
        if isinstance(node, protocol.Ref):
            obj = store[node.path[0]]
            for key in node.path[1:]:
                obj = obj[key]
            return obj
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, tuple):
            return tuple(walk(v) for v in node)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    return walk(value.get("args", [])), walk(value.get("kwargs", {}))

