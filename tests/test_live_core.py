"""The live game's rules, headless: no network, no UI, an injected clock."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest

from nqpf_tutor.core.classroom.live import (
    AWAY_GRACE, LiveError, LiveGame, LiveLimits, MAX_NICK, RateLimiter, clean_nickname, live_config,
)
from nqpf_tutor.core.drill import build_questions, load_drill, results_csv
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store, StoreError
from nqpf_tutor.locations import Locations

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t

    def now(self):
        return T0 + timedelta(seconds=self.t - 1000.0)

    def advance(self, s):
        self.t += s


def mcq(i):
    return Card("d", f"q{i:02d}", "mcq", f"Question {i}?", f"right {i}",
                distractors=(f"wrong {i}a", f"wrong {i}b", f"wrong {i}c"), explanation=f"Because {i}.")


CARDS = [mcq(i) for i in range(12)]


def make(n=4, seconds=20, store=None, limits=LiveLimits(), **kw):
    clock = FakeClock()
    config = live_config(n=n, seconds=seconds, seed=kw.pop("seed", 7), **kw)
    game = LiveGame.create(config, CARDS, store=store, clock=clock, now=clock.now, code="123456", limits=limits)
    return game, clock


@pytest.fixture
def store(tmp_path):
    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    s = Store.open(loc, profile="default")
    yield s
    s.close()


def wrong(game):
    return (game.current.correct + 1) % len(game.current.options)


# --- joining -------------------------------------------------------------------------------------------


def test_join_with_the_code_and_a_clean_unique_nickname():
    game, _ = make()
    ann = game.join("123456", "Ann", "10.0.0.2")
    assert ann.name == "Ann" and ann.token and ann.id == 1
    with pytest.raises(LiveError) as e:
        game.join("654321", "Bo", "10.0.0.3")
    assert e.value.reason == "bad_code"
    with pytest.raises(LiveError) as e:
        game.join("123456", "  ANN ", "10.0.0.3")
    assert e.value.reason == "name_taken"
    with pytest.raises(LiveError) as e:
        game.join("123456", "Ａｎｎ", "10.0.0.3")  # full-width letters: the same name
    assert e.value.reason == "name_taken"
    with pytest.raises(LiveError) as e:
        game.join(123456, "Cy", "10.0.0.3")
    assert e.value.reason == "bad_code"
    assert [p.name for p in game.active_players()] == ["Ann"]


@pytest.mark.parametrize("raw, cleaned", [
    ("[bold]Ann[/]", "Ann"),
    ("<b>Bo</b>", "Bo"),
    ("\x1b[31mRed\x1b[0m", "Red"),
    ("Ev\u202eil\u200b", "Evil"),  # bidi override, zero-width space
    ("two\nlines\tand  tabs", "two lines and tabs"),
    ("x" * 50, "x" * MAX_NICK),
    ("李华", "李华"),
    ("[0] zero", "zero"),
])
def test_nicknames_are_cleaned(raw, cleaned):
    assert clean_nickname(raw) == cleaned


@pytest.mark.parametrize("raw", ["", "   ", "\x1b[0m", "[/]", "\u200b\u202e", None, 42])
def test_unusable_nicknames_are_refused(raw):
    with pytest.raises(LiveError) as e:
        clean_nickname(raw)
    assert e.value.reason == "bad_name"


def test_wrong_codes_are_rate_limited_per_client():
    game, clock = make(limits=LiveLimits(failed_joins_per_client=(3, 60.0)))
    for _ in range(3):
        with pytest.raises(LiveError, match="not this game's code"):
            game.join("000000", "Ann", "10.0.0.9")
    with pytest.raises(LiveError) as e:  # even the right code now: the client waits
        game.join("123456", "Ann", "10.0.0.9")
    assert e.value.reason == "rate_limited"
    assert game.join("123456", "Bo", "10.0.0.8").name == "Bo"  # another client is not held up
    clock.advance(61)
    assert game.join("123456", "Ann", "10.0.0.9").name == "Ann"


def test_joins_rate_limited_per_client_and_in_total():
    game, clock = make(limits=LiveLimits(joins_per_client=(2, 10.0), joins_total=(3, 10.0)))
    game.join("123456", "A", "c1")
    game.join("123456", "B", "c1")
    with pytest.raises(LiveError, match="too many"):
        game.join("123456", "C", "c1")
    game.join("123456", "D", "c2")
    with pytest.raises(LiveError, match="too many"):
        game.join("123456", "E", "c3")
    clock.advance(11)
    assert game.join("123456", "E", "c3").name == "E"


def test_rate_limiter_sliding_window():
    clock = FakeClock()
    r = RateLimiter(2, 5.0, clock)
    assert r.allow("k") and r.allow("k") and not r.allow("k") and r.blocked("k")
    clock.advance(5.01)
    assert r.allow("k")


def test_at_most_max_students():
    game, _ = make(limits=LiveLimits(max_students=2))
    game.join("123456", "A", "c1")
    game.join("123456", "B", "c2")
    with pytest.raises(LiveError) as e:
        game.join("123456", "C", "c3")
    assert e.value.reason == "full"
    game.remove(1)  # a place is free again
    assert game.join("123456", "C", "c3").name == "C"


def test_default_max_is_200():
    assert LiveLimits().max_students == 200


def test_remove_a_student():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    game.join("123456", "Bo", "c2")
    events = []
    game.subscribe(lambda kind, data: events.append(kind))
    game.remove(ann.id)
    assert "removed" in events
    assert [p.name for p in game.active_players()] == ["Bo"]
    with pytest.raises(LiveError) as e:
        game.resume(ann.token)
    assert e.value.reason == "removed"
    with pytest.raises(LiveError):
        game.join("123456", "Ann", "c1")  # the name stays taken
    game.open_next()
    with pytest.raises(LiveError):
        game.answer(ann.token, 1, 0)
    assert game.expected_count() == 1


# --- questions ---------------------------------------------------------------------------------------


def test_same_seed_same_questions_as_a_drill():
    a, _ = make(n=5, seed=99)
    b, _ = make(n=5, seed=99)
    drill = build_questions(CARDS, 5, 99)
    assert [(q.card.uid, q.options) for q in a.questions] == [(q.card.uid, q.options) for q in b.questions] \
        == [(q.card.uid, q.options) for q in drill]
    c, _ = make(n=5, seed=100)
    assert [q.card.uid for q in c.questions] != [q.card.uid for q in a.questions]


def test_question_closes_when_everyone_answered():
    game, clock = make()
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    game.open_next()
    assert game.phase == "question" and game.expected_count() == 2
    game.answer(ann.token, 1, game.current.correct)
    assert game.phase == "question" and game.answered_count() == 1
    game.answer(bo.token, 1, wrong(game))
    assert game.phase == "reveal"
    assert game.option_counts()[game.current.correct] == 1 and sum(game.option_counts()) == 2


def test_question_closes_when_time_is_up_on_the_injected_clock():
    game, clock = make(seconds=10)
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    game.open_next()
    game.answer(ann.token, 1, game.current.correct)
    clock.advance(9.9)
    assert not game.tick() and game.remaining() == pytest.approx(0.1)
    clock.advance(0.2)
    with pytest.raises(LiveError) as e:  # server time decides: too late
        game.answer(bo.token, 1, 0)
    assert e.value.reason == "too_late"
    assert game.tick() and game.phase == "reveal"
    miss = game.current_answers[bo.id]
    assert miss.timed_out and miss.chosen == "" and miss.points == 0


def test_pause_stops_the_clock_and_answers():
    game, clock = make(seconds=10)
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    clock.advance(4)
    assert game.pause() is True
    clock.advance(100)
    assert not game.tick() and game.remaining() == pytest.approx(6)
    with pytest.raises(LiveError) as e:
        game.answer(ann.token, 1, 0)
    assert e.value.reason == "paused"
    assert game.pause() is False
    clock.advance(1)
    assert game.answer(ann.token, 1, game.current.correct).answer.seconds == pytest.approx(5)


def test_skip_closes_now_and_next_goes_on_then_ends():
    game, _ = make(n=2)
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    game.skip()
    assert game.phase == "reveal" and game.current_answers[ann.id].timed_out
    game.open_next()
    assert game.index == 1
    game.skip()
    assert game.open_next() is None and game.phase == "ended"


def test_no_timer_waits_for_everyone():
    game, clock = make(seconds=0)
    ann = game.join("123456", "Ann", "c1")
    game.join("123456", "Bo", "c2")
    game.open_next()
    clock.advance(1000)
    assert not game.tick() and game.remaining() is None
    game.answer(ann.token, 1, 0)
    assert game.phase == "question"


def test_one_answer_per_student_per_question_and_only_the_open_one():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    game.join("123456", "Bo", "c2")
    with pytest.raises(LiveError) as e:
        game.answer(ann.token, 1, 0)
    assert e.value.reason == "closed"
    game.open_next()
    game.answer(ann.token, 1, 0)
    for q, choice, reason in [(1, 1, "already"), (2, 0, "wrong_question"), ("1", 0, "wrong_question")]:
        with pytest.raises(LiveError) as e:
            game.answer(ann.token, q, choice)
        assert e.value.reason == reason
    with pytest.raises(LiveError) as e:
        game.answer("not-a-token", 1, 0)
    assert e.value.reason == "unknown_token"
    results = game.answer_many([(game.players[2].token, 1, 9), (game.players[2].token, 1, True)])
    assert [r.reason for r in results] == ["bad_choice", "bad_choice"]
    # a batch with the same student twice: the first counts
    results = game.answer_many([(game.players[2].token, 1, 1), (game.players[2].token, 1, 2)])
    assert results[0].choice == 1 and results[1].reason == "already"
    assert len([a for a in game.answers if a.student == "Bo"]) == 1


def test_scoring_shared_with_drills_speed_bonus_and_streaks():
    game, clock = make(n=4, seconds=20, speed_bonus=True, streaks=True)
    ann = game.join("123456", "Ann", "c1")
    points = []
    for i in range(4):
        game.open_next()
        clock.advance(10)  # half the time left: +0.5
        ack = game.answer(ann.token, i + 1, game.current.correct)
        points.append(ack.answer.points)
    assert points == [1.5, 1.5, 2.5, 1.5]  # the third in a row: +1
    assert game.ranks()["Ann"].points == 7


def test_reconnect_with_the_token_keeps_the_score():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    game.answer(ann.token, 1, game.current.correct)
    game.set_connected(ann, False)
    assert game.resume(ann.token) is ann and ann.connected
    msg = game.state_message(ann)
    assert msg["type"] == "reveal" and msg["you"]["points"] == 1 and msg["you"]["rank"] == 1


def test_resume_during_an_open_question_shows_it_locked_or_open():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    game.open_next()
    game.answer(ann.token, 1, 2)
    assert game.state_message(game.resume(ann.token))["locked"] == 2
    assert "locked" not in game.state_message(game.resume(bo.token))


def test_students_away_for_long_do_not_hold_the_question_open():
    game, clock = make(seconds=60)
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    game.open_next()
    game.answer(ann.token, 1, 0)
    game.set_connected(bo, False)  # a reload or a phone asleep: still waited for a while
    clock.advance(AWAY_GRACE - 1)
    assert not game.tick() and game.phase == "question"
    game.resume(bo.token)  # back: can still answer
    game.set_connected(bo, False)
    clock.advance(AWAY_GRACE)
    assert game.tick() and game.phase == "reveal"
    assert game.current_answers[bo.id].timed_out  # put to Bo, not answered: a miss


def test_late_join_waits_for_the_next_question():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    cy = game.join("123456", "Cy", "c3")
    assert game.state_message(cy)["type"] == "lobby" and game.state_message(cy)["late"]
    with pytest.raises(LiveError) as e:
        game.answer(cy.token, 1, 0)
    assert e.value.reason == "not_yours"
    game.answer(ann.token, 1, 0)  # Cy is not waited for
    assert game.phase == "reveal" and cy.id not in game.current_answers
    game.open_next()
    assert game.expected_count() == 2
    game.answer(cy.token, 2, game.current.correct)
    assert game.ranks()["Cy"].answered == 1


def test_no_join_after_the_end():
    game, _ = make(n=1)
    game.join("123456", "Ann", "c1")
    game.end()
    with pytest.raises(LiveError) as e:
        game.join("123456", "Bo", "c2")
    assert e.value.reason == "ended"


def test_the_right_answer_is_in_no_message_before_the_reveal():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    sent = []
    game.open_next()
    q = game.current
    sent.append(game.question_message())
    sent.append(game.state_message(ann))
    sent.append(game.answer(ann.token, 1, q.correct).message())
    sent.append(game.state_message(ann))
    sent.append(game.lobby_message(bo))
    text = json.dumps(sent)
    assert '"correct"' not in text and q.card.explanation not in text and "Because" not in text
    assert sent[0] == {k: v for k, v in sent[1].items()}  # the same for every student
    game.skip()
    reveal = game.reveal_message(ann)
    assert reveal["correct"] == q.correct and reveal["answer"] == q.answer
    assert reveal["answer_of_yours"]["correct"] is True


def test_leaderboard_hidden_when_asked():
    game, _ = make(leaderboard=False)
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    game.skip()
    assert game.reveal_message(ann)["leaderboard"] is None
    assert game.reveal_message(ann)["you"]["rank"] == 1


# --- saving ---------------------------------------------------------------------------------------------


def test_every_answer_saved_as_a_drill_whose_turns_are_everyone(store):
    game, clock = make(n=2, store=store)
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    game.open_next()
    game.answer(ann.token, 1, game.current.correct)
    rec = load_drill(store, game.id)
    assert [a.student for a in rec.answers] == ["Ann"] and rec.cut_short
    assert rec.config["turns"] == "everyone" and rec.config["mode"] == "live"
    game.answer(bo.token, 1, wrong(game))
    game.open_next()
    game.answer(bo.token, 2, game.current.correct)
    clock.advance(30)
    game.tick()
    rec = load_drill(store, game.id)
    assert not rec.cut_short
    assert [(a.seq, a.student, a.correct, a.timed_out) for a in rec.answers] == [
        (1, "Ann", True, False), (2, "Bo", False, False), (3, "Bo", True, False), (4, "Ann", False, True)]
    assert [s.student for s in rec.leaderboard()] == ["Ann", "Bo"]
    csv = results_csv(rec)
    assert csv.count("\r\n") == 5 and "Ann" in csv
    assert any(d.id == game.id for d in store.drills())


def test_a_crash_loses_no_answer(tmp_path):
    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    s = Store.open(loc, profile="default")
    game, _ = make(n=3, store=s)
    toks = [game.join("123456", f"S{i}", f"c{i}").token for i in range(5)]
    game.open_next()
    acks = game.answer_many([(t, 1, i % 4) for i, t in enumerate(toks[:4])])
    assert all(a.q == 1 for a in acks)
    # the app dies here: no close, no end. A fresh open of the file has every answer given.
    with Store.open(loc, profile="default") as again:
        rec = load_drill(again, game.id)
    assert sorted(a.student for a in rec.answers) == ["S0", "S1", "S2", "S3"]
    s.close()


class FailingStore:
    def __init__(self):
        self.fail = False
        self.rows = []

    @contextmanager
    def transaction(self):
        yield self

    def start_drill(self, *a):
        pass

    def finish_drill(self, *a):
        pass

    def log_drill_answer(self, *a, **kw):
        if self.fail:
            raise StoreError("the progress database is locked")
        self.rows.append(a)


def test_an_answer_not_saved_is_refused_and_can_be_given_again():
    st = FailingStore()
    game, _ = make(store=st)
    ann = game.join("123456", "Ann", "c1")
    game.join("123456", "Bo", "c2")
    game.open_next()
    st.fail = True
    with pytest.raises(LiveError) as e:
        game.answer(ann.token, 1, 0)
    assert e.value.reason == "not_saved" and not game.answers
    st.fail = False
    assert game.answer(ann.token, 1, 0).q == 1 and len(st.rows) == 1


def test_second_round_of_the_misses_keeps_the_students():
    game, _ = make(n=3)
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    game.answer(ann.token, 1, game.current.correct)
    game.open_next()
    game.answer(ann.token, 2, wrong(game))
    missed_uid = game.current.card.uid
    game.open_next()
    game.answer(ann.token, 3, game.current.correct)
    game.open_next()
    assert game.phase == "ended"
    assert [(q.card.uid, m, n) for q, m, n in game.most_missed()] == [(missed_uid, 1, 1)]
    again = game.second_round()
    assert again.id != game.id and again.code == game.code and again.total == 1
    assert again.config.second_round_of == game.id
    assert again.player_for(ann.token).name == "Ann" and again.player_for(ann.token).points == 0


def test_events_for_listeners():
    game, _ = make(n=1)
    events = []
    game.subscribe(lambda kind, data: events.append(kind))
    ann = game.join("123456", "Ann", "c1")
    game.open_next()
    game.pause()
    game.pause()
    game.answer(ann.token, 1, 0)
    game.open_next()
    assert events == ["roster", "question", "pause", "pause", "answer", "reveal", "end"]


def test_an_answer_being_saved_when_the_question_closes_counts_once():
    game, clock = make(seconds=10)
    ann = game.join("123456", "Ann", "c1")
    bo = game.join("123456", "Bo", "c2")
    game.open_next()
    results, pending = game.reserve([(ann.token, 1, game.current.correct)])
    assert results == [None] and len(pending) == 1
    again, more = game.reserve([(ann.token, 1, 0)])  # while it is being saved: still one answer
    assert again[0].reason == "already" and not more
    clock.advance(11)
    game.tick()  # time up while Ann's answer is on its way to the disk: Bo misses, Ann does not
    assert game.phase == "reveal" and ann.id not in game.current_answers
    game.commit(pending, results)
    assert results[0].q == 1 and game.current_answers[ann.id].correct
    assert sorted((a.student, a.timed_out) for a in game.answers) == [("Ann", False), ("Bo", True)]
    assert len({a.seq for a in game.answers}) == 2


def test_an_answer_that_could_not_be_saved_is_released():
    game, _ = make()
    ann = game.join("123456", "Ann", "c1")
    game.join("123456", "Bo", "c2")
    game.open_next()
    results, pending = game.reserve([(ann.token, 1, 0)])
    game.release(pending, results, StoreError("disk full"))
    assert results[0].reason == "not_saved" and "disk full" in str(results[0])
    assert game.answer(ann.token, 1, 1).choice == 1  # can answer again


def test_results_command_shows_a_live_game(tmp_path, capsys):
    from nqpf_tutor.cli import main

    loc = Locations.resolve(data_dir=tmp_path / "data", environ={"NQPF_TUTOR_BUNDLED_DIR": ""})
    with Store.open(loc, profile="default") as st:
        game, _ = make(n=3, store=st)
        ann = game.join("123456", "Ann", "c1")
        bo = game.join("123456", "Bo", "c2")
        game.open_next()
        game.answer(ann.token, 1, game.current.correct)
        game.answer(bo.token, 1, wrong(game))
    assert main(["--data-dir", str(tmp_path / "data"), "results"]) == 0
    out = capsys.readouterr().out
    assert game.id in out and "everyone (live game)" in out and "cut short" in out
    assert main(["--data-dir", str(tmp_path / "data"), "results", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["drills"]
    assert [(d["id"], d.get("live"), d["answers"]) for d in listed] == [(game.id, True, 2)]
    assert main(["--data-dir", str(tmp_path / "data"), "results", game.id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Live game {game.id}") and "cut short (1 of 3 questions asked)" in out
    assert main(["--data-dir", str(tmp_path / "data"), "results", game.id, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"]["turns"] == "everyone" and len(data["answers"]) == 2


def test_the_live_rules_import_neither_textual_nor_aiohttp():
    import subprocess
    import sys

    code = ("import sys, nqpf_tutor.core.classroom.live, nqpf_tutor.commands.join, nqpf_tutor.commands.live; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'aiohttp'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_qr_code_holds_the_join_address():
    import segno

    from nqpf_tutor.live.qr import qr_lines

    url = "http://192.168.1.20:8765/?code=123456"
    lines = qr_lines(url, border=2)
    assert len({len(line) for line in lines}) == 1 and set("".join(lines)) <= set("▀▄█ ")
    # the half blocks read back as segno's modules for the same text, quiet zone around
    rows = []
    for line in lines:
        rows.append([c in "▀█" for c in line])
        rows.append([c in "▄█" for c in line])
    matrix = [[bool(v) for v in row] for row in segno.make(url, error="m", micro=False).matrix]
    n = len(matrix)
    assert [r[2:2 + n] for r in rows[2:2 + n]] == matrix
    assert not any(rows[0]) and not any(rows[1])
