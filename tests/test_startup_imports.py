"""Start-up imports only what the first screen needs (issue 17: launch to first card).

The real ``nqpf-tutor study`` (and plain ``nqpf-tutor``) start-up runs in a fresh interpreter,
headless (``App.run`` is swapped for ``run_test`` at 80x24); once the first screen is up, the
feature libraries (live games, PDF papers, QR codes, plots, the FSRS optimizer) and the other
screens' modules must not be in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: Libraries only features other than studying use.
FEATURE_LIBRARIES = ["aiohttp", "numpy", "fpdf", "segno", "plotext", "fsrs_rs_python", "yaml"]
#: Screens other than the first.
OTHER_SCREENS = ["browse", "drill", "help", "live", "optimize", "plan", "quiz", "report", "simulate", "stats", "welcome"]

PROBE = """
import asyncio, gc, json, sys
from textual.app import App

shown = {}

def run(self, *args, **kwargs):
    async def go():
        async with self.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = self.screen
            shown["screen"] = type(screen).__name__
            first = getattr(screen, "_first", None)  # the study screen's first card
            shown["prompt"] = first.prompt if first is not None and screen.query("#prompt") else ""
            shown["type"] = first.type if first is not None else ""
            shown["collecting"] = gc.isenabled()  # (resumed after the first frame, the app running)
            shown["frozen"] = gc.get_freeze_count()
            shown["footer"] = " ".join(str(k.description) for k in screen.query("FooterKey"))
    asyncio.run(go())

App.run = run
from nqpf_tutor.cli import main
rc = main(sys.argv[1:])
shown["rc"] = rc
shown["modules"] = sorted(sys.modules)
print(json.dumps(shown))
"""


def _start(tmp_path, *argv: str) -> dict:
    data = tmp_path / "data"
    (data / "config").mkdir(parents=True, exist_ok=True)
    (data / "config" / "welcome-shown").touch()
    env = {**os.environ, "NQPF_TUTOR_DATA_DIR": str(data), "NQPF_TUTOR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("NQPF_TUTOR_DECKS_DIR", None)
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _loaded(modules: list[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


@pytest.mark.parametrize("warm", [False, True], ids=["first-start", "deck-cache-warm"])
def test_study_start_up_imports_no_feature_library(tmp_path, warm):
    if warm:
        _start(tmp_path, "study")  # the decks are parsed and cached
    shown = _start(tmp_path, "study")
    assert shown["rc"] == 0
    assert shown["screen"] == "StudyScreen" and shown["prompt"].strip()  # the first card is on screen
    mods = shown["modules"]
    assert "nqpf_tutor.ui.screens.study" in mods
    libraries = FEATURE_LIBRARIES if warm else [m for m in FEATURE_LIBRARIES if m != "yaml"]  # a cold start parses
    assert [m for m in libraries if _loaded(mods, m)] == []
    assert [s for s in OTHER_SCREENS + ["home"] if f"nqpf_tutor.ui.screens.{s}" in mods] == []
    assert not _loaded(mods, "nqpf_tutor.live") and not _loaded(mods, "nqpf_tutor.core.classroom")
    if shown["type"] == "flip":  # (the bundled decks start on one) its answer widgets come later
        assert "nqpf_tutor.ui.widgets.cards" not in mods and "nqpf_tutor.core.questions" not in mods


def test_the_collector_is_paused_during_start_up_and_resumed_after_the_first_frame(tmp_path):
    """``main`` pauses the cycle collector for an app start; once the first frame is drawn the
    app hands it back, with what start-up loaded frozen (out of later scans)."""
    shown = _start(tmp_path, "study")
    assert shown["rc"] == 0 and shown["screen"] == "StudyScreen"
    assert shown["collecting"] is True and shown["frozen"] > 10_000
    # The study footer, mounted just after the first frame, shows its keys from the start.
    assert "Show / next" in shown["footer"] and "Home" in shown["footer"]


def test_a_start_that_fails_leaves_the_collector_as_it_was(tmp_path):
    """A launch that stops before the app (an unknown deck) or a parse that exits (help) does
    not leave the collector paused in the calling program."""
    import gc

    from nqpf_tutor.cli import main

    assert gc.isenabled()
    data = str(tmp_path / "data")
    assert main(["--data-dir", data, "study", "--deck", "no-such-deck"]) == 1
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["--data-dir", data, "quiz", "--help"])
    assert gc.isenabled()
    gc.disable()
    try:  # (a caller that paused it itself keeps it paused)
        assert main(["--data-dir", data, "study", "--deck", "no-such-deck"]) == 1
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_home_start_up_imports_no_feature_library(tmp_path):
    shown = _start(tmp_path, "study")  # warm the deck cache
    shown = _start(tmp_path)
    assert shown["rc"] == 0 and shown["screen"] == "HomeScreen"
    mods = shown["modules"]
    assert [m for m in FEATURE_LIBRARIES if _loaded(mods, m)] == []
    assert [s for s in OTHER_SCREENS if f"nqpf_tutor.ui.screens.{s}" in mods] == []


def _parse(parser, argv):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            return 0, vars(parser.parse_args(argv)), out.getvalue(), err.getvalue()
        except SystemExit as e:
            return e.code, None, out.getvalue(), err.getvalue()


def test_the_parser_built_for_one_command_reads_the_command_line_as_the_whole_one():
    """Start-up builds only the command being run (issue 17: ~8 ms of 20 commands' options):
    every command's arguments, help and errors, and every way of writing global options, give
    the same result as the whole parser; an unknown command is reported by the whole one."""
    from nqpf_tutor.cli import build_parser, command_of

    whole = build_parser()
    commands = next(a for a in whole._actions if a.dest == "command").choices
    assert len(commands) >= 17 and "study" in commands
    cases = [[], ["-h"], ["--version"], ["stduy"], ["--", "study"], ["--data", "/x", "study"],
             ["--data-dir", "/x", "study", "--deck", "a", "--tag", "b"], ["--data-dir=/x", "quiz", "-n", "3"],
             ["--profile", "p", "--decks-dir", "/d", "export", "--format", "csv"], ["study", "extra"],
             ["live", "--port", "abc"], ["drill", "--class", "9B", "--student", "a", "-n", "2"]]
    for name in commands:
        cases += [[name], [name, "-h"], [name, "--no-such-option"], ["--profile", "p", name, "x", "y"]]
    for argv in cases:
        assert _parse(build_parser(command_of(argv)), argv) == _parse(whole, argv), argv
    assert command_of(["--data-dir", "/x", "study"]) == "study" and command_of(["-h", "study"]) is None
