"""Correct variant "loops": explicit Python loops everywhere, element by element.

Written for the grader's tests of the tests: it must score 100%. Nothing is vectorised; every
array is filled one scalar at a time (a slow but valid way to meet the contract).
"""
