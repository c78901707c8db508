"""Study: the due queue from the scheduler, every card type, undo, suspend, bury, a summary.

Every answer is committed by the session before the next card is drawn. Multiple choice,
true/false, typed, cloze and order answers are graded at once (wrong: Again, right: Good) and
saved; pressing 1-4 afterwards overrides that grade (the first answer is undone, as in the log).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from nqpf_tutor.core.model import CLOZE_RE, Card
from nqpf_tutor.core.scheduler import format_interval, grade_for
from nqpf_tutor.core.session import StudySession
# The answer widgets and checks (``ui.widgets.cards``, ``core.questions``) are imported where a
# card first needs them: a start on a flashcard imports neither before its first frame (issue 17).
if TYPE_CHECKING:
    from nqpf_tutor.ui.widgets.cards import ClozeBlanks, GradeBar, Options, OrderList
from nqpf_tutor.ui.widgets.plain import Plain, ProgressLine, TitleLine, styled
from nqpf_tutor.ui.app import StoreErrors

KIND = {
    "flip": "Flashcard",
    "mcq": "Multiple choice",
    "truefalse": "True or false?",
    "typed": "Type the answer",
    "cloze": "Fill in the blanks",
    "order": "Put in order",
}


def when_text(due: datetime | None, now: datetime) -> str:
    if due is None:
        return "no card is scheduled in these decks"
    if due <= now:
        return "now"
    local = due.astimezone()
    return f"in {format_interval(due - now)} ({local:%a %d %b %H:%M})"


def source_line(app, card: Card) -> str:
    deck = app.catalog.deck(card.deck_id)
    cites = []
    for sid in card.sources:
        src = deck.sources.get(sid) if deck else None
        cites.append(src.citation() if src else sid)
    return "Source: " + "; ".join(cites) if cites else ""


#: Scrolling the card (and the end-of-session text) by keyboard; up/down only when the focused
#: widget does not use them (an order card's list does).
SCROLL_BINDINGS = [
    Binding("pagedown", "scroll_card('page_down')", "Page down", show=False),
    Binding("pageup", "scroll_card('page_up')", "Page up", show=False),
    Binding("down", "scroll_card('down')", "Scroll down", show=False),
    Binding("up", "scroll_card('up')", "Scroll up", show=False),
    Binding("end", "scroll_card('end')", "End", show=False),
    Binding("home", "scroll_card('home')", "Top", show=False),
]


class CardScroll:
    """``action_scroll_card`` for a screen whose scrolling area is ``SCROLL_AREA`` (a selector),
    or what ``scroll_area()`` returns."""

    SCROLL_AREA = "#card-area"

    def scroll_area(self):
        return self.query_one(self.SCROLL_AREA)  # type: ignore[attr-defined]

    def action_scroll_card(self, how: str) -> None:
        area = self.scroll_area()
        if area is None:
            return
        {
            "page_down": area.scroll_page_down, "page_up": area.scroll_page_up,
            "down": area.scroll_down, "up": area.scroll_up,
            "end": area.scroll_end, "home": area.scroll_home,
        }[how](animate=False)

    def keep_in_view(self, selector: str) -> None:
        """After the layout is done, scroll ``#card-area`` so that ``selector`` is on screen."""
        def scroll() -> None:
            widget = self.query_one(selector)  # type: ignore[attr-defined]
            self.query_one("#card-area").scroll_to_widget(widget, animate=False, top=False)  # type: ignore[attr-defined]
        # twice: the grade buttons mounted with the answer change the area's height first
        self.call_after_refresh(lambda: self.call_after_refresh(scroll))  # type: ignore[attr-defined]


class StudyScreen(StoreErrors, CardScroll, Screen):
    # Nothing is focused unless the card asks for typing (the keys work on the screen). Without
    # Textual's auto focus the first frame is not restyled twice (focus on the card area, then
    # off again): issue 17, start-up.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("space,enter", "reveal_or_next", "Show / next", id="reveal", priority=False),
        Binding("1", "key(1)", "Again / 1", id="k1", show=False),
        Binding("2", "key(2)", "Hard / 2", id="k2", show=False),
        Binding("3", "key(3)", "Good / 3", id="k3", show=False),
        Binding("4", "key(4)", "Easy / 4", id="k4", show=False),
        Binding("t", "truefalse(1)", "True", show=False),
        Binding("f", "truefalse(2)", "False", show=False),
        # The study actions work on every card type, even while typing an answer (the ctrl keys,
        # shown in the footer, are never taken by an answer box); u, s and b work when not typing.
        Binding("ctrl+z", "undo", "Undo", id="undo", tooltip="Take back the last answer (also u)", priority=True),
        Binding("ctrl+s", "suspend", "Suspend", id="suspend", tooltip="Keep this card out of study (also s)",
                priority=True),
        Binding("ctrl+b", "bury", "Bury", id="bury", tooltip="Hide this card until tomorrow (also b)", priority=True),
        Binding("u", "undo", "Undo", show=False),
        Binding("s", "suspend", "Suspend", show=False),
        Binding("b", "bury", "Bury", show=False),
        *SCROLL_BINDINGS,
        Binding("a", "ahead", "Review ahead", id="ahead", show=False),
        Binding("z", "quiz_instead", "Quiz", id="quiz-instead", show=False),
        Binding("escape,q", "leave", "Home", id="leave"),
    ]

    def __init__(self, cards: list[Card], *, review_ahead: bool = False, session: StudySession | None = None,
                 custom: list[Card] | None = None, custom_title: str = "") -> None:
        super().__init__()
        self.cards = cards
        self._given_session = session  # a session made elsewhere (the exam plan's weakest cards)
        self.review_ahead = review_ahead
        self.custom = custom  # custom study: these cards, each once, outside the due queue
        self.custom_title = custom_title
        self.card: Card | None = None
        self.phase = "none"  # question | answered | empty | done
        self.question = None
        self.auto_saved = False  # an auto-graded answer is already in the store
        self.suggested: int | None = None
        self.intervals: dict[int, str] = {}
        self.shown_at = 0.0
        self.started = time.monotonic()
        self.answered = 0
        self.right = 0
        self.results: list[bool] = []
        self._lines_made = False  # the lines under the card (``_make_lines``)

    def compose(self) -> ComposeResult:
        # The first card is chosen and built here, so the first frame already shows it.
        app = self.app
        if self._given_session is not None:
            self.session = self._given_session
        elif self.custom is not None:
            from nqpf_tutor.core.learning.custom import CustomSession

            self.session = CustomSession(self.custom, app.store, app.settings, clock=app.clock)
        else:
            self.session = StudySession(self.cards, app.store, app.settings, clock=app.clock,
                                        review_ahead=self.review_ahead, extra_new=app.extra_new())
        first = self.session.next_card()
        self._first = first
        kind, prompt, widgets = self._prepare(first) if first is not None else ("", "", [])
        yield TitleLine()
        # The counts (at the progress bar's right) come right after the first frame: at 100k
        # cards they fill a table of the session's keys first, which the first card does not need.
        yield ProgressLine(id="progress")
        with VerticalScroll(id="card-area"):
            yield Static(kind, id="card-kind")
            yield Plain(prompt, id="prompt")
            yield Vertical(*widgets, id="response")
        # The lines under the card (verdict, answer, explanation, source), the grade buttons'
        # slot and the footer are mounted right after the first frame (``_after_first_frame``),
        # as the counts are: the card comes first (issue 17, start-up).

    def on_mount(self) -> None:
        if self._first is None:
            self._finish()
        else:
            self._focus_response()
        self.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """The lines under the card, the footer; the counts, and the progress bar's total while
        there are cards."""
        if not self.is_attached:
            return
        self._make_lines()
        await self.mount(Footer())
        self.refresh_bindings()  # (a footer draws its keys when the bindings are announced)
        if self.phase in ("empty", "done"):
            self.query_one("#progress", ProgressLine).set_note(self._counts_text(self.session.counts()))
        else:
            self._counts()

    def _make_lines(self) -> None:
        if not self._lines_made:
            self._lines_made = True
            self.query_one("#card-area").mount(Static(id="verdict"), Plain(id="answer"), Plain(id="explanation"),
                                               Plain(id="source"))
            self.mount(Vertical(id="grades-slot"), after="#card-area")  # (grade buttons at the first answer)

    def _line(self, name: str):
        """One of the lines under the card, made now if a key came before the first frame."""
        self._make_lines()
        return self.query_one(f"#{name}")

    # --- showing ---------------------------------------------------------------------------------

    @staticmethod
    def _counts_text(c):
        return styled(f" new {c.new} ", "blue") + styled(f" learn {c.learning} ", "red") + styled(f" due {c.review} ", "green")

    def _counts(self) -> None:
        c = self.session.counts()
        bar = self.query_one("#progress", ProgressLine)
        bar.set_note(self._counts_text(c))
        bar.update_progress(self.answered + c.total, self.answered)

    async def _clear(self) -> None:
        self._line("verdict").update("")
        for name in ("answer", "explanation", "source"):
            self._line(name).set_text("")
        response = self.query_one("#response")
        if response.children:
            await response.remove_children()
        for bar in self.query("#grades"):
            bar.display = False

    async def next_card(self) -> None:
        card = self.session.next_card()
        self._counts()
        if card is None:
            await self._clear()
            self._finish()
            return
        await self.show(card)  # which clears the last card

    def _prepare(self, card: Card) -> tuple:
        """Set the screen's state for ``card``; return its heading, prompt and answer widgets."""
        self.card = card
        self.phase = "question"
        self.auto_saved = False
        self.suggested = None
        self.question = None
        self.shown_at = time.monotonic()
        deck = self.app.catalog.deck(card.deck_id)
        title = deck.title if deck else card.deck_id
        state = self.session.state(card)
        flag = " · new" if state.reps == 0 else (" · edited" if state.edited else "")
        custom = f" · custom: {self.custom_title}" if self.custom is not None and self.custom_title else ""
        kind = styled(f"{KIND[card.type]} · {title}{flag}{custom}", "dim")
        prompt = card.prompt
        if card.type == "cloze":
            n = 0

            def numbered(_m):
                nonlocal n
                n += 1
                return f"[{n}: ...]"

            prompt = CLOZE_RE.sub(numbered, card.prompt)
        self.intervals = {int(g): format_interval(d) for g, d in self.session.preview(card).items()}
        widgets: list = []
        if card.type in ("mcq", "truefalse"):
            from nqpf_tutor.core.questions import make_mcq
            from nqpf_tutor.ui.widgets.cards import Options

            self.question = make_mcq(card, seed=f"{card.uid}|{state.reps}")
            widgets.append(Options(self.question.options, id="options"))
        elif card.type == "typed":
            inp = Input(placeholder="type your answer, then enter (enter alone: I don't know)", id="typed")
            inp.cursor_blink = self.app.cursor_blink
            widgets.append(inp)
        elif card.type == "cloze":
            from nqpf_tutor.ui.widgets.cards import ClozeBlanks

            widgets.append(ClozeBlanks(len(card.cloze_answers()), id="cloze"))
        elif card.type == "order":
            from nqpf_tutor.core.questions import shuffled_items
            from nqpf_tutor.ui.widgets.cards import OrderList

            widgets.append(OrderList(shuffled_items(card, seed=f"{card.uid}|{state.reps}"), id="order"))
        else:
            widgets.append(Static(styled("space or enter: show the answer", "dim"), id="reveal-hint"))
        return kind, prompt, widgets

    def _focus_response(self) -> None:
        card = self.card
        if card is None:
            return
        if card.type == "typed":
            self.query_one("#typed", Input).focus()
        elif card.type == "cloze":
            self.call_after_refresh(lambda: self.query_one("#cloze").query(Input).first().focus())
        elif card.type == "order":
            self.call_after_refresh(self.query_one("#order").focus)
        else:
            self.set_focus(None)

    async def show(self, card: Card) -> None:
        await self._clear()
        kind, prompt, widgets = self._prepare(card)
        self.query_one("#card-kind", Static).update(kind)
        self.query_one("#prompt", Plain).set_text(prompt)
        await self.query_one("#response").mount_all(widgets)
        self._focus_response()
        self.query_one("#card-area").scroll_home(animate=False)

    def _reveal(self, correct: bool | None) -> None:
        """Show the answer, the explanation and the source; offer grades."""
        card = self.card
        assert card is not None
        self.phase = "answered"
        for hint in self.query("#reveal-hint"):
            hint.display = False  # the answer is shown: the hint no longer applies
        verdict = self._line("verdict")
        if correct is True:
            verdict.update(styled("✓ Right", "bold green"))
        elif correct is False:
            verdict.update(styled("✗ Not quite", "bold red"))
        answer = card.answer
        if card.type == "typed" and card.accept:  # every accepted wording: a near miss sees why
            answer += "   (also accepted: " + "; ".join(card.accept) + ")"
        if card.type == "order":
            answer = "\n".join(f"{i}. {x}" for i, x in enumerate(card.items, 1))
        if card.type == "cloze":
            answer = card.prompt.replace("{{", "").replace("}}", "")
        self._line("answer").set_text(("Answer: " if card.type not in ("order", "cloze") else "") + answer)
        self._line("explanation").set_text(card.explanation)
        self._line("source").set_text(source_line(self.app, card))
        found = self.query("#grades")
        if found:
            grades = found.first()
            grades.set_intervals(self.intervals, self.suggested)
            grades.display = True
        else:
            from nqpf_tutor.ui.widgets.cards import GradeBar

            self._line("grades-slot").mount(GradeBar(self.intervals, self.suggested, id="grades"))
        self.set_focus(None)
        self.keep_in_view("#answer")

    def _auto(self, correct: bool) -> None:
        """Grade a checked answer at once (saved before anything else happens)."""
        assert self.card is not None
        self.suggested = int(grade_for(correct))
        self._save(self.suggested)
        self.auto_saved = True
        self._reveal(correct)

    def _save(self, grade: int) -> None:
        assert self.card is not None
        ms = int((time.monotonic() - self.shown_at) * 1000)
        result = self.session.answer(self.card, grade, duration_ms=ms)
        self.answered += 1
        self.results.append(grade > 1)
        if result.leech:
            self.notify("This card has lapsed too often (a leech): it is suspended. Rewrite it or look it up.",
                        title="Leech", severity="warning", timeout=10)

    # --- answering ---------------------------------------------------------------------------------

    def on_options_picked(self, event: Options.Picked) -> None:
        self._pick(event.index)

    def _pick(self, index: int) -> None:
        if self.phase != "question" or self.question is None or index >= len(self.question.options):
            return
        self.query_one("#options").show_result(index, self.question.correct)
        self._auto(self.question.is_correct(index))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.phase != "question" or self.card is None or self.card.type != "typed":
            return
        event.input.disabled = True
        from nqpf_tutor.core.questions import check_typed, near_miss_note

        self._auto(check_typed(self.card, event.value))
        if near_miss_note(self.card, event.value):  # close: the accepted answers are on the answer line
            self._line("verdict").update(
                styled("✗ Not quite, but close: compare with the accepted answers below", "bold red"))

    def on_cloze_blanks_submitted(self, event: ClozeBlanks.Submitted) -> None:
        if self.phase != "question" or self.card is None:
            return
        for inp in self.query(Input):
            inp.disabled = True
        if not any(a.strip() for a in event.answers):  # nothing typed: self-graded, as a flip card
            self._reveal(None)
            return
        from nqpf_tutor.core.questions import check_cloze, near_miss_note

        verdicts = check_cloze(self.card, event.answers)
        self._auto(all(verdicts))
        right = self.card.cloze_answers()
        lines = [f"{i}: {'✓' if ok else '✗'} {a}" for i, (ok, a) in enumerate(zip(verdicts, right), 1)]
        note = near_miss_note(self.card, event.answers)  # close: show every accepted wording
        self._line("verdict").update(
            styled(("✓ Right" if all(verdicts) else "✗ Not quite") + "   " + "   ".join(lines)
                   + (f"   {note}" if note else ""), "bold green" if all(verdicts) else "bold red"))

    def on_order_list_submitted(self, event: OrderList.Submitted) -> None:
        if self.phase != "question" or self.card is None:
            return
        from nqpf_tutor.core.questions import check_order

        self.query_one("#order").show_result(list(self.card.items))
        self._auto(check_order(self.card, event.items))

    async def on_grade_bar_graded(self, event: GradeBar.Graded) -> None:
        await self.action_key(event.grade)

    async def action_key(self, n: int) -> None:
        if self.phase == "question":
            if self.card is not None and self.card.type in ("mcq", "truefalse"):
                self._pick(n - 1)
            return
        if self.phase != "answered":
            return
        if self.auto_saved:
            if n != self.suggested:  # override the automatic grade
                self.session.undo()
                self.answered -= 1
                self.results.pop()
                self._save(n)
        else:
            self._save(n)
        await self.next_card()

    def action_truefalse(self, n: int) -> None:
        if self.phase == "question" and self.card is not None and self.card.type == "truefalse":
            self._pick(self.question.options.index("True" if n == 1 else "False"))

    async def action_reveal_or_next(self) -> None:
        if self.phase == "question" and self.card is not None:
            if self.card.type == "flip":
                self._reveal(None)
            elif self.card.type == "order":
                self.query_one("#order").action_submit()
            return
        if self.phase == "answered":
            if self.auto_saved:
                await self.next_card()
            else:
                await self.action_key(3)

    # --- by hand ---------------------------------------------------------------------------------------

    async def action_undo(self) -> None:
        if not self.session.can_undo:
            self.notify("Nothing to undo in this session.")
            return
        card = self.session.undo()
        if card is None:
            return
        self.answered -= 1
        if self.results:
            self.results.pop()
        self.notify("Last answer taken back.", timeout=3)
        self._counts()
        await self.show(card)

    async def action_suspend(self) -> None:
        if self.card is None or self.phase not in ("question", "answered"):
            return
        self.session.suspend(self.card)
        self.notify("Card suspended: it stays out of study until unsuspended (browse screen).", timeout=4)
        await self.next_card()

    async def action_bury(self) -> None:
        if self.card is None or self.phase not in ("question", "answered"):
            return
        self.session.bury(self.card)
        self.notify("Card buried until tomorrow.", timeout=3)
        await self.next_card()

    def action_ahead(self) -> None:
        if self.phase in ("empty", "done"):
            ahead = StudySession(self.cards, self.app.store, self.app.settings, clock=self.app.clock, review_ahead=True)
            if ahead.next_card() is None:
                self.notify("Nothing to review ahead: no card in these decks has been studied and is waiting. "
                            "Press escape for home, or z for a quiz.", title="Review ahead", timeout=8)
                return
            self.app.replace_screen(StudyScreen(self.cards, review_ahead=True))

    def action_quiz_instead(self) -> None:
        if self.phase in ("empty", "done"):
            self.app.pop_screen()
            self.app.action_quiz_form()

    def action_leave(self) -> None:
        self.app.pop_screen()

    # --- the end ---------------------------------------------------------------------------------------

    def _finish(self) -> None:
        self.card = None
        self.query_one("#card-kind", Static).update("")
        now = self.session.now()
        nxt = when_text(self.session.next_due_time(), now)
        if self.custom is not None and self.answered == 0:
            self.phase = "empty"
            self.query_one("#prompt", Plain).set_text(f"Custom study: {self.custom_title or 'no cards'} — nothing left.")
            self._line("explanation").set_text("escape: home")
        elif self.answered == 0:
            self.phase = "empty"
            self.query_one("#prompt", Plain).set_text("Nothing is due in the chosen decks right now.")
            self._line("answer").set_text(f"Next card due: {nxt}.")
            self._line("explanation").set_text(
                "a: review ahead (the cards due soonest)    z: a quiz instead    escape: home")
        else:
            self.phase = "done"
            minutes, seconds = divmod(int(time.monotonic() - self.started), 60)
            acc = round(100 * sum(self.results) / len(self.results)) if self.results else 0
            done = f"Custom study finished ({self.custom_title})." if self.custom is not None else "Session finished."
            self.query_one("#prompt", Plain).set_text(f"{done} Well done!")
            self._line("answer").set_text(
                f"Cards answered: {self.answered}    Right first time: {acc}%    Time: {minutes}m {seconds:02d}s")
            self._line("explanation").set_text(
                f"Next card due: {nxt}.\n\na: review ahead    z: a quiz    escape: home")
        bar = self.query_one("#progress", ProgressLine)
        bar.update_progress(self.answered, self.answered)
