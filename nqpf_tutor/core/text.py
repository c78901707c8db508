"""Deck and user text made safe to show: data, never markup or terminal control.

The one cleaning step for every place text leaves the app (the UI, every headless command's
output to a terminal or a file):

- ``clean``: data text (a card, a title, a student's name) with escape codes, control
  characters, bidi overrides and isolates and zero-width characters removed;
- ``escape``: the same characters shown as escapes (``\\x1b``, ``\\u202e``) instead of removed,
  for messages that repeat a bad value or a file name;
- ``json_text``: JSON whose strings keep every character, the invisible ones written as
  ``\\uXXXX`` escapes (still the same data once parsed);
- ``safe_cell``: a CSV cell a spreadsheet will not run as a formula (OWASP);
- ``CleanStream``: a text stream that escapes whatever reaches it (the headless commands'
  standard output and error go through it).
"""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

# ANSI escape sequences (CSI, OSC, single-character escapes).
_ANSI = r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])"
#: Bidi embeddings, overrides and isolates, and marks that reorder text; zero-width spaces and
#: joiners, the word joiner and invisible operators, the byte-order mark. They reverse or hide
#: text (a file name that reads ``txt.exe`` as ``exe.txt``), so they never reach a screen.
INVISIBLE = (
    "\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
)
#: What ``clean`` removes: control characters (but newline and tab) and the invisible ones.
_REMOVE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
# The patterns below are compiled when first used (``re`` keeps them): start-up needs none
# of them (issue 17), only headless output and messages that repeat a bad value do.
#: What ``escape`` shows escaped: control characters (tab and newline too) and the invisible ones.
_UNSAFE = f"[\x00-\x1f\x7f-\x9f{INVISIBLE}]"
#: What a text stream may pass through as is (line breaks, tabs and carriage returns).
_STREAM_UNSAFE = f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{INVISIBLE}]"
#: What JSON text must not carry raw (json.dumps already escapes C0 controls).
_JSON_UNSAFE = f"[\x7f-\x9f{INVISIBLE}\u2028\u2029]"


def clean(text: object) -> str:
    """``text`` as a string with escape codes, control characters (newlines and tabs kept),
    bidi controls and zero-width characters removed."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in s:
        s = re.sub(_ANSI, "", s)
    return _REMOVE.sub("", s)


def one_line(text: object) -> str:
    """``clean(text)`` on one line: runs of whitespace (newlines too) become one space."""
    return " ".join(clean(text).split())


def _escaped(m: re.Match) -> str:
    c = m.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x80 else f"\\u{ord(c):04x}"


def escape(text: object) -> str:
    """``text`` on one line with every control or invisible character shown as an escape
    (``\\x1b``, ``\\n``-free, ``\\u202e``): for messages that repeat a bad value or a name."""
    return re.sub(_UNSAFE, _escaped, str(text))


def escape_stream(text: str) -> str:
    """Like ``escape``, but line breaks, tabs and carriage returns pass (progress lines)."""
    return re.sub(_STREAM_UNSAFE, _escaped, text)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """``json.dumps(value, ensure_ascii=False)`` with DEL, C1 controls, bidi and zero-width
    characters written as ``\\uXXXX``: the same data once parsed, harmless when printed."""
    s = json.dumps(value, indent=indent, ensure_ascii=False)
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", s)


#: A cell a spreadsheet would read as a formula starts with one of these (after spaces).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell, cleaned, and neutralised as OWASP recommends: text starting with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return (also after leading spaces) gets a leading
    ``'`` so a spreadsheet shows it as text instead of running it. Numbers pass unchanged."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raw = str(value)
    s = clean(raw)
    if raw.lstrip(_CELL_SPACE)[:1] in FORMULA_START or s.lstrip(_CELL_SPACE)[:1] in FORMULA_START:
        s = "'" + s
    return s


#: Leading characters a spreadsheet may skip before reading a formula (tabs and carriage
#: returns are formula starts themselves).
_CELL_SPACE = " \n\u00a0\u3000"


class CleanStream:
    """A text stream writing to ``inner`` with ``escape_stream`` applied: nothing a command
    prints can move the cursor, set the title or the clipboard, or reorder the line."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, s: str) -> int:
        self._inner.write(escape_stream(s))
        return len(s)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer...
        return getattr(self._inner, name)


def csv_text(header: "list[str] | tuple[str, ...]", rows, *, lineterminator: str = "\r\n") -> str:
    """A CSV document: every cell through ``safe_cell`` (cleaned, formulas neutralised).

    Every CSV the app writes (drill results, ``results --out``, ``export --format csv``,
    reports) is made here."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow([safe_cell(h) for h in header])
    for row in rows:
        w.writerow([safe_cell(c) for c in row])
    return buf.getvalue()
