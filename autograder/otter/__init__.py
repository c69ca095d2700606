"""Otter packaging. ``build.py`` makes the Gradescope autograder zip. ``backprop_lab_runtime.py``
is what that zip runs on Gradescope: an Otter plugin and the entry notebook's grading call.
``local_run.py`` runs the zip on one submission here, laid out as Gradescope lays it out."""
