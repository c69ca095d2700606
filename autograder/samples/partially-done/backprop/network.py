"""A multi-layer network: parameters, forward pass, backward pass, cost and gradients."""

import numpy as np

from backprop.layers import dense_backward, dense_forward
from backprop.losses import mse_loss, mse_loss_backward


def init_params(layer_sizes: list[int], seed: int = 0) -> dict[str, np.ndarray]:
    """Small random weights and zero biases for a network of the given layer sizes.

    Inputs:
    - layer_sizes: [n_x, n_1, ..., n_L] (input size first, output size last).
    - seed: the same seed always gives the same parameters; different seeds differ.

    Returns:
    - params: dict with "W1", "b1", ..., "WL", "bL"; W[l] has shape (n_l, n_{l-1}) (small
      random values, e.g. a scaled normal), b[l] has shape (n_l, 1) (zeros).
    """
    # TODO: one generator from the seed; scaled normal weights, zero biases
    raise NotImplementedError(
        "init_params is not implemented yet (TODO in backprop/network.py)"
    )
    # END TODO


def forward(
    X: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[np.ndarray, object]:
    """Forward pass through all L layers.

    Inputs:
    - X: inputs, shape (n_x, m).
    - params: "W1", "b1", ..., "WL", "bL" as made by init_params.
    - activations: one name per layer ("sigmoid", "relu" or "linear"), length L.

    Returns a tuple of:
    - Y_hat: the output A[L], shape (n_L, m).
    - cache: whatever backward needs (your own design), e.g. every A[l] and Z[l].
    """
    # TODO: keep every layer's input and pre-activation for the backward pass
    raise NotImplementedError(
        "forward is not implemented yet (TODO in backprop/network.py)"
    )
    # END TODO


def backward(
    Y: np.ndarray, params: dict[str, np.ndarray], cache: object, activations: list[str]
) -> dict[str, np.ndarray]:
    """Backward pass of the MSE cost through all L layers (backpropagation).

    Inputs:
    - Y: targets, shape (n_L, m).
    - params: the parameters forward was called with.
    - cache: the cache returned by forward.
    - activations: the list forward was called with.

    Returns:
    - grads: dict with "dW1", "db1", ..., "dWL", "dbL", each the mini-batch average
      dJ/dW[l] or dJ/db[l], of the shape of the parameter.
    """
    # TODO: start from dL/dY_hat and walk the layers from L down to 1
    raise NotImplementedError(
        "backward is not implemented yet (TODO in backprop/network.py)"
    )
    # END TODO


def loss_and_gradients(
    X: np.ndarray, Y: np.ndarray, params: dict[str, np.ndarray], activations: list[str]
) -> tuple[float, dict[str, np.ndarray]]:
    """Cost J (MSE) and its gradients for one batch.

    Inputs:
    - X: shape (n_x, m). Y: shape (n_L, m).
    - params, activations: as for forward.

    Returns a tuple of:
    - J: float, the MSE cost of the batch.
    - grads: as returned by backward.
    """
    # TODO: forward, cost, backward
    raise NotImplementedError(
        "loss_and_gradients is not implemented yet (TODO in backprop/network.py)"
    )
    # END TODO
