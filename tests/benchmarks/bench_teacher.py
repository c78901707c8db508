"""The teacher's desk: PDF papers of the bundled decks, and the class report of a big class.

Run: python tests/benchmarks/bench_teacher.py
Prints each figure as ``name: value unit``, side by side: a 25- and an all-question paper (Latin
text only, and with one Chinese question so the CJK fallback font is read), its key; the report
of 30 students x 40 drills x 20 questions (24,000 answers).
Targets: a 25-question paper under 1 s; the 24,000-answer report under 2 s.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from nqpf_tutor.core.classroom.report import report_from_store
from nqpf_tutor.core.decks.pdf import key_pdf, paper_pdf
from nqpf_tutor.core.export import answer_sources, make_paper
from nqpf_tutor.core.loader import load_catalog
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.store import Store
from nqpf_tutor.locations import Locations


def timed(name: str, fn, unit: str = "s"):
    t = time.perf_counter()
    out = fn()
    print(f"{name}: {time.perf_counter() - t:.3f} {unit}")
    return out


def papers(tmp: Path) -> None:
    catalog = load_catalog(Locations.resolve(data_dir=tmp / "data"))
    cards = list(catalog.all_cards())
    decks = {d.id: d for d in catalog.decks}
    zh = Card("x", "zh", "mcq", "新质生产力是什么？", "New quality productive forces", distractors=("旧的", "Old", "None"))
    for label, pool in (("latin", cards), ("cjk", cards + [zh])):
        for n in (25, None):
            paper = make_paper(pool, seed=7, n=n, version="A")
            sources = answer_sources(paper, decks)
            name = f"pdf_paper_{label}_{len(paper.questions)}q"
            data = timed(name, lambda: paper_pdf(paper, sources=sources))
            print(f"{name}_size: {len(data) // 1024} KiB")
            timed(f"pdf_key_{label}_{len(paper.questions)}q", lambda: key_pdf(paper, sources=sources))


def report(tmp: Path, students: int = 30, drills: int = 40, questions: int = 20) -> None:
    rng = random.Random(1)
    t0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    with Store.open(tmp / "r.sqlite3") as store:
        with store.transaction():
            for d in range(drills):
                did = f"d{d:03d}"
                store.start_drill(did, t0 + timedelta(days=d), {"n": questions}, d, class_name="9B")
                seq = 0
                for s in range(students):
                    skill = 0.3 + 0.6 * s / students
                    for q in range(questions):
                        seq += 1
                        ok = rng.random() < skill
                        store.log_drill_answer(did, seq, t0 + timedelta(days=d, seconds=seq), f"Student {s}",
                                               f"deck/q{q}", f"Question {q}?", "R" if ok else rng.choice("XYZ"), "R",
                                               ok, 3.0, float(ok))
        rep = timed(f"report_{students * drills * questions}_answers", lambda: report_from_store(store, class_name="9B"))
        print(f"report_students: {len(rep.students)} students")


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        papers(Path(d))
        report(Path(d))


if __name__ == "__main__":
    main()
