"""Snapshots of the statistics screen (each tab), the card browser and a card's detail at 80x24.

Fixed clock, the test decks, answers given through StudySession before the app starts.
Update after a deliberate change with:
    pytest tests/test_snapshots_stats_browse.py --snapshot-update
"""

from __future__ import annotations

import pytest

from ui_helpers import Clock, make_app
from test_stats_ui import answer_some

SIZE = (80, 24)


def studied(tmp_path):
    clock = Clock()
    app = make_app(tmp_path, clock=clock)
    answer_some(app, clock)
    return app


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # the figures are computed in a worker
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize("tab", ["1", "2", "3", "4", "5", "6"])
def test_stats_tabs(snap_compare, tmp_path, tab):
    assert snap_compare(studied(tmp_path), terminal_size=SIZE, press=["t", tab], run_before=settle)


def test_stats_empty_forecast(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path), terminal_size=SIZE, press=["t", "2"], run_before=settle)


def test_browse(snap_compare, tmp_path):
    assert snap_compare(studied(tmp_path), terminal_size=SIZE, press=["b"], run_before=settle)


def test_browse_filtered(snap_compare, tmp_path):
    async def run_before(pilot):
        await pilot.press("b")
        await pilot.press(*"tag:beta")
        await pilot.pause(0.4)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(studied(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_card_detail(snap_compare, tmp_path):
    assert snap_compare(studied(tmp_path), terminal_size=SIZE, press=["b", "down", "enter"], run_before=settle)


def test_reset_confirmation(snap_compare, tmp_path):
    assert snap_compare(studied(tmp_path), terminal_size=SIZE, press=["b", "down", "x"], run_before=settle)
