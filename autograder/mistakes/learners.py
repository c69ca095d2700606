"""Known mistakes found in learners' code (any module), kept in the order they were found."""

from __future__ import annotations

from autograder.mistakes.mutant import Mutant as M

FOUND_IN_LEARNERS_CODE: list[M] = [
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
]
