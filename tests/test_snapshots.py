"""Snapshots of each screen at 80x24 (cursor blinking off, fixed clock, the test decks).

Update after a deliberate change with: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from nqpf_tutor.ui.app import Choice

from ui_helpers import make_app

SIZE = (80, 24)


def study(tmp_path, decks=("sample",)):
    return make_app(tmp_path, start="study", choice=Choice(deck_ids=list(decks)))


def test_home(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE)


def test_home_wide(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=(110, 30), press=["space"])


def test_welcome(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, show_welcome=True), terminal_size=SIZE)


def test_help(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["f1"])


def test_study_flip_question(snap_compare, tmp_path):
    assert snap_compare(study(tmp_path), terminal_size=SIZE)


def test_study_flip_answer(snap_compare, tmp_path):
    assert snap_compare(study(tmp_path), terminal_size=SIZE, press=["space"])


def test_study_mcq_answered(snap_compare, tmp_path):
    assert snap_compare(study(tmp_path), terminal_size=SIZE, press=["space", "3", "2"])


def test_study_typed(snap_compare, tmp_path):
    assert snap_compare(study(tmp_path), terminal_size=SIZE,
                        press=["space", "3", "1", "enter", "f", "enter", *"tfp"])


def test_study_cloze(snap_compare, tmp_path):
    assert snap_compare(study(tmp_path), terminal_size=SIZE,
                        press=["space", "3", "1", "enter", "f", "enter", "enter", "enter", *"leads"])


def test_study_order(snap_compare, tmp_path):
    keys = ["space", "3", "1", "enter", "f", "enter", "enter", "enter", "enter", "enter", "enter", "enter"]
    assert snap_compare(study(tmp_path), terminal_size=SIZE, press=keys)


def test_study_empty(snap_compare, tmp_path):
    app = study(tmp_path, decks=("second",))

    async def answer_all(pilot):
        await pilot.pause()
        await pilot.press("1", "4", "t", "4")
        await pilot.pause()

    # A fresh app on the same data: nothing due now.
    async def before(pilot):
        await pilot.pause()

    first = study(tmp_path, decks=("second",))

    import asyncio

    async def run_first():
        async with first.run_test(size=SIZE) as pilot:
            await answer_all(pilot)

    asyncio.run(run_first())
    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_quiz_question(snap_compare, tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["sample", "second"], n=3, seed=2))
    assert snap_compare(app, terminal_size=SIZE)


def test_quiz_end(snap_compare, tmp_path):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["second"], n=2, seed=2))
    assert snap_compare(app, terminal_size=SIZE, press=["1", "enter", "2", "enter"])
