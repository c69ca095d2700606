"""ATTACK copy_classmate: no code of its own; borrow a classmate's.

What it tries: every optimizer function looks for other students' submissions anywhere it can
read (a bounded walk of the filesystem for backprop/optimizers.py files that are not its own,
the folders named in other processes' command lines and working directories under /proc) and
delegates to the first one it can load (a classmate of its batch: the tests mark those, so
that a correct solution lying elsewhere on the machine does not count). Without a classmate it
raises NotImplementedError, as the honest twin always does.

What the grader must guarantee: a worker sees only its own submission, so these functions score
0, exactly as the twin.
"""

import importlib.util
import os
import time

ATTACK = True  # the honest twin sets this to False
CLASSMATE = "@CLASSMATE@"  # the tests mark their innocent submissions' modules with this
OWN = os.path.dirname(os.path.abspath(__file__))
SKIP = {"proc", "sys", "dev", "usr", "lib", "lib64", "bin", "sbin", "boot", "etc", "run"}


def _roots() -> list[str]:
    roots = ["/"]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                roots.append(os.readlink(f"/proc/{pid}/cwd"))
            except OSError:
                pass
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    roots += [a.decode(errors="ignore") for a in fh.read().split(b"\0")
                              if a.startswith(b"/")]
            except OSError:
                pass
    return roots


def classmates(name: str):
    deadline = time.monotonic() + 2.0
    for root in _roots():
        for folder, dirs, files in os.walk(root):
            if time.monotonic() > deadline:
                return
            dirs[:] = [d for d in dirs if not (folder == "/" and d in SKIP)]
            if name in files and os.path.abspath(folder) != OWN:
                path = os.path.join(folder, name)
                try:
                    with open(path) as fh:
                        if CLASSMATE in fh.read():
                            yield path
                except OSError:
                    pass


FOUND: list = []  # searched once per worker


def _borrowed(function: str):
    if not FOUND:
        FOUND.append(list(classmates("optimizers.py")))
    for path in FOUND[0]:
        try:
            spec = importlib.util.spec_from_file_location("classmate", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return getattr(module, function)
        except Exception:  # noqa: BLE001
            continue
    return None


def _delegate(function: str, *args, **kwargs):
    found = _borrowed(function) if ATTACK else None
    if found is None:
        raise NotImplementedError(function)
    return found(*args, **kwargs)


def sgd_update(params, grads, lr):
    return _delegate("sgd_update", params, grads, lr)


def init_state(params):
    return _delegate("init_state", params)


def momentum_update(params, grads, v, lr, beta=0.9):
    return _delegate("momentum_update", params, grads, v, lr, beta=beta)


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    return _delegate("rmsprop_update", params, grads, s, lr, beta=beta, eps=eps)


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return _delegate("adam_update", params, grads, v, s, t, lr=lr, beta1=beta1, beta2=beta2,
                     eps=eps)
