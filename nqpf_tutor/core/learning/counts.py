"""Per-deck study counts (new, learning, due) for the home screen, counted in SQL.

One query per kind of count for every deck at once, over the decks' card keys held in a
temporary table (``Store.key_table``), instead of one study session per deck each reading every
answered key into Python. Counts exactly what ``StudySession(deck.cards).counts()`` counts for
each deck (tests/test_scale_counts.py keeps that slow reference and compares on seeded stores).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Sequence

from nqpf_tutor.core.model import Deck
from nqpf_tutor.core.scheduler import Scheduler, to_utc, utc_now
from nqpf_tutor.core.session import _TICK, LEARNING_STATES, REVIEW_STATES, Counts, new_paces, new_pools, new_seen
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store


def deck_counts(
    store: Store,
    decks: Sequence[Deck],
    settings: Settings | None = None,
    now: datetime | None = None,
    *,
    learn_ahead: bool = True,
    extra_new: int = 0,
) -> dict[str, Counts]:
    """``{deck id: Counts}`` for each deck (``extra_new``: custom study's more new cards today;
    an exam plan's pace counts as in study). ``decks`` is held by identity (its keys are put in
    a temporary table once): pass the same unchanged sequence (a catalog's ``decks``) each time."""
    settings = settings or Settings()
    scheduler = Scheduler(settings)
    now = to_utc(now) if now is not None else utc_now()
    day = scheduler.study_day(now)
    start, tomorrow = scheduler.day_start(day), scheduler.day_start(day + timedelta(days=1))
    table = store.key_table(decks, lambda: ((d.id, c.id) for d in decks for c in d.cards))
    per_day = new_paces(store, settings, (c for d in decks for c in d.cards), day, by=lambda c: c.deck_id)
    seen = new_seen(store, settings, start)

    def new_for(deck_id: str) -> int:  # the pools a study session of this deck alone would have
        shared, own = new_pools(store, settings, start, lambda n: per_day(deck_id, n), extra_new, seen=seen)
        return own[deck_id] if deck_id in own else shared
    review_left = max(0, settings.reviews_per_day - store.count_reviews_since(start, queue="review"))
    ahead = timedelta(minutes=settings.learn_ahead_minutes if learn_ahead else 0)
    learning = store.count_due_by_deck(table, LEARNING_STATES, now + ahead + _TICK, now)
    review = store.count_due_by_deck(table, REVIEW_STATES, tomorrow, now) if review_left else {}
    out = {}
    for d in decks:
        new = new_for(d.id)
        out[d.id] = Counts(new=store.count_new_in(table, d.id, now, new) if new else 0,
                           learning=learning.get(d.id, 0), review=min(review_left, review.get(d.id, 0)))
    return out
