"""Snapshots: study with an answer not saved yet (another program holds the lock), at 80x24
and at a large size: the one-line notice and the title saying what waits.

Update after a deliberate change with: pytest tests/test_snapshots_store_faults.py --snapshot-update
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import nqpf_tutor.core.store as store_module
from nqpf_tutor.ui.app import Choice

from ui_helpers import make_app


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.05)


def locked_answer(locks):
    async def run_before(pilot) -> None:
        await pilot.pause()
        conn = sqlite3.connect(pilot.app.loc.db_path, isolation_level=None)
        conn.execute("BEGIN EXCLUSIVE")
        locks.append(conn)
        await pilot.press("space", "3")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_study_answer_not_saved_yet(snap_compare, size):
    locks: list = []
    where = Path("/tmp/nqpf-tutor-snapshot")  # the notice names the database: one path on every machine
    shutil.rmtree(where, ignore_errors=True)
    app = make_app(where, start="study", choice=Choice(deck_ids=["sample"]))
    try:
        assert snap_compare(app, terminal_size=size, run_before=locked_answer(locks))
    finally:
        for conn in locks:
            conn.execute("ROLLBACK")
            conn.close()
