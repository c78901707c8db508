"""Every screen at a large size (120x40), and the screens issue 13 added at 80x24 and 120x40.

The 80x24 snapshots of the older screens are in test_snapshots*.py. Fixed clock, the test
decks, cursor blinking off. Update after a deliberate change with:
    pytest tests/test_snapshots_sizes.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nqpf_tutor.ui.app import Choice

from test_snapshots_drill import drill_app, fixed_drill_id  # noqa: F401 - the fixture is used
from test_snapshots_stats_browse import settle, studied
from ui_helpers import make_app

LARGE = (120, 40)
SMALL = (80, 24)
BOTH = [pytest.param(SMALL, id="80x24"), pytest.param(LARGE, id="120x40")]
LONG = Path(__file__).parent / "fixtures" / "long_deck"

TO_TYPED = ["space", "3", "1", "enter", "f", "enter"]


def study(tmp_path, decks=("sample",), **kw):
    return make_app(tmp_path, start="study", choice=Choice(deck_ids=list(decks)), **kw)


# --- the older screens at the large size --------------------------------------------------------------


@pytest.mark.parametrize("press", [
    pytest.param([], id="home"),
    pytest.param(["f1"], id="help"),
    pytest.param(["tab"], id="home-tags"),
])
def test_home_and_help_large(snap_compare, tmp_path, press):
    assert snap_compare(make_app(tmp_path), terminal_size=LARGE, press=press)


def test_welcome_large(snap_compare, tmp_path):
    assert snap_compare(make_app(tmp_path, show_welcome=True), terminal_size=LARGE)


@pytest.mark.parametrize("press", [
    pytest.param([], id="flip-question"),
    pytest.param(["space"], id="flip-answer"),
    pytest.param(["space", "3", "2"], id="mcq-answered"),
    pytest.param(TO_TYPED + [*"tfp"], id="typed"),
    pytest.param(TO_TYPED + ["enter", "enter", *"leads"], id="cloze"),
    pytest.param(TO_TYPED + ["enter", "enter", "enter", "enter", "enter", "enter"], id="order"),
])
def test_study_large(snap_compare, tmp_path, press):
    assert snap_compare(study(tmp_path), terminal_size=LARGE, press=press)


@pytest.mark.parametrize("press", [
    pytest.param([], id="question"),
    pytest.param(["1"], id="answered"),
    pytest.param(["1", "enter", "2", "enter"], id="end"),
])
def test_quiz_large(snap_compare, tmp_path, press):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["second"], n=2, seed=2))
    assert snap_compare(app, terminal_size=LARGE, press=press)


@pytest.mark.parametrize("press", [
    pytest.param([], id="question"),
    pytest.param(["3"], id="reveal"),
    pytest.param(["3", "enter", "1", "enter", "1", "enter", "1", "enter"], id="results"),
])
def test_drill_large(snap_compare, tmp_path, press):
    assert snap_compare(drill_app(tmp_path), terminal_size=LARGE, press=press)


def test_drill_setup_large(snap_compare, tmp_path):
    app = make_app(tmp_path, choice=Choice(deck_ids=["sample", "second"], n=4, seed=1))
    assert snap_compare(app, terminal_size=LARGE, press=["d"])


@pytest.mark.parametrize("tab", ["1", "2", "3", "4", "5", "6"])
def test_stats_tabs_large(snap_compare, tmp_path, tab):
    assert snap_compare(studied(tmp_path), terminal_size=LARGE, press=["t", tab], run_before=settle)


@pytest.mark.parametrize("press", [
    pytest.param(["b"], id="browse"),
    pytest.param(["b", "down", "enter"], id="detail"),
    pytest.param(["b", "down", "x"], id="reset"),
])
def test_browse_large(snap_compare, tmp_path, press):
    assert snap_compare(studied(tmp_path), terminal_size=LARGE, press=press, run_before=settle)


# --- what issue 13 added or changed, at both sizes ------------------------------------------------------------


@pytest.mark.parametrize("size", BOTH)
def test_long_card_answered_and_scrolled_to_its_source(snap_compare, tmp_path, size):
    app = study(tmp_path, decks=("long",), extra_decks=[LONG])
    assert snap_compare(app, terminal_size=size, press=["1", "end"], run_before=settle)


@pytest.mark.parametrize("size", BOTH)
def test_typed_card_while_typing_shows_the_study_keys(snap_compare, tmp_path, size):
    assert snap_compare(study(tmp_path), terminal_size=size, press=TO_TYPED + [*"usb"])


@pytest.mark.parametrize("size", BOTH)
def test_quiz_end_with_misses(snap_compare, tmp_path, size):
    app = make_app(tmp_path, start="quiz", choice=Choice(deck_ids=["sample", "second"], n=5, seed=2))

    async def miss_all(pilot):
        await pilot.pause()
        screen = app.screen
        while screen.phase != "done":
            q = screen.run.current
            await pilot.press(str((q.correct + 1) % len(q.options) + 1), "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=miss_all)


@pytest.mark.parametrize("size", BOTH)
@pytest.mark.parametrize("key", [pytest.param("z", id="quiz"), pytest.param("p", id="paper")])
def test_length_forms(snap_compare, tmp_path, size, key):
    assert snap_compare(make_app(tmp_path), terminal_size=size, press=[key])


@pytest.mark.parametrize("size", BOTH)
def test_settings(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, press=["o", "ctrl+u", "x"])


@pytest.mark.parametrize("size", BOTH)
def test_custom_study(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, press=["f", "down"])


@pytest.mark.parametrize("size", BOTH)
def test_custom_study_session(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, press=["f", "down", "down", "down", "enter"])


@pytest.mark.parametrize("size", BOTH)
def test_drill_setup_with_a_box_ticked(snap_compare, tmp_path, size):
    app = make_app(tmp_path, choice=Choice(deck_ids=["sample", "second"], n=4, seed=1))
    assert snap_compare(app, terminal_size=size, press=["d", "tab", "tab", "tab", "tab", "space"])


@pytest.mark.parametrize("size", BOTH)
def test_help_scrolled_to_the_figures(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, press=["f1", "end"])
