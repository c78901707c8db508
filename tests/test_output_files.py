"""Issue 11, "Output never destroys what it should not": every output goes through
``nqpf_tutor.files`` (export -o, results --out, drill --out and the drill screen, the app's
paper, new, import). A folder is refused; a device or FIFO is written in place; only a regular
file is replaced (by rename) and only with --force, every such file named first; a failed
write leaves nothing behind."""

from __future__ import annotations

import errno
import os
import resource
import signal
import stat
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from nqpf_tutor.cli import main
from nqpf_tutor.core.drill import Drill, DrillConfig
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store
from nqpf_tutor.files import OutputError, write_output, write_outputs
from nqpf_tutor.locations import Locations

FIXTURES = Path(__file__).parent / "fixtures" / "decks"
CARDS = [Card("d", f"q{i}", "mcq", f"Question {i}?", f"right {i}", distractors=(f"wrong {i}a", f"wrong {i}b"))
         for i in range(4)]


def cli(tmp_path, *args, limit_bytes: int | None = None, timeout: float = 60):
    """The real command in a child process (bundled decks: the small test decks)."""
    env = {**os.environ, "NQPF_TUTOR_BUNDLED_DIR": str(FIXTURES), "NQPF_TUTOR_CONFIG_DIR": str(tmp_path / "cfg")}

    def limit():  # a disk that takes only ``limit_bytes`` per file (RLIMIT_FSIZE): EFBIG, no root needed
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "nqpf_tutor", "--data-dir", str(tmp_path / "data"), *args],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=tmp_path,
                          preexec_fn=limit if limit_bytes is not None else None)


def one_line_error(r) -> str:
    assert r.returncode != 0
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("nqpf-tutor: ") and "Traceback" not in r.stderr
    return r.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


def make_drill(data_dir: Path) -> Drill:
    t = [0.0]
    with Store.open(Locations.resolve(data_dir=data_dir, environ={}), profile="default") as store:
        d = Drill.create(DrillConfig(n=2, seed=3, students=("=HYPERLINK(\"http://x\")",)), CARDS, store=store,
                         clock=lambda: t[0], now=lambda: datetime(2025, 5, 1, tzinfo=timezone.utc))
        d.start_question()
        d.answer(d.current.correct)
    return d


# --- the module ----------------------------------------------------------------------------------


def test_a_new_file_is_written_whole_and_readable_by_others(tmp_path):
    p = write_output(tmp_path / "a.txt", "héllo\n")
    assert p.read_bytes() == "héllo\n".encode() and stat.S_IMODE(p.stat().st_mode) == 0o666 & ~_umask()
    assert write_output(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == []


def _umask() -> int:
    m = os.umask(0)
    os.umask(m)
    return m


def test_an_existing_file_is_kept_without_force_and_replaced_with_it(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("old")
    os.chmod(p, 0o600)
    with pytest.raises(OutputError, match=r"a.txt already exists; add --force to replace it$"):
        write_output(p, "new")
    assert p.read_text() == "old"
    write_output(p, "new", force=True)
    assert p.read_text() == "new" and stat.S_IMODE(p.stat().st_mode) == 0o600  # its mode is kept
    assert leftovers(tmp_path) == []


def test_every_file_that_would_be_replaced_is_named_before_any_is_written(tmp_path):
    (tmp_path / "b").write_text("old b")
    (tmp_path / "c").write_text("old c")
    with pytest.raises(OutputError) as e:
        write_outputs([(tmp_path / "a", "1"), (tmp_path / "b", "2"), (tmp_path / "c", "3")])
    assert str(e.value) == f"{tmp_path / 'b'} and {tmp_path / 'c'} already exist; add --force to replace them"
    assert not (tmp_path / "a").exists() and (tmp_path / "b").read_text() == "old b"


def test_a_folder_is_refused_and_a_missing_folder_named(tmp_path):
    with pytest.raises(OutputError, match="it is a folder"):
        write_output(tmp_path, "x", force=True)
    with pytest.raises(OutputError, match="the folder .*nope does not exist"):
        write_output(tmp_path / "nope" / "a.csv", "x")


def test_a_symlink_to_a_file_stays_a_link_and_its_target_gets_the_text(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with pytest.raises(OutputError, match="already exists"):
        write_output(link, "new")
    write_output(link, "new", force=True)
    assert link.is_symlink() and target.read_text() == "new"


def test_a_character_device_is_written_in_place_never_replaced(tmp_path):
    before = os.stat("/dev/null")
    write_output("/dev/null", "x" * 10000)  # no --force needed: nothing is destroyed
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino and after.st_rdev == before.st_rdev


def test_a_fifo_is_written_in_place_and_one_without_reader_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="a FIFO with nothing reading from it"):
        write_output(fifo, "x")
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        for _ in range(200):  # until cat has the FIFO open
            try:
                write_output(fifo, "through the pipe\n")
                break
            except OutputError:
                import time

                time.sleep(0.01)
        assert reader.communicate(timeout=10)[0] == b"through the pipe\n"
    finally:
        reader.kill()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_full_disk_leaves_nothing_behind(tmp_path, monkeypatch):
    """An injected ENOSPC while writing the second of two files: neither exists, no temp file."""
    real_write = os.write
    calls = []

    def full(fd, data):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OutputError, match=r"cannot write .*b.json: the disk is full$"):
        write_outputs([(tmp_path / "b.csv", "csv"), (tmp_path / "b.json", "json")])
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(os, "write", real_write)
    write_outputs([(tmp_path / "b.csv", "csv"), (tmp_path / "b.json", "json")])  # a retry is not blocked
    assert (tmp_path / "b.csv").read_text() == "csv"


def test_dev_full_is_a_one_line_error():
    with pytest.raises(OutputError, match="cannot write /dev/full: the disk is full"):
        write_output("/dev/full", "x")


# --- the commands --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "apkg"])
def test_export_refuses_to_overwrite_without_force(tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    out.write_text("mine")
    r = cli(tmp_path, "export", "--format", fmt, "-o", str(out))
    assert one_line_error(r) == f"nqpf-tutor: {out} already exists; add --force to replace it\n"
    assert out.read_text() == "mine"
    r = cli(tmp_path, "export", "--format", fmt, "-o", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() != b"mine" and leftovers(tmp_path) == []


def test_export_versions_and_keys_are_all_named_and_none_written(tmp_path):
    (tmp_path / "t-B.md").write_text("mine")
    (tmp_path / "k-A.md").write_text("mine")
    r = cli(tmp_path, "export", "--format", "markdown", "--seed", "1", "--versions", "A,B", "-o", "t.md", "--key", "k.md")
    assert one_line_error(r) == "nqpf-tutor: t-B.md and k-A.md already exist; add --force to replace them\n"
    assert sorted(p.name for p in tmp_path.glob("*.md")) == ["k-A.md", "t-B.md"]


@pytest.mark.parametrize("fmt", ["csv", "markdown", "apkg"])
def test_export_to_a_device_writes_in_place_and_a_folder_is_refused(tmp_path, fmt):
    r = cli(tmp_path, "export", "--format", fmt, "-o", "/dev/null")
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = cli(tmp_path, "export", "--format", fmt, "-o", str(tmp_path), "--force")
    assert "it is a folder" in one_line_error(r)


def test_export_into_a_fifo_without_reader_fails_at_once(tmp_path):
    os.mkfifo(tmp_path / "p.csv")
    r = cli(tmp_path, "export", "--format", "csv", "-o", "p.csv", timeout=30)
    assert "a FIFO with nothing reading from it" in one_line_error(r)
    assert stat.S_ISFIFO(os.stat(tmp_path / "p.csv").st_mode)


@pytest.mark.parametrize("args", [
    ["export", "--format", "json", "-o", "out.json"],
    ["export", "--format", "apkg", "-o", "out.apkg"],
    ["new", "out.yaml"],
])
def test_a_write_that_hits_the_file_size_limit_leaves_nothing(tmp_path, args):
    """RLIMIT_FSIZE stands in for a full disk (EFBIG), in a real child process, without root."""
    r = cli(tmp_path, *args, limit_bytes=500)
    assert "cannot write" in one_line_error(r)
    assert not (tmp_path / args[-1]).exists() and leftovers(tmp_path) == []


def test_export_to_dev_full(tmp_path):
    r = cli(tmp_path, "export", "--format", "json", "-o", "/dev/full")
    assert one_line_error(r) == "nqpf-tutor: cannot write /dev/full: the disk is full\n"


def test_results_out_names_both_files_and_writes_neither(tmp_path):
    d = make_drill(tmp_path / "data")
    (tmp_path / "notes.csv").write_text("mine")
    (tmp_path / "notes.json").write_text("mine too")
    r = cli(tmp_path, "results", d.id, "--out", "notes.csv")
    assert one_line_error(r) == "nqpf-tutor: notes.csv and notes.json already exist; add --force to replace them\n"
    assert (tmp_path / "notes.csv").read_text() == "mine" and (tmp_path / "notes.json").read_text() == "mine too"
    (tmp_path / "notes.csv").unlink()
    r = cli(tmp_path, "results", d.id, "--out", "notes.csv")  # only the JSON is in the way: still refused
    assert one_line_error(r) == "nqpf-tutor: notes.json already exists; add --force to replace it\n"
    assert not (tmp_path / "notes.csv").exists()
    r = cli(tmp_path, "results", d.id, "--out", "notes.csv", "--force")
    assert r.returncode == 0 and (tmp_path / "notes.json").read_text().startswith("{")


def test_results_out_to_dev_null_keeps_the_device_and_writes_nothing_beside_it(tmp_path):
    d = make_drill(tmp_path / "data")
    r = cli(tmp_path, "results", d.id, "--out", "/dev/null")
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and not os.path.exists("/dev/null.json")


def test_results_out_on_a_full_disk_leaves_neither_file(tmp_path, monkeypatch, capsys):
    d = make_drill(tmp_path / "data")
    real_write = os.write

    def full(fd, data):  # the JSON (the second file) meets a full disk
        if b'"drill"' in bytes(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--data-dir", str(tmp_path / "data"), "results", d.id, "--out", str(out / "r.csv")]) == 1
    assert capsys.readouterr().err == f"nqpf-tutor: cannot write {out / 'r.json'}: the disk is full\n"
    assert list(out.iterdir()) == []


def test_drill_out_is_checked_before_the_drill_starts(tmp_path, monkeypatch, capsys):
    started = []
    monkeypatch.setattr("nqpf_tutor.commands.app.launch", lambda *a, **k: started.append(k) or 0)
    monkeypatch.setenv("NQPF_TUTOR_BUNDLED_DIR", str(FIXTURES))
    (tmp_path / "r.json").write_text("last week's")
    base = ["--data-dir", str(tmp_path / "data"), "drill", "--deck", "sample", "--out", str(tmp_path / "r.csv")]
    assert main(base) == 1
    assert capsys.readouterr().err == f"nqpf-tutor: {tmp_path / 'r.json'} already exists; add --force to replace it\n"
    assert started == []
    assert main([*base, "--force"]) == 0
    assert started[0]["drill_options"]["force"] is True


def test_import_never_overwrites_and_new_needs_force(tmp_path):
    src = tmp_path / "cards.txt"
    src.write_text("front\tback\n")
    (tmp_path / "deck.yaml").write_text("mine")
    r = cli(tmp_path, "import", str(src), "-o", "deck.yaml")
    assert one_line_error(r) == "nqpf-tutor: deck.yaml already exists; choose another file with -o (or another --id)\n"
    r = cli(tmp_path, "new", "deck.yaml")
    assert "already exists; use --force" in one_line_error(r)
    assert (tmp_path / "deck.yaml").read_text() == "mine"
    assert cli(tmp_path, "new", "deck.yaml", "--force").returncode == 0
    assert (tmp_path / "deck.yaml").read_text() != "mine" and leftovers(tmp_path) == []


# --- the app ----------------------------------------------------------------------------------------


async def test_the_apps_paper_never_replaces_an_earlier_one(tmp_path):
    from ui_helpers import make_app

    from nqpf_tutor.ui.app import Choice

    app = make_app(tmp_path, choice=Choice(deck_ids=["sample", "second"], n=3, seed=11))
    folder = tmp_path / "data" / "papers"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "enter")  # the paper asks its length first: enter takes the form as filled
        await app.workers.wait_for_complete()
        await pilot.pause()
        (folder / "paper-11-A.md").write_text("marked by hand")
        await pilot.press("p", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert (folder / "paper-11-A.md").read_text() == "marked by hand"
    # the second paper's files all take the next free name, PDF and Markdown alike
    assert sorted(p.name for p in app.last_paper) == sorted(
        f"paper-11-{v}-2{end}" for v in "AB" for end in (".pdf", "-key.pdf", ".md", "-key.md"))
    assert leftovers(folder) == []


async def test_the_drill_screen_keeps_a_file_it_did_not_write(tmp_path):
    """--out given, its file made by someone else after the check: w says so and keeps it;
    with --force (or the file this drill wrote itself) it is replaced."""
    from ui_helpers import make_app

    from nqpf_tutor.ui.app import Choice
    from nqpf_tutor.ui.screens.drill import DrillResultsScreen

    out = tmp_path / "r.csv"
    opts = {"n": 2, "seconds": 0, "seed": 5, "students": [], "speed_bonus": False, "streaks": False,
            "leaderboard": True, "out": str(out), "force": False}
    app = make_app(tmp_path, start="drill", choice=Choice(deck_ids=["sample", "second"], n=2, seed=5), drill_options=opts)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        out.write_text("someone else's")
        await pilot.press("1", "enter", "escape")  # one answer, then stop: the results are written by themselves
        await pilot.pause()
        assert isinstance(app.screen, DrillResultsScreen)
        assert out.read_text() == "someone else's"
        assert any(str(n.message) == f"{out} already exists; nothing was written: move it away and press w, or start the drill with --force"
                   for n in app._notifications)
        app.drill_options["force"] = True
        await pilot.press("w")
        await pilot.pause()
    assert out.read_text().startswith("drill_id,")
