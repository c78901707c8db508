"""Progress in SQLite (standard library) in the data dir.

- One ``Store`` per open database and profile. Writes happen inside ``store.transaction()``
  (``BEGIN IMMEDIATE`` ... ``COMMIT``): an answer is committed before the next card is shown, so
  a crash (even ``kill -9``) loses nothing that was answered.
- WAL mode and a busy timeout: two copies of the app on one data dir both work; each write
  reads the card's current state inside its own transaction, so no update is lost.
- ``review_log`` is append-only (triggers refuse deletes and edits; the one exception is the
  card id, which follows a renamed card). Undo appends a row (``mode = 'undo'``) pointing at
  the review it takes back; the ``reviews`` view holds the reviews that still count.
- The schema has a version (``meta.schema_version``) and a list of migrations.
- A file that SQLite itself finds damaged (``PRAGMA quick_check``, or "malformed" / "not a
  database" while reading) is moved aside with a timestamped name (bytes kept) and a fresh store
  is started; ``Store.notice`` holds the one line to show the user. The file's size is never
  taken as a sign of damage (after a checkpoint cut short the pages are still in the WAL), and
  nothing is moved aside while the disk is full or another program holds the file: that is one
  line instead. Metadata that makes no sense (a ``schema_version`` that is not a number, a
  missing table, a folder where the file should be) is one line too, the file left as it is.
- Failures reach users as ``StoreError``: one line, never a traceback. ``StoreUnavailable`` (a
  kind of ``StoreError``) is a store that cannot take a write now (locked, disk full,
  read-only, I/O error): keep what was to be written and try again later (``core/learning/outbox``).
"""

from __future__ import annotations

import functools
import heapq
import json
import os
import shutil
import sqlite3
import stat
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Container, Iterable, Iterator, Sequence, TypeVar

from nqpf_tutor.core.scheduler import CardState, parse_ts, ts, utc_now
from nqpf_tutor.errors import NqpfError

SCHEMA_VERSION = 4
MODES = ("study", "quiz", "drill")
DEFAULT_PROFILE = "default"
#: Seconds to wait for another copy of the app to finish a write before giving up.
BUSY_TIMEOUT = 5.0


class StoreError(NqpfError):
    """The progress database cannot be used: locked, read-only, damaged, too new."""


class StoreUnavailable(StoreError):
    """The store cannot take a write now (locked, disk full, read-only, I/O error, damaged):
    nothing was written; the same write can be tried again later."""


class _Damaged(Exception):
    """The file is not a (readable) nqpf-tutor database."""


# --- schema ---------------------------------------------------------------------------------

#: MIGRATIONS[i] takes a database from schema version i to i + 1 (version 0: no tables yet).
#: Add a step at the end, never edit a released one; tests/test_store.py keeps a frozen copy
#: of every earlier version and migrates each to the current one.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE profiles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL)",
        """CREATE TABLE card_state (
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            content_hash TEXT NOT NULL DEFAULT '',
            state INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT,
            last_review TEXT,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            suspended INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            leech INTEGER NOT NULL DEFAULT 0,
            edited INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT,
            PRIMARY KEY (profile_id, deck_id, card_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX card_state_due ON card_state (profile_id, state, due)",
        "CREATE INDEX card_state_first_seen ON card_state (profile_id, first_seen)",
        """CREATE TABLE review_log (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            ts TEXT NOT NULL,
            grade INTEGER CHECK (grade BETWEEN 1 AND 4),
            mode TEXT NOT NULL CHECK (mode IN ('study', 'quiz', 'drill', 'undo')),
            queue TEXT,
            duration_ms INTEGER,
            state_before TEXT,
            state_after TEXT,
            undoes INTEGER REFERENCES review_log(id)
        )""",
        "CREATE INDEX review_log_ts ON review_log (profile_id, ts)",
        "CREATE INDEX review_log_card ON review_log (profile_id, deck_id, card_id)",
        "CREATE UNIQUE INDEX review_log_undoes ON review_log (undoes) WHERE undoes IS NOT NULL",
        """CREATE TRIGGER review_log_no_delete BEFORE DELETE ON review_log
           BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END""",
        """CREATE TRIGGER review_log_no_update
           BEFORE UPDATE OF id, profile_id, ts, grade, mode, queue, duration_ms, state_before, state_after, undoes
           ON review_log BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END""",
        """CREATE VIEW reviews AS
           SELECT * FROM review_log AS r
           WHERE r.mode != 'undo' AND NOT EXISTS (SELECT 1 FROM review_log AS u WHERE u.undoes = r.id)""",
    ),
    # 2: classroom drills and every answer given in them (drills never touch card_state/review_log).
    (
        """CREATE TABLE drills (
            id TEXT PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles(id),
            started TEXT NOT NULL,
            finished TEXT,
            seed INTEGER,
            config TEXT NOT NULL
        )""",
        "CREATE INDEX drills_started ON drills (profile_id, started)",
        """CREATE TABLE drill_answers (
            drill_id TEXT NOT NULL REFERENCES drills(id),
            seq INTEGER NOT NULL,
            time TEXT NOT NULL,
            student TEXT NOT NULL,
            question_id TEXT NOT NULL,
            prompt TEXT NOT NULL,
            chosen TEXT NOT NULL,
            right_answer TEXT NOT NULL,
            correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
            timed_out INTEGER NOT NULL DEFAULT 0 CHECK (timed_out IN (0, 1)),
            seconds REAL NOT NULL,
            points REAL NOT NULL,
            PRIMARY KEY (drill_id, seq)
        ) WITHOUT ROWID""",
    ),
    # 3: the class a drill (or live game) was run with (``--class``), for the class report.
    (
        "ALTER TABLE drills ADD COLUMN class_name TEXT",
        "CREATE INDEX drills_class ON drills (profile_id, class_name, started)",
    ),
    # 4: counts and statistics in SQL at 100k cards / 1M reviews (issue 17). The review log's
    # figures (per day: answers, Again answers, time) read from an index that covers them, never
    # from the rows (which carry the JSON state snapshots); due counts read an index that covers
    # every column their filter needs.
    (
        "CREATE INDEX review_log_figures ON review_log (profile_id, ts, mode, grade, duration_ms, queue)",
        "CREATE INDEX card_state_live ON card_state (profile_id, state, due, reps, suspended, buried_until)",
    ),
]
assert len(MIGRATIONS) == SCHEMA_VERSION

_STATE_COLUMNS = (
    "deck_id, card_id, content_hash, state, step, stability, difficulty, due, last_review, "
    "reps, lapses, suspended, buried_until, leech, edited, first_seen"
)


def _state_from_row(r: Sequence[Any]) -> CardState:
    return CardState(
        deck_id=r[0], card_id=r[1], content_hash=r[2], state=r[3], step=r[4], stability=r[5],
        difficulty=r[6], due=parse_ts(r[7]), last_review=parse_ts(r[8]), reps=r[9], lapses=r[10],
        suspended=bool(r[11]), buried_until=parse_ts(r[12]), leech=bool(r[13]), edited=bool(r[14]),
        first_seen=parse_ts(r[15]),
    )


def _state_params(profile_id: int, s: CardState) -> tuple:
    return (
        profile_id, s.deck_id, s.card_id, s.content_hash, s.state, s.step, s.stability, s.difficulty,
        ts(s.due), ts(s.last_review), s.reps, s.lapses, int(s.suspended), ts(s.buried_until),
        int(s.leech), int(s.edited), ts(s.first_seen),
    )


_DEFAULTS = CardState("", "").to_dict()


def state_json(s: CardState | None) -> str | None:
    """A state for the review log: compact (no ids, no default values), exact."""
    if s is None:
        return None
    d = {k: v for k, v in s.to_dict().items() if k not in ("deck_id", "card_id") and v != _DEFAULTS[k]}
    return json.dumps(d, separators=(",", ":"))


def state_from_json(text: str | None, deck_id: str, card_id: str) -> CardState | None:
    if text is None:
        return None
    d = dict(_DEFAULTS)
    d.update(json.loads(text))
    d["deck_id"], d["card_id"] = deck_id, card_id
    return CardState.from_dict(d)


@dataclass(frozen=True)
class DrillRow:
    """One drill as stored: ``config`` is the JSON object the drill was started with."""

    id: str
    started: datetime
    finished: datetime | None
    seed: int | None
    config: dict[str, Any]
    answers: int  # answers saved so far
    class_name: str | None = None  # the class it was run with (--class), if any


#: Columns of ``drill_answers`` in the order ``drill_answers()`` gives them (as dict keys).
DRILL_ANSWER_COLUMNS = (
    "drill_id", "seq", "time", "student", "question_id", "prompt", "chosen", "right_answer",
    "correct", "timed_out", "seconds", "points",
)


def _drill_answer(r: Sequence[Any]) -> dict[str, Any]:
    """A ``drill_answers`` row (``DRILL_ANSWER_COLUMNS``) as the dict the store's readers give."""
    d = dict(zip(DRILL_ANSWER_COLUMNS, r))
    d["time"] = parse_ts(d["time"])
    d["correct"], d["timed_out"] = bool(d["correct"]), bool(d["timed_out"])
    return d


@dataclass(frozen=True)
class LogEntry:
    """One review-log row (an answer, or an undo of one)."""

    id: int
    deck_id: str
    card_id: str
    ts: datetime
    grade: int | None
    mode: str
    queue: str | None
    duration_ms: int | None
    state_before: CardState | None
    state_after: CardState | None
    undoes: int | None


# --- errors -----------------------------------------------------------------------------------

T = TypeVar("T")


def _is_damage(e: sqlite3.Error) -> bool:
    msg = str(e).lower()
    return isinstance(e, sqlite3.DatabaseError) and ("malformed" in msg or "not a database" in msg)


def _user_error(e: sqlite3.Error, path: Path) -> StoreError:
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return StoreUnavailable(f"database is locked by another program: {path}")
    if "readonly" in msg or "read-only" in msg or "permission" in msg:
        return StoreUnavailable(f"cannot write to data dir {path.parent}: permission denied")
    if "disk is full" in msg or "disk full" in msg:
        return StoreUnavailable(f"the disk is full: cannot write {path}")
    if _is_damage(e):
        return StoreUnavailable(
            f"progress database is damaged: {path} (it is checked, and moved aside if SQLite finds it damaged, "
            "when nqpf-tutor next starts)")
    if "unable to open" in msg:
        return StoreUnavailable(f"cannot open progress database {path}")
    if "disk i/o" in msg or "i/o error" in msg:
        return StoreUnavailable(f"cannot read or write progress database {path}: disk I/O error")
    return StoreError(f"progress database {path}: {e}")


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn sqlite3 errors into one-line ``StoreError``s; a damaged file is remembered."""

    @functools.wraps(method)
    def wrapper(self: "Store", *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as e:
            if _is_damage(e):
                _mark_damaged(self.path)
            raise _user_error(e, self.path) from None

    return wrapper


def _damage_marker(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def _mark_damaged(path: Path) -> None:
    """Damage seen while running: the next ``Store.open`` checks the whole file (and moves it
    aside only if SQLite finds it damaged)."""
    try:
        _damage_marker(path).touch()
    except OSError:
        pass


# --- opening ------------------------------------------------------------------------------------


def _check_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"cannot use data dir {directory}: it is not a folder") from None
    except PermissionError:
        raise StoreError(f"cannot write to data dir {directory}: permission denied") from None
    except NotADirectoryError:
        raise StoreError(f"cannot use data dir {directory}: part of that path is a file") from None
    except OSError as e:
        raise StoreError(f"cannot use data dir {directory}: {e.strerror or e}") from None
    if not directory.is_dir():
        raise StoreError(f"cannot use data dir {directory}: it is not a folder")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write to data dir {directory}: permission denied")


def _check_file(path: Path) -> None:
    """The database path is a regular file (or nothing yet): a folder, a FIFO or a device is one line."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    except OSError as e:
        raise StoreError(f"cannot use progress database {path}: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise StoreError(f"cannot use progress database {path}: it is a folder, not a file (move it away)")
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(f"cannot use progress database {path}: it is not a regular file (move it away)")


#: Less free space than this on the data dir's disk: the disk is full (nothing is moved aside).
MIN_FREE_BYTES = 1024 * 1024
SQLITE_HEADER = b"SQLite format 3\x00"


def _not_sqlite(path: Path) -> bool:
    """A non-empty file without SQLite's magic header (SQLite would say "not a database"; it is
    not opened, so SQLite touches neither it nor a -wal file beside it)."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError:
        return False
    return head != b"" and head != SQLITE_HEADER


def _disk_free(directory: Path) -> int:
    """Bytes free for us on the disk holding ``directory`` (tests replace this to fake a full disk)."""
    return shutil.disk_usage(directory).free


def _check_can_move_aside(path: Path, reason: str) -> None:
    """Refuse (one line) to set a file aside while the disk is full or another program holds it:
    what looks like damage may then be the full disk, and the other program still uses the file."""
    try:
        full = _disk_free(path.parent) < MIN_FREE_BYTES
    except OSError:
        full = False
    if full:
        raise StoreError(
            f"progress database {path} could not be checked ({reason}) and the disk is full: "
            "free some space and start nqpf-tutor again (the file is left as it is)")
    if _in_use(path):
        raise StoreError(
            f"progress database {path} looks damaged ({reason}) but another program is using it: "
            "close it and start nqpf-tutor again (the file is left as it is)")


def _in_use(path: Path) -> bool:
    """Another connection (of any program, this one too) holds a write lock on the database, or
    another process has it open (a lock of its in /proc/locks on the file or its -shm)."""
    probe = None
    if not _not_sqlite(path):  # (SQLite would drop the -wal beside a file that is not a database)
        try:
            probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        except sqlite3.Error:
            pass
    if probe is not None:
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.Error as e:
            if "locked" in str(e).lower() or "busy" in str(e).lower():
                return True
        finally:
            probe.close()
    return _locked_by_other_process(path)


def _locked_by_other_process(path: Path) -> bool:
    """Linux: a POSIX lock of another process on the file or its -shm (SQLite holds one for as
    long as it has the database open). Read from /proc/locks, so no file descriptor of ours is
    opened and closed on the database (which would drop this process's own SQLite locks)."""
    ids = set()
    for p in (path, path.with_name(path.name + "-shm")):
        try:
            st = p.stat()
        except OSError:
            continue
        ids.add((os.major(st.st_dev), os.minor(st.st_dev), st.st_ino))
    if not ids:
        return False
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    me = os.getpid()
    for line in lines:
        parts = line.split()
        if "->" in parts:  # a waiter: "1: -> POSIX ..."
            parts.remove("->")
        try:
            pid, dev = int(parts[4]), parts[5].split(":")
            key = (int(dev[0], 16), int(dev[1], 16), int(dev[2]))
        except (IndexError, ValueError):
            continue
        if key in ids and pid != me:
            return True
    return False


#: Files up to this size get a full ``PRAGMA quick_check`` on open; larger ones a check of the
#: tables the app needs to start (a damaged review log is then found when read).
FULL_CHECK_BYTES = 64 * 1024 * 1024


def move_aside(path: Path, now: datetime) -> Path:
    """Rename a damaged database (and its -wal/-shm files) to ``<name>.damaged-<UTC time>``."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    if path.exists():
        os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.replace(extra, target.with_name(target.name + suffix))
    _damage_marker(path).unlink(missing_ok=True)
    return target


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # FULL: each commit is on disk (fsync) before it returns, so an answer survives even an
        # OS crash or power cut, not only the app being killed (NORMAL would be enough for that).
        conn.execute("PRAGMA synchronous = FULL")
        # No checkpoint inside a commit (an answer would wait on it): see Store.checkpoint_in_background.
        conn.execute("PRAGMA wal_autocheckpoint = 0")
    except BaseException:
        conn.close()
        raise
    return conn


def _checkpoint(path: Path) -> None:
    try:
        conn = sqlite3.connect(path, timeout=1.0, isolation_level=None)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        pass  # the next one, or closing the store, checkpoints instead


def _schema_version(conn: sqlite3.Connection) -> int:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}
    if not names:
        return 0
    if "meta" not in names:
        raise _Damaged("not an nqpf-tutor database")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise _BadMeta("has no schema_version")
    text = str(row[0]).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise _BadMeta(f"has a schema_version that is not a whole number ({row[0]!r:.40})")
    return int(text)


class _BadMeta(Exception):
    """The database is ours (it has a meta table) but its metadata makes no sense."""


#: The tables each schema version has (checked on open: a missing one is one line, not a crash later).
_TABLES = {1: {"meta", "profiles", "card_state", "review_log"}, 2: {"drills", "drill_answers"}}


def _check_tables(conn: sqlite3.Connection, path: Path | str) -> None:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for version in range(1, SCHEMA_VERSION + 1):
        missing = sorted(_TABLES.get(version, set()) - names)
        if missing:
            raise StoreError(
                f"progress database {path} is missing its {missing[0]} table (schema {SCHEMA_VERSION}): "
                "move the file away to start afresh")


def migrate(conn: sqlite3.Connection, path: Path | str = "database") -> tuple[int, int]:
    """Bring the schema to ``SCHEMA_VERSION`` in one transaction; returns (from, to)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        try:
            start = _schema_version(conn)
        except _BadMeta as e:
            raise StoreError(f"progress database {path} {e}: move the file away to start afresh") from None
        if start > SCHEMA_VERSION:
            raise StoreError(
                f"progress database {path} is from a newer nqpf-tutor (schema {start}; "
                f"this one knows up to {SCHEMA_VERSION}): please upgrade nqpf-tutor"
            )
        for version in range(start, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        _check_tables(conn, path)
        if start != SCHEMA_VERSION:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return start, SCHEMA_VERSION


def _check_profile_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 64 or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise StoreError(f"bad profile name {name!r}: use 1 to 64 printable characters")
    return name.strip()


class Store:
    """Progress of one profile in one SQLite file. Use ``Store.open``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, profile: str, profile_id: int, notice: str | None):
        self.conn = conn
        self.path = path
        self.profile = profile
        self.profile_id = profile_id
        #: One line for the user when the store had to be reset (a damaged file moved aside).
        self.notice = notice
        self._depth = 0
        self.timeout = BUSY_TIMEOUT
        self._writes = None
        #: The last transaction's COMMIT reported an error (it may have gone through all the same).
        self.commit_failed = False

    @property
    def writes(self):
        """This store's one ``Outbox``: writes it cannot take now wait there, in order."""
        if self._writes is None:
            from nqpf_tutor.core.learning.outbox import Outbox

            self._writes = Outbox(self)
        return self._writes

    @contextmanager
    def busy_timeout(self, seconds: float) -> Iterator[None]:
        """Wait at most ``seconds`` for another program's lock inside this block (retries are short)."""
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")
        except sqlite3.Error:
            pass
        try:
            yield
        finally:
            try:
                self.conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            except sqlite3.Error:
                pass

    @classmethod
    def open(
        cls,
        where: Any,
        profile: str = DEFAULT_PROFILE,
        *,
        timeout: float | None = None,
        now: datetime | None = None,
    ) -> "Store":
        """Open (creating, migrating or replacing a damaged one) the progress database.

        ``where``: a ``Locations`` (its ``db_path``) or the database file's path.
        """
        path = Path(getattr(where, "db_path", where)).expanduser()
        timeout = BUSY_TIMEOUT if timeout is None else timeout
        profile = _check_profile_name(profile)
        _check_dir(path.parent)
        _check_file(path)
        notice = None
        try:
            conn = cls._open_checked(path, timeout)
        except _Damaged as damage:
            _check_can_move_aside(path, str(damage))
            try:
                moved = move_aside(path, now or utc_now())
            except OSError as e:
                raise StoreError(f"progress database {path} is damaged and cannot be moved aside: {e.strerror or e}") from None
            notice = f"progress database was damaged: moved it to {moved} and started a fresh one"
            try:
                conn = cls._open_checked(path, timeout)
            except _Damaged:  # pragma: no cover - a fresh file is never damaged
                raise StoreError(f"cannot create a progress database at {path}") from None
        except sqlite3.Error as e:
            raise _user_error(e, path) from None
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR IGNORE INTO profiles (name, created) VALUES (?, ?)", (profile, ts(now or utc_now()))
            )
            profile_id = conn.execute("SELECT id FROM profiles WHERE name = ?", (profile,)).fetchone()[0]
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            conn.close()
            raise _user_error(e, path) from None
        store = cls(conn, path, profile, profile_id, notice)
        store.timeout = timeout
        return store

    @staticmethod
    def _open_checked(path: Path, timeout: float) -> sqlite3.Connection:
        # SQLite is asked (it reads pages from the WAL too); the file's size is no sign of damage.
        marked = _damage_marker(path).exists()
        if _not_sqlite(path):
            raise _Damaged("not an SQLite file")
        try:
            conn = _connect(path, timeout)
        except sqlite3.Error as e:
            if _is_damage(e):
                raise _Damaged(str(e)) from None
            raise
        try:
            small = marked or not path.exists() or path.stat().st_size <= FULL_CHECK_BYTES
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            checks = [""] if small else [f"({t})" for t in ("meta", "profiles", "card_state") if t in names]
            for check in checks:
                row = conn.execute(f"PRAGMA quick_check{check}").fetchone()
                if row is None or row[0] != "ok":
                    raise _Damaged("quick_check: " + (str(row[0]).splitlines()[0] if row and row[0] else "no answer")[:120])
            migrate(conn, path)
            if marked:
                _damage_marker(path).unlink(missing_ok=True)  # SQLite finds it sound: nothing to move
        except sqlite3.Error as e:
            conn.close()
            if _is_damage(e):
                raise _Damaged(str(e)) from None
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        self.conn.close()

    def reader(self) -> "Store":
        """Another connection to the same database and profile, for work in a background thread
        (statistics, reloading decks): a connection is never used by two threads at once, and a
        worker waiting on a lock leaves the app's own connection free. Close it when done."""
        try:
            conn = _connect(self.path, BUSY_TIMEOUT)
        except sqlite3.Error as e:
            raise _user_error(e, self.path) from None
        return Store(conn, self.path, self.profile, self.profile_id, None)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- transactions -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """One write transaction (``BEGIN IMMEDIATE``), committed on leaving; nested uses join it."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self.commit_failed = False
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise _user_error(e, self.path) from None
        self._depth = 1
        try:
            yield self
        except BaseException as exc:
            self._depth = 0
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            if isinstance(exc, sqlite3.Error):
                if _is_damage(exc):
                    _mark_damaged(self.path)
                raise _user_error(exc, self.path) from None
            raise
        self._depth = 0
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            self.commit_failed = True  # the one error after which the write may be on disk after all
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise _user_error(e, self.path) from None
        self._after_commit()

    # --- WAL checkpoints off the answer path (issue 17) -----------------------------------------

    #: Commits between two checkpoints (SQLite's own would run inside a commit every ~1000 pages,
    #: stalling that answer for a few hundred ms; here they run in a background thread).
    CHECKPOINT_EVERY = 100

    def _after_commit(self) -> None:
        n = self.__dict__.get("_commits", 0) + 1
        self.__dict__["_commits"] = n
        if n % self.CHECKPOINT_EVERY == 0:
            self.checkpoint_in_background()

    def checkpoint_in_background(self) -> threading.Thread | None:
        """A PASSIVE checkpoint (it never takes the write lock, so no answer waits on it) on a
        connection of its own in a daemon thread; None when one is still running."""
        running = self.__dict__.get("_checkpointer")
        if running is not None and running.is_alive():
            return None
        thread = threading.Thread(target=_checkpoint, args=(self.path,), name="nqpf-checkpoint", daemon=True)
        self.__dict__["_checkpointer"] = thread
        thread.start()
        return thread

    # --- profiles -------------------------------------------------------------------------------

    @_guarded
    def profiles(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM profiles ORDER BY id")]

    @_guarded
    def schema_version(self) -> int:
        return _schema_version(self.conn)

    # --- card state -------------------------------------------------------------------------------

    @_guarded
    def get(self, deck_id: str, card_id: str) -> CardState | None:
        row = self.conn.execute(
            f"SELECT {_STATE_COLUMNS} FROM card_state WHERE profile_id = ? AND deck_id = ? AND card_id = ?",
            (self.profile_id, deck_id, card_id),
        ).fetchone()
        return None if row is None else _state_from_row(row)

    @_guarded
    def states(self) -> list[CardState]:
        """Every card state of this profile."""
        rows = self.conn.execute(f"SELECT {_STATE_COLUMNS} FROM card_state WHERE profile_id = ?", (self.profile_id,))
        return [_state_from_row(r) for r in rows]

    @_guarded
    def keys(self, answered: bool = False) -> set[tuple[str, str]]:
        """(deck id, card id) of every stored state; only of cards answered at least once if ``answered``."""
        sql = "SELECT deck_id, card_id FROM card_state WHERE profile_id = ?" + (" AND reps > 0" if answered else "")
        return {(r[0], r[1]) for r in self.conn.execute(sql, (self.profile_id,))}

    @_guarded
    def review_due_between(self, low: datetime, high: datetime) -> dict[tuple[str, str], datetime]:
        """Cards in review (answered, not suspended) due in [``low``, ``high``): key -> when."""
        rows = self.conn.execute(
            "SELECT deck_id, card_id, due FROM card_state WHERE profile_id = ? AND reps > 0 AND NOT suspended "
            "AND state = 2 AND due >= ? AND due < ?", (self.profile_id, ts(low), ts(high)))  # 2: fsrs State.Review
        return {(r[0], r[1]): parse_ts(r[2]) for r in rows}

    @_guarded
    def put(self, state: CardState) -> None:
        """Write a card state (inside ``transaction()`` when part of a larger change)."""
        self.conn.execute(
            f"INSERT OR REPLACE INTO card_state (profile_id, {_STATE_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _state_params(self.profile_id, state),
        )

    @_guarded
    def delete_state(self, deck_id: str, card_id: str) -> None:
        self.conn.execute(
            "DELETE FROM card_state WHERE profile_id = ? AND deck_id = ? AND card_id = ?",
            (self.profile_id, deck_id, card_id),
        )

    @_guarded
    def _page(self, sql: str, params: tuple) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    def _due_rows(self, state: int, before: str, now: str) -> Iterator[Any]:
        # Pages are read whole and grow (16, 64, ...): no statement is left open between them,
        # since an open read pins an old snapshot and a later write here would then fail (WAL).
        offset, page = 0, 16
        while True:
            rows = self._page(
                f"SELECT {_STATE_COLUMNS} FROM card_state WHERE profile_id = ? AND state = ? AND due < ? "
                "AND reps > 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= ?) "
                "ORDER BY due, deck_id, card_id LIMIT ? OFFSET ?",
                (self.profile_id, state, before, now, page, offset),
            )
            yield from rows
            if len(rows) < page:
                return
            offset += page
            page = min(page * 4, 4096)

    def _due(self, states: Sequence[int], before: datetime, now: datetime, within: Container | None) -> Iterator[Any]:
        streams = [self._due_rows(s, ts(before), ts(now)) for s in states]  # type: ignore[arg-type]
        rows = streams[0] if len(streams) == 1 else heapq.merge(*streams, key=lambda r: (r[7], r[0], r[1]))
        if within is None:
            return rows
        return (r for r in rows if (r[0], r[1]) in within)

    def iter_due(
        self, states: Sequence[int], before: datetime, now: datetime, within: Container | None = None
    ) -> Iterator[CardState]:
        """Answered, unsuspended, unburied cards in the given py-fsrs states due before
        ``before``, most overdue first; only keys in ``within`` when given. Lazy: stop when
        you have enough."""
        return map(_state_from_row, self._due(states, before, now, within))

    @_guarded
    def count_due(
        self, states: Sequence[int], before: datetime, now: datetime, within: Container | None = None,
        limit: int | None = None,
    ) -> int:
        """How many cards ``iter_due`` would give (at most ``limit``)."""
        marks = ",".join("?" * len(states))
        cur = self.conn.execute(
            f"SELECT deck_id, card_id FROM card_state WHERE profile_id = ? AND state IN ({marks}) AND due < ? "
            "AND reps > 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= ?)",
            (self.profile_id, *states, ts(before), ts(now)),
        )
        count = 0
        try:
            while limit is None or count < limit:
                rows = cur.fetchmany(256)
                if not rows:
                    break
                count += len(rows) if within is None else sum(1 for k in rows if k in within)
        finally:
            cur.close()  # no read left open (see _due_rows)
        return count if limit is None else min(count, limit)

    @_guarded
    def count_first_seen_since(self, since: datetime) -> int:
        """Cards answered for the first time since ``since`` (new cards introduced today)."""
        return self.conn.execute(
            "SELECT count(*) FROM card_state WHERE profile_id = ? AND first_seen >= ?", (self.profile_id, ts(since))
        ).fetchone()[0]

    @_guarded
    def count_first_seen_by_deck(self, since: datetime) -> dict[str, int]:
        """Per deck id: cards answered for the first time since ``since`` (for per-deck new limits)."""
        rows = self.conn.execute(
            "SELECT deck_id, count(*) FROM card_state WHERE profile_id = ? AND first_seen >= ? GROUP BY deck_id",
            (self.profile_id, ts(since)),
        )
        return {deck: n for deck, n in rows}

    @_guarded
    def count_reviews_since(self, since: datetime, queue: str | None = None) -> int:
        """Answers since ``since`` that still count (not undone), optionally from one queue."""
        sql = "SELECT count(*) FROM reviews WHERE profile_id = ? AND ts >= ?"
        params: tuple = (self.profile_id, ts(since))
        if queue is not None:
            sql += " AND queue = ?"
            params += (queue,)
        return self.conn.execute(sql, params).fetchone()[0]

    #: Appended to a stored hash whose card was never answered (reps 0) in ``content_marks``.
    NEVER_ANSWERED = "\x1e"

    @_guarded
    def content_marks(self) -> dict[str, dict[str, str]]:
        """{deck id: {card id: mark}} of every stored state, nothing parsed (``sync_catalog`` at
        start-up, issue 17): the mark is the stored content hash, followed by ``NEVER_ANSWERED``
        when the card has no answer, so one string comparison with a card's hash tells whether
        it needs a look. One string per deck made by SQLite and split in C: no Python tuple per
        row (100k states: 0.13 s -> 0.05 s). Card ids are slugs; a deck whose stored ids hold
        the separator is read row by row."""
        marks: dict[str, dict[str, str]] = {}
        rows = self.conn.execute(
            "SELECT deck_id, count(*), group_concat(card_id || char(31) || content_hash "
            "|| CASE WHEN reps > 0 THEN '' ELSE char(30) END, char(31)) "
            "FROM card_state WHERE profile_id = ? GROUP BY deck_id",  # the primary key's order: no sort
            (self.profile_id,),
        ).fetchall()
        for deck_id, n, text in rows:
            parts = text.split("\x1f")
            if len(parts) == 2 * n:
                marks[deck_id] = dict(zip(parts[0::2], parts[1::2]))
            else:
                marks[deck_id] = {r[0]: r[1] + ("" if r[2] > 0 else self.NEVER_ANSWERED) for r in self.conn.execute(
                    "SELECT card_id, content_hash, reps FROM card_state WHERE profile_id = ? AND deck_id = ?",
                    (self.profile_id, deck_id))}
        self.__dict__["_hashes_memo"] = (self.data_version(), marks)  # for answered_keys, once
        return marks

    def answered_keys(self) -> set[tuple[str, str]]:
        """``keys(answered=True)``; right after ``content_marks`` (start-up: sync, then the
        study session) from what that read, when nothing was written since."""
        memo = self.__dict__.pop("_hashes_memo", None)
        if memo is not None and memo[0] == self.data_version():
            cut = self.NEVER_ANSWERED
            return {(d, c) for d, m in memo[1].items() for c, v in m.items() if not v.endswith(cut)}
        return self.keys(answered=True)

    #: ``flagged_keys``' tables and conditions (fixed text: no value of the caller's goes into
    #: SQL). ``due`` walks the ``card_state_live`` index by state and due (the three states are
    #: every state py-fsrs has), reading only the due rows from it: 100k cards, 7 ms, not 17.
    _FLAGS = {
        "answered": ("card_state", "reps > 0"),
        "suspended": ("card_state", "suspended = 1"),
        "leech": ("card_state", "leech = 1"),
        "due": ("card_state INDEXED BY card_state_live",
                "state IN (1, 2, 3) AND due <= :now AND reps > 0 AND suspended = 0"),
    }

    @_guarded
    def flagged_keys(self, flag: str, now: datetime | None = None) -> set[str]:
        """The card uids (``deck/card``, as ``Card.uid``) of the stored states with ``flag``:
        answered (reps > 0), suspended, leech, or due (answered, not suspended, due at or before
        ``now``): the browser's ``is:`` filters and custom study in SQL at 100k cards, no state
        parsed (issue 17). One string, split in C (ids that hold the separator are read row by
        row)."""
        table, condition = self._FLAGS[flag]
        where = f"profile_id = :p AND {condition}"
        params = {"p": self.profile_id, "now": None if now is None else ts(now)}
        n, text = self.conn.execute(
            f"SELECT count(*), group_concat(deck_id || '/' || card_id, char(31)) FROM {table} WHERE {where}",
            params,
        ).fetchone()
        uids = set(text.split("\x1f")) if text else set()
        if len(uids) != n:
            uids = {f"{d}/{c}" for d, c in self.conn.execute(
                f"SELECT deck_id, card_id FROM {table} WHERE {where}", params)}
        return uids

    # --- counting in SQL over a set of card keys (issue 17: counts at 100k cards) -------------

    def key_table(self, owner: object, keys: Callable[[], Iterable[tuple[str, str]]]) -> str:
        """A temporary table of (deck id, card id) holding ``keys()``, filled once per ``owner``
        (by identity: a session's card dict, a catalog's deck list; it must not change while in
        use), so a count over a selection joins it in SQL instead of reading rows into Python."""
        tables: dict[int, tuple[object, str]] = self.__dict__.setdefault("_key_tables", {})
        hit = tables.get(id(owner))
        if hit is not None and hit[0] is owner:
            return hit[1]
        seq = self.__dict__.get("_key_seq", 0) + 1
        self.__dict__["_key_seq"] = seq
        name = f"temp.keys_{seq}"
        self._fill_keys(name, keys())
        while len(tables) >= 6:  # the oldest go: a few selections are alive at a time
            old = next(iter(tables))
            self._drop_keys(tables.pop(old)[1])
        tables[id(owner)] = (owner, name)
        return name

    @_guarded
    def _fill_keys(self, name: str, keys: Iterable[tuple[str, str]]) -> None:
        own = not self.conn.in_transaction  # only the temp database is written: no lock on the store
        if own:
            self.conn.execute("BEGIN")
        try:
            self.conn.execute(f"CREATE TABLE {name} (deck_id TEXT NOT NULL, card_id TEXT NOT NULL, "
                              "PRIMARY KEY (deck_id, card_id)) WITHOUT ROWID")
            self.conn.executemany(f"INSERT OR IGNORE INTO {name} VALUES (?, ?)", keys)
            if own:
                self.conn.execute("COMMIT")
        except BaseException:
            if own and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _drop_keys(self, name: str) -> None:
        try:
            self.conn.execute(f"DROP TABLE IF EXISTS {name}")
        except sqlite3.Error:
            pass

    _LIVE = "s.reps > 0 AND s.suspended = 0 AND (s.buried_until IS NULL OR s.buried_until <= ?)"

    @_guarded
    def count_due_in(
        self, table: str, states: Sequence[int], before: datetime, now: datetime, limit: int | None = None
    ) -> int:
        """``count_due`` for the keys of ``table`` (see ``key_table``), counted in SQL."""
        marks = ",".join("?" * len(states))
        return self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM card_state AS s CROSS JOIN {table} AS k "
            f"ON k.deck_id = s.deck_id AND k.card_id = s.card_id WHERE s.profile_id = ? AND s.state IN ({marks}) "
            f"AND s.due < ? AND {self._LIVE} LIMIT ?)",
            (self.profile_id, *states, ts(before), ts(now), -1 if limit is None else max(0, limit)),
        ).fetchone()[0]

    @_guarded
    def count_due_between(
        self, table: str, states: Sequence[int], low: datetime, high: datetime, now: datetime
    ) -> int:
        """``count_due_in`` for cards due in [``low``, ``high``) only (a session's counts move on
        with time by this small range, see ``StudySession.counts``)."""
        marks = ",".join("?" * len(states))
        return self.conn.execute(
            f"SELECT count(*) FROM card_state AS s CROSS JOIN {table} AS k "
            f"ON k.deck_id = s.deck_id AND k.card_id = s.card_id WHERE s.profile_id = ? AND s.state IN ({marks}) "
            f"AND s.due >= ? AND s.due < ? AND {self._LIVE}",
            (self.profile_id, *states, ts(low), ts(high), ts(now)),
        ).fetchone()[0]

    @_guarded
    def next_unburied(self, now: datetime) -> datetime | None:
        """The soonest time after ``now`` a buried card of this profile comes back, if any."""
        row = self.conn.execute(
            "SELECT min(buried_until) FROM card_state WHERE profile_id = ? AND buried_until > ?",
            (self.profile_id, ts(now)),
        ).fetchone()
        return parse_ts(row[0])

    @_guarded
    def data_version(self) -> tuple[int, int]:
        """Changes since: (another connection's commits, this connection's row changes)."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0], self.conn.total_changes

    @_guarded
    def count_due_by_deck(self, table: str, states: Sequence[int], before: datetime, now: datetime) -> dict[str, int]:
        """``count_due`` for the keys of ``table``, per deck id (decks with none left out)."""
        marks = ",".join("?" * len(states))
        return dict(self.conn.execute(
            f"SELECT s.deck_id, count(*) FROM card_state AS s CROSS JOIN {table} AS k "
            f"ON k.deck_id = s.deck_id AND k.card_id = s.card_id WHERE s.profile_id = ? AND s.state IN ({marks}) "
            f"AND s.due < ? AND {self._LIVE} GROUP BY s.deck_id",
            (self.profile_id, *states, ts(before), ts(now)),
        ).fetchall())

    @_guarded
    def count_new_in(self, table: str, deck_id: str, now: datetime, limit: int) -> int:
        """How many keys of deck ``deck_id`` in ``table`` are new and available now (no state, or
        never answered and neither suspended nor buried), at most ``limit``: the walk stops
        there, so a deck with new cards to spare is counted at once."""
        return self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} AS k LEFT JOIN card_state AS s "
            "ON s.profile_id = ? AND s.deck_id = k.deck_id AND s.card_id = k.card_id WHERE k.deck_id = ? "
            "AND (s.card_id IS NULL OR (s.reps = 0 AND s.suspended = 0 AND (s.buried_until IS NULL OR s.buried_until <= ?))) "
            "LIMIT ?)",
            (self.profile_id, deck_id, ts(now), max(0, limit)),
        ).fetchone()[0]

    # --- the review log ------------------------------------------------------------------------

    @_guarded
    def log_answer(
        self,
        before: CardState | None,
        after: CardState,
        grade: int,
        mode: str,
        duration_ms: int | None,
        now: datetime,
    ) -> int:
        """Append one answer to the log; ``before`` is None when the card had no stored state."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        queue = before.queue if before is not None else "new"
        cur = self.conn.execute(
            "INSERT INTO review_log (profile_id, deck_id, card_id, ts, grade, mode, queue, duration_ms, "
            "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.profile_id, after.deck_id, after.card_id, ts(now), int(grade), mode, queue,
             None if duration_ms is None else int(duration_ms), state_json(before), state_json(after)),
        )
        return int(cur.lastrowid)

    @_guarded
    def find_answer(self, before: CardState | None, after: CardState, grade: int, mode: str, now: datetime) -> int | None:
        """The id of this very answer (same card, time, grade, mode and state before) if it is
        already logged and counts: a retried write whose first try was committed after all
        (an error reported on COMMIT) is not written twice."""
        row = self.conn.execute(
            "SELECT id FROM reviews WHERE profile_id = ? AND deck_id = ? AND card_id = ? AND ts = ? AND mode = ? "
            "AND grade = ? AND state_before IS ?",
            (self.profile_id, after.deck_id, after.card_id, ts(now), mode, int(grade), state_json(before)),
        ).fetchone()
        return None if row is None else int(row[0])

    @_guarded
    def undo_of(self, review_id: int) -> int | None:
        """The id of the undo row taking back answer ``review_id`` (None: it still counts)."""
        row = self.conn.execute("SELECT id FROM review_log WHERE undoes = ? AND profile_id = ?",
                                (review_id, self.profile_id)).fetchone()
        return None if row is None else int(row[0])

    @_guarded
    def log_entry(self, review_id: int) -> LogEntry | None:
        row = self.conn.execute(
            "SELECT id, deck_id, card_id, ts, grade, mode, queue, duration_ms, state_before, state_after, undoes "
            "FROM review_log WHERE id = ? AND profile_id = ?",
            (review_id, self.profile_id),
        ).fetchone()
        if row is None:
            return None
        return LogEntry(row[0], row[1], row[2], parse_ts(row[3]), row[4], row[5], row[6], row[7],
                        state_from_json(row[8], row[1], row[2]), state_from_json(row[9], row[1], row[2]), row[10])

    def undo(self, review_id: int, now: datetime) -> CardState | None:
        """Take back one answer: the card's state becomes exactly what it was before it.

        Appends an undo row. Refuses (StoreError) when the answer was already undone, or when
        the card has changed since (say, answered again in another window). Returns the state
        restored (None: the card had no stored state before, and has none now).
        """
        with self.transaction():
            entry = self.log_entry(review_id)
            if entry is None or entry.mode == "undo" or entry.state_after is None:
                raise StoreError(f"nothing to undo: no answer {review_id}")
            if self.conn.execute("SELECT 1 FROM review_log WHERE undoes = ?", (review_id,)).fetchone():
                raise StoreError("that answer was already undone")
            current = self.get(entry.deck_id, entry.card_id)
            if current != entry.state_after:
                raise StoreError(f"cannot undo: card {entry.deck_id}/{entry.card_id} has changed since that answer")
            if entry.state_before is None:
                self.delete_state(entry.deck_id, entry.card_id)
            else:
                self.put(entry.state_before)
            self.conn.execute(
                "INSERT INTO review_log (profile_id, deck_id, card_id, ts, mode, state_before, state_after, undoes) "
                "VALUES (?, ?, ?, ?, 'undo', ?, ?, ?)",
                (self.profile_id, entry.deck_id, entry.card_id, ts(now), state_json(current),
                 state_json(entry.state_before), review_id),
            )
            return entry.state_before

    @_guarded
    def reviews(self, since: datetime | None = None, until: datetime | None = None, *,
                grade: int | None = None) -> list[LogEntry]:
        """The answers that count (not undone), oldest first, without the state snapshots; only
        those graded ``grade`` when given."""
        sql = "SELECT id, deck_id, card_id, ts, grade, mode, queue, duration_ms FROM reviews WHERE profile_id = ?"
        params: list[Any] = [self.profile_id]
        if grade is not None:
            sql += " AND grade = ?"
            params.append(int(grade))
        if since is not None:
            sql += " AND ts >= ?"
            params.append(ts(since))
        if until is not None:
            sql += " AND ts < ?"
            params.append(ts(until))
        rows = self.conn.execute(sql + " ORDER BY ts, id", params)
        return [LogEntry(r[0], r[1], r[2], parse_ts(r[3]), r[4], r[5], r[6], r[7], None, None, None) for r in rows]

    @_guarded
    def review_stats(self, since: datetime | None = None) -> tuple[int, int]:
        """(answers that count, of which graded Again) since ``since`` (all time when None)."""
        sql = "SELECT count(*), coalesce(sum(grade = 1), 0) FROM reviews WHERE profile_id = ?"
        params: tuple = (self.profile_id,)
        if since is not None:
            sql += " AND ts >= ?"
            params += (ts(since),)
        total, again = self.conn.execute(sql, params).fetchone()
        return int(total), int(again)

    # --- per-profile values (an exam plan, fitted FSRS parameters), kept in ``meta`` -------------

    def _profile_key(self, key: str) -> str:
        return f"profile:{self.profile_id}:{key}"

    @_guarded
    def profile_value(self, key: str) -> str | None:
        """A text this profile keeps under ``key`` (None if none)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (self._profile_key(key),)).fetchone()
        return None if row is None else str(row[0])

    def set_profile_value(self, key: str, value: str | None) -> None:
        """Keep ``value`` under ``key`` for this profile (None removes it); committed on return."""
        with self.transaction():
            if value is None:
                self.conn.execute("DELETE FROM meta WHERE key = ?", (self._profile_key(key),))
            else:
                self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                  (self._profile_key(key), value))

    # --- catalog changes ------------------------------------------------------------------------

    def rename(self, old: tuple[str, str], new: tuple[str, str]) -> bool:
        """Move progress (state and log) from ``old`` to ``new``; False if ``new`` already has some."""
        with self.transaction():
            if self.get(*new) is not None or self.get(*old) is None:
                return False
            for table in ("card_state", "review_log"):
                self.conn.execute(
                    f"UPDATE {table} SET deck_id = ?, card_id = ? WHERE profile_id = ? AND deck_id = ? AND card_id = ?",
                    (*new, self.profile_id, *old),
                )
            return True

    @_guarded
    def mark_edited(self, deck_id: str, card_id: str, content_hash: str) -> None:
        self.conn.execute(
            "UPDATE card_state SET content_hash = ?, edited = 1 WHERE profile_id = ? AND deck_id = ? AND card_id = ?",
            (content_hash, self.profile_id, deck_id, card_id),
        )

    @_guarded
    def orphans(self, catalog_uids: Iterable[str]) -> list[CardState]:
        """Progress kept for cards that are in no loaded deck (``deck_id/card_id`` not in the uids)."""
        known = set(catalog_uids)
        return [s for s in self.states() if s.uid not in known]

    # --- drills (classroom results; never touch card_state or review_log) ---------------------

    def start_drill(
        self, drill_id: str, started: datetime, config: dict[str, Any], seed: int | None, class_name: str | None = None,
    ) -> None:
        """Record a new drill (or live game) of this profile (its own transaction, or the caller's);
        ``class_name``: the class it is run with, for the class report."""
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM drills WHERE id = ?", (drill_id,)).fetchone():
                return  # a retried write whose first try was committed after all
            self.conn.execute(
                "INSERT INTO drills (id, profile_id, started, finished, seed, config, class_name) "
                "VALUES (?, ?, ?, NULL, ?, ?, ?)",
                (drill_id, self.profile_id, ts(started), seed, json.dumps(config, ensure_ascii=False, sort_keys=True),
                 class_name or None),
            )

    def log_drill_answer(
        self,
        drill_id: str,
        seq: int,
        time: datetime,
        student: str,
        question_id: str,
        prompt: str,
        chosen: str,
        right_answer: str,
        correct: bool,
        seconds: float,
        points: float,
        timed_out: bool = False,
        finished: datetime | None = None,
    ) -> None:
        """Save one drill answer, committed before this returns; ``finished``: it was the drill's
        last question, and the drill is marked finished in the same transaction."""
        with self.transaction():
            if self.conn.execute("SELECT 1 FROM drill_answers WHERE drill_id = ? AND seq = ?",
                                 (drill_id, int(seq))).fetchone():
                return  # a retried write whose first try was committed after all
            self.conn.execute(
                "INSERT INTO drill_answers (drill_id, seq, time, student, question_id, prompt, chosen, "
                "right_answer, correct, timed_out, seconds, points) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (drill_id, int(seq), ts(time), student, question_id, prompt, chosen, right_answer,
                 int(bool(correct)), int(bool(timed_out)), float(seconds), float(points)),
            )
            if finished is not None:
                self.finish_drill(drill_id, finished)

    def finish_drill(self, drill_id: str, finished: datetime) -> None:
        """Mark a drill as run to its end (a drill never finished was cut short)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE drills SET finished = ? WHERE id = ? AND profile_id = ? AND finished IS NULL",
                (ts(finished), drill_id, self.profile_id),
            )

    _DRILL_SELECT = (
        "SELECT d.id, d.started, d.finished, d.seed, d.config, "
        "(SELECT count(*) FROM drill_answers AS a WHERE a.drill_id = d.id), d.class_name FROM drills AS d "
    )

    @staticmethod
    def _drill_row(r: Sequence[Any]) -> DrillRow:
        try:
            config = json.loads(r[4])
        except ValueError:
            config = {}
        return DrillRow(r[0], parse_ts(r[1]), parse_ts(r[2]), r[3], config if isinstance(config, dict) else {}, r[5],
                        r[6])

    @_guarded
    def drills(self) -> list[DrillRow]:
        """This profile's drills, oldest first."""
        rows = self.conn.execute(self._DRILL_SELECT + "WHERE d.profile_id = ? ORDER BY d.started, d.rowid",
                                 (self.profile_id,)).fetchall()
        return [self._drill_row(r) for r in rows]

    @_guarded
    def drill(self, drill_id: str) -> DrillRow | None:
        """One drill of this profile, or None."""
        row = self.conn.execute(self._DRILL_SELECT + "WHERE d.profile_id = ? AND d.id = ?",
                                (self.profile_id, drill_id)).fetchone()
        return None if row is None else self._drill_row(row)

    @_guarded
    def drill_answers(self, drill_id: str) -> list[dict[str, Any]]:
        """The answers saved for a drill, in the order given (``DRILL_ANSWER_COLUMNS`` as keys;
        ``time`` a datetime, ``correct`` and ``timed_out`` bools)."""
        rows = self.conn.execute(
            f"SELECT {', '.join('a.' + c for c in DRILL_ANSWER_COLUMNS)} FROM drill_answers AS a "
            "JOIN drills AS d ON d.id = a.drill_id WHERE a.drill_id = ? AND d.profile_id = ? ORDER BY a.seq",
            (drill_id, self.profile_id),
        ).fetchall()
        return [_drill_answer(r) for r in rows]

    @_guarded
    def all_drill_answers(self, since: datetime | None = None) -> list[dict[str, Any]]:
        """Every drill answer of this profile (of drills started at or after ``since``), drill by
        drill in the order the drills started, each drill's in the order given; keys as
        ``drill_answers()``."""
        sql = (f"SELECT {', '.join('a.' + c for c in DRILL_ANSWER_COLUMNS)} FROM drill_answers AS a "
               "JOIN drills AS d ON d.id = a.drill_id WHERE d.profile_id = ?")
        params: list[Any] = [self.profile_id]
        if since is not None:
            sql += " AND d.started >= ?"
            params.append(ts(since))
        rows = self.conn.execute(sql + " ORDER BY d.started, d.rowid, a.seq", params).fetchall()
        return [_drill_answer(r) for r in rows]
