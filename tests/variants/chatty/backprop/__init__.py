"""Correct variant "chatty": print() and stderr output in every function and at import, relative
imports, tiny (0.01-scaled) initial weights, quiz answers in lowercase with spaces. Must score
100%: printing is not a mistake, and the grader ignores case and spaces in quiz answers."""

print("backprop package imported (chatty variant)")
