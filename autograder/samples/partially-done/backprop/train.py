"""The training loop: full-batch gradient descent or mini-batch Momentum / RMSProp / Adam."""

import numpy as np

from backprop.losses import mse_loss
from backprop.minibatch import random_mini_batches
from backprop.network import forward, init_params, loss_and_gradients
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
    """Train a network from init_params(layer_sizes, seed) and record the cost per epoch.

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
    # TODO: init, then per epoch: shuffle, update per batch, record the full-data cost
    raise NotImplementedError(
        "train is not implemented yet (TODO in backprop/train.py)"
    )
    # END TODO
