"""The similarity report as files: similarity.csv, one page per pair, a section of report.html.

Every string that comes from a submission (names, module names, code) is escaped, made one
line where it is a name, and bounded before it is written. The pages load nothing: the same
Content-Security-Policy as report.html forbids every network access.
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.outputs.report import safe_name
from autograder.similarity.collect import clip
from autograder.similarity.compare import Entry, Pair, Threshold, shared_lines

E = html.escape
CSV_COLUMNS = ["submission_a", "submission_b", "similarity", "flagged", "stands_out_sd",
               "shared_fingerprints", "share_of_a", "share_of_b", "name_a", "name_b",
               "functions", "prior_files", "page"]
MAX_LINES_SHOWN = 3000  # per module on a pair page
MAX_LINE_CHARS = 400
SECTION_UNFLAGGED = 3  # the most similar unflagged pairs the report.html section also lists
CSP = ("<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
       "style-src 'unsafe-inline'\">")

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto;
       max-width: 110em; padding: 0 1em; color: #1d2330; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
.muted { color: #5b6475; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border-bottom: 1px solid #d8dde6; padding: .25em .6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.sides { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1em; }
.side h3 { font-size: 1em; margin: 1em 0 .3em; }
pre { background: #f6f8fb; border: 1px solid #d8dde6; padding: .4em 0; margin: 0;
      overflow-x: auto; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
pre span { display: block; padding: 0 .5em; white-space: pre; min-height: 1.4em; }
pre span.shared { background: #ffe08a; }
pre i { color: #8a93a6; font-style: normal; user-select: none; display: inline-block;
        width: 3.5em; }
"""


def display_name(entry: Entry) -> str:
    who = f" ({clip(entry.name)})" if entry.name and entry.name != entry.key else ""
    return clip(entry.key, 80) + who


def page_names(pairs: list[Pair]) -> dict[int, str]:
    """A distinct file name per pair: <a>--<b>.html from safe forms of the two names."""
    used: set[str] = set()
    names = {}
    for p in pairs:
        base = stem = f"{safe_name(p.a.key)[:60]}--{safe_name(p.b.key)[:60]}"
        n = 2
        while stem.lower() in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem.lower())
        names[id(p)] = stem + ".html"
    return names


def function_rows(pair: Pair) -> list[tuple[str, int, int, str]]:
    """(a's module.function, shared, its fingerprints, b's matching module.functions)."""
    shared = pair.a.hash_set & pair.b.hash_set
    where_b: dict[int, set[str]] = {}
    for module, fp in pair.b.prints.items():
        for h, places in fp.where.items():
            if h in shared:
                where_b.setdefault(h, set()).update(f"{module}.{f}" for f, _, _ in places)
    own_a = pair.a.hash_set
    rows = []
    for module, fp in pair.a.prints.items():
        per_function: dict[str, set[int]] = {}
        for h, places in fp.where.items():
            if h in own_a:  # beyond the skeleton
                for function, _, _ in places:
                    per_function.setdefault(function, set()).add(h)
        for function, own in per_function.items():
            hit = own & shared
            if hit:
                other = sorted({name for h in hit for name in where_b.get(h, ())})
                rows.append((f"{module}.{function}", len(hit), len(own), ", ".join(other)))
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def functions_summary(pair: Pair) -> str:
    """For the CSV: the functions of a that share code, with the share of each that matches."""
    return "; ".join(f"{clip(name, 80)} {100 * hit / max(own, 1):.0f}%"
                     for name, hit, own, _ in function_rows(pair))


def prior_files(pair: Pair) -> str:
    if not pair.b.prior:
        return ""
    modules = sorted({name.split(".")[0] for _, _, _, names in function_rows(pair)
                      for name in names.split(", ") if name})
    return "; ".join(f"{clip(pair.b.origin, 200)} ({clip(m)}.py)" for m in modules)


def csv_rows(pairs: list[Pair], pages: dict[int, str]) -> list[list[str]]:
    rows = []
    for p in pairs:
        rows.append([p.a.key, p.b.key, f"{p.similarity:.3f}", "yes" if p.flagged else "no",
                     f"{max(p.z, 0.0):.1f}", str(p.matched), f"{p.share_a:.3f}", f"{p.share_b:.3f}",
                     p.a.name, p.b.name, functions_summary(p), prior_files(p),
                     f"similarity/{pages[id(p)]}" if id(p) in pages else ""])
    return rows


def code_block(entry: Entry, module: str, lines: set[int], other: str) -> str:
    text = entry.sources.get(module, "")
    rows = text.splitlines()
    shown = []
    for number, line in enumerate(rows[:MAX_LINES_SHOWN], start=1):
        line = "".join(c if c.isprintable() or c == "\t" else "?" for c in line)
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + "…"
        cls = " class='shared'" if number in lines else ""
        title = f" title='also in {E(other)}'" if number in lines else ""
        shown.append(f"<span{cls}{title}><i>{number}</i>{E(line)}</span>")
    if len(rows) > MAX_LINES_SHOWN:
        shown.append(f"<span><i></i>… {len(rows) - MAX_LINES_SHOWN} more lines</span>")
    return "<pre>" + "".join(shown) + "</pre>"


def side_html(entry: Entry, shared: set[int], other: Entry) -> str:
    lines = shared_lines(entry, shared)
    modules = sorted(entry.sources, key=lambda m: (m not in lines, m))
    parts = [f"<div class='side'><h2>{E(display_name(entry))}</h2>"]
    if entry.prior:
        parts.append(f"<p class='muted'>prior work: {E(clip(entry.origin, 200))}</p>")
    for module in modules:
        count = len(lines.get(module, ()))
        parts.append(f"<h3>{E(clip(module))}.py <span class='muted'>({count} lines shared)"
                     "</span></h3>")
        parts.append(code_block(entry, module, lines.get(module, set()), clip(other.key, 80)))
    return "".join(parts) + "</div>"


def pair_page(pair: Pair, threshold: Threshold, back: str = "report.html") -> str:
    shared = pair.a.hash_set & pair.b.hash_set
    title = f"Similarity: {display_name(pair.a)} and {display_name(pair.b)}"
    verdict = ("flagged" if pair.flagged else "not flagged")
    rows = "".join(f"<tr><td>{E(a)}</td><td class='num'>{hit} / {own} "
                   f"({100 * hit / max(own, 1):.0f}%)</td><td>{E(clip(b, 300))}</td></tr>"
                   for a, hit, own, b in function_rows(pair))
    return "\n".join([
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>", CSP,
        f"<title>{E(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{E(title)}</h1>",
        f"<p>Similarity <b>{pair.similarity:.2f}</b> ({verdict}; {pair.z:.1f} robust standard "
        f"deviations above the class's typical pair). {pair.matched} fingerprints shared: "
        f"{100 * pair.share_a:.0f}% of the first one's own code, {100 * pair.share_b:.0f}% of "
        f"the second's. Highlighted lines hold shared passages (names, comments, docstrings "
        f"and layout ignored; the handout's skeleton never counts).</p>",
        f"<p class='muted'>{E(threshold.describe())} A similarity report is a reason to look, "
        "not a verdict: read the code.</p>",
        "<h2>Functions that share code</h2>",
        "<table id='functions'><thead><tr><th>function (first)</th><th>shared fingerprints</th>"
        "<th>where in the second</th></tr></thead><tbody>" + rows + "</tbody></table>",
        "<div class='sides'>", side_html(pair.a, shared, pair.b),
        side_html(pair.b, shared, pair.a), "</div>",
        f"<p><a href='../{E(back)}#similarity'>back to the class report</a></p>",
        "</body></html>\n"])


def section_html(pairs: list[Pair], threshold: Threshold, pages: dict[int, str],
                 not_compared: list[Entry], compared: int) -> str:
    """The report.html section: flagged pairs linking to their pages, then what was not
    compared and why."""
    flagged = [p for p in pairs if p.flagged]
    parts = ["<section id='similarity'><h2>Similar submissions</h2>",
             f"<p class='muted'>{compared} submissions compared, offline on this machine; "
             f"{len(flagged)} pair{'s' if len(flagged) != 1 else ''} flagged. "
             f"{E(threshold.describe())} A similarity report is a reason to look, not a "
             "verdict. All listed pairs: <code>similarity.csv</code>.</p>"]
    if not flagged:
        parts.append("<p>No pair stands out from the class.</p>")
    unflagged = [p for p in pairs if not p.flagged and id(p) in pages][:SECTION_UNFLAGGED]
    for rows, caption in ((flagged, ""), (unflagged, "The most similar pairs not flagged")):
        if not rows:
            continue
        table_id = "similar-pairs" if not caption else "similar-unflagged"
        parts.append((f"<p>{caption}:</p>" if caption else "")
                     + f"<table id='{table_id}'><thead><tr><th>first</th><th>second</th>"
                     "<th class='num'>similarity</th><th class='num'>above typical (SD)</th>"
                     "<th>functions that share code</th><th>pair page</th></tr></thead><tbody>")
        for p in rows:
            fns = function_rows(p)
            shown = ", ".join(f"{name} ({100 * hit / max(own, 1):.0f}%)"
                              for name, hit, own, _ in fns[:6])
            more = f" and {len(fns) - 6} more" if len(fns) > 6 else ""
            parts.append(f"<tr><td>{E(display_name(p.a))}</td><td>{E(display_name(p.b))}"
                         f"{' <span class=muted>(prior)</span>' if p.b.prior else ''}</td>"
                         f"<td class='num'>{p.similarity:.2f}</td>"
                         f"<td class='num'>{max(p.z, 0.0):.1f}</td>"
                         f"<td>{E(clip(shown, 400))}{more}</td>"
                         f"<td><a href='similarity/{E(pages[id(p)])}'>compare</a></td></tr>")
        parts.append("</tbody></table>")
    if not_compared:
        parts.append("<p>Not compared:</p><ul>" + "".join(
            f"<li>{E(display_name(e))}: {E(clip(e.why_not, 300))}</li>" for e in not_compared)
            + "</ul>")
    return "".join(parts) + "</section>"


def write_pages(out: Path, pairs: list[Pair], threshold: Threshold, pages: dict[int, str],
                back: str = "report.html") -> None:
    folder = out / "similarity"
    folder.mkdir(parents=True, exist_ok=True)
    for p in pairs:
        if id(p) in pages:
            (folder / pages[id(p)]).write_text(pair_page(p, threshold, back), encoding="utf-8")



def standalone_page(section: str) -> str:
    """OUT/similarity.html for `make similarity` (which writes no report.html)."""
    return "\n".join([
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>", CSP,
        f"<title>backprop-lab: similar submissions</title><style>{STYLE}</style></head><body>",
        "<h1>backprop-lab: similar submissions</h1>", section, "</body></html>\n"])
