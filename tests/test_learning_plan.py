"""Exam plans: the arithmetic on hand-made examples, bad dates, exam mode in study, the command."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Card as FCard, Rating, Scheduler as FScheduler

from nqpf_tutor.cli import main
from nqpf_tutor.core.learning.fsrs_model import DEFAULT
from nqpf_tutor.core.learning.plan import (
    DEFAULT_SECONDS, PlanError, exam_recall, exam_status, lead_days, make_plan, parse_exam_date, plan_for,
    seconds_per_answer, status_line,
)
from nqpf_tutor.core.learning.profile import PlanSpec, exam_new_limit, load_plan, save_plan
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store

UTC = timezone.utc
TODAY = date(2027, 1, 1)
W = DEFAULT.w
F = 0.9 ** (1 / -W[20]) - 1


def R(days, s):
    return (1 + F * days / s) ** -W[20]


def cards(n, deck="d", tags=()):
    return [Card(deck, f"c{i:02d}", "flip", f"Q{i}", f"A{i}", tags=tuple(tags)) for i in range(n)]


def day_of(dt):
    return dt.date()


def test_lead_days_by_hand():
    # a new card answered Good twice: S = w2 (the short-term Good bonus is below 1 so stays 1)
    s = W[2]
    assert math.exp(W[17] * W[18]) * s ** -W[19] < 1
    i1 = round(s)  # at retention 0.9 the interval is the stability
    d = W[7] * (W[4] - math.exp(W[5] * 3) + 1) + (1 - W[7]) * (W[4] - math.exp(W[5] * 2) + 1)
    s2 = s * (1 + math.exp(W[8]) * (11 - d) * s ** -W[9] * (math.exp((1 - R(i1, s)) * W[10]) - 1))
    assert lead_days(DEFAULT, 0.9) == i1 + round(s2) + 1 == 14


def test_plan_arithmetic_on_a_hand_made_example():
    """4 new cards, exam in 20 days, 30 s an answer: the last new day is 20 - 14 = day 6, so 7 days
    to introduce them: 1 a day. Each new card is 2 showings; the first review comes 2 days later."""
    plan = make_plan(cards(4), {}, today=TODAY, exam=TODAY + timedelta(days=20), retention=0.9,
                     day_of=day_of, durations_ms=[30000, 20000, 40000])
    assert plan.seconds == 30.0 and plan.seconds_source == "median of your 3 timed answers"
    assert plan.plan.new_per_day == 1 and plan.lead_days == 14
    assert plan.last_new_day == TODAY + timedelta(days=6) and plan.two_reviews_fit
    days = plan.plan.days
    assert len(days) == 20 and days[0].day == TODAY and days[-1].day == TODAY + timedelta(days=19)
    assert [d.new for d in days[:5]] == [1, 1, 1, 1, 0]
    assert days[0].reviews == 0 and days[0].minutes == pytest.approx(2 * 30 / 60)
    # day 2: the card of day 0 is due (interval 2): one showing plus the expected relearning step
    expect = 1 + (1 - R(2, W[2]))
    assert days[2].reviews == pytest.approx(expect)
    assert days[2].minutes == pytest.approx((2 + expect) * 30 / 60)
    assert plan.to_dict()["days"][2] == {"date": "2027-01-03", "new": 1, "reviews": 1, "minutes": round((2 + expect) / 2, 1)}
    assert 0.9 < plan.plan.recall < 1 and plan.goal_met
    assert plan.current.new_per_day == 20 and plan.goal_met_at_current_pace


def test_predicted_recall_matches_py_fsrs_for_one_card():
    """One new card, exam in 3 days: introduced today (Good, Good), reviewed on day 2 (Good);
    the plan's exam-day recall is py-fsrs' retrievability of the same history."""
    plan = make_plan(cards(1), {}, today=TODAY, exam=TODAY + timedelta(days=3), retention=0.9, day_of=day_of)
    sched = FScheduler(enable_fuzzing=False)
    t0 = datetime(2027, 1, 1, 8, tzinfo=UTC)
    c, _ = sched.review_card(FCard(), Rating.Good, t0)
    c, _ = sched.review_card(c, Rating.Good, t0 + timedelta(minutes=10))
    assert (c.due - t0).days == 2
    # the plan counts whole study days (as Anki does): review at the same time of day
    t1 = t0 + timedelta(minutes=10)
    c, _ = sched.review_card(c, Rating.Good, t1 + timedelta(days=2))
    assert plan.plan.recall == pytest.approx(sched.get_card_retrievability(c, t1 + timedelta(days=3)), rel=1e-9)
    assert not plan.two_reviews_fit and plan.plan.new_per_day == 1


def test_cards_already_studied_are_projected_from_their_state():
    last = datetime(2026, 12, 20, 9, tzinfo=UTC)
    st = CardState("d", "c00", state=2, step=None, stability=30.0, difficulty=5.0, last_review=last,
                   due=last + timedelta(days=30), reps=3)
    plan = make_plan(cards(1), {("d", "c00"): st}, today=TODAY, exam=TODAY + timedelta(days=5),
                     retention=0.9, day_of=day_of)
    assert plan.new_cards == 0 and plan.plan.new_per_day == 0
    assert all(d.reviews == 0 and d.new == 0 for d in plan.plan.days)  # not due before the exam
    assert plan.plan.recall == pytest.approx(R(17, 30.0))  # 12 days before today + 5


def test_goal_out_of_reach_says_what_it_would_take():
    # 400 new cards, exam in 20 days, current pace 5 a day: not enough at that pace
    plan = make_plan(cards(400), {}, today=TODAY, exam=TODAY + timedelta(days=20), retention=0.9,
                     day_of=day_of, current_pace=5)
    assert not plan.goal_met_at_current_pace and plan.goal_met
    assert plan.current.introduced == 100
    text = plan.advice()
    assert "At your pace of 5 new cards a day" in text and "minutes a day" in text
    assert plan.to_dict()["reachable_retention"] is None
    # exam tomorrow at 0.99: even all today cannot reach it
    plan = make_plan(cards(50), {}, today=TODAY, exam=TODAY + timedelta(days=1), retention=0.99, day_of=day_of)
    assert not plan.goal_met
    assert "cannot be reached" in plan.advice() and "reachable retention" in plan.advice()
    assert plan.to_dict()["reachable_retention"] == pytest.approx(plan.plan.recall, abs=1e-4)


@pytest.mark.parametrize("text, message", [
    ("2026-12-31", "is in the past"),
    ("15/01/2027", "bad exam date"),
    ("2027-02-30", "bad exam date"),
    ("tomorrow", "bad exam date"),
    ("", "bad exam date"),
    ("2040-01-01", "more than"),
])
def test_bad_exam_dates(text, message):
    with pytest.raises(PlanError, match=message):
        parse_exam_date(text, TODAY)


def test_exam_today_is_a_plan_with_no_days():
    assert parse_exam_date("2027-01-01", TODAY) == TODAY
    plan = make_plan(cards(3), {}, today=TODAY, exam=TODAY, retention=0.9, day_of=day_of)
    assert plan.plan.days == [] and plan.plan.recall == 0


def test_seconds_default_before_any_timed_answer():
    assert seconds_per_answer([None, None]) == (DEFAULT_SECONDS, "a default: no timed answers yet")
    assert seconds_per_answer([5000, 7000, 9000, None, 10**9])[0] == 7.0


def test_exam_new_limit_spreads_the_new_cards():
    spec = PlanSpec(exam=TODAY + timedelta(days=20), lead_days=14)
    assert exam_new_limit(spec, 70, 0, TODAY) == 10  # 7 days
    assert exam_new_limit(spec, 70, 5, TODAY) == 11  # 75 over 7 days
    assert exam_new_limit(spec, 70, 0, TODAY + timedelta(days=6)) == 70  # the last day: all
    assert exam_new_limit(spec, 70, 0, TODAY + timedelta(days=10)) == 70  # too late: all now


# --- exam mode in study ----------------------------------------------------------------------------


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_exam_mode_paces_new_cards_and_home_status(tmp_path):
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    deck = cards(70)
    settings = Settings(timezone="UTC", new_per_day=3)
    with Store.open(tmp_path / "p.sqlite3") as store:
        assert StudySession(deck, store, settings, clock=Clock(now)).counts().new == 3
        plan = plan_for(store, deck, settings, now, "2027-01-21")
        assert plan.plan.new_per_day == 10
        save_plan(store, plan.spec())
        assert load_plan(store) == plan.spec()
        session = StudySession(deck, store, settings, clock=Clock(now))
        assert session.counts().new == 10  # the plan's pace, not the settings' 3
        for _ in range(4):
            session.answer(session.next_card(), Rating.Good)
        assert session.counts().new == 6
        # the next day the pace is worked out again: 66 left over the 6 days to 2027-01-07
        session.clock = Clock(now + timedelta(days=1))
        assert session.counts().new == 11
        status = exam_status(store, deck, load_plan(store), date(2027, 1, 1))
        assert status["days_left"] == 20 and status["on_schedule"] and status["new_left"] == 66
        assert "in 20 days — on schedule" in status_line(status)
        # three days later with nothing more studied: behind by 3 * 10 - 4 cards
        status = exam_status(store, deck, load_plan(store), date(2027, 1, 4))
        assert not status["on_schedule"] and status["behind_by"] == 26
        assert "behind schedule by 26 new cards" in status_line(status)
        # the last days: the session of the weakest cards is offered
        status = exam_status(store, deck, load_plan(store), date(2027, 1, 19))
        assert status["last_days"] and "most likely to forget" in status_line(status)
        # cards outside the plan keep the settings' limit
        other = cards(5, deck="other")
        assert StudySession(other, store, settings, clock=Clock(now)).counts().new == 0  # 4 of 3 used today
        save_plan(store, None)
        assert load_plan(store) is None


def test_weakest_cards_come_first(tmp_path):
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    states = {
        ("d", "c00"): CardState("d", "c00", state=2, stability=50.0, difficulty=5, last_review=now, due=now, reps=2),
        ("d", "c01"): CardState("d", "c01", state=2, stability=2.0, difficulty=5, last_review=now, due=now, reps=2),
    }
    ranked = exam_recall(states, cards(3), now + timedelta(days=10))
    assert [c.id for c, _ in ranked] == ["c02", "c01", "c00"]
    assert ranked[0][1] == 0 and ranked[1][1] == pytest.approx(R(10, 2.0))


# --- the command -----------------------------------------------------------------------------------


def run(tmp_path, capsys, *argv):
    code = main(["--data-dir", str(tmp_path / "data"), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_plan_command_json_and_set(tmp_path, capsys):
    exam = (datetime.now(UTC).date() + timedelta(days=40)).isoformat()
    code, out, err = run(tmp_path, capsys, "plan", "--exam", exam, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["exam"] == exam and data["cards"] > 0 and data["new_per_day"] >= 1
    assert {"date", "new", "reviews", "minutes"} == set(data["days"][0])
    assert 0 <= data["predicted_recall"] <= 1 and isinstance(data["goal_met"], bool)
    assert data["set"] is False
    code, out, err = run(tmp_path, capsys, "plan", "--exam", exam, "--set")
    assert code == 0 and "Exam plan kept" in out and "New cards a day" in out
    code, out, _ = run(tmp_path, capsys, "plan", "--clear")
    assert code == 0 and out.strip() == "Exam plan removed."


@pytest.mark.parametrize("argv, message", [
    (["--exam", "2001-01-01"], "is in the past"),
    (["--exam", "next friday"], "bad exam date"),
    (["--exam", "2099-13-01"], "bad exam date"),
    ([], "--exam DATE is required"),
    (["--exam", "2029-01-01", "--retention", "lots"], "retention must be a number"),
    (["--exam", "2029-01-01", "--retention", "0.5"], "retention must be a number"),
    (["--exam", "2029-01-01", "--deck", "nope"], "unknown deck"),
])
def test_plan_command_bad_input_is_one_line(tmp_path, capsys, argv, message):
    code, out, err = run(tmp_path, capsys, "plan", *argv)
    assert code == 1 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_exam_review_session_shows_the_weakest_cards_once_each(tmp_path):
    from nqpf_tutor.core.learning.plan import exam_review_session

    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    deck = cards(30)
    settings = Settings(timezone="UTC", new_per_day=0)
    with Store.open(tmp_path / "p.sqlite3") as store:
        with store.transaction():
            for i, c in enumerate(deck):  # stability grows with the card number: c00 is weakest
                store.put(CardState("d", c.id, state=2, step=None, stability=1.0 + i, difficulty=5.0,
                                    last_review=now - timedelta(days=1), due=now + timedelta(days=5), reps=2))
        session = exam_review_session(deck, store, settings, clock=Clock(now), exam=date(2027, 1, 3), n=5)
        assert session.counts().review == 5
        shown = []
        while (card := session.next_card()) is not None and len(shown) < 20:
            shown.append(card.id)
            session.answer(card, Rating.Good)
        assert shown == ["c00", "c01", "c02", "c03", "c04"]  # not due, not new: shown because weakest
        assert session.counts().total == 0
        session.undo()
        assert session.next_card().id == "c04"
