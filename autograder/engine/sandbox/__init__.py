"""The sandbox: where student code runs. ``worker.py`` is the grader's side (a Worker per
submission), ``isolation.py`` the sandbox itself (bubblewrap namespaces, or a uid drop),
built from ``bubblewrap.py`` (the command line and the runtime it shows), ``seccomp.py`` and
``landlock.py`` (the worker's filters); ``uids.py`` the unprivileged uids, ``pid_counter.py``
the machine's PID counter (without namespaces); ``zygote_main.py`` and ``worker_main.py`` run
inside it."""
