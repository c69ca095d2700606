"""Optimizers, with debugging output."""

import numpy as np


def sgd_update(params, grads, lr):
    print("sgd step, lr =", lr)
    return {k: params[k] - lr * grads["d" + k] for k in params}


def init_state(params):
    print("init_state for", list(params))
    return {"d" + k: np.zeros(p.shape) for k, p in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    print("momentum step, beta =", beta)
    v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
    return {k: params[k] - lr * v["d" + k] for k in params}, v


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    print("rmsprop step, beta =", beta)
    s = {k: beta * s[k] + (1 - beta) * grads[k] ** 2 for k in s}
    return {k: params[k] - lr * grads["d" + k] / (np.sqrt(s["d" + k]) + eps) for k in params}, s


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    print("adam step", t)
    v = {k: beta1 * v[k] + (1 - beta1) * grads[k] for k in v}
    s = {k: beta2 * s[k] + (1 - beta2) * grads[k] ** 2 for k in s}
    new = {}
    for k in params:
        v_hat = v["d" + k] / (1 - beta1**t)
        s_hat = s["d" + k] / (1 - beta2**t)
        new[k] = params[k] - lr * v_hat / (np.sqrt(s_hat) + eps)
        print("  ", k, "moved by", np.abs(new[k] - params[k]).max())
    return new, v, s
