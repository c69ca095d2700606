"""ATTACK use_nested: answer the quiz with what leave_nested hid in world-writable folders.

What it tries: its own answers are empty; at import it walks every folder of the machine
others may write to (the temporary and lock folders and what is below them, hidden folders
included, 60 levels deep at most) for a file that holds answers, and takes the first it finds.

What the grader must guarantee: nothing of an earlier submission is there to find, so the quiz
scores as the honest twin's empty answers: 0.
"""

import json
import os
import stat

ATTACK = True  # the honest twin sets this to False
PLACES = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue", "/run/lock", "/var/lock",
          "/var/crash", "/var/mail", "/run/shm")


def _found(limit: int = 20000) -> dict:
    stack, seen = [(p, 0) for p in PLACES], 0
    while stack and seen < limit:
        path, depth = stack.pop()
        seen += 1
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and depth < 60:
            try:
                stack += [(os.path.join(path, n), depth + 1) for n in os.listdir(path)]
            except OSError:
                pass
        elif stat.S_ISREG(info.st_mode) and path.endswith("answers.json"):
            try:
                with open(path, "rb") as fh:
                    return {int(k): v for k, v in json.loads(fh.read(4096)).items()}
            except (OSError, ValueError, AttributeError):
                continue
    return {}


ANSWERS = _found() if ATTACK else {}
