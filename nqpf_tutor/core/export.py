"""Export cards: JSON and CSV (every card after expansion) and a printable Markdown paper."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Sequence

from nqpf_tutor.core.model import Card, Deck
from nqpf_tutor.core.decks.selection import balanced_questions
from nqpf_tutor.core.questions import LETTERS, Question
from nqpf_tutor.core.text import clean, csv_text, json_text

CSV_FIELDS = ("deck", "id", "type", "prompt", "answer", "options", "explanation", "tags", "sources")


def card_record(card: Card, deck: Deck | None = None) -> dict:
    """One exported card: what a script needs, sources spelled out when the deck is known."""
    options: list[str] = []
    if card.type in ("mcq",) or (card.type == "flip" and card.distractors):
        options = [card.answer, *card.distractors]
    elif card.type == "truefalse":
        options = ["True", "False"]
    prompt = card.cloze_text() if card.type == "cloze" else card.prompt
    rec = {
        "deck": card.deck_id,
        "id": card.id,
        "type": card.type,
        "prompt": prompt,
        "answer": card.answer,
        "options": options,
        "explanation": card.explanation,
        "tags": list(card.tags),
        "sources": [
            (deck.sources[s].to_dict() if deck is not None and s in deck.sources else {"id": s}) for s in card.sources
        ],
    }
    if card.type == "typed":
        rec["accept"] = list(card.accept)
    if card.type == "order":
        rec["items"] = list(card.items)
    if card.type == "cloze":
        rec["text"] = card.prompt
        rec["accept"] = [list(a) for a in card.blank_accept]
    return rec


def paper_cards(cards: Sequence[Card], *, seed: int | None = None, n: int | None = None) -> list[Card]:
    """The cards the paper of ``seed`` asks, in its order: what ``export --format json|csv -n N
    --seed S`` writes, so a script reads the same balanced selection as the paper."""
    return [q.card for q in make_paper(cards, seed=seed, n=n).questions]


def to_json(cards: Sequence[Card], decks: dict[str, Deck]) -> str:
    return json_text([card_record(c, decks.get(c.deck_id)) for c in cards]) + "\n"


def to_csv(cards: Sequence[Card], decks: dict[str, Deck]) -> str:
    """Every card as a row; cells cleaned and formulas neutralised (``csv_text``)."""
    rows = []
    for c in cards:
        r = card_record(c, decks.get(c.deck_id))
        rows.append([
            r["deck"], r["id"], r["type"], r["prompt"], r["answer"], " | ".join(r["options"]),
            r["explanation"], " ".join(r["tags"]), " ".join(s["id"] for s in r["sources"]),
        ])
    return csv_text(CSV_FIELDS, rows, lineterminator="\n")


# --------------------------------------------------------------------------------------
# The paper test.


@dataclass(frozen=True)
class Paper:
    title: str
    version: str
    questions: tuple[Question, ...]

    def markdown(self, with_key: bool = True) -> str:
        out = [f"# {md_escape(self.title)}" + (f" — version {self.version}" if self.version else ""), ""]
        out += ["Name: ______________________________    Date: ______________", ""]
        out += [f"Circle one letter for each of the {len(self.questions)} questions.", ""]
        for i, q in enumerate(self.questions, 1):
            out.append(f"**{i}.** {md_escape(q.prompt)}")
            out.append("")
            for j, opt in enumerate(q.options):
                out.append(f"   {LETTERS[j]}. {md_escape(opt)}")
            out.append("")
        if with_key:
            out += ["---", "", self.key_markdown(heading_level=2)]
        return "\n".join(out).rstrip() + "\n"

    def key_markdown(self, heading_level: int = 1) -> str:
        h = "#" * heading_level
        out = [f"{h} Answer key" + (f" — version {self.version}" if self.version else ""), ""]
        for i, q in enumerate(self.questions, 1):
            out.append(f"{i}. **{q.letter()}** {md_escape(q.answer)}")
        return "\n".join(out) + "\n"


#: Characters Markdown (CommonMark, GitHub's tables and strikethrough) or HTML would read as
#: formatting: each is written with a backslash, which CommonMark allows before any ASCII
#: punctuation, so the paper prints the text as typed (``~~x~~``, ``<script>``, ``&amp;``).
MD_SPECIAL = frozenset("\\`*_[]<>#|~&$")


def md_escape(text: str) -> str:
    """Card text as typed in Markdown, on one line: cleaned (``core.text.clean``), then every
    character Markdown or HTML would read as formatting escaped with a backslash."""
    text = " ".join(clean(text).split())
    out = ["\\" + ch if ch in MD_SPECIAL else ch for ch in text]
    if out and out[0] in "-+=":  # a list item or a heading underline at the line's start
        out[0] = "\\" + out[0]
    m = re.match(r"\d{1,9}[.)]", text)
    if m:  # "1." or "1)" at the line's start: a numbered list
        out[m.end() - 1] = "\\" + out[m.end() - 1]
    return "".join(out)


def make_paper(
    cards: Sequence[Card], *, seed: int | None = None, n: int | None = None, title: str = "New quality productive forces",
    version: str = "",
) -> Paper:
    """A paper test: multiple-choice and true/false questions, drawn and ordered by ``seed``,
    balanced across decks and topics, no fact asked twice (``core.decks.selection``).

    The same seed and version give the same paper; another version (``"B"``) of the same seed
    asks the same questions in another order with the options shuffled differently.
    """
    questions = balanced_questions(cards, n, f"{seed}", salt="paper", order=f"paper|{seed}")
    if version:
        vr = random.Random(f"paper|{seed}|{version}")
        reordered = []
        for q in questions:
            opts = list(q.options)
            if q.card.type != "truefalse":
                vr.shuffle(opts)
            reordered.append(Question(q.card, q.prompt, tuple(opts), opts.index(q.answer)))
        vr.shuffle(reordered)
        questions = reordered
    return Paper(title=title, version=version, questions=tuple(questions))
