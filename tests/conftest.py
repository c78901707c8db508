from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def write_deck(tmp_path: Path):
    """Write a deck file from dedented text; returns its path."""

    def write(text: str, name: str = "deck.yaml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
        return p

    return write


@pytest.fixture
def snap_compare(snap_compare):
    """pytest-textual-snapshot's ``snap_compare``, waiting for the home screen's counts (made in
    a worker thread, issue 17) before and after the key presses, so snapshots are stable
    (``settle=False``: as the plugin does, for a snapshot taken while counting)."""
    from ui_helpers import settle_counts

    def compare(app, *args, press=(), run_before=None, settle=True, **kwargs):
        if not settle:  # a snapshot of the counts still being made
            return snap_compare(app, *args, press=press, run_before=run_before, **kwargs)

        async def before(pilot):
            await pilot.pause()
            await settle_counts(pilot)
            if run_before is not None:
                result = run_before(pilot)
                if hasattr(result, "__await__"):
                    await result
                await settle_counts(pilot)
            if press:
                await pilot.press(*press)
                await pilot.pause()
                await settle_counts(pilot)

        return snap_compare(app, *args, run_before=before, **kwargs)

    return compare
