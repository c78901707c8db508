"""Writes waiting in the outbox, kept on disk: a crash while the store cannot take them (another
program holds the lock, the file is read-only) loses none of them.

The outbox keeps what the store cannot take now in memory and retries it. While anything waits,
a ``Journal`` keeps a description of each waiting write (a *record*: plain JSON, see below) in
``<data dir>/unsaved/<profile>-<pid>-<n>.json``, rewritten (atomically, through the one file
writer) whenever what waits changes, and removed once nothing waits. Each journal is held with a
lock (``flock`` on its ``.lock`` file) for as long as its program runs; the lock goes when the
program ends, however it ends. When the app starts it *adopts* the journals nobody holds (left by
a program that was killed, or quit with writes waiting): their writes go into its own outbox,
oldest first, and are saved as any waiting write is, exactly once (each replay looks on disk
first: an answer already logged, an undo already done, a drill answer already saved is skipped).

Records (``kind`` and what the write needs; times as stored, states as ``CardState.to_dict()``):
  answer       deck, card, hash, grade, mode, ms, now, before (or null), after
  undo         review (the answer's log id), now            (an undo of an answer still waiting
               cancels it: neither is kept)
  change       deck, card, hash, changes {suspended | buried_until}
  reset        deck, card, hash
  drill        id, started, config, seed, class
  drill answer drill, seq, time, student, question, prompt, chosen, right, correct, seconds,
               points, timed_out, finished
"""

from __future__ import annotations

import itertools
import json
import os
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from nqpf_tutor.core.scheduler import CardState, Scheduler, parse_ts, ts
from nqpf_tutor.core.store import Store, StoreError

try:  # POSIX; elsewhere a journal whose program is not running is taken (see _taken)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

FOLDER = "unsaved"
VERSION = 1
_numbers = itertools.count(1)


def _tag(profile: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", profile)[:40] or "_"


class Journal:
    """The journal of one outbox (one app) for ``profile`` in ``data_dir``."""

    def __init__(self, data_dir: str | os.PathLike, profile: str) -> None:
        self.folder = Path(data_dir) / FOLDER
        self.profile = profile
        self.path = self.folder / f"{_tag(profile)}-{os.getpid()}-{next(_numbers)}.json"
        self._lock: int | None = None
        #: Why the last save failed (None: the waiting writes are on disk, or nothing waits).
        self.error: str | None = None

    # --- keeping what waits ----------------------------------------------------------------------

    def save(self, records: list[dict[str, Any]]) -> None:
        """Keep ``records`` (what waits now, oldest first); none: the journal is removed. Never
        raises: a journal that cannot be written is said in ``error`` (the writes still wait)."""
        from nqpf_tutor.errors import NqpfError
        from nqpf_tutor.files import write_output  # the one place that writes files

        try:
            if not records:
                if self.path.exists():
                    self.path.unlink()
                self.error = None
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            self._hold()
            data = {"version": VERSION, "profile": self.profile, "writes": records}
            write_output(self.path, json.dumps(data, ensure_ascii=False), force=True)
            self.error = None
        except (OSError, NqpfError) as e:
            self.error = f"cannot keep the waiting writes in {self.path}: {getattr(e, 'strerror', None) or e}"

    def close(self) -> None:
        """Let go of the journal (it stays on disk when writes still wait: the next start adopts it)."""
        if self._lock is not None:
            if not self.path.exists():
                _remove(self._lock_path(self.path))
            os.close(self._lock)
            self._lock = None

    def _hold(self) -> None:
        if self._lock is None:
            fd = os.open(self._lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o600)
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._lock = fd

    @staticmethod
    def _lock_path(path: Path) -> Path:
        return path.with_suffix(".lock")

    # --- taking over what a program left ---------------------------------------------------------

    def adopt(self, outbox: Any, scheduler: Scheduler) -> tuple[list[str], list[str]]:
        """Put the writes of every journal of this profile that no running program holds into
        ``outbox`` (which saves them now, or keeps them waiting); those journals go. Returns
        (the kind of each write adopted, one line per journal that could not be read or write
        refused for good)."""
        if not self.folder.is_dir():
            return [], []
        adopted: list[str] = []
        problems: list[str] = []
        for path in sorted(self.folder.glob(f"{_tag(self.profile)}-*.json"), key=_age):
            if path == self.path:
                continue
            lock = _taken(path)
            if lock is None:
                continue  # its program is still running
            try:
                try:
                    data = json.loads(path.read_text("utf-8"))
                    records = data["writes"] if data.get("profile") == self.profile else None
                    if not isinstance(records, list):
                        raise ValueError("not a journal of waiting writes")
                    writes = [(r, replay(r, scheduler)) for r in records]
                except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
                    problems.append(f"{path}: {e}")  # left where it is, for a person to look at
                    continue
                for record, write in writes:
                    try:
                        outbox.submit(record["kind"], write, record=record)
                    except StoreError as e:  # refused for good (an undo of a card changed since)
                        problems.append(f"{record['kind']} not saved: {e}")
                        continue
                    adopted.append(record["kind"])
                path.unlink()  # its writes are in this outbox now (and in this journal if they wait)
                _remove(self._lock_path(path))
            finally:
                os.close(lock)
        return adopted, problems


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _taken(path: Path) -> int | None:
    """An open, locked descriptor of ``path``'s lock when no running program holds it, else None."""
    try:
        fd = os.open(Journal._lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return fd
    try:  # pragma: no cover - without flock: the program named in the file name must be gone
        os.kill(int(path.stem.split("-")[-2]), 0)
    except (ValueError, OSError):
        return fd
    os.close(fd)
    return None


# --- records and their replay -------------------------------------------------------------------------


def answer_record(before: CardState | None, after: CardState, grade: int, mode: str, duration_ms: int | None,
                  now: Any) -> dict[str, Any]:
    return {"kind": "answer", "deck": after.deck_id, "card": after.card_id, "hash": after.content_hash,
            "grade": int(grade), "mode": mode, "ms": duration_ms, "now": ts(now),
            "before": None if before is None else before.to_dict(), "after": after.to_dict()}


def change_record(key: tuple[str, str], content_hash: str, changes: dict[str, Any]) -> dict[str, Any]:
    out = {k: ts(v) if k == "buried_until" else bool(v) for k, v in changes.items()}
    return {"kind": "change", "deck": key[0], "card": key[1], "hash": content_hash, "changes": out}


def reset_record(key: tuple[str, str], content_hash: str) -> dict[str, Any]:
    return {"kind": "reset", "deck": key[0], "card": key[1], "hash": content_hash}


def drill_record(drill_id: str, started: datetime, config: dict[str, Any], seed: int,
                 class_name: str | None) -> dict[str, Any]:
    return {"kind": "drill", "id": drill_id, "started": ts(started), "config": config, "seed": seed,
            "class": class_name}


def drill_answer_record(a: Any, finished: datetime | None) -> dict[str, Any]:
    """``a``: a ``core.drill.DrillAnswer``; ``finished``: when the drill ended with it."""
    return {"kind": "drill answer", "drill": a.drill_id, "seq": a.seq, "time": ts(a.time), "student": a.student,
            "question": a.question_id, "prompt": a.prompt, "chosen": a.chosen, "right": a.right_answer,
            "correct": a.correct, "seconds": a.seconds, "points": a.points, "timed_out": a.timed_out,
            "finished": ts(finished)}


def replay(record: dict[str, Any], scheduler: Scheduler | None = None) -> Callable[[Store], Any]:
    """The write a record describes, safe to run more than once (what is on disk is looked at
    first): the one form of each write, whether run now or adopted from a journal later
    (``scheduler``: for answers only). ``ValueError``/``KeyError`` for a record it does not know."""
    kind = record["kind"]
    if kind == "answer":
        if scheduler is None:
            raise ValueError("an answer is replayed with a scheduler")
        return _answer(record, scheduler)
    if kind == "undo":
        review, now = int(record["review"]), parse_ts(record["now"])

        def undo(store: Store) -> Any:
            if store.undo_of(review) is not None:
                return None  # done before the program stopped
            return store.undo(review, now)

        return undo
    if kind == "change":
        key, content_hash = (record["deck"], record["card"]), record["hash"]
        changes = {k: parse_ts(v) if k == "buried_until" else bool(v) for k, v in record["changes"].items()}
        if not set(changes) <= {"suspended", "buried_until"}:
            raise ValueError(f"unknown change {sorted(changes)}")

        def change(store: Store) -> None:
            with store.transaction():
                current = store.get(*key) or CardState(key[0], key[1], content_hash=content_hash)
                store.put(replace(current, **changes))

        return change
    if kind == "reset":
        key, content_hash = (record["deck"], record["card"]), record["hash"]

        def reset(store: Store) -> None:
            with store.transaction():
                current = store.get(*key)
                store.delete_state(*key)
                if current is not None and current.suspended:
                    store.put(CardState(key[0], key[1], content_hash=content_hash, suspended=True))

        return reset
    if kind == "drill":
        r = dict(record)
        return lambda store: store.start_drill(r["id"], parse_ts(r["started"]), r["config"], r["seed"],
                                               class_name=r.get("class"))
    if kind == "drill answer":
        r = dict(record)
        return lambda store: store.log_drill_answer(
            r["drill"], int(r["seq"]), parse_ts(r["time"]), r["student"], r["question"], r["prompt"], r["chosen"],
            r["right"], bool(r["correct"]), float(r["seconds"]), float(r["points"]), timed_out=bool(r["timed_out"]),
            finished=parse_ts(r.get("finished")))
    raise ValueError(f"unknown write {kind!r}")


def _answer(r: dict[str, Any], scheduler: Scheduler) -> Callable[[Store], Any]:
    from fsrs import Rating

    from nqpf_tutor.core.session import save_answer

    grade, mode, ms, now = Rating(int(r["grade"])), r["mode"], r.get("ms"), parse_ts(r["now"])
    stored = None if r["before"] is None else CardState.from_dict(r["before"])
    after = CardState.from_dict(r["after"])
    if after.key != (r["deck"], r["card"]):
        raise ValueError("an answer record for another card")
    return lambda store: save_answer(store, scheduler, stored, after, grade, mode, ms, now, look_first=True)


__all__ = ["Journal", "answer_record", "change_record", "drill_answer_record", "drill_record", "replay",
           "reset_record"]
