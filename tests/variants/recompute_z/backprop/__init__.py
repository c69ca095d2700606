"""Correct variant "recompute_z": the cache keeps only the activations and backward recomputes
each Z from params; np.random.RandomState everywhere; train draws every epoch's shuffle from ONE
generator created per call (reused across epochs); views and aliases returned where the contract
allows it (the linear activation returns Z itself). Must score 100%."""
