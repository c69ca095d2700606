"""Network; the cache is a tuple of (A_prev, Z) pairs."""

import numpy as np

from backprop.layers import dense_backward, dense_forward
from backprop.losses import mse_loss, mse_loss_backward


def init_params(layer_sizes, seed=0):
    rng = np.random.Generator(np.random.PCG64(seed))
    sizes = tuple(layer_sizes)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(size=(n_out, n_in)) * np.sqrt(1.0 / (n_in + n_out))
        params[f"b{l}"] = np.zeros((n_out, 1))
    return params


def forward(X, params, activations):
    pairs = ()
    A = X
    for l, g in enumerate(activations, start=1):
        A_prev = A
        A, Z = dense_forward(A_prev, params[f"W{l}"], params[f"b{l}"], g)
        pairs += ((A_prev, Z),)
    return A, (pairs, A)


def backward(Y, params, cache, activations):
    pairs, Y_hat = cache
    dA = mse_loss_backward(Y_hat, Y)
    grads = {}
    for l, ((A_prev, Z), g) in reversed(list(enumerate(zip(pairs, activations), start=1))):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = dense_backward(dA, A_prev, params[f"W{l}"], Z, g)
    return grads


def loss_and_gradients(X, Y, params, activations):
    Y_hat, cache = forward(X, params, activations)
    return mse_loss(Y_hat, Y), backward(Y, params, cache, activations)
