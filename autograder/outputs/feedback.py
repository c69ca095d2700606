"""Feedback for one student, ready to send or upload: feedback/<submission>.md and .html.

Each holds the score, the per-function table and, for every function that lost points, the
engine's feedback of its checks (what was expected, what came back, the likely mistake). It
shows hidden checks too: it is written for after grading, when the instructor chooses to send it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from autograder.engine.rubric import Rubric
from autograder.model import Graded
from autograder.outputs.report import md_text, points

STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #1d2330; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.score { font-size: 1.3em; font-weight: 600; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border-bottom: 1px solid #d8dde6; padding: .25em .8em; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.lost td { background: #fff4f2; } tr.full td { background: #f3faf4; }
pre { background: #f6f8fa; border: 1px solid #d8dde6; padding: .8em; overflow-x: auto;
      white-space: pre-wrap; word-break: break-word; font-size: 13px; }
.problem { color: #a1260d; }
"""


NOT_GRADED_NEXT = "Fix what is described above and submit again, or ask your instructor."


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _who(g: Graded) -> str:
    return g.student.name or g.student.submission


def feedback_markdown(g: Graded, rubric: Rubric) -> str:
    lines = [f"# backprop-lab feedback: {md_text(_who(g))}", ""]
    lines.append(f"Submission: {md_text(g.student.submission)}")
    if g.result is None:
        lines += ["", "**This submission could not be graded, so it has no score yet.**", "",
                  md_text(g.student_reason), "", NOT_GRADED_NEXT]
        return "\n".join(lines) + "\n"
    r = g.result
    lines += ["", f"**Score: {points(r.score)} / {points(r.max_score)}**", ""]
    for why in r.modules.values():
        lines.append(f"- Module problem: {md_text(why)}")
    for note in r.notes:
        lines.append(f"- Note: {md_text(note)}")
    if r.modules or r.notes:
        lines.append("")
    lines += ["## Per function", "", "| function | score | out of | |", "|---|---:|---:|---|"]
    for name, fn in r.functions.items():
        lines.append(f"| {name} | {points(fn.score)} | {points(fn.max_score)} | "
                     f"{'full marks' if fn.passed else 'lost points'} |")
    lost = [fn for fn in r.functions.values() if not fn.passed]
    lines += ["", "## What to fix", ""]
    if not lost:
        lines.append("Nothing: every check passed.")
    for fn in lost:
        fence = _fence(fn.output)
        lines += [f"### {fn.name}: {points(fn.score)} / {points(fn.max_score)}", "",
                  f"{fence}text", fn.output, fence, ""]
    return "\n".join(lines).rstrip() + "\n"


def feedback_html(g: Graded, rubric: Rubric) -> str:
    e = html.escape
    who = e(_who(g))
    parts = [f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
             "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
             "style-src 'unsafe-inline'\">"
             f"<title>backprop-lab feedback: {who}</title><style>{STYLE}</style></head><body>",
             f"<h1>backprop-lab feedback: {who}</h1>",
             f"<p>Submission: {e(g.student.submission)}</p>"]
    if g.result is None:
        parts += ["<p class='score problem'>This submission could not be graded, so it has no "
                  "score yet.</p>", f"<pre>{e(g.student_reason)}</pre>",
                  f"<p>{e(NOT_GRADED_NEXT)}</p>"]
        return "\n".join(parts) + "\n</body></html>\n"
    r = g.result
    parts.append(f"<p class='score'>Score: {points(r.score)} / {points(r.max_score)}</p>")
    items = [f"<li class='problem'>Module problem: {e(w)}</li>" for w in r.modules.values()]
    items += [f"<li>Note: {e(n)}</li>" for n in r.notes]
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    parts.append("<h2>Per function</h2><table><thead><tr><th>function</th>"
                 "<th class='num'>score</th><th class='num'>out of</th></tr></thead><tbody>")
    for name, fn in r.functions.items():
        link = f"<a href='#{e(name)}'>{e(name)}</a>" if not fn.passed else e(name)
        parts.append(f"<tr class='{'full' if fn.passed else 'lost'}'><td>{link}</td>"
                     f"<td class='num'>{points(fn.score)}</td>"
                     f"<td class='num'>{points(fn.max_score)}</td></tr>")
    parts.append("</tbody></table><h2>What to fix</h2>")
    lost = [fn for fn in r.functions.values() if not fn.passed]
    if not lost:
        parts.append("<p>Nothing: every check passed.</p>")
    for fn in lost:
        parts.append(f"<h3 id='{e(fn.name)}'>{e(fn.name)}: {points(fn.score)} / "
                     f"{points(fn.max_score)}</h3><pre>{e(fn.output)}</pre>")
    return "\n".join(parts) + "\n</body></html>\n"


def write_feedback(folder: Path, graded: list[Graded], rubric: Rubric,
                   stems: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for g in graded:
        stem = stems[g.student.submission]
        (folder / f"{stem}.md").write_text(feedback_markdown(g, rubric), encoding="utf-8")
        (folder / f"{stem}.html").write_text(feedback_html(g, rubric), encoding="utf-8")
