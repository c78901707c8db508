"""A store filled with the drills of a made-up class (7C), for the class report's tests.

Drills (UTC), each answer: (student as typed, question, chosen, right?)
  d0 2026-02-01 7C : Ann Lee q2 Y wrong                         (before --since 2026-02-15)
  d1 2026-03-01 7C : Ann q1 ok, q2 ok; Bo q1 X, q2 ok; Cy q1 X, q2 Y; Dee q1 ok, q2 time-out
  d2 2026-03-08 "7c ": annie q3 ok, q4 ok; "BO  CHEN" q3 ok, q4 Z; "cy diaz" q3 W, q4 Z; Dee q3 ok, q4 Q
  d3 2026-03-15 7C : Ann q1 ok; Bo q1 ok; Cy q1 ok; Dee q1 X
  d4 2026-03-20 8A : Ann Lee q2 Y wrong; "=SUM(A1)" q2 ok
Roster 7C: Ann Lee (nickname Annie), Bo Chen, Cy Diaz, Dee Evans.
Tags: q1 alpha; q2 alpha, beta; q3 beta; q4 gamma.

Hand count for --class 7C --since 2026-02-15 (d1-d3):
  Ann Lee   3 drills, 5 answers, 5 right, 100%, trend 1/1 - 4/4 = 0
  Bo Chen   3 drills, 5 answers, 3 right,  60%, trend 1/1 - 2/4 = +0.5
  Cy Diaz   3 drills, 5 answers, 1 right,  20%, trend 1/1 - 0/4 = +1.0
  Dee Evans 3 drills, 5 answers, 2 right,  40%, trend 0/1 - 2/4 = -0.5
  groups: 4 students -> round(0.27 * 4) = 1 each: top Ann (5 right), bottom Cy (1 right)
  q4: asked 4, right 1 (25%), disc 1/1 - 0/1 = 1.0, most chosen wrong Z (2)
  q2: asked 4, right 2 (50%), disc 1.0, wrong Y (1) (Dee's time-out is no choice), 1 timed out
  q1: asked 8, right 5 (62.5%), disc Ann 2/2 - Cy 1/2 = 0.5, wrong X (3)
  q3: asked 4, right 3 (75%), disc 1.0, wrong W (1)
  tags: alpha 12 answers 7 right; beta 8 answers 5 right; gamma 4 answers 1 right
  all: 20 answers, 11 right
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from nqpf_tutor.core.store import Store

UTC = timezone.utc
DECK = "cls"
PROMPTS = {"q1": "Which power drove the first era?", "q2": "Which era is newest?", "q3": "What is TFP?",
           "q4": "Which word marks the information era?"}
RIGHT = {"q1": "Steam", "q2": "New quality", "q3": "Total factor productivity", "q4": "Informatization"}
TAGS = {"q1": ("alpha",), "q2": ("alpha", "beta"), "q3": ("beta",), "q4": ("gamma",)}

DRILLS = [
    ("d0", datetime(2026, 2, 1, 9, tzinfo=UTC), "7C", [("Ann Lee", "q2", "Y")]),
    ("d1", datetime(2026, 3, 1, 9, tzinfo=UTC), "7C", [
        ("Ann", "q1", None), ("Ann", "q2", None), ("Bo", "q1", "X"), ("Bo", "q2", None),
        ("Cy", "q1", "X"), ("Cy", "q2", "Y"), ("Dee", "q1", None), ("Dee", "q2", ""),
    ]),
    ("d2", datetime(2026, 3, 8, 9, tzinfo=UTC), "7c ", [
        ("annie", "q3", None), ("annie", "q4", None), ("BO  CHEN", "q3", None), ("BO  CHEN", "q4", "Z"),
        ("cy diaz", "q3", "W"), ("cy diaz", "q4", "Z"), ("Dee", "q3", None), ("Dee", "q4", "Q"),
    ]),
    ("d3", datetime(2026, 3, 15, 9, tzinfo=UTC), "7C", [
        ("Ann", "q1", None), ("Bo", "q1", None), ("Cy", "q1", None), ("Dee", "q1", "X"),
    ]),
    ("d4", datetime(2026, 3, 20, 9, tzinfo=UTC), "8A", [("Ann Lee", "q2", "Y"), ("=SUM(A1)", "q2", None)]),
]

ROSTER_7C = """\
class: 7C
students:
  - name: Ann Lee
    nicknames: [Annie, Ann]
  - name: Bo Chen
    nicknames: [Bo]
  - name: Cy Diaz
    nicknames: [Cy]
  - name: Dee Evans
    nicknames: [Dee]
"""

DECK_YAML = """\
deck: {id: cls, title: Class test deck}
cards:
  - {id: q1, type: mcq, prompt: "Which power drove the first era?", answer: Steam, distractors: [X, Oil, Wind], tags: [alpha]}
  - {id: q2, type: mcq, prompt: "Which era is newest?", answer: New quality, distractors: [Y, Steam era, Iron age], tags: [alpha, beta]}
  - {id: q3, type: mcq, prompt: "What is TFP?", answer: Total factor productivity, distractors: [W, Tariffs, Trade], tags: [beta]}
  - {id: q4, type: mcq, prompt: "Which word marks the information era?", answer: Informatization, distractors: [Z, Q, Steam], tags: [gamma]}
"""


def fill(store: Store) -> None:
    for drill_id, started, class_name, answers in DRILLS:
        students = list(dict.fromkeys(a[0] for a in answers))
        store.start_drill(drill_id, started, {"students": students, "n": len(answers)}, 1, class_name=class_name)
        for seq, (student, q, chosen) in enumerate(answers, 1):
            correct = chosen is None
            when = started + timedelta(seconds=10 * seq)
            store.log_drill_answer(
                drill_id, seq, when, student, f"{DECK}/{q}", PROMPTS[q], RIGHT[q] if correct else chosen, RIGHT[q],
                correct, 5.0, 1.0 if correct else 0.0, timed_out=(chosen == ""),
                finished=when if seq == len(answers) else None)


def setup_data(data_dir: Path, decks_dir: Path) -> None:
    """The store, the 7C roster and the deck, under ``data_dir`` and ``decks_dir``."""
    (data_dir / "classes").mkdir(parents=True, exist_ok=True)
    (data_dir / "classes" / "7C.yaml").write_text(ROSTER_7C, "utf-8")
    decks_dir.mkdir(parents=True, exist_ok=True)
    (decks_dir / "cls.yaml").write_text(DECK_YAML, "utf-8")
    with Store.open(data_dir / "progress.sqlite3") as store:
        fill(store)
