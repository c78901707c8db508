"""Class report (home: c): a class across its drills; students, questions and tags in tabs.

The figures are the core's (``core.classroom.report``), computed in a worker so the screen
stays responsive. ``c`` moves to the next class (every class, then each class by name), ``d``
drills the questions the class finds hardest, ``w`` writes the report as CSV.
"""

from __future__ import annotations

from datetime import datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, LoadingIndicator, Static, TabbedContent, TabPane

from nqpf_tutor.core.classroom.report import percent, signed_points
from nqpf_tutor.errors import NqpfError
from nqpf_tutor.ui.widgets.plain import cell, plain, styled

TABS = [("students", "Students"), ("questions", "Questions"), ("tags", "Tags")]
#: How many of the hardest questions ``d`` drills.
HARDEST = 10


def _disc(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


class ReportScreen(Screen):
    """The class report of the app's profile."""

    DEFAULT_CSS = """
    ReportScreen #report-title {
        height: auto;
        padding: 0 1;
        text-style: bold;
        color: $text-accent;
    }
    ReportScreen #report-summary {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    ReportScreen TabbedContent {
        height: 1fr;
    }
    ReportScreen TabPane {
        padding: 0 1;
        height: 1fr;
    }
    ReportScreen DataTable {
        height: 1fr;
    }
    ReportScreen .report-note {
        height: auto;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape,q", "leave", "Back", id="report-back", tooltip="Back to the previous screen"),
        Binding("c", "next_class", "Class", id="report-class", tooltip="Show the next class (or every class)"),
        Binding("s", "since", "Since", id="report-since", tooltip="Only the drills since a date (or every drill)"),
        Binding("d", "drill_hardest", "Drill hardest", id="report-drill",
                tooltip="A drill of the questions the class finds hardest"),
        Binding("w", "write_csv", "Write CSV", id="report-write", tooltip="Write the report as CSV in the data dir"),
        *[
            Binding(str(i), f"show_tab('{tid}')", label, id=f"report-tab-{tid}", show=False,
                    tooltip=f"Show the {label} tab")
            for i, (tid, label) in enumerate(TABS, 1)
        ],
    ]

    def __init__(self, class_name: str | None = None, since: datetime | None = None) -> None:
        super().__init__()
        self.class_name = class_name
        self.since = since
        self.known_classes: list[str] = []
        self.report = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="report-title")
        yield Static(id="report-summary")
        yield LoadingIndicator(id="report-loading")
        with TabbedContent(id="report-tabs"):
            with TabPane("Students (1)", id="students"):
                yield DataTable(id="report-students", cursor_type="row", zebra_stripes=True)
            with TabPane("Questions (2)", id="questions"):
                yield Static(id="questions-note", classes="report-note")
                yield DataTable(id="report-questions", cursor_type="row", zebra_stripes=True)
            with TabPane("Tags (3)", id="tags"):
                yield DataTable(id="report-tags", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#report-tabs").display = False
        self._title()
        self.compute()

    def _title(self) -> None:
        who = f"class {self.class_name}" if self.class_name else "every class"
        if self.since is not None:
            who += f" since {self.since:%Y-%m-%d}"
        n = len(self.known_classes)
        more = f"   (c: next of {n} class{'es' * (n != 1)})" if n else ""
        self.query_one("#report-title", Static).update(plain(f"Class report: {who}{more}"))

    # --- figures (a worker) -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def compute(self) -> None:
        from nqpf_tutor.core.classroom.report import build_report, class_names
        from nqpf_tutor.core.classroom.roster import class_rosters

        app = self.app
        try:
            drills = app.store.drills()
            classes = class_names(drills)
            wanted = [c for c in classes if self.class_name is None or c == self.class_name]
            rosters = class_rosters(app.loc.classes_dir, wanted)
            tags_of = {c.uid: c.tags for c in app.catalog.all_cards()}
            report = build_report(drills, app.store.all_drill_answers(), class_name=self.class_name,
                                  since=self.since, rosters=rosters, tags_of=tags_of)
        except Exception as e:  # noqa: BLE001 - a store or roster problem: one line, the screen stays
            app.call_from_thread(self._failed, str(e))
            return
        app.call_from_thread(self._show, report, classes)


    def _failed(self, message: str) -> None:
        self.query_one("#report-loading").display = False
        self.query_one("#report-summary", Static).update(plain(message))
        self.app.notify(message, title="Class report", severity="error", markup=False)

    def _show(self, report, classes: list[str]) -> None:
        self.report, self.known_classes = report, classes
        self.query_one("#report-loading").display = False
        self.query_one("#report-tabs").display = True
        n = len(report.drills)
        if not n:
            summary = "No drills yet" + (" of this class" if self.class_name else "") + (
                f" since {self.since:%Y-%m-%d} (s: another date)" if self.since else "") + (
                ". Start a drill (d on the home screen) or a live game (l) with a class, or: "
                "nqpf-tutor drill --class NAME (or live --class NAME)")
        else:
            first: datetime = report.drills[0].started
            last: datetime = report.drills[-1].started
            summary = (f"{n} drill{'s' * (n != 1)} {first:%Y-%m-%d} to {last:%Y-%m-%d} · {report.answers} answers · "
                       f"{percent(report.accuracy)} right · {len(report.students)} students")
        self._title()
        self.query_one("#report-summary", Static).update(plain(summary))
        self._fill_students(report)
        self._fill_questions(report)
        self._fill_tags(report)

    def _fill_students(self, report) -> None:
        t = self.query_one("#report-students", DataTable)
        t.clear(columns=True)
        t.add_columns("Student", "Drills", "Answers", "Right", "Accuracy", "Trend", "By drill")
        for s in report.students:
            trend = signed_points(s.trend)
            style = "green" if s.trend and s.trend > 0 else "red" if s.trend and s.trend < 0 else ""
            t.add_row(cell(_clip(s.name, 24)), cell(s.drills), cell(s.answers), cell(s.right), cell(percent(s.accuracy)),
                      cell(trend + (" pts" if s.trend is not None else ""), style), cell(spark(s.per_drill)))

    def _fill_questions(self, report) -> None:
        note = "Hardest first. Right: share answered right. Discr.: top vs bottom 27% of students"
        note += f" ({report.group_size} each)." if report.group_size else " (needs 2 students)."
        self.query_one("#questions-note", Static).update(plain(note))
        t = self.query_one("#report-questions", DataTable)
        t.clear(columns=True)
        t.add_columns("Question", "Asked", "Right", "Discr.", "Most chosen wrong")
        width = max(20, self.app.size.width - 46)
        for q in report.questions:
            wrong = q.most_chosen_wrong
            t.add_row(cell(_clip(q.prompt, width)), cell(q.asked), cell(percent(q.share_right)), cell(_disc(q.discrimination)),
                      cell(f"{_clip(wrong[0], 18)} ({wrong[1]})" if wrong else "-"), key=q.question_id)

    def _fill_tags(self, report) -> None:
        t = self.query_one("#report-tags", DataTable)
        t.clear(columns=True)
        t.add_columns("Tag", "Questions", "Answers", "Right", "Accuracy")
        for tag in report.tags:
            t.add_row(cell(tag.tag), cell(tag.questions), cell(tag.answers), cell(tag.right), cell(percent(tag.accuracy)))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a question: all of it (the prompt in full, the answer, every wrong choice)."""
        if event.data_table.id != "report-questions" or self.report is None:
            return
        qid = str(event.row_key.value)
        q = next((q for q in self.report.questions if q.question_id == qid), None)
        if q is not None:
            self.app.push_screen(QuestionDetail(q, self.report.group_size))

    # --- keys ---------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        self.query_one(f"#report-{tab}", DataTable).focus()

    def action_next_class(self) -> None:
        options: list[str | None] = [None, *self.known_classes]
        i = options.index(self.class_name) if self.class_name in options else 0
        self.class_name = options[(i + 1) % len(options)]
        self._title()
        self.query_one("#report-loading").display = True
        self.compute()

    def action_since(self) -> None:
        def chosen(since: datetime | None | bool) -> None:
            if since is False:  # cancelled
                return
            self.since = since or None
            self._title()
            self.query_one("#report-loading").display = True
            self.compute()

        self.app.push_screen(SinceScreen(self.since), callback=chosen)

    def action_drill_hardest(self) -> None:
        from nqpf_tutor.core.drill import DrillConfig
        from nqpf_tutor.ui.screens.drill import start_drill

        if self.report is None:
            return
        cards = {c.uid: c for c in self.app.catalog.all_cards()}
        hard = [q.question_id for q in self.report.hardest(len(self.report.questions)) if q.question_id in cards]
        hard = hard[:HARDEST]
        if not hard:
            self.app.notify("No missed questions to drill again.", title="Class report", severity="warning")
            return
        config = DrillConfig(n=len(hard), seconds=20, class_name=self.class_name)
        start_drill(self.app, config, [cards[uid] for uid in hard])

    def action_write_csv(self) -> None:
        if self.report is None:
            return
        folder = self.app.loc.data_dir / "reports"
        name = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in (self.class_name or "all-classes"))
        path = folder / f"report-{name}-{self.app.clock():%Y%m%d-%H%M%S}.csv"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_report_file(path, self.report.csv())
        except OSError as e:
            self.app.notify(f"Could not write the report: {e.strerror or e}", severity="error", markup=False)
            return
        except NqpfError as e:
            self.app.notify(f"Could not write the report: {e}", severity="error", markup=False)
            return
        self.app.notify(str(path), title="Report written", timeout=12, markup=False)
        self.last_written = path

    def action_leave(self) -> None:
        self.app.pop_screen()


class SinceScreen(ModalScreen["datetime | None | bool"]):
    """Ask for the first day of the report (``YYYY-MM-DD``; empty: every drill). Returns that
    day's start (UTC), None for every drill, False when cancelled."""

    DEFAULT_CSS = """
    SinceScreen { align: center middle; }
    SinceScreen #since-box {
        width: 56; max-width: 95%; height: auto;
        border: round $primary; padding: 0 1; background: $surface;
    }
    SinceScreen #since-input { margin: 1 0 0 0; background: $panel; }
    SinceScreen #since-input:focus { background: $panel-lighten-1; }
    SinceScreen #since-error { color: $text-error; height: auto; }
    SinceScreen #since-help { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="since-cancel")]

    def __init__(self, since: datetime | None = None) -> None:
        super().__init__()
        self.since = since

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical
        from textual.widgets import Input

        with Vertical(id="since-box"):
            yield Static(styled("Only drills since", "bold"))
            yield Input(value=f"{self.since:%Y-%m-%d}" if self.since else "", placeholder="YYYY-MM-DD",
                        id="since-input", compact=True)
            yield Static(id="since-error")
            yield Static(plain("A date as YYYY-MM-DD; empty: every drill. enter: show, escape: cancel"),
                         id="since-help")

    def on_input_submitted(self, event) -> None:
        from nqpf_tutor.core.classroom.report import parse_since

        event.stop()
        text = event.value.strip()
        if not text:
            self.dismiss(None)
            return
        try:
            since = parse_since(text)
        except NqpfError as e:
            self.query_one("#since-error", Static).update(plain(str(e).replace("--since ", "")))
            return
        self.dismiss(since)

    def action_cancel(self) -> None:
        self.dismiss(False)


class QuestionDetail(ModalScreen[None]):
    """One question of the report: its prompt in full, the right answer, the figures, every wrong choice."""

    DEFAULT_CSS = """
    QuestionDetail {
        align: center middle;
    }
    QuestionDetail #question-box {
        width: 90%;
        max-width: 90;
        height: auto;
        max-height: 90%;
        border: round $primary;
        padding: 0 2;
        background: $surface;
    }
    """
    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="report-detail-close")]

    def __init__(self, question, group_size: int) -> None:
        super().__init__()
        self.question = question
        self.group_size = group_size

    def compose(self) -> ComposeResult:
        q = self.question
        lines = [
            f"{q.question_id}",
            "",
            q.prompt,
            f"Right answer: {q.right_answer}",
            "",
            f"Asked {q.asked} times, right {q.right} ({percent(q.share_right)})"
            + (f", {q.timed_out} ran out of time" if q.timed_out else ""),
            f"Discrimination: {_disc(q.discrimination)}"
            + (f" (top vs bottom 27%: {self.group_size} student{'s' * (self.group_size != 1)} each)"
               if self.group_size else " (needs 2 students)"),
            "Tags: " + (", ".join(q.tags) if q.tags else "-"),
            "",
            "Wrong choices:" if q.wrong_choices else "No wrong choice made.",
        ]
        for choice, times in sorted(q.wrong_choices.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {times} x  {choice}")
        with VerticalScroll(id="question-box"):
            yield Static(styled("Question", "bold"))
            yield Static(plain("\n".join(lines)))
            yield Static(styled("escape closes", "dim"))

    def action_dismiss(self) -> None:
        self.dismiss(None)


SPARK = "▁▂▃▄▅▆▇█"


def spark(per_drill, last: int = 10) -> str:
    """Accuracy in each of the last ``last`` drills as bars (▁ none right ... █ all right)."""
    out = []
    for _, _, n, right in per_drill[-last:]:
        out.append(SPARK[min(len(SPARK) - 1, int(right / n * (len(SPARK) - 1) + 0.5))] if n else " ")
    return "".join(out)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _write_report_file(path, text: str) -> None:
    """The app's report file, through the shared writer (never replaces an existing file)."""
    from nqpf_tutor.files import write_output

    write_output(path, text)
