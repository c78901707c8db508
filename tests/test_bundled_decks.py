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

MIN_CARDS = {"eras": 55, "foundations": 25, "policies": 35, "dates": 25, "digital": 18}
TOPIC_TAGS = {"eras", "foundations", "policies", "dates"}

#: The five documents, as every deck must describe them: only what each says about itself
#: (Yanzi Xu's article and the explainer carry no date; the explainer no title and no author).
EXPECTED_SOURCES = {
    "note-2024": {"title": "The Note of New Quality Productive Forces", "author": "wenhq", "date": "2024-12-16"},
    "chinadaily-abcs": {
        "title": "The ABCs of new quality productive forces", "publisher": "China Daily", "date": "2024-03-06",
    },
    "xu-explaining": {
        "title": 'Explaining China\'s Focus on "New Quality Productive Forces"', "author": "Yanzi Xu",
        "date": "no date given",
    },
    "explainer-new-productivity": {
        "title": 'Untitled explainer on "new productive forces"', "publisher": "unsigned", "author": None,
        "date": "no date given",
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
#: The note's row labels for the deck's column ids, and its column headings for the row ids.
NOTE_ROW_LABELS = {
    "power": "Power", "materials": "Materials", "machines": "Machines", "equipment": "Equipment",
    "systems": "Systems", "applications": "Applications", "characteristic": "Era Characteristics",
}


@pytest.fixture(scope="module")
def eras(decks: dict[str, Deck]) -> Deck:
    return decks["eras"]


def _cell(eras: Deck, row: str, col: str) -> str:
    card = eras.card(f"eras.{row}.{col}")
    assert card is not None and card.type == "flip", f"eras.{row}.{col}"
    return card.answer


def _row_name(eras: Deck, row: str) -> str:
    card = eras.card(f"eras.{row}.power")
    assert card is not None
    return card.prompt.split(":")[0]


def _note_table() -> dict[str, dict[str, str]] | None:
    """The "Historical Transformation" table of the note (document 000), as {era: {row: cell}}."""
    if not SOURCES_DIR.is_dir():
        return None
    files = sorted(SOURCES_DIR.glob("000_*.txt"))
    if not files:
        return None
    lines = [ln.strip() for ln in files[0].read_text(encoding="utf-8").splitlines() if ln.strip().startswith("|")]
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    header, body = rows[0], [r for r in rows[1:] if not set("".join(r)) <= set("-: ")]
    table: dict[str, dict[str, str]] = {era: {} for era in header[1:]}
    for r in body:
        label = r[0].strip("*")
        for era, cell in zip(header[1:], r[1:]):
            table[era][label] = cell
    return table


def test_eras_table_cells_equal_the_notes_table_exactly(eras: Deck) -> None:
    """Every cell as the note gives it, word for word (the information era's power is
    "Electricity", not "Electricity only"): a question is fixed by not asking it, never by
    changing the source's fact."""
    table = _note_table()
    if table is None:
        pytest.skip(f"the note (000_*.txt) is not in {SOURCES_DIR}: cannot compare the cells")
    assert [_row_name(eras, r) for r in ERA_ROWS] == list(table), "era names and order as in the note"
    for row in ERA_ROWS:
        name = _row_name(eras, row)
        for col in ERA_COLS:
            assert _cell(eras, row, col) == table[name][NOTE_ROW_LABELS[col]], (row, col)


def test_eras_table_is_four_by_seven_one_study_card_per_cell(eras: Deck) -> None:
    generated = [c for c in eras.cards if c.table == "eras"]
    cells = {tuple(c.id.split(".")[1:3]) for c in generated if c.type == "flip"}
    assert cells == {(r, c) for r in ERA_ROWS for c in ERA_COLS}
    assert not [c.id for c in generated if c.id.endswith(".mcq")], "no mcq twin of a flip card"
    assert _cell(eras, "info", "power") == "Electricity"
    # "Which era had power: Electricity?" has two right answers: not asked.
    assert eras.card("eras.info.power.which") is None
    for card in generated:
        assert card.id.count(".") in (2, 3)
        if card.id.endswith(".which"):
            row, col = card.id.split(".")[1:3]
            value = _cell(eras, row, col)
            items = {x.strip().lower() for x in value.split(",")}
            for other in ERA_ROWS:
                if other != row:
                    theirs = {x.strip().lower() for x in _cell(eras, other, col).split(",")}
                    assert not items <= theirs, f"{card.id}: {other} also had {value}"


def test_which_era_questions_do_not_repeat_a_word_of_the_answer(all_cards: list[Card]) -> None:
    for card in all_cards:
        if card.type == "mcq" and card.prompt.lower().startswith("which era"):
            answer_words = set(re.findall(r"[a-z0-9]+", card.answer.lower())) - {"era", "the", "and", "of"}
            prompt_words = set(re.findall(r"[a-z0-9]+", card.prompt.lower()))
            assert not answer_words & prompt_words, f"{card.uid}: {answer_words & prompt_words}"
            for a in answer_words:  # nor the stem of one (electricity / electrification)
                assert not any(len(a) >= 5 and len(p) >= 5 and a[:5] == p[:5] for p in prompt_words), card.uid


def test_every_generated_card_explains_its_own_row(eras: Deck) -> None:
    by_row: dict[str, set[str]] = {}
    for card in eras.cards:
        if card.table != "eras":
            continue
        row = card.id.split(".")[1]
        assert card.explanation.startswith(f"{_row_name(eras, row)}:"), card.id
        by_row.setdefault(row, set()).add(card.explanation.split(" — ")[1].split(".", 1)[1].split("From the")[0])
    notes = [next(iter(v)) for v in by_row.values()]
    assert all(len(v) == 1 for v in by_row.values()), "one row note per row"
    assert len(set(notes)) == len(ERA_ROWS) and all(n.strip() for n in notes), "each row has its own note"


def test_hand_written_era_cards_ask_across_rows_and_agree_with_the_table(eras: Deck) -> None:
    cells = {(r, c): _cell(eras, r, c) for r in ERA_ROWS for c in ERA_COLS}
    hand = [c for c in eras.cards if c.table is None]
    for card in hand:  # none re-asks a single cell
        assert card.answer not in cells.values(), f"{card.id} re-asks a cell"
    assert eras.card("era-electricity-shared").truth is (
        "electricity" in cells["electric", "power"].lower() and "electricity" in cells["info", "power"].lower())
    assert eras.card("era-power-grids-shared").truth is (
        "power grids" in cells["electric", "systems"].lower() and "power grids" in cells["info", "systems"].lower())
    assert eras.card("era-info-vs-nqp-equipment").truth is ("mobile phones" in cells["nqp", "equipment"].lower())
    assert eras.card("era-computing-power-row").truth is ("computing power" in cells["nqp", "power"].lower()
                                                          and "coal" in cells["steam", "power"].lower())
    with_cars = [r for r in ERA_ROWS if "cars" in cells[r, "equipment"].lower()]
    assert with_cars == ["electric", "nqp"]
    assert eras.card("era-cars-two-eras").answer == "The electrification era and the new quality productivity era"
    chem = [c for c in ERA_COLS if "chemicals" in cells["electric", c].lower()]
    assert chem == ["materials", "applications"] and eras.card("era-chemicals-twice").answer == "Materials and applications"
    assert eras.card("era-nqp-applications-count").answer == str(len(cells["nqp", "applications"].split(",")))
    two = [r for r in ERA_ROWS if "," in cells[r, "characteristic"]]
    assert [_row_name(eras, r) for r in two] == [eras.card("era-two-characteristics").answer]


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


# --- exact, in the documents' own words, no repeats (issue 12) -------------------------------

def _card_texts(card: Card) -> list[str]:
    return [card.prompt, card.answer, card.explanation, *card.distractors, *card.items]


def test_no_two_study_cards_ask_the_same_question_and_answer(all_cards: list[Card]) -> None:
    from nqpf_tutor.core.questions import normalize

    seen: dict[tuple[str, str], str] = {}
    for card in all_cards:
        key = (normalize(card.cloze_text() if card.type == "cloze" else card.prompt), normalize(card.answer))
        assert key not in seen, f"{card.uid} asks what {seen[key]} asks"
        seen[key] = card.uid


#: Text written for deck authors, not learners: it belongs in YAML comments.
AUTHOR_NOTES = ("safe wrong answer", "honest answer", "distractor", "deck author", "this card", "todo", "fixme",
                "not a safe", "wrong option")


def test_no_author_note_in_card_text(all_cards: list[Card]) -> None:
    for card in all_cards:
        for text in _card_texts(card):
            for phrase in AUTHOR_NOTES:
                assert phrase not in text.lower(), f"{card.uid}: '{phrase}' is a note for deck authors"


def test_no_gendered_pronouns_for_anyone(all_cards: list[Card]) -> None:
    """No source states the gender of wenhq, Yanzi Xu or Tian Kun (nor of anyone else named)."""
    pronoun = re.compile(r"\b(he|she|his|her|hers|him|himself|herself)\b", re.I)
    for card in all_cards:
        for text in _card_texts(card):
            assert not pronoun.search(text), f"{card.uid}: '{pronoun.search(text).group()}' in {text!r}"


#: Dates, titles, labels and claims the documents do not give (found in an earlier version).
NOT_IN_THE_DOCUMENTS = (
    "early 2024", "xu (2024)", "(2024)", "what is \"new productivity\"?\" (title", "three highs\" of", "marxist term",
    "a digital resource", "driven by a tourism revival", "one-off slogan", "took the idea further",
    "spreading beyond china", "electricity only", "china daily's photographs", "china daily photographed a battery",
)


def test_no_dates_titles_labels_or_claims_the_documents_do_not_make(all_cards: list[Card]) -> None:
    for card in all_cards:
        for text in _card_texts(card):
            low = " ".join(text.lower().split())
            for phrase in NOT_IN_THE_DOCUMENTS:
                assert phrase not in low, f"{card.uid}: {phrase!r}"
        if "three highs" in card.explanation.lower():  # allowed only as the deck's own shorthand
            assert "label is ours" in card.explanation, card.uid
        undated = {"xu-explaining", "explainer-new-productivity"}
        if set(card.sources) <= undated:
            assert not re.search(r"\b20(23|24)\b.*\b(article|explainer|report|piece)\b was (written|published)",
                                 card.explanation), card.uid


def _captions() -> dict[str, str] | None:
    """Photo places in China Daily's article (document 001) and the credit each caption gives."""
    files = sorted(SOURCES_DIR.glob("001_*.txt")) if SOURCES_DIR.is_dir() else []
    if not files:
        return None
    credits = {}
    #: How each caption names its place (the railway is the Shanghai-Nanjing line, not Nanjing).
    marks = {"Chongqing": "Chongqing", "Nanjing": "Nanjing, Jiangsu", "Shanghai-Nanjing": "Shanghai-Nanjing",
             "Fengtai": "Fengtai", "Changchun": "Changchun", "Hefei": "Hefei"}
    text = files[0].read_text(encoding="utf-8")
    for para in text.split("\n\n"):
        low = para.lower()
        credit = next((c for c in ("china news service", "xinhua", "china daily") if c in low[-40:]), None)
        for place, mark in marks.items():
            if mark in para and credit:
                credits[place] = credit
    return credits


def test_photo_credits_as_each_caption_gives_them(all_cards: list[Card]) -> None:
    captions = _captions()
    if captions is None:
        pytest.skip(f"China Daily's article (001_*.txt) is not in {SOURCES_DIR}")
    assert captions["Changchun"] == "xinhua" and captions["Nanjing"] == "china news service"
    for card in all_cards:
        for text in _card_texts(card):
            for sentence in re.split(r"(?<=[.?!])\s", text):
                m = re.search(r"china daily(?:'s)? (?:own )?photo(?:graph)?s?\b|china daily photographed", sentence.lower())
                if not m:
                    continue
                low = sentence.lower()
                named = [p for p in captions if p.lower() in low.replace("shanghai-nanjing", "")]
                named += ["Shanghai-Nanjing"] if "shanghai-nanjing" in low else []
                for place in named:
                    assert captions[place] == "china daily", f"{card.uid}: {place}'s photo is {captions[place]}'s"
        if card.id == "photo-changchun":
            assert card.truth is (captions["Changchun"] == "china daily")


#: Wordings the documents use for the same thing: (one document's, another's).
DOCUMENT_WORDINGS = [
    ("talent", "human resources"),  # China Daily / the explainer
    ("technological breakthroughs", "technological advances"),  # China Daily / the explainer
    ("workers", "laborers"),  # China Daily / the note
    ("optimal combinations", "optimized combinations"),  # China Daily / the note
    ("relations of production", "production relations"),  # China Daily / the explainer
    ("advanced productivity", "high productivity"),  # China Daily / the explainer
    ("growth drivers", "growth engines"),  # China Daily / the CEWC quoted by the explainer
    ("transformation and upgrading", "transformation and innovation"),  # China Daily / Tian Kun
    ("a substantial increase in total factor productivity", "the enhancement of total factor productivity"),
    ("a substantial increase in total factor productivity", "a significant increase in total factor productivity"),
    ("training, introduction, use and flow", "development, introduction, utilization and flow"),
]


def test_every_answer_accepts_the_wordings_the_documents_use(all_cards: list[Card]) -> None:
    from nqpf_tutor.core.questions import check_cloze, check_typed, normalize

    checked = 0
    for card in all_cards:
        if card.type == "cloze":
            blanks = card.cloze_answers()
            for i, blank in enumerate(blanks):
                for a, b in DOCUMENT_WORDINGS:
                    for mine, theirs in ((a, b), (b, a)):
                        if normalize(blank) == normalize(mine):
                            given = [x if j != i else theirs for j, x in enumerate(blanks)]
                            assert check_cloze(card, given)[i], f"{card.uid}: blank {i + 1} refuses {theirs!r}"
                            checked += 1
                if normalize(blank).isdigit() and int(normalize(blank)) < 100:  # numbers as words
                    checked += 1
        elif card.type == "typed":
            for a, b in DOCUMENT_WORDINGS:
                for mine, theirs in ((a, b), (b, a)):
                    if normalize(card.answer) == normalize(mine):
                        assert check_typed(card, theirs), f"{card.uid} refuses {theirs!r}"
                        checked += 1
    assert checked >= 10, "the wordings above should meet the decks' cloze and typed cards"


def test_numbers_may_be_written_as_words(all_cards: list[Card]) -> None:
    from nqpf_tutor.core.questions import check_cloze, check_typed

    words = {7: "seven", 15: "fifteen", 40: "forty", 60: "sixty"}
    seen = 0
    for card in all_cards:
        if card.type == "cloze":
            blanks = card.cloze_answers()
            for i, blank in enumerate(blanks):
                if blank.isdigit() and int(blank) in words:
                    given = [x if j != i else words[int(blank)] for j, x in enumerate(blanks)]
                    assert check_cloze(card, given)[i], card.uid
                    seen += 1
        elif card.type == "typed" and card.answer.isdigit() and int(card.answer) in words:
            assert check_typed(card, words[int(card.answer)]), card.uid
            seen += 1
    assert seen >= 2


def test_typed_cards_accept_the_full_phrasing_of_the_documents(decks: dict[str, Deck]) -> None:
    from nqpf_tutor.core.questions import check_typed

    hallmark = decks["foundations"].card("hallmark-tfp")
    for phrase in ("a substantial increase in total factor productivity", "significant increase in total factor productivity",
                   "the enhancement of total factor productivity", "total factor productivity"):
        assert check_typed(hallmark, phrase), phrase
    relations = decks["policies"].card("relations-of-production")
    for phrase in ("new type of relations of production", "production relations", "production relationship"):
        assert check_typed(relations, phrase), phrase


def test_multiple_choice_answer_is_not_systematically_the_longest(all_cards: list[Card]) -> None:
    written = [c for c in all_cards if c.type == "mcq" and c.table is None]
    longest = [c.uid for c in written if len(c.answer) > max(len(d) for d in c.distractors)]
    assert len(written) >= 30
    assert len(longest) / len(written) <= 0.25, f"{len(longest)} of {len(written)}: {longest}"
    for c in written:  # distractors about as long and specific as the answer
        assert max(len(d) for d in c.distractors) >= 0.6 * len(c.answer), c.uid


def test_false_statements_are_not_obvious_exaggerations(all_cards: list[Card]) -> None:
    giveaway = re.compile(r"\b(only|whatever|outdated|never|always|entirely|completely|solely|nothing|everything)\b", re.I)
    for card in all_cards:
        if card.type == "truefalse":
            m = giveaway.search(card.prompt)
            assert not m, f"{card.uid}: '{m.group()}' gives a false statement away"


def test_decks_come_in_teaching_order(decks: dict[str, Deck]) -> None:
    """Foundations (what the concept is) before the eras, drivers before policies, dates last."""
    order = sorted(decks.values(), key=lambda d: d.order)
    assert [d.id for d in order] == ["foundations", "eras", "digital", "policies", "dates"]
