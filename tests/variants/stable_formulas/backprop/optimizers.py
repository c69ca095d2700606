"""Optimizers in their "incremental" forms; Adam in the paper's efficient form."""

import math

import numpy as np


def sgd_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    new = dict(params)
    for k in params:
        new[k] = np.subtract(params[k], np.multiply(lr, grads["d" + k]))
    return new


def init_state(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"d{k}": np.zeros(p.shape) for k, p in params.items()}


def momentum_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    lr: float, beta: float = 0.9,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    # beta v + (1 - beta) g  ==  v + (1 - beta)(g - v)
    new_v = {g: v[g] + (1.0 - beta) * (grads[g] - v[g]) for g in v}
    return {k: params[k] - lr * new_v["d" + k] for k in params}, new_v


def rmsprop_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], s: dict[str, np.ndarray],
    lr: float, beta: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_s = {g: s[g] + (1.0 - beta) * (np.square(grads[g]) - s[g]) for g in s}
    new_p = {k: params[k] - lr * grads["d" + k] / (np.sqrt(new_s["d" + k]) + eps) for k in params}
    return new_p, new_s


def adam_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    s: dict[str, np.ndarray], t: int, lr: float = 0.001, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    # Kingma & Ba, section 2: fold both corrections into the step size; with
    # eps_t = eps sqrt(1 - beta2^t) this equals lr v_hat / (sqrt(s_hat) + eps) exactly.
    root = math.sqrt(1.0 - beta2**t)
    lr_t = lr * root / (1.0 - beta1**t)
    eps_t = eps * root
    new_v = {g: v[g] + (1.0 - beta1) * (grads[g] - v[g]) for g in v}
    new_s = {g: s[g] + (1.0 - beta2) * (np.square(grads[g]) - s[g]) for g in s}
    new_p = {k: params[k] - lr_t * new_v["d" + k] / (np.sqrt(new_s["d" + k]) + eps_t)
             for k in params}
    return new_p, new_v, new_s
