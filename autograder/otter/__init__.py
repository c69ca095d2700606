"""Otter packaging. ``build.py`` makes the Gradescope autograder zip (with the grader's wheel).
``backprop_lab_runtime.py`` is the Otter plugin and the entry notebook's grading call,
``integrity.py`` what the plugin checks before it reports, ``upload.py`` the tidying of an upload
that the zip's run_autograder does first; these three ship in the wheel. ``local_run.py`` runs
the zip on one upload here, laid out exactly as Gradescope lays it out."""
