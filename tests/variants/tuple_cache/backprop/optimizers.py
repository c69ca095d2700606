"""Optimizers (one helper per moving average)."""

import numpy as np


def _ema(old: np.ndarray, new: np.ndarray, beta: float) -> np.ndarray:
    return beta * old + (1 - beta) * new


def sgd_update(params, grads, lr):
    return {name: value - lr * grads["d" + name] for name, value in params.items()}


def init_state(params):
    return {"d" + name: np.zeros_like(value, dtype=np.float64) for name, value in params.items()}


def momentum_update(params, grads, v, lr, beta=0.9):
    v_next = {name: _ema(v[name], grads[name], beta) for name in grads}
    return {name: value - lr * v_next["d" + name] for name, value in params.items()}, v_next


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    s_next = {name: _ema(s[name], grads[name] * grads[name], beta) for name in grads}
    params_next = {
        name: value - lr * grads["d" + name] / (np.sqrt(s_next["d" + name]) + eps)
        for name, value in params.items()
    }
    return params_next, s_next


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    v_next = {name: _ema(v[name], grads[name], beta1) for name in grads}
    s_next = {name: _ema(s[name], grads[name] * grads[name], beta2) for name in grads}
    params_next = {}
    for name, value in params.items():
        v_hat = v_next["d" + name] / (1 - beta1**t)
        s_hat = s_next["d" + name] / (1 - beta2**t)
        params_next[name] = value - lr * v_hat / (np.sqrt(s_hat) + eps)
    return params_next, v_next, s_next
