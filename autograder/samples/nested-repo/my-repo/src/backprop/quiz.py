"""Concept quiz answers."""

KEY = "DACBACDBAD"
ANSWERS = {i + 1: KEY[i] for i in range(10)}
