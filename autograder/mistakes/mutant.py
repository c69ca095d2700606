"""One known mistake (a ``Mutant``) and how to write the reference package with it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "solutions" / "backprop"

QUIZ_KEY: dict[int, str] = load_rubric().quiz_key


@dataclass(frozen=True)
class Mutant:
    """One mistake: ``old`` -> ``new`` (exactly one match) in solutions/backprop/<module>.py."""

    name: str
    module: str
    old: str
    new: str
    breaks: str
    note: str


def reference_source(module: str) -> str:
    return (REFERENCE / f"{module}.py").read_text()


def mutated_source(mutant: Mutant) -> str:
    """The mutated text of the mutant's module; ValueError unless ``old`` matches exactly once."""
    source = reference_source(mutant.module)
    count = source.count(mutant.old)
    if count != 1:
        raise ValueError(
            f"mutant {mutant.name}: `old` matches {count} times in solutions/backprop/"
            f"{mutant.module}.py (must be exactly once; did the reference change?)"
        )
    return source.replace(mutant.old, mutant.new)


def apply_mutant(mutant: Mutant, dest_dir: Path | str) -> Path:
    """Write the reference package with the mutant's bug to ``dest_dir/backprop/``."""
    dest = Path(dest_dir)
    package = copy_reference(dest)
    (package / f"{mutant.module}.py").write_text(mutated_source(mutant))
    return dest


def copy_reference(dest: Path) -> Path:
    """A fresh copy of the reference package at ``dest/backprop`` (what was there is removed)."""
    package = dest / "backprop"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    for path in sorted(REFERENCE.glob("*.py")):
        shutil.copyfile(path, package / path.name)
    return package

