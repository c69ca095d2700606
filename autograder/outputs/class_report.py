"""OUT/report.html: the class at a glance, in one self-contained page that loads nothing.

The score histogram of the graded submissions, full-marks rates per function (inline SVG), the
most common mistakes (judged failures grouped by the mistake diagnosed, with how many students
and in which checks), and a sortable table of students linking to their feedback files, all
fitting a 1280-pixel window. A Content-Security-Policy forbids any network access.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime, timezone

from autograder.engine.core.contract import GRADED
from autograder.engine.core.feedback import diagnosis as diagnose
from autograder.engine.core.feedback import is_judged
from autograder.engine.rubric import Rubric
from autograder.model import Graded
from autograder.outputs.histogram import BINS, histogram_counts
from autograder.outputs.report import graded_only, points

E = html.escape
TOP_CHECKS = 15

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em auto;
       max-width: 75em; padding: 0 1em; color: #1d2330; }
h1 { font-size: 1.5em; margin-bottom: .1em; } h2 { font-size: 1.15em; margin-top: 1.8em; }
.muted { color: #5b6475; } .problem { color: #a1260d; }
.charts { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3em; }
svg text { font: 11px system-ui, sans-serif; fill: #1d2330; }
table { border-collapse: collapse; margin: .5em 0; width: 100%; }
th, td { border-bottom: 1px solid #d8dde6; padding: .3em .6em; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td { overflow-wrap: anywhere; } /* long names, emails and paths wrap: the page fits 1280 px */
td.num, td.link, td.fn { overflow-wrap: normal; white-space: nowrap; }
#students td.id { overflow-wrap: normal; } /* submission names and SIDs break at spaces only */
#students td.who { min-width: 8em; } #students td.mail { min-width: 11em; }
#students td.failing { min-width: 14em; }
#students th { cursor: pointer; user-select: none; background: #f3f5f9; position: sticky; top: 0; }
#students th[aria-sort=ascending]::after { content: " \\25B2"; }
#students th[aria-sort=descending]::after { content: " \\25BC"; }
.late { color: #a1260d; font-weight: 600; }
"""

SORT_SCRIPT = """
(function () {
  var table = document.getElementById('students');
  var heads = table.tHead.rows[0].cells;
  function key(row, i, numeric) {
    var cell = row.cells[i], v = cell.getAttribute('data-sort');
    if (v === null) v = cell.textContent.trim();
    return numeric ? (v === '' ? -Infinity : parseFloat(v)) : v.toLowerCase();
  }
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener('click', function () {
      var numeric = th.classList.contains('num');
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, i, numeric), y = key(b, i, numeric);
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  // report.html#sort=score-desc opens the page sorted (by a column's title)
  var wanted = /^#sort=([a-z ]+?)(-desc)?$/.exec(decodeURIComponent(location.hash));
  Array.prototype.forEach.call(heads, function (th) {
    if (wanted && th.textContent.trim().toLowerCase() === wanted[1]) {
      th.click();
      if (wanted[2]) th.click();
    }
  });
  document.body.setAttribute('data-ready', 'yes');
})();
"""


def histogram_svg(scores: list[float], total: float, bins: int = BINS) -> str:
    counts = histogram_counts(scores, total, bins)
    width, height, left, bottom, top = 520, 240, 40, 36, 12
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(counts) or 1
    bar_w = plot_w / bins
    parts = [f"<svg id='histogram' role='img' aria-label='score histogram' width='{width}' "
             f"height='{height}' viewBox='0 0 {width} {height}'>"]
    for i, c in enumerate(counts):
        h = plot_h * c / peak
        x, y = left + i * bar_w, top + plot_h - h
        lo, hi = total * i / bins, total * (i + 1) / bins
        parts.append(f"<rect class='bar' x='{x + 1:.1f}' y='{y:.1f}' width='{bar_w - 2:.1f}' "
                     f"height='{h:.1f}' fill='#3b6ea5'><title>{lo:g}–{hi:g}: {c} "
                     f"submission{'s' if c != 1 else ''}</title></rect>")
        if c:
            parts.append(f"<text x='{x + bar_w / 2:.1f}' y='{y - 2:.1f}' "
                         f"text-anchor='middle'>{c}</text>")
    axis_y = top + plot_h
    parts.append(f"<line x1='{left}' y1='{axis_y}' x2='{left + plot_w}' y2='{axis_y}' "
                 "stroke='#5b6475'/>")
    for i in range(0, bins + 1, 4):
        x = left + i * bar_w
        parts.append(f"<text x='{x:.1f}' y='{axis_y + 14}' text-anchor='middle'>"
                     f"{total * i / bins:g}</text>")
    parts.append(f"<text x='{left + plot_w / 2:.1f}' y='{height - 4}' text-anchor='middle'>"
                 f"score (out of {total:g})</text>")
    parts.append(f"<text x='12' y='{top + plot_h / 2:.1f}' text-anchor='middle' "
                 f"transform='rotate(-90 12 {top + plot_h / 2:.1f})'>submissions</text>")
    return "".join(parts) + "</svg>"


def pass_rates(graded: list[Graded], rubric: Rubric) -> list[tuple[str, float, float]]:
    """(function, share of graded submissions with full marks, mean points) per function."""
    rows = []
    for fn in rubric.functions:
        done = [g.result.functions[fn] for g in graded if g.result and fn in g.result.functions]
        rate = sum(f.passed for f in done) / len(done) if done else 0.0
        mean = sum(f.score for f in done) / len(done) if done else 0.0
        rows.append((fn, rate, mean))
    return rows


def pass_rate_svg(rates: list[tuple[str, float, float]], rubric: Rubric) -> str:
    row_h, label_w, bar_w = 18, 150, 300
    height = row_h * len(rates) + 24
    width = label_w + bar_w + 60
    parts = [f"<svg id='pass-rates' role='img' aria-label='full marks per function' "
             f"width='{width}' height='{height}' viewBox='0 0 {width} {height}'>"]
    for i, (fn, rate, mean) in enumerate(rates):
        y = 4 + i * row_h
        colour = "#2e8540" if rate >= 0.8 else "#d9822b" if rate >= 0.5 else "#c23030"
        parts.append(f"<text x='{label_w - 6}' y='{y + 12}' text-anchor='end'>{E(fn)}</text>")
        parts.append(f"<rect x='{label_w}' y='{y + 2}' width='{bar_w}' height='{row_h - 5}' "
                     "fill='#eef1f6'/>")
        parts.append(f"<rect class='bar' x='{label_w}' y='{y + 2}' width='{bar_w * rate:.1f}' "
                     f"height='{row_h - 5}' fill='{colour}'><title>{E(fn)}: {rate:.0%} full "
                     f"marks, mean {mean:.2f} / {rubric.points[fn]:g} points</title></rect>")
        parts.append(f"<text x='{label_w + bar_w + 6}' y='{y + 12}'>{rate:.0%}</text>")
    parts.append(f"<text x='{label_w + bar_w / 2}' y='{height - 4}' text-anchor='middle'>"
                 "share of graded submissions with full marks</text>")
    return "".join(parts) + "</svg>"


def diagnosis(message: str) -> str:
    """The known mistake a failed check's message names, else what kind of failure it was."""
    named = diagnose(message)
    if named:
        return named
    if "not implemented yet" in message:
        return "not implemented yet (NotImplementedError)"
    if "could not be imported" in message or "is missing from the submission" in message:
        return "its module is missing or cannot be imported"
    if "timed out" in message or "time limit" in message:
        return "timed out"
    if " failed: " in message:
        return "raised an error"
    return ""


def failing_checks(graded: list[Graded]) -> list[tuple[str, str, int, Counter]]:
    """(function, mistake diagnosed, students, titles of the checks that diagnosed it) for the
    most common failures. Only judged checks count: a check whose precondition did not hold
    (inputs unchanged once the values are right, ...) is no failure of its own."""
    students: dict[tuple[str, str], set[str]] = {}
    titles: dict[tuple[str, str], Counter] = {}
    for g in graded:
        if g.result is None:
            continue
        for fn in g.result.functions.values():
            for c in fn.checks:
                if c.passed or not is_judged(c):
                    continue
                key = (fn.name, diagnosis(c.message or ""))
                students.setdefault(key, set()).add(g.student.submission)
                titles.setdefault(key, Counter())[c.title] += 1
    # Ties: a named mistake before "no known mistake matched", then in the assignment's order.
    order = {fn: i for i, fn in enumerate(GRADED)}
    ranked = sorted(students, key=lambda k: (-len(students[k]), not k[1],
                                             order.get(k[0], len(order)), k[1]))[:TOP_CHECKS]
    return [(fn, found, len(students[(fn, found)]), titles[(fn, found)]) for fn, found in ranked]


def students_table(graded: list[Graded], rubric: Rubric, stems: dict[str, str]) -> str:
    head = ("<table id='students'><thead><tr><th>submission</th><th>name</th><th>email</th>"
            "<th>SID</th><th class='num'>score</th><th>late</th><th>failing functions</th>"
            "<th>feedback</th></tr></thead><tbody>")
    rows = []
    for g in graded:
        s, stem = g.student, stems[g.student.submission]
        if g.result is None:
            score_cell = "<td class='num problem' data-sort='-1'>error</td>"
            failing = f"<span class='problem'>{E(g.error)}</span>"
        else:
            score_cell = f"<td class='num' data-sort='{g.score:.5f}'>{points(g.score)}</td>"
            failing = E(", ".join(f for f, r in g.result.functions.items() if not r.passed))
        if g.late_hours is None:
            late = "<td data-sort=''></td>"
        elif g.late_hours > 0:
            late = f"<td class='late' data-sort='{g.late_hours:.4f}'>{g.late_hours:.2f} h</td>"
        else:
            late = f"<td data-sort='{g.late_hours:.4f}'>on time</td>"
        rows.append(f"<tr><td class='id'>{E(s.submission)}</td><td class='who'>{E(s.name)}</td>"
                    f"<td class='mail'>{E(s.email)}</td><td class='id'>{E(s.sid)}</td>{score_cell}{late}"
                    f"<td class='failing'>{failing}</td>"
                    f"<td class='link'><a href='feedback/{E(stem)}.html'>feedback</a></td></tr>")
    return head + "".join(rows) + "</tbody></table>"


def report_html(graded: list[Graded], rubric: Rubric, stems: dict[str, str],
                problems: list[str] = (), title: str = "backprop-lab: class report",
                similarity: str = "") -> str:
    scores = sorted(g.score for g in graded_only(graded))  # error rows are no zeros
    n = len(scores)
    mean = sum(scores) / n if n else 0.0
    median = (scores[n // 2] if n % 2 else (scores[n // 2 - 1] + scores[n // 2]) / 2) if n else 0
    errors = len(graded) - n
    late = sum(g.late_hours is not None and g.late_hours > 0 for g in graded)
    rates = pass_rates(graded, rubric)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        f"<title>{E(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{E(title)}</h1>",
        f"<p class='muted'>{len(graded)} submissions, graded {stamp}. Mean {mean:.2f}, median "
        f"{median:.2f} out of {rubric.total:g}"
        + (f" over the {n} graded. <span class='problem'>{errors} could not be graded (left "
           "out of the mean and the histogram).</span>" if errors else ".")
        + (f" <span class='late'>{late} late.</span>" if late else "") + "</p>",
    ]
    if problems:
        parts.append("<h2>Problems with the input</h2><ul>"
                     + "".join(f"<li class='problem'>{E(p)}</li>" for p in problems) + "</ul>")
    parts += ["<div class='charts'>",
              f"<figure><figcaption>Scores</figcaption>{histogram_svg(scores, rubric.total)}"
              "</figure>",
              "<figure><figcaption>Full marks per function</figcaption>"
              f"{pass_rate_svg(rates, rubric)}</figure>", "</div>"]
    parts.append("<h2>Most common mistakes</h2>")
    failures = failing_checks(graded)
    if not failures:
        parts.append("<p>No check failed.</p>")
    else:
        parts.append("<table id='failing-checks'><thead><tr><th>function</th><th>mistake "
                     "diagnosed</th><th class='num'>students</th><th>in the checks</th></tr>"
                     "</thead><tbody>")
        for fn, found, count, checks in failures:
            mistake = E(found) if found else (
                "<span class='muted'>wrong values, no known mistake matched</span>")
            shown = "<br>".join(E(title) for title, _ in checks.most_common(3))
            parts.append(f"<tr><td class='fn'>{E(fn)}</td><td>{mistake}</td>"
                         f"<td class='num'>{count}</td><td class='muted'>{shown}</td></tr>")
        parts.append("</tbody></table>")
    parts.append(similarity)  # autograder/similarity: its own section, already escaped
    parts += ["<h2>Students</h2><p class='muted'>Click a column to sort.</p>",
              students_table(graded, rubric, stems), f"<script>{SORT_SCRIPT}</script>",
              "</body></html>\n"]
    return "\n".join(parts)
