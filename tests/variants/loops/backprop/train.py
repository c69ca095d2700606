"""Training loop (loops over epochs and batches; the seed of epoch e is derived from seed)."""

import numpy as np

from backprop.losses import mse_loss
from backprop.minibatch import random_mini_batches
from backprop.network import forward, init_params, loss_and_gradients
from backprop.optimizers import adam_update, init_state, momentum_update, rmsprop_update, sgd_update


def train(
    X: np.ndarray, Y: np.ndarray, layer_sizes: list[int], activations: list[str],
    optimizer: str = "adam", lr: float = 0.01, batch_size: int = 32, epochs: int = 100,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], list[float]]:
    if optimizer not in ("gd", "momentum", "rmsprop", "adam"):
        raise ValueError(f"unknown optimizer: {optimizer}")
    params = init_params(layer_sizes, seed)
    v = init_state(params)
    s = init_state(params)
    step = 0
    losses: list[float] = []
    for epoch in range(epochs):
        if optimizer == "gd":
            batches = [(X, Y)]
        else:
            batches = random_mini_batches(X, Y, batch_size, seed=seed * 7919 + epoch)
        for Xb, Yb in batches:
            _, grads = loss_and_gradients(Xb, Yb, params, activations)
            if optimizer == "gd":
                params = sgd_update(params, grads, lr)
            elif optimizer == "momentum":
                params, v = momentum_update(params, grads, v, lr)
            elif optimizer == "rmsprop":
                params, s = rmsprop_update(params, grads, s, lr)
            else:
                step = step + 1
                params, v, s = adam_update(params, grads, v, s, step, lr)
        Y_hat, _ = forward(X, params, activations)
        losses.append(mse_loss(Y_hat, Y))
    return params, losses
