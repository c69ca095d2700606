"""Hostile submissions graded by `make grade`'s command, in batches with innocent ones.

tests/attacks/ holds one folder per attack (each module's docstring says what it tries and what
must hold); every attack has an honest twin (``ATTACK = False``). A batch holds innocent
submissions (the reference, a correct variant, a buggy one), the honest twins, the attacks and
broken inputs (a FIFO in place of a module, a corrupt and an encrypted zip). It is graded with
``python -m autograder.grade`` in several layouts (a folder of folders and zips, of folders, a
Gradescope export) and job counts, as root with namespaces, as root without them (uid drop only)
and as an unprivileged user. An attack is contained when, after its batch:

- no file outside the worker's sandbox changed: root-owned canary files are byte-identical and
  nothing was planted in the grader's site-packages;
- no secret shows up in any output: neither a root-only canary file's content nor a variable of
  the grading process's environment (and, with namespaces, no connection reached a listener on
  the host's loopback);
- the attack scores no more than its honest twin, function by function;
- every innocent submission and every twin keeps its exact score (graded in a clean batch);
- the batch finishes within its budget;
- nothing of the sandbox uids is left: no process, no file in /tmp, /var/tmp or /dev/shm, no
  System V IPC object, no key; and none of the grader's scratch folders.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pwd
import random
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import built_once
from grader_harness import ROOT, TESTS, open_to_others  # noqa: E402
from test_grader_security import assemble  # noqa: E402

from autograder import mistakes as catalog  # noqa: E402
from autograder.engine.sandbox.folders import ensure_traversable  # noqa: E402
from autograder.engine.sandbox.isolation import namespaces_refused  # noqa: E402
from autograder.engine.sandbox.uids import is_root  # noqa: E402

ATTACKS = ["redirect_output", "copy_classmate", "rewrite_classmates", "leave_traces",
           "use_traces", "forge_replies", "huge_returns", "snoop_and_call_out",
           "read_hidden_files", "leave_counters", "use_counters", "pin_kernel_memory",
           "signal_neighbours", "poison_text", "leave_nested", "use_nested"]
# leave_* is graded before use_* (submissions are graded in name order with 1 job).
ORDER = {"leave_traces": "10", "use_traces": "20", "leave_counters": "11", "use_counters": "21",
         "leave_nested": "12", "use_nested": "22"}
# Without namespaces: world-readable files elsewhere (another clone's key) are readable
# (docs/security.md).
UID_MODE_SKIPS = ("read_hidden_files",)
USER_MODE_SKIPS: tuple[str, ...] = ()
TWICE = ("signal_neighbours",)  # two copies, so that with 2 jobs they may run at once
BUDGET = 240.0  # seconds for one batch
SECRET_FILE = "BPSECRET-file-" + os.urandom(6).hex()
SECRET_ENV = "BPSECRET-env-" + os.urandom(6).hex()
CLASSMATE = "BPCLASSMATE-" + os.urandom(6).hex()  # marks the innocent submissions' modules
MARKERS = ("BPATTACK-", "sleep 60")
NOBODY = "nobody"
# Scratch folders of this harness: other sessions on the machine make them as nobody too.
HARNESS_FOLDERS = ("bp-nobody-", "bpt-")
IDENTITY = ("submission", "name", "email", "sid")  # grades.csv columns that are not scores
root_only = pytest.mark.skipif(not is_root(), reason="these modes need the tests to run as root")


@dataclass
class World:
    canary: Path
    hashes: dict[str, str]
    port: int
    heard: list[bytes]
    uid_base: int
    decoy: Path


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from make_world(tmp_path_factory)


def make_world(tmp_path_factory: pytest.TempPathFactory):
    """The machine a batch is graded on: canary files, a decoy clone, a loopback listener and a
    range of sandbox uids of its own (each file of batches makes its own)."""
    canary = Path(tmp_path_factory.mktemp("canary"))
    os.chmod(canary, 0o755)
    for name, mode, text in (("root-only.txt", 0o600, SECRET_FILE),
                             ("world-readable.txt", 0o644, "public text"),
                             ("grader-only.txt", 0o600, SECRET_FILE)):
        (canary / name).write_text(text + "\n")
        os.chmod(canary / name, mode)
    ensure_traversable(canary)
    decoy = Path(tmp_path_factory.mktemp("other-clone")) / "backprop-lab"
    shutil.copytree(ROOT / "autograder", decoy / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__", "samples"))
    shutil.copytree(ROOT / "solutions", decoy / "solutions")
    open_to_others(decoy.parent)
    ensure_traversable(decoy)
    heard: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.5)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                data = conn.recv(100)
            except OSError:
                data = b""
            conn.close()
            if data.startswith(b"BPATTACK-NET"):  # other tests of this machine may knock too
                heard.append(data)

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    yield World(canary, _digest(canary), server.getsockname()[1], heard,
                random.randrange(200_000, 900_000, 1000), decoy)
    stop.set()
    thread.join()
    server.close()


# --------------------------------------------------------------------------- the batches
def _submissions(world: World, dest: Path, *, attacks: bool,
                 skip: tuple[str, ...] = ()) -> dict[str, Path]:
    """name -> folder holding backprop/ for every submission of a batch."""
    subs: dict[str, Path] = {}
    staging = dest / "staging"
    shutil.copytree(ROOT / "solutions", staging / "00-reference")
    shutil.copytree(TESTS / "variants" / "loops", staging / "01-variant")
    catalog.apply_mutant(next(m for m in catalog.MUTANTS
                              if m.name == "linear_backward_dW_not_averaged"), staging / "02-buggy")
    open_to_others(staging)
    subs.update({p.name: p for p in sorted(staging.iterdir())})
    for module in staging.rglob("*.py"):
        module.write_text(module.read_text() + f"\n# {CLASSMATE}\n")
    values = {"@CANARY@": str(world.canary), "@PORT@": str(world.port), "@CLASSMATE@": CLASSMATE}
    for name in (a for a in ATTACKS if a not in skip):
        prefix = ORDER.get(name, "50")
        subs[f"{prefix}-{name}-twin"] = assemble(name, staging / f"{prefix}-{name}-twin",
                                                  honest=True, placeholders=values)
        if attacks:
            subs[f"{prefix}-{name}"] = assemble(name, staging / f"{prefix}-{name}",
                                                 honest=False, placeholders=values)
            if name in TWICE:
                subs[f"{prefix}-{name}-b"] = assemble(name, staging / f"{prefix}-{name}-b",
                                                       honest=False, placeholders=values)
    return subs


def _zip(folder: Path, archive: Path) -> None:
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder))


def lay_out(subs: dict[str, Path], dest: Path, layout: str, *, broken: bool) -> Path:
    """The batch as a folder of folders, a folder of zips, a folder of both (every other
    submission zipped: attacks, twins and innocents of each kind), or a Gradescope export."""
    batch = dest / "batch"
    batch.mkdir()
    meta = []
    for i, (name, folder) in enumerate(subs.items()):
        if layout == "zips" or (layout == "mixed" and i % 2):
            _zip(folder, batch / f"{name}.zip")
            continue
        target = batch / (f"submission_{1000 + i}" if layout == "export" else name)
        shutil.copytree(folder, target)
        meta.append(f"submission_{1000 + i}:\n  :submitters:\n  - :name: {name}\n"
                    f"    :sid: '{i}'\n    :email: s{i}@example.edu\n")
    if layout == "export":
        (batch / "submission_metadata.yml").write_text("".join(meta))
    if broken and layout in ("folders", "mixed"):
        (batch / "90-fifo" / "backprop").mkdir(parents=True)
        os.mkfifo(batch / "90-fifo" / "backprop" / "activations.py")
        os.mkfifo(batch / "91-fifo-zip.zip")
    if broken and layout in ("zips", "mixed"):
        _zip(subs["00-reference"], batch / "92-truncated.zip")
        data = (batch / "92-truncated.zip").read_bytes()
        (batch / "92-truncated.zip").write_bytes(data[: len(data) // 2])
        _zip(subs["00-reference"], batch / "93-encrypted.zip")
        with zipfile.ZipFile(batch / "93-encrypted.zip") as zf:
            infos = zf.infolist()
        raw = bytearray((batch / "93-encrypted.zip").read_bytes())
        for info in infos:  # set the "encrypted" flag of every entry (local and central)
            raw[info.header_offset + 6] |= 1
        central = raw.find(b"PK\x01\x02")
        while central != -1:
            raw[central + 8] |= 1
            central = raw.find(b"PK\x01\x02", central + 4)
        (batch / "93-encrypted.zip").write_bytes(bytes(raw))
    return batch


@dataclass
class Batch:
    rows: dict[str, dict[str, str]]
    seconds: float
    out: Path
    stderr: str
    returncode: int
    scratch_left: list[str]


def run_batch(world: World, batch: Path, out: Path, jobs: int, *, mode: str = "auto",
              user: str | None = None, cwd: Path = ROOT) -> Batch:
    scratch = Path(tempfile.mkdtemp(prefix="bpt-", dir="/tmp"))  # the grader's temporary
    # folders go here (short: the forkserver's socket lives there too)
    if user:
        os.chown(scratch, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
        os.chown(out.parent, pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
           "TMPDIR": str(scratch),
           "BACKPROP_LAB_SANDBOX": mode, "BACKPROP_LAB_UID_BASE": str(world.uid_base),
           "BACKPROP_LAB_UID_COUNT": "64", "BACKPROP_LAB_TEST_SECRET": SECRET_ENV,
           "HOME": str(out.parent)}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autograder.grade", str(batch), "--out", str(out),
                           "--jobs", str(jobs)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=BUDGET + 60, check=False,
                          **({"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}
                             if user else {}))
    seconds = time.monotonic() - start
    rows = {}
    if (out / "grades.csv").is_file():
        for row in csv.DictReader(open(out / "grades.csv")):
            rows[row["name"] or row["submission"]] = row
    left = sorted(str(p) + ": " + ",".join(sorted(x.name for x in p.rglob("*"))[:5])
                  for p in scratch.iterdir() if not p.name.startswith("pymp-"))
    shutil.rmtree(scratch, ignore_errors=True)
    return Batch(rows, seconds, out, done.stderr[-3000:], done.returncode, left)


# --------------------------------------------------------------------------- the machine
def sandbox_processes(world: World, owner: int | None = None) -> list[str]:
    """Live processes of the batch's sandbox uids (or of ``owner``, the unprivileged grader,
    when they carry an attack's marker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            uid = int(status.split("\nUid:")[1].split()[0])
            state = status.split("\nState:")[1].split()[0]
            text = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            comm = (entry / "comm").read_text().strip()
        except (OSError, IndexError, ValueError):
            continue
        ours = world.uid_base <= uid < world.uid_base + 64 or (
            uid == owner and any(m in text or m in comm for m in MARKERS))
        if ours and state not in ("Z", "X"):
            found.append(f"{entry.name} uid {uid}: {text[:80]} [{comm}]")
    return found


def shared_entries() -> dict[str, int]:
    """Entry -> owner of /tmp, /var/tmp and /dev/shm (top level)."""
    out = {}
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            for entry in os.scandir(folder):
                try:
                    out[entry.path] = entry.stat(follow_symlinks=False).st_uid
                except OSError:
                    pass
        except OSError:
            pass
    return out


def ipc_and_keys(world: World) -> list[str]:
    found = []
    for kind in ("shm", "msg", "sem"):
        header, *lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        columns = header.split()
        for line in lines:
            fields = line.split()
            if any(world.uid_base <= int(fields[columns.index(c)]) < world.uid_base + 64
                   for c in ("uid", "cuid")):
                found.append(f"System V {kind}: {line.strip()[:60]}")
    for line in Path("/proc/key-users").read_text().splitlines():
        uid = int(line.split(":")[0])
        if world.uid_base <= uid < world.uid_base + 64:
            found.append(f"keys of uid {uid}: {line.strip()}")
    return found


def breaches(world: World, clean: Batch, attacked: Batch, before: dict[str, int], *,
             namespaces: bool, owner: int | None = None) -> list[str]:
    """Every broken guarantee of one attacked batch (empty: everything contained)."""
    problems = []
    if attacked.returncode != 0 or clean.returncode != 0:
        problems.append(f"make grade failed: {attacked.stderr or clean.stderr}")
    if attacked.seconds > BUDGET:
        problems.append(f"the batch took {attacked.seconds:.0f} s (budget {BUDGET:.0f} s)")
    for name, row in clean.rows.items():
        got = attacked.rows.get(name)
        if got is None:
            problems.append(f"{name} is missing from the attacked batch")
            continue
        changed = {k: (row[k], got[k]) for k in row
                   if k not in IDENTITY and row[k] != got[k]}
        if changed:
            problems.append(f"{name} changed next to the attacks: {changed}")
    for name in ATTACKS:
        key = f"{ORDER.get(name, '50')}-{name}"
        if key not in attacked.rows and f"{key}-twin" not in clean.rows:
            continue  # not in this batch
        got, twin = attacked.rows.get(key), attacked.rows.get(f"{key}-twin")
        if got is None or twin is None:
            problems.append(f"{key} was not graded")
            continue
        for copy, row in ((key, got), (f"{key}-b", attacked.rows.get(f"{key}-b") or got)):
            more = {k: (row[k], twin[k]) for k in row if k not in IDENTITY
                    and _number(row[k]) > _number(twin[k]) + 1e-6}
            if more:
                problems.append(f"{copy} scores more than its honest twin: {more}")
    if _digest(world.canary) != world.hashes:
        problems.append("a canary file changed or appeared")
    site = Path(__import__("numpy").__file__).parents[1]
    if (site / "bpattack-planted.pth").exists() or Path("/tmp/BPATTACK-pth-ran").exists():
        problems.append("something was planted in the grader's site-packages or ran as root")
    for path in attacked.out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (SECRET_FILE, SECRET_ENV):
                if secret.encode() in data:
                    problems.append(f"a secret appears in {path.relative_to(attacked.out)}")
    if namespaces and world.heard:
        problems.append(f"the host's loopback listener heard: {world.heard[:2]}")
    left = sandbox_processes(world, owner)
    if left:
        problems.append(f"still running: {left[:5]}")
    if attacked.scratch_left:
        problems.append(f"the grader left temporary folders: {attacked.scratch_left[:5]}")
    now = shared_entries()
    new = [p for p, uid in now.items() if p not in before and (
        world.uid_base <= uid < world.uid_base + 64 or (owner is not None and uid == owner))
        and not Path(p).name.startswith(HARNESS_FOLDERS)]
    if new:
        problems.append(f"left in the shared temporary folders: {new[:8]}")
    problems += [f"left at depth: {p}" for p in nested_entries(world)[:8]]
    problems += ipc_and_keys(world)
    return problems


def nested_entries(world: World) -> list[str]:
    """Entries of the sandbox uids at any depth of the machine's world-writable folders."""
    from autograder.engine.sandbox.uids import SHARED_TMP, files_of_uid

    found = []
    for uid in range(world.uid_base, world.uid_base + 64):
        found += [str(p) for p in files_of_uid(uid, SHARED_TMP)]
    return found


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def clean_batch(world: World, tmp: Path, layout: str, jobs: int, skip: tuple[str, ...] = (),
                **kwargs) -> Batch:
    """The batch without its attacks: the innocent submissions and the honest twins."""
    clean_subs = _submissions(world, tmp / "clean", attacks=False, skip=skip)
    return run_batch(world, lay_out(clean_subs, tmp / "clean", layout, broken=False),
                     tmp / "clean" / "out", jobs, **kwargs)


def _grade_pair(world: World, tmp: Path, layout: str, jobs: int, skip: tuple[str, ...] = (),
                clean: Batch | None = None, **kwargs) -> tuple[Batch, Batch, dict]:
    """The clean batch (or ``clean``, graded already, less the twins of ``skip``) and the
    attacked batch."""
    if clean is None:
        clean = clean_batch(world, tmp, layout, jobs, skip, **kwargs)
    skipped = {f"{ORDER.get(name, '50')}-{name}-twin" for name in skip}
    clean = replace(clean, rows={k: v for k, v in clean.rows.items() if k not in skipped})
    before = shared_entries()
    world.heard.clear()
    subs = _submissions(world, tmp / "attacked", attacks=True, skip=skip)
    attacked = run_batch(world, lay_out(subs, tmp / "attacked", layout, broken=True),
                         tmp / "attacked" / "out", jobs, **kwargs)
    return clean, attacked, before


def _assert_graded(clean: Batch, attacked: Batch) -> None:
    assert clean.rows["00-reference"]["score"] in ("100", "100.0", "100.00"), clean.rows
    assert set(clean.rows) < set(attacked.rows), attacked.stderr[-1500:]


# --------------------------------------------------------------------------- the modes
# Each layout's batches take a minute or more: the layouts are graded here and the other modes
# in test_isolation_modes.py, so that pytest-xdist's workers grade them side by side.
def clean_with_namespaces(world: World, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """The clean batch as root with namespaces, graded once per test run: the innocent
    submissions and the twins score the same in every mode and layout and with any number of
    jobs, so every attacked batch of every file is held to the same exact scores."""
    why = namespaces_refused(root=True)
    if why:
        pytest.skip(f"namespaces are not available here: {why}")

    def grade(out: Path) -> None:
        batch = clean_batch(world, out.parent / "grading", "folders", 2)
        out.write_text(json.dumps({"rows": batch.rows, "seconds": batch.seconds,
                                   "stderr": batch.stderr, "returncode": batch.returncode}))

    saved = json.loads(built_once(tmp_path_factory, "clean-batch.json", grade).read_text())
    return Batch(saved["rows"], saved["seconds"], Path(os.devnull), saved["stderr"],
                 saved["returncode"], [])


@pytest.fixture(scope="module")
def clean(world: World, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return clean_with_namespaces(world, tmp_path_factory)


def contained_with_namespaces(world: World, tmp_path: Path, layout: str, jobs: int,
                              clean: Batch) -> None:
    """The attacks graded as root with namespaces, in ``layout`` with ``jobs`` jobs, are
    contained: the attacked batch is held to ``clean``'s scores."""
    why = namespaces_refused(root=True)
    if why:
        pytest.skip(f"namespaces are not available here: {why}")
    clean, attacked, before = _grade_pair(world, tmp_path, layout, jobs, clean=clean)
    _assert_graded(clean, attacked)
    problems = breaches(world, clean, attacked, before, namespaces=True)
    assert not problems, "\n- ".join(["not contained:", *problems])


@root_only
@pytest.mark.parametrize("layout,jobs", [("mixed", 1), ("export", 2)])
def test_attacks_are_contained_as_root_with_namespaces(world, clean, tmp_path, layout, jobs):
    contained_with_namespaces(world, tmp_path, layout, jobs, clean)


@root_only
def test_the_detectors_can_fail(world, tmp_path):
    """A test that cannot fail is a defect: feed the detector one breach of each kind."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "grades.csv").write_text(SECRET_ENV)
    row = {"submission": "x", "name": "", "score": "10", "sigmoid": "4"}
    clean = Batch({"00-reference": dict(row)}, 1, out, "", 0, [])
    attacked = Batch({"00-reference": {**row, "score": "6"},
                      "50-redirect_output": {**row, "score": "50"},
                      "50-redirect_output-twin": {**row, "score": "40"}}, BUDGET + 1, out, "", 0,
                     ["backprop-lab-slot-x"])
    sleeper = subprocess.Popen(["sleep", "6099"], user=world.uid_base, group=world.uid_base)
    try:
        problems = "\n".join(breaches(world, clean, attacked, shared_entries(), namespaces=True))
    finally:
        sleeper.kill()
        sleeper.wait()
    for expected in ("changed next to the attacks", "scores more than its honest twin",
                     "took", "a secret appears", "still running", "temporary folders"):
        assert expected in problems, expected
    assert stat.S_IMODE(os.stat(world.canary / "root-only.txt").st_mode) == 0o600
