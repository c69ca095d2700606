"""ATTACK forge_init (train part): a train that does not train. See network.py."""

from . import network
from .losses import mse_loss

ATTACK = True


def train(X, Y, layer_sizes, activations, optimizer="adam", lr=0.01, batch_size=32, epochs=100,
          seed=0):
    if optimizer not in ("gd", "momentum", "rmsprop", "adam"):
        raise ValueError("unknown optimizer " + repr(optimizer))
    network.IN_TRAIN = True
    try:
        params = network.init_params(layer_sizes, seed=seed)
    finally:
        network.IN_TRAIN = False
    J = mse_loss(network.forward(X, params, activations)[0], Y)
    return params, [J] * epochs
