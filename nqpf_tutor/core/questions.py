"""Questions asked of cards, and how answers are checked.

- ``make_mcq`` turns a card into a multiple-choice question (mcq and truefalse always; flip
  and typed cards when they carry distractors), with options shuffled by a seeded random
  generator; ``distinct_questions`` asks each distinct question of a set of cards once.
- ``check_typed``, ``check_cloze`` and ``check_order`` judge free answers leniently: case,
  spacing and punctuation do not matter, numbers may be words or digits; accepted
  alternatives count (typed cards' ``accept``, cloze deletions' ``accept``). ``near_miss``
  tells a wrong answer that was close, after which the accepted answers are shown.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

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


def can_ask(card: Card) -> bool:
    """Whether ``card`` can be asked as multiple choice (``make_mcq``): mcq and truefalse cards
    always; flip and typed cards when they have two or more distractors (the loader gives every
    table cell the other rows' values)."""
    return card.type == "truefalse" or (card.type in ("mcq", "flip", "typed") and len(card.distractors) >= 2)


def asked_answer(card: Card) -> str:
    """The right option of the question ``make_mcq`` asks of ``card``."""
    if card.type == "truefalse":
        return "True" if card.truth else "False"
    return card.answer


def make_mcq(card: Card, seed: int | str | None = None) -> Question | None:
    """A multiple-choice question for ``card``, or None when it cannot be asked that way
    (``can_ask``); its options are shuffled by a generator seeded with ``seed`` and the card."""
    if card.type == "truefalse":
        return Question(card, card.prompt, ("True", "False"), 0 if card.truth else 1)
    if not can_ask(card):
        return None
    options = [card.answer, *card.distractors[:3]]
    _rng(seed, card).shuffle(options)
    return Question(card, card.prompt, tuple(options), options.index(card.answer))


#: ``distinct_cards`` says how far it is every this many cards.
PROGRESS_EVERY = 5000


def distinct_cards(cards: Iterable[Card], progress: Callable[[int, int], None] | None = None) -> list[Card]:
    """Every card that can be asked as multiple choice or true/false, one for each distinct
    prompt and answer, in card-uid order. Where two cards ask the same (a table cell gives a
    flip and an mcq card), the authored mcq or true/false card is the one kept. (No question is
    made: a draw makes only those it takes, which at 100,000 cards is most of the time saved.)
    ``progress(done, total)`` is called every ``PROGRESS_EVERY`` cards."""
    pool = sorted(cards, key=lambda c: (c.type not in ("mcq", "truefalse"), c.uid))
    out: list[Card] = []
    seen: set[tuple[str, str]] = set()
    for i, card in enumerate(pool):
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i, len(pool))  # (cards looked at, of how many)
        if not can_ask(card):
            continue
        key = (normalize(card.prompt), normalize(asked_answer(card)))
        if key not in seen:
            seen.add(key)
            out.append(card)
    out.sort(key=lambda c: c.uid)
    return out


def distinct_questions(cards: Iterable[Card], seed: int | str | None = None) -> list[Question]:
    """The questions of ``distinct_cards``, options shuffled with ``seed``."""
    return [make_mcq(card, seed) for card in distinct_cards(cards)]  # type: ignore[misc]


_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)}


def _numbers_as_digits(words: list[str]) -> list[str]:
    """``forty`` -> ``40``, ``sixty five`` -> ``65``: a number written as words matches its digits."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in _TENS:
            n = _TENS[w]
            if i + 1 < len(words) and words[i + 1] in _NUMBER_WORDS and 0 < _NUMBER_WORDS[words[i + 1]] < 10:
                n += _NUMBER_WORDS[words[i + 1]]
                i += 1
            out.append(str(n))
        elif w in _NUMBER_WORDS:
            out.append(str(_NUMBER_WORDS[w]))
        else:
            out.append(w)
        i += 1
    return out


_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as space, single spaces; numbers written as words
    become digits and ``%`` / ``per cent`` become ``percent``, so "forty per cent" is "40%"."""
    if not text.isascii():  # (plain ASCII has no compatibility forms and no accents to drop)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("%", " percent ")
    text = _PUNCTUATION.sub(" ", text)
    words = [w for w in text.split() if w not in ("the", "a", "an")]
    words = _numbers_as_digits(words)
    return " ".join(words).replace("per cent", "percent")


def accepted_answers(card: Card) -> list[str]:
    """A typed card's answer and its accepted alternatives (flip, mcq: the answer)."""
    return [card.answer, *card.accept]


def check_typed(card: Card, given: str) -> bool:
    g = normalize(given)
    if not g:
        return False
    return any(g == normalize(a) for a in accepted_answers(card))


def check_cloze(card: Card, given: Sequence[str]) -> list[bool]:
    """One verdict per deletion, in order; each deletion's accepted wordings count."""
    out = []
    for i in range(len(card.cloze_answers())):
        g = normalize(given[i] if i < len(given) else "")
        out.append(bool(g) and any(g == normalize(a) for a in card.blank_answers(i)))
    return out


def near_miss(given: str, accepted: Sequence[str]) -> bool:
    """A wrong answer that is close to an accepted one: a slip of spelling, a word missing or
    one too many, another wording of the same idea. After one, show the accepted answers."""
    import difflib

    g = normalize(given)
    if not g:
        return False
    gw = set(g.split())
    for a in accepted:
        n = normalize(a)
        if not n or g == n:
            continue
        if difflib.SequenceMatcher(None, g, n).ratio() >= 0.75:
            return True
        aw = set(n.split())
        if len(gw & aw) >= max(1, min(len(gw), len(aw)) // 2):
            return True
    return False


def near_miss_note(card: Card, given: str | Sequence[str]) -> str:
    """After a wrong typed or cloze answer that was close (``near_miss``): the accepted
    answers, so the learner sees why it did not count. Empty otherwise."""
    if card.type == "typed" and isinstance(given, str):
        accepted = accepted_answers(card)
        if not check_typed(card, given) and near_miss(given, accepted):
            return "Close, but the accepted answers are: " + "; ".join(accepted)
    elif card.type == "cloze" and not isinstance(given, str):
        parts = []
        for i, ok in enumerate(check_cloze(card, given)):
            typed = given[i] if i < len(given) else ""
            if not ok and near_miss(typed, card.blank_answers(i)):
                parts.append(f"blank {i + 1} accepts " + " / ".join(card.blank_answers(i)))
        if parts:
            return "Close, but " + "; ".join(parts)
    return ""


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
