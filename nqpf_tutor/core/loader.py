"""Load and validate deck files.

Speed: the common case is a clean deck, so the fast path is PyYAML's C loader
(``CSafeLoader``) plus one pass over plain Python objects. Line and column numbers are only
worked out when there is something to report: YAML's event stream is walked again (no node
tree: memory stays small) and each problem's path (``cards[3].prompt``) is found there. At most
``MAX_PROBLEMS`` are listed per file.

A parsed clean deck is cached in the user cache dir under the hash of the file's bytes, so
the next load of an unchanged deck is a JSON read; so are a broken deck's problems.

Safety: only safe YAML. A ``!!python/...`` tag is an error, never executed. Aliases are never
expanded: the checks only descend where the deck format expects lists and mappings, and a
list or mapping used twice through an alias is refused; text repeated through aliases may add
at most ``ALIAS_FACTOR`` times the file's size. Only regular files up to ``MAX_FILE_BYTES`` are
read (``nqpf_tutor.files.read_regular``: a FIFO never hangs, a link to /dev/zero is not read).
"""

from __future__ import annotations

import errno
import functools
import gc
import hashlib
import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from nqpf_tutor.core.model import CARD_TYPES, CLOZE_RE, ID_RE, LAZY_BODIES, Card, Deck, Source, is_web_url
from nqpf_tutor.core.text import escape
from nqpf_tutor.errors import NqpfError

#: Bump when the meaning of a cached deck changes (new keys, new generated cards).
LOADER_VERSION = "3"
#: The cache is in ``marshal`` format, whose layout may change between Python versions.
_CACHE_SUFFIX = f"py{sys.version_info[0]}{sys.version_info[1]}.marshal2"



def _yaml():
    """PyYAML, imported on first use: a cached deck loads without it (faster start-up)."""
    import yaml

    return yaml


_LOADER: Any = None


def _loader_class():
    """PyYAML's safe loader (the C one when built) whose numbers too long for Python
    (thousands of digits) are a problem at their own line and column, not a ValueError."""
    global _LOADER
    if _LOADER is None:
        yaml = _yaml()
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        def construct_int(loader, node):
            try:
                return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
            except ValueError:
                digits = sum(c.isdigit() for c in str(node.value))
                raise PlainYAMLError(
                    f"a number with {digits} digits is too long; quote it if it is text", node.start_mark) from None

        _LOADER = type("DeckLoader", (base,), {})
        _LOADER.add_constructor("tag:yaml.org,2002:int", construct_int)
    return _LOADER


class PlainYAMLError(Exception):
    """A value YAML reads but a deck cannot hold, at its position (``problem_mark``)."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark

TOP_KEYS = ("deck", "sources", "tables", "cards")
DECK_KEYS = ("id", "title", "description", "order")
SOURCE_KEYS = ("id", "title", "publisher", "author", "date", "url")
COMMON_CARD_KEYS = ("id", "type", "explanation", "tags", "sources", "formerly")
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "flip": ("prompt", "answer", "distractors"),
    "mcq": ("prompt", "answer", "distractors"),
    "truefalse": ("prompt", "answer"),
    "typed": ("prompt", "answer", "accept"),
    "cloze": ("text", "accept"),
    "order": ("prompt", "items"),
}
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "flip": ("prompt", "answer"),
    "mcq": ("prompt", "answer", "distractors"),
    "truefalse": ("prompt", "answer"),
    "typed": ("prompt", "answer"),
    "cloze": ("text",),
    "order": ("prompt", "items"),
}
ALL_CARD_KEYS = tuple(dict.fromkeys(COMMON_CARD_KEYS + sum(TYPE_KEYS.values(), ())))
TABLE_KEYS = ("id", "row_label", "columns", "rows", "tags", "sources", "explanation")
COLUMN_KEYS = ("id", "label")
#: Keys a table row has besides its cells: a row's note is added to its generated cards' explanations.
ROW_KEYS = ("id", "name", "note", "explanation")
MIN_DISTRACTORS, MAX_DISTRACTORS = 2, 3
MAX_FILE_BYTES = 20 * 1024 * 1024
DECK_SUFFIXES = (".yaml", ".yml")

Path_ = tuple  # a path inside the document: ("cards", 3, "prompt")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        """One line; a file name or a bad value repeated in it shows control, bidi and
        zero-width characters escaped (``\\x1b``), never raw."""
        return escape(f"{self.path}:{self.line}:{self.col}: {self.message}")


class DeckError(NqpfError):
    """A deck file with problems; ``problems`` lists them all, in file order."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid deck"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problem{'s' * (more != 1)})" if more > 0 else ""))


# --------------------------------------------------------------------------------------
# Checking plain Python objects; problems carry a document path, not yet a position.


@dataclass
class _Raw:
    """A problem before its position is known."""

    where: Path_
    message: str
    key: bool = False  # point at the key rather than the value


def _did_you_mean(word: Any, choices: Iterable[str]) -> str:
    if not isinstance(word, str):
        return ""
    return _close_match(word, tuple(choices))


@functools.lru_cache(maxsize=1024)
def _close_match(word: str, choices: tuple[str, ...]) -> str:
    """(Cached: a deck repeating one typo 100,000 times pays for it once.)"""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kind(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "text"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, (date, datetime)):
        return "a date"
    return type(v).__name__


class AliasBomb(Exception):
    """Text repeated through YAML aliases beyond the deck's own size (``alias_limit``)."""


class _TooMany(Exception):
    """``MAX_PROBLEMS`` found: checking stops (a broken 18 MB deck is not listed in full)."""


#: At most this many problems are listed for one file; then "stopped after N problems".
MAX_PROBLEMS = 1000


class _Checker:
    def __init__(self, alias_limit: int | None = None) -> None:
        self.problems: list[_Raw] = []
        self._seen: set[int] = set()
        self._texts: set[int] = set()
        self.alias_limit = alias_limit
        self.alias_chars = 0  # characters of text met again through an alias

    def add(self, where: Path_, message: str, key: bool = False) -> None:
        self.problems.append(_Raw(where, message, key))
        if len(self.problems) >= MAX_PROBLEMS:
            raise _TooMany()

    def container(self, v: Any, where: Path_) -> bool:
        """False (with a problem) when this list or mapping was already met through an alias."""
        if id(v) in self._seen:
            self.add(where, "a list or mapping reused through a YAML alias; write it out instead")
            return False
        self._seen.add(id(v))
        return True

    def mapping(self, v: Any, where: Path_, what: str, allowed: Sequence[str]) -> dict | None:
        if not isinstance(v, dict):
            self.add(where, f"{what} must be a mapping of keys, not {_kind(v)}")
            return None
        if not self.container(v, where):
            return None
        for k in v:
            if k not in allowed:
                hint = _did_you_mean(k, allowed)
                self.add(where + (k,), f"unknown key '{k}' in {what}{hint}", key=True)
        return v

    def text(self, v: Any, where: Path_, what: str, *, required: bool = True, scalar_ok: bool = False) -> str | None:
        if v is None:
            if required:
                self.add(where, f"{what} is required")
            return None
        if isinstance(v, str):
            if len(v) > 64:  # an alias gives the same str object again: count what it repeats
                if id(v) in self._texts:
                    self.alias_chars += len(v)
                    if self.alias_limit is not None and self.alias_chars > self.alias_limit:
                        raise AliasBomb(where)
                else:
                    self._texts.add(id(v))
            if not v.strip():
                self.add(where, f"{what} must not be empty")
                return None
            return v
        if scalar_ok and isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        if scalar_ok and isinstance(v, (date, datetime)):
            return v.isoformat()
        if isinstance(v, bool):
            self.add(where, f"{what} must be text, not true/false (quote it: \"{'yes' if v else 'no'}\")")
        else:
            self.add(where, f"{what} must be text, not {_kind(v)}")
        return None

    def slug(self, v: Any, where: Path_, what: str) -> str | None:
        s = self.text(v, where, what, scalar_ok=True)
        if s is not None and not ID_RE.match(s):
            self.add(where, f"{what} '{s}' must be a slug: lowercase letters, digits, '-', '_' or '.'")
            return None
        return s

    def text_list(self, v: Any, where: Path_, what: str, *, scalar_ok: bool = True) -> list[str] | None:
        if v is None:
            return []
        if not isinstance(v, list):
            self.add(where, f"{what} must be a list, not {_kind(v)}")
            return None
        # Lists of text may be reused through aliases: their items are never descended into.
        out: list[str] = []
        ok = True
        for i, item in enumerate(v):
            s = self.text(item, where + (i,), f"{what} item", scalar_ok=scalar_ok)
            if s is None:
                ok = False
            else:
                out.append(s)
        return out if ok else None


def _norm(s: str) -> str:
    return " ".join(s.casefold().split())


def _seen_key(d: dict, key: str) -> Any:
    return d.get(key) if isinstance(d, dict) else None


def _check_sources_ref(ck: _Checker, v: Any, where: Path_, known: dict[str, Source]) -> tuple[str, ...]:
    refs = ck.text_list(v, where, "sources", scalar_ok=False) or []
    for i, r in enumerate(refs):
        if r not in known:
            hint = _did_you_mean(r, known)
            ck.add(where + (i,), f"unknown source '{r}'{hint}")
    return tuple(refs)


def _check_distractors(ck: _Checker, raw: dict, where: Path_, answer: str | None, required: bool) -> tuple[str, ...]:
    v = raw.get("distractors")
    if v is None:
        if required:
            ck.add(where, f"multiple choice needs {MIN_DISTRACTORS} or {MAX_DISTRACTORS} distractors (wrong options)")
        return ()
    ds = ck.text_list(v, where + ("distractors",), "distractors")
    if ds is None:
        return ()
    if len(ds) < MIN_DISTRACTORS:
        ck.add(where + ("distractors",), f"multiple choice needs at least {MIN_DISTRACTORS} distractors, found {len(ds)}")
    elif len(ds) > MAX_DISTRACTORS:
        ck.add(where + ("distractors",), f"at most {MAX_DISTRACTORS} distractors (4 options), found {len(ds)}")
    seen: set[str] = set()
    for i, d in enumerate(ds):
        n = _norm(d)
        if answer is not None and n == _norm(answer):
            ck.add(where + ("distractors", i), f"distractor '{d}' is the same as the answer")
        elif n in seen:
            ck.add(where + ("distractors", i), f"distractor '{d}' appears twice")
        seen.add(n)
    return tuple(ds)


def _check_card(ck: _Checker, raw: Any, i: int, deck_id: str, sources: dict[str, Source]) -> Card | None:
    where: Path_ = ("cards", i)
    d = ck.mapping(raw, where, "a card", ALL_CARD_KEYS)
    if d is None:
        return None
    before = len(ck.problems)
    cid = ck.slug(d.get("id"), where + ("id",), "card id") if "id" in d else None
    if "id" not in d:
        ck.add(where, "card id is required")
    ctype = d.get("type")
    if ctype is None:
        ck.add(where, "card type is required (" + ", ".join(CARD_TYPES) + ")")
        return None
    if ctype not in CARD_TYPES:
        ck.add(where + ("type",), f"unknown card type '{ctype}'{_did_you_mean(ctype, CARD_TYPES)}; "
               f"use one of: {', '.join(CARD_TYPES)}")
        return None
    allowed = COMMON_CARD_KEYS + TYPE_KEYS[ctype]
    for k in d:
        if k not in allowed and k in ALL_CARD_KEYS:
            ck.add(where + (k,), f"key '{k}' does not belong on a {ctype} card", key=True)
    for k in REQUIRED_KEYS[ctype]:
        if k not in d:
            ck.add(where, f"a {ctype} card needs '{k}'")
    explanation = ck.text(d.get("explanation"), where + ("explanation",), "explanation", required=False) or ""
    tags = ck.text_list(d.get("tags"), where + ("tags",), "tags") or []
    refs = _check_sources_ref(ck, d.get("sources"), where + ("sources",), sources)
    formerly = ck.text_list(d.get("formerly"), where + ("formerly",), "formerly", scalar_ok=False) or []
    prompt = answer = None
    distractors: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    blank_accept: tuple[tuple[str, ...], ...] = ()
    if ctype == "cloze":
        prompt = ck.text(d.get("text"), where + ("text",), "text", required=False)
        if prompt is not None:
            found = CLOZE_RE.findall(prompt)
            if not found:
                ck.add(where + ("text",), "cloze text needs at least one {{deletion}}")
            elif any(not f.strip() for f in found):
                ck.add(where + ("text",), "a cloze deletion {{...}} is empty")
            answer = "; ".join(f.strip() for f in found)
            blank_accept = _check_blank_accept(ck, d, where, found)
    else:
        if "prompt" in d:
            prompt = ck.text(d.get("prompt"), where + ("prompt",), "prompt", scalar_ok=True)
    if ctype == "truefalse":
        a = d.get("answer")
        if "answer" in d:
            if isinstance(a, bool):
                answer = "True" if a else "False"
            else:
                ck.add(where + ("answer",), f"a truefalse answer must be true or false, not {_kind(a)}")
    elif ctype in ("flip", "mcq", "typed"):
        if "answer" in d:
            answer = ck.text(d.get("answer"), where + ("answer",), "answer", scalar_ok=True)
        if ctype in ("flip", "mcq"):
            distractors = _check_distractors(ck, d, where, answer, required=ctype == "mcq")
        else:
            acc = ck.text_list(d.get("accept"), where + ("accept",), "accept")
            accept = tuple(acc or ())
    elif ctype == "order":
        its = ck.text_list(d.get("items"), where + ("items",), "items") if "items" in d else None
        if its is not None:
            if len(its) < 2:
                ck.add(where + ("items",), f"an order card needs at least 2 items, found {len(its)}")
            elif len({_norm(x) for x in its}) != len(its):
                ck.add(where + ("items",), "order items must all differ")
            items = tuple(its)
            answer = " → ".join(its)
    if len(ck.problems) != before or cid is None or prompt is None or answer is None:
        return None
    return Card(
        deck_id=deck_id, id=cid, type=ctype, prompt=prompt, answer=answer, explanation=explanation,
        distractors=distractors, accept=accept, items=items, tags=tuple(tags), sources=refs,
        formerly=tuple(formerly), blank_accept=blank_accept,
    )


def _check_blank_accept(ck: _Checker, d: dict, where: Path_, blanks: list[str]) -> tuple[tuple[str, ...], ...]:
    """A cloze card's ``accept``: one entry per deletion, in order; each a list of other
    wordings (or one text, or nothing: ``[]`` / ``null`` for a deletion with none)."""
    v = d.get("accept")
    if v is None:
        return ()
    where = where + ("accept",)
    if not isinstance(v, list):
        ck.add(where, f"a cloze card's accept must be a list with one entry per {{{{deletion}}}}, not {_kind(v)}")
        return ()
    if len(v) != len(blanks):
        ck.add(where, f"a cloze card's accept needs one entry per {{{{deletion}}}}: the text has {len(blanks)}, "
               f"accept has {len(v)} (use [] for a deletion with no other wording)")
        return ()
    out: list[tuple[str, ...]] = []
    for i, entry in enumerate(v):
        if entry is None:
            out.append(())
            continue
        if isinstance(entry, list):
            got = ck.text_list(entry, where + (i,), f"accept entry {i + 1}")
            spots = [where + (i, j) for j in range(len(entry))]
        else:
            one = ck.text(entry, where + (i,), f"accept entry {i + 1}", scalar_ok=True)
            got = [one] if one is not None else None
            spots = [where + (i,)]
        if got is None:
            out.append(())
            continue
        for alt, spot in zip(got, spots):
            if _norm(alt) == _norm(blanks[i]):
                ck.add(spot, f"'{alt}' is the deletion itself; accept lists other wordings")
        out.append(tuple(got))
    return tuple(out)


def _items(value: str) -> frozenset[str]:
    """A table cell's items (``"Electricity, Oil"`` -> {electricity, oil}), for comparing cells."""
    return frozenset(_norm(x) for x in re.split(r"[,;/]| and ", value) if x.strip())


_STOP = frozenset("a an and the of in on for to with by including".split())


def _words_of(text: str, ignore: Iterable[str] = ()) -> set[str]:
    skip = _STOP | set(ignore)
    return {w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in skip}


def _shares_word(a: str, b: str, ignore: Iterable[str] = ()) -> bool:
    """True when ``a`` and ``b`` share a word or the stem of one (electricity / electrification),
    leaving out small words and ``ignore`` (the row label: "era" is in every era's name)."""
    for x in _words_of(a, ignore):
        for y in _words_of(b, ignore):
            if x == y:
                return True
            n = 0
            for cx, cy in zip(x, y):
                if cx != cy:
                    break
                n += 1
            if n >= 5:
                return True
    return False


def _pick(values: list[str], n: int, seed: str) -> list[str]:
    """A stable choice of ``n`` of ``values`` (same deck text, same choice)."""
    if len(values) <= n:
        return values
    import random

    rng = random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))
    return rng.sample(values, n)


def _check_table(ck: _Checker, raw: Any, t: int, deck_id: str, sources: dict[str, Source]) -> list[Card]:
    where: Path_ = ("tables", t)
    d = ck.mapping(raw, where, "a table", TABLE_KEYS)
    if d is None:
        return []
    before = len(ck.problems)
    tid = ck.slug(d.get("id"), where + ("id",), "table id")
    row_label = ck.text(d.get("row_label"), where + ("row_label",), "row_label", required=False) or "row"
    explanation = ck.text(d.get("explanation"), where + ("explanation",), "explanation", required=False) or ""
    tags = tuple(ck.text_list(d.get("tags"), where + ("tags",), "tags") or [])
    refs = _check_sources_ref(ck, d.get("sources"), where + ("sources",), sources)
    cols_raw = d.get("columns")
    columns: list[tuple[str, str]] = []
    if not isinstance(cols_raw, list) or not cols_raw:
        ck.add(where + (("columns",) if "columns" in d else ()), "a table needs a list of columns ({id, label})")
    elif ck.container(cols_raw, where + ("columns",)):
        for j, c in enumerate(cols_raw):
            cd = ck.mapping(c, where + ("columns", j), "a column", COLUMN_KEYS)
            if cd is None:
                continue
            cid = ck.slug(cd.get("id"), where + ("columns", j, "id"), "column id")
            label = ck.text(cd.get("label"), where + ("columns", j, "label"), "column label", required=False)
            if cid in ROW_KEYS:
                ck.add(where + ("columns", j, "id"), f"column id '{cid}' is taken (rows use it for themselves)")
            elif cid is not None:
                if any(cid == x for x, _ in columns):
                    ck.add(where + ("columns", j, "id"), f"duplicate column id '{cid}'")
                columns.append((cid, label or cid))
    col_ids = [c for c, _ in columns]
    rows_raw = d.get("rows")
    rows: list[tuple[str, str, dict[str, str], str]] = []
    if not isinstance(rows_raw, list) or len(rows_raw) < 2:
        ck.add(where + (("rows",) if "rows" in d else ()), "a table needs a list of at least 2 rows")
    elif ck.container(rows_raw, where + ("rows",)):
        for r, row in enumerate(rows_raw):
            rw = where + ("rows", r)
            rd = ck.mapping(row, rw, "a row", (*ROW_KEYS, *col_ids))
            if rd is None:
                continue
            rid = ck.slug(rd.get("id"), rw + ("id",), "row id")
            name = ck.text(rd.get("name"), rw + ("name",), "row name", scalar_ok=True)
            if "note" in rd and "explanation" in rd:
                ck.add(rw + ("explanation",), "a row has a note or an explanation (the same thing), not both", key=True)
            note_key = "note" if "note" in rd else "explanation"
            note = ck.text(rd.get(note_key), rw + (note_key,), f"row {note_key}", required=False) or ""
            cells: dict[str, str] = {}
            for cid in col_ids:
                if rd.get(cid) is not None:
                    v = ck.text(rd.get(cid), rw + (cid,), f"cell '{cid}'", scalar_ok=True)
                    if v is not None:
                        cells[cid] = v
            if rid is not None:
                if any(rid == x for x, _, _, _ in rows):
                    ck.add(rw + ("id",), f"duplicate row id '{rid}'")
                rows.append((rid, name or rid, cells, note))
    if len(ck.problems) != before or tid is None:
        return []
    cards: list[Card] = []
    names = [n for _, n, _, _ in rows]
    for rid, name, cells, note in rows:
        for cid, label in columns:
            value = cells.get(cid)
            if value is None:
                continue
            base = f"{tid}.{rid}.{cid}"
            expl = " ".join(x for x in (f"{name}: {label} — {value}.", note, explanation) if x)
            common = dict(deck_id=deck_id, explanation=expl, tags=tags, sources=refs, table=tid)
            mine = _items(value)
            # Distractors: the other rows' cells, except one that holds all of this cell's items
            # or all of whose items are in this cell (it would be half right).
            others: list[str] = []
            for orid, _, ocells, _ in rows:
                ov = ocells.get(cid)
                if orid == rid or ov is None:
                    continue
                theirs = _items(ov)
                if theirs <= mine or mine <= theirs or _norm(ov) in {_norm(o) for o in others}:
                    continue
                others.append(ov)
            distractors = tuple(_pick(others, MAX_DISTRACTORS, base))
            if len(distractors) < MIN_DISTRACTORS:
                distractors = ()
            # One study card per cell (a quiz asks it as multiple choice when it has distractors).
            cards.append(Card(id=base, type="flip", prompt=f"{name}: {label}?", answer=value,
                              distractors=distractors, **common))
            # The reverse question only when one row answers it (no other row's cell holds all of
            # this cell's items) and the cell does not give the row's name away.
            shared = any(
                ocells.get(cid) is not None and mine <= _items(ocells[cid])
                for orid, _, ocells, _ in rows if orid != rid
            )
            other_names = [n for n in names if n != name]
            if not shared and not _shares_word(f"{label} {value}", name, _words_of(row_label)) and len(other_names) >= MIN_DISTRACTORS:
                cards.append(Card(
                    id=base + ".which", type="mcq", prompt=f"Which {row_label} had {label}: {value}?", answer=name,
                    distractors=tuple(_pick(other_names, MAX_DISTRACTORS, base + ".which")), **common,
                ))
    return cards


def check_document(doc: Any, *, bundled: bool = False, path: str | None = None,
                   alias_limit: int | None = None) -> tuple[Deck | None, list[_Raw]]:
    """Check a parsed document; return the deck (None when it has problems) and the problems.

    ``alias_limit``: at most this many characters of text repeated through YAML aliases
    (``AliasBomb`` beyond), so a small file cannot become a huge deck."""
    ck = _Checker(alias_limit)
    try:
        return _check_document(ck, doc, bundled, path)
    except _TooMany:
        ck.problems.append(_Raw((), f"stopped after {MAX_PROBLEMS} problems; fix these and check again"))
        return None, ck.problems


def _check_document(ck: _Checker, doc: Any, bundled: bool, path: str | None) -> tuple[Deck | None, list[_Raw]]:
    if doc is None:
        ck.add((), "the file is empty; a deck needs 'deck' and 'cards'")
        return None, ck.problems
    top = ck.mapping(doc, (), "the top level", TOP_KEYS)
    if top is None:
        return None, ck.problems
    deck_id = title = None
    description = ""
    order: int | None = None
    if "deck" not in top:
        ck.add((), "missing 'deck' (id and title)")
    else:
        dk = ck.mapping(top["deck"], ("deck",), "deck", DECK_KEYS)
        if dk is not None:
            if "id" not in dk:
                ck.add(("deck",), "deck id is required")
            else:
                deck_id = ck.slug(dk.get("id"), ("deck", "id"), "deck id")
            title = ck.text(dk.get("title"), ("deck", "title"), "deck title")
            description = ck.text(dk.get("description"), ("deck", "description"), "description", required=False) or ""
            order = dk.get("order")
            if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
                ck.add(("deck", "order"), f"deck order must be a whole number (lower comes first), not {_kind(order)}")
                order = None
    sources: dict[str, Source] = {}
    src_raw = top.get("sources")
    if src_raw is not None:
        if not isinstance(src_raw, list):
            ck.add(("sources",), f"sources must be a list, not {_kind(src_raw)}")
        elif ck.container(src_raw, ("sources",)):
            for i, s in enumerate(src_raw):
                sd = ck.mapping(s, ("sources", i), "a source", SOURCE_KEYS)
                if sd is None:
                    continue
                sid = ck.slug(sd.get("id"), ("sources", i, "id"), "source id")
                stitle = ck.text(sd.get("title"), ("sources", i, "title"), "source title")
                vals = {k: ck.text(sd.get(k), ("sources", i, k), k, required=False, scalar_ok=True)
                        for k in ("publisher", "author", "date", "url")}
                if vals["url"] is not None and not is_web_url(vals["url"]):
                    ck.add(("sources", i, "url"), f"source url '{vals['url']}' must be an http:// or https:// address")
                    vals["url"] = None
                if sid is not None:
                    if sid in sources:
                        ck.add(("sources", i, "id"), f"duplicate source id '{sid}'")
                    elif stitle is not None:
                        sources[sid] = Source(id=sid, title=stitle, **vals)
    cards: list[Card] = []
    tables_raw = top.get("tables")
    if tables_raw is not None:
        if not isinstance(tables_raw, list):
            ck.add(("tables",), f"tables must be a list, not {_kind(tables_raw)}")
        elif ck.container(tables_raw, ("tables",)):
            for t, traw in enumerate(tables_raw):
                cards.extend(_check_table(ck, traw, t, deck_id or "", sources))
    cards_raw = top.get("cards")
    if cards_raw is None and tables_raw is None:
        ck.add(() if "cards" not in top else ("cards",), "a deck needs 'cards' (a list) or 'tables'")
    elif cards_raw is not None:
        if not isinstance(cards_raw, list):
            ck.add(("cards",), f"cards must be a list, not {_kind(cards_raw)}")
        elif ck.container(cards_raw, ("cards",)):
            for i, craw in enumerate(cards_raw):
                card = _check_card(ck, craw, i, deck_id or "", sources)
                if card is not None:
                    cards.append(card)
    # Ids: unique in the deck, generated ones included; `formerly` must not name a live card.
    where_of: dict[str, Path_] = {}
    if isinstance(cards_raw, list):
        for i, craw in enumerate(cards_raw):
            if isinstance(craw, dict) and isinstance(craw.get("id"), str):
                cid = craw["id"]
                if cid in where_of:
                    ck.add(("cards", i, "id"), f"duplicate card id '{cid}' (first used at {_fmt_where(where_of[cid])})")
                else:
                    where_of[cid] = ("cards", i, "id")
    gen_ids = [c.id for c in cards if c.table]
    for gid in gen_ids:
        if gid in where_of:
            ck.add(where_of[gid], f"card id '{gid}' is also generated by table '{gid.split('.')[0]}'")
    live = {c.id for c in cards}
    for c in cards:
        for old in c.formerly:
            if old in live:
                ck.add(where_of.get(c.id, ("cards",)), f"formerly '{old}' names a card that still exists")
    if ck.problems or deck_id is None or title is None:
        return None, ck.problems
    return Deck(id=deck_id, title=title, description=description, path=path, bundled=bundled,
                sources=sources, cards=tuple(cards), order=order), ck.problems


def _fmt_where(where: Path_) -> str:
    out = ""
    for p in where:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out or "top level"


# --------------------------------------------------------------------------------------
# Positions: only on the error path.


def _positions(text: str, wanted: Iterable[tuple[Path_, bool]]) -> dict[tuple[Path_, bool], tuple[int, int]]:
    """Line and column (1-based) of each wanted node (``(where, key)``: the key rather than the
    value), or of its nearest ancestor found, from YAML's event stream: no node tree is built,
    so memory stays small for any file size, and the walk stops once everything is found."""
    yaml = _yaml()
    wanted = list(wanted)
    norm = {w: tuple(str(s) for s in w[0]) for w in wanted}
    prefixes = {p[:i] for p in norm.values() for i in range(len(p) + 1)}
    keys_wanted = {norm[w] for w in wanted if w[1]}
    found: dict[tuple[str, ...], Any] = {}
    found_keys: dict[tuple[str, ...], Any] = {}
    todo = set(norm.values()) | {("key",) + k for k in keys_wanted}
    # One frame per open collection: [path, is_mapping, next index or current key, expecting a key]
    stack: list[list[Any]] = []

    def child_path(event) -> tuple[str, ...] | None:
        """The path of the node this event starts; None for a mapping key (recorded apart)."""
        if not stack:
            return ()
        frame = stack[-1]
        if frame[1]:  # a mapping
            if frame[3]:  # this node is a key
                frame[3] = False
                frame[2] = str(event.value) if isinstance(event, yaml.ScalarEvent) else None
                if frame[2] is not None:
                    kp = frame[0] + (frame[2],)
                    if kp in keys_wanted and kp not in found_keys:
                        found_keys[kp] = event.start_mark
                        todo.discard(("key",) + kp)
                return None
            frame[3] = True
            return frame[0] + (frame[2],) if frame[2] is not None else None
        frame[2] += 1
        return frame[0] + (str(frame[2] - 1),)

    try:
        for event in yaml.parse(text, Loader=_loader_class()):
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                path = child_path(event)
                if path is not None and path in prefixes and path not in found:
                    found[path] = event.start_mark
                    todo.discard(path)
                    if not todo:
                        break
                if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    # the children of a key node, or of a path not wanted, need no names
                    stack.append([path if path is not None else ("\0",), isinstance(event, yaml.MappingStartEvent),
                                  0 if isinstance(event, yaml.SequenceStartEvent) else None, True])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
    except yaml.YAMLError:
        pass
    out = {}
    for w in wanted:
        p = norm[w]
        mark = found_keys.get(p) if w[1] else None
        i = len(p)
        while mark is None and i >= 0:
            mark = found.get(p[:i])
            i -= 1
        out[w] = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return out


def _yaml_problem(path: str, e: Exception) -> Problem:
    yaml = _yaml()
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if isinstance(e, PlainYAMLError):
        return Problem(path, line, col, e.problem)
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    if isinstance(e, yaml.constructor.ConstructorError) and "tag" in str(problem):
        m = re.search(r"tag '([^']*)'", str(problem))
        tag = (m.group(1) if m else "this tag").replace("tag:yaml.org,2002:", "!!")
        return Problem(path, line, col, f"unsafe or unknown YAML tag {tag} is not allowed in decks")
    context = getattr(e, "context", None)
    cmark = getattr(e, "context_mark", None)
    if context and cmark is not None and mark is not None and cmark.line != mark.line:
        context += f" that starts at line {cmark.line + 1}"
    msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Problem(path, line, col, msg)


def _decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = e.start - (before.rfind(b"\n") + 1) + 1
        return None, Problem(path, line, col, f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8")


def _read(path: Path) -> bytes:
    """The deck file's bytes: only a regular file of at most ``MAX_FILE_BYTES`` is read (a FIFO
    does not hang, a link to /dev/zero is not read), else a ``DeckError`` at 1:1."""
    from nqpf_tutor.files import InputError, read_regular

    try:
        return read_regular(path, limit=MAX_FILE_BYTES, what="deck file")
    except InputError as e:
        prefix = escape(os.fspath(path)) + ": "
        message = str(e)[len(prefix):] if str(e).startswith(prefix) else str(e)
        raise DeckError([Problem(str(path), 1, 1, message)]) from None


#: Characters YAML does not allow in a file (NUL, other control characters, surrogates);
#: compiled when a deck is first parsed (7 ms: not at start-up with cached decks, issue 17).
_NOT_YAML_CHARS = "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


@functools.cache
def _not_yaml() -> re.Pattern[str]:
    return re.compile(_NOT_YAML_CHARS)
#: Text repeated through YAML aliases may add at most this many times the file's size (plus
#: ``ALIAS_SLACK`` characters): a 100 KB deck cannot become a 100 MB one.
ALIAS_FACTOR, ALIAS_SLACK = 10, 256 * 1024


def _bad_character(path: str, text: str) -> Problem | None:
    m = _not_yaml().search(text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    ch = m.group()
    if ch == "\0":
        return Problem(path, line, col, "a NUL byte (\\x00): a deck is plain text; is this the right file?")
    return Problem(path, line, col, f"the character {escape(ch)} is not allowed in YAML; remove it "
                                    f"(or write it as an escape in double quotes)")


_TAG = "tag:yaml.org,2002:"
#: Scalar tags built by the same SafeConstructor functions in the fast path; anything else
#: (sets, ordered maps, merge keys, python tags, unknown tags) goes the whole standard way.
_FAST_SCALARS = frozenset(_TAG + t for t in ("null", "bool", "int", "float", "binary", "timestamp"))


class _Unusual(Exception):
    """The document needs PyYAML's full constructor (it then reports any error itself)."""


_BUSY = object()


def load_yaml(text: str) -> Any:
    """``yaml.load(text, Loader=CSafeLoader)``, the same objects and the same errors, faster.

    PyYAML's C parser composes the nodes; its constructor (Python, generators, a state machine
    that allows recursive structures) then costs most of a big deck's load (issue 17). Here the
    common case (mappings, sequences and scalars with their standard tags; aliases give the same
    object, as there) is built in one plain recursive pass, and scalars other than text by the
    very same SafeConstructor functions. Anything unusual (merge keys, sets, ordered maps,
    custom or python tags, a structure containing itself, very deep nesting, a scalar that does
    not convert) is built from the same nodes by PyYAML's own constructor, so results and error
    messages are identical (tests/test_scale_counts.py compares both on many documents).
    """
    yaml = _yaml()
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _build(node, loader, yaml)
        except Exception:  # noqa: BLE001 - every case PyYAML handles itself, errors included
            return loader.construct_document(node)
    finally:
        loader.dispose()


def _build(root: Any, loader: Any, yaml: Any) -> Any:
    ctors = loader.yaml_constructors
    scalar_node, mapping_node, sequence_node = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    str_tag, map_tag, seq_tag = _TAG + "str", _TAG + "map", _TAG + "seq"
    memo: dict[int, Any] = {}

    def build(node: Any) -> Any:
        cls = node.__class__
        if cls is scalar_node:
            tag = node.tag
            if tag == str_tag:
                return node.value
            if tag not in _FAST_SCALARS:
                raise _Unusual
            return ctors[tag](loader, node)
        key = id(node)
        done = memo.get(key)
        if done is not None:
            if done is _BUSY:
                raise _Unusual  # contains itself
            return done
        memo[key] = _BUSY
        if cls is mapping_node and node.tag == map_tag:
            value: Any = {}
            for k, v in node.value:
                if k.__class__ is not scalar_node:
                    raise _Unusual
                value[build(k)] = build(v)
        elif cls is sequence_node and node.tag == seq_tag:
            value = [build(n) for n in node.value]
        else:
            raise _Unusual
        memo[key] = value
        return value

    return build(root)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector paused: a parse makes a great many objects and no cycles, and
    the collector's passes over them took 70% of a big deck's parse (issue 17). The same objects
    are made and freed either way (reference counting frees them): no more memory is used."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def parse_deck_bytes(data: bytes, path: str, *, bundled: bool = False) -> Deck:
    """Parse and check a deck's bytes; raise ``DeckError`` with every problem found."""
    text, bad = _decode(path, data)
    if bad is not None:
        raise DeckError([bad])
    assert text is not None
    if not text.strip():
        raise DeckError([Problem(path, 1, 1, "the file is empty; a deck needs 'deck' and 'cards'")])
    yaml = _yaml()
    with _gc_paused():  # no collector passes over the parse's many objects (issue 17)
        try:
            doc = load_yaml(text)
        except (yaml.YAMLError, PlainYAMLError) as e:
            # A character YAML refuses (NUL...): its real position (the C parser may say 1:1).
            raise DeckError([_bad_character(path, text) or _yaml_problem(path, e)]) from None
        except RecursionError:
            raise DeckError([Problem(path, 1, 1, "the YAML is nested too deeply")]) from None
        except MemoryError:
            raise DeckError([Problem(path, 1, 1, "the YAML is too large to read")]) from None
        except (ValueError, OverflowError) as e:
            raise DeckError([Problem(path, 1, 1, f"cannot read this YAML: {escape(e)}")]) from None
        try:
            deck, raws = check_document(doc, bundled=bundled, path=path,
                                        alias_limit=ALIAS_FACTOR * len(data) + ALIAS_SLACK)
        except RecursionError:
            raise DeckError([Problem(path, 1, 1, "the YAML is nested too deeply")]) from None
        except AliasBomb as e:
            line, col = _positions(text, [(e.args[0], False)])[(e.args[0], False)]
            raise DeckError([Problem(path, line, col, "this text is repeated through YAML aliases to more than "
                                     f"{ALIAS_FACTOR} times the file's size; write it out instead")]) from None
        del doc
    if deck is not None and not raws:
        return deck
    at = _positions(text, [(r.where, r.key) for r in raws])
    problems = [Problem(path, *at[(r.where, r.key)], r.message) for r in raws]
    stopped = [p for p, r in zip(problems, raws) if r.where == () and r.message.startswith("stopped after")]
    problems = sorted((p for p in problems if p not in stopped), key=lambda p: (p.line, p.col)) + stopped
    raise DeckError(problems)


def _cache_file(cache_dir: Path, data: bytes) -> Path:
    h = hashlib.sha256(data)
    h.update(f"\0nqpf-loader-{LOADER_VERSION}".encode())
    return cache_dir / f"deck-v{LOADER_VERSION}-{h.hexdigest()[:32]}.{_CACHE_SUFFIX}"


def load_deck_file(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None, bundled: bool = False) -> Deck:
    """Load one deck file; raise ``DeckError`` listing every problem.

    With ``cache_dir``, a clean deck is cached under the hash of its bytes, so the next load
    of the same bytes skips YAML entirely; so are a broken deck's problems (an 18 MB broken
    deck is not parsed again at every start).
    """
    p = Path(path)
    data = _read(p)
    cache = _cache_file(Path(cache_dir), data) if cache_dir is not None else None
    if cache is not None:
        cached = _read_cache(cache, str(p), bundled)
        if isinstance(cached, Deck):
            return cached
        if cached is not None:  # these bytes were read before and are broken: no parse again
            raise DeckError(cached)
    try:
        deck = parse_deck_bytes(data, str(p), bundled=bundled)
    except DeckError as e:
        if cache is not None:
            _write_cache(cache, {"failed": [[x.line, x.col, x.message] for x in e.problems]})
        raise
    if cache is not None:
        _write_cache(cache, _cache_value(deck, cache.name))
    return deck


# --------------------------------------------------------------------------------------
# The parsed-deck cache (issue 17: start-up at 100k cards). A deck's cards are stored in
# ``marshal`` (data only, never code run) in two parts: each card's head (ids, content hash,
# key, formerly, table, tags: what start-up reads of every card), made into the card's
# ``__dict__`` as it is, and the deck's body (each card's other fields, one marshal record per
# card), read for a card the first time one of those fields is asked for (``Card.__getattr__``):
# a study start at 100k cards reads one card's body, not 100k. No ``Card.from_dict``,
# ``dataclasses.asdict`` or hashing again. A broken deck's problems are kept the same way
# ({"failed": [[line, col, message]]}).

_CARD_FIELDS = tuple(f.name for f in fields(Card))
#: What a card from the cache holds from the start: all that start-up reads of every card
#: (matching progress, new-card order, tags). The rest waits in the deck's body (LAZY_BODIES).
_HEAD_FIELDS = ("deck_id", "id", "formerly", "table", "tags")
_BODY_FIELDS = tuple(f for f in _CARD_FIELDS if f not in _HEAD_FIELDS)


def _body_reader(body: bytes, offsets: list[int]):
    """Card index -> the fields of that card kept in ``body`` (one marshal record per card)."""
    import marshal

    view = memoryview(body)

    def read(i: int) -> dict[str, Any]:
        return marshal.loads(view[offsets[i]:offsets[i + 1]])
    return read


def _read_cache(cache: Path, path: str, bundled: bool) -> Deck | list[Problem] | None:
    import marshal

    try:
        d = marshal.loads(cache.read_bytes())
        if "failed" in d:
            return [Problem(path, int(line), int(col), str(msg)) for line, col, msg in d["failed"]]
        if d.get("fields") != _CARD_FIELDS or d.get("head") != _HEAD_FIELDS:
            return None
        heads, body, offsets = d["cards"], d["body"], d["offsets"]
        if len(offsets) != len(heads) + 1 or offsets[-1] != len(body):
            return None
        new, setattr_ = object.__new__, object.__setattr__
        cards = []
        for values in heads:  # each card's head as marshal made it: no Python per field
            card = new(Card)
            setattr_(card, "__dict__", values)
            cards.append(card)
        LAZY_BODIES[d["token"]] = _body_reader(body, offsets)
        sources = {s["id"]: Source.from_dict(s) for s in d["sources"]}
        return Deck(d["id"], d["title"], d["description"], path, bundled, sources, tuple(cards), order=d["order"])
    except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError):
        return None


def _cache_value(deck: Deck, token: str) -> dict[str, Any]:
    import marshal

    heads, chunks, offsets, at = [], [], [0], 0
    for i, c in enumerate(deck.cards):
        head = {f: getattr(c, f) for f in _HEAD_FIELDS}
        head["_content_hash"] = c.content_hash
        head["key"] = c.key
        head["_body"] = token
        head["_i"] = i
        heads.append(head)
        chunk = marshal.dumps({f: getattr(c, f) for f in _BODY_FIELDS})
        chunks.append(chunk)
        at += len(chunk)
        offsets.append(at)
    return {"fields": _CARD_FIELDS, "head": _HEAD_FIELDS, "token": token, "id": deck.id, "title": deck.title,
            "description": deck.description, "order": deck.order,
            "sources": [s.to_dict() for s in deck.sources.values()], "cards": heads,
            "body": b"".join(chunks), "offsets": offsets}


def _write_cache(cache: Path, value: Any) -> None:
    """Keep a parsed deck, or a deck's problems, under the hash of its bytes."""
    import marshal

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, cache)
    except (OSError, ValueError):
        pass  # a cache we cannot write is only slower


def deck_files(folder: Path) -> list[Path]:
    """The ``.yaml``/``.yml`` entries of ``folder`` (not its subfolders: no loop is followed).
    What they are is checked when each is read (``_read``: regular files only)."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in DECK_SUFFIXES and not p.name.startswith("."))
    except (OSError, RuntimeError):
        return []


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files as given; folders as the deck files inside them."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(deck_files(p))
        else:
            out.append(p)
    return out


def validate_paths(paths: Iterable[str | os.PathLike]) -> list[Problem]:
    """Every problem in these files (folders: their deck files), deck ids checked across files."""
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    for p in expand_paths(paths):
        try:
            data = _read(p)
            deck = parse_deck_bytes(data, str(p))
        except DeckError as e:
            problems.extend(e.problems)
            continue
        if deck.id in ids:
            text = data.decode("utf-8", errors="replace")
            line, col = _positions(text, [(("deck", "id"), False)])[(("deck", "id"), False)]
            problems.append(Problem(str(p), line, col, f"duplicate deck id '{deck.id}' (also in {ids[deck.id]})"))
        else:
            ids[deck.id] = str(p)
    return problems


# --------------------------------------------------------------------------------------
# The catalog: every deck the app can see.


@dataclass
class Catalog:
    decks: list[Deck] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def deck(self, deck_id: str) -> Deck | None:
        for d in self.decks:
            if d.id == deck_id:
                return d
        return None

    def all_cards(self) -> list[Card]:
        return [c for d in self.decks for c in d.cards]

    @property
    def tags(self) -> list[str]:
        return sorted({t for d in self.decks for c in d.cards for t in c.tags})


def load_catalog(loc: Any, *, use_cache: bool = True) -> Catalog:
    """The bundled decks, the user decks folder and every ``--decks-dir``.

    A broken deck is skipped with a one-line warning; the others still load.
    """
    cat = Catalog()
    cache_dir = getattr(loc, "deck_cache_dir", None) if use_cache else None
    bundled_dir = getattr(loc, "bundled_dir", None)
    folders: list[tuple[Path, bool]] = [(Path(bundled_dir), True)] if bundled_dir else []
    folders += [(Path(f), False) for f in [loc.user_decks_dir, *loc.extra_decks_dirs]]
    seen_dirs: set[Path] = set()
    for folder, bundled in folders:
        try:
            key = folder.resolve()
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
            key = folder
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        if not folder.is_dir():
            if not bundled and folder != getattr(loc, "user_decks_dir", None):
                cat.warnings.append(escape(f"{folder}: " + _missing_folder(folder)))
            elif folder.is_symlink() or os.path.lexists(folder):
                cat.warnings.append(escape(f"{folder}: " + _missing_folder(folder)))
            continue
        for p in deck_files(folder):
            try:
                deck = load_deck_file(p, cache_dir=cache_dir, bundled=bundled)
            except DeckError as e:
                cat.warnings.append(escape(f"skipped {p.name}: {e}"))
                continue
            if cat.deck(deck.id) is not None:
                cat.warnings.append(escape(f"skipped {p}: deck id '{deck.id}' is already used by {cat.deck(deck.id).path}"))
                continue
            cat.decks.append(deck)
    # The teaching order: decks with an `order` first (lowest first), then the rest as found.
    cat.decks.sort(key=lambda d: (d.order is None, d.order if d.order is not None else 0))
    return cat


def _missing_folder(folder: Path) -> str:
    """Why a decks folder cannot be listed: missing, a symlink loop, or not a folder."""
    try:
        os.stat(folder)
    except FileNotFoundError:
        return "decks folder not found"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "decks folder is a symlink loop; skipped"
        return f"decks folder cannot be read: {e.strerror or e}"
    return "not a folder; skipped"


class SelectionError(NqpfError):
    pass


def select_cards(catalog: Catalog, deck_ids: Sequence[str] = (), tags: Sequence[str] = ()) -> list[Card]:
    """Cards of the chosen decks (all when none) having any of the chosen tags (all when none)."""
    for d in deck_ids:
        if catalog.deck(d) is None:
            known = [x.id for x in catalog.decks]
            raise SelectionError(f"unknown deck '{d}'{_did_you_mean(d, known)}; decks: {', '.join(known) or 'none'}")
    if tags:  # every card's tags are gathered only when some are asked for (100k cards: 50 ms)
        known_tags = set(catalog.tags)
        for t in tags:
            if t not in known_tags:
                raise SelectionError(f"unknown tag '{t}'{_did_you_mean(t, known_tags)}")
    decks = [catalog.deck(d) for d in dict.fromkeys(deck_ids)] if deck_ids else catalog.decks
    cards = [c for d in decks if d is not None for c in d.cards]
    if tags:
        want = set(tags)
        cards = [c for c in cards if want.intersection(c.tags)]
    return cards
