"""Parameter updates: plain gradient descent, Momentum, RMSProp and Adam.

Every function returns NEW dicts; params, grads and state passed in are left unchanged.
"""

import numpy as np


def sgd_update(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float
) -> dict[str, np.ndarray]:
    """One gradient-descent step: theta <- theta - lr * dtheta for every parameter.

    Inputs:
    - params: "W1", "b1", ...; grads: "dW1", "db1", ... of the same shapes.
    - lr: learning rate.

    Returns:
    - new_params: dict with the same keys and shapes as params.
    """
    return {k: p - lr * grads["d" + k] for k, p in params.items()}


def init_state(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Zero optimizer state (velocity or squared-gradient average) for every parameter.

    Inputs:
    - params: "W1", "b1", ...

    Returns:
    - state: dict with keys "dW1", "db1", ..., zeros of each parameter's shape.
    """
    return {"d" + k: np.zeros_like(p, dtype=float) for k, p in params.items()}


def momentum_update(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    v: dict[str, np.ndarray],
    lr: float,
    beta: float = 0.9,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One Momentum step: v <- beta v + (1 - beta) g, then theta <- theta - lr v.

    Inputs:
    - params: "W1", ...; grads and v: "dW1", ... of the same shapes.
    - lr: learning rate; beta: decay of the velocity.

    Returns a tuple of:
    - new_params, new_v: dicts keyed like params and v.
    """
    new_params, new_v = {}, {}
    for k, p in params.items():
        g = "d" + k
        new_v[g] = beta * v[g] + (1.0 - beta) * grads[g]
        new_params[k] = p - lr * new_v[g]
    return new_params, new_v


def rmsprop_update(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    s: dict[str, np.ndarray],
    lr: float,
    beta: float = 0.999,
    eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One RMSProp step: s <- beta s + (1 - beta) g^2, theta <- theta - lr g / (sqrt(s) + eps).

    Inputs:
    - params: "W1", ...; grads and s: "dW1", ... of the same shapes.
    - lr: learning rate; beta: decay of the squared-gradient average; eps: stabiliser.

    Returns a tuple of:
    - new_params, new_s: dicts keyed like params and s.
    """
    new_params, new_s = {}, {}
    for k, p in params.items():
        g = "d" + k
        new_s[g] = beta * s[g] + (1.0 - beta) * grads[g] ** 2
        new_params[k] = p - lr * grads[g] / (np.sqrt(new_s[g]) + eps)
    return new_params, new_s


def adam_update(
    params: dict[str, np.ndarray],
    grads: dict[str, np.ndarray],
    v: dict[str, np.ndarray],
    s: dict[str, np.ndarray],
    t: int,
    lr: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One Adam step: moving averages of g and g^2, with bias correction.

    v <- beta1 v + (1 - beta1) g;  s <- beta2 s + (1 - beta2) g^2;
    v_hat = v / (1 - beta1^t);  s_hat = s / (1 - beta2^t);
    theta <- theta - lr v_hat / (sqrt(s_hat) + eps).

    Inputs:
    - params: "W1", ...; grads, v, s: "dW1", ... of the same shapes.
    - t: the number of this update, counting from 1.
    - lr, beta1, beta2, eps: hyper-parameters.

    Returns a tuple of:
    - new_params, new_v, new_s: dicts keyed like params, v and s (v and s WITHOUT the
      bias correction: the correction only enters the step).
    """
    new_params, new_v, new_s = {}, {}, {}
    for k, p in params.items():
        g = "d" + k
        new_v[g] = beta1 * v[g] + (1.0 - beta1) * grads[g]
        new_s[g] = beta2 * s[g] + (1.0 - beta2) * grads[g] ** 2
        v_hat = new_v[g] / (1.0 - beta1**t)
        s_hat = new_s[g] / (1.0 - beta2**t)
        new_params[k] = p - lr * v_hat / (np.sqrt(s_hat) + eps)
    return new_params, new_v, new_s
