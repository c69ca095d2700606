"""`make bench`: seconds per submission of `make grade` against Otter, in one session.

    python tools/bench.py [--n 200] [--otter 20] [--jobs 0]
    python tools/bench.py --against ../other-checkout [--rounds 5] [--n 40] [--jobs 2]

Generates N submissions (a realistic mix: correct variants, single-bug copies from
autograder/mistakes/, the skeleton and broken samples), grades them all with `make grade`'s
command, grades the first --otter of them with `otter run -a dist/autograder.zip` (Otter's
per-submission grading, with the backprop-lab plugin installed in .venv), and prints seconds per
submission, the ratio, peak memory, the floor (the time of `python -c "import numpy"` x N /
cores) and the CPU the hidden suite needs on the reference.
Everything is measured in the same run so the ratios hold on a noisy machine.

--against DIR: instead, grade the same generated class with this checkout and the one at DIR
(another commit's worktree; its .venv if it has one), alternately for --rounds rounds, and
print each one's median seconds per submission and the ratio this / DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sources() -> list[tuple[str, object]]:
    """(kind, how to make it): correct, buggy and broken submissions in a realistic mix."""
    from autograder.mistakes import MUTANTS  # autograder/mistakes/: the catalog of single-bug copies

    correct = [("correct", ROOT / "solutions" / "backprop")]
    correct += [("correct", p / "backprop") for p in sorted((ROOT / "tests" / "variants").iterdir())
                if (p / "backprop").is_dir()]
    broken = [("broken", ROOT / "assignments" / "backprop")]
    samples = ROOT / "autograder" / "samples"
    if samples.is_dir():
        broken += [("sample", p) for p in sorted(samples.iterdir()) if p.is_dir()]
    buggy = [("buggy", m) for m in MUTANTS]
    mix = []
    for i in range(max(len(correct), len(buggy), len(broken)) * 3):
        mix.append(correct[i % len(correct)])
        mix.append(buggy[i % len(buggy)])
        mix.append(buggy[(i + 7) % len(buggy)])
        if i % 2 == 0:
            mix.append(broken[i % len(broken)])
    return mix


def generate(n: int, dest: Path) -> list[tuple[str, Path]]:
    from autograder.mistakes import apply_mutant

    made = []
    mix = sources()
    for i in range(n):
        kind, what = mix[i % len(mix)]
        folder = dest / f"sub_{i:04d}"
        if kind == "buggy":
            apply_mutant(what, folder)
        elif kind == "sample":
            shutil.copytree(what, folder)
        else:
            shutil.copytree(what, folder / "backprop")
        made.append((kind, folder))
    return made


class PeakMemory:
    """Peak total RSS of a process and all its descendants, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree_rss(self) -> int:
        parent, rss = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                parent[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        tree, frontier = {self.pid}, [self.pid]
        while frontier:
            p = frontier.pop()
            for child, ppid in parent.items():
                if ppid == p and child not in tree:
                    tree.add(child)
                    frontier.append(child)
        return sum(rss.get(p, 0) for p in tree)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.02)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def timed(cmd: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    mem = PeakMemory(proc.pid)
    out, err = proc.communicate()
    peak = mem.stop()
    return time.perf_counter() - start, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def reference_cpu() -> tuple[dict, dict]:
    """CPU seconds (grader, student) of the hidden suite on the reference, in a fresh process:
    the first submission (nothing cached) and the second (oracles memoised)."""
    code = ("import json; from autograder.engine.grading_host import grade_submission as g; "
            "print(json.dumps([g('solutions').cpu_seconds, g('solutions').cpu_seconds]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    cold, warm = json.loads(out.stdout)
    return cold, warm


def numpy_floor(n: int, cores: int, repeats: int = 10) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
        runs.append(time.perf_counter() - start)
    runs.sort()
    return runs[len(runs) // 2] * n / cores


def zip_upload(folder: Path, dest: Path) -> Path:
    """A submission folder as the zip a student uploads (`otter run` takes a file or a zip)."""
    with zipfile.ZipFile(dest, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return dest


def otter_run(zip_path: Path, subs: list[tuple[str, Path]], work: Path, cores: int):
    """Grade each submission with `otter run -a dist/autograder.zip SUB.zip`, cores at a time;
    returns wall time, peak memory and per-function scores (or an error)."""
    otter = [str(Path(sys.executable).with_name("otter"))]  # .venv's
    peaks, lock = [0], threading.Lock()
    uploads = {folder.name: zip_upload(folder, work / f"{folder.name}.zip") for _, folder in subs}

    def one(sub: tuple[str, Path]) -> tuple[str, dict]:
        name = sub[1].name
        out = work / f"{name}-out"
        out.mkdir()
        _, peak, proc = timed([*otter, "run", "-a", str(zip_path), "-o", str(out),
                               str(uploads[name])], cwd=work)
        results_json = out / "results.json"
        results = json.loads(results_json.read_text()) if results_json.is_file() else None
        with lock:
            peaks[0] = max(peaks[0], peak)
        if results is None:
            return name, {"error": (proc.stdout + proc.stderr)[-300:]}
        # Otter's "Public Tests" entry has no points: only the per-function entries have a score
        return name, {t["name"]: t["score"] for t in results.get("tests", []) if "score" in t}

    start = time.perf_counter()
    with ThreadPoolExecutor(cores) as pool:
        scores = dict(pool.map(one, subs))
    wall = time.perf_counter() - start
    return wall, peaks[0] * cores, scores


def grader_python(checkout: Path) -> str:
    """The Python that grades with ``checkout``'s own code (checked, not assumed)."""
    venv = checkout / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else sys.executable
    where = subprocess.run([python, "-c", "import autograder; print(autograder.__file__)"],
                           cwd=checkout, capture_output=True, text=True, check=True).stdout
    if not Path(where.strip()).resolve().is_relative_to(checkout.resolve()):
        raise SystemExit(f"{checkout} would grade with {where.strip()}, not its own code")
    return python


def alternate(other: Path, rounds: int, n: int, cores: int, work: Path) -> int:
    """Seconds per submission of `make grade`'s command, this checkout vs ``other``,
    alternating on one generated class; medians and their ratio."""
    import statistics

    subs = generate(n, work / "submissions")
    checkouts = {"this": ROOT, "other": other.resolve()}
    pythons = {k: grader_python(v) for k, v in checkouts.items()}
    seconds: dict[str, list[float]] = {"this": [], "other": []}
    for r in range(rounds):
        for key in (("other", "this") if r % 2 == 0 else ("this", "other")):
            out = work / f"out-{key}-{r}"
            wall, _, proc = timed([pythons[key], "-m", "autograder.grade",
                                   str(work / "submissions"), "--out", str(out),
                                   "--jobs", str(cores)], cwd=checkouts[key])
            if proc.returncode != 0:
                print(proc.stderr[-2000:])
                return 1
            seconds[key].append(wall / len(subs))
            print(f"round {r + 1} {key} ({checkouts[key]}): {wall / len(subs):.3f} s/submission",
                  flush=True)
    mine, theirs = (statistics.median(seconds[k]) for k in ("this", "other"))
    print(f"median s/submission: this {mine:.3f}, other {theirs:.3f}; ratio this / other "
          f"{mine / theirs:.3f} (per round: "
          f"{', '.join(f'{a / b:.3f}' for a, b in zip(seconds['this'], seconds['other']))})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="submissions for make grade")
    parser.add_argument("--otter", type=int, default=20, help="of them, also graded by Otter")
    parser.add_argument("--jobs", type=int, default=0, help="cores to use (0: all)")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=5, help="with --against: rounds")
    args = parser.parse_args()
    cores = args.jobs or os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="backprop-lab-bench-"))
    try:
        if args.against:
            return alternate(args.against, args.rounds, args.n, cores, work)
        subs = generate(args.n, work / "submissions")
        kinds = {k: sum(1 for kk, _ in subs if kk == k) for k in ("correct", "buggy", "broken",
                                                                  "sample")}
        print(f"{args.n} submissions: {kinds}; {cores} cores", flush=True)
        floor = numpy_floor(args.n, cores)
        cold, warm = reference_cpu()
        print(f"hidden suite CPU on the reference: first submission of a process "
              f"{sum(cold.values()):.2f}s ({cold}), later ones {sum(warm.values()):.2f}s ({warm})",
              flush=True)
        wall, peak, proc = timed([sys.executable, "-m", "autograder.grade",
                                  str(work / "submissions"), "--out", str(work / "out"),
                                  "--jobs", str(cores)], cwd=ROOT)
        if proc.returncode != 0:
            print(proc.stderr[-2000:])
            return 1
        from autograder.outputs.runs import load_run

        # per-function scores unrounded (grades.csv shows 2 decimals): from the run's data
        ours = {g.student.submission: {f: r.score for f, r in g.result.functions.items()}
                if g.result else {} for g in load_run(work / "out")}
        print(f"make grade: {wall:.1f}s for {args.n} = {wall / args.n:.3f} s/submission, "
              f"peak memory {peak / 2**20:.0f} MB (all processes)", flush=True)
        print(f"floor (python -c 'import numpy' x N / cores): {floor:.1f}s = "
              f"{floor / args.n:.3f} s/submission; make grade / floor = {wall / floor:.2f}",
              flush=True)
        if args.otter:
            zip_path = ROOT / "dist" / "autograder.zip"
            # rebuilt every time (as `make autograder`, a few seconds): a zip left from an older
            # engine would be compared with this one
            subprocess.run([sys.executable, "-m", "autograder.packaging.build_autograder",
                            "--out", str(zip_path)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            subset = subs[: args.otter]
            (work / "otter").mkdir()
            o_wall, o_peak, scores = otter_run(zip_path, subset, work / "otter", cores)
            per_otter = o_wall / len(subset)
            per_ours = wall / args.n
            print(f"otter run -a dist/autograder.zip: "
                  f"{o_wall:.1f}s for {len(subset)} = {per_otter:.3f} s/submission "
                  f"({cores} at a time), peak memory ~{o_peak / 2**20:.0f} MB", flush=True)
            print(f"ratio otter / make grade per submission: {per_otter / per_ours:.1f}x")
            from autograder.engine.rubric import load_rubric

            # Both round the same sums of check points to 5 decimals: the scores are equal, and
            # 1e-9 only absorbs float representation (a real difference is >= 1e-5).
            tolerance = 1e-9
            mismatches = []
            for _, folder in subset:
                theirs = scores.get(folder.name, {})
                mine = ours[folder.name]
                if "error" in theirs:
                    mismatches.append(f"{folder.name}: otter failed: {theirs['error']}")
                    continue
                for fn in load_rubric().functions:
                    if fn not in theirs:
                        mismatches.append(f"{folder.name}:{fn} missing from Otter's results.json")
                    elif abs(mine.get(fn, 0.0) - float(theirs[fn])) > tolerance:
                        mismatches.append(f"{folder.name}:{fn} make grade {mine.get(fn)} "
                                          f"otter {theirs[fn]}")
            print(f"per-function scores equal on {len(subset) - len({m.split(':')[0] for m in mismatches})}"
                  f"/{len(subset)} submissions" + ("" if not mismatches else
                                                   "\n  " + "\n  ".join(mismatches[:10])))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
