"""Tests of the tests: adversarial submissions against the grader ("student code is hostile").

Each attack in tests/attacks/<name>/backprop/ replaces a few modules of a correct package (the
rest comes from tests/variants/tuple_cache, so no solution text is ever part of a submission);
every attack module says in its docstring what it tries and what the grader must guarantee.
Each attack module holds ``ATTACK = True``; its honest twin is the same package with
``ATTACK = False``: the same values, without the hostile part. For every attack:

- no undue credit: no function scores more than in the honest twin, the total neither; the
  functions the attack breaks score 0 where declared; functions the attack cannot reach (call
  graph and import graph of the assembled package, read with ast) keep the twin's full marks;
- grading finishes (< 120 s) and its feedback and captured output stay bounded;
- nothing the attack started is still running afterwards (/proc, by marker);
- forged result files do not exist afterwards in /autograder/results or the repository, nor
  planted modules; no file of the repository (autograder/ and solutions/ included) was written
  by the worker: a file changed during grading fails the test when its owner is not the
  repository's or it carries an attack marker, and only warns otherwise (somebody editing
  the repository while the tests run); the same for `git status`; the pickle bomb never went
  off; a bystander process survives;
- no text of the hidden checks, the rubric or the solutions appears in feedback or captured
  output (meaningful only when the grader runs as root and can drop privileges: skipped
  otherwise, as are the other guarantees that only a privilege drop can give).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from grader_harness import (  # noqa: E402
    ROOT,
    TESTS,
    engine,
    full,
    grade_in_subprocess,
    plain,
    variant_copy,
)

from autograder import mistakes as graph  # noqa: E402  (call-graph helpers)

ATTACKS_DIR = TESTS / "attacks"
BASE = "tuple_cache"  # the correct variant every attack is laid over
IS_ROOT = os.geteuid() == 0
ROOT_REASON = ("the grader does not run as root here, so it cannot run student code under "
               "another uid: this guarantee is only required (and only testable) as root")
TIME_LIMIT = 120.0
# Attacks whose functions hang on purpose, or whose train (which runs the whole stack) floods or
# searches the process's memory on every call, wait this long per call (not the rubric's 3 s and
# 15 s): the reference code they leave in place needs milliseconds.
HANG_TIMEOUTS = {"infinite_loop_function": {"default": 1.5, "train": 3.0},
                 "infinite_loop_import": {"import": 2.0},
                 "callee_flood": {"train": 1.5},
                 "frame_snooping": {"train": 1.5},
                 "read_callee": {"train": 1.5}}
STDOUT_LIMIT = 1_000_000
FEEDBACK_LIMIT = 100_000
# Split so that no source file carries the marker itself (the clean-up looks for it).
FORGE_MARKER = "BPATTACK-" + "FORGED-RESULTS"
FORGED_NAMES = {"results.json", "grades.csv"}
PLANTED_NAME, PLANT_MARKER = "bpattack_planted.py", "BPATTACK-" + "PLANTED"
SNAPSHOT_SKIP = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}
BOMB_FILE = Path("/tmp/BPATTACK-unpickled-by-the-grader")
VICTIM_MARKER = "BPATTACK-victim"

ACT = frozenset(graph.GRADED_MODULES["activations"])
LOSS = frozenset(graph.GRADED_MODULES["losses"])
LAYER = frozenset(graph.GRADED_MODULES["layers"])
OPT = frozenset(graph.GRADED_MODULES["optimizers"])


@dataclass(frozen=True)
class Attack:
    name: str
    targets: frozenset[str] = frozenset()  # graded functions whose body runs the attack
    on_import: tuple[str, ...] = ()  # modules whose import runs the attack
    zero: frozenset[str] = frozenset()  # must score exactly 0
    wrong: frozenset[str] = frozenset()  # the twin returns wrong values there (must lose points)
    process_wide: bool = False  # changes the whole worker: no function is out of its reach
    markers: tuple[str, ...] = ()  # in /proc/*/cmdline or comm: must not survive grading
    root_only_credit: frozenset[str] = frozenset()  # no-undue-credit needs a privilege drop
    root_only_markers: bool = False  # escaping children can only be reaped by uid
    needs_root: bool = False  # the attack is only run as root
    memory_cap: int | None = None


ATTACKS: list[Attack] = [
    Attack("read_hidden_files", targets=frozenset({"sigmoid", "quiz"}),
           on_import=("activations", "quiz"), zero=frozenset({"sigmoid"}),
           wrong=frozenset({"quiz"}), root_only_credit=frozenset({"quiz"})),
    Attack("forge_results", targets=OPT, on_import=("optimizers",), wrong=OPT),
    Attack("monkeypatch_numpy", targets=ACT | LOSS | LAYER,
           on_import=("activations", "losses", "layers"), wrong=ACT | LOSS | LAYER,
           process_wide=True),
    Attack("exit_calls", targets=frozenset({"sgd_update", "init_state", "momentum_update"}),
           zero=frozenset({"sgd_update", "init_state", "momentum_update"})),
    Attack("base_exceptions",
           targets=frozenset({"mse_loss", "mse_loss_backward", "linear_forward",
                              "linear_backward"}),
           zero=frozenset({"mse_loss", "mse_loss_backward", "linear_forward",
                           "linear_backward"})),
    Attack("infinite_loop_function", targets=frozenset({"sgd_update", "init_state"}),
           zero=frozenset({"sgd_update", "init_state"}), markers=("BPATTACK-loop",)),
    Attack("infinite_loop_import", on_import=("minibatch",),
           zero=frozenset({"random_mini_batches"}), markers=("BPATTACK-import",)),
    Attack("memory_bomb", targets=frozenset({"linear_forward", "dense_forward"}),
           zero=frozenset({"linear_forward", "dense_forward"}), memory_cap=12 * 1024**3),
    Attack("output_flood", targets=frozenset({"relu", "relu_backward"}),
           on_import=("activations",), markers=("BPATTACK-flood",)),
    Attack("stray_children", targets=frozenset({"sgd_update", "init_state"}),
           markers=("sleep 6011", "sleep 6012", "BPATTACK-stray"), root_only_markers=True),
    Attack("fork_bounded", targets=frozenset({"momentum_update"}), markers=("sleep 6021",)),
    Attack("kill_processes", targets=frozenset({"rmsprop_update", "adam_update"}),
           needs_root=True),
    Attack("lying_objects", targets=ACT | LOSS | LAYER, wrong=ACT | LOSS | LAYER),
    Attack("frame_snooping", targets=LOSS | LAYER, wrong=LOSS | LAYER),
    Attack("ipc_injection", targets=OPT, wrong=OPT, markers=("BPATTACK-ipc",)),
    Attack("redirect_output", targets=frozenset({"sigmoid"})),
    Attack("copy_classmate", targets=OPT, zero=OPT, wrong=OPT),
    Attack("rewrite_classmates", on_import=("activations",), markers=("BPATTACK-rewrite",),
           root_only_markers=True),
    Attack("leave_traces", on_import=("quiz",), markers=("BPATTACK-trace",),
           root_only_markers=True),
    Attack("use_traces", on_import=("quiz",), zero=frozenset({"quiz"}), wrong=frozenset({"quiz"})),
    Attack("leave_nested", on_import=("quiz",)),
    Attack("use_nested", on_import=("quiz",), zero=frozenset({"quiz"}), wrong=frozenset({"quiz"})),
    Attack("forge_replies", targets=OPT, wrong=OPT),
    Attack("huge_returns", targets=frozenset({"init_params", "forward", "loss_and_gradients"}),
           zero=frozenset({"init_params", "forward", "loss_and_gradients"})),
    Attack("snoop_and_call_out", targets=frozenset({"mse_loss"}), zero=frozenset({"mse_loss"})),
    Attack("read_callee", targets=frozenset({"dense_forward", "dense_backward"})),
    Attack("callee_flood", targets=frozenset({"dense_forward"}),
           zero=frozenset({"dense_forward"})),
    Attack("poison_cache", targets=frozenset({"forward", "backward"})),
    Attack("silence_warnings", targets=frozenset({"sigmoid", "sigmoid_derivative"}),
           wrong=frozenset({"sigmoid", "sigmoid_derivative"})),
    Attack("forge_init", targets=frozenset({"init_params", "train"}), wrong=frozenset({"train"})),
    Attack("leave_counters", on_import=("quiz",)),
    Attack("use_counters", on_import=("quiz",), zero=frozenset({"quiz"}),
           wrong=frozenset({"quiz"})),
    Attack("pin_kernel_memory", on_import=("quiz",)),
    Attack("signal_neighbours", on_import=("quiz",), wrong=frozenset({"quiz"})),
    Attack("poison_text", targets=frozenset({"mse_loss", "mse_loss_backward"}),
           on_import=("losses",), zero=frozenset({"mse_loss", "mse_loss_backward"}),
           process_wide=True),  # it replaces the worker's own error reporting
]
# What the attacks that aim at a place or a port are told (test_isolation.py gives real ones).
PLACEHOLDERS = {"@CANARY@": "/nonexistent-canary", "@PORT@": "9", "@CLASSMATE@": "BPCLASSMATE"}
BY_NAME = {a.name: a for a in ATTACKS}


# --------------------------------------------------------------------------- assembling
def assemble(attack: Attack | str, dest: Path, *, honest: bool,
             placeholders: dict[str, str] | None = None) -> Path:
    """The attack's submission (or its honest twin): the base package + the attack's modules."""
    name = attack if isinstance(attack, str) else attack.name
    package = dest / "backprop"
    with tempfile.TemporaryDirectory() as base:  # its quiz answers follow the rubric's key
        shutil.copytree(variant_copy(BASE, Path(base)) / "backprop", package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for module in sorted((ATTACKS_DIR / name / "backprop").glob("*.py")):
        text = module.read_text()
        if honest:
            text = text.replace("ATTACK = True", "ATTACK = False")
        for key, value in (placeholders or PLACEHOLDERS).items():
            text = text.replace(key, value)
        (package / module.name).write_text(text)
    return dest


def reach(attack: Attack, package: Path) -> set[str]:
    """Graded functions the attack can affect in the assembled package."""
    if attack.process_wide:
        return set(graph.GRADED)
    hit = graph.affected_by(set(attack.targets), package) if attack.targets else set()
    for module in attack.on_import:
        hit |= graph.affected_by_module(module, package)
    return hit


def test_attack_catalog_is_well_formed() -> None:
    assert len(ATTACKS) >= 10
    on_disk = sorted(p.name for p in ATTACKS_DIR.iterdir() if (p / "backprop").is_dir())
    assert on_disk == sorted(BY_NAME), "every attack folder needs an entry in ATTACKS"
    for attack in ATTACKS:
        modules = sorted((ATTACKS_DIR / attack.name / "backprop").glob("*.py"))
        assert modules, attack.name
        assert any("ATTACK = True" in m.read_text() for m in modules), (
            f"{attack.name}: no `ATTACK = True` switch, so its honest twin would be identical"
        )
        for m in modules:
            doc = m.read_text().lstrip()
            assert doc.startswith('"""'), f"{m}: document the attack in a module docstring"
        assert attack.targets or attack.on_import, attack.name
        assert attack.zero <= set(attack.targets) | {
            f for mod in attack.on_import for f in graph.GRADED_MODULES[mod]}, attack.name


# --------------------------------------------------------------------------- the machine
def processes() -> Iterator[tuple[int, str]]:
    """(pid, command line + comm) of every process we can see."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        yield int(entry.name), f"{cmd} [{comm}]"


def survivors(markers: tuple[str, ...]) -> list[tuple[int, str]]:
    return [(pid, text) for pid, text in processes()
            if pid != os.getpid() and any(m in text for m in markers)]


def reap(markers: tuple[str, ...]) -> None:
    """Kill (by pid) what the attacks left behind, so one failure does not litter the machine."""
    for pid, _ in survivors(markers):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def snapshot() -> dict[str, tuple[str, int]]:
    """Relative path -> (sha256, owner uid) of every file of the repository (caches excluded)."""
    out = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SNAPSHOT_SKIP]
        for name in files:
            path = Path(folder) / name
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                out[str(path.relative_to(ROOT))] = (digest, path.stat().st_uid)
            except OSError:
                continue
    return out


def written_by_attack(rel: str, owner: int) -> str | None:
    """Why a new or changed repository file must come from an attack (None: it need not)."""
    if owner != ROOT.stat().st_uid:
        return f"{rel} is owned by uid {owner}: written by the worker"
    path = ROOT / rel
    try:
        if not rel.startswith("tests/") and b"BPATTACK" in path.read_bytes():
            return f"{rel} carries an attack marker"
    except OSError:
        pass
    return None


def git_status() -> set[str]:
    return set(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"],
                              capture_output=True, text=True, check=False).stdout.splitlines())


def forge_candidates(*, everywhere: bool = False) -> list[Path]:
    """Where the forge attack writes. Only /autograder/results and the repository matter to a
    grader (the rest, e.g. /tmp, is world-writable and read by no grader): ``everywhere`` adds
    the other places, for cleaning up."""
    folders = [ROOT]
    if everywhere:
        folders.append(Path("/tmp"))
        folders += [Path(os.environ[v]) for v in ("PWD", "OLDPWD", "HOME") if v in os.environ]
    out = [Path("/autograder/results/results.json")]
    for folder in dict.fromkeys(folders):
        out += [folder / "results.json", folder / "results" / "results.json",
                folder / "grades.csv", folder / "out" / "grades.csv",
                folder / "out" / "results" / "results.json"]
    return out


def forged(path: Path) -> bool:
    """A forged result file or a planted module (never one of our own sources)."""
    try:
        if path.name in FORGED_NAMES:
            marker = FORGE_MARKER
        elif path.name == PLANTED_NAME:
            marker = PLANT_MARKER
        else:
            return False
        return (path.is_file() and path.stat().st_size < 1_000_000
                and marker.encode() in path.read_bytes())
    except OSError:
        return False


def forged_in_repo() -> list[str]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in {".git", ".venv", "__pycache__", "node_modules"}]
        found += [str(Path(folder) / n) for n in files if forged(Path(folder) / n)]
    return found


def remove_forgeries(before: dict[Path, bytes | None]) -> None:
    for path in forge_candidates(everywhere=True):
        if forged(path):
            if before.get(path) is not None:
                path.write_bytes(before[path])  # put back what was there
            else:
                path.unlink()
    for name in forged_in_repo():
        Path(name).unlink()
    for folder in (ROOT / "out" / "results", ROOT / "out", ROOT / "results",
                   Path("/tmp/out/results"), Path("/tmp/out"), Path("/tmp/results")):
        try:
            folder.rmdir()  # only if the forgery left it empty
        except OSError:
            pass


# --------------------------------------------------------------------------- grading once
@dataclass
class Outcome:
    result: dict[str, Any] | None
    twin: dict[str, Any] | None
    seconds: float
    error: str
    survivors: list[tuple[int, str]] = field(default_factory=list)
    reach: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def security(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    grade, _ = engine()  # a missing engine fails here, clearly
    all_markers = tuple(m for a in ATTACKS for m in a.markers)
    reap(all_markers)  # leftovers of an earlier, interrupted run
    BOMB_FILE.unlink(missing_ok=True)
    before_forge = {p: (p.read_bytes() if p.is_file() else None)
                    for p in forge_candidates(everywhere=True)}
    before_files = snapshot()
    before_git = git_status()
    victim = None
    if IS_ROOT:
        victim = subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(600)", VICTIM_MARKER],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    runnable = [a for a in ATTACKS if IS_ROOT or not a.needs_root]
    # Made here, not in the threads below: two first calls of mktemp at once race to make the
    # worker's base folder.
    scratches = {a.name: tmp_path_factory.mktemp(a.name) for a in runnable}

    def run(attack: Attack) -> tuple[str, Outcome]:
        scratch = scratches[attack.name]
        hostile = assemble(attack, scratch / "attack", honest=False)
        honest = assemble(attack, scratch / "twin", honest=True)
        start = time.monotonic()
        result, error = grade_in_subprocess(hostile, timeout=300, memory_cap=attack.memory_cap,
                                            timeouts=HANG_TIMEOUTS.get(attack.name))
        seconds = time.monotonic() - start
        left = survivors(attack.markers) if attack.markers else []
        reap(attack.markers)
        twin = None
        try:  # honest: graded here, which saves a process per attack
            twin = plain(grade(honest))
        except Exception as exc:  # noqa: BLE001 - reported with the attack's outcome
            error += f"\nthe honest twin could not be graded: {exc!r}"
        return attack.name, Outcome(result, twin, seconds, error, left,
                                    reach(attack, hostile / "backprop"))

    together = [a for a in runnable if a.name != "kill_processes"]
    alone = [a for a in runnable if a.name == "kill_processes"]
    try:
        with ThreadPoolExecutor(2) as pool:
            outcomes = dict(pool.map(run, together))
        outcomes.update(run(a) for a in alone)  # it signals its parent: keep it on its own
    finally:
        victim_alive = victim is not None and victim.poll() is None
        if victim is not None:
            victim.kill()
            victim.wait()
        survived = [str(p) for p in forge_candidates() if forged(p)]
        in_repo = forged_in_repo()
        bomb = BOMB_FILE.exists()
        after_files = snapshot()
        changed = sorted(k for k in set(before_files) | set(after_files)
                         if before_files.get(k) != after_files.get(k))
        attacked = [why for k in changed if k in after_files
                    if (why := written_by_attack(k, after_files[k][1]))]
        new_git = sorted(git_status() - before_git)  # shown in the warning; the snapshot,
        # which covers tracked and untracked files alike, is what decides
        remove_forgeries(before_forge)
        BOMB_FILE.unlink(missing_ok=True)
        reap(all_markers)
    return {"outcomes": outcomes, "victim_alive": victim_alive, "forged": survived,
            "forged_in_repo": in_repo, "bomb": bomb, "changed": changed, "attacked": attacked,
            "new_git": new_git}


# --------------------------------------------------------------------------- the verdicts
def contained(attack: Attack, outcome: Outcome, *, include_root_only: bool) -> list[str]:
    """Every broken guarantee of one attack (empty: contained)."""
    if outcome.result is None:
        return [f"grading failed: {outcome.error}"]
    if outcome.twin is None:
        return [f"the honest twin could not be graded: {outcome.error}"]
    problems: list[str] = []
    got, twin = outcome.result["functions"], outcome.twin["functions"]
    if outcome.seconds >= TIME_LIMIT:
        problems.append(f"grading took {outcome.seconds:.0f} s (limit {TIME_LIMIT:.0f} s)")
    counted = [f for f in got if include_root_only or f not in attack.root_only_credit]
    for f in counted:
        r = got[f]
        if r["score"] > twin[f]["score"] + 1e-6:
            problems.append(f"undue credit on {f}: {r['score']} > honest {twin[f]['score']}: "
                            f"{r['output'][:300]}")
        if f in attack.zero and r["score"] != 0:
            problems.append(f"{f} must score 0, got {r['score']}: {r['output'][:300]}")
        if f in attack.wrong and full(twin[f]):
            problems.append(f"test defect: the honest twin keeps full marks on {f}")
        if f not in outcome.reach and not (full(r) and full(twin[f])):
            problems.append(f"{f} is out of the attack's reach but scores {r['score']} "
                            f"(twin {twin[f]['score']}): {r['output'][:300]}")
    total = sum(got[f]["score"] for f in counted)
    twin_total = sum(twin[f]["score"] for f in counted)
    if total > twin_total + 1e-6:
        problems.append(f"total {total} > honest total {twin_total}")
    if len(outcome.result["stdout"]) > STDOUT_LIMIT:
        problems.append(f"captured output of {len(outcome.result['stdout'])} characters "
                        f"(limit {STDOUT_LIMIT})")
    for f, r in got.items():
        if len(r["output"]) > FEEDBACK_LIMIT:
            problems.append(f"feedback of {f} has {len(r['output'])} characters "
                            f"(limit {FEEDBACK_LIMIT})")
    if outcome.survivors and (include_root_only or not attack.root_only_markers):
        problems.append(f"still running after grading: {outcome.survivors[:5]}")
    return problems


@pytest.mark.parametrize("name", [a.name for a in ATTACKS])
def test_attack_is_contained(name: str, security: dict[str, Any]) -> None:
    attack = BY_NAME[name]
    if attack.needs_root and not IS_ROOT:
        pytest.skip(ROOT_REASON)
    problems = contained(attack, security["outcomes"][name], include_root_only=IS_ROOT)
    assert not problems, f"attack {name} is not contained:\n- " + "\n- ".join(problems)


@pytest.mark.parametrize("name", [a.name for a in ATTACKS
                                  if a.root_only_credit or a.root_only_markers])
def test_root_only_guarantees(name: str, security: dict[str, Any]) -> None:
    """The parts of containment only a privilege drop can give (also checked above as root)."""
    if not IS_ROOT:
        pytest.skip(ROOT_REASON)
    assert not contained(BY_NAME[name], security["outcomes"][name], include_root_only=True)


def _secret_lines() -> set[str]:
    """Distinctive lines of the hidden checks, the rubric and the solutions (not public text)."""
    secret_files = [p for p in (ROOT / "autograder").rglob("*")
                    if p.is_file() and "samples" not in p.relative_to(ROOT).parts
                    and "__pycache__" not in p.parts
                    and p.suffix in {".py", ".yml", ".yaml", ".json", ".md", ".txt"}]
    secret_files += sorted((ROOT / "solutions").rglob("*.py"))
    public: set[str] = set()
    for folder in (ROOT / "assignments", ROOT / "tests", ROOT / "autograder" / "samples",
                   ROOT / "docs"):
        for p in folder.rglob("*"):
            if p.is_file() and p.suffix in {".py", ".md", ".txt", ".yml", ".tsv", ".ipynb"}:
                public.update(line.strip() for line in p.read_text(errors="ignore").splitlines())
    # What the sandbox itself shows the worker (its mains, the protocol, the callees'
    # stand-ins): readable by student code in every mode by design, and none of it secret.
    from autograder.engine.sandbox.isolation import WORKER_FILES

    for p in WORKER_FILES:
        public.update(line.strip() for line in p.read_text(errors="ignore").splitlines())
    lines = set()
    for p in secret_files:
        for line in p.read_text(errors="ignore").splitlines():
            line = line.strip()
            if len(line) >= 30 and line not in public:
                lines.add(line)
    return lines


def leaked_lines(outcome: Outcome, secrets: set[str]) -> list[str]:
    """Secret lines shown in the attack's feedback or captured output but not in its twin's."""
    legit = {line.strip() for r in outcome.twin["functions"].values()
             for line in r["output"].splitlines()} if outcome.twin else set()
    texts = [outcome.result["stdout"], *(r["output"] for r in
                                         outcome.result["functions"].values())]
    shown = {line.strip() for text in texts for line in text.splitlines()}
    return sorted((shown & secrets) - legit)


@pytest.mark.parametrize("name", [a.name for a in ATTACKS])
def test_attack_leaks_no_hidden_text(name: str, security: dict[str, Any]) -> None:
    if not IS_ROOT:
        pytest.skip(ROOT_REASON)
    outcome = security["outcomes"].get(name)
    if outcome is None or outcome.result is None or outcome.twin is None:
        pytest.skip("not graded (see test_attack_is_contained)")
    secrets = _secret_lines()
    assert len(secrets) > 100, "test defect: too few secret lines to look for"
    leaked = leaked_lines(outcome, secrets)
    assert len(leaked) < 3, (
        f"{name}: {len(leaked)} lines of hidden checks/rubric/solutions appear in the feedback "
        f"or captured output, e.g. {leaked[:5]}"
    )


def test_correct_callees_carry_no_implementation(security: dict[str, Any]) -> None:
    """read_callee dumped what its process holds of the correct callees (source, bytecode,
    closures, the garbage collector, loaded modules): values only, no implementation."""
    outcome = security["outcomes"]["read_callee"]
    assert outcome.result is not None, outcome.error
    stdout = outcome.result["stdout"]
    assert "BPATTACK-callee-dump" in stdout and "__backprop_callee__" in stdout, stdout[:2000]
    assert "BPATTACK-FOUND" not in stdout, stdout[:4000]


def test_callee_flood_is_that_functions_failed_check(security: dict[str, Any]) -> None:
    outcome = security["outcomes"]["callee_flood"]
    assert outcome.result is not None, outcome.error
    dense = outcome.result["functions"]["dense_forward"]
    # Past the cap, or (on a loaded machine, before it reaches the cap) out of time: either
    # way the feedback names the flood.
    assert ("called the functions it relies on more than" in dense["output"]
            or "timed out after calling the functions it relies on" in dense["output"]), (
        dense["output"])


def test_no_forged_results_and_repository_unchanged(security: dict[str, Any]) -> None:
    assert not security["forged"], f"forged result files survived: {security['forged']}"
    assert not security["forged_in_repo"], (
        f"forged or planted files in the repository: {security['forged_in_repo']}"
    )
    assert not security["attacked"], (
        f"the worker wrote into the repository: {security['attacked']}"
    )
    if security["changed"] or security["new_git"]:
        warnings.warn(
            "repository files changed while the attacks were graded, none by the worker "
            f"(concurrent edits?): {security['changed'][:10]} {security['new_git'][:10]}",
            stacklevel=1,
        )


def test_pickle_bomb_never_detonates(security: dict[str, Any]) -> None:
    assert not security["bomb"], (
        f"{BOMB_FILE} was created: a student object was unpickled (code ran outside the worker)"
    )


def test_bystander_process_survives(security: dict[str, Any]) -> None:
    if not IS_ROOT:
        pytest.skip(ROOT_REASON)
    assert security["victim_alive"], "kill_processes killed a process of the grader's user"


def test_summary(security: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    ran = security["outcomes"]
    ok = sum(1 for a in ATTACKS
             if a.name in ran and not contained(a, ran[a.name], include_root_only=IS_ROOT))
    seconds = ", ".join(f"{n} {o.seconds:.0f}s" for n, o in ran.items())
    with capsys.disabled():
        print(f"\nattacks contained {ok}/{len(ran)}"
              + ("" if IS_ROOT else " (not root: privilege-drop guarantees skipped)")
              + f"\n  grading times: {seconds}")


def test_the_detectors_can_fail(tmp_path: Path) -> None:
    """A test that cannot fail is a defect: feed each detector a breach and watch it fire."""
    def fn(score: float, output: str = "") -> dict[str, Any]:
        return {"score": score, "max_score": 4.0, "output": output, "checks": []}

    honest = {"functions": {f: fn(4.0) for f in graph.GRADED}, "stdout": ""}
    honest["functions"]["sgd_update"] = fn(0.0)
    breach = {"functions": {f: fn(4.0) for f in graph.GRADED}, "stdout": "x" * (STDOUT_LIMIT + 1)}
    breach["functions"]["relu"] = fn(0.0)
    attack = Attack("synthetic", targets=frozenset({"sgd_update"}),
                    zero=frozenset({"sgd_update"}), markers=("sleep 6099",))
    outcome = Outcome(breach, honest, TIME_LIMIT + 1, "", [(1, "sleep 6099")],
                      reach={"sgd_update", "train"})
    problems = "\n".join(contained(attack, outcome, include_root_only=True))
    for expected in ("undue credit on sgd_update", "sgd_update must score 0", "grading took",
                     "relu is out of the attack's reach", "captured output",
                     "still running after grading"):
        assert expected in problems, expected

    solution_lines = [line for line in (ROOT / "solutions" / "backprop" / "layers.py")
                      .read_text().splitlines() if len(line.strip()) >= 30]
    secrets = _secret_lines()
    leaky = Outcome({"functions": {"sigmoid": fn(0.0, "\n".join(solution_lines))},
                     "stdout": ""}, {"functions": {}, "stdout": ""}, 1.0, "")
    assert len(leaked_lines(leaky, secrets)) >= 3

    sleeper = subprocess.Popen(["sleep", "6099"])
    try:
        for _ in range(200):  # until the child has exec'd sleep
            if any(pid == sleeper.pid for pid, _ in survivors(("sleep 6099",))):
                break
            time.sleep(0.01)
        assert any(pid == sleeper.pid for pid, _ in survivors(("sleep 6099",)))
    finally:
        sleeper.kill()
        sleeper.wait()

    fake = tmp_path / "results.json"
    fake.write_text(f'{{"score": 100, "output": "{FORGE_MARKER}"}}')
    planted = tmp_path / PLANTED_NAME
    planted.write_text(f"# {PLANT_MARKER}\n")
    assert forged(fake) and forged(planted)
    assert not forged(Path(__file__))
    assert written_by_attack("autograder/x.py", ROOT.stat().st_uid + 1)
