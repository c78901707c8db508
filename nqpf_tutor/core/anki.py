"""Export cards as an Anki package (``.apkg``) with genanki, for Anki and AnkiDroid.

- One note per card. A basic model with the fields Front, Back, Explanation and Source, and
  a cloze model (Text, Explanation, Source) for cloze cards: all deletions of a card are
  ``{{c1::...}}``, hidden together on one Anki card, as the app asks them.
- mcq (and truefalse): the front lists lettered options, the back gives the right letter and
  answer. typed, and cloze blanks with ``accept``: the back adds the other accepted answers
  (a cloze's in its Explanation field, before the explanation). order: the front shows the items
  shuffled, the back numbers them in order. Options and items are shuffled with a seed from
  the card's uid, so exporting twice gives the same notes.
- Card text is escaped as HTML (``<b>``, ``[0]``, ``&`` show as typed; newlines become ``<br>``).
- Note GUIDs come from the card uid (``genanki.guid_for``): importing a newer export into Anki
  updates the notes instead of duplicating them. Model and deck ids are fixed numbers
  (models) or derived from a hash (decks), so they are the same on every export.
- Tags are the card's tags with whitespace replaced by ``_`` (Anki tags cannot hold spaces).
- Each nqpf-tutor deck becomes an Anki deck; with several, subdecks ``title::deck title``.
"""

from __future__ import annotations

import hashlib
import html
import os
import random
import re
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Mapping

from nqpf_tutor.core.model import CLOZE_RE, Card, Deck, is_web_url
from nqpf_tutor.core.questions import LETTERS
from nqpf_tutor.core.text import clean, escape
from nqpf_tutor.errors import NqpfError

#: Fixed model ids: the same on every export, so Anki sees one note type, not a new one each time.
BASIC_MODEL_ID = 1607392319
CLOZE_MODEL_ID = 1607392320
BASIC_MODEL_NAME = "nqpf-tutor Basic"
CLOZE_MODEL_NAME = "nqpf-tutor Cloze"
BASIC_FIELDS = ("Front", "Back", "Explanation", "Source")
CLOZE_FIELDS = ("Text", "Explanation", "Source")

CSS = """\
.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background-color: white; }
.options { margin-top: .6em; }
.explanation { margin-top: 1em; font-size: 16px; }
.source { margin-top: .6em; font-size: 13px; color: #666; }
.cloze { font-weight: bold; color: blue; }
.nightMode .cloze { color: lightblue; }
.nightMode .source { color: #aaa; }
"""

_EXTRA = (
    "{{#Explanation}}<div class=explanation>{{Explanation}}</div>{{/Explanation}}"
    "{{#Source}}<div class=source>{{Source}}</div>{{/Source}}"
)


class AnkiExportError(NqpfError):
    """The .apkg cannot be written."""


def _genanki():
    try:
        import genanki
    except ImportError:
        raise AnkiExportError("the Anki export needs the genanki package: pip install genanki") from None
    return genanki


def deck_id_for(name: str) -> int:
    """A stable Anki deck id for a deck name (in genanki's suggested range, 2**30 to 2**31)."""
    h = int.from_bytes(hashlib.sha256(f"nqpf-tutor deck|{name}".encode("utf-8")).digest()[:8], "big")
    return (1 << 30) + h % (1 << 30)


def anki_tag(tag: str) -> str:
    """An Anki tag: no whitespace (runs become '_')."""
    return re.sub(r"\s+", "_", tag.strip())


def esc(text: str) -> str:
    """Card text as HTML that shows exactly as typed."""
    return html.escape(clean(text), quote=False).replace("\n", "<br>")  # (clean: no control or bidi characters)


def _rng(card: Card) -> random.Random:
    return random.Random(f"anki|{card.uid}")


def _options(card: Card) -> tuple[list[str], int]:
    if card.type == "truefalse":
        return ["True", "False"], 0 if card.truth else 1
    options = [card.answer, *card.distractors]
    _rng(card).shuffle(options)
    return options, options.index(card.answer)


def _lettered(options: list[str]) -> str:
    return "<div class=options>" + "<br>".join(f"{LETTERS[i]}. {esc(o)}" for i, o in enumerate(options)) + "</div>"


def basic_fields(card: Card) -> tuple[str, str]:
    """(Front, Back) HTML of a card that is not a cloze."""
    prompt = esc(card.prompt)
    if card.type in ("mcq", "truefalse"):
        options, right = _options(card)
        lead = "True or false? " if card.type == "truefalse" else ""
        return f"{lead}{prompt}{_lettered(options)}", f"{LETTERS[right]}. {esc(options[right])}"
    if card.type == "order":
        items = list(card.items)
        shuffled = items[:]
        rng = _rng(card)
        for _ in range(5):  # shown out of order when possible
            rng.shuffle(shuffled)
            if shuffled != items:
                break
        front = prompt + "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in shuffled) + "</ul>"
        back = "<ol>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ol>"
        return front, back
    back = esc(card.answer)
    if card.type == "typed" and card.accept:
        back += "<div class=options>Also accepted: " + esc("; ".join(card.accept)) + "</div>"
    return prompt, back


def cloze_text(card: Card) -> str:
    """The cloze text with every deletion as ``{{c1::...}}`` (hidden together), escaped.

    Braces in the text and ``::`` inside a deletion (Anki's hint marker) become entities, so
    they show as typed.
    """
    out, pos = [], 0
    for m in CLOZE_RE.finditer(card.prompt):
        out.append(_no_braces(esc(card.prompt[pos:m.start()])))
        out.append("{{c1::" + _no_braces(esc(m.group(1))).replace("::", ":&#58;") + "}}")
        pos = m.end()
    out.append(_no_braces(esc(card.prompt[pos:])))
    return "".join(out)


def cloze_accepted(card: Card) -> str:
    """The other wordings accepted for a cloze's blanks (its ``accept``), as the back shows them:
    "Also accepted: …" (per blank, numbered when there are several), or "" when none."""
    per = [(i, alts) for i, alts in enumerate(card.blank_accept) if alts]
    if not per:
        return ""
    several = len(CLOZE_RE.findall(card.prompt)) > 1
    parts = [(f"blank {i + 1}: " if several else "") + "; ".join(alts) for i, alts in per]
    return "<div class=options>Also accepted: " + esc(" · ".join(parts)) + "</div>"


def _no_braces(text: str) -> str:
    """Braces as entities, so Anki's cloze parser sees only the deletions written here."""
    return text.replace("{", "&#123;").replace("}", "&#125;")


def source_field(card: Card, deck: Deck | None) -> str:
    parts = []
    for sid in card.sources:
        src = deck.sources.get(sid) if deck is not None else None
        if src is None:
            parts.append(esc(sid))
            continue
        text = esc(src.citation())
        if src.url and is_web_url(src.url):  # only http(s) becomes a link
            text += f' (<a href="{html.escape(src.url, quote=True)}">{esc(src.url)}</a>)'
        elif src.url:
            text += f" ({esc(src.url)})"
        parts.append(text)
    return "; ".join(parts)


def _models(genanki) -> tuple[Any, Any]:
    basic = genanki.Model(
        BASIC_MODEL_ID,
        BASIC_MODEL_NAME,
        fields=[{"name": f} for f in BASIC_FIELDS],
        templates=[{
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Back}}" + _EXTRA,
        }],
        css=CSS,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        CLOZE_MODEL_NAME,
        fields=[{"name": f} for f in CLOZE_FIELDS],
        templates=[{
            "name": "Cloze",
            "qfmt": "{{cloze:Text}}",
            "afmt": "{{cloze:Text}}" + _EXTRA,
        }],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )
    return basic, cloze


def deck_names(cards: Iterable[Card], decks: Mapping[str, Deck], title: str) -> dict[str, str]:
    """The Anki deck name for each nqpf-tutor deck id among ``cards``."""
    ids = list(dict.fromkeys(c.deck_id for c in cards))
    if len(ids) == 1:
        return {ids[0]: title}
    names = {}
    for d in ids:
        sub = decks[d].title if d in decks else d
        names[d] = f"{title}::{sub.replace('::', ':')}"
    return names


def write_apkg(cards: Iterable[Card], decks: Mapping[str, Deck], path: str | os.PathLike, title: str,
               *, force: bool = False) -> int:
    """Write ``cards`` as an Anki package at ``path`` (through ``nqpf_tutor.files``: an
    existing file only with ``force``); return the number of notes."""
    genanki = _genanki()
    cards = list(dict((c.uid, c) for c in cards).values())
    if not cards:
        raise AnkiExportError("no cards to export")
    title = " ".join(title.split()) or "nqpf-tutor"
    basic, cloze = _models(genanki)
    names = deck_names(cards, decks, title)
    anki_decks = {d: genanki.Deck(deck_id_for(name), name) for d, name in names.items()}
    for card in cards:
        deck = decks.get(card.deck_id)
        explanation = esc(card.explanation)
        source = source_field(card, deck)
        tags = [t for t in dict.fromkeys(anki_tag(t) for t in card.tags) if t]
        if card.type == "cloze":
            note = genanki.Note(model=cloze, fields=[cloze_text(card), cloze_accepted(card) + explanation, source], tags=tags,
                                guid=genanki.guid_for(card.uid))
        else:
            front, back = basic_fields(card)
            note = genanki.Note(model=basic, fields=[front, back, explanation, source], tags=tags,
                                guid=genanki.guid_for(card.uid))
        anki_decks[card.deck_id].add_note(note)
    import tempfile

    from nqpf_tutor.files import check_outputs, write_output

    check_outputs([path], force=force)
    with tempfile.TemporaryDirectory(prefix="nqpf-apkg-") as tmp:
        built = Path(tmp) / "deck.apkg"
        try:
            genanki.Package(list(anki_decks.values())).write_to_file(str(built))
            data = built.read_bytes()
        except (OSError, sqlite3.Error) as e:  # (genanki builds it with SQLite in a temporary folder)
            raise AnkiExportError(f"cannot write {escape(path)}: {getattr(e, 'strerror', None) or e} "
                                  "(while making the package in a temporary folder)") from None
    write_output(path, data, force=force)
    return len(cards)
