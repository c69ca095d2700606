"""backprop-lab's grader: hidden checks, sandboxed worker, reports, Otter packaging."""
