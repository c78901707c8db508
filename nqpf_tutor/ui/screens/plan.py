"""Exam plan: type the exam date (and a goal), see each day's new cards, reviews and minutes and
the recall predicted on the exam day; keep the plan (exam mode) or clear it; in the last days,
study the cards most likely to be forgotten.

Every figure comes from ``core.learning.plan`` (the same as ``nqpf-tutor plan``); the plan is
worked out in a thread worker, so the screen stays live.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Static

from nqpf_tutor.core.learning.plan import LAST_DAYS, Plan, PlanError, check_retention, plan_for
from nqpf_tutor.core.learning.profile import load_plan, save_plan
from nqpf_tutor.core.text import one_line
from nqpf_tutor.ui.widgets.plain import cell, plain, styled


class PlanScreen(Screen):
    """The exam plan for the decks and tags chosen on the home screen."""

    DEFAULT_CSS = """
    PlanScreen #plan-form {
        height: 1;
        margin: 1 0;
        padding: 0 1;
    }
    PlanScreen #plan-form Label {
        padding: 0 1 0 0;
    }
    PlanScreen #plan-exam {
        width: 13;
        margin-right: 2;
    }
    PlanScreen #plan-goal {
        width: 7;
        margin-right: 2;
    }
    PlanScreen #plan-form Button {
        min-width: 6;
    }
    PlanScreen #plan-summary {
        height: auto;
        max-height: 9;
        padding: 0 1;
    }
    PlanScreen #plan-days {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape", "leave", "Back", id="plan-back", tooltip="Back to the previous screen"),
        Binding("k", "keep", "Keep plan", id="plan-keep", tooltip="Exam mode: study paces new cards by this plan"),
        Binding("c", "clear", "Clear plan", id="plan-clear", tooltip="Remove the plan kept for this profile"),
        Binding("w", "weakest", "Weakest cards", id="plan-weakest",
                tooltip="Study the cards with the lowest predicted recall on the exam day"),
        Binding("slash", "edit", "Edit date", id="plan-edit", tooltip="Back to the exam date box"),
        Binding("q", "leave", "Back", id="plan-q", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: Plan | None = None

    def compose(self) -> ComposeResult:
        app = self.app
        kept = load_plan(app.store)
        yield Header()
        with Horizontal(id="plan-form"):
            yield Label("Exam")
            yield Input(kept.exam.isoformat() if kept else "", placeholder="YYYY-MM-DD", id="plan-exam",
                        compact=True)
            yield Label("Goal")
            yield Input(f"{kept.retention:g}" if kept else f"{app.settings.desired_retention:g}",
                        placeholder="0.9", id="plan-goal", compact=True)
            yield Button("Plan", id="plan-go", variant="primary", compact=True)
        yield Static(id="plan-summary")
        yield DataTable(id="plan-days", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        for box in self.query(Input):
            box.cursor_blink = self.app.cursor_blink  # off in snapshot tests
        table = self.query_one("#plan-days", DataTable)
        for key, label in (("date", "Date"), ("new", "New"), ("reviews", "Reviews"), ("minutes", "Minutes")):
            table.add_column(label, key=key)
        kept = load_plan(self.app.store)
        if kept is not None:
            self._kept_selection(kept)
            self.start_plan()
        else:
            self._say(self._what() + "\nType the exam date (YYYY-MM-DD) and press enter.")
            self.query_one("#plan-exam", Input).focus()

    # --- what is planned ------------------------------------------------------------------------

    def _kept_selection(self, kept) -> None:
        """A kept plan is for its own decks and tags: show those."""
        self._deck_ids, self._tags = list(kept.deck_ids), list(kept.tags)

    def _selection(self) -> tuple[list[str], list[str]]:
        if hasattr(self, "_deck_ids"):
            return self._deck_ids, self._tags
        return list(self.app.choice.deck_ids), list(self.app.choice.tags)

    def _what(self) -> str:
        decks, tags = self._selection()
        what = ("decks: " + ", ".join(decks)) if decks else "all decks"
        if tags:
            what += "; tags: " + ", ".join(tags)
        return f"Plan for {what}."

    def _say(self, text: str, style: str = "") -> None:
        self.query_one("#plan-summary", Static).update(styled(text, style) if style else plain(text))

    @on(Input.Submitted)
    @on(Button.Pressed, "#plan-go")
    def start_plan(self) -> None:
        exam = self.query_one("#plan-exam", Input).value.strip()
        goal = self.query_one("#plan-goal", Input).value.strip()
        try:
            retention = check_retention(float(goal)) if goal else None
        except ValueError:
            self._error(f"retention must be a number from 0.7 to 0.99, not {goal!r}")
            return
        except PlanError as e:
            self._error(str(e))
            return
        self._say("Planning…", "dim")
        self._work(exam, retention)

    def _error(self, message: str) -> None:
        self.plan = None
        self.query_one("#plan-days", DataTable).clear()
        self._say(one_line(message), "bold red")
        self.query_one("#plan-exam", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan")
    def _work(self, exam: str, retention: float | None) -> None:
        app = self.app
        decks, tags = self._selection()
        try:
            from nqpf_tutor.core.loader import select_cards

            cards = select_cards(app.catalog, decks, tags)
            plan = plan_for(app.store, cards, app.settings, app.clock(), exam, retention, decks, tags)
        except Exception as e:  # noqa: BLE001 - a bad date, an unknown deck, a store error: one line
            self.app.call_from_thread(self._error, str(e))
            return
        self.app.call_from_thread(self._show, plan)

    def _show(self, plan: Plan) -> None:
        self.plan = plan
        kept = load_plan(self.app.store)
        is_kept = kept is not None and kept.exam == plan.exam
        lines = [
            f"{self._what()} Exam {plan.exam.isoformat()}: {plan.days_left} days left; {plan.cards} cards "
            f"({plan.new_cards} new). Predicted recall on the exam day: {plan.plan.recall:.0%} "
            f"(goal {plan.retention:.0%}).",
            f"{plan.plan.new_per_day} new a day; about {plan.plan.average_minutes:.0f} min a day "
            f"(at most {plan.plan.max_minutes:.0f}) at {plan.seconds:.0f} s an answer ({plan.seconds_source}).",
            plan.advice(),
        ]
        if not plan.two_reviews_fit:
            lines.append(f"Too few days for two reviews of each new card (that needs {plan.lead_days}).")
        lines.append("Kept: study paces new cards by this plan (c clears it)." if is_kept
                     else "k keeps this plan: study then paces new cards by it.")
        if 0 <= plan.days_left <= LAST_DAYS:
            lines.append("The last days: w studies the cards you are most likely to forget.")
        self._say("\n".join(lines))
        table = self.query_one("#plan-days", DataTable)
        table.clear()
        for d in plan.plan.days:
            table.add_row(cell(d.day.isoformat()), cell(d.new, "blue" if d.new else "dim"),
                          cell(int(round(d.reviews)), "green" if d.reviews >= 0.5 else "dim"),
                          cell(f"{d.minutes:.1f}"), key=d.day.isoformat())
        table.focus()

    # --- actions ----------------------------------------------------------------------------------

    def action_leave(self) -> None:
        self.app.pop_screen()

    def action_edit(self) -> None:
        self.query_one("#plan-exam", Input).focus()

    def action_keep(self) -> None:
        if self.plan is None:
            self.notify("Make a plan first: type the exam date and press enter.", severity="warning")
            return
        save_plan(self.app.store, self.plan.spec())
        self.notify(f"Exam plan kept: {self.plan.plan.new_per_day} new cards a day until "
                    f"{self.plan.last_new_day.isoformat()}.", title="Exam mode", markup=False)
        self._show(self.plan)

    def action_clear(self) -> None:
        if load_plan(self.app.store) is None:
            self.notify("No exam plan is kept.", severity="warning")
            return
        save_plan(self.app.store, None)
        for name in ("_deck_ids", "_tags"):  # plan the decks and tags chosen on home from now on
            self.__dict__.pop(name, None)
        self.notify("Exam plan cleared: study uses the settings' new cards a day again.", markup=False)
        if self.plan is not None:
            self._show(self.plan)

    def action_weakest(self) -> None:
        if self.plan is None:
            self.notify("Make a plan first: type the exam date and press enter.", severity="warning")
            return
        from nqpf_tutor.core.learning.plan import exam_review_session
        from nqpf_tutor.core.loader import select_cards
        from nqpf_tutor.ui.screens.study import StudyScreen

        app = self.app
        decks, tags = self._selection()
        cards = select_cards(app.catalog, decks, tags)
        session = exam_review_session(cards, app.store, app.settings, clock=app.clock, exam=self.plan.exam)
        if not session.queue:
            self.notify("No cards to study.", severity="warning")
            return
        app.push_screen(StudyScreen(session.queue, session=session))
