"""Issue 13's smaller things on the command line and in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nqpf_tutor.cli import main

ROOT = Path(__file__).parent.parent


def test_export_help_names_apkg(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "Anki package (apkg" in out and "apkg: an Anki package" in out


def test_readme_drill_examples_use_tags_and_decks_that_exist(tmp_path):
    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.locations import Locations

    catalog = load_catalog(Locations.resolve(data_dir=tmp_path, environ={}))
    readme = (ROOT / "README.md").read_text("utf-8")
    tags = re.findall(r"nqpf-tutor drill [^\n]*--tag (\S+)", readme)
    decks = re.findall(r"nqpf-tutor drill [^\n]*--deck (\S+)", readme)
    assert "policies" in tags and "policy" not in tags
    assert set(tags) <= set(catalog.tags) and set(decks) <= {d.id for d in catalog.decks}


def test_readme_describes_the_study_keys_as_they_are():
    readme = (ROOT / "README.md").read_text("utf-8")
    for key in ("`ctrl+z` (or `u`)", "`ctrl+s` (or `s`)", "`ctrl+b` (or `b`)", "goes straight on to the next card",
                "### Custom study", "### Settings in the app", "deck_new_per_day"):
        assert key in readme
    assert "press\n`1`-`4` to change the grade, `enter` to go on" not in readme
