"""Training: one generator per call, reused for every epoch's shuffle."""

import numpy as np

from backprop.losses import mse_loss
from backprop.minibatch import split_batches
from backprop.network import forward, init_params, loss_and_gradients
from backprop.optimizers import adam_update, init_state, momentum_update, rmsprop_update, sgd_update


def train(
    X: np.ndarray, Y: np.ndarray, layer_sizes: list[int], activations: list[str],
    optimizer: str = "adam", lr: float = 0.01, batch_size: int = 32, epochs: int = 100,
    seed: int = 0,
) -> tuple[dict[str, np.ndarray], list[float]]:
    if optimizer not in ("gd", "momentum", "rmsprop", "adam"):
        raise ValueError(f"no optimizer called {optimizer}")
    rng = np.random.RandomState(seed + 12345)
    params = init_params(layer_sizes, seed)
    v, s = init_state(params), init_state(params)
    t = 0
    losses = []
    m = X.shape[1]
    for _ in range(epochs):
        if optimizer == "gd":
            batches = [(X, Y)]
        else:
            batches = split_batches(X, Y, batch_size, rng.permutation(m))
        for Xb, Yb in batches:
            grads = loss_and_gradients(Xb, Yb, params, activations)[1]
            if optimizer == "gd":
                params = sgd_update(params, grads, lr)
            elif optimizer == "momentum":
                params, v = momentum_update(params, grads, v, lr)
            elif optimizer == "rmsprop":
                params, s = rmsprop_update(params, grads, s, lr)
            else:
                t += 1
                params, v, s = adam_update(params, grads, v, s, t, lr)
        losses.append(mse_loss(forward(X, params, activations)[0], Y))
    return params, losses
