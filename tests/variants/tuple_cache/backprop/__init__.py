"""Correct variant "tuple_cache": relative imports, a list-of-tuples cache, the sigmoid inlined in
dense_forward (not calling sigmoid), He-scaled initial weights. Must score 100%."""
