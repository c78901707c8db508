"""A balanced, seeded choice of questions for a quiz, a drill, a paper and ``export -n``.

Questions are spread across the decks in the selection (each deck its fair share: equal
shares, a deck with too few gives its rest to the others) and, inside a deck, across its
topics (a table's column, else the card's first tag that is not the deck's own), so one big
table cannot fill a paper. A paper never asks the same fact twice: one question per table
cell, and no question whose answer is spelled out in another question's prompt (``Steam
engine era: materials?`` gives away ``Which era had ...? Steam engine era``). Only when the
cards run short are such give-aways let in again; the same cell is never asked twice.

Question types are spread too: inside its share each deck takes multiple choice (from flip,
mcq, typed and table cards) and true/false questions in proportion to the facts it has of
each, with true/false at most ``TRUEFALSE_MAX_SHARE`` of the whole draw while other
questions are left (decks write many short true/false cards; a paper of 40% true/false
tests guessing more than knowing). Only when nothing else can be asked does the cap yield.

The same cards (in any order), ``n`` and seed give the same questions in the same order.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from typing import Callable, Iterable, Sequence

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.questions import Question, asked_answer, distinct_cards, make_mcq, normalize

#: Tags that name a deck's subject as a whole; a card's topic is a more specific tag.
_BROAD_TAGS = frozenset({"eras", "foundations", "policies", "dates", "digital", "table"})


def fact_key(card: Card) -> tuple[str, ...]:
    """What a question asks about: a table cell (all the cards made from it), else the card."""
    if card.table:
        return (card.deck_id, *card.id.split(".")[:3])
    return card.key


def topic_of(card: Card) -> str:
    """A table card's column; else the card's first tag that is neither its deck's id nor broad."""
    if card.table:
        parts = card.id.split(".")
        return parts[2] if len(parts) > 2 else card.table
    for t in card.tags:
        if t != card.deck_id and t not in _BROAD_TAGS:
            return t
    return card.tags[0] if card.tags else ""


#: True/false questions make up at most this share of a draw while other questions are left.
TRUEFALSE_MAX_SHARE = 0.3


def kind_of(q: Question) -> str:
    """A question's type as the paper asks it: ``truefalse`` or ``choice`` (multiple choice); the
    paper's written questions (``extra``) their own: ``typed``, ``cloze``, ``order``."""
    written = getattr(q, "kind", None)
    if written:
        return written
    return "truefalse" if q.card.type == "truefalse" else "choice"


def _kind_targets(questions: Sequence[Question]) -> dict[str, float]:
    """The share of each kind a deck aims at: its facts' share, true/false capped."""
    facts: dict[str, set] = defaultdict(set)
    for q in questions:
        facts[kind_of(q)].add(fact_key(q.card))
    total = sum(len(f) for f in facts.values()) or 1
    target = {k: len(f) / total for k, f in facts.items()}
    tf = target.get("truefalse", 0.0)
    others = [k for k in target if k != "truefalse"]
    if tf > TRUEFALSE_MAX_SHARE and others:
        rest = sum(target[k] for k in others)
        target["truefalse"] = TRUEFALSE_MAX_SHARE
        for k in others:
            target[k] = target[k] / rest * (1 - TRUEFALSE_MAX_SHARE)
    return target


#: Above this many questions the give-away check (pairwise) is left out: a long quiz asks
#: nearly everything anyway, and the same fact is still asked once.
GIVEAWAY_CHECK_MAX = 400


def _texts(q: Question) -> tuple[str, str]:
    """The question's answer (normalized; "" for true/false) and its prompt, padded with spaces."""
    a = "" if q.card.type == "truefalse" else normalize(q.answer)
    return a, f" {normalize(q.prompt)} "


def _shares(n: int, available: dict[str, int], order: Sequence[str]) -> dict[str, int]:
    """Fair shares of ``n`` over the decks: equal, capped by what each has, the rest spread on."""
    share = {d: 0 for d in available}
    left = min(n, sum(available.values()))
    while left > 0:
        open_ = [d for d in order if share[d] < available[d]]
        if not open_:
            break
        each = max(1, left // len(open_))
        for d in open_:
            if left == 0:
                break
            take = min(each, available[d] - share[d], left)
            share[d] += take
            left -= take
    return share


def _interleave_topics(questions: list[Question], rng: random.Random) -> deque[Question]:
    """A deck's questions, topic after topic in turn (round robin), each topic shuffled."""
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_topic[topic_of(q.card)].append(q)
    topics = sorted(by_topic)
    rng.shuffle(topics)
    queues = []
    for t in topics:
        rng.shuffle(by_topic[t])
        queues.append(deque(by_topic[t]))
    out: deque[Question] = deque()
    while queues:
        for qu in queues:
            out.append(qu.popleft())
        queues = [qu for qu in queues if qu]
    return out


def balanced_questions(
    cards: Iterable[Card], n: int | None, seed: int | str | None, *, salt: str = "", order: str | None = None,
    pick: int | str | None = None, extra: Sequence = (), progress: Callable[[int, int], None] | None = None,
) -> list[Question]:
    """Up to ``n`` questions (all when None), balanced across decks and topics, chosen by ``seed``.

    Options are shuffled with ``seed`` as well (``distinct_questions``); ``salt`` keeps the
    draws of quiz, drill and paper apart. The questions chosen come in card-uid order shuffled
    by ``random.Random(order)`` (default: by the draw's own seed), so a selection that takes
    every question comes in the same order as before balancing existed. ``pick`` (default:
    ``seed``) seeds which questions are chosen, apart from how their options are shuffled.
    ``extra``: more questions to draw from with the same rules (the paper's written questions:
    anything with ``card``, ``prompt`` and ``answer``). ``progress(cards looked at, of how many)``
    as the cards are gone through (most of a large draw's time).
    """
    # cards stand in for their questions while drawing; only those taken are made (at the end)
    questions: list = [_Asked(c) for c in distinct_cards(cards, progress)] + list(extra)
    if not questions:
        return []
    want = len(questions) if n is None else max(0, n)
    rng = random.Random(f"balance|{salt}|{seed if pick is None else pick}")
    by_deck: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_deck[q.card.deck_id].append(q)
    decks = sorted(by_deck)
    rng.shuffle(decks)
    # Each deck's questions, topics in turn, split by kind (each kind keeps the topic order).
    queues: dict[str, dict[str, deque[Question]]] = {}
    for d in decks:
        queues[d] = defaultdict(deque)
        for q in _interleave_topics(by_deck[d], rng):
            queues[d][kind_of(q)].append(q)
    targets = {d: _kind_targets(by_deck[d]) for d in decks}
    # One question per fact first: the number of facts is what a deck can really give.
    facts_per_deck = {d: len({fact_key(q.card) for q in by_deck[d]}) for d in decks}
    share = _shares(want, facts_per_deck, decks)
    tf_cap = int(TRUEFALSE_MAX_SHARE * want)

    chosen: list[Question] = []
    facts: set[tuple[str, ...]] = set()
    taken: Counter[str] = Counter()
    taken_kind: dict[str, Counter[str]] = defaultdict(Counter)
    kinds_taken: Counter[str] = Counter()

    check = want <= GIVEAWAY_CHECK_MAX
    texts: dict[int, tuple[str, str]] = {}  # normalized lazily: only the questions looked at

    def text_of(q: Question) -> tuple[str, str]:
        t = texts.get(id(q))
        if t is None:
            t = texts[id(q)] = _texts(q)
        return t

    def fits(q: Question, strict: bool) -> bool:
        if fact_key(q.card) in facts:
            return False
        if strict and check:
            qa, qp = text_of(q)
            for c in chosen:
                ca, cp = text_of(c)
                if (qa and f" {qa} " in cp) or (ca and f" {ca} " in qp):
                    return False
        return True

    deferred: dict[str, list[Question]] = defaultdict(list)  # gave something away: maybe later

    def kinds_in_turn(d: str, capped: bool) -> list[str]:
        """The deck's kinds, the one furthest behind its target share first."""
        target = targets[d]
        ks = [k for k in sorted(target) if queues[d][k]]
        if capped:
            ks = [k for k in ks if k != "truefalse" or kinds_taken[k] < tf_cap]
        return sorted(ks, key=lambda k: taken_kind[d][k] - target[k] * (taken[d] + 1))

    def take_one(d: str, strict: bool, capped: bool) -> bool:
        for k in kinds_in_turn(d, capped):
            queue = queues[d][k]
            while queue:
                q = queue.popleft()
                if fact_key(q.card) in facts:
                    continue  # that fact is asked already: never again
                if not fits(q, strict):
                    deferred[d].append(q)
                    continue
                chosen.append(q)
                facts.add(fact_key(q.card))
                taken[d] += 1
                taken_kind[d][k] += 1
                kinds_taken[k] += 1
                return True
        return False

    def draw(limit_of, strict: bool, capped: bool = True) -> None:
        progress = True
        while len(chosen) < want and progress:
            progress = False
            for d in decks:
                if len(chosen) >= want or taken[d] >= limit_of(d):
                    continue
                progress = take_one(d, strict, capped) or progress

    everything = len(questions)
    draw(lambda d: share[d], strict=True)  # each deck its fair share, types mixed
    draw(lambda d: everything, strict=True)  # a deck that ran short: the others fill in
    draw(lambda d: share[d], strict=True, capped=False)  # only true/false left: the cap yields
    draw(lambda d: everything, strict=True, capped=False)
    for d in decks:  # still short: give-aways, never the same fact
        for q in reversed(deferred.pop(d, [])):
            queues[d][kind_of(q)].appendleft(q)
    draw(lambda d: everything, strict=False, capped=False)
    chosen.sort(key=lambda q: q.card.uid)
    random.Random(order if order is not None else f"order|{salt}|{seed}").shuffle(chosen)
    return [make_mcq(q.card, seed) if isinstance(q, _Asked) else q for q in chosen]


class _Asked:
    """A card to be asked as multiple choice, standing in for its question during a draw: the
    prompt and the right answer, without the shuffled options (made only for those taken)."""

    __slots__ = ("card", "prompt", "answer")

    def __init__(self, card: Card) -> None:
        self.card, self.prompt, self.answer = card, card.prompt, asked_answer(card)


def deck_shares(questions: Sequence[Question]) -> dict[str, float]:
    """The share of each deck among ``questions`` (for reports and tests)."""
    counts = Counter(q.card.deck_id for q in questions)
    total = sum(counts.values()) or 1
    return {d: counts[d] / total for d in sorted(counts)}
