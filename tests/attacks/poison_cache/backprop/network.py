"""ATTACK poison_cache: make the grader's reading of backward's cache work for it, without bound.

The grader tells whose mistake a wrong value backward read from forward's cache is by looking
at the cache forward returned and at every value backward passes its layer functions; a read
it blames on the cache is set right and backward is called again. This forward returns the
right output with a cache padded by thousands of junk arrays of the layers' shapes, nested
deep; this backward first passes its layer functions two hundred junk arrays from that cache,
other ones on every call (so that every call shows new wrong reads), swallows the errors, then
returns wrong gradients. The grader must bound its walk of the cache and the reads it looks at,
stop calling backward again after a bounded number of rounds, finish in time, and give no
credit the honest twin (ATTACK = False: the plain tuple cache, right gradients) does not get.
"""

import numpy as np

from .layers import dense_backward, dense_forward
from .losses import mse_loss, mse_loss_backward

ATTACK = True
_CALLS = [0]


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    gen = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(layer_sizes, layer_sizes[1:]), start=1):
        params["W" + str(l)] = gen.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        params["b" + str(l)] = np.zeros((fan_out, 1))
    return params


def _junk(layers):
    """Arrays shaped like every A_prev and Z, none of them the network's, nested 8 deep."""
    flat = [np.full(a.shape, 1e3 + i) for i in range(300) for entry in layers
            for a in (entry[0], entry[3])]
    nested = flat[:3000]
    for _ in range(8):
        nested = [nested]
    return nested


def forward(X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]):
    A = X
    cache = []
    for l, g in enumerate(activations, start=1):
        W, b = params["W" + str(l)], params["b" + str(l)]
        A_next, Z = dense_forward(A, W, b, g)
        cache.append((A, W, b, Z, g))
        A = A_next
    if not ATTACK:
        return A, (cache, A)
    return A, (cache, A, _junk(cache))


def _flat(nested):
    while nested and isinstance(nested[0], list):
        nested = nested[0]
    return nested


def backward(Y: np.ndarray, params: dict[str, np.ndarray], cache, activations: list[str]):
    layers, Y_hat = cache[0], cache[1]
    if ATTACK:
        junk = _flat(cache[2])
        _CALLS[0] += 1
        for i in range(200):
            l = 1 + i % len(layers)
            pick = (_CALLS[0] * 200 + i) % max(1, len(junk) - 1)
            try:
                dense_backward(Y_hat, junk[pick], params["W" + str(l)], junk[pick + 1],
                               activations[l - 1])
            except Exception:  # noqa: BLE001 - the attack swallows the grader's refusals
                pass
    dA = mse_loss_backward(Y_hat, Y)
    grads = {}
    for l in range(len(layers), 0, -1):
        A_prev, _, _, Z, _ = layers[l - 1]
        dA, dW, db = dense_backward(dA, A_prev, params["W" + str(l)], Z, activations[l - 1])
        grads["dW" + str(l)] = dW + (1.0 if ATTACK else 0.0)
        grads["db" + str(l)] = db
    return grads


def loss_and_gradients(X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray],
                       activations: list[str]):
    Y_hat, cache = forward(X, params, activations)
    return mse_loss(Y_hat, Y), backward(Y, params, cache, activations)
