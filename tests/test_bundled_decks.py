"""The bundled decks: they validate, are big enough, cite their sources, agree with themselves,
and are written in their own words (no 12-word run copied from a source document)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from nqpf_tutor.core.loader import load_deck_file, validate_paths
from nqpf_tutor.core.model import CARD_TYPES, ID_RE, Card, Deck

DECKS_DIR = Path(__file__).parents[1] / "decks"
SOURCES_DIR = Path(__file__).parents[2] / "shared" / "sources"

MIN_CARDS = {"eras": 100, "foundations": 25, "policies": 35, "dates": 25, "digital": 18}
TOPIC_TAGS = {"eras", "foundations", "policies", "dates"}

#: The five documents, as every deck must describe them.
EXPECTED_SOURCES = {
    "note-2024": {"title": "The Note of New Quality Productive Forces", "author": "wenhq", "date": "2024-12-16"},
    "chinadaily-abcs": {
        "title": "The ABCs of new quality productive forces", "publisher": "China Daily", "date": "2024-03-06",
    },
    "xu-explaining": {
        "title": 'Explaining China\'s Focus on "New Quality Productive Forces"', "author": "Yanzi Xu", "date": "2024",
    },
    "explainer-new-productivity": {
        "title": 'What is "new productivity"?', "publisher": "unsigned explainer", "date": "early 2024",
    },
    "taihe-tian-2024": {
        "title": "New Quality Productive Forces: Essence, Structural Framework, and Policy Implications",
        "author": "Tian Kun", "publisher": "Taihe Institute (TI Observer)", "date": "2024-05-11",
    },
}

WINDOW = 12
WORD_RE = re.compile(r"[a-z0-9']+")


def _words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


def _deck_paths() -> list[Path]:
    return sorted(p for p in DECKS_DIR.iterdir() if p.suffix in (".yaml", ".yml"))


@pytest.fixture(scope="module")
def decks() -> dict[str, Deck]:
    loaded = [load_deck_file(p, bundled=True) for p in _deck_paths()]
    by_id = {d.id: d for d in loaded}
    assert len(by_id) == len(loaded), "deck ids must be unique"
    return by_id


@pytest.fixture(scope="module")
def all_cards(decks: dict[str, Deck]) -> list[Card]:
    return [c for d in decks.values() for c in d.cards]


def _text_fields(card: Card) -> list[str]:
    return [card.prompt, card.answer, card.explanation, *card.distractors, *card.items, *card.accept]


# --- validation and size -------------------------------------------------------------------

def test_bundled_decks_validate_clean() -> None:
    problems = validate_paths(_deck_paths())
    assert problems == [], "\n".join(str(p) for p in problems)


def test_bundled_decks_match_the_json_schema() -> None:
    """Editors check decks against the schema: the raw YAML must pass it, not only the loader."""
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")
    import json

    import nqpf_tutor

    schema_path = Path(nqpf_tutor.__file__).parent / "deck.schema.json"
    if not schema_path.is_file():
        pytest.skip("no deck.schema.json in the package")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    for path in _deck_paths():
        errors = [list(e.absolute_path) for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
        assert not errors, f"{path.name}: {errors}"


def test_enough_decks_and_cards(decks: dict[str, Deck], all_cards: list[Card]) -> None:
    assert len(decks) >= 5
    assert len(all_cards) >= 150
    for deck_id, minimum in MIN_CARDS.items():
        assert deck_id in decks, f"missing deck {deck_id}"
        assert len(decks[deck_id].cards) >= minimum, f"{deck_id}: {len(decks[deck_id].cards)} < {minimum}"


def test_every_card_type_is_used(all_cards: list[Card]) -> None:
    used = Counter(c.type for c in all_cards)
    assert set(CARD_TYPES) <= set(used), f"unused types: {set(CARD_TYPES) - set(used)}"
    # hand-written, not only table-generated, flips and mcqs as well
    hand = Counter(c.type for c in all_cards if c.table is None)
    assert set(CARD_TYPES) <= set(hand)


# --- citations, explanations, ids, tags ----------------------------------------------------

def test_every_card_cites_a_known_source_and_explains(decks: dict[str, Deck]) -> None:
    for deck in decks.values():
        for card in deck.cards:
            assert card.sources, card.uid
            for s in card.sources:
                assert s in deck.sources, f"{card.uid}: unknown source {s}"
                assert s in EXPECTED_SOURCES, f"{card.uid}: source {s} is not one of the five documents"
            assert card.explanation.strip(), f"{card.uid}: empty explanation"


def test_sources_are_described_as_the_documents_are(decks: dict[str, Deck]) -> None:
    for deck in decks.values():
        for sid, source in deck.sources.items():
            expected = EXPECTED_SOURCES[sid]
            for key, value in expected.items():
                assert getattr(source, key) == value, f"{deck.id}: source {sid} {key}"


def test_ids_are_slugs_and_unique_across_decks(all_cards: list[Card]) -> None:
    seen: dict[str, str] = {}
    for card in all_cards:
        assert ID_RE.match(card.id), card.uid
        assert card.id not in seen, f"{card.uid} duplicates {seen.get(card.id)}"
        seen[card.id] = card.uid


def test_topic_tags(decks: dict[str, Deck]) -> None:
    for deck in decks.values():
        for card in deck.cards:
            assert card.tags, f"{card.uid}: no tags"
            assert TOPIC_TAGS & set(card.tags), f"{card.uid}: no topic tag"
            if deck.id in TOPIC_TAGS:
                assert deck.id in card.tags, f"{card.uid}: missing topic tag {deck.id}"


# --- card shape ----------------------------------------------------------------------------

def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def test_multiple_choice_options(all_cards: list[Card]) -> None:
    for card in all_cards:
        if card.type == "mcq":
            options = [card.answer, *card.distractors]
            assert 3 <= len(options) <= 4, card.uid
        if card.distractors:
            options = [_norm(o) for o in (card.answer, *card.distractors)]
            assert len(set(options)) == len(options), f"{card.uid}: repeated option"
            for d in card.distractors:
                assert "all of the above" not in d.lower() and "none of the above" not in d.lower(), card.uid


def test_other_card_shapes(all_cards: list[Card]) -> None:
    for card in all_cards:
        if card.type == "truefalse":
            assert card.truth in (True, False), card.uid
        elif card.type == "cloze":
            assert card.cloze_answers(), card.uid
        elif card.type == "order":
            assert len(card.items) >= 3 and len(set(card.items)) == len(card.items), card.uid


# --- the eras table and the hand-written era cards ------------------------------------------

ERA_ROWS = ("steam", "electric", "info", "nqp")
ERA_COLS = ("power", "materials", "machines", "equipment", "systems", "applications", "characteristic")


@pytest.fixture(scope="module")
def eras(decks: dict[str, Deck]) -> Deck:
    return decks["eras"]


def _cell(eras: Deck, row: str, col: str) -> str:
    card = eras.card(f"eras.{row}.{col}")
    assert card is not None and card.type == "flip", f"eras.{row}.{col}"
    return card.answer


def _row_name(eras: Deck, row: str) -> str:
    card = eras.card(f"eras.{row}.power.which")
    assert card is not None
    return card.answer


def test_eras_table_is_four_by_seven(eras: Deck) -> None:
    generated = [c for c in eras.cards if c.table == "eras"]
    cells = {tuple(c.id.split(".")[1:3]) for c in generated if c.type == "flip"}
    assert {r for r, _ in cells} == set(ERA_ROWS)
    assert {c for _, c in cells} == set(ERA_COLS)
    assert len(cells) == 28
    assert len(generated) == 28 * 3
    for row in ERA_ROWS:
        for col in ERA_COLS:
            assert eras.card(f"eras.{row}.{col}.mcq") is not None
            assert eras.card(f"eras.{row}.{col}.which") is not None


#: Hand-written cards whose answer is exactly a table cell.
ERA_EQUAL = {
    "era-steam-power": ("steam", "power"),
    "era-steam-materials": ("steam", "materials"),
    "era-electric-equipment": ("electric", "equipment"),
    "era-smart-devices": ("nqp", "equipment"),
    "era-steam-systems": ("steam", "systems"),
    "era-info-characteristic": ("info", "characteristic"),
}
#: Cloze cards: each deletion appears in the given cell.
ERA_CLOZE = {
    "era-nqp-power": [("nqp", "power"), ("nqp", "power")],
    "era-steam-machines": [("steam", "machines"), ("steam", "machines")],
    "era-applications-cloze": [("steam", "applications"), ("info", "applications")],
}
#: True/false cards: (card, phrase, [(row, col, phrase is in the cell?)]); the card's truth must
#: be the conjunction.
ERA_TRUEFALSE = {
    "era-electricity-shared": ("electricity", [("electric", "power", True), ("info", "power", True)]),
    "era-steel-steam": ("steel", [("steam", "materials", True)]),
    "era-bigdata-material": ("big data", [("nqp", "materials", True)]),
    "era-power-grids-shared": ("power grids", [("electric", "systems", True), ("info", "systems", True)]),
    "era-5g-information": ("5g/6g", [("info", "systems", True)]),
}
#: Cards whose answer is an era's name, and the cell that justifies it.
ERA_WHICH = {
    "era-cpus": ("info", "machines", "cpus"),
    "era-low-carbon": ("nqp", "characteristic", "low carbonization"),
}


def test_hand_written_era_cards_agree_with_table(eras: Deck) -> None:
    for card_id, (row, col) in ERA_EQUAL.items():
        card = eras.card(card_id)
        assert card is not None, card_id
        assert card.answer == _cell(eras, row, col), card_id
        if card.type == "mcq" and card_id in ("era-smart-devices", "era-steam-systems"):
            others = {_cell(eras, r, col) for r in ERA_ROWS if r != row}
            assert set(card.distractors) <= others, card_id

    for card_id, places in ERA_CLOZE.items():
        card = eras.card(card_id)
        assert card is not None and card.type == "cloze", card_id
        answers = card.cloze_answers()
        assert len(answers) == len(places), card_id
        for answer, (row, col) in zip(answers, places):
            assert answer.lower() in _cell(eras, row, col).lower(), (card_id, answer)

    for card_id, (phrase, checks) in ERA_TRUEFALSE.items():
        card = eras.card(card_id)
        assert card is not None and card.type == "truefalse", card_id
        holds = all((phrase in _cell(eras, r, c).lower()) == expect for r, c, expect in checks)
        assert card.truth == holds, card_id

    for card_id, (row, col, phrase) in ERA_WHICH.items():
        card = eras.card(card_id)
        assert card is not None, card_id
        assert card.answer == _row_name(eras, row), card_id
        assert phrase in _cell(eras, row, col).lower(), card_id
        for other in ERA_ROWS:
            if other != row:
                assert phrase not in _cell(eras, other, col).lower(), (card_id, other)

    app = eras.card("era-nqp-application")
    assert app is not None
    assert app.answer.lower() in _cell(eras, "nqp", "applications").lower()
    for d in app.distractors:
        assert d.lower() not in _cell(eras, "nqp", "applications").lower()
        assert any(d.lower() in _cell(eras, r, "applications").lower() for r in ERA_ROWS if r != "nqp"), d


def test_era_order_cards_follow_the_table(eras: Deck) -> None:
    seq = eras.card("era-sequence")
    assert seq is not None and seq.type == "order"
    assert list(seq.items) == [_row_name(eras, r) for r in ERA_ROWS]
    chars = eras.card("era-characteristic-sequence")
    assert chars is not None and chars.type == "order"
    assert list(chars.items) == [_cell(eras, r, "characteristic") for r in ERA_ROWS]


# --- own words ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def source_windows() -> set[tuple[str, ...]]:
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"source documents not found at {SOURCES_DIR}")
    windows: set[tuple[str, ...]] = set()
    files = [p for p in sorted(SOURCES_DIR.iterdir()) if p.is_file() and p.name != "README.md"]
    if not files:
        pytest.skip(f"no source documents in {SOURCES_DIR}")
    for path in files:
        words = _words(path.read_text(encoding="utf-8", errors="replace"))
        for i in range(len(words) - WINDOW + 1):
            windows.add(tuple(words[i : i + WINDOW]))
    return windows


def test_no_twelve_word_run_copied_from_a_source(all_cards: list[Card], source_windows: set) -> None:
    copied = []
    for card in all_cards:
        for text in _text_fields(card):
            words = _words(text)
            for i in range(len(words) - WINDOW + 1):
                if tuple(words[i : i + WINDOW]) in source_windows:
                    copied.append(f"{card.uid}: {' '.join(words[i : i + WINDOW])}")
                    break
    assert not copied, "\n".join(copied)
