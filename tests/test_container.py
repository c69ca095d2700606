"""The grader inside a real Docker container, as on Gradescope: Docker's default seccomp profile
refuses namespaces there, so the grader falls back to the uid mode (uid drop, seccomp, Landlock).

A Debian image built with debootstrap (tests/container_image.py: `make test` builds it once,
before the tests, into .venv/container-rootfs) is imported into a Docker daemon started here
with its own data root, no bridge and no iptables. The
interpreter and the environment of this checkout are mounted read-only at the same paths, a
copy of the grader read-write (it closes its own files). Skipped, with the reason, where the
machine cannot run containers (not root, docker.io or debootstrap missing, no daemon).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import container_image
import pytest
from grader_harness import ROOT, grader_copy
from test_isolation import (
    ATTACKS,
    ORDER,
    SECRET_ENV,
    SECRET_FILE,
    UID_MODE_SKIPS,
    World,
    _digest,
    _number,
    _submissions,
    lay_out,
)

IMAGE = "backprop-lab-container-test"
VENV = (ROOT / ".venv").absolute()
PREFIX = Path(os.path.realpath(sys.executable)).parents[1]  # the interpreter's installation


@pytest.fixture(scope="module")
def docker():
    rootfs, why = container_image.build()
    if rootfs is None:
        pytest.skip(why)
    home = Path(tempfile.mkdtemp(prefix="bpd-", dir="/tmp"))  # short: a socket lives there
    sock = f"unix://{home}/docker.sock"
    log = open(home / "dockerd.log", "wb")
    daemon = subprocess.Popen(
        [container_image.tool("dockerd"), "--iptables=false", "--ip-masq=false", "--bridge=none",
         "--data-root", str(home / "data"), "--exec-root", str(home / "exec"), "-H", sock,
         "--pidfile", str(home / "dockerd.pid")], stdout=log, stderr=log)
    client = [container_image.tool("docker"), "-H", sock]
    try:
        for _ in range(120):
            if subprocess.run([*client, "info"], capture_output=True, check=False).returncode == 0:
                break
            if daemon.poll() is not None:
                break
            time.sleep(0.5)
        else:
            pytest.skip("dockerd did not start: " + (home / "dockerd.log").read_text()[-300:])
        if daemon.poll() is not None:
            pytest.skip("dockerd exited: " + (home / "dockerd.log").read_text()[-300:])
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run([*client, "import", "-", IMAGE], stdin=tar.stdout,
                                  capture_output=True, text=True, check=False)
        tar.wait()
        assert imported.returncode == 0, imported.stderr

        def run(command: list[str], mounts: dict[Path, tuple[Path, str]],
                env: dict[str, str] | None = None, timeout: float = 600):
            args = [*client, "run", "--rm", "--network", "none", "-w", str(ROOT)]
            for source, (target, how) in mounts.items():
                args += ["-v", f"{source}:{target}:{how}"]
            # Graders inside and outside containers share the kernel's uids, not their lock
            # folders: a pool of its own, as for every grader of a shared machine.
            pool = {"BACKPROP_LAB_UID_BASE": str(CONTAINER_UID_BASE),
                    "BACKPROP_LAB_UID_COUNT": "64"}
            for key, value in {**pool, **(env or {})}.items():
                args += ["-e", f"{key}={value}"]
            return subprocess.run([*args, IMAGE, *command], capture_output=True, text=True,
                                  timeout=timeout, check=False)

        yield run
    finally:
        daemon.terminate()
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


CONTAINER_UID_BASE = 1_000_000 + 1000 * (int.from_bytes(os.urandom(2), "big") % 500)


def _grader_copy(dest: Path) -> Path:
    """A copy of the grader (it closes its own files to other users), with its pyproject."""
    shutil.copy(ROOT / "pyproject.toml", grader_copy(dest))
    return dest


def _runtime(copy: Path) -> dict[Path, tuple[Path, str]]:
    return {PREFIX: (PREFIX, "ro"), copy: (ROOT, "rw"), VENV: (VENV, "ro")}


def test_the_container_refuses_namespaces_and_allows_landlock(docker, tmp_path):
    probe = ("import ctypes; libc = ctypes.CDLL(None, use_errno=True); "
             "libc.syscall.restype = ctypes.c_long; "
             "print(libc.unshare(0x10000000), libc.syscall(444, None, 0, 1))")
    done = docker([f"{VENV}/bin/python", "-c", probe], _runtime(_grader_copy(tmp_path / "g")))
    assert done.returncode == 0, done.stderr
    userns, landlock = map(int, done.stdout.split())
    assert userns == -1, "this container allows user namespaces: not like Gradescope's"
    assert landlock >= 1


def test_attacks_are_contained_inside_a_container(docker, tmp_path):
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "root-only.txt").write_text(SECRET_FILE + "\n")
    os.chmod(canary / "root-only.txt", 0o600)
    os.chmod(canary, 0o755)
    world = World(canary, _digest(canary), 9, [], 300_000, canary)
    subs = _submissions(world, tmp_path / "subs", attacks=True, skip=UID_MODE_SKIPS)
    batch = lay_out(subs, tmp_path / "subs", "folders", broken=True)
    out = tmp_path / "out"
    out.mkdir()
    mounts = {**_runtime(_grader_copy(tmp_path / "g")), batch: (batch, "ro"),
              out: (out, "rw"), canary: (canary, "ro")}
    done = docker([f"{VENV}/bin/python", "-m", "autograder.grade", str(batch), "--out",
                   str(out / "grades"), "--jobs", "1"], mounts,
                  {"BACKPROP_LAB_TEST_SECRET": SECRET_ENV, "LANG": "C.UTF-8"})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "NO namespaces" in done.stderr and "Landlock ABI" in done.stderr, done.stderr[:500]
    assert "a root of its own" in done.stderr, done.stderr[:800]  # chroot: in Docker's default set
    assert "NO memory cgroup" in done.stderr, done.stderr[:800]  # /sys/fs/cgroup is read-only
    rows = {r["submission"]: r for r in csv.DictReader(open(out / "grades" / "grades.csv"))}
    for innocent in ("00-reference", "01-variant"):
        assert _number(rows[innocent]["score"]) == 100, rows[innocent]
    problems = []
    for name in (a for a in ATTACKS if a not in UID_MODE_SKIPS):
        key = f"{ORDER.get(name, '50')}-{name}"
        got, twin = rows[key], rows[f"{key}-twin"]
        more = {k: (got[k], twin[k]) for k in got if k not in ("submission", "name", "email",
                                                               "sid", "error")
                and _number(got[k]) > _number(twin[k]) + 1e-6}
        if more:
            problems.append(f"{key} scores more than its twin: {more}")
    for path in (out / "grades").rglob("*"):
        if path.is_file() and (SECRET_FILE.encode() in path.read_bytes()
                               or SECRET_ENV.encode() in path.read_bytes()):
            problems.append(f"a secret is in {path.name}")
    assert _digest(canary) == world.hashes
    assert not problems, problems


def test_the_gradescope_layout_runs_inside_a_container(docker, tmp_path, autograder_zip):
    """The zip's run_autograder through the local runner, inside the container, on the
    reference and on poison_text: full marks, and the attack no more than its twin."""
    from test_grader_security import assemble

    shutil.copytree(ROOT / "solutions" / "backprop", tmp_path / "reference" / "backprop",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subs = {"reference": tmp_path / "reference",
            "poison": assemble("poison_text", tmp_path / "poison", honest=False),
            "twin": assemble("poison_text", tmp_path / "twin", honest=True)}
    out = tmp_path / "out"
    out.mkdir()
    mounts = {**_runtime(_grader_copy(tmp_path / "g")), out: (out, "rw"),
              autograder_zip.parent: (autograder_zip.parent, "ro"),
              **{p: (p, "ro") for p in subs.values()}}
    scores = {}
    for name, folder in subs.items():
        done = docker([f"{VENV}/bin/python", str(ROOT / "autograder/packaging/local_run.py"),
                       str(folder / "backprop"), "--zip", str(autograder_zip), "--out",
                       str(out / name)], mounts, {"LANG": "C.UTF-8"})
        results = list((out / name).rglob("results.json"))
        assert results, done.stdout[-2000:] + done.stderr[-2000:]
        data = json.loads(results[0].read_text(encoding="utf-8"))
        scores[name] = {t["name"]: t["score"] for t in data["tests"] if "score" in t}
        report = (out / name / "otter-output.txt").read_text(errors="replace")
        assert "NO namespaces" in report and "Landlock ABI" in report, report[-1000:]
        assert "a root of its own" in report, report[-1000:]
    assert sum(scores["reference"].values()) == pytest.approx(100)
    assert all(scores["poison"][f] <= scores["twin"][f] + 1e-6 for f in scores["twin"])
