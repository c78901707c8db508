"""Review figures for ``nqpf-tutor stats`` and the app's stats screen.

``compute_stats`` returns a JSON-ready dict. Each figure comes from a small function here:

- today: answers, time spent (sum of the answers' durations), accuracy (share not Again);
- card counts: new, learning, young (interval under 21 days) and mature (21 days or more);
- ``forecast``: cards due on each of the next 30 study days;
- ``reviews_per_day``: answers, Again answers and time on each of the last 30 study days;
- ``calendar``: answers per study day for 26 weeks, from a Monday to today (a heatmap);
- ``retention_over_time``: per week (Monday to Sunday) the share of answers not graded Again;
- ``mastery``: per topic tag (eras, foundations, policies, dates by default) the share of the
  tag's cards that have graduated from learning (review state: a card answered Again is back in
  relearning and does not count; new cards do not count) and whose predicted recall (FSRS
  retrievability) is now at least 0.9.

``FIGURES`` defines each figure in words (the help screen and the README show them).

Days are study days (they start at the rollover hour, DST safe); weeks start on Monday.
"""

from __future__ import annotations

import bisect
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

from fsrs import State

from nqpf_tutor.core.learning.figures import ReviewDays, card_figures, mastery_fast, review_totals
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler, to_utc, utc_now
from nqpf_tutor.core.session import new_paces, new_pools
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store

FORECAST_DAYS = 30
#: Days in ``reviews_per_day``.
REVIEW_DAYS = 30
#: Weeks in ``calendar`` and ``retention_over_time``.
CALENDAR_WEEKS = 26
#: A review card whose interval is at least this many days is mature (as in Anki).
MATURE_DAYS = 21
#: Topic tags whose mastery is shown, unless settings (``mastery_tags``) or the caller say otherwise.
MASTERY_TAGS: tuple[str, ...] = ("eras", "foundations", "policies", "dates")
#: Retrievability at or above which a card counts as mastered.
MASTERY_RETRIEVABILITY = 0.9


#: What each figure counts and over which period (shown in the app's help and the stats screen).
FIGURES: tuple[tuple[str, str], ...] = (
    ("Answers today", "answers given since the study day began (the rollover hour); an undone answer does not count"),
    ("Accuracy today", "share of today's answers not graded Again (wrong choices and typed misses are Again)"),
    ("Time today", "the time taken by today's answers, added up (answers with no time recorded add nothing)"),
    ("Retention, 30 days", "share of the answers of the last 30 days (to the minute) not graded Again"),
    ("New / learning / young / mature", "cards never answered; in (re)learning steps; in review with an "
     f"interval under {MATURE_DAYS} days; {MATURE_DAYS} days or more (suspended cards counted apart)"),
    ("Forecast", "cards falling due on each of the next 30 study days; overdue cards count today"),
    ("Reviews per day", "answers on each of the last 30 study days, with their Again answers and time"),
    ("Retention by week", "per week (Monday to Sunday), share of that week's answers not graded Again"),
    ("Calendar, streak", "answers per study day for 26 weeks; the streak: study days in a row with an "
     "answer, back from today (today not studied yet does not break it)"),
    ("Mastery", "per topic: cards in review (graduated from learning; an Again sends a card back to relearning) that you would "
     f"recall now with a chance of {MASTERY_RETRIEVABILITY:.0%} or more (FSRS), out of all the topic's cards"),
    ("Recall (browse)", "a reviewed card's predicted chance of recall now (FSRS retrievability); a card in "
     "learning shows 'learning' (just seen, not yet remembered), a new card nothing"),
)


def mastered(scheduler: Scheduler, state: CardState | None, now: datetime,
             threshold: float = MASTERY_RETRIEVABILITY) -> bool:
    """Does ``state`` count as mastered: graduated to review and recalled now with ``threshold``?

    Cards in learning or relearning (just seen, or last answered Again) never count, though
    FSRS predicts a high recall for them minutes after an answer.
    """
    if state is None or state.reps == 0 or state.state != State.Review:
        return False
    r = scheduler.retrievability(state, now)
    return r is not None and r >= threshold


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


def _share_right(total: int, again: int) -> float | None:
    return None if total == 0 else round((total - again) / total, 4)


def interval_days(s: CardState) -> float | None:
    """The card's current interval in days (due minus last review); None when not known."""
    if s.due is None or s.last_review is None:
        return None
    return (s.due - s.last_review).total_seconds() / 86400


def card_counts(states: Iterable[CardState], new: int) -> dict[str, int]:
    """New, learning (and relearning), young and mature cards; suspended ones apart.

    ``states``: the stored states of cards in the loaded decks; ``new``: the cards never
    answered and not suspended (see ``compute_stats``).
    """
    counts = {"new": new, "learning": 0, "young": 0, "mature": 0, "suspended": 0}
    for s in states:
        if s.reps == 0:
            if s.suspended:
                counts["suspended"] += 1
            continue
        if s.suspended:
            counts["suspended"] += 1
        elif s.state != State.Review:
            counts["learning"] += 1
        else:
            ivl = interval_days(s)
            counts["mature" if ivl is not None and ivl >= MATURE_DAYS else "young"] += 1
    return counts


class _Days:
    """Answers bucketed into study days ``first`` .. ``last`` (one read of the log)."""

    def __init__(self, store: Store, scheduler: Scheduler, first: date, last: date):
        self.first = first
        self.n = (last - first).days + 1
        bounds = [scheduler.day_start(first + timedelta(days=i)) for i in range(self.n + 1)]
        self.reviews = [0] * self.n
        self.again = [0] * self.n
        self.ms = [0] * self.n
        for e in store.reviews(since=bounds[0], until=bounds[-1]):
            i = bisect.bisect_right(bounds, e.ts) - 1
            if 0 <= i < self.n:
                self.reviews[i] += 1
                self.again[i] += e.grade == 1
                self.ms[i] += e.duration_ms or 0

    def index(self, day: date) -> int:
        return (day - self.first).days

    def day(self, i: int) -> date:
        return self.first + timedelta(days=i)


def today_figures(days: _Days, today: date) -> dict[str, Any]:
    i = days.index(today)
    n, again = days.reviews[i], days.again[i]
    return {
        "reviews": n,
        "again": again,
        "seconds": round(days.ms[i] / 1000, 1),
        "accuracy": _share_right(n, again),
    }


def daily(days: _Days, first: date, last: date) -> list[dict[str, Any]]:
    """Per study day: answers, Again answers, seconds spent."""
    out = []
    for i in range(days.index(first), days.index(last) + 1):
        out.append({
            "date": days.day(i).isoformat(),
            "reviews": days.reviews[i],
            "again": days.again[i],
            "seconds": round(days.ms[i] / 1000, 1),
        })
    return out


def weekly_retention(days: _Days, first_monday: date, weeks: int) -> list[dict[str, Any]]:
    """Per week from ``first_monday``: answers and the share not graded Again (None: none)."""
    out = []
    for w in range(weeks):
        start = days.index(first_monday + timedelta(weeks=w))
        total = sum(days.reviews[start:start + 7])
        again = sum(days.again[start:start + 7])
        out.append({
            "week_start": days.day(start).isoformat(),
            "reviews": total,
            "retention": _share_right(total, again),
        })
    return out


def mastery(
    scheduler: Scheduler,
    cards: Iterable[Card],
    states: dict[tuple[str, str], CardState],
    now: datetime,
    tags: Sequence[str] = MASTERY_TAGS,
    threshold: float = MASTERY_RETRIEVABILITY,
) -> list[dict[str, Any]]:
    """Per tag: the tag's cards, how many are ``mastered`` (in review, retrievability >= ``threshold``)."""
    wanted = list(dict.fromkeys(tags))
    total = {t: 0 for t in wanted}
    known = {t: 0 for t in wanted}
    seen_keys: set[tuple[str, str]] = set()
    for c in cards:
        if c.key in seen_keys:
            continue
        seen_keys.add(c.key)
        mine = [t for t in wanted if t in c.tags]
        if not mine:
            continue
        ok = mastered(scheduler, states.get(c.key), now, threshold)
        for t in mine:
            total[t] += 1
            known[t] += ok
    return [
        {"tag": t, "cards": total[t], "mastered": known[t],
         "share": None if total[t] == 0 else round(known[t] / total[t], 4)}
        for t in wanted
    ]


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
    store: Store,
    cards: Iterable[Card],
    settings: Settings | None = None,
    now: datetime | None = None,
    *,
    mastery_tags: Sequence[str] | None = None,
    extra_new: int = 0,
) -> dict[str, Any]:
    """The figures of ``nqpf-tutor stats --json`` for the store's profile and the loaded cards.

    ``extra_new``: custom study's extra new cards today (``new_available`` counts them, as study does).

    ``mastery_tags``: the topic tags of ``mastery`` (default: the settings' ``mastery_tags``
    when they have one, else ``MASTERY_TAGS``).
    """
    settings = settings or Settings()
    cards = list(cards)
    scheduler = Scheduler(settings)
    now = to_utc(now) if now is not None else utc_now()
    today = scheduler.study_day(now)
    today_start, tomorrow = scheduler.day_start(today), scheduler.day_start(today + timedelta(days=1))
    # Aggregated in SQL (issue 17); the same figures as the Python original kept in
    # tests/stats_reference.py, which the tests compare against on seeded stores.
    f = card_figures(store, cards, scheduler, now, tomorrow, FORECAST_DAYS, MATURE_DAYS)
    # as the study session counts them: own deck limits, the exam plan's pace, custom study's extra
    pace = new_paces(store, settings, cards, today)
    shared, own = new_pools(store, settings, today_start, lambda seen: pace("", seen), extra_new)
    loaded = {c.deck_id for c in cards}
    new_left = shared + sum(n for d, n in own.items() if d in loaded)
    first_monday = today - timedelta(days=today.weekday(), weeks=CALENDAR_WEEKS - 1)
    days = ReviewDays(store, scheduler, min(first_monday, today - timedelta(days=REVIEW_DAYS - 1)), today)
    tags = mastery_tags if mastery_tags is not None else (getattr(settings, "mastery_tags", None) or MASTERY_TAGS)
    total, again = review_totals(store, now - timedelta(days=30))
    return {
        "profile": store.profile,
        "study_day": today.isoformat(),
        "reviews_total": review_totals(store)[0],
        "reviews_today": review_totals(store, today_start)[0],
        "cards_total": f.cards_total,
        "cards_seen": f.seen,
        "due_now": f.due_now,
        "new_available": min(new_left, f.new_total - f.new_buried),
        "new_total": f.new_total,
        "learning": f.learning,
        "suspended": f.suspended,
        "leeches": f.leeches,
        "edited": f.edited,
        "orphaned": f.states - f.mine,
        "retention_30d": _share_right(total, again),
        "forecast": [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(f.forecast)],
        "today": today_figures(days, today),
        "card_counts": {"new": f.new_total, "learning": f.learning, "young": f.young, "mature": f.mature,
                        "suspended": f.suspended},
        "reviews_per_day": daily(days, today - timedelta(days=REVIEW_DAYS - 1), today),
        "calendar": {
            days.day(i).isoformat(): days.reviews[i] for i in range(days.index(first_monday), days.n)
        },
        "retention_over_time": weekly_retention(days, first_monday, CALENDAR_WEEKS),
        "mastery": mastery_fast(scheduler, cards, f.recall, tags, MASTERY_RETRIEVABILITY),
        "mastery_threshold": MASTERY_RETRIEVABILITY,
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
    lines += _more_lines(stats)
    if stats["leeches"]:
        lines.append(f"Leeches (suspended after many lapses): {stats['leeches']}")
    if stats["orphaned"]:
        lines.append(f"Progress kept for {stats['orphaned']} cards no longer in any deck")
    return "\n".join(lines)


_BARS = " ▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, from blank (0) to a full block (the largest)."""
    top = max(values, default=0)
    if top <= 0:
        return "·" * len(values)
    return "".join(_BARS[0 if v <= 0 else max(1, round(v / top * (len(_BARS) - 1)))] for v in values)


def format_duration(seconds: float) -> str:
    """``75`` -> ``1m 15s``; ``3725`` -> ``1h 2m``."""
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _more_lines(stats: dict[str, Any]) -> list[str]:
    """The figures added for the stats screen, if present (older dicts lack them)."""
    if "today" not in stats:
        return []
    t, c = stats["today"], stats["card_counts"]
    per_day = stats["reviews_per_day"]
    counts = [d["reviews"] for d in per_day]
    total = sum(counts)
    active = sum(1 for n in counts if n)
    weeks = [w for w in stats["retention_over_time"] if w["reviews"]][-8:]
    cal = stats["calendar"]
    cal_days = sum(1 for n in cal.values() if n)
    lines = [
        f"Today: {t['reviews']} answer{'s' * (t['reviews'] != 1)} in {format_duration(t['seconds'])}, "
        f"accuracy {_pct(t['accuracy'])}",
        f"Card counts: {c['new']} new, {c['learning']} learning, {c['young']} young, {c['mature']} mature "
        f"(interval {MATURE_DAYS} days or more), {c['suspended']} suspended",
        f"Answers per day, last {len(per_day)} days: {sparkline(counts)}  "
        f"({total} in all, {active} day{'s' * (active != 1)} studied, max {max(counts, default=0)})",
        f"Days studied since {next(iter(cal), '-')}: {cal_days}",
        "Retention by week (share not Again): "
        + ("  ".join(f"{w['week_start'][5:]} {_pct(w['retention'])}" for w in weeks) if weeks else "-"),
        f"Mastery (in review, recall now >= {stats['mastery_threshold']:.0%}): "
        + ("  ".join(f"{m['tag']} {_pct(m['share'])} ({m['mastered']}/{m['cards']})" for m in stats["mastery"])
           or "-"),
    ]
    return lines
