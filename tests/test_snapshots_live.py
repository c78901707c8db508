"""Snapshots of the live game's host screen at 80x24 and 160x45: the set-up form, the lobby with
its QR code and roster, a question, the reveal, the end.

Deterministic: the test decks, seed 1, code 123456, a fixed game id, a frozen clock, and no
real listening (the server's start is replaced; the address shown is 127.0.0.1:8765).
Update after a deliberate change with: pytest tests/test_snapshots_live.py --snapshot-update
"""

from __future__ import annotations

import pytest

from nqpf_tutor.ui.app import Choice

from ui_helpers import make_app

BOTH = ["sample", "second"]
SIZES = [(80, 24), (160, 45)]


@pytest.fixture(autouse=True)
def fixed(monkeypatch):
    async def no_listen(self):
        pass

    monkeypatch.setattr("nqpf_tutor.core.classroom.live.new_drill_id", lambda now: "20260302-100000-live")
    monkeypatch.setattr("nqpf_tutor.core.classroom.live.new_code", lambda: "123456")
    monkeypatch.setattr("nqpf_tutor.live.server.LiveServer.start", no_listen)


def live_app(tmp_path, **options):
    opts = {"n": 4, "seconds": 20, "seed": 1, "bind": "127.0.0.1", "port": 8765, "leaderboard": True,
            "speed_bonus": False, "streaks": False}
    opts.update(options)
    app = make_app(tmp_path, start="live", choice=Choice(deck_ids=BOTH, n=4, seed=1), live_options=opts)
    app.live_clock = lambda: 500.0
    return app


NAMES = ["Ann", "Bo", "[bold]Cy[/]", "Dana", "Eli"]


def players(n=len(NAMES)):
    async def run_before(pilot):
        game = pilot.app.screen.game
        for i, name in enumerate(NAMES[:n]):
            game.join("123456", name, f"c{i}")
        await pilot.pause(0.15)

    return run_before


def answered(choices):
    """Start, then the students answer question 1 with these options (None: not yet)."""

    async def run_before(pilot):
        game = pilot.app.screen.game
        toks = [game.join("123456", name, f"c{i}").token for i, name in enumerate(NAMES)]
        await pilot.press("enter")
        for tok, c in zip(toks, choices):
            if c is not None:
                game.answer(tok, 1, c)
        await pilot.pause(0.15)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_live_setup(snap_compare, tmp_path, size):
    app = make_app(tmp_path, choice=Choice(deck_ids=BOTH, n=4, seed=1))
    assert snap_compare(app, terminal_size=size, press=["l"])


@pytest.mark.parametrize("size", SIZES)
def test_live_lobby(snap_compare, tmp_path, size):
    assert snap_compare(live_app(tmp_path), terminal_size=size, run_before=players())


@pytest.mark.parametrize("size", SIZES)
def test_live_question(snap_compare, tmp_path, size):
    # m1: option 3 is right; 2 of 5 have answered
    assert snap_compare(live_app(tmp_path), terminal_size=size, run_before=answered([2, 0, None, None, None]))


@pytest.mark.parametrize("size", SIZES)
def test_live_reveal(snap_compare, tmp_path, size):
    assert snap_compare(live_app(tmp_path), terminal_size=size, run_before=answered([2, 0, 2, 1, 2]))


@pytest.mark.parametrize("size", SIZES)
def test_live_end(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await answered([2, 0, 2, 1, 2])(pilot)
        await pilot.press("e")
        await pilot.pause(0.15)

    assert snap_compare(live_app(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_live_remove_student(snap_compare, tmp_path, size):
    async def run_before(pilot):
        await players()(pilot)
        await pilot.press("x", "down")
        await pilot.pause(0.1)

    assert snap_compare(live_app(tmp_path), terminal_size=size, run_before=run_before)
