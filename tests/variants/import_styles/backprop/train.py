"""The training loop: full-batch gradient descent or mini-batch Momentum / RMSProp / Adam."""

import numpy as np

from backprop import network as net
from backprop.losses import mse_loss
from backprop.minibatch import random_mini_batches
from backprop.optimizers import adam_update, init_state, momentum_update, rmsprop_update, sgd_update

OPTIMIZERS = ("gd", "momentum", "rmsprop", "adam")


def train(
    X: np.ndarray,
    Y: np.ndarray,
    layer_sizes: list[int],
    activations: list[str],
    optimizer: str = "adam",
    lr: float = 0.01,
    batch_size: int = 32,
    epochs: int = 100,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], list[float]]:
    """Train a network from net.init_params(layer_sizes, seed) and record the cost per epoch.

    Inputs:
    - X: shape (n_x, m). Y: shape (n_L, m).
    - layer_sizes: [n_x, n_1, ..., n_L]; activations: one name per layer.
    - optimizer: "gd" (full batch, one update per epoch), "momentum", "rmsprop" or "adam"
      (mini-batches of batch_size, reshuffled every epoch from seed; Adam's t counts updates
      across epochs, starting at 1). Anything else raises ValueError.
    - lr: learning rate; batch_size; epochs; seed.

    Returns a tuple of:
    - params: the trained parameters.
    - losses: list of `epochs` floats; losses[e] is the full-data cost J after epoch e.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of {OPTIMIZERS}")
    params = net.init_params(layer_sizes, seed)
    v, s, t = init_state(params), init_state(params), 0
    losses = []
    for epoch in range(epochs):
        if optimizer == "gd":
            batches = [(X, Y)]
        else:
            batches = random_mini_batches(X, Y, batch_size, seed=seed + epoch)
        for X_batch, Y_batch in batches:
            _, grads = net.loss_and_gradients(X_batch, Y_batch, params, activations)
            if optimizer in ("gd",):
                params = sgd_update(params, grads, lr)
            elif optimizer == "momentum":
                params, v = momentum_update(params, grads, v, lr)
            elif optimizer == "rmsprop":
                params, s = rmsprop_update(params, grads, s, lr)
            else:
                t += 1
                params, v, s = adam_update(params, grads, v, s, t, lr)
        Y_hat, _ = net.forward(X, params, activations)
        losses.append(mse_loss(Y_hat, Y))
    return params, losses
