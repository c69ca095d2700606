"""Fingerprints of one submission's code that survive renaming, reordering and rewording.

Each module is parsed with Python's own parser (``ast``) and every function becomes a stream of
tokens in which what a copier changes for free is gone: local names and helper names become
``V``, strings and docstrings ``S`` (docstrings are dropped), comments and formatting never
reach the tree, ``x += y`` reads as ``x = x + y``, and a list or dict built by a loop reads as
the comprehension that builds it. Hashes of k consecutive tokens, winnowed (Schleimer, Wilkerson
and Aiken, SIGMOD 2003: the smallest hash of every window of w), are the fingerprints; each
remembers the function and the lines it came from. Functions are fingerprinted one by one, so
reordering them changes nothing.
"""

from __future__ import annotations

import ast
import builtins
import zlib
from dataclasses import dataclass, field

import numpy as np

K = 12  # tokens per k-gram: shorter shared runs (one small expression) are noise
WINDOW = 6  # winnowing window: every shared run of K + WINDOW - 1 tokens is found
MAX_TOKENS = 200_000  # per module: a module beyond it is not compared
KEPT_NAMES = frozenset(dir(builtins))
# Attributes of library types keep their names (x.T, x.shape, rng.permutation, d.items); a
# student's own attributes (self.weights) read as V, like every name a copier can change.
KEPT_ATTRIBUTES = frozenset().union(*(dir(t) for t in (list, dict, str, set, tuple, np.ndarray,
                                                        np.random.Generator)))


@dataclass
class Fingerprints:
    """The winnowed fingerprints of one module: hash -> [(function, first line, last line)]."""

    where: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)
    functions: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> its lines


class Unreadable(ValueError):
    """A module that cannot be compared; the message says why, for the report."""


def _imported_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return names


def _is_empty_literal(node: ast.AST, kind: type) -> bool:
    return isinstance(node, kind) and not (node.elts if kind is ast.List else node.keys)


def _single_name_target(stmt: ast.stmt) -> str | None:
    if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)):
        return stmt.targets[0].id
    return None


def _loop_as_comprehension(init: ast.stmt, loop: ast.stmt) -> ast.stmt | None:
    """``x = []; for t in it: [if c:] x.append(e)`` (or ``x[k] = v`` into ``{}``) as the
    ``x = [e for t in it if c]`` that writes the same thing; None when it is not that pattern."""
    name = _single_name_target(init)
    if name is None or not isinstance(loop, ast.For) or loop.orelse or len(loop.body) != 1:
        return None
    body, ifs = loop.body[0], []
    if isinstance(body, ast.If) and not body.orelse and len(body.body) == 1:
        ifs, body = [body.test], body.body[0]
    gen = ast.comprehension(target=loop.target, iter=loop.iter, ifs=ifs, is_async=0)
    if (_is_empty_literal(init.value, ast.List) and isinstance(body, ast.Expr)
            and isinstance(body.value, ast.Call) and isinstance(body.value.func, ast.Attribute)
            and body.value.func.attr == "append" and isinstance(body.value.func.value, ast.Name)
            and body.value.func.value.id == name and len(body.value.args) == 1):
        built: ast.expr = ast.ListComp(elt=body.value.args[0], generators=[gen])
    elif (_is_empty_literal(init.value, ast.Dict) and isinstance(body, ast.Assign)
          and len(body.targets) == 1 and isinstance(body.targets[0], ast.Subscript)
          and isinstance(body.targets[0].value, ast.Name) and body.targets[0].value.id == name):
        built = ast.DictComp(key=body.targets[0].slice, value=body.value, generators=[gen])
    else:
        return None
    return ast.copy_location(ast.Assign(targets=init.targets, value=built), init)


def _is_dead(stmt: ast.stmt, loaded: set[str]) -> bool:
    """Code that does nothing: ``if False:`` blocks, and assignments without a call to names that
    are never read (the filler a copier inserts to look different)."""
    if isinstance(stmt, (ast.If, ast.While)) and isinstance(stmt.test, ast.Constant) \
            and not stmt.test.value and not stmt.orelse:
        return True
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return (all(isinstance(t, ast.Name) and t.id not in loaded for t in targets)
                and not any(isinstance(n, (ast.Call, ast.Yield, ast.NamedExpr, ast.Await))
                            for n in ast.walk(stmt)))
    return False


class _Tokens:
    """Walks one function's tree and emits (token, line) in a fixed order."""

    def __init__(self, kept: set[str], loaded: set[str] = frozenset()) -> None:
        self.kept = kept
        self.loaded = loaded  # names the function reads: an assignment to another one is dead
        self.out: list[tuple[str, int]] = []

    def emit(self, token: str, node: ast.AST | None, line: int = 0) -> None:
        self.out.append((token, getattr(node, "lineno", line) if node is not None else line))
        if len(self.out) > MAX_TOKENS:
            raise Unreadable(f"more than {MAX_TOKENS} tokens")

    def body(self, stmts: list[ast.stmt], line: int) -> None:
        stmts = [s for s in stmts if not (isinstance(s, ast.Expr)
                                          and isinstance(s.value, ast.Constant))
                 and not isinstance(s, ast.Pass)  # docstrings, bare literals, pass
                 and not _is_dead(s, self.loaded)]
        i = 0
        while i < len(stmts):
            folded = _loop_as_comprehension(stmts[i], stmts[i + 1]) if i + 1 < len(stmts) \
                else None
            if folded is not None:
                self.node(folded, line)
                i += 2
                continue
            self.node(stmts[i], line)
            i += 1

    def node(self, node: ast.AST, line: int) -> None:
        line = getattr(node, "lineno", line)
        if isinstance(node, ast.Name):
            self.emit(node.id if node.id in self.kept else "V", node, line)
            return
        if isinstance(node, ast.Constant):
            value = node.value
            self.emit("S" if isinstance(value, (str, bytes)) else repr(value)[:40], node, line)
            return
        if isinstance(node, ast.AugAssign):  # x += y  reads as  x = x + y
            self.emit("Assign", node, line)
            self.node(node.target, line)
            self.emit("BinOp", node, line)
            self.node(node.target, line)
            self.emit(type(node.op).__name__, node, line)
            self.node(node.value, line)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            # a nested definition: its body counts, its name and signature do not
            self.emit("Def", node, line)
            self.body(node.body, line)
            self.emit("End", node, line)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return
        self.emit(type(node).__name__, node, line)
        if isinstance(node, ast.Attribute):
            self.node(node.value, line)
            library = isinstance(node.value, ast.Name) and node.value.id in self.kept
            kept = library or node.attr in KEPT_ATTRIBUTES
            self.emit("." + node.attr if kept else ".V", node, line)
            return
        if isinstance(node, ast.keyword):
            self.emit(f"{node.arg}=", node, line)
            self.node(node.value, line)
            return
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                if value and isinstance(value[0], ast.stmt):
                    self.body(value, line)
                    self.emit("End", None, line)
                else:
                    for item in value:
                        if isinstance(item, ast.AST):
                            self.node(item, line)
            elif isinstance(value, ast.AST):
                if name != "ctx":
                    self.node(value, line)


def _all_names(tree: ast.Module) -> set[str]:
    """Module-level names may be read from anywhere (other modules, the grader)."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _definitions(tree: ast.Module) -> list[tuple[str, ast.AST, list[ast.stmt]]]:
    """(name, node, body) of every top-level function and method; the rest as '<module>'."""
    found: list[tuple[str, ast.AST, list[ast.stmt]]] = []
    rest: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((node.name, node, node.body))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.append((f"{node.name}.{item.name}", item, item.body))
        else:
            rest.append(node)
    if rest:
        found.append(("<module>", rest[0], rest))
    return found


def kgram_hashes(tokens: list[str], k: int = K) -> np.ndarray:
    """A 64-bit polynomial hash of every run of k tokens (each token by its CRC-32)."""
    ids = np.array([zlib.crc32(t.encode()) for t in tokens], dtype=np.uint64)
    if len(ids) < k:
        return np.zeros(0, dtype=np.uint64)
    n = len(ids) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * base + ids[j:j + n]
    return h


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Indexes of the winnowed hashes: the smallest of every window (the rightmost on ties)."""
    if len(hashes) <= window:
        return np.array([int(np.argmin(hashes))]) if len(hashes) else np.zeros(0, dtype=int)
    views = np.lib.stride_tricks.sliding_window_view(hashes[::-1], window)
    rightmost = len(hashes) - 1 - (views.argmin(axis=1) + np.arange(len(views)))
    return np.unique(rightmost)


def fingerprint_module(source: str, contract_names: set[str] = frozenset()) -> Fingerprints:
    """The fingerprints of one module's source text; raises Unreadable when it cannot be parsed."""
    if "\0" in source:
        raise Unreadable("it holds NUL bytes (not Python source)")
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise Unreadable(f"it does not parse (SyntaxError, line {exc.lineno})") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise Unreadable(f"it cannot be parsed ({type(exc).__name__})") from None
    kept = set(KEPT_NAMES) | _imported_names(tree) | set(contract_names)
    prints = Fingerprints()
    for name, node, body in _definitions(tree):
        loaded = {n.id for s in body for n in ast.walk(s)
                  if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
        walker = _Tokens(kept, loaded if name != "<module>" else set(loaded) | _all_names(tree))
        try:
            walker.body(body, getattr(node, "lineno", 1))
        except RecursionError:
            raise Unreadable("it is nested too deeply to compare") from None
        first = getattr(node, "lineno", 1)
        last = max([first] + [getattr(s, "end_lineno", first) or first for s in body])
        prints.functions[name] = (first, last)
        tokens = [t for t, _ in walker.out]
        lines = [line for _, line in walker.out]
        hashes = kgram_hashes(tokens)
        for i in winnow(hashes):
            span = lines[i:i + K]
            prints.where.setdefault(int(hashes[i]), []).append((name, min(span), max(span)))
    return prints
