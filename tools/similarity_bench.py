"""Benchmark of the similarity report: seconds for a class of N submissions, and how it grows.

    python tools/similarity_bench.py [--n 500] [--steps 3]

Generates a class whose every module comes from one of the correct solutions (the reference,
tests/variants/), renamed, reordered, commented or loop-rewritten at random as
autograder/similarity/disguises.py does, with a few partial and skeleton-only submissions and a
planted copy in every 40: far more shared code than a real class, so the index works harder
than it will in use. Then it times `make similarity`'s whole work in this process (finding and
staging every submission, parsing, fingerprinting, pairing, writing similarity.csv and the
pages) for N/4, N/2 and N submissions, so the growth with the class is visible (wall-clock and
this process's CPU time, which other work on the machine disturbs less). Most generated pairs
share whole modules: they are copies by construction, so the number flagged says nothing about
a real class. Not a timed test: the figure goes in the README.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path


def generate(n: int, dest: Path, seed: int = 0) -> None:
    import autograder.similarity.disguises as sc

    rng = random.Random(seed)
    solutions = [sc.sources(sc.REFERENCE)] + [
        sc.sources(p / "backprop") for p in sorted(sc.VARIANTS.iterdir())
        if (p / "backprop").is_dir()]
    disguises = [lambda m: m, sc.renamed, sc.reordered, sc.recommented, sc.comprehensions,
                 sc.dead_code]
    skeleton = sc.sources(sc.SKELETON)
    made: list[dict[str, str]] = []
    for i in range(n):
        if i % 40 == 39:  # a planted copy of the student before, disguised
            modules = rng.choice(disguises[1:])(made[-1])
        elif i % 50 == 7:
            modules = dict(skeleton)
        else:
            modules = {name: rng.choice(solutions).get(name, text)
                       for name, text in skeleton.items()}
            if i % 25 == 3:  # a partial submission: two modules done
                keep = set(rng.sample(sorted(modules), 2))
                modules = {k: (v if k in keep else skeleton[k]) for k, v in modules.items()}
            modules = rng.choice(disguises)(modules)
        made.append(modules)
        sc.write_package(modules, dest / f"student_{i:04d}")


def run_once(folder: Path, out: Path) -> tuple[float, float, int, int, dict[str, float]]:
    from autograder.discovery import discover
    from autograder.similarity import build, write

    start, cpu = time.perf_counter(), time.process_time()
    scratch = Path(tempfile.mkdtemp(prefix="similarity-bench-"))
    try:
        report = build(discover(folder, scratch).submissions)
        write(report, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    flagged = sum(p.flagged for p in report.pairs)
    return (time.perf_counter() - start, time.process_time() - cpu, report.compared, flagged,
            report.seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--steps", type=int, default=3, help="time N/4, N/2, N (or fewer)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="similarity-bench-"))
    try:
        sizes = [args.n // 2 ** k for k in range(args.steps)][::-1]
        print(f"generating {args.n} submissions in {base} ...", flush=True)
        generate(args.n, base / "all")
        everyone = sorted((base / "all").iterdir())
        for size in sizes:
            folder = base / f"class-{size}"
            for sub in everyone[:size]:  # hard links: submissions' links are never followed
                shutil.copytree(sub, folder / sub.name, copy_function=os.link)
            seconds, cpu, compared, flagged, phases = run_once(folder, base / f"out-{size}")
            print(f"{size:5d} submissions: {seconds:6.2f} s, CPU {cpu:.2f} s (reading and fingerprinting "
                  f"{phases['read']:.2f} s, pairing {phases['pairs']:.2f} s; {compared} compared, "
                  f"{flagged} pairs flagged)", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
