"""The catalogue of known mistakes: realistic single-bug copies of the `backprop` package ("mutants").

Each mutant is the reference solution (solutions/backprop) with ONE mistake that students really
make, written as data: an exact textual replacement ``old`` -> ``new`` in one module, which must
match exactly once. ``breaks`` names the graded function the mistake breaks under the student
contract (docs/contract.md); ``note`` says what is wrong and why it is wrong under the contract.

Every mutant here was checked to really break ``breaks`` (a different output than the reference
or a contract violation on some realistic input): ``tests/probe_submission.py`` runs a package
on fixed probe inputs and ``tests/test_mistakes_catalog.py::test_catalog_mutant_really_breaks``
keeps that check alive.

Also here: ``apply_mutant`` (writes a mutated package) and ``grading_dependencies`` /
``affected_by`` (which graded functions a bug in one function can reach, from the package's call
graph read with ``ast``).

The mistakes are listed by module of the assignment (one file each), then those found in
learners' code; ``MUTANTS`` keeps that order.
"""

from autograder.mistakes.activations import ACTIVATIONS
from autograder.mistakes.graph import (
    EXTRA_GRADING_DEPENDENCIES,
    GRADED,
    GRADED_MODULES,
    MODULE_OF,
    affected_by,
    affected_by_module,
    call_graph,
    enclosing_function,
    grading_dependencies,
    module_importers,
)
from autograder.mistakes.layers import LAYERS
from autograder.mistakes.learners import FOUND_IN_LEARNERS_CODE
from autograder.mistakes.losses import LOSSES
from autograder.mistakes.minibatch import MINIBATCH
from autograder.mistakes.mutant import (
    QUIZ_KEY,
    REFERENCE,
    ROOT,
    Mutant,
    apply_mutant,
    copy_reference,
    mutated_source,
    reference_source,
)
from autograder.mistakes.network import NETWORK
from autograder.mistakes.optimizers import OPTIMIZERS
from autograder.mistakes.quiz import QUIZ
from autograder.mistakes.train import TRAIN

MUTANTS: list[Mutant] = [
    *ACTIVATIONS, *LOSSES, *LAYERS, *NETWORK, *MINIBATCH, *OPTIMIZERS, *TRAIN,
    *FOUND_IN_LEARNERS_CODE, *QUIZ,
]

__all__ = [
    "EXTRA_GRADING_DEPENDENCIES", "GRADED", "GRADED_MODULES", "MODULE_OF", "MUTANTS", "QUIZ_KEY",
    "REFERENCE", "ROOT", "Mutant", "affected_by", "affected_by_module", "apply_mutant", "call_graph",
    "copy_reference", "enclosing_function", "grading_dependencies", "module_importers",
    "mutated_source", "reference_source",
]
