"""Faults while answering, through Pilot at 80x24 (issue 11): the app never ends with a
traceback, the answer is kept and saved once when the store can take it, the learner is told
in one line (and in the title) that it is not saved yet and when it is; quitting with answers
still waiting exits non-zero and names how many on stderr.

Faults without root: a second sqlite3 connection holding ``BEGIN EXCLUSIVE`` (locked),
``PRAGMA max_page_count`` (full disk), ``PRAGMA query_only`` on the app's connection (read-only;
chmod does not stop root).
"""

from __future__ import annotations

import sqlite3

import pytest
from textual.widgets import DataTable

import nqpf_tutor.core.store as store_module
import nqpf_tutor.ui.app as app_module
from nqpf_tutor.core.store import Store, StoreError
from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.screens.browse import BrowseScreen
from nqpf_tutor.ui.screens.quiz import QuizScreen
from nqpf_tutor.ui.screens.study import StudyScreen

from ui_helpers import FIXTURE_DECKS, make_app

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    """Retries every 0.1 s and a short busy timeout, so the tests need not wait."""
    monkeypatch.setattr(app_module, "RETRY_SECONDS", 0.1, raising=False)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.1)


def log_rows(app) -> list[tuple[str, str, int | None]]:
    """What another program reads from the file: (mode, card, grade) of every review-log row."""
    conn = sqlite3.connect(app.loc.db_path)
    rows = conn.execute("SELECT mode, card_id, grade FROM review_log WHERE profile_id = ? ORDER BY id",
                        (app.store.profile_id,)).fetchall()
    conn.close()
    return rows


class Lock:
    def __init__(self, app):
        self.conn = sqlite3.connect(app.loc.db_path, isolation_level=None)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self):
        self.conn.execute("ROLLBACK")
        self.conn.close()


def notices(app) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def title(app) -> str:
    return str(app.screen.query_one("TitleLine").render())


def study_app(tmp_path, **kw):
    return make_app(tmp_path, start="study", choice=Choice(deck_ids=["sample"]), **kw)


async def wait_saved(pilot, app):
    for _ in range(40):
        await pilot.pause(0.05)
        if not app.store.writes.pending:
            return
    raise AssertionError("never saved")


async def test_study_answer_while_locked_is_kept_then_saved_exactly_once(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lock = Lock(app)
        await pilot.press("space", "3")  # f1: Good, while another program holds the lock
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen.card.id == "m1"  # the learner goes on
        assert app.is_running
        assert any(n.startswith("Not saved yet: database is locked by another program") for n in notices(app))
        assert "1 answer not saved yet" in title(app)
        assert log_rows(app) == []
        await pilot.pause(0.3)  # retries while still locked change nothing
        assert log_rows(app) == [] and app.store.writes.pending_answers == 1
        lock.release()
        await wait_saved(pilot, app)
        assert log_rows(app) == [("study", "f1", 3)]  # saved exactly once
        assert any(n.startswith("Saved: ") for n in notices(app))
        assert "not saved" not in title(app)
        await pilot.press("2")  # m1 answered normally afterwards
        await pilot.pause()
        assert [r[1] for r in log_rows(app)] == ["f1", "m1"]


async def test_a_lock_never_holds_the_screen_for_the_stores_busy_timeout(tmp_path, monkeypatch):
    """The store waits 5 s for a lock on the command line; in the app a new answer waits at most
    the outbox's short first timeout (then it waits in the outbox), so the screen never freezes.
    Measured by what SQLite was told to wait while each write ran, not by a clock."""
    from nqpf_tutor.core.learning import outbox

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 5.0)
    waits: list[int] = []
    run = outbox.Outbox._run

    def recording_run(self, t):
        waits.append(self.store.conn.execute("PRAGMA busy_timeout").fetchone()[0])
        return run(self, t)

    monkeypatch.setattr(outbox.Outbox, "_run", recording_run)
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # the store's own
        lock = Lock(app)
        await pilot.press("space", "3")  # the first write meets the lock
        await pilot.pause(0.3)
        assert app.store.writes.pending_answers == 1 and app.screen.card.id == "m1"
        lock.release()
        await wait_saved(pilot, app)
        await pilot.press("2")  # an answer with nothing waiting and no lock
        await pilot.pause()
        assert len(waits) >= 3
        assert max(waits) <= 1000 * outbox.UI_FIRST_TIMEOUT <= 250  # never the 5 s busy timeout
        assert app.store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # put back after


async def test_undo_while_the_answer_waits_stays_consistent(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lock = Lock(app)
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("u")  # take back the waiting answer: f1 comes back
        await pilot.pause()
        assert app.screen.card.id == "f1" and app.screen.answered == 0
        await pilot.press("space", "1")  # answered again: Again
        await pilot.pause()
        assert "2 answers and 1 other change not saved yet" in title(app)
        lock.release()
        await wait_saved(pilot, app)
        assert log_rows(app) == [("study", "f1", 3), ("undo", "f1", None), ("study", "f1", 1)]
        assert app.store.get("sample", "f1").reps == 1


async def test_quit_while_answers_wait_exits_1_and_names_them(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lock = Lock(app)
        await pilot.press("space", "3", "2")  # f1 and m1 answered, neither saved
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    try:
        assert app.return_code == 1
        assert app.unsaved_line() == f"2 answers not saved: database is locked by another program: {app.loc.db_path}"
        assert log_rows(app) == []
    finally:
        lock.release()


async def test_quit_after_everything_is_saved_exits_0(tmp_path):
    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lock = Lock(app)
        await pilot.press("space", "3")
        await pilot.pause()
        lock.release()
        await pilot.press("ctrl+q")  # quitting tries once more first
        await pilot.pause()
    assert app.return_code == 0 and app.unsaved_line() is None
    assert log_rows(app) == [("study", "f1", 3)]


def test_cli_quit_with_unsaved_answers_prints_one_line_and_exits_1(tmp_path, capsys, monkeypatch):
    """The real command: ``nqpf-tutor study`` run headless, an answer given while locked, ctrl+q."""
    from textual.app import App

    from nqpf_tutor.cli import main
    from nqpf_tutor.ui.app import TutorApp

    locks = []

    async def script(pilot):
        await pilot.pause()
        locks.append(Lock(pilot.app))
        await pilot.press("space", "3")
        await pilot.pause()
        await pilot.press("ctrl+q")

    def run_headless(self, **kw):
        return App.run(self, headless=True, size=SIZE, auto_pilot=script)

    monkeypatch.setattr(TutorApp, "run", run_headless)
    monkeypatch.setenv("NQPF_TUTOR_BUNDLED_DIR", str(FIXTURE_DECKS))
    data = tmp_path / "data"
    (data / "config").mkdir(parents=True)
    (data / "config" / "welcome-shown").touch()
    try:
        rc = main(["--data-dir", str(data), "study", "--deck", "sample"])
    finally:
        for lock in locks:
            lock.release()
    err = capsys.readouterr().err
    assert rc == 1
    assert err == f"nqpf-tutor: 1 answer not saved: database is locked by another program: {data / 'progress.sqlite3'}\n"


async def test_quiz_schedule_on_a_full_disk_keeps_answers_then_saves_them(tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["sample"], n=3, seed=1, schedule_quiz=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        conn = app.store.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full...
        try:  # ...to the last byte: another profile's rows fill the review log's last pages
            while True:
                conn.execute("INSERT INTO review_log (profile_id, deck_id, card_id, ts, grade, mode) "
                             "VALUES (999, 'x', 'x', '2020-01-01T00:00:00.000000Z', 3, 'study')")
        except sqlite3.OperationalError as e:
            assert "full" in str(e)
        for _ in range(2):
            assert isinstance(app.screen, QuizScreen)
            await pilot.press("1")
            await pilot.pause()
            assert app.screen.phase == "answered"  # the quiz goes on
            await pilot.press("enter")
            await pilot.pause()
        assert app.store.writes.pending_answers == 2 and app.is_running
        assert any("the disk is full" in n for n in notices(app))
        assert "2 answers not saved yet" in title(app)
        conn.execute("PRAGMA max_page_count = 1073741823")  # space again
        await wait_saved(pilot, app)
        assert [m for m, _, _ in log_rows(app)] == ["quiz", "quiz"]


async def test_drill_answer_on_a_read_only_store_goes_on_and_is_saved_later(tmp_path):
    app = make_app(tmp_path, start="drill", choice=Choice(deck_ids=["sample"]),
                   drill_options={"n": 2, "seconds": 0, "seed": 3, "students": ["Ana"]})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.store.conn.execute("PRAGMA query_only = ON")  # read-only
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.phase == "reveal" and app.store.writes.pending_answers == 1
        assert not any(n.startswith("Not saved:") for n in notices(app))  # no copy of its own any more
        assert any("permission denied" in n for n in notices(app))
        app.store.conn.execute("PRAGMA query_only = OFF")
        await wait_saved(pilot, app)
        (drill,) = app.store.drills()
        assert drill.answers == 1


async def test_browse_suspend_while_locked_shows_it_and_saves_it_later(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_browse()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        key = screen.current_key()
        lock = Lock(app)
        screen.query_one(DataTable).focus()
        await pilot.press("s")
        await pilot.pause()
        assert screen.entries[key].state.suspended  # shown as suspended while it waits
        assert "1 change not saved yet" in app.sub_title
        lock.release()
        await wait_saved(pilot, app)
        deck, card = key.split("/")
        assert Store.open(app.loc).get(deck, card).suspended


async def test_a_store_error_in_any_screen_is_one_notice_not_the_end(tmp_path, monkeypatch):
    from nqpf_tutor.core.session import StudySession

    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        def broken(self):
            raise StoreError("progress database is damaged: x")

        monkeypatch.setattr(StudySession, "next_card", broken)
        await pilot.press("space", "3")  # the answer is saved; drawing the next card fails
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, StudyScreen)
        assert "Progress database: progress database is damaged: x" in notices(app)
        monkeypatch.undo()
        await pilot.press("u")  # the screen still works
        await pilot.pause()
        assert app.screen.card.id == "f1"


async def test_a_store_error_in_a_message_handler_is_one_notice_not_the_end(tmp_path, monkeypatch):
    """Typed answers arrive as a message (Input.Submitted), not an action: the same one path."""
    from nqpf_tutor.core.session import StudySession

    app = study_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "1", "enter", "f", "enter")  # to the typed card
        await pilot.pause()
        assert app.screen.card.type == "typed"

        def refused(self, *a, **k):
            raise StoreError("progress database x: refused")

        monkeypatch.setattr(StudySession, "answer", refused)
        await pilot.press(*"tfp", "enter")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, StudyScreen)
        assert "Progress database: progress database x: refused" in notices(app)
