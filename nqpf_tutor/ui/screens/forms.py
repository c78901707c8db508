"""Small forms asked before a quiz or a paper test: how many questions, from which decks and tags.

Enter in any field (or Start) begins, escape cancels; a mistake is one line in the form and
nothing typed is lost. The result is a ``Choice`` (the app keeps it as the chosen decks and
tags, so the home screen shows what was asked).
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from nqpf_tutor.core.loader import select_cards
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.widgets.plain import Plain, plain, styled

FORM_CSS = """
SelectionForm, CustomStudyScreen {
    align: center middle;
}
.form-box {
    width: 100%;
    max-width: 76;
    height: auto;
    max-height: 100%;
    border: round $primary;
    padding: 0 1;
    background: $surface;
}
.form-title {
    text-style: bold;
}
.form-help {
    color: $text-muted;
    margin-bottom: 1;
}
.form-row {
    height: auto;
}
.form-label {
    width: 22;
}
.form-row Input {
    width: 1fr;
    background: $panel;
}
.form-row Input:focus {
    background: $panel-lighten-1;
}
.form-error {
    color: $text-error;
    height: auto;
    display: none;
}
.form-buttons {
    height: auto;
    margin-top: 1;
}
.form-buttons Button {
    margin-right: 2;
}
"""


def split_list(text: str) -> list[str]:
    """``"eras, dates"`` -> ``["eras", "dates"]`` (commas or spaces; empties dropped)."""
    return [p for p in text.replace(",", " ").split() if p]


class FormActions:
    """What every set-up form does: ``start`` (enter in any field, or its start button) returns
    ``value()`` with ``dismiss``, or shows the ``NqpfError`` it raises in one line in
    ``#ERROR_ID``; ``cancel`` (escape, or the other button) returns None."""

    ERROR_ID = "form-error"
    START_ID = "form-go"

    def value(self):  # pragma: no cover - each form has its own
        raise NotImplementedError

    def action_start(self) -> None:
        try:
            result = self.value()
        except NqpfError as e:
            self.show_error(str(e))
            return
        self.dismiss(result)

    def show_error(self, message: str) -> None:
        """``message`` in the form's one error line."""
        error = self.query_one(f"#{self.ERROR_ID}", Static)
        error.update(plain(message))
        error.display = True

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == self.START_ID:
            self.action_start()
        else:
            self.action_cancel()


class SelectionForm(FormActions, ModalScreen["object | None"]):
    """Questions, decks, tags and seed for a quiz (``kind="quiz"``) or a paper test (``"paper"``)."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form-cancel"),
        Binding("ctrl+s", "start", "Start", id="form-start"),
    ]

    TITLES = {
        "quiz": ("Quiz", "Multiple-choice questions, the answer after each, then a score and the misses."),
        "paper": ("Paper test", "Versions A and B (PDF and Markdown) with answer keys, written to papers/ in the data dir."),
    }

    def __init__(self, kind: str = "quiz") -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        choice = self.app.choice
        blink = getattr(self.app, "cursor_blink", True)
        title, what = self.TITLES[self.kind]
        decks = ", ".join(d.id for d in self.app.catalog.decks)
        with VerticalScroll(classes="form-box", id="form-box"):
            yield Static(styled(title, "bold"), classes="form-title")
            yield Plain(what + " Enter starts, escape cancels.", classes="form-help")
            fields = [
                ("Questions", "form-n", str(choice.n or 10), "integer", "how many (fewer if the cards give fewer)"),
                ("Decks", "form-decks", ", ".join(choice.deck_ids), "text", "empty: every deck"),
                ("Tags", "form-tags", ", ".join(choice.tags), "text", "empty: every tag"),
                ("Seed (optional)", "form-seed", "" if choice.seed is None else str(choice.seed), "integer",
                 "empty: a new order each time"),
            ]
            for label, wid, value, kind, placeholder in fields:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label")
                    inp = Input(value, placeholder=placeholder, type=kind, id=wid, compact=True)
                    inp.cursor_blink = blink
                    yield inp
            yield Plain(f"Decks: {decks}", classes="form-help", id="form-known")
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Start", id="form-go", variant="primary", compact=True)
                yield Button("Cancel", id="form-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form-n", Input).focus()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()

    def choice(self):
        """The ``Choice`` the form describes; ``NqpfError`` (one line) when something is wrong."""
        text = self._value("form-n")
        if not text:
            raise NqpfError("Questions: give a number, 1 or more")
        try:
            n = int(text)
        except ValueError:
            raise NqpfError(f"Questions must be a whole number, not {text!r}") from None
        if n < 1:
            raise NqpfError("Questions: give 1 or more")
        seed_text = self._value("form-seed")
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            raise NqpfError(f"Seed must be a whole number, not {seed_text!r}") from None
        decks, tags = split_list(self._value("form-decks")), split_list(self._value("form-tags"))
        cards = select_cards(self.app.catalog, decks, tags)  # unknown deck or tag: SelectionError
        if not cards:
            raise NqpfError("No cards in those decks with those tags.")
        return replace(self.app.choice, n=n, seed=seed, deck_ids=decks, tags=tags)

    def value(self):
        return self.choice()
