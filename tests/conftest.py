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
