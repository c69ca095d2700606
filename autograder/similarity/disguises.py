"""Copies of a submission as students disguise them, for the tests and tools/ (never used in
grading): the tests build their own evidence from these.

Each function takes the module sources of a package (name -> text) and returns the disguised
copy's. The disguises work on the syntax tree (ast.unparse also re-lays the code out), except
the rewritten comments, which keep the original layout.
"""

from __future__ import annotations

import ast
import builtins
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "solutions" / "backprop"
SKELETON = ROOT / "assignments" / "backprop"
VARIANTS = ROOT / "tests" / "variants"


def sources(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(folder.glob("*.py"))}


def write_package(modules: dict[str, str], dest: Path) -> Path:
    package = dest / "backprop"
    package.mkdir(parents=True)
    for name, text in modules.items():
        (package / f"{name}.py").write_text(text)
    return dest


def skeleton_with(modules: dict[str, str]) -> dict[str, str]:
    """The untouched skeleton, with some of its modules replaced."""
    return {**sources(SKELETON), **modules}


class _Rename(ast.NodeTransformer):
    """Every local variable, parameter and attribute of ``self`` gets another name (never an
    imported or global one)."""

    def __init__(self, keep: set[str]) -> None:
        self.keep = keep
        self.names: dict[str, str] = {}

    def new(self, name: str) -> str:
        if name in self.keep or name.startswith("__"):
            return name
        return self.names.setdefault(name, f"my_{name.lower()}_{len(self.names)}")

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.new(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.new(node.arg)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.Attribute:
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            node.attr = f"my_{node.attr.lower()}"  # the student's own attributes
        self.generic_visit(node)
        return node


def _module_names(tree: ast.Module) -> set[str]:
    names = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    for node in tree.body:  # module-level constants (OPTIMIZERS, ANSWERS, ...)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def renamed(modules: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, text in modules.items():
        tree = ast.parse(text)
        out[name] = ast.unparse(_Rename(_module_names(tree)).visit(tree)) + "\n"
    return out


def reordered(modules: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, text in modules.items():
        tree = ast.parse(text)
        heads = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        tree.body = heads + defs[::-1]
        out[name] = ast.unparse(tree) + "\n"
    return dict(reversed(out.items()))


def recommented(modules: dict[str, str]) -> dict[str, str]:
    """Every comment rewritten, every docstring replaced, a comment line added per function."""
    out = {}
    for name, text in modules.items():
        tokens = []
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                tok = tok._replace(string="# my own note: " + tok.string[1:][::-1].strip())
            elif tok.type == tokenize.STRING and tok.string.startswith('"""'):
                tok = tok._replace(string='"""I wrote this myself, step by step."""')
            tokens.append(tok)
        rewritten = tokenize.untokenize(tokens)
        out[name] = rewritten.replace("\ndef ", "\n# helper written late at night\ndef ")
    return out


class _DeadCode(ast.NodeTransformer):
    """A useless statement after every statement of every function body."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        body = []
        for i, stmt in enumerate(node.body):
            body.append(stmt)
            if isinstance(stmt, ast.Return):
                continue
            filler = (f"debug_counter_{i} = {i} * 0" if i % 2 else
                      "if False:\n    print('unreachable')")
            body.extend(ast.parse(filler).body)
        if isinstance(node.body[-1], ast.Return):  # keep the return last
            body.remove(node.body[-1])
            body.append(node.body[-1])
        node.body = body
        return node


def dead_code(modules: dict[str, str]) -> dict[str, str]:
    return {name: ast.unparse(_DeadCode().visit(ast.parse(text))) + "\n"
            for name, text in modules.items()}


class _Comprehensions(ast.NodeTransformer):
    """``return [e for t in it]`` and ``return {k: v for t in it}`` become loops, and loops
    that append become comprehensions: the rewrite a student does to look different."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        body: list[ast.stmt] = []
        for stmt in node.body:
            value = stmt.value if isinstance(stmt, ast.Return) else None
            if isinstance(value, (ast.ListComp, ast.DictComp)) and len(value.generators) == 1:
                gen = value.generators[0]
                if isinstance(value, ast.ListComp):
                    init, add = "collected = []", f"collected.append({ast.unparse(value.elt)})"
                else:
                    init = "collected = {}"
                    add = f"collected[{ast.unparse(value.key)}] = {ast.unparse(value.value)}"
                loop = (f"{init}\nfor {ast.unparse(gen.target)} in {ast.unparse(gen.iter)}:\n"
                        f"    {add}\nreturn collected")
                body.extend(ast.parse(loop).body)
            else:
                body.append(stmt)
        node.body = body
        return node


def comprehensions(modules: dict[str, str]) -> dict[str, str]:
    return {name: ast.unparse(_Comprehensions().visit(ast.parse(text))) + "\n"
            for name, text in modules.items()}




# The tests' class: independent work, a disguised copy of each, prior work
# (tests/test_similarity.py, tools/similarity_compare.py).
INDEPENDENT = ["reference", "chatty", "classes", "float32", "loops", "recompute_z",
               "tuple_cache"]
# copy -> (its source, the disguise)
COPIES = {
    "verbatim": ("loops", lambda m: m),
    "renamed": ("classes", renamed),
    "reordered": ("float32", reordered),
    "commented": ("chatty", recommented),
    "deadcode": ("tuple_cache", dead_code),
    "comprehensions": ("reference", comprehensions),
    "partial": ("recompute_z", lambda m: skeleton_with({k: m[k] for k in ("layers",
                                                                            "network")})),
    "frompublic": ("stable_formulas", lambda m: reordered(renamed(m))),
}
PRIOR_NAME = "public-solution"
# every pair of the class holding the same code (beyond each copy and its source)
MORE_COPIES = [("another-year", "reference"), ("another-year", "comprehensions"),
               ("partialmix", "reference"), ("partialmix", "comprehensions"),
               ("partialmix", "another-year"), ("partialmix", PRIOR_NAME),
               ("partialmix", "frompublic")]
SIGMOID_TODO = re.compile(r"    # TODO: compute sigma.*?# END TODO", re.S)


def source_of(name: str) -> dict[str, str]:
    return sources(REFERENCE if name == "reference"
                      else VARIANTS / name / "backprop")


def one_liner_skeleton() -> dict[str, str]:
    skeleton = sources(SKELETON)["activations"]
    done = SIGMOID_TODO.sub("    return 1.0 / (1.0 + np.exp(-Z))", skeleton, count=1)
    assert done != skeleton
    return skeleton_with({"activations": done})


def build_class(base: Path) -> tuple[Path, Path]:
    klass, prior = base / "class", base / "prior"
    for name in INDEPENDENT:
        write_package(source_of(name), klass / name)
    for name, (source, disguise) in COPIES.items():
        write_package(disguise(source_of(source)), klass / name)
    # two modules copied into work of one's own (here: the public solution's other modules)
    own = source_of("stable_formulas")
    reference = source_of("reference")
    write_package(renamed({**own, **{m: reference[m] for m in ("layers", "network")}}),
                  klass / "partialmix")
    for name in ("skeleton1", "skeleton2"):
        write_package(skeleton_with({}), klass / name)
    for name in ("one-liner1", "one-liner2"):
        write_package(one_liner_skeleton(), klass / name)
    write_package(source_of("stable_formulas"), prior / "2025" / PRIOR_NAME)
    write_package(source_of("reference"), prior / "2025" / "another-year")
    return klass, prior
