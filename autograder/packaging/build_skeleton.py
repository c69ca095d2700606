"""Generate the student skeleton assignments/backprop/ from the reference solutions/backprop/.

The reference marks each graded body with

    # BEGIN SOLUTION: <hint shown to students>
    ...reference code...
    # ELSE            (optional: commented-out lines the skeleton gets instead)
    # END SOLUTION

Without an ELSE part the skeleton gets a TODO and ``raise NotImplementedError``. The reference
must define every function of the contract (autograder/engine/core/contract.py) with its parameters;
otherwise nothing is written.
Usage: python autograder/packaging/build_skeleton.py [--check]   (--check: fail if the committed copy drifted)
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTION_DIR = ROOT / "solutions" / "backprop"
SKELETON_DIR = ROOT / "assignments" / "backprop"

_BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION(?::\s*(?P<hint>.*))?$")
_ELSE = re.compile(r"^\s*# ELSE\s*$")
_END = re.compile(r"^\s*# END SOLUTION\s*$")
_DEF = re.compile(r"^\s*def (?P<name>\w+)\(")


def load_contract():
    """autograder/engine/core/contract.py by path (standard library only, like this script)."""
    spec = importlib.util.spec_from_file_location(
        "backprop_lab_contract", ROOT / "autograder" / "engine" / "core" / "contract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parameters(node: ast.FunctionDef) -> str:
    """'(Z, seed=0)': a function's parameters with defaults, without annotations."""
    args = node.args
    for arg in args.args + args.kwonlyargs:
        arg.annotation = None
    return "(" + ast.unparse(args) + ")"


def contract_problems(folder: Path = SOLUTION_DIR) -> list[str]:
    """Where the reference differs from the contract's modules, functions and parameters."""
    contract = load_contract()
    problems = []
    for module, functions in {**contract.FUNCTIONS, **contract.GIVEN}.items():
        path = folder / f"{module}.py"
        if not path.is_file():
            problems.append(f"backprop/{module}.py is missing")
            continue
        tree = ast.parse(path.read_text())
        defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        names = {t.id for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                 for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                 if isinstance(t, ast.Name)}
        for name, signature in functions.items():
            if name == "quiz":
                if contract.QUIZ_ATTRIBUTE not in names:
                    problems.append(f"backprop/{module}.py defines no {contract.QUIZ_ATTRIBUTE}")
            elif name not in defined:
                problems.append(f"backprop/{module}.py defines no {name}{signature}")
            elif ast.unparse(ast.parse(f"def f{parameters(defined[name])}: pass")) != \
                    ast.unparse(ast.parse(f"def f{signature}: pass")):
                problems.append(f"{module}.{name}{parameters(defined[name])} should be "
                                f"{name}{signature}")
    return problems


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
    problems = contract_problems()
    if problems:
        print("the reference does not follow the contract (autograder/engine/core/contract.py): "
              + "; ".join(problems))
        return 1
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
