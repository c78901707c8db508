"""kill -9 mid-session: every answer reported as committed is still there afterwards."""

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from nqpf_tutor.core.store import Store

CHILD = textwrap.dedent(
    """
    import random, sys
    from datetime import datetime, timedelta, timezone
    from nqpf_tutor.core.model import Card
    from nqpf_tutor.core.session import StudySession
    from nqpf_tutor.core.settings import Settings
    from nqpf_tutor.core.store import Store

    store = Store.open(sys.argv[1])
    cards = [Card("d", f"c{i:04d}", "flip", f"Q{i}", f"A{i}") for i in range(3000)]
    now = [datetime(2025, 6, 10, 9, tzinfo=timezone.utc)]
    session = StudySession(cards, store, Settings(new_per_day=10**5, reviews_per_day=10**5), clock=lambda: now[0])
    rng = random.Random(int(sys.argv[2]))
    print("ready", flush=True)
    while True:
        card = session.next_card()
        result = session.answer(card, rng.choice([1, 2, 3, 3, 4]), rng.randint(500, 9000))
        # answer() has returned: the answer is committed; only now is it reported
        print(result.review_id, card.uid, result.after.reps, flush=True)
        now[0] += timedelta(seconds=40)
    """
)


@pytest.mark.parametrize("run", range(4))
def test_kill_9_loses_no_committed_answer(tmp_path, run):
    db = tmp_path / "progress.sqlite3"
    rng = random.Random(run)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(run)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline() == "ready\n"
        reported = []
        target = rng.randint(5, 400)
        while len(reported) < target:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            review_id, uid, reps = line.split()
            reported.append((int(review_id), uid, int(reps)))
        time.sleep(rng.uniform(0, 0.02))  # let it get somewhere inside the next answers
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        reported += [tuple(int(x) if x.isdigit() else x for x in line.split()) for line in proc.stdout if line.count(" ") == 2]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    with Store.open(db) as store:
        assert store.notice is None  # not damaged
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for review_id, uid, reps in reported:
            entry = store.log_entry(review_id)
            assert entry is not None and f"{entry.deck_id}/{entry.card_id}" == uid
            assert entry.state_after.reps == reps
            assert store.get(*uid.split("/")).reps >= reps
        # the stored states agree with the log: each card's reps is its number of answers
        logged = dict(store.conn.execute("SELECT card_id, count(*) FROM reviews GROUP BY card_id").fetchall())
        assert {s.card_id: s.reps for s in store.states()} == logged
        assert len(reported) <= store.review_stats()[0] <= len(reported) + 1
