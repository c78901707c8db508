"""An exam plan: will the chosen cards be known on the exam day, and how many minutes a day?

For every study day from today to the day before the exam the plan gives the new cards to
introduce, the reviews expected and the minutes; and the share of the chosen cards predicted to
be recalled on the exam day (the FSRS retrievability averaged over the cards, a card never
studied counting 0).

How it is worked out (deterministic, with the FSRS-6 formulas of ``fsrs_model``):

- Pace: every new card should be introduced early enough for two reviews before the exam. A
  new card answered Good through the learning steps is reviewed again after ``I1`` days and
  then after ``I2`` more (at the desired retention); so the last day to introduce new cards is
  ``exam - (I1 + I2 + 1)`` and the cards left are spread evenly over the days until then (all
  today when that day has passed: the plan then warns that two reviews no longer fit).
- Each card is projected day by day: it is reviewed when due, each review answered Good (its
  stability grows as FSRS says), and a review is expected to be forgotten with chance ``1 - R``,
  which adds one relearning showing. A new card costs two showings (the 1 and 10 minute steps).
- Minutes: showings times this learner's median seconds per answer (answers that were timed),
  or ``DEFAULT_SECONDS`` before there are any.
- The goal is the desired retention: the predicted recall on the exam day should reach it. The
  plan compares the learner's current pace (new cards a day in the settings) with the pace the
  exam needs; when the current pace falls short it says what it would take (minutes a day at
  the plan's pace) or, when even that falls short, the recall that can still be reached.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Sequence

import numpy as np

from nqpf_tutor.core.learning.fsrs_model import FSRSModel
from nqpf_tutor.core.learning.profile import PlanSpec, exam_new_limit
from nqpf_tutor.core.session import Counts, StudySession
from nqpf_tutor.errors import NqpfError

#: Seconds per answer assumed before the learner has any timed answers.
DEFAULT_SECONDS = 12.0
#: Showings of a new card on its first day (learning steps 1m and 10m, answered Good).
NEW_CARD_SHOWINGS = 2
#: Plans reach at most this far ahead.
MAX_DAYS = 3650
#: "The last days before the exam": a session of the weakest cards is offered then.
LAST_DAYS = 3


class PlanError(NqpfError):
    """A bad exam date or retention, or nothing to plan (one line for the user)."""


def parse_exam_date(text: str, today: date) -> date:
    """``YYYY-MM-DD``, today or later (at most ``MAX_DAYS`` ahead); else a one-line PlanError."""
    raw = str(text).strip()
    try:
        if len(raw) != 10:
            raise ValueError
        exam = date.fromisoformat(raw)
    except ValueError:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise PlanError(f"bad exam date {shown!r}: use YYYY-MM-DD, e.g. {(today + timedelta(days=30)).isoformat()}") from None
    if exam < today:
        raise PlanError(f"the exam date {exam.isoformat()} is in the past (today is {today.isoformat()})")
    if (exam - today).days > MAX_DAYS:
        raise PlanError(f"the exam date {exam.isoformat()} is more than {MAX_DAYS} days away")
    return exam


def check_retention(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.7 <= float(value) <= 0.99 \
            or math.isnan(float(value)):
        raise PlanError(f"retention must be a number from 0.7 to 0.99, not {value!r}")
    return float(value)


def seconds_per_answer(durations_ms: Sequence[int | None]) -> tuple[float, str]:
    """The median of the timed answers (ignoring ones over 10 minutes), with where it came from."""
    timed = [d / 1000 for d in durations_ms if d is not None and 0 < d <= 600_000]
    if not timed:
        return DEFAULT_SECONDS, "a default: no timed answers yet"
    median = statistics.median(timed)
    return float(median), f"median of your {len(timed)} timed answers"


@dataclass
class PlanDay:
    day: date
    new: int
    reviews: float  # expected showings of cards already introduced
    minutes: float

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "new": self.new, "reviews": int(round(self.reviews)),
                "minutes": round(self.minutes, 1)}


@dataclass
class Projection:
    days: list[PlanDay]
    recall: float  # predicted share recalled on the exam day
    introduced: int  # cards introduced by the exam
    new_per_day: int

    @property
    def total_minutes(self) -> float:
        return sum(d.minutes for d in self.days)

    @property
    def average_minutes(self) -> float:
        busy = [d.minutes for d in self.days]
        return sum(busy) / len(busy) if busy else 0.0

    @property
    def max_minutes(self) -> float:
        return max((d.minutes for d in self.days), default=0.0)


@dataclass
class Plan:
    today: date
    exam: date
    retention: float
    cards: int
    new_cards: int
    suspended: int
    seconds: float
    seconds_source: str
    lead_days: int
    plan: Projection  # at the pace the exam needs
    current: Projection  # at the learner's current pace (the settings' new cards a day)
    deck_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def days_left(self) -> int:
        return (self.exam - self.today).days

    @property
    def last_new_day(self) -> date:
        return self.exam - timedelta(days=self.lead_days)

    @property
    def two_reviews_fit(self) -> bool:
        return self.new_cards == 0 or self.last_new_day >= self.today

    @property
    def goal_met(self) -> bool:
        return self.plan.recall >= self.retention - 1e-9

    @property
    def goal_met_at_current_pace(self) -> bool:
        return self.current.recall >= self.retention - 1e-9

    def advice(self) -> str:
        """One line: on track, what it would take, or what can still be reached."""
        target = f"{self.retention:.0%}"
        if self.cards == 0:
            return "No cards to plan."
        if self.goal_met_at_current_pace:
            return (f"On track: at your pace ({self.current.new_per_day} new a day) {self.current.recall:.0%} "
                    f"of the cards are predicted to be recalled on the exam day (goal {target}).")
        if self.goal_met:
            return (f"At your pace of {self.current.new_per_day} new cards a day only {self.current.recall:.0%} "
                    f"would be recalled (goal {target}). It takes {self.plan.new_per_day} new cards a day, "
                    f"about {self.plan.average_minutes:.0f} minutes a day (at most {self.plan.max_minutes:.0f}).")
        return (f"The goal of {target} cannot be reached by {self.exam.isoformat()}: even with "
                f"{self.plan.new_per_day} new cards a day ({self.plan.average_minutes:.0f} minutes a day) "
                f"the reachable retention is {self.plan.recall:.0%}.")

    def spec(self) -> PlanSpec:
        """What exam mode keeps of this plan."""
        return PlanSpec(exam=self.exam, deck_ids=self.deck_ids, tags=self.tags, retention=self.retention,
                        set_on=self.today, new_at_start=self.new_cards, lead_days=self.lead_days,
                        pace=self.plan.new_per_day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "exam": self.exam.isoformat(),
            "days_left": self.days_left,
            "retention": self.retention,
            "cards": self.cards,
            "new_cards": self.new_cards,
            "suspended_left_out": self.suspended,
            "seconds_per_answer": round(self.seconds, 1),
            "seconds_source": self.seconds_source,
            "new_per_day": self.plan.new_per_day,
            "last_new_day": self.last_new_day.isoformat(),
            "two_reviews_fit": self.two_reviews_fit,
            "days": [d.to_dict() for d in self.plan.days],
            "total_minutes": round(self.plan.total_minutes, 1),
            "minutes_per_day": {"average": round(self.plan.average_minutes, 1),
                                "max": round(self.plan.max_minutes, 1)},
            "predicted_recall": round(self.plan.recall, 4),
            "goal_met": self.goal_met,
            "current_pace": {
                "new_per_day": self.current.new_per_day,
                "predicted_recall": round(self.current.recall, 4),
                "goal_met": self.goal_met_at_current_pace,
                "minutes_per_day": round(self.current.average_minutes, 1),
                "cards_introduced": self.current.introduced,
            },
            "reachable_retention": None if self.goal_met else round(self.plan.recall, 4),
            "advice": self.advice(),
        }


def lead_days(model: FSRSModel, retention: float) -> int:
    """Days before the exam by which a new card must be introduced to be reviewed twice first."""
    s, d = _after_intro(model)
    i1 = float(model.interval(s, retention))
    r = float(model.retrievability(i1, s))
    s2 = float(model.next_stability(d, s, r, 3))
    i2 = float(model.interval(s2, retention))
    return int(i1 + i2 + 1)


def _after_intro(model: FSRSModel) -> tuple[float, float]:
    """Stability and difficulty of a new card answered Good at both learning steps."""
    s, d = float(model.init_stability(3)), float(model.init_difficulty(3))
    s = float(model.short_term_stability(s, 3))
    d = float(model.next_difficulty(d, 3))
    return s, d


@dataclass
class CardNow:
    """What the plan needs of one card: None stability for a card never answered."""

    stability: float | None
    difficulty: float | None
    last_day: int  # days from today (<= 0) of the last answer
    due_day: int  # days from today of the next review (0 when due today or overdue)


def project(cards: Sequence[CardNow], days: int, model: FSRSModel, retention: float, new_per_day: int,
            introduced_today: int, seconds: float, start: date) -> Projection:
    """Follow every card day by day to the exam (``days`` study days from today)."""
    n = len(cards)
    seen = np.array([c.stability is not None for c in cards], dtype=bool)
    s = np.array([c.stability if c.stability is not None else 1.0 for c in cards], dtype=float)
    dd = np.array([c.difficulty if c.difficulty is not None else 5.0 for c in cards], dtype=float)
    last = np.array([c.last_day for c in cards], dtype=float)
    due = np.array([max(0, c.due_day) if c.stability is not None else np.inf for c in cards], dtype=float)
    new_order = np.nonzero(~seen)[0]  # in the order given (deck order)
    s_new, d_new = _after_intro(model)
    i_new = float(model.interval(s_new, retention))
    out: list[PlanDay] = []
    next_new = 0
    for day in range(days):
        quota = new_per_day - (introduced_today if day == 0 else 0)
        take = new_order[next_new:next_new + max(0, quota)]
        next_new += take.size
        # reviews due today (cards introduced earlier)
        idx = np.nonzero(due <= day)[0]
        showings = 0.0
        if idx.size:
            elapsed = day - last[idx]
            r = np.where(elapsed >= 1, model.retrievability(elapsed, s[idx]), 1.0)
            showings = float(idx.size + np.sum(1 - r))
            s[idx], dd[idx] = model.review(s[idx], dd[idx], elapsed, 3)
            last[idx] = day
            due[idx] = day + model.interval(s[idx], retention)
        if take.size:
            s[take], dd[take], last[take], due[take] = s_new, d_new, day, day + i_new
            seen[take] = True
        minutes = (take.size * NEW_CARD_SHOWINGS + showings) * seconds / 60
        out.append(PlanDay(start + timedelta(days=day), int(take.size), showings, minutes))
    exam_r = np.where(seen, model.retrievability(days - last, s), 0.0) if n else np.zeros(0)
    recall = float(exam_r.mean()) if n else 0.0
    return Projection(out, recall, int(seen.sum()), new_per_day)


def make_plan(
    cards: Sequence[Any],
    states: dict[tuple[str, str], Any],
    *,
    today: date,
    exam: date,
    retention: float,
    day_of: Callable[[datetime], date],
    parameters: Sequence[float] | None = None,
    durations_ms: Sequence[int | None] = (),
    current_pace: int = 20,
    introduced_today: int = 0,
    deck_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Plan:
    """The plan for ``cards`` (deck order), given their stored ``states`` (CardState by key)."""
    retention = check_retention(retention)
    if exam < today:
        raise PlanError(f"the exam date {exam.isoformat()} is in the past (today is {today.isoformat()})")
    model = FSRSModel(parameters)
    seconds, source = seconds_per_answer(durations_ms)
    now_cards: list[CardNow] = []
    suspended = 0
    for card in cards:
        st = states.get(card.key)
        if st is not None and st.suspended:
            suspended += 1
            continue
        if st is None or st.reps == 0 or st.stability is None or st.last_review is None:
            now_cards.append(CardNow(None, None, 0, 0))
            continue
        last_day = (day_of(st.last_review) - today).days
        due_day = (day_of(st.due) - today).days if st.due is not None else 0
        now_cards.append(CardNow(float(st.stability), float(st.difficulty or 5.0), last_day, due_day))
    n_new = sum(1 for c in now_cards if c.stability is None)
    days = (exam - today).days
    lead = lead_days(model, retention)
    spec = PlanSpec(exam=exam, lead_days=lead)
    pace = exam_new_limit(spec, n_new, introduced_today, today) if n_new else 0
    plan_p = project(now_cards, days, model, retention, pace, introduced_today, seconds, today)
    current = project(now_cards, days, model, retention, current_pace, introduced_today, seconds, today)
    return Plan(today=today, exam=exam, retention=retention, cards=len(now_cards), new_cards=n_new,
                suspended=suspended, seconds=seconds, seconds_source=source, lead_days=lead, plan=plan_p,
                current=current, deck_ids=tuple(deck_ids), tags=tuple(tags))


def exam_recall(states: dict[tuple[str, str], Any], cards: Sequence[Any], exam_start: datetime,
                parameters: Sequence[float] | None = None) -> list[tuple[Any, float]]:
    """Each card with its predicted recall at the start of the exam day, lowest first (cards
    never answered 0); suspended cards left out."""
    model = FSRSModel(parameters)
    out = []
    for card in cards:
        st = states.get(card.key)
        if st is not None and st.suspended:
            continue
        if st is None or st.reps == 0 or st.stability is None or st.last_review is None:
            out.append((card, 0.0))
            continue
        elapsed = max(0, (exam_start - st.last_review).days)
        out.append((card, float(model.retrievability(elapsed, st.stability))))
    out.sort(key=lambda x: x[1])
    return out


def format_text(plan: Plan) -> str:
    """The plan as lines for a terminal."""
    lines = [
        f"Exam {plan.exam.isoformat()}: {plan.days_left} day{'s' * (plan.days_left != 1)} left "
        f"(today {plan.today.isoformat()})",
        f"Cards: {plan.cards} ({plan.new_cards} new)" + (f"; {plan.suspended} suspended left out" if plan.suspended else ""),
        f"Goal: {plan.retention:.0%} recalled on the exam day; predicted with this plan: {plan.plan.recall:.0%}",
        f"New cards a day: {plan.plan.new_per_day}"
        + (f", all in by {plan.last_new_day.isoformat()} (two reviews each before the exam)" if plan.new_cards and plan.two_reviews_fit else ""),
        f"Time: {plan.seconds:.1f} s an answer ({plan.seconds_source}); "
        f"about {plan.plan.average_minutes:.0f} min a day, at most {plan.plan.max_minutes:.0f}",
    ]
    if not plan.two_reviews_fit:
        lines.append(f"Warning: too few days left for two reviews of each new card before the exam "
                     f"(that needs {plan.lead_days} days); all new cards are planned for today.")
    lines.append(plan.advice())
    if plan.plan.days:
        lines.append("")
        lines.append(f"{'Date':<12}{'New':>6}{'Reviews':>9}{'Minutes':>9}")
        for d in plan.plan.days:
            lines.append(f"{d.day.isoformat():<12}{d.new:>6}{int(round(d.reviews)):>9}{d.minutes:>9.1f}")
    return "\n".join(lines)


def plan_for(store, cards: Sequence[Any], settings, now: datetime, exam: date | str,
             retention: float | None = None, deck_ids: Sequence[str] = (), tags: Sequence[str] = ()) -> Plan:
    """The plan for this profile: its states, timed answers, fitted parameters and settings."""
    from nqpf_tutor.core.learning.profile import fitted_parameters
    from nqpf_tutor.core.scheduler import Scheduler

    sched = Scheduler(settings)
    today = sched.study_day(now)
    if not isinstance(exam, date):
        exam = parse_exam_date(exam, today)
    elif exam < today:
        raise PlanError(f"the exam date {exam.isoformat()} is in the past (today is {today.isoformat()})")
    if not cards:
        raise PlanError("no cards in the chosen decks and tags")
    states = {s.key: s for s in store.states()}
    durations = [e.duration_ms for e in store.reviews()]
    introduced_today = store.count_first_seen_since(sched.day_start(today))
    return make_plan(
        cards, states, today=today, exam=exam,
        retention=settings.desired_retention if retention is None else retention,
        day_of=sched.study_day, parameters=fitted_parameters(store), durations_ms=durations,
        current_pace=settings.new_per_day, introduced_today=introduced_today, deck_ids=deck_ids, tags=tags,
    )


def exam_status(store, cards: Sequence[Any], spec: PlanSpec, today: date) -> dict[str, Any]:
    """For the home screen: days left, and whether the new cards are on schedule.

    On schedule: no more cards are still new than the plan allows at the start of today (the
    cards new when it was set, less its pace for each day since)."""
    chosen = [c for c in cards if spec.selects(c)]
    answered = store.keys(answered=True)
    new_left = sum(1 for c in chosen if c.key not in answered)
    days_left = (spec.exam - today).days
    since = (today - spec.set_on).days if spec.set_on else 0
    allowed = max(0, spec.new_at_start - spec.pace * max(0, since))
    behind = max(0, new_left - allowed)
    return {"exam": spec.exam.isoformat(), "days_left": days_left, "new_left": new_left,
            "behind_by": behind, "on_schedule": behind == 0, "past": days_left < 0,
            "last_days": 0 <= days_left <= LAST_DAYS, "cards": len(chosen)}


def status_line(status: dict[str, Any]) -> str:
    """One line for the home screen."""
    if status["past"]:
        return f"Exam plan: the exam on {status['exam']} has passed (clear the plan with e, then c)."
    days = status["days_left"]
    when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
    state = "on schedule" if status["on_schedule"] else f"behind schedule by {status['behind_by']} new cards"
    line = f"Exam {status['exam']} {when} — {state}"
    if status["last_days"]:
        line += " — w: study the cards you are most likely to forget"
    return line


# --- the last days: a session of the cards most likely to be forgotten on the exam day -------------

#: Cards in that session.
WEAKEST = 20


def exam_review_session(cards: Sequence[Any], store, settings, *, clock, exam: date, n: int = WEAKEST):
    """A study session of the ``n`` cards with the lowest predicted recall on the exam day (cards
    never studied first), each shown once in that order (plus any relearning steps), answers
    graded and scheduled as in study. No daily limits: it is the last days before the exam."""
    from nqpf_tutor.core.learning.profile import fitted_parameters
    from nqpf_tutor.core.scheduler import Scheduler

    sched = Scheduler(settings)
    states = {s.key: s for s in store.states()}
    ranked = exam_recall(states, cards, sched.day_start(exam), fitted_parameters(store))
    chosen = [c for c, _ in ranked[:n]]
    return ExamReviewSession(chosen, store, settings, clock=clock)


class ExamReviewSession(StudySession):
    """Shows its cards in the order given, once each; then only relearning steps due."""

    def __init__(self, cards, store, settings=None, **kw) -> None:
        super().__init__(cards, store, settings, **kw)
        self.queue = list(self.cards.values())
        self.done: set[tuple[str, str]] = set()

    def next_card(self):
        now = self.now()
        if self._pending is not None:
            card, self._pending = self._pending, None
            if self._usable(card, now):
                return card
        card = next(self._learning_due(now, now), None)
        if card is not None and card.key in self.done:
            return card
        for c in self.queue:
            if c.key not in self.done and self._usable(c, now):
                return c
        ahead = now + timedelta(minutes=self.settings.learn_ahead_minutes)
        return next(self._learning_due(ahead, now), None)

    def counts(self) -> Counts:
        now = self.now()
        left = [c for c in self.queue if c.key not in self.done and self._usable(c, now)]
        new = sum(1 for c in left if (s := self.store.get(*c.key)) is None or s.reps == 0)
        return Counts(new=new, learning=0, review=len(left) - new)

    def next_due_time(self):
        return self.now() if self.next_card() is not None else None

    def answer(self, card, grade, duration_ms=None, mode=None):
        result = super().answer(card, grade, duration_ms, mode)
        self.done.add(card.key)
        return result

    def undo(self):
        card = super().undo()
        if card is not None and not any(r.card.key == card.key for r in self._history):
            self.done.discard(card.key)
        return card
