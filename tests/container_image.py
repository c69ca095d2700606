"""The Debian image the container tests run in (tests/test_container.py): built with debootstrap
once per checkout, kept in .venv/container-rootfs. `make test` builds it before the tests start,
as it sets up the virtualenv: `python tests/container_image.py`. Nothing to do, and a line saying
why, where the machine cannot run the container tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

VENV = (Path(__file__).resolve().parents[1] / ".venv").absolute()
ROOTFS = VENV / "container-rootfs"
TOOLS = ("dockerd", "docker", "debootstrap")


def tool(name: str) -> str | None:
    return shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")


def cannot_run() -> str:
    """Why the container tests cannot run here ('' if they can)."""
    if os.geteuid() != 0:
        return "Docker's daemon needs root"
    missing = [t for t in TOOLS if tool(t) is None]
    if missing:
        return (f"{', '.join(missing)} not installed (Debian: apt-get install docker.io "
                "debootstrap; .ci/run does)")
    return ""


def _mirror() -> str:
    for source in Path("/etc/apt/sources.list.d").glob("*.sources"):
        for line in source.read_text().splitlines():
            if line.startswith("URIs:") and "debian" in line and "security" not in line:
                return line.split()[1]
    return "http://deb.debian.org/debian"


def build() -> tuple[Path | None, str]:
    """(the image's root folder, '') once built, or (None, why it could not be)."""
    if (ROOTFS / "usr" / "bin" / "python3").exists() and (ROOTFS / "usr/bin/bwrap").exists():
        return ROOTFS, ""
    if why := cannot_run():
        return None, why
    shutil.rmtree(ROOTFS, ignore_errors=True)
    done = subprocess.run([tool("debootstrap"), "--variant=minbase",
                           "--include=python3,bubblewrap", "bookworm", str(ROOTFS), _mirror()],
                          capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        shutil.rmtree(ROOTFS, ignore_errors=True)
        return None, f"debootstrap could not build an image: {done.stderr.strip()[-300:]}"
    return ROOTFS, ""


if __name__ == "__main__":
    built = ROOTFS.exists()
    rootfs, why = build()
    if rootfs is None:
        print(f"container tests' image: not built ({why})", file=sys.stderr)
    elif not built:
        print(f"container tests' image: built in {rootfs}", file=sys.stderr)
