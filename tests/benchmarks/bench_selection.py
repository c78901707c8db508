"""The balanced, seeded draw of quiz/drill/paper questions (issue 12) against the unbalanced
distinct_questions it builds on, side by side, on 1,000 to 100,000 multiple-choice cards in
5 decks and 7 topics each.

Run: python tests/benchmarks/bench_selection.py [N ...]   (default 1000 10000 100000)
Prints each figure as ``name: value unit``. Target: a 40-question paper of 100,000 cards in
under twice the time of distinct_questions alone (the balancing itself is linear).
"""

from __future__ import annotations

import sys
import time

from nqpf_tutor.core.decks.selection import balanced_questions
from nqpf_tutor.core.model import Card
from nqpf_tutor.core.questions import distinct_questions


def cards(n: int) -> list[Card]:
    return [
        Card(f"deck{i % 5}", f"c{i:06d}", "mcq", f"Question number {i}?", f"Answer {i}",
             distractors=(f"x{i}", f"y{i}", f"z{i}"), tags=(f"topic{i % 7}",))
        for i in range(n)
    ]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(sizes: list[int]) -> None:
    for n in sizes:
        cs = cards(n)
        base = timed(lambda: distinct_questions(cs, 1))
        paper = timed(lambda: balanced_questions(cs, 40, 1, salt="paper"))
        everything = timed(lambda: balanced_questions(cs, None, 1, salt="quiz"))
        print(f"distinct_questions_{n}: {base * 1000:.0f} ms")
        print(f"balanced_40_of_{n}: {paper * 1000:.0f} ms")
        print(f"balanced_all_of_{n}: {everything * 1000:.0f} ms")
        print(f"balanced_40_vs_distinct_{n}: {paper / base:.2f} x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
