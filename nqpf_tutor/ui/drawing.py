"""Drawing the questions of a quiz, a drill or a live game without freezing the app.

A draw balances across decks and topics over every card chosen: a few milliseconds for the
bundled decks, about 0.1 s at 10,000 cards and 1.5 s at 100,000. Up to ``IN_WORKER`` cards it
runs at once; beyond, in a thread worker, with a box saying what is being drawn (escape
cancels), and what follows (the quiz, drill or game screen) is shown when it is done.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.widgets.plain import plain

T = TypeVar("T")

#: More cards than this: the draw runs in a worker (at 5,000 cards it takes about 50 ms).
IN_WORKER = 5000


class DrawingScreen(ModalScreen[None]):
    """"Drawing 40 questions from 100,000 cards…" and how many cards are gone through, while
    the worker draws; escape cancels."""

    DEFAULT_CSS = """
    DrawingScreen { align: center middle; }
    DrawingScreen #drawing-box {
        width: 56; max-width: 95%; height: auto;
        border: round $primary; padding: 0 1; background: $surface;
    }
    DrawingScreen ProgressBar { margin: 1 0 0 0; }
    DrawingScreen #drawing-keys { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="drawing-cancel")]

    def __init__(self, text: str, total: int | None) -> None:
        super().__init__()
        self.text = text
        self.total = total
        self.cancelled = False

    def compose(self) -> ComposeResult:
        with Vertical(id="drawing-box"):
            yield Static(plain(self.text), id="drawing-text")
            yield ProgressBar(total=self.total, show_eta=False, id="drawing-bar")
            yield Static("escape: cancel", id="drawing-keys")

    def advance(self, done: int) -> None:
        """``done`` cards gone through."""
        if self.is_attached:
            self.query_one(ProgressBar).update(progress=done)

    def action_cancel(self) -> None:
        self.cancelled = True
        self.dismiss(None)

    #: The draw finished while another screen was over this one: what to do when back on top.
    when_back: Callable[[], None] | None = None

    def on_screen_resume(self) -> None:
        if self.when_back is not None and not self.cancelled:
            then, self.when_back = self.when_back, None
            self.call_later(then)


def draw_then(app: Any, n_cards: int, what: str, draw: Callable[..., T], then: Callable[[T], None],
              *, title: str, text: str | None = None, counted: bool = True) -> None:
    """``then(draw(progress))``: at once for up to ``IN_WORKER`` cards (``progress`` None), else
    ``draw`` in a thread worker (it must not touch the store) behind a ``DrawingScreen`` that
    ``progress(done, total)`` moves on (``counted=False``: ``draw`` says nothing, the bar just
    runs). ``text``: the box's words instead of "Drawing <what> from <n> cards…". A ``NqpfError``
    from ``draw`` is one notification titled ``title``."""

    def failed(e: NqpfError) -> None:
        app.notify(str(e), title=title, severity="error", markup=False)

    def go_on(result: Any) -> None:
        try:
            then(result)
        except NqpfError as e:
            failed(e)

    if n_cards <= IN_WORKER:
        try:
            result = draw(None)
        except NqpfError as e:
            failed(e)
            return
        go_on(result)
        return
    box = DrawingScreen(text or f"Drawing {what} from {n_cards:,} cards…", n_cards if counted else None)
    app.push_screen(box)

    def done(result: Any, error: NqpfError | None) -> None:
        if box.cancelled:
            return

        def finish() -> None:
            box.dismiss(None)
            if error is not None:
                failed(error)
            else:
                go_on(result)

        if app.screen is box:
            finish()
        else:  # something opened over the box (help): go on once the box is on top again
            box.when_back = finish

    def progress(done: int, total: int) -> None:
        app.call_from_thread(box.advance, done)

    def work() -> None:
        try:
            result = draw(progress if counted else None)
        except NqpfError as e:
            app.call_from_thread(done, None, e)
            return
        except Exception as e:  # noqa: BLE001 - a bug: one line, and the box goes
            app.call_from_thread(done, None, NqpfError(f"cannot draw the questions: {e}"))
            return
        app.call_from_thread(done, result, None)

    app.run_worker(work, thread=True, group="draw", exit_on_error=False)


__all__ = ["DrawingScreen", "IN_WORKER", "draw_then"]
