"""Issue 13: per-deck new-card limits, custom study (core and app), the settings screen."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Rating, State
from textual.widgets import Input

from nqpf_tutor.core.learning.custom import (
    CustomSession, add_extra_new, ahead, extra_new_today, forgotten, outside_schedule,
)
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.settings import Settings, SettingsError, load_settings
from nqpf_tutor.core.store import Store
from nqpf_tutor.ui.screens.custom import CustomStudyScreen
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.settings import SettingsScreen
from nqpf_tutor.ui.screens.study import StudyScreen

from ui_helpers import make_app

NOW = datetime(2025, 6, 10, 9, 0, tzinfo=timezone.utc)
UTC = Settings(timezone="UTC")
SIZE = (80, 24)


def deck(deck_id: str, n: int) -> list[Card]:
    return [Card(deck_id, f"c{i}", "flip", f"Q{i}", f"A{i}") for i in range(n)]


# --- per-deck new-card limits --------------------------------------------------------------------------


def answer_new(session: StudySession, n: int) -> list[str]:
    seen = []
    for _ in range(n):
        card = session.next_card()
        if card is None or session.state(card).reps:
            break
        seen.append(card.uid)
        session.answer(card, Rating.Easy)
    return seen


def test_a_deck_with_its_own_limit_can_be_started_after_the_shared_limit_is_used(tmp_path):
    a, b = deck("a", 10), deck("b", 10)
    settings = Settings(timezone="UTC", new_per_day=3, deck_new_per_day={"b": 2})
    with Store.open(tmp_path / "p.sqlite3") as store:
        s = StudySession(a + b, store, settings, clock=lambda: NOW)
        assert s.counts().new == 3 + 2  # the shared pool (deck a) and deck b's own
        seen = answer_new(s, 10)
        # hand count: deck a gets the shared 3, deck b its own 2, nothing more today
        assert sorted(seen) == ["a/c0", "a/c1", "a/c2", "b/c0", "b/c1"]
        assert s.counts().new == 0
        # deck b alone: its own limit is used up; deck a alone: the shared one too
        assert StudySession(b, store, settings, clock=lambda: NOW).counts().new == 0
        assert StudySession(a, store, settings, clock=lambda: NOW).counts().new == 0
        # without a limit of its own, deck b would have had to wait for tomorrow
        assert StudySession(b, store, Settings(timezone="UTC", new_per_day=3), clock=lambda: NOW).counts().new == 0
        # the next study day, both pools are full again
        later = NOW + timedelta(days=1)
        assert StudySession(a + b, store, settings, clock=lambda: later).counts().new == 5


def test_extra_new_cards_raise_todays_limits(tmp_path):
    cards = deck("a", 10)
    with Store.open(tmp_path / "p.sqlite3") as store:
        s = StudySession(cards, store, Settings(timezone="UTC", new_per_day=2), clock=lambda: NOW)
        assert len(answer_new(s, 10)) == 2
        more = StudySession(cards, store, Settings(timezone="UTC", new_per_day=2), clock=lambda: NOW, extra_new=3)
        assert more.counts().new == 3 and len(answer_new(more, 10)) == 3
    path = tmp_path / "custom.json"
    day = date(2025, 6, 10)
    assert extra_new_today(path, "default", day) == 0
    assert add_extra_new(path, "default", day, 5) == 5 and add_extra_new(path, "default", day, 2) == 7
    assert extra_new_today(path, "default", day) == 7 and extra_new_today(path, "other", day) == 0
    assert extra_new_today(path, "default", day + timedelta(days=1)) == 0  # only for that day


def test_deck_limits_are_checked_like_every_setting():
    assert Settings.from_dict({"deck_new_per_day": {"eras": 5}}).deck_new_per_day == {"eras": 5}
    for bad in ({"eras": -1}, {"eras": "x"}, [1, 2], {"eras": True}):
        with pytest.raises(SettingsError, match="deck_new_per_day"):
            Settings.from_dict({"deck_new_per_day": bad})


# --- custom study: which cards ---------------------------------------------------------------------------


def test_forgotten_ahead_and_outside_schedule_pick_the_right_cards(tmp_path):
    cards = deck("d", 6)
    sched = Scheduler(UTC)
    with Store.open(tmp_path / "p.sqlite3") as store:
        clock = [NOW - timedelta(days=3)]
        s = StudySession(cards, store, UTC, clock=lambda: clock[0])
        s.answer(cards[0], Rating.Again)  # 3 days ago: forgotten
        clock[0] = NOW - timedelta(hours=2)
        s.answer(cards[1], Rating.Again)  # 2 hours ago: forgotten
        s.answer(cards[2], Rating.Good)  # answered, not forgotten
        clock[0] = NOW - timedelta(days=10)
        s.answer(cards[3], Rating.Again)  # 10 days ago: outside 7 days
        with store.transaction():
            for i, due_in in ((4, 1.5), (5, 5)):  # review cards due in 1.5 and 5 days
                store.put(CardState("d", f"c{i}", state=State.Review.value, step=None, stability=10.0, difficulty=5.0,
                                    last_review=NOW - timedelta(days=3), due=NOW + timedelta(days=due_in), reps=3))
            store.put(CardState("d", "c2", suspended=True, reps=1, state=State.Learning.value,
                                due=NOW, last_review=NOW))
        # hand-computed: Again answers in the last day: c1; last 7 days: c1 (2 h), c0 (3 days)
        assert [c.id for c in forgotten(store, cards, NOW, 1)] == ["c1"]
        assert [c.id for c in forgotten(store, cards, NOW, 7)] == ["c1", "c0"]
        assert [c.id for c in forgotten(store, cards, NOW, 30)] == ["c1", "c0", "c3"]
        # study ahead: review cards due after today: in 2 days c4 (1.5 days: tomorrow's study day), in 7: c4, c5
        assert [c.id for c in ahead(store, sched, cards, NOW, 2)] == ["c4"]
        assert [c.id for c in ahead(store, sched, cards, NOW, 7)] == ["c4", "c5"]
        # every card but the suspended one
        assert [c.id for c in outside_schedule(store, cards)] == ["c0", "c1", "c3", "c4", "c5"]


def test_custom_session_asks_each_card_once_and_answers_move_the_schedule(tmp_path):
    cards = deck("d", 3)
    with Store.open(tmp_path / "p.sqlite3") as store:
        s = CustomSession(cards[1:], store, UTC, clock=lambda: NOW)
        assert s.counts().new == 2
        first = s.next_card()
        assert first.id == "c1"
        s.answer(first, Rating.Good)
        assert s.next_card().id == "c2" and s.counts().total == 1
        s.undo()
        assert s.next_card().id == "c1"
        s.answer(first, Rating.Good)
        s.answer(s.next_card(), Rating.Again)
        assert s.next_card() is None and s.next_due_time() is None
        assert [r.card_id for r in store.reviews()] == ["c1", "c2"]  # the undone answer does not count
        assert store.get("d", "c1").reps == 1 and store.get("d", "c0") is None


# --- custom study and settings in the app --------------------------------------------------------------------


async def test_custom_study_in_the_app_every_kind(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, CustomStudyScreen)
        await pilot.press("down", "enter")  # forgotten in the last day: none yet
        await pilot.pause()
        assert isinstance(app.screen, CustomStudyScreen)
        assert "No cards forgotten in the last 1 day" in str(app.screen.query_one("#custom-error").render())
        await pilot.press("down", "enter")  # study ahead: none either
        await pilot.pause()
        assert "No cards due in the next 1 day" in str(app.screen.query_one("#custom-error").render())
        await pilot.press("down", "tab", *"second", "enter")  # a deck outside the schedule (no number)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen.custom is not None
        assert [c.uid for c in screen.custom] == ["second/s1", "second/s2"]
        q = screen.question
        await pilot.press(str((q.correct + 1) % len(q.options) + 1), "enter")  # wrong: Again
        await pilot.pause()
        await pilot.press("t", "enter")
        await pilot.pause()
        assert screen.phase == "done"
        await pilot.press("escape")
        await pilot.pause()
        # now second/s1 was forgotten: the forgotten kind finds it
        await pilot.press("f", "down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen) and [c.uid for c in screen.custom] == ["second/s1"]
        await pilot.press("escape")
        await pilot.pause()
        # more new cards today
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("tab", "ctrl+u", "5", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.extra_new() == 5


async def test_settings_screen_checks_as_typed_saves_and_explains(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen) and app.focused.id == "set-new_per_day"
        helps = " ".join(str(w.render()) for w in screen.query(".settings-help"))
        for words in ("shared by the decks", "chance of recall FSRS aims for", "new study day begins",
                      "forgotten (Again)", "longest wait"):
            assert words in helps
        await pilot.press("ctrl+u", *"2x")
        await pilot.pause()
        error = screen.query_one("#set-new_per_day-error")
        assert error.display and "whole number" in str(error.render())  # at once, as typed
        await pilot.press("backspace")
        await pilot.pause()
        assert not error.display
        retention = screen.query_one("#set-desired_retention", Input)
        retention.focus()
        await pilot.press("ctrl+u", *"0.5")
        await pilot.pause()
        assert "0.7 to 0.99" in str(screen.query_one("#set-desired_retention-error").render())
        await pilot.press("enter")  # not saved while a field is wrong
        await pilot.pause()
        assert not app.loc.settings_path.exists()
        assert "Not saved" in str(screen.query_one("#settings-status").render())
        await pilot.press("ctrl+u", *"0.85")
        steps = screen.query_one("#set-learning_steps", Input)
        steps.focus()
        await pilot.press("ctrl+u", *"30s, 5m, 1h")
        deck_limit = next(i for i in screen.query(Input) if screen._decks.get(i.id) == "second")
        deck_limit.focus()
        await pilot.press("4", "enter")
        await pilot.pause()
        saved = load_settings(app.loc.settings_path)
        assert saved.new_per_day == 2 and saved.desired_retention == 0.85
        assert [s.total_seconds() for s in saved.learning_steps] == [30, 300, 3600]
        assert saved.deck_new_per_day == {"second": 4} and saved.timezone == "UTC"
        assert app.settings == saved
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


def test_stats_new_cards_left_today_counts_each_decks_own_limit(tmp_path):
    from nqpf_tutor.core.stats import compute_stats

    a, b = deck("a", 10), deck("b", 10)
    settings = Settings(timezone="UTC", new_per_day=3, deck_new_per_day={"b": 2})
    with Store.open(tmp_path / "p.sqlite3") as store:
        assert compute_stats(store, a + b, settings, NOW)["new_available"] == 5  # 3 shared + 2 of b's own
        s = StudySession(a + b, store, settings, clock=lambda: NOW)
        answer_new(s, 4)  # by hand: the shared 3 go first... whichever pools they came from, 5 - 4 = 1 left
        assert compute_stats(store, a + b, settings, NOW)["new_available"] == 1
        assert compute_stats(store, a + b, Settings(timezone="UTC", new_per_day=3), NOW)["new_available"] == 0


def test_stats_new_cards_left_today_counts_custom_studys_extra_and_the_exam_pace(tmp_path, capsys):
    """``new_available`` is what a study session of every card would offer today: custom study's
    extra new cards and an exam plan's pace included (the same pools, one function)."""
    import json

    from nqpf_tutor.cli import main
    from nqpf_tutor.core.learning.profile import PlanSpec, save_plan
    from nqpf_tutor.core.stats import compute_stats

    a, b = deck("a", 30), deck("b", 10)
    settings = Settings(timezone="UTC", new_per_day=3, deck_new_per_day={"b": 2})
    with Store.open(tmp_path / "p.sqlite3") as store:
        def both(extra):
            session = StudySession(a + b, store, settings, clock=lambda: NOW, extra_new=extra)
            return compute_stats(store, a + b, settings, NOW, extra_new=extra)["new_available"], session.counts().new

        assert both(0) == (5, 5)
        assert both(4) == (3 + 4 + 2 + 4, 3 + 4 + 2 + 4)  # each pool raised
        answer_new(StudySession(a + b, store, settings, clock=lambda: NOW, extra_new=4), 6)
        assert both(4) == (13 - 6, 13 - 6)
        assert both(0)[0] == both(0)[1] < 13 - 6  # without the extra: fewer, counted alike

    with Store.open(tmp_path / "plan.sqlite3") as store:
        # an exam in 20 days on deck a: its pace replaces the shared limit of 3 a day
        save_plan(store, PlanSpec(exam=NOW.date() + timedelta(days=20), deck_ids=("a",), set_on=NOW.date()))
        plain = Settings(timezone="UTC", new_per_day=3)
        stats_new = compute_stats(store, a, plain, NOW)["new_available"]
        session_new = StudySession(a, store, plain, clock=lambda: NOW).counts().new
        assert stats_new == session_new and stats_new != 3
        assert compute_stats(store, a, plain, NOW, extra_new=4)["new_available"] == stats_new + 4
        assert StudySession(a, store, plain, clock=lambda: NOW, extra_new=4).counts().new == stats_new + 4

    # the command reads custom study's file for today, as the app does
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "stats", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["new_available"]
    add_extra_new(data / "custom-study.json", "default", Scheduler(Settings()).study_day(datetime.now(timezone.utc)), 7)
    assert main(["--data-dir", str(data), "stats", "--json"]) == 0
    after = json.loads(capsys.readouterr().out)["new_available"]
    assert after == before + 7  # the bundled decks have more new cards than that


async def test_settings_screen_shows_the_fsrs_parameters_in_use(tmp_path):
    """The defaults until the profile's parameters are fitted; then when and on how many answers."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from nqpf_tutor.core.learning.profile import save_fitted

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        line = str(app.screen.query_one("#settings-parameters").render())
        assert "FSRS parameters: the defaults" in line
        await pilot.press("escape")
        await pilot.pause()
        save_fitted(app.store, {"parameters": list(DEFAULT_PARAMETERS), "fitted_at": "2026-11-01T10:00:00Z",
                                "reviews": 1234, "log_loss": 0.403, "log_loss_before": 0.417})
        await pilot.press("o")
        await pilot.pause()
        line = str(app.screen.query_one("#settings-parameters").render())
        assert "fitted to your reviews on 2026-11-01 (1234 answers; held-out log loss 0.417 -> 0.403)" in line
