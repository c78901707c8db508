"""Faults while answering (issue 11): a locked database, a full disk, a read-only file.

The answer is kept (in memory, in order) and written as soon as the store can take it, exactly
once; undo while an answer waits stays consistent. Simulated without root:
- locked: a second sqlite3 connection holding ``BEGIN EXCLUSIVE`` (longer than the busy timeout);
- full disk: ``PRAGMA max_page_count`` on the store's connection (SQLite's "database or disk is full");
- read-only: ``PRAGMA query_only`` on the store's connection, and a ``mode=ro`` URI connection
  (chmod does not stop root), both SQLite's "attempt to write a readonly database".
"""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating

from nqpf_tutor.core.drill import Drill, DrillConfig
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.store import Store, StoreUnavailable

UTC = timezone.utc
T0 = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


def cards(n=6):
    return [Card("d", f"c{i:02d}", "flip", f"Q{i}", f"A{i}") for i in range(n)]


@pytest.fixture
def db(tmp_path):
    return tmp_path / "progress.sqlite3"


def log(db):
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT mode, card_id, grade, undoes FROM review_log ORDER BY id").fetchall()
    conn.close()
    return rows


class Lock:
    """Another program holding the write lock (a second connection in ``BEGIN EXCLUSIVE``)."""

    def __init__(self, db):
        self.conn = sqlite3.connect(db, isolation_level=None)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self):
        self.conn.execute("ROLLBACK")
        self.conn.close()


def full_disk(store):
    """The disk is full: the database may not grow by a single page."""
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {n}")


def space_again(store):
    store.conn.execute("PRAGMA max_page_count = 1073741823")


def read_only(store):
    store.conn.execute("PRAGMA query_only = ON")


def writable(store):
    store.conn.execute("PRAGMA query_only = OFF")


FAULTS = {
    "locked": (lambda store, db: Lock(db), lambda store, fault: fault.release(), "database is locked by another program"),
    "full": (lambda store, db: full_disk(store), lambda store, fault: space_again(store), "the disk is full"),
    "read-only": (lambda store, db: read_only(store), lambda store, fault: writable(store), "permission denied"),
}


@pytest.mark.parametrize("kind", list(FAULTS))
def test_answers_while_the_store_fails_are_kept_in_order_and_saved_once(db, kind):
    start, stop, message = FAULTS[kind]
    store = Store.open(db, timeout=0.1)
    clock = Clock()
    cs = cards(40)
    s = StudySession(cs, store, clock=clock)
    first = s.answer(s.next_card(), Rating.Good)
    assert first.saved
    fault = start(store, db)
    given, kept = [first.card.id], []
    for _ in range(30):  # a full disk may take a few answers to fill the last page
        clock.now += timedelta(seconds=5)
        card = s.next_card()
        r = s.answer(card, Rating.Easy)
        given.append(card.id)
        if not r.saved:
            kept.append(r)
            if len(kept) == 3:
                break
    assert len(kept) == 3, "the fault never stopped a write"
    assert all(r.review_id is None for r in kept)
    assert store.writes.pending_answers == 3 and message in str(store.writes.error)
    # an answered card is not offered again while its answer waits
    assert s.next_card().id not in given
    assert store.writes.flush() == 0  # still failing: still kept
    stop(store, fault)
    assert store.writes.flush() == 3 and store.writes.pending == 0 and store.writes.error is None
    assert all(r.saved and r.review_id for r in kept)
    store.close()
    assert [(m, c) for m, c, _, _ in log(db)] == [("study", c) for c in given]  # each once, in order


def test_next_write_first_writes_what_waits(db):
    store = Store.open(db, timeout=0.1)
    s = StudySession(cards(), store, clock=Clock())
    lock = Lock(db)
    a = s.answer(s.next_card(), Rating.Good)
    assert not a.saved
    lock.release()
    b = s.answer(s.next_card(), Rating.Again)  # the waiting answer goes first
    assert a.saved and b.saved and a.review_id < b.review_id
    store.close()
    assert [(c, g) for _, c, g, _ in log(db)] == [(a.card.id, 3), (b.card.id, 1)]


def test_a_read_only_connection_keeps_the_answer(db):
    """Read-only as SQLite opens it (URI ``mode=ro``): the answer waits for a writable file."""
    store = Store.open(db, timeout=0.1)
    s = StudySession(cards(), store, clock=Clock())
    real = store.conn
    store.conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    r = s.answer(s.next_card(), Rating.Good)
    assert not r.saved and "permission denied" in str(store.writes.error)
    store.conn.close()
    store.conn = real
    assert store.writes.flush() == 1 and r.saved
    store.close()
    assert len(log(db)) == 1


def test_undo_of_a_waiting_answer_stays_in_order(db):
    store = Store.open(db, timeout=0.1)
    clock = Clock()
    s = StudySession(cards(), store, clock=clock)
    card = s.next_card()
    lock = Lock(db)
    first = s.answer(card, Rating.Good)
    assert not first.saved
    assert s.undo() == card  # taken back while it waits
    assert s.state(card).reps == 0 and s.next_card() == card
    again = s.answer(card, Rating.Again)  # the override: answered again, still waiting
    assert store.writes.pending == 3 and store.writes.pending_answers == 2
    lock.release()
    assert store.writes.flush() == 3
    assert store.get(*card.key) == s.state(card) == again.after
    store.close()
    rows = log(db)
    assert [(m, c, g) for m, c, g, _ in rows] == [("study", card.id, 3), ("undo", card.id, None), ("study", card.id, 1)]
    assert rows[1][3] == first.review_id


def test_suspend_and_reset_wait_too(db):
    store = Store.open(db, timeout=0.1)
    s = StudySession(cards(), store, clock=Clock())
    card = s.next_card()
    s.answer(card, Rating.Good)
    lock = Lock(db)
    s.suspend(card)
    assert s.stored_state(card).suspended and store.writes.pending == 1
    s.reset(card)
    assert s.stored_state(card).reps == 0 and s.stored_state(card).suspended
    lock.release()
    assert store.writes.flush() == 2
    stored = store.get(*card.key)
    assert stored.suspended and stored.reps == 0
    store.close()


def test_drill_answers_wait_and_the_drill_goes_on(db):
    store = Store.open(db, timeout=0.1)
    cs = [Card("d", f"m{i}", "mcq", f"Q{i}", f"A{i}", distractors=[f"X{i}", f"Y{i}", f"Z{i}"]) for i in range(3)]
    d = Drill.create(DrillConfig(n=3, seconds=0, seed=1), cs, store=store)
    lock = Lock(db)
    for q in list(d.questions):
        d.answer(q.correct)
    assert d.done and store.writes.pending_answers == 3 and store.writes.pending == 4  # the drill itself too
    lock.release()
    assert store.writes.flush() == 4
    (row,) = store.drills()
    assert row.answers == 3 and row.finished is not None
    store.close()


def test_retries_wait_only_briefly(db):
    """A retry must not freeze the app for the whole busy timeout."""
    import time

    store = Store.open(db, timeout=2.0)
    s = StudySession(cards(), store, clock=Clock())
    lock = Lock(db)
    try:
        store.writes.retry_timeout = 0.01
        t0 = time.monotonic()
        r = s.answer(s.next_card(), Rating.Good)  # the first try waits the busy timeout...
        assert not r.saved and time.monotonic() - t0 >= 1.5
        t0 = time.monotonic()
        assert store.writes.flush() == 0  # ...a retry does not
        assert time.monotonic() - t0 < 1.0
    finally:
        lock.release()
    assert store.writes.flush() == 1
    store.close()


def test_store_unavailable_is_a_store_error_with_one_line(db):
    store = Store.open(db, timeout=0.05)
    lock = Lock(db)
    try:
        with pytest.raises(StoreUnavailable) as e:
            with store.transaction():
                pass
        assert "\n" not in str(e.value)
    finally:
        lock.release()
        store.close()


class CommitFailsAfterCommitting:
    """The worst fault: COMMIT reports an I/O error although the transaction was committed."""

    def __init__(self, conn):
        self.conn, self.armed = conn, True

    def execute(self, sql, *args):
        result = self.conn.execute(sql, *args)
        if self.armed and sql.strip().upper() == "COMMIT":
            self.armed = False
            raise sqlite3.OperationalError("disk I/O error")
        return result

    def __getattr__(self, name):
        return getattr(self.conn, name)


def test_a_write_committed_despite_an_error_is_not_written_twice(db):
    store = Store.open(db, timeout=0.1)
    clock = Clock()
    s = StudySession(cards(), store, clock=clock)
    real = store.conn
    store.conn = CommitFailsAfterCommitting(real)
    r = s.answer(s.next_card(), Rating.Good)
    assert not r.saved and "disk I/O error" in str(store.writes.error)
    assert store.writes.flush() == 1 and r.saved  # found on disk: not written again
    d = Drill.create(DrillConfig(n=1, seconds=0, seed=1),
                     [Card("d", "m", "mcq", "Q", "A", distractors=["X", "Y", "Z"])], store=store)
    store.conn = CommitFailsAfterCommitting(real)
    d.answer(0)  # recording the drill meets the error; it and the answer are written after it
    assert store.writes.pending == 0 and not store.writes.refused
    store.conn = real
    d2 = Drill.create(DrillConfig(n=1, seconds=0, seed=2),
                      [Card("d", "m", "mcq", "Q", "A", distractors=["X", "Y", "Z"])], store=store)
    d2.start_question()
    store.conn = CommitFailsAfterCommitting(real)
    d2.answer(0)  # the drill answer's COMMIT reports an error but is on disk
    assert store.writes.pending == 1
    assert store.writes.flush() == 1 and not store.writes.refused
    store.conn = real
    store.close()
    assert len(log(db)) == 1
    with Store.open(db) as again:
        assert [row.answers for row in again.drills()] == [1, 1]


def test_answers_waiting_count_against_the_daily_limits(db):
    from nqpf_tutor.core.settings import Settings

    store = Store.open(db, timeout=0.05)
    s = StudySession(cards(6), store, Settings(new_per_day=2), clock=Clock())
    lock = Lock(db)
    try:
        for _ in range(2):
            card = s.next_card()
            assert not s.answer(card, Rating.Easy).saved
        assert s.counts().new == 0  # two new cards answered today, though not saved yet
        assert s.next_card() is None
    finally:
        lock.release()
    assert store.writes.flush() == 2 and s.counts().new == 0
    store.close()
