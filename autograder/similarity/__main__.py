"""`make similarity`: the similarity report alone, without grading.

    python -m autograder.similarity SUBMISSIONS --out OUT [--prior DIR]

SUBMISSIONS is anything `make grade` takes (an export, a folder of submissions, a .zip);
PRIOR is a folder of earlier years' submissions or known public solutions (one subfolder or
.zip each), compared with the class but never with itself. Writes OUT/similarity.csv,
OUT/similarity.html and OUT/similarity/<a>--<b>.html; nothing else in OUT is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder.discovery import InputError, discover
from autograder.similarity import build, write
from autograder.similarity.pages import standalone_page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="an export, a folder or .zip of them")
    parser.add_argument("--out", type=Path, default=Path("out"), help="output folder (out/)")
    parser.add_argument("--prior", type=Path, help="earlier or public solutions to compare with")
    args = parser.parse_args(argv)
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="backprop-lab-similarity-"))
    try:
        found = discover(args.submissions, scratch / "class", str(args.submissions))
        prior = (discover(args.prior, scratch / "prior", str(args.prior)).submissions
                 if args.prior else [])
        for problem in found.problems:
            print(f"warning: {problem}", file=sys.stderr)
        report = build(found.submissions, prior)
        args.out.mkdir(parents=True, exist_ok=True)
        pages = args.out / "similarity"
        if os.path.lexists(pages):  # the pages of an earlier run, and nothing else, are replaced
            if pages.is_symlink() or not pages.is_dir() or any(
                    not (p.suffix == ".html" and p.is_file() and not p.is_symlink())
                    for p in pages.iterdir()):
                raise InputError(f"{pages} holds other files than pair pages: not replaced")
            shutil.rmtree(pages)
        write(report, args.out, back="similarity.html")
        (args.out / "similarity.html").write_text(standalone_page(report.section),
                                                  encoding="utf-8")
    except InputError as exc:
        print(f"make similarity: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    flagged = sum(p.flagged for p in report.pairs)
    print(f"{report.compared} submissions compared in {time.monotonic() - start:.1f}s; "
          f"{flagged} pair(s) flagged (threshold {report.threshold.value:.2f}); "
          f"{len(report.not_compared)} not compared. Results: {args.out}/similarity.html, "
          "similarity.csv, similarity/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
