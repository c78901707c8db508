"""The class report on the made-up class 7C (tests/report_fixture.py): figures against a hand count,
names and nicknames across drills, --class/--since, JSON, formula-safe CSV, errors, --class on
drills, and the hardest questions as a drill."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest

from nqpf_tutor.cli import main
from nqpf_tutor.core.classroom.report import build_report, parse_since, report_from_store, safe_cell
from nqpf_tutor.core.classroom.roster import RosterError, load_roster, name_key
from nqpf_tutor.core.drill import Drill, DrillConfig, DrillError
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store

from report_fixture import TAGS, setup_data

UTC = timezone.utc
TAGS_OF = {f"cls/{q}": t for q, t in TAGS.items()}


@pytest.fixture
def data(tmp_path):
    setup_data(tmp_path / "data", tmp_path / "decks")
    return tmp_path


def cli(tmp_path, *args):
    return main(["--data-dir", str(tmp_path / "data"), "--decks-dir", str(tmp_path / "decks"), *args])


def report_7c(tmp_path, since="2026-02-15", class_name="7C"):
    with Store.open(tmp_path / "data" / "progress.sqlite3") as store:
        return report_from_store(store, class_name=class_name, since=parse_since(since),
                                 classes_dir=tmp_path / "data" / "classes", tags_of=TAGS_OF)


def test_students_match_the_hand_count(data):
    r = report_7c(data)
    assert [d.id for d in r.drills] == ["d1", "d2", "d3"]
    got = {s.name: (s.drills, s.answers, s.right, s.accuracy, s.trend) for s in r.students}
    assert got == {
        "Ann Lee": (3, 5, 5, 1.0, 0.0),
        "Bo Chen": (3, 5, 3, 0.6, 0.5),
        "Cy Diaz": (3, 5, 1, 0.2, 1.0),
        "Dee Evans": (3, 5, 2, 0.4, -0.5),
    }
    assert (r.answers, r.right, r.accuracy, r.group_size) == (20, 11, 0.55, 1)


def test_questions_and_tags_match_the_hand_count(data):
    r = report_7c(data)
    got = [(q.question_id, q.asked, q.right, q.share_right, q.discrimination, q.most_chosen_wrong, q.timed_out)
           for q in r.questions]
    assert got == [
        ("cls/q4", 4, 1, 0.25, 1.0, ("Z", 2), 0),
        ("cls/q2", 4, 2, 0.5, 1.0, ("Y", 1), 1),
        ("cls/q1", 8, 5, 0.625, 0.5, ("X", 3), 0),
        ("cls/q3", 4, 3, 0.75, 1.0, ("W", 1), 0),
    ]
    assert [(t.tag, t.questions, t.answers, t.right, t.accuracy) for t in r.tags] == [
        ("alpha", 2, 12, 7, 0.5833), ("beta", 2, 8, 5, 0.625), ("gamma", 1, 4, 1, 0.25),
    ]
    assert [q.question_id for q in r.hardest(2)] == ["cls/q4", "cls/q2"]


def test_every_class_and_date_names_match_across_classes(data):
    r = report_7c(data, since=None, class_name=None)
    assert [d.id for d in r.drills] == ["d0", "d1", "d2", "d3", "d4"]
    ann = next(s for s in r.students if s.name == "Ann Lee")
    # d0 (0/1), d1 (2/2), d2 (2/2 as "annie"), d3 (1/1), and in class 8A "Ann Lee" (0/1)
    assert (ann.drills, ann.answers, ann.right) == (5, 7, 5)
    assert ann.trend == round(0 - 5 / 6, 4)
    assert {s.name for s in r.students} == {"Ann Lee", "Bo Chen", "Cy Diaz", "Dee Evans", "=SUM(A1)"}


def test_without_a_roster_names_match_ignoring_case_and_spaces():
    class D:  # a DrillRow's fields the report reads
        def __init__(self, id, day):
            self.id, self.started, self.class_name, self.answers, self.finished = id, day, "X", 0, None

    drills = [D("a", datetime(2026, 1, 1, tzinfo=UTC)), D("b", datetime(2026, 1, 2, tzinfo=UTC))]
    answers = [
        {"drill_id": "a", "seq": 1, "student": "Mei  Lin", "question_id": "d/q", "prompt": "P", "right_answer": "R",
         "chosen": "R", "correct": True, "timed_out": False, "points": 1},
        {"drill_id": "b", "seq": 1, "student": "mei lin", "question_id": "d/q", "prompt": "P", "right_answer": "R",
         "chosen": "S", "correct": False, "timed_out": False, "points": 0},
    ]
    r = build_report(drills, answers)
    # one answer each way: the latest spelling names her
    assert [(s.name, s.drills, s.answers, s.trend) for s in r.students] == [("mei lin", 2, 2, -1.0)]
    answers.append(dict(answers[0], seq=2))
    assert build_report(drills, answers).students[0].name == "Mei Lin"  # "Mei  Lin", spaces collapsed, 2 answers
    assert r.questions[0].discrimination is None  # one student: no groups
    assert name_key(" ANN\tLee ") == "ann lee"


def test_report_command_text_json_and_csv(data, capsys):
    assert cli(data, "report", "--class", "7c", "--since", "2026-02-15", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["class"] == "7c" and out["answers"] == 20 and out["right"] == 11
    bo = next(s for s in out["students"] if s["student"] == "Bo Chen")
    assert (bo["drills"], bo["answers"], bo["accuracy"], bo["trend"]) == (3, 5, 0.6, 0.5)
    assert [d["accuracy"] for d in bo["per_drill"]] == [0.5, 0.5, 1.0]
    q1 = next(q for q in out["questions"] if q["question_id"] == "cls/q1")
    assert q1["most_chosen_wrong"] == {"option": "X", "times": 3} and q1["discrimination"] == 0.5
    assert q1["tags"] == ["alpha"]
    assert {t["tag"]: t["accuracy"] for t in out["tags"]} == {"alpha": 0.5833, "beta": 0.625, "gamma": 0.25}

    assert cli(data, "report", "--class", "7C", "--since", "2026-02-15") == 0
    text = capsys.readouterr().out
    assert "Class report: class 7C since 2026-02-15: 3 drills, 20 answers, 55% right" in text
    assert "Dee Evans" in text and "-50" in text and "Z (2)" in text and "+0.50" in text
    assert "nqpf-tutor drill --from-report --class 7C" in text

    out_csv = data / "report.csv"
    assert cli(data, "report", "--out", str(out_csv)) == 0
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text("utf-8"))))
    sections = [r["section"] for r in rows]
    assert sections.count("student") == 5 and sections.count("question") == 4 and sections.count("tag") == 3
    names = [r["name"] for r in rows if r["section"] == "student"]
    assert "'=SUM(A1)" in names and "=SUM(A1)" not in names  # formula-safe
    q4 = next(r for r in rows if r["name"] == "cls/q4")
    assert (q4["answers"], q4["right"], q4["most_chosen_wrong"], q4["most_chosen_wrong_count"]) == ("4", "1", "Z", "2")


def test_safe_cell():
    assert [safe_cell(v) for v in ("=1+1", "+x", "-y", "@z", "\tA", "plain", 3, -0.5, True)] == [
        "'=1+1", "'+x", "'-y", "'@z", "A", "plain", 3, -0.5, "true"]
    assert safe_cell("a\x1b[31mb\nc") == "ab c"


def test_report_errors_are_one_line(data, capsys):
    assert cli(data, "report", "--class", "9Z") == 1
    assert cli(data, "report", "--since", "March") == 1
    bad = data / "bad.yaml"
    bad.write_text("students: [\n", "utf-8")
    assert cli(data, "report", "--roster", str(bad)) == 1
    assert cli(data, "report", "--out", str(data / "nowhere" / "r.csv")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(e.startswith("nqpf-tutor: ") for e in err)
    assert "classes: 7C, 8A" in err[0] and "YYYY-MM-DD" in err[1] and "bad.yaml" in err[2]


def test_roster_files_yaml_and_csv(tmp_path):
    y = tmp_path / "r.yaml"
    y.write_text("students:\n  - Ann Lee\n  - {name: Bo Chen, nicknames: [Bobo]}\n", "utf-8")
    r = load_roster(y)
    assert r.names == ["Ann Lee", "Bo Chen"] and r.canonical("BOBO") == "Bo Chen" and r.canonical("ann  lee") == "Ann Lee"
    c = tmp_path / "r.csv"
    c.write_text("name,nickname\nAnn Lee,\nBo Chen,Bobo\nBo Chen,B. Chen\n", "utf-8")
    r = load_roster(c)
    assert r.names == ["Ann Lee", "Bo Chen"] and r.canonical("b. chen") == "Bo Chen"
    (tmp_path / "x.yaml").write_text("- 1\n- {nicknames: [a]}\n", "utf-8")
    with pytest.raises(RosterError, match="student 2"):
        load_roster(tmp_path / "x.yaml")


def test_class_is_kept_with_a_drill(tmp_path):
    cards = [Card("d", f"m{i}", "mcq", f"Q{i}?", f"R{i}", distractors=("a", "b", "c")) for i in range(3)]
    with Store.open(tmp_path / "p.sqlite3") as store:
        d = Drill.create(DrillConfig(n=2, seed=1, class_name="  7C  "), cards, store=store)
        d.answer(0)
        (row,) = store.drills()
        assert row.class_name == "7C" and row.config["class_name"] == "7C"
        second = Drill(d.config, d.questions, store)
        assert second.config.class_name == "7C"
    with pytest.raises(DrillError):
        DrillConfig(class_name="x" * 60)
    assert DrillConfig(class_name="  ").class_name is None


def test_drill_from_report_and_report_drill_take_the_hardest(data, monkeypatch):
    seen = []
    monkeypatch.setattr("nqpf_tutor.commands.app.launch", lambda args, loc, start, **kw: seen.append((start, kw)) or 0)
    assert cli(data, "drill", "--from-report", "--class", "7C", "-n", "2") == 0
    start, kw = seen[-1]
    assert start == "drill" and kw["drill_options"]["question_ids"] == ["cls/q4", "cls/q2"]
    assert kw["drill_options"]["class_name"] == "7C"
    assert cli(data, "report", "--class", "7C", "--since", "2026-02-15", "--drill", "--hardest", "3") == 0
    assert seen[-1][1]["drill_options"]["question_ids"] == ["cls/q4", "cls/q2", "cls/q1"]


def test_a_roster_lists_students_who_have_not_answered(data, capsys):
    roster = data / "roster.csv"
    roster.write_text("name,nickname\nAnn Lee,Ann\nAnn Lee,annie\nZed Young,\n", "utf-8")
    assert cli(data, "report", "--class", "7C", "--since", "2026-02-15", "--roster", str(roster), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    by = {s["student"]: s for s in out["students"]}
    assert by["Zed Young"]["answers"] == 0 and by["Zed Young"]["accuracy"] is None
    assert by["Ann Lee"]["answers"] == 5  # "Ann" and "annie" through this roster
    assert by["Bo"]["answers"] == 3 and by["BO CHEN"]["answers"] == 2  # not in this roster: names as typed
