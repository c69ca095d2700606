"""Which submissions share code: an inverted index of fingerprints, pair scores, the flag rule.

Only fingerprints that two submissions share cost anything: the index lists, for each
fingerprint, the submissions holding it, and pairs are counted from those lists, so the cost
grows with the code that is shared (sum over fingerprints of holders squared), not with every
pair of the class. Prior work is paired with the class, never with itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from autograder.similarity.fingerprint import Fingerprints

FLOOR_SHARE = 0.25  # a submission smaller than this share of the typical one is measured as that
STANDS_OUT = 5.0  # flag: this many robust standard deviations above the typical pair
MIN_SCALE = 0.05  # the spread assumed when the class's is smaller (tiny or uniform classes)
MIN_MATCHED = 8  # fingerprints a flagged pair shares at least (about two lines of code)
COMMON_SHARE = 0.2  # a fingerprint held by more than this share of the class is its idiom...
COMMON_MIN = 5  # ...and by more than this many submissions; prior work's are never idioms
MIN_PAIRS = 10  # fewer compared pairs tell nothing about a typical pair: none is flagged
SHOWN_PAIRS = 50  # unflagged pairs listed after the flagged ones, most similar first


@dataclass
class Entry:
    """One submission (or one prior submission) and its fingerprints."""

    key: str  # the submission's name (unique among the class; prior ones are prefixed)
    name: str = ""  # the students' names from the export
    origin: str = ""  # where it is in the input, for messages and prior matches
    prior: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # module -> source text
    prints: dict[str, Fingerprints] = field(default_factory=dict)  # module -> fingerprints
    skipped: list[str] = field(default_factory=list)  # modules not compared, with the reason
    why_not: str = ""  # the reason it is not compared at all
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @cached_property
    def hash_set(self) -> set[int]:
        return set(self.hashes.tolist())


@dataclass
class Pair:
    a: Entry
    b: Entry
    matched: int  # fingerprints the two share
    similarity: float  # share of the smaller one (at least the floor) found in the other
    z: float  # how far above the typical pair, in robust standard deviations
    flagged: bool = False

    @property
    def share_a(self) -> float:
        return self.matched / max(len(self.a.hashes), 1)

    @property
    def share_b(self) -> float:
        return self.matched / max(len(self.b.hashes), 1)


@dataclass
class Threshold:
    """How the flag was set for this class, in numbers the report states."""

    pairs: int  # pairs of the class that were compared
    median: float
    scale: float  # robust standard deviation (1.4826 MAD), at least MIN_SCALE
    floor: int  # fingerprints a small submission is measured against
    value: float  # median + STANDS_OUT * scale
    common: int = 0  # fingerprints set aside as the class's idioms

    def describe(self) -> str:
        if self.pairs < MIN_PAIRS:
            return (f"Only {self.pairs} pair{'s' if self.pairs != 1 else ''} could be compared: "
                    f"too few to tell what a typical pair of this class looks like (at least "
                    f"{MIN_PAIRS} are needed), so no pair is flagged; the pairs are listed by "
                    "similarity. Give earlier submissions as PRIOR to compare with more.")
        return (f"A pair is flagged when its similarity is at least {self.value:.2f}: the typical "
                f"pair of this class (the median of its {self.pairs} compared pairs, prior work "
                f"included) has "
                f"{self.median:.2f}, pairs spread around it by {self.scale:.2f} (a robust "
                f"standard deviation, 1.4826 × the median absolute deviation, at least "
                f"{MIN_SCALE:g}), and a flagged pair stands at least {STANDS_OUT:g} of those "
                f"above the typical pair and shares at least {MIN_MATCHED} fingerprints. "
                f"Similarity is the share of the smaller submission's own code (beyond the "
                f"handout's skeleton) that is found in the other; a submission with fewer than "
                f"{self.floor} fingerprints (a quarter of the class's median) is measured "
                f"against {self.floor}, so near-empty submissions sharing a line are not alike. "
                f"{self.common} passages written alike by more than a fifth of the class (and "
                f"more than {COMMON_MIN} submissions), and not in prior work, are the class's "
                "idioms and count for nobody.")


def own_hashes(entry: Entry, skeleton: set[int]) -> np.ndarray:
    found = {h for fp in entry.prints.values() for h in fp.where}
    return np.array(sorted(found - skeleton), dtype=np.uint64)


def shared_counts(entries: list[Entry]) -> dict[tuple[int, int], int]:
    """(i, j) -> fingerprints entries i < j share, for every pair sharing any (never two prior)."""
    ids = np.concatenate([np.full(len(e.hashes), i, dtype=np.int64) for i, e in enumerate(entries)]
                         + [np.zeros(0, dtype=np.int64)])
    hashes = np.concatenate([e.hashes for e in entries] + [np.zeros(0, dtype=np.uint64)])
    if not len(hashes):
        return {}
    order = np.argsort(hashes, kind="stable")
    hashes, ids = hashes[order], ids[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    sizes = np.diff(np.r_[starts, len(hashes)])
    prior = np.array([e.prior for e in entries], dtype=bool)
    n = len(entries)
    chunks = []
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        holders = ids[start:start + size]  # ascending (stable sort of ids in entry order)
        i, j = np.triu_indices(size, k=1)
        a, b = holders[i], holders[j]
        keep = ~(prior[a] & prior[b])
        chunks.append(a[keep] * n + b[keep])
    if not chunks:
        return {}
    codes, counts = np.unique(np.concatenate(chunks), return_counts=True)
    return {(int(c // n), int(c % n)): int(k) for c, k in zip(codes, counts)}


def set_aside_idioms(compared: list[Entry]) -> int:
    """Drop the fingerprints that many of the class hold (how everyone writes ``np.sum(dZ,
    axis=1, keepdims=True) / m``), unless prior work holds them too; how many were dropped."""
    klass = [e for e in compared if not e.prior]
    if not klass:
        return 0
    hashes, holders = np.unique(np.concatenate([e.hashes for e in klass]), return_counts=True)
    common = hashes[holders > max(COMMON_MIN, COMMON_SHARE * len(klass))]
    prior = [e.hashes for e in compared if e.prior]
    if prior and len(common):
        common = np.setdiff1d(common, np.concatenate(prior))
    if len(common):
        for e in compared:
            e.hashes = np.setdiff1d(e.hashes, common)
            e.__dict__.pop("hash_set", None)  # cached from the hashes it had
    return len(common)


def score_pairs(entries: list[Entry]) -> tuple[list[Pair], Threshold]:
    """Every pair sharing code, most similar first, flagged by the class's own distribution."""
    compared = [e for e in entries if not e.why_not]
    common = set_aside_idioms(compared)
    class_sizes = sorted(len(e.hashes) for e in compared if not e.prior)
    median_size = class_sizes[len(class_sizes) // 2] if class_sizes else 0
    floor = max(int(median_size * FLOOR_SHARE), MIN_MATCHED)
    pairs = []
    for (i, j), matched in shared_counts(compared).items():
        a, b = compared[i], compared[j]
        if a.prior and not b.prior:
            a, b = b, a  # the class's side first
        smaller = max(min(len(a.hashes), len(b.hashes)), floor)
        pairs.append(Pair(a, b, matched, min(1.0, matched / smaller), 0.0))
    n_class, n_prior = len(class_sizes), sum(e.prior for e in compared)
    total = n_class * (n_class - 1) // 2 + n_class * n_prior  # every pair compared
    sims = np.array([p.similarity for p in pairs])
    everything = np.concatenate([sims, np.zeros(max(total - len(sims), 0))])
    median = float(np.median(everything)) if len(everything) else 0.0
    mad = float(np.median(np.abs(everything - median))) if len(everything) else 0.0
    scale = max(1.4826 * mad, MIN_SCALE)
    threshold = Threshold(total, median, scale, floor, median + STANDS_OUT * scale, common)
    for p in pairs:
        p.z = (p.similarity - median) / scale
        p.flagged = (p.similarity >= threshold.value and p.matched >= MIN_MATCHED
                     and total >= MIN_PAIRS)
    pairs.sort(key=lambda p: (-p.similarity, -p.matched, p.a.key, p.b.key))
    return pairs, threshold


def worth_looking_at(pairs: list[Pair]) -> list[Pair]:
    """The flagged pairs, then the most similar unflagged ones."""
    flagged = [p for p in pairs if p.flagged]
    return flagged + [p for p in pairs if not p.flagged][:SHOWN_PAIRS]


def shared_lines(entry: Entry, shared: set[int]) -> dict[str, set[int]]:
    """module -> the lines of ``entry`` covered by a shared fingerprint."""
    lines: dict[str, set[int]] = {}
    for module, fp in entry.prints.items():
        for h, places in fp.where.items():
            if h in shared:
                for _, first, last in places:
                    lines.setdefault(module, set()).update(range(first, last + 1))
    return lines
