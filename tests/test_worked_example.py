"""The reference reproduces every number of the lecture's worked example (the lecture notes).

Oracle: the published table, copied below as the strings printed there. Every quantity is
computed through the student-facing API of solutions/backprop (dense_forward, mse_loss,
mse_loss_backward, sigmoid_derivative, sigmoid_backward, linear_backward, loss_and_gradients,
forward, sgd_update), never re-derived here.

Tolerance. The table rounds every value to the digits it prints, so the true value can differ
from the printed one by up to half a unit of the last printed digit: for d printed decimals the
bound is 0.5e-d. For the usual 9 decimals that is 5e-10, inside the 1e-9 the issue asks for; a
few values are printed with 8 decimals (0.75136507, 0.19956143, ...), where 5e-9 is the best
bound the table allows, and the 10,000-step costs carry 10 decimals (5e-11). A tiny 1e-13 is
added for float64 round-off in our own arithmetic. The updated weights w1..w8 are also checked
against w - lr * (printed dE/dw), which pins them to 0.5 * 5e-10 whatever digits the table
prints for them.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
MODULES = ("activations", "losses", "layers", "network", "optimizers")
FLOAT_SLACK = 1e-13
LR = 0.5


def import_package(folder: Path, modules: tuple[str, ...]) -> SimpleNamespace:
    """Import folder/backprop's modules without disturbing any other `backprop` in this process.

    Both solutions/ and assignments/ hold a package named `backprop`, so any `backprop` entries
    already in sys.modules are set aside, the package is imported from `folder`, and the previous
    state of sys.modules and sys.path is restored. The returned modules keep working: their
    functions hold references to what they imported.
    """
    def ours(name: str) -> bool:
        return name == "backprop" or name.startswith("backprop.")

    saved = {name: mod for name, mod in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        loaded = {name: importlib.import_module(f"backprop.{name}") for name in modules}
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)
    for name, module in loaded.items():
        assert Path(module.__file__).resolve() == (folder / "backprop" / f"{name}.py").resolve()
    return SimpleNamespace(**loaded)


def printed_tol(printed: str) -> float:
    """Half a unit of the last printed digit (the rounding bound), plus float64 slack."""
    decimals = len(printed.split(".")[1])
    return 0.5 * 10.0**-decimals + FLOAT_SLACK


def assert_printed(name: str, got: float, printed: str) -> None:
    tol = printed_tol(printed)
    assert abs(float(got) - float(printed)) <= tol, (
        f"{name}: got {float(got)!r}, the worked example prints {printed} "
        f"(allowed difference {tol:.1e})"
    )


@pytest.fixture(scope="module")
def bp() -> SimpleNamespace:
    return import_package(SOLUTIONS, MODULES)


def start_params() -> dict[str, np.ndarray]:
    return {
        "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),
        "b1": np.array([[0.35], [0.35]]),
        "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),
        "b2": np.array([[0.60], [0.60]]),
    }


X = np.array([[0.05], [0.10]])
Y = np.array([[0.01], [0.99]])
ACTS = ["sigmoid", "sigmoid"]


@pytest.fixture(scope="module")
def first_step(bp: SimpleNamespace) -> dict[str, float]:
    """Every first-step quantity of the table, computed layer by layer through the API."""
    p = start_params()
    A1, Z1 = bp.layers.dense_forward(X, p["W1"], p["b1"], "sigmoid")
    A2, Z2 = bp.layers.dense_forward(A1, p["W2"], p["b2"], "sigmoid")
    dA2 = bp.losses.mse_loss_backward(A2, Y)
    dZ2 = bp.activations.sigmoid_backward(dA2, Z2)
    dA1, dW2, _ = bp.layers.linear_backward(dZ2, A1, p["W2"])
    dZ1 = bp.activations.sigmoid_backward(dA1, Z1)
    _, dW1, _ = bp.layers.linear_backward(dZ1, X, p["W1"])
    values = {
        "out_h1": A1[0, 0], "out_h2": A1[1, 0], "out_o1": A2[0, 0], "out_o2": A2[1, 0],
        "E_o1": bp.losses.mse_loss(A2[:1], Y[:1]), "E_o2": bp.losses.mse_loss(A2[1:], Y[1:]),
        "E_total": bp.losses.mse_loss(A2, Y),
        "dE/dout_o1": dA2[0, 0],
        "dout_o1/dnet_o1": bp.activations.sigmoid_derivative(Z2)[0, 0],
        "delta_o1": dZ2[0, 0], "dE/dout_h1": dA1[0, 0],
        "dout_h1/dnet_h1": bp.activations.sigmoid_derivative(Z1)[0, 0],
    }
    for k, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        values[f"dE/dw{k + 1}"] = dW1[i, j]
        values[f"dE/dw{k + 5}"] = dW2[i, j]
    return values


# (name, value as printed in the lecture notes)
FIRST_STEP = [
    ("out_h1", "0.593269992"), ("out_h2", "0.596884378"),
    ("out_o1", "0.75136507"), ("out_o2", "0.772928465"),
    ("E_o1", "0.274811083"), ("E_o2", "0.023560026"), ("E_total", "0.298371109"),
    ("dE/dout_o1", "0.74136507"), ("dout_o1/dnet_o1", "0.186815602"),
    ("dE/dw5", "0.082167041"), ("dE/dw6", "0.082667628"),
    ("dE/dw7", "-0.022602540"), ("dE/dw8", "-0.022740242"),
    ("delta_o1", "0.138498562"), ("dE/dout_h1", "0.036350306"),
    ("dout_h1/dnet_h1", "0.241300709"),
    ("dE/dw1", "0.000438568"), ("dE/dw2", "0.000877135"),
    ("dE/dw3", "0.000497713"), ("dE/dw4", "0.000995425"),
]
# w1..w8 after one step of lr 0.5 with frozen biases, as printed.
NEW_WEIGHTS = {
    "W1": [["0.149780716", "0.19956143"], ["0.24975114", "0.29950229"]],
    "W2": [["0.35891648", "0.408666186"], ["0.511301270", "0.561370121"]],
}
PRINTED_GRADS = dict(FIRST_STEP)


def test_tolerances_are_as_tight_as_the_table_allows() -> None:
    # 9 printed decimals -> within 1e-9, as the issue asks; fewer digits cannot do better.
    assert printed_tol("0.298371109") < 1e-9
    assert printed_tol("0.75136507") < 5.1e-9
    assert printed_tol("0.0000351019") < 1e-10


@pytest.mark.parametrize(("name", "printed"), FIRST_STEP, ids=[n for n, _ in FIRST_STEP])
def test_first_step_values(first_step: dict[str, float], name: str, printed: str) -> None:
    assert_printed(name, first_step[name], printed)


def test_loss_and_gradients_gives_the_same_first_step(bp: SimpleNamespace) -> None:
    J, grads = bp.network.loss_and_gradients(X, Y, start_params(), ACTS)
    assert_printed("E_total", J, PRINTED_GRADS["E_total"])
    for k, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        assert_printed(f"dE/dw{k + 1}", grads["dW1"][i, j], PRINTED_GRADS[f"dE/dw{k + 1}"])
        assert_printed(f"dE/dw{k + 5}", grads["dW2"][i, j], PRINTED_GRADS[f"dE/dw{k + 5}"])
    # With one example db is the output delta itself.
    assert_printed("delta_o1 (= db2[0])", grads["db2"][0, 0], PRINTED_GRADS["delta_o1"])


def frozen_bias_step(bp: SimpleNamespace, params: dict, grads: dict) -> dict:
    """One SGD step that updates only the W's, as in the lecture (its biases never move)."""
    frozen = {k: (np.zeros_like(g) if k.startswith("db") else g) for k, g in grads.items()}
    return bp.optimizers.sgd_update(params, frozen, LR)


def test_weights_after_one_step(bp: SimpleNamespace) -> None:
    params = start_params()
    _, grads = bp.network.loss_and_gradients(X, Y, params, ACTS)
    new = frozen_bias_step(bp, params, grads)
    names = {"W1": ["w1", "w2", "w3", "w4"], "W2": ["w5", "w6", "w7", "w8"]}
    for key, rows in NEW_WEIGHTS.items():
        for k, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
            name = names[key][k]
            assert_printed(f"{name} after one step", new[key][i, j], rows[i][j])
            # Also against w - lr * (printed gradient): 9-decimal gradients pin it to 2.5e-10.
            expected = params[key][i, j] - LR * float(PRINTED_GRADS[f"dE/d{name}"])
            tol = LR * printed_tol("0.000000000")
            assert abs(new[key][i, j] - expected) <= tol, (name, new[key][i, j], expected)
    np.testing.assert_array_equal(new["b1"], params["b1"])
    np.testing.assert_array_equal(new["b2"], params["b2"])


def gradient_descent(bp: SimpleNamespace, steps: int, train_biases: bool) -> list[dict]:
    """Plain gradient descent: all gradients at the current weights, then one update."""
    params = start_params()
    history = [params]
    for _ in range(steps):
        _, grads = bp.network.loss_and_gradients(X, Y, params, ACTS)
        if train_biases:
            params = bp.optimizers.sgd_update(params, grads, LR)
        else:
            params = frozen_bias_step(bp, params, grads)
        if len(history) < 2:
            history.append(params)
    history.append(params)
    return history  # [start, after 1 step, after `steps` steps]


def cost(bp: SimpleNamespace, params: dict) -> float:
    Y_hat, _ = bp.network.forward(X, params, ACTS)
    return bp.losses.mse_loss(Y_hat, Y)


def test_plain_gradient_descent_with_frozen_biases(bp: SimpleNamespace) -> None:
    start, one, last = gradient_descent(bp, 10_000, train_biases=False)
    assert_printed("E_total at the start", cost(bp, start), "0.298371109")
    assert_printed("E after 1 step", cost(bp, one), "0.291027774")
    assert_printed("E after 10,000 steps", cost(bp, last), "0.0000351019")
    Y_hat, _ = bp.network.forward(X, last, ACTS)
    assert_printed("out_o1 after 10,000 steps", Y_hat[0, 0], "0.015913620")
    assert_printed("out_o2 after 10,000 steps", Y_hat[1, 0], "0.984064274")
    np.testing.assert_array_equal(last["b1"], start["b1"])


def test_plain_gradient_descent_with_trained_biases(bp: SimpleNamespace) -> None:
    start, one, last = gradient_descent(bp, 10_000, train_biases=True)
    assert one["b1"].shape == (2, 1) and not np.array_equal(one["b1"], start["b1"])
    assert_printed("E after 1 step (biases trained)", cost(bp, one), "0.280471447")
    assert_printed("E after 10,000 steps (biases trained)", cost(bp, last), "0.0000024476")
