"""Review figures: compute_stats and ``nqpf-tutor stats [--json]``."""

import json
import sqlite3
import sys
import types
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating, State

from nqpf_tutor.cli import main
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, Scheduler
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.stats import compute_stats, forecast, reviews_per_day
from nqpf_tutor.core.store import Store

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone="Europe/Berlin")
NOW = datetime(2025, 6, 10, 9, 0, tzinfo=BERLIN)


def cards(n, deck="d"):
    return [Card(deck, f"c{i:02d}", "flip", f"Q{i}", f"A{i}") for i in range(n)]


def review_state(card, due, **kw):
    return CardState(card.deck_id, card.id, state=State.Review.value, step=None, stability=10.0, difficulty=5.0,
                     due=due, last_review=due - timedelta(days=10), reps=4, first_seen=due - timedelta(days=40), **kw)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "progress.sqlite3")
    yield s
    s.close()


def test_empty_store(store):
    st = compute_stats(store, cards(5), SETTINGS, NOW)
    assert st["reviews_total"] == st["reviews_today"] == st["cards_seen"] == st["due_now"] == 0
    assert st["new_available"] == 5 and st["learning"] == st["suspended"] == 0
    assert st["retention_30d"] is None
    assert len(st["forecast"]) == 30 and st["forecast"][0] == {"date": "2025-06-10", "due": 0}
    assert st["forecast"][29]["date"] == "2025-07-09"
    json.dumps(st)  # JSON-ready


def test_figures(store):
    cs = cards(30)
    with store.transaction():
        store.put(review_state(cs[0], NOW - timedelta(days=3)))  # overdue
        store.put(review_state(cs[1], datetime(2025, 6, 11, 3, 0, tzinfo=BERLIN)))  # before tomorrow's rollover: today
        store.put(review_state(cs[2], datetime(2025, 6, 11, 4, 0, tzinfo=BERLIN)))  # tomorrow
        store.put(review_state(cs[3], NOW + timedelta(days=5)))
        store.put(review_state(cs[4], NOW - timedelta(days=1), suspended=True, leech=True, lapses=8))
        store.put(review_state(cs[5], NOW - timedelta(days=1), buried_until=datetime(2025, 6, 11, 4, tzinfo=BERLIN)))
        store.put(CardState("d", "c06", suspended=True))  # a new card suspended by hand
        store.put(review_state(Card("gone", "x", "flip", "q", "a"), NOW))  # orphan
    clock = [NOW - timedelta(hours=2)]
    s = StudySession(cs, store, SETTINGS, clock=lambda: clock[0])
    s.answer(cs[7], Rating.Good)  # a new card, now learning (due 7:10)
    s.answer(cs[8], Rating.Again)  # due 7:01
    clock[0] = NOW - timedelta(days=40)
    s.answer(cs[9], Rating.Again)  # long ago: outside the 30 days
    clock[0] = NOW - timedelta(days=1)
    s.answer(cs[10], Rating.Good)  # yesterday
    undone = s.answer(cs[11], Rating.Again)
    s.undo()
    st = compute_stats(store, cs, SETTINGS, NOW)
    assert undone.review_id
    assert st["reviews_total"] == 4
    assert st["reviews_today"] == 2
    assert st["retention_30d"] == round(2 / 3, 4)  # Good, Again today; Good yesterday
    assert st["cards_seen"] == 6 + 4  # six review states in decks (c00-c05), four answered
    assert st["due_now"] == 2 + 4  # c00, c01; learning c07-c10 (all due before now); c05 buried
    assert st["learning"] == 4  # c07, c08, c09, c10
    assert st["suspended"] == 2 and st["leeches"] == 1
    assert st["orphaned"] == 1
    # 30 cards, 10 answered, c06 suspended while new; 2 new cards answered today (c07, c08)
    assert st["new_total"] == 30 - 10 - 1
    assert st["new_available"] == SETTINGS.new_per_day - 2
    f = {d["date"]: d["due"] for d in st["forecast"]}
    assert f["2025-06-10"] == 2 + 4  # c00, c01 and the 4 learning cards
    assert f["2025-06-11"] == 2  # c02 and buried c05
    assert f["2025-06-15"] == 1  # c03, due 5 days on
    assert sum(f.values()) == 9  # suspended c04 not counted


def test_forecast_across_dst(store):
    sched = Scheduler(SETTINGS)
    now = datetime(2025, 3, 29, 12, tzinfo=BERLIN)
    cs = cards(3)
    states = [
        review_state(cs[0], datetime(2025, 3, 30, 3, 30, tzinfo=BERLIN)),  # before the 4:00 rollover (CEST)
        review_state(cs[1], datetime(2025, 3, 30, 4, 0, tzinfo=BERLIN)),
        review_state(cs[2], datetime(2025, 3, 31, 3, 59, tzinfo=BERLIN)),
    ]
    f = forecast(sched, states, now, days=3)
    assert f == [{"date": "2025-03-29", "due": 1}, {"date": "2025-03-30", "due": 2}, {"date": "2025-03-31", "due": 0}]


def test_reviews_per_day(store):
    cs = cards(3)
    clock = [datetime(2025, 6, 8, 23, 0, tzinfo=BERLIN)]
    s = StudySession(cs, store, SETTINGS, clock=lambda: clock[0])
    s.answer(cs[0], Rating.Good)  # 8th
    clock[0] = datetime(2025, 6, 9, 3, 59, tzinfo=BERLIN)
    s.answer(cs[1], Rating.Good)  # still the 8th's study day
    clock[0] = datetime(2025, 6, 9, 4, 0, tzinfo=BERLIN)
    s.answer(cs[2], Rating.Good)  # 9th
    got = reviews_per_day(store, Scheduler(SETTINGS), date(2025, 6, 7), date(2025, 6, 10))
    assert got == {date(2025, 6, 7): 0, date(2025, 6, 8): 2, date(2025, 6, 9): 1, date(2025, 6, 10): 0}


# --- the command ---------------------------------------------------------------------------


@pytest.fixture
def fake_loader(monkeypatch):
    """The deck loader is another module; stand in for it with a fixed catalog."""
    catalog = types.SimpleNamespace(decks=[], warnings=["d.yaml:3:1: an example warning"], all_cards=lambda: cards(4))
    module = types.ModuleType("nqpf_tutor.core.loader")
    module.load_catalog = lambda loc: catalog
    monkeypatch.setitem(sys.modules, "nqpf_tutor.core.loader", module)
    return catalog


def test_stats_json_command(tmp_path, capsys, fake_loader):
    with Store.open(tmp_path / "progress.sqlite3") as store:
        s = StudySession(cards(4), store)
        s.answer(s.next_card(), Rating.Good)
        s.answer(s.next_card(), Rating.Again)
    assert main(["--data-dir", str(tmp_path), "stats", "--json"]) == 0
    out, err = capsys.readouterr()
    st = json.loads(out)
    for key in ("reviews_total", "reviews_today", "cards_seen", "due_now", "new_available", "learning",
                "suspended", "retention_30d", "forecast"):
        assert key in st
    assert st["reviews_total"] == 2 and st["cards_seen"] == 2 and st["retention_30d"] == 0.5
    assert len(st["forecast"]) == 30 and st["profile"] == "default"
    assert err == "nqpf-tutor: warning: d.yaml:3:1: an example warning\n"


def test_stats_text_command_and_profile(tmp_path, capsys, fake_loader):
    assert main(["--data-dir", str(tmp_path), "--profile", "ana", "stats"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Profile ana, study day ")
    assert "Reviews: 0 in all, 0 today; retention over 30 days: -" in out
    assert "0 of 4 seen" in out


def test_stats_with_a_damaged_database(tmp_path, capsys, fake_loader):
    (tmp_path / "progress.sqlite3").write_bytes(b"\x00garbage" * 100)
    assert main(["--data-dir", str(tmp_path), "stats", "--json"]) == 0
    out, err = capsys.readouterr()
    notice = [line for line in err.splitlines() if "damaged" in line]
    assert len(notice) == 1 and notice[0].startswith("nqpf-tutor: progress database was damaged: moved it to ")
    assert json.loads(out)["reviews_total"] == 0


def test_stats_with_a_locked_database(tmp_path, capsys, fake_loader, monkeypatch):
    import nqpf_tutor.core.store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    Store.open(tmp_path / "progress.sqlite3").close()
    locker = sqlite3.connect(tmp_path / "progress.sqlite3", isolation_level=None)
    locker.execute("PRAGMA locking_mode = EXCLUSIVE")
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert main(["--data-dir", str(tmp_path), "stats", "--json"]) == 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[-1] == f"nqpf-tutor: database is locked by another program: {tmp_path / 'progress.sqlite3'}"


def test_stats_with_an_unusable_data_dir(tmp_path, capsys, fake_loader):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--data-dir", str(blocker / "data"), "stats"]) == 1
    err = capsys.readouterr().err
    assert err == f"nqpf-tutor: cannot use data dir {blocker / 'data'}: part of that path is a file\n"


def test_stats_with_bad_settings(tmp_path, capsys, fake_loader):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.yaml").write_text("new_per_day: lots\n")
    assert main(["--data-dir", str(tmp_path), "stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "new_per_day: must be a whole number" in err


def test_stats_without_the_loader(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "nqpf_tutor.core.loader", None)  # import fails
    assert main(["--data-dir", str(tmp_path), "stats"]) == 1
    assert capsys.readouterr().err == "nqpf-tutor: cannot load decks: the deck loader is not available in this build\n"
