"""Build the student notebook ``backprop_lab.ipynb`` from the cells below (never edit the JSON).

The notebook sits next to the student's ``backprop/`` folder in the handout and imports it, so
every number and plot it shows comes from the student's own code. It walks through

1. the lecture's worked 2-2-2 sigmoid example (forward pass, loss, backward pass, one SGD step),
2. a numerical gradient check with ``backprop.gradcheck``,
3. training curves (full-batch GD, mini-batch SGD, Momentum, RMSProp, Adam) and
4. the effect of a learning rate that is too large or too small.

Usage: python assignments/notebook_source.py [--out PATH]
(default: assignments/build/backprop_lab.ipynb; the build/ folder is not committed).
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "assignments" / "build" / "backprop_lab.ipynb"
NOTEBOOK_NAME = "backprop_lab.ipynb"


def _md(text: str) -> tuple[str, str]:
    return ("markdown", textwrap.dedent(text).strip("\n"))


def _code(text: str) -> tuple[str, str]:
    return ("code", textwrap.dedent(text).strip("\n"))


# --------------------------------------------------------------------------------------------
# The cells, in order. Markdown first, then the code it introduces.
# --------------------------------------------------------------------------------------------

INTRO = [
    _md(
        """
        # Backpropagation & Optimization: the lab notebook

        This notebook runs **your** `backprop` package (the folder next to this file). Nothing in
        it is graded; it is here so you can *see* your code work:

        1. **The lecture's worked example**, step by step, every intermediate number next to the
           lecture's value: with your activations and loss (steps 1-2 of the README), then your
           layers (step 3) and the whole network (step 4).
        2. **Gradient check**: your backward pass against finite differences (step 4).
        3. **One gradient-descent step** on the worked example, and 10,000 more (step 6).
        4. **Learning rates**: what a step size that is too large or too small looks like
           (step 6).
        5. **Training curves**: full-batch gradient descent, mini-batch SGD, Momentum, RMSProp and
           Adam on the same small regression problem (steps 5-7).

        Each section starts with the functions it **needs**: it runs as soon as those exist, so
        you can use the notebook from step 1 on.

        How to use it:

        * Start Jupyter from the handout folder (the one that contains `backprop/`), so that
          `import backprop` finds your code.
        * A cell that stops with `NotImplementedError` is pointing at a function you have not
          written yet; the message names the file. The sections before it still ran. An
          `AssertionError` means your function runs but its result is off, and the message says
          what to look at.
        * The cell below turns on `autoreload`, so edits to `backprop/*.py` are picked up when you
          re-run a cell. If something still looks stale, use *Kernel → Restart* and run all.
        """
    ),
    _code(
        """
        %load_ext autoreload
        %autoreload 2
        %matplotlib inline

        import time

        import matplotlib.pyplot as plt
        import numpy as np

        np.set_printoptions(precision=9, suppress=True)


        def compare(name, yours, lecture, tol=1e-8):
            \"\"\"Print your value next to the lecture's; True when they agree within tol.\"\"\"
            yours = np.asarray(yours, dtype=float).ravel()
            lecture = np.asarray(lecture, dtype=float).ravel()
            if yours.shape != lecture.shape:
                print(f"{name:<20} {yours.size} numbers, lecture {lecture.size}: MISMATCH")
                return False
            diff = float(np.max(np.abs(yours - lecture)))
            verdict = "ok" if diff <= tol else "MISMATCH"
            print(f"{name:<20} yours   {yours}")
            print(f"{'':<20} lecture {lecture}   max |diff| {diff:.1e}  {verdict}")
            return diff <= tol
        """
    ),
]

WORKED_EXAMPLE = [
    _md(
        """
        ## 1. The lecture's worked example

        Two inputs, two sigmoid hidden units, two sigmoid outputs, one training example:

        * input $x = (0.05,\\ 0.10)$, target $y = (0.01,\\ 0.99)$;
        * hidden layer: $W^{[1]} = \\begin{pmatrix} w_1 & w_2 \\\\ w_3 & w_4 \\end{pmatrix}
          = \\begin{pmatrix} 0.15 & 0.20 \\\\ 0.25 & 0.30 \\end{pmatrix}$, every hidden bias $0.35$;
        * output layer: $W^{[2]} = \\begin{pmatrix} w_5 & w_6 \\\\ w_7 & w_8 \\end{pmatrix}
          = \\begin{pmatrix} 0.40 & 0.45 \\\\ 0.50 & 0.55 \\end{pmatrix}$, every output bias $0.60$.

        Row $j$ of $W^{[l]}$ holds the weights *into* unit $j$, so the lecture's $w_1, w_2$ feed
        $h_1$ and $w_5, w_6$ feed $o_1$. The example is one column: $m = 1$, so the cost
        $J = \\frac{1}{m}\\sum_i L_i$ is simply the loss $E$ of that example.

        ### 1a. With your activations and loss

        **Needs:** `sigmoid`, `sigmoid_derivative`, `sigmoid_backward`, `mse_loss`,
        `mse_loss_backward` (steps 1-2). The matrix products are written out here with numpy;
        your layers take them over in 1b.
        """
    ),
    _code(
        """
        from backprop.activations import sigmoid, sigmoid_backward, sigmoid_derivative
        from backprop.losses import mse_loss, mse_loss_backward

        X = np.array([[0.05], [0.10]])  # (n_x, m) = (2, 1): one example, one column
        Y = np.array([[0.01], [0.99]])  # (n_y, m) = (2, 1)
        params = {
            "W1": np.array([[0.15, 0.20], [0.25, 0.30]]),
            "b1": np.array([[0.35], [0.35]]),
            "W2": np.array([[0.40, 0.45], [0.50, 0.55]]),
            "b2": np.array([[0.60], [0.60]]),
        }
        ACTS = ["sigmoid", "sigmoid"]
        for key, value in params.items():
            print(key, value.shape)

        # Forward: Z = W A_prev + b, then A = sigma(Z), starting from A0 = X. The hidden
        # activations are the lecture's out_h1, out_h2 and the outputs out_o1, out_o2.
        Z1 = params["W1"] @ X + params["b1"]
        A1 = sigmoid(Z1)
        Z2 = params["W2"] @ A1 + params["b2"]
        A2 = sigmoid(Z2)
        print()
        ok = compare("out_h1, out_h2", A1, [0.593269992, 0.596884378])
        ok &= compare("out_o1, out_o2", A2, [0.75136507, 0.772928465])
        assert ok, "the forward pass differs from the lecture: check sigmoid"
        """
    ),
    _md(
        """
        The loss, per example $L = \\tfrac12 \\sum_k (y_k - \\hat y_k)^2$, here
        $E_{o1} + E_{o2}$. The lecture gets $E_{total} = 0.298371109$.
        """
    ),
    _code(
        """
        J = float(mse_loss(A2, Y))
        compare("E_o1, E_o2", 0.5 * (Y - A2) ** 2, [0.274811083, 0.023560026])
        print(f"\\nJ = {J:.9f}   (lecture: E_total = 0.298371109)")
        assert abs(J - 0.298371109) < 1e-9, (
            f"expected J = 0.298371109, got {J:.9f}: check the 1/2 and that you average over "
            "the m COLUMNS only"
        )

        # The first backward steps: the output layer's error signal delta_o = dE/dnet_o.
        dA2 = mse_loss_backward(A2, Y)                # dE/dout_o
        dZ2 = sigmoid_backward(dA2, Z2)               # delta_o = dE/dnet_o
        ok = compare("dE/dout_o1", dA2[0], 0.74136507)
        ok &= compare("dout_o1/dnet_o1", sigmoid_derivative(Z2)[0], 0.186815602)
        ok &= compare("delta_o1", dZ2[0], 0.138498562)
        assert ok, "a backward quantity differs from the lecture: start at the first MISMATCH"
        """
    ),
    _md(
        """
        ### 1b. With your layers: the backward pass, one step at a time

        **Needs:** `linear_forward`, `dense_forward`, `linear_backward` (step 3).

        The chain rule, from the output back to the input. Each line below is one local
        derivative; the comments give the lecture's name for the quantity.

        * `mse_loss_backward` gives $\\partial L/\\partial \\hat y = \\hat y - y$, per example.
        * `sigmoid_backward` multiplies by $\\sigma'(z) = \\sigma(z)(1-\\sigma(z))$, giving the
          error signal $\\delta = \\partial L/\\partial z$.
        * `linear_backward` returns $W^T \\delta$ (sent on to the previous layer) and the
          parameter gradients $dW = \\frac1m \\delta A_{prev}^T$ and
          $db = \\frac1m\\sum_i \\delta_{:,i}$.

        With one example the $\\frac1m$ changes nothing, so your numbers must match the lecture's.
        """
    ),
    _code(
        """
        from backprop.layers import dense_forward, linear_backward

        # dense_forward does the forward pass above in one call per layer
        A1_layer, Z1_layer = dense_forward(X, params["W1"], params["b1"], "sigmoid")
        A2_layer, Z2_layer = dense_forward(A1_layer, params["W2"], params["b2"], "sigmoid")
        ok = compare("out_o1, out_o2", A2_layer, [0.75136507, 0.772928465])
        assert ok, "dense_forward differs from the lecture: check linear_forward"
        assert np.allclose(Z1_layer, Z1, rtol=0, atol=1e-12), "dense_forward must return Z too"
        print()

        dA1, dW2, db2 = linear_backward(dZ2, A1, params["W2"])  # dE/dout_h and layer-2 gradients
        dZ1 = sigmoid_backward(dA1, Z1)               # delta_h = dE/dnet_h
        _, dW1, db1 = linear_backward(dZ1, X, params["W1"])     # layer-1 gradients

        ok = compare("dE/dout_h1", dA1[0], 0.036350306)
        ok &= compare("dout_h1/dnet_h1", sigmoid_derivative(Z1)[0], 0.241300709)
        print()
        print("dW2 =\\n", dW2)
        print("dW1 =\\n", dW1)
        print()
        ok &= compare("dW2 = dE/dw5..w8", dW2,
                      [[0.082167041, 0.082667628], [-0.022602540, -0.022740242]])
        ok &= compare("dW1 = dE/dw1..w4", dW1,
                      [[0.000438568, 0.000877135], [0.000497713, 0.000995425]])
        assert ok, "a backward quantity differs from the lecture: start at the first MISMATCH"
        """
    ),
    _md(
        """
        ### 1c. The whole network in one call

        **Needs:** `forward`, `backward`, `loss_and_gradients` (step 4).

        `network.forward` chains `dense_forward`, and `network.loss_and_gradients` does the
        whole forward + backward pass in one call. They must agree with the hand-chained version
        above, and return one gradient per parameter, keyed `"dW1"`, `"db1"`, ... with the
        parameter's shape.
        """
    ),
    _code(
        """
        from backprop.network import forward, loss_and_gradients

        Y_hat, cache = forward(X, params, ACTS)
        assert Y_hat.shape == (2, 1), f"forward returned shape {Y_hat.shape}, expected (2, 1)"
        assert np.allclose(Y_hat, A2, rtol=0, atol=1e-12), "forward should chain dense_forward"
        print("network.forward agrees with the two dense_forward calls.")

        J_all, grads = loss_and_gradients(X, Y, params, ACTS)
        by_hand = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        assert abs(float(J_all) - J) < 1e-12, "loss_and_gradients returns a different cost"
        for key, expected in by_hand.items():
            assert key in grads, f"grads has no key {key!r} (keys: {sorted(grads)})"
            assert grads[key].shape == params[key[1:]].shape, f"{key} has the wrong shape"
            assert np.allclose(grads[key], expected, rtol=0, atol=1e-12), f"{key} differs"
            print(f"{key}: shape {grads[key].shape}, matches the step-by-step result")
        """
    ),
]

GRADIENT_DESCENT_STEP = [
    _md(
        """
        ## 3. One gradient-descent step on the worked example

        **Needs:** `sgd_update` (step 6), and the functions of section 1.

        Learning rate $\\eta = 0.5$: $w \\leftarrow w - \\eta\\, \\partial J/\\partial w$.

        **The lecture keeps the biases frozen** (it never updates them), so to reproduce its
        table we hand `sgd_update` the weights only. `sgd_update` loops over the parameters it
        is given and looks up each one's gradient (`"W1"` → `grads["dW1"]`), so a dict with just
        `W1` and `W2` updates just those. Note also that the gradients of *both* layers are
        computed first, at the old weights, and only then applied.
        """
    ),
    _code(
        """
        from backprop.optimizers import sgd_update

        LR = 0.5
        new_weights = sgd_update(
            {"W1": params["W1"], "W2": params["W2"]},
            {"dW1": grads["dW1"], "dW2": grads["dW2"]},
            LR,
        )
        params_after = {**params, **new_weights}  # b1, b2 unchanged: frozen, as in the lecture

        ok = compare("w1..w4", new_weights["W1"],
                     [[0.149780716, 0.19956143], [0.24975114, 0.29950229]])
        ok &= compare("w5..w8", new_weights["W2"],
                      [[0.35891648, 0.408666186], [0.511301270, 0.561370121]])
        assert ok, "updated weights differ from the lecture: check sgd_update (theta - lr * dtheta)"
        assert params["W1"][0, 0] == 0.15, "sgd_update changed its input: return new arrays"

        names = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
        before = np.concatenate([params["W1"].ravel(), params["W2"].ravel()])
        after = np.concatenate([new_weights["W1"].ravel(), new_weights["W2"].ravel()])
        print("\\nweight   before    after one step")
        for name, b, a in zip(names, before, after, strict=True):
            print(f"{name:>6}   {b:.2f}      {a:.9f}")

        J_after = float(mse_loss(forward(X, params_after, ACTS)[0], Y))
        print(f"\\nJ after one step, biases frozen: {J_after:.9f}   (expected 0.291027774)")
        assert abs(J_after - 0.291027774) < 1e-9
        """
    ),
    _md(
        """
        The contract of this package trains the biases too (one bias per unit, shape $(n_l, 1)$).
        Passing every parameter to `sgd_update` does that, and the loss drops a little further.
        """
    ),
    _code(
        """
        params_all = sgd_update(params, grads, LR)
        J_all_after = float(mse_loss(forward(X, params_all, ACTS)[0], Y))
        print("b1 after one step:", params_all["b1"].ravel())
        print("b2 after one step:", params_all["b2"].ravel())
        print(f"J after one step, biases trained too: {J_all_after:.9f}   (expected 0.280471447)")
        assert abs(J_all_after - 0.280471447) < 1e-9
        """
    ),
    _md(
        """
        Repeat the frozen-bias step 10,000 times. The lecture reports that the error becomes
        tiny and the outputs approach the targets $0.01$ and $0.99$.

        (If you check against the original blog post the lecture follows: it prints 0.291027924
        after the first step, which comes from updating $w_5..w_8$ *before* computing the
        hidden-layer deltas, and 0.0000351085 "after 10,000 steps", which is 9,999 steps of the
        plain method. The values below are the plain method, exactly as you implement it.)
        """
    ),
    _code(
        """
        start = time.perf_counter()
        p = dict(params)
        for _ in range(10_000):
            _, g = loss_and_gradients(X, Y, p, ACTS)
            weights = {"W1": p["W1"], "W2": p["W2"]}
            p.update(sgd_update(weights, {"dW1": g["dW1"], "dW2": g["dW2"]}, LR))
        Y_hat_10k = forward(X, p, ACTS)[0]
        J_10k = float(mse_loss(Y_hat_10k, Y))
        print(f"10,000 steps in {time.perf_counter() - start:.1f} s")
        print(f"J = {J_10k:.10f}   (expected 0.0000351019)")
        ok = compare("outputs", Y_hat_10k, [0.015913620, 0.984064274])
        assert ok and abs(J_10k - 0.0000351019) < 1e-10
        """
    ),
]

GRADIENT_CHECK = [
    _md(
        """
        ## 2. Gradient check

        **Needs:** `init_params`, `loss_and_gradients` (step 4).

        The worked example tests one tiny network at one point. A **gradient check** tests any
        network: nudge one parameter by $\\pm h$, measure how the cost moves, and compare
        with what your backward pass claims:

        $$\\frac{\\partial J}{\\partial \\theta_i}
          \\approx \\frac{J(\\theta + h e_i) - J(\\theta - h e_i)}{2h}.$$

        `backprop.gradcheck` (given to you complete) provides `numerical_gradient(f, x)` for a
        scalar function `f` of an array `x`, and `relative_error(a, b)`. As a rule of thumb for
        float64: below about $10^{-7}$ is right, above $10^{-3}$ is a bug, and in between look
        closer (ReLU kinks can cause a few of those).

        Below: three layers (ReLU, sigmoid, linear), 7 examples, non-zero biases so the $db$ are
        tested too. Each parameter is checked separately; `cost_with(key, value)` is the cost with
        just that one parameter replaced.
        """
    ),
    _code(
        """
        from backprop.gradcheck import numerical_gradient, relative_error
        from backprop.network import init_params

        rng = np.random.default_rng(7)
        GC_SIZES, GC_ACTS = [4, 5, 3, 2], ["relu", "sigmoid", "linear"]
        X_gc = rng.standard_normal((4, 7))
        Y_gc = rng.standard_normal((2, 7))
        gc_params = {
            key: value + (0.1 * rng.standard_normal(value.shape) if key.startswith("b") else 0.0)
            for key, value in init_params(GC_SIZES, seed=3).items()
        }


        def cost_with(key, value):
            \"\"\"The cost with parameter `key` replaced by `value` (the others unchanged).\"\"\"
            return loss_and_gradients(X_gc, Y_gc, {**gc_params, key: value}, GC_ACTS)[0]


        _, gc_grads = loss_and_gradients(X_gc, Y_gc, gc_params, GC_ACTS)
        numeric = {}
        worst = 0.0
        for key in gc_params:
            numeric[key] = numerical_gradient(lambda v, key=key: cost_with(key, v), gc_params[key])
            err = relative_error(gc_grads["d" + key], numeric[key])
            worst = max(worst, err)
            print(f"d{key:<3} shape {str(gc_params[key].shape):<7} relative error {err:.2e}")
        print(f"\\nworst relative error: {worst:.2e}")
        assert worst < 1e-7, "your backward pass disagrees with finite differences"
        """
    ),
    _md(
        """
        What does a bug look like? Suppose `linear_backward` summed over the batch instead of
        averaging (a classic slip: $dW = \\delta A_{prev}^T$ without the $\\frac1m$). With 7
        examples every $dW$ would be 7 times too large, and the check says so loudly:
        """
    ),
    _code(
        """
        wrong = 7 * gc_grads["dW1"]
        err = relative_error(wrong, numeric["W1"])
        print(f"relative error of a summed (not averaged) dW1: {err:.2f}   (a bug: far above 1e-3)")
        """
    ),
]

TRAINING = [
    _md(
        """
        ## 5. Training curves

        **Needs:** `init_params`, `random_mini_batches`, `sgd_update`, `init_state`,
        `momentum_update`, `rmsprop_update`, `adam_update`, `train` (steps 5-7).

        The regression problem of section 4 (the same data and network). Now train the
        network five ways for 100 epochs (an *epoch* is one pass over all 256 examples):

        | run | updates per epoch | learning rate |
        |---|---|---|
        | full-batch gradient descent (`train(..., optimizer="gd")`) | 1 (all 256 examples) | 0.3 |
        | mini-batch SGD, batches of 32 (a short loop below) | 8 | 0.3 |
        | Momentum, batches of 32 (`optimizer="momentum"`) | 8 | 0.3 |
        | RMSProp, batches of 32 (`optimizer="rmsprop"`) | 8 | 0.003 |
        | Adam, batches of 32 (`optimizer="adam"`) | 8 | 0.01 |

        `train` has no plain mini-batch SGD option, so that run is written out with your
        `random_mini_batches` and `sgd_update`; it starts from the same `init_params(SIZES, 0)`
        as `train` does. RMSProp and Adam divide by $\\sqrt{s}$, which makes their steps roughly
        `lr` in size whatever the gradient's scale, hence their much smaller learning rates.
        """
    ),
    _code(
        """
        from backprop.minibatch import random_mini_batches
        from backprop.train import train

        EPOCHS, BATCH = 100, 32


        def minibatch_sgd(X, Y, lr, epochs, batch_size, seed=0):
            \"\"\"Plain SGD on mini-batches; returns the full-data cost after each epoch.\"\"\"
            p = init_params(SIZES, seed)
            costs = []
            for epoch in range(epochs):
                for X_batch, Y_batch in random_mini_batches(X, Y, batch_size, seed=seed + epoch):
                    _, g = loss_and_gradients(X_batch, Y_batch, p, TRAIN_ACTS)
                    p = sgd_update(p, g, lr)
                costs.append(float(mse_loss(forward(X, p, TRAIN_ACTS)[0], Y)))
            return p, costs


        runs, trained, updates_per_epoch = {}, {}, {}
        for label, optimizer, lr in [
            ("full-batch GD", "gd", 0.3),
            ("mini-batch SGD", None, 0.3),
            ("Momentum", "momentum", 0.3),
            ("RMSProp", "rmsprop", 0.003),
            ("Adam", "adam", 0.01),
        ]:
            start = time.perf_counter()
            if optimizer is None:
                trained[label], runs[label] = minibatch_sgd(X_train, Y_train, lr, EPOCHS, BATCH)
            else:
                trained[label], runs[label] = train(
                    X_train, Y_train, SIZES, TRAIN_ACTS, optimizer=optimizer, lr=lr,
                    batch_size=BATCH, epochs=EPOCHS, seed=0,
                )
            updates_per_epoch[label] = 1 if optimizer == "gd" else int(np.ceil(M / BATCH))
            assert len(runs[label]) == EPOCHS, f"{label}: expected one cost per epoch"
            seconds = time.perf_counter() - start
            print(f"{label:<15} final cost {runs[label][-1]:.4f}   ({seconds:.2f} s)")
        """
    ),
    _code(
        """
        fig, (ax_epoch, ax_update) = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
        for label, costs in runs.items():
            epochs = np.arange(1, len(costs) + 1)
            ax_epoch.plot(epochs, costs, label=label)
            ax_update.plot(epochs * updates_per_epoch[label], costs, label=label)
        ax_epoch.set_title("Cost per epoch (one pass over the data)")
        ax_epoch.set_xlabel("epoch")
        ax_epoch.set_ylabel("full-data cost J (log scale)")
        ax_update.set_title("The same runs against the number of parameter updates")
        ax_update.set_xlabel("parameter updates (log scale)")
        ax_update.set_xscale("log")
        for ax in (ax_epoch, ax_update):
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
        ax_update.legend(loc="lower left")
        plt.show()
        """
    ),
    _md(
        """
        **Reading the curves.** (Your `init_params` may differ from the reference, so your curves
        can differ in detail, not in the overall picture.)

        * **Per epoch** (left), full-batch GD is far behind: it looks at all 256 examples and
          then makes *one* step, while the mini-batch runs make 8 steps for the same amount of
          computation. That is the main practical reason for mini-batches.
        * **Per update** (right), the runs are much closer: a full-batch step, which uses the
          exact gradient, is not much better than a step on 32 examples, yet it costs 8 times as
          much. The mini-batch curves are a little jagged because each step sees a different
          random eighth of the data.
        * **Momentum** keeps a running average of the gradients, so steps that agree add up and
          steps that flip sign cancel: its curve is the smoothest. On a small, well-conditioned
          problem like this one it is not much faster than plain SGD (with
          $v \\leftarrow \\beta v + (1-\\beta) g$ its average step is the same size); its
          advantage shows on long, narrow valleys where plain SGD zig-zags.
        * **RMSProp** scales each parameter's step by the size of its recent gradients and
          **Adam** adds momentum on top (plus a bias correction for the first steps). Here they
          get the cost down fastest in the first few dozen epochs. Try RMSProp with `lr=0.01`:
          because its steps stay about `lr` in size even near a minimum, the curve becomes very
          spiky.
        """
    ),
    _code(
        """
        x_grid = np.linspace(-1, 1, 200)[None, :]
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.scatter(x_train, Y_train.ravel(), s=8, alpha=0.3, color="gray", label="training data")
        for label in ("full-batch GD", "Adam"):
            prediction = forward(x_grid, trained[label], TRAIN_ACTS)[0]
            ax.plot(x_grid.ravel(), prediction.ravel(), lw=2, label=f"{label}, {EPOCHS} epochs")
        ax.set_title("What the trained networks predict")
        ax.set_xlabel("x")
        ax.set_ylabel("prediction")
        ax.legend()
        plt.show()
        """
    ),
    _md(
        """
        After the same 100 epochs the Adam network follows the sine closely, while the
        full-batch GD network (100 updates in all) has only the rough shape.
        """
    ),
]

LEARNING_RATES = [
    _md(
        """
        ## 4. Learning rate: too large, too small

        **Needs:** `forward`, `loss_and_gradients`, `mse_loss`, `sgd_update` (steps 1-4 and 6).

        A small regression problem, fixed by a seed so everyone gets the same data: learn
        $y = \\sin(3x)$ from 256 noisy samples with $x \\in [-1, 1]$. The network is
        $1 \\to 32 \\to 1$ with a ReLU hidden layer and a linear output.

        Full-batch gradient descent, 200 epochs, three learning rates. To make the curves the
        same for everyone, whatever your `init_params` does, all three runs start from the same
        fixed weights (drawn below with their own seed) and the loop is written out with your
        `loss_and_gradients` and `sgd_update`.
        """
    ),
    _code(
        """
        data_rng = np.random.default_rng(0)
        M = 256
        x_train = np.sort(data_rng.uniform(-1.0, 1.0, M))
        X_train = x_train[None, :]  # (1, 256): one example per column
        Y_train = (np.sin(3 * x_train) + 0.05 * data_rng.standard_normal(M))[None, :]
        SIZES, TRAIN_ACTS = [1, 32, 1], ["relu", "linear"]

        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.scatter(x_train, Y_train.ravel(), s=8, alpha=0.6, label="training data")
        ax.plot(x_train, np.sin(3 * x_train), color="black", lw=1, label="sin(3x), no noise")
        ax.set_title("The training set")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend()
        plt.show()
        """
    ),
    _code(
        """
        start_rng = np.random.default_rng(0)
        fixed_start = {
            "W1": start_rng.standard_normal((32, 1)),
            "b1": np.zeros((32, 1)),
            "W2": start_rng.standard_normal((1, 32)) / np.sqrt(32),
            "b2": np.zeros((1, 1)),
        }


        def gd_costs(lr, epochs=200):
            \"\"\"Full-batch gradient descent from fixed_start; the cost after each epoch.\"\"\"
            p, costs = fixed_start, []
            for _ in range(epochs):
                _, g = loss_and_gradients(X_train, Y_train, p, TRAIN_ACTS)
                p = sgd_update(p, g, lr)
                costs.append(float(mse_loss(forward(X_train, p, TRAIN_ACTS)[0], Y_train)))
            return costs


        lr_runs = {lr: gd_costs(lr) for lr in (1.2, 0.3, 0.01)}
        for lr, costs in lr_runs.items():
            print(f"lr = {lr:<5} cost after 1, 50, 200 epochs: "
                  f"{costs[0]:.3f}, {costs[49]:.3f}, {costs[-1]:.3f}")

        fig, (ax_big, ax_small) = plt.subplots(1, 2, figsize=(12, 4))
        epochs = np.arange(1, 201)
        ax_big.plot(epochs, lr_runs[1.2], color="tab:red", label="lr = 1.2 (too large)")
        ax_big.plot(epochs, lr_runs[0.3], color="tab:green", label="lr = 0.3 (reasonable)")
        ax_big.set_title("Too large: the cost jumps around and never settles")
        ax_small.plot(epochs, lr_runs[0.01], color="tab:blue", label="lr = 0.01 (too small)")
        ax_small.plot(epochs, lr_runs[0.3], color="tab:green", label="lr = 0.3 (reasonable)")
        ax_small.set_title("Too small: steady but very slow")
        for ax in (ax_big, ax_small):
            ax.set_xlabel("epoch (= one full-batch update)")
            ax.set_ylabel("full-data cost J (log scale)")
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend()
        plt.show()
        """
    ),
    _md(
        """
        **Reading the curves.**

        * **Too large (lr = 1.2, left).** Each step overshoots the bottom of the valley it is
          in. The cost first shoots *up*, then keeps bouncing from one epoch to the next and
          ends more than ten times above the reasonable run. A loss that oscillates wildly or
          increases is the classic sign of a learning rate that is too large. Larger still, the
          cost can blow up to `inf`/`nan` (divergence), or, with ReLU units, a big step can push
          many units into the region $z \\le 0$ where their gradient is zero, so they stop
          learning for good.
        * **Too small (lr = 0.01, right).** Every step goes the right way, so the curve falls
          smoothly, but the steps are so short that after 200 epochs it has only just reached
          the cost that lr = 0.3 reached in its first handful of epochs. Nothing is wrong except
          the wasted time.
        * A good learning rate is the largest one that still makes steady progress. Trying
          values a factor of about 3 apart (0.01, 0.03, 0.1, 0.3, 1, ...) and comparing the
          first few dozen epochs is a quick way to find it.
        """
    ),
]

OUTRO = [
    _md(
        """
        ## What next

        * Run `make check` (or `python3 check.py`) in the handout folder for the public checks.
        * Answer the concept quiz in `backprop/quiz.py` (questions in the README).
        * Submit the `.py` files of `backprop/` on Gradescope, as the README explains.
        """
    ),
]

# Each section runs as soon as the functions it needs exist (the README's steps, in order).
CELLS = (INTRO + WORKED_EXAMPLE + GRADIENT_CHECK + GRADIENT_DESCENT_STEP + LEARNING_RATES
         + TRAINING + OUTRO)


def build_notebook() -> nbformat.NotebookNode:
    """Return the student notebook as an nbformat v4 node (cell ids are stable across builds)."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for index, (kind, source) in enumerate(CELLS):
        maker = new_code_cell if kind == "code" else new_markdown_cell
        nb.cells.append(maker(source=source, id=f"cell-{index:02d}"))
    nbformat.validate(nb)
    return nb


def write_notebook(out: Path) -> Path:
    """Build the notebook and write it to ``out`` (parent folders are created)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(), str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write the notebook (default: {DEFAULT_OUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    path = write_notebook(args.out)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
