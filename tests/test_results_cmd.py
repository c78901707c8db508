"""``nqpf-tutor results``: list past drills, show one, export it; one-line errors."""

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from nqpf_tutor.cli import main
from nqpf_tutor.core.drill import CSV_COLUMNS, Drill, DrillConfig
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store
from nqpf_tutor.locations import Locations

T0 = datetime(2025, 5, 1, 10, 0, tzinfo=timezone.utc)
CARDS = [Card("d", f"q{i}", "mcq", f"Question {i}?", f"right {i}", distractors=(f"wrong {i}a", f"wrong {i}b"))
         for i in range(6)]


class Clock:
    def __init__(self, start=T0):
        self.start, self.t = start, 0.0

    def __call__(self):
        return self.t

    def now(self):
        return self.start + timedelta(seconds=self.t)


def run_drill(data_dir, n, answered, students=("Ana", "Bo"), start=T0, profile="default", cards=CARDS):
    """A drill of ``n`` questions with ``answered`` answers: right, wrong, right, wrong..., 3 s each."""
    clock = Clock(start)
    with Store.open(Locations.resolve(data_dir=data_dir, environ={}), profile=profile) as store:
        d = Drill.create(DrillConfig(n=n, seed=11, students=students), cards, store=store, clock=clock, now=clock.now)
        for i in range(answered):
            d.start_question()
            clock.t += 3
            q = d.current
            d.answer(q.correct if i % 2 == 0 else (q.correct + 1) % len(q.options))
    return d


def results(tmp_path, *args):
    return main(["--data-dir", str(tmp_path), "results", *args])


def test_no_drills_yet(tmp_path, capsys):
    assert results(tmp_path) == 0
    assert capsys.readouterr().out == "No drills yet. Start one with: nqpf-tutor drill\n"
    assert results(tmp_path, "--json") == 0
    assert json.loads(capsys.readouterr().out) == {"drills": []}


def test_list_of_past_drills(tmp_path, capsys):
    full = run_drill(tmp_path, 4, 4, students=("Ana", "Bo", "Cy"))
    short = run_drill(tmp_path, 5, 2, start=T0 + timedelta(hours=1))
    assert results(tmp_path) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["drill", "started", "(UTC)", "students", "questions", "answers", "status"]
    assert lines[1].split() == [full.id, "2025-05-01", "10:00", "Ana,", "Bo,", "Cy", "4", "4", "finished"]
    assert lines[2].split() == [short.id, "2025-05-01", "11:00", "Ana,", "Bo", "5", "2", "cut", "short"]
    assert lines[3] == "2 drills; show one with: nqpf-tutor results DRILL"

    assert results(tmp_path, "--json") == 0
    data = json.loads(capsys.readouterr().out)["drills"]
    assert [(d["id"], d["questions"], d["answers"], d["cut_short"], d["students"]) for d in data] == [
        (full.id, 4, 4, False, ["Ana", "Bo", "Cy"]), (short.id, 5, 2, True, ["Ana", "Bo"])]
    assert data[1]["started"] == "2025-05-01T11:00:00.000000Z" and data[1]["finished"] is None


def test_one_drill_scores_and_answers(tmp_path, capsys):
    d = run_drill(tmp_path, 5, 3)
    assert results(tmp_path, d.id) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"Drill {d.id}  started 2025-05-01 10:00 UTC  cut short (3 of 5 answered)"
    assert lines[1] == "seed 11, 20 s per question, speed bonus off, streaks off"
    i = lines.index("rank  student  points  right  answered")
    assert [l.split() for l in lines[i + 1:i + 3]] == [["1", "Ana", "2", "2", "2"], ["2", "Bo", "0", "0", "1"]]
    assert "Most missed:" in lines
    q1 = d.questions[1]
    assert f"  1 of 1  {q1.card.uid}  {q1.prompt}" in lines
    assert f"    2. Bo  wrong  3 s  0 pt  {q1.card.uid}" in lines
    assert f"       chosen: {d.answers[1].chosen}  |  right answer: {q1.answer}" in lines


def test_one_drill_as_json(tmp_path, capsys):
    d = run_drill(tmp_path, 3, 3)
    assert results(tmp_path, d.id, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["drill"]["id"] == d.id and data["drill"]["cut_short"] is False and data["drill"]["right"] == 2
    assert [(s["student"], s["points"]) for s in data["scores"]] == [("Ana", 2), ("Bo", 0)]
    assert [a["question_id"] for a in data["answers"]] == [q.card.uid for q in d.questions]
    assert data["config"]["question_ids"] == [q.card.uid for q in d.questions]


def test_a_unique_start_of_an_id_is_enough(tmp_path, capsys):
    d = run_drill(tmp_path, 2, 1)
    run_drill(tmp_path, 2, 1, start=T0 + timedelta(days=1))
    assert results(tmp_path, d.id[:8], "--json") == 0
    assert json.loads(capsys.readouterr().out)["drill"]["id"] == d.id
    assert results(tmp_path, "2025") == 1
    assert capsys.readouterr().err == "nqpf-tutor: drill '2025' is ambiguous: 2 drills start with it\n"


def test_export_writes_csv_and_json_alongside(tmp_path, capsys):
    d = run_drill(tmp_path, 4, 3)
    out = tmp_path / "class-7a.csv"
    assert results(tmp_path, d.id, "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out} and {tmp_path / 'class-7a.json'}\n")
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["student"], r["question_id"], r["correct"], r["seconds"], r["points"]) for r in rows] == [
        ("Ana", d.questions[0].card.uid, "true", "3", "1"),
        ("Bo", d.questions[1].card.uid, "false", "3", "0"),
        ("Ana", d.questions[2].card.uid, "true", "3", "1"),
    ]
    assert all(r["drill_id"] == d.id for r in rows)
    data = json.loads((tmp_path / "class-7a.json").read_text("utf-8"))
    assert data["drill"]["answers"] == 3 and data["drill"]["questions"] == 4 and len(data["answers"]) == 3


def test_export_with_json_keeps_stdout_pure_json(tmp_path, capsys):
    d = run_drill(tmp_path, 2, 2)
    assert results(tmp_path, d.id, "--json", "--out", str(tmp_path / "r.csv")) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["drill"]["id"] == d.id and err.startswith("wrote ")
    assert (tmp_path / "r.csv").exists() and (tmp_path / "r.json").exists()


def test_unknown_drill_is_one_line_exit_1(tmp_path, capsys):
    run_drill(tmp_path, 2, 1)
    assert results(tmp_path, "no-such-drill") == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "nqpf-tutor: no drill 'no-such-drill' (nqpf-tutor results lists them)\n"


def test_out_needs_a_drill_and_a_writable_place(tmp_path, capsys):
    d = run_drill(tmp_path, 2, 1)
    assert results(tmp_path, "--out", str(tmp_path / "r.csv")) == 1
    assert capsys.readouterr().err == "nqpf-tutor: results --out needs a drill id: nqpf-tutor results DRILL --out FILE\n"
    assert results(tmp_path, d.id, "--out", str(tmp_path / "missing" / "r.csv")) == 1
    err = capsys.readouterr().err
    assert err.startswith("nqpf-tutor: cannot write ") and "does not exist" in err and err.count("\n") == 1


def test_drills_of_another_profile_are_not_listed(tmp_path, capsys):
    d = run_drill(tmp_path, 2, 1, profile="class-7a")
    assert results(tmp_path) == 0
    assert "No drills yet" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path), "--profile", "class-7a", "results", d.id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["drill"]["id"] == d.id


def test_deck_and_student_text_is_printed_as_plain_text(tmp_path, capsys):
    card = Card("d", "odd", "mcq", "Escape \x1b[2J here [bold]and[/] there?", "yes\x07", distractors=("no", "maybe"))
    d = run_drill(tmp_path, 1, 1, students=("Team [red]A[/]",), cards=[card])
    assert results(tmp_path, d.id) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    # the whole escape sequence goes (core.text.clean), the markup-like text stays as typed
    assert "Escape here [bold]and[/] there?" in out and "Team [red]A[/]" in out


def test_a_locked_database_is_one_line(tmp_path, capsys, monkeypatch):
    import sqlite3

    run_drill(tmp_path, 1, 1)
    monkeypatch.setattr("nqpf_tutor.core.store.BUSY_TIMEOUT", 0.1)
    locker = sqlite3.connect(tmp_path / "progress.sqlite3", isolation_level=None)
    locker.execute("PRAGMA locking_mode = EXCLUSIVE")
    locker.execute("BEGIN EXCLUSIVE")
    try:
        assert results(tmp_path) == 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert capsys.readouterr().err.startswith("nqpf-tutor: database is locked by another program: ")
