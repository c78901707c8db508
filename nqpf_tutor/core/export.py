"""Export cards: JSON and CSV (every card after expansion) and a printable Markdown paper."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from nqpf_tutor.core.model import Card, Deck
from nqpf_tutor.core.decks.selection import balanced_questions
from nqpf_tutor.core.questions import LETTERS, Question, asked_answer, can_ask, normalize, shuffled_items
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

#: Kinds of paper question, and how each is answered on paper.
PAPER_KINDS = ("choice", "truefalse", "typed", "cloze", "order")


@dataclass(frozen=True)
class WrittenQuestion:
    """A paper question answered in writing: ``typed`` (a short answer on lines: typed cards and
    flashcards without distractors), ``cloze`` (fill the blanks) or ``order`` (number the items).
    ``items``: an order card's items in the order printed (shuffled by the paper's seed)."""

    card: Card
    prompt: str
    kind: str
    items: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    @property
    def answer(self) -> str:
        if self.kind == "cloze":
            return "; ".join(self.card.cloze_answers())
        if self.kind == "order":
            return " → ".join(self.card.items)
        return self.card.answer

    def order_numbers(self) -> list[int]:
        """Order questions: the right position (1 = first) of each item as printed."""
        return [list(self.card.items).index(it) + 1 for it in self.items]


def question_kind(q: "Question | WrittenQuestion") -> str:
    """One of ``PAPER_KINDS``."""
    if isinstance(q, WrittenQuestion):
        return q.kind
    return "truefalse" if q.card.type == "truefalse" else "choice"


def key_answer(q: "Question | WrittenQuestion") -> str:
    """The answer as the key gives it: ``B  text`` for a choice, the words for the others; order
    questions the printed items' right positions and the sequence."""
    if isinstance(q, Question):
        return f"{q.letter()}  {q.answer}"
    if q.kind == "order":
        return ", ".join(str(n) for n in q.order_numbers()) + f"  ({q.answer})"
    return q.answer


def written_questions(cards: Iterable[Card], seed: int | str | None, skip: set[tuple[str, str]]) -> list[WrittenQuestion]:
    """The paper's written questions: cards that cannot be asked as multiple choice (typed and
    flip cards without distractors, cloze, order), each distinct prompt and answer once and none
    that a choice question already asks (``skip``: normalized prompt and answer)."""
    out: list[WrittenQuestion] = []
    seen = set(skip)
    for card in sorted(cards, key=lambda c: c.uid):
        if card.type in ("typed", "flip") and len(card.distractors) < 2:
            q = WrittenQuestion(card, card.prompt, "typed")
        elif card.type == "cloze" and card.cloze_answers():
            q = WrittenQuestion(card, card.cloze_text(CLOZE_BLANK), "cloze")
        elif card.type == "order" and len(card.items) >= 2:
            q = WrittenQuestion(card, card.prompt, "order", items=tuple(shuffled_items(card, seed)))
        else:
            continue
        key = (normalize(q.prompt), normalize(q.answer))
        if key not in seen:
            seen.add(key)
            out.append(q)
    return out


#: What a cloze deletion becomes on paper.
CLOZE_BLANK = "____________"


@dataclass(frozen=True)
class Paper:
    title: str
    version: str
    questions: tuple["Question | WrittenQuestion", ...]

    def markdown(self, with_key: bool = True, sources: dict[str, str] | None = None) -> str:
        out = [f"# {md_escape(self.title)}" + (f" — version {self.version}" if self.version else ""), ""]
        out += ["Name: ______________________________    Class: ______________    Date: ______________", ""]
        out += [self.instructions(boxes=False), ""]
        for i, q in enumerate(self.questions, 1):
            kind = question_kind(q)
            out.append(f"**{i}.** {md_escape(q.prompt) if kind != 'cloze' else md_escape_cloze(q.prompt)}")
            out.append("")
            if kind in ("choice", "truefalse"):
                for j, opt in enumerate(q.options):
                    out.append(f"   {LETTERS[j]}. {md_escape(opt)}")
            elif kind == "typed":
                out.append("   Answer: ________________________________________________")
            elif kind == "order":
                for item in q.items:
                    out.append(f"   \\[  \\] {md_escape(item)}")
            out.append("")
        if with_key:
            out += ["---", "", self.key_markdown(heading_level=2, sources=sources)]
        return "\n".join(out).rstrip() + "\n"

    def instructions(self, boxes: bool = True) -> str:
        """How to answer, in one line (``boxes``: the PDF's tick boxes; else letters to circle)."""
        kinds = {question_kind(q) for q in self.questions}
        n = len(self.questions)
        if kinds <= {"choice", "truefalse"}:
            if boxes:
                return f"Tick one box for each of the {n} questions."
            return f"Circle one letter for each of the {n} questions."
        parts = []
        if kinds & {"choice", "truefalse"}:
            parts.append("tick one box for each choice" if boxes else "circle one letter for each choice")
        if "typed" in kinds:
            parts.append("write short answers on the lines")
        if "cloze" in kinds:
            parts.append("fill in the blanks")
        if "order" in kinds:
            parts.append("number the items in order (1 first)")
        text = "; ".join(parts)
        return f"{n} questions: {text}."

    def key_markdown(self, heading_level: int = 1, sources: dict[str, str] | None = None) -> str:
        """The answer key; ``sources`` maps a card uid to where its answer comes from."""
        h = "#" * heading_level
        out = [f"{h} Answer key" + (f" — version {self.version}" if self.version else ""), ""]
        for i, q in enumerate(self.questions, 1):
            if isinstance(q, Question):
                out.append(f"{i}. **{q.letter()}** {md_escape(q.answer)}")
            else:
                out.append(f"{i}. {md_escape(key_answer(q))}")
            if sources and sources.get(q.card.uid):
                out.append(f"   Source: {md_escape(sources[q.card.uid])}")
        return "\n".join(out) + "\n"


#: Characters Markdown (CommonMark, GitHub's tables and strikethrough) or HTML would read as
#: formatting: each is written with a backslash, which CommonMark allows before any ASCII
#: punctuation, so the paper prints the text as typed (``~~x~~``, ``<script>``, ``&amp;``).
MD_SPECIAL = frozenset("\\`*_[]<>#|~&$")


def answer_sources(paper: Paper, decks: dict[str, Deck]) -> dict[str, str]:
    """Each question's card uid -> its sources' citations (title, by whom, date), joined by "; "."""
    out = {}
    for q in paper.questions:
        deck = decks.get(q.card.deck_id)
        cites = [deck.sources[s].citation() if deck is not None and s in deck.sources else s for s in q.card.sources]
        out[q.card.uid] = "; ".join(cites)
    return out


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


def md_escape_cloze(text: str) -> str:
    """A cloze prompt: escaped, its blanks kept as blanks (with the spaces around them)."""
    parts = []
    for part in text.split(CLOZE_BLANK):
        lead = " " if part[:1].isspace() else ""
        tail = " " if part[-1:].isspace() and part.strip() else ""
        parts.append(lead + md_escape(part) + tail)
    return CLOZE_BLANK.join(parts).strip()


def make_paper(
    cards: Sequence[Card], *, seed: int | None = None, n: int | None = None, title: str = "New quality productive forces",
    version: str = "",
) -> Paper:
    """A paper test, drawn and ordered by ``seed``: multiple-choice and true/false questions and
    written ones (short answers, cloze, order; ``written_questions``), balanced across decks and
    topics, no fact asked twice (``core.decks.selection``). The markdown paper, the PDF paper and
    ``export -n`` (``paper_cards``) all come from here.

    The same seed and version give the same paper; another version (``"B"``) of the same seed
    asks the same questions in another order with the options (and order items) shuffled differently.
    """
    cards = list(cards)
    skip = {(normalize(c.prompt), normalize(asked_answer(c))) for c in cards if can_ask(c)}  # what a draw can ask
    written = written_questions(cards, f"{seed}", skip)
    questions: list = balanced_questions(cards, n, f"{seed}", salt="paper", order=f"paper|{seed}", extra=written)
    if version:
        vr = random.Random(f"paper|{seed}|{version}")
        reordered = []
        for q in questions:
            if isinstance(q, WrittenQuestion):
                items = list(q.items)
                if q.kind == "order":
                    items = shuffled_items(q.card, f"{seed}|{version}")
                reordered.append(WrittenQuestion(q.card, q.prompt, q.kind, tuple(items)))
                continue
            opts = list(q.options)
            if q.card.type != "truefalse":
                vr.shuffle(opts)
            reordered.append(Question(q.card, q.prompt, tuple(opts), opts.index(q.answer)))
        vr.shuffle(reordered)
        questions = reordered
    return Paper(title=title, version=version, questions=tuple(questions))
