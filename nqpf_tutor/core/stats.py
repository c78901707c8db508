"""Review figures for ``nqpf-tutor stats`` and the app's stats screen.

``compute_stats`` returns a JSON-ready dict. Each figure comes from a small function here, so
the charts to come (reviews per day, a calendar, retention over time, mastery per tag) can reuse
and extend them: ``reviews_per_day`` is already one.
"""

from __future__ import annotations

import bisect
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from fsrs import State

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler, to_utc, utc_now
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store

FORECAST_DAYS = 30


def retention(store: Store, since: datetime | None) -> float | None:
    """Share of answers since ``since`` not graded Again; None when there were none."""
    total, again = store.review_stats(since)
    return None if total == 0 else round((total - again) / total, 4)


def reviews_per_day(store: Store, scheduler: Scheduler, first: date, last: date) -> dict[date, int]:
    """Answers per study day from ``first`` to ``last`` (both included; days with none are 0)."""
    bounds = [scheduler.day_start(first + timedelta(days=i)) for i in range((last - first).days + 2)]
    counts = Counter(
        bisect.bisect_right(bounds, e.ts) - 1 for e in store.reviews(since=bounds[0], until=bounds[-1])
    )
    return {first + timedelta(days=i): counts.get(i, 0) for i in range(len(bounds) - 1)}


def _available_at(s: CardState) -> datetime:
    assert s.due is not None
    return max(s.due, s.buried_until) if s.buried_until else s.due


def forecast(scheduler: Scheduler, states: Iterable[CardState], now: datetime, days: int = FORECAST_DAYS) -> list[dict[str, Any]]:
    """Cards falling due on each of the next ``days`` study days (overdue ones count today)."""
    today = scheduler.study_day(now)
    ends = [scheduler.day_start(today + timedelta(days=i + 1)) for i in range(days)]
    counts = Counter(bisect.bisect_right(ends, _available_at(s)) for s in states if s.reps > 0 and not s.suspended)
    return [{"date": (today + timedelta(days=i)).isoformat(), "due": counts.get(i, 0)} for i in range(days)]


def compute_stats(
    store: Store, cards: Iterable[Card], settings: Settings | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The figures of ``nqpf-tutor stats --json`` for the store's profile and the loaded cards."""
    settings = settings or Settings()
    scheduler = Scheduler(settings)
    now = to_utc(now) if now is not None else utc_now()
    today = scheduler.study_day(now)
    today_start, tomorrow = scheduler.day_start(today), scheduler.day_start(today + timedelta(days=1))
    catalog = {c.key for c in cards}
    states = {s.key: s for s in store.states()}
    mine = [s for k, s in states.items() if k in catalog]
    seen = [s for s in mine if s.reps > 0]
    active = [s for s in seen if not s.suspended]

    def due_now(s: CardState) -> bool:
        if s.is_buried(now):
            return False
        assert s.due is not None
        return s.due < tomorrow if s.state == State.Review else s.due <= now

    new_total = sum(1 for k in catalog if k not in states or (states[k].reps == 0 and not states[k].suspended))
    new_buried = sum(1 for s in mine if s.reps == 0 and not s.suspended and s.is_buried(now))
    new_left = max(0, settings.new_per_day - store.count_first_seen_since(today_start))
    return {
        "profile": store.profile,
        "study_day": today.isoformat(),
        "reviews_total": store.review_stats()[0],
        "reviews_today": store.review_stats(today_start)[0],
        "cards_total": len(catalog),
        "cards_seen": len(seen),
        "due_now": sum(1 for s in active if due_now(s)),
        "new_available": min(new_left, new_total - new_buried),
        "new_total": new_total,
        "learning": sum(1 for s in active if s.state != State.Review),
        "suspended": sum(1 for s in mine if s.suspended),
        "leeches": sum(1 for s in mine if s.leech),
        "edited": sum(1 for s in mine if s.edited),
        "orphaned": len(states) - len(mine),
        "retention_30d": retention(store, now - timedelta(days=30)),
        "forecast": forecast(scheduler, active, now),
    }


def format_text(stats: dict[str, Any]) -> str:
    """A short readable summary of ``compute_stats``."""
    r = stats["retention_30d"]
    week = " ".join(str(d["due"]) for d in stats["forecast"][:7])
    lines = [
        f"Profile {stats['profile']}, study day {stats['study_day']}",
        f"Reviews: {stats['reviews_total']} in all, {stats['reviews_today']} today; "
        f"retention over 30 days: {'-' if r is None else f'{r:.1%}'}",
        f"Cards: {stats['cards_seen']} of {stats['cards_total']} seen, {stats['due_now']} due now, "
        f"{stats['new_available']} new available today, {stats['learning']} learning, {stats['suspended']} suspended",
        f"Due in the next 7 days (from today): {week}",
    ]
    if stats["leeches"]:
        lines.append(f"Leeches (suspended after many lapses): {stats['leeches']}")
    if stats["orphaned"]:
        lines.append(f"Progress kept for {stats['orphaned']} cards no longer in any deck")
    return "\n".join(lines)
