"""Which submissions share code, computed offline on this machine (nothing is uploaded).

``build(submissions, prior)`` fingerprints every submission (fingerprint.py), pairs them
through an inverted index (compare.py) and flags the pairs that stand out from the class's own
distribution; ``write(report, out)`` writes ``similarity.csv`` and a page per pair worth
looking at (pages.py), and ``report.section`` is the section of report.html. `make grade`
calls it whenever it grades two or more submissions; `make similarity` runs it alone
(``python -m autograder.similarity``).
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder.discovery import InputError, Submission, discover
from autograder.outputs.report import write_csv
from autograder.similarity.collect import clip, finish, read_entry, read_skeleton
from autograder.similarity.compare import Entry, Pair, Threshold, score_pairs, worth_looking_at
from autograder.similarity.pages import (
    CSV_COLUMNS,
    csv_rows,
    page_names,
    section_html,
    write_pages,
)

ROOT = Path(__file__).resolve().parents[2]
SKELETON = ROOT / "assignments" / "backprop"
MAX_PAGES = 200  # pair pages written: every flagged pair, then the most similar others


@dataclass
class SimilarityReport:
    entries: list[Entry]
    pairs: list[Pair]  # worth looking at: flagged first, most similar first
    threshold: Threshold
    pages: dict[int, str]  # id(pair) -> its page's file name
    seconds: dict[str, float]  # reading + fingerprinting, pairing (for tools/similarity_bench.py)

    @property
    def not_compared(self) -> list[Entry]:
        return [e for e in self.entries if e.why_not]

    @property
    def compared(self) -> int:
        return sum(not e.why_not and not e.prior for e in self.entries)

    @property
    def section(self) -> str:
        return section_html(self.pairs, self.threshold, self.pages, self.not_compared,
                            self.compared)


def build(submissions: list[Submission], prior: list[Submission] = (),
          skeleton: Path = SKELETON) -> SimilarityReport:
    """Compare the class with itself and with prior work (never prior work with itself)."""
    start = time.perf_counter()
    boilerplate = read_skeleton(skeleton)
    todo = [(s, False) for s in submissions] + [(s, True) for s in prior]
    entries = [finish(read_entry(s, prior=is_prior), boilerplate) for s, is_prior in
               tqdm(todo, desc="similarity", unit="submission", file=sys.stderr, disable=None,
                    leave=False, dynamic_ncols=True)]
    read = time.perf_counter()
    pairs, threshold = score_pairs(entries)
    shown = worth_looking_at(pairs)
    with_page = [p for p in shown if p.flagged][:MAX_PAGES]
    with_page += [p for p in shown if not p.flagged][:max(0, min(10, MAX_PAGES - len(with_page)))]
    seconds = {"read": read - start, "pairs": time.perf_counter() - read}
    return SimilarityReport(entries, shown, threshold, page_names(with_page), seconds)


def write(report: SimilarityReport, out: Path, back: str = "report.html") -> None:
    """OUT/similarity.csv and OUT/similarity/<a>--<b>.html (linking back to ``back``)."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "similarity.csv", CSV_COLUMNS, csv_rows(report.pairs, report.pages))
    write_pages(out, report.pairs, report.threshold, report.pages, back)


def check_prior(prior: str | None) -> None:
    """Refuse a PRIOR that is neither a folder nor a .zip before anything is graded."""
    if prior and not (Path(prior).is_dir() or Path(prior).suffix.lower() == ".zip"
                      and Path(prior).is_file()):
        raise InputError(f"PRIOR={prior}: not a folder or a .zip of earlier submissions")


def similarity_of(submissions: list[Submission], prior: str | None, scratch: Path,
                  out: Path) -> SimilarityReport | None:
    """`make grade`'s hook: with two or more submissions, compare them (and PRIOR) and write
    the report into ``out``; None (nothing written) otherwise."""
    if len(submissions) < 2:
        return None
    start = time.monotonic()
    earlier = []
    if prior:
        try:
            earlier = discover(Path(prior), scratch / "prior", prior).submissions
        except InputError as exc:
            print(f"warning: PRIOR not compared: {clip(str(exc), 300)}", file=sys.stderr)
    try:
        report = build(submissions, earlier)
        write(report, out)
    except Exception as exc:  # noqa: BLE001 - the grades matter more than this report
        shutil.rmtree(out / "similarity", ignore_errors=True)
        (out / "similarity.csv").unlink(missing_ok=True)
        print(f"warning: no similarity report ({type(exc).__name__}: {clip(str(exc), 300)}); "
              "the grades are written as usual", file=sys.stderr)
        return None
    print(f"similarity: {report.compared} submissions compared in "
          f"{time.monotonic() - start:.1f}s, {sum(p.flagged for p in report.pairs)} pair(s) "
          f"flagged (report.html#similarity, similarity.csv)", file=sys.stderr)
    return report
