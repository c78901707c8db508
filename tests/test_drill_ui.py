"""The classroom drill through Pilot: answers, turns, the timer, the reveal, stopping early,
results, a second round, results files, the set-up screen and the drill command's checks.

With the test decks and seed 1 the drill asks: sample/m1 (mcq, right: option 3),
second/s2 (true), second/s1 (mcq, right: option 1), sample/t1 (false).
"""

from __future__ import annotations

import csv
import json

import pytest
from textual.widgets import Checkbox, DataTable, Digits, Input

from nqpf_tutor.cli import main
from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.screens.drill import DrillResultsScreen, DrillScreen, DrillSetupScreen
from nqpf_tutor.ui.screens.home import HomeScreen

from ui_helpers import FIXTURE_DECKS, make_app

BOTH = ["sample", "second"]


class FakeClock:
    """Monotonic seconds that move only when told."""

    def __init__(self) -> None:
        self.t = 500.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def drill_app(tmp_path, *, seconds=0, students=("Ann", "Bo"), clock=None, n=4, seed=1, **options):
    opts = {"seconds": seconds, "students": list(students), "speed_bonus": False, "streaks": False,
            "leaderboard": True, "out": None, "seed": seed, "n": n}
    opts.update(options)
    app = make_app(tmp_path, start="drill", choice=Choice(deck_ids=list(BOTH), n=n, seed=seed), drill_options=opts)
    if clock is not None:
        app.drill_clock = clock
    return app


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def right_key(app) -> str:
    return str(app.screen.drill.current.correct + 1)


def wrong_key(app) -> str:
    q = app.screen.drill.current
    return str(next(i for i in range(len(q.options)) if i != q.correct) + 1)


async def play(pilot, *moves: str) -> None:
    """"r" / "w": answer the current question right / wrong; anything else is a key."""
    for m in moves:
        if m == "r":
            await pilot.press(right_key(pilot.app))
        elif m == "w":
            await pilot.press(wrong_key(pilot.app))
        else:
            await pilot.press(m)


async def test_right_then_wrong_answer_turns_scores_and_reveal(tmp_path):
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        assert text(app, "#drill-turn") == "Question 1 of 4 · Ann's turn"
        assert text(app, "#drill-prompt") == "Which is the core hallmark?"
        assert not screen.query_one("#drill-timer").display  # no timer: no countdown
        assert not screen.query_one("#drill-board").display
        explanation = screen.drill.current.card.explanation

        await pilot.press(right_key(app))
        assert screen.phase == "reveal"
        assert text(app, "#drill-verdict").startswith("✓ Right!")
        assert "Ann +1" in text(app, "#drill-verdict")
        assert text(app, "#drill-answer") == "Answer: 3. A rise in total factor productivity"
        assert text(app, "#drill-explanation") == explanation
        board = text(app, "#drill-board")
        assert screen.query_one("#drill-board").display
        assert board.splitlines()[0].split() == ["1.", "Ann", "1"]
        assert board.splitlines()[1].split() == ["2.", "Bo", "0"]

        await pilot.press("enter")
        assert text(app, "#drill-turn") == "Question 2 of 4 · Bo's turn"
        assert screen.phase == "question" and not screen.query_one("#drill-verdict").display
        await pilot.press(wrong_key(app))  # s2 is true: "2" (False) is wrong
        assert text(app, "#drill-verdict") == "✗ Wrong"
        assert text(app, "#drill-answer") == "Answer: 1. True"
        assert text(app, "#drill-explanation") == "Four is two times two."

        scores = screen.drill.scores()
        assert (scores["Ann"].points, scores["Ann"].right) == (1, 1)
        assert (scores["Bo"].points, scores["Bo"].answered) == (0, 1)
        saved = app.store.drill_answers(screen.drill.id)
        assert [(a["student"], bool(a["correct"])) for a in saved] == [("Ann", True), ("Bo", False)]

        await pilot.press("enter")
        assert text(app, "#drill-turn") == "Question 3 of 4 · Ann's turn"  # round again


async def test_keys_do_nothing_out_of_turn_enter_only_after_the_reveal(tmp_path):
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter", "space")
        assert screen.phase == "question" and screen.drill.index == 0
        assert text(app, "#drill-turn").startswith("Question 1 of 4")
        await pilot.press("t")  # not a true/false question: ignored
        assert screen.drill.index == 0
        await pilot.press(right_key(app))
        await pilot.press("1", "2")  # after the reveal another number changes nothing
        assert screen.drill.index == 1 and screen.drill.answers[0].correct
        assert screen.phase == "reveal"
        await pilot.press("space")
        await pilot.press("t")  # s2: true, by the t key
        assert screen.drill.answers[1].correct and screen.drill.answers[1].chosen == "True"


async def test_one_player_called_class_has_no_turn_label(tmp_path):
    app = drill_app(tmp_path, students=())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert text(app, "#drill-turn") == "Question 1 of 4"
        await pilot.press(right_key(app))
        assert text(app, "#drill-verdict") == "✓ Right!  +1"


async def test_names_are_shown_as_typed_not_markup(tmp_path):
    app = drill_app(tmp_path, students=("[bold]Ann[/]", "Bo"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert text(app, "#drill-turn") == "Question 1 of 4 · [bold]Ann[/]'s turn"
        await pilot.press(right_key(app))
        assert "[bold]Ann[/]" in text(app, "#drill-board")


async def test_timer_counts_down_and_expiry_is_a_miss(tmp_path):
    clock = FakeClock()
    app = drill_app(tmp_path, seconds=10, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        timer = screen.query_one("#drill-timer", Digits)
        assert timer.display and timer.value == "10"
        clock.advance(4.5)
        await pilot.pause(0.3)
        assert timer.value == "6" and screen.phase == "question"
        clock.advance(3)
        await pilot.pause(0.3)
        assert timer.value == "3" and timer.has_class("low")
        clock.advance(3)
        await pilot.pause(0.3)
        assert screen.phase == "reveal"
        assert text(app, "#drill-verdict").startswith("⏱ Time's up")
        assert timer.value == "0" and timer.has_class("out")
        assert text(app, "#drill-answer") == "Answer: 3. A rise in total factor productivity"
        await pilot.press(right_key(app))  # too late: nothing changes
        a = screen.drill.answers
        assert len(a) == 1 and a[0].timed_out and not a[0].correct and a[0].points == 0
        saved = app.store.drill_answers(screen.drill.id)
        assert len(saved) == 1 and saved[0]["chosen"] == "" and not saved[0]["correct"]

        clock.advance(100)  # the discussion takes as long as it takes
        await pilot.pause(0.3)
        assert len(screen.drill.answers) == 1
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert timer.value == "10" and not timer.has_class("out")
        clock.advance(2)
        await pilot.press(right_key(app))
        assert screen.drill.answers[1].correct and screen.drill.answers[1].seconds == 2


async def test_speed_bonus_shows_in_the_points(tmp_path):
    clock = FakeClock()
    app = drill_app(tmp_path, seconds=10, clock=clock, speed_bonus=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock.advance(5)
        await pilot.press(right_key(app))
        assert "Ann +1.5" in text(app, "#drill-verdict")
        assert app.screen.drill.scores()["Ann"].points == 1.5


async def test_the_clock_waits_for_the_welcome_screen(tmp_path):
    clock = FakeClock()
    app = drill_app(tmp_path, seconds=10, clock=clock)
    app.show_welcome = True
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        clock.advance(60)  # the teacher reads the welcome first
        await pilot.pause(0.3)
        await pilot.press("enter")  # closes the welcome
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.phase == "question"
        assert screen.drill.remaining() == 10


async def test_no_leaderboard_hides_it(tmp_path):
    app = drill_app(tmp_path, leaderboard=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(right_key(app))
        assert app.screen.phase == "reveal"
        assert not app.screen.query_one("#drill-board").display


async def test_escape_mid_drill_keeps_the_answers_and_shows_results(tmp_path):
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        drill = app.screen.drill
        await play(pilot, "r", "enter", "w", "enter", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)
        assert text(app, "#results-title") == "Drill stopped after 2 of 4 questions: 1 right"
        saved = app.store.drill_answers(drill.id)
        assert len(saved) == 2
        row = app.store.drill(drill.id)
        assert row.finished is None  # cut short
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_results_screen_scores_leaderboard_and_most_missed(tmp_path):
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # Ann: m1 right, s1 wrong; Bo: s2 right, t1 right
        await play(pilot, "r", "enter", "r", "enter", "w", "enter", "r")
        assert text(app, "#drill-next") == "enter: the results"
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillResultsScreen)
        assert text(app, "#results-title") == "Drill finished: 3 of 4 right"
        assert "seed 1" in text(app, "#results-info")
        table = screen.query_one("#results-board", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["1", "Bo", "2", "2 of 2", "0"], ["2", "Ann", "1", "1 of 2", "1"]]
        missed = text(app, "#results-missed")
        assert missed == "1. Pick the even number.\n   answer: 2"
        assert "m: second round (1 missed)" in text(app, "#results-keys")
        assert app.store.drill(screen.drill.id).finished is not None
        assert not (app.loc.data_dir / "results").exists()  # nothing written without --out or w


async def test_second_round_asks_the_missed_questions(tmp_path):
    app = drill_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.screen.drill
        await play(pilot, "w", "enter", "r", "enter", "w", "enter", "r", "enter")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen) and screen.round_no == 2
        second = screen.drill
        assert second.id != first.id and second.config.second_round_of == first.id
        assert [q.card.uid for q in second.questions] == ["sample/m1", "second/s1"]
        assert text(app, "#drill-turn") == "Question 1 of 2 · Ann's turn"
        assert text(app, "#drill-info").startswith("round 2: the missed questions")
        await play(pilot, "r", "enter", "r", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)
        assert text(app, "#results-title") == "Round 2 · Drill finished: 2 of 2 right"
        assert len(app.store.drill_answers(second.id)) == 2
        assert len(app.store.drill_answers(first.id)) == 4
        await pilot.press("m")  # nothing missed: a notice, the screen stays
        await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)


async def test_out_file_written_at_the_end_and_w_writes_again(tmp_path):
    out = tmp_path / "week3.csv"
    app = drill_app(tmp_path, out=str(out))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        drill = app.screen.drill
        await play(pilot, *["r", "enter"] * 4)
        await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert [r["student"] for r in rows] == ["Ann", "Bo", "Ann", "Bo"]
        assert all(r["correct"] == "true" and r["drill_id"] == drill.id for r in rows)
        data = json.loads((tmp_path / "week3.json").read_text("utf-8"))
        assert data["drill"]["id"] == drill.id and data["drill"]["seed"] == 1
        out.unlink()
        await pilot.press("w")
        assert out.exists()


async def test_out_file_of_a_second_round_does_not_overwrite_the_first(tmp_path):
    out = tmp_path / "week3.csv"
    app = drill_app(tmp_path, out=str(out))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await play(pilot, "w", "enter")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await play(pilot, "r", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)
        first = list(csv.DictReader(out.open(encoding="utf-8")))
        second = list(csv.DictReader((tmp_path / "week3-round2.csv").open(encoding="utf-8")))
        assert [r["correct"] for r in first] == ["false"]
        assert [r["correct"] for r in second] == ["true"]


async def test_w_writes_to_the_data_dir_without_out(tmp_path):
    app = drill_app(tmp_path, n=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        drill = app.screen.drill
        await play(pilot, "r", "enter")
        await pilot.pause()
        await pilot.press("w")
        path = app.loc.data_dir / "results" / f"drill-{drill.id}.csv"
        assert path.exists() and path.with_suffix(".json").exists()
        assert len(list(csv.DictReader(path.open(encoding="utf-8")))) == 1


async def test_setup_screen_from_home_starts_a_drill(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, DrillSetupScreen)
        assert "decks: sample, second" in text(app, "#setup-from")
        for wid, value in (("#setup-n", "3"), ("#setup-seconds", "0"), ("#setup-seed", "7"),
                           ("#setup-students", " Ann , Team [b] ,")):
            setup.query_one(wid, Input).value = value
        setup.query_one("#setup-streaks", Checkbox).value = True
        setup.query_one("#setup-board", Checkbox).value = False
        await pilot.click("#setup-start")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillScreen)
        c = screen.drill.config
        assert (c.n, c.seconds, c.seed, c.students) == (3, 0, 7, ("Ann", "Team [b]"))
        assert (c.streaks, c.speed_bonus, c.leaderboard, c.deck_ids) == (True, False, False, ("sample", "second"))
        assert screen.drill.total == 3
        assert text(app, "#drill-turn") == "Question 1 of 3 · Ann's turn"


async def test_setup_screen_reports_bad_input_and_escape_cancels(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        setup = app.screen
        setup.query_one("#setup-n", Input).value = "0"
        await pilot.press("enter")  # enter in a field starts
        await pilot.pause()
        assert app.screen is setup
        assert text(app, "#setup-error") == "number of questions must be 1 or more, not 0"
        setup.query_one("#setup-n", Input).value = "5"
        setup.query_one("#setup-students", Input).value = "Ann, ann"
        await pilot.press("enter")
        await pilot.pause()
        assert text(app, "#setup-error") == "student 'ann' is named twice"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.store.drills() == []


async def test_setup_defaults_start_with_enter(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=["second"], n=2, seed=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.query_one("#setup-n", Input).value == "2"
        assert app.screen.query_one("#setup-seed", Input).value == "5"
        await pilot.press("enter")
        await pilot.pause()
        c = app.screen.drill.config
        assert (c.n, c.seconds, c.seed, c.students, c.leaderboard) == (2, 20, 5, ("Class",), True)


async def test_no_questions_in_the_chosen_cards_is_a_notice(tmp_path, write_deck):
    deck = write_deck("""
        deck: {id: flips, title: Flips}
        sources: [{id: s, title: S}]
        cards:
          - {id: a, type: flip, prompt: P, answer: A, sources: [s]}
    """)
    app = make_app(tmp_path, start="drill", choice=Choice(deck_ids=["flips"]), extra_decks=[deck.parent],
                   drill_options={"seconds": 0})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("no multiple-choice or true/false" in n.message for n in app._notifications)


# --- the drill command -----------------------------------------------------------------------------------


@pytest.fixture
def fixture_decks(monkeypatch):
    monkeypatch.setenv("NQPF_TUTOR_BUNDLED_DIR", str(FIXTURE_DECKS))


@pytest.mark.parametrize("args, message", [
    (["--seconds", "-1"], "seconds per question must be 0 (no timer) or more, not -1"),
    (["-n", "0"], "number of questions must be 1 or more, not 0"),
    (["--student", "Ann", "--student", "ANN"], "student 'ANN' is named twice"),
    (["--student", "   "], "bad student name '   ': use 1 to 40 printable characters"),
    (["--deck", "nope"], "unknown deck 'nope'"),
    (["--out", "{tmp}/missing/r.csv"], "the folder {tmp}/missing does not exist"),
    (["--out", "{tmp}"], "it is a folder"),
])
def test_drill_command_bad_options_exit_1_with_one_line(tmp_path, capsys, fixture_decks, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["--data-dir", str(tmp_path / "data"), "drill", *args]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nqpf-tutor: ")
    assert message.replace("{tmp}", str(tmp_path)) in err
    assert not (tmp_path / "data" / "progress.sqlite3").exists() or "deck" in message


def test_drill_command_without_questions_exits_1(tmp_path, capsys, fixture_decks, write_deck):
    deck = write_deck("""
        deck: {id: flips, title: Flips}
        sources: [{id: s, title: S}]
        cards:
          - {id: a, type: flip, prompt: P, answer: A, sources: [s]}
    """)
    assert main(["--data-dir", str(tmp_path / "data"), "--decks-dir", str(deck.parent),
                 "drill", "--deck", "flips"]) == 1
    err = capsys.readouterr().err
    assert err == "nqpf-tutor: no multiple-choice or true/false questions among the chosen cards\n"


def test_drill_command_passes_its_options_to_the_app(tmp_path, fixture_decks, monkeypatch):
    seen = {}

    def fake_launch(args, loc, start="home", **extra):
        seen.update(start=start, **extra)
        return 0

    monkeypatch.setattr("nqpf_tutor.commands.app.launch", fake_launch)
    monkeypatch.chdir(tmp_path)
    assert main(["--data-dir", str(tmp_path / "data"), "drill", "--deck", "second", "-n", "3", "--seconds", "0",
                 "--seed", "9", "--student", "Ann", "--student", "Bo", "--speed-bonus", "--no-leaderboard",
                 "--out", "r.csv"]) == 0
    assert seen == {"start": "drill", "drill_options": {
        "n": 3, "seconds": 0, "seed": 9, "students": ["Ann", "Bo"], "speed_bonus": True, "streaks": False,
        "leaderboard": False, "out": str(tmp_path / "r.csv"), "force": False}}
