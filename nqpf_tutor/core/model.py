"""The deck model: small, typed, immutable data classes with ``to_dict``/``from_dict``.

Card identity is ``(deck_id, card_id)``; progress is keyed on it. ``content_hash`` changes
when what the learner sees or must answer changes, so edited cards can be noticed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Callable

CARD_TYPES: tuple[str, ...] = ("flip", "mcq", "truefalse", "typed", "cloze", "order")

#: Cloze deletions are written ``{{like this}}`` inside the card's ``text``.
CLOZE_RE = re.compile(r"\{\{(.+?)\}\}", re.S)

#: Stable slugs for deck, card, source and table ids.
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def is_web_url(url: str) -> bool:
    """An ``http://`` or ``https://`` address with a host and no spaces or control characters:
    the only kind of address a deck's source may give (it becomes a link in Anki)."""
    from urllib.parse import urlsplit

    if not isinstance(url, str) or any(c.isspace() or not c.isprintable() for c in url):
        return False
    try:
        u = urlsplit(url)
    except ValueError:
        return False
    return u.scheme.lower() in ("http", "https") and bool(u.hostname)


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None

    def citation(self) -> str:
        """One line: title, by whom, when."""
        parts = [self.title]
        who = self.author or self.publisher
        if who:
            parts.append(who)
        if self.date:
            parts.append(self.date)
        return ", ".join(parts)

    def full_citation(self) -> str:
        """Title, author, publisher, date and address: whichever the deck gives."""
        parts = [self.title]
        if self.author:
            parts.append(f"by {self.author}")
        if self.publisher and self.publisher != self.author:
            parts.append(self.publisher)
        if self.date:
            parts.append(self.date)
        text = ", ".join(parts)
        if self.url:
            text += f" <{self.url}>"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Source":
        return cls(**{k: d.get(k) for k in ("id", "title", "publisher", "author", "date", "url")})


#: Cards read from the deck cache carry at first only what start-up needs (ids, content hash,
#: tags, ``formerly``, ``table``); the rest of a card is read from its deck's cached body the
#: first time it is asked for (issue 17: launch at 100k cards). Cache token -> card index -> fields.
LAZY_BODIES: dict[str, Callable[[int], dict[str, Any]]] = {}


@dataclass(frozen=True)
class Card:
    """One card after loading (tables already expanded).

    - flip: ``prompt`` / ``answer``; optional ``distractors`` let a quiz ask it as multiple choice.
    - mcq: ``prompt`` / ``answer`` / ``distractors`` (2 or 3 of them: 3 or 4 options).
    - truefalse: ``prompt`` is a statement; ``answer`` is ``"True"`` or ``"False"``.
    - typed: ``prompt`` / ``answer`` / ``accept`` (other accepted answers).
    - cloze: ``prompt`` holds text with ``{{deletions}}``; ``answer`` is the deletions joined by "; ";
      ``blank_accept`` holds, per deletion, the other wordings accepted for it.
    - order: ``prompt`` / ``items`` in the right order; ``answer`` is the items joined by " → ".
    """

    deck_id: str
    id: str
    type: str
    prompt: str
    answer: str
    explanation: str = ""
    distractors: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    formerly: tuple[str, ...] = ()
    table: str | None = None  # the table a generated card came from
    line: int | None = None  # where the card starts in its file (1-based), when known
    blank_accept: tuple[tuple[str, ...], ...] = ()  # cloze: other wordings accepted, per deletion

    def __getattr__(self, name: str) -> Any:
        # Only called for an attribute not in the card's __dict__: a card from the deck cache
        # whose body is not read yet (see LAZY_BODIES); any other card has every field.
        d = self.__dict__
        token, i = d.get("_body"), d.get("_i")
        if token is None or i is None or name.startswith("__"):
            if name in d:  # read meanwhile by another thread
                return d[name]
            raise AttributeError(f"'Card' object has no attribute '{name}'")
        d.update(LAZY_BODIES[token](i))
        d.pop("_body", None)
        d.pop("_i", None)
        try:
            return d[name]
        except KeyError:
            raise AttributeError(f"'Card' object has no attribute '{name}'") from None

    def __getstate__(self) -> dict[str, Any]:  # copy and pickle: the whole card
        if "_body" in self.__dict__:
            self.type  # noqa: B018 - reads the body
        return dict(self.__dict__)

    @functools.cached_property
    def key(self) -> tuple[str, str]:
        # made once per card (read 300,000 times at start-up with 100k cards, issue 17)
        return (self.deck_id, self.id)

    @property
    def uid(self) -> str:
        return f"{self.deck_id}/{self.id}"

    @property
    def truth(self) -> bool | None:
        if self.type != "truefalse":
            return None
        return self.answer == "True"

    def cloze_answers(self) -> list[str]:
        return CLOZE_RE.findall(self.prompt) if self.type == "cloze" else []

    def cloze_text(self, blank: str = "[...]") -> str:
        """The cloze text with each deletion replaced by ``blank``."""
        return CLOZE_RE.sub(lambda m: blank, self.prompt)

    def blank_answers(self, i: int) -> list[str]:
        """Every wording accepted for cloze deletion ``i``: the deletion itself, then its ``accept``."""
        answers = self.cloze_answers()
        if not 0 <= i < len(answers):
            return []
        extra = self.blank_accept[i] if i < len(self.blank_accept) else ()
        return [answers[i].strip(), *extra]

    @property
    def content_hash(self) -> str:
        # Worked out once per card (the deck cache stores it too: no hashing at start-up).
        h = self.__dict__.get("_content_hash")
        if h is None:
            fields: list = [self.type, self.prompt, self.answer, list(self.distractors), list(self.accept),
                            list(self.items)]
            if any(self.blank_accept):  # only then, so the hash of every other card stays as it was
                fields.append([list(a) for a in self.blank_accept])
            payload = json.dumps(fields, ensure_ascii=False)
            h = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
            object.__setattr__(self, "_content_hash", h)
        return h

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("distractors", "accept", "items", "tags", "sources", "formerly"):
            d[k] = list(d[k])
        d["blank_accept"] = [list(a) for a in self.blank_accept]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Card":
        kw = dict(d)
        for k in ("distractors", "accept", "items", "tags", "sources", "formerly"):
            kw[k] = tuple(kw.get(k) or ())
        kw["blank_accept"] = tuple(tuple(a) for a in (kw.get("blank_accept") or ()))
        return cls(**kw)


# A field's default stays in ``__init__`` but not on the class, so a lazy card's field not read
# yet reaches ``Card.__getattr__`` instead of the class default.
for _f in fields(Card):
    if _f.name in Card.__dict__:
        delattr(Card, _f.name)


@dataclass(frozen=True)
class Deck:
    id: str
    title: str
    description: str = ""
    path: str | None = None
    bundled: bool = False
    sources: dict[str, Source] = field(default_factory=dict)
    cards: tuple[Card, ...] = ()
    #: Where the deck comes in the teaching order of new cards (lower first); None: after those with one.
    order: int | None = None

    def card(self, card_id: str) -> Card | None:
        for c in self.cards:
            if c.id == card_id:
                return c
        return None

    @property
    def tags(self) -> list[str]:
        return sorted({t for c in self.cards for t in c.tags})

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "order": self.order,
            "path": self.path,
            "bundled": self.bundled,
            "sources": [s.to_dict() for s in self.sources.values()],
            "cards": [c.to_dict() for c in self.cards],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Deck":
        sources = {s["id"]: Source.from_dict(s) for s in d.get("sources", [])}
        return cls(
            id=d["id"],
            title=d["title"],
            description=d.get("description", ""),
            order=d.get("order"),
            path=d.get("path"),
            bundled=d.get("bundled", False),
            sources=sources,
            cards=tuple(Card.from_dict(c) for c in d.get("cards", [])),
        )
