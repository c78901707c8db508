"""Home: the decks with their new, learning and due counts; choose decks or tags; start.

The counts are made in a worker thread on a connection of the screen's own (issue 17: 100k
cards, or a store another program holds locked, never freeze the deck list): meanwhile each
count shows "…" and the summary line says "counting…"; keys work all along.
"""

from __future__ import annotations

import threading

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from nqpf_tutor.core.learning.counts import deck_counts
from nqpf_tutor.core.store import StoreError
from nqpf_tutor.ui.widgets.marks import MarkedSelectionList
from nqpf_tutor.ui.widgets.plain import cell, fit_words, plain
from nqpf_tutor.ui.app import StoreErrors


class HomeScreen(StoreErrors, Screen):
    DEFAULT_CSS = """
    #home-body {
        height: 1fr;
    }
    #home-decks {
        width: 1fr;
    }
    #decks {
        height: 1fr;
    }
    #selection-summary {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    #exam-status {
        height: auto;
        padding: 0 1;
        color: $text-success;
    }
    #exam-status.behind {
        color: $text-warning;
    }
    #home-tags {
        width: 24;
        border-left: vkey $foreground 20%;
    }
    #tags {
        height: 1fr;
        border: none;
    }
    #home-actions {
        height: auto;
        padding: 0 1;
    }
    #home-actions Button {
        margin-right: 1;
        width: auto;
        min-width: 8;
    }
    """

    _title_width = 0  # the deck title column's width once laid out (titles are cut after a word)

    BINDINGS = [
        # help first: the footer is read from the left and must show it at 80 columns
        Binding("f1,question_mark", "app.help", "Help", id="help-home", tooltip="Every key of every screen"),
        Binding("s", "app.study", "Study", id="study", tooltip="Study the due cards of the chosen decks"),
        Binding("z", "app.quiz_form", "Quiz", id="quiz", tooltip="A multiple-choice quiz"),
        Binding("d", "app.drill", "Drill", id="drill", tooltip="A classroom drill"),
        Binding("l", "app.live", "Live", id="live", show=False,
                tooltip="A live classroom game: students answer on their phones"),
        Binding("t", "app.stats", "Stats", id="stats", tooltip="Statistics"),
        Binding("b", "app.browse", "Browse", id="browse", tooltip="Browse and search every card"),
        Binding("r", "app.reload", "Reload", id="reload", show=False, tooltip="Read the decks again from disk"),
        Binding("e", "app.plan", "Exam", id="plan", tooltip="Plan to an exam date: minutes a day, predicted recall"),
        Binding("w", "weakest", "Weakest", id="weakest", show=False,
                tooltip="The last days before the exam: study the cards most likely to be forgotten"),
        Binding("f", "app.custom", "Custom", id="custom",
                tooltip="Custom study: more new cards, forgotten cards, study ahead, a deck or tag"),
        Binding("o", "app.settings", "Settings", id="settings", tooltip="Limits, retention, steps, day start"),
        Binding("c", "app.report", "Class report", id="report", show=False,
                tooltip="A class across its drills: students, hardest questions, tags"),
        Binding("p", "app.paper_form", "Paper test", id="paper", show=False,
                tooltip="Write a printable test of the chosen decks (versions A and B, with keys)"),
        Binding("space", "toggle_deck", "Choose deck", id="toggle", show=False),
        Binding("q", "app.quit", "Quit", id="quit-home", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home-body"):
            with Vertical(id="home-decks"):
                yield Label("Decks  (space: choose, enter: study one)", classes="section-title")
                yield DataTable(id="decks", cursor_type="row", zebra_stripes=True)
                yield Static(id="selection-summary")
                yield Static(id="exam-status")
            with Vertical(id="home-tags"):
                yield Label("Tags", classes="section-title")
                yield MarkedSelectionList(id="tags")
        with Horizontal(id="home-actions"):
            yield Button("Study", id="btn-study", variant="primary", tooltip="s", compact=True)
            yield Button("Quiz", id="btn-quiz", tooltip="z", compact=True)
            yield Button("Drill", id="btn-drill", tooltip="d", compact=True)
            yield Button("Stats", id="btn-stats", tooltip="t", compact=True)
            yield Button("Custom study", id="btn-custom", tooltip="f", compact=True)
            yield Button("Settings", id="btn-settings", tooltip="o", compact=True)
        yield Footer(compact=True, show_command_palette=False)  # ctrl+p: in the welcome and the help

    def on_mount(self) -> None:
        table = self.query_one("#decks", DataTable)
        table.add_column(" ", key="chosen", width=1)
        table.add_column("Deck", key="title")
        table.add_column("New", key="new")
        table.add_column("Learn", key="learning")
        table.add_column("Due", key="due")
        self._reader_lock = threading.Lock()
        self.refresh_decks()
        self._just_mounted = True  # the resume that follows the first mount needs no second refresh
        table.focus()

    #: What a count shows while it is being made.
    COUNTING = "…"
    _counting = False
    _count_round = 0
    _reader = None  # the screen's own connection for the counts (made in the worker)
    _reader_lock: threading.Lock | None = None
    _unmounted = False

    def refresh_decks(self) -> None:
        """The deck list at once (counts "…"); the counts follow from a worker thread."""
        app = self.app
        table = self.query_one("#decks", DataTable)
        row = table.cursor_row
        table.clear()
        chosen = set(app.choice.deck_ids)
        self._titles = {deck.id: deck.title for deck in app.catalog.decks}
        waiting = cell(self.COUNTING, "dim")
        for deck in app.catalog.decks:
            table.add_row(
                cell("✓" if deck.id in chosen else " ", "bold green"),
                cell(fit_words(deck.title, self._title_width) if self._title_width else deck.title),
                waiting, waiting, waiting,
                key=deck.id,
            )
        if app.catalog.decks:
            table.move_cursor(row=min(max(row, 0), len(app.catalog.decks) - 1))
        tags = self.query_one("#tags", SelectionList)
        tags.clear_options()
        tags.add_options([Selection(plain(t), t, t in app.choice.tags) for t in app.catalog.tags])
        self._count_round += 1
        self._counting = bool(app.catalog.decks)
        self._summary()
        plan = self._exam_plan()
        if self._counting or plan is not None:
            self._count_worker(self._count_round, app.catalog.decks, app.settings, app.clock(), app.extra_new(), plan)

    # (a description given: Textual would otherwise write one with the repr of every deck and card)
    @work(thread=True, exclusive=True, exit_on_error=False, group="home-counts", description="deck counts")
    def _count_worker(self, round_: int, decks, settings, now, extra_new: int, plan=None) -> None:
        """Count every deck in SQL (``deck_counts``) on the screen's own connection, in a thread:
        a slow count or a store waiting on another program's lock leaves the app free."""
        assert self._reader_lock is not None  # made in on_mount
        with self._reader_lock:  # an earlier round (superseded) may still be counting
            if self._unmounted:
                return
            try:
                if self._reader is None:
                    self._reader = self.app.store.reader()
                counts = deck_counts(self._reader, decks, settings, now, extra_new=extra_new) if decks else {}
                status = self._plan_status(self._reader, decks, plan, settings, now) if plan is not None else None
            except StoreError as e:
                self.app.call_from_thread(self._count_failed, round_, e)
                return
            finally:
                if self._unmounted and self._reader is not None:
                    self._reader.close()
                    self._reader = None
        self.app.call_from_thread(self._counted, round_, decks, counts, status)

    def _counted(self, round_: int, decks, counts: dict, status: dict | None = None) -> None:
        if round_ != self._count_round or not self.is_attached or decks is not self.app.catalog.decks:
            return  # a later round is on its way
        if status is not None:
            self._show_exam_status(status)
        table = self.query_one("#decks", DataTable)
        for deck in decks:
            c = counts[deck.id]
            if deck.id not in table.rows:
                continue
            table.update_cell(deck.id, "new", cell(c.new, "blue" if c.new else "dim"))
            table.update_cell(deck.id, "learning", cell(c.learning, "red" if c.learning else "dim"))
            table.update_cell(deck.id, "due", cell(c.review, "green" if c.review else "dim"))
        self._counting = False
        self._summary()

    def _count_failed(self, round_: int, error: StoreError) -> None:
        if round_ != self._count_round or not self.is_attached:
            return
        self._counting = False
        self._summary()
        table = self.query_one("#decks", DataTable)
        for deck_id in list(self._titles):
            for col in ("new", "learning", "due"):
                table.update_cell(deck_id, col, cell("?", "dim"))
        self.app.store_error(error)  # the one store-error path

    def on_unmount(self) -> None:
        self._unmounted = True
        lock = self._reader_lock
        if lock is not None and lock.acquire(blocking=False):  # else the worker closes it when done
            try:
                if self._reader is not None:
                    self._reader.close()
                    self._reader = None
            finally:
                lock.release()

    def _exam_plan(self):
        """The kept exam plan (its status line is made by the count worker), or None: hidden."""
        from nqpf_tutor.core.learning.profile import load_plan

        spec = load_plan(self.app.store)
        if spec is None:
            self.query_one("#exam-status", Static).display = False
        return spec

    @staticmethod
    def _plan_status(store, decks, spec, settings, now) -> dict:
        """Days left, on or behind schedule (in the worker: it goes through every card)."""
        from nqpf_tutor.core.learning.plan import exam_status
        from nqpf_tutor.core.scheduler import Scheduler

        cards = [c for d in decks for c in d.cards]
        return exam_status(store, cards, spec, Scheduler(settings).study_day(now))

    def _show_exam_status(self, status: dict) -> None:
        from nqpf_tutor.core.learning.plan import status_line

        widget = self.query_one("#exam-status", Static)
        widget.display = True
        widget.update(plain(status_line(status)))
        widget.set_class(not status["on_schedule"] or status["past"], "behind")
        if status["last_days"] != self._last_days:
            self._last_days = status["last_days"]
            self.refresh_bindings()

    _last_days = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "weakest":  # offered (and shown in the footer) in the last days before an exam only
            return self._last_days
        return True

    def action_weakest(self) -> None:
        self.app.action_weakest()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_titles)

    def _fit_titles(self) -> None:
        table = self.query_one("#decks", DataTable)
        width = table.size.width - 1 - 3 - 5 - 3 - 2 * 5 - 2
        col = table.columns.get("title")
        if col is not None and width > 10:
            col.auto_width = False
            col.width = width
            self._title_width = width
            for deck_id, title in getattr(self, "_titles", {}).items():
                table.update_cell(deck_id, "title", cell(fit_words(title, width)))
            table.refresh()

    def _summary(self) -> None:
        app = self.app
        decks = app.choice.deck_ids
        tags = app.choice.tags
        what = ("decks: " + ", ".join(decks)) if decks else "all decks"
        if tags:
            what += "; tags: " + ", ".join(tags)
        try:
            n = len(app.selected_cards())
        except Exception:  # noqa: BLE001
            n = 0
        if not app.catalog.decks:
            text = "No decks found. Put decks in " + str(app.loc.user_decks_dir) + " and press r."
        else:
            text = f"Chosen: {what} — {n} cards." + (" Counting…" if self._counting else "")
        self.query_one("#selection-summary", Static).update(plain(text))

    def action_toggle_deck(self) -> None:
        table = self.query_one("#decks", DataTable)
        if not self.app.catalog.decks or not table.has_focus:
            return
        deck_id = self.app.catalog.decks[table.cursor_row].id
        ids = self.app.choice.deck_ids
        if deck_id in ids:
            ids.remove(deck_id)
        else:
            ids.append(deck_id)
        table.update_cell(deck_id, "chosen", cell("✓" if deck_id in ids else " ", "bold green"))
        self._summary()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        deck_id = str(event.row_key.value)
        self.app.choice.deck_ids = [deck_id]
        self.refresh_decks()
        self.app.action_study()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.app.choice.tags = list(event.selection_list.selected)
        self._summary()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = (event.button.id or "").removeprefix("btn-")
        self.app.do({"quiz": "quiz_form"}.get(action, action))  # a quiz asks its length first

    def on_descendant_focus(self, event) -> None:
        """Going to the tags (tab) highlights the first one, so space chooses it at once."""
        tags = self.query_one("#tags", SelectionList)
        if event.widget is tags and tags.highlighted is None and tags.option_count:
            tags.highlighted = 0

    def on_screen_resume(self) -> None:
        if getattr(self, "_just_mounted", False):
            self._just_mounted = False
            return
        self.refresh_decks()
