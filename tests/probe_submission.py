"""Differential probe for the test catalog (trusted packages only: reference, mutants, variants).

Usage: python tests/probe_submission.py OUT.json SUBMISSION_ROOT [SUBMISSION_ROOT ...]

Imports ``backprop`` from SUBMISSION_ROOT, calls every graded function on fixed probe inputs and
writes, per function, the outputs it returned and the contract violations it showed (warnings,
modified inputs, non-finite or non-float results, broken properties). The parent compares two
probe files with ``compare``: this is how the catalog proves that every mutant really breaks its
function and every variant really is correct. It is NOT the grader and never runs student code:
the packages it runs are the repository's own.

Functions whose correct outputs are not unique (init_params, random_mini_batches, train) are
judged by properties only; the others are compared with the reference's outputs. The backward
functions must also finish on a large problem in a few seconds (backpropagation, not
numerical differentiation).
"""

from __future__ import annotations

import copy
import importlib
import json
import math
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from autograder.mistakes import GRADED  # noqa: E402  (the list of graded functions, kept in one place)

PROPERTY_ONLY = ("init_params", "random_mini_batches", "train")
ACTS = ("sigmoid", "relu", "linear")


# --------------------------------------------------------------------------- serialisation
def encode(value: Any) -> Any:
    """Outputs as JSON: arrays keep shape and values; dicts, tuples and lists recurse."""
    if isinstance(value, np.ndarray):
        return {"array": np.asarray(value, dtype=float).ravel().tolist(), "shape": value.shape}
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, (tuple, list)):
        return {"seq": [encode(v) for v in value]}
    if isinstance(value, (int, float, np.floating, np.integer)):
        return {"float": float(value)}
    return {"repr": repr(value)}


def _close(a: Any, b: Any, rtol: float, atol: float) -> str | None:
    """None if a (submission) matches b (reference), else a short reason."""
    if set(a) != set(b):
        return f"kind {sorted(a)} vs {sorted(b)}"
    if "array" in a:
        if list(a["shape"]) != list(b["shape"]):
            return f"shape {a['shape']} vs {b['shape']}"
        x, y = np.array(a["array"]), np.array(b["array"])
        if y.size == 0:
            return None
        scale = float(np.max(np.abs(y)))
        bad = np.abs(x - y) > rtol * np.abs(y) + atol * max(scale, 1.0)
        bad |= np.isnan(x) != np.isnan(y)
        if np.any(bad):
            i = int(np.argmax(bad))
            return f"value {x[i]!r} vs {y[i]!r} at flat index {i}"
        return None
    if "float" in a:
        x, y = a["float"], b["float"]
        if math.isnan(x) or abs(x - y) > rtol * abs(y) + atol * max(abs(y), 1.0):
            return f"value {x!r} vs {y!r}"
        return None
    if "dict" in a:
        if set(a["dict"]) != set(b["dict"]):
            return f"keys {sorted(a['dict'])} vs {sorted(b['dict'])}"
        for k in b["dict"]:
            why = _close(a["dict"][k], b["dict"][k], rtol, atol)
            if why:
                return f"[{k}] {why}"
        return None
    if "seq" in a:
        if len(a["seq"]) != len(b["seq"]):
            return f"length {len(a['seq'])} vs {len(b['seq'])}"
        for i, (x, y) in enumerate(zip(a["seq"], b["seq"], strict=True)):
            why = _close(x, y, rtol, atol)
            if why:
                return f"[{i}] {why}"
        return None
    return None if a == b else f"{a} vs {b}"


def compare(
    sub: dict, ref: dict, function: str, rtol: float = 1e-4, atol: float = 1e-6
) -> list[str]:
    """Why the submission's probe record of ``function`` differs from the reference's ([] = same).

    The tolerance accepts a correct float32 implementation (about 1e-7 relative, and
    cancellation on sums) and is far below any mutant's effect on the probe inputs.
    """
    s, r = sub[function], ref[function]
    reasons = [f"violation: {v}" for v in s["violations"] if v not in r["violations"]]
    if function in PROPERTY_ONLY:
        return reasons
    if len(s["outputs"]) != len(r["outputs"]):
        return [*reasons, f"{len(s['outputs'])} outputs vs {len(r['outputs'])}"]
    for i, (x, y) in enumerate(zip(s["outputs"], r["outputs"], strict=True)):
        why = _close(x, y, rtol, atol)
        if why:
            reasons.append(f"call {i}: {why}")
    return reasons


# --------------------------------------------------------------------------- probing
def _same(a: Any, b: Any) -> bool:
    if isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
            and bool(np.array_equal(a, b, equal_nan=True))
        )
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    if isinstance(b, (list, tuple)):
        return (
            type(a) is type(b) and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    return a == b


def _arrays(value: Any) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return []


class Record:
    """Outputs and violations of one graded function."""

    def __init__(self) -> None:
        self.outputs: list[Any] = []
        self.violations: list[str] = []

    def violate(self, message: str) -> None:
        if message not in self.violations:
            self.violations.append(message)

    def call(self, fn: Callable, *args: Any, keep: bool = True, **kwargs: Any) -> Any:
        """Call fn; record its output (or the exception's type) and any contract violation."""
        # the function gets its own copies: a mutating function cannot spoil later probes
        given = copy.deepcopy((args, kwargs))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = fn(*given[0], **given[1])
            except Exception as exc:  # the probe records every failure
                if keep:
                    self.outputs.append({"raises": type(exc).__name__})
                return exc
        for w in caught:
            self.violate(f"warning: {w.category.__name__}")
        if not _same(given, (args, kwargs)):
            self.violate("modified its input")
        for a in _arrays(out):
            if a.dtype.kind != "f":
                self.violate(f"non-float output dtype {a.dtype}")
            elif not np.all(np.isfinite(a)):
                self.violate("non-finite output")
        if keep:
            self.outputs.append(encode(out))
        return out


def _params(sizes: list[int], rng: np.random.Generator) -> dict[str, np.ndarray]:
    p = {}
    for l in range(1, len(sizes)):
        p[f"W{l}"] = rng.normal(0.0, 0.8, (sizes[l], sizes[l - 1]))
        p[f"b{l}"] = rng.normal(0.0, 0.3, (sizes[l], 1))
    return p


def _grads(params: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    # log-uniform magnitudes between 1e-3 and 1 with random signs: realistic gradient sizes
    out = {}
    for k, p in params.items():
        mag = 10.0 ** rng.uniform(-3.0, 0.0, p.shape)
        out["d" + k] = mag * rng.choice([-1.0, 1.0], p.shape)
    return out


WORKED = {
    "X": np.array([[0.05], [0.10]]),
    "Y": np.array([[0.01], [0.99]]),
    "params": {
        "W1": np.array([[0.15, 0.20], [0.25, 0.30]]), "b1": np.array([[0.35], [0.35]]),
        "W2": np.array([[0.40, 0.45], [0.50, 0.55]]), "b2": np.array([[0.60], [0.60]]),
    },
    "acts": ["sigmoid", "sigmoid"],
}
NETS = [  # (layer sizes, activations, m)
    ([3, 4, 2], ["relu", "sigmoid"], 5),
    ([2, 3, 3, 1], ["sigmoid", "relu", "linear"], 6),
    ([4, 2, 3], ["linear", "sigmoid"], 1),
]


def probe_activations(mod: Any, rec: dict[str, Record], rng: np.random.Generator) -> None:
    Zs = [
        rng.normal(0.0, 3.0, (3, 4)),
        np.array([[-1000.0, -30.0, -1.5, 0.7, 30.0, 1000.0]]),
        rng.normal(0.0, 1.0, (4, 1)),
    ]
    for Z in Zs:
        dA = rng.normal(0.0, 1.0, Z.shape)
        rec["sigmoid"].call(mod.sigmoid, Z)
        rec["sigmoid_derivative"].call(mod.sigmoid_derivative, Z)
        rec["sigmoid_backward"].call(mod.sigmoid_backward, dA, Z)
        rec["relu"].call(mod.relu, Z)
        rec["relu_backward"].call(mod.relu_backward, dA, Z)
    # exactly at the kink: the contract's relu'(0) = 0 (zero inputs with zero biases)
    Z0 = np.array([[0.0, 1.0, -1.0, 0.0], [2.0, 0.0, -0.5, 0.0]])
    rec["relu_backward"].call(mod.relu_backward, rng.normal(0.0, 1.0, Z0.shape), Z0)


def probe_losses(mod: Any, rec: dict[str, Record], rng: np.random.Generator) -> None:
    for shape in [(2, 5), (1, 1), (3, 1), (1, 6)]:
        Y_hat, Y = rng.uniform(0.0, 1.0, shape), rng.uniform(0.0, 1.0, shape)
        out = rec["mse_loss"].call(mod.mse_loss, Y_hat, Y, keep=False)
        try:
            rec["mse_loss"].outputs.append({"float": float(out)})
        except (TypeError, ValueError):
            rec["mse_loss"].outputs.append({"repr": "not float()-able"})
        rec["mse_loss_backward"].call(mod.mse_loss_backward, Y_hat, Y)


def probe_layers(mod: Any, rec: dict[str, Record], rng: np.random.Generator) -> None:
    for n_prev, n, m in [(3, 2, 5), (3, 3, 4), (4, 2, 1)]:
        A_prev = rng.normal(0.0, 1.0, (n_prev, m))
        W, b = rng.normal(0.0, 1.0, (n, n_prev)), rng.normal(0.0, 1.0, (n, 1))
        Z = W @ A_prev + b
        dZ, dA = rng.normal(0.0, 1.0, (n, m)), rng.normal(0.0, 1.0, (n, m))
        rec["linear_forward"].call(mod.linear_forward, A_prev, W, b)
        rec["linear_backward"].call(mod.linear_backward, dZ, A_prev, W)
        for act in (*ACTS, "tanh"):
            rec["dense_forward"].call(mod.dense_forward, A_prev, W, b, act)
            rec["dense_backward"].call(mod.dense_backward, dA, A_prev, W, Z, act)


class _TooSlow(Exception):
    pass


def in_time(record: Record, fn: Callable, *args: Any, seconds: float = 3.0) -> None:
    """Backpropagation, not numerical differentiation: on a large problem the call must end
    within ``seconds`` (the reference takes milliseconds, the loops variant 0.3 s at most;
    differences of the cost, two per parameter, take minutes). Cut off by an alarm, so a slow
    package costs at most that."""
    def stop(signum: int, frame: Any) -> None:
        raise _TooSlow

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        fn(*args)
    except _TooSlow:
        record.violate("too slow on a large problem (numerical differentiation?)")
    except Exception:  # noqa: BLE001 - judged by the other probes
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def probe_large(mod_layers: Any, mod_network: Any, rec: dict[str, Record],
                rng: np.random.Generator) -> None:
    A_prev, W = rng.normal(0.0, 1.0, (400, 2)), rng.normal(0.0, 0.05, (400, 400))
    dZ = rng.normal(0.0, 1.0, (400, 2))
    in_time(rec["linear_backward"], mod_layers.linear_backward, dZ, A_prev, W)
    A_wide, W_wide = rng.normal(0.0, 1.0, (5, 400)), rng.normal(0.0, 0.5, (100, 5))
    in_time(rec["dense_backward"], mod_layers.dense_backward, rng.normal(0.0, 1.0, (100, 400)),
            A_wide, W_wide, W_wide @ A_wide, "sigmoid")  # 40,000 pre-activations
    sizes, acts = [200, 300, 100, 10], ["relu", "sigmoid", "linear"]
    params = _params(sizes, rng)
    params = {k: v * 0.05 for k, v in params.items()}
    X, Y = rng.normal(0.0, 1.0, (200, 2)), rng.normal(0.0, 1.0, (10, 2))
    try:
        cache = mod_network.forward(X, params, acts)[1]
    except Exception:  # noqa: BLE001 - judged by the other probes
        return
    in_time(rec["backward"], mod_network.backward, Y, params, cache, acts)


def probe_network(mod: Any, rec: dict[str, Record], rng: np.random.Generator) -> None:
    nets = [(WORKED["params"], WORKED["X"], WORKED["Y"], WORKED["acts"])]
    for sizes, acts, m in NETS:
        params = _params(sizes, rng)
        X, Y = rng.normal(0.0, 1.0, (sizes[0], m)), rng.uniform(0.0, 1.0, (sizes[-1], m))
        nets.append((params, X, Y, acts))
    for params, X, Y, acts in nets:
        out = rec["forward"].call(mod.forward, X, params, list(acts), keep=False)
        if isinstance(out, Exception):
            rec["forward"].outputs.append({"raises": type(out).__name__})
            rec["backward"].outputs.append({"raises": "forward failed"})
        else:
            rec["forward"].outputs.append(encode(out[0]))
            rec["backward"].call(mod.backward, Y, params, out[1], list(acts))
            # forward's cache, as the package's own backward reads it
            rec["forward"].call(mod.backward, Y, params, out[1], list(acts))
        rec["loss_and_gradients"].call(mod.loss_and_gradients, X, Y, params, list(acts))
    # init_params: properties only (the scale and the generator are the student's choice)
    r = rec["init_params"]
    for sizes in ([3, 5, 2], [2, 4, 4, 1], [1, 1]):
        first = r.call(mod.init_params, list(sizes), seed=0, keep=False)
        if isinstance(first, Exception):
            r.violate(f"raises {type(first).__name__}")
            continue
        again = mod.init_params(list(sizes), seed=0)
        other = mod.init_params(list(sizes), seed=1)
        keys = [f"{p}{l}" for l in range(1, len(sizes)) for p in ("W", "b")]
        if not isinstance(first, dict) or sorted(first) != sorted(keys):
            r.violate("wrong keys")
            continue
        for l in range(1, len(sizes)):
            W, b = first[f"W{l}"], first[f"b{l}"]
            if W.shape != (sizes[l], sizes[l - 1]) or b.shape != (sizes[l], 1):
                r.violate("wrong shapes")
            elif np.any(b != 0):
                r.violate("nonzero biases")
            elif not np.any(W != 0):
                r.violate("all-zero weights")
            elif np.max(np.abs(W)) > 10.0:
                r.violate("weights not small")
        if not _same(again, first):
            r.violate("not deterministic for a seed")
        if all(_same(other[k], first[k]) for k in first if k.startswith("W")):
            r.violate("same parameters for different seeds")


def probe_minibatch(mod: Any, rec: dict[str, Record], rng: np.random.Generator) -> None:
    r = rec["random_mini_batches"]
    for m, bs, seed in [(10, 4, 0), (12, 4, 3), (5, 64, 0), (1, 1, 0), (64, 16, 1), (64, 7, 2)]:
        X = np.vstack([np.arange(m, dtype=float), rng.normal(0.0, 1.0, (2, m))])
        Y = np.vstack([10.0 * np.arange(m) + 7.0, rng.normal(0.0, 1.0, (1, m))])
        batches = r.call(mod.random_mini_batches, X, Y, bs, seed=seed, keep=False)
        if isinstance(batches, Exception):
            r.violate(f"raises {type(batches).__name__}")
            continue
        order: list[int] = []
        for k, (Xb, Yb) in enumerate(batches):
            size = Xb.shape[1]
            if size == 0:
                r.violate("empty batch")
                continue
            if Xb.shape[0] != 3 or Yb.shape != (2, size):
                r.violate("wrong batch shapes")
                continue
            expected = bs if k < len(batches) - 1 else (m - bs * (len(batches) - 1))
            if size != expected:
                r.violate("batch sizes")
            idx = np.round(Xb[0]).astype(int)
            if not (np.all(0 <= idx) and np.all(idx < m)):
                r.violate("X and Y columns not paired")
                continue
            # float32 copies of the columns are accepted (within float32 rounding)
            if not (np.allclose(Xb, X[:, idx], rtol=1e-6, atol=0)
                    and np.allclose(Yb, Y[:, idx], rtol=1e-6, atol=0)):
                r.violate("X and Y columns not paired")
            order.extend(idx.tolist())
        if sorted(order) != list(range(m)):
            r.violate("not a partition of the examples")
        again = mod.random_mini_batches(X, Y, bs, seed=seed)
        if not _same([list(b) for b in again], [list(b) for b in batches]):
            r.violate("not reproducible for a seed")
        if m >= 10 and order == list(range(m)):
            r.violate("not shuffled")


def probe_optimizers(mod: Any, rec: dict[str, Record], rng: np.random.Generator) -> None:
    params = _params([3, 4, 2], rng)
    rec["sgd_update"].call(mod.sgd_update, params, _grads(params, rng), 0.1)
    rec["init_state"].call(mod.init_state, params)
    zeros = {"d" + k: np.zeros_like(p) for k, p in params.items()}
    for name, kwargs in [("momentum_update", {}), ("momentum_update", {"beta": 0.5}),
                         ("rmsprop_update", {}), ("rmsprop_update", {"beta": 0.9})]:
        p, state = params, zeros
        for _ in range(3):
            out = rec[name].call(getattr(mod, name), p, _grads(p, rng), state, 0.01, **kwargs)
            if isinstance(out, Exception):
                break
            p, state = out
    for kwargs in [{}, {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}]:
        p, v, s = params, zeros, zeros
        for t in (1, 2, 3):
            g = _grads(p, rng)
            out = rec["adam_update"].call(mod.adam_update, p, g, v, s, t, 0.01, **kwargs)
            if isinstance(out, Exception):
                break
            p, v, s = out
    # where eps's place and value matter: gradients of 1e-6 to 1e-4 from zero states, eps = 0.1
    tiny = {k: g * 10.0 ** rng.uniform(-6.0, -4.0, g.shape) / np.abs(g)
            for k, g in _grads(params, rng).items()}
    rec["rmsprop_update"].call(mod.rmsprop_update, params, tiny, zeros, 0.01)
    rec["adam_update"].call(mod.adam_update, params, tiny, zeros, zeros, 1, 0.01)
    g = _grads(params, rng)
    rec["rmsprop_update"].call(mod.rmsprop_update, params, g, zeros, 0.01, eps=0.1)
    rec["adam_update"].call(mod.adam_update, params, g, zeros, zeros, 1, 0.01, eps=0.1)


def _rel_diff(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return math.inf
    return float(np.max(np.abs(a - b) / (np.abs(b) + 1e-8), initial=0.0))


def probe_train(pkg: dict[str, Any], rec: dict[str, Record], rng: np.random.Generator) -> None:
    """train: against a run of the package's OWN pieces, plus properties."""
    r = rec["train"]
    tr, net, opt, losses_mod = pkg["train"], pkg["network"], pkg["optimizers"], pkg["losses"]
    X = rng.normal(0.0, 1.0, (2, 40))
    Y = 1.0 / (1.0 + np.exp(-(1.5 * X[:1] - X[1:] + 0.3)))
    sizes, acts = [2, 4, 1], ["relu", "sigmoid"]
    if not isinstance(r.call(tr.train, X, Y, sizes, acts, optimizer="nadam", epochs=2,
                             keep=False), ValueError):
        r.violate("unknown optimizer does not raise ValueError")

    def cost(params: dict) -> float:
        return float(losses_mod.mse_loss(net.forward(X, params, acts)[0], Y))

    # One batch per epoch (batch_size >= m): the gradient does not depend on the shuffle, so the
    # trajectory is fixed by the package's own init_params, loss_and_gradients and optimizer.
    # "gd" gets batch_size 8 < m: it must still take one full-batch step per epoch.
    for optimizer, lr, bs in [("gd", 0.5, 8), ("momentum", 0.5, 64), ("rmsprop", 0.01, 64),
                              ("adam", 0.05, 64)]:
        epochs = 4
        out = r.call(tr.train, X, Y, list(sizes), list(acts), optimizer=optimizer, lr=lr,
                     batch_size=bs, epochs=epochs, seed=3, keep=False)
        if isinstance(out, Exception):
            r.violate(f"{optimizer}: raises {type(out).__name__}")
            continue
        params = net.init_params(list(sizes), seed=3)
        v, s = opt.init_state(params), opt.init_state(params)
        expected = []
        for t in range(1, epochs + 1):
            _, grads = net.loss_and_gradients(X, Y, params, acts)
            if optimizer == "gd":
                params = opt.sgd_update(params, grads, lr)
            elif optimizer == "momentum":
                params, v = opt.momentum_update(params, grads, v, lr)
            elif optimizer == "rmsprop":
                params, s = opt.rmsprop_update(params, grads, s, lr)
            else:
                params, v, s = opt.adam_update(params, grads, v, s, t, lr)
            expected.append(cost(params))
        got_params, losses = out
        if len(losses) != epochs or _rel_diff(losses, expected) > 1e-4:
            r.violate(f"{optimizer}: losses differ from init_params + {optimizer} steps")
        if any(_rel_diff(got_params[k], params[k]) > 1e-3 for k in params):
            r.violate(f"{optimizer}: parameters differ from init_params + {optimizer} steps")

    # A fresh shuffle each epoch: the seeds train passes random_mini_batches (when it calls it).
    seeds: list[str] = []
    shuffle = pkg["minibatch"].random_mini_batches

    def spy(X_: Any, Y_: Any, batch_size: int, seed: Any = 0) -> Any:
        seeds.append(repr(seed))
        return shuffle(X_, Y_, batch_size, seed)

    bound = [m for m in (pkg["minibatch"], tr) if getattr(m, "random_mini_batches", None) is shuffle]
    for module in bound:
        module.random_mini_batches = spy
    try:
        tr.train(X, Y, list(sizes), list(acts), optimizer="momentum", lr=0.1, batch_size=8,
                 epochs=3, seed=2)
    except Exception:  # noqa: BLE001 - judged by the other probes
        pass
    finally:
        for module in bound:
            module.random_mini_batches = shuffle
    if seeds and len(set(seeds)) < 3:
        r.violate("the same shuffle every epoch")

    # Mini-batches: the cost history is the full-data J after each epoch, and Adam learns.
    out = r.call(tr.train, X, Y, list(sizes), list(acts), optimizer="adam", lr=0.05,
                 batch_size=8, epochs=25, seed=0, keep=False)
    if isinstance(out, Exception):
        r.violate(f"adam mini-batch: raises {type(out).__name__}")
        return
    params, losses = out
    if len(losses) != 25 or not np.all(np.isfinite(losses)):
        r.violate("losses: wrong length or not finite")
        return
    if abs(losses[-1] - cost(params)) > 1e-6 * max(1.0, abs(cost(params))):
        r.violate("losses[-1] is not the full-data J of the returned parameters")
    if not losses[-1] < 0.5 * cost(net.init_params(list(sizes), seed=0)):
        r.violate("adam does not learn")
    again = tr.train(X, Y, list(sizes), list(acts), optimizer="adam", lr=0.05, batch_size=8,
                     epochs=25, seed=0)
    if not _same(list(again[1]), list(losses)):
        r.violate("not deterministic for a seed")


def probe(root: Path) -> dict[str, dict]:
    for name in [m for m in sys.modules if m == "backprop" or m.startswith("backprop.")]:
        del sys.modules[name]  # the previous package's modules
    sys.path.insert(0, str(root))
    rec = {f: Record() for f in GRADED}
    pkg: dict[str, Any] = {}
    for name in ("activations", "losses", "layers", "network", "minibatch", "optimizers",
                 "train", "quiz"):
        pkg[name] = importlib.import_module(f"backprop.{name}")
    probe_activations(pkg["activations"], rec, np.random.default_rng(1))
    probe_losses(pkg["losses"], rec, np.random.default_rng(2))
    probe_layers(pkg["layers"], rec, np.random.default_rng(3))
    probe_network(pkg["network"], rec, np.random.default_rng(4))
    probe_minibatch(pkg["minibatch"], rec, np.random.default_rng(5))
    probe_optimizers(pkg["optimizers"], rec, np.random.default_rng(6))
    probe_train(pkg, rec, np.random.default_rng(7))
    probe_large(pkg["layers"], pkg["network"], rec, np.random.default_rng(8))
    answers = {str(k): str(v).strip().upper() for k, v in pkg["quiz"].ANSWERS.items()}
    rec["quiz"].outputs.append({"repr": json.dumps(answers, sort_keys=True)})
    return {f: {"outputs": r.outputs, "violations": r.violations} for f, r in rec.items()}


def probe_each(roots: list[Path]) -> dict[str, dict]:
    """Each package probed in turn in this process (one numpy import for all of them): root ->
    its record, or {"__error__": why} if probing it raised."""
    records: dict[str, dict] = {}
    for root in roots:
        state = np.geterr()
        try:
            records[str(root)] = probe(root.resolve())
        except Exception:  # noqa: BLE001 - one package's failure is its own record
            records[str(root)] = {"__error__": traceback.format_exc()[-3000:]}
        finally:
            if str(root.resolve()) in sys.path:
                sys.path.remove(str(root.resolve()))
            np.seterr(**state)
    return records


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(json.dumps(probe_each([Path(a) for a in sys.argv[2:]])))
