"""Training loop with a dispatch table of optimizer steps."""

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
    state: dict = {}

    def gd(p: dict, g: dict) -> dict:
        return sgd_update(p, g, lr)

    def momentum(p: dict, g: dict) -> dict:
        p, state["v"] = momentum_update(p, g, state["v"], lr)
        return p

    def rmsprop(p: dict, g: dict) -> dict:
        p, state["s"] = rmsprop_update(p, g, state["s"], lr)
        return p

    def adam(p: dict, g: dict) -> dict:
        state["t"] += 1
        p, state["v"], state["s"] = adam_update(p, g, state["v"], state["s"], state["t"], lr)
        return p

    steps = {"gd": gd, "momentum": momentum, "rmsprop": rmsprop, "adam": adam}
    if optimizer not in steps:
        raise ValueError(f"optimizer must be one of {sorted(steps)}, got {optimizer!r}")
    params = init_params(layer_sizes, seed)
    state.update(v=init_state(params), s=init_state(params), t=0)
    history = []
    for epoch in range(epochs):
        if optimizer == "gd":
            batches = [(X, Y)]
        else:
            batches = random_mini_batches(X, Y, batch_size, seed=hash((seed, epoch)) % 2**32)
        for Xb, Yb in batches:
            params = steps[optimizer](params, loss_and_gradients(Xb, Yb, params, activations)[1])
        history.append(mse_loss(forward(X, params, activations)[0], Y))
    return params, history
