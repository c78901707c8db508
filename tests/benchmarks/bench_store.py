"""Answer + commit + next card, on stores of 1,000 to 100,000 card states (10 review rows each).

Run: python tests/benchmarks/bench_store.py [N ...]   (default 1000 10000 100000)
Prints each figure as ``name: value unit``. Target: median <= 5 ms, p99 <= 20 ms at N=100000.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fsrs import Rating

from nqpf_tutor.core.model import Card
from nqpf_tutor.core.scheduler import CardState, ts
from nqpf_tutor.core.session import StudySession
from nqpf_tutor.core.settings import Settings
from nqpf_tutor.core.store import Store, _state_params, state_json

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
ANSWERS = 500
NEW_CARDS = 1000  # cards in the catalog with no state yet


def card(i: int) -> Card:
    return Card(deck_id="bench", id=f"c{i:06d}", type="flip", prompt=f"Question {i}?", answer=f"Answer {i}")


def synthetic_state(rng: random.Random, i: int) -> CardState:
    learning = rng.random() < 0.05
    if learning:
        due = NOW + timedelta(minutes=rng.uniform(-60, 60))
        state, step, stability = 1, 1, rng.uniform(0.5, 3)
    else:
        due = NOW + timedelta(days=rng.uniform(-100, 300))  # about a quarter overdue
        state, step, stability = 2, None, rng.uniform(1, 400)
    reps = rng.randint(1, 20)
    return CardState(
        "bench", f"c{i:06d}", content_hash=card(i).content_hash, state=state, step=step, stability=stability,
        difficulty=rng.uniform(1, 10), due=due, last_review=due - timedelta(days=stability), reps=reps,
        lapses=rng.randint(0, 3), first_seen=NOW - timedelta(days=rng.uniform(30, 700)),
    )


def build(path: Path, n: int) -> Store:
    rng = random.Random(n)
    store = Store.open(path, now=NOW)
    states = [synthetic_state(rng, i) for i in range(n)]
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO card_state VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (_state_params(store.profile_id, s) for s in states),
        )

        def rows():
            for j in range(10 * n):
                s = states[j % n]
                when = NOW - timedelta(days=rng.uniform(0.01, 730))
                js = state_json(s)
                yield (store.profile_id, s.deck_id, s.card_id, ts(when), rng.choice((1, 3, 3, 3, 4)), "study",
                       "review", rng.randint(1000, 20000), js, js)

        store.conn.executemany(
            "INSERT INTO review_log (profile_id, deck_id, card_id, ts, grade, mode, queue, duration_ms, "
            "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store


def bench(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.sqlite3"
        t = time.perf_counter()
        build(path, n).close()
        print(f"build_n{n}: {time.perf_counter() - t:.1f} s")
        print(f"db_size_n{n}: {path.stat().st_size / 1e6:.1f} MB")
        t = time.perf_counter()
        store = Store.open(path, now=NOW)
        print(f"open_n{n}: {(time.perf_counter() - t) * 1000:.1f} ms")
        clock = [NOW]
        catalog = [card(i) for i in range(n + NEW_CARDS)]
        settings = Settings(new_per_day=NEW_CARDS, reviews_per_day=100000)
        t = time.perf_counter()
        session = StudySession(catalog, store, settings, clock=lambda: clock[0])
        print(f"session_start_n{n}: {(time.perf_counter() - t) * 1000:.1f} ms")
        rng = random.Random(1)
        times = []
        current = session.next_card()
        for _ in range(ANSWERS):
            assert current is not None
            t = time.perf_counter()
            session.answer(current, rng.choice((Rating.Again, Rating.Good, Rating.Good, Rating.Easy)), 4000)
            current = session.next_card()
            times.append((time.perf_counter() - t) * 1000)
            clock[0] += timedelta(seconds=5)
        times.sort()
        print(f"answer_next_median_n{n}: {statistics.median(times):.2f} ms")
        print(f"answer_next_p99_n{n}: {times[int(len(times) * 0.99) - 1]:.2f} ms")
        print(f"answer_next_max_n{n}: {times[-1]:.2f} ms")
        t = time.perf_counter()
        session.counts()
        print(f"counts_n{n}: {(time.perf_counter() - t) * 1000:.2f} ms")
        t = time.perf_counter()
        StudySession(catalog, store, Settings(), clock=lambda: clock[0]).counts()  # default limits: 20 new, 200 reviews
        print(f"session_start_and_counts_default_limits_n{n}: {(time.perf_counter() - t) * 1000:.2f} ms")
        store.close()


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [1000, 10000, 100000]:
        bench(n)
