"""Snapshots of the study screen after a near miss (issue 12): the accepted answers shown, at
80x24 and at a large size.

Update after a deliberate change with: pytest tests/test_snapshots_nearmiss.py --snapshot-update
"""

from __future__ import annotations

from nqpf_tutor.ui.app import Choice

from test_app import NEAR_MISS_DECK
from ui_helpers import make_app

TYPED_NEAR_MISS = [*"increase in total factor productivty", "enter"]
CLOZE_NEAR_MISS = [*"x", "enter", "enter", *"human resource", "enter"]


def _app(tmp_path):
    decks = tmp_path / "nm"
    decks.mkdir()
    (decks / "nm.yaml").write_text(NEAR_MISS_DECK, "utf-8")
    return make_app(tmp_path, start="study", decks=decks, choice=Choice(deck_ids=["nm"]))


def test_study_typed_near_miss(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=TYPED_NEAR_MISS)


def test_study_typed_near_miss_large(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(140, 40), press=TYPED_NEAR_MISS)


def test_study_cloze_near_miss(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=CLOZE_NEAR_MISS)


def test_study_cloze_near_miss_large(snap_compare, tmp_path):
    assert snap_compare(_app(tmp_path), terminal_size=(140, 40), press=CLOZE_NEAR_MISS)
