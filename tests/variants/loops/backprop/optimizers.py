"""Optimizers updating every entry in an explicit loop."""

import math

import numpy as np


def _each(shape: tuple[int, ...]):
    return np.ndindex(*shape)


def sgd_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    new: dict[str, np.ndarray] = {}
    for key in params:
        p, g = params[key], grads["d" + key]
        out = np.zeros(p.shape)
        for idx in _each(p.shape):
            out[idx] = p[idx] - lr * g[idx]
        new[key] = out
    return new


def init_state(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    state: dict[str, np.ndarray] = {}
    for key in params:
        state["d" + key] = np.zeros(params[key].shape)
    return state


def momentum_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    lr: float, beta: float = 0.9,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_p: dict[str, np.ndarray] = {}
    new_v: dict[str, np.ndarray] = {}
    for key in params:
        p, g, vel = params[key], grads["d" + key], v["d" + key]
        out_p, out_v = np.zeros(p.shape), np.zeros(p.shape)
        for idx in _each(p.shape):
            out_v[idx] = beta * vel[idx] + (1.0 - beta) * g[idx]
            out_p[idx] = p[idx] - lr * out_v[idx]
        new_p[key], new_v["d" + key] = out_p, out_v
    return new_p, new_v


def rmsprop_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], s: dict[str, np.ndarray],
    lr: float, beta: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_p: dict[str, np.ndarray] = {}
    new_s: dict[str, np.ndarray] = {}
    for key in params:
        p, g, sq = params[key], grads["d" + key], s["d" + key]
        out_p, out_s = np.zeros(p.shape), np.zeros(p.shape)
        for idx in _each(p.shape):
            gi = float(g[idx])
            out_s[idx] = beta * sq[idx] + (1.0 - beta) * gi * gi
            out_p[idx] = p[idx] - lr * gi / (math.sqrt(out_s[idx]) + eps)
        new_p[key], new_s["d" + key] = out_p, out_s
    return new_p, new_s


def adam_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    s: dict[str, np.ndarray], t: int, lr: float = 0.001, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_p: dict[str, np.ndarray] = {}
    new_v: dict[str, np.ndarray] = {}
    new_s: dict[str, np.ndarray] = {}
    c1, c2 = 1.0 - beta1**t, 1.0 - beta2**t
    for key in params:
        p, g = params[key], grads["d" + key]
        out_p, out_v, out_s = np.zeros(p.shape), np.zeros(p.shape), np.zeros(p.shape)
        for idx in _each(p.shape):
            gi = float(g[idx])
            out_v[idx] = beta1 * v["d" + key][idx] + (1.0 - beta1) * gi
            out_s[idx] = beta2 * s["d" + key][idx] + (1.0 - beta2) * gi * gi
            step = (out_v[idx] / c1) / (math.sqrt(out_s[idx] / c2) + eps)
            out_p[idx] = p[idx] - lr * step
        new_p[key], new_v["d" + key], new_s["d" + key] = out_p, out_v, out_s
    return new_p, new_v, new_s
