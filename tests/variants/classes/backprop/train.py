"""Training with one child generator per epoch, spawned from SeedSequence(seed)."""

import numpy as np

from backprop.losses import mse_loss
from backprop.minibatch import cut
from backprop.network import forward, init_params, loss_and_gradients
from backprop.optimizers import Adam, Momentum, RMSProp, init_state, sgd_update


def train(X, Y, layer_sizes, activations, optimizer="adam", lr=0.01, batch_size=32, epochs=100,
          seed=0):
    makers = {
        "gd": lambda: None,
        "momentum": lambda: Momentum(lr, 0.9),
        "rmsprop": lambda: RMSProp(lr, 0.999, 1e-8),
        "adam": lambda: Adam(lr, 0.9, 0.999, 1e-8),
    }
    if optimizer not in makers:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    opt = makers[optimizer]()
    params = init_params(layer_sizes, seed)
    v = init_state(params)
    s = init_state(params)
    t = 0
    children = np.random.SeedSequence(seed).spawn(epochs)
    losses = []
    for epoch in range(epochs):
        if optimizer == "gd":
            params = sgd_update(params, loss_and_gradients(X, Y, params, activations)[1], lr)
        else:
            order = np.random.default_rng(children[epoch]).permutation(X.shape[1])
            for Xb, Yb in cut(X, Y, order, batch_size):
                grads = loss_and_gradients(Xb, Yb, params, activations)[1]
                if optimizer == "momentum":
                    params, v = opt.step(params, grads, v)
                elif optimizer == "rmsprop":
                    params, s = opt.step(params, grads, s)
                else:
                    t += 1
                    params, v, s = opt.step(params, grads, v, s, t)
        losses.append(mse_loss(forward(X, params, activations)[0], Y))
    return params, losses
