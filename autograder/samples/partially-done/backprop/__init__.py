"""backprop: a small numpy neural-network package built by hand, one function at a time.

Conventions used by every module (the course's notation):

* A batch is a matrix whose COLUMNS are examples: X has shape (n_x, m).
* Layer l has W[l] of shape (n_l, n_{l-1}) and b[l] of shape (n_l, 1);
  Z[l] = W[l] A[l-1] + b[l] and A[l] = g(Z[l]).
* Cost J = (1/m) sum_i L_i with L_i = 1/2 sum_k (y_k - y_hat_k)^2.
* Error signals (dZ, dA) are PER-EXAMPLE derivatives dL_i/dZ (column i), not divided by m;
  parameter gradients (dW, db) are the MINI-BATCH AVERAGE.
* Parameter dicts use keys "W1", "b1", ..., gradients and optimizer state "dW1", "db1", ...
* No function modifies the arrays or dicts it is given.

This file imports no submodule on purpose: one broken module never takes the others down.
Import what you need directly, e.g. ``from backprop.layers import dense_forward``.
"""
