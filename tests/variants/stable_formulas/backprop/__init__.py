"""Correct variant "stable_formulas": other, equally valid formulas everywhere.

sigma via 0.5 (1 + tanh(z / 2)); sigma' via logaddexp; matrix products via einsum; the cost as
the mean over columns of per-example losses; db as a mean; moving averages in the
"v += (1 - beta)(g - v)" form; Adam in the paper's efficient form (folded step size, eps scaled
so the update is exactly the contract's); Glorot-uniform weights; shuffles by argsort of uniform
keys. Must score 100%.
"""
