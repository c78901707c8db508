"""Drawing the questions of a quiz, a drill or a live game off the event loop when the cards are
many (issue 17): a box says what is drawn, escape cancels, the screen follows when it is done.
The test decks are small, so ``IN_WORKER`` is lowered to make them "many"."""

from __future__ import annotations

import threading

import pytest

import nqpf_tutor.ui.drawing as drawing
from nqpf_tutor.core.drill import DrillConfig
from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.drawing import DrawingScreen
from nqpf_tutor.ui.screens.drill import DrillScreen, start_drill
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.live import LiveScreen, start_live
from nqpf_tutor.ui.screens.quiz import QuizScreen

from ui_helpers import make_app

BOTH = ["sample", "second"]


@pytest.fixture
def many(monkeypatch):
    monkeypatch.setattr(drawing, "IN_WORKER", 3)


class Gate:
    """A draw that waits until the test lets it go (at most a few seconds)."""

    def __init__(self, monkeypatch, module: str, name: str, timeout: float = 5) -> None:
        import importlib

        self.timeout = timeout
        mod = importlib.import_module(module)
        real = getattr(mod, name)
        self.go = threading.Event()
        self.threads: list[str] = []

        def gated(*a, **kw):
            self.threads.append(threading.current_thread().name)
            self.go.wait(self.timeout)
            return real(*a, **kw)

        monkeypatch.setattr(mod, name, gated)


async def drawing_a_quiz(app, pilot) -> None:
    """From the home screen, a quiz of the chosen decks: its box shows while the draw is gated."""
    await pilot.pause()
    app.action_quiz()
    await pilot.pause()
    assert isinstance(app.screen, DrawingScreen)


async def test_a_quiz_of_many_cards_is_drawn_in_a_worker_behind_a_box(tmp_path, many, monkeypatch):
    import nqpf_tutor.core.questions as questions

    monkeypatch.setattr(questions, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    advance = DrawingScreen.advance
    monkeypatch.setattr(DrawingScreen, "advance", lambda self, done: (seen.append(done), advance(self, done)))
    gate = Gate(monkeypatch, "nqpf_tutor.core.quiz", "build_quiz")
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await drawing_a_quiz(app, pilot)
        assert "Drawing 4 questions from" in str(app.screen.query_one("#drawing-text").render())
        await pilot.press("question_mark")  # the app answers keys while it draws
        await pilot.pause()
        if not isinstance(app.screen, DrawingScreen):
            await pilot.press("escape")  # (the help opened over the box: closed again)
            await pilot.pause()
        gate.go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and len(app.screen.run.questions) == 4
        assert gate.threads and gate.threads[0] != threading.main_thread().name
        assert seen == [0, 2, 4, 6]  # the bar moved on as the 8 cards were gone through


async def test_a_draw_done_while_help_is_open_goes_on_once_help_closes(tmp_path, many, monkeypatch):
    gate = Gate(monkeypatch, "nqpf_tutor.core.quiz", "build_quiz")
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await drawing_a_quiz(app, pilot)
        app.action_help()
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        gate.go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"  # the help the learner opened stays
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert not any(isinstance(s, DrawingScreen) for s in app.screen_stack)


async def test_escape_cancels_the_draw(tmp_path, many, monkeypatch):
    gate = Gate(monkeypatch, "nqpf_tutor.core.drill", "build_questions")
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start_drill(app, DrillConfig(n=3, students=("Ann",)))
        await pilot.pause()
        assert isinstance(app.screen, DrawingScreen)
        await pilot.press("escape")
        gate.go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # the drill that was drawn is not shown


async def test_a_drill_and_a_live_game_of_many_cards_follow_their_draw(tmp_path, many):
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start_drill(app, DrillConfig(n=3, seed=1, students=("Ann",)))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DrillScreen) and app.screen.drill.total == 3 and app.screen.drill.seed == 1
        app.pop_screen()
        await pilot.pause()
        start_live(app, {"n": 2, "seconds": 20, "seed": 1, "bind": "127.0.0.1", "port": 0})
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert isinstance(app.screen, LiveScreen) and app.screen.game.total == 2 and app.screen.server is not None
        await pilot.press("escape")


async def test_a_draw_with_nothing_to_ask_is_one_line(tmp_path, many):
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        cards = [c for c in app.catalog.all_cards() if c.type == "cloze"] * 2  # none can be asked
        start_drill(app, DrillConfig(n=3, students=("Ann",)), cards)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("no multiple-choice or true/false questions" in n.message for n in app._notifications)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_drawing(snap_compare, tmp_path, size, many, monkeypatch):
    Gate(monkeypatch, "nqpf_tutor.core.quiz", "build_quiz", 1.0)  # still drawing while the picture is taken
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))

    async def run_before(pilot):
        pilot.app.action_quiz()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_custom_study_of_many_cards_finds_them_in_a_worker(tmp_path, many, monkeypatch):
    from nqpf_tutor.ui.screens.custom import CustomStudyScreen
    from nqpf_tutor.ui.screens.study import StudyScreen

    monkeypatch.setattr(drawing, "IN_WORKER", 1)  # the second deck's 2 cards are "many" too
    gate = Gate(monkeypatch, "nqpf_tutor.core.learning.custom", "outside_schedule")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("down", "enter")  # forgotten in the last day: none, said in the form
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CustomStudyScreen)
        assert "No cards forgotten in the last 1 day" in str(app.screen.query_one("#custom-error").render())
        await pilot.press("down", "down", "tab", *"second", "enter")  # a deck outside the schedule
        await pilot.pause()
        assert isinstance(app.screen, DrawingScreen)
        assert str(app.screen.query_one("#drawing-text").render()) == "Finding the cards…"
        gate.go.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.screen.card.deck_id == "second"
        assert gate.threads[0] != threading.main_thread().name
