"""Classroom drills, headless: questions, turns, timer, scoring, saving, second round, results files."""

import csv
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from nqpf_tutor.core.drill import (
    CSV_COLUMNS,
    Drill,
    DrillConfig,
    DrillError,
    build_questions,
    json_path_for,
    load_drill,
    write_results,
)
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.questions import normalize
from nqpf_tutor.core.store import Store
from nqpf_tutor.files import OutputError

UTC = timezone.utc
T0 = datetime(2025, 5, 1, 10, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic seconds and wall time that move only when told."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t

    def now(self):
        return T0 + timedelta(seconds=self.t - 1000.0)

    def advance(self, seconds):
        self.t += seconds


def mcq(i, deck="d"):
    return Card(deck, f"q{i:02d}", "mcq", f"Question {i}?", f"right {i}", distractors=(f"wrong {i}a", f"wrong {i}b", f"wrong {i}c"))


def tf(i, truth=True):
    return Card("d", f"tf{i:02d}", "truefalse", f"Statement {i}.", "True" if truth else "False")


CARDS = [mcq(i) for i in range(12)] + [tf(i, i % 2 == 0) for i in range(4)]


def make(n=5, seconds=20, store=None, clock=None, cards=CARDS, **kw):
    clock = clock or FakeClock()
    config = DrillConfig(n=n, seconds=seconds, seed=kw.pop("seed", 7), **kw)
    return Drill.create(config, cards, store=store, clock=clock, now=clock.now), clock


def right(d):
    return d.current.correct


def wrong(d):
    return (d.current.correct + 1) % len(d.current.options)


# --- questions ------------------------------------------------------------------------------------


def test_only_multiple_choice_and_true_false_questions():
    cards = [mcq(1), tf(1), Card("d", "cl", "cloze", "The {{hallmark}} is TFP.", "hallmark"),
             Card("d", "or", "order", "Order these", "a → b", items=("a", "b")),
             Card("d", "fl", "flip", "No distractors?", "none"),
             Card("d", "ty", "typed", "Typed with options?", "yes", distractors=("no", "maybe"))]
    qs = build_questions(cards, 10, 1)
    assert sorted(q.card.id for q in qs) == ["q01", "tf01", "ty"]
    tfq = next(q for q in qs if q.card.id == "tf01")
    assert tfq.options == ("True", "False") and tfq.answer == "True"
    with pytest.raises(DrillError, match="no multiple-choice or true/false questions"):
        build_questions(cards[2:5], 10, 1)


def test_a_question_asked_by_two_cards_counts_once():
    # a table cell yields a flip and an mcq card with the same prompt and answer
    flip = Card("d", "eras.steam.power", "flip", "Steam era: power source?", "Coal", distractors=("Oil", "Electricity"), table="eras")
    same = Card("d", "eras.steam.power.mcq", "mcq", "Steam era: power source?", "Coal", distractors=("Oil", "Electricity"), table="eras")
    qs = build_questions([flip, same, mcq(1)], 10, 3)
    assert len(qs) == 2
    assert {q.card.id for q in qs} == {"eras.steam.power.mcq", "q01"}  # the authored mcq is kept


def test_bundled_decks_give_no_repeated_question(tmp_path):
    from nqpf_tutor.core.loader import load_catalog
    from nqpf_tutor.locations import Locations

    cards = load_catalog(Locations.resolve(data_dir=tmp_path, environ={}), use_cache=False).all_cards()
    qs = build_questions(cards, 10_000, 5)
    keys = [(normalize(q.prompt), normalize(q.answer)) for q in qs]
    assert len(keys) == len(set(keys)) > 50
    assert all(q.card.type in ("mcq", "truefalse", "flip", "typed") and 2 <= len(q.options) <= 4 for q in qs)


def test_same_seed_same_drill_other_seed_other_drill():
    def shape(qs):
        return [(q.card.uid, q.options, q.correct) for q in qs]

    a = build_questions(CARDS, 10, 42)
    b = build_questions(list(reversed(CARDS)), 10, 42)  # the order cards are loaded in does not matter
    assert shape(a) == shape(b) and len(a) == 10
    c = build_questions(CARDS, 10, 43)
    assert [q.card.uid for q in a] != [q.card.uid for q in c]
    # options are shuffled too, and differently under another seed
    full_a = {q.card.uid: q for q in build_questions(CARDS, 100, 42) if q.card.type == "mcq"}
    full_c = {q.card.uid: q for q in build_questions(CARDS, 100, 43) if q.card.type == "mcq"}
    assert len({q.correct for q in full_a.values()}) > 1  # the right answer is not always first
    assert any(full_a[u].options != full_c[u].options for u in full_a)


def test_no_seed_picks_one_and_records_it(tmp_path):
    clock = FakeClock()
    d = Drill.create(DrillConfig(n=5), CARDS, clock=clock, now=clock.now)
    assert isinstance(d.seed, int) and d.config.seed == d.seed
    again = build_questions(CARDS, 5, d.seed)
    assert [(q.card.uid, q.options) for q in again] == [(q.card.uid, q.options) for q in d.questions]
    with Store.open(tmp_path / "p.sqlite3") as store:
        d = Drill.create(DrillConfig(n=3), CARDS, store=store, clock=clock, now=clock.now)
        d.answer(0)
        assert store.drill(d.id).seed == d.seed


def test_n_larger_than_the_pool_uses_the_whole_pool():
    d, _ = make(n=500)
    assert d.total == len(CARDS)


@pytest.mark.parametrize(
    "kw, message",
    [({"n": 0}, "number of questions"), ({"seconds": -1}, "seconds per question"),
     ({"students": ("Ana", "ana")}, "named twice"), ({"students": ("",)}, "bad student name"),
     ({"students": ("x" * 41,)}, "bad student name")],
)
def test_bad_config_is_one_line(kw, message):
    with pytest.raises(DrillError, match=message) as e:
        DrillConfig(**kw)
    assert "\n" not in str(e.value)


def test_student_names_are_cleaned_and_default_to_the_class():
    assert DrillConfig().students == ("Class",)
    assert DrillConfig(students=(" Team\x1b[31m  A ", "B")).students == ("Team [31m A", "B")


# --- turns and timer ------------------------------------------------------------------------------


def test_three_students_take_turns_question_by_question():
    d, _ = make(n=7, students=("Ana", "Bo", "Cy"))
    seen = []
    while not d.done:
        seen.append(d.current_student)
        a = d.answer(right(d))
        assert a.student == seen[-1]
    assert seen == ["Ana", "Bo", "Cy", "Ana", "Bo", "Cy", "Ana"]
    assert [s.answered for s in d.scores().values()] == [3, 2, 2]
    assert d.current is None and d.current_student is None


def test_timer_counts_down_and_a_late_answer_is_a_miss():
    d, clock = make(seconds=20)
    assert d.remaining() == 20  # not started yet
    d.start_question()
    clock.advance(5)
    assert d.remaining() == 15 and not d.expired()
    d.start_question()  # calling again does not restart the timer
    assert d.remaining() == 15
    clock.advance(15)
    assert d.remaining() == 0 and not d.expired()  # the last moment still counts
    a = d.answer(right(d))
    assert a.correct and a.seconds == 20 and a.points == 1

    d.start_question()
    clock.advance(20.5)
    assert d.expired() and d.remaining() == 0
    late = d.answer(right(d))  # the right option, but too late
    assert (late.correct, late.timed_out, late.chosen, late.points, late.seconds) == (False, True, "", 0, 20)
    assert late.right_answer == d.questions[1].answer

    d.start_question()
    clock.advance(21)
    out = d.expire()  # what the UI calls when its countdown reaches 0
    assert (out.correct, out.timed_out, out.chosen, out.points, out.seconds) == (False, True, "", 0, 20)
    none = d.answer(None)
    assert (none.correct, none.timed_out, none.chosen) == (False, False, "")


def test_without_a_timer_nothing_expires():
    d, clock = make(seconds=0)
    d.start_question()
    clock.advance(3600)
    assert d.remaining() is None and not d.expired()
    a = d.answer(right(d))
    assert a.correct and a.seconds == 3600 and a.points == 1


def test_answers_out_of_range_and_after_the_end_are_refused():
    d, _ = make(n=1)
    with pytest.raises(ValueError):
        d.answer(len(d.current.options))
    d.answer(0)
    assert d.done
    with pytest.raises(DrillError, match="over"):
        d.answer(0)
    with pytest.raises(DrillError, match="over"):
        d.start_question()


# --- scoring -------------------------------------------------------------------------------------


def test_one_point_per_right_answer_without_bonuses():
    d, clock = make(n=6, students=("Ana", "Bo"))
    for choose in (right, right, wrong, right, right, right):
        d.start_question()
        clock.advance(2)
        d.answer(choose(d))
    assert [a.points for a in d.answers] == [1, 1, 0, 1, 1, 1]
    s = d.scores()
    assert (s["Ana"].points, s["Ana"].right, s["Ana"].answered, s["Ana"].missed) == (2, 2, 3, 1)
    assert (s["Bo"].points, s["Bo"].right) == (3, 3)
    assert [x.student for x in d.leaderboard()] == ["Bo", "Ana"]


def test_speed_bonus_is_the_share_of_time_left():
    d, clock = make(n=4, seconds=20, speed_bonus=True)
    for wait, choose, points in ((0, right, 2), (5, right, 1.75), (10, right, 1.5), (3, wrong, 0)):
        d.start_question()
        clock.advance(wait)
        assert d.answer(choose(d)).points == points
    assert d.scores()["Class"].points == 5.25
    # no timer: no speed bonus
    d, clock = make(n=1, seconds=0, speed_bonus=True)
    assert d.answer(right(d)).points == 1


def test_streak_bonus_on_every_third_right_answer_in_a_row():
    d, _ = make(n=12, streaks=True)
    pattern = [right] * 7 + [wrong] + [right] * 3 + [wrong]
    got = [d.answer(choose(d)).points for choose in pattern]
    assert got == [1, 1, 2, 1, 1, 2, 1, 0, 1, 1, 2, 0]
    assert d.streak("Class") == 0


def test_streaks_count_per_student():
    d, _ = make(n=8, streaks=True, students=("Ana", "Bo"))
    # Ana: right right wrong right; Bo: right right right right
    pattern = [right, right, right, right, wrong, right, right, right]
    got = [(a.student, a.points) for a in (d.answer(choose(d)) for choose in pattern)]
    assert got == [("Ana", 1), ("Bo", 1), ("Ana", 1), ("Bo", 1), ("Ana", 0), ("Bo", 2), ("Ana", 1), ("Bo", 1)]


def test_both_bonuses_together():
    d, clock = make(n=3, seconds=10, speed_bonus=True, streaks=True)
    for _ in range(3):
        d.start_question()
        clock.advance(5)
        d.answer(right(d))
    assert [a.points for a in d.answers] == [1.5, 1.5, 2.5]


def test_leaderboard_ties_by_name_share_a_rank():
    d, _ = make(n=6, students=("Cy", "Ana", "Bo"))
    for choose in (right, right, wrong, wrong, wrong, wrong):
        d.answer(choose(d))
    board = d.leaderboard()
    assert [(s.rank, s.student, s.points) for s in board] == [(1, "Ana", 1), (1, "Cy", 1), (3, "Bo", 0)]
    assert list(d.scores()) == ["Cy", "Ana", "Bo"]  # turn order


def test_missed_questions_and_most_missed():
    d, clock = make(n=5)
    for choose in (wrong, right, wrong, right, None):
        if choose is None:
            d.start_question()
            clock.advance(25)
            d.expire()
        else:
            d.answer(choose(d))
    missed = d.missed_questions()
    assert missed == [d.questions[0], d.questions[2], d.questions[4]]
    assert d.most_missed(2) == [(d.questions[0], 1), (d.questions[2], 1)]


def test_second_round_asks_exactly_the_missed_questions(tmp_path):
    with Store.open(tmp_path / "p.sqlite3") as store:
        d, clock = make(n=5, store=store, students=("Ana", "Bo"), streaks=True)
        for choose in (wrong, right, right, wrong, right):
            d.answer(choose(d))
        second = d.second_round()
        assert [q.card for q in second.questions] == [d.questions[0].card, d.questions[3].card]
        for before, again in zip((d.questions[0], d.questions[3]), second.questions):
            # the options are shuffled again (another order), the right answer still right
            assert sorted(again.options) == sorted(before.options) and again.answer == before.answer
            if before.card.type != "truefalse":  # True stays before False
                assert again.options != before.options
        assert second.id != d.id and second.students == d.students and second.seed == d.seed
        assert second.config.streaks and second.config.second_round_of == d.id
        while not second.done:
            second.answer(right(second))
        assert [r.id for r in store.drills()] == [d.id, second.id]
        assert [a["question_id"] for a in store.drill_answers(second.id)] == [q.card.uid for q in second.questions]
        with pytest.raises(DrillError, match="no missed questions"):
            second.second_round()


# --- saving --------------------------------------------------------------------------------------


def test_answers_are_saved_as_given_and_a_drill_cut_short_keeps_them(tmp_path):
    path = tmp_path / "data" / "progress.sqlite3"
    store = Store.open(path)
    d, clock = make(n=5, store=store, students=("Ana", "Bo"))
    assert store.drills() == []  # nothing recorded before the first question starts
    d.start_question()
    clock.advance(3)
    first = d.answer(right(d))
    d.start_question()
    clock.advance(4.25)
    second = d.answer(wrong(d))
    # another connection (another program) sees both answers already committed
    with Store.open(path) as other:
        assert [a["seq"] for a in other.drill_answers(d.id)] == [1, 2]
    store.close()  # the drill is abandoned here: cut short

    with Store.open(path) as store:
        (row,) = store.drills()
        assert (row.id, row.finished, row.answers, row.seed) == (d.id, None, 2, 7)
        assert row.config["students"] == ["Ana", "Bo"] and row.config["questions"] == 5
        assert row.config["question_ids"] == [q.card.uid for q in d.questions]
        rec = load_drill(store, d.id)
        assert rec.cut_short and rec.started == T0
        assert rec.answers == [replace(first, chosen_index=None), replace(second, chosen_index=None)]
        a = rec.answers[1]
        assert (a.student, a.correct, a.seconds, a.points, a.chosen) == ("Bo", False, 4.25, 0, d.questions[1].options[wrong_index(d.questions[1])])
        assert a.time == T0 + timedelta(seconds=7.25)
        assert [(s.student, s.points) for s in rec.leaderboard()] == [("Ana", 1), ("Bo", 0)]
        with pytest.raises(DrillError, match="no drill 'nope'"):
            load_drill(store, "nope")


def wrong_index(q):
    return (q.correct + 1) % len(q.options)


def test_an_answer_the_store_cannot_take_is_kept_and_saved_later_once(tmp_path):
    from nqpf_tutor.core.store import StoreUnavailable

    with Store.open(tmp_path / "p.sqlite3") as store:
        d, _ = make(n=3, store=store, streaks=True)
        d.answer(right(d))
        d.answer(right(d))
        real = store.log_drill_answer

        def failing(*a, **k):
            raise StoreUnavailable("database is locked by another program: x")

        store.log_drill_answer = failing
        assert d.answer(right(d)).points == 2  # the drill goes on: the streak bonus, counted once
        assert d.index == 3 and d.done and store.drill(d.id).answers == 2
        assert store.writes.pending_answers == 1 and str(store.writes.error).startswith("database is locked")
        store.log_drill_answer = real
        assert store.writes.flush() == 1 and store.writes.pending == 0
        assert [a["points"] for a in store.drill_answers(d.id)] == [1, 1, 2]
        assert store.drill(d.id).finished == d.finished


def test_a_drill_run_to_the_end_is_marked_finished(tmp_path):
    with Store.open(tmp_path / "p.sqlite3") as store:
        d, clock = make(n=3, store=store)
        for _ in range(3):
            clock.advance(2)
            d.answer(right(d))
        (row,) = store.drills()
        assert row.finished == d.finished == d.answers[-1].time and row.answers == 3
        assert not load_drill(store, d.id).cut_short


def test_drills_never_touch_the_spaced_repetition_schedule(tmp_path):
    with Store.open(tmp_path / "p.sqlite3") as store:
        d, _ = make(n=5, store=store)
        while not d.done:
            d.answer(0)
        assert store.states() == []
        assert store.conn.execute("SELECT count(*) FROM review_log").fetchone()[0] == 0
        assert store.review_stats() == (0, 0)


def test_drills_belong_to_a_profile(tmp_path):
    path = tmp_path / "p.sqlite3"
    with Store.open(path, profile="class-7a") as store:
        d, _ = make(n=1, store=store)
        d.answer(0)
    with Store.open(path) as store:
        assert store.drills() == [] and store.drill(d.id) is None
    with Store.open(path, profile="class-7a") as store:
        assert [r.id for r in store.drills()] == [d.id]


# --- results files -------------------------------------------------------------------------------


def test_results_csv_and_json(tmp_path):
    d, clock = make(n=3, students=("Ana", "Bo"), speed_bonus=True, seconds=10)
    d.start_question()
    clock.advance(2.5)
    d.answer(right(d))
    d.start_question()
    clock.advance(11)
    d.expire()
    csv_path, json_path = write_results(d, tmp_path / "results.csv")
    assert json_path.name == "results.json" and json_path.parent == csv_path.parent
    assert csv_path.stat().st_mode & 0o777 == json_path.stat().st_mode & 0o777 == 0o644
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == CSV_COLUMNS
    q0, q1 = d.questions[0], d.questions[1]
    assert rows[1] == [d.id, "2025-05-01T10:00:02.500000Z", "Ana", q0.card.uid, q0.prompt, q0.answer, q0.answer,
                       "true", "2.5", "1.75"]
    assert rows[2] == [d.id, "2025-05-01T10:00:13.500000Z", "Bo", q1.card.uid, q1.prompt, "", q1.answer,
                       "false", "10", "0"]
    assert len(rows) == 3
    data = json.loads(json_path.read_text("utf-8"))
    assert data["drill"] == {"id": d.id, "started": "2025-05-01T10:00:00.000000Z", "finished": None, "cut_short": True,
                             "seed": 7, "students": ["Ana", "Bo"], "questions": 3, "answers": 2, "right": 1}
    assert data["config"]["speed_bonus"] is True and data["config"]["seconds"] == 10
    assert data["scores"] == [
        {"rank": 1, "student": "Ana", "points": 1.75, "right": 1, "answered": 1, "missed": 0},
        {"rank": 2, "student": "Bo", "points": 0, "right": 0, "answered": 1, "missed": 1},
    ]
    assert data["most_missed"] == [{"question_id": q1.card.uid, "prompt": q1.prompt, "missed": 1, "asked": 1}]
    assert [r["timed_out"] for r in data["answers"]] == [False, True]
    assert {k: data["answers"][0][k] for k in CSV_COLUMNS} == dict(zip(CSV_COLUMNS, [
        d.id, "2025-05-01T10:00:02.500000Z", "Ana", q0.card.uid, q0.prompt, q0.answer, q0.answer, True, 2.5, 1.75]))


def test_results_with_awkward_text_round_trip_through_csv(tmp_path):
    card = Card("d", "odd", "mcq", 'Commas, "quotes",\nnew lines and [bold]markup[/]?', "=1+1",
                distractors=("a,b", 'say "hi"'))
    d, _ = make(n=1, cards=[card], students=("Zoë",))
    d.answer(d.current.correct)
    csv_path, _ = write_results(d, tmp_path / "r.csv")
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # a cell that a spreadsheet would run as a formula is neutralised (OWASP): a leading '
    assert rows[0]["prompt"] == card.prompt and rows[0]["chosen"] == "'=1+1" and rows[0]["student"] == "Zoë"


def test_json_path_beside_the_csv(tmp_path):
    assert json_path_for(tmp_path / "r.csv") == tmp_path / "r.json"
    assert json_path_for(tmp_path / "r") == tmp_path / "r.json"
    assert json_path_for(tmp_path / "r.json") == tmp_path / "r.json.json"


def test_results_that_cannot_be_written_give_one_line(tmp_path):
    d, _ = make(n=1)
    d.answer(0)
    with pytest.raises(OutputError, match="cannot write .*the folder .* does not exist") as e:
        write_results(d, tmp_path / "missing" / "r.csv")
    assert "\n" not in str(e.value)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(OutputError, match="it is a folder"):
        write_results(d, tmp_path / "dir.csv")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_results(d, blocker / "r.csv")
    assert not list(tmp_path.glob("**/*.tmp"))


def test_a_second_round_shuffles_each_questions_options_again():
    from nqpf_tutor.core.drill import reshuffle
    from nqpf_tutor.core.questions import Question

    qs = [Question(Card("d", f"m{i}", "mcq", f"Q{i}?", f"right {i}", distractors=(f"a{i}", f"b{i}")),
                   f"Q{i}?", (f"right {i}", f"a{i}", f"b{i}"), 0) for i in range(20)]
    qs.append(Question(Card("d", "tf", "truefalse", "S.", "false"), "S.", ("True", "False"), 1))
    again = reshuffle(qs, "round|x")
    assert again == reshuffle(qs, "round|x")  # deterministic
    assert [q.card for q in again] == [q.card for q in qs]
    for before, after in zip(qs[:-1], again[:-1]):
        assert after.options != before.options and sorted(after.options) == sorted(before.options)
        assert after.answer == before.answer
    assert again[-1].options == ("True", "False") and again[-1].answer == "False"
