"""Correct variant "classes": the functions are thin wrappers over small classes (a Dense layer,
optimizer objects), np.linalg-based costs, per-epoch generators spawned from one SeedSequence,
tuples instead of lists where allowed. Must score 100%."""
