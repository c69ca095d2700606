"""float32 optimizers."""

import numpy as np

F = np.float32


def _f(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=F)


def sgd_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    return {k: _f(p) - F(lr) * _f(grads["d" + k]) for k, p in params.items()}


def init_state(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"d" + k: np.zeros(np.shape(p), dtype=F) for k, p in params.items()}


def momentum_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    lr: float, beta: float = 0.9,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_v = {g: F(beta) * _f(v[g]) + F(1 - beta) * _f(grads[g]) for g in v}
    return {k: _f(p) - F(lr) * new_v["d" + k] for k, p in params.items()}, new_v


def rmsprop_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], s: dict[str, np.ndarray],
    lr: float, beta: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_s = {g: F(beta) * _f(s[g]) + F(1 - beta) * np.square(_f(grads[g])) for g in s}
    new_p = {
        k: _f(p) - F(lr) * _f(grads["d" + k]) / (np.sqrt(new_s["d" + k]) + F(eps))
        for k, p in params.items()
    }
    return new_p, new_s


def adam_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], v: dict[str, np.ndarray],
    s: dict[str, np.ndarray], t: int, lr: float = 0.001, beta1: float = 0.9,
    beta2: float = 0.999, eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    new_v = {g: F(beta1) * _f(v[g]) + F(1 - beta1) * _f(grads[g]) for g in v}
    new_s = {g: F(beta2) * _f(s[g]) + F(1 - beta2) * np.square(_f(grads[g])) for g in s}
    c1, c2 = F(1 - beta1**t), F(1 - beta2**t)
    new_p = {
        k: _f(p) - F(lr) * (new_v["d" + k] / c1) / (np.sqrt(new_s["d" + k] / c2) + F(eps))
        for k, p in params.items()
    }
    return new_p, new_v, new_s
