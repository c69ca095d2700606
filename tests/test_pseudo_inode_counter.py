"""The kernel's one inode counter for pseudo-files, in the namespace modes (as root, and as a
user under bubblewrap): namespaces do not separate it, so a submission could move it (pipes,
sockets, /proc entries looked up for the first time, message queues, ...) and the next, or one
graded at the same time, read it (the inode number of a new pipe, socket or /proc entry).
The worker has no /proc, and its seccomp filter refuses every other way to take a number from
the counter; the same probes, run unconfined in the test process, take numbers and read them.
Also here: a pidfd's inode number (a count of every PID the machine ever made), the mount ids
(a count of every mount made), the inode counter of the kernel's internal tmpfs (shared
mappings take its numbers, a memfd's inode number reads it) and the sandbox's mount table."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["fresh_world_harness"]  # the fixtures: mode, probe_package, as_nobody
pytest.register_assert_rewrite("fresh_world_harness")  # imported here before pytest loads it
from fresh_world_harness import PROBE, _run  # noqa: E402

from autograder.engine.sandbox.chroot import chroot_refused  # noqa: E402

INODE_PROBE = textwrap.dedent('''
    import errno, mmap, sys

    pylibc = ctypes.PyDLL(None, use_errno=True)  # holds the GIL: the clone's child needs it
    pylibc.syscall.restype = ctypes.c_long

    CALLS = {"x86_64": {"io_setup": 206, "io_destroy": 207, "memfd_secret": 447, "clone": 56,
                        "name_to_handle_at": 303, "statx": 332, "listmount": 458,
                        "newfstatat": 262},
             "aarch64": {"io_setup": 0, "io_destroy": 1, "memfd_secret": 447, "clone": 220,
                         "name_to_handle_at": 264, "statx": 291, "listmount": 458,
                         "newfstatat": 79},
             }[os.uname().machine]
    libc.syscall.restype = ctypes.c_long
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    MAP_FAILED = 2**64 - 1

    def _checked(result):
        if result < 0:
            raise OSError(ctypes.get_errno(), "refused")
        return result

    def _inode_of(fd):
        """The inode number of a new descriptor (which is then closed)."""
        try:
            return os.fstat(fd).st_ino
        finally:
            os.close(fd)

    def _pipe():
        r, w = os.pipe()
        os.close(w)
        return _inode_of(r)

    def _pipe2():
        r, w = os.pipe2(0)
        os.close(w)
        return _inode_of(r)

    def _socketpair():
        a, b = socket.socketpair()
        b.close()
        return _inode_of(a.detach())

    def _message_queue():  # a new queue (an existing one of the same name would take none)
        name = f"/bp-probe-inode-{os.getpid()}-{os.urandom(4).hex()}".encode()
        fd = _checked(libc.mq_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600, None))
        libc.mq_unlink(name)
        return _inode_of(fd)

    def _aio_context():  # takes a number, shows none
        context = ctypes.c_ulong(0)
        _checked(libc.syscall(CALLS["io_setup"], 1, ctypes.byref(context)))
        libc.syscall(CALLS["io_destroy"], context)

    def _huge_page_mapping():  # takes a number even when no huge page is there to map
        address = libc.mmap(None, 2 << 20, 3, 0x22 | 0x40000, -1, 0)  # MAP_HUGETLB
        if address in (None, MAP_FAILED):
            raise OSError(ctypes.get_errno(), "refused")
        libc.munmap(ctypes.c_void_p(address), ctypes.c_size_t(2 << 20))

    def _proc_entry():
        """A /proc entry never looked up before: a new child's (kept as a zombie meanwhile).
        Where no process can be made (the uid mode), an entry of its own."""
        os.stat("/proc/self/status")
        child = os.fork()
        if child == 0:
            os._exit(0)
        try:
            return os.stat(f"/proc/{child}/status").st_ino
        finally:
            os.waitpid(child, 0)

    def _clone_with_pidfd():
        pidfd = ctypes.c_int(-1)
        pid = _checked(pylibc.syscall(CALLS["clone"], 0x1000 | 17, 0, ctypes.byref(pidfd), 0, 0))
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        return _inode_of(pidfd.value)

    def _file_handle():
        handle = ctypes.create_string_buffer(8 + 128)
        ctypes.memmove(handle, (128).to_bytes(4, "little"), 4)
        mount_id = ctypes.c_int(0)
        _checked(libc.syscall(CALLS["name_to_handle_at"], -100, b"/tmp", handle,
                              ctypes.byref(mount_id), 0))
        return mount_id.value

    def _mount_id():
        """The unique id of /tmp's mount (STATX_MNT_ID_UNIQUE): each worker's mounts are new."""
        answer = ctypes.create_string_buffer(256)
        _checked(libc.syscall(CALLS["statx"], -100, b"/tmp", 0, 0x4000, answer))
        return int.from_bytes(answer.raw[144:152], sys.byteorder)  # stx_mnt_id

    def _mount_list():
        request = (24).to_bytes(4, sys.byteorder) + bytes(4) + (2**64 - 1).to_bytes(8, sys.byteorder)
        request += bytes(8)  # size, spare, LSMT_ROOT, param
        ids = (ctypes.c_uint64 * 64)()
        count = _checked(libc.syscall(CALLS["listmount"], request, ids, 64, 0))
        return max(ids[:count])

    def _shared_zero_mapping():
        fd = os.open("/dev/zero", os.O_RDWR)
        try:
            mmap.mmap(fd, 4096).close()  # MAP_SHARED
        finally:
            os.close(fd)

    def _signalfd():
        mask = ctypes.create_string_buffer(128)
        return _inode_of(_checked(libc.signalfd(-1, mask, 0)))

    # Each takes a number of the pseudo-file inode counter (most also read it).
    COUNTER_WAYS = {
        "pipe": _pipe, "pipe2": _pipe2,
        "unix socket": lambda: _inode_of(socket.socket(socket.AF_UNIX).detach()),
        "inet socket": lambda: _inode_of(socket.socket().detach()),
        "socketpair": _socketpair, "message queue": _message_queue,
        "AIO context": _aio_context,
        "secret memory": lambda: _inode_of(_checked(libc.syscall(CALLS["memfd_secret"], 0))),
        "huge-page mapping": _huge_page_mapping,
    }
    # Counters of their own that every process shares: pidfs numbers every PID ever made, and
    # every mount made (each worker's are new) takes a new mount id.
    OTHER_WAYS = {
        "pidfd": lambda: _inode_of(os.pidfd_open(os.getpid())),
        "clone with a pidfd": _clone_with_pidfd, "file handle": _file_handle,
        "mount id": _mount_id, "mount list": _mount_list,
    }
    # Each takes a number of the kernel's internal tmpfs (which a memfd's inode number reads,
    # such as the worker's output file's, made by the grader).
    SHMEM_WAYS = {
        "shared mapping": lambda: mmap.mmap(-1, 4096).close(),  # MAP_SHARED | MAP_ANONYMOUS
        "shared mapping of /dev/zero": _shared_zero_mapping,
    }
    # Anonymous inodes: every such file shares one inode, made at boot.
    SHARED_INODE_WAYS = {
        "eventfd": lambda: _inode_of(os.eventfd(0)),
        "epoll": lambda: _inode_of(_checked(libc.epoll_create1(0))),
        "timerfd": lambda: _inode_of(_checked(libc.timerfd_create(1, 0))),
        "signalfd": _signalfd,
    }

    def pseudo_inodes():
        """What each way gives: the number it reads (None: it reads none), or the error's name."""
        found = {}
        for name, way in _ways().items():
            try:
                found[name] = way()
            except OSError as exc:
                found[name] = errno.errorcode.get(exc.errno, str(exc.errno))
        return found

    def move_pseudo_inodes(n):
        """What a submission would do to leave a mark: ``n`` numbers each way, and ``n`` PIDs
        for pidfs; then what each way reads."""
        for _ in range(n):
            for way in [*COUNTER_WAYS.values(), *SHMEM_WAYS.values()]:
                try:
                    way()
                except OSError:
                    pass
            try:
                pid = os.fork()
            except OSError:  # the uid mode makes no process
                continue
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)
        for pid in range(1, n):  # entries of /proc looked up for the first time
            try:
                os.stat(f"/proc/{pid}/status")
            except OSError:
                pass
        return pseudo_inodes()

    def _ways():
        return {**COUNTER_WAYS, **OTHER_WAYS, **SHMEM_WAYS, **SHARED_INODE_WAYS,
                "/proc entry": _proc_entry}

    def _memfd():
        return _inode_of(os.memfd_create("probe"))

    def numbers_taken(name, measure="pipe"):
        """Unconfined, pinned to one CPU (each counter hands each CPU its numbers in order): how
        many numbers one use of a way takes (new pipes or memfds measure it)."""
        reading = {"pipe": _pipe, "memfd": _memfd}[measure]
        before = reading()
        try:
            _ways()[name]()
        except OSError:
            pass
        return reading() - before - 1

    def _fstatat_empty(fd):
        """newfstatat(fd, "", AT_EMPTY_PATH), which Python's os.stat does not call: the mode
        and inode number of a struct stat (x86_64 and aarch64 layouts)."""
        buffer = ctypes.create_string_buffer(256)
        if pylibc.syscall(CALLS["newfstatat"], fd, b"", buffer, 0x1000) != 0:
            raise OSError(ctypes.get_errno(), "newfstatat")
        ino = int.from_bytes(buffer.raw[8:16], sys.byteorder)
        at = 24 if os.uname().machine == "x86_64" else 16
        mode = int.from_bytes(buffer.raw[at:at + 4], sys.byteorder)
        return os.stat_result((mode, ino, 0, 0, 0, 0, 0, 0, 0, 0))

    def pipe_inodes():
        """The inode numbers of every pipe and anonymous file (memfd) among its fds, read
        directly, through a copy made with dup or fcntl, or by fstatat: each reads a counter
        every process shares as it was when the grader made it (for each worker it starts)."""
        import fcntl, stat
        found = {}
        for fd in range(64):
            ways = {"fstat": lambda: os.fstat(fd), "dup": lambda: os.fstat(os.dup(fd)),
                    "fcntl": lambda: os.fstat(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)),
                    "dup2": lambda: os.fstat(os.dup2(fd, 101)),
                    "fstatat": lambda: _fstatat_empty(fd)}
            for way, read in ways.items():
                try:
                    info = read()
                except (OSError, ValueError):
                    continue
                if stat.S_ISFIFO(info.st_mode) or (stat.S_ISREG(info.st_mode)
                                                   and way != "fstatat" and info.st_nlink == 0):
                    found[f"{way} {fd}"] = info.st_ino
        return found

    def proc_view():
        """What the worker sees at /proc: its entries, its filesystem type, the mount table."""
        statfs = ctypes.create_string_buffer(256)
        proc = libc.statfs(b"/proc", statfs) == 0  # no /proc at all in a root of its own
        try:
            with open("/proc/self/mountinfo") as fh:
                mountinfo = fh.read()
        except OSError as exc:
            mountinfo = errno.errorcode.get(exc.errno, str(exc.errno))
        return {"entries": sorted(os.listdir("/proc"))[:10] if proc else [],
                "proc filesystem": proc and int.from_bytes(statfs.raw[:8], sys.byteorder) == 0x9FA0,
                "mountinfo": mountinfo}
''')


@pytest.fixture
def probe_package(tmp_path) -> Path:
    package = tmp_path / "pkg" / "backprop"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "probe.py").write_text(PROBE + INODE_PROBE)
    return package


def _unconfined() -> dict:
    """The probe's functions, to run here in the test process (no sandbox)."""
    namespace: dict = {}
    exec(compile(PROBE + INODE_PROBE, "probe", "exec"), namespace)
    return namespace


class _OneCpu:
    """The test process pinned to one CPU, where the counter hands out its numbers in order."""

    def __enter__(self):
        self.cpus = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(self.cpus)})

    def __exit__(self, *exc):
        os.sched_setaffinity(0, self.cpus)


def _assert_refused(found: dict) -> None:
    """Every way to take or read a number is refused by the seccomp filter (EPERM; statx
    answers ENOSYS, as on an older kernel), /proc is not there (ENOENT), and the anonymous
    files all read the one inode they share. In a root of its own (the uid mode) a way that
    opens a device first finds none (ENOENT)."""
    probe = _unconfined()
    taking = [*probe["COUNTER_WAYS"], *probe["OTHER_WAYS"], *probe["SHMEM_WAYS"]]
    expected = {**dict.fromkeys(taking, "EPERM"),
                "mount id": "ENOSYS", "/proc entry": "ENOENT"}
    devices = {"shared mapping of /dev/zero"}
    got = {name: "EPERM" if name in devices and found[name] == "ENOENT" else found[name]
           for name in expected}
    assert got == expected, found
    shared = {found[name] for name in probe["SHARED_INODE_WAYS"]}
    assert len(shared) == 1 and isinstance(shared.pop(), int), found


def _assert_open_unconfined() -> None:
    """The control: here, outside the sandbox, each way works and takes numbers, and the
    anonymous files take none."""
    probe = _unconfined()
    found = probe["pseudo_inodes"]()
    absent = {name for name, value in found.items() if value == "ENOSYS"}  # not in this kernel
    usable = {name: value for name, value in found.items() if name not in absent}
    errors = {name: value for name, value in usable.items() if isinstance(value, str)}
    assert set(errors) <= {"huge-page mapping"}, errors  # no huge page to map: still a number
    with _OneCpu():
        # Another process on that CPU can only add numbers: the least of five tries. A new
        # /proc entry's inode may be made by a concurrent scan of /proc instead (the other
        # tests' process lists): the most of five.
        taken = {name: min(probe["numbers_taken"](name) for _ in range(5)) for name in
                 [*probe["COUNTER_WAYS"], *probe["SHARED_INODE_WAYS"]] if name not in absent}
        taken["/proc entry"] = max(probe["numbers_taken"]("/proc entry") for _ in range(5))
    none = [name for name in [*probe["COUNTER_WAYS"], "/proc entry"] if taken.get(name, 1) < 1]
    assert not none, (none, taken)
    assert all(taken[name] == 0 for name in probe["SHARED_INODE_WAYS"]), taken
    with _OneCpu():
        shmem = {name: probe["numbers_taken"](name, "memfd") for name in probe["SHMEM_WAYS"]}
    assert all(taken >= 1 for taken in shmem.values()), shmem


def test_the_worker_takes_and_reads_no_number_of_the_pseudo_inode_counter(mode, probe_package):
    if mode != "namespaces" and chroot_refused():
        pytest.skip("without namespaces or chroot a stat of /proc entries cannot be refused: "
                    "docs/security.md leaves the counter open then")
    found, = _run(probe_package, ("pseudo_inodes",))
    _assert_refused(found)
    _assert_open_unconfined()


def test_the_pseudo_inode_counter_carries_nothing_to_the_next_submission(mode, probe_package):
    """A submission that tries every way to move the counters (300 times each, 300 PIDs,
    300 /proc lookups) leaves the next one nothing to read; here, unconfined, the same moves
    show in what a new pipe and a new pidfd read."""
    if mode != "namespaces" and chroot_refused():
        pytest.skip("without chroot the uid mode leaves the pseudo-file inode counter open "
                    "(docs/security.md)")
    moved, = _run(probe_package, ("move_pseudo_inodes", 300))
    after, = _run(probe_package, ("pseudo_inodes",))
    assert after == moved, "something read differs after a submission moved the counters"
    _assert_refused(after)
    probe = _unconfined()
    with _OneCpu():
        before = probe["pseudo_inodes"]()
        moved_here = probe["move_pseudo_inodes"](50)
    assert moved_here["pipe"] - before["pipe"] > 50 * len(probe["COUNTER_WAYS"]), moved_here
    new_child = "clone with a pidfd"  # pidfs numbers each PID made, in any namespace
    assert moved_here[new_child] - before[new_child] > 50, (before, moved_here)


def test_the_worker_reads_no_inode_number_of_its_own_pipes_and_output(mode, probe_package):
    """The grader makes two pipes for every worker it starts (and as a user a sandbox with
    memfds), so a submission that ends its worker on purpose moves shared counters, and the
    next could read them in its own pipes' and output file's inode numbers: no fstat, dup or
    fcntl copy of them works. Here, unconfined, each way reads them."""
    found, = _run(probe_package, ("pipe_inodes",))
    assert found == {}, found
    read, write = os.pipe()
    memfd = os.memfd_create("control")
    try:
        here = _unconfined()["pipe_inodes"]()
    finally:
        for fd in (read, write, memfd):
            os.close(fd)
    for way in ("fstat", "dup", "fcntl", "dup2", "fstatat"):
        assert f"{way} {read}" in here, here
    assert f"fstat {memfd}" in here, here


def test_the_worker_has_no_proc_and_no_mountinfo(mode, probe_package):
    """No proc filesystem in the worker's view (the zygote let go of its own and of the
    sandbox's), so no /proc/self/mountinfo to name the sandbox's folders either."""
    if mode != "namespaces" and chroot_refused():
        pytest.skip("without namespaces or chroot the worker shares the machine's /proc "
                    "(Landlock closes its files; a stat of its entries stays open)")
    view, = _run(probe_package, ("proc_view",))
    assert view == {"entries": [], "proc filesystem": False, "mountinfo": "ENOENT"}, view
    here = _unconfined()["proc_view"]()
    assert here["proc filesystem"] and here["entries"] and " / " in here["mountinfo"], here


def test_as_a_user_the_worker_takes_and_reads_no_number_of_the_pseudo_inode_counter(as_nobody):
    found = as_nobody("pseudo_inodes")
    _assert_refused(found)
    assert as_nobody("move_pseudo_inodes", 300) == found
    assert as_nobody("pseudo_inodes") == found
    _assert_open_unconfined()


def test_as_a_user_the_worker_has_no_proc_and_no_mountinfo(as_nobody):
    """As a user, bubblewrap's /proc is locked in the sandbox: the zygote hides it under an
    empty read-only folder, so mountinfo (which named numpy's folder on the machine) is gone."""
    import numpy

    view = as_nobody("proc_view")
    assert view == {"entries": [], "proc filesystem": False, "mountinfo": "ENOENT"}, view
    assert str(Path(numpy.__file__).resolve().parent) not in str(view)
    here = _unconfined()["proc_view"]()
    assert here["proc filesystem"] and here["entries"] and " / " in here["mountinfo"], here
