"""The attacks of test_isolation.py graded by `make grade`'s command in the sandbox's other modes:
as root without namespaces (the uid drop only) and as an unprivileged user (user namespaces).
Same batches, same guarantees (see test_isolation.py); a file of their own so that pytest-xdist
grades them beside test_isolation.py's batches.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from grader_harness import ROOT, grader_copy  # noqa: E402
from test_isolation import (  # noqa: E402
    NOBODY,
    UID_MODE_SKIPS,
    USER_MODE_SKIPS,
    Batch,
    _assert_graded,
    _digest,
    _grade_pair,
    breaches,
    clean_with_namespaces,
    make_world,
    root_only,
)

from autograder.engine.sandbox.folders import ensure_traversable  # noqa: E402
from autograder.engine.sandbox.isolation import namespaces_refused  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from make_world(tmp_path_factory)


@pytest.fixture(scope="module")
def clean(world, tmp_path_factory: pytest.TempPathFactory) -> Batch | None:
    """The shared clean batch where namespaces are available; elsewhere each test grades its
    own in its mode."""
    return None if namespaces_refused(root=True) else clean_with_namespaces(world,
                                                                            tmp_path_factory)


@root_only
def test_attacks_are_contained_as_root_without_namespaces(world, clean, tmp_path):
    """uid drop and rlimits only (a container refusing namespaces). The grader closes its own
    files, so it runs from a copy of the repository here. One job: without namespaces two
    submissions graded at once share the machine's /tmp. read_hidden_files is left out: in this
    mode world-readable files elsewhere on the machine (another clone's key) are readable
    (docs/security.md)."""
    copy = grader_copy(tmp_path / "repo")
    clean, attacked, before = _grade_pair(world, tmp_path, "folders", 1, mode="uid", cwd=copy,
                                          skip=UID_MODE_SKIPS, clean=clean)
    _assert_graded(clean, attacked)
    assert "NO namespaces" in attacked.stderr
    problems = breaches(world, clean, attacked, before, namespaces=False)
    assert not problems, "\n- ".join(["not contained:", *problems])


@root_only
def test_attacks_are_contained_as_an_unprivileged_user(world, clean, tmp_path):
    """Run as `nobody`, with user namespaces: worker and zygote share nobody's uid, so each
    submission gets a sandbox of its own."""
    if namespaces_refused(root=False):
        pytest.skip("user namespaces are not available here")
    nobody = pwd.getpwnam(NOBODY)
    ensure_traversable(Path(os.path.realpath(sys.executable)))
    if os.stat(ROOT).st_mode & 0o001 == 0 or os.stat(ROOT / ".venv").st_mode & 0o005 != 0o005:
        pytest.skip(f"{ROOT / '.venv'} is not readable by other users")
    # Outside pytest's own temporary tree, which another pytest session may close at any time.
    work = Path(tempfile.mkdtemp(prefix="bp-nobody-", dir="/tmp"))
    os.chown(work, nobody.pw_uid, nobody.pw_gid)
    copy = grader_copy(work / "grader")
    grader_only = world.canary / "grader-only.txt"
    os.chown(grader_only, nobody.pw_uid, nobody.pw_gid)
    world.hashes = _digest(world.canary)
    try:
        try:
            clean, attacked, before = _grade_pair(world, work, "folders", 2, user=NOBODY,
                                                  cwd=copy, skip=USER_MODE_SKIPS,
                                                  clean=clean)
        finally:
            os.chown(grader_only, 0, 0)
            world.hashes = _digest(world.canary)
        _assert_graded(clean, attacked)
        problems = breaches(world, clean, attacked, before, namespaces=True, owner=nobody.pw_uid)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert not problems, "\n- ".join(["not contained:", *problems])
