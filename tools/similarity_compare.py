"""Our syntax-tree fingerprints against copydetect's, on the tests' class and for speed.

    python tools/similarity_compare.py [--n 200]

Both fingerprinters feed the same pairing and flag rule (autograder/similarity/compare.py), so
only the fingerprints differ: ours (fingerprint.py: Python's own parser, names, strings,
comments and layout dropped, loop-built lists read as comprehensions, k = 12 tokens, window 6)
and copydetect 0.5.0's (Pygments tokens with names as V, strings as S, comments and layout
dropped, k = 25 characters, window 6 (its defaults: noise 25, guarantee 30), the skeleton as its
boilerplate). Prints, for each: the weakest copy's similarity and the strongest independent
pair's on the tests' class (autograder/similarity/disguises.py), the copies missed and the pairs
wrongly flagged, then seconds to fingerprint N generated submissions, and copydetect's own
all-pairs detector on a few of them for its cost. copydetect is only in the full environment
(requirements/lock.txt): `make grade` never imports it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.similarity import SKELETON

CD_K, CD_WINDOW = 25, 6


def copydetect_hashes(folder: Path, boilerplate: np.ndarray) -> np.ndarray:
    from copydetect import CodeFingerprint

    found: set[int] = set()
    for path in sorted(folder.glob("*.py")):
        if path.name != "__init__.py":
            found |= {int(h) for h in CodeFingerprint(str(path), CD_K, CD_WINDOW,
                                                      boilerplate).hashes}
    return np.array(sorted(found), dtype=np.int64).view(np.uint64)


def copydetect_entries(submissions, prior):
    """The same Entries as ours, with copydetect's fingerprints of the same staged modules."""
    from copydetect import CodeFingerprint

    from autograder.engine.intake import staged
    from autograder.similarity.compare import Entry

    skeleton = SKELETON
    boilerplate = np.array(sorted({int(h) for p in sorted(skeleton.glob("*.py"))
                                   for h in CodeFingerprint(str(p), CD_K, CD_WINDOW).hashes}),
                           dtype=np.int64)
    entries = []
    for sub, is_prior in [(s, False) for s in submissions] + [(s, True) for s in prior]:
        entry = Entry(key=("prior: " if is_prior else "") + sub.student.submission,
                      prior=is_prior)
        with staged(sub.path) as (package, _):
            entry.hashes = copydetect_hashes(package, boilerplate)
        if not len(entry.hashes):
            entry.why_not = "nothing beyond the skeleton"
        entries.append(entry)
    return entries


def per_copy(pairs) -> str:
    from autograder.similarity.disguises import COPIES, PRIOR_NAME

    by_key = {frozenset((p.a.key, p.b.key.removeprefix("prior: "))): p for p in pairs}
    shown = []
    for name, (source, _) in COPIES.items():
        pair = by_key.get(frozenset((name, PRIOR_NAME if name == "frompublic" else source)))
        shown.append(f"{name} {pair.similarity if pair else 0.0:.2f}")
    mixed = by_key.get(frozenset(("partialmix", "reference")))
    shown.append(f"partialmix {mixed.similarity if mixed else 0.0:.2f}")
    return ", ".join(shown)


def verdicts(pairs) -> tuple[float, float, list[str], list[str]]:
    from autograder.similarity.disguises import COPIES, MORE_COPIES, PRIOR_NAME

    copies = {frozenset((n, PRIOR_NAME if n == "frompublic" else src))
              for n, (src, _) in COPIES.items()}
    copies |= {frozenset(pair) for pair in MORE_COPIES}
    by_key = {frozenset((p.a.key, p.b.key.removeprefix("prior: "))): p for p in pairs}
    weakest = min(by_key[k].similarity if k in by_key else 0.0 for k in copies)
    independent = [p.similarity for k, p in by_key.items()
                   if k not in copies and not (k & {*COPIES, "another-year", "partialmix"})]
    missed = sorted("/".join(sorted(k)) for k in copies if not (k in by_key and by_key[k].flagged))
    wrong = sorted("/".join(sorted(k)) for k, p in by_key.items() if p.flagged and k not in copies)
    return weakest, max(independent, default=0.0), missed, wrong


def main() -> int:
    from similarity_bench import generate

    from autograder.discovery import discover
    from autograder.similarity import build
    from autograder.similarity.compare import score_pairs
    from autograder.similarity.disguises import build_class

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="submissions timed")
    parser.add_argument("--all-pairs", type=int, default=40,
                        help="submissions given to copydetect's own all-pairs detector")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="similarity-compare-"))
    klass, prior = build_class(base)
    subs = discover(klass, base / "s1").submissions
    priors = discover(prior / "2025", base / "s2").submissions
    ours = build(subs, priors)
    ours_pairs, ours_t = score_pairs(ours.entries)
    theirs_pairs, theirs_t = score_pairs(copydetect_entries(subs, priors))
    print("on the tests' class (8 disguised copies + last year's copy of the reference):")
    for name, pairs, t in (("syntax tree (ours)", ours_pairs, ours_t),
                           ("copydetect 0.5.0", theirs_pairs, theirs_t)):
        weakest, strongest, missed, wrong = verdicts(pairs)
        print(f"  {name:19s} weakest copy {weakest:.3f}, strongest independent pair "
              f"{strongest:.3f}, margin {weakest - strongest:+.3f}, threshold {t.value:.2f}; "
              f"missed {missed or 'none'}; wrongly flagged {wrong or 'none'}")
        print(f"    copies: {per_copy(pairs)}")
    big = base / "generated"
    generate(args.n, big)
    many = discover(big, base / "s3").submissions
    start = time.perf_counter()
    build(many)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    score_pairs(copydetect_entries(many, []))
    theirs_s = time.perf_counter() - start
    print(f"{args.n} generated submissions, fingerprints + index + flags: ours {ours_s:.1f} s, "
          f"copydetect's fingerprints in the same index {theirs_s:.1f} s")
    from copydetect import CopyDetector

    few = sorted(big.iterdir())[:args.all_pairs]
    start = time.perf_counter()
    detector = CopyDetector(test_dirs=[str(p) for p in few], extensions=["py"],
                            boilerplate_dirs=[str(SKELETON)],
                            autoopen=False, silent=True, out_file=str(base / "cd.html"))
    detector.run()
    print(f"copydetect's own all-pairs detector on {len(few)} submissions: "
          f"{time.perf_counter() - start:.1f} s (it compares every pair of files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
