"""First-run welcome: what the app is and what the keys do."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from nqpf_tutor.ui.widgets.plain import styled

WELCOME = """\
Flashcards, quizzes and spaced repetition (FSRS) on China's policy concept of \
"new quality productive forces": each card comes back just before you would forget it.

Home: arrows move, space chooses a deck, tab goes to the tags, then
  s study  z quiz  d drill  t stats  b browse  f custom study  o settings
Study: space shows the answer; 1-4 grade it (Again Hard Good Easy), go on.
  ctrl+z undo, ctrl+s suspend, ctrl+b bury: on every card, even typing.
Every answer is saved at once. f1 or ? lists every key, ctrl+p every
action, ctrl+q quits."""

class WelcomeScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    WelcomeScreen {
        align: center middle;
    }
    #welcome-box {
        width: 100%;
        max-width: 90;
        height: auto;
        max-height: 100%;
        border: round $primary;
        padding: 0 1;
        background: $surface;
    }
    #welcome-title {
        margin-bottom: 1;
    }
    #welcome-keys {
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape,enter,space", "close", "Start")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome-box"):
            yield Static(styled("Welcome to nqpf-tutor", "bold"), id="welcome-title")
            yield Static(WELCOME, markup=False, id="welcome-text")
            yield Static(styled("enter or escape: close this and start", "dim"), id="welcome-keys")
            yield Button("Start (enter)", id="welcome-start", variant="primary", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
