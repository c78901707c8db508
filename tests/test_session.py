"""Study sessions: queue order, daily limits, rollover, leeches, undo, suspend/bury, catalog sync."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from fsrs import Rating, State

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, format_interval
from nqpf_tutor.core.session import Counts, StudySession, grade_for, sync_catalog
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


def make_cards(n, deck="d", prefix="c"):
    return [Card(deck, f"{prefix}{i:02d}", "flip", f"Q{i}", f"A{i}") for i in range(n)]


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "progress.sqlite3")
    yield s
    s.close()


def settings(**kw):
    return Settings(timezone="Europe/Berlin", **kw)


def session(cards, store, clock, **kw):
    learn_ahead = kw.pop("learn_ahead", True)
    return StudySession(cards, store, settings(**kw), clock=clock, learn_ahead=learn_ahead)


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def put_review(store, card, due, stability=10.0, **kw):
    with store.transaction():
        store.put(CardState(card.deck_id, card.id, content_hash=card.content_hash, state=State.Review.value,
                            step=None, stability=stability, difficulty=5.0, due=due,
                            last_review=due - timedelta(days=int(stability)), reps=3,
                            first_seen=due - timedelta(days=30), **kw))


def drain(sess, clock, grade=Rating.Good, limit=200):
    seen = []
    for _ in range(limit):
        card = sess.next_card()
        if card is None:
            break
        seen.append(card.id)
        sess.answer(card, grade)
        clock.advance(seconds=10)
    return seen



def test_new_cards_come_in_catalog_order_and_learning_cards_come_back(store):
    cards = make_cards(3)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    s = session(cards, store, clock, learn_ahead=False)
    assert s.counts() == Counts(new=3, learning=0, review=0)
    order = []
    for _ in range(3):
        c = s.next_card()
        order.append(c.id)
        s.answer(c, Rating.Good)  # new -> learning step 2 (10 minutes)
    assert order == ["c00", "c01", "c02"]
    assert s.next_card() is None
    assert s.counts() == Counts(new=0, learning=0, review=0)
    assert s.next_due_time() == store.get("d", "c00").due
    clock.advance(minutes=10)
    assert s.counts().learning == 3
    assert s.next_card().id == "c00"  # learning cards due now come first


def test_learn_ahead_shows_learning_cards_early_when_nothing_else(store):
    cards = make_cards(1)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    s = session(cards, store, clock)
    s.answer(s.next_card(), Rating.Good)  # due in 10 minutes, inside the 20-minute learn-ahead
    assert s.next_card().id == "c00"
    assert session(cards, store, clock, learn_ahead_minutes=5).next_card() is None


def test_new_card_limit_and_the_next_study_day(store):
    cards = make_cards(10)
    clock = Clock(berlin(2025, 6, 10, 22, 0))
    s = session(cards, store, clock, new_per_day=3, learn_ahead=False)
    assert s.counts().new == 3
    assert drain(s, clock, Rating.Easy) == ["c00", "c01", "c02"]  # Easy: straight to review, days away
    assert s.counts() == Counts(new=0, learning=0, review=0)
    clock.now = berlin(2025, 6, 11, 0, 30)  # past midnight: still the same study day
    assert s.next_card() is None
    assert s.next_due_time() == berlin(2025, 6, 11, 4, 0)
    clock.now = berlin(2025, 6, 11, 3, 59, 59)
    assert s.next_card() is None
    clock.now = berlin(2025, 6, 11, 4, 0)  # the rollover hour: a new day, new cards again
    assert s.counts().new == 3
    assert s.next_card().id == "c03"
    # a session opened later the same day counts what was already done today
    s.answer(s.next_card(), Rating.Easy)
    assert session(cards, store, clock, new_per_day=3).counts().new == 2


def test_review_limit(store):
    cards = make_cards(6)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    for c in cards:
        put_review(store, c, berlin(2025, 6, 9, 12, 0))
    s = session(cards, store, clock, reviews_per_day=4)
    assert s.counts() == Counts(new=0, learning=0, review=4)
    assert len(drain(s, clock)) == 4
    assert s.next_card() is None
    assert s.next_due_time() == berlin(2025, 6, 11, 4, 0)


def test_reviews_are_due_by_study_day_not_by_hour(store):
    cards = make_cards(2)
    clock = Clock(berlin(2025, 6, 10, 5, 0))
    put_review(store, cards[0], berlin(2025, 6, 10, 23, 30))  # due late today
    put_review(store, cards[1], berlin(2025, 6, 11, 2, 0))  # due after midnight, before the rollover: today too
    s = session(cards, store, clock)
    assert s.counts().review == 2
    put_review(store, cards[1], berlin(2025, 6, 11, 4, 0))  # due at the next rollover: tomorrow
    assert s.counts().review == 1


def test_rollover_across_a_dst_change(store):
    # Berlin, 30 March 2025: 02:00 CET -> 03:00 CEST; the study day starts at 4:00 local either way
    cards = make_cards(1)
    put_review(store, cards[0], berlin(2025, 3, 30, 12, 0))
    clock = Clock(datetime(2025, 3, 30, 1, 59, tzinfo=UTC))  # 03:59 CEST
    s = session(cards, store, clock)
    assert s.next_card() is None
    assert s.next_due_time() == datetime(2025, 3, 30, 2, 0, tzinfo=UTC)  # 04:00 CEST
    clock.now = datetime(2025, 3, 30, 2, 0, tzinfo=UTC)
    assert s.next_card() == cards[0]


def test_new_cards_are_spread_among_reviews(store):
    new = make_cards(4, prefix="n")
    old = make_cards(8, prefix="r")
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    for c in old:
        put_review(store, c, berlin(2025, 6, 9, 9, 0), stability=50)
    s = session(old + new, store, clock)
    order = drain(s, clock, Rating.Easy)
    assert sorted(order) == sorted(c.id for c in old + new)
    kinds = "".join(i[0] for i in order)
    assert kinds == "rnrrnrrnrrnr"  # evenly spread, not all first or last


def test_leech_is_suspended_and_reported(store):
    cards = make_cards(2)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    put_review(store, cards[0], berlin(2025, 6, 9, 9, 0), lapses=7)
    s = session(cards, store, clock)
    card = s.next_card()
    assert card == cards[0]
    result = s.answer(card, Rating.Again)
    assert result.leech and result.after.lapses == 8
    st = store.get("d", "c00")
    assert st.leech and st.suspended
    assert s.next_card() == cards[1]
    assert all(c != cards[0] for c in drain(s, clock))
    other = s.answer(cards[1], Rating.Again)
    assert not other.leech


def test_suspend_bury_and_back(store):
    cards = make_cards(2)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    s = session(cards, store, clock, learn_ahead=False)
    s.suspend(cards[0])
    assert s.next_card() == cards[1] and s.counts().new == 1
    s.bury(cards[1])
    assert s.next_card() is None
    assert store.get("d", "c01").buried_until == berlin(2025, 6, 11, 4, 0)
    assert s.next_due_time() == berlin(2025, 6, 11, 4, 0)
    clock.now = berlin(2025, 6, 11, 4, 0)
    assert s.next_card() == cards[1]  # buried until the next study day only
    s.unsuspend(cards[0])
    assert s.next_card() == cards[0]
    # a buried review card too
    put_review(store, cards[0], berlin(2025, 6, 10, 9, 0))
    s.bury(cards[0])
    assert s.counts().review == 0


def test_undo_restores_state_exactly_and_shows_the_card_again(store):
    cards = make_cards(3)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    put_review(store, cards[2], berlin(2025, 6, 9, 9, 0))
    s = session(cards, store, clock)
    before_counts = s.counts()
    card = s.next_card()
    stored_before = store.get(*card.key)
    r = s.answer(card, Rating.Again, 3000)
    clock.advance(seconds=30)
    assert s.can_undo
    assert s.undo() == card
    assert store.get(*card.key) == stored_before
    assert s.counts() == before_counts
    assert s.next_card() == card  # shown again at once
    # several undos in a row, including a new card's first answer (no state afterwards)
    answered = []
    for _ in range(3):
        c = s.next_card()
        answered.append((c, store.get(*c.key)))
        s.answer(c, Rating.Good)
        clock.advance(seconds=5)
    for c, state in reversed(answered):
        assert s.undo() == c
        assert store.get(*c.key) == state
    assert s.undo() is None and not s.can_undo
    assert store.review_stats() == (0, 0)
    assert r.review_id > 0


def test_answer_is_committed_when_it_returns(store, tmp_path):
    cards = make_cards(1)
    s = session(cards, store, Clock(berlin(2025, 6, 10, 9, 0)))
    r = s.answer(s.next_card(), grade_for(True), 2500, mode="quiz")
    with Store.open(store.path) as other:  # another connection sees it at once
        assert other.get("d", "c00") == r.after
        e = other.log_entry(r.review_id)
        assert (e.grade, e.mode, e.duration_ms, e.queue) == (Rating.Good, "quiz", 2500, "new")


def test_a_second_window_is_seen_at_once(store):
    cards = make_cards(3)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    a = session(cards, store, clock, learn_ahead=False)
    with Store.open(store.path) as other_store:
        b = session(cards, other_store, clock, learn_ahead=False)
        b.answer(b.next_card(), Rating.Easy)
        assert a.next_card().id == "c01"  # c00 was answered in the other window
        assert a.counts().new == 2


def test_grade_mapping_and_preview(store):
    assert grade_for(False) == Rating.Again and grade_for(True) == Rating.Good
    cards = make_cards(1)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    put_review(store, cards[0], berlin(2025, 6, 10, 9, 0), stability=30)
    s = session(cards, store, clock)
    preview = s.preview(cards[0])
    assert format_interval(preview[Rating.Again]) == "10m"  # the relearning step
    assert preview[Rating.Again] < preview[Rating.Hard] < preview[Rating.Good] < preview[Rating.Easy]
    assert 0 < s.retrievability(cards[0]) <= 1
    result = s.answer(cards[0], Rating.Good)
    assert result.interval == preview[Rating.Good]  # the button told the truth, fuzz and all


def test_sync_flags_edits_moves_renames_and_keeps_orphans(store):
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    v1 = make_cards(4)
    s = session(v1, store, clock)
    for c in v1:
        s.answer(c, Rating.Good)
    progress = {c.id: store.get(*c.key) for c in v1}
    v2 = [
        replace(v1[0], answer="A0, reworded"),  # edited
        v1[1],  # unchanged
        replace(v1[2], id="c02-renamed", formerly=("c02",)),  # renamed
        Card("d", "fresh", "flip", "Q", "A", formerly=("c01",)),  # claims a card still in the decks: not moved
    ]  # c03 is gone from the decks
    report = sync_catalog(store, v2)
    assert report.edited == ["d/c00"]
    assert report.renamed == [("d/c02", "d/c02-renamed")]
    assert [o.uid for o in report.orphans] == ["d/c03"]
    edited = store.get("d", "c00")
    assert edited.edited and edited.content_hash == v2[0].content_hash
    assert replace(edited, edited=False, content_hash=progress["c00"].content_hash) == progress["c00"]
    assert store.get("d", "c02") is None
    assert replace(store.get("d", "c02-renamed"), card_id="c02") == progress["c02"]
    assert store.get("d", "fresh") is None and store.get("d", "c01") == progress["c01"]
    assert store.get("d", "c03") == progress["c03"]  # kept, not deleted
    assert [o.uid for o in store.orphans(c.uid for c in v2)] == ["d/c03"]
    # syncing again changes nothing; answering an edited card clears its flag
    assert sync_catalog(store, v2).edited == [] and sync_catalog(store, v2).renamed == []
    clock.advance(minutes=15)
    assert not StudySession(v2, store, settings(), clock=clock).answer(v2[0], Rating.Good).after.edited


def test_formerly_can_name_another_deck(store):
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    old = Card("old-deck", "x", "flip", "Q", "A")
    session([old], store, clock).answer(old, Rating.Good)
    new = Card("new-deck", "y", "flip", "Q", "A", formerly=("old-deck/x",))
    assert sync_catalog(store, [new]).renamed == [("old-deck/x", "new-deck/y")]
    assert store.get("new-deck", "y").reps == 1


def test_cards_outside_the_selection_are_not_offered(store):
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    a, b = make_cards(1, deck="a"), make_cards(1, deck="b")
    for c in a + b:
        put_review(store, c, berlin(2025, 6, 9, 9, 0))
    s = session(b, store, clock)
    assert s.counts().review == 1 and s.next_card() == b[0]


def test_next_due_time_none_when_nothing_left(store):
    cards = make_cards(1)
    s = session(cards, store, Clock(berlin(2025, 6, 10, 9, 0)))
    s.suspend(cards[0])
    assert s.next_card() is None and s.next_due_time() is None


def test_learning_due_now_comes_before_reviews_and_new(store):
    new, rev, learn = Card("d", "new", "flip", "Q", "A"), Card("d", "rev", "flip", "Q", "A"), Card("d", "learn", "flip", "Q", "A")
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    put_review(store, rev, berlin(2025, 6, 8, 9, 0))
    s = session([new, rev, learn], store, clock, learn_ahead=False)
    clock.now = berlin(2025, 6, 10, 8, 50)
    s.answer(learn, Rating.Good)  # learning, due 9:00
    clock.now = berlin(2025, 6, 10, 8, 59)
    assert s.next_card() in (new, rev) and s.counts() == Counts(new=1, learning=0, review=1)
    clock.now = berlin(2025, 6, 10, 9, 0)
    assert s.next_card() == learn and s.counts() == Counts(new=1, learning=1, review=1)


def test_a_new_card_suspended_earlier_comes_back_when_unsuspended(store):
    cards = make_cards(2)
    clock = Clock(berlin(2025, 6, 10, 9, 0))
    session(cards, store, clock).suspend(cards[0])
    later = session(cards, store, clock, learn_ahead=False)  # a new session: c00 has a state, never answered
    assert later.next_card() == cards[1] and later.counts().new == 1
    later.unsuspend(cards[0])
    assert later.next_card() == cards[0] and later.counts().new == 2


def test_new_siblings_from_one_table_cell_are_spread_apart(tmp_path):
    from nqpf_tutor.core.model import Card
    from nqpf_tutor.core.session import StudySession
    from nqpf_tutor.core.store import Store

    cards = []
    for row in ("a", "b", "c"):
        base = f"t.{row}.x"
        cards += [Card("d", base, "flip", f"{row}?", row, table="t"),
                  Card("d", base + ".mcq", "mcq", f"{row}?", row, distractors=("p", "q"), table="t"),
                  Card("d", base + ".which", "mcq", f"which {row}?", row, distractors=("p", "q"), table="t")]
    cards.append(Card("d", "plain", "flip", "p?", "p"))
    with Store.open(tmp_path / "p.sqlite3", profile="default") as store:
        session = StudySession(cards, store)
        order = [c.id for c in session._new]
    assert order == ["t.a.x", "t.b.x", "t.c.x", "plain", "t.a.x.mcq", "t.b.x.mcq", "t.c.x.mcq",
                     "t.a.x.which", "t.b.x.which", "t.c.x.which"]
