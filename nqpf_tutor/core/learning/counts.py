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
from nqpf_tutor.core.session import _TICK, LEARNING_STATES, REVIEW_STATES, Counts
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
    """``{deck id: Counts}`` for each deck (``extra_new``: custom study's more new cards today). ``decks`` is held by identity (its keys are put in a
    temporary table once): pass the same unchanged sequence (a catalog's ``decks``) each time."""
    settings = settings or Settings()
    scheduler = Scheduler(settings)
    now = to_utc(now) if now is not None else utc_now()
    day = scheduler.study_day(now)
    start, tomorrow = scheduler.day_start(day), scheduler.day_start(day + timedelta(days=1))
    table = store.key_table(decks, lambda: ((d.id, c.id) for d in decks for c in d.cards))
    new_left = max(0, settings.new_per_day + extra_new - store.count_first_seen_since(start))
    limits = settings.deck_new_per_day or {}  # decks with their own limit (see StudySession._new_pools)
    by_deck = store.count_first_seen_by_deck(start) if limits else {}
    if limits:
        shared_seen = store.count_first_seen_since(start) - sum(by_deck.get(d, 0) for d in limits)
        new_left = max(0, settings.new_per_day + extra_new - shared_seen)

    def new_for(deck_id: str) -> int:
        if deck_id in limits:
            return max(0, limits[deck_id] + extra_new - by_deck.get(deck_id, 0))
        return new_left
    review_left = max(0, settings.reviews_per_day - store.count_reviews_since(start, queue="review"))
    ahead = timedelta(minutes=settings.learn_ahead_minutes if learn_ahead else 0)
    learning = store.count_due_by_deck(table, LEARNING_STATES, now + ahead + _TICK, now)
    review = store.count_due_by_deck(table, REVIEW_STATES, tomorrow, now) if review_left else {}
    return {
        d.id: Counts(new=store.count_new_in(table, d.id, now, new_for(d.id)) if new_for(d.id) else 0,
                     learning=learning.get(d.id, 0),
                     review=min(review_left, review.get(d.id, 0)))
        for d in decks
    }
