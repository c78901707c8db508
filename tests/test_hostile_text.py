"""Issue 11, "Hostile text": escape codes, bidi controls and zero-width characters in deck or
user text never reach a terminal or a file raw (one cleaning step, ``core.text``); messages show
bad values escaped; CSV cells cannot become formulas; the Markdown paper prints text as typed;
only http(s) source addresses become Anki links."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nqpf_tutor.core.anki import source_field
from nqpf_tutor.core.export import Paper, md_escape
from nqpf_tutor.core.loader import DeckError, parse_deck_bytes
from nqpf_tutor.core.model import Card, Deck, Source, is_web_url
from nqpf_tutor.core.questions import Question
from nqpf_tutor.core.text import FORMULA_START, INVISIBLE, clean, csv_text, escape, json_text, safe_cell

FIXTURES = Path(__file__).parent / "fixtures" / "decks"
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # writes the clipboard
TITLE_SET = "\x1b]0;pwned\x1b\\"  # sets the window title
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
RLO = "\u202e"  # right-to-left override
ZWSP = "\u200b"
HOSTILE = f"Eras {OSC52}{TITLE_SET}{CLEAR}{RLO}txt.exe{ZWSP}\u2066x\u2069 [bold]kept[/]"
BAD = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")


def yaml_quoted(s: str) -> str:
    return json.dumps(s)  # a JSON string is a YAML double-quoted scalar (\u escapes)


def hostile_deck(folder: Path, name: str = "evil.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(textwrap.dedent(f"""\
        deck: {{id: evil, title: {yaml_quoted(HOSTILE)}}}
        sources:
          - {{id: s, title: {yaml_quoted("Source " + OSC52)}, url: "https://example.org/x"}}
        cards:
          - {{id: a, type: mcq, prompt: {yaml_quoted("=HYPERLINK(1) " + CLEAR + "~~x~~ <script>")}, answer: {yaml_quoted("@SUM(A1)" + RLO)},
              distractors: ["-2+3", {yaml_quoted(" +cmd|' /C calc'!A0")}], sources: [s]}}
          - {{id: b, type: truefalse, prompt: {yaml_quoted(TITLE_SET + "Is it *true*?")}, answer: true, sources: [s]}}
        """), "utf-8")
    return p


def cli(tmp_path, *args, decks: Path | None = None):
    env = {**os.environ, "NQPF_TUTOR_BUNDLED_DIR": str(FIXTURES), "NQPF_TUTOR_CONFIG_DIR": str(tmp_path / "cfg")}
    extra = ["--decks-dir", str(decks)] if decks else []
    return subprocess.run([sys.executable, "-m", "nqpf_tutor", "--data-dir", str(tmp_path / "data"), *extra, *args],
                          capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)


def no_raw_control(text: str) -> None:
    found = BAD.findall(text.replace("\n", "").replace("\t", ""))
    assert not found, f"raw control/bidi characters reached the output: {found!r}"


# --- the one cleaning step ------------------------------------------------------------------------


@given(st.text())
def test_clean_leaves_no_control_bidi_or_zero_width_character(s):
    out = clean(s)
    no_raw_control(out)
    assert "\x1b" not in out


@given(st.text())
def test_escape_is_one_printable_line_that_shows_what_was_there(s):
    out = escape(s)
    assert "\n" not in out and not BAD.search(out)
    for ch in set(s):
        if BAD.match(ch) or ch in "\n\t":
            assert (f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}") in out


@given(st.recursive(st.text() | st.integers() | st.none(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)))
def test_json_text_is_the_same_data_and_prints_nothing_raw(value):
    s = json_text(value)
    assert json.loads(s) == value
    no_raw_control(s)


def test_bidi_and_zero_width_removed_with_escape_codes():
    assert clean(HOSTILE) == "Eras txt.exex [bold]kept[/]"
    assert escape("a\x1b[2Jb\u202e") == "a\\x1b[2Jb\\u202e"


# --- CSV formulas (OWASP) ---------------------------------------------------------------------------


@given(st.text(), st.sampled_from(["", " ", "  \t", "\n"]), st.sampled_from(FORMULA_START))
def test_a_cell_that_would_be_a_formula_starts_with_a_quote(rest, space, start):
    cell = safe_cell(space + start + rest)
    assert cell.startswith("'")


@given(st.text())
def test_every_csv_cell_is_inert(s):
    row = next(csv.reader(io.StringIO(csv_text(["h"], [[s]]).split("\r\n", 1)[1])), [""])
    cell = row[0] if row else ""
    assert not cell.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@") or cell.startswith("'")
    assert not cell[:1] in ("\t", "\r") and not BAD.search(cell.replace("\n", "").replace("\t", ""))


def test_numbers_stay_numbers():
    assert csv_text(["n"], [[-2.5], [3]]) == "n\r\n-2.5\r\n3\r\n"


# --- the Markdown paper -----------------------------------------------------------------------------


def rendered_text(md: str) -> str:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable(["strikethrough", "table"]).render(md)
    assert "<script" not in html and "<s>" not in html and "<del>" not in html and "<em>" not in html
    assert "<code>" not in html and "<a " not in html and "<img" not in html
    import html as h

    return h.unescape(re.sub(r"<[^>]+>", "", html)).strip()


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab ~*_`#|<>&[]()!-+=.\\$:/1")), min_size=1))
def test_markdown_paper_prints_text_as_typed(s):
    expected = " ".join(clean(s).split())
    if expected:
        assert rendered_text("**1.** " + md_escape(s)) == "1. " + expected
        assert rendered_text(md_escape(s)) == expected  # at a line's start too (no heading, list or rule)


def test_markdown_paper_escapes_strikethrough_html_and_table_pipes():
    card = Card("d", "x", "mcq", "~~x~~ <script>alert(1)</script> # not a heading", "a | b", distractors=("*c*", "_d_"))
    paper = Paper("T <b>", "", (Question(card, card.prompt, ("a | b", "*c*", "_d_"), 0),))
    md = paper.markdown()
    text = rendered_text(md)
    assert "~~x~~ <script>alert(1)</script> # not a heading" in text and "a | b" in text and "*c*" in text
    assert "T <b>" in text


# --- Anki links -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd",
                                 "JaVaScRiPt:alert(1)", "https://", "http://exa mple.org", "vbscript:x"])
def test_only_http_addresses_become_anki_links(url):
    assert not is_web_url(url)
    deck = Deck("d", "D", "", None, False, {"s": Source("s", "S", url=url)}, ())
    field = source_field(Card("d", "c", "flip", "p", "a", sources=("s",)), deck)
    assert "<a " not in field and "href" not in field


def test_http_addresses_are_links():
    deck = Deck("d", "D", "", None, False, {"s": Source("s", "S", url="https://example.org/a?b=1&c=2")}, ())
    assert 'href="https://example.org/a?b=1&amp;c=2"' in source_field(Card("d", "c", "flip", "p", "a", sources=("s",)), deck)


def test_the_loader_refuses_a_source_url_that_is_not_http_with_its_position():
    text = 'deck: {id: d, title: T}\nsources:\n  - id: s\n    title: S\n    url: "javascript:alert(1)"\ncards: []\n'
    with pytest.raises(DeckError) as e:
        parse_deck_bytes(text.encode(), "d.yaml")
    assert [str(p) for p in e.value.problems] == [
        "d.yaml:5:10: source url 'javascript:alert(1)' must be an http:// or https:// address"]


# --- every headless command ---------------------------------------------------------------------------


def test_decks_prints_titles_clean_and_json_keeps_the_data_escaped(tmp_path):
    decks = tmp_path / "decks"
    hostile_deck(decks)
    r = cli(tmp_path, "decks", decks=decks)
    assert r.returncode == 0, r.stderr
    no_raw_control(r.stdout + r.stderr)
    assert "Eras txt.exex [bold]kept[/]" in r.stdout
    r = cli(tmp_path, "decks", "--json", decks=decks)
    no_raw_control(r.stdout)
    assert {d["id"]: d["title"] for d in json.loads(r.stdout)["decks"]}["evil"] == HOSTILE


def test_validate_shows_a_bad_value_and_a_file_name_escaped(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    bad = folder / f"x{CLEAR}{RLO}.yaml"
    bad.write_text(f"deck: {{id: {yaml_quoted('bad' + OSC52)}, title: T}}\ncards:\n  - {{id: a, type: {yaml_quoted('fl' + TITLE_SET)}}}\n")
    r = cli(tmp_path, "validate", str(folder))
    assert r.returncode == 1
    no_raw_control(r.stdout + r.stderr)
    assert "x\\x1b[2J\\x1b[H\\u202e.yaml:1:" in r.stdout
    assert "deck id 'bad\\x1b]52;c;ZWNobyBwd25lZA==\\x07' must be a slug" in r.stdout
    assert "unknown card type 'fl\\x1b]0;pwned\\x1b\\'" in r.stdout


def test_a_skipped_deck_warning_is_escaped(tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / f"broken{OSC52}.yaml").write_text("deck: [\n")
    r = cli(tmp_path, "decks", decks=decks)
    no_raw_control(r.stdout + r.stderr)
    assert "warning: skipped broken\\x1b]52;" in r.stderr


@pytest.mark.parametrize("fmt", ["csv", "markdown", "json"])
def test_export_to_a_terminal_or_a_file_is_clean(tmp_path, fmt):
    decks = tmp_path / "decks"
    hostile_deck(decks)
    r = cli(tmp_path, "export", "--format", fmt, "--deck", "evil", decks=decks)
    assert r.returncode == 0, r.stderr
    no_raw_control(r.stdout)
    r = cli(tmp_path, "export", "--format", fmt, "--deck", "evil", "-o", f"out.{fmt}", decks=decks)
    text = (tmp_path / f"out.{fmt}").read_text("utf-8")
    no_raw_control(text)
    if fmt == "json":
        assert json.loads(text)[0]["answer"] == "@SUM(A1)" + RLO  # the data, escaped as \u202e
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows[0]["prompt"].startswith("'=HYPERLINK(1)") and rows[0]["answer"] == "'@SUM(A1)"
        assert rows[0]["options"].startswith("'@SUM(A1) | -2+3")
    if fmt == "markdown":
        assert "\\~\\~x\\~\\~ \\<script\\>" in text


def test_results_and_stats_print_clean_text(tmp_path):
    from nqpf_tutor.core.drill import Drill, DrillConfig
    from nqpf_tutor.core.store import Store
    from nqpf_tutor.locations import Locations

    card = Card("d", "q", "mcq", "Prompt " + OSC52 + RLO, "=1+1", distractors=("@x", "-y"))
    t = [0.0]
    with Store.open(Locations.resolve(data_dir=tmp_path / "data", environ={}), profile="default") as store:
        d = Drill.create(DrillConfig(n=1, seed=1, students=("+Team",)), [card], store=store, clock=lambda: t[0])
        d.start_question()
        d.answer(d.current.correct)
    r = cli(tmp_path, "results", d.id)
    assert r.returncode == 0, r.stderr
    no_raw_control(r.stdout)
    assert "\n       Prompt\n" in r.stdout
    r = cli(tmp_path, "results", d.id, "--out", "r.csv")
    rows = list(csv.DictReader(open(tmp_path / "r.csv", newline="", encoding="utf-8")))
    assert rows[0]["student"] == "'+Team" and rows[0]["chosen"] == "'=1+1" and rows[0]["prompt"] == "Prompt "
    no_raw_control((tmp_path / "r.json").read_text("utf-8"))
    r = cli(tmp_path, "results", "--json")
    no_raw_control(r.stdout)
    r = cli(tmp_path, "stats")
    assert r.returncode == 0 and not BAD.search(r.stdout.replace("\n", ""))


async def test_the_app_shows_deck_text_without_escape_bidi_or_zero_width_characters(tmp_path):
    """The UI uses the same cleaning step: a home-screen title and a card's prompt."""
    from textual.widgets import DataTable
    from ui_helpers import make_app

    from nqpf_tutor.ui.app import Choice

    hostile_deck(tmp_path / "decks")
    app = make_app(tmp_path, extra_decks=[tmp_path / "decks"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#decks", DataTable)
        titles = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert "Eras txt.exex [bold]kept[/]" in titles
        for t in titles:
            no_raw_control(t)
    app = make_app(tmp_path, start="study", choice=Choice(deck_ids=["evil"]), extra_decks=[tmp_path / "decks"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one("#prompt").render())
        no_raw_control(shown)
        assert "=HYPERLINK(1) ~~x~~ <script>" in shown or "Is it *true*?" in shown
