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


def fit_words(text: object, width: int) -> str:
    """``text`` on one line in ``width`` cells, cut after a whole word with an ellipsis (never
    in the middle of a word, unless its first word alone is too long)."""
    t = " ".join(clean(text).split())
    if len(t) <= width:
        return t
    if width <= 1:
        return "…"[:width]
    cut = t[: width - 1]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    return cut.rstrip(" :;,.-—") + "…"


class Plain(Static):
    """A Static that shows deck or user text as typed."""

    def __init__(self, text: object = "", **kwargs) -> None:
        super().__init__(plain(text), markup=False, **kwargs)

    def set_text(self, text: object) -> None:
        self.update(plain(text))


class TitleLine(Static):
    """A one-line title (lighter to build than Textual's Header: start-up draws less)."""

    DEFAULT_CSS = """
    TitleLine {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $foreground;
        text-align: center;
        text-style: bold;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "sub_title", self._show, init=True)  # the sub title says what is not saved

    def _show(self, _value: object = None) -> None:
        self.update(plain(f"{self.app.title} — {self.app.sub_title}"))


class ProgressLine(Static):
    """A session progress bar drawn as one line of text, with an optional note at its right
    (the study screen's counts, a quiz's score): one widget where three were (issue 17)."""

    DEFAULT_CSS = """
    ProgressLine {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.total = 1
        self.progress = 0
        self.note = Content("")

    def update_progress(self, total: int, progress: int) -> None:
        self.total, self.progress = max(1, total), max(0, min(progress, total))
        self.refresh()

    def set_note(self, note: Content) -> None:
        self.note = note
        self.refresh()

    def render(self) -> Content:
        note = self.note
        width = max(1, self.content_size.width - note.cell_length - 1)
        done = round(width * self.progress / self.total)
        bar = Content.styled("━" * done, "$accent") + Content.styled("━" * (width - done), "$foreground 20%")
        return bar + Content(" ") + note if note.cell_length else bar
