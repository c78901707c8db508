"""Scheduling: FSRS through py-fsrs, plus what py-fsrs leaves to the app.

- ``CardState``: one learner's progress on one card (py-fsrs' card fields plus reps, lapses,
  suspension, burying, leech and edit flags).
- ``Scheduler``: reviews a state with a grade (py-fsrs ``review_card``) with fuzz that is
  deterministic per card (seeded from the card's uid and rep count), previews the interval each
  grade would give, counts lapses and flags leeches, and gives retrievability.
- Study days: a day starts at a set local hour (Anki's 4 AM), DST safe, while py-fsrs works in
  UTC only.

All times are timezone-aware; they are stored and compared in UTC.
"""

from __future__ import annotations

import hashlib
import random
import threading
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, Iterator

import fsrs
import fsrs.scheduler as _fsrs_scheduler
from fsrs import Rating, State

from nqpf_tutor.core.settings import Settings

Grade = Rating
GRADES: tuple[Rating, ...] = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware")
    return dt.astimezone(timezone.utc)


def ts(dt: datetime | None) -> str | None:
    """A UTC timestamp as fixed-width text: sorts and compares as the instants do."""
    return None if dt is None else to_utc(dt).strftime(_TS_FORMAT)


def parse_ts(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.rstrip("Z")).replace(tzinfo=timezone.utc)


def grade_for(correct: bool) -> Rating:
    """A multiple-choice or typed answer as a grade: right is Good, wrong is Again."""
    return Rating.Good if correct else Rating.Again


# --- study days ---------------------------------------------------------------------------


def zone(name: str | None) -> tzinfo | None:
    """The ``ZoneInfo`` for an IANA name; None (the system's local time) for no name."""
    if not name:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def study_day(now: datetime, rollover_hour: int, tz: tzinfo | None = None) -> date:
    """The study day ``now`` falls in: the local date, where a day starts at ``rollover_hour``.

    ``tz`` None means the system's local time. Wall-clock arithmetic makes it DST safe.
    """
    local = now.astimezone(tz)
    return (local.replace(tzinfo=None) - timedelta(hours=rollover_hour)).date()


def day_start(day: date, rollover_hour: int, tz: tzinfo | None = None) -> datetime:
    """The UTC instant study day ``day`` starts (an hour that DST skips counts as the first one after)."""
    naive = datetime(day.year, day.month, day.day, rollover_hour)
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(timezone.utc)


# --- card state -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CardState:
    """One learner's progress on one card. ``reps == 0`` means new (never answered)."""

    deck_id: str
    card_id: str
    content_hash: str = ""
    state: int = State.Learning.value  # py-fsrs State: 1 learning, 2 review, 3 relearning
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    buried_until: datetime | None = None
    leech: bool = False
    edited: bool = False
    first_seen: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.deck_id, self.card_id)

    @property
    def uid(self) -> str:
        return f"{self.deck_id}/{self.card_id}"

    @property
    def is_new(self) -> bool:
        return self.reps == 0

    @property
    def queue(self) -> str:
        """'new', 'learning' (learning or relearning) or 'review'."""
        if self.reps == 0:
            return "new"
        return "review" if self.state == State.Review else "learning"

    def is_buried(self, now: datetime) -> bool:
        return self.buried_until is not None and self.buried_until > now

    def to_fsrs(self) -> fsrs.Card:
        return fsrs.Card(
            card_id=0,
            state=State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due or datetime(1970, 1, 1, tzinfo=timezone.utc),
            last_review=self.last_review,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; floats and times round-trip exactly."""
        return {
            "deck_id": self.deck_id,
            "card_id": self.card_id,
            "content_hash": self.content_hash,
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": ts(self.due),
            "last_review": ts(self.last_review),
            "reps": self.reps,
            "lapses": self.lapses,
            "suspended": self.suspended,
            "buried_until": ts(self.buried_until),
            "leech": self.leech,
            "edited": self.edited,
            "first_seen": ts(self.first_seen),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CardState":
        return cls(
            deck_id=d["deck_id"],
            card_id=d["card_id"],
            content_hash=d.get("content_hash") or "",
            state=int(d.get("state", State.Learning.value)),
            step=d.get("step"),
            stability=d.get("stability"),
            difficulty=d.get("difficulty"),
            due=parse_ts(d.get("due")),
            last_review=parse_ts(d.get("last_review")),
            reps=int(d.get("reps", 0)),
            lapses=int(d.get("lapses", 0)),
            suspended=bool(d.get("suspended", False)),
            buried_until=parse_ts(d.get("buried_until")),
            leech=bool(d.get("leech", False)),
            edited=bool(d.get("edited", False)),
            first_seen=parse_ts(d.get("first_seen")),
        )


# --- deterministic fuzz -----------------------------------------------------------------------

_FUZZ_LOCK = threading.Lock()


def card_seed(uid: str, reps: int) -> int:
    """The fuzz seed of a card's next review: the same card at the same rep count fuzzes alike."""
    return int.from_bytes(hashlib.sha256(f"{uid}#{reps}".encode()).digest()[:8], "big")


@contextmanager
def _seeded_fuzz(seed: int) -> Iterator[None]:
    """py-fsrs draws fuzz from the module-level ``random()``; draw it from ``Random(seed)`` instead.

    Everything else (fuzz ranges, rounding, the maximum interval) stays py-fsrs' own code.
    """
    rng = random.Random(seed)
    with _FUZZ_LOCK:
        saved = _fsrs_scheduler.random
        _fsrs_scheduler.random = rng.random
        try:
            yield
        finally:
            _fsrs_scheduler.random = saved


# --- scheduler ----------------------------------------------------------------------------------


def is_leech_count(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at ``threshold`` lapses, and again every half threshold after."""
    if threshold <= 0 or lapses < threshold:
        return False
    return (lapses - threshold) % max(1, threshold // 2) == 0


class Scheduler:
    """FSRS (py-fsrs) with the app's settings, seeded fuzz, lapses and leeches."""

    def __init__(self, settings: Settings | None = None, parameters: tuple[float, ...] | None = None) -> None:
        self.settings = settings or Settings()
        s = self.settings
        #: FSRS parameters fitted to this learner (``nqpf-tutor optimize``); None: py-fsrs' defaults.
        self.parameters = parameters
        self.fsrs = fsrs.Scheduler(
            **({"parameters": tuple(parameters)} if parameters is not None else {}),
            desired_retention=s.desired_retention,
            learning_steps=s.learning_steps,
            relearning_steps=s.relearning_steps,
            maximum_interval=s.maximum_interval,
            enable_fuzzing=True,
        )
        self.tz = zone(s.timezone)

    # days
    def study_day(self, now: datetime) -> date:
        return study_day(now, self.settings.day_rollover_hour, self.tz)

    def day_start(self, day: date) -> datetime:
        return day_start(day, self.settings.day_rollover_hour, self.tz)

    def next_day_start(self, now: datetime) -> datetime:
        return self.day_start(self.study_day(now) + timedelta(days=1))

    # reviews
    def review(self, state: CardState, grade: Rating | int, now: datetime, seed: int | None = None) -> CardState:
        """The state after answering ``state`` with ``grade`` at ``now``.

        Counts reps and lapses (a review card graded Again), flags and suspends a leech, clears
        the edited flag (the learner has now seen the new text). ``seed`` defaults to
        ``card_seed(state.uid, state.reps)``.
        """
        grade = Rating(int(grade))
        now = to_utc(now)
        if seed is None:
            seed = card_seed(state.uid, state.reps)
        with _seeded_fuzz(seed):
            card, _log = self.fsrs.review_card(state.to_fsrs(), grade, review_datetime=now)
        lapsed = state.reps > 0 and state.state == State.Review and grade == Rating.Again
        lapses = state.lapses + lapsed
        leeched = lapsed and is_leech_count(lapses, self.settings.leech_threshold)
        return replace(
            state,
            state=card.state.value,
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
            reps=state.reps + 1,
            lapses=lapses,
            leech=state.leech or leeched,
            suspended=state.suspended or leeched,
            buried_until=None,
            edited=False,
            first_seen=state.first_seen or now,
        )

    def became_leech(self, before: CardState, after: CardState) -> bool:
        """Whether the answer that turned ``before`` into ``after`` made the card a leech now."""
        return after.lapses > before.lapses and is_leech_count(after.lapses, self.settings.leech_threshold)

    def preview(self, state: CardState, now: datetime, seed: int | None = None) -> dict[Rating, timedelta]:
        """The interval each grade would give now (for the answer buttons), fuzz included."""
        now = to_utc(now)
        out = {}
        for g in GRADES:
            after = self.review(state, g, now, seed)
            assert after.due is not None
            out[g] = after.due - now
        return out

    def retrievability(self, state: CardState, now: datetime) -> float | None:
        """The predicted chance of recall now; None for a card never answered."""
        if state.reps == 0 or state.stability is None:
            return None
        return self.fsrs.get_card_retrievability(state.to_fsrs(), to_utc(now))


def format_interval(delta: timedelta) -> str:
    """A short label for an answer button, as Anki shows: <1m, 10m, 1.5h, 3d, 2.1mo, 1.3y."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{_one_decimal(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{_one_decimal(days / 30)}mo"
    return f"{_one_decimal(days / 365)}y"


def _one_decimal(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text
