"""Training loop."""

from .losses import mse_loss
from .minibatch import random_mini_batches
from .network import forward, init_params, loss_and_gradients
from .optimizers import adam_update, init_state, momentum_update, rmsprop_update, sgd_update


def train(X, Y, layer_sizes, activations, optimizer="adam", lr=0.01, batch_size=32, epochs=100,
          seed=0):
    if optimizer not in ("gd", "momentum", "rmsprop", "adam"):
        raise ValueError("unknown optimizer " + repr(optimizer))
    params = init_params(layer_sizes, seed=seed)
    v = init_state(params)
    s = init_state(params)
    updates = 0
    losses = []
    for epoch in range(epochs):
        if optimizer == "gd":
            _, grads = loss_and_gradients(X, Y, params, activations)
            params = sgd_update(params, grads, lr)
        else:
            for Xb, Yb in random_mini_batches(X, Y, batch_size, seed=1000 * seed + epoch):
                _, grads = loss_and_gradients(Xb, Yb, params, activations)
                if optimizer == "momentum":
                    params, v = momentum_update(params, grads, v, lr)
                elif optimizer == "rmsprop":
                    params, s = rmsprop_update(params, grads, s, lr)
                else:
                    updates += 1
                    params, v, s = adam_update(params, grads, v, s, updates, lr)
        losses.append(mse_loss(forward(X, params, activations)[0], Y))
    return params, losses
