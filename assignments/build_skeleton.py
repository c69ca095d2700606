"""Generate the student skeleton assignments/backprop/ from the reference solutions/backprop/.

The reference marks each graded body with

    # BEGIN SOLUTION: <hint shown to students>
    ...reference code...
    # ELSE            (optional: commented-out lines the skeleton gets instead)
    # END SOLUTION

Without an ELSE part the skeleton gets a TODO and ``raise NotImplementedError``.
Usage: python assignments/build_skeleton.py [--check]   (--check: fail if the committed copy drifted)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_DIR = ROOT / "solutions" / "backprop"
SKELETON_DIR = ROOT / "assignments" / "backprop"

_BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?::\s*(?P<hint>.*))?$")
_ELSE = re.compile(r"^\s*# ELSE\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")
_DEF = re.compile(r"^\s*def (?P<name>\w+)\(")


def skeletonize(source: str, filename: str) -> str:
    """Return the student version of one reference module."""
    out: list[str] = []
    func = None
    lines = iter(source.splitlines())
    for line in lines:
        if m := _DEF.match(line):
            func = m["name"]
        begin = _BEGIN.match(line)
        if not begin:
            out.append(line)
            continue
        indent, hint = begin["indent"], begin["hint"] or "your code here"
        replacement: list[str] | None = None
        for inner in lines:
            if _END.match(inner):
                break
            if _ELSE.match(inner):
                replacement = []
            elif replacement is not None:
                replacement.append(re.sub(r"^(\s*)# ?", r"\1", inner, count=1))
        else:
            raise ValueError(f"{filename}: BEGIN SOLUTION without END SOLUTION")
        out.append(f"{indent}# TODO: {hint}")
        if replacement is None:
            what = func or "this part"
            out.append(f"{indent}raise NotImplementedError(")
            out.append(f'{indent}    "{what} is not implemented yet (TODO in backprop/{filename})"')
            out.append(f"{indent})")
        else:
            out.extend(replacement)
        out.append(f"{indent}# END TODO")
    return "\n".join(out) + "\n"


def solution_lines(folder: Path = SOLUTION_DIR) -> tuple[set[str], set[str]]:
    """(lines inside BEGIN/END SOLUTION blocks, every other line incl. ELSE parts), stripped:
    what leak tests look for in what students receive."""
    inside: set[str] = set()
    outside: set[str] = set()
    for path in sorted(folder.glob("*.py")):
        state = None
        for line in path.read_text().splitlines():
            if _BEGIN.match(line):
                state = "solution"
            elif _ELSE.match(line):
                state = "else"
            elif _END.match(line):
                state = None
            elif state == "solution":
                inside.add(line.strip())
            elif state == "else":
                outside.add(re.sub(r"^# ?", "", line.strip()))
            else:
                outside.add(line.strip())
    return inside, outside


def expected_files() -> dict[str, str]:
    """File name -> skeleton text, for every module of the reference package."""
    return {
        path.name: skeletonize(path.read_text(), path.name)
        for path in sorted(SOLUTION_DIR.glob("*.py"))
    }


def main(argv: list[str]) -> int:
    files = expected_files()
    if "--check" in argv:
        stale = [
            name
            for name, text in files.items()
            if not (SKELETON_DIR / name).exists() or (SKELETON_DIR / name).read_text() != text
        ]
        extra = sorted({p.name for p in SKELETON_DIR.glob("*.py")} - set(files))
        if stale or extra:
            print(f"skeleton out of date: {stale + extra}; run `make skeleton`")
            return 1
        print("skeleton is up to date")
        return 0
    SKELETON_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (SKELETON_DIR / name).write_text(text)
    print(f"wrote {len(files)} files to {SKELETON_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
