"""Issue 11, "Files that are not decks", parse-failure and amplification bounds, numbers with
thousands of digits and NUL bytes, and the settings edge cases: each one clear line, never a
hang, a traceback or unbounded time and memory."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf_tutor.core import loader
from nqpf_tutor.core.loader import MAX_FILE_BYTES, DeckError, load_catalog, load_deck_file, parse_deck_bytes
from nqpf_tutor.core.settings import SettingsError, load_settings
from nqpf_tutor.locations import Locations

FIXTURES = Path(__file__).parent / "fixtures" / "decks"
GOOD = "deck: {id: good, title: Good}\ncards:\n  - {id: a, type: flip, prompt: P, answer: A}\n"


def cli(tmp_path, *args, timeout: float = 30):
    env = {**os.environ, "NQPF_TUTOR_BUNDLED_DIR": str(FIXTURES), "NQPF_TUTOR_CONFIG_DIR": str(tmp_path / "cfg")}

    def limits():  # an old build reading /dev/zero must not eat the machine
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run([sys.executable, "-m", "nqpf_tutor", "--data-dir", str(tmp_path / "data"), *args],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=tmp_path, preexec_fn=limits)


class FifoWatchdog:
    """Opens the FIFO for writing after ``delay`` s, which frees a reader stuck in open(): the
    test then fails (``fired``) instead of hanging the suite."""

    def __init__(self, fifo: Path, delay: float = 15) -> None:
        self.fifo, self.fired, self._stop = fifo, False, threading.Event()
        self._t = threading.Thread(target=self._run, args=(delay,), daemon=True)
        self._t.start()

    def _run(self, delay: float) -> None:
        if self._stop.wait(delay):
            return
        while not self._stop.is_set():
            try:
                os.close(os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK))
                self.fired = True
            except OSError:
                time.sleep(0.05)

    def stop(self) -> bool:
        self._stop.set()
        self._t.join(5)
        return self.fired


def deck_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "good.yaml").write_text(GOOD)
    return folder


# --- files that are not decks -----------------------------------------------------------------------


def test_a_fifo_in_the_decks_folder_does_not_hang_decks_or_validate(tmp_path):
    folder = deck_folder(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    r = cli(tmp_path, "--decks-dir", str(folder), "decks")
    assert r.returncode == 0 and "good " in r.stdout
    assert r.stderr == f"nqpf-tutor: warning: skipped pipe.yaml: {folder / 'pipe.yaml'}:1:1: is a FIFO (named pipe), not a deck file\n"
    r = cli(tmp_path, "validate", str(folder))
    assert r.returncode == 1 and r.stdout == f"{folder / 'pipe.yaml'}:1:1: is a FIFO (named pipe), not a deck file\n"


def test_a_fifo_deck_does_not_hang_the_app(tmp_path):
    """The app loads its decks with load_catalog, at start and on reload (r)."""
    folder = deck_folder(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    loc = Locations.resolve(data_dir=tmp_path / "data", decks_dirs=[str(folder)], environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    dog = FifoWatchdog(folder / "pipe.yaml")
    catalog = load_catalog(loc)
    assert not dog.stop(), "reading the FIFO blocked until something wrote to it"
    assert [d.id for d in catalog.decks] == ["good"]
    assert catalog.warnings == [f"skipped pipe.yaml: {folder / 'pipe.yaml'}:1:1: is a FIFO (named pipe), not a deck file"]


async def test_the_app_starts_and_reloads_beside_a_fifo_deck(tmp_path):
    from ui_helpers import make_app

    folder = deck_folder(tmp_path)
    os.mkfifo(folder / "pipe.yaml")
    dog = FifoWatchdog(folder / "pipe.yaml")
    app = make_app(tmp_path, extra_decks=[folder])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.pause()
        skipped = [str(n.message) for n in app._notifications if "pipe.yaml" in str(n.message)]
    assert not dog.stop()
    assert skipped and all("is a FIFO (named pipe), not a deck file" in m for m in skipped)
    assert app.catalog.deck("good") is not None


def test_a_symlink_to_dev_zero_is_not_read(tmp_path):
    folder = deck_folder(tmp_path)
    (folder / "zero.yaml").symlink_to("/dev/zero")
    r = cli(tmp_path, "--decks-dir", str(folder), "decks")
    assert r.returncode == 0 and "is a character device, not a deck file" in r.stderr and r.stderr.count("\n") == 1
    r = cli(tmp_path, "validate", str(folder / "zero.yaml"))
    assert r.returncode == 1 and r.stdout.endswith("zero.yaml:1:1: is a character device, not a deck file\n")


def test_a_decks_folder_that_is_a_symlink_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    r = cli(tmp_path, "--decks-dir", str(tmp_path / "a"), "decks")
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert r.stderr == f"nqpf-tutor: warning: {tmp_path / 'a'}: decks folder is a symlink loop; skipped\n"
    r = cli(tmp_path, "validate", str(tmp_path / "a"))
    assert r.returncode == 1 and r.stdout == f"{tmp_path / 'a'}:1:1: is a symlink loop, not a deck file\n"


def test_a_deck_symlink_loop_inside_a_folder(tmp_path):
    folder = deck_folder(tmp_path)
    (folder / "x.yaml").symlink_to(folder / "y.yaml")
    (folder / "y.yaml").symlink_to(folder / "x.yaml")
    r = cli(tmp_path, "--decks-dir", str(folder), "decks")
    assert r.returncode == 0 and r.stderr.count("is a symlink loop, not a deck file") == 2


def test_a_deck_over_the_size_limit_is_one_line_and_not_read(tmp_path):
    folder = deck_folder(tmp_path)
    with open(folder / "huge.yaml", "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    r = cli(tmp_path, "validate", str(folder / "huge.yaml"))
    assert r.returncode == 1
    assert r.stdout == f"{folder / 'huge.yaml'}:1:1: too large for a deck file (20 MB; the limit is 20 MB)\n"


# --- parse failures are cached; aliases are bounded ----------------------------------------------------


def test_a_broken_deck_is_parsed_once_then_its_problems_come_from_the_cache(tmp_path, monkeypatch):
    deck = tmp_path / "broken.yaml"
    deck.write_text("deck: {id: d, title: T}\ncards:\n  - {id: a, type: flip, prompt: P}\n  - {id: b, typo: 1}\n")
    with pytest.raises(DeckError) as first:
        load_deck_file(deck, cache_dir=tmp_path / "cache")
    calls = []
    monkeypatch.setattr(loader, "parse_deck_bytes", lambda *a, **k: calls.append(a))
    moved = tmp_path / "moved.yaml"
    deck.rename(moved)
    with pytest.raises(DeckError) as again:
        load_deck_file(moved, cache_dir=tmp_path / "cache")
    assert calls == []
    assert [str(p) for p in again.value.problems] == [str(p).replace("broken.yaml", "moved.yaml") for p in first.value.problems]
    moved.write_text(moved.read_text() + "# edited\n")  # other bytes: parsed again
    with pytest.raises(Exception):
        load_deck_file(moved, cache_dir=tmp_path / "cache")
    assert len(calls) == 1


def test_a_small_deck_cannot_expand_to_a_huge_one_through_aliases(tmp_path):
    """A 100 KB deck whose 1,500 cards all reuse one 50 KB text would be a 150 MB deck (and cache)."""
    lines = ["deck: {id: bomb, title: T}", "cards:", "  - {id: c, type: flip, prompt: &t " + "x" * 50_000 + ", answer: A}"]
    lines += [f"  - {{id: c{i}, type: flip, prompt: *t, answer: *t}}" for i in range(1500)]
    data = ("\n".join(lines) + "\n").encode()
    assert len(data) < 150_000
    deck = tmp_path / "bomb.yaml"
    deck.write_bytes(data)
    with pytest.raises(DeckError) as e:
        load_deck_file(deck, cache_dir=tmp_path / "cache")
    (p,) = e.value.problems
    assert p.message.startswith("this text is repeated through YAML aliases to more than 10 times the file's size")
    line = data.decode().splitlines()[p.line - 1]
    assert p.line > 3 and line[p.col - 1:].startswith("*t")  # the alias where the bound was crossed
    assert sum(f.stat().st_size for f in (tmp_path / "cache").rglob("*")) < 10_000


def test_aliases_within_the_bound_still_load(tmp_path):
    text = "deck: {id: d, title: T}\ncards:\n  - {id: a, type: flip, prompt: &p " + "y" * 200 + ", answer: A}\n"
    text += "".join(f"  - {{id: b{i}, type: flip, prompt: *p, answer: B}}\n" for i in range(20))
    assert len(parse_deck_bytes(text.encode(), "d.yaml").cards) == 21


# --- numbers with thousands of digits, NUL bytes ----------------------------------------------------


def test_a_number_with_thousands_of_digits_is_reported_where_it_is():
    text = "deck: {id: d, title: T}\ncards:\n  - id: a\n    type: flip\n    prompt: " + "7" * 5000 + "\n    answer: A\n"
    with pytest.raises(DeckError) as e:
        parse_deck_bytes(text.encode(), "d.yaml")
    assert [str(p) for p in e.value.problems] == ["d.yaml:5:13: a number with 5000 digits is too long; quote it if it is text"]


@settings(max_examples=50, deadline=None)
@given(st.integers(0, len(GOOD) - 1))
def test_a_nul_byte_is_reported_at_its_line_and_column(i):
    data = GOOD[:i] + "\0" + GOOD[i:]
    with pytest.raises(DeckError) as e:
        parse_deck_bytes(data.encode(), "d.yaml")
    line = GOOD[:i].count("\n") + 1
    col = i - (GOOD[:i].rfind("\n") + 1) + 1
    assert [str(p) for p in e.value.problems] == [
        f"d.yaml:{line}:{col}: a NUL byte (\\x00): a deck is plain text; is this the right file?"]


def test_5000_nested_brackets_in_a_deck_are_one_line(tmp_path):
    deck = tmp_path / "deep.yaml"
    deck.write_text("deck: " + "[" * 5000 + "]" * 5000 + "\n")
    r = cli(tmp_path, "validate", str(deck))
    assert r.returncode == 1 and r.stdout.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stdout.startswith(f"{deck}:1:") and "nest" in r.stdout


# --- settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("learning_steps: [99999999999d]\n", "learning_steps: a step must be at most 36500 days: '99999999999d'"),
    ("relearning_steps: [1e300m]\n", "relearning_steps: not a duration"),
    ("learning_steps: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ("new_per_day: " + "9" * 5000 + "\n", "1:14: a number with 5000 digits is too long; not a setting"),
], ids=["overflowing-step", "huge-float-step", "5000-brackets", "5000-digits"])
def test_settings_edge_cases_are_one_line(tmp_path, text, message):
    path = tmp_path / "settings.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError) as e:
        load_settings(path)
    assert str(e.value).startswith(f"{path}") and message in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
def test_a_settings_file_that_is_not_a_file_is_one_line_at_start(tmp_path, kind):
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    path = cfg / "settings.yaml"
    {"fifo": os.mkfifo, "zero": lambda p: p.symlink_to("/dev/zero"), "folder": os.mkdir}[kind](path)
    for command in (["stats"], ["study"]):  # study checks the settings before the terminal is taken
        r = cli(tmp_path, *command)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        assert r.stderr.startswith(f"nqpf-tutor: {path}: is a") and r.stderr.count("\n") == 1


def test_settings_overflow_from_the_command_line(tmp_path):
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "settings.yaml").write_text("learning_steps: [99999999999d]\n")
    r = cli(tmp_path, "stats")
    assert r.returncode == 1
    assert r.stderr == (f"nqpf-tutor: {tmp_path / 'cfg' / 'settings.yaml'}: learning_steps: "
                        "a step must be at most 36500 days: '99999999999d'\n")


# --- never anything but one line -----------------------------------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
VALUES = st.recursive(SCALARS, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
                      max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["desired_retention", "learning_steps", "relearning_steps", "maximum_interval",
                                        "day_rollover_hour", "new_per_day", "timezone", "theme", "other"]),
                       VALUES, max_size=4))
def test_any_settings_value_is_settings_or_one_line(data):
    from nqpf_tutor.core.settings import Settings

    try:
        Settings.from_dict(data, source="s.yaml")
    except SettingsError as e:
        assert str(e).startswith("s.yaml: ") and "\n" not in str(e)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_a_deck_or_deck_problems(data):
    try:
        parse_deck_bytes(GOOD.encode()[: len(data) % len(GOOD)] + data, "d.yaml")
    except DeckError as e:
        assert e.problems and all(str(p).startswith("d.yaml:") and "\n" not in str(p) for p in e.problems)


def test_import_does_not_read_dev_zero_forever(tmp_path):
    r = cli(tmp_path, "import", "/dev/zero", "-o", "z.yaml")
    assert r.returncode == 1 and r.stderr == "nqpf-tutor: /dev/zero: too large to import (over 20 MB)\n"
    assert not (tmp_path / "z.yaml").exists()
