"""The student notebook: it builds, and it runs end to end, headless, against the reference.

Each test lays out a folder the way the handout does (the notebook next to a ``backprop/``
package), then executes the notebook there with nbclient. The kernel is described by a
kernelspec written into the test's tmp dir whose command is this interpreter (``sys.executable``),
so the notebook runs with this venv's numpy/matplotlib/ipykernel and never with some other
Python that happens to be on PATH. ``MPLBACKEND=Agg`` simulates a CI machine with no display.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograder.engine.core.contract import FUNCTIONS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "assignments" / "notebook_source.py"
SOLUTION_PKG = ROOT / "solutions" / "backprop"
SKELETON_PKG = ROOT / "assignments" / "backprop"
STEPS = list(FUNCTIONS.values())  # the README's steps: one module each, in the contract's order

# Appended to the executed copy only: reports which interpreter, package and backend really ran.
PROBE = (
    "import json as _json, sys as _sys, matplotlib as _mpl, backprop as _bp\n"
    "print('PROBE ' + _json.dumps({'executable': _sys.executable, 'backprop': _bp.__file__,"
    " 'backend': _mpl.get_backend()}))"
)


def _load_source():
    spec = importlib.util.spec_from_file_location("notebook_source", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _handout_dir(tmp_path: Path, package: Path) -> Path:
    """A folder shaped like the handout: backprop/ plus the freshly built notebook."""
    workdir = tmp_path / "handout"
    shutil.copytree(package, workdir / "backprop", ignore=shutil.ignore_patterns("__pycache__"))
    _load_source().write_notebook(workdir / "backprop_lab.ipynb")
    return workdir


def _kernel_manager_class(tmp_path: Path) -> type[AsyncKernelManager]:
    """A kernel manager class whose 'python3' kernelspec runs this very interpreter.

    Handing nbclient a class (not an instance) lets it own the kernel and shut it down.
    """
    spec_dir = tmp_path / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "backprop-lab test kernel",
        "language": "python",
        # Headless like CI; no PYTHONPATH, so `backprop` can only come from the notebook's folder.
        "env": {"MPLBACKEND": "Agg", "PYTHONPATH": ""},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")], ensure_native_kernel=False)

    class VenvKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(kernel_spec_manager=ksm, **kwargs)

    return VenvKernelManager


def _execute(workdir: Path, tmp_path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(workdir / "backprop_lab.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE, id="test-probe"))
    client = NotebookClient(
        nb,
        kernel_name="python3",
        kernel_manager_class=_kernel_manager_class(tmp_path),
        timeout=120,
        startup_timeout=60,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    return nb


def _texts(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif "data" in out and "text/plain" in out.data:
                parts.append(out.data["text/plain"])
    return "\n".join(parts)


def _images(nb: nbformat.NotebookNode) -> int:
    return sum(
        1
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.output_type in ("display_data", "execute_result") and "image/png" in out.data
    )


@pytest.fixture(scope="module")
def executed_reference(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("nb_reference")
    workdir = _handout_dir(tmp_path, SOLUTION_PKG)
    start = time.perf_counter()
    nb = _execute(workdir, tmp_path)
    return nb, time.perf_counter() - start, workdir


def test_build_is_valid_and_deterministic(tmp_path):
    source = _load_source()
    first, second = source.build_notebook(), source.build_notebook()
    nbformat.validate(first)
    assert nbformat.writes(first) == nbformat.writes(second)
    assert first.metadata.kernelspec.name == "python3"
    code = "\n".join(c.source for c in first.cells if c.cell_type == "code")
    for name in ("loss_and_gradients", "numerical_gradient", "relative_error", "train("):
        assert name in code
    # Every code cell is valid Python once IPython has turned its %magics into calls.
    transformer = TransformerManager()
    for cell in first.cells:
        if cell.cell_type == "code":
            compile(transformer.transform_cell(cell.source), cell.id, "exec")


def test_cli_writes_the_notebook_where_asked(tmp_path):
    out = tmp_path / "nested" / "lab.ipynb"
    result = subprocess.run(
        [sys.executable, str(SOURCE), "--out", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(out, as_version=4)
    assert nb.cells == _load_source().build_notebook().cells


def test_notebook_runs_against_the_reference(executed_reference):
    nb, seconds, workdir = executed_reference
    errors = [
        out for cell in nb.cells for out in cell.get("outputs", []) if out.output_type == "error"
    ]
    assert errors == []
    text = _texts(nb)
    assert "0.298371" in text  # the worked example's loss, printed by the notebook
    assert "MISMATCH" not in text
    assert _images(nb) >= 3, f"only {_images(nb)} plots in the outputs"
    # It really ran with this interpreter, headless, on the package next to the notebook.
    probe = json.loads(text.split("PROBE ", 1)[1].splitlines()[0])
    assert Path(probe["executable"]).resolve() == Path(sys.executable).resolve()
    assert Path(probe["backprop"]).resolve().parent == (workdir / "backprop").resolve()
    assert "inline" in probe["backend"]  # %matplotlib inline wins over MPLBACKEND=Agg
    print(f"notebook executed in {seconds:.1f} s")
    assert seconds < 60, f"the notebook took {seconds:.0f} s; keep it well under a minute"


def test_notebook_fails_on_the_skeleton_with_not_implemented(tmp_path):
    workdir = _handout_dir(tmp_path, SKELETON_PKG)
    with pytest.raises(CellExecutionError) as info:
        _execute(workdir, tmp_path)
    assert info.value.ename == "NotImplementedError", info.value.evalue


def _sections(nb: nbformat.NotebookNode) -> list[tuple[str, set[str], str]]:
    """(heading, the functions its **Needs:** line names, its code) per section of the notebook
    that needs student functions (a "## " or "### " heading with a Needs line)."""
    sections: list[tuple[str, set[str], str]] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "**Needs:**" in cell.source:
            heading = next(line for line in cell.source.splitlines() if line.startswith("#"))
            needs = cell.source.split("**Needs:**", 1)[1].split("(", 1)[0]
            sections.append((heading, set(re.findall(r"`(\w+)`", needs)), ""))
        elif cell.cell_type == "code" and sections:
            heading, needs, code = sections[-1]
            sections[-1] = (heading, needs, code + "\n" + cell.source)
    return sections


def test_each_section_says_what_it_needs_and_runs_as_soon_as_that_exists():
    """Sections come in the README's order of steps, each names the student functions it
    needs, and its code calls no other (beyond what earlier sections needed)."""
    nb = _load_source().build_notebook()
    graded = {f: step for step, funcs in enumerate(STEPS, start=1) for f in funcs}
    sections = _sections(nb)
    assert len(sections) >= 6, [h for h, _, _ in sections]
    available: set[str] = set()
    last_step = 0
    for heading, needs, code in sections:
        assert needs and needs <= set(graded), (heading, needs)
        available |= needs
        called = {f for f in graded if re.search(rf"\b{f}\(", code)}
        assert called <= available, (heading, called - available)
        step = max(graded[f] for f in needs)
        assert step >= last_step, (heading, step, last_step)  # in the order of the steps
        last_step = step
    first = sections[0][1]
    assert max(graded[f] for f in first) <= 2, first  # of use from steps 1-2 on


def test_with_steps_1_and_2_done_the_worked_example_starts(tmp_path):
    """Only activations.py and losses.py written: section 1a runs to the end (the loss
    0.298371109, delta_o1), and the first error is the NotImplementedError of step 3."""
    package = tmp_path / "partial"
    shutil.copytree(SKELETON_PKG, package)
    for module in ("activations.py", "losses.py"):
        shutil.copy(SOLUTION_PKG / module, package / module)
    workdir = _handout_dir(tmp_path, package)
    nb = nbformat.read(workdir / "backprop_lab.ipynb", as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=120, startup_timeout=60,
                            kernel_manager_class=_kernel_manager_class(tmp_path),
                            resources={"metadata": {"path": str(workdir)}})
    with pytest.raises(CellExecutionError) as info:
        client.execute()
    assert info.value.ename == "NotImplementedError", info.value.evalue
    assert "layers.py" in info.value.evalue, info.value.evalue
    text = _texts(nb)
    assert "J = 0.298371109" in text and "delta_o1" in text and "MISMATCH" not in text, text
