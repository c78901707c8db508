"""The class report screen (home: c) on the made-up class 7C: keys, figures, CSV, the hardest
questions as a drill; snapshots at 80x24 and at a large size.

Update the snapshots after a deliberate change with:
pytest tests/test_report_ui.py --snapshot-update
"""

from __future__ import annotations

import csv
import io

import pytest
from textual.widgets import DataTable, TabbedContent

from report_fixture import setup_data
from ui_helpers import make_app

LARGE = (130, 40)


@pytest.fixture
def app(tmp_path):
    setup_data(tmp_path / "data", tmp_path / "decks")
    return make_app(tmp_path, extra_decks=[tmp_path / "decks"])


async def _open(pilot, *keys):
    """c on the home screen opens the report; then ``keys`` (on the report, c: the next class)."""
    for key in ("c", *keys):
        await pilot.press(key)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_report_screen_figures_classes_and_tabs(app):
    from nqpf_tutor.ui.screens.report import ReportScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen) and screen.class_name is None
        students = rows(screen.query_one("#report-students", DataTable))
        assert [r[0] for r in students] == ["=SUM(A1)", "Ann Lee", "Bo Chen", "Cy Diaz", "Dee Evans"]
        await pilot.press("c")  # every class -> 7C
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.class_name == "7C"
        students = rows(screen.query_one("#report-students", DataTable))
        # 7C over all dates: d0 (Ann 0/1), d1, d2, d3
        assert students[0][:6] == ["Ann Lee", "4", "6", "5", "83%", "+20 pts"]
        assert students[1][:6] == ["Bo Chen", "3", "5", "3", "60%", "+50 pts"]
        await pilot.press("2")
        assert screen.query_one(TabbedContent).active == "questions"
        questions = rows(screen.query_one("#report-questions", DataTable))
        assert questions[0] == ["Which word marks the information …", "4", "25%", "+1.00", "Z (2)"]  # cut to fit 80 columns
        await pilot.press("3")
        tags = rows(screen.query_one("#report-tags", DataTable))
        assert tags == [["alpha", "2", "13", "7", "54%"], ["beta", "2", "9", "5", "56%"], ["gamma", "1", "4", "1", "25%"]]
        for _ in range(2):  # 8A, then every class again
            await pilot.press("c")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert screen.class_name is None
        await pilot.press("w")
        await pilot.pause()
        text = screen.last_written.read_text("utf-8")
        names = [r["name"] for r in csv.DictReader(io.StringIO(text)) if r["section"] == "student"]
        assert "'=SUM(A1)" in names
        await pilot.press("escape")
        assert type(app.screen).__name__ == "HomeScreen"


async def test_s_shows_only_the_drills_since_a_date(app):
    from textual.widgets import Input

    from nqpf_tutor.ui.screens.report import SinceScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "c")  # class 7C: d0 (2026-02-01), d1, d2, d3
        screen = app.screen
        assert len(screen.report.drills) == 4
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SinceScreen)
        await pilot.press(*"March", "enter")  # not a date: one line, the box stays
        await pilot.pause()
        assert isinstance(app.screen, SinceScreen)
        assert str(app.screen.query_one("#since-error").render()) == "'March': give a date as YYYY-MM-DD"
        app.screen.query_one("#since-input", Input).value = "2026-02-15"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen and [d.id for d in screen.report.drills] == ["d1", "d2", "d3"]
        assert "class 7C since 2026-02-15" in str(screen.query_one("#report-title").render())
        assert str(screen.query_one("#report-summary").render()).startswith("3 drills 2026-03-01 to 2026-03-15 · 20 answers")
        ann = rows(screen.query_one("#report-students", DataTable))[0]
        assert ann[:4] == ["Ann Lee", "3", "5", "5"]  # d0 (Ann's miss) left out
        await pilot.press("s", "escape")  # cancelled: nothing changes
        await pilot.pause()
        assert screen.since is not None and len(screen.report.drills) == 3
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#since-input", Input).value = ""
        await pilot.press("enter")  # empty: every drill again
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.since is None and len(screen.report.drills) == 4
        assert "since" not in str(screen.query_one("#report-title").render())


async def test_d_drills_the_hardest_questions_of_the_class(app):
    from nqpf_tutor.ui.screens.drill import DrillScreen

    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "c")  # 7C
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen)
        drill = app.screen.drill
        assert {q.card.uid for q in drill.questions} == {"cls/q4", "cls/q2", "cls/q1", "cls/q3"}
        assert drill.config.class_name == "7C"
        assert "class 7C · seed" in str(app.screen.query_one("#drill-info").render())


async def test_report_screen_with_no_drills(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        assert "No drills yet" in str(app.screen.query_one("#report-summary").render())
        await pilot.press("d")  # nothing to drill: a note, no crash
        await pilot.pause()
        assert type(app.screen).__name__ == "ReportScreen"


def _before(*keys):
    async def run_before(pilot):
        await _open(pilot, *keys)

    return run_before


def test_snapshot_report_students_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before("c"))


def test_snapshot_report_questions_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before("c", "2"))


def test_snapshot_report_large(snap_compare, app):
    assert snap_compare(app, terminal_size=LARGE, run_before=_before("2"))


async def test_a_drill_started_with_a_class_keeps_it(tmp_path):
    from nqpf_tutor.ui.app import Choice

    opts = {"seconds": 0, "students": ["Ann"], "speed_bonus": False, "streaks": False, "leaderboard": True,
            "out": None, "seed": 1, "n": 2, "class_name": "9B"}
    app = make_app(tmp_path, start="drill", choice=Choice(deck_ids=["sample"], n=2, seed=1), drill_options=opts)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
    (row,) = app.store.drills()
    assert row.class_name == "9B" and row.config["class_name"] == "9B"


async def test_the_setup_forms_class_field(tmp_path):
    from nqpf_tutor.ui.app import Choice

    app = make_app(tmp_path, choice=Choice(deck_ids=["sample"], n=2, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        app.screen.query_one("#setup-class").value = "  10  A "
        app.screen.query_one("#setup-seconds").value = "0"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
    (row,) = app.store.drills()
    assert row.class_name == "10 A"


async def test_enter_on_a_question_shows_all_of_it(app):
    from nqpf_tutor.ui.screens.report import QuestionDetail

    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "c", "2")  # 7C, questions
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionDetail)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Which word marks the information era?" in text and "Right answer: Informatization" in text
        assert "2 x  Z" in text and "1 x  Q" in text
        await pilot.press("escape")
        assert type(app.screen).__name__ == "ReportScreen"


def test_snapshot_report_question_detail_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_before("c", "2", "enter"))


def test_snapshot_report_question_detail_large(snap_compare, app):
    assert snap_compare(app, terminal_size=LARGE, run_before=_before("2", "down", "enter"))


@pytest.mark.parametrize("size", [(80, 24), LARGE])
def test_snapshot_report_since(snap_compare, app, size):
    async def run_before(pilot):
        await _before("c")(pilot)
        await pilot.press("s", *"2026-13-01", "enter")  # month 13: the one-line error shown
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
