"""Custom study (c on home), as Anki has it: more new cards today, the cards forgotten in the
last N days, study ahead, or a deck or tag outside the schedule.

The choosing is here; which cards, and the session that asks them, are the core's
(``nqpf_tutor.core.learning.custom``).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioSet, Static

from nqpf_tutor.core.learning import custom as core
from nqpf_tutor.core.loader import select_cards
from nqpf_tutor.core.scheduler import Scheduler
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.screens.forms import FORM_CSS, FormActions, split_list
from nqpf_tutor.ui.widgets.marks import MarkedRadioButton
from nqpf_tutor.ui.widgets.plain import Plain, styled

CHOICES = [
    ("new", "More new cards today", "How many more"),
    ("forgotten", "Review the cards forgotten (Again) in the last N days", "Days"),
    ("ahead", "Study ahead: review cards due in the next N days", "Days"),
    ("selection", "Every card of the decks or tags below, outside the schedule", ""),
]
DEFAULTS = {"new": "10", "forgotten": "1", "ahead": "1", "selection": ""}


class ChoiceSet(RadioSet):
    """The kinds of custom study: up/down move, space picks, enter picks and starts."""

    BINDINGS = [Binding("enter", "pick_and_start", "Start", show=False)]

    def action_next_button(self) -> None:  # moving picks (as a radio group does), so tab keeps it
        super().action_next_button()
        self.action_toggle_button()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        self.action_toggle_button()

    def action_pick_and_start(self) -> None:
        self.action_toggle_button()
        screen = self.screen
        if self._selected is not None:
            screen.kind_changed(CHOICES[self._selected][0])  # type: ignore[attr-defined]
        self.call_after_refresh(screen.action_start)  # type: ignore[attr-defined]


class CustomStudyScreen(FormActions, ModalScreen["tuple[str, int, list[str], list[str]] | None"]):
    """Returns (kind, number, decks, tags), or None when cancelled."""

    ERROR_ID = "custom-error"
    START_ID = "custom-go"

    DEFAULT_CSS = FORM_CSS + """
    #custom-kinds {
        width: 100%;
        border: none;
        padding: 0;
        margin-bottom: 1;
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="custom-cancel"),
        Binding("ctrl+s", "start", "Start", id="custom-start"),
    ]

    def compose(self) -> ComposeResult:
        choice = self.app.choice
        blink = getattr(self.app, "cursor_blink", True)
        with VerticalScroll(classes="form-box", id="custom-box"):
            yield Static(styled("Custom study", "bold"), classes="form-title")
            yield Plain("up/down choose, tab goes to the fields, enter starts, escape cancels. Answers count as reviews "
                        "and move the schedule.", classes="form-help")
            with ChoiceSet(id="custom-kinds"):
                for i, (kind, label, _) in enumerate(CHOICES):
                    yield MarkedRadioButton(label, value=i == 0, id=f"kind-{kind}")
            for wid, label, value, kind, placeholder in [
                ("custom-n", "Number", DEFAULTS["new"], "integer", "more new cards, or days"),
                ("custom-decks", "Decks", ", ".join(choice.deck_ids), "text", "empty: every deck"),
                ("custom-tags", "Tags", ", ".join(choice.tags), "text", "empty: every tag"),
            ]:
                with Horizontal(classes="form-row"):
                    yield Label(label, classes="form-label", id=f"{wid}-label")
                    inp = Input(value, placeholder=placeholder, type=kind, id=wid, compact=True)
                    inp.cursor_blink = blink
                    yield inp
            yield Static("", classes="form-error", id="custom-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Start", id="custom-go", variant="primary", compact=True)
                yield Button("Cancel", id="custom-no", compact=True)

    def on_mount(self) -> None:
        self.query_one(ChoiceSet).focus()

    _kind = "new"

    @property
    def kind(self) -> str:
        return self._kind

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.kind_changed(CHOICES[event.index][0])

    def kind_changed(self, kind: str) -> None:
        """Label the number field for ``kind`` and put its default in (unless one was typed)."""
        label = next(c[2] for c in CHOICES if c[0] == kind) or "Number"
        for button in self.query(MarkedRadioButton):  # exactly one picked (the first starts picked)
            with button.prevent(MarkedRadioButton.Changed):
                button.value = button.id == f"kind-{kind}"
        self.query_one("#custom-n-label", Label).update(label)
        n = self.query_one("#custom-n", Input)
        n.disabled = kind == "selection"
        if n.value in DEFAULTS.values() or not n.value:
            n.value = DEFAULTS[kind]
        self._kind = kind

    def result(self) -> tuple[str, int, list[str], list[str]]:
        kind = self.kind
        n = 0
        if kind != "selection":
            text = self.query_one("#custom-n", Input).value.strip()
            what = "how many more new cards" if kind == "new" else "days"
            try:
                n = int(text)
            except ValueError:
                raise NqpfError(f"{what}: give a whole number, not {text!r}") from None
            if not 1 <= n <= (1000 if kind == "new" else 365):
                raise NqpfError(f"{what}: from 1 to {1000 if kind == 'new' else 365}")
        decks = split_list(self.query_one("#custom-decks", Input).value)
        tags = split_list(self.query_one("#custom-tags", Input).value)
        select_cards(self.app.catalog, decks, tags)  # unknown deck or tag: one line
        return kind, n, decks, tags

    def action_start(self) -> None:
        """Check the fields; then find the cards (many: in a worker, behind a box) and start,
        or say in the form's line that there are none."""
        from nqpf_tutor.ui.drawing import draw_then

        try:
            result = self.result()
        except NqpfError as e:
            self.show_error(str(e))
            return
        if result[0] == "new":
            self.dismiss((result, None))
            return
        app = self.app
        cards = select_cards(app.catalog, result[2], result[3])

        def found(data) -> None:
            if not self.is_attached:
                return
            if not data[1]:
                self.show_error(f"No cards {data[2]} in the chosen decks and tags.")
                return
            self.dismiss((result, data))

        draw_then(app, len(cards), "", lambda progress: _cards_for(app, *result, cards=cards),
                  found, title="Custom study", text="Finding the cards…", counted=False)


def _cards_for(app, kind: str, n: int, decks: list[str], tags: list[str], cards=None):
    """(the selection's cards, the custom queue or None, what the queue is); ``cards``: the
    selection when already made."""
    cards = select_cards(app.catalog, decks, tags) if cards is None else cards
    now = app.clock()
    if kind == "forgotten":
        return cards, core.forgotten(app.store, cards, now, n), f"forgotten in the last {n} day{'s' * (n != 1)}"
    if kind == "ahead":
        sched = Scheduler(app.settings)
        return cards, core.ahead(app.store, sched, cards, now, n), f"due in the next {n} day{'s' * (n != 1)}"
    if kind == "selection":
        what = "of " + (", ".join([*decks, *(f"tag {t}" for t in tags)]) or "every deck")
        return cards, core.outside_schedule(app.store, cards), what
    return cards, None, ""


def start_custom(app, kind: str, n: int, decks: list[str], tags: list[str], found=None) -> None:
    """Start the custom study; ``found``: its cards as ``_cards_for`` gives them (else found now)."""
    from nqpf_tutor.ui.screens.study import StudyScreen

    if kind == "new":
        cards = select_cards(app.catalog, decks, tags)
        day = Scheduler(app.settings).study_day(app.clock())
        try:
            total = core.add_extra_new(app.custom_path, app.store.profile, day, n)
        except (OSError, NqpfError) as e:
            app.notify(f"could not keep the extra new cards: {getattr(e, 'strerror', None) or e}", severity="error",
                       markup=False)
            return
        app.choice.deck_ids, app.choice.tags = decks, tags
        app.notify(f"{total} more new cards allowed today.", title="Custom study", markup=False)
        app.push_screen(StudyScreen(cards))
        return
    cards, queue, what = found or _cards_for(app, kind, n, decks, tags)
    if not queue:
        app.notify(f"No cards {what} in the chosen decks and tags.", title="Custom study", markup=False)
        return
    app.push_screen(StudyScreen(cards, custom=queue, custom_title=f"{len(queue)} cards {what}"))


def open_custom_study(app) -> None:
    def chosen(answer) -> None:
        if answer is not None:
            result, found = answer
            start_custom(app, *result, found=found)

    app.push_screen(CustomStudyScreen(), callback=chosen)


__all__ = ["CustomStudyScreen", "open_custom_study", "start_custom"]
