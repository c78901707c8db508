"""``nqpf-tutor import``: Quizlet and Anki text exports into a YAML deck that loads clean."""

import io
import json
import sys

import pytest

from nqpf_tutor.cli import main
from nqpf_tutor.core.importer import (
    DeckImportError, html_to_text, import_deck, parse_text, slugify,
)
from nqpf_tutor.core.loader import load_deck_file


def rows(text, delimiter="auto"):
    return [(r.front, r.back, r.tags) for r in parse_text(text, delimiter).rows]


# --- parsing ------------------------------------------------------------------------------------


def test_tab_separated_quizlet_export():
    text = "Hallmark\tRise in total factor productivity\nDriver\tInnovation\n"
    assert rows(text) == [("Hallmark", "Rise in total factor productivity", ()), ("Driver", "Innovation", ())]
    assert parse_text(text).delimiter == "\t"


def test_comma_separated_with_tags():
    text = "Hallmark,Total factor productivity,foundations concept\nDriver,Innovation\n"
    assert rows(text) == [
        ("Hallmark", "Total factor productivity", ("foundations", "concept")),
        ("Driver", "Innovation", ()),
    ]
    assert parse_text(text).delimiter == ","


def test_quizlet_commas_inside_unquoted_definitions_stay_in_the_answer():
    text = "Three elements,workers, means of labour, objects of labour\nEra,Information, digital\n"
    assert rows(text) == [
        ("Three elements", "workers, means of labour, objects of labour", ()),
        ("Era", "Information, digital", ()),
    ]


def test_quoted_fields_with_commas_quotes_and_newlines():
    text = 'Q1,"An answer, with a comma",t1\n"Say ""hi""","line one\nline two"\nQ3,A3\n'
    parsed = parse_text(text)
    assert [(r.front, r.back, r.tags) for r in parsed.rows] == [
        ("Q1", "An answer, with a comma", ("t1",)),
        ('Say "hi"', "line one\nline two", ()),
        ("Q3", "A3", ()),
    ]
    assert [r.line for r in parsed.rows] == [1, 2, 4]


def test_anki_header_lines_are_read_and_skipped():
    text = (
        "#separator:tab\n#html:true\n#tags column:3\n"
        "What is <b>NQPF</b>?\tNew quality<br>productive&nbsp;forces\teras dates\n"
        "#hashtag front\tkept as a card\t\n"
    )
    parsed = parse_text(text)
    assert parsed.html is True
    assert [(r.front, r.back, r.tags) for r in parsed.rows] == [
        ("What is NQPF?", "New quality\nproductive forces", ("eras", "dates")),
        ("#hashtag front", "kept as a card", ()),
    ]
    assert [r.line for r in parsed.rows] == [4, 5]


def test_anki_header_with_guid_notetype_and_deck_columns():
    text = (
        "#separator:Comma\n#html:false\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        'abc123,Basic,NQPF,Front <b>as typed</b>,"Back, & more",tag1 tag2\n'
    )
    assert rows(text) == [("Front <b>as typed</b>", "Back, & more", ("tag1", "tag2"))]


def test_html_is_stripped_when_it_looks_like_html_and_kept_otherwise():
    assert rows("<div>Front</div><div>two</div>\tA &amp; B<br/>C\n") == [("Front\ntwo", "A & B\nC", ())]
    assert rows("x < y\ta & b\n") == [("x < y", "a & b", ())]  # not HTML: as typed
    assert html_to_text("<ul><li>one</li><li>two</li></ul><script>bad()</script><p>end</p>") == "- one\n- two\nend"


def test_explicit_delimiter_wins_over_guessing():
    text = "a,b\tc\n"
    assert rows(text, "tab") == [("a,b", "c", ())]
    assert rows(text, "comma") == [("a", "b\tc", ())]


def test_bad_records_are_skipped_with_warnings():
    parsed = parse_text("only a front\n\n\tno front\nno back\t  \nok\tfine\n")
    assert [(r.front, r.back) for r in parsed.rows] == [("ok", "fine")]
    assert parsed.warnings == [
        "line 1: no back (expected front and back separated by a tab); skipped",
        "line 3: empty front; skipped",
        "line 4: empty back; skipped",
    ]


def test_slugs():
    assert slugify("What is the *core* hallmark of NQPF?") == "what-is-the-core-hallmark-of-nqpf"
    assert slugify("Ünïcödé") == "unicode"
    assert slugify("新质生产力") == "card"
    assert len(slugify("word " * 40)) <= 40


# --- whole imports --------------------------------------------------------------------------------


HEADER = "#separator:tab\n#html:true\n#tags column:3\n"
RECORDS = [
    "[bold]Hallmark[/] of NQPF?\tA rise in <i>total factor productivity</i>: TFP # up\tfoundations\n",
    "新质生产力\tNew quality productive forces\tdates\n",
    "Same front\tfirst back\t\n",
    "Same front\tsecond back\t\n",
    "yes\t2024\t\n",
    'Quoted "front"\t"- a list-like answer\n  indented: line"\t\n',
]
SAMPLE = HEADER + "".join(RECORDS)


def test_import_round_trip_through_the_loader_and_json_export(tmp_path, capsys):
    src = tmp_path / "NQPF_cards.txt"
    src.write_text(SAMPLE, "utf-8")
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "import", str(src)]) == 0
    err = capsys.readouterr().err
    out = data / "decks" / "nqpf-cards.yaml"
    assert err == f"wrote {out} (deck 'nqpf-cards', 6 cards)\n"
    deck = load_deck_file(out)
    assert deck.id == "nqpf-cards" and deck.title == "NQPF cards"
    assert out.read_text("utf-8").startswith("# yaml-language-server: $schema=file://")
    assert main(["--data-dir", str(data), "export", "--format", "json", "--deck", "nqpf-cards"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [(c["prompt"], c["answer"], c["tags"]) for c in exported] == [
        ("[bold]Hallmark[/] of NQPF?", "A rise in total factor productivity: TFP # up", ["foundations"]),
        ("新质生产力", "New quality productive forces", ["dates"]),
        ("Same front", "first back", []),
        ("Same front", "second back", []),
        ("yes", "2024", []),
        ('Quoted "front"', "- a list-like answer\n  indented: line", []),
    ]
    assert all(c["type"] == "flip" and c["sources"][0]["title"] == "Imported from NQPF_cards.txt" for c in exported)
    ids = [c["id"] for c in exported]
    assert len(set(ids)) == 6
    assert ids[0].startswith("bold-hallmark-of-nqpf-") and ids[1].startswith("card-")


def test_ids_are_stable_across_reimports(tmp_path):
    src = tmp_path / "cards.txt"
    src.write_text(SAMPLE, "utf-8")
    a = load_deck_file(import_deck(str(src), tmp_path / "a.yaml").path)
    # the same cards again, in another order and with one more: the ids of the old ones are kept
    src.write_text(HEADER + "".join(RECORDS[::-1]) + "New\tcard\t\n", "utf-8")
    b = load_deck_file(import_deck(str(src), tmp_path / "b.yaml").path)
    ids_a = {(c.prompt, c.answer): c.id for c in a.cards}
    ids_b = {(c.prompt, c.answer): c.id for c in b.cards}
    assert len(ids_b) == len(ids_a) + 1
    assert all(ids_b[k] == v for k, v in ids_a.items())


def test_exact_duplicates_are_dropped_with_a_warning(tmp_path):
    src = tmp_path / "dup.csv"
    src.write_text("Q,A\nQ,A\nQ,B\n", "utf-8")
    result = import_deck(str(src), tmp_path / "dup.yaml")
    assert result.cards == 2 and result.warnings == ["line 2: the same card as line 1; skipped"]
    assert len({c.id for c in load_deck_file(result.path).cards}) == 2


def test_anki_cloze_notes_become_cloze_cards(tmp_path):
    src = tmp_path / "cloze.txt"
    src.write_text("#separator:tab\n#html:true\nThe hallmark is {{c1::TFP::abbr.}} growth, led by {{c2::innovation}}.\tExtra\n", "utf-8")
    deck = load_deck_file(import_deck(str(src), tmp_path / "cloze.yaml").path)
    (card,) = deck.cards
    assert card.type == "cloze" and card.cloze_answers() == ["TFP", "innovation"] and card.explanation == "Extra"


def test_refuses_to_overwrite_and_other_one_line_errors(tmp_path, capsys):
    data = tmp_path / "data"
    src = tmp_path / "cards.txt"
    src.write_text("Q\tA\n", "utf-8")
    existing = tmp_path / "mine.yaml"
    existing.write_text("mine\n", "utf-8")
    args = ["--data-dir", str(data), "import"]
    assert main(args + [str(src), "-o", str(existing)]) == 1
    assert capsys.readouterr().err == (
        f"nqpf-tutor: {existing} already exists; choose another file with -o (or another --id)\n"
    )
    assert existing.read_text("utf-8") == "mine\n"
    assert main(args + [str(src)]) == 0
    capsys.readouterr()
    assert main(args + [str(src)]) == 1  # the same again: the deck is there now
    assert "already exists" in capsys.readouterr().err
    assert main(args + [str(src), "--id", "eras"]) == 1  # a bundled deck's id
    assert capsys.readouterr().err.startswith("nqpf-tutor: deck id 'eras' is already used by ")
    assert main(args + [str(tmp_path / "missing.txt")]) == 1
    assert capsys.readouterr().err == f"nqpf-tutor: no such file: {tmp_path / 'missing.txt'}\n"
    assert main(args + [str(src), "--id", "Bad Id", "-o", str(tmp_path / "x.yaml")]) == 1
    assert "must be a slug" in capsys.readouterr().err
    assert main(args + [str(src), "-o", str(tmp_path / "no" / "x.yaml")]) == 1
    assert capsys.readouterr().err.endswith("folder " + str(tmp_path / "no") + " does not exist\n")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9\tA\n".encode("latin-1"))
    assert main(args + [str(tmp_path / "latin1.txt"), "-o", str(tmp_path / "l.yaml")]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_text("just words\n", "utf-8")
    assert main(args + [str(tmp_path / "empty.txt"), "-o", str(tmp_path / "e.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no cards found in empty.txt" in err
    assert not (tmp_path / "e.yaml").exists()


def test_standard_input_title_and_delimiter(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("a;b\tc\n".encode())))
    out = tmp_path / "in.yaml"
    assert main(["--data-dir", str(tmp_path), "import", "-", "-o", str(out), "--id", "piped",
                 "--title", "Piped [red]in[/]", "--delimiter", "tab"]) == 0
    assert "warning" not in capsys.readouterr().err
    deck = load_deck_file(out)
    assert deck.id == "piped" and deck.title == "Piped [red]in[/]"
    assert [(c.prompt, c.answer) for c in deck.cards] == [("a;b", "c")]


def test_warnings_are_printed_one_per_line(tmp_path, capsys):
    src = tmp_path / "w.txt"
    src.write_text("lonely\nQ\tA\n", "utf-8")
    assert main(["--data-dir", str(tmp_path), "import", str(src), "-o", str(tmp_path / "w.yaml")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"nqpf-tutor: warning: {src}: line 1: no back (expected front and back separated by a tab); skipped"


@pytest.mark.parametrize("text", ["\ufeffQ\tA\r\nQ2\tA2\r\n", "Q\tA\rQ2\tA2\r"])
def test_bom_and_windows_newlines(text):
    assert rows(text) == [("Q", "A", ()), ("Q2", "A2", ())]
