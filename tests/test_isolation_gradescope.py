"""The isolation attacks (tests/attacks/) run through the Gradescope autograder, as root.

Each attack is uploaded on its own, as Gradescope grades one submission per container, into a
layout like Gradescope's (autograder/packaging/local_run.py), with whatever sandbox this machine
gives (namespaces here; tests/test_gradescope_layout.py also runs its adversarial submission with
the uid drop only). The attack must score no more than its honest twin graded by the engine,
function by function; root-owned canary files stay byte-identical; no secret (a root-only
file's content, a variable of the grading process's environment) is in results.json or Otter's
output; and no process of the sandbox uids is left.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest
from test_grader_security import assemble  # noqa: E402
from test_isolation import ATTACKS, SECRET_ENV, SECRET_FILE, World, _digest, sandbox_processes  # noqa: E402

from autograder.engine.grading_host import grade_submission  # noqa: E402
from autograder.engine.sandbox.uids import is_root  # noqa: E402
from autograder.packaging import local_run  # noqa: E402

pytestmark = pytest.mark.skipif(not is_root(), reason="Gradescope runs the autograder as root")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    return make_world(tmp_path_factory)


def make_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Canary files and a range of sandbox uids of its own (each file of attacks makes its own)."""
    canary = Path(tmp_path_factory.mktemp("canary"))
    for name in ("root-only.txt", "grader-only.txt"):
        (canary / name).write_text(SECRET_FILE + "\n")
        os.chmod(canary / name, 0o600)
    (canary / "world-readable.txt").write_text("public text\n")
    return World(canary, _digest(canary), 9, [], random.randrange(200_000, 900_000, 1000),
                 canary)


# One submission per container: attacks on the next or a concurrent submission do not apply
# (what they leave, no submission reads; what they read, none left: they cannot fail there).
ALONE = [a for a in ATTACKS if a not in ("leave_counters", "use_counters", "signal_neighbours",
                                         "leave_traces", "use_traces", "leave_nested",
                                         "use_nested")]
# The attacks on the grader's channel, its output and its resources: the longest to grade, run
# in test_isolation_gradescope_channel.py, beside this file's, by another pytest-xdist worker.
CHANNEL = ("forge_replies", "huge_returns", "poison_text", "snoop_and_call_out",
           "pin_kernel_memory")


@pytest.mark.parametrize("name", [a for a in ALONE if a not in CHANNEL])
def test_attack_is_contained_on_gradescope(name, world, autograder_zip, tmp_path, monkeypatch):
    contained_on_gradescope(name, world, autograder_zip, tmp_path, monkeypatch)


def contained_on_gradescope(name: str, world: World, autograder_zip: Path, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack ``name`` uploaded on its own to the Gradescope layout is contained."""
    values = {"@CANARY@": str(world.canary), "@PORT@": "9", "@CLASSMATE@": "BPCLASSMATE"}
    attack = assemble(name, tmp_path / "attack", honest=False, placeholders=values)
    twin = assemble(name, tmp_path / "twin", honest=True, placeholders=values)
    monkeypatch.setenv("BACKPROP_LAB_UID_BASE", str(world.uid_base))  # Otter's kernel inherits
    monkeypatch.setenv("BACKPROP_LAB_UID_COUNT", "64")
    monkeypatch.setenv("BACKPROP_LAB_TEST_SECRET", SECRET_ENV)
    done = local_run.run_like_gradescope(autograder_zip, attack / "backprop")
    assert done.results is not None, done.stdout[-2000:] + done.stderr[-2000:]
    honest = grade_submission(twin)
    got = {t["name"]: t for t in done.results["tests"]}
    more = {f: (got[f]["score"], r.score) for f, r in honest.functions.items()
            if f in got and got[f]["score"] > r.score + 1e-6}
    assert not more, f"{name} scores more than its honest twin on Gradescope: {more}"
    assert _digest(world.canary) == world.hashes, "a canary file changed"
    shown = json.dumps(done.results) + done.stdout + done.stderr
    assert SECRET_FILE not in shown and SECRET_ENV not in shown, "a secret reached the output"
    assert not sandbox_processes(world), sandbox_processes(world)
