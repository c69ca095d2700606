"""The attacks of test_isolation.py graded as root with namespaces in the other layout: a folder of
zips, with two jobs (a folder of folders with two jobs is the export's layout, graded in
test_isolation.py with the export's metadata). Same batches, same guarantees
(see test_isolation.py); a file of their own so that pytest-xdist grades them beside
test_isolation.py's batches.
"""

from __future__ import annotations

import pytest
from test_isolation import (  # noqa: E402
    Batch,
    clean_with_namespaces,
    contained_with_namespaces,
    make_world,
    root_only,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    yield from make_world(tmp_path_factory)


@pytest.fixture(scope="module")
def clean(world, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return clean_with_namespaces(world, tmp_path_factory)


@root_only
@pytest.mark.parametrize("layout,jobs", [("zips", 2)])
def test_attacks_are_contained_as_root_with_namespaces(world, clean, tmp_path, layout, jobs):
    contained_with_namespaces(world, tmp_path, layout, jobs, clean)
