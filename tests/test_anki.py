"""Anki export: the .apkg opened with the standard library's zipfile and sqlite3."""

import json
import sqlite3
import zipfile

import pytest

from nqpf_tutor.cli import main
from nqpf_tutor.core.anki import (
    BASIC_MODEL_ID, CLOZE_MODEL_ID, AnkiExportError, deck_id_for, write_apkg,
)
from nqpf_tutor.core.model import Card, Deck, Source
from nqpf_tutor.errors import NqpfError

FIELD_SEP = "\x1f"

SRC = Source("note-2024", "The Note", author="wenhq", date="2024-12-16", url="https://example.org/?a=1&b=2")


def make_deck():
    cards = (
        Card("d", "flip", "flip", "What is <b>NQPF</b>? [0]", "New [bold]quality[/]\nforces",
             explanation="Why & how", tags=("foundations", "two words"), sources=("note-2024",)),
        Card("d", "mcq", "mcq", "Pick one", "Right", distractors=("Wrong 1", "Wrong 2", "Wrong 3")),
        Card("d", "tf", "truefalse", "NQPF is only hardware.", "False"),
        Card("d", "typed", "typed", "Abbreviation?", "TFP", accept=("total factor productivity",)),
        Card("d", "cloze", "cloze", "Made of {{workers}} and {{means::of}} labour {x}", "workers; means::of",
             explanation="Three elements", tags=("eras",)),
        Card("d", "order", "order", "Order the eras", "Steam → Electric → Info", items=("Steam", "Electric", "Info")),
    )
    return Deck("d", "Deck D", sources={"note-2024": SRC}, cards=cards)


def read_apkg(path):
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        assert "collection.anki2" in names and "media" in names
        db = path.parent / "collection.anki2"
        db.write_bytes(z.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        notes = conn.execute("SELECT guid, mid, flds, tags FROM notes ORDER BY id").fetchall()
        n_cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        card_decks = {r[0] for r in conn.execute("SELECT DISTINCT did FROM cards")}
    finally:
        conn.close()
    return notes, n_cards, models, decks, card_decks


def test_apkg_notes_fields_tags_and_models(tmp_path):
    deck = make_deck()
    out = tmp_path / "d.apkg"
    assert write_apkg(deck.cards, {"d": deck}, out, title="Deck D") == 6
    notes, n_cards, models, decks, card_decks = read_apkg(out)
    assert len(notes) == 6 and n_cards == 6
    by_front = {}
    for guid, mid, flds, tags in notes:
        fields = flds.split(FIELD_SEP)
        by_front[fields[0]] = (mid, fields, tags.split())

    mid, fields, tags = by_front["What is &lt;b&gt;NQPF&lt;/b&gt;? [0]"]
    assert mid == BASIC_MODEL_ID
    assert fields[1:] == [
        "New [bold]quality[/]<br>forces",
        "Why &amp; how",
        'The Note, wenhq, 2024-12-16 (<a href="https://example.org/?a=1&amp;b=2">https://example.org/?a=1&amp;b=2</a>)',
    ]
    assert tags == ["foundations", "two_words"]

    (mcq,) = [v for k, v in by_front.items() if k.startswith("Pick one")]
    front, back = mcq[1][0], mcq[1][1]
    options = front.split("<div class=options>")[1].removesuffix("</div>").split("<br>")
    assert sorted(o[3:] for o in options) == ["Right", "Wrong 1", "Wrong 2", "Wrong 3"]
    assert [o[:3] for o in options] == ["A. ", "B. ", "C. ", "D. "]
    letter = "ABCD"[[o[3:] for o in options].index("Right")]
    assert back == f"{letter}. Right"

    (tf,) = [v for k, v in by_front.items() if "only hardware" in k]
    assert tf[1][0].startswith("True or false? NQPF is only hardware.") and tf[1][1] == "B. False"
    assert by_front["Abbreviation?"][1][1] == "TFP<div class=options>Also accepted: total factor productivity</div>"
    (order,) = [v for k, v in by_front.items() if k.startswith("Order the eras")]
    assert order[1][1] == "<ol><li>Steam</li><li>Electric</li><li>Info</li></ol>"

    (cloze,) = [v for v in by_front.values() if v[0] == CLOZE_MODEL_ID]
    assert cloze[1] == ["Made of {{c1::workers}} and {{c1::means:&#58;of}} labour &#123;x&#125;", "Three elements", ""]
    assert cloze[2] == ["eras"]

    assert models[str(CLOZE_MODEL_ID)]["type"] == 1 and models[str(BASIC_MODEL_ID)]["type"] == 0
    assert [f["name"] for f in models[str(BASIC_MODEL_ID)]["flds"]] == ["Front", "Back", "Explanation", "Source"]
    assert [f["name"] for f in models[str(CLOZE_MODEL_ID)]["flds"]] == ["Text", "Explanation", "Source"]
    assert "{{cloze:Text}}" in models[str(CLOZE_MODEL_ID)]["tmpls"][0]["qfmt"]
    assert card_decks == {deck_id_for("Deck D")}
    assert decks[str(deck_id_for("Deck D"))]["name"] == "Deck D"


def test_guids_and_ids_are_stable_across_exports(tmp_path):
    deck = make_deck()
    write_apkg(deck.cards, {"d": deck}, tmp_path / "a.apkg", title="Deck D")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.apkg").write_bytes((tmp_path / "a.apkg").read_bytes())
    write_apkg(deck.cards[::-1], {"d": deck}, tmp_path / "b" / "x.apkg", title="Deck D")
    a = read_apkg(tmp_path / "a" / "x.apkg")
    b = read_apkg(tmp_path / "b" / "x.apkg")
    assert sorted((g, m, f, t) for g, m, f, t in a[0]) == sorted((g, m, f, t) for g, m, f, t in b[0])
    assert a[4] == b[4]


def test_several_decks_become_subdecks(tmp_path):
    d1 = make_deck()
    d2 = Deck("e", "Deck E", cards=(Card("e", "x", "flip", "Q", "A"),))
    out = tmp_path / "two.apkg"
    assert write_apkg([*d1.cards, *d2.cards], {"d": d1, "e": d2}, out, title="NQPF") == 7
    _, _, _, decks, card_decks = read_apkg(out)
    assert card_decks == {deck_id_for("NQPF::Deck D"), deck_id_for("NQPF::Deck E")}
    assert {decks[str(i)]["name"] for i in card_decks} == {"NQPF::Deck D", "NQPF::Deck E"}


def test_errors_are_one_line(tmp_path):
    deck = make_deck()
    with pytest.raises(AnkiExportError, match="no cards to export"):
        write_apkg([], {}, tmp_path / "x.apkg", title="t")
    with pytest.raises(NqpfError, match="does not exist"):  # (nqpf_tutor.files.OutputError)
        write_apkg(deck.cards, {"d": deck}, tmp_path / "no" / "x.apkg", title="t")
    assert list(tmp_path.iterdir()) == []


def test_export_command_with_the_bundled_decks(tmp_path, capsys):
    out = tmp_path / "eras.apkg"
    assert main(["--data-dir", str(tmp_path / "data"), "export", "--format", "apkg", "--deck", "eras", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    notes, n_cards, _, decks, card_decks = read_apkg(out)
    assert err == f"wrote {out} ({len(notes)} notes)\n" and len(notes) > 50
    assert {decks[str(i)]["name"] for i in card_decks} == {"Four eras of productive forces"}
    assert all(" " not in t for _, _, _, tags in notes for t in tags.split())
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_clozes_accepted_wordings_are_on_the_back(tmp_path):
    cards = (
        Card("d", "one", "cloze", "Gains come from {{talent}}.", "talent", explanation="Why <it> matters",
             blank_accept=(("human resources", "people & skills"),)),
        Card("d", "two", "cloze", "{{Steam}} then {{electricity}}.", "Steam; electricity",
             blank_accept=((), ("electric power",))),
        Card("d", "none", "cloze", "Only {{one}} way.", "one"),
    )
    deck = Deck("d", "Deck D", cards=cards)
    out = tmp_path / "c.apkg"
    write_apkg(cards, {"d": deck}, out, title="Deck D")
    notes, *_ = read_apkg(out)
    extra = {f.split(FIELD_SEP)[0]: f.split(FIELD_SEP)[1] for _, _, f, _ in notes}
    assert extra["Gains come from {{c1::talent}}."] == (
        "<div class=options>Also accepted: human resources; people &amp; skills</div>Why &lt;it&gt; matters")
    assert extra["{{c1::Steam}} then {{c1::electricity}}."] == (
        "<div class=options>Also accepted: blank 2: electric power</div>")
    assert extra["Only {{c1::one}} way."] == ""
