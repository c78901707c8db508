"""The exam plan, optimize and simulate screens through Pilot, and their snapshots (80x24 and large)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, Static

from nqpf_tutor.core.learning.plan import ExamReviewSession
from nqpf_tutor.core.learning.profile import PlanSpec, load_plan, save_plan
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.optimize import OptimizeScreen
from nqpf_tutor.ui.screens.plan import PlanScreen
from nqpf_tutor.ui.screens.simulate import SimulateScreen
from nqpf_tutor.ui.screens.study import StudyScreen

from ui_helpers import NOW, make_app

SIZES = [(80, 24), (120, 40)]
TODAY = NOW.date()


def text(app, selector) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def make_a_plan(pilot, exam: str) -> None:
    await pilot.press("e")
    await pilot.pause()
    box = pilot.app.screen.query_one("#plan-exam", Input)
    box.value = exam
    await pilot.press("enter")
    await settle(pilot)


async def test_plan_screen_plans_keeps_and_clears(tmp_path):
    app = make_app(tmp_path)
    exam = (TODAY + timedelta(days=18)).isoformat()
    async with app.run_test(size=(80, 24)) as pilot:
        await make_a_plan(pilot, exam)
        screen = app.screen
        assert isinstance(screen, PlanScreen)
        table = screen.query_one("#plan-days", DataTable)
        assert table.row_count == 18 and table.has_focus
        assert "Predicted recall on the exam day" in text(app, "#plan-summary")
        assert screen.plan is not None and screen.plan.exam.isoformat() == exam
        await pilot.press("k")
        await pilot.pause()
        assert load_plan(app.store) == screen.plan.spec()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        status = text(app, "#exam-status")
        assert f"Exam {exam} in 18 days — on schedule" in status
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.query_one("#plan-exam", Input).value == exam  # the kept plan, shown again
        assert app.screen.query_one("#plan-days", DataTable).row_count == 18
        await pilot.press("c")
        await pilot.pause()
        assert load_plan(app.store) is None


@pytest.mark.parametrize("exam, message", [
    ("2001-01-01", "is in the past"), ("next week", "bad exam date"), ("2026-02-30", "bad exam date"),
])
async def test_plan_screen_bad_date_is_one_line(tmp_path, exam, message):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await make_a_plan(pilot, exam)
        summary = text(app, "#plan-summary")
        assert message in summary and "\n" not in summary.strip()
        assert app.screen.query_one("#plan-days", DataTable).row_count == 0
        assert app.screen.query_one("#plan-exam", Input).has_focus
        await pilot.press("k")  # typed into the box, not a plan kept
        assert load_plan(app.store) is None


async def test_plan_screen_bad_goal(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#plan-goal", Input).value = "lots"
        app.screen.query_one("#plan-exam", Input).value = (TODAY + timedelta(days=9)).isoformat()
        await pilot.press("enter")
        await settle(pilot)
        assert "retention must be a number from 0.7 to 0.99, not 'lots'" in text(app, "#plan-summary")
        app.screen.query_one("#plan-goal", Input).value = "0.95"
        await pilot.press("enter")
        await settle(pilot)
        assert "(goal 95%)" in text(app, "#plan-summary")


async def test_last_days_offer_the_weakest_cards(tmp_path):
    app = make_app(tmp_path)
    exam = TODAY + timedelta(days=2)
    save_plan(app.store, PlanSpec(exam=exam, set_on=TODAY, new_at_start=0, pace=0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "w: study the cards you are most likely to forget" in text(app, "#exam-status")
        await pilot.press("w")  # from home
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert isinstance(app.screen.session, ExamReviewSession)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("e")
        await settle(pilot)
        assert "w studies the cards you are most likely to forget" in text(app, "#plan-summary")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert isinstance(app.screen.session, ExamReviewSession)
        assert app.screen.session.counts().total == min(20, len(app.catalog.all_cards()))


async def test_weakest_key_only_in_the_last_days(tmp_path):
    app = make_app(tmp_path)
    save_plan(app.store, PlanSpec(exam=TODAY + timedelta(days=10), set_on=TODAY, new_at_start=8, pace=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # not offered 10 days before the exam
        assert "most likely to forget" not in text(app, "#exam-status")


async def test_optimize_screen_says_how_many_more_reviews(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OptimizeScreen)
        assert "the defaults" in text(app, "#opt-in-use")
        assert "w20" in text(app, "#opt-params")
        await pilot.press("o")
        await settle(pilot)
        assert "400 more needed" in text(app, "#opt-result")


async def test_simulate_screen_runs_and_checks_its_figures(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, SimulateScreen)
        app.screen.query_one("#sim-days", Input).value = "x"
        await pilot.press("enter")
        await pilot.pause()
        assert "Days must be a whole number" in text(app, "#sim-status")
        app.screen.query_one("#sim-days", Input).value = "20"
        app.screen.query_one("#sim-cards", Input).value = "40"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#sim-table", DataTable).row_count == 4
        assert "than SM-2" in text(app, "#sim-savings")
        assert app.screen.result.cards == 40


# --- snapshots --------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_plan(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await make_a_plan(pilot, (TODAY + timedelta(days=18)).isoformat())

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)


def test_snapshot_plan_error(snap_compare, tmp_path):
    async def run_before(pilot):
        await make_a_plan(pilot, "2026-13-01")

    assert snap_compare(make_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_home_with_exam_plan(snap_compare, tmp_path, size):
    app = make_app(tmp_path)
    save_plan(app.store, PlanSpec(exam=TODAY + timedelta(days=2), set_on=TODAY - timedelta(days=5),
                                  new_at_start=12, pace=3))
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_optimize(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, press=["t", "o", "o"], run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_simulate(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await pilot.press("t", "m")
        await pilot.pause()
        pilot.app.screen.query_one("#sim-days", Input).value = "30"
        pilot.app.screen.query_one("#sim-cards", Input).value = "60"
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=run_before)
