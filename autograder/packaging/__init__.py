"""Build time, on the instructor's machine: ``build_handout.py`` (the students' zip),
``build_autograder.py`` (the Gradescope zip, with the grader's wheel) and ``local_run.py`` (runs
that zip on one upload here, laid out as Gradescope lays it out). Never shipped."""
