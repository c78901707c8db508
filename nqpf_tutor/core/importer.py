"""Import tab- or comma-separated cards (as Quizlet and Anki export them) into a YAML deck.

Each record is ``front<sep>back[<sep>tags]``; tags are space-separated (Anki style). What is
understood:

- Anki's header lines at the top of a "Notes in Plain Text" export: ``#separator:tab``,
  ``#html:true|false``, ``#tags column:N``, ``#guid column:N``, ``#notetype column:N``,
  ``#deck column:N``, ``#columns:...``, ``#notetype:...``, ``#deck:...``. They are read and
  skipped; a ``#`` line further down is a card like any other.
- Quoted fields (CSV quoting, ``""`` for a quote) with the separator or newlines inside.
- HTML (Anki): ``#html:true``, or, without that header, any field that looks like HTML, is
  turned into text with the standard library's ``html.parser``: ``<br>`` and block tags become
  newlines, entities are decoded, tags dropped. ``#html:false`` keeps ``<`` and ``&`` as typed.
- Quizlet writes commas inside definitions without quoting: in comma mode (no Anki header),
  a row with more than three fields, or whose third field starts with a space, has its extra
  fields joined back into the answer.
- An Anki cloze (``{{c1::text}}`` or ``{{c1::text::hint}}`` in the front) becomes a cloze card;
  its back becomes the explanation.

Card ids are ``<slug of the front>-<6 hex digits>`` (a hash of the front; of front and back
when two cards share a front), so importing the same text again gives the same ids. The deck
is written with ``yaml.safe_dump``: card text is data, and ``[bold]``, ``#`` or ``: `` survive.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from nqpf_tutor.core.model import ID_RE
from nqpf_tutor.errors import NqpfError

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "colon": ":", "space": " "}
_ANKI_HEADER = re.compile(
    r"^#(separator|html|tags column|guid column|notetype column|deck column|columns|notetype|deck):(.*)$", re.I
)
_HTML_HINT = re.compile(
    r"<\s*/?\s*(br|div|p|span|b|i|u|em|strong|sub|sup|font|img|ul|ol|li|table|tr|td|th|h[1-6]|a|hr|code|pre)\b[^>]*>"
    r"|&(nbsp|amp|lt|gt|quot|#\d+|#x[0-9a-f]+);",
    re.I,
)
_ANKI_CLOZE = re.compile(r"\{\{c\d+::(.+?)(?:::[^{}]*?)?\}\}", re.S)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
MAX_ID_SLUG = 40


class DeckImportError(NqpfError):
    """A file that cannot be imported (unreadable, not text, no cards)."""


# --- HTML to text -------------------------------------------------------------------------------

_BLOCK = {"div", "p", "li", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr"}
_SKIP = {"script", "style"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self._newline()
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment: ``<br>`` and blocks as newlines, entities decoded, tags gone."""
    p = _TextParser()
    p.feed(fragment)
    p.close()
    return tidy("".join(p.parts).replace("\xa0", " "))


def tidy(text: str) -> str:
    """Control characters out, ``\\r\\n`` as ``\\n``, trailing spaces and blank runs trimmed."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text))


# --- parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    front: str
    back: str
    tags: tuple[str, ...] = ()


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "line N: ..." for skipped records
    delimiter: str = "\t"
    html: bool | None = None  # from the Anki header; None: decided per field


def _separator(value: str) -> str:
    v = value.strip()
    named = SEPARATORS.get(v.lower())
    if named:
        return named
    if len(v) == 1:
        return v
    if value[:1] == " ":
        return " "
    raise DeckImportError(f"unknown separator in the header: #separator:{value}")


def _column(value: str, what: str) -> int:
    try:
        n = int(value.strip())
    except ValueError:
        raise DeckImportError(f"bad header line: #{what}:{value} (a column number)") from None
    if n < 1:
        raise DeckImportError(f"bad header line: #{what}:{value} (columns count from 1)")
    return n - 1


def parse_text(text: str, delimiter: str = "auto") -> Parsed:
    """Records of front, back and tags from exported text (see the module docstring)."""
    if delimiter not in ("auto", *SEPARATORS):
        raise ValueError(f"delimiter must be auto or one of {', '.join(SEPARATORS)}")
    text = text.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    header: dict[str, str] = {}
    skip = 0
    for line in lines:
        m = _ANKI_HEADER.match(line.rstrip("\r\n"))
        if not m:
            break
        header[m.group(1).lower()] = m.group(2)
        skip += 1
    body = "".join(lines[skip:])
    out = Parsed()
    if delimiter != "auto":
        out.delimiter = SEPARATORS[delimiter]
    elif "separator" in header:
        out.delimiter = _separator(header["separator"])
    else:
        out.delimiter = "\t" if "\t" in body else ","
    if "html" in header:
        out.html = header["html"].strip().lower() == "true"
    anki = bool(header)
    special: dict[int, str] = {}
    for key in ("tags column", "guid column", "notetype column", "deck column"):
        if key in header:
            special[_column(header[key], key)] = key
    tags_col = next((i for i, k in special.items() if k == "tags column"), None)
    # Quizlet style (comma, no header): commas inside definitions are not quoted.
    rejoin = out.delimiter == "," and not anki

    reader = csv.reader(io.StringIO(body, newline=""), delimiter=out.delimiter, strict=False)
    line = skip + 1
    while True:
        start = line
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise DeckImportError(f"line {start}: {e}") from None
        line = skip + reader.line_num + 1
        if not any(f.strip() for f in record):
            continue
        tags: tuple[str, ...] = ()
        if special:
            if tags_col is not None and tags_col < len(record):
                tags = tuple(record[tags_col].split())
            fields = [f for i, f in enumerate(record) if i not in special]
        else:
            fields = list(record)
            if rejoin and len(fields) >= 3 and (len(fields) > 3 or fields[2][:1] == " "):
                fields = [fields[0], ",".join(fields[1:])]
            if len(fields) >= 3:
                tags = tuple(fields[2].split())
        if len(fields) < 2:
            out.warnings.append(f"line {start}: no back (expected front and back separated by "
                                f"{_sep_name(out.delimiter)}); skipped")
            continue
        if len(fields) > 3 and not special:
            out.warnings.append(f"line {start}: {len(fields)} fields; used the first two and the third as tags")
        front, back = (_field_text(f, out.html) for f in fields[:2])
        if not front or not back:
            out.warnings.append(f"line {start}: empty {'front' if not front else 'back'}; skipped")
            continue
        out.rows.append(Row(start, front, back, tuple(_CONTROL.sub("", t) for t in tags if t)))
    return out


def _sep_name(sep: str) -> str:
    for name, s in SEPARATORS.items():
        if s == sep:
            return f"a {name}"
    return repr(sep)


def _field_text(value: str, html: bool | None) -> str:
    if html or (html is None and looks_like_html(value)):
        return html_to_text(value)
    return tidy(value)


# --- cards and ids ------------------------------------------------------------------------------


def slugify(text: str, fallback: str = "card", limit: int = MAX_ID_SLUG) -> str:
    """Lowercase ASCII words joined by '-', cut at a word boundary within ``limit`` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > limit:
            if not out:
                out = w[:limit]
            break
        out = candidate
    return out or fallback


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:6]


def card_ids(rows: list[Row]) -> tuple[list[str | None], list[str]]:
    """A stable, unique id per row (None: an exact duplicate of an earlier row, dropped)."""
    by_front: dict[str, int] = {}
    for r in rows:
        by_front[r.front] = by_front.get(r.front, 0) + 1
    ids: list[str | None] = []
    seen: dict[str, int] = {}
    warnings: list[str] = []
    for r in rows:
        base = slugify(r.front)
        h = _hash(r.front) if by_front[r.front] == 1 else _hash(r.front, r.back)
        cid = f"{base}-{h}"
        if cid in seen:
            if rows[seen[cid]].back == r.back:
                warnings.append(f"line {r.line}: the same card as line {rows[seen[cid]].line}; skipped")
                ids.append(None)
                continue
            n = 2  # a hash collision: extremely rare, still made unique (and stable for the same text)
            while f"{cid}-{n}" in seen:
                n += 1
            cid = f"{cid}-{n}"
        seen[cid] = len(ids)
        ids.append(cid)
    return ids, warnings


def _card(cid: str, row: Row, source_id: str | None) -> dict[str, Any]:
    card: dict[str, Any] = {"id": cid}
    if _ANKI_CLOZE.search(row.front):
        card["type"] = "cloze"
        card["text"] = _ANKI_CLOZE.sub(lambda m: "{{" + m.group(1) + "}}", row.front)
        card["explanation"] = row.back
    else:
        card["type"] = "flip"
        card["prompt"] = row.front
        card["answer"] = row.back
    if row.tags:
        card["tags"] = list(dict.fromkeys(row.tags))
    if source_id:
        card["sources"] = [source_id]
    return card


class _Dumper(yaml.SafeDumper):
    """Safe YAML; text with newlines as ``|`` blocks where YAML allows it."""


def _str(dumper: yaml.SafeDumper, s: str) -> yaml.Node:
    if "\n" in s:
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", s)


_Dumper.add_representer(str, _str)


def deck_document(parsed: Parsed, deck_id: str, title: str, source_name: str | None = None) -> tuple[dict, list[str]]:
    """The deck as plain data (for ``yaml.safe_dump``) and any further warnings."""
    ids, warnings = card_ids(parsed.rows)
    source_id = "imported" if source_name else None
    doc: dict[str, Any] = {"deck": {"id": deck_id, "title": title}}
    if source_name:
        doc["deck"]["description"] = f"Imported from {source_name}."
        doc["sources"] = [{"id": source_id, "title": f"Imported from {source_name}"}]
    doc["cards"] = [_card(cid, row, source_id) for cid, row in zip(ids, parsed.rows) if cid is not None]
    return doc, warnings


def dump_deck(doc: dict, schema: str | None = None, note: str | None = None) -> str:
    head = ""
    if schema:
        head += f"# yaml-language-server: $schema={schema}\n"
    if note:
        head += "".join(f"# {line}\n" for line in note.splitlines())
    body = yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)
    return head + body


# --- the whole import ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    path: Path
    deck_id: str
    cards: int
    warnings: list[str]


#: The most an import reads (a file, a pipe or standard input): ``/dev/zero`` is not read forever.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def read_source(source: str) -> tuple[str, str]:
    """(text, name) of a file, or of standard input for '-'; at most ``MAX_IMPORT_BYTES``."""
    import sys

    too_large = f"{source}: too large to import (over {MAX_IMPORT_BYTES // (1024 * 1024)} MB)"
    if source == "-":
        data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
        name = "standard input"
    else:
        p = Path(source).expanduser()
        try:
            if p.is_dir():
                raise DeckImportError(f"{source} is a folder, not a file to import")
            with open(p, "rb") as f:  # a pipe given on purpose (<(...)) is read too, as far as the limit
                data = f.read(MAX_IMPORT_BYTES + 1)
        except FileNotFoundError:
            raise DeckImportError(f"no such file: {source}") from None
        except OSError as e:
            raise DeckImportError(f"cannot read {source}: {e.strerror or e}") from None
        name = p.name
    if len(data) > MAX_IMPORT_BYTES:
        raise DeckImportError(too_large)
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError as e:
        raise DeckImportError(f"{source}: not UTF-8 text (byte {e.start + 1}); save it as UTF-8 and try again") from None


def default_deck_id(source: str) -> str:
    if source == "-":
        return "imported"
    return slugify(Path(source).stem, fallback="imported", limit=60)


def default_title(source: str) -> str:
    if source == "-":
        return "Imported cards"
    stem = re.sub(r"[-_]+", " ", Path(source).stem).strip()
    return (stem[:1].upper() + stem[1:]) if stem else "Imported cards"


def import_deck(
    source: str,
    output: str | Path,
    *,
    deck_id: str | None = None,
    title: str | None = None,
    delimiter: str = "auto",
    schema: str | None = None,
) -> ImportResult:
    """Read ``source``, write the deck to ``output`` (never over an existing file)."""
    deck_id = deck_id if deck_id is not None else default_deck_id(source)
    if not ID_RE.match(deck_id):
        raise DeckImportError(f"deck id '{deck_id}' must be a slug: lowercase letters, digits, '-', '_' or '.'")
    title = title if title is not None else default_title(source)
    if not title.strip():
        raise DeckImportError("the deck title must not be empty")
    out = Path(output).expanduser()
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise DeckImportError(f"{out}: a deck file name ends in .yaml or .yml")
    if out.exists():
        raise DeckImportError(f"{out} already exists; choose another file with -o (or another --id)")
    if not out.parent.is_dir():
        raise DeckImportError(f"cannot write {out}: folder {out.parent} does not exist")
    text, name = read_source(source)
    parsed = parse_text(text, delimiter)
    if not parsed.rows:
        extra = f" ({parsed.warnings[0]})" if parsed.warnings else ""
        raise DeckImportError(f"no cards found in {name}: expected front and back separated by a tab or a comma{extra}")
    doc, more = deck_document(parsed, deck_id, title.strip(), name)
    body = dump_deck(doc, schema=schema, note=f"Imported by nqpf-tutor from {name}. Card ids are stable: "
                                            "keep them when you edit a card, and its progress stays.")
    from nqpf_tutor.files import write_output

    write_output(out, body, hint="choose another file with -o (or another --id)")  # never over a file
    return ImportResult(out, deck_id, len(doc["cards"]), parsed.warnings + more)
