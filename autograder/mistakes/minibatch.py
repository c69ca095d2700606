"""Known mistakes in minibatch.py (shuffling and batching)."""

from __future__ import annotations

from autograder.mistakes.mutant import Mutant as M

MINIBATCH: list[M] = [
    M("minibatch_different_permutations", "minibatch",
      "    perm = np.random.default_rng(seed).permutation(m)\n"
      "    X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]",
      "    rng = np.random.default_rng(seed)\n"
      "    X_shuffled, Y_shuffled = X[:, rng.permutation(m)], Y[:, rng.permutation(m)]",
      "random_mini_batches",
      "X and Y shuffled with two different permutations: inputs no longer match their targets"),
    M("minibatch_drops_remainder", "minibatch",
      "for k in range(0, m, batch_size)",
      "for k in range(0, m - batch_size + 1, batch_size)",
      "random_mini_batches",
      "only full batches: the m % batch_size last examples are dropped (all of them if "
      "batch_size > m)"),
    M("minibatch_not_shuffled", "minibatch",
      "X_shuffled, Y_shuffled = X[:, perm], Y[:, perm]",
      "X_shuffled, Y_shuffled = X, Y",
      "random_mini_batches",
      "never shuffles: the same consecutive batches every epoch"),
    M("minibatch_sampling_with_replacement", "minibatch",
      "np.random.default_rng(seed).permutation(m)",
      "np.random.default_rng(seed).integers(0, m, size=m)",
      "random_mini_batches",
      "draws indices with replacement: some examples repeated, others missing"),
    M("minibatch_ignores_seed", "minibatch",
      "np.random.default_rng(seed).permutation(m)",
      "np.random.default_rng().permutation(m)",
      "random_mini_batches",
      "an unseeded generator: the same seed gives different batches"),
    M("minibatch_empty_last_batch", "minibatch",
      "for k in range(0, m, batch_size)",
      "for k in range(0, m + 1, batch_size)",
      "random_mini_batches",
      "one batch too many: an empty last batch when batch_size divides m"),
]
