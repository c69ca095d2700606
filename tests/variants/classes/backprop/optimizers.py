"""Optimizers as classes holding their hyper-parameters; the graded functions wrap them."""

import numpy as np


class Momentum:
    def __init__(self, lr, beta):
        self.lr, self.beta = lr, beta

    def step(self, params, grads, v):
        v = {k: self.beta * v[k] + (1 - self.beta) * grads[k] for k in v}
        return {k: p - self.lr * v["d" + k] for k, p in params.items()}, v


class RMSProp:
    def __init__(self, lr, beta, eps):
        self.lr, self.beta, self.eps = lr, beta, eps

    def step(self, params, grads, s):
        s = {k: self.beta * s[k] + (1 - self.beta) * grads[k] * grads[k] for k in s}
        new = {k: p - self.lr * grads["d" + k] / (np.sqrt(s["d" + k]) + self.eps)
               for k, p in params.items()}
        return new, s


class Adam:
    def __init__(self, lr, beta1, beta2, eps):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps

    def step(self, params, grads, v, s, t):
        b1, b2 = self.beta1, self.beta2
        v = {k: b1 * v[k] + (1 - b1) * grads[k] for k in v}
        s = {k: b2 * s[k] + (1 - b2) * grads[k] * grads[k] for k in s}
        new = {}
        for k, p in params.items():
            v_hat, s_hat = v["d" + k] / (1 - b1**t), s["d" + k] / (1 - b2**t)
            new[k] = p - self.lr * v_hat / (np.sqrt(s_hat) + self.eps)
        return new, v, s


def sgd_update(params, grads, lr):
    return {k: np.asarray(p) - lr * np.asarray(grads["d" + k]) for k, p in params.items()}


def init_state(params):
    return dict(("d" + k, np.zeros(np.shape(p))) for k, p in params.items())


def momentum_update(params, grads, v, lr, beta=0.9):
    return Momentum(lr, beta).step(params, grads, v)


def rmsprop_update(params, grads, s, lr, beta=0.999, eps=1e-8):
    return RMSProp(lr, beta, eps).step(params, grads, s)


def adam_update(params, grads, v, s, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    return Adam(lr, beta1, beta2, eps).step(params, grads, v, s, t)
