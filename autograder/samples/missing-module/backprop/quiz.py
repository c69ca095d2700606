"""Concept quiz answers."""

ANSWERS = dict(enumerate("DACBACDBAD", start=1))
