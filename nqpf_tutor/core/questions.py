"""Questions asked of cards, and how answers are checked.

- ``make_mcq`` turns a card into a multiple-choice question (mcq and truefalse always; flip
  and typed cards when they carry distractors, or when other cards of the same table or deck
  supply plausible ones), with options shuffled by a seeded random generator.
- ``check_typed``, ``check_cloze`` and ``check_order`` judge free answers leniently: case,
  spacing and punctuation do not matter; accepted alternatives count.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from nqpf_tutor.core.model import Card

LETTERS = "ABCD"


@dataclass(frozen=True)
class Question:
    card: Card
    prompt: str
    options: tuple[str, ...]
    correct: int  # index into options

    @property
    def answer(self) -> str:
        return self.options[self.correct]

    def is_correct(self, choice: int | None) -> bool:
        return choice == self.correct

    def letter(self, i: int | None = None) -> str:
        return LETTERS[self.correct if i is None else i]


def _rng(seed: int | str | None, card: Card) -> random.Random:
    return random.Random(f"{seed}|{card.uid}" if seed is not None else None)


def can_ask_as_mcq(card: Card) -> bool:
    return card.type in ("mcq", "truefalse") or (card.type in ("flip", "typed") and len(card.distractors) >= 2)


def make_mcq(card: Card, seed: int | str | None = None, pool: Sequence[Card] = ()) -> Question | None:
    """A multiple-choice question for ``card``, or None when it cannot be asked that way.

    ``pool``: other cards whose answers may serve as distractors for a flip or typed card that
    has none of its own (only cards of the same table, so distractors stay in one category).
    """
    rng = _rng(seed, card)
    if card.type == "truefalse":
        return Question(card, card.prompt, ("True", "False"), 0 if card.truth else 1)
    if card.type in ("mcq", "flip", "typed"):
        distractors = list(card.distractors)
        if len(distractors) < 2 and card.table and pool:
            seen = {normalize(card.answer)}
            for other in pool:
                if other.table == card.table and other.type == card.type and other is not card:
                    n = normalize(other.answer)
                    if n not in seen and other.prompt.split(":")[-1] == card.prompt.split(":")[-1]:
                        seen.add(n)
                        distractors.append(other.answer)
            distractors = rng.sample(distractors, min(3, len(distractors)))
        if len(distractors) < 2:
            return None
        options = [card.answer, *distractors[:3]]
        rng.shuffle(options)
        return Question(card, card.prompt, tuple(options), options.index(card.answer))
    return None


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as space, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^\w\s]|_", " ", text)
    words = [w for w in text.split() if w not in ("the", "a", "an")]
    return " ".join(words)


def check_typed(card: Card, given: str) -> bool:
    g = normalize(given)
    if not g:
        return False
    return any(g == normalize(a) for a in (card.answer, *card.accept))


def check_cloze(card: Card, given: Sequence[str]) -> list[bool]:
    """One verdict per deletion, in order."""
    answers = card.cloze_answers()
    out = []
    for i, a in enumerate(answers):
        g = given[i] if i < len(given) else ""
        out.append(bool(normalize(g)) and normalize(g) == normalize(a))
    return out


def check_order(card: Card, given: Sequence[str]) -> bool:
    return list(given) == list(card.items)


def shuffled_items(card: Card, seed: int | str | None = None) -> list[str]:
    """The items of an order card in a shuffled order that is never already solved."""
    items = list(card.items)
    if len(items) < 2:
        return items
    rng = _rng(seed, card)
    for _ in range(20):
        rng.shuffle(items)
        if items != list(card.items):
            break
    if items == list(card.items):
        items = items[1:] + items[:1]
    return items
