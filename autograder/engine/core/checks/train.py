"""Checks of backprop/train.py.

With one batch per epoch (batch_size >= m) the shuffle cannot change the gradient, so the whole
trajectory is fixed by the initial parameters. train starts from init_params(layer_sizes, seed)
(the contract), and while train is checked the grader answers that call with parameters of its
own (oracle.initial_params): an init_params of the student's cannot pick the starting point it
is judged from. An oracle follows training from there, epoch by epoch.
Mini-batch runs are judged by the cost of the parameters train returns, computed here (never by
the losses it reports), on a convex problem where every correct implementation gets low whatever
its initial scale or shuffling scheme.
"""

import numpy as np

from autograder.engine.core import oracle
from autograder.engine.core.compare import (
    CheckFailed,
    NotJudged,
    as_float,
    close,
    describe,
    expect_array,
)
from autograder.engine.core.framework import check


def _linear_problem(m=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (2, m))
    Y = 0.5 * X[:1] - 0.3 * X[1:] + 0.2
    return X, Y


def _run(t, X, Y, sizes, acts, **kwargs):
    return _parse_run(t.call(X, Y, sizes, acts, kwargs=kwargs, mode="trusted_init"), kwargs)


def _parse_run(got, kwargs):
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed(f"train must return (params, losses), got {describe(got)}")
    params, losses = got
    if not isinstance(params, dict):
        raise CheckFailed(f"the first value must be the params dict, got {describe(params)}")
    if isinstance(losses, np.ndarray):
        losses = list(losses.ravel())
    if not isinstance(losses, (list, tuple)) or len(losses) != kwargs["epochs"]:
        raise CheckFailed(f"losses must hold one cost per epoch ({kwargs['epochs']}), got "
                          f"{describe(losses)}" + (f" of length {len(losses)}"
                                                   if hasattr(losses, "__len__") else ""))
    values = []
    for i, x in enumerate(losses):
        try:
            values.append(as_float(x, f"losses[{i}]"))
        except CheckFailed as exc:
            raise CheckFailed(f"{exc} (optimizer={kwargs.get('optimizer')!r}): a division by zero "
                              "or an overflow? Adam's t must start at 1.") from None
    return params, values


def _initial(sizes, seed):
    """The parameters train starts from in the checks: the grader's answer to its
    init_params(sizes, seed) call."""
    return oracle.initial_params(sizes, seed)


def _parameters(got, sizes, what):
    shapes = {}
    for l in range(1, len(sizes)):
        shapes[f"W{l}"], shapes[f"b{l}"] = (sizes[l], sizes[l - 1]), (sizes[l], 1)
    if not isinstance(got, dict) or set(got) != set(shapes) or any(
        not isinstance(got[k], np.ndarray) or got[k].shape != shape or got[k].dtype.kind not in "iuf"
        for k, shape in shapes.items()
    ):
        raise CheckFailed(f"{what} the parameters of layer_sizes={sizes} (keys "
                          f"{sorted(shapes)} with shapes {list(shapes.values())}), so train "
                          "cannot be followed.")
    return {k: np.asarray(v, dtype=float) for k, v in got.items()}


@oracle.cached
def _trajectory(X, Y, params, acts, epochs, lr, method, reset_t=False):
    v = {"d" + k: np.zeros_like(p) for k, p in params.items()}
    s = dict(v)
    losses_after, losses_before = [], []
    for epoch in range(epochs):
        oracle.tick()
        losses_before.append(oracle.network_cost(X, Y, params, acts))
        grads = oracle.network_gradients(X, Y, params, acts)
        if method == "gd":
            params = {k: p - lr * grads["d" + k] for k, p in params.items()}
        else:  # adam with its default hyper-parameters
            params, v, s = oracle.adam_step(params, grads, v, s, 1 if reset_t else epoch + 1, lr)
        losses_after.append(oracle.network_cost(X, Y, params, acts))
    return params, np.array(losses_after), np.array(losses_before)


def _follow(t, method, sizes, acts, lr, epochs, seed, unchanged=False):
    X, Y = _linear_problem(16, seed=3)
    if sizes[-1] != 1:
        raise AssertionError
    start = _initial(sizes, seed)
    # "gd" must ignore batch_size (full batch); for Adam one batch of 64 >= m makes the
    # shuffle irrelevant, so both trajectories are fixed by the initial parameters.
    kwargs = {"optimizer": method, "lr": lr, "batch_size": 4 if method == "gd" else 64,
              "epochs": epochs, "seed": seed}
    exp_params, after, before = _trajectory(X, Y, start, acts, epochs, lr, method)

    def judge(got):
        params, losses = _parse_run(got, kwargs)
        if all(isinstance(params.get(k), np.ndarray) and params[k].shape == v.shape
               and np.array_equal(params[k], v) for k, v in start.items()):
            raise CheckFailed(f"with optimizer={method!r}, train returned the parameters "
                              "init_params gave it: nothing was trained (the grader judges the "
                              "returned params, not only the losses reported).")
        got = np.array(losses)
        if not close(got, after):
            hint = ""
            if close(got, before):
                hint = " losses[e] must be the cost AFTER epoch e's update (you recorded it before)."
            elif method == "adam" and close(got, _trajectory(X, Y, start, acts, epochs, lr, method,
                                                             reset_t=True)[1]):
                hint = " Adam's t must count updates across epochs; it restarted every epoch."
            elif method == "gd" and 0 < got[0] < after[0]:
                hint = (" 'gd' is full-batch gradient descent: one update per epoch on all the "
                        "data, whatever batch_size is.")
            elif close(got[:1], after[:1]) or got[0] > after[0] * 0.999:
                hint = " Check the update of every epoch (and that train starts from init_params)."
            setting = ("full batch (batch_size=4 must be ignored)" if method == "gd"
                       else "one batch per epoch (batch_size >= m)")
            raise CheckFailed(
                f"with optimizer={method!r}, {setting} and lr={lr}, the losses should be "
                f"{np.round(after[:4], 6)}..., got {np.round(got[:4], 6)}...{hint}"
            )
        for key, value in exp_params.items():
            expect_array(params.get(key), value, f'returned params["{key}"]')

    if unchanged:
        t.expect_inputs_unchanged(X, Y, list(sizes), list(acts), kwargs=kwargs, judge=judge,
                                  mode="trusted_init")
    else:
        judge(t.call(X, Y, sizes, acts, kwargs=kwargs, mode="trusted_init"))


@check("train", "an unknown optimizer name raises ValueError", public=True)
def train_unknown_optimizer(t):
    X, Y = _linear_problem(8)
    t.expect_error("ValueError", X, Y, [2, 1], ["linear"],
                   kwargs={"optimizer": "adagrad", "epochs": 2}, what="optimizer='adagrad'")


@check("train", "'gd' is full-batch gradient descent from init_params (batch_size ignored); "
       "losses after each epoch", 2, public=True)
def train_gd_trajectory(t):
    _follow(t, "gd", [2, 3, 1], ["sigmoid", "linear"], lr=0.5, epochs=12, seed=4)


@check("train", "'adam' with one batch per epoch follows Adam, t counting across epochs", 2)
def train_adam_trajectory(t):
    _follow(t, "adam", [2, 3, 1], ["sigmoid", "linear"], lr=0.05, epochs=12, seed=5)


@check("train", "mini-batch momentum, rmsprop and adam reach a low cost on a linear problem", 2)
def train_minibatch_optimizers_converge(t):
    X, Y = _linear_problem(64)
    base = oracle.cost(np.full_like(Y, Y.mean()), Y)
    # Chosen so that every correct implementation gets below 1e-5 of the base cost from any
    # initial scale init_params allows (|W| up to 5; tried from 0.01 to 5).
    for method, lr, epochs in (("momentum", 0.5, 40), ("rmsprop", 0.02, 40), ("adam", 0.1, 40)):
        params, _ = _run(t, X, Y, [2, 1], ["linear"], optimizer=method, lr=lr,
                         batch_size=16, epochs=epochs, seed=1)
        final = _parameters(params, [2, 1], f"with optimizer={method!r}, train returned params "
                                            "that are not")
        J = oracle.network_cost(X, Y, final, ["linear"])
        if not J < 0.01 * base:
            raise CheckFailed(f"optimizer={method!r}: the params train returned have cost "
                              f"{J:.4g} on all the data (computed by the grader) after {epochs} "
                              f"epochs; a linear fit should reach below {0.01 * base:.3g}.")


def _seed(args, kwargs):
    """The seed of a random_mini_batches(X, Y, batch_size, seed=0) call, as a plain value."""
    seed = args[3] if len(args) > 3 else kwargs.get("seed", 0)
    if isinstance(seed, (np.integer, np.floating)):
        return seed.item()
    return seed if isinstance(seed, (int, float)) else repr(seed)[:40]


@check("train", "a fresh shuffle each epoch: random_mini_batches gets a new seed every epoch "
       "(judged when train calls it, once it trains)")
def train_shuffles_afresh_each_epoch(t):
    X, Y = _linear_problem(12, seed=3)
    epochs = 3
    kwargs = {"optimizer": "momentum", "lr": 0.1, "batch_size": 4, "epochs": epochs, "seed": 7}
    try:
        got = _parse_run(t.call(X, Y, [2, 1], ["linear"], kwargs=kwargs,
                                mode="observed_shuffle"), kwargs)[0]
        final = _parameters(got, [2, 1], "train returned params that are not")
    except CheckFailed as exc:
        raise NotJudged(f"not judged yet: train must run first. {exc}") from None
    log = t.last_callees.log if t.last_callees is not None else []
    if not (oracle.network_cost(X, Y, final, ["linear"])
            < oracle.network_cost(X, Y, _initial([2, 1], 7), ["linear"])):
        raise NotJudged("not judged yet: the params train returned cost no less than those it "
                        "started from, so it did not train (see the other checks of train).")
    seeds = [_seed(args if isinstance(args, list) else [], kw if isinstance(kw, dict) else {})
             for name, args, kw, _ in log if name == "random_mini_batches"]
    if not seeds:
        return  # it shuffles with code of its own: judged by how it trains
    if len(seeds) < epochs:
        raise CheckFailed(f"train called random_mini_batches {len(seeds)} time(s) in {epochs} "
                          "epochs: shuffle afresh at the start of every epoch.")
    if len(set(seeds)) < len(seeds):
        raise CheckFailed(f"train passed random_mini_batches the seeds {seeds[:epochs]} in "
                          f"{epochs} epochs: with the same seed, every epoch sees the same "
                          "batches in the same order. Give each epoch its own seed (for "
                          "example seed + epoch).")


@check("train", "losses[-1] is the full-data cost of the returned parameters")
def train_last_loss_matches_params(t):
    X, Y = _linear_problem(40, seed=2)
    acts = ["sigmoid", "linear"]
    params, losses = _run(t, X, Y, [2, 4, 1], acts, optimizer="adam", lr=0.02, batch_size=8,
                          epochs=5, seed=0)
    final = _parameters(params, [2, 4, 1], "train returned params that are not")
    J = oracle.network_cost(X, Y, final, acts)
    initial = oracle.network_cost(X, Y, _initial([2, 4, 1], 0), acts)
    if not J < initial:
        raise NotJudged(f"not judged yet: the returned params have cost {J:.6g}, no lower than "
                        f"that of the parameters init_params gave train ({initial:.6g}), so "
                        "train did not train (see the other checks of train).")
    if not abs(losses[-1] - J) <= 1e-4 * abs(J) + 1e-10:  # NaN fails too
        raise CheckFailed(f"losses[-1] = {losses[-1]:.6g}, but the returned params have cost "
                          f"{J:.6g} on all the data: record the full-data cost after each epoch.")


@check("train", "does not modify X, Y, layer_sizes or activations (judged once its 'gd' run is "
       "right)", public=True)
def train_leaves_inputs_unchanged(t):
    _follow(t, "gd", [2, 3, 1], ["sigmoid", "linear"], lr=0.5, epochs=12, seed=4, unchanged=True)
