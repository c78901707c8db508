"""The stats screen's figures against a hand-built review log (clock injected)."""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating, State

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.stats import (
    CALENDAR_WEEKS, card_counts, compute_stats, format_duration, format_text, mastery, sparkline,
)
from nqpf_tutor.core.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone="Europe/Berlin")
NOW = datetime(2025, 6, 10, 9, 0, tzinfo=BERLIN)  # a Tuesday; the study day starts at 4:00
TAGS = {0: ("eras",), 4: ("dates",), 10: ("eras",), 11: ("eras", "dates"), 12: ("policies",),
        13: ("foundations",), 16: ("dates",)}


def make_cards():
    return [Card("d", f"c{i:02d}", "flip", f"Q{i}", f"A{i}", tags=TAGS.get(i, ())) for i in range(20)]


def review(card, *, stability, last_days_ago, interval_days, **kw):
    last = NOW - timedelta(days=last_days_ago)
    return CardState(card.deck_id, card.id, state=State.Review.value, step=None, stability=stability,
                     difficulty=5.0, last_review=last, due=last + timedelta(days=interval_days), reps=5,
                     first_seen=last - timedelta(days=60), **kw)


@pytest.fixture
def stats(tmp_path):
    cs = make_cards()
    with Store.open(tmp_path / "progress.sqlite3") as store:
        clock = [NOW]
        s = StudySession(cs, store, SETTINGS, clock=lambda: clock[0])

        def at(when, card, grade, ms=None):
            clock[0] = when
            return s.answer(cs[card], grade, duration_ms=ms)

        at(datetime(2024, 12, 15, 23, 0, tzinfo=BERLIN), 8, Rating.Good, 9000)  # before the calendar
        at(datetime(2025, 1, 1, 12, 0, tzinfo=BERLIN), 7, Rating.Again, 5000)
        at(datetime(2025, 6, 2, 12, 0, tzinfo=BERLIN), 5, Rating.Good, 1500)
        at(datetime(2025, 6, 2, 12, 1, tzinfo=BERLIN), 6, Rating.Hard, 2500)
        at(datetime(2025, 6, 9, 10, 0, tzinfo=BERLIN), 4, Rating.Again, 2000)
        at(datetime(2025, 6, 10, 3, 30, tzinfo=BERLIN), 3, Rating.Good, 1000)  # before 4:00: June 9's study day
        at(datetime(2025, 6, 10, 8, 0, tzinfo=BERLIN), 0, Rating.Good, 4000)
        at(datetime(2025, 6, 10, 8, 1, tzinfo=BERLIN), 1, Rating.Again, 6000)
        at(datetime(2025, 6, 10, 8, 2, tzinfo=BERLIN), 2, Rating.Good, None)  # no duration recorded
        at(datetime(2025, 6, 10, 8, 3, tzinfo=BERLIN), 15, Rating.Again, 60000)
        s.undo()  # taken back: counts nowhere, c15 is new again
        with store.transaction():
            store.put(review(cs[10], stability=30.0, last_days_ago=20, interval_days=20))  # young, R > 0.9
            store.put(review(cs[11], stability=10.0, last_days_ago=21, interval_days=21))  # mature, R < 0.9
            store.put(review(cs[12], stability=200.0, last_days_ago=5, interval_days=100))  # mature, R > 0.9
            store.put(review(cs[13], stability=50.0, last_days_ago=1, interval_days=40, suspended=True))
            store.put(CardState("d", "c14", suspended=True))  # suspended while new
        yield compute_stats(store, cs, SETTINGS, NOW)


def test_today(stats):
    assert stats["today"] == {"reviews": 3, "again": 1, "seconds": 10.0, "accuracy": round(2 / 3, 4)}
    assert stats["reviews_today"] == 3 and stats["reviews_total"] == 9


def test_card_counts(stats):
    # answered once (learning): c00-c08; young c10; mature c11, c12; suspended c13, c14;
    # new: c09, c15 (undone), c16-c19
    assert stats["card_counts"] == {"new": 6, "learning": 9, "young": 1, "mature": 2, "suspended": 2}
    assert stats["learning"] == stats["card_counts"]["learning"]
    assert stats["new_total"] == stats["card_counts"]["new"]


def test_reviews_per_day(stats):
    days = stats["reviews_per_day"]
    assert len(days) == 30 and days[0]["date"] == "2025-05-12" and days[-1]["date"] == "2025-06-10"
    by_day = {d["date"]: d for d in days}
    assert by_day["2025-06-10"] == {"date": "2025-06-10", "reviews": 3, "again": 1, "seconds": 10.0}
    assert by_day["2025-06-09"] == {"date": "2025-06-09", "reviews": 2, "again": 1, "seconds": 3.0}
    assert by_day["2025-06-02"] == {"date": "2025-06-02", "reviews": 2, "again": 0, "seconds": 4.0}
    assert sum(d["reviews"] for d in days) == 7


def test_calendar(stats):
    cal = stats["calendar"]
    days = list(cal)
    assert days[0] == "2024-12-16" and date.fromisoformat(days[0]).weekday() == 0  # a Monday
    assert days[-1] == "2025-06-10" and len(days) == (CALENDAR_WEEKS - 1) * 7 + 2
    assert days == [(date(2024, 12, 16) + timedelta(days=i)).isoformat() for i in range(len(days))]
    assert cal["2025-01-01"] == 1 and cal["2025-06-02"] == 2 and cal["2025-06-09"] == 2 and cal["2025-06-10"] == 3
    assert sum(cal.values()) == 8  # the answer of 15 December 2024 is before the calendar


def test_retention_over_time(stats):
    weeks = stats["retention_over_time"]
    assert len(weeks) == CALENDAR_WEEKS
    assert weeks[0]["week_start"] == "2024-12-16" and weeks[-1]["week_start"] == "2025-06-09"
    by_week = {w["week_start"]: w for w in weeks}
    assert by_week["2025-06-09"] == {"week_start": "2025-06-09", "reviews": 5, "retention": 0.6}
    assert by_week["2025-06-02"] == {"week_start": "2025-06-02", "reviews": 2, "retention": 1.0}
    assert by_week["2024-12-30"] == {"week_start": "2024-12-30", "reviews": 1, "retention": 0.0}
    assert [w for w in weeks if w["reviews"] == 0] == [w for w in weeks if w["retention"] is None]
    assert sum(w["reviews"] for w in weeks) == 8


def test_mastery(stats):
    # Mastered: in review (graduated from learning) and FSRS retrievability now >= 0.9; py-fsrs
    # counts whole days, so R is 0.9 when the days since the last review equal the stability.
    # eras: c00 (answered Good an hour ago: still learning) no; c10 (review, 20 days, stability 30)
    # yes; c11 (review, 21 days, stability 10: R < 0.9) no -> 1 of 3.
    # dates: c04 (answered Again: learning, though FSRS predicts R 1.0) no; c11 no; c16 (new) no -> 0 of 3.
    # policies: c12 (review, 5 days, stability 200) yes. foundations: c13 (suspended review; 1 day,
    # stability 50) yes.
    assert stats["mastery"] == [
        {"tag": "eras", "cards": 3, "mastered": 1, "share": round(1 / 3, 4)},
        {"tag": "foundations", "cards": 1, "mastered": 1, "share": 1.0},
        {"tag": "policies", "cards": 1, "mastered": 1, "share": 1.0},
        {"tag": "dates", "cards": 3, "mastered": 0, "share": 0.0},
    ]
    assert stats["mastery_threshold"] == 0.9
    json.dumps(stats)


def test_mastery_with_other_tags_and_an_empty_store(tmp_path):
    cs = make_cards()
    with Store.open(tmp_path / "p.sqlite3") as store:
        st = compute_stats(store, cs, SETTINGS, NOW, mastery_tags=["dates", "nope"])
        assert st["mastery"] == [
            {"tag": "dates", "cards": 3, "mastered": 0, "share": 0.0},
            {"tag": "nope", "cards": 0, "mastered": 0, "share": None},
        ]
        assert st["today"] == {"reviews": 0, "again": 0, "seconds": 0.0, "accuracy": None}
        assert st["card_counts"] == {"new": 20, "learning": 0, "young": 0, "mature": 0, "suspended": 0}
        assert all(w["retention"] is None for w in st["retention_over_time"])
        assert set(st["calendar"].values()) == {0}
        text = format_text(st)
        assert "Today: 0 answers in 0s, accuracy -" in text
        assert "Retention by week (share not Again): -" in text


def test_mastery_counts_each_card_once_and_the_threshold_is_inclusive():
    sched = Scheduler(SETTINGS)
    c = Card("d", "x", "flip", "q", "a", tags=("eras",))
    state = review(c, stability=10.0, last_days_ago=10, interval_days=10)
    r = sched.retrievability(state, NOW)
    assert r == pytest.approx(0.9, abs=1e-6)
    got = mastery(sched, [c, c], {c.key: state}, NOW, ["eras"], threshold=r)
    assert got == [{"tag": "eras", "cards": 1, "mastered": 1, "share": 1.0}]


def test_card_counts_boundary_at_21_days():
    c = Card("d", "x", "flip", "q", "a")
    young = review(c, stability=5.0, last_days_ago=1, interval_days=20.99)
    mature = review(c, stability=5.0, last_days_ago=1, interval_days=21)
    relearning = CardState("d", "y", state=State.Relearning.value, reps=3, stability=1.0, due=NOW, last_review=NOW)
    assert card_counts([young, mature, relearning], new=4) == {
        "new": 4, "learning": 1, "young": 1, "mature": 1, "suspended": 0}


def test_format_text(stats):
    text = format_text(stats)
    lines = text.splitlines()
    assert lines[0] == "Profile default, study day 2025-06-10"
    assert "Today: 3 answers in 10s, accuracy 67%" in lines
    assert "Card counts: 6 new, 9 learning, 1 young, 2 mature (interval 21 days or more), 2 suspended" in lines
    per_day = next(line for line in lines if line.startswith("Answers per day, last 30 days: "))
    assert per_day.endswith("(7 in all, 3 days studied, max 3)")
    spark = per_day.removeprefix("Answers per day, last 30 days: ").split("  (")[0]
    assert len(spark) == 30 and spark[-1] == "█" and spark[-2] == spark[-9] == "▅"
    assert "Days studied since 2024-12-16: 4" in lines
    assert "Retention by week (share not Again): 12-30 0%  06-02 100%  06-09 60%" in lines
    assert ("Mastery (in review, recall now >= 90%): eras 33% (1/3)  foundations 100% (1/1)  "
            "policies 100% (1/1)  dates 0% (0/3)") in lines


def test_helpers():
    assert sparkline([0, 1, 2, 4]) == " ▂▄█"
    assert sparkline([0, 0]) == "··"
    assert sparkline([1]) == "█"
    assert [format_duration(s) for s in (0, 59.6, 75, 3725)] == ["0s", "1m 00s", "1m 15s", "1h 02m"]
