"""Optimizers written over a shared loop helper."""

import numpy as np


def sgd_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    return {name: params[name] - lr * grads[f"d{name}"] for name in params}


def init_state(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {f"d{name}": 0.0 * np.asarray(p, dtype=float) for name, p in params.items()}


def momentum_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    lr: float, beta: float = 0.9,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_v = {}
    new_params = {}
    for name in params:
        key = f"d{name}"
        new_v[key] = beta * v[key] + (1 - beta) * grads[key]
        new_params[name] = params[name] - lr * new_v[key]
    return new_params, new_v


def rmsprop_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], s: dict[str, np.ndarray],
    lr: float, beta: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_s = {}
    new_params = {}
    for name in params:
        key = f"d{name}"
        new_s[key] = beta * s[key] + (1 - beta) * np.power(grads[key], 2)
        new_params[name] = params[name] - lr * grads[key] / (new_s[key] ** 0.5 + eps)
    return new_params, new_s


def adam_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    s: dict[str, np.ndarray], t: int, lr: float = 0.001, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_v, new_s, new_params = {}, {}, {}
    for name in params:
        key = f"d{name}"
        new_v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
        new_s[key] = beta2 * s[key] + (1 - beta2) * np.power(grads[key], 2)
        step = (new_v[key] / (1 - beta1**t)) / ((new_s[key] / (1 - beta2**t)) ** 0.5 + eps)
        new_params[name] = params[name] - lr * step
    return new_params, new_v, new_s
