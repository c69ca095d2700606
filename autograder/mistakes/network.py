"""Known mistakes in network.py (init_params, forward, backward, loss_and_gradients)."""

from __future__ import annotations

from autograder.mistakes.mutant import Mutant as M

NETWORK: list[M] = [
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
    M("forward_cache_A_holds_Z", "network",
      "        cache[\"A\"].append(A)\n",
      "        cache[\"A\"].append(Z)\n",
      "forward",
      "stores each layer's Z where its A belongs in the cache: the output is right, but "
      "backward reads Z[l] as the next layer's input"),
    M("forward_cache_Z_holds_A", "network",
      "        cache[\"Z\"].append(Z)\n",
      "        cache[\"Z\"].append(A)\n",
      "forward",
      "stores each layer's activation A where its Z belongs in the cache: the output is right, "
      "but backward applies g'(A) for g'(Z)"),
    M("forward_cache_leaves_out_output_layer", "network",
      "        cache[\"A\"].append(A)\n        cache[\"Z\"].append(Z)\n",
      "        if l < len(activations):\n"
      "            cache[\"A\"].append(A)\n            cache[\"Z\"].append(Z)\n",
      "forward",
      "the cache leaves out the output layer: the output is right, but backward finds no A[L] "
      "or Z[L]"),
    M("forward_loop_stops_before_output_layer", "network",
      "    for l, activation in enumerate(activations, start=1):\n",
      "    for l in range(1, len(params) // 2):  # the output layer is never reached\n"
      "        activation = activations[l - 1]\n",
      "forward",
      "loops l over range(1, L) with L = len(params) // 2, as for the hidden layers of a "
      "network whose output layer is handled apart, and never computes the output layer"),
    M("forward_output_layer_without_activation", "network",
      "    for l, activation in enumerate(activations, start=1):\n"
      "        A, Z = dense_forward(A, params[f\"W{l}\"], params[f\"b{l}\"], activation)\n"
      "        cache[\"A\"].append(A)\n"
      "        cache[\"Z\"].append(Z)\n",
      "    from backprop.layers import linear_forward\n\n"
      "    L = len(activations)\n"
      "    for l, activation in enumerate(activations[:-1], start=1):\n"
      "        A, Z = dense_forward(A, params[f\"W{l}\"], params[f\"b{l}\"], activation)\n"
      "        cache[\"A\"].append(A)\n"
      "        cache[\"Z\"].append(Z)\n"
      "    A = Z = linear_forward(A, params[f\"W{L}\"], params[f\"b{L}\"])\n"
      "    cache[\"A\"].append(A)\n"
      "    cache[\"Z\"].append(Z)\n",
      "forward",
      "handles the output layer apart as a plain linear layer, whatever its activation: "
      "Y_hat and the cache's A[L] are Z[L]"),
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
    M("dense_backward_numerical_gradient", "layers",
      "    if activation == \"sigmoid\":\n        dZ = sigmoid_backward(dA, Z)\n"
      "    elif activation == \"relu\":\n        dZ = relu_backward(dA, Z)\n",
      "    from backprop.gradcheck import numerical_gradient\n\n"
      "    if activation == \"sigmoid\":\n"
      "        dZ = numerical_gradient(lambda Z_: float(np.sum(dA * sigmoid(Z_))), Z)\n"
      "    elif activation == \"relu\":\n"
      "        dZ = numerical_gradient(lambda Z_: float(np.sum(dA * relu(Z_))), Z)\n",
      "dense_backward",
      "dZ by numerical differentiation of sum(dA * g(Z)) with the given "
      "gradcheck.numerical_gradient instead of dA * g'(Z): right values, one activation pass "
      "per pre-activation"),
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
]
