"""The grading engine. Importing this package does nothing: its modules say where they run.

core/ (the contract, comparisons, oracles, checks) runs everywhere, students' machines included;
sandbox/ runs student code; the other modules run on the grading host only.
"""
