"""The score histogram: its bins (shared by report.html's SVG) and scores.png.

scores.png is drawn with Pillow alone: importing a plotting library costs more CPU than the
rest of a small `make grade` run put together.
"""

from __future__ import annotations

from pathlib import Path

BINS = 20
BAR = (59, 110, 165)  # #3b6ea5, as in report.html
INK = (38, 38, 38)
WIDTH, HEIGHT = 600, 350
LEFT, RIGHT, TOP, BOTTOM = 62, 20, 38, 52


def histogram_counts(scores: list[float], total: float, bins: int = BINS) -> list[int]:
    """How many scores fall in each of ``bins`` equal bins from 0 to ``total`` (the last one
    holds ``total`` itself)."""
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s / total * bins))) if total else 0] += 1
    return counts


def _step(peak: int) -> int:
    """A step for the count axis that gives at most about six labels."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if peak / step <= 6:
            return step
    return max(1, peak // 5)


def plot_scores(scores: list[float], total: float, path: Path, left_out: int = 0) -> None:
    """The histogram of the graded submissions' scores as a PNG; ``left_out`` error rows are
    named in the title, never drawn as zeros."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font, title_font = ImageFont.load_default(size=12), ImageFont.load_default(size=15)
    counts = histogram_counts(scores, total)
    step = _step(max(counts) or 1)
    top_count = max(step, -(-max(counts) // step) * step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    axis_y = TOP + plot_h
    bar_w = plot_w / BINS

    title = (f"Score distribution ({len(scores)} submissions"
             + (f"; {left_out} not graded, left out)" if left_out else ")"))
    draw.text((WIDTH / 2, TOP / 2), title, fill=INK, font=title_font, anchor="mm")
    for i, count in enumerate(counts):
        if count:
            x = LEFT + i * bar_w
            y = axis_y - plot_h * count / top_count
            draw.rectangle((x, y, x + bar_w, axis_y), fill=BAR, outline="white")
    draw.line((LEFT, TOP, LEFT, axis_y, LEFT + plot_w, axis_y), fill=INK, width=1)
    for i in range(0, BINS + 1, 4):
        x = LEFT + i * bar_w
        draw.line((x, axis_y, x, axis_y + 4), fill=INK)
        draw.text((x, axis_y + 7), f"{total * i / BINS:g}", fill=INK, font=font, anchor="mt")
    for count in range(0, top_count + 1, step):
        y = axis_y - plot_h * count / top_count
        draw.line((LEFT - 4, y, LEFT, y), fill=INK)
        draw.text((LEFT - 7, y), str(count), fill=INK, font=font, anchor="rm")
    draw.text((LEFT + plot_w / 2, HEIGHT - 12), f"score (out of {total:g})", fill=INK,
              font=font, anchor="mb")
    label = Image.new("RGB", (120, 18), "white")
    ImageDraw.Draw(label).text((60, 9), "submissions", fill=INK, font=font, anchor="mm")
    image.paste(label.rotate(90, expand=True), (6, int(TOP + plot_h / 2 - 60)))
    image.save(path, format="PNG", optimize=False)
