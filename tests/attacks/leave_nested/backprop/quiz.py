"""ATTACK leave_nested: hide answers for the next submission deep in every world-writable place.

What it tries: at import, in every folder of the machine others may write to (the usual
temporary and lock folders, /run/lock among them, and every world-writable folder it finds
below them, such as /tmp/.X11-unix), it makes a chain of 40 nested folders, open to all, with
its quiz answers in a file at the bottom and another beside each top folder, hidden behind a
dot. use_nested, graded after it under what may be the same uid, looks for them.

What the grader must guarantee: nothing of it is left anywhere for the next submission: in the
namespace modes its temporary folders are its own; in the uid mode Landlock keeps it out of
them, and without Landlock the clean-up removes what the uid owns at any depth of every
world-writable folder. use_nested scores as its honest twin. Its own answers are the same.
"""

import json
import os
import stat

ATTACK = True  # the honest twin sets this to False
ANSWERS = {number: "C" for number in range(1, 11)}  # right or wrong, the same for its twin
TRACE = json.dumps(ANSWERS).encode()
PLACES = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock", "/var/lock",
          "/var/crash", "/var/mail", "/run/shm")


def _writable_folders(limit: int = 2000) -> list[str]:
    """Every world-writable folder at or below PLACES (bounded, without following links)."""
    found, stack, seen = [], list(PLACES), 0
    while stack and seen < limit:
        folder = stack.pop()
        seen += 1
        try:
            info = os.lstat(folder)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or not info.st_mode & 0o002:
            continue
        found.append(folder)
        try:
            stack += [os.path.join(folder, name) for name in os.listdir(folder)]
        except OSError:
            pass
    return found


def _hide(folder: str) -> None:
    deep = os.path.join(folder, ".bpattack-nested")
    try:
        for level in range(40):
            os.makedirs(deep, exist_ok=True)
            os.chmod(deep, 0o777)
            deep = os.path.join(deep, f"n{level}")
        os.makedirs(deep, exist_ok=True)
        for target in (os.path.join(deep, "answers.json"),
                       os.path.join(folder, ".bpattack-nested-answers.json")):
            with open(target, "wb") as fh:
                fh.write(TRACE)
            os.chmod(target, 0o666)
    except OSError:
        pass


if ATTACK:
    for place in _writable_folders():
        _hide(place)
