"""First-run welcome: what the app is and what the keys do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from nqpf_tutor.ui.widgets.plain import styled

WELCOME = """\
nqpf-tutor teaches China's policy concept of "new quality productive forces" with \
flashcards, multiple-choice quizzes and spaced repetition (FSRS): each card comes back just \
before you would forget it.

On the home screen choose decks (space) or tags, then:
  s  study the cards due today      z  a quiz      d  a classroom drill
  t  statistics                     b  browse cards      r  reload decks

While studying: space shows the answer, 1-4 grades it (Again, Hard, Good, Easy),
u undoes, escape goes home. Every answer is saved at once; quit any time with ctrl+q.
f1 or ? lists every key; ctrl+p opens the command palette (themes too)."""


class WelcomeScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,space", "close", "Start")]

    def compose(self) -> ComposeResult:
        with Vertical(id="welcome-box"):
            yield Static(styled("Welcome to nqpf-tutor", "bold"), id="welcome-title")
            yield Static(WELCOME, markup=False, id="welcome-text")
            yield Button("Start (enter)", id="welcome-start", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
