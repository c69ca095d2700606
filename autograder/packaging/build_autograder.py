"""Build the Gradescope autograder zip with Otter: ``make autograder`` -> dist/autograder.zip.

    python -m autograder.packaging.build_autograder [--out dist/autograder.zip]

This script builds the backprop-lab wheel, writes a temporary folder and runs the real ``otter
generate`` in it. Everything Otter packages comes from the grading engine:

    otter_config.json        visibility settings from rubric.yml, and the plugin by its importable
                             name (autograder.gradescope.plugin.BackpropLabPlugin) with
                             the digest of the grader it was built from
    requirements.txt         numpy and PyYAML, pinned as in requirements/lock.txt, and the wheel
                             by its path inside the unpacked zip: setup.sh installs it into
                             Otter's environment from there, never from an index
    tests/<function>.py      one Otter test file per graded function (exception format). There
                             is one case per engine check, with the engine's points
                             (check_points), and a case passes exactly when the engine's check did.
                             A check marked public is a non-hidden case; the others are hidden
                             unless rubric.yml's visibility is "visible" (case_hidden).
    files/backprop_lab.ipynb the entry notebook Otter executes

Three additions to what ``otter generate`` writes, made when the zip is rewritten:

    wheels/backprop_lab-<version>-py3-none-any.whl   the grader (integrity.package_files(): engine,
                             rubric and quiz key, plugin); it never goes to students
    setup.sh                 also tries ``apt-get install -y bubblewrap`` (best effort)
    run_autograder           first sets the upload's own notebooks aside (upload.py), so that
                             Otter never stops on "More than one .ipynb file found"

No student code, solutions/ or the repository's tests/ go in. The zip is deterministic: Otter's
entries are rewritten in sorted order with a fixed date, their contents unchanged but for the
two additions above. Gradescope setup, visibility and rebuilding are covered in the README's
instructor guide.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from otter.run import AutograderConfig

from autograder.engine.core.framework import REGISTRY, Check
from autograder.engine.grading_host import check_points, start_grading
from autograder.engine.rubric import Rubric, load_rubric
from autograder.gradescope import entry, integrity
from autograder.gradescope import plugin as runtime

ROOT = Path(__file__).resolve().parents[2]

# Otter 7.0.0's default image Python, pinned here so the image does not move with Otter. It must
# be >= 3.11 (the runtime relies on PYTHONSAFEPATH).
PYTHON_VERSION = "3.13"
PINNED = ("numpy", "PyYAML")  # what the engine imports beyond Otter's own requirements
LOCK = ROOT / "requirements" / "lock.txt"
PLUGIN = runtime.PLUGIN
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01: the wheel's entries get a fixed date too
WHEEL_DIR = "wheels"  # in the zip, next to setup.sh: not copied into the submission
AUTOGRADER_DIR = AutograderConfig().autograder_dir  # /autograder, where Gradescope unpacks it
BUBBLEWRAP = (
    "# backprop-lab: bubblewrap gives each student's worker its own namespaces. Best effort:\n"
    "# without it the grader falls back to a uid drop and rlimits.\n"
    "apt-get install -y bubblewrap || echo \"backprop-lab: bubblewrap not installed; the grader "
    "falls back to a uid drop and rlimits\"\n")
APT_ANCHOR = "apt-get install -y wget jq"
RUN_OTTER_ANCHOR = f"python {AUTOGRADER_DIR}/source/run_otter.py"
SET_ASIDE = f"python -I -m autograder.gradescope.upload {AUTOGRADER_DIR}/submission\n"

# rubric.yml visibility -> Otter settings. Otter 7 writes each question (one per function) as
# "hidden", "after_published" (show_hidden) or "visible" (show_all_public, when every case is
# public); it cannot express "after_due_date". A question's entry holds all its cases, so the
# public checks are shown at once through Otter's other entry, "Public Tests": always visible,
# without points, it lists the non-hidden cases of every question. Otter writes it when
# show_hidden is false or force_public_test_summary is true. With "visible" every case is shown
# in its question's entry already, so that summary is left out.
OTTER_VISIBILITY = {
    "after_published": {"show_hidden": True, "show_all_public": False, "show_stdout": True,
                        "force_public_test_summary": True},
    "hidden": {"show_hidden": False, "show_all_public": False, "show_stdout": False,
               "force_public_test_summary": True},
    "visible": {"show_hidden": True, "show_all_public": True, "show_stdout": True,
                "force_public_test_summary": False},
}

TEST_FILE_HEADER = '''\
"""Otter test file for {function}: generated by autograder/packaging/build_autograder.py, do not edit.

One case per check of the backprop-lab engine, with the engine's points. A case passes exactly
when the engine's check passed; otherwise it fails with the engine's feedback. The engine graded
the submission once, in the entry notebook; {result_global} holds its result. Public checks
are non-hidden cases, shown at once in "Public Tests" (in the words of the plugin's report).
"""

from otter.test_files import test_case

OK_FORMAT = False

name = {function!r}
'''

TEST_CASE = '''

@test_case(
    name={name!r},
    points={points!r},
    hidden={hidden!r},
)
def {function}_{number}(env):
    env[{result_global!r}].verdict({function!r}, {index}{public_only})
'''

NOTE_CASE = '''

@test_case(
    name={name!r},
    points=0,
    hidden=False,
    success_message={message!r},
)
def {function}_note(env):
    """Worth nothing and always passes: it only says, in "Public Tests", that all is hidden."""
'''


class BuildError(Exception):
    """The zip cannot be built; the message says why."""


def package_version() -> str:
    """The grader's version, from the repository's git history (setuptools-scm, as pip does)."""
    import tomllib
    from setuptools_scm import get_version

    fallback = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools_scm"]
    return get_version(root=str(ROOT), fallback_version=fallback["fallback_version"])


def plugin_config(rubric: Rubric) -> dict:
    """The plugin's settings: the visibility, and which grader the test files were made with."""
    return {"visibility": rubric.visibility, "version": package_version(),
            "package_digest": integrity.package_digest(ROOT / "autograder")}


def otter_config(rubric: Rubric, plugin: dict | None = None) -> dict:
    if rubric.visibility not in OTTER_VISIBILITY:
        raise BuildError(
            f"rubric.yml visibility {rubric.visibility!r} cannot be expressed by Otter 7 "
            f"(it writes hidden, after_published or visible); choose one of {sorted(OTTER_VISIBILITY)}"
        )
    return {
        "lang": "python",
        **OTTER_VISIBILITY[rubric.visibility],
        "print_summary": True,
        "plugins": [{PLUGIN: plugin or {"visibility": rubric.visibility}}],
    }


def case_hidden(chk: Check, rubric: Rubric) -> bool:
    """The visibility policy, in one place: a check marked public is shown to students at once;
    the others are hidden cases, shown as rubric.yml's visibility says."""
    return not chk.public and rubric.visibility != "visible"


def build_wheel(dest: Path, version: str) -> Path:
    """Build the backprop-lab wheel into ``dest`` from exactly integrity.package_files() (by folder), with the
    repository's pyproject.toml and version. pip runs setuptools from this environment (pinned
    in requirements/lock.txt): nothing is downloaded."""
    with tempfile.TemporaryDirectory(prefix="backprop-lab-wheel-") as tmp:
        stage = Path(tmp) / "backprop-lab"
        stage.mkdir()
        shutil.copyfile(ROOT / "pyproject.toml", stage / "pyproject.toml")
        for name in integrity.package_files(ROOT / "autograder"):
            (stage / "autograder" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / "autograder" / name, stage / "autograder" / name)
        env = {**os.environ, "SETUPTOOLS_SCM_PRETEND_VERSION": version,
               "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
               "--no-index", "--disable-pip-version-check", "--wheel-dir", str(dest), str(stage)]
        done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, check=False)
    wheels = sorted(dest.glob("backprop_lab-*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise BuildError(f"building the backprop-lab wheel failed ({done.returncode}):\n"
                         f"{done.stdout}{done.stderr}")
    return wheels[0]


def wheel_path(wheel: Path) -> str:
    """Where the wheel is once Gradescope has unpacked the zip (setup.sh installs it from there)."""
    return f"{AUTOGRADER_DIR}/source/{WHEEL_DIR}/{wheel.name}"


def pinned_requirements() -> str:
    """numpy and PyYAML at the versions of requirements/lock.txt (what the tests ran with)."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match and match[1].lower() in {p.lower() for p in PINNED}:
            pins[match[1].lower()] = line.strip()
    missing = [p for p in PINNED if p.lower() not in pins]
    if missing:
        raise BuildError(f"{LOCK} pins no version of {', '.join(missing)}")
    return "".join(f"{pins[p.lower()]}\n" for p in PINNED)


def test_file(function: str, rubric: Rubric) -> str:
    start_grading()
    checks = REGISTRY[function]
    hidden = [case_hidden(chk, rubric) for chk in checks]
    text = TEST_FILE_HEADER.format(function=function, result_global=entry.RESULT_GLOBAL)
    for index, (chk, points) in enumerate(zip(checks, check_points(function, rubric))):
        public = " (public)" if chk.public else ""
        # A public case's feedback is shown while the hidden results are not: it must not say
        # which other functions lost points in hidden checks (KernelGrading.verdict).
        only_public = chk.public and any(hidden)
        text += TEST_CASE.format(
            name=f"{function} {index + 1}/{len(checks)}{public}: {chk.title}", points=points,
            hidden=hidden[index], function=function, number=index + 1, index=index,
            result_global=entry.RESULT_GLOBAL,
            public_only=", public_only=True" if only_public else "",
        )
    if all(hidden):  # "Public Tests" would read "All test cases passed!" for this function
        are = "its 1 check is" if len(checks) == 1 else f"all {len(checks)} checks of {function} are"
        text += NOTE_CASE.format(
            name=f"{function}{runtime.NOTE_CASE_SUFFIX}", function=function,
            message=(f"{are} hidden: not counted in anything shown now; "
                     f"{runtime.later(rubric.visibility, len(checks))}."),
        )
    return text


def stage(build: Path, rubric: Rubric, plugin: dict, wheel: Path) -> list[str]:
    """Write everything ``otter generate`` reads into ``build``; return the files/ entries."""
    (build / "otter_config.json").write_text(
        json.dumps(otter_config(rubric, plugin), indent=2) + "\n")
    (build / "requirements.txt").write_text(pinned_requirements() + wheel_path(wheel) + "\n")
    tests = build / "tests"
    tests.mkdir()
    for function in rubric.functions:
        (tests / f"{function}.py").write_text(test_file(function, rubric))
    (build / entry.ENTRY_NOTEBOOK).write_text(entry.entry_notebook())
    return [entry.ENTRY_NOTEBOOK]


def otter_command() -> list[str]:
    script = Path(sys.executable).with_name("otter")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "otter"]


def run_otter_generate(build: Path, files: list[str], out: Path) -> None:
    """Run ``otter generate`` in ``build``. It imports the plugin by its importable name: the
    backprop-lab package must be installed in this environment (the Makefile does that)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [*otter_command(), "generate", "--tests-dir", "tests", "--output-path", str(out),
           "--python-version", PYTHON_VERSION, *files]
    done = subprocess.run(cmd, cwd=build, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        hint = ("\nThe plugin is imported from the installed backprop-lab package: run `make venv`."
                if "No module named 'autograder'" in done.stderr else "")
        raise BuildError(f"otter generate failed ({done.returncode}):\n{done.stdout}{done.stderr}"
                         f"{hint}")


def insert_before(text: str, anchor: str, addition: str, name: str, after: bool = False) -> str:
    """Add ``addition`` on its own lines before (or after) the one line of ``text`` holding
    ``anchor``; refuse if Otter's template no longer has exactly one such line."""
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if anchor in line]
    if len(found) != 1:
        raise BuildError(f"Otter's {name} has {len(found)} lines with {anchor!r}, not one:\n{text}")
    at = found[0] + (1 if after else 0)
    return "".join(lines[:at]) + addition + "".join(lines[at:])


def patched(name: str, data: bytes) -> bytes:
    """Otter's setup.sh and run_autograder with backprop-lab's two additions."""
    if name == "setup.sh":
        return insert_before(data.decode(), APT_ANCHOR, BUBBLEWRAP, name, after=True).encode()
    if name == "run_autograder":
        return insert_before(data.decode(), RUN_OTTER_ANCHOR, SET_ASIDE, name).encode()
    return data


def normalise_zip(raw: Path, out: Path, wheel: Path) -> None:
    """Rewrite Otter's zip with sorted entries, a fixed date and fixed modes, the wheel added and
    setup.sh and run_autograder patched (see the module's docstring)."""
    with zipfile.ZipFile(raw) as src:
        entries = {info.filename: (info, src.read(info)) for info in src.infolist()
                   if not info.is_dir()}
    entries[f"{WHEEL_DIR}/{wheel.name}"] = (None, wheel.read_bytes())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(entries):
            info, data = entries[name]
            fixed = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            mode = info.external_attr >> 16 if info else 0o100644
            # Files Otter copied carry the local umask's mode; its generated ones get 0600.
            fixed.external_attr = (0o100644 << 16) if stat.S_ISREG(mode) else info.external_attr
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            dst.writestr(fixed, patched(name, data))


def build_zip(out: Path) -> Path:
    rubric = load_rubric()
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="backprop-lab-otter-build-") as tmp:
        build = Path(tmp) / "files"
        build.mkdir()
        plugin = plugin_config(rubric)
        wheel = build_wheel(Path(tmp) / "wheel", plugin["version"])
        files = stage(build, rubric, plugin, wheel)
        raw = Path(tmp) / "otter-autograder.zip"
        run_otter_generate(build, files, raw)
        partial = out.with_name(out.name + ".partial")
        normalise_zip(raw, partial, wheel)
        partial.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "autograder.zip",
                        help="where to write the zip (dist/autograder.zip)")
    args = parser.parse_args(argv)
    try:
        out = build_zip(args.out)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(out) as zf:
        tests = sum(1 for n in zf.namelist() if n.startswith("tests/"))
        wheel = next(n for n in zf.namelist() if n.startswith(f"{WHEEL_DIR}/"))
    print(f"wrote {out} ({out.stat().st_size // 1024} KB, {tests} Otter test files, {wheel}); "
          "upload it on Gradescope, try it with `otter run -a` (see the README's instructor guide)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
