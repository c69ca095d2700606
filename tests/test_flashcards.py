"""The study deck: flashcards.tsv imports cleanly into Anki and says the same as flashcards.md."""

from __future__ import annotations

from pathlib import Path

import pytest

ASSIGNMENTS = Path(__file__).resolve().parents[1] / "assignments"
TSV = ASSIGNMENTS / "flashcards.tsv"
MD = ASSIGNMENTS / "flashcards.md"
MIN_CARDS = 27  # the course's deck announces 27 cards; ours must not have fewer


def _tsv_lines() -> list[str]:
    raw = TSV.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Anki would put it in card 1"
    text = raw.decode("utf-8")  # strict: raises on anything that is not UTF-8
    assert "\r" not in text, "Unix line endings only"
    assert text.endswith("\n"), "the last card must end with a newline"
    return text[:-1].split("\n")


def _tsv_cards() -> list[tuple[str, str]]:
    cards = []
    for number, line in enumerate(_tsv_lines(), start=1):
        fields = line.split("\t")
        assert len(fields) == 2, f"line {number}: {len(fields)} fields, expected front<TAB>back"
        front, back = fields
        assert front.strip() and back.strip(), f"line {number}: empty field"
        assert front == front.strip() and back == back.strip(), f"line {number}: stray spaces"
        # Anki reads a leading '#' as a header/comment line, so no card may start with one.
        assert not front.startswith("#"), f"line {number} would be taken for a header"
        cards.append((front, back))
    return cards


def _md_cards() -> list[tuple[str, str]]:
    """(question, answer) from every table row "| n | question | answer |" of the sheet."""
    cards = []
    for line in MD.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and cells[0].isdigit():
            cards.append((cells[1], cells[2]))
    return cards


def test_tsv_is_well_formed_and_big_enough():
    cards = _tsv_cards()
    assert len(cards) >= MIN_CARDS, f"only {len(cards)} cards"
    fronts = [front for front, _ in cards]
    duplicates = sorted({front for front in fronts if fronts.count(front) > 1})
    assert not duplicates, f"Anki keys notes on the front; duplicated: {duplicates}"


def test_every_tsv_card_is_on_the_markdown_sheet():
    text = MD.read_text(encoding="utf-8")
    missing = [front for front, _ in _tsv_cards() if front not in text]
    assert not missing, f"fronts missing from flashcards.md: {missing}"


def test_sheet_and_deck_hold_the_same_cards_in_the_same_order():
    assert _md_cards() == _tsv_cards()


@pytest.mark.parametrize(
    "fact",
    [
        "σ(z) · (1 − σ(z))",  # sigmoid derivative
        "½ Σₖ (yₖ − ŷₖ)²",  # MSE
        "w ← w − η · ∂J/∂w",  # the update rule
        "0.2984",  # first-pass loss of the lecture's example
    ],
    ids=["sigmoid-derivative", "mse", "update-rule", "first-pass-loss"],
)
def test_the_course_facts_are_in_the_deck(fact):
    assert any(fact in back for _, back in _tsv_cards()), fact
