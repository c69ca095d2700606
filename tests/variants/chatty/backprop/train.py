"""Training loop, printing the cost of every epoch."""

from . import minibatch, network, optimizers
from .losses import mse_loss


def train(X, Y, layer_sizes, activations, optimizer="adam", lr=0.01, batch_size=32, epochs=100,
          seed=0):
    print("train:", optimizer, "lr", lr, "epochs", epochs)
    if optimizer not in ["gd", "momentum", "rmsprop", "adam"]:
        print("unknown optimizer", optimizer)
        raise ValueError(optimizer)
    params = network.init_params(layer_sizes, seed)
    v = optimizers.init_state(params)
    s = optimizers.init_state(params)
    t = 0
    losses = []
    for epoch in range(epochs):
        if optimizer == "gd":
            batches = [(X, Y)]
        else:
            batches = minibatch.random_mini_batches(X, Y, batch_size, seed + 31 * epoch)
        for Xb, Yb in batches:
            J, grads = network.loss_and_gradients(Xb, Yb, params, activations)
            if optimizer == "gd":
                params = optimizers.sgd_update(params, grads, lr)
            elif optimizer == "momentum":
                params, v = optimizers.momentum_update(params, grads, v, lr)
            elif optimizer == "rmsprop":
                params, s = optimizers.rmsprop_update(params, grads, s, lr)
            else:
                t += 1
                params, v, s = optimizers.adam_update(params, grads, v, s, t, lr)
        losses.append(mse_loss(network.forward(X, params, activations)[0], Y))
        print(f"epoch {epoch}: J = {losses[-1]:.6f}")
    return params, losses
