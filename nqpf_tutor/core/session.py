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

When the store cannot take a write (locked by another program, disk full, read-only), nothing
is lost: the write waits in the store's outbox (``core/learning/outbox``), in order, and is
written as soon as the store can take it. Meanwhile the session reads the states those writes
will leave (``AnswerResult.saved`` is False until then), so a card answered but not yet saved
is not offered again as new, and undo takes back the waiting answer in the same order.

``sync_catalog`` brings the store in line with the decks: edited cards flagged, renamed cards
(``formerly``) keep their progress, cards no longer in any deck listed (never deleted).
"""

from __future__ import annotations

import functools
import heapq
import operator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from itertools import groupby, repeat
from typing import Callable, Iterable, Iterator, Sequence

from fsrs import Rating, State

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler, grade_for, to_utc, ts, utc_now
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store, StoreError

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
    ticket: object = field(repr=False)  # the write in the store's outbox (``Ticket``)
    grade: Rating = Rating.Good
    before: CardState | None = None
    after: CardState | None = None
    leech: bool = False  # this answer made the card a leech: it is now suspended; tell the learner
    interval: timedelta = timedelta(0)  # until the card is due again
    stored_before: CardState | None = field(default=None, repr=False)  # None: the card had no state

    @property
    def saved(self) -> bool:
        """The answer is on disk (False while the store cannot take it: it waits, kept)."""
        return bool(self.ticket.saved)  # type: ignore[attr-defined]

    @property
    def review_id(self) -> int | None:
        """The review-log row of this answer (None until it is saved)."""
        return self.ticket.result if self.saved else None  # type: ignore[attr-defined]


class _OnDisk:
    """Keys of the selection whose state is on disk: cards with writes still waiting are read
    from the outbox instead (a due query must not offer them again from their old state)."""

    def __init__(self, cards: dict, writes) -> None:
        self.cards, self.writes = cards, writes

    def __contains__(self, key: object) -> bool:
        return key in self.cards and not self.writes.unsaved_state(key)[0]


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


_DECK = operator.attrgetter("deck_id")
_ID = operator.attrgetter("id")
_HASH = operator.attrgetter("_content_hash")


def sync_catalog(store: Store, cards: Iterable[Card]) -> SyncReport:
    """Match stored progress to the loaded decks. Pass every loaded card, not a selection."""
    cards = list(cards)
    catalog: set[tuple[str, str]] | None = None  # every card's key: made only if a card was renamed
    edited: list[str] = []
    renamed: list[tuple[str, str]] = []
    cut = store.NEVER_ANSWERED
    gone: set[tuple[str, str]] = set()  # old keys whose progress a renamed card took
    with store.transaction():
        # Only each state's content hash and whether it was answered are read (no state parsed,
        # issue 17); the cards' hashes come from the deck cache. Each card's stored mark is
        # taken from ``left`` in C (map over each deck's run of cards): what stays are the
        # orphans. Only the cards whose mark is not their hash (never answered, edited, renamed,
        # no state) go through Python.
        known = store.content_marks()
        left = {d: dict(m) for d, m in known.items()}
        marks: list[str | None] = []
        for deck_id, run in groupby(cards, key=_DECK):
            marks.extend(map(left.get(deck_id, {}).pop, map(_ID, run), repeat(None)))
        try:
            hashes = list(map(_HASH, cards))  # kept by the deck cache (and on each card once worked out)
        except AttributeError:
            hashes = [c.content_hash for c in cards]
        look = [i for i, (mark, h) in enumerate(zip(marks, hashes)) if mark != h]
        unanswered: list[Card] = []  # in catalog order: the study session's new cards (below)
        for i in look:
            card, mark = cards[i], marks[i]
            if mark is None:
                if not card.formerly:
                    unanswered.append(card)
                    continue
                if catalog is None:
                    catalog = {c.key for c in cards}
                for old in card.formerly:
                    key = _old_key(card, old)
                    was = known.get(key[0], {}).get(key[1])
                    if was is not None and key not in gone and key not in catalog and store.rename(key, card.key):
                        mark = was
                        gone.add(key)
                        left.get(key[0], {}).pop(key[1], None)
                        renamed.append((f"{key[0]}/{key[1]}", card.uid))
                        break
                if mark is None:
                    unanswered.append(card)
                    continue
            content_hash, answered = mark.removesuffix(cut), not mark.endswith(cut)
            if not answered:
                unanswered.append(card)
            if content_hash == card.content_hash:
                continue
            if answered and content_hash:
                store.mark_edited(card.deck_id, card.id, card.content_hash)
                edited.append(card.uid)
            else:  # no answer yet (suspended or buried while new): nothing to flag
                state = store.get(*card.key)
                if state is not None:
                    store.put(replace(state, content_hash=card.content_hash))
        orphans = sorted((d, c) for d, m in left.items() for c in m)  # in key order, as stored
    # For a study session over these same cards next, while nothing is written (start-up):
    # its new-card candidates without a set of every answered key (see StudySession).
    store.__dict__["_unanswered_memo"] = (store.data_version(), cards, unanswered)
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


def save_answer(store: Store, scheduler: Scheduler, stored: CardState | None, after: CardState, grade: Rating,
                mode: str, duration_ms: int | None, now: datetime, *, look_first: bool = False) -> int:
    """Write one answer in one transaction: the card's state ``after`` (given it was ``stored``)
    and its log row; returns the row's id. A card changed meanwhile (another window) is answered
    as it is now. ``look_first``: the answer may already be on disk (a COMMIT that reported an
    error but went through, a write kept by a program that then stopped): found, it is not
    written again."""
    key, content_hash = after.key, after.content_hash
    with store.transaction():
        current = store.get(*key)
        if look_first and current == after and current != stored:
            done = store.find_answer(stored, after, grade, mode, now)
            if done is not None:
                return done
        was, new = stored, after
        if current != stored:  # changed meanwhile (another window): answer what is there now
            was = current
            base = current or CardState(key[0], key[1], content_hash=content_hash)
            new = replace(scheduler.review(base, grade, now), content_hash=content_hash)
        store.put(new)
        return store.log_answer(was, new, grade, mode, duration_ms, now)


def new_paces(store: Store, settings: Settings, cards: Iterable[Card], day: date,
              by: Callable[[Card], str] = lambda card: "") -> Callable[[str, int], int]:
    """``per_day(group, introduced today)``: the shared new-card limit of a study session of the
    cards of one group (``by``: say, a card's deck): the settings', or while an exam plan runs, its
    pace over the group's planned cards still new (as ``StudySession._new_per_day``)."""
    from collections import Counter

    from nqpf_tutor.core.learning.profile import exam_new_limit, load_plan

    plan = load_plan(store)
    if plan is None or plan.exam < day:
        return lambda group, seen: settings.new_per_day
    answered = store.keys(answered=True)
    left = Counter(by(c) for c in cards if plan.selects(c) and c.key not in answered)

    def per_day(group: str, seen: int) -> int:
        if not left.get(group):  # none of the group's cards is in the plan
            return settings.new_per_day
        return exam_new_limit(plan, left[group], seen, day)

    return per_day


def new_seen(store: Store, settings: Settings, start: datetime) -> tuple[int, dict[str, int]]:
    """New cards introduced since ``start``: in all, and by deck (only when decks have limits)."""
    by_deck = store.count_first_seen_by_deck(start) if settings.deck_new_per_day else {}
    return store.count_first_seen_since(start), by_deck


def new_pools(store: Store, settings: Settings, start: datetime, per_day: Callable[[int], int],
              extra_new: int = 0, *, seen: tuple[int, dict[str, int]] | None = None) -> tuple[int, dict[str, int]]:
    """New cards still allowed today (the day began at ``start``): (the shared pool, {deck id:
    its own pool}). Decks with their own limit (``deck_new_per_day``) neither use nor use up the
    shared one, whose limit is ``per_day(new cards it introduced today)`` (the settings', or in
    exam mode the plan's pace); custom study's ``extra_new`` raises every pool. The study
    session, the home screen's counts and ``stats`` (``new_available``) all count with this.
    ``seen``: ``new_seen(store, settings, start)`` when already counted."""
    limits = settings.deck_new_per_day or {}
    seen_total, by_deck = seen if seen is not None else new_seen(store, settings, start)
    if not limits:
        return max(0, per_day(seen_total) + extra_new - seen_total), {}
    own = {d: max(0, n + extra_new - by_deck.get(d, 0)) for d, n in limits.items()}
    shared_seen = seen_total - sum(by_deck.get(d, 0) for d in limits)
    return max(0, per_day(shared_seen) + extra_new - shared_seen), own


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
        extra_new: int = 0,
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        from nqpf_tutor.core.learning.profile import fitted_parameters, load_plan

        self.scheduler = Scheduler(self.settings, fitted_parameters(store))
        #: Exam mode: a plan set for this profile paces the new cards of the cards it covers.
        self.plan = load_plan(store)
        self.clock = clock
        self.mode = mode
        self.learn_ahead = learn_ahead
        #: When nothing is due: offer the cards due soonest (Anki's "review ahead").
        self.review_ahead = review_ahead
        #: Custom study's "more new cards today": added to today's new-card limits (each pool).
        self.extra_new = max(0, extra_new)
        cards = cards if isinstance(cards, list) else list(cards)
        self.cards: dict[tuple[str, str], Card] = {c.key: c for c in cards}
        if len(self.cards) != len(cards):  # a key twice: the first card keeps it, in first place
            self.cards = {}
            for c in cards:
                self.cards.setdefault(c.key, c)
        #: Writes the store cannot take now wait here, in order (one outbox per store).
        self.writes = store.writes
        self._on_disk = _OnDisk(self.cards, self.writes)
        # new-card candidates in catalog order; _new_pos skips the prefix already answered
        self._new: list[Card] = _spread_siblings(self._unanswered(store, cards))
        self._new_index = {c.key: i for i, c in enumerate(self._new)}
        self._new_pos = 0
        self._plan_new: list[tuple[str, str]] | None = None
        self._plan_limit: tuple[date, int] | None = None
        self._history: list[AnswerResult] = []
        self._pending: Card | None = None
        self._mix_day: date | None = None
        self._mix_totals = (0, 0)
        self._mix_done = [0, 0]  # new, review answered today in this session
        self._snaps: dict[str, _Snap] = {}  # due counts kept up to date by this session (issue 17)

    def _unanswered(self, store: Store, cards: list[Card]) -> list[Card]:
        """The session's cards never answered, in order: what ``sync_catalog`` found for the same
        cards when nothing was written since (start-up at 100k cards), else from the store."""
        if not self.cards:  # a session for single cards (the browser): no store read
            return []
        memo = store.__dict__.pop("_unanswered_memo", None)
        if (memo is not None and len(self.cards) == len(cards) and memo[1] == cards
                and memo[0] == store.data_version()):
            store.__dict__.pop("_hashes_memo", None)
            return list(memo[2])
        known = store.answered_keys()
        return [c for k, c in self.cards.items() if k not in known]

    # --- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        return to_utc(self.clock())

    def _today(self, now: datetime) -> tuple[datetime, datetime]:
        day = self.scheduler.study_day(now)
        return self.scheduler.day_start(day), self.scheduler.day_start(day + timedelta(days=1))

    # --- what is left ---------------------------------------------------------------------------

    def _limits_left(self, now: datetime) -> tuple[int, int]:
        start, _ = self._today(now)
        shared, per_deck = self._pools = self._new_pools(now)  # kept for the _new_available that follows
        new_left = shared + sum(per_deck.values())
        review_left = self.settings.reviews_per_day - self.store.count_reviews_since(start, queue="review")
        if self.writes.pending:  # answers not saved yet count against today's limits too
            new_waiting, review_waiting = self._waiting_today(start)
            new_left, review_left = new_left - new_waiting, review_left - review_waiting
        return max(0, new_left), max(0, review_left)

    def _new_pools(self, now: datetime) -> tuple[int, dict[str, int]]:
        """New cards still allowed today: (the shared pool, {deck id: its own pool}).

        Decks with their own limit (``deck_new_per_day``) neither use nor use up the shared
        ``new_per_day`` (in exam mode the plan's pace); custom study's ``extra_new`` raises every pool.
        """
        start, _ = self._today(now)
        return new_pools(self.store, self.settings, start, lambda seen: self._new_per_day(now, seen), self.extra_new)

    def _waiting_today(self, start: datetime) -> tuple[int, int]:
        """(cards first answered today, review answers today) in writes not saved yet."""
        new = 0
        for key in self.writes.unsaved_keys():
            s = self.writes.unsaved_state(key)[1]
            if s is not None and s.first_seen is not None and s.first_seen >= start:
                stored = self.store.get(*key)
                if stored is None or stored.first_seen is None or stored.first_seen < start:
                    new += 1
        reviews = 0
        for t in self.writes.waiting():
            if t.note is not None and t.note[0] == "review" and t.note[1] >= start:
                reviews += 1 if t.what == "answer" else -1 if t.what == "undo" else 0
        return new, max(0, reviews)
    def _new_per_day(self, now: datetime, introduced_today: int) -> int:
        """The new-card limit today: the settings', or in exam mode the plan's pace."""
        plan = self.plan
        today = self.scheduler.study_day(now)
        if plan is None or plan.exam < today:
            return self.settings.new_per_day
        if self._plan_new is None:
            self._plan_new = [c.key for c in self._new if plan.selects(c)]
        if not self._plan_new:  # none of these cards is in the plan
            return self.settings.new_per_day
        if self._plan_limit is None or self._plan_limit[0] != today:  # once a study day
            answered = self.store.keys(answered=True)
            left = sum(1 for k in self._plan_new if k not in answered)
            from nqpf_tutor.core.learning.profile import exam_new_limit

            self._plan_limit = (today, exam_new_limit(plan, left, introduced_today, today))
        return self._plan_limit[1]

    def _cards_of(self, states: Iterator[CardState]) -> Iterator[Card]:
        return (self.cards[s.key] for s in states)

    def _get(self, key: tuple[str, str]) -> CardState | None:
        """The card's state: what the writes waiting for it will leave, else the stored one."""
        waiting, state = self.writes.unsaved_state(key)
        return state if waiting else self.store.get(*key)

    def _unsaved_due(self, states: Sequence[int], before: datetime, now: datetime) -> list[CardState]:
        """Cards of the selection with writes waiting whose state-to-be is due before ``before``."""
        out = []
        for key in self.writes.unsaved_keys():
            s = self.writes.unsaved_state(key)[1]
            if (key in self.cards and s is not None and s.state in states and s.reps > 0 and s.due is not None
                    and s.due < before and not s.suspended and not s.is_buried(now)):
                out.append(s)
        return sorted(out, key=lambda s: (s.due, s.deck_id, s.card_id))

    def _due(self, states: Sequence[int], before: datetime, now: datetime) -> Iterator[CardState]:
        stored = self.store.iter_due(states, before, now, self._on_disk)
        waiting = self._unsaved_due(states, before, now)
        if not waiting:
            return stored
        return heapq.merge(stored, waiting, key=lambda s: (s.due, s.deck_id, s.card_id))

    def _learning_due(self, until: datetime, now: datetime) -> Iterator[Card]:
        return self._cards_of(self._due(LEARNING_STATES, until + _TICK, now))

    def _reviews_due(self, now: datetime) -> Iterator[Card]:
        _, tomorrow = self._today(now)
        return self._cards_of(self._due(REVIEW_STATES, tomorrow, now))

    def _count_due(self, states: Sequence[int], before: datetime, now: datetime, limit: int | None = None) -> int:
        n = self.store.count_due(states, before, now, self._on_disk, limit) + len(self._unsaved_due(states, before, now))
        return n if limit is None else min(n, limit)

    def _new_available(self, now: datetime, pools: tuple[int, dict[str, int]] | None = None) -> Iterator[Card]:
        """New cards in order; with ``pools`` (``_new_pools``) only as many as today's limits allow."""
        shared, own = (pools[0], dict(pools[1])) if pools is not None else (0, {})
        i = self._new_pos
        while i < len(self._new):
            card = self._new[i]
            room = pools is None or (own[card.deck_id] if card.deck_id in own else shared) > 0
            if not room and i != self._new_pos:  # its pool is used up: skip it unread
                i += 1
                continue
            state = self._get(card.key)
            if state is None or state.reps == 0:
                if room and (state is None or not (state.suspended or state.is_buried(now))):
                    if card.deck_id in own:
                        own[card.deck_id] -= 1
                    elif pools is not None:
                        shared -= 1
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
            new=self._take(self._new_available(now, self._pools), new_left) if new_left else 0,
            learning=self._counted_due("learning", LEARNING_STATES, now + ahead + _TICK, now),
            review=min(review_left, self._counted_due("review", REVIEW_STATES, tomorrow, now)) if review_left else 0,
        )

    # Due counts are kept, not recounted after each answer (issue 17: the counts line at 100k
    # cards). A count made in SQL at (before0, now0) stays right while nobody else writes (the
    # store's data version), no buried card comes back (the horizon) and time only moves on:
    # then count = count0 + what this session's own writes changed (worked out from the states
    # before and after each write) + the cards falling due in [before0, before) (a small range).
    # Anything else, and the count is made again in SQL.

    def _counted_due(self, kind: str, states: tuple[int, ...], before: datetime, now: datetime) -> int:
        if self.writes.pending:  # writes waiting for a locked store: counted with them, row by row
            self._snaps.clear()
            return self._count_due(states, before, now)
        return self._due_count(kind, states, before, now)

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

    def _track(self, key: tuple[str, str], old: CardState | None, new: CardState | None, pre: tuple[int, int],
               ticket=None) -> None:
        """After this session wrote ``key`` (from ``old`` to ``new``): move the kept counts on.
        A write kept waiting (the store could not take it now) drops them: counted again later."""
        if ticket is not None and not getattr(ticket, "saved", False):
            self._snaps.clear()
            return
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
        state = self._get(card.key)
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
        new = next(self._new_available(now, self._pools), None) if new_left else None
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
            return next(self._cards_of(self._due(LEARNING_STATES + REVIEW_STATES, _FOREVER, now)), None)
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
            learning = next(self._due(LEARNING_STATES, _FOREVER, when), None)
            if learning is not None:
                times.append(max(when, learning.due - ahead))  # type: ignore[operator]
            review = next(self._due(REVIEW_STATES, _FOREVER, when), None)
            if review is not None:
                day_begins = self.scheduler.day_start(self.scheduler.study_day(review.due))  # type: ignore[arg-type]
                today_ok = when == now and review_left and day_begins <= now
                times.append(now if today_ok else max(tomorrow, day_begins))
            if next(self._new_available(when), None) is not None:
                allowed = when == now and new_left and next(self._new_available(now, self._pools), None)
                times.append(now if allowed else tomorrow)
        return min(times) if times else None

    # --- answering ---------------------------------------------------------------------------------

    def state(self, card: Card) -> CardState:
        """The card's state (stored, or left by writes still waiting), or a new one."""
        return self._get(card.key) or CardState(card.deck_id, card.id, content_hash=card.content_hash)

    def stored_state(self, card: Card) -> CardState | None:
        """The card's state (stored, or left by writes still waiting); None: it has none."""
        return self._get(card.key)

    def preview(self, card: Card) -> dict[Rating, timedelta]:
        """The interval each grade would give now (Anki shows these on its answer buttons)."""
        return self.scheduler.preview(self.state(card), self.now())

    def retrievability(self, card: Card) -> float | None:
        return self.scheduler.retrievability(self.state(card), self.now())

    def answer(self, card: Card, grade: Rating | int, duration_ms: int | None = None, mode: str | None = None) -> AnswerResult:
        """Grade ``card``: the new state and the log row are committed when this returns, or,
        when the store cannot take them now, kept in the outbox (``result.saved`` False) and
        written, in order, as soon as it can."""
        grade = Rating(int(grade))
        now = self.now()
        mode = mode or self.mode
        key, content_hash = card.key, card.content_hash
        stored = self._get(key)
        before = stored or CardState(card.deck_id, card.id, content_hash=content_hash)
        after = replace(self.scheduler.review(before, grade, now), content_hash=content_hash)
        scheduler = self.scheduler
        tries = {"commit_failed": False}

        def write(store: Store) -> int:
            try:
                return attempt(store)
            except StoreError:
                # sticky: once a COMMIT reported an error, every later try looks on disk first
                # (a retry that then fails at BEGIN must not forget the write may be there)
                tries["commit_failed"] = tries["commit_failed"] or store.commit_failed
                raise

        def attempt(store: Store) -> int:
            return save_answer(store, scheduler, stored, after, grade, mode, duration_ms, now,
                               look_first=tries["commit_failed"])

        def record() -> dict:  # for the journal: made only if the answer has to wait
            from nqpf_tutor.core.learning.journal import answer_record

            return answer_record(stored, after, grade, mode, duration_ms, now)

        pre = self.store.data_version()
        ticket = self.writes.submit("answer", write, key=key, expected=after, note=(before.queue, now),
                                    record=record)
        self._track(key, stored, after, pre, ticket)
        result = AnswerResult(
            card=card, ticket=ticket, grade=grade, before=before, after=after,
            leech=self.scheduler.became_leech(before, after), interval=after.due - now,  # type: ignore[operator]
            stored_before=stored,
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
        now = self.now()
        answered = last.ticket
        if self._get(last.card.key) != last.after:  # suspended, buried or answered since: as the store says
            raise StoreError(f"cannot undo: card {last.card.uid} has changed since that answer")

        def write(store: Store) -> CardState | None:
            if not answered.saved:  # type: ignore[attr-defined]
                raise StoreError("cannot undo: that answer could not be saved")
            if store.undo_of(answered.result) is not None:  # type: ignore[attr-defined]
                return last.stored_before  # a first try committed after all (an error on COMMIT)
            return store.undo(answered.result, now)  # type: ignore[attr-defined]

        # in order behind the answer it takes back; refused at once (StoreError) only when the
        # answer is saved and the store says no (another window changed the card since)
        pre = self.store.data_version()
        def record() -> dict:  # for the journal: an undo of an answer still waiting cancels it
            if answered.saved:  # type: ignore[attr-defined]
                return {"kind": "undo", "review": answered.result, "now": ts(now)}  # type: ignore[attr-defined]
            return {"kind": "cancel", "ticket": answered}

        ticket = self.writes.submit("undo", write, key=last.card.key, expected=last.stored_before,
                                    note=answered.note, record=record)  # type: ignore[attr-defined]
        self._track(last.card.key, last.after, last.stored_before, pre, ticket)
        self._history.pop()
        self._count_mix(last.before.queue, -1, self.now())
        index = self._new_index.get(last.card.key)
        if index is not None and last.before.reps == 0:
            self._new_pos = min(self._new_pos, index)
        self._pending = last.card
        return last.card

    # --- by hand -------------------------------------------------------------------------------------

    def _set(self, card: Card, **changes) -> CardState:
        key, content_hash = card.key, card.content_hash
        old = self._get(key)
        state = replace(old or self.state(card), **changes)

        from nqpf_tutor.core.learning.journal import change_record, replay

        record = change_record(key, content_hash, changes)  # the write, as the journal keeps it
        pre = self.store.data_version()
        ticket = self.writes.submit("change", replay(record, self.scheduler), key=key, expected=state, record=record)
        self._track(key, old, state, pre, ticket)
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

    def reset(self, card: Card) -> CardState | None:
        """The card becomes new (a suspension stays); the review log is left as it is."""
        key, content_hash = card.key, card.content_hash
        old = self._get(key)
        new = CardState(key[0], key[1], content_hash=content_hash, suspended=True) if old and old.suspended else None

        from nqpf_tutor.core.learning.journal import replay, reset_record

        record = reset_record(key, content_hash)
        self.writes.submit("change", replay(record, self.scheduler), key=key, expected=new, record=record)
        return new

