"""Quiz: N multiple-choice questions, the right answer shown at once, a score and the misses."""

from __future__ import annotations

import random
import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.quiz import QuizRun, build_quiz
from nqpf_tutor.core.scheduler import grade_for
from nqpf_tutor.ui.screens.study import SCROLL_BINDINGS, CardScroll, source_line
from nqpf_tutor.ui.widgets.cards import OPTION_BINDINGS, Options
from nqpf_tutor.ui.widgets.plain import Plain, ProgressLine, TitleLine, styled
from nqpf_tutor.ui.app import StoreErrors


class QuizScreen(StoreErrors, CardScroll, Screen):
    # Nothing is focused unless the card asks for typing (the keys work on the screen). Without
    # Textual's auto focus the first frame is not restyled twice (focus on the card area, then
    # off again): issue 17, start-up.
    AUTO_FOCUS = ""
    BINDINGS = [
        *OPTION_BINDINGS,
        Binding("enter,space", "next", "Next", id="quiz-next"),
        Binding("m", "retry_misses", "Quiz the misses", id="quiz-misses"),
        Binding("escape,q", "leave", "Home", id="quiz-leave"),
        *SCROLL_BINDINGS,
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry_misses":  # in the footer only at the end, when something was missed
            return self.phase == "done" and bool(self.run.misses())
        if action == "next":
            return self.phase != "done"
        return True

    def __init__(self, cards: list[Card], *, n: int = 10, seed: int | None = None, schedule: bool = False,
                 questions=None) -> None:
        super().__init__()
        self.cards = cards
        self.seed = seed if seed is not None else random.randrange(1_000_000)
        self.n = n
        self.schedule = schedule
        self.run = QuizRun(questions if questions is not None else build_quiz(cards, n, self.seed))
        self._phase = "question"
        self.shown_at = time.monotonic()

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, value: str) -> None:
        self._phase = value
        self.refresh_bindings()

    def compose(self) -> ComposeResult:
        yield TitleLine()
        yield ProgressLine(id="progress")
        with VerticalScroll(id="card-area"):
            yield Static(id="card-kind")
            yield Plain(id="prompt")
            yield Vertical(id="response")
            yield Static(id="verdict")
            yield Plain(id="answer")
            yield Plain(id="explanation")
            yield Plain(id="source")
        yield Footer()

    async def on_mount(self) -> None:
        if self.schedule:
            from nqpf_tutor.core.session import StudySession

            app = self.app
            self.session = StudySession(self.cards, app.store, app.settings, clock=app.clock, mode="quiz")
        await self.show()

    def _top(self) -> None:
        total = len(self.run.questions)
        bar = self.query_one("#progress", ProgressLine)
        bar.update_progress(total, self.run.index)
        bar.set_note(
            styled(f" score {self.run.score}/{self.run.index} ", "bold") + styled(f" of {total} ", "dim"))

    def _set(self, **texts: str) -> None:
        for wid, text in texts.items():
            w = self.query_one(f"#{wid}")
            if isinstance(w, Plain):
                w.set_text(text)
            else:
                w.update(text)

    async def show(self) -> None:
        self._top()
        await self.query_one("#response").remove_children()
        self._set(verdict="", answer="", explanation="", source="")
        q = self.run.current
        if q is None:
            self._finish()
            return
        self.phase = "question"
        self.shown_at = time.monotonic()
        total = len(self.run.questions)
        self.query_one("#card-kind", Static).update(styled(f"Question {self.run.index + 1} of {total}", "dim"))
        self._set(prompt=q.prompt)
        await self.query_one("#response").mount(Options(q.options, id="options"))
        self.set_focus(None)
        self.query_one("#card-area").scroll_home(animate=False)

    def on_options_picked(self, event: Options.Picked) -> None:
        self.action_pick(event.index)

    def action_truefalse(self, value: str) -> None:
        q = self.run.current
        if q is not None and value in q.options:
            self.action_pick(q.options.index(value))

    def action_pick(self, index: int) -> None:
        q = self.run.current
        if self.phase != "question" or q is None or index >= len(q.options):
            return
        a = self.run.answer(index, time.monotonic() - self.shown_at)
        if self.schedule:
            self.session.answer(q.card, grade_for(a.correct), duration_ms=int(a.seconds * 1000), mode="quiz")
        self.phase = "answered"
        self.query_one(Options).show_result(index, q.correct)
        self._set(
            verdict=styled("✓ Right" if a.correct else "✗ Not quite", "bold green" if a.correct else "bold red"),
            answer=f"Answer: {q.correct + 1}. {q.answer}",  # numbered as the options are
            explanation=q.card.explanation,
            source=source_line(self.app, q.card),
        )
        self._top()
        self.keep_in_view("#answer")

    async def action_next(self) -> None:
        if self.phase == "answered":
            await self.show()

    def _finish(self) -> None:
        self.phase = "done"
        r = self.run
        self.query_one("#card-kind", Static).update(styled("Quiz finished", "dim"))
        if not r.questions:
            self._set(prompt="No multiple-choice questions can be made from the chosen cards.",
                      answer="Choose other decks or tags on the home screen (escape).")
            return
        self._set(prompt=f"Score: {r.score} of {len(r.answers)} ({r.percent}%)")
        misses = r.misses()
        if misses:
            lines = ["Review of the misses:", ""]
            for i, a in enumerate(misses, 1):
                q = a.question
                lines.append(f"{i}. {q.prompt}")
                lines.append(f"   you: {q.options[a.picked] if a.picked is not None else '(no answer)'}")
                lines.append(f"   right: {q.answer}")
                lines.append("")
            # the keys first, above the list: with many misses the list runs below the screen
            self._set(verdict=styled(f"m: quiz the {'miss' if len(misses) == 1 else f'{len(misses)} misses'} again    escape: home    "
                                     "pagedown/up, end: scroll", "bold"),
                      answer="\n".join(lines).rstrip())
        else:
            self._set(answer="No misses. Excellent!", explanation="escape: home")
        self.query_one("#card-area").scroll_home(animate=False)
        if self.schedule and self.app.store.writes.pending_answers:
            self._set(source="These answers go to your spaced-repetition schedule as soon as the database can "
                             "take them (see the title line).")
        elif self.schedule:
            self._set(source="These answers were saved to your spaced-repetition schedule.")
        else:
            self._set(source="Quiz answers did not change your study schedule (use quiz --schedule for that).")

    def action_retry_misses(self) -> None:
        if self.phase == "done" and self.run.misses():
            qs = [a.question for a in self.run.misses()]
            self.app.replace_screen(QuizScreen(self.cards, seed=self.seed, schedule=self.schedule, questions=qs))

    def action_leave(self) -> None:
        self.app.pop_screen()
