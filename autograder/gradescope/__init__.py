"""What runs on Gradescope, inside Otter (ships in the grader's wheel): ``plugin.py`` is the Otter
plugin and the entry notebook's grading call, ``integrity.py`` what the plugin checks before it
reports, ``upload.py`` the tidying of an upload that the zip's run_autograder does first. The
zip itself is built by autograder/packaging/build_autograder.py."""
