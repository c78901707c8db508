"""Bad input on the command line: one clear line on stderr, exit 1, no traceback, nothing lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nqpf_tutor", "--data-dir", str(tmp_path / "data"), *args],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def one_line_error(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("nqpf-tutor: "), r.stderr
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize("command", ["study", "quiz", "export --format json", "drill"])
def test_unknown_deck(tmp_path, command):
    r = run(tmp_path, *command.split(), "--deck", "eras-x")
    one_line_error(r, "unknown deck 'eras-x'", "did you mean 'eras'")


def test_unknown_tag(tmp_path):
    one_line_error(run(tmp_path, "quiz", "--tag", "polices"), "unknown tag 'polices'")


def test_quiz_needs_a_positive_count(tmp_path):
    one_line_error(run(tmp_path, "quiz", "-n", "0"), "-n must be at least 1")


def test_broken_settings_file(tmp_path):
    settings = tmp_path / "data" / "config" / "settings.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("new_per_day: lots\n")
    one_line_error(run(tmp_path, "study"), "new_per_day")


def test_damaged_database_is_moved_aside_and_kept(tmp_path):
    db = tmp_path / "data" / "progress.sqlite3"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database" * 100)
    r = run(tmp_path, "stats", "--json")
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "damaged" in r.stderr
    moved = [p for p in db.parent.iterdir() if ".damaged-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == b"this is not a database" * 100


def test_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "data").write_text("not a folder")
    r = run(tmp_path, "stats")
    assert r.returncode == 1 and "Traceback" not in r.stderr and r.stderr.startswith("nqpf-tutor: ")


def test_missing_decks_folder_is_a_warning_not_a_failure(tmp_path):
    r = run(tmp_path, "--decks-dir", str(tmp_path / "nowhere"), "decks")
    assert r.returncode == 0
    assert "nowhere: decks folder not found" in r.stderr and "Traceback" not in r.stderr
