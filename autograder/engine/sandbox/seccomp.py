"""The seccomp programs (classic BPF) loaded around student code: the sandbox's and the
worker's. Built here, loaded by bubblewrap or by the worker itself (worker_main.py)."""

from __future__ import annotations

import os
import struct


def keyring_filter() -> bytes | None:
    """A seccomp program that makes add_key, request_key and keyctl fail with EPERM.

    A uid's keyring outlives its processes, so it would carry data from one submission to the
    next graded under the same uid. Returns None on architectures not listed here.
    """
    arches = {"x86_64": (0xC000003E, (248, 249, 250)), "aarch64": (0xC00000B7, (217, 218, 219))}
    machine = os.uname().machine
    if machine not in arches:
        return None
    arch, numbers = arches[machine]
    ld_abs, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    # Another architecture's calls (i386 on x86_64) and x32 calls are denied outright.
    code = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, deny), (ld_abs, 0, 0, 0),
            (jge, len(numbers) + 1, 0, 0x40000000)]
    code += [(jeq, len(numbers) - i, 0, n) for i, n in enumerate(numbers)]
    code += [(ret, 0, 0, allow), (ret, 0, 0, deny)]
    return b"".join(struct.pack("=HBBI", *insn) for insn in code)


# Calls no grading needs and each a channel or a way to pin memory no limit counts: sockets (the
# network, Otter's log receiver), ptrace and reading other processes' memory, keyrings (they
# outlive a uid's processes), System V IPC (objects and ids outlive the worker), namespaces of
# its own (a user namespace brings its own tmpfs), file locks and inotify (signals through the
# shared read-only runtime), memfd (memory outside the address-space limit), bpf, perf events,
# userfaultfd and io_uring (kernel surface), POSIX message queues. And counters every process of
# the machine shares, whatever its namespaces: pipes, sockets, message queues, AIO contexts and
# secret memory each take the next number of the kernel's one inode counter for pseudo-files
# (which their inode number reads); a pidfd's inode number counts every PID ever made; file
# handles hold mount ids (a counter of every mount made) and open pidfds by number, and so do
# statmount and listmount.
WORKER_DENIED = ("socket", "socketpair", "ptrace", "process_vm_readv", "process_vm_writev",
                 "kcmp", "add_key", "request_key", "keyctl", "shmget", "shmat", "shmctl",
                 "shmdt", "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd",
                 "msgrcv", "msgctl", "unshare", "setns", "flock", "inotify_init",
                 "inotify_init1", "inotify_add_watch", "fanotify_init", "fanotify_mark",
                 "memfd_create", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
                 "mq_open", "pipe", "pipe2", "pidfd_open", "pidfd_getfd", "io_setup",
                 "memfd_secret", "name_to_handle_at", "open_by_handle_at", "statmount",
                 "listmount")
# Calls that answer ENOSYS, as on an older kernel, so that libc falls back: clone3 (whose flags a
# filter cannot read: clone instead) and statx (it reads mount ids: fstatat instead).
NOT_THERE = ("clone3", "statx")
# Without namespaces a worker shares the machine's PID counter: it must not move it. No new
# process or thread (each takes the next number, which the next submission would read in its
# own PID).
SINGLE_PROCESS_DENIED = ("clone", "fork", "vfork")
SYSCALLS = {
    "x86_64": (0xC000003E, {
        "socket": 41, "socketpair": 53, "ptrace": 101, "process_vm_readv": 310,
        "process_vm_writev": 311, "kcmp": 312, "add_key": 248, "request_key": 249,
        "keyctl": 250, "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64,
        "semop": 65, "semctl": 66, "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70,
        "msgctl": 71, "unshare": 272, "setns": 308, "flock": 73, "inotify_init": 253,
        "inotify_init1": 294, "inotify_add_watch": 254, "fanotify_init": 300,
        "fanotify_mark": 301, "memfd_create": 319, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "io_uring_setup": 425, "mq_open": 240, "clone": 56, "clone3": 435,
        "fcntl": 72, "fork": 57, "vfork": 58, "pipe": 22, "pipe2": 293, "pidfd_open": 434,
        "pidfd_getfd": 438, "io_setup": 206, "memfd_secret": 447, "name_to_handle_at": 303,
        "open_by_handle_at": 304, "mmap": 9, "statx": 332, "statmount": 457,
        "listmount": 458, "fstat": 5, "newfstatat": 262, "dup": 32, "dup2": 33, "dup3": 292}),
    "aarch64": (0xC00000B7, {
        "socket": 198, "socketpair": 199, "ptrace": 117, "process_vm_readv": 270,
        "process_vm_writev": 271, "kcmp": 272, "add_key": 217, "request_key": 218,
        "keyctl": 219, "shmget": 194, "shmat": 196, "shmctl": 195, "shmdt": 197, "semget": 190,
        "semop": 193, "semctl": 191, "semtimedop": 192, "msgget": 186, "msgsnd": 189,
        "msgrcv": 188, "msgctl": 187, "unshare": 97, "setns": 268, "flock": 32,
        "inotify_init1": 26, "inotify_add_watch": 27, "fanotify_init": 262,
        "fanotify_mark": 263, "memfd_create": 279, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "io_uring_setup": 425, "mq_open": 180, "clone": 220, "clone3": 435,
        "fcntl": 25, "pipe2": 59, "pidfd_open": 434, "pidfd_getfd": 438, "io_setup": 0,
        "memfd_secret": 447, "name_to_handle_at": 264, "open_by_handle_at": 265, "mmap": 222,
        "statx": 291, "statmount": 457, "listmount": 458, "fstat": 80, "newfstatat": 79,
        "dup": 23, "dup3": 24}),
}
CLONE_NAMESPACES = 0x7E020000  # CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
CLONE_PIDFD = 0x1000  # a pidfd of the child: its inode number counts every PID ever made
# Mappings that take a number of a counter every process shares: a huge-page mapping one of the
# pseudo-file inode counter (even when it fails), a shared mapping of anonymous memory or of
# /dev/zero one of the kernel's internal tmpfs (which a memfd's inode number, such as the
# worker's output file's, reads). MAP_SHARED_VALIDATE has the MAP_SHARED bit too.
MAP_HUGETLB, MAP_SHARED = 0x40000, 0x01
FCNTL_LOCKS = (5, 6, 7, 36, 37, 38)  # F_GETLK, F_SETLK, F_SETLKW and their OFD forms
# Where each worker keeps its request and reply pipes (worker_main.py). Their inode numbers,
# and its output file's (fds 1 and 2, a memfd), read counters every process shares, which the
# grader's own work moves for each worker it starts (new pipes; as a user, a new sandbox's
# memfds), so a submission that ends its worker on purpose moves them: no fstat of these fds,
# and no copy of them to fstat.
PROTOCOL_FDS = (3, 4)
UNREADABLE_FDS = (1, 2, *PROTOCOL_FDS)
FD_STAT_CALLS = ("fstat", "newfstatat", "dup", "dup2", "dup3")
FCNTL_DUPS = (0, 1030)  # F_DUPFD, F_DUPFD_CLOEXEC


def worker_filter(single_process: bool = False) -> bytes | None:
    """The seccomp program every worker loads before student code runs: WORKER_DENIED, clone
    with a namespace flag or CLONE_PIDFD, mmap with MAP_HUGETLB or MAP_SHARED, fcntl's locks,
    and FD_STAT_CALLS and fcntl's dups on UNREADABLE_FDS fail with EPERM; NOT_THERE fails with
    ENOSYS. ``single_process`` (no namespaces): SINGLE_PROCESS_DENIED too, clone with any
    flags. None on other architectures."""
    machine = os.uname().machine
    if machine not in SYSCALLS:
        return None
    arch, numbers = SYSCALLS[machine]
    ld_abs, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    arg0, arg1, arg3 = 16, 24, 40  # offsets of the low words of arguments 0, 1 and 3
    code = [(ld_abs, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, eperm), (ld_abs, 0, 0, 0),
            (jge, 0, 1, 0x40000000), (ret, 0, 0, eperm)]  # other ABIs (x32) are denied
    for name in (*WORKER_DENIED, *(SINGLE_PROCESS_DENIED if single_process else ())):
        if name in numbers:
            code += [(jeq, 0, 1, numbers[name]), (ret, 0, 0, eperm)]
    for name in NOT_THERE:
        code += [(jeq, 0, 1, numbers[name]), (ret, 0, 0, enosys)]
    code += [(jeq, 0, 4, numbers["clone"]), (ld_abs, 0, 0, arg0),
             (jset, 0, 1, CLONE_NAMESPACES | CLONE_PIDFD), (ret, 0, 0, eperm), (ret, 0, 0, allow)]
    code += [(jeq, 0, 4, numbers["mmap"]), (ld_abs, 0, 0, arg3),
             (jset, 0, 1, MAP_HUGETLB | MAP_SHARED), (ret, 0, 0, eperm), (ret, 0, 0, allow)]
    for name in (n for n in FD_STAT_CALLS if n in numbers):  # on those fds: refused
        code += [(jeq, 0, 2 + 2 * len(UNREADABLE_FDS), numbers[name]), (ld_abs, 0, 0, arg0)]
        for fd in UNREADABLE_FDS:
            code += [(jeq, 0, 1, fd), (ret, 0, 0, eperm)]
        code += [(ret, 0, 0, allow)]
    fcntl = [(ld_abs, 0, 0, arg1)]
    for command in FCNTL_LOCKS:
        fcntl += [(jeq, 0, 1, command), (ret, 0, 0, eperm)]
    for i, command in enumerate(FCNTL_DUPS):  # a dup: on to its fd
        fcntl += [(jeq, len(FCNTL_DUPS) - i, 0, command)]
    fcntl += [(ret, 0, 0, allow), (ld_abs, 0, 0, arg0)]
    for fd in UNREADABLE_FDS:
        fcntl += [(jeq, 0, 1, fd), (ret, 0, 0, eperm)]
    fcntl += [(ret, 0, 0, allow)]
    code += [(jeq, 0, len(fcntl), numbers["fcntl"]), *fcntl, (ret, 0, 0, allow)]
    return b"".join(struct.pack("=HBBI", *insn) for insn in code)
