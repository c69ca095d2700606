"""Correct variant "float32": every computation and every returned array in float32.

The contract asks for float64 outputs but promises that a correct float32 answer is accepted
within tolerance; this package must score 100%.
"""
