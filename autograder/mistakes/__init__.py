"""The catalogue of known mistakes (being split by module of the assignment)."""

from autograder.mistakes.network import *  # noqa: F401,F403
