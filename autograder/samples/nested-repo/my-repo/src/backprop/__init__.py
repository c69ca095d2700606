"""backprop -- my implementation for Assignment 4."""
