"""Which graded functions a bug can reach: the package's call graph and imports, read with ``ast``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from autograder.engine.core import contract
from autograder.mistakes.mutant import REFERENCE, Mutant, reference_source

GRADED_MODULES: dict[str, tuple[str, ...]] = {m: tuple(fs) for m, fs in contract.FUNCTIONS.items()}
MODULE_OF: dict[str, str] = dict(contract.MODULE_OF)
GRADED: tuple[str, ...] = contract.GRADED

# Grading dependencies that are not calls: `backward` receives the cache made by the student's
# own `forward` (the cache is the student's design), so grading `backward` needs `forward`; and
# forward's check of its cache is judged with the student's own `backward`.
EXTRA_GRADING_DEPENDENCIES: dict[str, set[str]] = {
    **{f: set(d) for f, d in contract.GRADED_WITH.items()}, "forward": {"backward"}}


def _graded_name(module: str, function: str) -> str | None:
    return function if MODULE_OF.get(function) == module else None


def enclosing_function(mutant: Mutant) -> str:
    """The graded function whose body holds the mutant's replacement (``quiz`` for quiz.py)."""
    if mutant.module == "quiz":
        return "quiz"
    source = reference_source(mutant.module)
    start = source.index(mutant.old)
    line = source.count("\n", 0, start) + 1
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.lineno <= line <= (node.end_lineno or 0):
            name = _graded_name(mutant.module, node.name)
            if name:
                return name
    raise ValueError(f"mutant {mutant.name}: its replacement is in no graded function")


def _parsed_modules(package_dir: Path | str) -> Iterator[tuple[str, ast.Module]]:
    """Each graded module of the package with its syntax tree; missing or unparsable ones are
    left out."""
    for module in GRADED_MODULES:
        path = Path(package_dir) / f"{module}.py"
        if not path.exists():
            continue
        try:
            yield module, ast.parse(path.read_text())
        except SyntaxError:
            continue


def call_graph(package_dir: Path | str) -> dict[str, set[str]]:
    """Graded function -> the graded functions it calls (by name), read from the package's source.

    A module that cannot be parsed contributes no edges. Calls are matched by name (``f(...)``
    or ``module.f(...)``), which is exact for this package: graded names are unique.
    """
    graph: dict[str, set[str]] = {f: set() for f in GRADED}
    for module, tree in _parsed_modules(package_dir):
        functions = GRADED_MODULES[module]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.FunctionDef) and node.name in functions):
                continue
            for call in ast.walk(node):
                if not isinstance(call, ast.Call):
                    continue
                func = call.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else None
                )
                if name in MODULE_OF and name != node.name:
                    graph[node.name].add(name)
    return graph


def grading_dependencies(package_dir: Path | str = REFERENCE) -> dict[str, set[str]]:
    """Graded function -> graded functions its grading may run: its calls plus the cache edge."""
    graph = call_graph(package_dir)
    for f, extra in EXTRA_GRADING_DEPENDENCIES.items():
        graph[f] |= extra
    return graph


def affected_by(broken: set[str] | str, package_dir: Path | str = REFERENCE) -> set[str]:
    """Every graded function whose grading can see a bug in ``broken`` (itself included)."""
    broken = {broken} if isinstance(broken, str) else set(broken)
    deps = grading_dependencies(package_dir)
    affected = set(broken)
    changed = True
    while changed:
        changed = False
        for f, calls in deps.items():
            if f not in affected and calls & affected:
                affected.add(f)
                changed = True
    return affected


def module_importers(package_dir: Path | str) -> dict[str, set[str]]:
    """Module -> the package modules that import it (directly), read with ``ast``."""
    importers: dict[str, set[str]] = {m: set() for m in GRADED_MODULES}
    for module, tree in _parsed_modules(package_dir):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = (node.module or "").split(".")[-1]
                names = [target] + [a.name for a in node.names]
                for name in names:
                    if name in importers and name != module:
                        importers[name].add(module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    name = alias.name.split(".")[-1]
                    if name in importers and name != module:
                        importers[name].add(module)
    return importers


def affected_by_module(module: str, package_dir: Path | str) -> set[str]:
    """Graded functions that cannot work when importing ``module`` fails or hangs."""
    importers = module_importers(package_dir)
    broken_modules = {module}
    changed = True
    while changed:
        changed = False
        for m, users in importers.items():
            if m in broken_modules:
                for user in users - broken_modules:
                    broken_modules.add(user)
                    changed = True
    functions = {f for m in broken_modules for f in GRADED_MODULES[m]}
    return affected_by(functions, package_dir)
