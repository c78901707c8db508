"""Deck and user text on screen: always data, never markup."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from nqpf_tutor.core.text import clean


def plain(text: object) -> Content:
    """Text shown exactly as written: brackets stay brackets, escape codes are dropped."""
    return Content(clean(text))


def styled(text: object, style: str) -> Content:
    return Content.styled(clean(text), style)


def cell(text: object, style: str = "") -> Text:
    """A DataTable cell (plain strings there are read as markup)."""
    return Text(clean(text), style=style)


class Plain(Static):
    """A Static that shows deck or user text as typed."""

    def __init__(self, text: object = "", **kwargs) -> None:
        super().__init__(plain(text), markup=False, **kwargs)

    def set_text(self, text: object) -> None:
        self.update(plain(text))
