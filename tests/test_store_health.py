"""The store's health check and its edge cases (issue 11).

- A healthy database is never set aside: SQLite is asked (``PRAGMA quick_check``), the main
  file's size is no sign of damage (after a checkpoint cut short its pages are in the WAL).
- Nothing is moved aside while the disk is full or another program holds the file: one line.
- A progress "file" that is a folder (or a FIFO), or metadata that makes no sense (a
  ``schema_version`` that is not a number, a missing table), is one line and a non-zero exit,
  for headless commands and the app alike, and the file is left as it is.

Faults without root: a full disk is injected (``store._disk_free`` returns 0; a real full disk
needs a small filesystem, which needs root); "another program" is a real second process.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import pytest

import nqpf_tutor.core.store as store_module
from nqpf_tutor.cli import main
from nqpf_tutor.core.scheduler import CardState
from nqpf_tutor.core.store import Store, StoreError

UTC = timezone.utc
T0 = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "data" / "progress.sqlite3"


def _damaged(db):
    return sorted(p.name for p in db.parent.iterdir() if ".damaged-" in p.name)


def _fill(store: Store, n: int, start: int = 0) -> None:
    with store.transaction():
        for i in range(start, start + n):
            store.put(CardState("deck", f"card-{i:05d}", content_hash="x" * 200, state=1, reps=1, due=T0))


def _wal_db_cut_short(db):
    """A real WAL database whose main file is shorter than its header says, every missing page
    still in the -wal file: what a checkpoint cut short by a full disk leaves behind."""
    with Store.open(db) as store:
        _fill(store, 5)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        small = db.stat().st_size
        store.conn.execute("PRAGMA wal_autocheckpoint = 0")
        _fill(store, 2000, start=5)
        store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # pages copied, the WAL kept
        assert db.stat().st_size > 4 * small
        # copy the pair while the store is open (closing it would checkpoint and drop the WAL)
        cut = db.parent / "cut"
        cut.mkdir()
        shutil.copy(db, cut / db.name)
        shutil.copy(db.with_name(db.name + "-wal"), cut / (db.name + "-wal"))
    shutil.rmtree(cut.parent / "gone", ignore_errors=True)
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    for p in cut.iterdir():
        p.rename(db.parent / p.name)
    cut.rmdir()
    os.truncate(db, small)
    header_pages = int.from_bytes(db.read_bytes()[28:32], "big")
    assert db.stat().st_size < header_pages * 4096  # shorter than its header says
    return small


def test_wal_database_shorter_than_its_header_is_healthy_and_kept(db):
    _wal_db_cut_short(db)
    check = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    assert check.execute("PRAGMA quick_check").fetchone()[0] == "ok"  # SQLite reads it fine
    check.close()
    with Store.open(db) as store:
        assert store.notice is None
        assert len(store.keys()) == 2005
    assert _damaged(db) == []


def _really_damaged(db):
    with Store.open(db) as store:
        _fill(store, 2000)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    data[3 * 4096: 6 * 4096] = os.urandom(3 * 4096)
    db.write_bytes(bytes(data))
    return bytes(data)


def test_damaged_file_is_not_moved_aside_while_the_disk_is_full(db, monkeypatch):
    data = _really_damaged(db)
    monkeypatch.setattr(store_module, "_disk_free", lambda d: 4096)  # injected: a full disk
    with pytest.raises(StoreError) as e:
        Store.open(db)
    msg = str(e.value)
    assert "\n" not in msg and "disk is full" in msg and str(db) in msg
    assert _damaged(db) == [] and db.read_bytes() == data
    monkeypatch.undo()
    with Store.open(db) as store:  # space again: now it is set aside
        assert store.notice and "moved it to" in store.notice
    assert len(_damaged(db)) == 1


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    try:
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.Error:
        pass
    print("holding", flush=True)
    sys.stdin.readline()
    """
)


def test_damaged_file_is_not_moved_aside_while_another_program_holds_it(db):
    data = _really_damaged(db)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreError) as e:
            Store.open(db, timeout=0.2)
        msg = str(e.value)
        assert "\n" not in msg and str(db) in msg
        assert "another program" in msg
        assert _damaged(db) == [] and db.read_bytes() == data
    finally:
        holder.communicate("\n", timeout=10)


# --- metadata and paths that make no sense: one line, non-zero, the file left as it is ---------


def _set_meta(db, sql, *params):
    Store.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


BAD_META = {
    "word": ("UPDATE meta SET value = ? WHERE key = 'schema_version'", "two", "not a whole number"),
    "empty": ("UPDATE meta SET value = ? WHERE key = 'schema_version'", "", "not a whole number"),
    "fraction": ("UPDATE meta SET value = ? WHERE key = 'schema_version'", "1.5", "not a whole number"),
    "negative": ("UPDATE meta SET value = ? WHERE key = 'schema_version'", "-1", "not a whole number"),
    "huge": ("UPDATE meta SET value = ? WHERE key = 'schema_version'", "9" * 400, "not a whole number"),
    "missing": ("DELETE FROM meta WHERE key = ?", "schema_version", "no schema_version"),
    "no card_state": ("DROP TABLE card_state", None, "missing its card_state table"),
    "no drills": ("DROP TABLE drill_answers", None, "missing its drill_answers table"),
}


def _apply_bad_meta(db, case):
    sql, param, _ = BAD_META[case]
    if param is None:
        _set_meta(db, sql)
    else:
        _set_meta(db, sql, param)


@pytest.mark.parametrize("case", list(BAD_META))
def test_bad_metadata_is_one_line_and_the_file_kept(db, case):
    _apply_bad_meta(db, case)
    data = db.read_bytes()
    with pytest.raises(StoreError) as e:
        Store.open(db)
    msg = str(e.value)
    assert "\n" not in msg and str(db) in msg and BAD_META[case][2] in msg
    assert _damaged(db) == [] and db.read_bytes() == data


@pytest.mark.parametrize("command", [["stats"], ["stats", "--json"], ["results"], [], ["study"], ["quiz"]])
@pytest.mark.parametrize("case", ["word", "no card_state"])
def test_bad_metadata_headless_and_app_exit_1_with_one_line(tmp_path, capsys, case, command):
    data_dir = tmp_path / "data"
    _apply_bad_meta(data_dir / "progress.sqlite3", case)
    rc = main(["--data-dir", str(data_dir), *command])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.count("\n") == 1 and err.startswith("nqpf-tutor: progress database ") and "Traceback" not in err


@pytest.mark.parametrize("command", [["stats"], ["results"], [], ["study"], ["drill"]])
def test_progress_file_that_is_a_folder_exits_1_with_one_line(tmp_path, capsys, command):
    data_dir = tmp_path / "data"
    (data_dir / "progress.sqlite3").mkdir(parents=True)
    rc = main(["--data-dir", str(data_dir), *command])
    err = capsys.readouterr().err
    assert rc == 1
    assert err == f"nqpf-tutor: cannot use progress database {data_dir / 'progress.sqlite3'}: " \
                  "it is a folder, not a file (move it away)\n"
    assert (data_dir / "progress.sqlite3").is_dir()


def test_progress_file_that_is_a_fifo_is_one_line_not_a_hang(db):
    db.parent.mkdir(parents=True)
    os.mkfifo(db)
    with pytest.raises(StoreError, match="not a regular file"):
        Store.open(db)


def test_damaged_file_is_not_moved_aside_while_a_connection_here_holds_it(db):
    data = _really_damaged(db)
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="another program is using it"):
            Store.open(db, timeout=0.1)
        assert _damaged(db) == [] and db.read_bytes() == data
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def test_damaged_file_is_not_moved_aside_while_another_process_has_it_open(db):
    """Open and idle (no transaction): still in use; the lock is read from /proc/locks."""
    if not os.path.exists("/proc/locks"):
        pytest.skip("no /proc/locks on this system")
    data = _really_damaged(db)
    idle = HOLDER.replace('conn.execute("BEGIN EXCLUSIVE")', 'conn.execute("SELECT 1")')
    holder = subprocess.Popen([sys.executable, "-c", idle, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreError, match="another program is using it"):
            Store.open(db, timeout=0.1)
        assert _damaged(db) == []
    finally:
        holder.communicate("\n", timeout=10)
