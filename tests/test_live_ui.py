"""The live game's host screen through Pilot, with a real server on 127.0.0.1 and students
connecting over WebSockets in the same event loop; the set-up form; the live and join commands.

With the test decks and seed 1 the questions are sample/m1 (right: option 3), second/s2,
second/s1, sample/t1 (as in the drill tests).
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from textual.widgets import Digits, Input

from nqpf_tutor.cli import main
from nqpf_tutor.commands.join import TerminalPlayer, parse_address
from nqpf_tutor.core.drill import load_drill
from nqpf_tutor.ui.app import Choice
from nqpf_tutor.ui.screens.home import HomeScreen
from nqpf_tutor.ui.screens.live import KeyLine, LiveScreen, LiveSetupScreen, RemoveStudentScreen

from ui_helpers import FIXTURE_DECKS, make_app

BOTH = ["sample", "second"]


class FakeClock:
    def __init__(self):
        self.t = 500.0

    def __call__(self):
        return self.t

    def advance(self, s):
        self.t += s


def live_app(tmp_path, clock=None, **options):
    opts = {"n": 4, "seconds": 20, "seed": 1, "bind": "127.0.0.1", "port": 0, "leaderboard": True,
            "speed_bonus": False, "streaks": False}
    opts.update(options)
    app = make_app(tmp_path, start="live", choice=Choice(deck_ids=list(BOTH), n=4, seed=1), live_options=opts)
    if clock is not None:
        app.live_clock = clock
    return app


def text(app, selector):
    return str(app.screen.query_one(selector).render())


async def student(session, screen, name):
    ws = await session.ws_connect(screen.server.url + "ws")
    await ws.send_json({"type": "join", "code": screen.game.code, "name": name})
    welcome = await ws.receive_json(timeout=2)
    assert welcome["type"] == "welcome", welcome
    return ws, welcome


async def until(ws, kind, timeout=2.0):
    while True:
        msg = await ws.receive_json(timeout=timeout)
        if msg["type"] == kind:
            return msg


async def test_a_whole_game_from_the_host_screen(tmp_path):
    clock = FakeClock()
    app = live_app(tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot, aiohttp.ClientSession() as session:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LiveScreen) and screen.server is not None
        assert screen.server.host == "127.0.0.1"
        assert text(app, "#live-url") == screen.server.url
        assert "Listening on 127.0.0.1" in text(app, "#live-listen")
        assert app.screen.query_one("#live-code", Digits).value == screen.game.code
        assert "Waiting for students" in text(app, "#live-roster-title")
        ann, _ = await student(session, screen, "Ann")
        bo, _ = await student(session, screen, "[b]Bo")
        await pilot.pause(0.25)
        assert "2 students joined" in text(app, "#live-roster-title")
        assert text(app, "#live-roster") == "Ann, Bo"

        await pilot.press("enter")  # start
        q1 = await until(ann, "question")
        await until(bo, "question")
        await pilot.pause(0.15)
        assert "Question 1 of 4" in text(app, "#live-qnum")
        assert "0 of 2 answered" in text(app, "#live-count")
        assert app.screen.query_one("#live-timer", Digits).value == "20"
        await ann.send_json({"type": "answer", "q": 1, "choice": 2})
        await until(ann, "ack")
        await pilot.pause(0.15)
        assert "1 of 2 answered" in text(app, "#live-count")
        clock.advance(5)
        await pilot.pause(0.15)
        assert app.screen.query_one("#live-timer", Digits).value == "15"

        await pilot.press("p")  # pause: no answers, the time stands still
        await bo.send_json({"type": "answer", "q": 1, "choice": 0})
        assert (await until(bo, "error"))["reason"] == "paused"
        clock.advance(100)
        await pilot.press("p")
        await bo.send_json({"type": "answer", "q": 1, "choice": 0})
        await until(bo, "ack")
        reveal = await until(ann, "reveal")
        assert reveal["answer_of_yours"]["correct"] is True and q1["options"][reveal["correct"]] == reveal["answer"]
        await pilot.pause(0.15)
        assert "Answer:" in text(app, "#live-answer")
        bars = text(app, "#live-bars")
        assert bars.count("\n") == 3 and " 1  " in bars
        assert "Ann" in text(app, "#live-board")

        await pilot.press("enter")  # question 2: Bo does not answer, time runs out
        await until(ann, "question")
        await ann.send_json({"type": "answer", "q": 2, "choice": 0})
        await until(ann, "ack")
        clock.advance(21)
        await until(bo, "reveal")
        await pilot.pause(0.15)

        await pilot.press("x")  # remove Bo
        await pilot.pause()
        assert isinstance(app.screen, RemoveStudentScreen)
        await pilot.press("down", "enter")
        assert (await until(bo, "removed"))["type"] == "removed"
        await pilot.pause(0.15)
        assert [p.name for p in screen.game.active_players()] == ["Ann"]

        await pilot.press("enter")  # question 3, skipped
        await until(ann, "question")
        await pilot.press("s")
        await until(ann, "reveal")
        await pilot.press("e")  # end
        end = await until(ann, "end")
        assert end["you"]["name"] == "Ann" and end["podium"][0]["name"] == "Ann"
        await pilot.pause(0.15)
        assert "Game over" in text(app, "#live-end-title")
        assert "Ann" in text(app, "#live-podium")
        assert "m: second round" in text(app, "#live-end-keys")
        rec = load_drill(app.store, screen.game.id)
        assert rec.config["turns"] == "everyone"
        assert sorted((a.student, a.question_id, a.correct, a.timed_out) for a in rec.answers) == sorted([
            ("Ann", "sample/m1", True, False), ("Bo", "sample/m1", False, False),
            ("Ann", rec.answers[2].question_id, rec.answers[2].correct, False),
            ("Bo", rec.answers[2].question_id, False, True),
            ("Ann", rec.answers[4].question_id, False, True),
        ])

        await pilot.press("w")
        await pilot.pause()
        csv_path, json_path = screen.written
        assert csv_path.read_text("utf-8").count("\n") == 6
        assert json.loads(json_path.read_text("utf-8"))["config"]["turns"] == "everyone"

        await pilot.press("m")  # a second round of the misses: same code, Ann's device follows
        lobby = await until(ann, "lobby")
        assert lobby["total"] == len(screen.game.questions) >= 2
        await pilot.pause(0.15)
        assert "second round" in text(app, "#live-lobby-keys")
        await pilot.press("enter")
        assert (await until(ann, "question"))["q"] == 1
        await pilot.press("escape")  # ends the game
        await until(ann, "end")
        await pilot.press("escape")  # home; the server stops
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await ann.close()
        await bo.close()


async def test_l_on_home_opens_the_set_up_form_and_starts(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LiveSetupScreen)
        app.screen.query_one("#setup-bind", Input).value = "nonsense"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "listen on 'nonsense'" in text(app, "#setup-error")
        app.screen.query_one("#setup-bind", Input).value = "127.0.0.1"
        app.screen.query_one("#setup-port", Input).value = "0"
        await pilot.press("ctrl+s")
        assert "port must be 1 to 65535" in text(app, "#setup-error")
        app.screen.query_one("#setup-port", Input).value = ""
        app.screen.query_one("#setup-n", Input).value = "3"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, LiveScreen)
        assert app.screen.game.total == 3 and app.screen.game.seed == 1
        assert app.screen.server is not None and app.screen.server.host == "127.0.0.1"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_palette_has_the_live_game(tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=list(BOTH), n=4, seed=1))
    async with app.run_test(size=(80, 24)) as pilot:
        app.do("live")
        await pilot.pause()
        assert isinstance(app.screen, LiveSetupScreen)
    from nqpf_tutor.ui.app import TutorCommands

    assert any(a == "live" for _, a, _ in TutorCommands.ACTIONS)


async def test_a_taken_port_is_said_on_screen(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    try:
        app = live_app(tmp_path, port=port)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.screen.server is None
            assert f"Cannot listen on 127.0.0.1:{port}" in text(app, "#live-listen")
            assert "(not listening)" in text(app, "#live-url")
    finally:
        s.close()


async def test_the_key_line_shows_what_each_phase_allows_and_a_click_presses_the_key(tmp_path):
    clock = FakeClock()
    app = live_app(tmp_path, clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.15)
        screen = app.screen
        keys = screen.query_one(KeyLine)

        def shown():
            return [description for _, _, description in keys._keys[0]]

        assert shown()[:1] == ["Start / next"] and "Skip" not in shown() and "Write results" not in shown()
        assert "Help" in shown() and keys._keys[1] is not None  # f1, and the palette at the right end
        line = str(keys.render())
        assert line.startswith(" ⏎ Start / next ") or line.startswith(" enter Start / next ")
        assert line.rstrip().endswith("palette")
        screen.game.join(screen.game.code, "Ann", "c1")
        await pilot.press("enter")
        await pilot.pause(0.15)
        assert shown()[:2] == ["Skip", "Pause"] and "Start / next" not in shown()
        x = next(start for start, _, key in keys._spans if key == "s")
        await pilot.click("#live-keys", offset=(x + 1, 0))  # a click on "s Skip" skips
        await pilot.pause(0.15)
        assert screen.game.phase == "reveal"
        assert "Skip" not in shown() and shown()[0] == "Start / next"
        await pilot.press("e")
        await pilot.pause(0.15)
        assert "Write results" in shown() and "End" not in shown()


async def test_each_question_fills_the_same_option_rows_and_hides_the_unused_ones(tmp_path):
    app = live_app(tmp_path, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        game = screen.game
        rows = list(screen.query(".live-option"))
        assert len(rows) == 4
        sizes = set()
        for _ in range(game.total):
            await pilot.press("enter")
            await pilot.pause(0.15)
            q = game.current
            assert list(screen.query(".live-option")) == rows  # the same widgets, not new ones
            visible = [str(r.render()) for r in rows if r.display]
            assert visible == [f" {i + 1}  {opt}" for i, opt in enumerate(q.options)]
            sizes.add(len(q.options))
            await pilot.press("s")
            await pilot.pause(0.15)
        assert 2 in sizes and 4 in sizes  # a true/false question after four options, and back


async def test_the_cycle_collector_runs_only_while_no_question_is_open(tmp_path, monkeypatch):
    import nqpf_tutor.ui.screens.live as live_screen

    calls = []

    class Recorder:
        def collect(self):
            calls.append(("collect", app.screen.game.phase))

        def freeze(self):
            calls.append(("freeze", app.screen.game.phase))

        def unfreeze(self):
            calls.append(("unfreeze", None))

    monkeypatch.setattr(live_screen, "gc", Recorder())
    monkeypatch.setattr(live_screen, "COLLECT_AFTER", 0.05)
    app = live_app(tmp_path, FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        calls.clear()  # the lobby's
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert calls == []  # a question is open: no pass
        await pilot.press("s")
        await pilot.pause(0.3)
        assert calls == [("collect", "reveal"), ("freeze", "reveal")]
        await pilot.press("enter", "s")  # skipped at once: the pass due after the reveal
        await pilot.press("enter")       # finds the next question open and waits for its close
        await pilot.pause(0.3)
        assert all(phase != "question" for kind, phase in calls if kind != "unfreeze")
        await pilot.press("e", "escape")
        await pilot.pause(0.2)
        assert calls[-1] == ("unfreeze", None)


# --- the commands -------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["live", "--bind", "not-an-ip"], "--bind 'not-an-ip': give an IP address"),
    (["live", "--port", "70000"], "--port 70000: give a port from 1 to 65535"),
    (["live", "-n", "0"], "number of questions must be 1 or more"),
    (["live", "--seconds", "-1"], "seconds per question"),
    (["live", "--deck", "nope"], "nope"),
    (["live", "--bind", "203.0.113.77"], "not an address of this machine"),
])
def test_live_command_checks_before_the_app(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.setenv("NQPF_TUTOR_BUNDLED_DIR", str(FIXTURE_DECKS))
    code = main(["--data-dir", str(tmp_path), *args])
    err = capsys.readouterr().err
    assert code == 1 and message in err and "Traceback" not in err and err.count("\n") == 1


def test_live_command_refuses_a_taken_port(tmp_path, capsys, monkeypatch):
    import socket

    monkeypatch.setenv("NQPF_TUTOR_BUNDLED_DIR", str(FIXTURE_DECKS))
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        code = main(["--data-dir", str(tmp_path), "live", "--bind", "127.0.0.1", "--port", str(s.getsockname()[1])])
    finally:
        s.close()
    assert code == 1 and "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_join_address_forms():
    assert parse_address("192.168.1.20:8765") == ("ws://192.168.1.20:8765/ws", None)
    assert parse_address("http://10.0.0.5:8765/?code=123456") == ("ws://10.0.0.5:8765/ws", "123456")
    with pytest.raises(Exception, match="give the address"):
        parse_address("ftp://x")
    with pytest.raises(Exception, match="give the address"):
        parse_address("")


async def test_join_in_a_terminal_plays_a_question(tmp_path, capsys):
    """The terminal client against a real server: join, answer by number, see the reveal."""
    import io

    from nqpf_tutor.commands.join import play

    clock = FakeClock()
    app = live_app(tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        out = io.StringIO()
        url, _ = parse_address(screen.server.url)
        player = TerminalPlayer(screen.game.code, "\x1b[31mTerm", out=out)
        lines: asyncio.Queue = asyncio.Queue()
        task = asyncio.ensure_future(play(url, player, lines))
        for _ in range(40):
            await pilot.pause(0.05)
            if screen.game.active_players():
                break
        assert [p.name for p in screen.game.active_players()] == ["Term"]
        await pilot.press("enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if player.asking == "answer":
                break
        lines.put_nowait("9\n")  # not an option: asked again
        lines.put_nowait("3\n")
        for _ in range(40):
            await pilot.pause(0.05)
            if screen.game.phase == "reveal":
                break
        await pilot.pause(0.1)
        lines.put_nowait(None)  # ctrl+d
        await asyncio.wait_for(task, 3)
        text_out = out.getvalue()
        assert "Joined as Term." in text_out and "\x1b" not in text_out
        assert "Question 1 of 4" in text_out and "  3. A rise in total factor productivity" in text_out
        assert "Type a number from 1 to 4" in text_out
        assert "Answer locked: 3." in text_out and "Right! +1 point" in text_out
        assert "Total 1 point, rank 1 of 1." in text_out


def test_join_an_address_nobody_listens_on_is_one_line(capsys):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    code = main(["join", f"127.0.0.1:{port}", "--code", "123456", "--name", "Ann"])
    err = capsys.readouterr().err
    assert code == 1 and f"cannot reach the game at http://127.0.0.1:{port}/" in err and err.count("\n") == 1
