"""The inputs of ``core.stats.compute_stats`` aggregated in SQL (issue 17: stats at 1M reviews).

``compute_stats`` used to read every card state into Python (parsing four timestamps per row)
and every review of 26 weeks through the ``reviews`` view (a random lookup into each row, which
carries two JSON state snapshots). Here:

- ``CardFigures``: one aggregate query over the card states of the loaded cards (their keys in a
  temporary table, see ``Store.key_table``): new, seen, due now, learning, young, mature,
  suspended, leeches, edited, the 30-day forecast (bucketed in SQL), and per card only what
  mastery needs (whole days since the last review, computed exactly on the stored text);
- ``ReviewDays``: answers, Again answers and milliseconds per study day, one indexed range
  aggregate per day over the covering index ``review_log_figures`` (schema 3);
- ``review_totals``: answers that count and Again answers, from index counts (an undo row
  takes back exactly one answer).

Times are compared as the stored fixed-width UTC text, which sorts as the instants do: no
timestamp is parsed row by row. tests/test_scale_counts.py checks every figure against the
original Python implementation (kept in tests/stats_reference.py) on seeded stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Sequence

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import Scheduler, ts
from nqpf_tutor.core.store import Store, _guarded

#: A stored time as whole microseconds since the epoch, exactly (fixed-width UTC text).
_US = ("(CAST(strftime('%s', substr({col}, 1, 19)) AS INTEGER) * 1000000 "
       "+ CAST(substr({col}, 21, 6) AS INTEGER))")


@dataclass
class CardFigures:
    cards_total: int = 0
    states: int = 0  # stored states of this profile, loaded cards or not
    mine: int = 0
    seen: int = 0
    due_now: int = 0
    new_total: int = 0
    new_buried: int = 0
    learning: int = 0
    young: int = 0
    mature: int = 0
    suspended: int = 0
    leeches: int = 0
    edited: int = 0
    forecast: list[int] = field(default_factory=list)
    #: (deck id, card id) -> (whole days since the last review, stability) of answered cards
    recall: dict[tuple[str, str], tuple[int, float | None]] = field(default_factory=dict)


def _epoch_us(t: datetime) -> tuple[int, int]:
    s = ts(t)
    assert s is not None
    whole = datetime.fromisoformat(s[:19] + "+00:00")
    return int(whole.timestamp()), int(s[20:26])


@_guarded
def card_figures(
    store: Store, cards: Sequence[Card], scheduler: Scheduler, now: datetime, tomorrow: datetime,
    forecast_days: int, mature_days: int,
) -> CardFigures:
    """Card counts of the loaded ``cards`` (held by identity for their key table); a review card
    whose interval is at least ``mature_days`` days is mature."""
    conn = store.conn
    table = store.key_table(cards, lambda: (c.key for c in cards))
    f = CardFigures()
    f.cards_total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    f.states = conn.execute("SELECT count(*) FROM card_state WHERE profile_id = ?", (store.profile_id,)).fetchone()[0]
    today = scheduler.study_day(now)
    ends = [ts(scheduler.day_start(today + timedelta(days=i + 1))) for i in range(forecast_days)]
    bucket = " + ".join(["(a >= ?)"] * len(ends)) or "0"
    p = {"now": ts(now), "tomorrow": ts(tomorrow)}
    live = "s.reps > 0 AND s.suspended = 0"
    buried = "(s.buried_until IS NOT NULL AND s.buried_until > :now)"
    mature = (f"(s.due IS NOT NULL AND s.last_review IS NOT NULL AND {_US.format(col='s.due')} - "
              f"{_US.format(col='s.last_review')} >= {int(mature_days) * 86_400_000_000})")
    row = conn.execute(
        f"""SELECT count(*), coalesce(sum(s.reps > 0), 0),
            coalesce(sum({live} AND NOT {buried} AND
                ((s.state = 2 AND s.due < :tomorrow) OR (s.state != 2 AND s.due <= :now))), 0),
            coalesce(sum(NOT (s.reps = 0 AND s.suspended = 0)), 0),
            coalesce(sum(s.reps = 0 AND s.suspended = 0 AND {buried}), 0),
            coalesce(sum({live} AND s.state != 2), 0),
            coalesce(sum({live} AND s.state = 2 AND NOT coalesce({mature}, 0)), 0),
            coalesce(sum({live} AND s.state = 2 AND coalesce({mature}, 0)), 0),
            coalesce(sum(s.suspended != 0), 0), coalesce(sum(s.leech != 0), 0), coalesce(sum(s.edited != 0), 0)
            FROM card_state AS s CROSS JOIN {table} AS k ON k.deck_id = s.deck_id AND k.card_id = s.card_id
            WHERE s.profile_id = :profile""",
        {**p, "profile": store.profile_id},
    ).fetchone()
    (f.mine, f.seen, f.due_now, taken, f.new_buried, f.learning, f.young, f.mature,
     f.suspended, f.leeches, f.edited) = row
    f.new_total = f.cards_total - taken
    counts = dict(conn.execute(
        f"""SELECT {bucket} AS i, count(*) FROM (
                SELECT CASE WHEN s.buried_until IS NOT NULL AND s.buried_until > s.due THEN s.buried_until
                            ELSE s.due END AS a
                FROM card_state AS s CROSS JOIN {table} AS k ON k.deck_id = s.deck_id AND k.card_id = s.card_id
                WHERE s.profile_id = ? AND s.reps > 0 AND s.suspended = 0) GROUP BY i""",
        (*ends, store.profile_id),
    ).fetchall())
    f.forecast = [counts.get(i, 0) for i in range(forecast_days)]
    secs, micros = _epoch_us(now)
    # whole days since the last review, exactly (as py-fsrs: timedelta.days, never below 0)
    f.recall = {
        (r[0], r[1]): (r[2], r[3]) for r in conn.execute(
            f"""SELECT s.deck_id, s.card_id,
                    CASE WHEN s.last_review IS NULL THEN NULL
                         ELSE max(0, (? - {_US.format(col='s.last_review')}) / 86400000000) END,
                    s.stability
                FROM card_state AS s CROSS JOIN {table} AS k ON k.deck_id = s.deck_id AND k.card_id = s.card_id
                WHERE s.profile_id = ? AND s.reps > 0 AND s.stability IS NOT NULL
                      AND s.state = 2""",  # review only: cards in (re)learning are not mastered (issue 13)
            (secs * 1_000_000 + micros, store.profile_id),
        )
    }
    return f


def mastery_fast(
    scheduler: Scheduler, cards: Iterable[Card], recall: dict[tuple[str, str], tuple[int, float | None]],
    tags: Sequence[str], threshold: float,
) -> list[dict[str, Any]]:
    """``core.stats.mastery`` from ``CardFigures.recall``: py-fsrs' retrievability formula
    ``(1 + FACTOR * days / stability) ** DECAY`` on each card in review (``recall`` holds only
    those: a card in learning or relearning is never mastered), no state objects."""
    params = scheduler.fsrs.parameters
    decay = -params[20]
    factor = 0.9 ** (1 / decay) - 1
    wanted = list(dict.fromkeys(tags))
    total = {t: 0 for t in wanted}
    known = {t: 0 for t in wanted}
    seen: set[tuple[str, str]] = set()
    want = set(wanted)
    for c in cards:
        if not want.intersection(c.tags):
            continue
        key = c.key
        if key in seen:
            continue
        seen.add(key)
        rec = recall.get(key)
        ok = False
        if rec is not None:
            days, stability = rec
            r = 0 if days is None else (1 + factor * days / stability) ** decay
            ok = r >= threshold
        for t in wanted:
            if t in c.tags:
                total[t] += 1
                known[t] += ok
    return [
        {"tag": t, "cards": total[t], "mastered": known[t],
         "share": None if total[t] == 0 else round(known[t] / total[t], 4)}
        for t in wanted
    ]


class ReviewDays:
    """Answers bucketed into study days ``first`` .. ``last``, aggregated in SQL (one indexed
    range per day). Same attributes as ``core.stats._Days``."""

    def __init__(self, store: Store, scheduler: Scheduler, first: date, last: date):
        self.first = first
        self.n = (last - first).days + 1
        bounds = [ts(scheduler.day_start(first + timedelta(days=i))) for i in range(self.n + 1)]
        self.reviews, self.again, self.ms = _per_day(store, bounds)

    def index(self, day: date) -> int:
        return (day - self.first).days

    def day(self, i: int) -> date:
        return self.first + timedelta(days=i)


@_guarded
def _per_day(store: Store, bounds: list[str | None]) -> tuple[list[int], list[int], list[int]]:
    reviews, again, ms = [], [], []
    cur = store.conn.cursor()
    sql = ("SELECT count(*), coalesce(sum(grade = 1), 0), coalesce(sum(duration_ms), 0) FROM review_log AS r "
           "INDEXED BY review_log_figures WHERE r.profile_id = ? AND r.ts >= ? AND r.ts < ? AND r.mode != 'undo' "
           "AND NOT EXISTS (SELECT 1 FROM review_log AS u WHERE u.undoes = r.id)")
    for lo, hi in zip(bounds, bounds[1:]):
        n, a, m = cur.execute(sql, (store.profile_id, lo, hi)).fetchone()
        reviews.append(n)
        again.append(a)
        ms.append(m)
    cur.close()
    return reviews, again, ms


@_guarded
def review_totals(store: Store, since: datetime | None = None) -> tuple[int, int]:
    """``Store.review_stats``: (answers that count, of which Again) since ``since``, from index
    counts: every answer, less the answers taken back (each undo row takes back one answer)."""
    cond, params = "", [store.profile_id]
    if since is not None:
        cond, params = " AND r.ts >= ?", params + [ts(since)]
    n, again = store.conn.execute(
        "SELECT count(*), coalesce(sum(grade = 1), 0) FROM review_log AS r INDEXED BY review_log_figures "
        f"WHERE r.profile_id = ? AND r.mode != 'undo'{cond}", params).fetchone()
    un, un_again = store.conn.execute(
        "SELECT count(*), coalesce(sum(r.grade = 1), 0) FROM review_log AS u INDEXED BY review_log_undoes "
        "JOIN review_log AS r ON r.id = u.undoes "
        f"WHERE u.profile_id = ? AND u.undoes IS NOT NULL AND r.mode != 'undo'{cond}", params).fetchone()
    return n - un, again - un_again
