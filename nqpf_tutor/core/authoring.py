"""``nqpf-tutor new PATH``: a starter deck with every card type, commented key by key.

The deck is written from a text template (PyYAML cannot write comments), with the deck id and
title taken from the file name and the first line pointing yaml-language-server at the deck
JSON Schema shipped with the package. A test loads the result with the real loader.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from nqpf_tutor.errors import NqpfError


class AuthoringError(NqpfError):
    """A starter deck that cannot be written (file exists, no such folder, ...)."""


def slugify(text: str, fallback: str = "deck") -> str:
    """A deck/card id from free text: lowercase ASCII letters, digits and '-'."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or fallback


def schema_ref() -> str:
    """Where the starter deck's modeline points: the installed schema file, as a file URI."""
    from nqpf_tutor.locations import schema_path

    return schema_path().as_uri()


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _yaml_text(s: str) -> str:
    """``s`` as a double-quoted YAML scalar (safe for any title the user's file name gives)."""
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{out}"'


STARTER_TEMPLATE = """\
# yaml-language-server: $schema={schema}
#
# A starter deck for nqpf-tutor: one card of every type and a small table.
# Check it with:   nqpf-tutor validate {filename}
# Study it with:   nqpf-tutor --decks-dir {folder} study --deck {deck_id}
# (or put it in the decks folder inside the data dir, where the app finds it by itself).
# Every problem is reported as path:line:col: message. Keys are explained in the comments;
# the README's "Writing a deck" has the full list.

deck:
{deck_id_line}# stable slug (a-z, 0-9, - _ .), unique among all loaded decks
{title_line}# shown in the app's deck list
  description: A starter deck; replace these cards with your own.   # optional
  # order: 1                    # optional: where its new cards come when studying all decks (lower first)

sources:                        # the documents cards cite (optional, but every card should say where it comes from)
  - id: my-notes                # a slug; cards refer to it in their 'sources' list
    title: My reading notes on new quality productive forces
    author: me                  # author and/or publisher (optional)
    date: "2025"                # a string, as exact as the document is (optional)
    # url: https://example.org/article   (optional)

cards:
  # flip: a question and its answer; you grade yourself (Again, Hard, Good, Easy).
  - id: hallmark                # stable slug, unique in the deck: progress is keyed on deck id + card id
    type: flip                  # flip | mcq | truefalse | typed | cloze | order
    prompt: What is the core hallmark of new quality productive forces?   # the question (front)
    answer: A substantial increase in total factor productivity           # the answer (back)
    explanation: Shown after answering; say who said it, when, and why it matters.   # optional
    tags: [foundations]         # optional; study or quiz by tag with --tag
    sources: [my-notes]         # ids from 'sources' above
    # distractors: [..., ...]   # optional on a flip card: lets quizzes ask it as multiple choice
    # formerly: [old-id]        # optional: this card was renamed from old-id and keeps its progress

  # mcq: multiple choice. 'distractors' are 2 or 3 wrong options; the options are shuffled.
  - id: driver
    type: mcq
    prompt: What do new quality productive forces arise from, above all?
    answer: Innovation
    distractors:
      - Cheap labour
      - More land under cultivation
      - Higher tariffs
    tags: [foundations]
    sources: [my-notes]

  # truefalse: 'prompt' is a statement; 'answer' is true or false (unquoted).
  - id: only-hardware
    type: truefalse
    prompt: New quality productive forces are only about new machines.
    answer: false
    explanation: Workers, means of labour and objects of labour all take part.
    sources: [my-notes]

  # typed: the learner types the answer. Matching ignores case, spacing and punctuation;
  # 'accept' lists other answers that count as right (optional).
  - id: tfp
    type: typed
    prompt: "Abbreviation: the productivity of all factors together?"
    answer: TFP
    accept: [total factor productivity]
    sources: [my-notes]

  # cloze: 'text' with the parts to recall in double braces (one card, all parts hidden).
  # 'accept' (optional): one entry per part, in order: other wordings that count as right.
  - id: three-factors
    type: cloze
    text: The three elements of productive forces are {{{{workers}}}}, {{{{means of labour}}}} and {{{{objects of labour}}}}.
    accept:
      - [laborers, labour forces]   # part 1
      - [means of labor]            # part 2
      - [subjects of labour]        # part 3
    sources: [my-notes]

  # order: 'items' in the right order; the app shows them shuffled.
  - id: four-eras
    type: order
    prompt: Put the eras of productive forces in order.
    items:
      - Steam engine era
      - Electrification era
      - Information era
      - New quality productivity era
    tags: [eras]
    sources: [my-notes]

# tables: facts as rows x columns, written once. For every cell the loader makes a flip card
# ("Steam engine era: power source?", asked as multiple choice in quizzes with the other rows'
# values as options) and, when only that row answers it, the reverse "Which era had power
# source: Coal?", with stable ids such as {table_id}.steam.power and {table_id}.steam.power.which.
tables:
  - id: {table_id}              # slug; the prefix of the generated card ids
    row_label: era              # what a row is called in generated prompts ("Which era had ...?")
    columns:                    # a column id (slug) and the label used in prompts
      - {{id: power, label: power source}}
      - {{id: material, label: key material}}
    rows:                       # at least 2 rows; each has an id, a name and a value per column
      - {{id: steam, name: Steam engine era, power: Coal, material: Iron, note: The first era.}}   # note: optional
      - {{id: electric, name: Electrification era, power: Electricity, material: Steel}}
      - {{id: info, name: Information era, power: Oil, material: Silicon}}
    tags: [eras]                # given to every generated card
    sources: [my-notes]
    explanation: Added to every generated card's explanation (optional).
"""


def starter_deck_text(path: str | os.PathLike, schema: str | None = None) -> str:
    """The starter deck for a file at ``path`` (deck id and title from its name)."""
    p = Path(path)
    stem = _CONTROL.sub(" ", p.stem).strip() or "my-deck"
    deck_id = slugify(stem, "my-deck")
    title = stem.replace("-", " ").replace("_", " ").strip() or "My deck"
    title = title[:1].upper() + title[1:]
    folder = str(p.parent) if str(p.parent) not in ("", ".") else "."
    return STARTER_TEMPLATE.format(
        schema=schema or schema_ref(),
        filename=shlex.quote(_CONTROL.sub("?", p.name)),
        folder=shlex.quote(_CONTROL.sub("?", folder)),
        deck_id=deck_id,
        deck_id_line=f"  id: {deck_id}".ljust(31) + " ",
        title_line=f"  title: {_yaml_text(title)}".ljust(31) + " ",
        table_id="eras",
    )


def write_starter_deck(path: str | os.PathLike, *, force: bool = False, schema: str | None = None) -> Path:
    """Write the starter deck to ``path``; refuse to overwrite unless ``force``.

    Raises ``AuthoringError`` (one line) for an existing file, a missing folder, a folder given
    as the path, or a file that cannot be written.
    """
    p = Path(path).expanduser()
    if p.suffix.lower() not in (".yaml", ".yml"):
        raise AuthoringError(f"{p}: a deck file name ends in .yaml or .yml")
    if p.is_dir():
        raise AuthoringError(f"{p} is a folder; give a file name such as {p / 'my-deck.yaml'}")
    parent = p.parent
    if not parent.is_dir():
        raise AuthoringError(f"cannot write {p}: folder {parent} does not exist")
    if p.exists() and not force:
        raise AuthoringError(f"{p} already exists; use --force to overwrite it")
    text = starter_deck_text(p, schema)
    from nqpf_tutor.files import write_output

    write_output(p, text, force=force, hint="use --force to overwrite it")  # nothing half-written
    return p
