"""The sandbox: where student code runs. ``worker.py`` is the grader's side (a Worker per
submission), ``isolation.py`` the sandbox itself (bubblewrap namespaces, or a uid drop),
``uids.py`` the unprivileged uids; ``zygote_main.py`` and ``worker_main.py`` run inside it."""
