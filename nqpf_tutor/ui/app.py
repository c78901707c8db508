"""The Textual app: home, study, quiz, help and the screens of later issues.

The app is handed an open store, the settings and the deck catalog (see ``commands/app.py``),
so a bad data dir or deck is reported before the terminal is taken over. Screens are imported
when first shown, so start-up loads only what the first screen needs.

Store errors have one path, here, for every screen (as harlequin's ``_push_error_modal``):
- writes the store cannot take now (locked, disk full, read-only) wait in the store's outbox
  (``core/learning/outbox``); the app retries them every ``RETRY_SECONDS`` (and the outbox
  before each new write), tells the learner in one line that they are not saved yet and when
  they are, shows how many wait in the title, and on quit with writes still waiting exits
  non-zero (``unsaved_line()`` is printed on stderr by ``commands/app.py``);
- any other ``StoreError`` raised by an action or a handler of any screen (``StoreErrors``, the
  screens' base, and ``_dispatch_action``) is one notification: the app goes on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from nqpf_tutor.core.loader import Catalog, load_catalog, select_cards
from nqpf_tutor.core.scheduler import utc_now
from nqpf_tutor.core.settings import Settings, save_settings
from nqpf_tutor.core.store import Store, StoreError

#: Seconds between two tries to write what the store could not take.
RETRY_SECONDS = 1.0


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def unsaved_text(writes) -> str:
    """"2 answers", "1 change", "2 answers and 1 other change": what waits in the outbox."""
    return writes_text(writes.pending_answers, writes.pending - writes.pending_answers)


def writes_text(answers: int, others: int) -> str:
    if answers and others:
        return f"{_count(answers, 'answer')} and {_count(others, 'other change')}"
    return _count(answers, "answer") if answers else _count(others, "change")


class StoreErrors:
    """Base of the app's screens (and the app): a ``StoreError`` raised while handling any
    message goes to the app's one store-error path instead of ending the app."""

    async def _on_message(self, message) -> None:
        try:
            await super()._on_message(message)  # type: ignore[misc]
        except StoreError as e:
            self.app.store_error(e)  # type: ignore[attr-defined]


@dataclass
class Choice:
    """What the learner picked on the home screen (or on the command line)."""

    deck_ids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    n: int = 10
    seed: int | None = None
    schedule_quiz: bool = False


class TutorCommands(Provider):
    """The app's actions in the command palette (ctrl+p)."""

    ACTIONS = [
        ("Study due cards", "study", "Spaced repetition over the chosen decks"),
        ("Quiz", "quiz_form", "Multiple-choice questions, a score and a review of misses"),
        ("Drill (classroom)", "drill", "Timed questions, students taking turns, scores"),
        ("Live classroom game", "live", "Everyone answers on a phone or laptop; you project the questions"),
        ("Statistics", "stats", "Reviews, forecast, retention and mastery"),
        ("Browse cards", "browse", "Search every card; suspend or reset"),
        ("Reload decks", "reload", "Read the deck files again from disk"),
        ("Class report", "report", "A class across its drills: students, hardest questions, tags"),
        ("Print a paper test", "paper_form", "A PDF (and Markdown) test of the chosen decks: versions A and B, answer keys"),
        ("Custom study", "custom", "More new cards today, forgotten cards, study ahead, a deck or tag outside the schedule"),
        ("Settings", "settings", "Daily limits (per deck too), desired retention, learning steps, day start"),
        ("Exam plan", "plan", "Days to an exam: new cards, reviews and minutes a day, predicted recall"),
        ("Optimize FSRS parameters", "optimize", "Fit the scheduler to your own review history"),
        ("Simulate schedulers", "simulate", "How much work FSRS, SM-2 and Leitner take for simulated learners"),
        ("Home", "home", "Back to the deck list"),
        ("Help: keys", "help", "Every key of every screen"),
    ]

    async def discover(self) -> Hits:
        """The app's actions, listed as soon as the palette opens (before anything is typed)."""
        app = self.app
        assert isinstance(app, TutorApp)
        for name, action, help_text in self.ACTIONS:
            yield DiscoveryHit(name, lambda a=action: app.do(a), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self.app
        assert isinstance(app, TutorApp)
        for name, action, help_text in self.ACTIONS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), lambda a=action: app.do(a), help=help_text)


class TutorApp(StoreErrors, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "nqpf-tutor"
    SUB_TITLE = "new quality productive forces"
    COMMANDS = App.COMMANDS | {TutorCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit (answers are saved as you give them)", show=False),
        Binding("f1,question_mark", "help", "Help", id="help", tooltip="Every key of every screen"),
    ]

    def __init__(
        self,
        *,
        loc,
        store: Store,
        settings: Settings,
        catalog: Catalog,
        start: str = "home",
        choice: Choice | None = None,
        clock: Callable[[], datetime] = utc_now,
        show_welcome: bool | None = None,
        drill_options: dict | None = None,
        live_options: dict | None = None,
        cursor_blink: bool = True,
        first_frame: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._first_frame = first_frame  # called once the first frame is drawn (commands/app.py)
        self.cursor_blink = cursor_blink  # off in snapshot tests
        self.loc = loc
        self.store = store
        self.settings = settings
        self.catalog = catalog
        self.start = start
        self.choice = choice or Choice()
        self.clock = clock
        self.drill_options = drill_options or {}
        self.live_options = live_options or {}
        self._welcome_marker = loc.config_dir / "welcome-shown"
        self.show_welcome = (not self._welcome_marker.exists()) if show_welcome is None else show_welcome
        self.sub_title = f"profile: {store.profile}"
        self._unsaved_reason: str | None = None  # why writes wait (None: nothing waits)
        self.quit_unsaved = False  # quit while writes waited
        try:
            self.theme = settings.theme
        except Exception:  # an unknown theme name in the settings file: keep the default
            pass

    # --- start -----------------------------------------------------------------------------

    def get_default_screen(self):
        """The first screen: home, or straight into study or a quiz from the command line.

        Going into study directly builds only that screen at start (the first card is on the
        first frame); the home screen is built when the learner goes back (see pop_screen).
        """
        if self.start in ("study", "quiz"):
            cards = self._cards_or_warn()
            if cards is not None:
                if self.start == "study":
                    from nqpf_tutor.ui.screens.study import StudyScreen

                    return StudyScreen(cards)
                from nqpf_tutor.ui.screens.quiz import QuizScreen

                c = self.choice
                return QuizScreen(cards, n=c.n, seed=c.seed, schedule=c.schedule_quiz)
        from nqpf_tutor.ui.screens.home import HomeScreen  # not imported at all for `study` (issue 17)

        return HomeScreen()

    def on_mount(self) -> None:
        if self._first_frame is not None:
            self.call_after_refresh(self._first_frame)
        self.store.writes.on_change = self._writes_changed
        from nqpf_tutor.core.learning.outbox import UI_FIRST_TIMEOUT

        self.store.writes.first_timeout = UI_FIRST_TIMEOUT  # a lock never freezes the screen
        self._keep_waiting_on_disk()
        self.set_interval(RETRY_SECONDS, self.retry_writes, name="retry-writes")
        if self.store.notice:
            self.notify(self.store.notice, title="Progress file", severity="warning", timeout=12, markup=False)
        for w in self.catalog.warnings:
            self.notify(w, title="Deck skipped", severity="warning", timeout=12, markup=False)
        if self.start not in ("home", "study", "quiz"):
            self.do(self.start)
        if self.show_welcome and self.start in ("home", "study", "quiz"):  # not over a projected game
            from nqpf_tutor.ui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(), callback=lambda _: self._welcome_seen())

    def pop_screen(self):
        """Back. From the first screen (study or a quiz started from the command line), go home.

        Textual keeps no result callback for the first screen, so it cannot be switched out:
        home (or the screen replacing it) goes on top, and the finished first screen below is
        never shown again.
        """
        from nqpf_tutor.ui.screens.home import HomeScreen

        if not isinstance(self.screen, HomeScreen):
            if len(self.screen_stack) <= 1:
                self._dead_base = True
                return self.push_screen(HomeScreen())
            if len(self.screen_stack) == 2 and getattr(self, "_dead_base", False):
                return self.switch_screen(HomeScreen())
        return super().pop_screen()

    def replace_screen(self, screen) -> None:
        """Show ``screen`` in place of the current one."""
        if len(self.screen_stack) <= 1:
            self._dead_base = True
            self.push_screen(screen)
        else:
            self.switch_screen(screen)

    def do(self, action: str) -> None:
        """Run one of the app's actions by name (home buttons, the palette, the command line)."""
        getattr(self, f"action_{action}")()

    def _welcome_seen(self) -> None:
        try:
            self._welcome_marker.parent.mkdir(parents=True, exist_ok=True)
            self._welcome_marker.touch()
        except OSError:
            pass

    def watch_theme(self, theme: str) -> None:
        if getattr(self, "settings", None) is None or theme == self.settings.theme:
            return
        from dataclasses import replace

        self.settings = replace(self.settings, theme=theme)
        try:
            save_settings(self.settings, self.loc.settings_path)
        except Exception as e:  # noqa: BLE001 - a read-only config dir only loses the theme
            self.notify(f"could not save the theme: {e}", severity="warning", markup=False)

    # --- store errors: the one path for every screen ----------------------------------------

    def store_error(self, error: StoreError) -> None:
        """A store error from any screen: one line; the app goes on."""
        self.notify(str(error), title="Progress database", severity="error", timeout=10, markup=False)

    async def _dispatch_action(self, namespace, action_name, params) -> bool:
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except StoreError as e:
            self.store_error(e)
            return True

    def retry_writes(self) -> int:
        """Try again to write what the store could not take (a timer calls this)."""
        writes = self.store.writes
        return writes.flush() if writes.pending else 0

    def _writes_changed(self, writes, saved: int) -> None:
        for ticket in writes.take_refused():
            if ticket.error is not None:
                self.store_error(ticket.error)
        if writes.pending:
            reason = str(writes.error)
            journal = getattr(self, "journal", None)
            if journal is not None and journal.error:  # (a full disk: the journal cannot be written either)
                reason += f"; {journal.error}, so only this app holds them: do not close it"
            if reason != self._unsaved_reason:  # the first write kept, or another reason
                self.notify(f"{reason}. Kept: saved as soon as the database can take it.",
                            title="Not saved yet", severity="warning", timeout=10, markup=False)
            self._unsaved_reason = reason
        elif self._unsaved_reason is not None:
            self._unsaved_reason = None
            self.notify(f"Saved: {_count(saved, 'change')} that waited {'is' if saved == 1 else 'are'} on disk now.",
                        title="Saved", timeout=5, markup=False)
        waiting = f" · {unsaved_text(writes)} not saved yet" if writes.pending else ""
        self.sub_title = f"profile: {self.store.profile}{waiting}"

    def unsaved_line(self) -> str | None:
        """The line for stderr when the app ends with writes still waiting (None: all saved)."""
        writes = self.store.writes
        if not writes.pending:
            return None
        # (kept on disk all the same, unless the journal says otherwise: the next start saves them)
        return f"{unsaved_text(writes)} not saved: {writes.error}"

    def _keep_waiting_on_disk(self) -> None:
        """Writes that wait are kept on disk too (a crash loses none), and those a program left
        waiting when it stopped (killed, or quit while the store could not take them) are
        saved now, or wait here in their turn."""
        from nqpf_tutor.core.learning.journal import Journal

        self.journal = Journal(self.loc.data_dir, self.store.profile)
        writes = self.store.writes
        writes.journal = self.journal
        if not self.journal.folder.is_dir():
            return  # nothing was ever left waiting (start-up does no more)
        from nqpf_tutor.core.learning.outbox import ANSWER_KINDS
        from nqpf_tutor.core.learning.profile import fitted_parameters
        from nqpf_tutor.core.scheduler import Scheduler

        before = writes.pending
        adopted, problems = self.journal.adopt(writes, Scheduler(self.settings, fitted_parameters(self.store)))
        for problem in problems:
            self.notify(f"Left waiting when nqpf-tutor last stopped: {problem}", title="Not saved",
                        severity="error", timeout=15, markup=False)
        if adopted and writes.pending == before:  # (else they wait, and the title says so)
            answers = sum(kind in ANSWER_KINDS for kind in adopted)
            self.notify(f"{writes_text(answers, len(adopted) - answers)} left waiting when nqpf-tutor last "
                        f"stopped {'is' if len(adopted) == 1 else 'are'} saved now.", title="Saved", timeout=8,
                        markup=False)

    async def action_quit(self) -> None:
        """Quit; writes still waiting are tried once more, and if they still fail the app ends
        with return code 1 (``commands/app.py`` names how many on stderr)."""
        self.retry_writes()
        self.quit_unsaved = bool(self.store.writes.pending)
        self.exit(return_code=1 if self.quit_unsaved else 0)

    # --- what is chosen ----------------------------------------------------------------------

    def selected_cards(self, choice: Choice | None = None):
        c = choice or self.choice
        return select_cards(self.catalog, c.deck_ids, c.tags)

    def reload_decks(self) -> tuple[int, list[str]]:
        """Read the decks again; progress follows edits (content hash) and renames (formerly)."""
        from nqpf_tutor.core.session import sync_catalog

        self.retry_writes()  # answers waiting go first (and a store still failing stops here, not half way)
        if self.store.writes.pending:
            raise self.store.writes.error or StoreError("progress not saved yet")
        catalog = load_catalog(self.loc)
        report = sync_catalog(self.store, catalog.all_cards())
        self._use_catalog(catalog)
        return len(report.edited), self.catalog.warnings

    def _use_catalog(self, catalog: Catalog) -> None:
        self.catalog = catalog
        known = {d.id for d in self.catalog.decks}
        self.choice.deck_ids = [d for d in self.choice.deck_ids if d in known]
        tags = set(self.catalog.tags)
        self.choice.tags = [t for t in self.choice.tags if t in tags]

    # --- actions (bindings, home buttons, the command palette) ----------------------------------

    def _cards_or_warn(self) -> list | None:
        try:
            cards = self.selected_cards()
        except Exception as e:  # noqa: BLE001 - unknown deck or tag: say so, no crash
            self.notify(str(e), severity="error", markup=False)
            return None
        if not cards:
            self.notify("No cards in the chosen decks and tags.", severity="warning")
            return None
        return cards

    def action_home(self) -> None:
        from nqpf_tutor.ui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            super().pop_screen()
        if not isinstance(self.screen, HomeScreen):
            self.push_screen(HomeScreen())

    def action_study(self, ahead: bool = False) -> None:
        cards = self._cards_or_warn()
        if cards is None:
            return
        from nqpf_tutor.ui.screens.study import StudyScreen

        self.push_screen(StudyScreen(cards, review_ahead=ahead))

    def action_quiz(self) -> None:
        cards = self._cards_or_warn()
        if cards is None:
            return
        import random

        from nqpf_tutor.core.quiz import build_quiz
        from nqpf_tutor.ui.drawing import draw_then
        from nqpf_tutor.ui.screens.quiz import QuizScreen

        n, schedule = self.choice.n, self.choice.schedule_quiz
        seed = self.choice.seed if self.choice.seed is not None else random.randrange(1_000_000)
        draw_then(self, len(cards), f"{n} questions", lambda progress: build_quiz(cards, n, seed, progress),
                  lambda qs: self.push_screen(QuizScreen(cards, n=n, seed=seed, schedule=schedule, questions=qs)),
                  title="Quiz")

    def action_drill(self) -> None:
        if self._cards_or_warn() is None:
            return
        from nqpf_tutor.ui.screens.drill import open_drill

        open_drill(self)

    def action_live(self) -> None:
        if self._cards_or_warn() is None:
            return
        from nqpf_tutor.ui.screens.live import open_live

        open_live(self)

    def action_stats(self) -> None:
        from nqpf_tutor.ui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_plan(self) -> None:
        from nqpf_tutor.ui.screens.plan import PlanScreen

        self.push_screen(PlanScreen())

    def action_weakest(self) -> None:
        """Exam mode, the last days: study the cards of the kept plan most likely to be forgotten."""
        from nqpf_tutor.core.learning.plan import exam_review_session
        from nqpf_tutor.core.learning.profile import load_plan
        from nqpf_tutor.ui.screens.study import StudyScreen

        spec = load_plan(self.store)
        if spec is None:
            self.notify("No exam plan is kept: make one with e.", severity="warning")
            return
        cards = [c for c in self.catalog.all_cards() if spec.selects(c)]
        session = exam_review_session(cards, self.store, self.settings, clock=self.clock, exam=spec.exam)
        if not session.queue:
            self.notify("No cards to study in the exam plan.", severity="warning")
            return
        self.push_screen(StudyScreen(session.queue, session=session))

    def action_optimize(self) -> None:
        from nqpf_tutor.ui.screens.optimize import OptimizeScreen

        self.push_screen(OptimizeScreen())

    def action_simulate(self) -> None:
        from nqpf_tutor.ui.screens.simulate import SimulateScreen

        self.push_screen(SimulateScreen())

    def action_browse(self) -> None:
        from nqpf_tutor.ui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen())

    def notify(self, *args, **kwargs):
        """``App.notify``, callable from a worker thread too (it is then run on the app's thread)."""
        if getattr(self, "_thread_id", None) not in (None, threading.get_ident()):
            return self.call_from_thread(super().notify, *args, **kwargs)
        return super().notify(*args, **kwargs)

    def action_report(self) -> None:
        from nqpf_tutor.ui.screens.report import ReportScreen

        self.push_screen(ReportScreen())

    def action_paper(self) -> None:
        """Write a printable test of the chosen cards: versions A and B as PDF (and Markdown), each
        with its answer key file, in a worker (the app stays responsive); a note says where."""
        cards = self._cards_or_warn()
        if cards is None:
            return
        import random

        seed = self.choice.seed if self.choice.seed is not None else random.randrange(1000, 10000)
        title = "New quality productive forces"
        if len(self.choice.deck_ids) == 1:
            deck = self.catalog.deck(self.choice.deck_ids[0])
            title = deck.title if deck else title
        decks = {d.id: d for d in self.catalog.decks}
        self.notify(f"Writing the paper test (seed {seed})…", title="Paper test", timeout=4)
        self.run_worker(lambda: self._write_paper(cards, decks, seed, title), thread=True, group="paper",
                        exclusive=True, exit_on_error=False)

    @property
    def paper_size(self) -> str:
        """Page size of the app's PDF papers: the settings' ``paper_size`` (a4 or letter)."""
        return getattr(self.settings, "paper_size", "a4")

    def _write_paper(self, cards, decks, seed: int, title: str) -> None:
        """The paper's files (in a thread): ``papers/paper-<seed>-<A|B>[-key].pdf`` and ``.md``."""
        from nqpf_tutor.core.decks.pdf import key_pdf, paper_pdf
        from nqpf_tutor.core.export import answer_sources, make_paper

        from nqpf_tutor.errors import NqpfError
        from nqpf_tutor.files import write_outputs

        folder = self.loc.data_dir / "papers"
        outputs = []
        missing: set[str] = set()  # characters no font of the PDF has
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for version in ("A", "B"):
                paper = make_paper(cards, seed=seed, n=self.choice.n, title=title, version=version)
                if not paper.questions:
                    self.call_from_thread(self.notify, "No questions to ask in the chosen cards.", severity="warning")
                    return
                sources = answer_sources(paper, decks)
                # A paper already there (the same seed again) is kept: the new one gets -2, -3...
                stem = _free_stem(folder, f"paper-{seed}-{version}")
                outputs += [
                    (folder / f"{stem}.pdf", paper_pdf(paper, size=self.paper_size, sources=sources, missing=missing)),
                    (folder / f"{stem}-key.pdf", key_pdf(paper, size=self.paper_size, sources=sources, missing=missing)),
                    (folder / f"{stem}.md", paper.markdown(with_key=False)),
                    (folder / f"{stem}-key.md", paper.key_markdown(sources=sources)),
                ]
            written = write_outputs(outputs)
        except NqpfError as e:
            self.call_from_thread(self.notify, f"Could not write the paper: {e}", severity="error", markup=False)
            return
        except OSError as e:
            self.call_from_thread(self.notify, f"Could not write the paper: {e.strerror or e}", severity="error",
                                  markup=False)
            return
        except Exception as e:  # noqa: BLE001 - a worker's error would otherwise go unseen: one line
            self.call_from_thread(self.notify, f"Could not make the paper: {e}", severity="error", markup=False)
            return
        self.last_paper = written
        pdfs = ", ".join(p.name for p in written if p.suffix == ".pdf")
        self.call_from_thread(
            self.notify, f"{len(paper.questions)} questions, seed {seed}: {pdfs} (and Markdown) in {folder}",
            title="Paper test written", timeout=15, markup=False)
        if missing:
            from nqpf_tutor.core.decks.pdf import missing_line

            self.call_from_thread(self.notify, missing_line(missing), title="Paper test", severity="warning",
                                  timeout=15, markup=False)

    def action_reload(self) -> None:
        """Read the decks again in a worker thread (issue 17): the deck list shows a loading
        indicator meanwhile, and a store waiting on a lock never freezes the app."""
        self.retry_writes()  # answers waiting go first (and a store still failing stops here, not half way)
        if self.store.writes.pending:
            raise self.store.writes.error or StoreError("progress not saved yet")
        self.notify("Reading the decks again…", title="Reload", timeout=2)
        self._home_loading(True)
        self._reload_worker()

    def _home_loading(self, on: bool) -> None:
        from nqpf_tutor.ui.screens.home import HomeScreen

        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                for table in screen.query("#decks"):
                    table.loading = on

    @work(thread=True, exclusive=True, exit_on_error=False, group="reload")
    def _reload_worker(self) -> None:
        from nqpf_tutor.core.session import sync_catalog
        from nqpf_tutor.errors import NqpfError

        try:
            catalog = load_catalog(self.loc)
            store = self.store.reader()
            try:
                report = sync_catalog(store, catalog.all_cards())
            finally:
                store.close()
        except NqpfError as e:
            self.call_from_thread(self._reload_failed, e)
            return
        self.call_from_thread(self._reloaded, catalog, len(report.edited))

    def _reload_failed(self, error: Exception) -> None:
        self._home_loading(False)
        if isinstance(error, StoreError):
            self.store_error(error)  # the one store-error path
        else:
            self.notify(str(error), title="Decks not reloaded", severity="error", markup=False)

    def _reloaded(self, catalog: Catalog, edited: int) -> None:
        self._use_catalog(catalog)
        n = len(self.catalog.all_cards())
        msg = f"{len(self.catalog.decks)} decks, {n} cards" + (f"; {edited} edited" if edited else "")
        self.notify(msg, title="Decks reloaded", markup=False)
        for w in self.catalog.warnings:
            self.notify(w, title="Deck skipped", severity="warning", timeout=12, markup=False)
        from nqpf_tutor.ui.screens.home import HomeScreen

        self._home_loading(False)
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.refresh_decks()

    def _ask(self, kind: str, then: Callable[[], None]) -> None:
        """Ask the length, decks and tags (a form), keep them as the choice, then run ``then``."""
        from nqpf_tutor.ui.screens.forms import SelectionForm

        def chosen(choice) -> None:
            if choice is not None:
                self.choice = choice
                for screen in self.screen_stack:
                    if hasattr(screen, "refresh_decks"):
                        screen.refresh_decks()
                then()

        self.push_screen(SelectionForm(kind), callback=chosen)

    def action_quiz_form(self) -> None:
        """A quiz after asking its length, decks and tags."""
        self._ask("quiz", self.action_quiz)

    def action_paper_form(self) -> None:
        """A paper test after asking its length, decks and tags."""
        self._ask("paper", self.action_paper)

    @property
    def custom_path(self):
        """Where custom study keeps today's extra new cards (per profile)."""
        return self.loc.custom_study_path

    def extra_new(self) -> int:
        """New cards added to today's limits by custom study (0 on another day)."""
        from nqpf_tutor.core.learning.custom import extra_new_today
        from nqpf_tutor.core.scheduler import Scheduler

        day = Scheduler(self.settings).study_day(self.clock())
        return extra_new_today(self.custom_path, self.store.profile, day)

    def action_custom(self) -> None:
        from nqpf_tutor.ui.screens.custom import open_custom_study

        open_custom_study(self)

    def action_settings(self) -> None:
        from nqpf_tutor.ui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_help(self) -> None:
        from nqpf_tutor.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def _free_stem(folder, stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3``... the first for which none of a paper's files exist."""
    n = 1
    while True:
        name = stem if n == 1 else f"{stem}-{n}"
        if not any((folder / f"{name}{end}").exists() for end in (".pdf", "-key.pdf", ".md", "-key.md")):
            return name
        n += 1
