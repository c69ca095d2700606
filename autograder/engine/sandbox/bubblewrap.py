"""The bubblewrap sandbox's command line, the runtime it shows (Python and numpy), and the
probe that tells whether namespaces work on this machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

SANDBOX_DIR = Path(__file__).resolve().parent
# What the zygote and its workers run: their two mains, the protocol they speak and the
# correct callees' stand-ins (both from core/).
WORKER_FILES = (SANDBOX_DIR / "zygote_main.py", SANDBOX_DIR / "worker_main.py",
                SANDBOX_DIR.parent / "core" / "protocol.py",
                SANDBOX_DIR.parent / "core" / "stubs.py")
INSIDE_ENGINE, INSIDE_SITE, INSIDE_PACKAGE = "/sandbox/engine", "/sandbox/site", "/sandbox/pkg"
# As root, numpy is bound here first; the zygote lays an overlay of it on INSIDE_SITE and lets
# go of the bind, so that /proc/self/mountinfo does not name the folder it came from.
INSIDE_SOURCES, INSIDE_EMPTY = "/sandbox/src", "/sandbox/empty"
TMPFS_BYTES = {"/tmp": 64 * 1024**2, "/var/tmp": 16 * 1024**2, "/dev/shm": 16 * 1024**2}
TMPFS_INODES = 4096  # files and folders per temporary folder (each pins ~1 KB of the kernel's)
THREADS_ENV = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def _tools() -> dict[str, str | None]:
    return {name: shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin")
            for name in ("bwrap", "unshare", "setpriv")}


def namespaces_refused(root: bool) -> str:
    """'' if a bubblewrap sandbox starts here, else why not (one short sentence)."""
    tools = _tools()
    missing = [name for name, path in tools.items() if path is None]
    if missing:
        return f"{', '.join(missing)} not installed (Debian: apt-get install bubblewrap)"
    try:
        done = subprocess.run(sandbox_command(root), capture_output=True,
                              timeout=30, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap failed to start ({exc})"
    if done.returncode != 0:
        text = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
        return f"the kernel refused them ({text[-1] if text else f'exit {done.returncode}'})"
    return ""


def python_runtime() -> tuple[str, str]:
    """(interpreter, installation prefix) to run inside the sandbox: the base interpreter,
    never the virtualenv's site-packages (which may hold the grader itself)."""
    return os.path.realpath(sys.executable), sys.base_prefix


def numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [p for p in (package, package.with_name("numpy.libs")) if p.is_dir()]


def _runtime_binds(root: bool, file_fds: dict[str, int] | None) -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    _, prefix = python_runtime()
    if not Path(prefix).resolve().is_relative_to("/usr"):
        for parent in reversed(Path(prefix).parents[:-1]):  # bwrap makes new folders 0700
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", prefix, prefix]
    hidden = {sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})[k]
              for k in ("purelib", "platlib")}
    for site in sorted(hidden):  # the base installation's packages stay invisible
        if Path(site).is_dir():
            args += ["--tmpfs", site]
    for folder in numpy_dirs():
        if root and file_fds is not None:
            args += ["--dir", f"{INSIDE_SITE}/{folder.name}",
                     "--ro-bind", str(folder), f"{INSIDE_SOURCES}/{folder.name}"]
        else:  # as a user the binds are locked: they cannot be let go of
            args += ["--ro-bind", str(folder), f"{INSIDE_SITE}/{folder.name}"]
    if root and file_fds is not None:
        args += ["--dir", INSIDE_EMPTY]
    for path in WORKER_FILES:  # copies (no host path in mountinfo) where the caller gave data
        if file_fds is not None:
            args += ["--ro-bind-data", str(file_fds[path.name]), f"{INSIDE_ENGINE}/{path.name}"]
        else:
            args += ["--ro-bind", str(path), f"{INSIDE_ENGINE}/{path.name}"]
    return args


def sandbox_command(root: bool, *, package: Path | None = None, socket_fd: int | None = None,
                    extra: list[str] | None = None,
                    file_fds: dict[str, int] | None = None) -> list[str]:
    """The bwrap command line of a sandbox whose zygote talks on ``socket_fd`` (None: a probe
    that only imports numpy); ``file_fds``: the worker files' contents, by name."""
    tools = _tools()
    args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8",
            "--proc", "/proc", "--dev", "/dev", "--dir", "/var"]
    for folder in ("/sandbox", INSIDE_SITE, INSIDE_ENGINE):  # bwrap makes new folders 0700
        args += ["--perms", "0755", "--dir", folder]
    for key, value in THREADS_ENV.items():
        args += ["--setenv", key, value]
    if not root:  # CAP_SYS_ADMIN in the sandbox's own user namespace only: the network
        # namespace, then each worker's fresh world; every worker drops it before student code
        args += ["--unshare-user", "--cap-add", "CAP_SYS_ADMIN"]
    args += _runtime_binds(root, file_fds)
    for path, size in TMPFS_BYTES.items():
        args += ["--perms", "1777", "--size", str(size), "--tmpfs", path]
    if package is not None:
        args += ["--ro-bind", str(package), INSIDE_PACKAGE]
    args += ["--chdir", "/tmp", *(extra or [])]
    python, _ = python_runtime()
    command = [tools["unshare"], "--net", "--"]  # a network namespace with loopback down
    if not root:  # the zygote keeps CAP_SYS_ADMIN (ambient) to mount each worker's tmpfs
        command += [tools["setpriv"], "--no-new-privs", "--"]
    if socket_fd is None:
        command += [python, "-I", "-S", "-c",
                    f"import sys; sys.path.append({INSIDE_SITE!r}); import numpy"]
    else:
        command += [python, "-I", "-S", f"{INSIDE_ENGINE}/zygote_main.py", str(socket_fd),
                    INSIDE_SITE]
    return [tools["bwrap"], *args, "--", *command]
