"""Rubric edits are safe: each mistake in rubric.yml gives one clear sentence, and the command
the rubric names lists every check with its points."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.engine.core.framework import REGISTRY
from autograder.engine.grading_host import check_points
from autograder.engine.rubric import RUBRIC_PATH, RubricError, load_rubric, parse_rubric

ROOT = Path(__file__).resolve().parents[1]


def data() -> dict:
    return copy.deepcopy(yaml.safe_load(RUBRIC_PATH.read_text()))


def broken(edit) -> str:
    changed = data()
    edit(changed)
    with pytest.raises(RubricError) as caught:
        parse_rubric(changed)
    message = str(caught.value.code)
    assert "\n" not in message and message.startswith(str(RUBRIC_PATH)), message
    return message


def test_the_rubric_file_is_valid() -> None:
    assert parse_rubric(data()) == load_rubric()


def test_each_mistake_gives_one_sentence() -> None:
    def rename(d):
        d["points"]["sigmoidd"] = d["points"].pop("sigmoid")

    assert "'sigmoidd' is not a graded function (did you mean 'sigmoid'?)" in broken(rename)
    assert "no points for relu" in broken(lambda d: d["points"].pop("relu"))
    assert "add up to 101, not 100" in broken(lambda d: d["points"].update(relu=d["points"]["relu"] + 1))
    assert "give a number >= 0" in broken(lambda d: d["points"].update(relu="two"))
    assert "visibility 'publc' is not one of" in broken(lambda d: d.update(visibility="publc"))
    assert "give a number of seconds above 0" in broken(lambda d: d["timeouts"].update(default=0))
    assert "neither default, budget, import nor" in broken(lambda d: d["timeouts"].update(trian=5))
    assert "must be one letter A-D" in broken(lambda d: d["quiz_key"].update({3: "E"}))
    assert "numbered 1 to" in broken(lambda d: d["quiz_key"].pop(2))
    assert "points: give each graded function its points" in broken(lambda d: d.pop("points"))


def test_invalid_yaml_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "rubric.yml"
    path.write_text("points: {sigmoid: 4\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    assert "is not valid YAML" in str(caught.value.code)


def test_a_bad_rubric_stops_make_grade_without_a_traceback(tmp_path: Path) -> None:
    """RubricError is a SystemExit: the command prints the sentence and exits 1."""
    script = ("import sys; from autograder.engine.rubric import load_rubric; "
              f"load_rubric(__import__('pathlib').Path({str(tmp_path / 'r.yml')!r}))")
    (tmp_path / "r.yml").write_text(RUBRIC_PATH.read_text().replace("visibility: ", "visibility: x"))
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("hidden") and "visibility 'x" in done.stderr


@pytest.mark.parametrize("command", ["autograder.list_checks", "autograder.rubric"])
def test_the_listing_names_every_check_with_its_points(command: str) -> None:
    done = subprocess.run([sys.executable, "-m", command], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    for function, checks in REGISTRY.items():
        assert f"{function}: {load_rubric().points[function]:g} points" in done.stdout
        for chk, points in zip(checks, check_points(function)):
            assert f"{points:>8.5g}  {'public' if chk.public else 'hidden'}" in done.stdout
            assert f"{chk.name}: {chk.title}" in done.stdout
