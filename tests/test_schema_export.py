"""The JSON Schema agrees with the loader; answers are checked leniently; the paper export."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from nqpf_tutor.core.export import make_paper, md_escape
from nqpf_tutor.core.loader import DeckError, parse_deck_bytes
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.questions import check_cloze, check_order, check_typed, make_mcq, shuffled_items
from nqpf_tutor.core.schema import build_schema, schema_text
from nqpf_tutor.locations import bundled_decks_dir, schema_path

from test_loader import GOOD, TABLE

HEAD = "deck: {id: d, title: T}\nsources: [{id: s, title: S}]\ncards:\n"

VALID = [GOOD, TABLE] + [HEAD + c for c in [
    "  - {id: a, type: flip, prompt: p, answer: 2024}\n",
    "  - {id: a, type: mcq, prompt: p, answer: x, distractors: [y, z, w], sources: [s]}\n",
    "  - {id: a, type: truefalse, prompt: p, answer: true}\n",
    "  - {id: a, type: typed, prompt: p, answer: x, accept: [y]}\n",
    "  - {id: a, type: cloze, text: 'a {{b}} c'}\n",
    "  - {id: a, type: order, prompt: p, items: [x, y]}\n",
    "  - {id: a, type: cloze, text: 'a {{b}} c {{d}} {{e}}', accept: [[x, y], z, []]}\n",
]] + [
    "deck: {id: d, title: T, order: 2}\ncards: []\n",
    TABLE.replace("materials: Iron}", "materials: Iron, note: The first era.}"),
]

INVALID = [HEAD + c for c in [
    "  - {id: a, type: flop, prompt: p, answer: x}\n",
    "  - {id: a, type: flip, prompt: p}\n",
    "  - {id: a, type: flip, prompt: p, answer: x, promt: y}\n",
    "  - {id: A B, type: flip, prompt: p, answer: x}\n",
    "  - {id: a, type: mcq, prompt: p, answer: x, distractors: [y]}\n",
    "  - {id: a, type: mcq, prompt: p, answer: x, distractors: [y, z, v, w]}\n",
    "  - {id: a, type: truefalse, prompt: p, answer: maybe}\n",
    "  - {id: a, type: order, prompt: p, items: [x]}\n",
    "  - {id: a, type: typed, prompt: p, answer: x, items: [a, b]}\n",
    "  - {id: a, type: flip, prompt: [p], answer: x}\n",
    "  - {id: a, type: flip, prompt: '', answer: x}\n",
    "  - {id: a, type: cloze, text: 'a {{b}} c', accept: b2}\n",
    "  - {id: a, type: cloze, text: 'a {{b}} c', accept: [[[x]]]}\n",
]] + [
    "deck: {id: d, title: T, order: soon}\ncards: []\n",
    "deck: {id: d, title: T, order: 1.5}\ncards: []\n",
    TABLE.replace("materials: Iron}", "materials: Iron, note: a, explanation: b}"),
    "cards: []\n",
    "deck: {id: d, title: T, extra: 1}\ncards: []\n",
    "deck: {id: d, title: T}\nkards: []\n",
    "deck: {id: d, title: T}\n",
]


def loader_ok(text: str) -> bool:
    try:
        parse_deck_bytes(text.encode(), "x.yaml")
        return True
    except DeckError:
        return False


def schema_ok(text: str) -> bool:
    doc = yaml.safe_load(text)
    return not list(jsonschema.Draft7Validator(build_schema()).iter_errors(doc))


def test_schema_is_a_valid_draft7_schema():
    jsonschema.Draft7Validator.check_schema(build_schema())


@pytest.mark.parametrize("text", VALID)
def test_schema_and_loader_accept_the_same_valid_decks(text):
    assert loader_ok(text) and schema_ok(text)


@pytest.mark.parametrize("text", INVALID)
def test_schema_and_loader_reject_the_same_invalid_decks(text):
    assert not loader_ok(text)
    assert not schema_ok(text)


def test_bundled_decks_pass_the_schema():
    for p in sorted(bundled_decks_dir().glob("*.yaml")):
        assert schema_ok(p.read_text("utf-8")), p


def test_shipped_schema_file_and_command_match_the_builder():
    assert json.loads(schema_path().read_text("utf-8")) == build_schema()
    r = subprocess.run([sys.executable, "-m", "nqpf_tutor", "schema"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == schema_text()


def card(**kw) -> Card:
    base = dict(deck_id="d", id="c", type="flip", prompt="p", answer="a")
    base.update(kw)
    return Card(**base)


def test_typed_answers_are_lenient():
    c = card(type="typed", answer="Total factor productivity", accept=("TFP",))
    for given in ("total factor productivity", "  Total  Factor productivity. ", "TFP", "tfp!"):
        assert check_typed(c, given), given
    for given in ("", "   ", "factor productivity", "TFPs"):
        assert not check_typed(c, given), given


def test_cloze_and_order_checks():
    c = card(type="cloze", prompt="A {{rise}} in {{total factor productivity}}", answer="rise; total factor productivity")
    assert check_cloze(c, ["Rise", "total factor  productivity"]) == [True, True]
    assert check_cloze(c, ["fall", ""]) == [False, False]
    o = card(type="order", items=("a", "b", "c"), answer="a → b → c")
    assert check_order(o, ["a", "b", "c"]) and not check_order(o, ["b", "a", "c"])
    for seed in range(20):
        s = shuffled_items(o, seed)
        assert sorted(s) == ["a", "b", "c"] and s != ["a", "b", "c"]


def test_mcq_options_are_shuffled_by_seed_and_keep_the_answer():
    c = card(type="mcq", answer="right", distractors=("w1", "w2", "w3"))
    orders = {make_mcq(c, seed=s).options for s in range(30)}
    assert len(orders) > 3
    for s in range(30):
        q = make_mcq(c, seed=s)
        assert q.answer == "right" and sorted(q.options) == ["right", "w1", "w2", "w3"]
        assert make_mcq(c, seed=s) == q
    assert make_mcq(card(type="truefalse", answer="False")).answer == "False"
    assert make_mcq(card(type="flip")) is None
    assert make_mcq(card(type="order", items=("a", "b"))) is None


def paper_cards():
    cards = [card(id=f"m{i}", type="mcq", prompt=f"Question {i}", answer=f"right {i}",
                  distractors=(f"wrong {i}a", f"wrong {i}b", f"wrong {i}c")) for i in range(12)]
    cards.append(card(id="tf", type="truefalse", prompt="A [bold] statement", answer="True"))
    return cards


def test_paper_is_deterministic_and_the_key_matches_its_questions():
    a1 = make_paper(paper_cards(), seed=7, n=10)
    a2 = make_paper(paper_cards(), seed=7, n=10)
    assert a1.markdown() == a2.markdown() and len(a1.questions) == 10
    assert make_paper(paper_cards(), seed=8, n=10).markdown() != a1.markdown()
    md = a1.markdown()
    assert "Name: ____" in md and "# Answer key" in md.replace("## Answer key", "# Answer key")
    body, key = md.split("Answer key")
    for i, q in enumerate(a1.questions, 1):
        letter = q.letter()
        assert f"{i}. **{letter}** {md_escape(q.answer)}" in key
        # The lettered option in the body under question i is the answer.
        block = body.split(f"**{i}.**")[1].split("**")[0]
        assert f"{letter}. {md_escape(q.answer)}" in block


def test_paper_versions_ask_the_same_questions_in_another_order():
    a = make_paper(paper_cards(), seed=3, version="A")
    b = make_paper(paper_cards(), seed=3, version="B")
    assert {q.card.id for q in a.questions} == {q.card.id for q in b.questions}
    assert [q.card.id for q in a.questions] != [q.card.id for q in b.questions]
    assert "version A" in a.markdown() and "version B" in b.key_markdown()


def test_markdown_keeps_brackets_as_typed():
    assert md_escape("[bold] *x* <b>") == "\\[bold\\] \\*x\\* \\<b\\>"
