"""Custom study, as Anki has it: more new cards today, the cards forgotten in the last N days,
study ahead, or every card of a deck or tag outside the schedule.

Each kind gives a fixed list of cards (``forgotten``, ``ahead``, ``outside_schedule``) that a
``CustomSession`` asks once each, in order. Answers are real reviews: they are logged and move
the schedule (FSRS with the real time since the last review), as Anki's filtered decks do by
default. "More new cards today" is not a list: it raises today's new-card limits
(``extra_new_today`` / ``add_extra_new``, kept per profile and study day in a small JSON file).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import Scheduler
from nqpf_tutor.core.session import Counts, StudySession
from nqpf_tutor.core.store import Store

KINDS = ("new", "forgotten", "ahead", "selection")


def _unique(cards: Iterable[Card]) -> dict[tuple[str, str], Card]:
    out: dict[tuple[str, str], Card] = {}
    for c in cards:
        out.setdefault(c.key, c)
    return out


def forgotten(store: Store, cards: Iterable[Card], now: datetime, days: int) -> list[Card]:
    """Cards answered Again in the last ``days`` days (to the minute, from the review log),
    most recently forgotten first; suspended cards left out."""
    wanted = _unique(cards)
    since = now - timedelta(days=days)
    last: dict[tuple[str, str], datetime] = {}
    for e in store.reviews(since=since, grade=1):
        if (e.deck_id, e.card_id) in wanted:
            last[(e.deck_id, e.card_id)] = e.ts
    keys = sorted(last, key=lambda k: last[k], reverse=True)
    suspended = store.flagged_keys("suspended")
    return [wanted[k] for k in keys if wanted[k].uid not in suspended]


def ahead(store: Store, scheduler: Scheduler, cards: Iterable[Card], now: datetime, days: int) -> list[Card]:
    """Review cards due after today and within the next ``days`` study days, soonest first
    (Anki's "review ahead"); suspended cards left out."""
    wanted = _unique(cards)
    today = scheduler.study_day(now)
    start = scheduler.day_start(today + timedelta(days=1))
    end = scheduler.day_start(today + timedelta(days=1 + days))
    due = store.review_due_between(start, end)  # one query, not one per card (100,000 cards)
    found = [(due[k], c) for k, c in wanted.items() if k in due]
    found.sort(key=lambda t: t[0])
    return [c for _, c in found]


def outside_schedule(store: Store, cards: Iterable[Card]) -> list[Card]:
    """Every card of the selection in deck order, due or not, new or not; suspended ones left out."""
    suspended = store.flagged_keys("suspended")
    return [c for c in _unique(cards).values() if c.uid not in suspended]


class CustomSession(StudySession):
    """A study session over a fixed list of cards, each asked once (undo asks it again)."""

    def __init__(self, cards: list[Card], store: Store, settings=None, **kw) -> None:
        super().__init__(cards, store, settings, **kw)
        self.queue = list(_unique(cards).values())
        self.answered: set[tuple[str, str]] = set()

    def _left(self, now: datetime) -> list[Card]:
        return [c for c in self.queue if c.key not in self.answered and self._usable(c, now)]

    def next_card(self) -> Card | None:
        now = self.now()
        if self._pending is not None:
            card, self._pending = self._pending, None
            if self._usable(card, now):
                return card
        left = self._left(now)
        return left[0] if left else None

    def counts(self) -> Counts:
        n = {"new": 0, "learning": 0, "review": 0}
        for c in self._left(self.now()):
            n[self.state(c).queue] += 1
        return Counts(new=n["new"], learning=n["learning"], review=n["review"])

    def next_due_time(self) -> datetime | None:
        return self.now() if self.next_card() is not None else None

    def answer(self, card: Card, grade, duration_ms=None, mode=None):
        result = super().answer(card, grade, duration_ms, mode)
        self.answered.add(card.key)
        return result

    def undo(self) -> Card | None:
        card = super().undo()
        if card is not None:
            self.answered.discard(card.key)
        return card


# --- more new cards today -----------------------------------------------------------------------


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def extra_new_today(path: str | os.PathLike, profile: str, day: date) -> int:
    """Extra new cards allowed on study day ``day`` (0 when none were asked for that day)."""
    entry = _read(Path(path)).get(profile)
    if isinstance(entry, dict) and entry.get("day") == day.isoformat():
        n = entry.get("extra")
        return n if isinstance(n, int) and n > 0 else 0
    return 0


def add_extra_new(path: str | os.PathLike, profile: str, day: date, n: int) -> int:
    """Raise study day ``day``'s new-card limits by ``n`` more; returns the day's extra in all.
    Written atomically (``OSError`` or ``OutputError`` when the data dir cannot be written)."""
    path = Path(path)
    data = _read(path)
    total = extra_new_today(path, profile, day) + max(0, n)
    data[profile] = {"day": day.isoformat(), "extra": total}
    from nqpf_tutor.files import write_output  # the one place that writes files

    path.parent.mkdir(parents=True, exist_ok=True)
    write_output(path, json.dumps(data), force=True)
    return total


__all__ = ["KINDS", "CustomSession", "add_extra_new", "ahead", "extra_new_today", "forgotten", "outside_schedule"]
