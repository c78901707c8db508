"""Snapshots of the drill screens at 80x24: set-up, a question, the reveal, the results.

Deterministic: the test decks, seed 1, a frozen drill clock, a fixed drill id.
Update after a deliberate change with: pytest tests/test_snapshots_drill.py --snapshot-update
"""

from __future__ import annotations

import pytest

from nqpf_tutor.ui.app import Choice

from ui_helpers import make_app

SIZE = (80, 24)
BOTH = ["sample", "second"]


@pytest.fixture(autouse=True)
def fixed_drill_id(monkeypatch):
    monkeypatch.setattr("nqpf_tutor.core.drill.new_drill_id", lambda now: "20260302-100000-abcd")


def drill_app(tmp_path, **options):
    opts = {"seconds": 20, "students": ["Ann", "Bo"], "speed_bonus": False, "streaks": False,
            "leaderboard": True, "out": None, "seed": 1, "n": 4}
    opts.update(options)
    app = make_app(tmp_path, start="drill", choice=Choice(deck_ids=BOTH, n=4, seed=1), drill_options=opts)
    app.drill_clock = lambda: 500.0  # frozen: the countdown stays at the full time
    return app


def test_drill_setup(snap_compare, tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=BOTH, n=4, seed=1))
    assert snap_compare(app, terminal_size=SIZE, press=["d"])


def test_drill_question(snap_compare, tmp_path):
    assert snap_compare(drill_app(tmp_path), terminal_size=SIZE)


def test_drill_question_without_timer(snap_compare, tmp_path):
    assert snap_compare(drill_app(tmp_path, seconds=0, students=[]), terminal_size=SIZE)


def test_drill_reveal(snap_compare, tmp_path):
    # m1: option 3 is right
    assert snap_compare(drill_app(tmp_path), terminal_size=SIZE, press=["3"])


def test_drill_reveal_wrong(snap_compare, tmp_path):
    assert snap_compare(drill_app(tmp_path), terminal_size=SIZE, press=["3", "enter", "f"])


def test_drill_results(snap_compare, tmp_path):
    # m1 right (Ann), s2 wrong (Bo), s1 right (Ann), t1 wrong (Bo)
    keys = ["3", "enter", "2", "enter", "1", "enter", "1", "enter"]
    assert snap_compare(drill_app(tmp_path), terminal_size=SIZE, press=keys)
