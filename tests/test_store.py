"""The SQLite store: state and log, undo, renames, migrations, damaged files, locks, two writers."""

import os
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating

from nqpf_tutor.core.scheduler import CardState, Scheduler
from nqpf_tutor.core.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from nqpf_tutor.locations import Locations

UTC = timezone.utc
T0 = datetime(2025, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)
SCHED = Scheduler()


def answer(store: Store, deck: str, card: str, grade=Rating.Good, when=T0, mode="study") -> tuple[int, CardState]:
    with store.transaction():
        stored = store.get(deck, card)
        before = stored or CardState(deck, card, content_hash="h")
        after = SCHED.review(before, grade, when)
        store.put(after)
        return store.log_answer(stored, after, grade, mode, 1500, when), after


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "progress.sqlite3"


def test_open_creates_store_with_default_profile(db):
    with Store.open(db, now=T0) as s:
        assert s.notice is None
        assert s.profiles() == ["default"] and s.profile == "default"
        assert s.schema_version() == SCHEMA_VERSION
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert s.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: on disk at each commit
    assert db.exists()


def test_open_from_locations(tmp_path):
    loc = Locations.resolve(data_dir=tmp_path / "d", environ={})
    with Store.open(loc) as s:
        assert s.path == tmp_path / "d" / "progress.sqlite3"


def test_profiles_keep_separate_progress(db):
    with Store.open(db) as a:
        answer(a, "d", "c1")
    with Store.open(db, profile="ana") as b:
        assert b.get("d", "c1") is None
        assert b.profiles() == ["default", "ana"]
        answer(b, "d", "c2")
    with Store.open(db) as a:
        assert a.keys() == {("d", "c1")}
    with pytest.raises(StoreError, match="bad profile name"):
        Store.open(db, profile="bad\nname")


def test_state_round_trip_is_exact(db):
    s = replace(SCHED.review(CardState("d", "c", content_hash="abc"), Rating.Hard, T0),
                buried_until=T0 + timedelta(hours=3), edited=True, leech=True, suspended=True, lapses=9)
    with Store.open(db) as store:
        with store.transaction():
            store.put(s)
        assert store.get("d", "c") == s
        assert store.states() == [s]


def test_log_and_undo_restore_the_previous_state_exactly(db):
    with Store.open(db) as store:
        id1, s1 = answer(store, "d", "c", Rating.Good, T0)
        id2, s2 = answer(store, "d", "c", Rating.Good, T0 + timedelta(minutes=11))
        assert store.get("d", "c") == s2 and s2.reps == 2
        e = store.log_entry(id2)
        assert (e.grade, e.mode, e.queue, e.duration_ms, e.ts) == (3, "study", "learning", 1500, T0 + timedelta(minutes=11))
        assert e.state_before == s1 and e.state_after == s2
        assert store.undo(id2, T0 + timedelta(minutes=12)) == s1
        assert store.get("d", "c") == s1  # every field, times to the microsecond, floats to the bit
        with pytest.raises(StoreError, match="already undone"):
            store.undo(id2, T0)
        assert store.undo(id1, T0 + timedelta(minutes=13)) is None
        assert store.get("d", "c") is None  # the card was new: no state, as before
        # the log keeps everything: 2 answers and 2 undo rows; the reviews view counts none
        assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 4
        assert store.review_stats() == (0, 0)
        assert store.reviews() == []


def test_undo_refused_when_card_changed_since(db):
    with Store.open(db) as store:
        id1, _ = answer(store, "d", "c")
        answer(store, "d", "c", when=T0 + timedelta(minutes=20))
        with pytest.raises(StoreError, match="changed since"):
            store.undo(id1, T0)
        with pytest.raises(StoreError, match="nothing to undo"):
            store.undo(999, T0)


def test_review_log_is_append_only(db):
    with Store.open(db) as store:
        answer(store, "d", "c")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute("DELETE FROM review_log")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute("UPDATE review_log SET grade = 1")
        with pytest.raises(ValueError):
            answer(store, "d", "c", mode="cram")


def test_review_counts_and_retention(db):
    with Store.open(db) as store:
        answer(store, "d", "a", Rating.Again, T0)
        answer(store, "d", "b", Rating.Good, T0 + timedelta(hours=1))
        rid, _ = answer(store, "d", "c", Rating.Again, T0 + timedelta(hours=2))
        store.undo(rid, T0 + timedelta(hours=2))
        assert store.review_stats() == (2, 1)
        assert store.review_stats(since=T0 + timedelta(minutes=30)) == (1, 0)
        assert store.count_reviews_since(T0) == 2
        assert store.count_reviews_since(T0, queue="review") == 0
        assert store.count_first_seen_since(T0) == 2
        assert [r.card_id for r in store.reviews()] == ["a", "b"]


def test_rename_moves_state_and_history(db):
    with Store.open(db) as store:
        answer(store, "d", "old")
        answer(store, "d", "other")
        assert store.rename(("d", "old"), ("d", "new"))
        assert store.get("d", "old") is None and store.get("d", "new").reps == 1
        assert [r.card_id for r in store.reviews()] == ["new", "other"]
        assert not store.rename(("d", "new"), ("d", "other"))  # target has progress: nothing moved
        assert store.get("d", "new") is not None
        assert [s.uid for s in store.orphans(["d/other"])] == ["d/new"]


def test_due_queries_filter_order_and_limit(db):
    with Store.open(db) as store:
        with store.transaction():
            for i in range(100):
                store.put(CardState("d", f"c{i:03d}", state=2, step=None, stability=5.0, difficulty=5.0,
                                    due=T0 + timedelta(hours=i), reps=1))
            store.put(CardState("d", "susp", state=2, step=None, due=T0 - timedelta(days=9), reps=1, suspended=True))
            store.put(CardState("d", "buried", state=2, step=None, due=T0 - timedelta(days=9), reps=1,
                                buried_until=T0 + timedelta(days=1)))
            store.put(CardState("d", "new", state=2, due=T0 - timedelta(days=9), reps=0))
        got = [s.card_id for s in store.iter_due([2], T0 + timedelta(hours=50), T0)]
        assert got == [f"c{i:03d}" for i in range(50)]
        within = {("d", f"c{i:03d}") for i in range(0, 100, 7)}
        assert [s.card_id for s in store.iter_due([2], T0 + timedelta(hours=50), T0, within)] == [
            f"c{i:03d}" for i in range(0, 50, 7)
        ]
        assert store.count_due([2], T0 + timedelta(hours=50), T0) == 50
        assert store.count_due([2], T0 + timedelta(hours=50), T0, within, limit=3) == 3
        # the buried card comes back once its day is over
        assert "buried" in [s.card_id for s in store.iter_due([2], T0, T0 + timedelta(days=2))]


# --- migrations ----------------------------------------------------------------------------

# Frozen copies of every released schema, with data, written here by hand (never generated from
# MIGRATIONS): a migration edited after release, or one that loses data, fails these tests.
V1_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE card_state (
    profile_id INTEGER NOT NULL REFERENCES profiles(id), deck_id TEXT NOT NULL, card_id TEXT NOT NULL,
    content_hash TEXT NOT NULL DEFAULT '', state INTEGER NOT NULL, step INTEGER, stability REAL,
    difficulty REAL, due TEXT, last_review TEXT, reps INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0, suspended INTEGER NOT NULL DEFAULT 0, buried_until TEXT,
    leech INTEGER NOT NULL DEFAULT 0, edited INTEGER NOT NULL DEFAULT 0, first_seen TEXT,
    PRIMARY KEY (profile_id, deck_id, card_id)) WITHOUT ROWID;
CREATE INDEX card_state_due ON card_state (profile_id, state, due);
CREATE INDEX card_state_first_seen ON card_state (profile_id, first_seen);
CREATE TABLE review_log (
    id INTEGER PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id), deck_id TEXT NOT NULL,
    card_id TEXT NOT NULL, ts TEXT NOT NULL, grade INTEGER CHECK (grade BETWEEN 1 AND 4),
    mode TEXT NOT NULL CHECK (mode IN ('study', 'quiz', 'drill', 'undo')), queue TEXT, duration_ms INTEGER,
    state_before TEXT, state_after TEXT, undoes INTEGER REFERENCES review_log(id));
CREATE INDEX review_log_ts ON review_log (profile_id, ts);
CREATE INDEX review_log_card ON review_log (profile_id, deck_id, card_id);
CREATE UNIQUE INDEX review_log_undoes ON review_log (undoes) WHERE undoes IS NOT NULL;
CREATE TRIGGER review_log_no_delete BEFORE DELETE ON review_log
    BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END;
CREATE TRIGGER review_log_no_update
    BEFORE UPDATE OF id, profile_id, ts, grade, mode, queue, duration_ms, state_before, state_after, undoes
    ON review_log BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END;
CREATE VIEW reviews AS SELECT * FROM review_log AS r
    WHERE r.mode != 'undo' AND NOT EXISTS (SELECT 1 FROM review_log AS u WHERE u.undoes = r.id);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO profiles VALUES (1, 'default', '2025-01-01T00:00:00.000000Z'), (2, 'ana', '2025-01-02T00:00:00.000000Z');
INSERT INTO card_state VALUES
    (1, 'eras', 'steam', 'aaaa', 2, NULL, 12.5, 4.25, '2025-02-01T08:00:00.000000Z', '2025-01-20T08:00:00.000000Z',
     3, 1, 0, NULL, 0, 0, '2025-01-10T08:00:00.000000Z'),
    (2, 'eras', 'steam', 'aaaa', 1, 1, 2.3065, 2.1181, '2025-01-10T08:10:00.000000Z', '2025-01-10T08:00:00.000000Z',
     1, 0, 1, NULL, 0, 1, '2025-01-10T08:00:00.000000Z');
INSERT INTO review_log VALUES
    (1, 1, 'eras', 'steam', '2025-01-20T08:00:00.000000Z', 3, 'study', 'review', 4000,
     '{"state":2,"step":null,"reps":2}', '{"state":2,"step":null,"reps":3}', NULL),
    (2, 2, 'eras', 'steam', '2025-01-10T08:00:00.000000Z', 1, 'quiz', 'new', NULL, NULL, '{"reps":1}', NULL);
"""

V2_SQL = V1_SQL.replace("INSERT INTO meta VALUES ('schema_version', '1');", "") + """
CREATE TABLE drills (
    id TEXT PRIMARY KEY, profile_id INTEGER NOT NULL REFERENCES profiles(id), started TEXT NOT NULL,
    finished TEXT, seed INTEGER, config TEXT NOT NULL);
CREATE INDEX drills_started ON drills (profile_id, started);
CREATE TABLE drill_answers (
    drill_id TEXT NOT NULL REFERENCES drills(id), seq INTEGER NOT NULL, time TEXT NOT NULL,
    student TEXT NOT NULL, question_id TEXT NOT NULL, prompt TEXT NOT NULL, chosen TEXT NOT NULL,
    right_answer TEXT NOT NULL, correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
    timed_out INTEGER NOT NULL DEFAULT 0 CHECK (timed_out IN (0, 1)), seconds REAL NOT NULL,
    points REAL NOT NULL, PRIMARY KEY (drill_id, seq)) WITHOUT ROWID;
INSERT INTO meta VALUES ('schema_version', '2');
INSERT INTO drills VALUES
    ('20250301-090000-abcd', 1, '2025-03-01T09:00:00.000000Z', NULL, 42, '{"n": 5, "students": ["Ana", "Bo"]}');
INSERT INTO drill_answers VALUES
    ('20250301-090000-abcd', 1, '2025-03-01T09:00:05.000000Z', 'Ana', 'eras/steam', 'Power?', 'Coal', 'Coal',
     1, 0, 4.5, 1.0);
"""

V3_SQL = V2_SQL.replace("INSERT INTO meta VALUES ('schema_version', '2');", "").replace(
    "finished TEXT, seed INTEGER, config TEXT NOT NULL);",
    "finished TEXT, seed INTEGER, config TEXT NOT NULL, class_name TEXT);",
).replace("""42, '{"n": 5, "students": ["Ana", "Bo"]}');""", """42, '{"n": 5, "students": ["Ana", "Bo"]}', NULL);""") + """
CREATE INDEX drills_class ON drills (profile_id, class_name, started);
INSERT INTO meta VALUES ('schema_version', '3');
INSERT INTO drills VALUES
    ('20250302-090000-beef', 1, '2025-03-02T09:00:00.000000Z', '2025-03-02T09:05:00.000000Z', 7, '{"n": 1}', '9B');
"""
V4_SQL = V3_SQL.replace("INSERT INTO meta VALUES ('schema_version', '3');", "") + """
CREATE INDEX review_log_figures ON review_log (profile_id, ts, mode, grade, duration_ms, queue);
CREATE INDEX card_state_live ON card_state (profile_id, state, due, reps, suspended, buried_until);
INSERT INTO meta VALUES ('schema_version', '4');
"""

FIXTURES = {0: "", 1: V1_SQL, 2: V2_SQL, 3: V3_SQL, 4: V4_SQL}  # schema version -> SQL that builds a database at that version


def test_a_fixture_for_every_schema_version():
    assert set(FIXTURES) == set(range(SCHEMA_VERSION + 1))
    assert len(MIGRATIONS) == SCHEMA_VERSION


def _schema(conn):
    """Every table, index, trigger and view, as SQL with all whitespace removed."""
    return sorted("".join(r[0].split()) for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"))


@pytest.mark.parametrize("version", sorted(FIXTURES))
def test_migrates_from_every_earlier_version(tmp_path, version):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURES[version])
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        fresh = Store.open(tmp_path / "fresh" / "p.sqlite3")
        assert _schema(store.conn) == _schema(fresh.conn)  # same as a database made today
        fresh.close()
        if version >= 1:
            s = store.get("eras", "steam")
            assert (s.state, s.stability, s.difficulty, s.reps, s.lapses) == (2, 12.5, 4.25, 3, 1)
            assert s.due == datetime(2025, 2, 1, 8, tzinfo=UTC)
            assert store.review_stats() == (1, 0)
            assert store.log_entry(1).state_before.reps == 2
        if version >= 3:
            row, row3 = store.drills()
            assert (row3.id, row3.class_name, row.class_name) == ("20250302-090000-beef", "9B", None)
        if version == 2:
            (row,) = store.drills()
            assert row.class_name is None
        if version >= 2:
            assert (row.id, row.seed, row.finished, row.answers) == ("20250301-090000-abcd", 42, None, 1)
            assert row.config == {"n": 5, "students": ["Ana", "Bo"]}
            (a,) = store.drill_answers(row.id)
            assert (a["student"], a["chosen"], a["correct"], a["seconds"], a["points"]) == ("Ana", "Coal", True, 4.5, 1.0)
        else:
            assert store.drills() == []  # the drill tables are there, empty
    with Store.open(path, profile="ana") as ana:
        if version >= 1:
            assert ana.get("eras", "steam").edited and ana.get("eras", "steam").suspended
            assert ana.review_stats() == (1, 1)


def test_frozen_v1_matches_migration_1(tmp_path):
    frozen = sqlite3.connect(tmp_path / "a.sqlite3")
    frozen.executescript(V1_SQL)
    migrated = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    for statement in MIGRATIONS[0]:
        migrated.execute(statement)

    assert _schema(frozen) == _schema(migrated)


def test_frozen_v2_matches_migrations_1_and_2(tmp_path):
    frozen = sqlite3.connect(tmp_path / "a.sqlite3")
    frozen.executescript(V2_SQL)
    migrated = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    for statement in MIGRATIONS[0] + MIGRATIONS[1]:
        migrated.execute(statement)
    assert _schema(frozen) == _schema(migrated)


def test_frozen_v3_matches_migrations_1_to_3(tmp_path):
    frozen = sqlite3.connect(tmp_path / "a.sqlite3")
    frozen.executescript(V3_SQL)
    migrated = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    for statement in MIGRATIONS[0] + MIGRATIONS[1] + MIGRATIONS[2]:
        migrated.execute(statement)
    assert _schema(frozen) == _schema(migrated)


def test_frozen_v4_matches_migrations_1_to_4(tmp_path):
    frozen = sqlite3.connect(tmp_path / "a.sqlite3")
    frozen.executescript(V4_SQL)
    migrated = sqlite3.connect(tmp_path / "b.sqlite3", isolation_level=None)
    for statement in MIGRATIONS[0] + MIGRATIONS[1] + MIGRATIONS[2] + MIGRATIONS[3]:
        migrated.execute(statement)
    assert _schema(frozen) == _schema(migrated)


def test_newer_schema_is_refused_not_moved(db):
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer nqpf-tutor") as e:
        Store.open(db)
    assert "\n" not in str(e.value)
    assert db.exists() and not list(db.parent.glob("*.damaged-*"))


# --- damaged files ------------------------------------------------------------------------------


def _damaged_files(db):
    return sorted(p for p in db.parent.iterdir() if ".damaged-" in p.name)


def test_garbage_file_is_moved_aside_and_a_fresh_store_started(db):
    db.parent.mkdir(parents=True)
    garbage = os.urandom(5000)
    db.write_bytes(garbage)
    with Store.open(db, now=datetime(2025, 7, 1, 9, 30, tzinfo=UTC)) as store:
        moved = _damaged_files(db)
        assert [p.name for p in moved] == ["progress.sqlite3.damaged-20250701T093000Z"]
        assert moved[0].read_bytes() == garbage  # the bytes are kept
        assert store.notice == f"progress database was damaged: moved it to {moved[0]} and started a fresh one"
        answer(store, "d", "c")
        assert store.get("d", "c").reps == 1


def _store_with_data(db, n=400):
    with Store.open(db) as store:
        for i in range(n):
            answer(store, "deck", f"card-{i}", when=T0 + timedelta(seconds=i))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_truncated_database_is_moved_aside(db):
    _store_with_data(db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    with Store.open(db) as store:
        assert store.notice and "moved it to" in store.notice
        assert store.keys() == set()
    assert _damaged_files(db)[0].read_bytes() == data[: len(data) // 2]


def test_corrupt_page_is_moved_aside(db):
    _store_with_data(db)
    data = bytearray(db.read_bytes())
    page = 4096
    data[3 * page: 5 * page] = os.urandom(2 * page)  # two pages in the middle
    db.write_bytes(bytes(data))
    with Store.open(db) as store:
        assert store.notice is not None
    assert len(_damaged_files(db)) == 1


def test_wal_files_of_a_damaged_database_move_with_it(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(b"not a database at all" * 10)
    db.with_name(db.name + "-wal").write_bytes(b"old wal")
    with Store.open(db, now=T0) as store:
        assert store.notice
    names = sorted(p.name for p in _damaged_files(db))
    assert names == ["progress.sqlite3.damaged-20250501T100000Z", "progress.sqlite3.damaged-20250501T100000Z-wal"]


def test_a_foreign_sqlite_file_is_moved_aside(db):
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE something_else (x)")
    conn.commit()
    conn.close()
    with Store.open(db) as store:
        assert store.notice
    assert len(_damaged_files(db)) == 1


def test_damage_seen_while_running_is_reported_then_checked_next_time(db):
    """A "malformed" error while running is one line; the next start asks SQLite for a full
    check, and a file SQLite finds sound is kept with its progress (never set aside on a guess)."""
    with Store.open(db) as store:
        answer(store, "d", "c")
        err = sqlite3.DatabaseError("database disk image is malformed")

        class Broken:
            def execute(self, *a, **k):
                raise err

        real, store.conn = store.conn, Broken()
        with pytest.raises(StoreError, match="progress database is damaged"):
            store.get("d", "c")
        store.conn = real
    assert db.with_name(db.name + ".damaged").exists()
    with Store.open(db) as store:
        assert store.notice is None
        assert store.get("d", "c").reps == 1
    assert not db.with_name(db.name + ".damaged").exists() and not _damaged_files(db)


def test_damage_seen_while_running_and_real_is_moved_aside_next_time(db):
    _store_with_data(db)
    db.with_name(db.name + ".damaged").touch()
    data = bytearray(db.read_bytes())
    data[3 * 4096: 5 * 4096] = os.urandom(2 * 4096)
    db.write_bytes(bytes(data))
    with Store.open(db) as store:
        assert store.notice and "moved it to" in store.notice
    assert len(_damaged_files(db)) == 1


# --- locks and permissions ------------------------------------------------------------------------


def test_locked_database_gives_one_line(db):
    Store.open(db).close()
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("PRAGMA locking_mode = EXCLUSIVE")
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as e:
            Store.open(db, timeout=0.2)
        assert str(e.value) == f"database is locked by another program: {db}"
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_write_while_locked_gives_one_line(db):
    store = Store.open(db, timeout=0.2)
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="^database is locked by another program: "):
            answer(store, "d", "c")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    answer(store, "d", "c")  # and works once the other program lets go
    store.close()


def test_data_dir_that_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot use data dir") as e:
        Store.open(blocker / "sub" / "progress.sqlite3")
    assert "\n" not in str(e.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_data_dir(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(StoreError, match=f"cannot write to data dir {ro}: permission denied"):
            Store.open(ro / "progress.sqlite3")
    finally:
        ro.chmod(0o755)


def test_read_only_database_file_gives_one_line(db, monkeypatch):
    Store.open(db).close()
    # as root chmod cannot make the file read-only; SQLite's own read-only open gives the same error
    import nqpf_tutor.core.store as store_module

    real_connect = sqlite3.connect

    def ro_connect(path, *a, **k):
        return real_connect(f"file:{path}?mode=ro", *a, uri=True, **k)

    monkeypatch.setattr(store_module.sqlite3, "connect", ro_connect)
    with pytest.raises(StoreError) as e:
        with Store.open(db, profile="new-profile"):
            pass
    assert str(e.value) == f"cannot write to data dir {db.parent}: permission denied"


# --- two writers --------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from nqpf_tutor.core.model import Card
    from nqpf_tutor.core.session import StudySession
    from nqpf_tutor.core.store import Store
    path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store.open(path, timeout=30)
    shared = Card("d", "shared", "flip", "q", "a")
    mine = [Card("d", f"{name}-{i}", "flip", "q", "a") for i in range(n)]
    t0 = datetime(2025, 5, 1, tzinfo=timezone.utc)
    session = StudySession([shared, *mine], store, clock=lambda: t0)
    for i in range(n):
        session.answer(shared, 3)
        session.answer(mine[i], 3)
    print("done")
    """
)


def test_two_processes_writing_lose_no_update(db):
    Store.open(db).close()
    n = 150
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), name, str(n)], stdout=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and outs == ["done\n", "done\n"]
    with Store.open(db) as store:
        assert store.get("d", "shared").reps == 2 * n  # each answer built on the other's
        assert store.review_stats() == (4 * n, 0)
        assert len(store.keys()) == 2 * n + 1
        reps = [e.state_after.reps for e in map(store.log_entry, range(1, 4 * n + 1)) if e.card_id == "shared"]
        assert sorted(reps) == list(range(1, 2 * n + 1))
