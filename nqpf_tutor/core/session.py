"""A study session: which card comes next, answering, undo, suspend and bury.

The queue works as Anki's does, on top of py-fsrs:

1. a card just taken back with ``undo()`` comes first;
2. learning and relearning cards due now;
3. review cards due today (the study day starts at the rollover hour) and new cards, mixed so
   the new ones are spread evenly among the reviews, within the daily limits (new cards first
   answered today, review-card answers today);
4. when nothing else is left: learning cards due within the learn-ahead window.

Every ``answer()`` is one transaction, committed before it returns. The session reads the
store for each decision, so another copy of the app on the same data dir is seen at once.

``sync_catalog`` brings the store in line with the decks: edited cards flagged, renamed cards
(``formerly``) keep their progress, cards no longer in any deck listed (never deleted).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator

from fsrs import Rating, State

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler, grade_for, to_utc, utc_now
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store

__all__ = ["AnswerResult", "Counts", "StudySession", "SyncReport", "grade_for", "sync_catalog"]

LEARNING_STATES = (State.Learning.value, State.Relearning.value)
REVIEW_STATES = (State.Review.value,)
_FOREVER = datetime(9999, 1, 1, tzinfo=timezone.utc)
_TICK = timedelta(microseconds=1)  # stored times have microsecond precision: "< now + tick" is "<= now"


@dataclass(frozen=True)
class Counts:
    """Cards left today: new (within the new-card limit), learning (due now), review (within the limit)."""

    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class AnswerResult:
    card: Card
    review_id: int
    grade: Rating
    before: CardState
    after: CardState
    leech: bool  # this answer made the card a leech: it is now suspended; tell the learner
    interval: timedelta  # until the card is due again


@dataclass(frozen=True)
class SyncReport:
    edited: list[str]  # uids of cards whose text changed since they were last answered
    renamed: list[tuple[str, str]]  # (old uid, new uid): progress moved by ``formerly``
    orphan_keys: list[tuple[str, str]] = field(default_factory=list)  # cards in no loaded deck
    store: Store | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def orphans(self) -> list[CardState]:
        """The progress kept for cards in no loaded deck, read when first asked for (start-up
        does not pay for it, issue 17)."""
        if self.store is None:
            return []
        return [s for s in (self.store.get(*k) for k in self.orphan_keys) if s is not None]


@dataclass(frozen=True)
class _Snap:
    """A due count made in SQL, and what this session's own writes have changed since."""

    states: tuple[int, ...]
    before: datetime
    now: datetime
    count: int
    delta: int
    horizon: datetime | None  # a buried card comes back then: count again
    version: tuple[int, int]  # the store's data version the count (plus delta) is right for


def _old_key(card: Card, old: str) -> tuple[str, str]:
    deck, sep, cid = old.partition("/")
    return (deck, cid) if sep else (card.deck_id, old)


def sync_catalog(store: Store, cards: Iterable[Card]) -> SyncReport:
    """Match stored progress to the loaded decks. Pass every loaded card, not a selection."""
    cards = list(cards)
    catalog = {c.key for c in cards}
    edited: list[str] = []
    renamed: list[tuple[str, str]] = []
    with store.transaction():
        # Only each state's content hash and reps are read (no state parsed, issue 17); the
        # cards' hashes come from the deck cache.
        known = store.content_hashes()
        for card in cards:
            info = known.get(card.key)
            if info is None:
                for old in card.formerly:
                    key = _old_key(card, old)
                    if key in known and key not in catalog and store.rename(key, card.key):
                        info = known[card.key] = known.pop(key)
                        renamed.append((f"{key[0]}/{key[1]}", card.uid))
                        break
            if info is None or info[0] == card.content_hash:
                continue
            content_hash, reps = info
            if reps > 0 and content_hash:
                store.mark_edited(card.deck_id, card.id, card.content_hash)
                edited.append(card.uid)
            else:  # no answer yet (suspended or buried while new): nothing to flag
                state = store.get(*card.key)
                if state is not None:
                    store.put(replace(state, content_hash=card.content_hash))
        orphans = sorted(known.keys() - catalog)  # in key order, as stored (UTF-8 order is code point order)
    return SyncReport(edited=edited, renamed=renamed, orphan_keys=orphans, store=store)


def _sibling_key(card: Card) -> tuple[str, str]:
    """Cards made from one table cell (its flip, multiple-choice and "which" cards) are siblings."""
    if card.table:
        return (card.deck_id, ".".join(card.id.split(".")[:3]))
    return card.key


def _spread_siblings(cards: list[Card]) -> list[Card]:
    """New cards in deck order, but a card's siblings only after every first card (as Anki
    buries siblings), so one cell's cards do not come back to back and give each other away."""
    seen: dict[tuple[str, str], int] = {}
    ranked = []
    for i, c in enumerate(cards):
        k = _sibling_key(c)
        rank = seen.get(k, 0)
        seen[k] = rank + 1
        ranked.append((rank, i, c))
    return [c for _, _, c in sorted(ranked, key=lambda t: (t[0], t[1]))]


class StudySession:
    """Spaced-repetition study over ``cards`` (the selection) for the store's profile."""

    def __init__(
        self,
        cards: Iterable[Card],
        store: Store,
        settings: Settings | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        mode: str = "study",
        learn_ahead: bool = True,
        review_ahead: bool = False,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.scheduler = Scheduler(self.settings)
        self.clock = clock
        self.mode = mode
        self.learn_ahead = learn_ahead
        #: When nothing is due: offer the cards due soonest (Anki's "review ahead").
        self.review_ahead = review_ahead
        self.cards: dict[tuple[str, str], Card] = {}
        for c in cards:
            self.cards.setdefault(c.key, c)
        known = store.answered_keys()
        # new-card candidates in catalog order; _new_pos skips the prefix already answered
        self._new: list[Card] = _spread_siblings([c for k, c in self.cards.items() if k not in known])
        self._new_index = {c.key: i for i, c in enumerate(self._new)}
        self._new_pos = 0
        self._history: list[AnswerResult] = []
        self._pending: Card | None = None
        self._mix_day: date | None = None
        self._mix_totals = (0, 0)
        self._mix_done = [0, 0]  # new, review answered today in this session
        self._snaps: dict[str, _Snap] = {}  # due counts kept up to date by this session (issue 17)

    # --- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        return to_utc(self.clock())

    def _today(self, now: datetime) -> tuple[datetime, datetime]:
        day = self.scheduler.study_day(now)
        return self.scheduler.day_start(day), self.scheduler.day_start(day + timedelta(days=1))

    # --- what is left ---------------------------------------------------------------------------

    def _limits_left(self, now: datetime) -> tuple[int, int]:
        start, _ = self._today(now)
        new_left = self.settings.new_per_day - self.store.count_first_seen_since(start)
        review_left = self.settings.reviews_per_day - self.store.count_reviews_since(start, queue="review")
        return max(0, new_left), max(0, review_left)

    def _cards_of(self, states: Iterator[CardState]) -> Iterator[Card]:
        return (self.cards[s.key] for s in states)

    def _learning_due(self, until: datetime, now: datetime) -> Iterator[Card]:
        return self._cards_of(self.store.iter_due(LEARNING_STATES, until + _TICK, now, self.cards))

    def _reviews_due(self, now: datetime) -> Iterator[Card]:
        _, tomorrow = self._today(now)
        return self._cards_of(self.store.iter_due(REVIEW_STATES, tomorrow, now, self.cards))

    def _new_available(self, now: datetime) -> Iterator[Card]:
        i = self._new_pos
        while i < len(self._new):
            card = self._new[i]
            state = self.store.get(*card.key)
            if state is None or state.reps == 0:
                if state is None or not (state.suspended or state.is_buried(now)):
                    yield card
            elif i == self._new_pos:
                self._new_pos += 1  # answered (here or in another window): never new again
            i += 1

    @staticmethod
    def _take(it: Iterator[Card], n: int) -> int:
        count = 0
        for _ in it:
            count += 1
            if count >= n:
                break
        return count

    def counts(self) -> Counts:
        now = self.now()
        new_left, review_left = self._limits_left(now)
        ahead = timedelta(minutes=self.settings.learn_ahead_minutes if self.learn_ahead else 0)
        _, tomorrow = self._today(now)
        return Counts(
            new=self._take(self._new_available(now), new_left) if new_left else 0,
            learning=self._due_count("learning", LEARNING_STATES, now + ahead + _TICK, now),
            review=min(review_left, self._due_count("review", REVIEW_STATES, tomorrow, now)) if review_left else 0,
        )

    # Due counts are kept, not recounted after each answer (issue 17: the counts line at 100k
    # cards). A count made in SQL at (before0, now0) stays right while nobody else writes (the
    # store's data version), no buried card comes back (the horizon) and time only moves on:
    # then count = count0 + what this session's own writes changed (worked out from the states
    # before and after each write) + the cards falling due in [before0, before) (a small range).
    # Anything else, and the count is made again in SQL.

    def _due_count(self, kind: str, states: tuple[int, ...], before: datetime, now: datetime) -> int:
        snap = self._snaps.get(kind)
        if (snap is not None and snap.version == self.store.data_version() and snap.before <= before
                and snap.now <= now and (snap.horizon is None or now < snap.horizon)):
            extra = 0
            if before > snap.before:
                extra = self.store.count_due_between(self._key_table(), states, snap.before, before, now)
            return snap.count + snap.delta + extra
        count = self.store.count_due_in(self._key_table(), states, before, now)
        horizon = self.store.next_unburied(now)
        self._snaps[kind] = _Snap(states, before, now, count, 0, horizon, self.store.data_version())
        return count

    def _counted(self, snap: "_Snap", key: tuple[str, str], s: CardState | None) -> int:
        return int(
            s is not None and key in self.cards and s.state in snap.states and s.reps > 0 and not s.suspended
            and s.due is not None and s.due < snap.before and not (s.buried_until is not None and s.buried_until > snap.now)
        )

    def _track(self, key: tuple[str, str], old: CardState | None, new: CardState | None, pre: tuple[int, int]) -> None:
        """After this session wrote ``key`` (from ``old`` to ``new``): move the kept counts on."""
        post = self.store.data_version()
        for kind, snap in list(self._snaps.items()):
            if snap.version != pre or post[0] != pre[0]:  # someone else wrote meanwhile: count again
                del self._snaps[kind]
                continue
            delta = self._counted(snap, key, new) - self._counted(snap, key, old)
            horizon = snap.horizon
            if new is not None and new.buried_until is not None and new.buried_until > snap.now:
                horizon = new.buried_until if horizon is None else min(horizon, new.buried_until)
            self._snaps[kind] = replace(snap, delta=snap.delta + delta, version=post, horizon=horizon)

    def _key_table(self) -> str:
        """The session's card keys in a temporary table: counts join it in SQL (issue 17)."""
        return self.store.key_table(self.cards, self.cards.keys)

    # --- choosing --------------------------------------------------------------------------------

    def _usable(self, card: Card, now: datetime) -> bool:
        state = self.store.get(*card.key)
        return state is None or not (state.suspended or state.is_buried(now))

    def next_card(self) -> Card | None:
        """The card to show now, or None when nothing is due (see ``next_due_time``)."""
        now = self.now()
        if self._pending is not None:
            card, self._pending = self._pending, None
            if card.key in self.cards and self._usable(card, now):
                return card
        card = next(self._learning_due(now, now), None)
        if card is not None:
            return card
        new_left, review_left = self._limits_left(now)
        review = next(self._reviews_due(now), None) if review_left else None
        new = next(self._new_available(now), None) if new_left else None
        if review is not None and new is not None:
            return new if self._new_turn(now) else review
        if review is not None or new is not None:
            return review or new
        if self.learn_ahead and self.settings.learn_ahead_minutes:
            ahead = now + timedelta(minutes=self.settings.learn_ahead_minutes)
            card = next(self._learning_due(ahead, now), None)
            if card is not None:
                return card
        if self.review_ahead:
            return next(self._cards_of(self.store.iter_due(LEARNING_STATES + REVIEW_STATES, _FOREVER, now, self.cards)), None)
        return None

    def _new_turn(self, now: datetime) -> bool:
        """Spread new cards evenly among the reviews (a Bresenham walk over today's totals)."""
        day = self.scheduler.study_day(now)
        if self._mix_day != day:
            c = self.counts()
            self._mix_day, self._mix_totals, self._mix_done = day, (max(1, c.new), max(1, c.review)), [0, 0]
        n_total, r_total = self._mix_totals
        n_done, r_done = self._mix_done
        return (2 * n_done + 1) * r_total < (2 * r_done + 1) * n_total

    def next_due_time(self) -> datetime | None:
        """When a card will be available (now, if one is); None if none ever will be."""
        now = self.now()
        _, tomorrow = self._today(now)
        new_left, review_left = self._limits_left(now)
        ahead = timedelta(minutes=self.settings.learn_ahead_minutes if self.learn_ahead else 0)
        times = [now] if self._pending is not None else []
        for when in (now, tomorrow):  # buried cards are back tomorrow
            learning = next(self.store.iter_due(LEARNING_STATES, _FOREVER, when, self.cards), None)
            if learning is not None:
                times.append(max(when, learning.due - ahead))  # type: ignore[operator]
            review = next(self.store.iter_due(REVIEW_STATES, _FOREVER, when, self.cards), None)
            if review is not None:
                day_begins = self.scheduler.day_start(self.scheduler.study_day(review.due))  # type: ignore[arg-type]
                today_ok = when == now and review_left and day_begins <= now
                times.append(now if today_ok else max(tomorrow, day_begins))
            if next(self._new_available(when), None) is not None:
                times.append(now if when == now and new_left else tomorrow)
        return min(times) if times else None

    # --- answering ---------------------------------------------------------------------------------

    def state(self, card: Card) -> CardState:
        """The card's stored state, or a new one."""
        return self.store.get(*card.key) or CardState(card.deck_id, card.id, content_hash=card.content_hash)

    def preview(self, card: Card) -> dict[Rating, timedelta]:
        """The interval each grade would give now (Anki shows these on its answer buttons)."""
        return self.scheduler.preview(self.state(card), self.now())

    def retrievability(self, card: Card) -> float | None:
        return self.scheduler.retrievability(self.state(card), self.now())

    def answer(self, card: Card, grade: Rating | int, duration_ms: int | None = None, mode: str | None = None) -> AnswerResult:
        """Grade ``card``; the new state and the log row are committed when this returns."""
        grade = Rating(int(grade))
        now = self.now()
        pre = self.store.data_version()
        with self.store.transaction():
            stored = self.store.get(*card.key)
            before = stored or CardState(card.deck_id, card.id, content_hash=card.content_hash)
            after = replace(self.scheduler.review(before, grade, now), content_hash=card.content_hash)
            self.store.put(after)
            review_id = self.store.log_answer(stored, after, grade, mode or self.mode, duration_ms, now)
        self._track(card.key, stored, after, pre)
        result = AnswerResult(
            card=card, review_id=review_id, grade=grade, before=before, after=after,
            leech=self.scheduler.became_leech(before, after), interval=after.due - now,  # type: ignore[operator]
        )
        self._history.append(result)
        self._count_mix(before.queue, +1, now)
        if self._pending is not None and self._pending.key == card.key:
            self._pending = None
        return result

    def _count_mix(self, queue: str, delta: int, now: datetime) -> None:
        if self._mix_day == self.scheduler.study_day(now) and queue in ("new", "review"):
            self._mix_done[0 if queue == "new" else 1] += delta

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> Card | None:
        """Take back the last answer of this session (repeatable); the card comes next again."""
        if not self._history:
            return None
        last = self._history[-1]
        pre = self.store.data_version()
        restored = self.store.undo(last.review_id, self.now())
        self._track(last.card.key, last.after, restored, pre)
        self._history.pop()
        self._count_mix(last.before.queue, -1, self.now())
        index = self._new_index.get(last.card.key)
        if index is not None and last.before.reps == 0:
            self._new_pos = min(self._new_pos, index)
        self._pending = last.card
        return last.card

    # --- by hand -------------------------------------------------------------------------------------

    def _set(self, card: Card, **changes) -> CardState:
        pre = self.store.data_version()
        with self.store.transaction():
            old = self.store.get(*card.key)
            state = replace(old or self.state(card), **changes)
            self.store.put(state)
        self._track(card.key, old, state, pre)
        if self._pending is not None and self._pending.key == card.key:
            self._pending = None
        return state

    def suspend(self, card: Card) -> CardState:
        """Keep the card out of study until unsuspended."""
        return self._set(card, suspended=True)

    def unsuspend(self, card: Card) -> CardState:
        return self._set(card, suspended=False)

    def bury(self, card: Card) -> CardState:
        """Hide the card until the next study day."""
        return self._set(card, buried_until=self.scheduler.next_day_start(self.now()))

    def unbury(self, card: Card) -> CardState:
        return self._set(card, buried_until=None)

