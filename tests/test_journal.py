"""Writes waiting for the store are kept on disk (``core/learning/journal.py``): a crash (kill -9)
while another program holds the database, or a quit while answers wait, loses none of them; the
next start saves each exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

from fsrs import Rating

from nqpf_tutor.core.learning.journal import Journal
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import Scheduler
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store
from nqpf_tutor.ui.app import Choice

from test_store_faults import Lock  # another program holding the write lock
from ui_helpers import make_app

NOW = datetime(2025, 6, 10, 9, 0, tzinfo=timezone.utc)
SETTINGS = Settings(timezone="UTC", new_per_day=100)
CARDS = [Card("d", f"c{i}", "flip", f"Q{i}", f"A{i}") for i in range(6)]


def log(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT card_id, mode, grade FROM review_log ORDER BY id").fetchall()
    finally:
        conn.close()


def open_store(path):
    store = Store.open(path)
    store.writes.first_timeout = 0.02
    store.writes.retry_timeout = 0.02
    return store


def test_waiting_writes_are_kept_on_disk_and_the_next_start_saves_each_once(tmp_path):
    db, data = tmp_path / "progress.sqlite3", tmp_path / "data"
    store = open_store(db)
    journal = Journal(data, store.profile)
    store.writes.journal = journal
    clock = [NOW]
    session = StudySession(CARDS, store, SETTINGS, clock=lambda: clock[0])
    by_id = {c.id: c for c in CARDS}
    lock = Lock(db)
    session.answer(by_id["c0"], Rating.Good, 4000)
    session.answer(by_id["c1"], Rating.Again, 2500)
    session.suspend(by_id["c2"])
    session.answer(by_id["c3"], Rating.Easy, 1000)
    session.undo()  # takes back c3's answer, which waits too: neither is kept
    assert store.writes.pending == 5
    kept = json.loads(journal.path.read_text("utf-8"))
    assert [(w["kind"], w.get("card")) for w in kept["writes"]] == [("answer", "c0"), ("answer", "c1"), ("change", "c2")]
    assert kept["writes"][1]["grade"] == 1 and kept["writes"][2]["changes"] == {"suspended": True}
    copy = journal.path.read_text("utf-8")

    journal.close()  # the program ends here (a kill -9 lets go of the lock the same way)
    lock.release()
    store.conn.close()

    again = open_store(db)
    mine = Journal(data, again.profile)
    again.writes.journal = mine
    assert mine.adopt(again.writes, Scheduler(SETTINGS)) == (["answer", "answer", "change"], [])
    assert not again.writes.pending and not journal.path.exists() and not list((data / "unsaved").iterdir())
    assert log(db) == [("c0", "study", 3), ("c1", "study", 1)]
    assert again.get("d", "c2").suspended and again.get("d", "c3") is None
    assert again.get("d", "c0").reps == 1

    # the same journal found again (say, the program stopped after saving them): nothing twice
    journal.path.write_text(copy, "utf-8")
    assert len(Journal(data, again.profile).adopt(again.writes, Scheduler(SETTINGS))[0]) == 3
    assert log(db) == [("c0", "study", 3), ("c1", "study", 1)]
    again.close()


def test_a_journal_held_by_a_running_program_is_left_alone(tmp_path):
    db, data = tmp_path / "progress.sqlite3", tmp_path / "data"
    store = open_store(db)
    running = Journal(data, store.profile)
    store.writes.journal = running
    session = StudySession(CARDS, store, SETTINGS, clock=lambda: NOW)
    lock = Lock(db)
    session.answer(CARDS[0], Rating.Good)
    lock.release()
    other = open_store(db)
    assert Journal(data, other.profile).adopt(other.writes, Scheduler(SETTINGS)) == ([], [])
    assert running.path.exists() and log(db) == []
    store.writes.flush()  # the running program saves it itself; its journal goes
    assert log(db) == [("c0", "study", 3)] and not running.path.exists()
    other.close()
    store.close()


def test_a_journal_that_cannot_be_read_is_said_and_left(tmp_path):
    db, data = tmp_path / "progress.sqlite3", tmp_path / "data"
    (data / "unsaved").mkdir(parents=True)
    bad = data / "unsaved" / "default-1-1.json"
    bad.write_text("{not json", "utf-8")
    store = open_store(db)
    adopted, problems = Journal(data, "default").adopt(store.writes, Scheduler(SETTINGS))
    assert adopted == [] and len(problems) == 1 and str(bad) in problems[0]
    assert bad.exists()
    store.close()


CHILD = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timezone
    from fsrs import Rating
    from nqpf_tutor.core.learning.journal import Journal
    from nqpf_tutor.core.model import Card
    from nqpf_tutor.core.session import StudySession
    from nqpf_tutor.core.settings import Settings
    from nqpf_tutor.core.store import Store

    store = Store.open(sys.argv[1])
    store.writes.first_timeout = store.writes.retry_timeout = 0.02
    store.writes.journal = Journal(sys.argv[2], store.profile)
    cards = [Card("d", f"c{i}", "flip", f"Q{i}", f"A{i}") for i in range(50)]
    session = StudySession(cards, store, Settings(timezone="UTC", new_per_day=100),
                           clock=lambda: datetime(2025, 6, 10, 9, tzinfo=timezone.utc))
    print("ready", flush=True)
    sys.stdin.readline()  # the database is locked now
    for i in range(int(sys.argv[3])):
        card = session.next_card()
        result = session.answer(card, Rating((i % 4) + 1), 1000)
        assert not result.ticket.saved
        print(card.id, (i % 4) + 1, flush=True)  # reported to the learner as kept
    sys.stdin.readline()  # killed while waiting here
    """
)


def test_kill_9_while_the_database_is_locked_loses_no_answer(tmp_path):
    db, data = tmp_path / "progress.sqlite3", tmp_path / "data"
    Store.open(db).close()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(data), "7"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = None
    try:
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        lock = Lock(db)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        given = [tuple(proc.stdout.readline().split()) for _ in range(7)]
        assert all(len(g) == 2 for g in given), proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        if lock is not None:
            lock.release()
    assert log(db) == []  # nothing reached the database before the kill
    store = open_store(db)
    assert Journal(data, store.profile).adopt(store.writes, Scheduler(SETTINGS))[0] == ["answer"] * 7
    assert [(card, str(grade)) for card, _, grade in log(db)] == given  # each once, in order
    store.close()


async def test_the_app_saves_what_was_left_waiting_and_keeps_what_waits_when_it_quits(tmp_path):
    app = make_app(tmp_path, start="study", choice=Choice(deck_ids=["sample"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lock = Lock(app.loc.db_path)
        await pilot.press("space", "3")  # kept: another program holds the database
        await pilot.pause()
        assert app.store.writes.pending_answers == 1 and app.journal.path.exists()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 1
    app.journal.close()  # as the command does when the app has ended
    lock.release()
    assert log(app.loc.db_path) == []

    later = make_app(tmp_path, start="study", choice=Choice(deck_ids=["sample"]))
    async with later.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [r[:2] for r in log(later.loc.db_path)] == [("f1", "study")]
        assert any("1 answer left waiting when nqpf-tutor last stopped is saved now" in n.message
                   for n in later._notifications)
        assert not list((later.loc.data_dir / "unsaved").glob("*.json"))
        assert later.screen.card.id != "f1"  # answered: not offered as new again


def test_a_drill_and_its_answers_left_waiting_are_saved_by_the_next_start(tmp_path):
    from test_drill import FakeClock, make

    db, data = tmp_path / "progress.sqlite3", tmp_path / "data"
    store = open_store(db)
    journal = Journal(data, store.profile)
    store.writes.journal = journal
    lock = Lock(db)
    d, clock = make(n=3, store=store, students=("Ana", "[b]Bo"), clock=FakeClock())
    for choice in (0, 1, None):  # the last one timed out
        clock.advance(2)
        d.answer(choice)
    kept = json.loads(journal.path.read_text("utf-8"))["writes"]
    assert [w["kind"] for w in kept] == ["drill", "drill answer", "drill answer", "drill answer"]
    journal.close()
    lock.release()
    store.conn.close()

    again = open_store(db)
    kinds, problems = Journal(data, again.profile).adopt(again.writes, Scheduler(SETTINGS))
    assert len(kinds) == 4 and problems == []
    (row,) = again.drills()
    assert row.id == d.id and row.answers == 3 and row.finished == d.finished
    saved = again.conn.execute("SELECT seq, student, chosen, timed_out FROM drill_answers ORDER BY seq").fetchall()
    assert saved == [(a.seq, a.student, a.chosen, int(a.timed_out)) for a in d.answers]
    again.close()


async def test_when_the_journal_cannot_be_written_the_notice_says_only_the_app_holds_them(tmp_path):
    app = make_app(tmp_path, start="study", choice=Choice(deck_ids=["sample"]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        (app.loc.data_dir / "unsaved").write_text("not a folder", "utf-8")  # the journal's folder cannot be made
        lock = Lock(app.loc.db_path)
        try:
            await pilot.press("space", "3")
            await pilot.pause()
            assert app.store.writes.pending_answers == 1 and app.journal.error
            notice = [n.message for n in app._notifications if n.title == "Not saved yet"][-1]
            assert "cannot keep the waiting writes" in notice and "only this app holds them" in notice
        finally:
            lock.release()
        await pilot.pause(1.5)  # the retry saves it
        assert log(app.loc.db_path) and not app.store.writes.pending
