"""Fixtures shared by several test modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/autograder.zip as `make autograder` builds it (here into a temporary folder, once)."""
    out = tmp_path_factory.mktemp("dist") / "autograder.zip"
    done = subprocess.run([sys.executable, "-m", "autograder.packaging.build_autograder",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return out
