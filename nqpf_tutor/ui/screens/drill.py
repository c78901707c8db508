"""Classroom drill: set-up, the question on a projector with a countdown, the reveal, the results.

The screens only draw and take keys; questions, turns, the timer, scores and saving are the
core's (``nqpf_tutor.core.drill``). Every answer is committed by the core as it is given, so
stopping early (escape) or quitting keeps what was answered.

The countdown reads the drill's clock: ``app.drill_clock`` when the app has one (tests freeze
or advance it), else ``time.monotonic``.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Digits, Footer, Header, Input, Label, ProgressBar, Static

from nqpf_tutor.core.drill import DEFAULT_STUDENT, Drill, DrillAnswer, DrillConfig, StudentScore, write_results
from nqpf_tutor.core.questions import Question
from nqpf_tutor.core.text import clean
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.screens.forms import FormActions
from nqpf_tutor.ui.screens.study import SCROLL_BINDINGS, CardScroll
from nqpf_tutor.ui.widgets.cards import OPTION_BINDINGS, Options
from nqpf_tutor.ui.widgets.marks import MarkedCheckbox
from nqpf_tutor.ui.widgets.plain import Plain, cell, styled
from nqpf_tutor.ui.app import StoreErrors

TICK = 0.1  # seconds between countdown updates
BOARD_NAME = 14  # characters of a name shown in the small leaderboard


# --- starting a drill ------------------------------------------------------------------------------


def drill_clock(app) -> Callable[[], float]:
    """The monotonic clock drills are timed with: the app's ``drill_clock`` if it has one."""
    return getattr(app, "drill_clock", None) or time.monotonic


def config_from_options(app, options: dict) -> DrillConfig:
    """The drill's config from the command line's options and the chosen decks and tags."""
    choice = app.choice
    students = tuple(options.get("students") or ()) or (DEFAULT_STUDENT,)
    seed = options.get("seed")
    return DrillConfig(
        n=int(options.get("n") or choice.n or 10),
        seconds=options.get("seconds", 20),
        seed=seed if seed is not None else choice.seed,
        students=students,
        speed_bonus=bool(options.get("speed_bonus", False)),
        streaks=bool(options.get("streaks", False)),
        leaderboard=bool(options.get("leaderboard", True)),
        deck_ids=tuple(choice.deck_ids),
        tags=tuple(choice.tags),
        class_name=options.get("class_name"),
    )


def start_drill(app, config: DrillConfig, cards=None) -> None:
    """Draw the drill's questions from the chosen cards (or ``cards``; many: in a worker) and
    show it; a problem is a notification."""
    from nqpf_tutor.core.drill import build_questions
    from nqpf_tutor.ui.drawing import draw_then

    cards = app.selected_cards() if cards is None else cards
    config = config.with_seed()
    draw_then(app, len(cards), f"{config.n} questions", lambda progress: build_questions(cards, config.n, config.seed, progress),
              lambda qs: app.push_screen(DrillScreen(Drill(config, qs, app.store, drill_clock(app), app.clock))),
              title="Drill")


def open_drill(app) -> None:
    """Start a drill: straight away with the command line's options, else after the set-up."""
    options = dict(getattr(app, "drill_options", None) or {})
    if options:
        try:
            config = config_from_options(app, options)
        except NqpfError as e:
            app.notify(str(e), title="Drill", severity="error", markup=False)
            return
        cards = None
        if options.get("question_ids"):  # drill --from-report: only the class's hardest questions
            wanted = set(options["question_ids"])
            cards = [c for c in app.selected_cards() if c.uid in wanted]
        start_drill(app, config, cards)
        return

    def chosen(config: DrillConfig | None) -> None:
        if config is not None:
            start_drill(app, config)

    app.push_screen(DrillSetupScreen(), callback=chosen)


# --- set-up -----------------------------------------------------------------------------------------


class SetupCheckbox(MarkedCheckbox):
    """A set-up box: space toggles it (✓ or empty), enter starts the drill as in every field."""

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "screen.start", "Start", show=False),
    ]


class DrillSetupScreen(FormActions, ModalScreen["DrillConfig | None"]):
    """Number of questions, seconds, seed, students and the bonuses; returns a ``DrillConfig``."""

    ERROR_ID = "setup-error"
    START_ID = "setup-start"

    DEFAULT_CSS = """
    DrillSetupScreen {
        align: center middle;
    }
    #setup-box {
        width: 90%;
        max-width: 76;
        height: auto;
        max-height: 100%;
        border: round $primary;
        padding: 0 2;
        background: $surface;
    }
    #setup-title {
        text-style: bold;
        margin-bottom: 1;
    }
    #setup-from {
        color: $text-muted;
        margin-bottom: 1;
    }
    .setup-row {
        height: auto;
        margin-bottom: 1;
    }
    .setup-label {
        width: 24;
        padding-top: 0;
    }
    .setup-row Input {
        width: 1fr;
        background: $panel;
    }
    .setup-row Input:focus {
        background: $panel-lighten-1;
    }
    #setup-checks {
        height: auto;
        margin-bottom: 1;
    }
    #setup-checks Checkbox {
        margin-right: 2;
    }
    #setup-error {
        color: $text-error;
        height: auto;
        display: none;
    }
    #setup-buttons {
        height: auto;
        margin-top: 1;
    }
    #setup-buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="drill-setup-cancel"),
        Binding("ctrl+s", "start", "Start", id="drill-setup-start", tooltip="Start the drill"),
    ]

    TITLE_TEXT = "Classroom drill"

    def _fields(self) -> list[tuple[str, str, str, str, str]]:
        """(label, id, value, input type, placeholder) of each field, in order."""
        choice = self.app.choice
        return [
            ("Questions", "setup-n", str(choice.n or 10), "integer", "how many questions"),
            ("Seconds per question", "setup-seconds", "20", "integer", "0 = no timer"),
            ("Seed (optional)", "setup-seed",
             "" if choice.seed is None else str(choice.seed), "integer", "empty: a random one"),
            ("Students or teams", "setup-students", "", "text", "comma-separated, e.g. Ann, Bo"),
            ("Class (optional)", "setup-class", "", "text", "e.g. 9B: kept for the class report"),
        ]

    def compose(self) -> ComposeResult:
        blink = getattr(self.app, "cursor_blink", True)
        with VerticalScroll(id="setup-box"):
            yield Static(styled(self.TITLE_TEXT, "bold"), id="setup-title")
            yield Plain(self._from_text(), id="setup-from")
            for label, wid, value, kind, placeholder in self._fields():
                with Horizontal(classes="setup-row"):
                    yield Label(label, classes="setup-label")
                    inp = Input(value, placeholder=placeholder, type=kind, id=wid, compact=True)
                    inp.cursor_blink = blink
                    yield inp
            with Horizontal(id="setup-checks"):
                yield SetupCheckbox("Speed bonus", False, id="setup-speed", compact=True)
                yield SetupCheckbox("Streaks", False, id="setup-streaks", compact=True)
                yield SetupCheckbox("Show leaderboard", True, id="setup-board", compact=True)
            yield Static("", id="setup-error")
            with Horizontal(id="setup-buttons"):
                yield Button("Start", id="setup-start", variant="primary", compact=True)
                yield Button("Cancel", id="setup-cancel", compact=True)

    def _from_text(self) -> str:
        choice = self.app.choice
        parts = []
        if choice.deck_ids:
            parts.append("decks: " + ", ".join(choice.deck_ids))
        if choice.tags:
            parts.append("tags: " + ", ".join(choice.tags))
        where = "; ".join(parts) if parts else "every deck"
        return f"Questions from {where}. Enter starts, escape cancels."

    def on_mount(self) -> None:
        self.query_one("#setup-n", Input).focus()

    def _int(self, wid: str, what: str, default: int | None) -> int | None:
        text = self.query_one(f"#{wid}", Input).value.strip()
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            raise NqpfError(f"{what} must be a whole number, not {text!r}") from None

    def config(self) -> DrillConfig:
        """The config the form describes; ``NqpfError`` (one line) when something is wrong."""
        choice = self.app.choice
        n = self._int("setup-n", "number of questions", None)
        if n is None:
            raise NqpfError("number of questions: give 1 or more")
        seconds = self._int("setup-seconds", "seconds per question", 0)
        seed = self._int("setup-seed", "seed", None)
        names = [s.strip() for s in self.query_one("#setup-students", Input).value.split(",")]
        students = tuple(s for s in names if s) or (DEFAULT_STUDENT,)
        return DrillConfig(
            n=n, seconds=seconds, seed=seed, students=students,
            speed_bonus=self.query_one("#setup-speed", Checkbox).value,
            streaks=self.query_one("#setup-streaks", Checkbox).value,
            leaderboard=self.query_one("#setup-board", Checkbox).value,
            deck_ids=tuple(choice.deck_ids), tags=tuple(choice.tags),
            class_name=self.query_one("#setup-class", Input).value,
        )

    def value(self):
        return self.config()


# --- the drill ----------------------------------------------------------------------------------------


def board_text(board: list[StudentScore], highlight: str | None = None, width: int = BOARD_NAME) -> Content:
    """The small leaderboard: rank, name (cut to ``width``), points."""
    lines: list[Content] = []
    for s in board:
        name = clean(s.student)
        if len(name) > width:
            name = name[: width - 1] + "…"
        style = "bold" if s.student == highlight else ""
        line = Content(f"{s.rank:>2}. ") + Content.styled(name.ljust(width), style) + Content(f" {points(s.points):>5}")
        lines.append(line)
    return Content("\n").join(lines)


def points(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:g}"


class DrillScreen(StoreErrors, CardScroll, Screen):
    """One question at a time, large, with whose turn it is and the time left."""

    SCROLL_AREA = "#drill-main"

    DEFAULT_CSS = """
    DrillScreen #drill-top {
        height: 3;
        padding: 0 2;
    }
    DrillScreen #drill-status {
        width: 1fr;
        height: 3;
    }
    DrillScreen #drill-turn {
        text-style: bold;
        color: $text-accent;
    }
    DrillScreen #drill-info {
        color: $text-muted;
    }
    DrillScreen #drill-timer {
        width: auto;
        min-width: 8;
        text-align: right;
        color: $text-success;
    }
    DrillScreen #drill-timer.low {
        color: $text-warning;
    }
    DrillScreen #drill-timer.out {
        color: $text-error;
    }
    DrillScreen #drill-timebar {
        height: 1;
        padding: 0 2;
        width: 100%;
    }
    DrillScreen #drill-timebar Bar {
        width: 1fr;
    }
    DrillScreen #drill-body {
        height: 1fr;
    }
    DrillScreen #drill-main {
        width: 1fr;
        height: 1fr;
        padding: 0 2;
    }
    DrillScreen #drill-prompt {
        text-style: bold;
        margin: 1 0;
    }
    DrillScreen #drill-options {
        height: auto;
    }
    DrillScreen #drill-verdict {
        margin-top: 1;
        text-style: bold;
    }
    DrillScreen #drill-answer {
        color: $text-success;
    }
    DrillScreen #drill-explanation {
        margin-top: 1;
    }
    DrillScreen #drill-next {
        margin-top: 1;
        color: $text-muted;
    }
    DrillScreen #drill-board {
        width: 28;
        height: auto;
        max-height: 100%;
        margin: 1 1 0 0;
        padding: 0 1;
        border: round $primary 60%;
        border-title-color: $text-accent;
    }
    """

    BINDINGS = [
        *OPTION_BINDINGS,
        Binding("enter,space", "next", "Next", id="drill-next-key", tooltip="After the discussion: the next question"),
        Binding("escape", "stop", "Stop drill", id="drill-stop", tooltip="Stop now and show the results (answers are kept)"),
        *SCROLL_BINDINGS,
    ]

    def __init__(self, drill: Drill, *, round_no: int = 1) -> None:
        super().__init__()
        self.drill = drill
        self.round_no = round_no
        self._phase = "question"  # question | reveal | done
        self.last: DrillAnswer | None = None

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, value: str) -> None:
        self._phase = value
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return True if self.phase == "reveal" else None  # shown dimmed until the reveal
        return True

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="drill-top"):
            with Vertical(id="drill-status"):
                yield Static(id="drill-turn")
                yield Static(id="drill-info")
            yield Digits("", id="drill-timer")
        yield ProgressBar(id="drill-timebar", show_eta=False, show_percentage=False)
        with Horizontal(id="drill-body"):
            with VerticalScroll(id="drill-main"):
                yield Plain(id="drill-prompt")
                yield Vertical(id="drill-options")
                yield Static(id="drill-verdict")
                yield Plain(id="drill-answer")
                yield Plain(id="drill-explanation")
                yield Static(id="drill-next")
            board = Static(id="drill-board")
            board.border_title = "Leaderboard"
            yield board
        yield Footer()

    async def on_mount(self) -> None:
        timed = bool(self.drill.config.seconds)
        self.query_one("#drill-timer").display = timed
        self.query_one("#drill-timebar").display = timed
        self.query_one("#drill-info", Static).update(styled(self._info(), "dim"))
        await self.show_question()
        if timed:
            self.set_interval(TICK, self._tick)

    def _info(self) -> str:
        c = self.drill.config
        parts = [f"seed {self.drill.seed}"]
        if c.class_name:
            parts.insert(0, f"class {c.class_name}")
        if self.round_no > 1:
            parts.insert(0, f"round {self.round_no}: the missed questions")
        parts.append(f"{c.seconds} s a question" if c.seconds else "no timer")
        if c.speed_bonus and c.seconds:
            parts.append("speed bonus")
        if c.streaks:
            parts.append("streaks")
        return " · ".join(parts)

    def _turn(self) -> Content:
        d = self.drill
        i = min(d.index, d.total - 1)
        text = styled(f"Question {i + 1} of {d.total}", "bold")
        student = d.student_for(i)
        if d.students != (DEFAULT_STUDENT,):
            text += Content(" · ") + styled(f"{student}'s turn", "bold reverse")
        return text

    async def show_question(self) -> None:
        d = self.drill
        q = d.current
        if q is None:
            self.show_results()
            return
        self.phase = "question"
        self.last = None
        self.query_one("#drill-turn", Static).update(self._turn())
        self.query_one("#drill-prompt", Plain).set_text(q.prompt)
        for wid in ("#drill-answer", "#drill-explanation"):
            self.query_one(wid, Plain).set_text("")
        self.query_one("#drill-verdict", Static).update("")
        for wid in ("#drill-verdict", "#drill-answer", "#drill-explanation"):
            self.query_one(wid).display = False
        hint = "1/2 or t/f: answer" if q.card.type == "truefalse" else f"1-{len(q.options)}: answer"
        self.query_one("#drill-next", Static).update(styled(f"{hint}    escape: stop the drill", "dim"))
        self.query_one("#drill-board").display = False
        box = self.query_one("#drill-options")
        await box.remove_children()
        await box.mount(Options(q.options, id="drill-choices"))
        self.set_focus(None)
        self.query_one("#drill-main").scroll_home(animate=False)
        self._start_clock()
        self._show_time()

    def _start_clock(self) -> None:
        """Start the question's timer once the class can see it (not under the welcome or help)."""
        if self.phase == "question" and not self.drill.done and self.is_active:
            self.drill.start_question()

    def on_screen_resume(self) -> None:
        self._start_clock()

    def _show_time(self) -> None:
        seconds = self.drill.config.seconds
        if not seconds:
            return
        left = self.drill.remaining() if self.phase == "question" else (
            0.0 if self.last is None or self.last.timed_out else max(0.0, seconds - self.last.seconds))
        left = left or 0.0
        timer = self.query_one("#drill-timer", Digits)
        timer.update(str(math.ceil(left - 1e-9)) if left > 0 else "0")
        timer.set_class(0 < left <= min(5, seconds / 3), "low")
        timer.set_class(left <= 0, "out")
        self.query_one("#drill-timebar", ProgressBar).update(total=seconds, progress=left)

    def _tick(self) -> None:
        if self.phase != "question" or self.drill.done:
            return
        self._start_clock()
        left = self.drill.remaining()
        if left is not None and left <= 0:
            q = self.drill.current
            self._reveal(q, self.drill.expire())  # kept even when the store cannot take it now
            return
        self._show_time()

    # --- answering --------------------------------------------------------------------------------

    def on_options_picked(self, event: Options.Picked) -> None:
        event.stop()
        self.action_pick(event.index)

    def action_truefalse(self, value: str) -> None:
        q = self.drill.current
        if q is not None and q.card.type == "truefalse" and value in q.options:
            self.action_pick(q.options.index(value))

    def action_pick(self, index: int) -> None:
        q = self.drill.current
        if self.phase != "question" or q is None or index >= len(q.options):
            return
        self._reveal(q, self.drill.answer(index))  # kept even when the store cannot take it now

    def _reveal(self, q: Question, a: DrillAnswer) -> None:
        """Right or wrong, the right answer and the explanation, and the leaderboard."""
        self.phase = "reveal"
        self.last = a
        self.query_one(Options).show_result(a.chosen_index, q.correct)
        if a.correct:
            gained = f"  {a.student} +{points(a.points)}" if self.drill.students != (DEFAULT_STUDENT,) else \
                f"  +{points(a.points)}"
            verdict = styled("✓ Right!", "bold green") + styled(gained, "bold")
        elif a.timed_out:
            verdict = styled("⏱ Time's up", "bold red") + styled("  missed", "dim")
        else:
            verdict = styled("✗ Wrong", "bold red")
        self.query_one("#drill-verdict", Static).update(verdict)
        self.query_one("#drill-answer", Plain).set_text(f"Answer: {q.correct + 1}. {q.answer}")
        self.query_one("#drill-explanation", Plain).set_text(q.card.explanation)
        for wid in ("#drill-verdict", "#drill-answer", "#drill-explanation"):
            self.query_one(wid).display = True
        self.query_one("#drill-explanation").display = bool(q.card.explanation.strip())
        last = self.drill.done
        nxt = "enter: the results" if last else "enter: next question"
        self.query_one("#drill-next", Static).update(styled(nxt, "dim"))
        if self.drill.config.leaderboard:
            board = self.query_one("#drill-board", Static)
            board.update(board_text(self.drill.leaderboard(), a.student))
            board.display = True
        self._show_time()

    async def action_next(self) -> None:
        if self.phase != "reveal":
            return
        if self.drill.done:
            self.show_results()
        else:
            await self.show_question()

    def action_stop(self) -> None:
        self.show_results()

    def show_results(self) -> None:
        self.phase = "done"
        self.app.switch_screen(DrillResultsScreen(self.drill, round_no=self.round_no))


# --- results ----------------------------------------------------------------------------------------------


def results_path(app, drill: Drill, round_no: int = 1) -> Path:
    """Where ``w`` writes: the drill command's ``--out`` (``NAME-round2.csv`` for a second
    round), else ``results/drill-<id>.csv`` in the data dir."""
    out = (getattr(app, "drill_options", None) or {}).get("out")
    if out:
        p = Path(out).expanduser()
        return p if round_no <= 1 else p.with_name(f"{p.stem}-round{round_no}{p.suffix or '.csv'}")
    return app.loc.data_dir / "results" / f"drill-{drill.id}.csv"


def numeric(text):
    """A DataTable cell aligned right (numbers)."""
    text.justify = "right"
    return text


class DrillResultsScreen(StoreErrors, CardScroll, Screen):
    """Scores, the leaderboard, the questions most missed; a second round; write the results."""

    SCROLL_AREA = "#results-area"

    DEFAULT_CSS = """
    DrillResultsScreen #results-area {
        height: 1fr;
        padding: 0 2;
    }
    DrillResultsScreen #results-title {
        text-style: bold;
        margin-top: 1;
    }
    DrillResultsScreen #results-info {
        color: $text-muted;
    }
    DrillResultsScreen .results-heading {
        text-style: bold;
        color: $text-accent;
        margin-top: 1;
    }
    DrillResultsScreen #results-board {
        height: auto;
        max-height: 10;
    }
    DrillResultsScreen #results-missed {
        height: auto;
    }
    DrillResultsScreen #results-keys {
        margin-top: 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("m", "second_round", "Second round", id="drill-second-round", tooltip="Ask the missed questions again"),
        Binding("w", "write", "Write results", id="drill-write", tooltip="Write the results as CSV and JSON"),
        Binding("escape,q", "leave", "Home", id="drill-home"),
        *SCROLL_BINDINGS,
    ]

    def __init__(self, drill: Drill, *, round_no: int = 1) -> None:
        super().__init__()
        self.drill = drill
        self.round_no = round_no
        self.written: tuple[Path, Path] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="results-area"):
            yield Static(id="results-title")
            yield Plain(id="results-info")
            yield Label("Leaderboard", classes="results-heading")
            yield DataTable(id="results-board", cursor_type="none", zebra_stripes=True, show_cursor=False)
            yield Label("Most missed", classes="results-heading")
            yield Plain(id="results-missed")
            yield Static(id="results-keys")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "second_round":  # not offered (nor in the footer) when nothing was missed
            return bool(self.drill.missed_questions())
        return True

    def on_mount(self) -> None:
        d = self.drill
        answered = len(d.answers)
        right = sum(a.correct for a in d.answers)
        if d.done:
            title = f"Drill finished: {right} of {d.total} right"
        else:
            title = f"Drill stopped after {answered} of {d.total} questions: {right} right"
        if self.round_no > 1:
            title = f"Round {self.round_no} · " + title
        self.query_one("#results-title", Static).update(styled(title, "bold"))
        self.query_one("#results-info", Plain).set_text(
            f"drill {d.id} · seed {d.seed}" + (f" · {len(d.students)} students or teams" if len(d.students) > 1 else ""))

        table = self.query_one("#results-board", DataTable)
        table.add_column("#", key="rank")
        table.add_column("Student / team", key="student")
        table.add_column("Points", key="points")
        table.add_column("Right", key="right")
        table.add_column("Missed", key="missed")
        for s in d.leaderboard():
            table.add_row(
                numeric(cell(s.rank)), cell(s.student, "bold" if s.rank == 1 and s.points else ""),
                numeric(cell(points(s.points))), numeric(cell(f"{s.right} of {s.answered}")), numeric(cell(s.missed)),
                key=s.student,
            )

        missed = d.most_missed(5)
        if not d.answers:
            text = "No questions were answered."
        elif not missed:
            text = "None: every question was answered right."
        else:
            lines = []
            for i, (q, m) in enumerate(missed, 1):
                lines.append(f"{i}. {q.prompt}")
                lines.append(f"   answer: {q.answer}" + (f"   (missed {m} times)" if m > 1 else ""))
            text = "\n".join(lines)
        self.query_one("#results-missed", Plain).set_text(text)
        keys = []
        n_missed = len(d.missed_questions())
        if n_missed:
            keys.append(f"m: second round ({n_missed} missed)")
        keys += ["w: write results", "escape: home"]
        self.query_one("#results-keys", Static).update(styled("    ".join(keys), "dim"))
        if (getattr(self.app, "drill_options", None) or {}).get("out") and d.answers:
            self.action_write()

    def action_write(self) -> None:
        path = results_path(self.app, self.drill, self.round_no)
        options = getattr(self.app, "drill_options", None) or {}
        # Replaced without asking: this drill's own file in the data dir, a file this run
        # wrote already, or --force; anything else that exists is named and kept.
        written = options.setdefault("written", set()) if isinstance(options, dict) else set()
        force = not options.get("out") or bool(options.get("force")) or str(path) in written
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            csv_path, json_path = write_results(
                self.drill, path, force=force, hint="nothing was written: move {it} away and press w, or start the drill with --force")
            written.add(str(path))
        except OSError as e:
            self.notify(f"cannot write results to {path}: {e.strerror or e}", severity="error", markup=False)
            return
        except NqpfError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.written = (csv_path, json_path)
        self.notify(f"{csv_path}\n{json_path}" if json_path else str(csv_path), title="Results written",
                    markup=False, timeout=8)

    def action_second_round(self) -> None:
        if not self.drill.missed_questions():
            self.notify("No missed questions for a second round.")
            return
        try:
            again = self.drill.second_round()
        except NqpfError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.app.switch_screen(DrillScreen(again, round_no=self.round_no + 1))

    def action_leave(self) -> None:
        self.app.pop_screen()


__all__ = [
    "DrillResultsScreen", "DrillScreen", "DrillSetupScreen", "config_from_options", "drill_clock", "open_drill",
    "results_path", "start_drill",
]
