"""What the network checks share: random problems, the m-times mistakes of gradients, and
backward's cache made by the student's own forward (and how it is made when forward is wrong)."""

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.checks.cache_reads import ForwardCache, layer_values
from autograder.engine.core.compare import CheckFailed, expect_array, expect_tuple


def random_problem(rng, sizes, acts, m):
    params = oracle.random_params(rng, sizes)
    X = rng.normal(0, 1, (sizes[0], m))
    if "relu" in acts:  # keep every relu input away from the kink
        for _ in range(50):
            A = X
            ok = True
            for l, name in enumerate(acts, start=1):
                Z = oracle.linear(A, params[f"W{l}"], params[f"b{l}"])
                ok &= name != "relu" or bool(np.all(np.abs(Z) > 0.05))
                A = oracle.activation(name, Z)
            if ok:
                break
            params = oracle.random_params(rng, sizes)
            X = rng.normal(0, 1, (sizes[0], m))
    Y = rng.normal(0, 1, (sizes[-1], m))
    return X, Y, params


def gradient_mistakes(expected, m):
    return {k: [(m * v, f"{k} is m = {m} times too large: average over the mini-batch (1/m)."),
                (v / m, f"{k} is m = {m} times too small: the 1/m is applied once, in "
                        "linear_backward (dZ and dA are per example).")]
            for k, v in expected.items()}


# Said under a failed backward check judged on the cache of the one-layer-longer network.
LONGER_NETWORK_NOTE = (
    "(Your forward's output on this network was wrong, so backward was given the cache your "
    "forward made for the same network with an identity output layer appended, on which its "
    "output was right: backward was judged on that cache with this network's Y, params and "
    "activations.)")


def with_identity_output(params: dict, acts: list) -> tuple[dict, list]:
    """The same network with one more layer, a linear identity (W = I, b = 0): it computes the
    same Y_hat, exactly, and its first L layers are this network's."""
    L = len(acts)
    n = params[f"W{L}"].shape[0]
    return {**params, f"W{L + 1}": np.eye(n), f"b{L + 1}": np.zeros((n, 1))}, [*acts, "linear"]


def _forward_run(t, X, params, acts, expected, note: str = "") -> ForwardCache:
    got = expect_tuple(t.call(X, params, acts, function="forward", store="fw", mode="cache"),
                       2, "forward")
    expect_array(got[0], expected, "Y_hat")
    log = t.last_callees.log if t.last_callees is not None else []
    return ForwardCache(got[1], layer_values(log, X, params, acts), params, len(acts), note)


def forward_cache_checked(t, X, params, acts) -> ForwardCache:
    """Make backward's cache with the student's forward (kept in the worker as "fw") and make
    sure forward computed this network right; its ``note`` is for backward's feedback ("" when
    the cache is forward's own for this very network).

    With correct callees, the layers forward calls answer with this network's correct layer
    values, so a cache made by the student's own forward code holds right values even where
    forward passes its layers something wrong: forward's mistakes are charged to forward.
    But a forward whose loop stops one layer early never computes the output layer, and one
    that handles the output layer apart can mishandle it: either way that layer is missing or
    wrong in its cache. When forward's output is wrong, backward is given the cache of the same
    network with an identity output layer appended (it computes the same Y_hat), on which such
    a forward computes every layer of this network; that cache counts only if forward's output
    is right there, so backward is never judged on a cache forward did not make right. Where
    forward's output is right but its cache is not, cache_reads finds out from backward's reads.
    """
    expected = oracle.network_output(X, params, acts)

    def longer(note: str = LONGER_NETWORK_NOTE) -> ForwardCache:
        fc = _forward_run(t, X, *with_identity_output(params, acts), expected, note)
        fc.params, fc.layers = params, len(acts)
        return fc

    try:
        fc = _forward_run(t, X, params, acts, expected)
        fc.remake = lambda: longer("")
        return fc
    except CheckFailed as exc:
        failed = exc
    try:
        return longer()
    except CheckFailed:
        raise CheckFailed(f"backward needs the cache of your forward, which failed here: "
                          f"{failed} Fix forward first.") from None


@contextmanager
def noted(note: str) -> Iterator[None]:
    """A failure inside says ``note`` too (how backward's cache was made)."""
    try:
        yield
    except CheckFailed as exc:
        if note:
            exc.args = (f"{exc}\n{note}",)
        raise
