"""The deck loader and validator: every error with its line and column, tables, the cache."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqpf_tutor.core.loader import (
    DeckError,
    _cache_file,
    load_catalog,
    load_deck_file,
    parse_deck_bytes,
    select_cards,
    validate_paths,
)
from nqpf_tutor.locations import Locations

GOOD = """
deck:
  id: demo
  title: Demo deck
sources:
  - {id: s1, title: Source one, publisher: Someone, date: "2024-03-06"}
cards:
  - id: f1
    type: flip
    prompt: "[bold]What?[/]"
    answer: "[0]"
    explanation: Because.
    tags: [concept]
    sources: [s1]
  - id: m1
    type: mcq
    prompt: Pick one
    answer: Right
    distractors: [Wrong, Also wrong]
    sources: [s1]
  - id: t1
    type: truefalse
    prompt: A statement
    answer: false
  - id: y1
    type: typed
    prompt: Type it
    answer: Total factor productivity
    accept: [TFP]
  - id: c1
    type: cloze
    text: "The core hallmark is a rise in {{total factor productivity}} ({{TFP}})."
  - id: o1
    type: order
    prompt: Put in order
    items: [one, two, three]
    formerly: [old-order]
"""


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DeckError) as e:
        load_deck_file(path)
    return [str(p) for p in e.value.problems]


def test_good_deck_loads_every_type(write_deck):
    deck = load_deck_file(write_deck(GOOD))
    assert deck.id == "demo" and deck.title == "Demo deck"
    by_id = {c.id: c for c in deck.cards}
    assert [c.type for c in deck.cards] == ["flip", "mcq", "truefalse", "typed", "cloze", "order"]
    assert by_id["f1"].prompt == "[bold]What?[/]" and by_id["f1"].answer == "[0]"
    assert by_id["t1"].answer == "False" and by_id["t1"].truth is False
    assert by_id["y1"].accept == ("TFP",)
    assert by_id["c1"].cloze_answers() == ["total factor productivity", "TFP"]
    assert by_id["c1"].answer == "total factor productivity; TFP"
    assert by_id["o1"].items == ("one", "two", "three") and by_id["o1"].formerly == ("old-order",)
    assert deck.sources["s1"].citation() == "Source one, Someone, 2024-03-06"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: flip\n    prompt: [unclosed\n",
         ":6:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts at line 5)"),
        ("- just\n- a list\n", ":1:1: the top level must be a mapping of keys, not a list"),
        ("deck: {id: d, title: T}\ncards:\n  - type: flip\n    prompt: p\n    answer: a\n",
         ":3:5: card id is required"),
        ("deck: {id: d, title: T}\ncards:\n  - {id: a, type: flip, prompt: p, answer: x}\n  - {id: a, type: flip, prompt: q, answer: y}\n",
         ":4:10: duplicate card id 'a'"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: flip\n    promt: p\n    answer: x\n",
         ":5:5: unknown key 'promt' in a card (did you mean 'prompt'?)"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: flip\n    prompt: [1, 2]\n    answer: x\n",
         ":5:13: prompt must be text, not a list"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: flop\n    prompt: p\n    answer: x\n",
         ":4:11: unknown card type 'flop' (did you mean 'flip'?)"),
        ("deck: {id: d, title: T}\ncards:\n  - {id: a, type: flip, prompt: p, answer: x, sources: [nope]}\n",
         ":3:57: unknown source 'nope'"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: mcq\n    prompt: p\n    answer: x\n    distractors: [y]\n",
         ":7:18: multiple choice needs at least 2 distractors, found 1"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: mcq\n    prompt: p\n    answer: x\n    distractors: [y, X]\n",
         ":7:22: distractor 'X' is the same as the answer"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: mcq\n    prompt: p\n    answer: x\n",
         ":3:5: multiple choice needs 2 or 3 distractors"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: truefalse\n    prompt: p\n    answer: maybe\n",
         ":6:13: a truefalse answer must be true or false, not text"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: flip\n    prompt: p\n    answer: yes\n",
         ":6:13: answer must be text, not true/false (quote it: \"yes\")"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: cloze\n    text: no deletions here\n",
         ":5:11: cloze text needs at least one {{deletion}}"),
        ("deck: {id: D!, title: T}\ncards: []\n", ":1:12: deck id 'D!' must be a slug"),
        ("deck: {id: d, title: T}\ncards:\n  - !!python/object/apply:os.system [echo hi]\n",
         ":3:5: unsafe or unknown YAML tag !!python/object/apply:os.system is not allowed"),
        ("deck: {id: d, title: T}\ncards:\n  - {id: a, type: flip, prompt: p, answer: x, distractors: [x]}\n",
         "multiple choice needs at least 2 distractors"),
        ("deck: {id: d, title: T}\n", ":1:1: a deck needs 'cards' (a list) or 'tables'"),
        ("deck: {id: d}\ncards: []\n", ":1:7: deck title is required"),
        ("deck: {id: d, title: T}\ncards:\n  - id: o\n    type: order\n    prompt: p\n    items: [only]\n",
         ":6:12: an order card needs at least 2 items, found 1"),
        ("deck: {id: d, title: T}\ncards:\n  - id: a\n    type: typed\n    prompt: p\n    answer: x\n    items: [a, b]\n",
         ":7:5: key 'items' does not belong on a typed card"),
    ],
)
def test_each_error_has_a_position(write_deck, text, expected):
    path = write_deck(text)
    got = problems_of(path)
    assert any(expected in p for p in got), got
    assert all(p.startswith(str(path) + ":") for p in got)


def test_every_problem_is_reported_at_once_in_file_order(write_deck):
    path = write_deck("""
        deck:
          id: d
          titel: T
        cards:
          - {id: a, type: flip, prompt: p}
          - {id: b, type: flap, prompt: p, answer: x}
          - {id: c, type: truefalse, prompt: p, answer: 3}
    """)
    got = problems_of(path)
    assert len(got) >= 4
    lines = [int(p.split(":")[1]) for p in got]
    assert lines == sorted(lines)
    assert any("did you mean 'title'" in p for p in got)
    assert any("needs 'answer'" in p for p in got)


def test_python_tag_is_never_executed(write_deck, tmp_path):
    marker = tmp_path / "pwned"
    path = write_deck(f"deck: !!python/object/apply:os.system ['touch {marker}']\ncards: []\n")
    problems_of(path)
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly(write_deck):
    lines = ["deck: {id: d, title: T}", "cards:", "  - id: a", "    type: flip", "    prompt: p", "    answer: x",
             "    tags: &t0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines.insert(0, "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]")
    for i in range(1, 12):
        lines.insert(i, f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines += ["  - id: b", "    type: mcq", "    prompt: p", "    answer: x", "    distractors: *a11",
              "  - *a11"]
    path = write_deck("\n".join(lines) + "\n")
    t = time.perf_counter()
    got = problems_of(path)
    assert time.perf_counter() - t < 5  # 9**12 strings if expanded: would never finish
    assert any("distractors item must be text, not a list" in p for p in got)


def test_empty_and_non_utf8_and_missing(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("   \n")
    assert problems_of(empty) == [f"{empty}:1:1: the file is empty; a deck needs 'deck' and 'cards'"]
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("deck: {id: d, title: T}\ncards:\n  - {id: a, type: flip, prompt: caf\xe9, answer: x}\n".encode("latin-1"))
    (p,) = problems_of(bad)
    assert p.startswith(f"{bad}:3:36: not UTF-8 text (byte 0xe9)")
    assert problems_of(tmp_path / "nope.yaml") == [f"{tmp_path / 'nope.yaml'}:1:1: no such file"]
    assert "is a folder" in problems_of(tmp_path)[0]


def test_utf8_bom_is_fine(tmp_path):
    p = tmp_path / "bom.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_deck_file(p).id == "demo"


TABLE = """
deck: {id: t, title: Tables}
sources: [{id: s, title: S}]
tables:
  - id: eras
    row_label: era
    columns: [{id: power, label: power source}, {id: materials, label: key materials}]
    rows:
      - {id: steam, name: Steam era, power: Coal, materials: Iron}
      - {id: elec, name: Electric era, power: Electricity, materials: Steel}
      - {id: info, name: Information era, power: Oil, materials: Steel}
      - {id: nqp, name: New era, power: Clean energy, materials: New materials}
    tags: [eras]
    sources: [s]
    explanation: From the note's table.
cards:
  - {id: extra, type: flip, prompt: p, answer: x}
"""


def test_table_expands_to_one_flip_per_cell_and_unambiguous_which_cards(write_deck):
    deck = load_deck_file(write_deck(TABLE))
    ids = [c.id for c in deck.cards]
    assert "eras.steam.power" in ids and "eras.steam.power.which" in ids
    assert not any(i.endswith(".mcq") for i in ids), "a cell is one study card, not a flip and an mcq alike"
    flip = deck.card("eras.steam.power")
    assert flip.type == "flip" and flip.prompt == "Steam era: power source?" and flip.answer == "Coal"
    assert set(flip.distractors) == {"Electricity", "Oil", "Clean energy"}  # a quiz asks it as multiple choice
    assert flip.tags == ("eras",) and flip.sources == ("s",) and flip.table == "eras"
    assert "From the note's table." in flip.explanation
    which = deck.card("eras.nqp.power.which")
    assert which.answer == "New era" and set(which.distractors) == {"Steam era", "Electric era", "Information era"}
    assert which.prompt == "Which era had power source: Clean energy?"
    # Shared values are never a distractor of each other, and an ambiguous "which" is not asked.
    steel = deck.card("eras.elec.materials")
    assert "Steel" not in steel.distractors and len(steel.distractors) == 2
    assert deck.card("eras.elec.materials.which") is None
    # A "which" whose value repeats a word (or its stem) of the answer is not asked either:
    # "Electricity" -> "Electric era", "New materials" -> "New era".
    assert deck.card("eras.elec.power.which") is None
    assert deck.card("eras.nqp.materials.which") is None
    # 4 rows x 2 columns: 8 flips + 4 which (2 ambiguous, 2 giving the answer away), plus one card.
    assert len(deck.cards) == 8 + 4 + 1
    # Same text, same ids and distractors.
    again = load_deck_file(write_deck(TABLE, "again.yaml"))
    assert [(c.id, c.distractors) for c in again.cards] == [(c.id, c.distractors) for c in deck.cards]


def test_table_which_skipped_when_another_row_holds_every_item(write_deck):
    """The note's table: the information era's power is "Electricity", the electrification
    era's "Electricity, Oil". Asking "which era had electricity?" has two right answers."""
    deck = load_deck_file(write_deck("""
deck: {id: t, title: T}
sources: [{id: s, title: S}]
tables:
  - id: eras
    row_label: era
    columns: [{id: power, label: power}]
    rows:
      - {id: a, name: Steam engine era, power: "Water, Coal"}
      - {id: b, name: Second era, power: "Electricity, Oil"}
      - {id: c, name: Third era, power: Electricity}
      - {id: d, name: Fourth era, power: "Computing Power, New Energy"}
    sources: [s]
"""))
    assert deck.card("eras.c.power").answer == "Electricity"  # the cell as the source gives it
    assert deck.card("eras.c.power.which") is None
    assert deck.card("eras.b.power.which") is not None  # only the second era had oil as well
    # "Electricity, Oil" is half right for the third era: not one of its distractors (and back).
    assert "Electricity, Oil" not in deck.card("eras.c.power").distractors
    assert "Electricity" not in deck.card("eras.b.power").distractors


def test_table_row_notes_go_into_their_cards_explanations(write_deck):
    text = TABLE.replace("{id: steam, name: Steam era, power: Coal, materials: Iron}",
                         "{id: steam, name: Steam era, power: Coal, materials: Iron, note: The first era of four.}")
    text = text.replace("{id: nqp, name: New era, power: Clean energy, materials: New materials}",
                        "{id: nqp, name: New era, power: Clean energy, materials: New materials, explanation: The newest.}")
    deck = load_deck_file(write_deck(text))
    for card in deck.cards:
        if card.id.startswith("eras.steam."):
            assert "The first era of four." in card.explanation and "From the note's table." in card.explanation
        elif card.id.startswith("eras.nqp."):
            assert "The newest." in card.explanation
        else:
            assert "first era" not in card.explanation and "newest" not in card.explanation
    both = TABLE.replace("materials: Iron}", "materials: Iron, note: x, explanation: y}")
    assert any("not both" in p for p in problems_of(write_deck(both, "both.yaml")))


def test_table_errors(write_deck):
    path = write_deck("""
        deck: {id: t, title: T}
        tables:
          - id: eras
            columns: [{id: power}, {id: name}]
            rows:
              - {id: a, name: A, power: x, powr: y}
              - {id: a, name: B, power: z}
    """)
    got = problems_of(path)
    assert any(":4:33: column id 'name' is taken" in p for p in got), got
    assert any(":6:36: unknown key 'powr' in a row (did you mean 'power'?)" in p for p in got), got
    assert any(":7:14: duplicate row id 'a'" in p for p in got), got


def test_generated_id_clashing_with_a_card(write_deck):
    text = TABLE.replace("id: extra,", "id: eras.steam.power,")
    assert any("also generated by table 'eras'" in p for p in problems_of(write_deck(text)))


def test_validate_reports_duplicate_deck_ids_across_files(write_deck):
    a = write_deck(GOOD, "a.yaml")
    b = write_deck(GOOD, "b.yaml")
    got = [str(p) for p in validate_paths([a, b])]
    assert got == [f"{b}:2:7: duplicate deck id 'demo' (also in {a})"]


def run_cli(*args, env_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "nqpf_tutor", "--data-dir", str(env_dir), *args],
        capture_output=True, text=True,
    )


def test_validate_command_exit_codes_and_no_traceback(write_deck, tmp_path):
    good = write_deck(GOOD, "good.yaml")
    r = run_cli("validate", str(good), env_dir=tmp_path / "data")
    assert r.returncode == 0, r.stderr
    bad = write_deck("deck: [\n", "bad.yaml")
    r = run_cli("validate", str(good), str(bad), env_dir=tmp_path / "data")
    assert r.returncode == 1
    assert r.stdout.startswith(f"{bad}:2:1: YAML syntax error")
    assert "Traceback" not in r.stderr
    r = run_cli("validate", str(tmp_path / "missing.yaml"), env_dir=tmp_path / "data")
    assert r.returncode == 1 and "no such file" in r.stdout and "Traceback" not in r.stderr


def test_catalog_skips_a_broken_user_deck(write_deck, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "good.yaml").write_text(GOOD)
    (user / "broken.yaml").write_text("deck: {id: broken, title: B}\ncards:\n  - {id: a, type: nope}\n")
    loc = Locations.resolve(data_dir=tmp_path / "data", decks_dirs=[str(user), str(tmp_path / "absent")], environ={})
    cat = load_catalog(loc)
    assert cat.deck("demo") is not None and cat.deck("broken") is None
    assert any("skipped broken.yaml" in w and ":3:" in w for w in cat.warnings)
    assert any("absent: decks folder not found" in w for w in cat.warnings)


def test_select_cards_by_deck_and_tag(write_deck, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "good.yaml").write_text(GOOD)
    loc = Locations.resolve(data_dir=tmp_path / "data", decks_dirs=[str(user)], environ={})
    cat = load_catalog(loc)
    assert [c.id for c in select_cards(cat, ["demo"], ["concept"])] == ["f1"]
    with pytest.raises(Exception, match="unknown deck 'dem'.*did you mean 'demo'"):
        select_cards(cat, ["dem"])
    with pytest.raises(Exception, match="unknown tag 'concpt'"):
        select_cards(cat, [], ["concpt"])


def test_cache_makes_the_second_load_skip_yaml(write_deck, tmp_path, monkeypatch):
    path = write_deck(GOOD)
    cache = tmp_path / "cache"
    first = load_deck_file(path, cache_dir=cache)
    assert _cache_file(cache, path.read_bytes()).exists()

    def boom(*a, **k):
        raise AssertionError("YAML parsed again")

    import nqpf_tutor.core.loader as loader_module

    monkeypatch.setattr(yaml, "load", boom)
    monkeypatch.setattr(loader_module, "load_yaml", boom)  # the loader's own faster parse (issue 17)
    second = load_deck_file(path, cache_dir=cache)
    assert second == first
    # A changed file is a new key: parsed again (and here, YAML is patched out, so it fails loudly).
    path.write_text(GOOD.replace("Demo deck", "Changed"))
    with pytest.raises(AssertionError):
        load_deck_file(path, cache_dir=cache)


def test_a_damaged_cache_file_is_ignored(write_deck, tmp_path):
    path = write_deck(GOOD)
    cache = tmp_path / "cache"
    load_deck_file(path, cache_dir=cache)
    _cache_file(cache, path.read_bytes()).write_text("{not json")
    assert load_deck_file(path, cache_dir=cache).id == "demo"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_arbitrary_text_only_raises_deck_error(text):
    try:
        parse_deck_bytes(text.encode("utf-8", "surrogatepass"), "x.yaml")
    except DeckError as e:
        assert e.problems and all(p.line >= 1 and p.col >= 1 for p in e.problems)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["deck", "id", "title", "cards", "type", "prompt", "answer", "distractors", "tables",
                         "rows", "columns", "sources", "items", "text", "tags", "accept", "formerly", "x"]),
        children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(yaml_values)
def test_arbitrary_yaml_only_raises_deck_error(value):
    text = yaml.safe_dump(value, allow_unicode=True)
    try:
        deck = parse_deck_bytes(text.encode(), "x.yaml")
    except DeckError as e:
        assert e.problems
    else:
        assert deck.id and deck.title


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_only_raise_deck_error(data):
    try:
        parse_deck_bytes(data, "x.yaml")
    except DeckError:
        pass


def test_headless_commands_do_not_import_textual(tmp_path, write_deck):
    good = write_deck(GOOD)
    code = (
        "import sys; from nqpf_tutor.cli import main; "
        f"rc = main(['--data-dir', {str(tmp_path / 'd')!r}, sys.argv[1], *sys.argv[2:]]); "
        "assert 'textual' not in sys.modules, 'textual imported'; sys.exit(rc)"
    )
    for args in (["validate", str(good)], ["decks"], ["export", "--format", "json"], ["schema"]):
        r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert r.returncode == 0, (args, r.stderr)


def test_export_json_has_every_card_after_expansion(tmp_path, write_deck):
    user = tmp_path / "u"
    user.mkdir()
    (user / "t.yaml").write_text(TABLE)
    r = run_cli("--decks-dir", str(user), "export", "--format", "json", "--deck", "t", env_dir=tmp_path / "d")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert len(data) == 13  # 8 cells (one flip each) + 4 unambiguous "which" cards + 1 card
    first = next(d for d in data if d["id"] == "eras.steam.power")
    assert set(first) >= {"deck", "id", "type", "prompt", "answer", "options", "explanation", "tags", "sources"}
    assert first["answer"] in first["options"] and len(first["options"]) == 4
    assert first["sources"] == [{"id": "s", "title": "S"}]


# --- cloze accept, deck order (issue 12) ------------------------------------------------------

CLOZE_ACCEPT = """
deck: {id: c, title: Cloze, order: 3}
cards:
  - id: cycle
    type: cloze
    text: "The cycle of education, {{science and technology}} and {{talent}}; {{15}} trends."
    accept:
      - [sci-tech]
      - human resources
      - []
"""


def test_cloze_accept_gives_each_deletion_its_other_wordings(write_deck):
    from nqpf_tutor.core.questions import check_cloze, near_miss

    deck = load_deck_file(write_deck(CLOZE_ACCEPT))
    assert deck.order == 3
    card = deck.card("cycle")
    assert card.blank_accept == (("sci-tech",), ("human resources",), ())
    assert card.blank_answers(1) == ["talent", "human resources"]
    assert check_cloze(card, ["Sci-Tech", "Human Resources", "fifteen"]) == [True, True, True]
    assert check_cloze(card, ["science and technology", "talents", "16"]) == [True, False, False]
    assert near_miss("talents", card.blank_answers(1)) and not near_miss("banana", card.blank_answers(1))
    # The cache keeps them (a second load reads JSON).
    cache = write_deck(CLOZE_ACCEPT).parent / "cache"
    load_deck_file(write_deck(CLOZE_ACCEPT), cache_dir=cache)
    again = load_deck_file(write_deck(CLOZE_ACCEPT), cache_dir=cache)
    assert again.card("cycle").blank_accept == card.blank_accept and again.order == 3


def test_cloze_accept_errors_have_positions(write_deck):
    got = problems_of(write_deck("""
        deck: {id: c, title: C, order: soon}
        cards:
          - id: a
            type: cloze
            text: "{{one}} and {{two}}"
            accept: [[x]]
          - id: b
            type: cloze
            text: "{{one}}"
            accept: [[5, [nested]]]
          - id: d
            type: cloze
            text: "{{one}}"
            accept: [[One, uno]]
          - id: c
            type: cloze
            text: "{{one}}"
            accept: yes
    """))
    assert any(":1:32: deck order must be a whole number" in p for p in got), got
    assert any(":6:13: a cloze card's accept needs one entry per {{deletion}}: the text has 2, accept has 1" in p
               for p in got), got
    assert any(":10:18: accept entry 1 item must be text, not a list" in p for p in got), got
    assert any(":14:15: 'One' is the deletion itself; accept lists other wordings" in p for p in got), got
    assert any(":18:13: a cloze card's accept must be a list" in p for p in got), got


def test_catalog_puts_decks_in_teaching_order(tmp_path):
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    for name, order in (("a-dates", 5), ("b-free", None), ("c-found", 1), ("d-eras", 2)):
        head = f"deck: {{id: {name}, title: {name}" + (f", order: {order}" if order is not None else "") + "}\n"
        (bundled / f"{name}.yaml").write_text(head + "cards:\n  - {id: x, type: flip, prompt: p, answer: a}\n")
    loc = Locations(data_dir=tmp_path / "data", config_dir=tmp_path / "c", cache_dir=tmp_path / "k", bundled_dir=bundled)
    cat = load_catalog(loc, use_cache=False)
    assert [d.id for d in cat.decks] == ["c-found", "d-eras", "a-dates", "b-free"]
    # Chosen decks come in the order chosen.
    assert [c.deck_id for c in select_cards(cat, ["a-dates", "c-found"])] == ["a-dates", "c-found"]


def test_new_bundled_cards_come_foundations_first_and_dates_last(tmp_path):
    from nqpf_tutor.core.session import StudySession
    from nqpf_tutor.core.store import Store

    loc = Locations(data_dir=tmp_path / "data", config_dir=tmp_path / "c", cache_dir=tmp_path / "k")
    cat = load_catalog(loc, use_cache=False)
    assert [d.id for d in cat.decks] == ["foundations", "eras", "digital", "policies", "dates"]
    store = Store.open(tmp_path / "p.sqlite3")
    try:
        session = StudySession(select_cards(cat), store)
        # (the reverse "which" card of a table cell comes after every first card: siblings apart)
        new = [c.deck_id for c in session._new if not c.id.endswith(".which")]
        assert new[0] == "foundations" and new[-1] == "dates"
        firsts = [new.index(d) for d in ("foundations", "eras", "digital", "policies", "dates")]
        assert firsts == sorted(firsts)
    finally:
        store.close()
