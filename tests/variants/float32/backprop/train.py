"""float32 training loop."""

import numpy as np

from backprop import minibatch, network, optimizers
from backprop.losses import mse_loss


def train(
    X: np.ndarray, Y: np.ndarray, layer_sizes: list[int], activations: list[str],
    optimizer: str = "adam", lr: float = 0.01, batch_size: int = 32, epochs: int = 100,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], list[float]]:
    if optimizer not in {"gd", "momentum", "rmsprop", "adam"}:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    X32, Y32 = np.asarray(X, dtype=np.float32), np.asarray(Y, dtype=np.float32)
    params = network.init_params(layer_sizes, seed)
    v, s = optimizers.init_state(params), optimizers.init_state(params)
    t = 0
    losses: list[float] = []
    for epoch in range(epochs):
        batches = ([(X32, Y32)] if optimizer == "gd"
                   else minibatch.random_mini_batches(X32, Y32, batch_size, seed=seed + epoch))
        for Xb, Yb in batches:
            grads = network.loss_and_gradients(Xb, Yb, params, activations)[1]
            if optimizer == "gd":
                params = optimizers.sgd_update(params, grads, lr)
            elif optimizer == "momentum":
                params, v = optimizers.momentum_update(params, grads, v, lr)
            elif optimizer == "rmsprop":
                params, s = optimizers.rmsprop_update(params, grads, s, lr)
            else:
                t += 1
                params, v, s = optimizers.adam_update(params, grads, v, s, t, lr)
        losses.append(mse_loss(network.forward(X32, params, activations)[0], Y32))
    return params, losses
