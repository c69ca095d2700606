"""Known mistakes in train.py (the training loop)."""

from __future__ import annotations

from autograder.mistakes.mutant import Mutant as M

# The optimizer dispatch of the reference's train loop (shared by two train mutants' texts).
_TRAIN_UPDATES = (
    "            if optimizer in (\"gd\",):\n"
    "                params = sgd_update(params, grads, lr)\n"
    "            elif optimizer == \"momentum\":\n"
    "                params, v = momentum_update(params, grads, v, lr)\n"
    "            elif optimizer == \"rmsprop\":\n"
    "                params, s = rmsprop_update(params, grads, s, lr)\n"
    "            else:\n"
    "                t += 1\n"
    "                params, v, s = adam_update(params, grads, v, s, t, lr)\n"
)

TRAIN: list[M] = [
    M("train_shuffles_with_one_seed", "train",
      "random_mini_batches(X, Y, batch_size, seed=seed + epoch)",
      "random_mini_batches(X, Y, batch_size, seed=seed)",
      "train",
      "the same seed every epoch: every epoch sees the same batches in the same order (the "
      "contract asks for a fresh shuffle each epoch)"),
    M("train_discards_adam_update", "train",
      "                params, v, s = adam_update(params, grads, v, s, t, lr)",
      "                _, v, s = adam_update(params, grads, v, s, t, lr)",
      "train",
      "throws the updated parameters away (treats the update as in place): Adam never learns"),
    M("train_reinitialises_every_epoch", "train",
      "    for epoch in range(epochs):\n",
      "    for epoch in range(epochs):\n        params = init_params(layer_sizes, seed)\n",
      "train",
      "re-creates the parameters at the start of every epoch: losses stay at one epoch's progress"),
    M("train_adam_t_reset_every_epoch", "train",
      "    v, s, t = init_state(params), init_state(params), 0\n"
      "    losses = []\n"
      "    for epoch in range(epochs):\n",
      "    v, s = init_state(params), init_state(params)\n"
      "    losses = []\n"
      "    for epoch in range(epochs):\n"
      "        t = 0\n",
      "train",
      "restarts Adam's step count every epoch: the contract says t counts updates across epochs"),
    M("train_adam_t_starts_at_zero", "train",
      "                t += 1\n"
      "                params, v, s = adam_update(params, grads, v, s, t, lr)",
      "                params, v, s = adam_update(params, grads, v, s, t, lr)\n"
      "                t += 1",
      "train",
      "first Adam call with t = 0: 1 - beta^0 = 0, division by zero, NaN parameters"),
    M("train_records_loss_before_update", "train",
      "            _, grads = loss_and_gradients(X_batch, Y_batch, params, activations)\n"
      + _TRAIN_UPDATES
      + "        Y_hat, _ = forward(X, params, activations)\n"
      "        losses.append(mse_loss(Y_hat, Y))\n",
      "            J, grads = loss_and_gradients(X_batch, Y_batch, params, activations)\n"
      + _TRAIN_UPDATES
      + "        losses.append(J)\n",
      "train",
      "records the J that loss_and_gradients returned, i.e. the cost BEFORE the update (of the "
      "last batch): losses[e] must be the full-data J after epoch e's updates"),
    M("train_records_last_batch_loss", "train",
      "        Y_hat, _ = forward(X, params, activations)\n"
      "        losses.append(mse_loss(Y_hat, Y))",
      "        Y_hat, _ = forward(X_batch, params, activations)\n"
      "        losses.append(mse_loss(Y_hat, Y_batch))",
      "train",
      "records the cost of the last mini-batch, not the full-data J"),
    M("train_gd_uses_minibatches", "train",
      "        if optimizer == \"gd\":\n            batches = [(X, Y)]\n        else:\n"
      "            batches = random_mini_batches(X, Y, batch_size, seed=seed + epoch)",
      "        batches = random_mini_batches(X, Y, batch_size, seed=seed + epoch)",
      "train",
      "\"gd\" takes mini-batch steps; the contract says full batch, one update per epoch"),
    M("train_accepts_unknown_optimizer", "train",
      "    if optimizer not in OPTIMIZERS:\n"
      "        raise ValueError(f\"unknown optimizer {optimizer!r}; "
      "expected one of {OPTIMIZERS}\")\n",
      "",
      "train",
      "an unknown optimizer name silently runs Adam; the contract says ValueError"),
]
