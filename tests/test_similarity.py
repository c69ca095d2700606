"""The similarity report: disguised copies are found, independent work and the skeleton are not.

The class is built here: the reference and the correct variants (independent work), one
disguised copy of each of them, a partial copy, a copy of a "public" solution given as prior
work, untouched skeletons and skeletons with the same one-liner.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import autograder.similarity.disguises as sc
from autograder.discovery import discover
from autograder.similarity import build
from autograder.similarity.disguises import (
    COPIES,
    INDEPENDENT,
    MORE_COPIES,
    PRIOR_NAME,
    build_class,
    source_of,
)
from autograder.similarity.fingerprint import fingerprint_module

ROOT = Path(__file__).resolve().parents[1]
@pytest.fixture(scope="module")
def made(tmp_path_factory):
    base = tmp_path_factory.mktemp("similarity")
    klass, prior = build_class(base)
    out = base / "out"
    run = subprocess.run([sys.executable, "-m", "autograder.similarity", str(klass), "--out",
                          str(out), "--prior", str(prior / "2025")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return klass, prior, out


@pytest.fixture(scope="module")
def report(made, tmp_path_factory):
    klass, prior, _ = made
    scratch = tmp_path_factory.mktemp("scratch")
    return build(discover(klass, scratch / "a").submissions,
                 discover(prior / "2025", scratch / "b").submissions)


def pair_key(p) -> frozenset[str]:
    return frozenset((p.a.key, p.b.key.removeprefix("prior: ")))


def copy_pairs() -> set[frozenset[str]]:
    """Each copy with its source; last year's copy of the reference with it and its rewrite."""
    return {frozenset((name, PRIOR_NAME if name == "frompublic" else source))
            for name, (source, _) in COPIES.items()} | {
        frozenset(pair) for pair in MORE_COPIES}


def test_every_copy_is_flagged_and_ranks_above_every_independent_pair(report):
    pairs = {pair_key(p): p for p in report.pairs}
    copies = copy_pairs()
    assert copies <= set(pairs), copies - set(pairs)
    flagged = {k for k, p in pairs.items() if p.flagged}
    assert flagged == copies  # and nothing else: variants, skeletons, one-liners stay quiet
    lowest_copy = min(pairs[k].similarity for k in copies)
    highest_other = max(p.similarity for k, p in pairs.items() if k not in copies
                        and not (k & {*COPIES, "another-year", "partialmix"}))  # independent pairs
    assert lowest_copy > highest_other
    ranked = [pair_key(p) for p in report.pairs]
    assert set(ranked[:len(copies)]) == copies  # most similar first


def test_independent_variants_are_never_flagged_against_each_other(report):
    for p in report.pairs:
        if p.a.key in INDEPENDENT and p.b.key in INDEPENDENT:
            assert not p.flagged, (p.a.key, p.b.key, p.similarity)


def test_skeletons_are_not_compared_and_one_liners_not_flagged(report):
    why = {e.key: e.why_not for e in report.not_compared}
    assert why["skeleton1"] == why["skeleton2"] == "nothing beyond the handout's skeleton"
    one_liners = [p for p in report.pairs if {p.a.key, p.b.key} == {"one-liner1", "one-liner2"}]
    assert all(not p.flagged for p in one_liners)
    assert all(p.similarity < 0.2 for p in one_liners)


def test_prior_work_is_compared_with_the_class_only(report):
    for p in report.pairs:
        assert not (p.a.prior and p.b.prior)
        assert not p.a.prior  # the class's side first
    public = [p for p in report.pairs if p.b.key == f"prior: {PRIOR_NAME}" and p.flagged]
    assert sorted(p.a.key for p in public) == ["frompublic", "partialmix"]
    # the prior copy of the reference is found for the comprehension rewrite of it too
    assert any(p.b.key == "prior: another-year" and p.a.key == "comprehensions" and p.flagged
               for p in report.pairs)


def test_partial_copy_names_the_modules_it_shares(report):
    from autograder.similarity.pages import function_rows

    (pair,) = [p for p in report.pairs if pair_key(p) == frozenset(("partial", "recompute_z"))]
    modules = {row[0].split(".")[0] for row in function_rows(pair)}
    assert modules == {"layers", "network"}


def test_csv_columns_and_values(made):
    _, _, out = made
    with open(out / "similarity.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["submission_a", "submission_b", "similarity", "flagged"]
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert body and all(0 <= float(r["similarity"]) <= 1 for r in body)
    assert {r["flagged"] for r in body} == {"yes", "no"}
    sims = [float(r["similarity"]) for r in body if r["flagged"] == "no"]
    assert sims == sorted(sims, reverse=True)
    public = [r for r in body if r["submission_a"] == "frompublic" and r["flagged"] == "yes"]
    assert public and PRIOR_NAME in public[0]["prior_files"]
    assert "layers.py" in public[0]["prior_files"]
    for r in body:
        if r["page"]:
            assert (out / r["page"]).is_file()


def test_loop_and_comprehension_read_the_same():
    loop = ("def f(xs):\n    out = []\n    for x in xs:\n        if x > 0:\n"
            "            out.append(x * 2 + 1)\n    total = 0\n    total += len(out) * 3\n"
            "    return out, total\n")
    comp = ("def g(values):\n    res = [v * 2 + 1 for v in values if v > 0]\n"
            "    acc = 0\n    acc = acc + len(res) * 3\n    return res, acc\n")
    assert set(fingerprint_module(loop).where) == set(fingerprint_module(comp).where)


def test_bad_input_is_listed_not_compared(tmp_path):
    klass = tmp_path / "class"
    sc.write_package(source_of("reference"), klass / "good")
    sc.write_package(source_of("loops"), klass / "good2")
    broken = source_of("float32")
    broken["layers"] = broken["layers"].replace("def linear_forward(", "def linear_forward((")
    sc.write_package(broken, klass / "syntax")
    binary = klass / "binary" / "backprop"
    binary.mkdir(parents=True)
    for module in ("activations", "layers"):
        (binary / f"{module}.py").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe" + os.urandom(200))
    huge = source_of("chatty")
    huge["layers"] += "\n" + "x = 1\n" * 60_000
    sc.write_package(huge, klass / "huge")
    (klass / "empty").mkdir()
    (klass / "damaged.zip").write_bytes(b"PK\x03\x04 not really a zip")
    linked = klass / "linked" / "backprop"
    linked.mkdir(parents=True)
    for p in (ROOT / "solutions" / "backprop").glob("*.py"):
        (linked / p.name).symlink_to(p)  # never followed: it would copy the reference
    nested = klass / "nested" / "backprop"
    nested.mkdir(parents=True)
    (nested / "layers.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (nested / "network.py").write_text("def f(a):\n    return " + "a + " * 60_000 + "a\n")
    scratch = tmp_path / "scratch"
    from autograder.discovery import Submission
    from autograder.model import Student

    listed = Submission(Student("listed", name="No Files"), klass / "missing", "export/missing/")
    report = build([*discover(klass, scratch).submissions, listed])
    why = {e.key: e.why_not for e in report.entries}
    assert why["listed"] == "the export lists it but it has no files"
    skipped = {e.key: " ".join(e.skipped) for e in report.entries}
    assert why["good"] == why["good2"] == ""
    assert why["syntax"] == "" and "layers.py: it does not parse" in skipped["syntax"]
    assert "not UTF-8" in why["binary"]
    assert why["huge"] == "" and "larger than 256 KB" in skipped["huge"]
    assert why["empty"] and why["damaged"] and why["linked"] and why["nested"]
    assert "damaged" in why["damaged"] or "zip" in why["damaged"]
    assert not any(p.flagged for p in report.pairs if "linked" in (p.a.key, p.b.key))
    section = report.section
    for name in ("binary", "empty", "damaged", "linked", "nested"):
        assert f"<li>{name}: " in section


def test_names_and_code_are_escaped(tmp_path):
    klass = tmp_path / "class"
    hostile = source_of("reference")
    hostile["layers"] += '\n\ndef helper():\n    return "</pre><script>alert(1)</script>"\n'
    hostile["layers"] += '\n\ndef helper2(x):\n    y = [x + 1 for _ in range(3)]\n    return y\n'
    sc.write_package(hostile, klass / "<img src=x onerror=alert(1)>")
    sc.write_package(hostile, klass / "=HYPERLINK(1)")
    sc.write_package(hostile, klass / "evil\u202egnp.exe\x1b[31m")
    sc.write_package(source_of("loops"), klass / "other")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "autograder.similarity", str(klass), "--out",
                          str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    pages = list((out / "similarity").glob("*.html"))
    assert pages
    for page in [*pages, out / "similarity.html"]:
        text = page.read_text()
        assert "<script>alert" not in text and "<img src=x" not in text
    section = (out / "similarity.html").read_text()
    assert "&lt;img src=x onerror=alert(1)&gt;" in section
    assert "evil?gnp.exe?[31m" in section and "\u202e" not in section and "\x1b" not in section
    rows = list(csv.reader(open(out / "similarity.csv", encoding="utf-8")))
    assert any(r[0] == "'=HYPERLINK(1)" or r[1] == "'=HYPERLINK(1)" for r in rows[1:])


def test_make_similarity_replaces_only_its_own_pages(made, tmp_path):
    klass, _, _ = made
    out = tmp_path / "out"
    (out / "similarity").mkdir(parents=True)
    (out / "similarity" / "notes.txt").write_text("mine")
    command = [sys.executable, "-m", "autograder.similarity", str(klass), "--out", str(out)]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "not replaced" in run.stderr
    assert (out / "similarity" / "notes.txt").read_text() == "mine"
    (out / "similarity" / "notes.txt").unlink()
    (out / "similarity" / "old--pair.html").write_text("old")
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert not (out / "similarity" / "old--pair.html").exists()
    assert (out / "similarity.html").is_file() and (out / "similarity.csv").is_file()


def test_make_similarity_needs_submissions():
    run = subprocess.run(["make", "-s", "similarity", "SUBMISSIONS="], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "SUBMISSIONS=PATH" in run.stdout + run.stderr


def test_reads_zipped_submissions(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    for name, modules in (("a", source_of("reference")), ("b", sc.renamed(source_of(
            "reference"))), ("c", source_of("loops"))):
        folder = sc.write_package(modules, tmp_path / name)
        with zipfile.ZipFile(klass / f"{name}.zip", "w") as zf:
            for f in sorted(folder.rglob("*.py")):
                zf.write(f, str(f.relative_to(folder)))
    report = build(discover(klass, tmp_path / "scratch").submissions)
    assert pair_key(report.pairs[0]) == frozenset("ab") and report.pairs[0].similarity > 0.95
    # three pairs cannot show what a typical pair is: listed, not flagged, and the report says so
    assert not any(p.flagged for p in report.pairs)
    assert "too few to tell what a typical pair" in report.section
    assert all(len(report.entries[i].hashes) > 50 for i in range(3))
    assert not any(itertools.chain.from_iterable(e.skipped for e in report.entries))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """`make grade`'s command on a small export: the report gets its similarity section."""
    from grade_helpers import metadata_yaml, run_grade

    base = tmp_path_factory.mktemp("graded")
    export = base / "export"
    sc.write_package(source_of("reference"), export / "submission_1")
    sc.write_package(sc.recommented(sc.renamed(source_of("reference"))), export / "submission_2")
    sc.write_package(source_of("loops"), export / "submission_3")
    sc.write_package(source_of("float32"), export / "submission_4")
    people = {f"submission_{i}": [(name, f"00{i}", f"s{i}@example.edu")] for i, name in
              enumerate(["Ada <b>Lovelace</b>", "Alan Turing", "Grace Hopper", "Kurt Gödel"],
                        start=1)}
    (export / "submission_metadata.yml").write_text(metadata_yaml(people))
    prior = base / "prior"
    sc.write_package(source_of("float32"), prior / "last-year")
    sc.write_package(source_of("chatty"), prior / "public")
    out = base / "out"
    run = run_grade(export, "--out", out, "--prior", prior)
    assert run.returncode == 0, run.stderr
    assert "similarity: 4 submissions compared" in run.stderr
    return out


def test_make_grade_writes_the_report_with_names(graded):
    rows = list(csv.DictReader(open(graded / "similarity.csv", encoding="utf-8")))
    flagged = [(r["submission_a"], r["submission_b"]) for r in rows if r["flagged"] == "yes"]
    assert sorted(flagged) == [("submission_1", "submission_2"),
                               ("submission_4", "prior: last-year")]
    first = next(r for r in rows if r["flagged"] == "yes" and r["submission_b"] == "submission_2")
    assert first["name_a"] == "Ada <b>Lovelace</b>" and first["name_b"] == "Alan Turing"
    html = (graded / "report.html").read_text()
    assert "id='similarity'" in html and "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html


def test_report_section_and_pair_pages_in_chromium(graded, tmp_path):
    from test_class_report import chromium, console_errors

    run = chromium("--dump-dom", (graded / "report.html").resolve().as_uri(), tmp=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_errors(run.stderr) == []
    section = run.stdout[run.stdout.index('id="similarity"'):]
    flagged = section[:section.index('id="similar-unflagged"')]
    assert len(re.findall(r'href="(similarity/[^"]+\.html)"', flagged)) == 2
    links = re.findall(r'href="(similarity/[^"]+\.html)"', section)
    assert len(links) == 5  # and the three most similar unflagged pairs
    for link in links[:2]:
        page = graded / link
        shown = chromium("--dump-dom", page.resolve().as_uri(), tmp=tmp_path)
        assert shown.returncode == 0, shown.stderr[-2000:]
        assert console_errors(shown.stderr) == []  # no error, no refused load
        dom = shown.stdout
        assert dom.count('class="shared"') >= 40  # the highlighted passages, both sides
        assert 'id="functions"' in dom and "network.backward" in dom
        text = page.read_text()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
        assert "default-src 'none'" in text and "url(" not in text


def test_a_damaged_prior_never_costs_the_grades(tmp_path):
    from grade_helpers import grades, run_grade

    for name in ("ann", "ben"):
        sc.write_package(source_of("reference"), tmp_path / "class" / name)
    (tmp_path / "prior.zip").write_bytes(b"PK\x03\x04 damaged")
    out = tmp_path / "out"
    run = run_grade(tmp_path / "class", "--out", out, "--prior", tmp_path / "prior.zip")
    assert run.returncode == 0, run.stderr
    assert "warning: PRIOR not compared" in run.stderr
    assert set(grades(out)) == {"ann", "ben"} and (out / "similarity.csv").is_file()


def test_one_submission_gets_no_similarity_report(tmp_path):
    from grade_helpers import run_grade

    single = sc.write_package(source_of("reference"), tmp_path / "alice")
    run = run_grade(single, "--out", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "out" / "similarity.csv").exists()
    assert not (tmp_path / "out" / "similarity").exists()
    assert "id='similarity'" not in (tmp_path / "out" / "report.html").read_text()


def test_idioms_of_the_class_count_for_nobody_unless_prior_work_holds_them():
    import numpy as np

    from autograder.similarity.compare import Entry, set_aside_idioms

    def entry(key, hashes, prior=False):
        return Entry(key=key, prior=prior, hashes=np.array(sorted(hashes), dtype=np.uint64))

    klass = [entry(f"s{i}", {1, 2, 100 + i} | ({3} if i < 5 else set())) for i in range(20)]
    prior = entry("prior: p", {2}, prior=True)
    assert set_aside_idioms([*klass, prior]) == 1  # 1: in all 20; 2: prior work; 3: in only 5
    assert klass[0].hash_set == {2, 3, 100} and prior.hash_set == {2}


def test_pair_page_screenshot_shows_the_highlights(graded, tmp_path):
    from test_class_report import chromium, console_errors

    (page,) = [p for p in (graded / "similarity").glob("submission_1--submission_2.html")]
    shot = tmp_path / "pair.png"
    run = chromium("--window-size=1280,1400", f"--screenshot={shot}", page.resolve().as_uri(),
                   tmp=tmp_path)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    assert console_errors(run.stderr) == []
    import matplotlib.image

    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int)
    assert pixels.shape[:2] == (1400, 1280)
    highlight = (abs(pixels - (0xFF, 0xE0, 0x8A)).sum(axis=-1) <= 6)
    assert highlight.sum() > 20_000  # shared lines are drawn highlighted...
    assert highlight[:, :640].sum() > 5_000 and highlight[:, 640:].sum() > 5_000  # ...on both sides


def test_a_public_solution_copied_by_many_is_found_when_given_as_prior(tmp_path):
    klass, prior = tmp_path / "class", tmp_path / "prior"
    for name in INDEPENDENT:
        sc.write_package(source_of(name), klass / name)
    public = source_of("stable_formulas")
    disguises = [sc.renamed, sc.reordered, sc.recommented, sc.dead_code, sc.comprehensions,
                 lambda m: sc.reordered(sc.renamed(m))]
    for i, disguise in enumerate(disguises):
        sc.write_package(disguise(public), klass / f"copier{i}")
    sc.write_package(public, prior / "public" / "tutorial-solution")
    with_prior = build(discover(klass, tmp_path / "a").submissions,
                       discover(prior / "public", tmp_path / "b").submissions)
    found = {p.a.key for p in with_prior.pairs if p.flagged and p.b.prior}
    # (without PRIOR, code that more than a fifth of the class share is taken for an idiom:
    # the README says so)
    assert found == {f"copier{i}" for i in range(len(disguises))}


def test_every_variant_against_every_other(tmp_path):
    """All of tests/variants/, whatever is added there: none is flagged against another."""
    klass = tmp_path / "class"
    for variant in sorted(p for p in sc.VARIANTS.iterdir() if (p / "backprop").is_dir()):
        sc.write_package(sc.sources(variant / "backprop"), klass / variant.name)
    report = build(discover(klass, tmp_path / "scratch").submissions)
    assert report.compared >= 7 and report.threshold.pairs >= 21
    assert [(p.a.key, p.b.key, round(p.similarity, 2)) for p in report.pairs if p.flagged] == []
