"""The scheduler against py-fsrs itself, seeded fuzz, leeches and study days (DST included)."""

import random
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import fsrs
import fsrs.scheduler
import pytest
from fsrs import Rating, State
from hypothesis import given, settings as hsettings, strategies as st

from nqpf_tutor.core.scheduler import (
    GRADES,
    CardState,
    Scheduler,
    card_seed,
    day_start,
    format_interval,
    grade_for,
    is_leech_count,
    study_day,
)
from nqpf_tutor.core.settings import Settings

UTC = timezone.utc
T0 = datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def fresh(card_id="c1"):
    return CardState("deck", card_id)


def reference_review(ref: fsrs.Scheduler, card: fsrs.Card, grade, when, seed):
    """py-fsrs itself, its global random seeded the way ours is."""
    random.seed(seed)
    return ref.review_card(card, grade, review_datetime=when)[0]


@hsettings(max_examples=60, deadline=None)
@given(
    grades=st.lists(st.sampled_from(GRADES), min_size=1, max_size=25),
    gaps=st.lists(st.integers(min_value=0, max_value=90 * 24 * 60), min_size=25, max_size=25),
    retention=st.sampled_from([0.8, 0.9, 0.95]),
)
def test_review_matches_py_fsrs_for_the_same_inputs(grades, gaps, retention):
    settings = Settings(desired_retention=retention, maximum_interval=3650)
    ours = Scheduler(settings)
    ref = fsrs.Scheduler(
        desired_retention=retention,
        learning_steps=settings.learning_steps,
        relearning_steps=settings.relearning_steps,
        maximum_interval=3650,
        enable_fuzzing=True,
    )
    state = fresh()
    card = fsrs.Card(card_id=0)
    when = T0
    for grade, gap in zip(grades, gaps):
        seed = card_seed(state.uid, state.reps)
        card = reference_review(ref, card, grade, when, seed)
        state = ours.review(state, grade, when)
        assert (state.state, state.step) == (card.state.value, card.step)
        assert state.stability == card.stability and state.difficulty == card.difficulty
        assert state.due == card.due and state.last_review == card.last_review == when
        assert ours.retrievability(state, when + timedelta(days=3)) == ref.get_card_retrievability(
            card, when + timedelta(days=3)
        )
        when = when + timedelta(minutes=gap)
    assert state.reps == len(grades)


def review_card_state(days=40.0):
    """A review card with a long interval, so fuzz applies."""
    return CardState(
        "deck", "c", state=State.Review.value, step=None, stability=days, difficulty=5.0,
        due=T0, last_review=T0 - timedelta(days=int(days)), reps=5, first_seen=T0 - timedelta(days=100),
    )


def test_fuzz_is_deterministic_per_card_and_leaves_global_random_alone():
    sched = Scheduler()
    random.seed(1)
    expected_next = random.random()
    random.seed(1)
    s = review_card_state()
    first = sched.review(s, Rating.Good, T0)
    again = sched.review(s, Rating.Good, T0)
    assert first == again
    assert fsrs.scheduler.random is random.random  # py-fsrs' own reference is put back
    assert random.random() == expected_next  # and the global generator was not drawn from


def test_fuzz_varies_between_cards_within_py_fsrs_range():
    sched = Scheduler()
    unfuzzed = fsrs.Scheduler(enable_fuzzing=False)
    base = review_card_state()
    plain = unfuzzed.review_card(base.to_fsrs(), Rating.Good, review_datetime=T0)[0]
    plain_days = (plain.due - T0).days
    days = {(sched.review(replace(base, card_id=f"c{i}"), Rating.Good, T0).due - T0).days for i in range(200)}
    assert len(days) > 3  # fuzz applied, and different per card
    # py-fsrs' range for an interval >= 20 days: +-(1 + 0.15*4.5 + 0.1*13 + 0.05*(d-20))
    delta = 1 + 0.15 * 4.5 + 0.1 * 13 + 0.05 * (plain_days - 20)
    # (py-fsrs rounds random() * (max - min + 1) + min, so max + 1 can occur: its code, its range)
    assert min(days) >= round(plain_days - delta) and max(days) <= round(plain_days + delta) + 1


def test_explicit_seed_matches_py_fsrs_with_that_seed():
    sched = Scheduler()
    ref = fsrs.Scheduler()
    s = review_card_state()
    for seed in range(20):
        card = reference_review(ref, s.to_fsrs(), Rating.Easy, T0, seed)
        assert sched.review(s, Rating.Easy, T0, seed=seed).due == card.due


def test_preview_gives_what_review_gives():
    sched = Scheduler()
    for s in (fresh(), review_card_state(), replace(review_card_state(), state=State.Relearning.value, step=0)):
        ivl = sched.preview(s, T0)
        for g in GRADES:
            assert sched.review(s, g, T0).due - T0 == ivl[g]
    new = sched.preview(fresh(), T0)
    assert new[Rating.Again] == timedelta(minutes=1)
    assert new[Rating.Hard] == timedelta(minutes=5.5)
    assert new[Rating.Good] == timedelta(minutes=10)
    assert new[Rating.Easy] >= timedelta(days=1)


def test_reps_lapses_and_leech():
    sched = Scheduler(Settings(leech_threshold=3))
    s = review_card_state()
    when = T0
    results = []
    for i in range(5):
        before = s
        s = sched.review(s, Rating.Again, when)  # review -> relearning: a lapse
        assert s.state == State.Relearning.value
        results.append((s.lapses, sched.became_leech(before, s), s.leech, s.suspended))
        when += timedelta(minutes=10)
        s = sched.review(s, Rating.Again, when)  # again while relearning: not a lapse
        when += timedelta(minutes=10)
        s = sched.review(s, Rating.Good, when)  # back to review
        assert s.state == State.Review.value
        when += timedelta(days=5)
    assert results == [
        (1, False, False, False),
        (2, False, False, False),
        (3, True, True, True),
        (4, True, True, True),  # every half threshold after (threshold 3 -> every lapse)
        (5, True, True, True),
    ]
    assert s.reps == 5 + 15


def test_leech_rule_like_anki():
    assert [n for n in range(1, 25) if is_leech_count(n, 8)] == [8, 12, 16, 20, 24]
    assert not any(is_leech_count(n, 0) for n in range(50))


def test_first_answer_of_new_card_sets_first_seen_and_clears_edited():
    s = replace(fresh(), edited=True)
    after = Scheduler().review(s, Rating.Good, T0)
    assert after.first_seen == T0 and after.reps == 1 and not after.edited
    later = Scheduler().review(after, Rating.Good, T0 + timedelta(minutes=10))
    assert later.first_seen == T0


def test_retrievability_none_for_new_and_falls_with_time():
    sched = Scheduler()
    assert sched.retrievability(fresh(), T0) is None
    s = review_card_state()
    r = [sched.retrievability(s, T0 + timedelta(days=d)) for d in (0, 10, 100)]
    assert 1 >= r[0] > r[1] > r[2] > 0


def test_non_utc_times_are_accepted():
    s = Scheduler().review(fresh(), Rating.Good, T0.astimezone(ZoneInfo("Asia/Shanghai")))
    assert s.due == T0 + timedelta(minutes=10) and s.due.tzinfo == UTC
    with pytest.raises(ValueError):
        Scheduler().review(fresh(), Rating.Good, datetime(2025, 1, 1))


def test_grade_for_and_format_interval():
    assert grade_for(True) == Rating.Good and grade_for(False) == Rating.Again
    labels = [format_interval(timedelta(seconds=s)) for s in (30, 60, 600, 5400, 86400 * 3, 86400 * 63, 86400 * 500)]
    assert labels == ["<1m", "1m", "10m", "1.5h", "3d", "2.1mo", "1.4y"]


# --- study days -----------------------------------------------------------------------------

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(tz, *args):
    return datetime(*args, tzinfo=tz)


def test_day_rolls_over_at_the_hour_not_at_midnight():
    d = date(2025, 6, 10)
    assert study_day(local(BERLIN, 2025, 6, 10, 4, 0), 4, BERLIN) == d
    assert study_day(local(BERLIN, 2025, 6, 10, 23, 59), 4, BERLIN) == d
    assert study_day(local(BERLIN, 2025, 6, 11, 0, 0), 4, BERLIN) == d  # past midnight: same study day
    assert study_day(local(BERLIN, 2025, 6, 11, 3, 59, 59), 4, BERLIN) == d
    assert study_day(local(BERLIN, 2025, 6, 11, 4, 0), 4, BERLIN) == date(2025, 6, 11)
    assert study_day(local(BERLIN, 2025, 6, 10, 23, 59), 0, BERLIN) == d
    assert study_day(local(BERLIN, 2025, 6, 11, 0, 0), 0, BERLIN) == date(2025, 6, 11)
    assert day_start(d, 4, BERLIN) == datetime(2025, 6, 10, 2, 0, tzinfo=UTC)  # CEST is UTC+2


def test_dst_spring_forward_day_is_23_hours():
    # New York, 9 March 2025: 02:00 EST jumps to 03:00 EDT
    # with rollover at 2 the short day is the 9th; at 4 it is the 8th (4:00 on the 8th to 4:00 on the 9th)
    for hour, d in ((2, date(2025, 3, 9)), (4, date(2025, 3, 8)), (0, date(2025, 3, 9))):
        length = day_start(d + timedelta(days=1), hour, NEW_YORK) - day_start(d, hour, NEW_YORK)
        assert length == timedelta(hours=23)
    # the rollover hour itself does not exist that night: the day starts at the first instant after
    assert day_start(date(2025, 3, 9), 2, NEW_YORK) == datetime(2025, 3, 9, 7, 0, tzinfo=UTC)
    assert study_day(datetime(2025, 3, 9, 6, 59, 59, tzinfo=UTC), 2, NEW_YORK) == date(2025, 3, 8)
    assert study_day(datetime(2025, 3, 9, 7, 0, tzinfo=UTC), 2, NEW_YORK) == date(2025, 3, 9)


def test_dst_fall_back_day_is_25_hours():
    # Berlin, 26 October 2025: 03:00 CEST falls back to 02:00 CET
    d = date(2025, 10, 26)
    for hour, long_day in ((4, date(2025, 10, 25)), (2, d), (0, d)):
        assert day_start(long_day + timedelta(days=1), hour, BERLIN) - day_start(long_day, hour, BERLIN) == timedelta(hours=25)
    # rollover at 2: the repeated hour belongs to the new day from its first occurrence
    start = day_start(d, 2, BERLIN)
    assert start == datetime(2025, 10, 26, 0, 0, tzinfo=UTC)  # 02:00 CEST
    assert study_day(start - timedelta(seconds=1), 2, BERLIN) == date(2025, 10, 25)
    assert study_day(start + timedelta(minutes=90), 2, BERLIN) == d  # 02:30 CET, the second time round


@hsettings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    hour=st.integers(0, 23),
    tzname=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Shanghai", "UTC"]),
)
def test_every_instant_lies_in_its_study_day(instant, hour, tzname):
    tz = ZoneInfo(tzname)
    d = study_day(instant, hour, tz)
    assert day_start(d, hour, tz) <= instant < day_start(d + timedelta(days=1), hour, tz)


def test_system_local_time_when_no_zone_is_set(monkeypatch):
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        for instant in (datetime(2025, 3, 9, 6, 30, tzinfo=UTC), datetime(2025, 11, 2, 8, 30, tzinfo=UTC), T0):
            for hour in (0, 2, 4):
                assert study_day(instant, hour, None) == study_day(instant, hour, NEW_YORK)
                d = study_day(instant, hour, NEW_YORK)
                assert day_start(d, hour, None) == day_start(d, hour, NEW_YORK)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_scheduler_days_use_settings():
    sched = Scheduler(Settings(day_rollover_hour=5, timezone="Asia/Shanghai"))
    now = datetime(2025, 6, 10, 20, 30, tzinfo=UTC)  # 04:30 on the 11th in Shanghai
    assert sched.study_day(now) == date(2025, 6, 10)
    assert sched.next_day_start(now) == datetime(2025, 6, 10, 21, 0, tzinfo=UTC)


def test_card_state_dict_round_trip_is_exact():
    s = Scheduler().review(review_card_state(), Rating.Hard, T0)
    s = replace(s, buried_until=T0 + timedelta(hours=5), edited=True)
    import json

    assert CardState.from_dict(json.loads(json.dumps(s.to_dict()))) == s
