"""Issue 17: the fast paths count exactly what the slow ones counted, on seeded stores; slow
work in the app runs in workers with a progress indication, and the UI stays responsive.

The slow references are kept here or beside the tests: ``StudySession(deck.cards).counts()``
with the Python ``Store.count_due`` (for the home screen's SQL counts), and the original
``compute_stats`` in ``tests/stats_reference.py`` (for the SQL aggregates).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import State

import stats_reference
from nqpf_tutor.core.learning.counts import deck_counts
from nqpf_tutor.core.learning.figures import review_totals
from nqpf_tutor.core.loader import Catalog, load_deck_file
from nqpf_tutor.core.model import Card, Deck
from nqpf_tutor.core.scheduler import CardState
from nqpf_tutor.core.session import (
    _TICK, LEARNING_STATES, REVIEW_STATES, Counts, StudySession, _old_key, sync_catalog,
)
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.stats import compute_stats
from nqpf_tutor.core.store import Store, _state_params, state_json

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


def make_decks(n_decks: int = 3, per_deck: int = 60) -> list[Deck]:
    decks = []
    tags = ["eras", "foundations", "policies", "dates", "other"]
    for d in range(n_decks):
        cards = tuple(
            Card(deck_id=f"d{d}", id=f"c{i}", type="flip", prompt=f"Q {d}/{i}", answer=f"A {i}",
                 tags=(tags[i % 5], tags[(i * 7) % 5]))
            for i in range(per_deck)
        )
        decks.append(Deck(id=f"d{d}", title=f"Deck {d}", cards=cards))
    return decks


def seeded_store(tmp_path, decks: list[Deck], seed: int, odd: bool = True) -> Store:
    """States for most cards (every state, suspended, buried, leech, edited, exact 21-day
    intervals, due exactly now), a few orphans, answers over 200 days with some undone."""
    rng = random.Random(seed)
    tmp_path.mkdir(parents=True, exist_ok=True)
    store = Store.open(tmp_path / f"s{seed}.sqlite3", now=NOW)
    keys = [c.key for d in decks for c in d.cards if rng.random() < 0.85]
    keys += [("gone", f"x{i}") for i in range(7)] + [(decks[0].id, f"removed{i}") for i in range(4)]
    states = []
    for k in keys:
        r = rng.random()
        reps = 0 if r < 0.08 else rng.randint(1, 9)
        state = rng.choice((State.Learning.value, State.Relearning.value, State.Review.value, State.Review.value))
        due = NOW + rng.choice((timedelta(0), timedelta(minutes=rng.uniform(-90, 90)),
                                timedelta(days=rng.uniform(-20, 40)), timedelta(hours=rng.randint(-48, 48))))
        ivl = rng.choice((timedelta(days=21), timedelta(days=21) - timedelta(microseconds=1),
                          timedelta(days=rng.uniform(0.1, 60)), timedelta(days=rng.randint(1, 40))))
        states.append(CardState(
            k[0], k[1], content_hash="h", state=state, step=0 if state != 2 else None,
            stability=rng.choice((None if odd else 1.5, rng.uniform(0.2, 90))) if reps else None,
            difficulty=rng.uniform(1, 10), due=due if reps or rng.random() < 0.5 else None,
            last_review=(due - ivl) if reps else None, reps=reps, lapses=rng.randint(0, 3),
            suspended=rng.random() < 0.1,
            buried_until=rng.choice((None, None, None, NOW + timedelta(hours=3), NOW - timedelta(hours=1), NOW)),
            leech=rng.random() < 0.05, edited=rng.random() < 0.05,
            first_seen=NOW - timedelta(hours=rng.uniform(0, 60)) if reps else None,
        ))
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO card_state (profile_id, deck_id, card_id, content_hash, state, step, stability, difficulty, "
            "due, last_review, reps, lapses, suspended, buried_until, leech, edited, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_state_params(store.profile_id, s) for s in states],
        )
        for j in range(900):
            s = rng.choice(states)
            when = NOW - timedelta(days=rng.uniform(0, 200) ** 1.5 / 14)
            store.conn.execute(
                "INSERT INTO review_log (profile_id, deck_id, card_id, ts, grade, mode, queue, duration_ms, "
                "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (store.profile_id, s.deck_id, s.card_id, when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), rng.randint(1, 4),
                 rng.choice(("study", "quiz")), rng.choice(("new", "learning", "review")),
                 rng.choice((None, rng.randint(500, 20000))), state_json(s), state_json(s)),
            )
        for i in rng.sample(range(1, 901), 40):
            store.conn.execute(
                "INSERT INTO review_log (profile_id, deck_id, card_id, ts, mode, undoes) "
                "SELECT profile_id, deck_id, card_id, ts, 'undo', id FROM review_log WHERE id = ?", (i,))
    return store


def slow_counts(store: Store, cards, settings: Settings, now: datetime) -> Counts:
    """The counts as they were made before issue 17: Python filtering of every due row."""
    s = StudySession(cards, store, settings, clock=lambda: now)
    new_left, review_left = s._limits_left(now)
    ahead = timedelta(minutes=settings.learn_ahead_minutes)
    _, tomorrow = s._today(now)
    return Counts(
        new=s._take(s._new_available(now), new_left) if new_left else 0,
        learning=store.count_due(LEARNING_STATES, now + ahead + _TICK, now, s.cards),
        review=store.count_due(REVIEW_STATES, tomorrow, now, s.cards, review_left) if review_left else 0,
    )


SETTINGS = [Settings(), Settings(new_per_day=500, reviews_per_day=5000), Settings(new_per_day=3, reviews_per_day=4)]
TIMES = [NOW, NOW + timedelta(minutes=30), NOW + timedelta(days=1, hours=2), NOW - timedelta(days=2)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_home_counts_in_sql_equal_one_session_per_deck(tmp_path, seed):
    decks = make_decks()
    store = seeded_store(tmp_path, decks, seed)
    for settings in SETTINGS:
        for now in TIMES:
            fast = deck_counts(store, decks, settings, now)
            for d in decks:
                assert fast[d.id] == slow_counts(store, d.cards, settings, now), (d.id, settings, now)
                assert fast[d.id] == StudySession(d.cards, store, settings, clock=lambda: now).counts()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_browser_flags_in_sql_equal_reading_every_state(tmp_path, seed):
    """``Store.flagged_keys`` (the browser's ``is:`` filters, ``due`` through the
    ``card_state_live`` index) picks exactly the states a Python reading of every state picks,
    as card uids; ids holding the separator it splits on are read row by row, the same."""
    decks = make_decks()
    store = seeded_store(tmp_path, decks, seed)
    odd = [CardState("d0", "odd\x1fid", content_hash="h", reps=2, due=NOW - timedelta(hours=1)),
           CardState("d1", "c0\x1f", content_hash="h", reps=1, due=NOW)]
    with store.transaction():
        store.conn.executemany(
            "INSERT OR REPLACE INTO card_state (profile_id, deck_id, card_id, content_hash, state, step, stability, "
            "difficulty, due, last_review, reps, lapses, suspended, buried_until, leech, edited, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_state_params(store.profile_id, s) for s in odd])
    states = store.states()
    tests = {
        "answered": lambda s, now: s.reps > 0,
        "suspended": lambda s, now: s.suspended,
        "leech": lambda s, now: s.leech,
        "due": lambda s, now: s.reps > 0 and not s.suspended and s.due is not None and s.due <= now,
    }
    for flag, test in tests.items():
        for now in (NOW, NOW - timedelta(days=3), NOW + timedelta(days=30)):
            want = {f"{s.deck_id}/{s.card_id}" for s in states if test(s, now)}
            assert want and store.flagged_keys(flag, now) == want, (flag, now)
    assert "d0/odd\x1fid" in store.flagged_keys("due", NOW)
    plan = " ".join(str(r) for r in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM card_state INDEXED BY card_state_live WHERE profile_id = 1 "
        "AND state IN (1, 2, 3) AND due <= '2026' AND reps > 0 AND suspended = 0"))
    assert "card_state_live" in plan
    store.close()


@pytest.mark.parametrize("seed", [6, 7])
def test_home_counts_with_an_exam_plan_custom_extra_and_deck_limits_equal_one_session_per_deck(tmp_path, seed):
    """The home screen's New column is what studying that deck would offer: an exam plan's pace
    (over the deck's planned cards), custom study's extra new cards and decks' own limits."""
    from nqpf_tutor.core.learning.profile import PlanSpec, save_plan

    decks = make_decks(per_deck=120)
    store = seeded_store(tmp_path, decks, seed)
    LATER = NOW + timedelta(days=5)  # the last day to start cards for the exam: the pace takes all left
    without = {extra: deck_counts(store, decks, Settings(new_per_day=2), LATER, extra_new=extra) for extra in (0, 5)}
    save_plan(store, PlanSpec(exam=NOW.date() + timedelta(days=18), deck_ids=("d0", "d1"), tags=("eras",),
                              set_on=NOW.date()))
    plain = Settings(new_per_day=2)
    own = Settings(new_per_day=2, deck_new_per_day={"d1": 4})
    paced = False
    for settings in (plain, own):
        for extra in (0, 5):
            fast = deck_counts(store, decks, settings, LATER, extra_new=extra)
            for d in decks:
                session = StudySession(d.cards, store, settings, clock=lambda: LATER, extra_new=extra)
                assert fast[d.id] == session.counts(), (d.id, settings, extra)
            if settings is plain:  # the pace, not the settings' 2 a day, made deck d0's count
                paced |= fast["d0"].new != without[extra]["d0"].new
            assert fast["d2"] == without[extra]["d2"] or settings is own  # a deck outside the plan: as before
    assert paced


@pytest.mark.parametrize("seed", [4, 5, 12, 13])
def test_session_counts_in_sql_equal_python_counting_while_answering(tmp_path, seed):
    decks = make_decks()
    store = seeded_store(tmp_path, decks, seed, odd=False)
    cards = [c for d in decks for c in d.cards][5:150]  # a selection across decks
    clock = [NOW]
    settings = Settings(new_per_day=30, reviews_per_day=60)
    session = StudySession(cards, store, settings, clock=lambda: clock[0])
    rng = random.Random(seed)
    for _ in range(80):
        assert session.counts() == slow_counts(store, cards, settings, clock[0])
        card = session.next_card()
        if card is None:
            break
        r = rng.random()
        if r < 0.1:
            session.bury(card)
        elif r < 0.15:
            session.suspend(card)
        else:
            session.answer(card, rng.choice((1, 2, 3, 4)), duration_ms=3000)
            if rng.random() < 0.1:
                session.undo()
        if r > 0.95:  # a write the session did not make, on its own connection ...
            other = rng.choice(cards)
            store.put(replace(store.get(*other.key) or CardState(*other.key), reps=2, state=2, due=clock[0]))
        elif r > 0.9:  # ... or from another program
            conn = sqlite3.connect(store.path, isolation_level=None)
            conn.execute("UPDATE card_state SET suspended = 1 - suspended WHERE card_id = ?", (rng.choice(cards).id,))
            conn.close()
        clock[0] += timedelta(minutes=rng.choice((0, 1, 7, 200)))


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_stats_in_sql_equal_the_python_original(tmp_path, seed):
    decks = make_decks()
    store = seeded_store(tmp_path, decks, seed)
    cards = [c for d in decks for c in d.cards] + [decks[1].cards[0]]  # a duplicate key too
    for now in TIMES:
        for settings in SETTINGS[:2]:
            assert compute_stats(store, cards, settings, now) == stats_reference.compute_stats(store, cards, settings, now)
    assert compute_stats(store, cards[:50], Settings(), NOW, mastery_tags=["other", "eras"]) == \
        stats_reference.compute_stats(store, cards[:50], Settings(), NOW, mastery_tags=["other", "eras"])


def test_review_totals_from_indexes_equal_the_reviews_view(tmp_path):
    store = seeded_store(tmp_path, make_decks(), 9)
    for since in (None, NOW - timedelta(days=30), NOW - timedelta(days=1), NOW + timedelta(days=1)):
        assert review_totals(store, since) == store.review_stats(since)


def slow_sync_catalog(store: Store, cards) -> tuple:
    """``sync_catalog`` as it was before issue 17 (every state read and parsed)."""
    cards = list(cards)
    catalog = {c.key for c in cards}
    edited, renamed = [], []
    with store.transaction():
        states = {s.key: s for s in store.states()}
        for card in cards:
            state = states.get(card.key)
            if state is None:
                for old in card.formerly:
                    key = _old_key(card, old)
                    if key in states and key not in catalog and store.rename(key, card.key):
                        state = replace(states.pop(key), deck_id=card.deck_id, card_id=card.id)
                        states[card.key] = state
                        renamed.append((f"{key[0]}/{key[1]}", card.uid))
                        break
            if state is None or state.content_hash == card.content_hash:
                continue
            if state.reps > 0 and state.content_hash:
                store.mark_edited(card.deck_id, card.id, card.content_hash)
                edited.append(card.uid)
            else:
                store.put(replace(state, content_hash=card.content_hash))
        orphans = [s for k, s in states.items() if k not in catalog]
    return edited, renamed, orphans


@pytest.mark.parametrize("seed", [10, 11])
def test_sync_catalog_reads_hashes_only_and_reports_the_same(tmp_path, seed):
    decks = make_decks(2, 12)
    fast_store = seeded_store(tmp_path / "a", decks, seed)
    slow_store = seeded_store(tmp_path / "b", decks, seed)
    cards = [c for d in decks for c in d.cards]
    cards[3] = replace(cards[3], id="c3-new", formerly=("c3",))  # renamed
    cards[5] = replace(cards[5], id="c5-new", formerly=("d1/c5", "gone/x1"))  # moved from a removed deck
    for store in (fast_store, slow_store):  # some states already hold today's hash
        with store.transaction():
            store.conn.execute("UPDATE card_state SET content_hash = ? WHERE card_id IN ('c1', 'c2')",
                               (cards[1].content_hash,))
    for _ in range(2):
        fast, slow = sync_catalog(fast_store, cards), slow_sync_catalog(slow_store, cards)
        assert (fast.edited, fast.renamed, fast.orphans) == slow
        assert fast_store.states() == slow_store.states()
    assert fast.orphans  # there were some to report


@pytest.mark.parametrize("seed", [15, 16])
def test_sync_catalog_same_with_odd_ids_and_decks_in_several_runs(tmp_path, seed):
    """Stored ids holding the separators of ``content_marks``' one-string read (that deck is
    read row by row), a never-answered state whose hash is current, and a deck whose cards come
    in two runs: the same report and states as the original, row by row."""
    decks = make_decks(3, 10)
    fast_store = seeded_store(tmp_path / "a", decks, seed)
    slow_store = seeded_store(tmp_path / "b", decks, seed)
    cards = [c for d in decks for c in d.cards]
    cards = cards[:5] + cards[10:20] + cards[5:10] + cards[20:]  # d0, d1, d0 again, d2
    for store in (fast_store, slow_store):
        with store.transaction():
            for cid in ("odd\x1fid", "odd\x1eid", "x\x1f\x1f"):
                store.put(CardState("d1", cid, content_hash="h", reps=2, state=2, due=NOW, first_seen=NOW))
            store.put(CardState("d2", "c3", content_hash=cards[25].content_hash, reps=0, suspended=True))
    assert "odd\x1fid" in fast_store.content_marks()["d1"]
    fast, slow = sync_catalog(fast_store, cards), slow_sync_catalog(slow_store, cards)
    assert (fast.edited, fast.renamed, fast.orphans) == slow
    assert fast_store.states() == slow_store.states()
    assert ("d1", "odd\x1fid") in fast.orphan_keys
    assert fast_store.answered_keys() == fast_store.keys(answered=True)


def test_answered_keys_reuse_the_sync_read_only_while_nothing_was_written(tmp_path):
    decks = make_decks(2, 12)
    store = seeded_store(tmp_path, decks, 14)
    cards = [c for d in decks for c in d.cards]
    sync_catalog(store, cards)
    assert store.answered_keys() == store.keys(answered=True)
    sync_catalog(store, cards)
    other = sqlite3.connect(store.path, isolation_level=None)  # another program answers a card
    other.execute("UPDATE card_state SET reps = 0 WHERE deck_id = 'd0' AND card_id = 'c5'")
    other.close()
    assert store.answered_keys() == store.keys(answered=True)
    sync_catalog(store, cards)
    store.put(replace(store.get("d0", "c6") or CardState("d0", "c6"), reps=0))  # this connection writes
    assert ("d0", "c6") not in store.answered_keys()
    assert store.answered_keys() == store.keys(answered=True)


def test_deck_cache_keeps_the_content_hash_and_the_cards(write_deck, tmp_path):
    path = write_deck("""
        deck: {id: demo, title: Demo, order: 2}
        cards:
          - {id: a, type: flip, prompt: "P [bold]", answer: A, tags: [x]}
          - {id: b, type: mcq, prompt: Q, answer: R, distractors: [S, T]}
          - {id: c, type: cloze, text: "The {{answer}} here"}
    """)
    first = load_deck_file(path, cache_dir=tmp_path / "cache")
    second = load_deck_file(path, cache_dir=tmp_path / "cache")
    assert second.cards == first.cards and second.sources == first.sources
    assert second.order == first.order == 2 and second.path == first.path
    assert [c.content_hash for c in second.cards] == [replace(c).content_hash for c in first.cards]
    assert "_content_hash" in second.cards[0].__dict__  # read from the cache, not hashed again
    assert second.cards[0].to_dict() == first.cards[0].to_dict()


def test_cards_from_the_cache_read_their_bodies_only_when_asked(write_deck, tmp_path):
    """A cached card holds at first only what start-up reads of every card; the rest of that one
    card is read when first asked for, and it is then the very card the parse made (every
    card type, table cards, defaults), in equality, copies, pickles and ``replace``."""
    import copy
    import pickle

    path = write_deck("""
        deck: {id: lazy, title: Lazy}
        sources: [{id: s1, title: A source}]
        tables:
          - id: eras
            row_label: era
            columns: [{id: power, label: power source}]
            rows:
              - {id: steam, name: Steam era, power: Coal}
              - {id: electric, name: Electric era, power: Electricity}
              - {id: info, name: Information era, power: Silicon}
        cards:
          - {id: f, type: flip, prompt: "P [bold]", answer: A, tags: [x], sources: [s1], explanation: E}
          - {id: m, type: mcq, prompt: Q, answer: R, distractors: [S, T], formerly: [old-m]}
          - {id: t, type: truefalse, prompt: Sky is blue, answer: true}
          - {id: y, type: typed, prompt: Type, answer: Word, accept: [word2]}
          - {id: c, type: cloze, text: "The {{answer}} and {{two}}", accept: [[ans], []]}
          - {id: o, type: order, prompt: Order, items: [one, two, three]}
          - {id: d, type: flip, prompt: Defaults, answer: D}
    """)
    parsed = load_deck_file(path, cache_dir=tmp_path / "cache")
    cached = load_deck_file(path, cache_dir=tmp_path / "cache")
    assert len(cached.cards) == len(parsed.cards) > 7  # the table's cards too
    lazy = cached.cards
    for card in lazy:
        assert "prompt" not in card.__dict__ and "explanation" not in card.__dict__
        assert card.key == (card.deck_id, card.id) and "table" in card.__dict__ and "tags" in card.__dict__
    by_id, want = {c.id: c for c in lazy}, {c.id: c for c in parsed.cards}
    assert by_id["m"].formerly == ("old-m",) and "answer" not in by_id["m"].__dict__  # start-up's fields: no body read
    assert by_id["f"].prompt == "P [bold]" and "answer" in by_id["f"].__dict__ and "_body" not in by_id["f"].__dict__
    assert "prompt" not in by_id["m"].__dict__  # one card's body read, not its deck's
    assert copy.copy(by_id["t"]) == want["t"] and pickle.loads(pickle.dumps(by_id["y"])) == want["y"]
    assert replace(by_id["c"], id="c2").blank_accept == want["c"].blank_accept == (("ans",), ())
    assert by_id["d"].explanation == "" and by_id["d"].line == want["d"].line  # defaults come from the body
    assert by_id["eras.steam.power"].table == "eras" and by_id["eras.steam.power"].answer == "Coal"
    assert cached.cards == parsed.cards and [repr(c) for c in cached.cards] == [repr(c) for c in parsed.cards]
    assert [c.to_dict() for c in cached.cards] == [c.to_dict() for c in parsed.cards]
    with pytest.raises(AttributeError):
        lazy[-1].no_such_field  # noqa: B018
    with pytest.raises(AttributeError):
        parsed.cards[0].no_such_field  # noqa: B018


def test_checkpoints_run_in_the_background_not_in_commits(tmp_path):
    store = Store.open(tmp_path / "p.sqlite3", now=NOW)
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    for i in range(Store.CHECKPOINT_EVERY - 1):
        with store.transaction():
            store.put(CardState("d", f"c{i}", reps=1, due=NOW))
    assert store.__dict__.get("_checkpointer") is None
    with store.transaction():  # the 100th commit starts one, and does not wait for it
        store.put(CardState("d", "last", reps=1, due=NOW))
    thread = store.__dict__.get("_checkpointer")
    assert thread is not None
    thread.join(5)
    assert not thread.is_alive()
    busy, log, done = store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and log == done
    store.close()


# --- the app: workers, progress, responsiveness -------------------------------------------------


async def test_stats_are_computed_in_a_worker_with_a_loading_indicator(tmp_path, monkeypatch):
    from textual.widgets import TabbedContent

    from nqpf_tutor.ui.screens import stats as stats_screen
    from ui_helpers import make_app

    gate = threading.Event()
    real = stats_screen.compute_stats

    def slow(*a, **k):
        gate.wait(10)
        return real(*a, **k)

    monkeypatch.setattr(stats_screen, "compute_stats", slow)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        tabs = screen.query_one("#stats-tabs", TabbedContent)
        assert tabs.loading  # progress shown while computing
        assert "computing" in str(screen.query_one("#stats-title").render())
        await pilot.press("3")  # the UI answers keys meanwhile
        await pilot.pause()
        assert tabs.active == "reviews"
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not tabs.loading and screen.stats["profile"] == "default"
        assert "profile default" in str(screen.query_one("#stats-title").render())


async def test_reload_waits_on_a_locked_store_in_a_worker_ui_responsive(tmp_path):
    from ui_helpers import make_app

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        blocker = sqlite3.connect(app.store.path, isolation_level=None, timeout=0)
        blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            await pilot.press("r")
            await pilot.pause()
            table = app.screen.query_one("#decks")
            assert table.loading  # progress shown
            await pilot.press("question_mark")  # the app still answers keys
            await pilot.pause()
            from nqpf_tutor.ui.screens.help import HelpScreen

            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.screen.query_one("#decks").loading
        assert any("Decks reloaded" in (n.title or "") for n in app._notifications)


async def test_paper_written_in_a_worker(tmp_path, monkeypatch):
    from nqpf_tutor.core import export
    from nqpf_tutor.ui.app import Choice
    from ui_helpers import make_app

    gate = threading.Event()
    real = export.make_paper

    def slow(*a, **k):
        gate.wait(10)
        return real(*a, **k)

    monkeypatch.setattr(export, "make_paper", slow)
    app = make_app(tmp_path, choice=Choice(n=3, seed=5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "enter")  # the paper form (issue 13), as filled
        await pilot.pause()
        assert [w for w in app.workers if w.group == "paper" and w.is_running]  # off the event loop
        assert any("Writing the paper" in n.message for n in app._notifications)  # progress shown
        await pilot.press("question_mark")  # the app answers keys meanwhile
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.last_paper) == 8 and all(p.exists() for p in app.last_paper)  # A and B: PDF, Markdown, keys
        assert any("Paper test written" in (n.title or "") for n in app._notifications)


# --- the faster YAML path: identical objects and errors ------------------------------------------

YAML_CASES = [
    "",
    "# only a comment\n",
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: ~, f: true, g: no, h: 1.5, i: .inf, j: 0x1f, k: 0o17, l: 1_000}\n",
    "when: 2024-01-02\nat: 2024-01-02T03:04:05Z\nbad_date: 2024-13-45\n",
    "base: &b {x: 1}\nuse: *b\nagain: *b\nlist: &l [1, 2]\nl2: *l\n",
    "base: &b {x: 1, y: 2}\nmerged:\n  <<: *b\n  y: 3\n",
    "s: !!set {a, b}\no: !!omap [{a: 1}, {b: 2}]\np: !!pairs [{a: 1}]\n",
    "bin: !!binary aGVsbG8=\nstr: !!str 123\nint: !!int '7'\n",
    "x: !!python/object:os.system ls\n",
    "x: !custom thing\n",
    "x: !!int nope\n",
    "x: " + "9" * 5000 + "\n",
    "x: !!float [1]\n",
    "&a [*a]\n",
    "&m {self: *m}\n",
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "key: [unclosed\n",
    "a: 1\na: 2\n",
    "a: b: c\n",
    "- a\n- b\n---\n- c\n",
    "x: " + "[" * 300 + "]" * 300 + "\n",
    "x: " + "[" * 5000 + "]" * 5000 + "\n",
    "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n",
    "1: one\n2.5: two\ntrue: three\nnull: four\n2024-01-01: five\n",
]


def _yaml_outcome(fn, text):
    try:
        return ("ok", fn(text))
    except Exception as e:  # noqa: BLE001
        return ("error", type(e).__name__, str(e))


def _shape(obj, seen=None):
    """Which containers are the same object (aliases), as a comparable structure."""
    seen = {} if seen is None else seen
    if isinstance(obj, (dict, list)):
        if id(obj) in seen:
            return ("alias", seen[id(obj)])
        seen[id(obj)] = len(seen)
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        return tuple((k, _shape(v, seen)) for k, v in items)
    return type(obj).__name__


def _yaml_texts():
    from pathlib import Path

    from nqpf_tutor.locations import bundled_decks_dir

    files = sorted(bundled_decks_dir().glob("*.yaml")) + sorted((Path(__file__).parent / "fixtures").rglob("*.yaml"))
    return YAML_CASES + [f.read_text("utf-8") for f in files]


def test_fast_yaml_load_gives_the_same_objects_and_errors_as_pyyaml():
    import yaml

    from nqpf_tutor.core.loader import _loader_class, load_yaml

    def standard(text):  # PyYAML's own constructor, on the loader class the decks use
        return yaml.load(text, Loader=_loader_class())

    texts = _yaml_texts()
    assert len(texts) > len(YAML_CASES) + 3
    for text in texts:
        fast, slow = _yaml_outcome(load_yaml, text), _yaml_outcome(standard, text)
        try:
            same = fast == slow
        except RecursionError:  # a structure containing itself: compare the shapes
            same = True
        assert same, text[:80]
        if fast[0] == "ok" and not isinstance(fast[1], str):
            try:
                assert _shape(fast[1]) == _shape(slow[1]), text[:80]
            except RecursionError:
                pass


def test_deck_errors_are_the_same_with_the_fast_yaml_path(tmp_path, monkeypatch):
    import yaml

    import nqpf_tutor.core.loader as loader
    from nqpf_tutor.core.loader import DeckError, parse_deck_bytes

    def problems(text):
        try:
            parse_deck_bytes(text.encode(), "d.yaml")
            return []
        except DeckError as e:
            return [str(p) for p in e.problems]

    texts = _yaml_texts()
    fast = [problems(t) for t in texts]
    monkeypatch.setattr(loader, "load_yaml", lambda text: yaml.load(text, Loader=loader._loader_class()))
    assert [problems(t) for t in texts] == fast


def test_study_start_does_not_import_the_home_screen(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    code = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from ui_helpers import make_app
app = make_app(Path({str(tmp_path)!r}), start="study")
screen = app.get_default_screen()
assert type(screen).__name__ == "StudyScreen", screen
print("home" if "nqpf_tutor.ui.screens.home" in sys.modules else "no home")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "no home"


# --- the home screen's counts in a worker thread -------------------------------------------------


def _count_cells(app) -> list[list[str]]:
    table = app.screen.query_one("#decks")
    return [[str(c) for c in table.get_row_at(i)[2:]] for i in range(table.row_count)]


async def test_home_counts_come_from_a_worker_and_keys_work_meanwhile(tmp_path, monkeypatch):
    """A slow count: the deck list is there at once with "…" and "Counting…", keys answer
    (help opens and closes, a deck is chosen), then the numbers replace the dots; a count made
    for an older round (the list was refreshed meanwhile) is not shown."""
    from ui_helpers import make_app, settle_counts

    from nqpf_tutor.ui.screens import home

    gate, started = threading.Event(), threading.Event()
    real = home.deck_counts

    def slow(*args, **kwargs):
        started.set()
        assert gate.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(home, "deck_counts", slow)
    app = make_app(tmp_path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert started.wait(5)
            assert _count_cells(app) == [["…", "…", "…"], ["…", "…", "…"]]
            assert "Counting…" in str(app.screen.query_one("#selection-summary").render())
            await pilot.press("question_mark")  # the app answers keys while counting
            await pilot.pause()
            from nqpf_tutor.ui.screens.help import HelpScreen

            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("space")
            assert app.choice.deck_ids == ["sample"]
            gate.set()
            await settle_counts(pilot)
            assert _count_cells(app) == [["6", "0", "0"], ["2", "0", "0"]]
            assert "Counting…" not in str(app.screen.query_one("#selection-summary").render())
    finally:
        gate.set()


async def test_home_counts_with_the_store_locked_by_another_program(tmp_path):
    """Another program holds the write lock: the counts (reads on the screen's own connection)
    are still made and shown, and the app's own connection is never used by the worker."""
    from ui_helpers import make_app, settle_counts

    app = make_app(tmp_path)
    blocker = sqlite3.connect(app.store.path, isolation_level=None, timeout=0)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle_counts(pilot)
            assert _count_cells(app) == [["6", "0", "0"], ["2", "0", "0"]]
            assert app.screen._reader is not None and app.screen._reader.conn is not app.store.conn
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


async def test_home_count_failure_is_one_line_and_the_app_goes_on(tmp_path, monkeypatch):
    from ui_helpers import make_app, settle_counts

    from nqpf_tutor.core.store import StoreError
    from nqpf_tutor.ui.screens import home

    def broken(*args, **kwargs):
        raise StoreError("progress database is locked by another program")

    monkeypatch.setattr(home, "deck_counts", broken)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_counts(pilot)
        assert _count_cells(app) == [["?", "?", "?"], ["?", "?", "?"]]
        assert any("locked by another program" in str(n.message) for n in app._notifications)
        await pilot.press("space")
        assert app.choice.deck_ids == ["sample"]


async def test_home_reads_no_card_body_from_the_cache(tmp_path):
    """The home screen (deck list, tags, counts in their worker) needs no card's text: cards
    from the deck cache stay unread (a worker's arguments are not written out with repr, which
    would read all 100k cards on the event loop)."""
    from ui_helpers import make_app, settle_counts

    make_app(tmp_path).store.close()  # writes the deck cache
    app = make_app(tmp_path)
    cards = app.catalog.all_cards()
    assert cards and all("_body" in c.__dict__ for c in cards)  # heads only
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_counts(pilot)
        assert _count_cells(app)[0] == ["6", "0", "0"]
    assert all("_body" in c.__dict__ for c in cards)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_home_while_counting(snap_compare, tmp_path, monkeypatch, size):
    """The deck list while its counts are made: "…" in each count, "Counting…" on the summary."""
    from ui_helpers import make_app

    from nqpf_tutor.ui.screens import home

    app = make_app(tmp_path)
    real = home.deck_counts

    def slow(*args, **kwargs):
        deadline = time.monotonic() + 10
        while app.return_value is None and time.monotonic() < deadline:  # until the screenshot is taken
            time.sleep(0.02)
        return real(*args, **kwargs)

    monkeypatch.setattr(home, "deck_counts", slow)
    assert snap_compare(app, terminal_size=size, settle=False)


async def test_home_exam_status_line_is_made_in_the_count_worker(tmp_path, monkeypatch):
    """With an exam plan kept, the home screen's status line goes through every card: it is made
    in the count worker (not on the event loop) and shown with the counts."""
    from datetime import date

    from ui_helpers import make_app, settle_counts

    from nqpf_tutor.core.learning import plan as plan_module
    from nqpf_tutor.core.learning.profile import PlanSpec, save_plan

    threads: list[str] = []
    real = plan_module.exam_status

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_module, "exam_status", recording)
    app = make_app(tmp_path)
    save_plan(app.store, PlanSpec(exam=date(2026, 3, 20), set_on=date(2026, 3, 2)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await settle_counts(pilot)
        line = app.screen.query_one("#exam-status")
        assert line.display and "18 days" in str(line.render())
        assert threads and threading.main_thread().name not in threads
