"""A catalog of realistic single-bug implementations of the `backprop` package ("mutants").

Each mutant is the reference solution (solutions/backprop) with ONE mistake that students really
make, written as data: an exact textual replacement ``old`` -> ``new`` in one module, which must
match exactly once. ``breaks`` names the graded function the mistake breaks under the student
contract (docs/contract.md); ``note`` says what is wrong and why it is wrong under the contract.

Every mutant here was checked to really break ``breaks`` (a different output than the reference
or a contract violation on some realistic input): ``tests/probe_submission.py`` runs a package
on fixed probe inputs and ``tests/test_grader_verdicts.py::test_catalog_mutant_really_breaks``
keeps that check alive.

Also here: ``apply_mutant`` (writes a mutated package) and ``grading_dependencies`` /
``affected_by`` (which graded functions a bug in one function can reach, from the package's call
graph read with ``ast``).
"""

from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.core import contract
from autograder.engine.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "backprop"

QUIZ_KEY: dict[int, str] = load_rubric().quiz_key

GRADED_MODULES: dict[str, tuple[str, ...]] = {m: tuple(fs) for m, fs in contract.FUNCTIONS.items()}
MODULE_OF: dict[str, str] = dict(contract.MODULE_OF)
GRADED: tuple[str, ...] = contract.GRADED

# Grading dependencies that are not calls: `backward` receives the cache made by the student's
# own `forward` (the cache is the student's design), so grading `backward` needs `forward`.
EXTRA_GRADING_DEPENDENCIES: dict[str, set[str]] = {f: set(d) for f, d in contract.GRADED_WITH.items()}


def _quiz_lines(answers: dict[int, str], questions: range) -> str:
    """How the reference's quiz.py writes these answers (one question per line)."""
    return "".join(f'    {q}: "{answers[q]}",\n' for q in questions).rstrip("\n")


def _other_letter(letter: str) -> str:
    return "ABCD"[("ABCD".index(letter) + 1) % 4]


# Misconceptions: backprop saves memory (1A), Taylor's theorem (2D), autodiff makes the forward
# pass faster (5D); the questions keep the key's letter where the key is the misconception.
_MISCONCEPTIONS = {**QUIZ_KEY, 1: "A", 2: "D", 5: "D"}


@dataclass(frozen=True)
class Mutant:
    """One mistake: ``old`` -> ``new`` (exactly one match) in solutions/backprop/<module>.py."""

    name: str
    module: str
    old: str
    new: str
    breaks: str
    note: str


# The optimizer dispatch of the reference's train loop (shared by two train mutants' texts).
_TRAIN_UPDATES = (
    "            if optimizer in (\"gd\",):\n"
    "                params = sgd_update(params, grads, lr)\n"
    "            elif optimizer == \"momentum\":\n"
    "                params, v = momentum_update(params, grads, v, lr)\n"
    "            elif optimizer == \"rmsprop\":\n"
    "                params, s = rmsprop_update(params, grads, s, lr)\n"
    "            else:\n"
    "                t += 1\n"
    "                params, v, s = adam_update(params, grads, v, s, t, lr)\n"
)

M = Mutant
MUTANTS: list[Mutant] = [
    # ------------------------------------------------------------------ activations
    M("sigmoid_naive_overflow", "activations",
      "    E = np.exp(-np.abs(Z))\n    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
      "    return 1.0 / (1.0 + np.exp(-Z))",
      "sigmoid",
      "textbook 1/(1+exp(-z)): exp overflows (RuntimeWarning) at z = -1e3; the contract asks for "
      "finite and warning-free values for |Z| up to 1e3"),
    M("sigmoid_sign_flipped", "activations",
      "np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
      "np.where(Z >= 0, E / (1.0 + E), 1.0 / (1.0 + E))",
      "sigmoid",
      "branches swapped: computes sigma(-z) = 1/(1+exp(z))"),
    M("sigmoid_derivative_of_z", "activations",
      "    S = sigmoid(Z)\n    return S * (1.0 - S)",
      "    return Z * (1.0 - Z)",
      "sigmoid_derivative",
      "z(1-z) instead of sigma(z)(1-sigma(z)): the formula is applied to the pre-activation"),
    M("sigmoid_derivative_tanh_form", "activations",
      "    return S * (1.0 - S)",
      "    return 1.0 - S**2",
      "sigmoid_derivative",
      "1 - sigma^2: the tanh derivative pattern used for the sigmoid"),
    M("sigmoid_backward_missing_dA", "activations",
      "    return dA * sigmoid_derivative(Z)",
      "    return sigmoid_derivative(Z)",
      "sigmoid_backward",
      "forgets the upstream factor dA of the chain rule"),
    M("sigmoid_backward_treats_Z_as_A", "activations",
      "    return dA * sigmoid_derivative(Z)",
      "    return dA * Z * (1.0 - Z)",
      "sigmoid_backward",
      "uses a(1-a) with a = Z: the cached pre-activation taken for the activation"),
    M("relu_in_place", "activations",
      "    return np.maximum(0.0, np.asarray(Z, dtype=float))",
      "    Z[Z < 0] = 0.0\n    return Z",
      "relu",
      "clips the caller's array in place: the contract forbids modifying inputs"),
    M("relu_backward_masks_by_dA", "activations",
      "    return np.where(Z > 0, dA, 0.0).astype(float)",
      "    return np.where(dA > 0, dA, 0.0).astype(float)",
      "relu_backward",
      "gates by the sign of the upstream gradient instead of by Z > 0"),
    M("relu_backward_missing_dA", "activations",
      "    return np.where(Z > 0, dA, 0.0).astype(float)",
      "    return np.where(Z > 0, 1.0, 0.0)",
      "relu_backward",
      "returns relu'(Z) only, without multiplying by dA"),
    M("relu_backward_in_place", "activations",
      "    return np.where(Z > 0, dA, 0.0).astype(float)",
      "    dA[Z <= 0] = 0.0\n    return dA",
      "relu_backward",
      "zeroes the caller's dA in place: the contract forbids modifying inputs"),
    # ------------------------------------------------------------------ losses
    M("mse_without_half", "losses",
      "float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
      "float(np.sum((Y - Y_hat) ** 2) / m)",
      "mse_loss",
      "drops the 1/2 of L_i = 1/2 sum_k (y_k - y_hat_k)^2: J twice too large"),
    M("mse_mean_over_all_elements", "losses",
      "float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
      "float(0.5 * np.mean((Y - Y_hat) ** 2))",
      "mse_loss",
      "np.mean averages over n_L * m entries: J is n_L times too small when n_L > 1"),
    M("mse_sum_not_averaged", "losses",
      "float(0.5 * np.sum((Y - Y_hat) ** 2) / m)",
      "float(0.5 * np.sum((Y - Y_hat) ** 2))",
      "mse_loss",
      "sums over the batch without the 1/m: J is m times too large"),
    M("mse_backward_sign_flipped", "losses",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float)",
      "(Y - np.asarray(Y_hat, dtype=float)).astype(float)",
      "mse_loss_backward",
      "Y - Y_hat: the derivative of (y - y_hat)^2 w.r.t. y_hat has the opposite sign"),
    M("mse_backward_divided_by_m", "losses",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float)",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float) / Y.shape[1]",
      "mse_loss_backward",
      "divides by m: dY_hat must be per example (the 1/m belongs to dW and db)"),
    M("mse_backward_factor_two", "losses",
      "(np.asarray(Y_hat, dtype=float) - Y).astype(float)",
      "(2.0 * (np.asarray(Y_hat, dtype=float) - Y)).astype(float)",
      "mse_loss_backward",
      "2(Y_hat - Y): differentiates (y - y_hat)^2 without the contract's 1/2"),
    # ------------------------------------------------------------------ layers
    M("linear_forward_transposed_W", "layers",
      "    return W @ A_prev + b",
      "    return W.T @ A_prev + b",
      "linear_forward",
      "W^T A_prev: wrong values for square W, a shape error otherwise"),
    M("linear_forward_missing_bias", "layers",
      "    return W @ A_prev + b",
      "    return W @ A_prev",
      "linear_forward",
      "forgets + b"),
    M("linear_backward_dW_not_averaged", "layers",
      "    dW = (dZ @ A_prev.T) / m",
      "    dW = dZ @ A_prev.T",
      "linear_backward",
      "dW summed over the batch instead of averaged: m times too large"),
    M("linear_backward_db_not_averaged", "layers",
      "    db = np.sum(dZ, axis=1, keepdims=True) / m",
      "    db = np.sum(dZ, axis=1, keepdims=True)",
      "linear_backward",
      "db summed over the batch instead of averaged: m times too large"),
    M("linear_backward_dA_prev_divided_by_m", "layers",
      "    dA_prev = W.T @ dZ",
      "    dA_prev = W.T @ dZ / m",
      "linear_backward",
      "averages dA_prev too: error signals are per example; with it, deep gradients shrink by m "
      "per layer"),
    M("linear_backward_db_without_keepdims", "layers",
      "np.sum(dZ, axis=1, keepdims=True) / m",
      "np.sum(dZ, axis=1) / m",
      "linear_backward",
      "db of shape (n,) instead of (n, 1): broadcasting then corrupts b in the update"),
    M("linear_backward_db_wrong_axis", "layers",
      "np.sum(dZ, axis=1, keepdims=True) / m",
      "np.sum(dZ, axis=0, keepdims=True) / m",
      "linear_backward",
      "sums over the units (axis 0) instead of the examples: db of shape (1, m)"),
    M("linear_backward_dW_transposed", "layers",
      "    dW = (dZ @ A_prev.T) / m",
      "    dW = (A_prev @ dZ.T) / m",
      "linear_backward",
      "A_prev dZ^T: dW has the shape of W transposed (the brief's A_prev.T @ dZ.T does not even "
      "multiply; this is the form that runs)"),
    M("linear_backward_dA_prev_transposed", "layers",
      "    dA_prev = W.T @ dZ",
      "    dA_prev = dZ.T @ W",
      "linear_backward",
      "dZ^T W: dA_prev comes out as (m, n_prev), rows are examples"),
    M("dense_forward_returns_A_as_Z", "layers",
      "    return A, Z\n",
      "    return A, A\n",
      "dense_forward",
      "returns the activation where the pre-activation Z is expected"),
    M("dense_forward_relu_sigmoid_swapped", "layers",
      "        A = sigmoid(Z)\n    elif activation == \"relu\":\n        A = relu(Z)",
      "        A = relu(Z)\n    elif activation == \"relu\":\n        A = sigmoid(Z)",
      "dense_forward",
      "wrong branch: sigmoid and relu exchanged"),
    M("dense_forward_linear_as_sigmoid", "layers",
      "    else:\n        A = Z.copy()",
      "    else:\n        A = sigmoid(Z)",
      "dense_forward",
      "an if/else that sends every activation but relu to the sigmoid: the linear layer's A "
      "must be Z itself"),
    M("dense_forward_accepts_unknown_activation", "layers",
      "    if activation not in ACTIVATIONS:\n"
      "        raise ValueError(f\"unknown activation {activation!r}; "
      "expected one of {ACTIVATIONS}\")\n"
      "    Z = linear_forward(A_prev, W, b)",
      "    Z = linear_forward(A_prev, W, b)",
      "dense_forward",
      "an unknown activation name silently acts as linear; the contract says ValueError"),
    M("dense_backward_sigmoid_of_activation", "layers",
      "        dZ = sigmoid_backward(dA, Z)",
      "        dZ = sigmoid_backward(dA, sigmoid(Z))",
      "dense_backward",
      "applies the derivative to the activation sigma(Z) instead of to Z"),
    M("dense_backward_relu_branch_uses_sigmoid", "layers",
      "        dZ = relu_backward(dA, Z)",
      "        dZ = sigmoid_backward(dA, Z)",
      "dense_backward",
      "wrong branch: a relu layer back-propagates through the sigmoid"),
    M("dense_backward_unknown_is_linear", "layers",
      "    elif activation == \"linear\":\n        dZ = np.array(dA, dtype=float)\n    else:\n"
      "        raise ValueError(f\"unknown activation {activation!r}; expected one of {ACTIVATIONS}\")\n",
      "    else:  # anything else is treated as linear\n        dZ = np.array(dA, dtype=float)\n",
      "dense_backward",
      "a catch-all else branch: an unknown activation name silently acts as linear instead of "
      "raising ValueError"),
    M("dense_backward_missing_linear_branch", "layers",
      "    elif activation == \"linear\":\n        dZ = np.array(dA, dtype=float)\n",
      "",
      "dense_backward",
      "forgets the linear activation: it raises ValueError for a valid name"),
    # ------------------------------------------------------------------ network
    M("init_params_nonzero_biases", "network",
      "        params[f\"b{l}\"] = np.zeros((n, 1))",
      "        params[f\"b{l}\"] = 0.01 * rng.standard_normal((n, 1))",
      "init_params",
      "random biases: the contract asks for zero biases"),
    M("init_params_global_rng_ignores_seed", "network",
      "    rng = np.random.default_rng(seed)",
      "    rng = np.random",
      "init_params",
      "draws from the unseeded global RNG: not reproducible for a seed, seeds do not matter"),
    M("init_params_huge_weights", "network",
      "rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)",
      "rng.standard_normal((n, n_prev)) * 100.0",
      "init_params",
      "weights of scale 100 instead of small (sigmoids saturate, training stalls)"),
    M("init_params_transposed_W", "network",
      "rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)",
      "rng.standard_normal((n_prev, n)) / np.sqrt(n_prev)",
      "init_params",
      "W of shape (n_{l-1}, n_l) instead of (n_l, n_{l-1})"),
    M("init_params_bias_shape_1d", "network",
      "        params[f\"b{l}\"] = np.zeros((n, 1))",
      "        params[f\"b{l}\"] = np.zeros(n)",
      "init_params",
      "b of shape (n,) instead of (n, 1): b broadcasts as a row"),
    M("init_params_zero_weights", "network",
      "rng.standard_normal((n, n_prev)) / np.sqrt(n_prev)",
      "np.zeros((n, n_prev))",
      "init_params",
      "all-zero weights: symmetric units, and every seed gives the same parameters"),
    M("forward_always_sigmoid", "network",
      "params[f\"b{l}\"], activation)",
      "params[f\"b{l}\"], \"sigmoid\")",
      "forward",
      "ignores the activations list and uses a sigmoid in every layer"),
    M("forward_skips_last_layer", "network",
      "enumerate(activations, start=1)",
      "enumerate(activations[:-1], start=1)",
      "forward",
      "off by one: stops before the output layer"),
    M("backward_skips_first_layer", "network",
      "range(len(activations), 0, -1)",
      "range(len(activations), 1, -1)",
      "backward",
      "off by one: stops before layer 1, so dW1 and db1 are missing"),
    M("backward_double_average", "network",
      "    dA = mse_loss_backward(cache[\"A\"][-1], Y)",
      "    dA = mse_loss_backward(cache[\"A\"][-1], Y) / Y.shape[1]",
      "backward",
      "divides the output error by m although linear_backward averages already: m times too small"),
    M("backward_activation_off_by_one", "network",
      "cache[\"Z\"][l - 1], activations[l - 1]",
      "cache[\"Z\"][l - 1], activations[l - 2]",
      "backward",
      "indexes the activations list one layer off (layer 1 gets the last layer's activation)"),
    M("backward_passes_A_as_Z", "network",
      "cache[\"Z\"][l - 1], activations[l - 1]",
      "cache[\"A\"][l], activations[l - 1]",
      "backward",
      "hands the layer's activation A[l] to dense_backward where Z[l] is expected"),
    M("backward_numerical_gradient", "network",
      "    grads = {}\n    dA = mse_loss_backward(cache[\"A\"][-1], Y)\n",
      "    from backprop.gradcheck import numerical_gradient\n\n"
      "    def cost(key, value):\n"
      "        return mse_loss(forward(cache[\"A\"][0], {**params, key: value}, activations)[0], Y)\n\n"
      "    return {\"d\" + k: numerical_gradient(lambda v, k=k: cost(k, v), p) for k, p in params.items()}\n"
      "    grads = {}\n    dA = mse_loss_backward(cache[\"A\"][-1], Y)\n",
      "backward",
      "numerical differentiation with the given gradcheck.numerical_gradient (the cost of "
      "forward at params +- h for every parameter) instead of backpropagation: right values, "
      "two forward passes per parameter"),
    M("backward_own_finite_differences", "network",
      "    grads = {}\n    dA = mse_loss_backward(cache[\"A\"][-1], Y)\n",
      "    grads, h, X = {}, 1e-6, cache[\"A\"][0]\n"
      "    for key, value in params.items():\n"
      "        g = np.zeros_like(value, dtype=float)\n"
      "        for i in range(value.size):\n"
      "            step = np.zeros(value.size)\n"
      "            step[i] = h\n"
      "            step = step.reshape(value.shape)\n"
      "            up = mse_loss(forward(X, {**params, key: value + step}, activations)[0], Y)\n"
      "            down = mse_loss(forward(X, {**params, key: value - step}, activations)[0], Y)\n"
      "            g.flat[i] = (up - down) / (2 * h)\n"
      "        grads[\"d\" + key] = g\n"
      "    return grads\n"
      "    dA = mse_loss_backward(cache[\"A\"][-1], Y)\n",
      "backward",
      "its own finite differences of the cost, parameter by parameter, instead of "
      "backpropagation: right values, two forward passes per parameter"),
    M("linear_backward_numerical_gradient", "layers",
      "    dW = (dZ @ A_prev.T) / m\n",
      "    from backprop.gradcheck import numerical_gradient\n\n"
      "    dW = numerical_gradient(lambda W_: float(np.sum(dZ * (W_ @ A_prev))), W) / m\n",
      "linear_backward",
      "dW by numerical differentiation of sum(dZ * (W A_prev)) instead of dZ A_prev^T / m: "
      "right values, one product per weight"),
    M("loss_and_gradients_double_average", "network",
      "    return mse_loss(Y_hat, Y), backward(Y, params, cache, activations)",
      "    return mse_loss(Y_hat, Y) / X.shape[1], backward(Y, params, cache, activations)",
      "loss_and_gradients",
      "divides the already averaged cost by m again"),
    M("loss_and_gradients_passes_Y_hat_to_backward", "network",
      "    return mse_loss(Y_hat, Y), backward(Y, params, cache, activations)",
      "    return mse_loss(Y_hat, Y), backward(Y_hat, params, cache, activations)",
      "loss_and_gradients",
      "hands backward the predictions where it expects the targets Y: the gradients of a cost "
      "that is already zero"),
    # ------------------------------------------------------------------ minibatch
    M("minibatch_different_permutations", "minibatch",
      "    perm = np.random.default_rng(seed).permutation(m)\n"
      "    X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]",
      "    rng = np.random.default_rng(seed)\n"
      "    X_shuffled, Y_shuffled = X[:, rng.permutation(m)], Y[:, rng.permutation(m)]",
      "random_mini_batches",
      "X and Y shuffled with two different permutations: inputs no longer match their targets"),
    M("minibatch_drops_remainder", "minibatch",
      "for k in range(0, m, batch_size)",
      "for k in range(0, m - batch_size + 1, batch_size)",
      "random_mini_batches",
      "only full batches: the m % batch_size last examples are dropped (all of them if "
      "batch_size > m)"),
    M("minibatch_not_shuffled", "minibatch",
      "X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]",
      "X_shuffled, Y_shuffled = X, Y",
      "random_mini_batches",
      "never shuffles: the same consecutive batches every epoch"),
    M("minibatch_sampling_with_replacement", "minibatch",
      "np.random.default_rng(seed).permutation(m)",
      "np.random.default_rng(seed).integers(0, m, size=m)",
      "random_mini_batches",
      "draws indices with replacement: some examples repeated, others missing"),
    M("minibatch_ignores_seed", "minibatch",
      "np.random.default_rng(seed).permutation(m)",
      "np.random.default_rng().permutation(m)",
      "random_mini_batches",
      "an unseeded generator: the same seed gives different batches"),
    M("minibatch_empty_last_batch", "minibatch",
      "for k in range(0, m, batch_size)",
      "for k in range(0, m + 1, batch_size)",
      "random_mini_batches",
      "one batch too many: an empty last batch when batch_size divides m"),
    # ------------------------------------------------------------------ optimizers
    M("sgd_sign_error", "optimizers",
      "{k: p - lr * grads[\"d\" + k] for k, p in params.items()}",
      "{k: p + lr * grads[\"d\" + k] for k, p in params.items()}",
      "sgd_update",
      "gradient ascent: + lr * g"),
    M("sgd_in_place", "optimizers",
      "    return {k: p - lr * grads[\"d\" + k] for k, p in params.items()}",
      "    for k in params:\n        params[k] -= lr * grads[\"d\" + k]\n    return params",
      "sgd_update",
      "updates the caller's arrays in place: the contract forbids modifying inputs"),
    M("init_state_param_keys", "optimizers",
      "    return {\"d\" + k: np.zeros_like(p, dtype=float) for k, p in params.items()}",
      "    return {k: np.zeros_like(p, dtype=float) for k, p in params.items()}",
      "init_state",
      "state keyed \"W1\", \"b1\" instead of \"dW1\", \"db1\""),
    M("momentum_without_one_minus_beta", "optimizers",
      "new_v[g] = beta * v[g] + (1.0 - beta) * grads[g]",
      "new_v[g] = beta * v[g] + grads[g]",
      "momentum_update",
      "v <- beta v + g (no 1 - beta): steps about 1/(1 - beta) = 10 times too large"),
    M("momentum_steps_along_gradient", "optimizers",
      "new_params[k] = p - lr * new_v[g]",
      "new_params[k] = p - lr * grads[g]",
      "momentum_update",
      "updates v but steps along the raw gradient"),
    M("momentum_steps_along_old_velocity", "optimizers",
      "new_params[k] = p - lr * new_v[g]",
      "new_params[k] = p - lr * v[g]",
      "momentum_update",
      "steps with the velocity from before this update"),
    M("rmsprop_missing_square", "optimizers",
      "new_s[g] = beta * s[g] + (1.0 - beta) * grads[g] ** 2",
      "new_s[g] = beta * s[g] + (1.0 - beta) * grads[g]",
      "rmsprop_update",
      "averages g instead of g^2: negative s, NaN square roots"),
    M("rmsprop_eps_inside_sqrt", "optimizers",
      "grads[g] / (np.sqrt(new_s[g]) + eps)",
      "grads[g] / np.sqrt(new_s[g] + eps)",
      "rmsprop_update",
      "sqrt(s + eps) instead of sqrt(s) + eps. Detectable with the contract's eps = 1e-8 because "
      "beta = 0.999: after one step s = 1e-3 g^2, and the relative change of the step is about "
      "5e-6 / g^2, i.e. 5e-4 for |g| = 0.1 and 5e-2 for |g| = 0.01, realistic gradient sizes"),
    M("rmsprop_missing_sqrt", "optimizers",
      "grads[g] / (np.sqrt(new_s[g]) + eps)",
      "grads[g] / (new_s[g] + eps)",
      "rmsprop_update",
      "divides by s instead of sqrt(s)"),
    M("adam_without_bias_correction", "optimizers",
      "        v_hat = new_v[g] / (1.0 - beta1**t)\n        s_hat = new_s[g] / (1.0 - beta2**t)",
      "        v_hat = new_v[g]\n        s_hat = new_s[g]",
      "adam_update",
      "no bias correction: the first step is about lr * sqrt(1 - beta2) / (1 - beta1) ~ 0.3 lr"),
    M("adam_bias_correction_t_plus_one", "optimizers",
      "        v_hat = new_v[g] / (1.0 - beta1**t)\n        s_hat = new_s[g] / (1.0 - beta2**t)",
      "        v_hat = new_v[g] / (1.0 - beta1 ** (t + 1))\n"
      "        s_hat = new_s[g] / (1.0 - beta2 ** (t + 1))",
      "adam_update",
      "bias correction with t + 1 (counting from 0 inside the update)"),
    M("adam_returns_corrected_moments", "optimizers",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n"
      "        new_v[g], new_s[g] = v_hat, s_hat\n",
      "adam_update",
      "stores the bias-corrected v_hat, s_hat as the state: the next step corrects them twice"),
    M("adam_second_moment_uses_beta1", "optimizers",
      "new_s[g] = beta2 * s[g] + (1.0 - beta2) * grads[g] ** 2",
      "new_s[g] = beta1 * s[g] + (1.0 - beta1) * grads[g] ** 2",
      "adam_update",
      "copy-paste slip: the second moment decays with beta1"),
    # ------------------------------------------------------------------ train
    M("train_discards_adam_update", "train",
      "                params, v, s = adam_update(params, grads, v, s, t, lr)",
      "                _, v, s = adam_update(params, grads, v, s, t, lr)",
      "train",
      "throws the updated parameters away (treats the update as in place): Adam never learns"),
    M("train_reinitialises_every_epoch", "train",
      "    for epoch in range(epochs):\n",
      "    for epoch in range(epochs):\n        params = init_params(layer_sizes, seed)\n",
      "train",
      "re-creates the parameters at the start of every epoch: losses stay at one epoch's progress"),
    M("train_adam_t_reset_every_epoch", "train",
      "    v, s, t = init_state(params), init_state(params), 0\n"
      "    losses = []\n"
      "    for epoch in range(epochs):\n",
      "    v, s = init_state(params), init_state(params)\n"
      "    losses = []\n"
      "    for epoch in range(epochs):\n"
      "        t = 0\n",
      "train",
      "restarts Adam's step count every epoch: the contract says t counts updates across epochs"),
    M("train_adam_t_starts_at_zero", "train",
      "                t += 1\n"
      "                params, v, s = adam_update(params, grads, v, s, t, lr)",
      "                params, v, s = adam_update(params, grads, v, s, t, lr)\n"
      "                t += 1",
      "train",
      "first Adam call with t = 0: 1 - beta^0 = 0, division by zero, NaN parameters"),
    M("train_records_loss_before_update", "train",
      "            _, grads = loss_and_gradients(X_batch, Y_batch, params, activations)\n"
      + _TRAIN_UPDATES
      + "        Y_hat, _ = forward(X, params, activations)\n"
      "        losses.append(mse_loss(Y_hat, Y))\n",
      "            J, grads = loss_and_gradients(X_batch, Y_batch, params, activations)\n"
      + _TRAIN_UPDATES
      + "        losses.append(J)\n",
      "train",
      "records the J that loss_and_gradients returned, i.e. the cost BEFORE the update (of the "
      "last batch): losses[e] must be the full-data J after epoch e's updates"),
    M("train_records_last_batch_loss", "train",
      "        Y_hat, _ = forward(X, params, activations)\n"
      "        losses.append(mse_loss(Y_hat, Y))",
      "        Y_hat, _ = forward(X_batch, params, activations)\n"
      "        losses.append(mse_loss(Y_hat, Y_batch))",
      "train",
      "records the cost of the last mini-batch, not the full-data J"),
    M("train_gd_uses_minibatches", "train",
      "        if optimizer == \"gd\":\n            batches = [(X, Y)]\n        else:\n"
      "            batches = random_mini_batches(X, Y, batch_size, seed=seed + epoch)",
      "        batches = random_mini_batches(X, Y, batch_size, seed=seed + epoch)",
      "train",
      "\"gd\" takes mini-batch steps; the contract says full batch, one update per epoch"),
    M("train_accepts_unknown_optimizer", "train",
      "    if optimizer not in OPTIMIZERS:\n"
      "        raise ValueError(f\"unknown optimizer {optimizer!r}; "
      "expected one of {OPTIMIZERS}\")\n",
      "",
      "train",
      "an unknown optimizer name silently runs Adam; the contract says ValueError"),
    # ------------------------------------------------------------------ found in learners' code
    M("sigmoid_exp_over_one_plus_exp", "activations",
      "    E = np.exp(-np.abs(Z))\n    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
      "    E = np.exp(Z)\n    return E / (1.0 + E)",
      "sigmoid",
      "e^z / (1 + e^z): inf / inf = NaN at z = 1000 (and an overflow warning)"),
    M("sigmoid_math_e_power", "activations",
      "    E = np.exp(-np.abs(Z))\n    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
      "    import math\n\n    return 1.0 / (1.0 + math.e ** (-Z))",
      "sigmoid",
      "1 / (1 + math.e**(-z)): right values, but the power overflows (RuntimeWarning) at "
      "z = -1000; the contract asks for warning-free values"),
    M("relu_backward_z_geq_0", "activations",
      "    return np.where(Z > 0, dA, 0.0).astype(float)",
      "    return np.where(Z >= 0, dA, 0.0).astype(float)",
      "relu_backward",
      "mask Z >= 0: passes dA through at Z = 0, where the contract takes relu'(0) = 0"),
    M("sgd_in_place_cs231n", "optimizers",
      "    return {k: p - lr * grads[\"d\" + k] for k, p in params.items()}",
      "    new_params = dict(params)\n    for k, w in new_params.items():\n"
      "        w -= lr * grads[\"d\" + k]\n    return new_params",
      "sgd_update",
      "CS231n's `w -= learning_rate * dw`: the dict is copied but the caller's arrays are "
      "updated in place (right values, modified inputs)"),
    M("momentum_in_place_dls", "optimizers",
      "        new_v[g] = beta * v[g] + (1.0 - beta) * grads[g]\n"
      "        new_params[k] = p - lr * new_v[g]\n    return new_params, new_v",
      "        v[g] = beta * v[g] + (1.0 - beta) * grads[g]\n"
      "        params[k] = params[k] - lr * v[g]\n    return params, v",
      "momentum_update",
      "the Deep Learning Specialization's style, `parameters[\"W\" + str(l)] = ...`: right values "
      "written into the caller's params and v dicts"),
    M("adam_in_place_dls", "optimizers",
      "        new_v[g] = beta1 * v[g] + (1.0 - beta1) * grads[g]\n"
      "        new_s[g] = beta2 * s[g] + (1.0 - beta2) * grads[g] ** 2\n"
      "        v_hat = new_v[g] / (1.0 - beta1**t)\n"
      "        s_hat = new_s[g] / (1.0 - beta2**t)\n"
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n"
      "    return new_params, new_v, new_s",
      "        v[g] = beta1 * v[g] + (1.0 - beta1) * grads[g]\n"
      "        s[g] = beta2 * s[g] + (1.0 - beta2) * grads[g] ** 2\n"
      "        v_hat = v[g] / (1.0 - beta1**t)\n"
      "        s_hat = s[g] / (1.0 - beta2**t)\n"
      "        params[k] -= lr * v_hat / (np.sqrt(s_hat) + eps)\n"
      "    return params, v, s",
      "adam_update",
      "the DLS template's style with `-=`: right values, but params, v and s are the caller's "
      "dicts and arrays, updated in place"),
    M("rmsprop_eps_hard_coded", "optimizers",
      "grads[g] / (np.sqrt(new_s[g]) + eps)",
      "grads[g] / (np.sqrt(new_s[g]) + 1e-8)",
      "rmsprop_update",
      "eps hard-coded to 1e-8: the eps argument is ignored"),
    M("adam_eps_inside_sqrt", "optimizers",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        new_params[k] = p - lr * v_hat / np.sqrt(s_hat + eps)\n",
      "adam_update",
      "np.sqrt(s_corrected + epsilon): eps inside the root; with g = 1e-5 the first step is "
      "0.0995 lr instead of about lr"),
    M("adam_eps_inside_sqrt_hard_coded", "optimizers",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        new_params[k] = p - lr * v_hat / np.sqrt(s_hat + 1e-8)\n",
      "adam_update",
      "eps inside the root and hard-coded to 1e-8 (the eps argument is ignored)"),
    M("adam_eps_hard_coded", "optimizers",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + 1e-8)\n",
      "adam_update",
      "eps hard-coded to 1e-8: the eps argument is ignored"),
    M("adam_beta2_squared_without_sqrt", "optimizers",
      "        s_hat = new_s[g] / (1.0 - beta2**t)\n"
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        s_hat = new_s[g] / (1.0 - beta2**2)\n"
      "        new_params[k] = p - lr * v_hat / (s_hat + eps)\n",
      "adam_update",
      "1 - beta2**2 where 1 - beta2**t belongs, and no square root of s_hat"),
    M("adam_missing_sqrt", "optimizers",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        new_params[k] = p - lr * v_hat / (s_hat + eps)\n",
      "adam_update",
      "divides by s_hat instead of its square root"),
    M("adam_steps_along_gradient", "optimizers",
      "        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)\n",
      "        new_params[k] = p - lr * grads[g] / (np.sqrt(s_hat) + eps)\n",
      "adam_update",
      "multiplies by the raw gradient instead of v_hat (the same at t = 1 from v = 0, wrong "
      "afterwards)"),
    M("train_does_not_train", "train",
      "    return params, losses\n",
      "    return init_params(layer_sizes, seed), [0.0] * epochs\n",
      "train",
      "returns the initial parameters and losses of 0: a train that does not train, "
      "reporting a perfect fit"),
    M("minibatch_zero_filled_batches", "minibatch",
      "X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]",
      "X_shuffled, Y_shuffled = np.zeros_like(X), np.zeros_like(Y)",
      "random_mini_batches",
      "batches pre-allocated with np.zeros and never filled: the right sizes, none of the data"),
    M("relu_returns_indicator", "activations",
      "    return np.maximum(0.0, np.asarray(Z, dtype=float))",
      "    return (np.asarray(Z) > 0).astype(float)",
      "relu",
      "returns the indicator 1[z > 0] (relu's derivative) instead of max(0, z)"),
    M("sgd_keys_like_gradients", "optimizers",
      "    return {k: p - lr * grads[\"d\" + k] for k, p in params.items()}",
      "    return {g: params[g[1:]] - lr * dg for g, dg in grads.items()}",
      "sgd_update",
      "loops over the gradients and keeps their keys: the new params are keyed \"dW1\", \"db1\""),
    # ------------------------------------------------------------------ quiz
    M("quiz_misconceptions", "quiz",
      _quiz_lines(QUIZ_KEY, range(1, 6)),
      _quiz_lines(_MISCONCEPTIONS, range(1, 6)),
      "quiz",
      "common misconceptions: backprop saves memory (1A), Taylor's theorem (2D), autodiff "
      "makes the forward pass faster (5D)"),
    M("quiz_one_wrong_letter", "quiz",
      _quiz_lines(QUIZ_KEY, range(3, 4)),
      _quiz_lines({3: _other_letter(QUIZ_KEY[3])}, range(3, 4)),
      "quiz",
      f"question 3 answered {_other_letter(QUIZ_KEY[3])} (the key says {QUIZ_KEY[3]})"),
    M("quiz_answer_not_a_letter", "quiz",
      _quiz_lines(QUIZ_KEY, range(7, 8)),
      f'    7: "{QUIZ_KEY[7]} or {_other_letter(QUIZ_KEY[7])}",',
      "quiz",
      "two letters for question 7: the contract asks for one letter A-D per question"),
]
del M


def reference_source(module: str) -> str:
    return (REFERENCE / f"{module}.py").read_text()


def mutated_source(mutant: Mutant) -> str:
    """The mutated text of the mutant's module; ValueError unless ``old`` matches exactly once."""
    source = reference_source(mutant.module)
    count = source.count(mutant.old)
    if count != 1:
        raise ValueError(
            f"mutant {mutant.name}: `old` matches {count} times in solutions/backprop/"
            f"{mutant.module}.py (must be exactly once; did the reference change?)"
        )
    return source.replace(mutant.old, mutant.new)


def apply_mutant(mutant: Mutant, dest_dir: Path | str) -> Path:
    """Write the reference package with the mutant's bug to ``dest_dir/backprop/``."""
    dest = Path(dest_dir)
    package = dest / "backprop"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    for path in sorted(REFERENCE.glob("*.py")):
        shutil.copyfile(path, package / path.name)
    (package / f"{mutant.module}.py").write_text(mutated_source(mutant))
    return dest


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


def call_graph(package_dir: Path | str) -> dict[str, set[str]]:
    """Graded function -> the graded functions it calls (by name), read from the package's source.

    A module that cannot be parsed contributes no edges. Calls are matched by name (``f(...)``
    or ``module.f(...)``), which is exact for this package: graded names are unique.
    """
    graph: dict[str, set[str]] = {f: set() for f in GRADED}
    for module, functions in GRADED_MODULES.items():
        path = Path(package_dir) / f"{module}.py"
        if not path.exists():
            continue
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:
            continue
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
    for module in GRADED_MODULES:
        path = Path(package_dir) / f"{module}.py"
        if not path.exists():
            continue
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:
            continue
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
