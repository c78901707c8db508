"""Every screen and command at scale: 1k, 10k and 100k cards (10 reviews per card state).

Run: python tests/benchmarks/bench_scale.py [--sizes 1000 10000 100000] [--only study,home,...]
                                            [--fixtures DIR] [--repeat N]

Builds, seeded, for each size N: a deck of N cards (all six card types), a store of N card
states (97% of them cards of that deck, 3% of a deck no longer loaded) and 10 N reviews (1M at
100k, some of them undone), and caches them in ``--fixtures`` (default: a folder in the temp
dir) so re-runs start at once. Each figure is printed as ``name: value unit`` beside its anchor,
measured in the same run, with the ratio and the target:

- ``study``: what the study screen does per card shown (save the answer, choose the next card,
  the counts line, the card's state and the four grade previews, the shuffled options), median
  and p99, vs one bare SQLite insert committed the same way (WAL, synchronous FULL);
- ``home``: the home screen's per-deck counts (new, learning, due) vs the same three counts in
  plain SQL;
- ``stats``: ``compute_stats`` (what ``stats --json`` prints) vs the same aggregates in plain SQL,
  and the whole ``stats --json`` process;
- ``launch``: launch to the first card (``study``) and to the deck list (home), deck cache warm,
  vs a hello-world Textual app, in an 80x24 pseudo-terminal;
- ``loader``: ``validate`` and a cold ``decks`` (empty deck cache) vs a bare
  ``yaml.load(..., Loader=CSafeLoader)`` of the same file, time and peak memory (whole processes);
- ``bundled``: launch to the first card on the bundled decks vs hello world;
- ``browse``: the card browser in the real app (headless, 80x24): from ``b`` on the home screen
  to its first rows shown, then each search keystroke (the filter run once typing pauses, and
  the rows shown) for a word typed letter by letter, a ``deck:`` filter and ``is:due``, vs the
  same words matched over the cards' texts by a bare list comprehension.

Then ``growth_<figure>: a -> b -> c`` lines show how each figure grows from the smallest size
to the largest (it should be flat or linear, never worse).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import HELLO, time_to_marker  # noqa: E402

FIXTURE_VERSION = "2"
TYPES = ["flip", "mcq", "truefalse", "typed", "cloze", "order", "flip", "mcq"]
TAGS = ["eras", "foundations", "policies", "dates"]
RESULTS: dict[str, dict[int, float]] = {}


def out(name: str, value: float, unit: str, note: str = "", n: int | None = None, fmt: str = ".2f") -> None:
    key = f"{name}_n{n}" if n is not None else name
    print(f"{key}: {value:{fmt}} {unit}" + (f"  ({note})" if note else ""), flush=True)
    if n is not None:
        RESULTS.setdefault(f"{name} ({unit})", {})[n] = value


def p99(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))]


# --- fixtures ----------------------------------------------------------------------------------


#: Cards per deck file (a deck file may not exceed 20 MB): 100k cards are five decks.
CHUNK = 20_000


def write_decks(folder: Path, n: int) -> list[Path]:
    """Deck files of ``n`` cards in all (ids c000000 ...), ``CHUNK`` cards per file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, start in enumerate(range(0, n, CHUNK)):
        p = folder / f"bench{k}.yaml"
        p.write_text(make_deck(min(CHUNK, n - start), start, f"bench{k}"), "utf-8")
        paths.append(p)
    return paths


def make_deck(n: int, start: int = 0, deck_id: str = "bench0") -> str:
    out_ = [
        f"deck: {{id: {deck_id}, title: Benchmark deck {deck_id[5:]}, description: Generated cards}}",
        "sources:",
        "  - {id: src, title: A source, publisher: Someone, date: '2024-01-01'}",
        "cards:",
    ]
    for i in range(start, start + n):
        t = TYPES[i % len(TYPES)]
        out_ += [f"  - id: c{i:06d}", f"    type: {t}", f"    tags: [{TAGS[i % 4]}, t{i % 7}]", "    sources: [src]",
                 f"    explanation: Why card {i} matters, with some context for the learner."]
        if t == "cloze":
            out_.append(f"    text: Question {i} asks for {{{{answer {i}}}}} and nothing else.")
            continue
        out_.append(f"    prompt: Question {i} asks what the answer to this question is?")
        if t == "truefalse":
            out_.append(f"    answer: {'true' if i % 3 else 'false'}")
        elif t == "order":
            out_.append(f"    items: [first {i}, second {i}, third {i}]")
        else:
            out_.append(f"    answer: Answer {i}")
            if t in ("flip", "mcq"):
                out_.append(f"    distractors: [Wrong {i} a, Wrong {i} b, Wrong {i} c]")
            if t == "typed":
                out_.append(f"    accept: [answer no {i}]")
    return "\n".join(out_) + "\n"


def build_fixture(root: Path, n: int) -> dict:
    """Deck file, data dir with the store, and a meta.json (the build time is the bench's now)."""
    from fsrs import State

    from nqpf_tutor.core.loader import load_deck_file
    from nqpf_tutor.core.scheduler import CardState, ts
    from nqpf_tutor.core.store import Store, _state_params, state_json

    t0 = time.perf_counter()
    tmp = root.with_name(root.name + ".building")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "decks").mkdir(parents=True)
    (tmp / "data" / "config").mkdir(parents=True)
    (tmp / "data" / "config" / "welcome-shown").touch()
    cards = [c for p in write_decks(tmp / "decks", n) for c in load_deck_file(p).cards]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    rng = random.Random(1700 + n)
    n_mine = n - n * 3 // 100
    keys = [(c.deck_id, c.id, c.content_hash) for c in cards[:n_mine]]
    keys += [("retired", f"old{i:06d}", "0" * 16) for i in range(n - n_mine)]
    states = []
    for deck_id, card_id, h in keys:
        r = rng.random()
        if r < 0.05:
            due = now + timedelta(minutes=rng.uniform(-120, 60))
            state, step, stab = (State.Learning.value if rng.random() < 0.5 else State.Relearning.value), 0, rng.uniform(0.1, 3)
        else:
            due = now + timedelta(days=rng.uniform(-60, 300))
            state, step, stab = State.Review.value, None, rng.uniform(0.5, 400)
        last = due - timedelta(days=min(stab * rng.uniform(0.8, 1.2), 36500))
        states.append(CardState(
            deck_id, card_id, content_hash=h, state=state, step=step, stability=stab,
            difficulty=rng.uniform(1, 10), due=due, last_review=last, reps=rng.randint(1, 30),
            lapses=rng.randint(0, 4), suspended=rng.random() < 0.01,
            buried_until=(now + timedelta(hours=5)) if rng.random() < 0.005 else None,
            leech=rng.random() < 0.005, edited=rng.random() < 0.01,
            first_seen=now - timedelta(days=rng.uniform(0, 700)),
        ))
    store = Store.open(tmp / "data" / "progress.sqlite3", now=now)
    cols = store.conn.execute("SELECT * FROM card_state LIMIT 0").description
    with store.transaction():
        store.conn.executemany(
            f"INSERT INTO card_state ({', '.join(c[0] for c in cols[:17])}) VALUES ({', '.join('?' * 17)})",
            (_state_params(store.profile_id, s) for s in states),
        )

        def rows():
            for j in range(10 * n):
                s = states[j % n]
                days = rng.uniform(0, 400)
                if days < 1 and rng.random() < 0.9:  # a few answers today, the rest spread over 400 days
                    days += 1
                when = now - timedelta(days=days)
                js = state_json(s)
                yield (store.profile_id, s.deck_id, s.card_id, ts(when), rng.choice((1, 2, 3, 3, 3, 4)),
                       rng.choice(("study", "study", "study", "quiz")), rng.choice(("review", "review", "learning", "new")),
                       rng.randint(800, 30000), js, js)

        store.conn.executemany(
            "INSERT INTO review_log (profile_id, deck_id, card_id, ts, grade, mode, queue, duration_ms, "
            "state_before, state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
        undone = rng.sample(range(1, 10 * n + 1), n // 50)
        store.conn.executemany(
            "INSERT INTO review_log (profile_id, deck_id, card_id, ts, mode, undoes) "
            "SELECT profile_id, deck_id, card_id, ts, 'undo', id FROM review_log WHERE id = ?",
            [(i,) for i in undone],
        )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    meta = {"n": n, "now": now.isoformat(), "build_seconds": round(time.perf_counter() - t0, 1)}
    (tmp / "meta.json").write_text(json.dumps(meta))
    shutil.rmtree(root, ignore_errors=True)
    os.replace(tmp, root)
    return meta


def fixture(base: Path, n: int) -> tuple[Path, datetime]:
    from nqpf_tutor.core.store import SCHEMA_VERSION

    root = base / f"scale-v{FIXTURE_VERSION}-s{SCHEMA_VERSION}-n{n}"
    if not (root / "meta.json").exists():
        meta = build_fixture(root, n)
        print(f"fixture_build_n{n}: {meta['build_seconds']} s", flush=True)
    meta = json.loads((root / "meta.json").read_text())
    return root, datetime.fromisoformat(meta["now"])


def work_copy(root: Path, work: Path) -> Path:
    """A fresh copy of the fixture's data dir (benchmarks that write must not touch the cache)."""
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(root / "data", data)
    return data


def loc_for(root: Path, data: Path, cache: Path, bundled: bool = True):
    from nqpf_tutor.locations import Locations

    env = {"NQPF_TUTOR_DATA_DIR": str(data), "NQPF_TUTOR_DECKS_DIR": str(root / "decks"),
           "NQPF_TUTOR_CACHE_DIR": str(cache)}
    if not bundled:
        env["NQPF_TUTOR_BUNDLED_DIR"] = ""
    return Locations.resolve(environ=env)


# --- anchors -------------------------------------------------------------------------------------


def sqlite_insert_anchor(folder: Path, times: int = 300) -> float:
    """Median ms of one committed INSERT (WAL, synchronous FULL), as the store commits an answer."""
    path = folder / "anchor.sqlite3"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)")
    out_ = []
    for i in range(times):
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", (f"row {i}", i))
        conn.execute("COMMIT")
        out_.append((time.perf_counter() - t) * 1000)
    conn.close()
    return statistics.median(out_)


def plain_sql_counts(conn: sqlite3.Connection, keys: list[tuple[str, str]], now: str, ahead: str, tomorrow: str,
                     today_start: str, new_per_day: int, reviews_per_day: int) -> tuple[int, int, int]:
    """New, learning and due counts over ``keys`` in plain SQL (catalog keys in a temp table)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS anchor_keys (deck_id TEXT, card_id TEXT, PRIMARY KEY (deck_id, card_id)) WITHOUT ROWID")
    conn.execute("DELETE FROM anchor_keys")
    conn.executemany("INSERT INTO anchor_keys VALUES (?, ?)", keys)
    live = "s.reps > 0 AND s.suspended = 0 AND (s.buried_until IS NULL OR s.buried_until <= :now)"
    learning = conn.execute(
        f"SELECT count(*) FROM card_state s JOIN anchor_keys k USING (deck_id, card_id) "
        f"WHERE s.profile_id = 1 AND s.state IN (1, 3) AND s.due < :ahead AND {live}", {"now": now, "ahead": ahead}
    ).fetchone()[0]
    due = conn.execute(
        f"SELECT count(*) FROM card_state s JOIN anchor_keys k USING (deck_id, card_id) "
        f"WHERE s.profile_id = 1 AND s.state = 2 AND s.due < :tomorrow AND {live}", {"now": now, "tomorrow": tomorrow}
    ).fetchone()[0]
    new = conn.execute(
        "SELECT count(*) FROM anchor_keys k LEFT JOIN card_state s ON s.profile_id = 1 AND s.deck_id = k.deck_id "
        "AND s.card_id = k.card_id WHERE s.card_id IS NULL OR (s.reps = 0 AND s.suspended = 0)"
    ).fetchone()[0]
    seen_today = conn.execute("SELECT count(*) FROM card_state WHERE profile_id = 1 AND first_seen >= ?", (today_start,)).fetchone()[0]
    reviewed = conn.execute("SELECT count(*) FROM review_log WHERE profile_id = 1 AND ts >= ? AND queue = 'review'", (today_start,)).fetchone()[0]
    return min(new, max(0, new_per_day - seen_today)), learning, min(due, max(0, reviews_per_day - reviewed))


def plain_sql_stats(conn: sqlite3.Connection, bounds: list[str], ends: list[str], now: str, tomorrow: str,
                    since30: str) -> dict:
    """The aggregates behind ``stats --json`` in plain SQL: card counts by kind, the forecast, answers
    (and Again answers and time) per day over the calendar, totals and 30-day retention."""
    out_: dict = {}
    out_["kinds"] = conn.execute(
        "SELECT state, suspended, (julianday(due) - julianday(last_review)) >= 21, count(*) FROM card_state "
        "WHERE profile_id = 1 AND reps > 0 GROUP BY 1, 2, 3").fetchall()
    out_["flags"] = conn.execute(
        "SELECT sum(leech), sum(edited), sum(suspended), sum(state != 2 AND suspended = 0 AND reps > 0), "
        "sum(reps > 0 AND suspended = 0 AND (buried_until IS NULL OR buried_until <= :now) AND "
        "((state = 2 AND due < :tomorrow) OR (state != 2 AND due <= :now))) FROM card_state WHERE profile_id = 1",
        {"now": now, "tomorrow": tomorrow}).fetchone()
    ends_values = ", ".join("(?)" for _ in ends)
    out_["forecast"] = conn.execute(
        f"WITH f(hi) AS (VALUES {ends_values}) SELECT (SELECT count(*) FROM f WHERE hi <= max(s.due, coalesce(s.buried_until, ''))) AS d, "
        "count(*) FROM card_state s WHERE profile_id = 1 AND reps > 0 AND suspended = 0 GROUP BY d", ends
    ).fetchall()
    out_["days"] = [
        conn.execute("SELECT count(*), sum(grade = 1), sum(duration_ms) FROM reviews WHERE profile_id = 1 "
                     "AND ts >= ? AND ts < ?", (lo, hi)).fetchone()
        for lo, hi in zip(bounds, bounds[1:])
    ]
    out_["totals"] = conn.execute("SELECT count(*), sum(grade = 1) FROM reviews WHERE profile_id = 1").fetchone()
    out_["retention"] = conn.execute(
        "SELECT count(*), sum(grade = 1) FROM reviews WHERE profile_id = 1 AND ts >= ?", (since30,)).fetchone()
    return out_


# --- the figures -----------------------------------------------------------------------------------


def bench_study(root: Path, now0: datetime, n: int, work: Path, answers: int) -> None:
    from fsrs import Rating

    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.core.questions import make_mcq, shuffled_items
    from nqpf_tutor.core.session import StudySession, sync_catalog
    from nqpf_tutor.core.settings import Settings
    from nqpf_tutor.core.store import Store

    data = work_copy(root, work)
    cache = work / "cache"
    loc = loc_for(root, data, cache)
    catalog = load_catalog(loc)
    store = Store.open(loc, now=now0)
    sync_catalog(store, catalog.all_cards())
    clock = [now0]
    cards = catalog.all_cards()
    settings = Settings(new_per_day=50, reviews_per_day=10_000)
    session = StudySession(cards, store, settings, clock=lambda: clock[0])
    rng = random.Random(n)
    times: list[float] = []
    card = session.next_card()

    def show(card):  # what StudyScreen._prepare asks of the core for a card
        state = session.state(card)
        catalog.deck(card.deck_id)
        session.preview(card)
        if card.type in ("mcq", "truefalse"):
            make_mcq(card, seed=f"{card.uid}|{state.reps}")
        elif card.type == "order":
            shuffled_items(card, seed=f"{card.uid}|{state.reps}")

    show(card)
    session.counts()
    # the anchor, interleaved with the answers so that both see the same machine load
    anchor_conn = sqlite3.connect(work / "anchor-interleaved.sqlite3", isolation_level=None)
    anchor_conn.execute("PRAGMA journal_mode = WAL")
    anchor_conn.execute("PRAGMA synchronous = FULL")
    anchor_conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)")
    anchor_times: list[float] = []
    for i in range(answers):
        assert card is not None
        t = time.perf_counter()
        session.answer(card, rng.choice((Rating.Again, Rating.Good, Rating.Good, Rating.Easy)), duration_ms=4000)
        card = session.next_card()
        session.counts()  # the counts line
        if card is not None:
            show(card)
        times.append((time.perf_counter() - t) * 1000)
        clock[0] += timedelta(seconds=7)
        t = time.perf_counter()
        anchor_conn.execute("BEGIN IMMEDIATE")
        anchor_conn.execute("INSERT INTO t (a, b) VALUES (?, ?)", (f"row {i}", i))
        anchor_conn.execute("COMMIT")
        anchor_times.append((time.perf_counter() - t) * 1000)
    anchor_conn.close()
    store.close()
    anchor = statistics.median(anchor_times)
    med = statistics.median(times)
    out("study_per_card_median", med, "ms", n=n)
    out("study_per_card_p99", p99(times), "ms", n=n)
    out("study_per_card_max", max(times), "ms", n=n)
    out("anchor_sqlite_insert_median", anchor, "ms", n=n)
    out("study_median_vs_insert", med / anchor, "x", "target: median <= 5 ms, p99 <= 20 ms at 100k", n=n)


def home_counts(app_like) -> dict:
    """The counts the home screen shows for each deck, the way the code under test makes them."""
    try:
        from nqpf_tutor.core.learning.counts import deck_counts
    except ImportError:
        deck_counts = None
    if deck_counts is not None:
        return deck_counts(app_like.store, app_like.catalog.decks, app_like.settings, app_like.clock())
    from nqpf_tutor.core.session import StudySession

    return {d.id: StudySession(d.cards, app_like.store, app_like.settings, clock=app_like.clock).counts()
            for d in app_like.catalog.decks}


def bench_home(root: Path, now0: datetime, n: int, work: Path, repeat: int) -> None:
    from types import SimpleNamespace

    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.core.scheduler import Scheduler, ts
    from nqpf_tutor.core.session import sync_catalog
    from nqpf_tutor.core.settings import Settings
    from nqpf_tutor.core.store import Store

    data = work_copy(root, work)
    loc = loc_for(root, data, work / "cache")
    catalog = load_catalog(loc)
    store = Store.open(loc, now=now0)
    sync_catalog(store, catalog.all_cards())
    settings = Settings()
    app = SimpleNamespace(store=store, catalog=catalog, settings=settings, clock=lambda: now0)
    t_home, t_sql = [], []
    sched = Scheduler(settings)
    day = sched.study_day(now0)
    args = (ts(now0), ts(now0 + timedelta(minutes=settings.learn_ahead_minutes, microseconds=1)),
            ts(sched.day_start(day + timedelta(days=1))), ts(sched.day_start(day)),
            settings.new_per_day, settings.reviews_per_day)
    conn = sqlite3.connect(loc.db_path)
    for i in range(repeat):
        t = time.perf_counter()
        counts = home_counts(app)
        t_home.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for d in catalog.decks:
            plain_sql_counts(conn, [c.key for c in d.cards], *args)
        t_sql.append((time.perf_counter() - t) * 1000)
    conn.close()
    store.close()
    b = [c for k, c in counts.items() if k.startswith("bench")]
    m = statistics.median
    out("home_counts", m(t_home), "ms", f"bench decks: new {sum(c.new for c in b)}, learn {sum(c.learning for c in b)}, "
        f"due {sum(c.review for c in b)}", n=n)
    out("anchor_home_plain_sql", m(t_sql), "ms", n=n)
    out("home_vs_plain_sql", m(t_home) / m(t_sql), "x", "target: home <= 100 ms at 100k", n=n)


def bench_stats(root: Path, now0: datetime, n: int, work: Path, repeat: int) -> None:
    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.core.scheduler import Scheduler, ts
    from nqpf_tutor.core.session import sync_catalog
    from nqpf_tutor.core.settings import Settings
    from nqpf_tutor.core.stats import compute_stats
    from nqpf_tutor.core.store import Store

    data = work_copy(root, work)
    loc = loc_for(root, data, work / "cache")
    catalog = load_catalog(loc)
    store = Store.open(loc, now=now0)
    sync_catalog(store, catalog.all_cards())
    settings = Settings()
    sched = Scheduler(settings)
    today = sched.study_day(now0)
    first = today - timedelta(days=today.weekday(), weeks=25)
    bounds = [ts(sched.day_start(first + timedelta(days=i))) for i in range((today - first).days + 2)]
    tomorrow = ts(sched.day_start(today + timedelta(days=1)))
    ends = [ts(sched.day_start(today + timedelta(days=i + 1))) for i in range(30)]
    conn = sqlite3.connect(loc.db_path)
    t_stats, t_sql = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        json.dumps(compute_stats(store, catalog.all_cards(), settings, now0))
        t_stats.append(time.perf_counter() - t)
        t = time.perf_counter()
        plain_sql_stats(conn, bounds, ends, ts(now0), tomorrow, ts(now0 - timedelta(days=30)))
        t_sql.append(time.perf_counter() - t)
    conn.close()
    store.close()
    env = {**os.environ, "NQPF_TUTOR_DATA_DIR": str(data), "NQPF_TUTOR_DECKS_DIR": str(root / "decks"),
           "NQPF_TUTOR_CACHE_DIR": str(work / "cache")}
    t_proc = []
    for _ in range(max(1, repeat // 2)):
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "nqpf_tutor", "stats", "--json"], env=env, capture_output=True)
        t_proc.append(time.perf_counter() - t)
        if r.returncode:
            raise SystemExit(r.stderr.decode())
    m = statistics.median
    out("stats_compute", m(t_stats) * 1000, "ms", n=n, fmt=".0f")
    out("anchor_stats_plain_sql", m(t_sql) * 1000, "ms", n=n, fmt=".0f")
    out("stats_vs_plain_sql", m(t_stats) / m(t_sql), "x", "target <= 2 at 100k", n=n)
    out("stats_json_process", m(t_proc) * 1000, "ms", "the whole `nqpf-tutor stats --json`", n=n, fmt=".0f")


def _env(data: Path, cache: Path, decks: Path | None) -> dict:
    env = {**os.environ, "TERM": "xterm-256color", "NQPF_TUTOR_DATA_DIR": str(data), "NQPF_TUTOR_CACHE_DIR": str(cache),
           "COLUMNS": "80", "LINES": "24"}
    env.pop("NQPF_TUTOR_BUNDLED_DIR", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("NQPF_TUTOR_DECKS_DIR", None)
    if decks is not None:
        env["NQPF_TUTOR_DECKS_DIR"] = str(decks)
    return env


def _marker(prompt: str) -> bytes:
    return " ".join(prompt.split("{{")[0].split()[:3]).encode()


def _first_prompt(loc) -> str:
    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.core.session import StudySession
    from nqpf_tutor.core.settings import load_settings
    from nqpf_tutor.core.store import Store

    catalog = load_catalog(loc)
    with Store.open(loc) as store:
        card = StudySession(catalog.all_cards(), store, load_settings(loc.settings_path)).next_card()
    assert card is not None
    return card.prompt


def bench_launch(root: Path, n: int, work: Path, hello: Path, repeat: int) -> None:
    import compileall

    import nqpf_tutor

    compileall.compile_dir(str(Path(nqpf_tutor.__file__).parent), quiet=1)
    data = work_copy(root, work)
    cache = work / "launch-cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = _env(data, cache, root / "decks")
    py = sys.executable
    study = [py, "-m", "nqpf_tutor", "study"]
    home = [py, "-m", "nqpf_tutor"]
    time_to_marker(home, b"Benchmark deck 0", env, timeout=300)  # warm the deck cache
    marker = _marker(_first_prompt(loc_for(root, data, cache)))
    time_to_marker(study, marker, env, timeout=300)
    t_hello, t_study, t_home = [], [], []
    for _ in range(repeat):
        t_hello.append(time_to_marker([py, str(hello)], b"Hello, world", env))
        t_study.append(time_to_marker(study, marker, env, timeout=300))
        t_home.append(time_to_marker(home, b"Benchmark deck 0", env, timeout=300))
    m = statistics.median
    out("launch_study_first_card", m(t_study) * 1000, "ms", n=n, fmt=".0f")
    out("launch_home", m(t_home) * 1000, "ms", n=n, fmt=".0f")
    out("anchor_hello_world", m(t_hello) * 1000, "ms", n=n, fmt=".0f")
    out("launch_study_vs_hello", m(t_study) / m(t_hello), "x", "target: first card <= 1.0 s at 100k", n=n)
    out("launch_home_vs_hello", m(t_home) / m(t_hello), "x", n=n)


def bench_browse(root: Path, now0: datetime, n: int, work: Path, repeat: int) -> None:
    import asyncio
    import gc

    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.core.session import sync_catalog
    from nqpf_tutor.core.settings import Settings
    from nqpf_tutor.core.store import Store
    from nqpf_tutor.ui.app import TutorApp

    data = work_copy(root, work)
    loc = loc_for(root, data, work / "cache")
    load_catalog(loc)  # the deck cache, warm as on any second start
    opens: list[float] = []
    ready: list[float] = []
    keys: list[float] = []
    slowest: list[tuple[float, str]] = []
    anchor: list[float] = []
    shown: list[int] = []
    queries = ["q", "qu", "que", "ques", "quest", "question 4", "question 42", "deck:bench1 answer", "is:due"]

    from nqpf_tutor.ui.screens.browse import BrowseScreen

    drawn: list[float] = []
    mount = BrowseScreen.on_mount

    def on_mount(self) -> None:  # the first frame with the browser's rows: when its first refresh is done
        self.call_after_refresh(lambda: drawn.append(time.perf_counter()))
        mount(self)

    BrowseScreen.on_mount = on_mount  # type: ignore[method-assign]

    async def once() -> None:
        catalog = load_catalog(loc)
        store = Store.open(loc, now=now0)
        sync_catalog(store, catalog.all_cards())
        app = TutorApp(loc=loc, store=store, settings=Settings(), catalog=catalog, clock=lambda: now0,
                       show_welcome=False, cursor_blink=False)
        gc.freeze()  # as the real start does (commands/app.py): the decks stay out of the collector's scans
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            t = time.perf_counter()
            drawn.clear()
            await pilot.press("b")
            while not drawn:
                await asyncio.sleep(0.002)
            assert app.screen.query_one("#browse-table").row_count
            opens.append((drawn[0] - t) * 1000)
            await app.workers.wait_for_complete()  # every card's search text (a worker at 100k)
            ready.append((time.perf_counter() - t) * 1000)
            screen = app.screen
            texts = [c.prompt.lower() for c in catalog.all_cards()]  # the anchor's haystack
            for q in queries:
                t = time.perf_counter()
                screen.apply_filter(q)  # what one keystroke runs once typing pauses (debounced)
                await pilot.pause()
                keys.append((time.perf_counter() - t) * 1000)
                slowest.append((keys[-1], q))
                shown.append(screen.query_one("#browse-table").row_count)
                words = [w for w in q.split() if ":" not in w]
                t = time.perf_counter()
                [i for i, h in enumerate(texts) if all(w in h for w in words)]
                anchor.append((time.perf_counter() - t) * 1000)
        store.close()
        gc.unfreeze()

    for _ in range(repeat):
        asyncio.run(once())
    BrowseScreen.on_mount = mount  # type: ignore[method-assign]
    m = statistics.median
    out("browse_open_first_rows", m(opens), "ms", f"rows in the table: at most {max(shown)}", n=n, fmt=".0f")
    out("browse_search_ready", m(ready), "ms", "from b to every card's search text made (a worker)", n=n, fmt=".0f")
    out("browse_keystroke_median", m(keys), "ms", n=n)
    out("browse_keystroke_max", max(keys), "ms", f"the slowest: {max(slowest)[1]!r}", n=n)
    out("anchor_browse_list_comprehension_median", m(anchor), "ms", n=n)
    out("browse_keystroke_vs_list_comprehension", m(keys) / max(m(anchor), 1e-3), "x",
        "target: keystroke <= 100 ms, open well under 1 s at 100k", n=n)


def run_measured(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    err = p.stderr.read().decode() if p.stderr else ""
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return dt, usage.ru_maxrss / 1024


def bench_loader(n: int, work: Path, repeat: int) -> None:
    folder = work / f"loader-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    files = [str(p) for p in write_decks(folder / "decks", n)]
    py = sys.executable
    bare = [py, "-c", f"import yaml\nfor p in {files!r}: yaml.load(open(p, encoding='utf-8'), Loader=yaml.CSafeLoader)"]
    validate = [py, "-m", "nqpf_tutor", "validate", str(folder / "decks")]
    decks = [py, "-m", "nqpf_tutor", "decks"]
    t_bare, t_val, t_decks, m_bare, m_val, m_decks = [], [], [], [], [], []
    for i in range(repeat):
        env = {**os.environ, "NQPF_TUTOR_DATA_DIR": str(folder / "data"), "NQPF_TUTOR_DECKS_DIR": str(folder / "decks"),
               "NQPF_TUTOR_CACHE_DIR": str(folder / f"cache{i}"), "NQPF_TUTOR_BUNDLED_DIR": ""}
        for cmd, ts_, ms in ((bare, t_bare, m_bare), (validate, t_val, m_val), (decks, t_decks, m_decks)):
            dt, mb = run_measured(cmd, env)
            ts_.append(dt)
            ms.append(mb)
    m = statistics.median
    out("anchor_bare_csafeloader", m(t_bare) * 1000, "ms", n=n, fmt=".0f")
    out("validate", m(t_val) * 1000, "ms", n=n, fmt=".0f")
    out("decks_cold", m(t_decks) * 1000, "ms", n=n, fmt=".0f")
    out("validate_vs_bare", m(t_val) / m(t_bare), "x", "target <= 0.6 at 10k", n=n)
    out("decks_cold_vs_bare", m(t_decks) / m(t_bare), "x", "target <= 0.6 at 10k", n=n)
    out("anchor_bare_csafeloader_peak_memory", m(m_bare), "MB", n=n, fmt=".0f")
    out("validate_peak_memory", m(m_val), "MB", n=n, fmt=".0f")
    out("decks_cold_peak_memory", m(m_decks), "MB", n=n, fmt=".0f")


def bench_bundled(work: Path, hello: Path, repeat: int) -> None:
    from nqpf_tutor.locations import Locations

    data = work / "bundled-data"
    shutil.rmtree(data, ignore_errors=True)
    (data / "config").mkdir(parents=True)
    (data / "config" / "welcome-shown").touch()
    cache = work / "bundled-cache"
    env = _env(data, cache, None)
    loc = Locations.resolve(environ={"NQPF_TUTOR_DATA_DIR": str(data), "NQPF_TUTOR_CACHE_DIR": str(cache)})
    py = sys.executable
    study = [py, "-m", "nqpf_tutor", "study"]
    time_to_marker([py, "-m", "nqpf_tutor"], b"Decks", env)  # warm the cache (home)
    marker = _marker(_first_prompt(loc))
    time_to_marker(study, marker, env)
    t_hello, t_app = [], []
    for _ in range(repeat):
        t_hello.append(time_to_marker([py, str(hello)], b"Hello, world", env))
        t_app.append(time_to_marker(study, marker, env))
    m = statistics.median
    out("bundled_study_first_card", m(t_app) * 1000, "ms", fmt=".0f")
    out("bundled_anchor_hello_world", m(t_hello) * 1000, "ms", fmt=".0f")
    out("bundled_study_vs_hello", m(t_app) / m(t_hello), "x", "target <= 1.2")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--only", default="study,home,stats,launch,loader,bundled,browse")
    ap.add_argument("--fixtures", default=str(Path(tempfile.gettempdir()) / "nqpf-bench-scale"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--answers", type=int, default=300)
    a = ap.parse_args()
    only = set(a.only.split(","))
    base = Path(a.fixtures)
    base.mkdir(parents=True, exist_ok=True)
    print(f"python: {sys.version.split()[0]}, sqlite: {sqlite3.sqlite_version}, cpus: {os.cpu_count()}, "
          f"load: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        hello = work / "hello.py"
        hello.write_text(HELLO)
        for n in a.sizes:
            rep = a.repeat if n < 100_000 else max(1, (a.repeat + 1) // 2)
            if only & {"study", "home", "stats", "launch", "browse"}:
                root, now0 = fixture(base, n)
            if "study" in only:
                bench_study(root, now0, n, work, a.answers)
            if "home" in only:
                bench_home(root, now0, n, work, a.repeat)
            if "stats" in only:
                bench_stats(root, now0, n, work, rep)
            if "launch" in only:
                bench_launch(root, n, work, hello, rep)
            if "loader" in only:
                bench_loader(n, work, rep)
            if "browse" in only:
                bench_browse(root, now0, n, work, rep)
        if "bundled" in only:
            bench_bundled(work, hello, max(a.repeat, 7))
    for name, by_n in RESULTS.items():
        if len(by_n) > 1 and not name.startswith("anchor"):
            sizes = sorted(by_n)
            vals = " -> ".join(f"{by_n[s]:.3g}" for s in sizes)
            per = " -> ".join(f"{by_n[s] / s * 1000:.3g}" for s in sizes)
            print(f"growth_{name.replace(' ', '')}: {vals} at n = {' / '.join(map(str, sizes))}  (per 1000 cards: {per})")


if __name__ == "__main__":
    main()
