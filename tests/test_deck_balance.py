"""Quiz, drill, paper and ``export -n`` draw a balanced, seeded selection (issue 12): every deck
its fair share unless the learner chose decks, topics spread inside a deck, no fact asked
twice, no question answering another, and the export of a seed is the paper of that seed."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from nqpf_tutor.core.decks.selection import balanced_questions, deck_shares, fact_key, kind_of, topic_of
from nqpf_tutor.core.drill import build_questions
from nqpf_tutor.core.export import make_paper, paper_cards
from nqpf_tutor.core.loader import Catalog, load_deck_file, select_cards
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.questions import normalize
from nqpf_tutor.core.quiz import build_quiz

DECKS_DIR = Path(__file__).parents[1] / "decks"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    decks = [load_deck_file(p, bundled=True) for p in sorted(DECKS_DIR.glob("*.yaml"))]
    decks.sort(key=lambda d: (d.order is None, d.order or 0))
    return Catalog(decks=decks)


@pytest.fixture(scope="module")
def cards(catalog: Catalog) -> list[Card]:
    return catalog.all_cards()


def _gives_away(questions) -> list[tuple[str, str]]:
    out = []
    for q in questions:
        if q.card.type == "truefalse":
            continue
        a = f" {normalize(q.answer)} "
        for other in questions:
            if other is not q and a in f" {normalize(other.prompt)} ":
                out.append((q.card.uid, other.card.uid))
    return out


@pytest.mark.parametrize("seed", range(1, 16))
def test_a_40_question_all_deck_paper_is_balanced_and_asks_each_fact_once(cards: list[Card], seed: int) -> None:
    paper = make_paper(cards, seed=seed, n=40)
    qs = paper.questions
    assert len(qs) == 40
    shares = deck_shares(qs)
    assert max(shares.values()) <= 0.4, shares
    assert len(shares) == 5  # every deck is asked
    facts = [fact_key(q.card) for q in qs]
    assert len(set(facts)) == len(facts), "a fact asked twice"
    assert len({(normalize(q.prompt), normalize(q.answer)) for q in qs}) == 40
    assert not _gives_away(qs), "a question's answer is spelled out in another question"
    # Version B asks the same questions (so the two versions give each other nothing new).
    b = make_paper(cards, seed=seed, n=40, version="B")
    assert sorted(q.card.uid for q in b.questions) == sorted(q.card.uid for q in qs)
    assert not _gives_away(b.questions)


def test_quiz_and_drill_are_balanced_too(cards: list[Card]) -> None:
    for seed in range(1, 8):
        for qs in (build_quiz(cards, 20, seed=seed), build_questions(cards, 20, seed)):
            assert len(qs) == 20
            assert max(deck_shares(qs).values()) <= 0.4
            assert len({fact_key(q.card) for q in qs}) == 20
    # The old draw took half its questions from the eras table ("which era had X").
    which = [q for q in build_quiz(cards, 40, seed=3) if q.card.id.endswith(".which")]
    assert len(which) <= 8


def test_a_chosen_deck_gives_every_question_and_its_topics_are_spread(catalog: Catalog) -> None:
    eras = select_cards(catalog, ["eras"])
    qs = make_paper(eras, seed=11, n=14).questions
    assert {q.card.deck_id for q in qs} == {"eras"}
    topics = Counter(topic_of(q.card) for q in qs)
    assert len(topics) >= 6, topics  # power, materials, machines, ... not 14 of one column
    assert max(topics.values()) <= 3, topics
    two = select_cards(catalog, ["eras", "dates"])
    shares = deck_shares(make_paper(two, seed=11, n=20).questions)
    assert shares == {"dates": 0.5, "eras": 0.5}


def test_same_seed_same_selection_whatever_the_card_order(cards: list[Card]) -> None:
    shuffled = list(cards)
    random.Random(5).shuffle(shuffled)
    a = make_paper(cards, seed=9, n=25)
    b = make_paper(shuffled, seed=9, n=25)
    assert [(q.card.uid, q.options) for q in a.questions] == [(q.card.uid, q.options) for q in b.questions]
    assert [q.card.uid for q in make_paper(cards, seed=10, n=25).questions] != [q.card.uid for q in a.questions]


def test_more_questions_than_facts_asks_each_fact_once(cards: list[Card]) -> None:
    qs = balanced_questions(cards, 10_000, 1)
    facts = [fact_key(q.card) for q in qs]
    assert len(set(facts)) == len(facts)
    assert len(qs) >= 90  # every fact of the bundled decks


def test_balanced_questions_on_small_and_empty_selections() -> None:
    assert balanced_questions([], 5, 1) == []
    flips = [Card("d", f"c{i}", "flip", f"Q{i}", f"A{i}") for i in range(5)]  # no distractors: no mcq
    assert balanced_questions(flips, 5, 1) == []
    tf = [Card("d", f"t{i}", "truefalse", f"Statement {i}", "True") for i in range(3)]
    assert len(balanced_questions(tf, 10, 1)) == 3


def _run(*args: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nqpf_tutor", "--data-dir", str(data), *args],
                          capture_output=True, text=True)


def test_export_n_seed_writes_the_papers_selection(tmp_path: Path, cards: list[Card]) -> None:
    want = [c.uid for c in paper_cards(cards, seed=42, n=12)]
    r = _run("export", "--format", "json", "-n", "12", "--seed", "42", data=tmp_path)
    assert r.returncode == 0, r.stderr
    got = [f"{d['deck']}/{d['id']}" for d in json.loads(r.stdout)]
    assert got == want
    assert max(Counter(u.split("/")[0] for u in got).values()) <= 0.4 * 12
    r = _run("export", "--format", "csv", "-n", "12", "--seed", "42", data=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [f"{d['deck']}/{d['id']}" for d in rows] == want
    # ... and they are the questions of the markdown paper of that seed, in its order.
    r = _run("export", "--format", "markdown", "-n", "12", "--seed", "42", data=tmp_path)
    assert r.returncode == 0, r.stderr
    paper = make_paper(cards, seed=42, n=12)
    assert [q.card.uid for q in paper.questions] == want
    for q in paper.questions[:3]:
        assert q.prompt.split()[0] in r.stdout


def test_export_n_without_questions_is_a_one_line_error(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "plain.yaml").write_text(
        "deck: {id: plain, title: Plain}\ncards:\n  - {id: a, type: flip, prompt: p, answer: x}\n"
        "  - {id: b, type: cloze, text: 'a {{b}} c'}\n", "utf-8")
    r = _run("--decks-dir", str(decks), "export", "--format", "json", "--deck", "plain", "-n", "5", data=tmp_path / "d")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.count("\n") == 1 and "leave out -n" in r.stderr
    r = _run("--decks-dir", str(decks), "export", "--format", "json", "--deck", "plain", data=tmp_path / "d")
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 2


@pytest.mark.parametrize("seed", range(1, 11))
def test_question_types_are_mixed_true_false_at_most_30_percent(cards: list[Card], seed: int) -> None:
    """An all-deck paper was about 40% true/false (decks write many short true/false cards):
    now multiple choice and true/false are mixed, true/false at most 30%, every deck still
    within its share and no fact asked twice."""
    for qs in (make_paper(cards, seed=seed, n=40).questions, build_quiz(cards, 40, seed=seed),
               build_questions(cards, 40, seed)):
        kinds = Counter(kind_of(q) for q in qs)
        assert len(qs) == 40
        assert kinds["truefalse"] <= 12, kinds
        assert kinds["truefalse"] >= 6, kinds  # a mix, not true/false squeezed out
        assert max(deck_shares(qs).values()) <= 0.4
        assert len({fact_key(q.card) for q in qs}) == 40
        # true/false spread over the decks, not all from one
        assert max(Counter(q.card.deck_id for q in qs if kind_of(q) == "truefalse").values()) <= 4


def test_the_true_false_cap_yields_only_when_nothing_else_is_left() -> None:
    tf = [Card("d", f"t{i}", "truefalse", f"Statement {i}", "True") for i in range(6)]
    mcq = [Card("d", f"m{i}", "mcq", f"Question {i}?", f"Answer {i}", distractors=(f"x{i}", f"y{i}", f"z{i}"))
           for i in range(4)]
    qs = balanced_questions(tf + mcq, 5, 3)
    assert Counter(kind_of(q) for q in qs) == {"choice": 4, "truefalse": 1}
    # Ten asked of ten: every true/false comes in once the multiple choice has run out.
    assert Counter(kind_of(q) for q in balanced_questions(tf + mcq, 10, 3)) == {"choice": 4, "truefalse": 6}
    assert len(balanced_questions(tf, 4, 3)) == 4
