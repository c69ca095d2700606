"""The isolation attacks on the grader's channel, its output and its resources, run through the
Gradescope autograder as root: the same guarantees as test_isolation_gradescope.py's (see
there), in a file of their own so that pytest-xdist runs them beside that file's attacks.
"""

from __future__ import annotations

import pytest
from test_isolation_gradescope import ALONE, CHANNEL, contained_on_gradescope, make_world  # noqa: E402

from autograder.engine.sandbox.uids import is_root  # noqa: E402

pytestmark = pytest.mark.skipif(not is_root(), reason="Gradescope runs the autograder as root")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    return make_world(tmp_path_factory)


@pytest.mark.parametrize("name", [a for a in ALONE if a in CHANNEL])
def test_attack_is_contained_on_gradescope(name, world, autograder_zip, tmp_path, monkeypatch):
    contained_on_gradescope(name, world, autograder_zip, tmp_path, monkeypatch)
