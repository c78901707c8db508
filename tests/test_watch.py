"""``validate --watch``: the check runs on start and after each change (sleep is faked)."""

import os
from datetime import datetime

from nqpf_tutor.cli import main
from nqpf_tutor.core.watch import snapshot, watch

GOOD = """\
deck: {id: w, title: W}
cards:
  - {id: a, type: flip, prompt: Q, answer: A}
"""
BAD = GOOD.replace("prompt: Q, ", "")


def _bump(path, text, t):
    path.write_text(text, "utf-8")
    os.utime(path, ns=(t, t))  # distinct times even on file systems with coarse clocks


def run_watch(paths, edits, check=None, **kw):
    """Watch with a fake sleep: after the n-th sleep, run edits[n] (if any); stop after them all."""
    calls, sleeps = [], []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        edit = edits.get(len(sleeps))
        if edit:
            edit()

    def default_check():
        calls.append(1)
        return 0

    code = watch(paths, check or default_check, interval=0.25, sleep=fake_sleep,
                 stop=lambda: len(sleeps) >= max(edits, default=0) + 2,
                 clock=lambda: datetime(2025, 6, 10, 9, 30, 5), **kw)
    return code, calls, sleeps


def test_a_file_edited_twice_is_checked_three_times(tmp_path, capsys):
    deck = tmp_path / "deck.yaml"
    _bump(deck, GOOD, 1_000_000_000)
    edits = {2: lambda: _bump(deck, BAD, 2_000_000_000), 5: lambda: _bump(deck, GOOD + "\n", 3_000_000_000)}
    code, calls, sleeps = run_watch([deck], edits)
    assert code == 0 and len(calls) == 3
    assert sleeps == [0.25] * 7
    out = capsys.readouterr().out
    assert out.count("── 09:30:05 ") == 3  # a separator with the time before each run


def test_nothing_changes_nothing_runs_again(tmp_path):
    deck = tmp_path / "deck.yaml"
    deck.write_text(GOOD, "utf-8")
    _, calls, _ = run_watch([deck], {3: lambda: os.utime(deck, ns=(os.stat(deck).st_mtime_ns,) * 2)})
    assert len(calls) == 1


def test_folders_notice_new_removed_and_edited_deck_files(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    a = folder / "a.yaml"
    _bump(a, GOOD, 1_000_000_000)
    edits = {
        1: lambda: _bump(folder / "b.yml", GOOD, 1_000_000_000),  # added
        2: lambda: (folder / "notes.txt").write_text("not a deck"),  # not a deck file: ignored
        3: lambda: _bump(a, BAD, 2_000_000_000),  # edited
        4: lambda: (folder / "b.yml").unlink(),  # removed
    }
    before = snapshot([folder])
    _, calls, _ = run_watch([folder], edits)
    assert str(a) in before
    assert len(calls) == 4  # start, added, edited, removed (not the .txt file)
    assert not any(k.endswith("notes.txt") for k in snapshot([folder]))


def test_the_real_check_reports_each_version(tmp_path, capsys):
    from nqpf_tutor.commands.validate import check

    deck = tmp_path / "deck.yaml"
    _bump(deck, GOOD, 1_000_000_000)
    results = []
    edits = {1: lambda: _bump(deck, BAD, 2_000_000_000), 2: lambda: _bump(deck, GOOD, 3_000_000_000)}
    run_watch([deck], edits, check=lambda: results.append(check([deck])) or results[-1])
    assert results == [0, 1, 0]
    captured = capsys.readouterr()
    assert f"{deck}:3:5: a flip card needs 'prompt'" in captured.out
    assert captured.err.count("ok: 1 file clean") == 2


def test_ctrl_c_stops_with_status_0(tmp_path, capsys):
    deck = tmp_path / "deck.yaml"
    deck.write_text(GOOD, "utf-8")

    def interrupt(_seconds):
        raise KeyboardInterrupt

    assert watch([deck], lambda: 0, sleep=interrupt) == 0
    assert "ctrl+c stops" in capsys.readouterr().err


def test_validate_watch_command(tmp_path, capsys, monkeypatch):
    import nqpf_tutor.core.watch as w

    deck = tmp_path / "deck.yaml"
    deck.write_text(BAD, "utf-8")

    def interrupt(_seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(w.time, "sleep", interrupt)
    monkeypatch.setattr(w.watch, "__kwdefaults__", {**w.watch.__kwdefaults__, "sleep": interrupt})
    assert main(["validate", "--watch", str(deck)]) == 0
    captured = capsys.readouterr()
    assert "a flip card needs 'prompt'" in captured.out and captured.out.startswith("── ")
