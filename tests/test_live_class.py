"""Live games of a class (issue 16 with issue 14): ``live --class``, the set-up form's Class field,
the class kept with the game's drill row, ``results`` showing it, and the class report counting a
live game's "everyone" turns per student, with nicknames matched to names as drills' are.

The store of the report tests (class 9B; roster 9B.yaml: Ann Lee (nickname Annie), Bo Chen):

  drill  D (2026-03-01, class "9B", turns Ann Lee, Bo Chen; questions m1-m4 in that order):
         m1 Ann Lee right, m2 Bo Chen wrong (chose W2), m3 Ann Lee wrong (chose W3), m4 Bo Chen right
  live   L (2026-03-02, class " 9b ", kept as "9b"; players "annie", "BO  chen" (cleaned to
         "BO chen"), "Cy"; questions m4, m5, m6 in that order):
         m4 annie right, BO chen wrong (W4), Cy right
         m5 annie right, BO chen right, Cy no answer (a time-out miss at the close)
         m6 annie wrong (W6), BO chen wrong (W6), Cy right
  live   X (2026-03-03, class "8A"): "Ann" answers m5 right -- not class 9B

Hand count, report --class 9B, with the roster:
  Ann Lee  2 drills (D, L), answers 2 + 3 = 5, right 1 + 2 = 3, 60%, trend 2/3 - 1/2 = +0.1667
  Bo Chen  2 drills,        answers 2 + 3 = 5, right 1 + 1 = 2, 40%, trend 1/3 - 1/2 = -0.1667
  Cy       1 drill (L),     answers 3,         right 2,         66.67%, no trend
  all: 13 answers, 7 right (0.5385). Groups: round(0.27 * 3) = 1: ranked by right, then accuracy:
  Ann (3), Cy (2, 67%), Bo (2, 40%): top Ann Lee, bottom Bo Chen.
  m2 asked 1, right 0 (0.0), disc - (top never asked), wrong W2 (1)
  m3 asked 1, right 0 (0.0), disc - (bottom never asked), wrong W3 (1)
  m6 asked 3, right 1 (0.3333), disc Ann 0/1 - Bo 0/1 = 0.0, wrong W6 (2)
  m5 asked 3, right 2 (0.6667), 1 timed out, disc 1/1 - 1/1 = 0.0, no wrong choice
  m4 asked 4 (drill 1 + live 3), right 3 (0.75), disc Ann 1/1 - Bo 1/2 = 0.5, wrong W4 (1)
  m1 asked 1, right 1 (1.0), disc - (bottom never asked)

Without a roster (names matched ignoring case and spacing only): "Ann Lee" (D: 2 answers, 1 right)
and "annie" (L: 3, 2) are two students; "Bo Chen" (D) and "BO chen" (L) are one, named by the
spelling used for most answers: "BO chen", 5 answers, 2 right.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from textual.widgets import Input

from nqpf_tutor.cli import main
from nqpf_tutor.core.classroom.live import LiveGame, live_config
from nqpf_tutor.core.classroom.report import report_from_store
from nqpf_tutor.core.drill import Drill, DrillConfig, DrillError, build_questions, load_drill
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store
from nqpf_tutor.locations import Locations
from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.screens.live import LiveScreen, LiveSetupScreen

from ui_helpers import FIXTURE_DECKS, make_app

UTC = timezone.utc
T_DRILL = datetime(2026, 3, 1, 9, tzinfo=UTC)
T_LIVE = datetime(2026, 3, 2, 9, tzinfo=UTC)
T_OTHER = datetime(2026, 3, 3, 9, tzinfo=UTC)
ROSTER_9B = "students:\n  - name: Ann Lee\n    nicknames: [Annie]\n  - Bo Chen\n"


def mcq(i):
    return Card("cls", f"m{i}", "mcq", f"Question m{i}?", f"R{i}", distractors=(f"W{i}", f"V{i}", f"U{i}"))


class Clock:
    def __init__(self, start):
        self.start, self.t = start, 0.0

    def __call__(self):
        return self.t

    def now(self):
        return self.start + timedelta(seconds=self.t)


def in_order(cards, seed=3):
    """The cards' questions in card order (the hand count names who answered which)."""
    return sorted(build_questions(cards, len(cards), seed), key=lambda q: q.card.id)


def pick(q, right):
    return q.correct if right else q.options.index(q.card.distractors[0])


def open_store(tmp_path):
    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": str(FIXTURE_DECKS)})
    return loc, Store.open(loc, profile="default")


def play_live(store, class_name, start, cards, script, game_id):
    """A live game: ``script`` is one {nickname: right? (None: no answer)} per question."""
    clock = Clock(start)
    config = live_config(n=len(cards), seconds=20, seed=5, class_name=class_name)
    game = LiveGame(config, in_order(cards), store, clock, clock.now, code="123456")
    game.id = game_id
    tokens = {name: game.join("123456", name, f"c{i}").token for i, name in enumerate(script[0])}
    for q_no, answers in enumerate(script, 1):
        game.open_next()
        for name, right in answers.items():
            if right is not None:
                clock.t += 1
                game.answer(tokens[name], q_no, pick(game.current, right))
        game.close()  # a student who did not answer gets a time-out miss
    assert game.open_next() is None and game.finished is not None
    return game


@pytest.fixture
def class_store(tmp_path):
    loc, store = open_store(tmp_path)
    loc.classes_dir.mkdir(parents=True, exist_ok=True)
    (loc.classes_dir / "9B.yaml").write_text(ROSTER_9B, "utf-8")
    cards = [mcq(i) for i in range(1, 7)]
    clock = Clock(T_DRILL)
    drill = Drill(DrillConfig(n=4, seed=3, students=("Ann Lee", "Bo Chen"), class_name="9B"),
                  in_order(cards[:4]), store, clock, clock.now)
    drill.id = "drill-9b"
    for q_no, right in enumerate([True, False, False, True]):
        clock.t += 2
        drill.answer(pick(drill.current, right))
    assert drill.done
    play_live(store, " 9b ", T_LIVE, cards[3:6], [
        {"annie": True, "BO  chen": False, "Cy": True},
        {"annie": True, "BO  chen": True, "Cy": None},
        {"annie": False, "BO  chen": False, "Cy": True},
    ], "live-9b")
    play_live(store, "8A", T_OTHER, cards[4:5], [{"Ann": True}], "live-8a")
    yield tmp_path, loc, store
    store.close()


# --- the class kept with a live game -----------------------------------------------------------------


def test_a_live_game_keeps_its_class_in_the_store(tmp_path):
    loc, store = open_store(tmp_path)
    with store:
        game = play_live(store, "  9B  ", T_LIVE, [mcq(1), mcq(2)], [{"Ann": True}, {"Ann": False}], "g1")
        row = store.drill("g1")
        assert row.class_name == "9B" and row.config["class_name"] == "9B" and row.config["turns"] == "everyone"
        second = game.second_round()
        assert second.config.class_name == "9B"
        second.open_next()
        assert store.drill(second.id).class_name == "9B"
        play_live(store, None, T_OTHER, [mcq(3)], [{"Bo": True}], "g2")
        assert store.drill("g2").class_name is None
    with pytest.raises(DrillError, match="bad class name"):
        live_config(class_name="x" * 200)
    assert live_config(class_name="   ").class_name is None


# --- the class report with drills and live games -------------------------------------------------------


def test_the_report_counts_a_live_game_per_student_with_the_roster(class_store):
    tmp_path, loc, store = class_store
    r = report_from_store(store, class_name="9B", classes_dir=loc.classes_dir)
    assert [(d.id, d.class_name) for d in r.drills] == [("drill-9b", "9B"), ("live-9b", "9b")]
    got = {s.name: (s.drills, s.answers, s.right, s.accuracy, s.trend) for s in r.students}
    assert got == {
        "Ann Lee": (2, 5, 3, 0.6, 0.1667),
        "Bo Chen": (2, 5, 2, 0.4, -0.1667),
        "Cy": (1, 3, 2, 0.6667, None),
    }
    ann = next(s for s in r.students if s.name == "Ann Lee")
    assert [(d, n, k) for d, _, n, k in ann.per_drill] == [("drill-9b", 2, 1), ("live-9b", 3, 2)]
    assert (r.answers, r.right, r.accuracy, r.group_size) == (13, 7, 0.5385, 1)
    questions = [(q.question_id, q.asked, q.right, q.share_right, q.timed_out, q.discrimination, q.most_chosen_wrong)
                 for q in r.questions]
    assert questions == [
        ("cls/m2", 1, 0, 0.0, 0, None, ("W2", 1)),
        ("cls/m3", 1, 0, 0.0, 0, None, ("W3", 1)),
        ("cls/m6", 3, 1, 0.3333, 0, 0.0, ("W6", 2)),
        ("cls/m5", 3, 2, 0.6667, 1, 0.0, None),
        ("cls/m4", 4, 3, 0.75, 0, 0.5, ("W4", 1)),
        ("cls/m1", 1, 1, 1.0, 0, None, None),
    ]
    assert [q.question_id for q in r.hardest(3)] == ["cls/m2", "cls/m3", "cls/m6"]


def test_without_a_roster_names_match_ignoring_case_and_spaces_only(class_store):
    tmp_path, loc, store = class_store
    r = report_from_store(store, class_name="9b")  # no classes dir: no roster
    got = {s.name: (s.drills, s.answers, s.right) for s in r.students}
    assert got == {"Ann Lee": (1, 2, 1), "annie": (1, 3, 2), "BO chen": (2, 5, 2), "Cy": (1, 3, 2)}


def test_every_class_takes_the_other_class_live_game_too(class_store):
    tmp_path, loc, store = class_store
    r = report_from_store(store, classes_dir=loc.classes_dir)
    assert [d.id for d in r.drills] == ["drill-9b", "live-9b", "live-8a"]
    ann = next(s for s in r.students if s.name == "Ann Lee")
    # the 8A game has no roster: "Ann" is Ann Lee only in 9B's roster, so she stays "Ann" there
    assert (ann.answers, ann.right) == (5, 3)
    assert {s.name: s.answers for s in r.students}["Ann"] == 1


def test_report_command_takes_live_games(class_store, capsys):
    tmp_path, loc, store = class_store
    base = ["--data-dir", str(tmp_path / "data")]
    assert main([*base, "report", "--class", "9B", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(d["id"], d["class"]) for d in out["drills"]] == [("drill-9b", "9B"), ("live-9b", "9b")]
    assert {s["student"]: (s["drills"], s["answers"], s["right"]) for s in out["students"]} == {
        "Ann Lee": (2, 5, 3), "Bo Chen": (2, 5, 2), "Cy": (1, 3, 2)}
    assert main([*base, "report", "--class", "9B"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Class report: class 9B: 2 drills, 13 answers, 54% right")
    assert main([*base, "report", "--class", "7Z"]) == 1
    assert "no drills of class '7Z' (classes: 8A, 9B)" in capsys.readouterr().err


# --- results shows the class -------------------------------------------------------------------------


def test_results_lists_the_class_of_drills_and_live_games(class_store, capsys):
    tmp_path, loc, store = class_store
    base = ["--data-dir", str(tmp_path / "data")]
    assert main([*base, "results"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["drill", "started", "(UTC)", "class", "students", "questions", "answers", "status"]
    assert lines[1].split() == ["drill-9b", "2026-03-01", "09:00", "9B", "Ann", "Lee,", "Bo", "Chen", "4", "4",
                                "finished"]
    assert lines[2].split() == ["live-9b", "2026-03-02", "09:00", "9b", "everyone", "(live", "game)", "3", "9",
                                "finished"]
    assert lines[3].split()[3] == "8A"
    assert main([*base, "results", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["drills"]
    assert [(d["id"], d["class"], d.get("live", False)) for d in data] == [
        ("drill-9b", "9B", False), ("live-9b", "9b", True), ("live-8a", "8A", True)]
    assert main([*base, "results", "live-9b", "--json"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert one["drill"]["class"] == "9b" and one["config"]["class_name"] == "9b"
    assert main([*base, "results", "live-9b"]) == 0
    assert ", class 9b" in capsys.readouterr().out.splitlines()[1]


def test_results_without_any_class_has_no_class_column(tmp_path, capsys):
    loc, store = open_store(tmp_path)
    with store:
        play_live(store, None, T_LIVE, [mcq(1)], [{"Ann": True}], "g1")
    assert main(["--data-dir", str(tmp_path / "data"), "results"]) == 0
    assert "class" not in capsys.readouterr().out.splitlines()[0].split()
    assert main(["--data-dir", str(tmp_path / "data"), "results", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["drills"][0]["class"] is None


# --- the live command and the set-up form ----------------------------------------------------------------


def test_live_command_passes_the_class_on(tmp_path, capsys, monkeypatch):
    seen = []
    monkeypatch.setenv("NQPF_TUTOR_BUNDLED_DIR", str(FIXTURE_DECKS))
    monkeypatch.setattr("nqpf_tutor.commands.app.launch", lambda args, loc, start, **kw: seen.append((start, kw)) or 0)
    assert main(["--data-dir", str(tmp_path), "live", "--class", "  9B  ", "--bind", "127.0.0.1"]) == 0
    start, kw = seen[-1]
    assert start == "live" and kw["live_options"]["class_name"] == "9B"
    assert main(["--data-dir", str(tmp_path), "live", "--bind", "127.0.0.1"]) == 0
    assert seen[-1][1]["live_options"]["class_name"] is None
    code = main(["--data-dir", str(tmp_path), "live", "--class", "y" * 200])
    err = capsys.readouterr().err
    assert code == 1 and "bad class name" in err and err.count("\n") == 1 and "Traceback" not in err
    assert len(seen) == 2


async def test_the_set_up_form_s_class_field_reaches_the_store(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=["sample", "second"], n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LiveSetupScreen)
        for _ in range(3):  # questions -> seconds -> seed -> class, by keyboard
            await pilot.press("tab")
        assert app.focused.id == "setup-class"
        assert app.screen.query_one("#setup-class").region.bottom <= 24  # visible at 80x24
        await pilot.press(*"x" * 70, "ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#setup-error").render())
        assert "bad class name" in error and "\n" not in error.strip()
        app.screen.query_one("#setup-class", Input).value = ""
        await pilot.press(*" 9B ", "tab")
        await pilot.press(*"127.0.0.1", "enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LiveScreen)
        game = app.screen.game
        assert game.config.class_name == "9B"
        assert "class 9B" in str(app.screen.query_one("#live-lobby-keys").render())
        game.join(game.code, "Annie", "c1")
        await pilot.press("enter")  # the first question: the game is recorded
        await pilot.pause()
        row = app.store.drill(game.id)
        assert row is not None and row.class_name == "9B"
        await pilot.press("escape")
        await pilot.pause()


async def test_the_command_line_class_reaches_the_host_screen(tmp_path):
    app = make_app(tmp_path, start="live", choice=Choice(deck_ids=["sample", "second"], n=2, seed=1),
                   live_options={"n": 2, "seconds": 20, "seed": 1, "bind": "127.0.0.1", "port": None,
                                 "class_name": "7C"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, LiveScreen) and app.screen.game.config.class_name == "7C"
        await pilot.press("escape")
        await pilot.pause()
