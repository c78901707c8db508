"""The deck JSON Schema, built from the loader's own key lists so the two stay in step.

``nqpf_tutor/deck.schema.json`` is this schema written out (a test checks they agree), for
editors using yaml-language-server.
"""

from __future__ import annotations

import json
from typing import Any

from nqpf_tutor.core import loader as L
from nqpf_tutor.core.model import CARD_TYPES

SLUG = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9_.-]*$"}
TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}
SCALAR = {"anyOf": [TEXT, {"type": "number"}]}
TEXT_LIST = {"type": "array", "items": SCALAR}
#: A cloze card's accept: one entry per {{deletion}}, in order: a list of other wordings, one, or none.
CLOZE_ACCEPT = {"type": "array", "items": {"anyOf": [TEXT_LIST, SCALAR, {"type": "null"}]}}

DESCRIPTIONS = {
    "id": "Stable slug (a-z, 0-9, '-', '_', '.'); progress is keyed on deck id + card id.",
    "type": "Card type: " + ", ".join(CARD_TYPES) + ".",
    "prompt": "The question or front of the card.",
    "answer": "The right answer (truefalse: true or false).",
    "explanation": "Shown after answering: who, when, why it matters.",
    "distractors": "Wrong options for multiple choice (2 or 3: 3 or 4 options in all).",
    "accept": "Other answers accepted for a typed card (case, spacing, punctuation ignored).",
    "cloze_accept": "One entry per {{deletion}}, in order: the other wordings accepted for it "
                    "(a list, one text, or [] / null for none).",
    "text": "Cloze text with the parts to recall in double braces: {{like this}}.",
    "items": "Order card: the items in the right order (shown shuffled).",
    "tags": "Tags to draw cards by.",
    "sources": "Ids of the sources (in this deck's 'sources') the card comes from.",
    "formerly": "Earlier ids of this card: their progress moves to it.",
}


def _card_schema(ctype: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": SLUG,
        "type": {"const": ctype},
        "explanation": {"type": "string"},
        "tags": TEXT_LIST,
        "sources": {"type": "array", "items": SLUG},
        "formerly": {"type": "array", "items": SLUG},
    }
    for k in L.TYPE_KEYS[ctype]:
        if k in ("prompt", "text"):
            props[k] = SCALAR if k == "prompt" else TEXT
        elif k == "answer":
            props[k] = {"type": "boolean"} if ctype == "truefalse" else SCALAR
        elif k == "distractors":
            props[k] = {**TEXT_LIST, "minItems": L.MIN_DISTRACTORS, "maxItems": L.MAX_DISTRACTORS, "uniqueItems": True}
        elif k == "accept" and ctype == "cloze":
            props[k] = {**CLOZE_ACCEPT, "description": DESCRIPTIONS["cloze_accept"]}
            continue
        elif k == "accept":
            props[k] = TEXT_LIST
        elif k == "items":
            props[k] = {**TEXT_LIST, "minItems": 2, "uniqueItems": True}
    for k, v in list(props.items()):
        if k in DESCRIPTIONS and "description" not in v:
            props[k] = {**v, "description": DESCRIPTIONS[k]}
    return {
        "type": "object",
        "properties": props,
        "required": ["id", "type", *L.REQUIRED_KEYS[ctype]],
        "additionalProperties": False,
    }


def build_schema() -> dict[str, Any]:
    cards = {f"card_{t}": _card_schema(t) for t in CARD_TYPES}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://nqpf-tutor.invalid/deck.schema.json",
        "title": "nqpf-tutor deck",
        "description": "A deck of cards for nqpf-tutor. Check a deck with: nqpf-tutor validate FILE",
        "type": "object",
        "properties": {
            "deck": {
                "type": "object",
                "properties": {
                    "id": SLUG, "title": TEXT, "description": {"type": "string"},
                    "order": {"type": "integer", "description": "Where the deck's new cards come in the teaching "
                              "order when no deck is chosen (lower first; decks without one come last)."},
                },
                "required": ["id", "title"],
                "additionalProperties": False,
            },
            "sources": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"id": SLUG, "title": TEXT, **{k: SCALAR for k in ("publisher", "author", "date", "url")}},
                    "required": ["id", "title"],
                    "additionalProperties": False,
                },
            },
            "tables": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": SLUG,
                        "row_label": TEXT,
                        "columns": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "properties": {"id": {**SLUG, "not": {"enum": list(L.ROW_KEYS)}}, "label": TEXT},
                                "required": ["id"],
                                "additionalProperties": False,
                            },
                        },
                        "rows": {
                            "type": "array",
                            "minItems": 2,
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": SLUG, "name": SCALAR,
                                    **{k: {"type": "string", "description": "Added to the explanation of every "
                                           "card made from this row (note or explanation, not both)."}
                                       for k in ("note", "explanation")},
                                },
                                "not": {"required": ["note", "explanation"]},
                                "required": ["id", "name"],
                                "additionalProperties": SCALAR,
                            },
                        },
                        "tags": TEXT_LIST,
                        "sources": {"type": "array", "items": SLUG},
                        "explanation": {"type": "string"},
                    },
                    "required": ["id", "columns", "rows"],
                    "additionalProperties": False,
                },
            },
            "cards": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"enum": list(CARD_TYPES), "description": DESCRIPTIONS["type"]}},
                    "oneOf": [{"$ref": f"#/definitions/{k}"} for k in cards],
                },
            },
        },
        "required": ["deck"],
        "anyOf": [{"required": ["cards"]}, {"required": ["tables"]}],
        "additionalProperties": False,
        "definitions": cards,
    }


def schema_text() -> str:
    from nqpf_tutor.core.text import json_text

    return json_text(build_schema()) + "\n"
