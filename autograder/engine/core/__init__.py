"""The grader's core: the contract, comparisons, oracles, the check framework, calls and the
protocol, and the checks. It runs on the grading host, on Gradescope and, copied as a folder
(hidden checks removed), on the students' machines through the handout's check.py: nothing here
imports the sandbox, YAML or Otter."""
