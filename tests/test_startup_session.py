"""The study session's new cards taken from ``sync_catalog``'s pass at start-up (issue 17) are
exactly those the store gives when asked on its own: same cards, same order."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timezone

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState
from nqpf_tutor.core.session import StudySession, sync_catalog
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _cards() -> list[Card]:
    cards = [Card(d, f"c{i:03d}", "flip", f"Q{d}{i}", f"A{i}") for d in ("a", "b") for i in range(60)]
    cards.append(Card("b", "renamed", "flip", "Qr", "Ar", formerly=("old",)))  # progress kept under b/old
    cards.append(Card("a", "edited", "flip", "Qe", "Ae"))
    return cards


def _seed(store: Store, cards: list[Card]) -> None:
    rng = random.Random(17)
    for c in cards[:-2]:
        r = rng.random()
        if r < 0.5:
            reps = rng.randint(1, 5)
        elif r < 0.6:
            reps = 0  # suspended or buried while new: a state, never answered
        else:
            continue
        store.put(CardState(c.deck_id, c.id, content_hash=c.content_hash, due=NOW, reps=reps, state=2 if reps else 0,
                            suspended=reps == 0, first_seen=NOW if reps else None))
    store.put(CardState("b", "old", content_hash="x", due=NOW, reps=3, state=2, first_seen=NOW))
    store.put(CardState("a", "edited", content_hash="stale", due=NOW, reps=2, state=2, first_seen=NOW))
    store.put(CardState("gone", "x1", content_hash="h", due=NOW, reps=1, state=2, first_seen=NOW))  # an orphan


def _new(session: StudySession) -> list[tuple[str, str]]:
    return [c.key for c in session._new]


def test_new_cards_from_sync_match_the_stores(tmp_path):
    cards = _cards()
    with Store.open(tmp_path / "one.sqlite3") as one, Store.open(tmp_path / "two.sqlite3") as two:
        _seed(one, cards)
        _seed(two, cards)
        report = sync_catalog(one, list(cards))
        assert report.renamed == [("b/old", "b/renamed")] and "a/edited" in report.edited
        assert report.orphan_keys == [("gone", "x1")]
        fast = StudySession(list(cards), one, Settings())  # takes sync's list
        assert "_unanswered_memo" not in one.__dict__
        sync_catalog(two, list(cards))
        two.__dict__.pop("_unanswered_memo")  # the store asked on its own
        slow = StudySession(list(cards), two, Settings())
        assert _new(fast) == _new(slow)
        assert ("b", "renamed") not in _new(fast) and ("a", "edited") not in _new(fast)
        assert len(_new(fast)) > 30


def test_new_cards_from_the_store_when_the_cards_differ_or_it_was_written(tmp_path):
    cards = _cards()
    with Store.open(tmp_path / "p.sqlite3") as store:
        _seed(store, cards)
        sync_catalog(store, cards)
        some = cards[:50]
        assert _new(StudySession(some, store, Settings())) == [c.key for c in some if store.get(*c.key) is None
                                                             or store.get(*c.key).reps == 0]
        sync_catalog(store, cards)
        first_new = next(c for c in cards if store.get(*c.key) is None)
        store.put(CardState(first_new.deck_id, first_new.id, content_hash=first_new.content_hash, due=NOW, reps=1,
                            state=2, first_seen=NOW))  # answered after the sync, before the session
        session = StudySession(cards, store, Settings())
        assert first_new.key not in _new(session)
        assert _new(session) == [c.key for c in cards if store.get(*c.key) is None or store.get(*c.key).reps == 0]


async def test_study_start_reads_only_the_first_cards_text_from_the_deck_cache(tmp_path):
    """Start-up at 100k cards (issue 17): cards from the deck cache carry their heads only, and a
    study start (session, first card, counts line) reads the text of the card it shows, not of
    every card."""
    from ui_helpers import make_app

    from nqpf_tutor.ui.app import Choice

    make_app(tmp_path).store.close()  # parses the decks and writes the deck cache
    app = make_app(tmp_path, start="study", choice=Choice(deck_ids=["sample"]))
    cards = app.catalog.all_cards()
    assert all("_body" in c.__dict__ for c in cards)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = app.screen.card
        assert shown is not None and shown.prompt
        read = [c.uid for c in cards if "_body" not in c.__dict__]
        assert read == [shown.uid]
