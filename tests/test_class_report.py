"""OUT/report.html in a real headless Chromium (Debian's package; .ci/run installs it), and the
feedback files of each student."""

import copy
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from grade_helpers import copy_reference, copy_sample, metadata_yaml, run_grade

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--enable-logging=stderr", "--v=0"]
HISTOGRAM_BLUE = (0x3B, 0x6E, 0xA5)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    export = base / "export"
    copy_reference(export / "submission_1" / "backprop")
    for i, sample in enumerate(["typical-mistakes-a", "typical-mistakes-b", "partially-done",
                                "missing-module"], start=2):
        copy_sample(sample, export / f"submission_{i}")
    (export / "submission_6").mkdir()
    (export / "submission_6" / "notes.txt").write_text("forgot my code")
    people = {f"submission_{i}": [(name, f"00{i}", f"s{i}@example.edu")] for i, name in
              enumerate(["Ada <b>Lovelace</b>", "Alan Turing", "Grace Hopper", "Edsger Dijkstra",
                         "Barbara Liskov", "Donald Knuth"], start=1)}
    (export / "submission_metadata.yml").write_text(metadata_yaml(people))
    out = base / "out"
    run = run_grade(export, "--out", out)
    assert run.returncode == 0, run.stderr
    return out


def chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does)")
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line
            or "Refused to" in line]


def test_report_renders_with_table_plots_and_no_javascript_error(graded, tmp_path):
    page = (graded / "report.html").resolve().as_uri()
    run = chromium("--dump-dom", page + "#sort=score-desc", tmp=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_errors(run.stderr) == []
    dom = run.stdout
    assert 'data-ready="yes"' in dom  # the page's script ran to its end
    assert dom.count("class=\"bar\"") >= 20 + 23  # histogram bins and one bar per function
    assert 'id="histogram"' in dom and 'id="pass-rates"' in dom
    table = dom[dom.index('id="students"'):]
    rows = re.findall(r"<tr><td[^>]*>(submission_\d)</td>", table)
    assert len(rows) == 6
    scores = [float(s) for s in re.findall(r'data-sort="(-?[\d.]+)">(?:[\d.]+|error)</td>',
                                           table)[:6]]
    assert scores == sorted(scores, reverse=True) and scores[0] == 100  # sorted by the script
    assert 'aria-sort="descending"' in dom
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in dom  # names are text, never markup
    for stem in rows:
        assert f'href="feedback/{stem}.html"' in table and (graded / "feedback" /
                                                             f"{stem}.html").is_file()
    failing = dom[dom.index('id="failing-checks"'):]
    assert re.search(r"times too large: average over the mini-batch", failing)  # a diagnosis


def test_report_loads_nothing_from_the_network(graded):
    page = (graded / "report.html").read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "default-src 'none'" in page and "@import" not in page and "url(" not in page


def test_screenshot_shows_the_plots(graded, tmp_path):
    shot = tmp_path / "report.png"
    run = chromium("--window-size=1280,1600", f"--screenshot={shot}",
                   (graded / "report.html").resolve().as_uri(), tmp=tmp_path)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    assert console_errors(run.stderr) == []
    import matplotlib.image

    pixels = (matplotlib.image.imread(shot)[..., :3] * 255).round().astype(int)
    assert pixels.shape[:2] == (1600, 1280)
    blue = (abs(pixels - HISTOGRAM_BLUE).sum(axis=-1) <= 6).sum()
    assert blue > 2000  # the histogram's bars are drawn
    green = (abs(pixels - (0x2E, 0x85, 0x40)).sum(axis=-1) <= 6).sum()
    assert green > 1000  # and the full-marks bars of the functions most students got right
    kept = os.environ.get("BACKPROP_LAB_SCREENSHOT")
    if kept:  # to look at it: BACKPROP_LAB_SCREENSHOT=/tmp/report.png pytest ...
        shutil.copy(shot, kept)


def test_feedback_for_each_student(graded):
    md = (graded / "feedback" / "submission_2.md").read_text()
    assert md.startswith("# backprop-lab feedback: Alan Turing")
    assert re.search(r"\*\*Score: \d+\.\d\d / 100\.00\*\*", md)
    assert "| sigmoid_derivative | 0.00 | 3.00 | lost points |" in md
    assert "### sigmoid_derivative: 0.00 / 3.00" in md
    assert "Likely mistake: your derivative matches z(1-z)" in md  # the check's own feedback
    html = (graded / "feedback" / "submission_2.html").read_text()
    assert "Likely mistake: your derivative matches z(1-z)" in html and "<script" not in html
    full = (graded / "feedback" / "submission_1.md").read_text()
    assert "**Score: 100.00 / 100.00**" in full and "Nothing: every check passed." in full
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in (graded / "feedback" / "submission_1.html").read_text()
    empty = (graded / "feedback" / "submission_6.md").read_text()
    assert "could not be graded" in empty and "no module files" in empty and "notes.txt" in empty


MEASURE = """<script>
var right = 0;
document.querySelectorAll('#students tr > :last-child, #students td, #failing-checks td')
  .forEach(function (c) { right = Math.max(right, c.getBoundingClientRect().right); });
document.body.setAttribute('data-page-width', document.documentElement.scrollWidth);
document.body.setAttribute('data-table-right', Math.ceil(right));
</script>"""


def test_report_fits_a_1280_pixel_window(graded, tmp_path):
    """Real classes have long names, group emails and error messages with long paths: the
    students' table still fits a 1280-pixel window, feedback links included."""
    from autograder.engine.rubric import load_rubric
    from autograder.model import Student
    from autograder.outputs.class_report import report_html
    from autograder.outputs.report import file_stems
    from autograder.outputs.runs import load_run

    rows = load_run(graded)
    group = copy.deepcopy(next(g for g in rows if g.result is not None and not all(
        f.passed for f in g.result.functions.values())))
    group.student = Student(
        "submission_3101894567", "Alexandra Konstantinopoulou-Wainwright; Bartholomew "
        "Featherstonehaugh-Cholmondeley; Geoffrey Everest Hinton",
        "alexandra.konstantinopoulou-wainwright@students.example.edu; "
        "bartholomew.featherstonehaugh@students.example.edu; ghinton@cs.example.edu",
        "20261030451; 20261030452; 20261030453")
    broken = copy.deepcopy(next(g for g in rows if g.result is None))
    broken.student = Student("submission_3101894568", "Geoffrey Hinton")
    broken.error = ("Geoffrey Hinton (/home/instructor/Downloads/assignment_1234567_export/"
                    "submission_3101894568/): backprop.zip is damaged or truncated, or not a zip "
                    "file (BadZipFile: File is not a zip file)")
    rows += [group, broken]
    page = tmp_path / "report.html"
    page.write_text(report_html(rows, load_rubric(), file_stems(rows)).replace(
        "</body>", MEASURE + "</body>"))
    run = chromium("--window-size=1280,1000", "--dump-dom", page.as_uri(), tmp=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    width = int(re.search(r'data-page-width="(\d+)"', run.stdout).group(1))
    right = int(re.search(r'data-table-right="(\d+)"', run.stdout).group(1))
    assert width <= 1280 and right <= 1280, (width, right)
    shot = tmp_path / "report-1280.png"
    run = chromium("--window-size=1280,3000", f"--screenshot={shot}", page.as_uri(), tmp=tmp_path)
    assert run.returncode == 0 and shot.is_file()
    kept = os.environ.get("BACKPROP_LAB_SCREENSHOT")
    if kept:  # to look at it: BACKPROP_LAB_SCREENSHOT=/tmp/report.png pytest ...
        shutil.copy(shot, Path(kept).with_name("report-1280.png"))
