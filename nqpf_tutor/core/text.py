"""Deck and user text made safe to show: data, never markup or terminal control."""

from __future__ import annotations

import re

# ANSI escape sequences (CSI, OSC, single-character escapes), then any other control character
# except newline and tab.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: object) -> str:
    """``text`` as a string with escape codes and control characters removed (newlines and tabs kept)."""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    s = _ANSI.sub("", s)
    return _CONTROL.sub("", s)


def one_line(text: object) -> str:
    """``clean(text)`` on one line: runs of whitespace (newlines too) become one space."""
    return " ".join(clean(text).split())
